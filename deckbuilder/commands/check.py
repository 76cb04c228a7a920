"""``deckbuilder check``: validate the content without writing anything."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from deckbuilder.commands import reports_errors
from deckbuilder.commands.output import JsonOpt

ContentArg = Annotated[
    Path,
    typer.Argument(help="The content folder (deck.yaml and one YAML file per case)."),
]


@reports_errors(writes=False)
def check(
    content: ContentArg = Path("content"),
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Fail (exit 1) on warnings too, such as text left to fill in."
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Validate the content folder: every problem, with file, line and key.

    Example: deckbuilder check content --strict
    """
    from deckbuilder.api import check as run_check
    from deckbuilder.commands.hints import require_content_folder

    require_content_folder(content, "check")
    result = run_check(content)
    n = len(result.warnings)
    if as_json:
        from deckbuilder.commands.output import output_text, problems_out
        from deckbuilder.commands.results import CheckOutput

        typer.echo(
            output_text(
                CheckOutput(
                    outcome="failed_strict" if strict and n else "ok",
                    content=str(content),
                    cases=result.cases,
                    questions=result.notes,
                    facts=result.facts,
                    warnings=problems_out(result.warnings),
                    notices=problems_out(result.notices),
                )
            )
        )
        if strict and n:
            raise typer.Exit(1)
        return
    for notice in result.notices:
        typer.echo(f"note: {notice}", err=True)
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    from deckbuilder.errors import counted
    from deckbuilder.notes.kinds import KINDS

    summary = ", ".join(
        [counted(result.cases, "case")]
        + [
            counted(result.counts.get(kind.name, 0), kind.noun)
            for kind in KINDS
            if kind.always or result.counts.get(kind.name)
        ]
    )
    if n:
        summary += f", {counted(n, 'warning')}"
    if strict and n:
        typer.secho(f"error: {content}: {summary}; --strict fails on warnings.", fg="red", err=True)
        raise typer.Exit(1)
    typer.echo(f"{content}: OK, {summary}.")
