"""Stage 3 of a build: plan every note against the lock, write the collection, and
write the deck and the lock together.

:func:`assemble` is shared by a folder's build (:mod:`deckbuilder.pipeline`) and the
library's ``write_deck`` (:mod:`deckbuilder.api`): notes in, a planned collection
database out, streaming case by case.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from deckbuilder.errors import OutputError, display_path

if TYPE_CHECKING:
    from deckbuilder.content.media import Media
    from deckbuilder.content.model import Deck
    from deckbuilder.notes.description import DeckTexts
    from deckbuilder.notes.spec import CaseNotes
    from deckbuilder.notes.state import Lock, Plan


@dataclass
class Assembled:
    """A planned collection, ready to be packaged: the plan, the database file
    (positioned at its start; close it when done) and the media to pack."""

    plan: Plan
    collection: BinaryIO
    media: list[Media]


def assemble(
    deck: Deck,
    texts: DeckTexts,
    cases: Iterable[CaseNotes],
    lock: Lock,
    *,
    drop_retired: bool = False,
    force: bool = False,
    finish_reading: Callable[[], None] | None = None,
) -> Assembled:
    """Plan every note of ``cases`` against ``lock`` and write the collection database.

    Streams: what it holds in memory is one case plus a fingerprint per note.
    ``finish_reading`` is called once the cases are consumed (it raises the content's
    problems, if any).
    """
    from deckbuilder.apkg.writer import CollectionWriter, deck_json
    from deckbuilder.notes import ids
    from deckbuilder.notes.description import deck_description, deck_fingerprint
    from deckbuilder.notes.kinds import BY_NAME, KINDS
    from deckbuilder.notes.state import Planner

    deck_id = ids.deck_id(deck.id)
    notetype_ids = {kind.name: kind.notetype_id(deck.id) for kind in KINDS}
    planner = Planner(lock, deck_key=deck.id, deck_id=deck_id, deck_name=deck.name, force=force)
    writer = CollectionWriter(notetype_ids=notetype_ids, deck_id=deck_id)
    try:
        summaries = []
        fingerprints = []
        counts: Counter[str] = Counter()
        media: dict[str, Media] = {}
        for case in cases:
            summaries.append(case.summary)
            fingerprints += [n.fingerprint for n in case.notes]
            counts.update(n.kind for n in case.notes)
            for m in case.media:
                media.setdefault(m.name, m)
            writer.add((n, planner.note(n)) for n in case.notes)
        if finish_reading is not None:
            finish_reading()
        writer.add(planner.retired(drop_retired))
        description = deck_description(deck, texts, summaries, fingerprints, counts)
        held = [kind for kind in KINDS if kind.always or kind.name in writer.kinds]
        plan = planner.finish(
            deck_fingerprint(deck.name, description),
            {kind.name: kind.contract.fingerprint(deck.name) for kind in held},
        )
        jsons = {
            name: BY_NAME[name].contract.json(notetype_ids[name], deck.name, deck_id, planned.mtime)
            for name, planned in plan.notetypes.items()
        }
        collection = writer.finish(
            deck_json=deck_json(deck_id, deck.name, description, plan.deck_mtime),
            notetype_jsons=jsons,
            col_mtime=plan.newest,
        )
    except BaseException:
        writer.close()
        raise
    return Assembled(plan, collection, sorted(media.values(), key=lambda m: m.name))


def write_deck_and_lock(
    deck_path: Path,
    package: Callable[[BinaryIO], None],
    lock_path: Path | None,
    lock_text: bytes = b"",
) -> None:
    """Write the deck (``package`` writes it into a file) and the lock together, or
    neither; a lock whose text is unchanged is left alone. Raises :class:`OutputError`.

    The lock goes in place first. A build killed between the two renames then leaves the
    new lock beside the previous deck, whose input stamp names the previous lock: the
    next build finds the deck out of date and makes it again from the new lock — the
    deck the killed build made, with every time as the lock gives it. The other way
    round, the new deck beside the previous lock would have the next build give the
    notes just built later times again, and call them updated.
    """
    from deckbuilder.content.folder import MAX_LOCK_BYTES
    from deckbuilder.files import WriteFailed, read_regular, remove_stale_temporaries, write_files

    files: list[tuple[Path, Any]] = [(deck_path, package)]
    if lock_path is not None:
        try:
            unchanged = read_regular(lock_path, MAX_LOCK_BYTES) == lock_text
        except OSError:
            unchanged = False
        if unchanged:
            # what a build killed after putting this lock in place left beside it
            remove_stale_temporaries(lock_path)
        else:
            files.append((lock_path, lock_text))
    try:
        write_files(files)
    except WriteFailed as exc:
        written = " nor ".join(display_path(p) for p, _ in files)
        raise OutputError(
            f"cannot write {display_path(Path(exc.filename))}: {exc.strerror}; "
            f"neither {written} was changed"
            if len(files) > 1
            else f"cannot write {display_path(Path(exc.filename))}: {exc.strerror}; "
            "nothing was changed"
        ) from exc
