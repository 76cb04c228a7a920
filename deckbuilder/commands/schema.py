"""``deckbuilder schema``: write the JSON Schemas of the content format for editors."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from deckbuilder.commands import reports_errors
from deckbuilder.commands.output import JsonOpt


@reports_errors
def schema(
    folder: Annotated[
        Path | None,
        typer.Argument(help="Where to write them.  [default: content/.schema]", show_default=False),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Write deck.schema.json and case.schema.json, generated from the loader's models.

    Content files point to them with a first line such as
    "# yaml-language-server: $schema=../.schema/case.schema.json".

    Example: deckbuilder schema content/.schema
    """
    from deckbuilder.authoring.schema import SCHEMA_FOLDER, write_schemas

    if folder is None:  # only into a content folder: the files' modelines point there
        from deckbuilder.commands.hints import require_deck_file

        content = Path("content")
        require_deck_file(
            content,
            f"deckbuilder schema {{}}/{SCHEMA_FOLDER}",
            f"on the command line: 'deckbuilder schema FOLDER/{SCHEMA_FOLDER}'",
        )
        folder = content / SCHEMA_FOLDER

    paths = write_schemas(folder)
    if as_json:
        from deckbuilder.commands.output import written_json

        typer.echo(written_json("schema", [str(p) for p in paths]))
        return
    for path in paths:
        typer.echo(f"Wrote {path}")
