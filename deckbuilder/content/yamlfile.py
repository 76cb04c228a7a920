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
        return YamlDocument(None, [_syntax_problem(exc)])
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


def _syntax_problem(exc: yaml.MarkedYAMLError) -> YamlProblem:
    """A parser error as a message an author can act on, independent of libyaml's wording."""
    problem = exc.problem or "syntax error"
    context = exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    if "maximum nesting depth" in problem:
        message = _TOO_DEEP
    elif "single document" in context or "another document" in problem:
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
