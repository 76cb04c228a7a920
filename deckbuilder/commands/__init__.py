"""One module per CLI command. Each is a thin shell over a library function."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import typer

F = TypeVar("F", bound=Callable[..., Any])

#: Set by the root ``--debug`` option: let exceptions through with their traceback.
state: dict[str, bool] = {"debug": False}


def reports_errors(func: F) -> F:
    """Turn deckbuilder's own errors into a message on stderr and exit code 1.

    Anything else is a bug: it is reported in one line too, with a pointer to
    ``--debug``, which shows the traceback.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from deckbuilder.errors import ContentError, DeckbuilderError
        from deckbuilder.files import WriteFailed

        debug = state["debug"]
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, typer.BadParameter):  # typer reports these (exit 2)
            raise
        except ContentError as exc:
            if debug:
                raise
            for problem in exc.problems:
                typer.echo(str(problem), err=True)
            typer.secho(f"error: {exc.summary}; nothing was written.", fg="red", err=True)
            raise typer.Exit(1) from None
        except DeckbuilderError as exc:
            if debug:
                raise
            typer.secho(f"error: {exc}", fg="red", err=True)
            raise typer.Exit(1) from None
        except WriteFailed as exc:
            if debug:
                raise
            typer.secho(f"error: cannot write {exc.filename}: {exc.strerror}", fg="red", err=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            typer.echo("interrupted; nothing was written.", err=True)
            raise typer.Exit(130) from None
        except Exception as exc:
            if debug:
                raise
            typer.echo(
                f"internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in deckbuilder; run again with --debug for the traceback.",
                err=True,
            )
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]
