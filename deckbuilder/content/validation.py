"""Validation of parsed content against the models, with problems an author can act on.

pydantic's errors become sentences ("'E' is not one of the options A, B, C, D", "unknown
key 'critque'; did you mean 'critique'?") placed at the line and column of the value in
the file (or by key path, for content given as Python objects).
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from deckbuilder.content.model import (
    Case,
    Fact,
    Figure,
    Occlusions,
    Question,
    Region,
    Statement,
    StatementQuestion,
    shown,
    text_problem,
)
from deckbuilder.content.yamlfile import Mark, locate, locate_in_text, locate_key
from deckbuilder.errors import ContentProblem, KeyPath, Problems, display_path, format_key_path

_NESTED: dict[type[BaseModel], dict[str, type[BaseModel]]] = {
    Case: {"questions": Question, "figures": Figure, "facts": Fact},
    StatementQuestion: {"statements": Statement},
    Figure: {"occlusions": Occlusions},
    Occlusions: {"regions": Region},
}
# The tags pydantic puts in an error's location for each kind of question (see
# model.AnyQuestion): the model of that question; the tag itself is no key of the file.
_UNION_TAGS: dict[str, type[BaseModel]] = {
    "kind:mcq": Question,
    "kind:statements": StatementQuestion,
}


# Only the first this many problems of one validation match an unknown key against the
# known keys for a "did you mean"; later ones are still placed and counted. No listing
# shows that many (a file lists 100), and the matching is the costly part of a file of
# typos.
SUGGEST_FOR_FIRST = 1000


def validate(data: Any, model: type[BaseModel], file: Path, problems: Problems) -> Any:
    """``data`` as ``model``, or None with every problem added to ``problems``."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        shown_as = display_path(file)
        for n, err in enumerate(exc.errors()):
            mark, loc, message = _explain(
                data, model, tuple(err["loc"]), err, n < SUGGEST_FOR_FIRST
            )
            problems.add(problem_at(shown_as, mark, loc, message))
        return None


def _explain(
    data: Any, model: type[BaseModel], loc: KeyPath, err: Any, suggest: bool = True
) -> tuple[Mark | None, KeyPath, str]:
    """Turn one pydantic error into a location and a sentence a clinician can act on
    (an unknown key gets no "did you mean" without ``suggest``)."""
    tagged = loc
    loc = tuple(part for part in loc if part not in _UNION_TAGS)
    kind = err["type"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        known = list(_model_at(model, tagged[:-1]).model_fields)
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6) if suggest else []
        hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
        if key == "statements" and "kind:mcq" in tagged:
            hint = "a question of statements says which kind: 'kind: kprim' or 'kind: true-false'"
        return locate_key(data, loc), loc, f"unknown key {key!r}; {hint}"
    if kind == "missing":
        return locate(data, loc[:-1]), loc[:-1], f"missing required key {loc[-1]!r}"
    if kind == "cloze":  # points at the mistake inside the sentence where it can
        return locate_in_text(data, loc, err["ctx"]["offset"]), loc, err["msg"]
    mark = locate(data, loc)
    got = err.get("input")
    shape = _SHAPES.get((kind, loc[-1])) if loc else None
    if shape is not None:
        return mark, loc, f"expected {shape}, got {_describe(got)}"
    if kind in {"string_type", "dict_type", "list_type", "model_type", "model_attributes_type"}:
        want = {
            "string_type": "text",
            "dict_type": "a mapping of key: value",
            "list_type": "a list (lines starting with '- ')",
        }.get(kind, "a mapping of key: value")
        return mark, loc, f"expected {want}, got {_describe(got)}"
    if kind == "string_pattern_mismatch":  # the text patterns of model.py
        return mark, loc, text_problem(str(got), err["ctx"]["pattern"])
    if kind == "literal_error" and loc and loc[-1] == "kind" and "questions" in loc:
        return (
            mark,
            loc,
            f"unknown kind {shown(str(got))}: write 'kprim' or 'true-false', or leave 'kind' "
            "out for a multiple-choice question",
        )
    if kind == "too_short" and loc and loc[-1] == "questions":
        return mark, loc, "a case needs at least one question"
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return mark, loc, msg


# Keys whose shape is easy to get wrong (options as a list, as in the article; figures
# as one mapping), and the shape in words with an example: "a mapping of key: value"
# does not tell a clinician what to type.
_SHAPES: dict[tuple[str, str | int], str] = {
    ("dict_type", "options"): (
        'the options as letters and texts, one line per option such as "A: First option"'
    ),
    ("dict_type", "explanations"): (
        'the explanations as letters and texts, one line per option such as "A: Why A is not it."'
    ),
    ("list_type", "figures"): 'a list of figures, each starting with "- caption: " on a new line',
    ("list_type", "questions"): 'a list of questions, each starting with "- id: " on a new line',
}


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value == "":
        return "nothing"
    if isinstance(value, str):
        return f"the text {shown(value)}"
    return f"{type(value).__name__} {value!r}"


def _model_at(model: type[BaseModel], loc: KeyPath) -> type[BaseModel]:
    current = model
    for part in loc:
        if isinstance(part, str) and part in _UNION_TAGS:
            current = _UNION_TAGS[part]
        elif isinstance(part, str):
            current = _NESTED.get(current, {}).get(part, current)
    return current


def problem_at(file: Path | str, mark: Mark | None, key: KeyPath, message: str) -> ContentProblem:
    """A problem at ``mark`` of ``file`` (by key path alone when the mark is None); a
    ``file`` given as text is already as the user sees it."""
    return ContentProblem(
        file if isinstance(file, str) else display_path(file),
        mark.line if mark else None,
        mark.column if mark else None,
        format_key_path(key),
        message,
    )


def check_ids(case: Case, data: Any, file: Path, problems: Problems) -> None:
    """Question ids, fact ids and figure ids are unique within their case."""
    for what, ids_ in (
        ("questions", [q.id for q in case.questions]),
        ("facts", [f.id for f in case.facts]),
        ("figures", [f.id for f in case.figures]),
    ):
        first: dict[str, int] = {}
        for i, given in enumerate(ids_):
            if given is None:
                continue
            if given in first:
                key = (what, i, "id")
                problems.add(
                    problem_at(
                        file,
                        locate(data, key),
                        key,
                        f"{what[:-1]} id {given!r} is already used by "
                        f"{what}[{first[given]}] of this case",
                    )
                )
            else:
                first[given] = i
