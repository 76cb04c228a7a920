"""Read content YAML safely, keeping where every key and value came from.

Why not ``yaml.safe_load``:

* it silently keeps the last of two equal keys in a mapping, so a pasted duplicate
  ``critique:`` would throw away text without a word;
* it turns ``A: Yes`` into ``{'A': True}`` (YAML 1.1 booleans), ``1e3`` into a float and
  ``NO`` into ``False`` — a quiz has options that read exactly like that. Content is text,
  so every scalar stays the string the author typed (the schema checks types);
* it forgets line numbers, which an error message for a clinician needs;
* anchors and aliases let a 1 kB file expand to gigabytes, and tags (``!!python/...``)
  ask for objects; content has no use for either.

The C parser is used when PyYAML was built with libyaml (it almost always is). Every step
costs time linear in the file: libyaml stops at 1,000 levels of nesting, the builder at
:data:`MAX_DEPTH`, and key positions are looked up in a table made once per mapping.

Longer than most modules: the composer, its checks (duplicate keys, aliases, tags, depth)
and the position lookups share the node types and are never used apart.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

try:
    from yaml.cyaml import CParser as _Composer  # type: ignore[attr-defined]  # stubs lag
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Composer(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)


YamlParser = _Composer
"""PyYAML's event parser and composer, libyaml's where it is installed: the loader's,
and the one that finds text left to fill in."""


@dataclass(frozen=True)
class Mark:
    """A 1-based line and column in a source file."""

    line: int
    column: int


MAX_DEPTH = 32
"""Levels of nesting a content file may have (a case file needs four)."""


class MarkedMap(dict[str, Any]):
    """A mapping that remembers its YAML node, so positions are found only when needed."""

    node: yaml.MappingNode
    _nodes: dict[str | None, tuple[yaml.Node, yaml.Node]] | None = None

    @property
    def mark(self) -> Mark:
        return _mark(self.node)

    def _pair(self, key: str) -> tuple[yaml.Node, yaml.Node] | None:
        # One table per mapping, made on first use: finding the position of each of
        # many keys (every unknown key of a file, say) stays linear.
        if self._nodes is None:
            self._nodes = {}
            for k, v in self.node.value:
                self._nodes.setdefault(getattr(k, "value", None), (k, v))
        return self._nodes.get(key)

    def key_mark(self, key: str) -> Mark | None:
        pair = self._pair(key)
        return _mark(pair[0]) if pair else None

    def value_mark(self, key: str) -> Mark | None:
        pair = self._pair(key)
        return _mark(pair[1]) if pair else None


class MarkedList(list[Any]):
    """A sequence that remembers its YAML node."""

    node: yaml.SequenceNode

    @property
    def mark(self) -> Mark:
        return _mark(self.node)

    def item_mark(self, index: int) -> Mark:
        return _mark(self.node.value[index])


@dataclass(frozen=True)
class YamlProblem:
    """Something wrong in the YAML itself, before any schema is applied."""

    mark: Mark | None
    message: str
    key_path: tuple[str | int, ...] = ()


def _may_have_properties(text: str) -> bool:
    """Whether the text may hold an anchor (&), alias (*) or tag (!).

    These only stand where a node starts: after ":", "-", "?", "[", "{" or "," or at the
    start of a line, spaces and tabs aside. Checking the left side of each such character
    is much cheaper than a second pass of the parser; Markdown emphasis at the start of a
    line only makes the answer "maybe".
    """
    for char in "&*!":
        at = text.find(char)
        while at != -1:
            before = at - 1
            while before >= 0 and text[before] in " \t":
                before -= 1
            if before < 0 or text[before] in "\n:-?[{,":
                return True
            at = text.find(char, at + 1)
    return False


_PROPERTY_MESSAGE = "anchors and aliases (& and *) are not allowed in content; write the text out"


def _properties(text: str) -> list[YamlProblem]:
    """Every anchor, alias and explicit tag of the document, located with its key path.

    The composer resolves them away, so they are found in the parser's events; a
    document with any of them is not built at all (that is how alias bombs explode).
    The first anchor or alias is reported, and every tag.
    """
    problems: list[YamlProblem] = []
    stack: list[list[Any]] = []  # per open collection: [is_mapping, key or index, expecting_key]
    anchored = False
    loader = YamlParser(text)
    try:
        while (event := loader.get_event()) is not None:
            if isinstance(event, yaml.StreamEndEvent):
                break
            if isinstance(event, yaml.CollectionEndEvent):
                stack.pop()
                _advance(stack)
                continue
            if not isinstance(event, yaml.NodeEvent):
                continue
            path = tuple(entry[1] for entry in stack if entry[1] is not None)
            key_position = bool(stack) and stack[-1][0] and stack[-1][2]
            assert event.start_mark is not None  # the parser marks every event it makes
            where = Mark(event.start_mark.line + 1, event.start_mark.column + 1)
            if not anchored and (isinstance(event, yaml.AliasEvent) or event.anchor is not None):
                anchored = True
                problems.append(YamlProblem(where, _PROPERTY_MESSAGE, path))
            tag = getattr(event, "tag", None)
            if tag is not None and not (
                isinstance(event, yaml.ScalarEvent) and event.implicit[0] and tag == "!"
            ):
                shown = str(tag).replace("tag:yaml.org,2002:", "!!")
                problems.append(
                    YamlProblem(
                        where, f"the tag {shown!r} is not allowed in content; remove it", path
                    )
                )
            if isinstance(event, yaml.CollectionStartEvent):
                stack.append([isinstance(event, yaml.MappingStartEvent), None, True])
                if not stack[-1][0]:
                    stack[-1][1] = 0
            elif key_position:
                stack[-1][1] = getattr(event, "value", None)
                stack[-1][2] = False
            else:
                _advance(stack)
    except (yaml.YAMLError, IndexError):
        pass  # a syntax error: the composer reports it
    finally:
        loader.dispose()
    return problems


def _advance(stack: list[list[Any]]) -> None:
    """A value ended inside the innermost collection: move to its next key or index."""
    if not stack:
        return
    top = stack[-1]
    if top[0]:
        if not top[2]:
            top[2] = True
    else:
        top[1] += 1


def _mark(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class _Loader(YamlParser):
    """libyaml's parser and composer; every plain scalar resolves to a string."""

    def resolve(self, kind: type, value: object, implicit: object) -> str:
        if kind is yaml.ScalarNode:
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP

    def descend_resolver(self, parent: object, index: object) -> None:
        """No path-dependent resolution."""

    def ascend_resolver(self) -> None:
        """No path-dependent resolution."""


class _TooDeep(Exception):
    """Nesting beyond :data:`MAX_DEPTH`: no content is shaped like that."""

    def __init__(self, mark: Mark) -> None:
        self.mark = mark


_TOO_DEEP = f"nested too deeply to be content (more than {MAX_DEPTH} levels)"


class _Builder:
    """Turns composed nodes into plain data, collecting problems instead of raising.

    Written as a direct walk over the nodes rather than PyYAML's constructor: it is
    several times faster, and it is where aliases, tags and duplicate keys are caught.
    """

    def __init__(self) -> None:
        self.problems: list[YamlProblem] = []
        self.seen: set[int] = set()

    def build(self, node: yaml.Node, path: list[str | int]) -> Any:
        if id(node) in self.seen:
            # An alias the pre-scan missed (it cannot): build nothing from it.
            self.problems.append(YamlProblem(_mark(node), _PROPERTY_MESSAGE, tuple(path)))
            return ""
        self.seen.add(id(node))
        if len(path) >= MAX_DEPTH:
            raise _TooDeep(_mark(node))
        if isinstance(node, yaml.ScalarNode):
            if node.tag != _STR:
                return self._bad_tag(node, path)
            return node.value
        if isinstance(node, yaml.MappingNode):
            if node.tag != _MAP:
                return self._bad_tag(node, path)
            result = MarkedMap()
            result.node = node
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
                    self.problems.append(
                        YamlProblem(_mark(key_node), "a key must be plain text", tuple(path))
                    )
                    continue
                key = key_node.value
                if key in result:
                    first = result.key_mark(key)
                    self.problems.append(
                        YamlProblem(
                            _mark(key_node),
                            f"duplicate key {key!r} (first given on line "
                            f"{first.line if first else '?'}); "
                            "YAML would silently keep only the last one",
                            (*path, key),
                        )
                    )
                    continue
                path.append(key)
                result[key] = self.build(value_node, path)
                path.pop()
            return result
        if node.tag != _SEQ or not isinstance(node, yaml.SequenceNode):
            return self._bad_tag(node, path)
        items = MarkedList()
        items.node = node
        for i, item in enumerate(node.value):
            path.append(i)
            items.append(self.build(item, path))
            path.pop()
        return items

    def _bad_tag(self, node: yaml.Node, path: list[str | int]) -> str:
        tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
        self.problems.append(
            YamlProblem(
                _mark(node), f"the tag {tag!r} is not allowed in content; remove it", tuple(path)
            )
        )
        return ""


@dataclass
class YamlDocument:
    """A parsed file: its data (``None`` when unreadable) and what was wrong with it."""

    data: Any
    problems: list[YamlProblem] = field(default_factory=list)


def parse_yaml(text: str) -> YamlDocument:
    """Parse one YAML document of content text, collecting problems instead of raising."""
    if _may_have_properties(text) and (found := _properties(text)):
        return YamlDocument(None, found)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        return YamlDocument(None, [_syntax_problem(exc, text)])
    except yaml.YAMLError as exc:
        return YamlDocument(None, [YamlProblem(None, f"not valid YAML: {exc}")])
    except RecursionError:
        return YamlDocument(None, [YamlProblem(None, _TOO_DEEP)])
    finally:
        loader.dispose()
    if node is None:
        return YamlDocument(None)
    builder = _Builder()
    try:
        data = builder.build(node, [])
    except _TooDeep as exc:
        return YamlDocument(None, [YamlProblem(exc.mark, _TOO_DEEP)])
    return YamlDocument(data, builder.problems)


_TAB_MESSAGE = "a tab character is used for indentation; YAML needs spaces"


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str) -> YamlProblem:
    """A parser error as a message an author can act on, independent of libyaml's wording."""
    problem = exc.problem or "syntax error"
    context = exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    if "maximum nesting depth" in problem:
        message = _TOO_DEEP
    elif "single document" in context or "another document" in problem:
        message = "a file holds one deck or one case, but a second document ('---') starts here"
    elif "tab" in problem and ("\\t" in problem or "tab character" in problem):
        message = _TAB_MESSAGE
    elif mark is not None and "flow" not in context and (slip := _slip(text, problem, mark)):
        return slip
    elif "mapping values are not allowed" in problem:
        message = "YAML syntax error: a ': ' inside text; put the text in quotes or use a '|' block"
    elif "flow" in context:
        mark = exc.context_mark or mark  # where the '[' or '{' that opened it stands
        message = (
            "YAML syntax error: an unclosed '[' or '{'; text that starts with '[' or '{' "
            "must be put in quotes"
        )
    else:
        message = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    where = Mark(mark.line + 1, mark.column + 1) if mark is not None else None
    return YamlProblem(where, message)


# Indentation slips. A key or list item moved a level left or right of its siblings reads
# as something else to YAML, which then fails elsewhere: a key moved left closes the
# mapping it belonged to, so the error shows on the next line (often as "a ': ' inside
# text"); a key moved right runs on as text of the key above it. On a syntax error, and
# only then, the keys and list items that begin the lines up to it are read once from
# the scanner's tokens; the slips that could explain the error are listed, and the one
# whose repair lets the file parse furthest is named. At most _SLIP_TRIES repaired copies
# are parsed, so the cost stays linear in the file.

_SLIP_TRIES = 4
_SLIP_PROBLEMS = (
    "did not find expected key",  # libyaml
    "did not find expected '-' indicator",
    "expected <block end>",  # PyYAML without libyaml
    "mapping values are not allowed",  # "here" or "in this context"
)
_KEY_AT_START = re.compile(r"([\w-]+)[ \t]*(?=:(?:\s|$))")
_STRUCTURE = (
    yaml.StreamStartToken,
    yaml.BlockMappingStartToken,
    yaml.BlockSequenceStartToken,
    yaml.BlockEndToken,
)
_FLOW_START = (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken)
_FLOW_END = (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken)


@dataclass(frozen=True)
class _Entry:
    """A key, or a list item's '-', that begins a line (after any '-' before it)."""

    line: int  # 0-based, as the parser's marks
    column: int
    key: str | None  # None for a list item's '-'

    def is_like(self, other: _Entry) -> bool:
        """Both keys, or both list items."""
        return (self.key is None) == (other.key is None)


def _slip(text: str, problem: str, mark: yaml.Mark) -> YamlProblem | None:
    """The indentation slip that explains the syntax error at ``mark``, if one does:
    a tab in the indentation of its line, or a key or list item out of line with
    those it belongs with, on its line or the one before."""
    start, end = _line_span(text, mark.line)
    row = text[start:end]
    rest = row.lstrip(" \t")
    indentation = row[: len(row) - len(rest)]
    if "\t" in indentation and rest.strip():
        return YamlProblem(Mark(mark.line + 1, indentation.find("\t") + 1), _TAB_MESSAGE)
    if not any(known in problem for known in _SLIP_PROBLEMS):
        return None
    here = _Entry(mark.line, len(indentation), None)
    folded = "mapping values" in problem  # the line was read on as text of the key above
    if rest[:1] == "-" and rest[1:2] in ("", " ", "\r"):
        if folded or mark.column != here.column:
            return None
    elif found := _KEY_AT_START.match(rest):
        here = _Entry(mark.line, here.column, found[1])
        if mark.column != (here.column + found.end() if folded else here.column):
            return None
    else:
        return None
    before = _line_entries(text, mark.line)
    # Each try: the line that slipped, the entry to line it up with, and where that is.
    # This line, out of line with a key (or item) still open above it:
    tries = [(here, other, "above") for other in _siblings_above(before, here)]
    # or the line before, moved left out of the mapping (or list) this one is in.
    first = len(before) - 1  # the first entry of the last line before this one
    while first > 0 and before[first - 1].line == before[first].line:
        first -= 1
    left = before[first] if before else here
    if left.is_like(here) and left.column < here.column:
        aligned = next((e for e in _open(before, first) if e.column <= here.column), None)
        if aligned is not None and aligned.column == here.column and aligned.is_like(here):
            tries.insert(0, (left, aligned, "above"))
        else:
            tries.append((left, here, "below"))
    suspects = {here.line, left.line}
    chosen = here, here, ""
    best: tuple[int, bool, int] | None = None  # how far the repair parses, _fits, order
    for order, (slip, other, where) in enumerate(tries[:_SLIP_TRIES]):
        start, end = _line_span(text, slip.line)
        fixed = " " * other.column + text[start:end].lstrip(" ")
        got = _first_error_line(text[:start] + fixed + text[end:])
        rank = (got, _fits(before, slip, other, suspects), -order)
        if got > mark.line and (best is None or rank > best):
            best, chosen = rank, (slip, other, where)
    if best is None:
        return None
    slip, other, where = chosen
    side = "more" if slip.column > other.column else "less"
    if slip.key is None or other.key is None:
        message = (
            f"this list item's '-' is indented {side} than the '-' {where} it on line "
            f"{other.line + 1} (column {other.column + 1}); indent it to line up with that '-'"
        )
    else:
        message = (
            f"{slip.key!r} is indented {side} than {other.key!r} {where} it "
            f"(column {other.column + 1}); indent it to line up with {other.key!r}"
        )
        if folded and slip is here:
            message += ", or, if the line is part of the text above, put that text in quotes"
    return YamlProblem(Mark(slip.line + 1, slip.column + 1), message)


def _fits(entries: list[_Entry], slip: _Entry, other: _Entry, suspects: set[int]) -> bool:
    """Whether the key ``slip``, lined up with ``other``, is shaped as the keys it then
    stands with: a single character (as option letters are) or a word. This chooses
    between two slips that each explain an error, as in 'B' moved left between the
    options 'A' and 'C', against 'critique' moved right under 'answer'. The lines that
    may have slipped (``suspects``) are no evidence, but for a line lined up with the one
    below it: nothing more is read of that mapping."""
    if slip.key is None:
        return False
    single = len(slip.key) == 1
    if other.line > slip.line:
        return other.key is not None and (len(other.key) == 1) == single
    for at in range(len(entries) - 1, -1, -1):
        entry = entries[at]
        if entry.line > other.line or entry.column > other.column:
            continue
        if entry.column < other.column:
            break  # the key or list item that holds the mapping
        if entry.key is not None and entry.line not in suspects:
            return (len(entry.key) == 1) == single
    return False


def _line_span(text: str, line: int) -> tuple[int, int]:
    """Where line ``line`` (0-based) of ``text`` starts and ends, its newline left out."""
    start = 0
    for _ in range(line):
        start = text.find("\n", start) + 1
        if start == 0:
            return len(text), len(text)
    end = text.find("\n", start)
    return start, len(text) if end < 0 else end


def _line_entries(text: str, stop: int) -> list[_Entry]:
    """The keys and list items that begin the lines before line ``stop``, in order,
    as the scanner reads them (text of '|' blocks, quotes and '[...]' is no entry)."""
    entries: list[_Entry] = []
    scanner = YamlParser(text)
    line, leading, flow, key = -1, False, 0, None
    try:
        while (token := scanner.get_token()) is not None:
            if isinstance(token, _STRUCTURE):
                continue
            at = token.start_mark
            if at.line >= stop:
                break
            if key is not None:
                entries.append(_Entry(key.line, key.column, str(getattr(token, "value", "?"))))
                key = None
            if at.line != line:
                line, leading = at.line, True
            if isinstance(token, _FLOW_START):
                flow += 1
            elif isinstance(token, _FLOW_END):
                flow = max(flow - 1, 0)
            if leading and not flow and isinstance(token, yaml.BlockEntryToken):
                entries.append(_Entry(at.line, at.column, None))
            elif leading and not flow and isinstance(token, yaml.KeyToken):
                key, leading = at, False
            else:
                leading = False
    except (yaml.YAMLError, IndexError):
        pass  # the error itself: the entries before it are all there are
    finally:
        scanner.dispose()
    return entries


def _open(entries: list[_Entry], stop: int) -> Iterator[_Entry]:
    """The entries before ``entries[stop]`` still open there (no line between is further
    left), nearest first, the nearest one of each column only."""
    low = sys.maxsize
    for at in range(stop - 1, -1, -1):
        if entries[at].column < low:
            low = entries[at].column
            yield entries[at]


def _siblings_above(entries: list[_Entry], here: _Entry) -> list[_Entry]:
    """The keys (or list items, as ``here`` is) open above ``here`` in the mapping or
    list item it stands in, which it may be meant to line up with: the nearest column
    first. None when it lines up with one already (the slip is elsewhere)."""
    found: list[_Entry] = []
    for entry in _open(entries, len(entries)):
        if not entry.is_like(here):
            if entry.column < here.column:
                break  # the list item (or the key) that holds ``here``
        elif entry.column == here.column:
            return []
        else:
            found.append(entry)
    return sorted(found, key=lambda entry: abs(entry.column - here.column))


def _first_error_line(text: str) -> int:
    """The line (0-based) the first syntax error in ``text`` is reported on, as
    :func:`_syntax_problem` places it; ``sys.maxsize`` if there is none."""
    loader = _Loader(text)
    try:
        # libyaml's raw_parse runs the parser without making an object of each event.
        getattr(loader, "raw_parse", loader.get_single_node)()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if "flow" in (exc.context or ""):
            mark = exc.context_mark or mark
        return mark.line if mark is not None else -1
    except (yaml.YAMLError, RecursionError):
        return -1
    finally:
        loader.dispose()
    return sys.maxsize


def locate(data: Any, path: tuple[str | int, ...]) -> Mark | None:
    """The most precise known position of ``path`` inside parsed ``data``.

    Walks as far down the path as the data goes; a key that is missing is reported at
    the mapping that should hold it.
    """
    best: Mark | None = data.mark if isinstance(data, MarkedMap | MarkedList) else None
    node = data
    for part in path:
        if isinstance(node, MarkedMap) and isinstance(part, str) and part in node:
            best = node.value_mark(part) or best
            node = node[part]
        elif isinstance(node, MarkedList) and isinstance(part, int) and 0 <= part < len(node):
            best = node.item_mark(part)
            node = node[part]
        else:
            break
    return best


def _scalar_at(data: Any, path: tuple[str | int, ...]) -> tuple[yaml.Node | None, Any]:
    """The YAML node of the value at ``path`` (None where the path leaves the file's
    mappings and lists), and the value itself."""
    node: Any = data
    scalar = None
    for part in path:
        if isinstance(node, MarkedMap) and isinstance(part, str) and part in node:
            pair = node._pair(part)
            scalar, node = (pair[1] if pair else None), node[part]
        elif isinstance(node, MarkedList) and isinstance(part, int) and 0 <= part < len(node):
            scalar, node = node.node.value[part], node[part]
        elif not (part == "text" and isinstance(node, str)):  # a fact written as text alone
            return None, node
    return scalar, node


def locate_in_text(data: Any, path: tuple[str | int, ...], offset: int) -> Mark | None:
    """The position of character ``offset`` of the text at ``path``, when the file
    writes it on one line as it reads (a plain scalar, or a quoted one without escapes);
    else the position of the text itself."""
    scalar, _ = _scalar_at(data, path)
    if isinstance(scalar, yaml.ScalarNode) and scalar.start_mark.line == scalar.end_mark.line:
        style, value = scalar.style or None, scalar.value  # plain: "" or None
        as_written = style is None or (style == "'" and "'" not in value)
        as_written = as_written or (style == '"' and "\\" not in value and '"' not in value)
        if as_written and 0 <= offset <= len(value):
            start = _mark(scalar)
            return Mark(start.line, start.column + offset + (style is not None))
    return locate(data, path)


def locate_found(
    data: Any, text: str, path: tuple[str | int, ...], offset: int, found: str
) -> Mark | None:
    """The position in the file ``text`` of ``found``, which the value at ``path`` holds
    at character ``offset``, in any style of scalar (a ``|`` block, folded, quoted):
    the same occurrence of it in what the file writes, where it is written as it reads;
    else as :func:`locate_in_text` places it."""
    scalar, node = _scalar_at(data, path)
    if found and isinstance(scalar, yaml.ScalarNode) and isinstance(node, str):
        written = text[scalar.start_mark.index : scalar.end_mark.index]
        at = -1
        for _ in range(node.count(found, 0, offset) + 1):
            at = written.find(found, at + 1)
            if at < 0:
                break
        if at >= 0:
            index = scalar.start_mark.index + at
            line_start = text.rfind("\n", 0, index) + 1
            return Mark(text.count("\n", 0, index) + 1, index - line_start + 1)
    return locate_in_text(data, path, offset)


def locate_key(data: Any, path: tuple[str | int, ...]) -> Mark | None:
    """Like :func:`locate` but points at the key itself (for unknown or duplicate keys)."""
    if path and isinstance(path[-1], str):
        parent = data
        for part in path[:-1]:
            try:
                parent = parent[part]
            except (KeyError, IndexError, TypeError):
                return locate(data, path)
        if isinstance(parent, MarkedMap) and (mark := parent.key_mark(path[-1])):
            return mark
    return locate(data, path)


def scalar(text: str) -> str:
    """One line of text as a YAML scalar that reads back as exactly this text: plain when
    YAML allows it, else double-quoted (JSON's string syntax, which YAML reads the same)."""
    import json

    plain = parse_yaml(f"k: {text}\n")
    if not plain.problems and plain.data == {"k": text} and text[:1] not in "'\"":
        return text
    return json.dumps(text, ensure_ascii=False)
