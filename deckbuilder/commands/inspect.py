"""``deckbuilder inspect`` and ``deckbuilder diff``: look inside decks before importing."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from deckbuilder.commands import reports_errors
from deckbuilder.commands.output import JsonOpt, output_text, terminal_safe

if TYPE_CHECKING:
    from deckbuilder.apkg.reader import Listed

DeckArg = Annotated[Path, typer.Argument(help="An .apkg file (any, not only ours).")]

_COLUMNS = ("case", "question", "guid", "question text")


def _cells(note: Listed) -> tuple[str, ...]:
    return tuple(terminal_safe(c) for c in (note.case, note.question, note.guid, note.summary()))


def _table(notes: Sequence[Listed]) -> Iterator[str]:
    """The notes as aligned lines under a header. Each row is made twice, to measure and
    to print, rather than kept: a package may hold a great many notes."""
    widths = [len(h) for h in _COLUMNS]
    for note in notes:
        widths = [max(w, len(c)) for w, c in zip(widths, _cells(note), strict=True)]
    yield "  ".join(h.upper().ljust(w) for h, w in zip(_COLUMNS, widths, strict=True)).rstrip()
    for note in notes:
        yield "  ".join(c.ljust(w) for c, w in zip(_cells(note), widths, strict=True)).rstrip()


@reports_errors(writes=False)
def inspect(deck: DeckArg, as_json: JsonOpt = False) -> None:
    """Show a deck's name, note types and notes (case, question, GUID, first words),
    and any metadata its images carry (EXIF, XMP, text chunks, comments).

    Example: deckbuilder inspect dist/clinical-quiz.apkg --json
    """
    from deckbuilder.apkg.media import image_metadata
    from deckbuilder.apkg.reader import read_listing
    from deckbuilder.errors import counted

    package = read_listing(deck)
    images = image_metadata(deck)
    if as_json:
        from deckbuilder.commands.results import (
            ImageMetadata,
            InspectOutput,
            ListedNote,
            ListedNoteType,
        )

        typer.echo(
            output_text(
                InspectOutput(
                    path=str(deck),
                    format=package.format,  # type: ignore[arg-type]
                    decks=package.decks,
                    notetypes=[
                        ListedNoteType(
                            id=t.id, name=t.name, fields=list(t.fields), templates=list(t.templates)
                        )
                        for t in package.notetypes.values()
                    ],
                    notes=[
                        ListedNote(case=n.case, question=n.question, guid=n.guid, text=n.summary())
                        for n in package.notes
                    ],
                    image_metadata=[
                        ImageMetadata(name=i.name, found=list(i.found)) for i in images
                    ],
                )
            )
        )
        return
    decks = terminal_safe(", ".join(package.decks))
    typer.echo(f"{deck}: {counted(len(package.notes), 'note')} in {decks}")
    for t in package.notetypes.values():
        typer.echo(
            terminal_safe(
                f"note type {t.name!r}: fields {', '.join(t.fields)}; "
                f"templates {', '.join(t.templates)}"
            )
        )
    for line in _table(package.notes):
        typer.echo(line)
    for image in images:
        typer.echo(
            terminal_safe(
                f"image {image.name!r} carries metadata that may identify a person or "
                f"place: {', '.join(image.found)}"
            )
        )


@reports_errors(writes=False)
def diff(old: DeckArg, new: DeckArg, as_json: JsonOpt = False) -> None:
    """What importing NEW over a collection holding OLD will do, by Anki's own rules.

    Example: deckbuilder diff last-week.apkg dist/clinical-quiz.apkg
    """
    from deckbuilder.apkg.compare import NoteChange, diff_packages
    from deckbuilder.apkg.reader import read_listing

    result = diff_packages(read_listing(old), read_listing(new))
    if as_json:
        from dataclasses import asdict

        from deckbuilder.commands.results import Change, DiffOutput, Renamed

        def listed(found: list[NoteChange]) -> list[Change]:
            return [Change(**asdict(c)) for c in found]

        typer.echo(
            output_text(
                DiffOutput(
                    new=listed(result.new),
                    updated=listed(result.updated),
                    unchanged=listed(result.unchanged),
                    retired=listed(result.retired),
                    not_arriving=listed(result.not_arriving),
                    conflicting=listed(result.conflicting),
                    left_behind=listed(result.left_behind),
                    notetypes=result.notetypes,
                    renamed=Renamed.of(result.renamed),
                )
            )
        )
        return
    if result.renamed:
        from deckbuilder.commands.build_report import rename_advice

        typer.echo(terminal_safe(rename_advice(*result.renamed)))
    for line in result.notetypes:
        typer.echo(terminal_safe(line))
    sections = (
        ("new", result.new),
        ("updated", result.updated),
        ("retired", result.retired),
        ("changed, will not arrive (not newer)", result.not_arriving),
        ("conflicting (skipped by Anki)", result.conflicting),
        ("only in OLD (Anki keeps them)", result.left_behind),
    )
    for label, changes in sections:
        for c in changes:
            typer.echo(terminal_safe(f"  {label:<10} {c.case}/{c.question}  {c.guid}  {c.summary}"))
    typer.echo(
        f"{len(result.new):,} new, {len(result.updated):,} updated, {len(result.unchanged):,} "
        f"unchanged, {len(result.retired):,} retired, {len(result.conflicting):,} conflicting, "
        f"{len(result.not_arriving):,} changed but not newer, {len(result.left_behind):,} only "
        "in OLD."
    )
