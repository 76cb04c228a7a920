"""Errors that reach the user as plain messages instead of tracebacks.

A :class:`ContentProblem` names the file, the line and column where the YAML parser
knows them, and the key path inside the document, in the ``file:line:col: key: message``
shape that editors and terminals turn into links. A problem is printed with the
characters a terminal would act on escaped: file names and values come from other people.

Every step that finds problems adds them to a :class:`Problems` its caller hands it, so
a build reports all of them at once, in one :class:`ContentError`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

KeyPath = tuple[str | int, ...]

# Characters a terminal acts on instead of showing: C0 and C1 controls (escape sequences
# start with them) and the bidirectional overrides that make text read backwards.
_TERMINAL_ACTIVE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """Text from a file someone else made, made harmless to print: every character a
    terminal would act on is shown as its escape (``\\x1b``, ``\\u202e``)."""
    return _TERMINAL_ACTIVE.sub(lambda m: m.group().encode("unicode_escape").decode(), text)


def counted(n: int, noun: str, plural: str = "") -> str:
    """``n`` things in words, as every message counts: "1 note", "7,500 notes"."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def format_key_path(path: KeyPath) -> str:
    """Render ``('questions', 2, 'answer')`` as ``questions[2].answer``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def display_path(path: Path) -> str:
    """A path as the user should see it: relative to the working directory when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel


@dataclass(frozen=True, order=True)
class ContentProblem:
    """One thing wrong with the content, located as precisely as the input allows."""

    file: str
    line: int | None = None
    column: int | None = None
    key: str = ""
    message: str = ""

    @classmethod
    def unreadable(cls, path: Path, exc: OSError) -> ContentProblem:
        """A content file (case, deck file, image) that cannot be read."""
        return cls(display_path(path), message=f"cannot be read: {exc.strerror}")

    def __str__(self) -> str:
        """The problem as one line for a terminal: a file named ``\\x1b]0;…`` must not
        retitle the window, nor a newline in a name forge another problem's line."""
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        key = f" {self.key}:" if self.key else ""
        return terminal_safe(f"{where}:{key} {self.message}")


class Problems:
    """The problems found so far, in the order found, to be raised together.

    Steps that find problems take the collector they add to, so the caller decides
    what is gathered where (a whole build, one case, one file in a worker): a new case
    gets a new collector, and nobody has to clear a list another object keeps.

    With a ``cap``, only the first ``cap`` problems are kept and the others only
    counted: 50,000 copies of one mistake need not all be listed. ``more`` then turns
    the number left out into the line saying so, which iteration gives after the kept
    problems.
    """

    def __init__(
        self, cap: int | None = None, more: Callable[[int], ContentProblem] | None = None
    ) -> None:
        self.cap = cap
        self.more = more
        self.found = 0  # problems added, those beyond the cap included
        self._kept: list[ContentProblem] = []

    @property
    def full(self) -> bool:
        """Whether a problem added now is only counted: a caller may then skip the
        work of placing it."""
        return self.cap is not None and len(self._kept) >= self.cap

    def add(self, problem: ContentProblem) -> None:
        self.found += 1
        if not self.full:
            self._kept.append(problem)

    def extend(self, problems: Iterable[ContentProblem]) -> None:
        for problem in problems:
            self.add(problem)

    def _summary(self) -> list[ContentProblem]:
        left_out = self.found - len(self._kept)
        return [self.more(left_out)] if left_out and self.more is not None else []

    def __iter__(self) -> Iterator[ContentProblem]:
        """The problems as they are reported: those kept, then the line counting the
        others, if any."""
        yield from self._kept
        yield from self._summary()

    def __len__(self) -> int:
        return len(self._kept) + len(self._summary())

    def __bool__(self) -> bool:
        return self.found > 0

    def raise_if_any(self) -> None:
        """Raise :class:`ContentError` with the problems, if there are any."""
        if self:
            raise ContentError(self)


class DeckbuilderError(Exception):
    """Base of the errors the CLI reports without a traceback (exit code 1).

    ``kind`` is the ``error`` a command's ``--json`` output gives for it
    (``commands/output.schema.json``); anything that is not a ``DeckbuilderError`` is
    reported as ``internal``: a bug.
    """

    kind: ClassVar[str] = "internal"


class ContentError(DeckbuilderError):
    """The content folder has one or more problems; all of them are reported together."""

    kind = "content"

    def __init__(self, problems: Iterable[ContentProblem]) -> None:
        self.problems: Sequence[ContentProblem] = sorted(set(problems), key=_sort_key)
        n = len(self.problems)
        self.summary = f"{counted(n, 'problem')} in the content"
        super().__init__(self.summary)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def _sort_key(p: ContentProblem) -> tuple[str, int, int, str, str]:
    return (p.file, p.line or 0, p.column or 0, p.key, p.message)


class LockDamaged(ContentError):
    """The lock cannot be read as a lock at all (not JSON, say): a build may recover it
    from the previous deck. A lock that reads but holds wrong values is a plain
    :class:`ContentError`: someone must look at it."""


class ContractError(DeckbuilderError):
    """A build would break the contract with collections that already hold the deck."""

    kind = "contract"


class OutputError(DeckbuilderError):
    """The output folder cannot be written."""

    kind = "output"


class WriteFailed(OutputError, OSError):
    """An output file could not be written; ``filename`` names it, ``strerror`` says why.
    Nothing was replaced. Raised with ``OSError``'s arguments (errno, strerror, filename)."""

    def __str__(self) -> str:
        return f"cannot write {self.filename}: {self.strerror}"


class PackageError(DeckbuilderError):
    """The file is not an Anki package this tool can read."""

    kind = "package"


class ArticleError(DeckbuilderError):
    """The article cannot be imported: not a quiz, not text, or too large."""

    kind = "article"


class ImportCheckError(DeckbuilderError):
    """The case file import-text wrote does not read back as what it parsed: a bug,
    reported as one (``internal``) but without a traceback."""


class FileRefused(OSError):
    """A file that is not read: not a regular file, or too large. ``strerror`` says why,
    worded to follow "cannot be read: ". Callers turn it into a problem of their own."""


class FileTooLarge(FileRefused):
    """A file over the size limit: ``size`` (at least; a growing file is read no further
    than the limit) and ``limit``, for callers that word their own message."""

    def __init__(self, path: Path, size: int, limit: int) -> None:
        super().__init__(0, f"it is {size:,} bytes; at most {limit:,} are read", str(path))
        self.size, self.limit = size, limit
