"""``deckbuilder preview``: a static HTML page of every card, for review without Anki."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from deckbuilder.commands import reports_errors
from deckbuilder.commands.check import ContentArg
from deckbuilder.commands.output import JsonOpt


@reports_errors
def preview(
    content: ContentArg = Path("content"),
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Folder for the page [default: dist/<deck id>-preview, dist/ beside the "
            "content folder].",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Write every card, front and back, as a static HTML page a browser can open.

    Example: deckbuilder preview content -o dist/preview
    """
    from deckbuilder.api import render_content
    from deckbuilder.authoring.preview import write_preview
    from deckbuilder.commands.hints import require_content_folder
    from deckbuilder.content.folder import default_output

    require_content_folder(content, "preview")
    rendered = render_content(content)
    folder = output or default_output(content) / f"{rendered.deck.id}-preview"
    page = write_preview(rendered.notes, rendered.media, rendered.deck.name, folder)
    cards = sum(len(note.cards) for note in rendered.notes)
    if as_json:
        from deckbuilder.commands.output import written_json

        typer.echo(written_json("preview", [str(page)], cards=cards))
        return
    from deckbuilder.errors import counted

    typer.echo(f"Wrote {page} ({counted(cards, 'card')}).")
