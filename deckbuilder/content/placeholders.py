"""Text left to fill in: the scaffold's placeholders, ``TODO`` values and ``# TODO`` comments.

``deckbuilder init`` and ``new case`` write files that build at once, so a forgotten
"First option" or "Journal, year." would otherwise reach colleagues' cards without a
word; ``import-text`` marks what it could not find with ``TODO``. Each is a warning of
``check`` (and ``build``), so ``check --strict`` fails on them.

The placeholder texts are read from the scaffold templates themselves
(``deckbuilder/authoring/scaffold/*.yaml``), never copied here: a reworded template
cannot drift from what is looked for.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from string import Template
from typing import Any

import yaml

from deckbuilder.content.yamlfile import Mark, locate, parse_yaml
from deckbuilder.content.yamlfile import YamlParser as _Scanner  # libyaml's, as the loader's
from deckbuilder.errors import KeyPath

#: The scaffold templates, and the commands that write each, as a message names them.
TEMPLATES = {"case.yaml": "'deckbuilder init' or 'new case'", "deck.yaml": "'deckbuilder init'"}

#: A placeholder line of at least this many words is looked for inside longer texts too
#: (an author who wrote the vignette but kept "Write paragraphs separated by a blank
#: line."); shorter ones ("First option") only as the whole value.
MIN_WORDS_INSIDE = 4

_TODO_VALUE = re.compile(r"\s*TODO\b")
# A "#" that starts a comment (YAML needs a space or a line start before it), then TODO.
# A candidate only: "# TODO" inside a block or quoted text is text, not a comment.
# Matches nothing but the "#", so that a "#" inside a value does not hide a comment
# after it on the same line.
_TODO_COMMENT = re.compile(r"(?:^|(?<=[ \t]))#(?=[ \t]*TODO\b)", re.M)

# What to write instead, by the key holding the text (the last key of its path).
_WHAT = {
    "title": "the case's title",
    "case": "the case vignette",
    "discussion": "the discussion, or remove the key",
    "source": "the source, or remove the key",
    "attribution": "the attribution, or remove the key",
    "caption": "the figure's caption",
    "question": "the question",
    "critique": "the critique",
    "name": "the deck's name",
    "description": "what the deck covers, or remove the key",
}


@dataclass(frozen=True)
class Leftover:
    """One piece of text left to fill in, where it is, and what to do about it."""

    mark: Mark | None
    key: KeyPath
    message: str


def _normal(text: str) -> str:
    return " ".join(text.split())


def _strings(data: Any, path: KeyPath = ()) -> Iterator[tuple[KeyPath, str]]:
    """Every text value of parsed YAML, with its key path."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _strings(value, (*path, i))
    elif isinstance(data, str):
        yield path, data


@functools.cache
def _scaffold_texts() -> tuple[tuple[str, str], ...]:
    """Every text of the scaffold templates, as written there, with the command that
    writes it.

    A template's variables (``$id``, ``$name``, the schema line) are what the command
    fills in, so each is read as a comment and leaves no value. Of what remains, the
    texts are placeholders; ids, letters and switches (``q1``, ``B``, ``true``: values
    without a space) are not, since they are right as they stand.
    """
    found = []
    for name, command in TEMPLATES.items():
        text = resources.files("deckbuilder.authoring.scaffold").joinpath(name).read_text("utf-8")
        template = Template(text)
        as_comments = {key: f"# {key}" for key in template.get_identifiers()}
        doc = parse_yaml(template.substitute(as_comments))
        if doc.problems:  # a broken template is a bug, found by the tests of `init`
            raise ValueError(f"scaffold {name}: {doc.problems[0].message}")
        found += [(value, command) for _, value in _strings(doc.data) if " " in value.strip()]
    return tuple(found)


@functools.cache
def placeholders() -> dict[str, str]:
    """Every placeholder of the scaffold templates (whitespace normalised) → the command
    that writes it."""
    return {_normal(value): command for value, command in _scaffold_texts()}


@functools.cache
def _inside() -> tuple[re.Pattern[str], dict[str, str], int]:
    """A pattern of every placeholder line long enough to be looked for inside other text
    (any whitespace between its words), each such line → its command, and the length of
    the longest placeholder (a longer text cannot be one)."""
    lines = {
        _normal(line): command
        for value, command in _scaffold_texts()
        for line in value.splitlines()
        if len(line.split()) >= MIN_WORDS_INSIDE
    }
    pattern = "|".join(r"\s+".join(map(re.escape, line.split())) for line in lines)
    return re.compile(pattern or "(?!)"), lines, max(map(len, placeholders()), default=0)


def _quoted(text: str, limit: int = 60) -> str:
    """Text quoted for a message, cut short at a word: a message never repeats a file."""
    text = _normal(text)
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + "…"
    return f'"{text}"'


def _what(key: KeyPath) -> str:
    last = next((k for k in reversed(key) if isinstance(k, str)), "")
    if len(key) >= 2 and key[-2] == "options":
        return f"option {last}'s text"
    if len(key) >= 2 and key[-2] == "explanations":
        return f"why option {last} is right or wrong"
    return _WHAT.get(last, "the text")


def value_leftover(key: KeyPath, value: str) -> str | None:
    """Why ``value`` (at ``key``) is text left to fill in, or None."""
    if _TODO_VALUE.match(value):
        return f"starts with TODO ({_quoted(value)}); write {_what(key)}"
    pattern, lines, longest = _inside()
    if len(value) <= 2 * longest:  # indentation and line breaks aside
        normal = _normal(value)
        command = placeholders().get(normal)
        if command is not None:
            return f"still the placeholder {_quoted(normal)} from {command}; write {_what(key)}"
    found = pattern.search(value)
    if found:
        line = _normal(found.group())
        return f"still holds the placeholder text {_quoted(line)} from {lines[line]}; remove it"
    return None


def todo_comments(text: str) -> list[tuple[Mark, str]]:
    """Every comment of a YAML text that starts with TODO: its position and its text.

    A "#" inside a value (a ``|`` block, quoted text) is not a comment, so candidates are
    checked against the spans of the document's values.
    """
    if "TODO" not in text:  # a search in C; the pattern is tried at every character
        return []
    candidates = list(_TODO_COMMENT.finditer(text))
    if not candidates:
        return []
    spans = _scalar_spans(text)
    starts = [start for start, _ in spans]
    out = []
    for found in candidates:
        at = found.start()
        i = bisect.bisect_right(starts, at) - 1
        if i >= 0 and spans[i][0] <= at < spans[i][1]:
            continue
        line_start = text.rfind("\n", 0, at) + 1
        line_end = text.find("\n", at)
        comment = text[at + 1 : line_end if line_end >= 0 else len(text)].strip()
        out.append((Mark(text.count("\n", 0, at) + 1, at - line_start + 1), comment))
    return out


def _scalar_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of every value of a YAML text, in order (keys are
    values too, to the scanner)."""
    spans = []
    parser = _Scanner(text)
    try:
        while (token := parser.get_token()) is not None:
            if isinstance(token, yaml.ScalarToken):
                spans.append((token.start_mark.index, token.end_mark.index))
    except yaml.YAMLError:
        pass  # only valid files are looked at; keep what was read
    finally:
        parser.dispose()
    return spans


def leftovers(data: Any, text: str) -> list[Leftover]:
    """Everything left to fill in in one parsed content file (deck or case): placeholder
    and ``TODO`` values, located at the value, and ``# TODO`` comments."""
    out = []
    for key, value in _strings(data):
        message = value_leftover(key, value)
        if message is not None:
            out.append(Leftover(locate(data, key), key, message))
    for mark, comment in todo_comments(text):
        message = f"a comment still says {_quoted(comment, 100)}; do it, then delete the comment"
        out.append(Leftover(mark, (), message))
    return out
