"""Stage 1 of a build: read the content folder and validate it into domain objects.

A content folder holds one deck file, ``deck.yaml``, and one file per case: every other
``*.yaml``/``*.yml`` file below the folder (in any letter case), in any subfolder (hidden
folders excluded).
Which file a case lives in does not matter to any id, so cases can be moved freely.

Every problem found is collected with its location, and all of them are raised together
in one :class:`~deckbuilder.errors.ContentError`, so an author fixes a file in one pass.
Content files are only ever read, and only regular files of at most
:data:`MAX_FILE_BYTES` inside the content folder (symlinks followed): a named pipe or a
device where a case file should be is reported, never waited on, and a link to a file
elsewhere is reported, never read.

Slightly over 300 lines: the folder reader, the case-file reader and their shared limits
and problem capping; the validation messages live in :mod:`.validation`.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from deckbuilder.content.folder import (
    DECK_FILE,
    LINK_OUTSIDE,
    MAX_FILE_BYTES,
    Listing,
    list_content,
    outside,
)
from deckbuilder.content.model import Case, Deck
from deckbuilder.content.placeholders import leftovers
from deckbuilder.content.validation import check_ids, problem_at, validate
from deckbuilder.content.yamlfile import Mark, locate, locate_found, parse_yaml
from deckbuilder.errors import (
    ContentError,
    ContentProblem,
    FileTooLarge,
    KeyPath,
    Problems,
    display_path,
    format_key_path,
)
from deckbuilder.files import read_regular

MAX_PROBLEMS_PER_FILE = 100


@dataclass(frozen=True)
class Source:
    """Where a case came from: a file of the content folder, or Python objects.

    Problems found after loading (an image the Markdown names, unsafe math) are placed
    through it. A file's parsed YAML, with its positions, is not kept for the whole
    build; such problems are rare, so the file is parsed again to place them.
    """

    label: str  # the file as the user should see it, or "cases[3]" for objects
    path: Path | None = None

    @property
    def base(self) -> Path | None:
        """The folder relative image paths of this case start from."""
        return self.path.parent if self.path is not None else None

    def locator(self) -> Callable[[KeyPath, str], ContentProblem]:
        """A function that places problems in this case's file, which it parses once."""
        if self.path is None:
            label = self.label
            return lambda key, message: ContentProblem(
                label, key=format_key_path(key), message=message
            )
        path = self.path
        try:
            data = parse_yaml(read_regular(path, MAX_FILE_BYTES).decode("utf-8")).data
        except (OSError, UnicodeDecodeError):
            data = None
        return lambda key, message: problem_at(path, locate(data, key), key, message)

    def text_locator(self) -> Callable[[KeyPath, int, str, str], ContentProblem]:
        """Like :meth:`locator`, for a problem with a piece of text inside a value:
        ``(key, offset, found, message)`` places it where the file writes ``found``,
        which the value holds at character ``offset``."""
        if self.path is None:
            label = self.label
            return lambda key, _offset, _found, message: ContentProblem(
                label, key=format_key_path(key), message=message
            )
        path = self.path
        try:
            text = read_regular(path, MAX_FILE_BYTES).decode("utf-8")
            data = parse_yaml(text).data
        except (OSError, UnicodeDecodeError):
            text, data = "", None
        return lambda key, offset, found, message: problem_at(
            path, locate_found(data, text, key, offset, found), key, message
        )


@dataclass(frozen=True)
class LoadedCase:
    """A validated case, where it came from, the image file of each figure, and the
    text in it left to fill in (warnings: placeholders, ``TODO``)."""

    case: Case
    source: Source
    images: tuple[Path | None, ...]  # resolved path of each figure's image, in order
    warnings: tuple[ContentProblem, ...] = ()


@dataclass(frozen=True)
class ReadReport:
    """The outcome of reading one case file: small, so it can travel between processes.

    ``digest`` is the SHA-256 of the bytes read, for the input stamp: the stamp must
    describe the bytes the deck was made from, even if the file changes meanwhile.
    """

    path: Path
    case_id: str | None
    id_mark: Mark | None
    problems: tuple[ContentProblem, ...]
    digest: bytes | None = None


def read_case_file(
    root: Path, path: Path, images: Callable[[Path, str], Path | str]
) -> tuple[LoadedCase | None, ReadReport]:
    """Read and validate one case file on its own (ids across files are checked by
    :meth:`ContentReader.accept`). ``images`` resolves a figure's image path from the
    case file's folder (see :class:`~deckbuilder.content.media.MediaFiles`). Its
    problems travel in the report, capped (to the main process, for large decks)."""
    problems = Problems()
    raw = _read_bytes(path, problems)
    if raw is None:
        return None, ReadReport(path, None, None, _capped(problems), None)
    digest = hashlib.sha256(raw).digest()
    data = _parse(path, raw, problems)
    case = validate(data, Case, path, problems) if data is not None else None
    if case is None:
        return None, ReadReport(path, None, None, _capped(problems), digest)
    check_ids(case, data, path, problems)
    found = []
    for n, figure in enumerate(case.figures):
        image = figure.image and images(path.parent, figure.image)
        if isinstance(image, str):
            key = ("figures", n, "image")
            problems.add(problem_at(path, locate(data, key), key, image))
            image = None
        found.append(image or None)
    report = ReadReport(path, case.id, locate(data, ("id",)), _capped(problems), digest)
    if problems:
        return None, report
    source = Source(display_path(path), path)
    return LoadedCase(case, source, tuple(found), _leftovers(path, data, raw)), report


def validate_object(data: Any, model: type[BaseModel], label: str, problems: Problems) -> Any:
    """``data`` (Python objects) validated as ``model``, or None with its problems added,
    placed by ``label`` and key path."""
    return validate(data, model, Path(label), problems)


def case_from_object(
    given: Case | Mapping[str, Any],
    label: str,
    images: Callable[[str], Path | str],
    problems: Problems,
) -> LoadedCase | None:
    """A case given as Python objects (a :class:`Case`, or a mapping as the YAML reads),
    validated as a file's would be, or None with its problems added; they are placed by
    ``label`` ("cases[2]") and key path. ``images`` resolves a figure's image path."""
    before = problems.found
    where = Path(label)
    case = given if isinstance(given, Case) else validate(given, Case, where, problems)
    if case is None:
        return None
    check_ids(case, None, where, problems)
    found: list[Path | None] = []
    for n, figure in enumerate(case.figures):
        image = figure.image and images(figure.image)
        if isinstance(image, str):
            problems.add(problem_at(where, None, ("figures", n, "image"), image))
            image = None
        found.append(image or None)
    if problems.found > before:
        return None
    return LoadedCase(case, Source(label), tuple(found))


def _capped(problems: Problems) -> tuple[ContentProblem, ...]:
    """At most :data:`MAX_PROBLEMS_PER_FILE` problems of one file, then a line saying
    how many more there are, from where (50,000 unknown keys need not be listed)."""
    if len(problems) <= MAX_PROBLEMS_PER_FILE:
        return tuple(problems)
    ordered = sorted(problems, key=lambda p: (p.line or 0, p.column or 0))
    first_left = ordered[MAX_PROBLEMS_PER_FILE]
    more = len(ordered) - MAX_PROBLEMS_PER_FILE
    summary = ContentProblem(
        first_left.file,
        first_left.line,
        first_left.column,
        message=f"and {more:,} more problems from here on; fix the ones above first",
    )
    return (*ordered[:MAX_PROBLEMS_PER_FILE], summary)


class CaseIds:
    """The case ids of one deck, each claimed by the first file (or object) that has it."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[Path, Mark | None]] = {}

    def __bool__(self) -> bool:
        return bool(self._seen)

    def claim(self, case_id: str, where: Path, mark: Mark | None) -> ContentProblem | None:
        """None if ``case_id`` is new (it is now ``where``'s), else the problem."""
        if case_id not in self._seen:
            self._seen[case_id] = (where, mark)
            return None
        other, other_mark = self._seen[case_id]
        at = f"{display_path(other)}:{other_mark.line}" if other_mark else display_path(other)
        return problem_at(where, mark, ("id",), f"case id {case_id!r} is already used in {at}")


class ContentReader:
    """Reads a content folder one case file at a time, collecting every problem.

    A build renders each case as soon as it is read, so the whole folder never has to
    sit in memory.
    Every problem found goes to ``problems``, the caller's; call :meth:`finish` after
    the cases to raise them.
    """

    def __init__(self, root: Path, problems: Problems) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            what = "is not a folder" if self.root.exists() else "does not exist"
            raise ContentError(
                [ContentProblem(display_path(self.root), message=f"content folder {what}")]
            )
        self.problems = problems
        self.ids = CaseIds()
        deck_path = self.root / DECK_FILE
        self.deck: Deck | None = None
        self.deck_digest: bytes | None = None  # of the deck file as read, for the stamp
        self.deck_warnings: tuple[ContentProblem, ...] = ()  # text left to fill in
        raw = None
        if outside(self.root, deck_path):
            self.problems.add(ContentProblem(display_path(deck_path), message=LINK_OUTSIDE))
        else:
            raw = _read_bytes(deck_path, self.problems, missing=_missing_deck_file)
        if raw is not None:
            self.deck_digest = hashlib.sha256(raw).digest()
            data = _parse(deck_path, raw, self.problems)
            if data is not None:
                self.deck = validate(data, Deck, deck_path, self.problems)
            if self.deck is not None:
                from deckbuilder.content.identifiers import deck_warnings

                locate = Source(display_path(deck_path), deck_path).text_locator
                self.deck_warnings = (
                    *_leftovers(deck_path, data, raw),
                    *deck_warnings(self.deck, locate),
                )

    @functools.cached_property
    def listing(self) -> Listing:
        """The folder's case files, walked once per reader; what is not read (a folder
        that cannot be listed, a link leaving the folder) is a problem."""
        listing = list_content(self.root)
        for path, why in listing.unreadable:
            self.problems.add(ContentProblem(display_path(path), message=why))
        return listing

    def files(self) -> list[Path]:
        return self.listing.case_paths

    def accept(self, report: ReadReport) -> bool:
        """Take the outcome of reading one file (here or in another process): collect its
        problems, check its id against the files before it; True if its notes may be used."""
        self.problems.extend(report.problems)
        if report.case_id is None or report.problems:
            return False
        clash = self.ids.claim(report.case_id, report.path, report.id_mark)
        if clash is not None:
            self.problems.add(clash)
            return False
        return True

    def finish(self) -> None:
        """Raise :class:`ContentError` with every problem found, if any."""
        if self.deck is not None and not self.ids and not self.problems:
            self.problems.add(
                ContentProblem(
                    display_path(self.root), message="no case files found next to deck.yaml"
                )
            )
        if self.problems or self.deck is None:
            raise ContentError(self.problems)


def _leftovers(path: Path, data: Any, raw: bytes) -> tuple[ContentProblem, ...]:
    """The text of a valid file left to fill in, as located warnings: the first
    :data:`MAX_PROBLEMS_PER_FILE` of them, as for problems (a file of 50,000 TODO
    comments need not list them all). Comments are only looked through when the file
    says TODO at all (most never do)."""
    text = raw.decode("utf-8") if b"TODO" in raw else ""
    found = sorted(
        leftovers(data, text), key=lambda f: (f.mark.line, f.mark.column) if f.mark else (0, 0)
    )
    return tuple(problem_at(path, f.mark, f.key, f.message) for f in found[:MAX_PROBLEMS_PER_FILE])


def _missing_deck_file(path: Path) -> ContentProblem:
    return ContentProblem(
        display_path(path),
        message="the deck file is missing; create it with at least 'name' and 'id'",
    )


def _read_bytes(
    path: Path,
    problems: Problems,
    missing: Callable[[Path], ContentProblem] | None = None,
) -> bytes | None:
    try:
        return read_regular(path, MAX_FILE_BYTES)
    except FileNotFoundError as exc:
        problems.add(missing(path) if missing else ContentProblem.unreadable(path, exc))
    except FileTooLarge as exc:
        problems.add(
            ContentProblem(
                display_path(path),
                message=f"is {exc.size:,} bytes; a content file may hold at most "
                f"{exc.limit:,} (split the cases into one file each)",
            )
        )
    except OSError as exc:
        problems.add(ContentProblem.unreadable(path, exc))
    return None


def _parse(path: Path, raw: bytes, problems: Problems) -> Any:
    """The file's YAML as data with positions, or None (its problems added)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        problems.add(
            ContentProblem(
                display_path(path),
                1,
                1,
                message="starts with a byte-order mark; save it as UTF-8 without BOM",
            )
        )
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.add(
            ContentProblem(
                display_path(path),
                line,
                column,
                message=f"is not UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
            )
        )
        return None
    doc = parse_yaml(text)
    for p in doc.problems:
        problems.add(problem_at(path, p.mark, p.key_path, p.message))
    if doc.problems:
        return None
    if doc.data is None:
        problems.add(ContentProblem(display_path(path), message="is empty"))
    return doc.data
