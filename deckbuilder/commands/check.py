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

    loaded, built = run_check(content)
    n_cases = len(loaded.cases)
    typer.echo(
        f"{content}: OK, {n_cases} case{'s' if n_cases != 1 else ''}, "
        f"{len(built.notes)} question{'s' if len(built.notes) != 1 else ''}."
    )
