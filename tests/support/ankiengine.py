"""The judge: import decks through the official ``anki`` package, as Anki desktop does.

Every end-to-end test goes through here, so what is asserted is what Anki's own engine
stores and renders, not what our writer believes it wrote.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest


@dataclass(frozen=True)
class ImportLog:
    new: int
    updated: int
    duplicate: int
    conflicting: int

    @classmethod
    def of(cls, log: object) -> ImportLog:
        return cls(
            len(log.new),  # type: ignore[attr-defined]
            len(log.updated),  # type: ignore[attr-defined]
            len(log.duplicate),  # type: ignore[attr-defined]
            len(log.conflicting),  # type: ignore[attr-defined]
        )


@contextlib.contextmanager
def collection(path: Path) -> Iterator[Collection]:
    """The collection at ``path`` (created if new), closed when the block ends."""
    col = open_collection(path)
    try:
        yield col
    finally:
        col.close()


def open_collection(path: Path) -> Collection:
    return Collection(str(path))


def import_apkg(col: Collection, apkg: Path) -> ImportLog:
    """Import with Anki desktop's default options (update notes and note types if newer)."""
    request = ImportAnkiPackageRequest(
        package_path=str(Path(apkg).resolve()),
        options=ImportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False),
    )
    result = col.import_anki_package(request)
    return ImportLog.of(result.log)


def import_into(col_path: Path, apkg: Path) -> ImportLog:
    """Open the collection at ``col_path``, import, and close it again."""
    with collection(col_path) as col:
        return import_apkg(col, apkg)


def export_deck(col: Collection, deck: str, out: Path, *, legacy: bool = False) -> Path:
    """Export the deck named ``deck`` as Anki desktop's "Export…" does without scheduling:
    in the current format, or with ``legacy`` as "Support older Anki versions"."""
    from anki.collection import DeckIdLimit, ExportAnkiPackageOptions

    col.export_anki_package(
        out_path=str(out),
        options=ExportAnkiPackageOptions(
            with_scheduling=False, with_deck_configs=False, with_media=True, legacy=legacy
        ),
        limit=DeckIdLimit(col.decks.id_for_name(deck)),
    )
    return out


def notes_by_ref(col: Collection) -> dict[str, object]:
    """Every note of the collection keyed by its Ref field."""
    return {col.get_note(nid)["Ref"]: col.get_note(nid) for nid in col.find_notes("")}
