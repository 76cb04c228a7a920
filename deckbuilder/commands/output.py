"""How commands print for scripts (``--json``) and for terminals, in one place.

Every command that reports takes ``--json``: one JSON object on stdout, whose shape for
each command and outcome is described by ``output.schema.json`` beside this module
(errors included: ``{"command": …, "outcome": "error", …}``, with the same exit codes).
Text from files someone else made is printed with the characters a terminal would act
on escaped.
"""

from __future__ import annotations

import json
import os
import re
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer

from deckbuilder.errors import terminal_safe as terminal_safe  # printing lives here too

if TYPE_CHECKING:
    from collections.abc import Iterable

    from deckbuilder.commands.results import Problem, _Output
    from deckbuilder.errors import ContentProblem

_JSON_LEAVES = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # json.dumps keeps these


def json_text(data: Any) -> str:
    """JSON for printing: indented, readable Unicode, with every character a terminal
    would act on written as a JSON escape (still the same JSON value)."""
    text = json.dumps(data, indent=2, ensure_ascii=False)  # escapes C0 controls itself
    return _JSON_LEAVES.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


#: The ``--json`` switch every reporting command takes.
JsonOpt = Annotated[
    bool,
    typer.Option("--json", help="Print one JSON object on stdout, for scripts (errors too)."),
]


def output_text(output: _Output) -> str:
    """A command's ``--json`` output (:mod:`deckbuilder.commands.results`), as printed."""
    return json_text(output.dump())


def written_json(command: str, files: list[str], **extra: Any) -> str:
    """The JSON of a command that wrote files (init, new case, schema, preview)."""
    from deckbuilder.commands.results import WrittenOutput

    return output_text(WrittenOutput(command=command, files=files, **extra))  # type: ignore[arg-type]


def problems_out(problems: Iterable[ContentProblem]) -> list[Problem]:
    """Problems, warnings or notices as the ``--json`` output lists them."""
    from deckbuilder.commands.results import Problem

    return [
        Problem(file=p.file, line=p.line, column=p.column, key=p.key, message=p.message)
        for p in problems
    ]


def error_json(command: str, kind: str, message: str, problems: Iterable[ContentProblem]) -> str:
    """The JSON a command prints when it fails (``kind``: the error's, see
    :func:`deckbuilder.commands.results.error_kinds`)."""
    from deckbuilder.commands.results import ErrorOutput

    return output_text(
        ErrorOutput(command=command, error=kind, message=message, problems=problems_out(problems))
    )


class ReaderMayLeave:
    """A standard stream whose reader may stop reading: ``deckbuilder inspect x | head -1``.

    A reader that leaves is a normal end, not a failure: from then on what the command
    prints is discarded (the stream's file descriptor is pointed at the null device) and
    the command ends with the status it would have had with its output read — 0 once its
    work is done, 1 when it failed. The status never depends on whether the output still
    fitted in the pipe when the reader left, so ``set -o pipefail`` scripts do not fail
    at random. Everything but writing and flushing is the stream's own.
    """

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._discard()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._discard()

    def _discard(self) -> None:
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, self._stream.fileno())
        finally:
            os.close(null)
        self._stream.flush()  # what was still buffered goes the same way

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def schema() -> dict[str, Any]:
    """The JSON Schema of every command's ``--json`` output."""
    from importlib import resources

    text = resources.files("deckbuilder.commands").joinpath("output.schema.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    return loaded
