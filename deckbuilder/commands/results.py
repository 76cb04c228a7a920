"""What every command prints with ``--json``: one typed model per command and outcome.

Each command builds its output as one of these models, so the shape a script reads is
checked where it is made; ``output.schema.json`` beside this module is generated from
them (:func:`output_schema`, ``python -m deckbuilder.commands.results``), never written
by hand, and a test fails when it is not current. The build's per-note-type keys come
from the note kinds (:mod:`deckbuilder.notes.kinds`): a new kind adds its key here
without this module naming it.
"""

from __future__ import annotations

import functools
import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, create_model

Count = Annotated[int, Field(ge=0)]
LineNumber = Annotated[int, Field(ge=1)]
Ref = Annotated[str, StringConstraints(pattern=r"^[^/]+/[^/]+(/[^/]+)?$")]
NoteTypeChange = Literal["new", "changed", "unchanged"]


class _Output(BaseModel):
    model_config = ConfigDict(
        extra="forbid", populate_by_name=True, json_schema_serialization_defaults_required=True
    )

    def dump(self) -> dict[str, Any]:
        """The JSON object as printed (keys by their printed names)."""
        return self.model_dump(mode="json", by_alias=True)


class Problem(_Output):
    """A problem, warning or notice, located as precisely as the input allows."""

    model_config = ConfigDict(title="problem")
    file: str
    line: LineNumber | None
    column: LineNumber | None
    key: str = Field(description="key path, e.g. questions[1].answer")
    message: str


def error_kinds() -> tuple[str, ...]:
    """Every ``error`` a failed command reports: the kinds of deckbuilder's errors."""
    from deckbuilder.errors import DeckbuilderError

    kinds: list[str] = []
    todo: list[type[DeckbuilderError]] = [DeckbuilderError]
    while todo:
        cls = todo.pop(0)
        if cls.kind not in kinds:
            kinds.append(cls.kind)
        todo += cls.__subclasses__()
    return tuple(sorted(kinds))


class ErrorOutput(_Output):
    """Any command that failed (exit code 1)."""

    model_config = ConfigDict(title="error")
    command: str
    outcome: Literal["error"] = "error"
    error: str = Field(description="what failed: one of the kinds of deckbuilder's errors")
    message: str
    problems: list[Problem]


class Renamed(_Output):
    model_config = ConfigDict(title="renamed")
    from_: str = Field(alias="from")
    to: str

    @classmethod
    def of(cls, renamed: tuple[str, str] | None) -> Renamed | None:
        """The rename ``(from, to)``, if any."""
        return (
            None if renamed is None else cls.model_validate({"from": renamed[0], "to": renamed[1]})
        )


class LockOrigin(_Output):
    model_config = ConfigDict(title="lock")
    origin: Literal["file", "merged", "recovered", "none"]
    detail: str


class _BuildOutput(_Output):
    """``build``: what each note does on import. The note types' keys follow, one per
    kind of note (null for a kind the deck does not hold)."""

    command: Literal["build"] = "build"
    outcome: Literal["written", "dry_run", "up_to_date"]
    deck: str
    written: bool
    up_to_date: bool
    bytes: Count
    format: Literal["anki21b", "anki2"] = Field(
        description="the package format: anki21b (Anki's current one, 2.1.55 and later) or "
        "anki2 (legacy, every version: deck.yaml's support_older_anki)"
    )
    notes: Count
    seconds: Annotated[float, Field(ge=0)]
    new: list[Ref]
    updated: list[Ref]
    unchanged: list[Ref]
    retired: list[Ref]
    still_retired: list[Ref]
    dropped: list[Ref]
    deck_changed: bool
    renamed: Renamed | None
    lock: LockOrigin
    warnings: list[Problem]


@functools.cache
def build_output() -> type[_BuildOutput]:
    """The ``build`` output model, with one note-type key per kind of note."""
    from deckbuilder.notes.kinds import KINDS

    fields: dict[str, Any] = {
        kind.json_key: (NoteTypeChange, ...) if kind.always else (NoteTypeChange | None, ...)
        for kind in KINDS
    }
    return create_model(
        "BuildOutput", __base__=_BuildOutput, __doc__=_BuildOutput.__doc__, **fields
    )


class CheckOutput(_Output):
    """``check``: a valid content folder, and what the author should look at."""

    model_config = ConfigDict(title="check")
    command: Literal["check"] = "check"
    outcome: Literal["ok", "failed_strict"]
    content: str
    cases: Count
    questions: Count
    facts: Count
    warnings: list[Problem]
    notices: list[Problem]


class ListedNoteType(_Output):
    model_config = ConfigDict(title="listed note type")
    id: int
    name: str
    fields: list[str]
    templates: list[str]


class ListedNote(_Output):
    model_config = ConfigDict(title="listed note")
    case: str
    question: str
    guid: str
    text: str


class ImageMetadata(_Output):
    model_config = ConfigDict(title="image metadata")
    name: str
    found: list[str]


class InspectOutput(_Output):
    """``inspect``: what a package holds."""

    model_config = ConfigDict(title="inspect")
    command: Literal["inspect"] = "inspect"
    outcome: Literal["read"] = "read"
    path: str
    format: Literal["anki2", "anki21", "anki21b"]
    decks: list[str]
    notetypes: list[ListedNoteType]
    notes: list[ListedNote]
    image_metadata: list[ImageMetadata] = Field(
        description="Each image that carries metadata (EXIF, XMP, IPTC, text chunks, "
        "comments, ...), with what it carries; empty for a deck built by deckbuilder."
    )


class Change(_Output):
    model_config = ConfigDict(title="change")
    guid: str
    case: str
    question: str
    summary: str
    fields_changed: bool


class DiffOutput(_Output):
    """``diff``: what importing the new package over the old one does to each note."""

    model_config = ConfigDict(title="diff")
    command: Literal["diff"] = "diff"
    outcome: Literal["compared"] = "compared"
    new: list[Change]
    updated: list[Change]
    unchanged: list[Change]
    retired: list[Change]
    not_arriving: list[Change]
    conflicting: list[Change]
    left_behind: list[Change]
    notetypes: list[str]
    renamed: Renamed | None


class LeftOut(_Output):
    model_config = ConfigDict(title="left out")
    line: LineNumber
    text: str
    why: str


class FigureImage(_Output):
    model_config = ConfigDict(title="figure image")
    file: str = Field(description="the image file written")
    page: LineNumber
    width: Annotated[int, Field(ge=1, description="pixels")]
    height: Annotated[int, Field(ge=1, description="pixels")]
    figure: int | None = Field(description="the 'Figure N' matched, null if none")
    caption_matched: bool
    why: str = Field(description="how it was matched, or why not")


class Dropped(_Output):
    model_config = ConfigDict(title="dropped")
    page: LineNumber
    text: str
    why: str


class ImportOutput(_Output):
    """``import`` (``import-text``): the case file written from an article."""

    model_config = ConfigDict(title="import-text")
    command: Literal["import-text"] = "import-text"
    outcome: Literal["written"] = "written"
    path: str
    questions: Count
    figures: Count
    facts_proposed: Count = Field(description="fact candidates written commented out")
    superscripts: Count = Field(description="citation numbers set as superscripts")
    warnings: list[str]
    left_out: list[LeftOut]
    moved: list[str]
    uncertain_citations: list[str]
    figure_images: list[FigureImage] = Field(
        description="each image extracted from a PDF, in the order of its pages"
    )
    dropped: list[Dropped] = Field(
        description="page headers, footers and boilerplate dropped from a PDF"
    )
    pages_without_text: list[LineNumber] = Field(
        description="pages of a PDF with no text layer (a scan?): nothing of them was read"
    )


class WrittenOutput(_Output):
    """Commands that write files: init, new case, schema, preview."""

    model_config = ConfigDict(title="written", json_schema_serialization_defaults_required=False)
    command: Literal["init", "new case", "schema", "preview"]
    outcome: Literal["written"] = "written"
    files: list[str]
    skipped: list[str] | None = Field(
        default=None, description="what was not written, and why (init's workflow)"
    )
    cards: Count | None = Field(default=None, description="preview: the cards on the page")

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def _outputs() -> list[type[_Output]]:
    return [
        ErrorOutput,
        build_output(),
        CheckOutput,
        InspectOutput,
        DiffOutput,
        ImportOutput,
        WrittenOutput,
    ]


def output_schema() -> dict[str, Any]:
    """The JSON Schema of every command's ``--json`` output, generated from the models."""
    from pydantic.json_schema import models_json_schema

    models = _outputs()
    refs, top = models_json_schema([(m, "serialization") for m in models], by_alias=True)
    defs = top["$defs"]
    defs[refs[(ErrorOutput, "serialization")]["$ref"].rsplit("/", 1)[-1]]["properties"]["error"][
        "enum"
    ] = list(error_kinds())
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://deckbuilder.invalid/output.schema.json",
        "title": "deckbuilder --json output",
        "description": "What every deckbuilder command prints with --json: one object on "
        "stdout. Exit codes are those of the text output (0 done, 1 failed, 2 usage).",
        "oneOf": [refs[(m, "serialization")] for m in models],
        "$defs": defs,
    }


def dumps(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def regenerate_shipped() -> None:
    """For developers: rewrite ``output.schema.json`` after changing the models
    (``python -m deckbuilder.commands.results``); a test fails until this is done."""
    from importlib import resources

    path = resources.files("deckbuilder.commands").joinpath("output.schema.json")
    with open(str(path), "w", encoding="utf-8") as out:
        out.write(dumps(output_schema()))


if __name__ == "__main__":
    regenerate_shipped()
