"""One module per CLI command. Each is a thin shell over a library function."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import typer

F = TypeVar("F", bound=Callable[..., Any])

#: Problems a failed command lists as text, the first in file order (a folder of the
#: wrong kind can hold thousands, and the first screen is the one read); ``--json``
#: lists them all.
SHOWN_PROBLEMS = 200


@dataclass
class RootOptions:
    """The options given before the command (``deckbuilder --debug build``), which every
    command's error handling reads."""

    debug: bool = False  # let exceptions through with their traceback


root_options = RootOptions()


def _error_kind(exc: BaseException) -> str:
    """The ``error`` of a command's JSON when it fails: the error's own kind."""
    from deckbuilder.errors import DeckbuilderError

    return exc.kind if isinstance(exc, DeckbuilderError) else "internal"


def reports_errors(func: F | None = None, *, writes: bool = True) -> Any:
    """Turn deckbuilder's own errors into a message and exit code 1.

    On stderr as text, or — when the command was given ``--json`` — on stdout as the
    JSON every command's errors share (``commands/output.schema.json``). Anything else
    is a bug: it is reported in one line too, with a pointer to ``--debug``, which shows
    the traceback. ``writes=False`` marks a command that never writes (``check``): its
    summary does not reassure that "nothing was written", which would suggest it might
    have. Use as ``@reports_errors`` or ``@reports_errors(writes=False)``.
    """
    if func is None:
        return functools.partial(reports_errors, writes=writes)
    command = func.__name__.replace("_", "-").replace("new-", "new ")
    tail = "; nothing was written." if writes else "."

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from deckbuilder.errors import ContentError, DeckbuilderError

        as_json = bool(kwargs.get("as_json"))
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, typer.BadParameter):  # typer reports these (exit 2)
            raise
        except KeyboardInterrupt:
            typer.echo(f"interrupted{tail}", err=True)
            raise typer.Exit(130) from None
        except Exception as exc:
            if root_options.debug:
                raise
            if isinstance(exc, ContentError):
                problems, message = exc.problems, f"{exc.summary}{tail}"
            elif isinstance(exc, DeckbuilderError):
                problems, message = [], str(exc)
            else:
                problems, message = [], f"internal error: {type(exc).__name__}: {exc}"
            bug = not isinstance(exc, DeckbuilderError)
            _report(command, exc, message, problems, as_json, bug)
            raise typer.Exit(1) from None

    return wrapper


def _report(
    command: str, exc: Exception, message: str, problems: Any, as_json: bool, bug: bool
) -> None:
    from deckbuilder.commands.output import error_json, terminal_safe
    from deckbuilder.errors import counted

    kind = _error_kind(exc)
    if as_json:
        typer.echo(error_json(command, kind, message, problems))
        return
    message = terminal_safe(message)  # it may name a file, or quote an article
    for problem in problems[:SHOWN_PROBLEMS]:
        typer.echo(str(problem), err=True)
    if len(problems) > SHOWN_PROBLEMS:
        rest = problems[SHOWN_PROBLEMS:]
        files = len({p.file for p in rest})
        typer.echo(
            f"… and {counted(len(rest), 'more problem', 'more problems')} in "
            f"{counted(files, 'file')} (--json lists every one)",
            err=True,
        )
    if bug:
        typer.echo(
            f"{message}\nThis is a bug in deckbuilder; run again with --debug for the traceback.",
            err=True,
        )
    else:
        typer.secho(f"error: {message}", fg="red", err=True)
