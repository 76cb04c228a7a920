"""``deckbuilder new case ID`` and ``deckbuilder init DIR``: start content that builds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from deckbuilder.authoring.scaffold import fill
from deckbuilder.commands import reports_errors
from deckbuilder.commands.output import JsonOpt

new_app = typer.Typer(
    help="Create a new content file from a commented template.\n\n"
    "Example: deckbuilder new case chest-pain --content cardio",
    no_args_is_help=True,
)


def _check_key(value: str, what: str) -> str:
    from deckbuilder.content.model import is_stable_key

    if not is_stable_key(value):
        raise typer.BadParameter(
            f"{value!r} is not a stable key: use lower-case letters, digits, '-' or '_' "
            f"(e.g. 'alt-thigh'), for the {what}"
        )
    return value


def write_new(path: Path, text: str) -> None:
    from deckbuilder.errors import OutputError
    from deckbuilder.files import write_file

    if path.exists():
        raise OutputError(f"{path} already exists; nothing was written")
    write_file(path, text.encode("utf-8"))


@new_app.command("case")
@reports_errors
def new_case(
    case_id: Annotated[str, typer.Argument(metavar="ID", help="Stable key of the new case.")],
    content: Annotated[Path, typer.Option("--content", "-c", help="The content folder.")] = Path(
        "content"
    ),
    as_json: JsonOpt = False,
) -> None:
    """Write content/cases/ID.yaml: a commented case with one example question.

    Example: deckbuilder new case alt-thigh
    """
    from deckbuilder.authoring.schema import modeline
    from deckbuilder.commands.hints import require_deck_file

    _check_key(case_id, "case")
    require_deck_file(content, f"deckbuilder new case {case_id} --content {{}}")
    path = content / "cases" / f"{case_id}.yaml"
    write_new(path, fill("case.yaml", id=case_id, modeline=modeline("case", path, content)))
    if as_json:
        from deckbuilder.commands.output import written_json

        typer.echo(written_json("new case", [str(path)]))
        return
    typer.echo(f"Wrote {path}. Edit it, then run: deckbuilder check {content}")


@reports_errors
def init(
    folder: Annotated[Path, typer.Argument(help="The new content folder.")] = Path("content"),
    name: Annotated[str, typer.Option("--name", help="The Anki deck name.")] = "",
    deck_id: Annotated[
        str, typer.Option("--id", help="Stable key of the deck [default: from the folder].")
    ] = "",
    workflow: Annotated[
        bool,
        typer.Option(
            "--workflow/--no-workflow",
            help="Also write a GitHub Actions workflow that builds the deck and publishes "
            "it for each v* tag, in .github/workflows/ of the repository.",
        ),
    ] = True,
    as_json: JsonOpt = False,
) -> None:
    """Start a new content folder that builds at once: deck file, one case, editor schemas,
    and a GitHub Actions workflow that publishes the deck.

    Example: deckbuilder init cardiology --name "Cardiology::Cases"
    """
    import re
    import shlex

    from deckbuilder.authoring.schema import SCHEMA_FOLDER, modeline, write_schemas
    from deckbuilder.content.yamlfile import scalar

    key = deck_id or re.sub(r"[^a-z0-9]+", "-", folder.resolve().name.lower()).strip("-")
    _check_key(key or "deck", "deck")
    deck_name = name or folder.resolve().name.replace("-", " ").title()
    deck_file = folder / "deck.yaml"
    case_file = folder / "cases" / "first-case.yaml"
    for path in (deck_file, case_file):
        if path.exists():
            from deckbuilder.errors import OutputError

            raise OutputError(f"{path} already exists; nothing was written")
    write_new(
        deck_file,
        fill(
            "deck.yaml",
            name=scalar(deck_name),
            id=key or "deck",
            folder=shlex.quote(str(folder)),
            modeline=modeline("deck", deck_file, folder),
        ),
    )
    write_new(
        case_file,
        fill("case.yaml", id="first-case", modeline=modeline("case", case_file, folder)),
    )
    schemas = write_schemas(folder / SCHEMA_FOLDER)
    written, message = None, ""
    if workflow:
        from deckbuilder.authoring.workflow import write_workflow

        written, message = write_workflow(folder, key or "deck")
    if as_json:
        from deckbuilder.commands.output import written_json
        from deckbuilder.errors import display_path

        files = [deck_file, case_file, *schemas, *([written] if written else [])]
        skipped = [message] if workflow and written is None else []
        typer.echo(written_json("init", [display_path(f) for f in files], skipped=skipped))
        return
    typer.echo(
        f"Started {folder}: {deck_file}, {case_file}.\n"
        f"Build it: deckbuilder build {shlex.quote(str(folder))}"
    )
    if message:
        typer.echo(message)
