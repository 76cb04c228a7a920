"""Read content YAML safely, keeping where every key and value came from.

Why not ``yaml.safe_load``:

* it silently keeps the last of two equal keys in a mapping, so a pasted duplicate
  ``critique:`` would throw away text without a word;
* it turns ``A: Yes`` into ``{'A': True}`` (YAML 1.1 booleans), ``1e3`` into a float and
  ``NO`` into ``False`` — a quiz has options that read exactly like that. Content is text,
  so every scalar stays the string the author typed (the schema checks types);
* it forgets line numbers, which an error message for a clinician needs;
* anchors and aliases let a 1 kB file expand to gigabytes; content has no use for them.

The C parser is used when PyYAML was built with libyaml (it almost always is).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import yaml

try:
    from yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)


@dataclass(frozen=True)
class Mark:
    """A 1-based line and column in a source file."""

    line: int
    column: int


class MarkedMap(dict[str, Any]):
    """A mapping that remembers its YAML node, so positions are found only when needed."""

    node: yaml.MappingNode

    @property
    def mark(self) -> Mark:
        return _mark(self.node)

    def key_mark(self, key: str) -> Mark | None:
        return next((_mark(k) for k, _ in self.node.value if k.value == key), None)

    def value_mark(self, key: str) -> Mark | None:
        return next((_mark(v) for k, v in self.node.value if k.value == key), None)


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


def _first_alias(text: str) -> Mark | None:
    """Where the first ``*alias`` of a document is (the composer does not say)."""
    loader = _Parser(text)
    try:
        while (event := loader.get_event()) is not None:
            if isinstance(event, yaml.AliasEvent):
                return Mark(event.start_mark.line + 1, event.start_mark.column + 1)
            if isinstance(event, yaml.StreamEndEvent):
                break
    except yaml.YAMLError:
        pass
    return None


def _mark(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class _Loader(_Parser):
    """libyaml's parser and composer; every plain scalar resolves to a string."""

    def resolve(self, kind: type, value: object, implicit: object) -> str:
        if kind is yaml.ScalarNode:
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP

    def descend_resolver(self, parent: object, index: object) -> None:
        """No path-dependent resolution."""

    def ascend_resolver(self) -> None:
        """No path-dependent resolution."""


class _Builder:
    """Turns composed nodes into plain data, collecting problems instead of raising.

    Written as a direct walk over the nodes rather than PyYAML's constructor: it is
    several times faster, and it is where aliases, tags and duplicate keys are caught.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.problems: list[YamlProblem] = []
        self.seen: set[int] = set()
        self.alias_seen = False

    def build(self, node: yaml.Node, path: list[str | int]) -> Any:
        if id(node) in self.seen:
            # An alias: the composer hands back the node it names. Report the first
            # one only, and build nothing from it (that is how alias bombs explode).
            if not self.alias_seen:
                self.alias_seen = True
                self.problems.append(
                    YamlProblem(
                        _first_alias(self.text) or _mark(node),
                        "anchors and aliases (& and *) are not allowed in content; "
                        "write the text out",
                        tuple(path),
                    )
                )
            return ""
        self.seen.add(id(node))
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
        if node.tag != _SEQ:
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
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        return YamlDocument(None, [_syntax_problem(exc)])
    except yaml.YAMLError as exc:
        return YamlDocument(None, [YamlProblem(None, f"not valid YAML: {exc}")])
    except RecursionError:
        return YamlDocument(None, [YamlProblem(None, "nested too deeply to be content")])
    finally:
        loader.dispose()
    if node is None:
        return YamlDocument(None)
    builder = _Builder(text)
    try:
        data = builder.build(node, [])
    except RecursionError:
        return YamlDocument(None, [YamlProblem(_mark(node), "nested too deeply to be content")])
    return YamlDocument(data, builder.problems)


def _syntax_problem(exc: yaml.MarkedYAMLError) -> YamlProblem:
    """A parser error as a message an author can act on, independent of libyaml's wording."""
    problem = exc.problem or "syntax error"
    context = exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    if "single document" in context or "another document" in problem:
        message = "a file holds one deck or one case, but a second document ('---') starts here"
    elif "tab" in problem and ("\\t" in problem or "tab character" in problem):
        message = "a tab character is used for indentation; YAML needs spaces"
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


# --- the fast path ---------------------------------------------------------------------

_ryml: Any = None  # rapidyaml, imported on first use: a C++ YAML parser, several times
# faster than libyaml through PyYAML


def _rapidyaml() -> Any:
    global _ryml
    if _ryml is None:
        try:
            import ryml
        except ImportError:  # pragma: no cover - the careful path still works
            _ryml = False
        else:
            _ryml = ryml
    return _ryml


# Where YAML 1.1 (PyYAML) and 1.2 (rapidyaml) read text differently: line breaks
# U+0085, U+2028, U+2029 and carriage returns. Such files take the careful path.
# (Substring tests: a regular expression scans byte by byte, several times slower.)
_DIFFERENT_IN_1_1 = (b"\r", b"\xc2\x85", b"\xe2\x80\xa8", b"\xe2\x80\xa9")


class _Careful(Exception):
    """Raised inside the fast path when a file needs the careful one."""


def _reject(_: str) -> object:
    raise _Careful  # a number: its text must be kept exactly, which JSON cannot promise


def _pairs(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """Build one mapping; called for every mapping, inner ones first, so it checks that
    every value is text, a mapping, or a list of those (true, false and null, which the
    careful path reads as the text typed, and lists of lists take the careful path)."""
    for _, value in pairs:
        if type(value) is str or type(value) is dict:
            continue
        if type(value) is list and all(type(v) is str or type(v) is dict for v in value):
            continue
        raise _Careful
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _Careful  # duplicate keys: the careful path reports them
    return result


def _may_have_properties(raw: bytes) -> bool:
    """Whether the file may hold an anchor (&), alias (*) or tag (!).

    These only stand where a node starts: after ":", "-", "?", "[", "{" or "," or at the
    start of a line, spaces and tabs aside. Checking each such character's left side is
    several times cheaper than asking the parser about every node; Markdown emphasis at
    the start of a line only makes the answer "maybe".
    """
    for char in (b"&", b"*", b"!"):
        at = raw.find(char)
        while at != -1:
            before = at - 1
            while before >= 0 and raw[before] in b" \t":
                before -= 1
            if before < 0 or raw[before] in b"\n:-?[{,":
                return True
            at = raw.find(char, at + 1)
    return False


def fast_mapping(raw: bytes) -> dict[str, Any] | None:
    """Parse plain content quickly, or return None when the careful path is needed.

    The result, when there is one, equals what :func:`parse_yaml` gives (a test checks
    it on the catalogue and on random documents); anything this path does not handle
    exactly like it — anchors, aliases, tags, numbers, booleans, nulls, duplicate keys,
    YAML 1.1 line breaks, more than one document, syntax errors — returns None. It
    carries no positions: a file with any problem is parsed again the careful way.
    """
    ryml = _rapidyaml()
    if not ryml or any(different in raw for different in _DIFFERENT_IN_1_1):
        return None
    try:
        tree = ryml.parse_in_arena(raw)
        if _may_have_properties(raw):
            special = (
                ryml.KEYANCH | ryml.VALANCH | ryml.KEYREF | ryml.VALREF | ryml.KEYTAG | ryml.VALTAG
            )
            for node in range(tree.size()):
                if tree.type_has_any(node, special):
                    return None
        text = ryml.emit_json_malloc(tree, tree.root_id())
        data = json.loads(text, parse_int=_reject, parse_float=_reject, object_pairs_hook=_pairs)
    except (
        _Careful,
        ValueError,
        RuntimeError,
        TypeError,
        ryml.ExceptionParse,
        ryml.ExceptionBasic,
        ryml.ExceptionVisit,
    ):
        return None
    if not isinstance(data, dict):
        return None
    return data
