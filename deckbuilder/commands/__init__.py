"""One module per CLI command. Each is a thin shell over a library function."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any, TypeVar

import typer

F = TypeVar("F", bound=Callable[..., Any])

#: Set by the root ``--debug`` option: let exceptions through with their traceback.
state: dict[str, bool] = {"debug": False}

# Characters a terminal acts on instead of showing: C0 and C1 controls (escape sequences
# start with them) and the bidirectional overrides that make text read backwards.
_TERMINAL_ACTIVE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_JSON_LEAVES = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # json.dumps keeps these


def terminal_safe(text: str) -> str:
    """Text from a file someone else made, made harmless to print: every character a
    terminal would act on is shown as its escape (``\\x1b``, ``\\u202e``)."""
    return _TERMINAL_ACTIVE.sub(lambda m: m.group().encode("unicode_escape").decode(), text)


def json_text(data: Any) -> str:
    """JSON for printing: indented, readable Unicode, with every character a terminal
    would act on written as a JSON escape (still the same JSON value)."""
    import json

    text = json.dumps(data, indent=2, ensure_ascii=False)  # escapes C0 controls itself
    return _JSON_LEAVES.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def reports_errors(func: F | None = None, *, writes: bool = True) -> Any:
    """Turn deckbuilder's own errors into a message on stderr and exit code 1.

    Anything else is a bug: it is reported in one line too, with a pointer to
    ``--debug``, which shows the traceback. ``writes=False`` marks a command that never
    writes (``check``): its summary does not reassure that "nothing was written", which
    would suggest it might have. Use as ``@reports_errors`` or
    ``@reports_errors(writes=False)``.
    """
    if func is None:
        return functools.partial(reports_errors, writes=writes)
    unwritten = "; nothing was written" if writes else ""

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
            typer.secho(f"error: {exc.summary}{unwritten}.", fg="red", err=True)
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
            typer.echo(f"interrupted{unwritten}.", err=True)
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
