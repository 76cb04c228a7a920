"""``deckbuilder check``: validate the content without writing anything."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from deckbuilder.commands import reports_errors

ContentArg = Annotated[
    Path,
    typer.Argument(help="The content folder (deck.yaml and one YAML file per case)."),
]


@reports_errors
def check(content: ContentArg = Path("content")) -> None:
    """Validate the content folder: every problem, with file, line and key.

    Example: deckbuilder check content
    """
    from deckbuilder.build import check as run_check

    result = run_check(content)
    typer.echo(
        f"{content}: OK, {result.cases} case{'s' if result.cases != 1 else ''}, "
        f"{result.notes} question{'s' if result.notes != 1 else ''}."
    )
