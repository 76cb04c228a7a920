"""The ``deckbuilder`` command line: a thin shell over :mod:`deckbuilder.pipeline.run`.

Only typer is imported at start-up; each command imports what it needs when it runs,
so ``deckbuilder --help`` and ``--version`` stay fast.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from deckbuilder import __version__
from deckbuilder.commands import build as build_command
from deckbuilder.commands import check as check_command
from deckbuilder.commands import import_text as import_text_command
from deckbuilder.commands import inspect as inspect_command
from deckbuilder.commands import new as new_command
from deckbuilder.commands import preview as preview_command
from deckbuilder.commands import root_options
from deckbuilder.commands import schema as schema_command
from deckbuilder.commands import serve as serve_command

app = typer.Typer(
    name="deckbuilder",
    help="Turn case-based clinical quizzes written in YAML into Anki decks.\n\n"
    "Example: deckbuilder init cardio && deckbuilder build cardio",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"deckbuilder {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show a traceback when something fails.")
    ] = False,
) -> None:
    root_options.debug = debug


app.command("build")(build_command.build)
app.command("check")(check_command.check)
app.command("preview")(preview_command.preview)
app.command("serve")(serve_command.serve)
app.command("import")(import_text_command.import_text)
app.command(
    "import-text",
    help="The same as 'import' (its name before it read PDFs).\n\n"
    "Example: deckbuilder import-text article.txt -o content/cases/alt.yaml",
)(import_text_command.import_text)
app.command("init")(new_command.init)
app.add_typer(new_command.new_app, name="new")
app.command("schema")(schema_command.schema)
app.command("inspect")(inspect_command.inspect)
app.command("diff")(inspect_command.diff)


def main() -> None:
    """Console-script entry point (``python -m deckbuilder`` too)."""
    from deckbuilder.commands.output import ReaderMayLeave

    sys.stdout = ReaderMayLeave(sys.stdout)
    sys.stderr = ReaderMayLeave(sys.stderr)
    sys.exit(app())
