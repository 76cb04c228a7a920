"""``deckbuilder serve``: every card in the browser, updated as the author saves."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from deckbuilder.commands import reports_errors
from deckbuilder.commands.check import ContentArg

if TYPE_CHECKING:
    from deckbuilder.authoring.serve.state import Update

DEFAULT_PORT = 8000


@reports_errors(writes=False)
def serve(
    content: ContentArg = Path("content"),
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to serve on; another than 127.0.0.1 lets other machines see the cards.",
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p", help="Port to serve on.")] = DEFAULT_PORT,
) -> None:
    """Show every card in a browser, front and back, updated as you save.

    Serves the preview page at http://127.0.0.1:8000/ and watches the content folder:
    each save re-renders the cases it changed and updates the open page (no reload);
    problems show in the page with file:line:column, above the last good cards.
    Writes nothing; Ctrl-C stops it.

    Example: deckbuilder serve cardio --port 8001
    """
    import threading

    from deckbuilder.authoring.serve.server import open_server, serve_in_thread
    from deckbuilder.authoring.serve.state import LiveDeck
    from deckbuilder.authoring.serve.watch import changes
    from deckbuilder.commands.hints import require_content_folder
    from deckbuilder.errors import counted

    require_content_folder(content, "serve")
    live = LiveDeck(content)
    server = open_server(host, port, live)  # before rendering: a port taken fails at once
    stop = threading.Event()
    serving = None
    try:
        live.refresh()
        serving = serve_in_thread(server)
        for changed in changes(content, stop):
            if not changed:  # watching from now on: anything saved meanwhile is read now
                live.refresh()
                shown = "localhost" if host == "127.0.0.1" else host
                typer.echo(
                    f"Serving {live.title or content} ({counted(len(live.sections), 'card')}) "
                    f"at http://{shown}:{server.port}/ — watching {content}; Ctrl-C stops."
                )
                _problems(live.errors)
                continue
            _report(changed, live.refresh())
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        live.stop()
        if serving is not None:
            server.shutdown()
        server.server_close()
    typer.echo("Stopped.")


def _report(changed: list[Path], update: Update | None) -> None:
    from deckbuilder.errors import counted, display_path

    names = ", ".join(display_path(p) for p in changed[:3]) + (" …" if len(changed) > 3 else "")
    clock = time.strftime("%H:%M:%S")
    if update is None:
        typer.echo(f"{clock} {names}: no card changed")
        return
    parts = [f"{counted(len(update.cards), 'card')} new or changed"] if update.cards else []
    if update.removed:
        parts.append(f"{counted(len(update.removed), 'card')} gone")
    parts.append(counted(len(update.errors), "problem") if update.errors else "no problems")
    typer.echo(f"{clock} {names}: {', '.join(parts)}")
    _problems(update.errors)


def _problems(problems: tuple[object, ...]) -> None:
    for problem in problems:
        typer.echo(str(problem), err=True)
