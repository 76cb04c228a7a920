"""The note type: a contract with every collection that has imported the deck.

Anki matches a re-imported note type by id, and updates it only while a hash of its
field names and template names (in order) is unchanged. Rename, add, remove or reorder a
field or a template and every later import of the deck creates a second note type
("Clinical MCQ+") and skips every existing note as conflicting: colleagues would stop
receiving updates. Hence:

* ``FIELDS`` and ``TEMPLATES`` below are frozen; ``tests/state/test_contract.py`` pins them.
  Changing them is a deliberate, versioned decision, never a refactoring.
* fields and templates carry fixed ids (Anki uses them to match fields when the user
  chooses to merge note types), derived from their names once and written out here.
* templates, CSS and script are free to change: they live in ``deckbuilder/notes/card/`` and
  reach collections through the note type's modification time (see ``lock``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

#: The note type contract, version 1. Never edit; see the module docstring.
FIELDS: tuple[str, ...] = (
    "Question",  # the question stem; first field, so Anki's duplicate check and
    # sort column look at the question, not at the shared case
    "Case",  # the case vignette, identical in every note of a case
    "Options",  # the lettered options, as a list of tappable choices
    "Answer",  # the letter of the correct option
    "Critique",  # why that answer
    "Discussion",  # the wider discussion of the case
    "Figures",  # figures and captions of the case
    "Source",  # citation / attribution
    "Title",  # the case title
    "Ref",  # "case-id/question-id": the stable keys, for search and tools
)
TEMPLATES: tuple[str, ...] = ("MCQ",)

#: Fixed ids of the fields and templates (sha-256 of "deckbuilder-field:<name>", 63 bits).
FIELD_IDS: dict[str, int] = {
    "Question": 3945273282714058323,
    "Case": 5371672882421173584,
    "Options": 1600006820330382291,
    "Answer": 16263503035380556,
    "Critique": 3632351213722063156,
    "Discussion": 2700107854060183922,
    "Figures": 7880990484057887005,
    "Source": 3239757578924208982,
    "Title": 2219855855814839785,
    "Ref": 2966583885871506202,
}
TEMPLATE_IDS: dict[str, int] = {"MCQ": 3918515330565814189}


def derived_id(kind: str, name: str) -> int:
    """How the ids above were derived (the test checks they still match)."""
    digest = hashlib.sha256(f"deckbuilder-{kind}:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


#: The cloze note type's contract, version 1 (for a case's facts). Never edit either.
CLOZE_FIELDS: tuple[str, ...] = (
    "Text",  # the fact, with its {{c1::…}} deletions; first field, for Anki's sort column
    "Case",  # the case vignette, identical in every note of a case
    "Extra",  # shown with the answer
    "Source",  # citation / attribution
    "Title",  # the case title
    "Ref",  # "case-id/facts/fact-id": the stable keys, for search and tools
)
CLOZE_TEMPLATES: tuple[str, ...] = ("Cloze",)
#: Fixed ids (sha-256 of "deckbuilder-cloze-field:<name>" / "deckbuilder-cloze-template:").
CLOZE_FIELD_IDS: dict[str, int] = {
    "Text": 4158272457760910529,
    "Case": 2647408004466614500,
    "Extra": 4241177873608749511,
    "Source": 1667516591663946337,
    "Title": 649384574287659720,
    "Ref": 3453248810192092897,
}
CLOZE_TEMPLATE_IDS: dict[str, int] = {"Cloze": 8832434115204237419}


_INCLUDE = re.compile(r'^<!-- include (\S+)((?: \w+="[^"]*")*) -->\n', re.MULTILINE)
_ARGUMENT = re.compile(r'(\w+)="([^"]*)"')
_SLOT = re.compile(r"\$(\w+)")


def card_file(name: str) -> str:
    """A file of ``deckbuilder/notes/card/`` as Anki gets it: see :func:`_assembled`."""
    return _assembled(_read(name), name)


def _read(name: str) -> str:
    """The file ``name``, a path below ``deckbuilder/notes/card/``."""
    folder = resources.files("deckbuilder.notes.card")
    return folder.joinpath(*name.split("/")).read_text(encoding="utf-8")


def _assembled(text: str, name: str) -> str:
    """``text`` (of the file ``name``) with each line ``<!-- include PART key="value" -->``
    replaced by the file PART, each ``$key`` in it by the value, assembled in turn.

    Anki cannot include one template in another, and the templates share their case, the
    sections of a question's back and Anki's occlusion front: each is written once, in
    ``card/parts/`` or as a template of its own, and put together here, whenever a note
    type is made. What Anki gets is the same as if each template were written whole."""

    def included(line: re.Match[str]) -> str:
        part, given = line.group(1), dict(_ARGUMENT.findall(line.group(2)))
        raw = _read(part)
        missing = sorted({slot for slot in _SLOT.findall(raw) if slot not in given})
        if missing:
            raise ValueError(f"{name}: the include of {part} needs {', '.join(missing)}")
        return _assembled(_SLOT.sub(lambda slot: given[slot.group(1)], raw), part)

    assembled = _INCLUDE.sub(included, text)
    if "<!-- include " in assembled:  # a line the pattern missed would reach Anki as is
        raise ValueError(f"{name}: an include is not a line of its own, or is misspelt")
    return assembled


@dataclass(frozen=True)
class CardLook:
    """The presentation half of the note type: free to change, unlike the contract."""

    front: str
    back: str
    css: str


@dataclass(frozen=True)
class Contract:
    """One note type of the deck: the names and ids colleagues' collections match it by
    (frozen), and the files that make its cards (free to change)."""

    kind: str  # "mcq", "statements", "cloze" or "occlusion"
    label: str  # its name in Anki, before the deck's name in brackets
    fields: tuple[str, ...]
    templates: tuple[str, ...]
    field_ids: dict[str, int]
    template_ids: dict[str, int]
    front: str  # file names in deckbuilder/notes/card/
    back: str
    script: bool  # whether card.js is inlined into both sides
    cloze: bool
    css: str = "card.css"  # file name in deckbuilder/notes/card/
    stock_kind: int | None = None  # Anki's originalStockKind, for a stock-compatible type
    field_extras: tuple[dict[str, Any], ...] = ()
    """Keys added to each field's JSON, in field order (a stock type's tags and flags)."""

    def name(self, deck_name: str) -> str:
        """Shown in Anki's note type list; kept stable, though Anki matches by id."""
        return f"{self.label} ({deck_name})"

    def look(self) -> CardLook:
        """Templates and CSS. The script is inlined into both sides (template-only media
        files are not replaced on re-import, inline code always is)."""
        script = f"<script>\n{card_file('card.js')}</script>\n" if self.script else ""
        return CardLook(
            front=card_file(self.front) + script,
            back=card_file(self.back) + script,
            css=card_file(self.css),
        )

    def contract_fingerprint(self) -> str:
        """Hash of the field and template names: what Anki matches a note type by."""
        data = {"fields": self.fields, "templates": self.templates}
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]

    def fingerprint(self, deck_name: str) -> str:
        """This version's note type for a deck of this name (see
        :func:`notetype_fingerprint`)."""
        look = self.look()
        templates = [(self.templates[0], look.front, look.back)]
        return notetype_fingerprint(self.name(deck_name), self.fields, templates, look.css)

    def json(self, notetype_id: int, deck_name: str, deck_id: int, mtime: int) -> dict[str, Any]:
        """The note type as Anki's legacy JSON, via genanki's Model object."""
        import genanki

        look = self.look()
        extras = self.field_extras or tuple({} for _ in self.fields)
        model = genanki.Model(
            notetype_id,
            self.name(deck_name),
            fields=[
                {"name": name, "id": self.field_ids[name], **extra}
                for name, extra in zip(self.fields, extras, strict=True)
            ],
            templates=[
                {
                    "name": self.templates[0],
                    "id": self.template_ids[self.templates[0]],
                    "qfmt": look.front,
                    "afmt": look.back,
                }
            ],
            css=look.css,
            sort_field_index=0,
            model_type=genanki.Model.CLOZE if self.cloze else genanki.Model.FRONT_BACK,
        )
        data: dict[str, Any] = model.to_json(mtime, deck_id)
        if self.stock_kind is not None:
            data["originalStockKind"] = self.stock_kind
        return data


MCQ = Contract(
    "mcq", "Clinical MCQ", FIELDS, TEMPLATES, FIELD_IDS, TEMPLATE_IDS,
    "front.html", "back.html", script=True, cloze=False,
)  # fmt: skip
CLOZE = Contract(
    "cloze", "Clinical Cloze", CLOZE_FIELDS, CLOZE_TEMPLATES, CLOZE_FIELD_IDS,
    CLOZE_TEMPLATE_IDS, "cloze-front.html", "cloze-back.html", script=False, cloze=True,
)  # fmt: skip
CONTRACTS = {c.kind: c for c in (MCQ, CLOZE)}


def notetype_fingerprint(
    name: str, fields: Sequence[str], templates: Sequence[tuple[str, str, str]], css: str
) -> str:
    """What an update of the note type changes in colleagues' collections: its name,
    field names, each template's name and two sides, and its CSS. Computed the same way
    from a package, so a lock recovered from a deck can tell whether it changed."""
    data = [name, list(fields), [list(t) for t in templates], css]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()[:32]
