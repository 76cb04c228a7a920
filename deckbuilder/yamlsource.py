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

from dataclasses import dataclass, field
from typing import Any

import yaml

try:
    from yaml import CParser as _Parser  # type: ignore[attr-defined]
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
    """A mapping that remembers where it, each key and each value started."""

    mark: Mark
    key_marks: dict[str, Mark]
    value_marks: dict[str, Mark]


class MarkedList(list[Any]):
    """A sequence that remembers where it and each item started."""

    mark: Mark
    item_marks: list[Mark]


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


class _StringResolver(yaml.resolver.BaseResolver):
    """Resolve every plain scalar as a string: no implicit booleans, numbers or nulls."""


class _Loader(_Parser, yaml.constructor.SafeConstructor, _StringResolver):
    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        yaml.constructor.SafeConstructor.__init__(self)
        _StringResolver.__init__(self)
        self.problems: list[YamlProblem] = []
        self._path: list[str | int] = []
        self._text = stream
        self._alias_seen = False

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects or node in self.recursive_objects:
            # An alias: the composer hands back the node it names. Report the first
            # one only, and build nothing from it (that is how alias bombs explode).
            if not self._alias_seen:
                self._alias_seen = True
                self.problems.append(
                    YamlProblem(
                        _first_alias(self._text) or _mark(node),
                        "anchors and aliases (& and *) are not allowed in content; "
                        "write the text out",
                        tuple(self._path),
                    )
                )
            return ""
        return super().construct_object(node, deep=True)

    def construct_undefined(self, node: yaml.Node) -> Any:
        tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
        self.problems.append(
            YamlProblem(
                _mark(node),
                f"the tag {tag!r} is not allowed in content; remove it",
                tuple(self._path),
            )
        )
        return ""

    def construct_yaml_map(self, node: yaml.MappingNode) -> Any:  # type: ignore[override]
        result = MarkedMap()
        result.mark = _mark(node)
        result.key_marks = {}
        result.value_marks = {}
        yield result
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(
                    YamlProblem(_mark(key_node), "a key must be plain text", tuple(self._path))
                )
                continue
            key = str(self.construct_object(key_node))
            if key in result:
                first = result.key_marks[key]
                self.problems.append(
                    YamlProblem(
                        _mark(key_node),
                        f"duplicate key {key!r} (first given on line {first.line}); "
                        "YAML would silently keep only the last one",
                        (*self._path, key),
                    )
                )
                continue
            self._path.append(key)
            value = self.construct_object(value_node)
            self._path.pop()
            result[key] = value
            result.key_marks[key] = _mark(key_node)
            result.value_marks[key] = _mark(value_node)

    def construct_yaml_seq(self, node: yaml.SequenceNode) -> Any:  # type: ignore[override]
        result = MarkedList()
        result.mark = _mark(node)
        result.item_marks = []
        yield result
        for i, item in enumerate(node.value):
            self._path.append(i)
            result.append(self.construct_object(item))
            self._path.pop()
            result.item_marks.append(_mark(item))


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_yaml_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_yaml_seq)
_Loader.add_constructor(None, _Loader.construct_undefined)


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
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        return YamlDocument(None, [_syntax_problem(exc)])
    except yaml.YAMLError as exc:
        return YamlDocument(None, [YamlProblem(None, f"not valid YAML: {exc}")])
    finally:
        loader.dispose()
    return YamlDocument(data, loader.problems)


def _syntax_problem(exc: yaml.MarkedYAMLError) -> YamlProblem:
    mark = exc.problem_mark or exc.context_mark
    where = Mark(mark.line + 1, mark.column + 1) if mark is not None else None
    problem = exc.problem or "syntax error"
    if "expected a single document" in (exc.context or ""):
        message = "a file holds one deck or one case, but a second document ('---') starts here"
    elif "'\\t'" in problem or "\\t" in problem:
        message = "a tab character is used for indentation; YAML needs spaces"
    else:
        message = f"YAML syntax error: {problem}"
        if exc.context:
            message += f" ({exc.context})"
        if "mapping values are not allowed" in problem:
            message += "; if the text contains ': ', put it in quotes or use a '|' block"
        elif "flow" in (exc.context or ""):
            message += "; text that starts with '[' or '{' must be put in quotes"
    return YamlProblem(where, message)


def locate(data: Any, path: tuple[str | int, ...]) -> Mark | None:
    """The most precise known position of ``path`` inside parsed ``data``.

    Walks as far down the path as the data goes; a key that is missing is reported at
    the mapping that should hold it.
    """
    best: Mark | None = getattr(data, "mark", None)
    node = data
    for part in path:
        if isinstance(node, MarkedMap) and isinstance(part, str) and part in node:
            best = node.value_marks.get(part, best)
            node = node[part]
        elif isinstance(node, MarkedList) and isinstance(part, int) and 0 <= part < len(node):
            best = node.item_marks[part]
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
        if isinstance(parent, MarkedMap) and path[-1] in parent.key_marks:
            return parent.key_marks[path[-1]]
    return locate(data, path)
