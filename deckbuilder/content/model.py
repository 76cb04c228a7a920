"""The content format: the public shape of deck and case files, and the domain objects.

These key names (``name``, ``id``, ``description``; ``id``, ``title``, ``case``,
``discussion``, ``source``, ``tags``, ``figures``, ``questions``; ``id``, ``question``,
``options``, ``answer``, ``critique``) are a public format: colleagues' files and scripts
rely on them. Add optional keys freely; never rename these.

The models are pydantic models so that one definition both validates the files (with
error locations the loader turns into ``file:line:col`` messages) and can be exported as a
JSON Schema for editors.

Longer than most modules on purpose: the whole content format — every key, its type,
its rule and its message — is in one place, the one the schema generator reads.
"""

from __future__ import annotations

import re
import string
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic import Tag as UnionTag
from pydantic_core import PydanticCustomError

STABLE_KEY_PATTERN = r"^[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?$"
_STABLE_KEY = re.compile(STABLE_KEY_PATTERN.strip("^$"))
_TAG = re.compile(r"[^\s\"]+")


def is_stable_key(value: str) -> bool:
    """Whether ``value`` is a stable key (the whole of it: ``$`` alone would let a
    trailing newline through)."""
    return _STABLE_KEY.fullmatch(value) is not None


def _stable_key(value: str) -> str:
    if not is_stable_key(value):
        raise PydanticCustomError(
            "stable_key",
            "{value} is not a stable key: use 1 to 64 lower-case letters, digits, '-' or '_', "
            "starting and ending with a letter or digit (e.g. 'alt-thigh' or 'q1')",
            {"value": shown(value)},
        )
    return value


def shown(value: str, limit: int = 60) -> str:
    """A value quoted for a message, cut short: a message never repeats a whole file."""
    return repr(value[:limit]) + ("…" if len(value) > limit else "")


# Anki separates fields with U+001F: a control character in a field would corrupt the
# note. None of them is visible text anyway. Text is checked by a pattern, which pydantic
# runs in Rust (a Python validator per text was a tenth of rendering a case); the loader
# words the message with :func:`text_problem` when a text does not match.
_CONTROL_CLASS = r"\x00-\x08\x0b-\x1f\x7f-\x9f"
_CONTROL = re.compile(f"[{_CONTROL_CLASS}]")
PLAIN_TEXT_PATTERN = f"^[^{_CONTROL_CLASS}]*$"
TEXT_PATTERN = f"^[^{_CONTROL_CLASS}]*[^\\s{_CONTROL_CLASS}][^{_CONTROL_CLASS}]*$"


def text_problem(value: str, pattern: str) -> str:
    """Why ``value`` does not match ``pattern``, one of the text patterns above."""
    if pattern == TEXT_PATTERN and not value.strip():
        return "is empty; write the text or remove the key"
    found = _CONTROL.search(value)
    char = f"U+{ord(found.group()):04X}" if found else "?"
    return f"contains the invisible control character {char}; remove it"


def _no_control(value: str) -> str:
    if _CONTROL.search(value):
        raise PydanticCustomError("control_character", text_problem(value, PLAIN_TEXT_PATTERN))
    return value


def is_tag(value: str) -> bool:
    """Whether ``value`` is a valid Anki tag (no spaces, quotes or control characters)."""
    return _TAG.fullmatch(value) is not None and not _CONTROL.search(value)


def _tag(value: str) -> str:
    if not _TAG.fullmatch(value):
        raise PydanticCustomError(
            "tag",
            "{value} is not a valid Anki tag: tags cannot contain spaces or quotes "
            "(use '_' or '::' for hierarchy)",
            {"value": shown(value)},
        )
    return _no_control(value)


StableKey = Annotated[
    str,
    AfterValidator(_stable_key),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": STABLE_KEY_PATTERN,
            "description": "A stable key: lower-case letters, digits, '-' or '_'.",
        }
    ),
]
PlainText = Annotated[
    str, StringConstraints(pattern=PLAIN_TEXT_PATTERN), WithJsonSchema({"type": "string"})
]
Text = Annotated[
    str,
    StringConstraints(pattern=TEXT_PATTERN),
    WithJsonSchema({"type": "string", "pattern": r"\S"}),
]
Tag = Annotated[
    str, AfterValidator(_tag), WithJsonSchema({"type": "string", "pattern": r"^[^\s\"]+$"})
]
OptionLetter = Annotated[str, WithJsonSchema({"type": "string", "pattern": "^[A-Z]$"})]


def _switch(value: object) -> object:
    """``true``/``false`` as the author types them. Content YAML reads every value as
    text (so ``A: Yes`` stays the word "Yes"); a switch is read from that text here, and
    only the two unambiguous spellings count."""
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        raise PydanticCustomError(
            "switch", "expected true or false, got {value}", {"value": shown(value)}
        )
    return value


Switch = Annotated[bool, BeforeValidator(_switch), WithJsonSchema({"type": "boolean"})]


def _answer_shape(value: object) -> object:
    """One letter, or a list of letters: said in one sentence, not once per shape."""
    if isinstance(value, str) or (
        isinstance(value, list) and all(isinstance(v, str) for v in value)
    ):
        return value
    got = "a mapping" if isinstance(value, dict) else "a list of other things"
    raise PydanticCustomError(
        "answer_shape",
        "expected a letter (answer: B) or a list of letters for 'select all that apply' "
        "(answer: [A, C]), got {got}",
        {"got": got},
    )


Answer = Annotated[
    OptionLetter | list[OptionLetter],
    BeforeValidator(_answer_shape),
    WithJsonSchema(
        {
            "oneOf": [
                {"type": "string", "pattern": "^[A-Z]$"},
                {
                    "type": "array",
                    "items": {"type": "string", "pattern": "^[A-Z]$"},
                    "minItems": 1,
                    "uniqueItems": True,
                },
            ]
        }
    ),
]

OPTION_LETTERS = string.ascii_uppercase


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
MAX_REGIONS = 100
"""The most regions an occluded figure may have (each a card at most, as cloze numbers)."""


def _number(value: object, what: str) -> float:
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        return float(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise PydanticCustomError(
        "region_shape", "expected {what}, got {got}", {"what": what, "got": _shown_value(value)}
    )


def _shown_value(value: object) -> str:
    if isinstance(value, str):
        return f"the text {shown(value)}" if value else "nothing"
    return (
        "a mapping"
        if isinstance(value, dict)
        else "a list"
        if isinstance(value, list)
        else str(value)
    )


def _count(value: object, count: int, what: str) -> object:
    """A list of ``count`` items, said in one sentence (its items are checked each)."""
    if not isinstance(value, (list, tuple)) or len(value) != count:
        raise PydanticCustomError(
            "region_shape", "expected {what}, got {got}", {"what": what, "got": _shown_value(value)}
        )
    return tuple(value)


def _box(value: object) -> object:
    return _count(value, 4, "four numbers [left, top, width, height]")


def _point(value: object) -> object:
    return _count(value, 2, "a point [x, y]")


def _polygon(value: object) -> object:
    what = "a list of at least three points, each [x, y]"
    if not isinstance(value, (list, tuple)) or len(value) < 3:
        raise PydanticCustomError(
            "region_shape", "expected {what}, got {got}", {"what": what, "got": _shown_value(value)}
        )
    return tuple(value)


def _card_number(value: object) -> int:
    number = int(value) if isinstance(value, str) and value.strip().isdigit() else value
    if isinstance(number, int) and not isinstance(number, bool) and 1 <= number <= MAX_REGIONS:
        return number
    raise PydanticCustomError(
        "card_number",
        "expected a card number from 1 to {most}, got {got}",
        {"most": MAX_REGIONS, "got": _shown_value(value)},
    )


_NUMBER_SCHEMA = {"type": "number"}
Coordinate = Annotated[
    float, BeforeValidator(lambda v: _number(v, "a number")), WithJsonSchema(_NUMBER_SCHEMA)
]
Point = Annotated[tuple[Coordinate, Coordinate], BeforeValidator(_point)]
Box = Annotated[
    tuple[Coordinate, Coordinate, Coordinate, Coordinate],
    BeforeValidator(_box),
    WithJsonSchema({"type": "array", "items": _NUMBER_SCHEMA, "minItems": 4, "maxItems": 4}),
]
PolygonPoints = Annotated[
    tuple[Point, ...],
    BeforeValidator(_polygon),
    WithJsonSchema(
        {
            "type": "array",
            "title": "list of [x, y] points, at least 3",
            "minItems": 3,
            "items": {"type": "array", "items": _NUMBER_SCHEMA, "minItems": 2, "maxItems": 2},
        }
    ),
]
CardNumber = Annotated[
    int,
    BeforeValidator(_card_number),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_REGIONS}),
]


class Region(_Model):
    """One region of an occluded figure: a shape the card masks, and what it shows."""

    label: Text = Field(description="What the region shows: the answer, shown on the back.")
    rect: Box | None = Field(
        default=None,
        description="A rectangle: [left, top, width, height], as fractions of the image "
        "(or pixels with 'units: px').",
    )
    ellipse: Box | None = Field(
        default=None,
        description="An ellipse, by its bounding box: [left, top, width, height].",
    )
    polygon: PolygonPoints | None = Field(
        default=None, description="A polygon: its corners, each [x, y]."
    )
    card: CardNumber | None = Field(
        default=None,
        description="The card that asks this region (default: its place in the list, from "
        "1); regions with the same card number are masked and asked together.",
    )

    @model_validator(mode="after")
    def _one_shape(self) -> Region:
        given = [s for s in ("rect", "ellipse", "polygon") if getattr(self, s) is not None]
        if len(given) != 1:
            raise PydanticCustomError(
                "region_shape",
                "a region needs exactly one shape: rect, ellipse or polygon"
                + (f" (it has {' and '.join(given)})" if given else ""),
            )
        return self

    @property
    def shape(self) -> str:
        return "rect" if self.rect else "ellipse" if self.ellipse else "polygon"


class Occlusions(_Model):
    """The regions of a figure that become one Image Occlusion note (one card per card
    number)."""

    mode: Literal["hide-all", "hide-one"] = Field(
        default="hide-all",
        description="'hide-all' (default): every region is masked and one is asked; "
        "'hide-one': only the asked region is masked.",
    )
    units: Literal["fraction", "px"] = Field(
        default="fraction",
        description="'fraction' (default): coordinates are fractions of the image's width "
        "and height, from 0 to 1; 'px': pixels of the image.",
    )
    regions: list[Region] = Field(
        min_length=1, max_length=MAX_REGIONS, description="The regions, in card order."
    )

    def card_numbers(self) -> list[int]:
        """Each region's card number: its own, else its place in the list."""
        return [r.card or n for n, r in enumerate(self.regions, 1)]


class Figure(_Model):
    """A figure of a case: a caption and, optionally, an image file next to the content."""

    caption: Text = Field(description="The figure caption (Markdown).")
    image: str | None = Field(
        default=None,
        description="Path of an image file, relative to the file that names it.",
    )
    reveal: Literal["front", "back"] = Field(
        default="front",
        description="'front' (default): shown with the case, on the front and the back; "
        "'back': only on the back (a figure that would give the answer away).",
    )
    license: Text | None = Field(
        default=None,
        description="Licence of the image, e.g. 'CC BY 4.0' (shown with the figure); "
        "required when the deck declares a 'license'.",
    )
    attribution: Text | None = Field(
        default=None,
        description="Who made the image, and credit (Markdown, shown with the figure); "
        "required when the deck declares a 'license'.",
    )
    id: StableKey | None = Field(
        default=None,
        description="Stable key, unique in the case; required with 'occlusions' (its Image "
        "Occlusion note's id derives from it). Never reuse or rename.",
    )
    occlusions: Occlusions | None = Field(
        default=None,
        description="Regions of the image to mask: the figure becomes an Image Occlusion "
        "note of its own, one card per region (or card number).",
    )

    @model_validator(mode="after")
    def _occluded_needs(self) -> Figure:
        if self.occlusions is not None:
            missing = [k for k in ("id", "image") if getattr(self, k) is None]
            if missing:
                raise PydanticCustomError(
                    "occluded_figure",
                    "a figure with 'occlusions' needs {what} (its note's stable key"
                    " and the image it masks)",
                    {"what": " and ".join(repr(k) for k in missing)},
                )
        return self


class Question(_Model):
    """One multiple-choice question: one Anki note."""

    id: StableKey = Field(description="Stable key, unique in the case. Never reuse or rename.")
    question: Text = Field(description="The question stem (Markdown).")
    options: dict[OptionLetter, Text] = Field(
        description="Options lettered A, B, C… in order, letter → text (Markdown).",
        json_schema_extra={"minProperties": 2, "additionalProperties": False},
    )
    answer: Answer = Field(
        description="The letter of the correct option, or a list of letters for a "
        "'select all that apply' question."
    )
    critique: Text = Field(description="Why the answer is right and the others wrong (Markdown).")
    explanations: dict[OptionLetter, Text] = Field(
        default_factory=dict,
        description="Why each option is right or wrong, letter → text (Markdown), shown on "
        "the back under that option.",
        json_schema_extra={"additionalProperties": False},
    )
    shuffle: Switch | None = Field(
        default=None,
        description="Shuffle the options at each review (overrides the deck's 'shuffle').",
    )
    pin: list[OptionLetter] = Field(
        default_factory=list,
        description="Options that keep their place when the options are shuffled (options "
        "starting with 'All of', 'None of', 'Both' or 'Neither' always do).",
    )
    tags: list[Tag] = Field(default_factory=list, description="Extra Anki tags for this note.")

    @field_validator("options")
    @classmethod
    def _lettered_in_order(cls, options: dict[str, str]) -> dict[str, str]:
        letters = list(options)
        if len(letters) < 2:
            raise PydanticCustomError(
                "too_few_options", "a question needs at least two options (A and B)"
            )
        if len(letters) > len(OPTION_LETTERS):
            raise PydanticCustomError("too_many_options", "at most 26 options (A to Z)")
        expected = list(OPTION_LETTERS[: len(letters)])
        if letters != expected:
            raise PydanticCustomError(
                "option_letters",
                "options must be lettered {expected} in this order, found {found}",
                {"expected": ", ".join(expected), "found": ", ".join(map(str, letters))},
            )
        return options

    @field_validator("answer")
    @classmethod
    def _answer_among_options(cls, answer: str | list[str], info: ValidationInfo) -> object:
        options = info.data.get("options")
        letters = [answer] if isinstance(answer, str) else answer
        if isinstance(answer, list):
            if not answer:
                raise PydanticCustomError(
                    "no_answer", "a 'select all that apply' answer needs at least one letter"
                )
            if len(set(answer)) != len(answer):
                raise PydanticCustomError("repeated_answer", "a letter is given twice")
        if options is not None:
            _among_options(letters, options, "answer_not_option")
        return answer

    @field_validator("explanations", "pin")
    @classmethod
    def _keys_among_options(cls, value: dict | list, info: ValidationInfo) -> object:
        options = info.data.get("options")
        if options is not None:
            _among_options(list(value), options, "not_option")
        return value

    @property
    def answers(self) -> tuple[str, ...]:
        """The correct letters, in option order."""
        given = {self.answer} if isinstance(self.answer, str) else set(self.answer)
        return tuple(letter for letter in self.options if letter in given)

    @property
    def select_all(self) -> bool:
        """Whether this is a 'select all that apply' question (``answer`` is a list)."""
        return isinstance(self.answer, list)


def _among_options(letters: list[str], options: dict[str, str], kind: str) -> None:
    for letter in letters:
        if letter not in options:
            hint = ""
            if letter.upper() in options and letter != letter.upper():
                hint = f"; did you mean {letter.upper()!r}?"
            raise PydanticCustomError(
                kind,
                "{answer} is not one of the options {letters}{hint}",
                {"answer": repr(letter), "letters": ", ".join(options), "hint": hint},
            )


KPRIM_STATEMENTS = 4


class Statement(_Model):
    """One statement of a Kprim or true/false question, which the learner marks true or
    false."""

    text: Text = Field(description="The statement (Markdown).")
    answer: Switch = Field(description="Whether the statement is true: true or false.")
    explanation: Text | None = Field(
        default=None,
        description="Why it is true or false (Markdown), shown on the back under the statement.",
    )


class StatementQuestion(_Model):
    """A question of true/false statements: one Anki note. ``kind: kprim`` has exactly
    four statements and is scored by the Kprim rule (4 right: 1 point, 3 right: half a
    point, fewer: none); ``kind: true-false`` has one or more, each judged on its own."""

    id: StableKey = Field(description="Stable key, unique in the case. Never reuse or rename.")
    kind: Literal["kprim", "true-false"] = Field(
        description="'kprim': exactly four statements, scored by the Kprim rule; "
        "'true-false': one or more statements, each marked true or false."
    )
    question: Text = Field(
        description="The question stem (Markdown), e.g. 'Which statements are true?'."
    )
    statements: list[Statement] = Field(
        description="The statements, in order (lettered A, B, C… on the card); a Kprim "
        "question has exactly four.",
        json_schema_extra={"maxItems": len(OPTION_LETTERS)},
    )
    critique: Text | None = Field(
        default=None, description="Shown on the back after the statements (Markdown)."
    )
    shuffle: Switch | None = Field(
        default=None,
        description="Shuffle the statements at each review (overrides the deck's 'shuffle').",
    )
    tags: list[Tag] = Field(default_factory=list, description="Extra Anki tags for this note.")

    @field_validator("statements")
    @classmethod
    def _counted(cls, statements: list[Statement], info: ValidationInfo) -> list[Statement]:
        kind = info.data.get("kind")
        if kind == "kprim" and len(statements) != KPRIM_STATEMENTS:
            raise PydanticCustomError(
                "kprim_statements",
                "a Kprim question has exactly four statements, found {found}",
                {"found": len(statements)},
            )
        if not statements:
            raise PydanticCustomError(
                "no_statements", "a true/false question needs at least one statement"
            )
        if len(statements) > len(OPTION_LETTERS):
            raise PydanticCustomError("too_many_statements", "at most 26 statements (A to Z)")
        return statements

    @property
    def kprim(self) -> bool:
        return self.kind == "kprim"


def _question_kind(value: object) -> str:
    """Which model reads a question: one with a ``kind`` is of statements (a ``kind``
    other than theirs is reported there), one without is multiple choice."""
    if isinstance(value, StatementQuestion) or (isinstance(value, dict) and "kind" in value):
        return "kind:statements"
    return "kind:mcq"


AnyQuestion = Annotated[
    Annotated[Question, UnionTag("kind:mcq")]
    | Annotated[StatementQuestion, UnionTag("kind:statements")],
    Discriminator(_question_kind),
]
"""A question of any kind. The union's tags (``kind:…``) appear in pydantic's error
locations; :mod:`~deckbuilder.content.validation` takes them out."""


def _questions_schema(schema: dict[str, Any]) -> None:
    """For editors: a question with ``kind`` is checked as statements, one without as
    multiple choice (with ``oneOf`` an editor would only say that neither matched)."""
    mcq, statements = schema["items"].pop("oneOf")
    schema["items"] = {"if": {"required": ["kind"]}, "then": statements, "else": mcq}


def _cloze(value: str) -> str:
    from deckbuilder.content.cloze import ClozeMistake, deletions

    try:
        deletions(value)
    except ClozeMistake as exc:
        raise PydanticCustomError("cloze", str(exc), {"offset": exc.offset}) from None
    return value


ClozeText = Annotated[
    str,
    StringConstraints(pattern=TEXT_PATTERN),
    AfterValidator(_cloze),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"\{\{c[1-9][0-9]*::",
            "description": "A sentence with Anki cloze deletions: {{c1::words to recall}} or "
            "{{c1::words::hint}}; c2, c3... make more cards of the same note.",
        }
    ),
]


class Fact(_Model):
    """A key fact of a case, to recall: one cloze note, a card per deletion number."""

    id: StableKey | None = Field(
        default=None,
        description="Stable key, unique among the case's facts. Without one, the fact is "
        "named after its first deletion (rewording that deletion makes it a new note).",
    )
    text: ClozeText = Field(
        description="The sentence (Markdown) with Anki's deletions: {{c1::words to recall}} "
        "or {{c1::words::hint}}; each number c1, c2, … is one card."
    )
    extra: Text | None = Field(
        default=None, description="Shown on the back with the answer (Markdown)."
    )


def _fact_shape(value: object) -> object:
    """A fact may be written as its text alone."""
    return {"text": value} if isinstance(value, str) else value


_FACT_DOCS = {name: field.description or "" for name, field in Fact.model_fields.items()}
FactEntry = Annotated[
    Fact,
    BeforeValidator(_fact_shape),
    WithJsonSchema(
        {
            "oneOf": [
                {
                    "type": "string",
                    "pattern": r"\{\{c[1-9][0-9]*::",
                    "description": "The fact's text alone: " + _FACT_DOCS["text"],
                },
                {
                    "type": "object",
                    "title": "Fact",
                    "description": Fact.__doc__,
                    "required": ["text"],
                    "additionalProperties": False,
                    "properties": {
                        "id": {
                            "type": "string",
                            "pattern": STABLE_KEY_PATTERN,
                            "description": _FACT_DOCS["id"],
                        },
                        "text": {
                            "type": "string",
                            "pattern": r"\{\{c[1-9][0-9]*::",
                            "description": _FACT_DOCS["text"],
                        },
                        "extra": {
                            "type": "string",
                            "pattern": r"\S",
                            "description": _FACT_DOCS["extra"],
                        },
                    },
                },
            ]
        }
    ),
]


REVIEW_EVERY_PATTERN = r"^[1-9][0-9]?[ym]$"


def _review_every(value: str) -> str:
    if not re.fullmatch(REVIEW_EVERY_PATTERN.strip("^$"), value):
        raise PydanticCustomError(
            "review_every",
            "{value} is not a period: write years or months as a number and 'y' or 'm' "
            "(e.g. 2y or 18m)",
            {"value": shown(value)},
        )
    return value


ReviewEvery = Annotated[
    str,
    AfterValidator(_review_every),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": REVIEW_EVERY_PATTERN,
            "description": "A period: years or months, e.g. 2y or 18m.",
        }
    ),
]


def _date(value: str) -> str:
    import datetime

    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        datetime.date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError(
            "date",
            "{value} is not a date: write it YYYY-MM-DD (e.g. 2026-03-14)",
            {"value": shown(value)},
        ) from None
    return value


IsoDate = Annotated[
    str,
    AfterValidator(_date),
    WithJsonSchema({"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "format": "date"}),
]


class Case(_Model):
    """A clinical case: a vignette shared by all its questions, and the questions."""

    id: StableKey = Field(description="Stable key, unique in the deck. Never reuse or rename.")
    title: Text = Field(description="Title of the case.")
    case: Text = Field(description="The case vignette (Markdown), shown on every card.")
    discussion: Text | None = Field(default=None, description="Wider discussion (Markdown).")
    source: Text | None = Field(default=None, description="Citation of the source (Markdown).")
    attribution: Text | None = Field(
        default=None, description="Who wrote or adapted the case, and credit (Markdown)."
    )
    tags: list[Tag] = Field(default_factory=list, description="Anki tags for every question.")
    figures: list[Figure] = Field(default_factory=list, description="Figures of the case.")
    questions: list[AnyQuestion] = Field(
        min_length=1,
        description="The questions, in order: multiple choice, or (with 'kind') Kprim and "
        "true/false statements.",
        json_schema_extra=_questions_schema,
    )
    facts: list[FactEntry] = Field(
        default_factory=list,
        description="Key facts to recall, as cloze sentences: each becomes a cloze note "
        "beside the questions, with the case as its context.",
    )
    reviewed: IsoDate | None = Field(
        default=None,
        description="When the case was last checked against current evidence, YYYY-MM-DD "
        "(shown on the back; 'check' warns once it is due again).",
    )
    review_every: ReviewEvery | None = Field(
        default=None,
        description="How often the case is due for review, e.g. 2y or 18m (overrides the "
        "deck's 'review_every').",
    )
    evidence: Text | None = Field(
        default=None,
        description="The guideline or source the case follows, with its version, e.g. "
        "'ESMO 2024' (shown on the back).",
    )

    def fact_keys(self) -> list[str]:
        """Each fact's stable key: its ``id``, else one made from its first deletion
        (``-2``, ``-3``… when two would be the same)."""
        from deckbuilder.content.cloze import key_from_first_deletion

        taken = {f.id for f in self.facts if f.id}
        keys = []
        for fact in self.facts:
            if fact.id:
                keys.append(fact.id)
                continue
            base = key_from_first_deletion(fact.text)
            key, n = base, 2
            while key in taken:
                key, n = f"{base}-{n}", n + 1
            taken.add(key)
            keys.append(key)
        return keys


#: The most levels of a deck name ("A::B" has two) that Anki imports into a collection
#: without its parents: it creates each missing parent, and refuses ("deck nesting level
#: too deep") past ten of them (rslib/src/decks/addupdate.rs, ``first_existing_parent``).
MAX_DECK_LEVELS = 11


def _pattern(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise PydanticCustomError(
            "pattern",
            "{value} is not a regular expression: {why}",
            {"value": shown(value), "why": str(exc)},
        ) from None
    return value


class Allowed(_Model):
    """Text that looks like a patient's identifier but is meant (an eponym, a published
    author, the deck's own contact address): its warning is not given."""

    pattern: Annotated[str, AfterValidator(_pattern), StringConstraints(min_length=1)] = Field(
        description="A regular expression (Python's), searched in the text warned about "
        "and in it with the word that introduced it, e.g. 'Dr Rauh' or 'MRN 1234' ('check' "
        "shows that text masked)."
    )
    reason: Text = Field(description="Why this text is not a patient's identifier.")


class Deck(_Model):
    """The deck file (``deck.yaml``)."""

    name: Text = Field(description="Anki deck name; '::' separates subdecks.")
    id: StableKey = Field(
        description="Stable key from which every Anki id of the deck derives. Never change it."
    )
    description: PlainText = Field(default="", description="Deck description (Markdown).")
    tags: list[Tag] = Field(default_factory=list, description="Anki tags for every note.")
    license: Text | None = Field(
        default=None, description="Licence of the deck, e.g. 'CC BY 4.0' (shown in the deck)."
    )
    version: Text | None = Field(
        default=None,
        description="Version of the deck's content, e.g. '2026.11'. When absent, a hash of "
        "the content is shown instead.",
    )
    shuffle: Switch = Field(
        default=False,
        description="Shuffle every question's options at each review (a question's own "
        "'shuffle' overrides it).",
    )
    review_every: ReviewEvery | None = Field(
        default=None,
        description="How often each case with a 'reviewed' date is due for review, e.g. "
        "2y (a case's own 'review_every' overrides it).",
    )
    allow: list[Allowed] = Field(
        default_factory=list,
        description="Text that looks like a patient's identifier but is meant, each with "
        "the reason: 'check' does not warn about it.",
    )
    reveal_on_tap: Switch = Field(
        default=False,
        description="Single-best-answer questions show the answer as soon as an option is "
        "tapped, where the Anki app lets a card do so (Anki desktop, AnkiDroid); elsewhere "
        "the learner taps Show Answer as usual.",
    )
    support_older_anki: Switch = Field(
        default=False,
        description="Write the legacy package format, which Anki versions before 2.1.55 "
        "(2022) also import, instead of Anki's current one; the deck is larger (up to "
        "3x on repetitive cases).",
    )

    @field_validator("name")
    @classmethod
    def _importable_depth(cls, name: str) -> str:
        """A deeper name builds a deck that Anki refuses to import wherever its parent
        decks do not exist yet, as in a new colleague's collection."""
        levels = len(name.split("::"))  # as Anki splits it: an empty level counts too
        if levels > MAX_DECK_LEVELS:
            raise PydanticCustomError(
                "deck_depth",
                "the deck name has {levels} levels; Anki imports a deck name of at most "
                "{most} levels ({separators} '::'): shorten it",
                {"levels": levels, "most": MAX_DECK_LEVELS, "separators": MAX_DECK_LEVELS - 1},
            )
        return name
