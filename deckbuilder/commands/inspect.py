"""``deckbuilder inspect`` and ``deckbuilder diff``: look inside decks before importing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from deckbuilder.commands import reports_errors
from deckbuilder.commands.output import JsonOpt, json_text, terminal_safe

DeckArg = Annotated[Path, typer.Argument(help="An .apkg file (any, not only ours).")]


def _table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    rows = [tuple(terminal_safe(str(c)) for c in row) for row in rows]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(h.upper().ljust(w) for h, w in zip(header, widths, strict=True))]
    for row in rows:
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    return "\n".join(line.rstrip() for line in lines)


@reports_errors(writes=False)
def inspect(deck: DeckArg, as_json: JsonOpt = False) -> None:
    """Show a deck's name, note types and notes (case, question, GUID, first words).

    Example: deckbuilder inspect dist/clinical-quiz.apkg --json
    """
    from deckbuilder.apkg.reader import read_package

    package = read_package(deck)
    notes = [
        {"case": c, "question": q, "guid": n.guid, "text": package.summary(n)}
        for n in package.notes
        for c, q in [package.ref(n)]
    ]
    if as_json:
        typer.echo(
            json_text(
                {
                    "command": "inspect",
                    "outcome": "read",
                    "path": str(deck),
                    "format": package.format,
                    "decks": package.decks,
                    "notetypes": [
                        {
                            "id": t.id,
                            "name": t.name,
                            "fields": list(t.fields),
                            "templates": list(t.templates),
                        }
                        for t in package.notetypes.values()
                    ],
                    "notes": notes,
                }
            )
        )
        return
    decks = terminal_safe(", ".join(package.decks))
    typer.echo(f"{deck}: {len(package.notes)} notes in {decks}")
    for t in package.notetypes.values():
        typer.echo(
            terminal_safe(
                f"note type {t.name!r}: fields {', '.join(t.fields)}; "
                f"templates {', '.join(t.templates)}"
            )
        )
    rows = [(n["case"], n["question"], n["guid"], n["text"]) for n in notes]
    typer.echo(_table(rows, ("case", "question", "guid", "question text")))


@reports_errors(writes=False)
def diff(old: DeckArg, new: DeckArg, as_json: JsonOpt = False) -> None:
    """What importing NEW over a collection holding OLD will do, by Anki's own rules.

    Example: deckbuilder diff last-week.apkg dist/clinical-quiz.apkg
    """
    from deckbuilder.apkg.compare import diff_packages
    from deckbuilder.apkg.reader import read_package

    result = diff_packages(read_package(old), read_package(new))
    if as_json:
        typer.echo(json_text(result.as_json()))
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
        f"{len(result.new)} new, {len(result.updated)} updated, {len(result.unchanged)} "
        f"unchanged, {len(result.retired)} retired, {len(result.conflicting)} conflicting, "
        f"{len(result.not_arriving)} changed but not newer, {len(result.left_behind)} only "
        "in OLD."
    )
