"""``deckbuilder schema``: write the JSON Schemas of the content format for editors."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from deckbuilder.commands import reports_errors
from deckbuilder.commands.output import JsonOpt


@reports_errors
def schema(
    folder: Annotated[Path, typer.Argument(help="Where to write them.")] = Path("content")
    / ".schema",
    as_json: JsonOpt = False,
) -> None:
    """Write deck.schema.json and case.schema.json, generated from the loader's models.

    Content files point to them with a first line such as
    "# yaml-language-server: $schema=../.schema/case.schema.json".

    Example: deckbuilder schema content/.schema
    """
    from deckbuilder.authoring.schema import write_schemas

    paths = write_schemas(folder)
    if as_json:
        from deckbuilder.commands.output import written_json

        typer.echo(written_json("schema", [str(p) for p in paths]))
        return
    for path in paths:
        typer.echo(f"Wrote {path}")
