"""Stage 1 of a build: read the content folder and validate it into domain objects.

A content folder holds one deck file, ``deck.yaml``, and one file per case: every other
``*.yaml``/``*.yml`` file below the folder, in any subfolder (hidden folders excluded).
Which file a case lives in does not matter to any id, so cases can be moved freely.

Every problem found is collected with its location, and all of them are raised together
in one :class:`~deckbuilder.errors.ContentError`, so an author fixes a file in one pass.
Content files are only ever read.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from deckbuilder.content.folder import DECK_FILE, IMAGE_TYPES, Listing, list_content
from deckbuilder.content.model import Case, DeckConfig, Figure, Question, text_problem
from deckbuilder.content.yamlfile import (
    Mark,
    MarkedMap,
    fast_mapping,
    locate,
    locate_key,
    parse_yaml,
)
from deckbuilder.errors import ContentError, ContentProblem, display_path, format_key_path
from deckbuilder.inputs import FileHashes, StatKey, read_with_key

MAX_FILE_BYTES = 1024 * 1024

_NESTED: dict[type[BaseModel], dict[str, type[BaseModel]]] = {
    Case: {"questions": Question, "figures": Figure},
}


@dataclass(frozen=True)
class LoadedCase:
    """A validated case and where it came from (figure paths are relative to its file)."""

    case: Case
    file: Path
    images: tuple[Path | None, ...]  # resolved path of each figure's image, in order

    def problem(self, key: tuple[str | int, ...], message: str) -> ContentProblem:
        """A problem located at ``key`` of this case's file.

        The parsed YAML (with its positions) is not kept in memory for the whole build;
        problems found after loading are rare, so the file is parsed again to place one.
        """
        doc = parse_yaml(self.file.read_text(encoding="utf-8"))
        return _problem(self.file, locate(doc.data, key), key, message)


@dataclass(frozen=True)
class Content:
    """A whole validated content folder."""

    root: Path
    deck: DeckConfig
    cases: tuple[LoadedCase, ...]


@dataclass(frozen=True)
class CaseFile:
    """The outcome of reading one case file: small, so it can travel between processes."""

    path: Path
    case_id: str | None
    id_mark: Mark | None
    problems: tuple[ContentProblem, ...]
    # for the input stamp: the file's stat before it was read, the sha-256 of its bytes,
    # and whether it may be remembered (FileHashes.settled)
    hashed: tuple[StatKey, bytes, bool] | None = None


def read_case_file(root: Path, path: Path) -> tuple[LoadedCase | None, CaseFile]:
    """Read and validate one case file on its own (ids across files are checked by
    :meth:`ContentReader.accept`).

    Plain files are parsed by the fast path; a file with any problem is read again the
    careful way, so that every message carries its line and column.
    """
    loaded, read, fast = _read_case_file(root, path, careful=False)
    if fast and read.problems:
        loaded, read, _ = _read_case_file(root, path, careful=True)
    return loaded, read


def _read_case_file(
    root: Path, path: Path, *, careful: bool
) -> tuple[LoadedCase | None, CaseFile, bool]:
    problems: list[ContentProblem] = []
    hashed: dict[Path, tuple[StatKey, bytes, bool]] = {}
    parsed = _read(path, problems, hashed, careful=careful)
    own = hashed.get(path)
    if parsed is None:
        return None, CaseFile(path, None, None, tuple(problems), own), False
    data, _, id_mark = parsed
    fast = not isinstance(data, MarkedMap)
    case = _validate(data, Case, path, problems)
    if case is None:
        return None, CaseFile(path, None, None, tuple(problems), own), fast
    _check_question_ids(case, data, path, problems)
    images = tuple(
        _resolve_image(root, path, data, n, f, problems) for n, f in enumerate(case.figures)
    )
    read = CaseFile(path, case.id, id_mark or locate(data, ("id",)), tuple(problems), own)
    return (None if problems else LoadedCase(case, path, images)), read, fast


class ContentReader:
    """Reads a content folder one case file at a time, collecting every problem.

    A build renders each case as soon as it is read, so the whole folder never has to
    sit in memory; :func:`load_content` reads it all for callers that want a list.
    Call :meth:`finish` after :meth:`cases` to raise the problems found.
    """

    def __init__(self, root: Path, progress: Callable[[str, int, int], None] | None = None) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            what = "is not a folder" if self.root.exists() else "does not exist"
            raise ContentError(
                [ContentProblem(display_path(self.root), message=f"content folder {what}")]
            )
        self.progress = progress
        self.problems: list[ContentProblem] = []
        self.count = 0
        self._seen: dict[str, tuple[Path, Mark | None]] = {}
        deck_path = self.root / DECK_FILE
        self.deck: DeckConfig | None = None
        # the deck file's stat, digest and settledness as read, for the input stamp
        self.deck_hashed: tuple[StatKey, bytes, bool] | None = None
        if not deck_path.is_file():
            self.problems.append(
                ContentProblem(
                    display_path(deck_path),
                    message="the deck file is missing; create it with at least 'name' and 'id'",
                )
            )
        else:
            hashed: dict[Path, tuple[StatKey, bytes, bool]] = {}
            self.deck = _validate_file(deck_path, DeckConfig, self.problems, hashed)
            self.deck_hashed = hashed.get(deck_path)

    @functools.cached_property
    def listing(self) -> Listing:
        """The folder's case files and images, walked once per reader."""
        return list_content(self.root)

    def files(self) -> list[Path]:
        return self.listing.case_paths

    def cases(self) -> Iterator[LoadedCase]:
        """Every valid case, in file order; problems are collected as they are found."""
        files = self.files()
        for i, path in enumerate(files):
            if self.progress:
                self.progress("building", i, len(files))
            loaded, read = read_case_file(self.root, path)
            if self.accept(read) and loaded is not None:
                yield loaded

    def accept(self, read: CaseFile) -> bool:
        """Take the outcome of reading one file (here or in another process): collect its
        problems, check its id against the files before it; True if its notes may be used."""
        self.problems.extend(read.problems)
        if read.case_id is None or read.problems:
            return False
        if read.case_id in self._seen:
            other, other_mark = self._seen[read.case_id]
            at = f"{display_path(other)}:{other_mark.line}" if other_mark else display_path(other)
            self.problems.append(
                _problem(
                    read.path,
                    read.id_mark,
                    ("id",),
                    f"case id {read.case_id!r} is already used in {at}",
                )
            )
            return False
        self._seen[read.case_id] = (read.path, read.id_mark)
        self.count += 1
        return True

    def finish(self) -> None:
        """Raise :class:`ContentError` with every problem found, if any."""
        if self.deck is not None and not self.count and not self.problems:
            self.problems.append(
                ContentProblem(
                    display_path(self.root), message="no case files found next to deck.yaml"
                )
            )
        if self.problems or self.deck is None:
            raise ContentError(self.problems)


def load_content(root: Path, progress: Callable[[str, int, int], None] | None = None) -> Content:
    """Read and validate a whole content folder; raise :class:`ContentError` listing every
    problem."""
    reader = ContentReader(root, progress)
    cases = tuple(reader.cases())
    reader.finish()
    assert reader.deck is not None
    return Content(reader.root, reader.deck, cases)


def _read(
    path: Path,
    problems: list[ContentProblem],
    hashed: dict[Path, tuple[StatKey, bytes, bool]] | None = None,
    *,
    careful: bool = True,
) -> tuple[Any, Path, Mark | None] | None:
    """The parsed file, its path, and where its top-level ``id`` value starts."""
    try:
        raw, key = read_with_key(path)
    except OSError as exc:
        problems.append(ContentProblem.unreadable(path, exc))
        return None
    if hashed is not None:
        hashed[path] = (key, hashlib.sha256(raw).digest(), FileHashes.settled(key))
    if len(raw) > MAX_FILE_BYTES:
        problems.append(
            ContentProblem(
                display_path(path),
                message=f"is {len(raw):,} bytes; a content file may hold at most "
                f"{MAX_FILE_BYTES:,} (split the cases into one file each)",
            )
        )
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        problems.append(
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
        problems.append(
            ContentProblem(
                display_path(path),
                line,
                column,
                message=f"is not UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
            )
        )
        return None
    if not careful and (data := fast_mapping(raw)) is not None:
        return data, path, _top_level_mark(text, "id")
    doc = parse_yaml(text)
    for p in doc.problems:
        problems.append(_problem(path, p.mark, p.key_path, p.message))
    if doc.problems:
        return None
    if doc.data is None:
        problems.append(ContentProblem(display_path(path), message="is empty"))
        return None
    return doc.data, path, None


def _top_level_mark(text: str, key: str) -> Mark | None:
    """Where the value of a top-level ``key:`` starts, without a careful parse."""
    found = re.search(rf"^{re.escape(key)}[ \t]*:[ \t]*(?=\S)", text, re.M)
    if not found:
        return None
    line_start = text.rfind("\n", 0, found.start()) + 1
    return Mark(text.count("\n", 0, found.start()) + 1, found.end() - line_start + 1)


def _validate_file(
    path: Path,
    model: type[BaseModel],
    problems: list[ContentProblem],
    hashed: dict[Path, tuple[StatKey, bytes, bool]] | None = None,
) -> Any:
    parsed = _read(path, problems, hashed)
    if parsed is None:
        return None
    data, file, _ = parsed
    return _validate(data, model, file, problems)


def _validate(data: Any, model: type[BaseModel], file: Path, problems: list[ContentProblem]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            problems.append(_problem(file, *_explain(data, model, loc, err)))
        return None


def _explain(
    data: Any, model: type[BaseModel], loc: tuple[str | int, ...], err: Any
) -> tuple[Mark | None, tuple[str | int, ...], str]:
    """Turn one pydantic error into a location and a sentence a clinician can act on."""
    kind = err["type"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        known = list(_model_at(model, loc[:-1]).model_fields)
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
        return locate_key(data, loc), loc, f"unknown key {key!r}; {hint}"
    if kind == "missing":
        return locate(data, loc[:-1]), loc[:-1], f"missing required key {loc[-1]!r}"
    mark = locate(data, loc)
    got = err.get("input")
    if kind in {"string_type", "dict_type", "list_type", "model_type", "model_attributes_type"}:
        want = {
            "string_type": "text",
            "dict_type": "a mapping of key: value",
            "list_type": "a list (lines starting with '- ')",
        }.get(kind, "a mapping of key: value")
        return mark, loc, f"expected {want}, got {_describe(got)}"
    if kind == "string_pattern_mismatch":  # the text patterns of structure.py
        return mark, loc, text_problem(str(got), err["ctx"]["pattern"])
    if kind == "too_short" and loc and loc[-1] == "questions":
        return mark, loc, "a case needs at least one question"
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return mark, loc, msg


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value == "":
        return "nothing"
    if isinstance(value, str):
        return f"the text {value!r}"
    return f"{type(value).__name__} {value!r}"


def _model_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> type[BaseModel]:
    current = model
    for part in loc:
        if isinstance(part, str):
            current = _NESTED.get(current, {}).get(part, current)
    return current


def _problem(
    file: Path, mark: Mark | None, key: tuple[str | int, ...], message: str
) -> ContentProblem:
    return ContentProblem(
        display_path(file),
        mark.line if mark else None,
        mark.column if mark else None,
        format_key_path(key),
        message,
    )


def _check_question_ids(case: Case, data: Any, file: Path, problems: list[ContentProblem]) -> None:
    first: dict[str, int] = {}
    for i, q in enumerate(case.questions):
        if q.id in first:
            key = ("questions", i, "id")
            problems.append(
                _problem(
                    file,
                    locate(data, key),
                    key,
                    f"question id {q.id!r} is already used by "
                    f"questions[{first[q.id]}] of this case",
                )
            )
        else:
            first[q.id] = i


@functools.lru_cache(maxsize=4096)
def resolve_media(root: Path, base: Path, given: str) -> Path | str:
    """The file an author's relative media path names, or why it cannot be used.

    Paths are relative to ``base`` (the folder of the file that names them) and must stay
    inside the content folder after following symlinks, so a deck never packs files
    from elsewhere on the author's machine. Cached: cases of a large deck share a few
    images, and resolving a path costs a system call per folder.
    """
    if not given.strip():
        return "an image with no file name; write the path of the image file"
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//", given):
        return (
            f"{given!r} is not a local file: a deck must work offline and never load "
            "anything from the internet; save the image in the content folder and give "
            "its relative path"
        )
    path = Path(given)
    if path.is_absolute():
        return (
            f"{given!r} is an absolute path; give a path relative to this file, inside "
            "the content folder"
        )
    resolved = (base / path).resolve()
    if not resolved.is_relative_to(root.resolve()):
        return f"{given!r} points outside the content folder; copy the image into it"
    if resolved.suffix.lower() not in IMAGE_TYPES:
        return f"{given!r} is not a supported image type ({', '.join(sorted(IMAGE_TYPES))})"
    if not resolved.is_file():
        return f"image file {given!r} does not exist"
    return resolved


def _resolve_image(
    root: Path,
    case_file: Path,
    data: Any,
    index: int,
    figure: Figure,
    problems: list[ContentProblem],
) -> Path | None:
    if figure.image is None:
        return None
    found = resolve_media(root, case_file.parent, figure.image)
    if isinstance(found, str):
        key = ("figures", index, "image")
        problems.append(_problem(case_file, locate(data, key), key, found))
        return None
    return found
