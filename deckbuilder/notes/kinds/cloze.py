"""The cloze kind: a case's key facts as cloze notes, beside its questions.

Multiple-choice cards train recognition; what clinicians carry into practice are a case's
key facts, and recalling them is what spaced repetition does best. Each fact is one note
of the deck's cloze note type (:data:`~deckbuilder.notes.notetype.CLOZE`): its sentence
with Anki's own ``{{c1::…}}`` deletions, the case's vignette as context (the same Case
field as its questions), an optional extra, the source and the title. A note has one card
per deletion number, and the lock keeps those numbers (unless c1 alone), so that a
retired fact keeps every card it had. Its ids derive from the deck, case and fact keys,
under ``facts/``, so no fact shares an id with a question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from deckbuilder.content.cloze import MAX_NUMBER, ClozeMistake, deletions, numbers, reveal
from deckbuilder.errors import counted
from deckbuilder.notes import ids
from deckbuilder.notes.kinds import NoteKind, kept_cards
from deckbuilder.notes.mathcheck import UnsafeMath, check_math, math_regions
from deckbuilder.notes.notetype import CLOZE
from deckbuilder.notes.render import plain, unwrap_paragraph
from deckbuilder.notes.spec import NoteSpec

if TYPE_CHECKING:
    from deckbuilder.apkg.reader import Note, NoteType
    from deckbuilder.content.model import Deck
    from deckbuilder.notes.builder import CaseRenderer


class ClozeFacts(NoteKind):
    name = "cloze"
    lock_key = "cloze"
    json_key = "cloze_notetype"
    noun = "fact"
    contract = CLOZE
    always = False
    namespace = "facts"
    notetype_noun = "cloze note type"
    report_new = "cloze note type (for facts): new"
    skipped = "every fact"

    def notetype_id(self, deck_key: str) -> int:
        return ids.cloze_notetype_id(deck_key)

    def notes(
        self, renderer: CaseRenderer, deck: Deck, shared: dict[str, str], tags: list[str]
    ) -> list[NoteSpec]:
        if not renderer.loaded.case.facts:
            return []
        return fact_notes(renderer, deck.id, shared, tags)

    def retired_note(
        self, deck_key: str, ref: str, tags: tuple[str, ...], cards: Sequence[int]
    ) -> NoteSpec:
        from deckbuilder.notes.retired import DELETE_IT

        numbers = list(cards) or [1]
        hidden = " ".join(f"{{{{c{n}::Retired fact.}}}}" for n in numbers)
        text = (
            f"{hidden} The deck's author removed this fact (<code>{plain(ref)}</code>). {DELETE_IT}"
        )
        values = dict.fromkeys(CLOZE.fields, "")
        values.update(Text=text, Ref=plain(ref))
        return self.note(deck_key, ref, values, tags=tags, numbers=numbers)

    def recovered_cards(self, note: Note, notetype: NoteType) -> tuple[int, ...]:
        text = note.field(notetype, "Text") or ""
        return kept_cards(map(int, re.findall(r"\{\{c(\d+)::", text)), MAX_NUMBER)


CLOZE_FACTS = ClozeFacts()


def fact_notes(
    renderer: CaseRenderer, deck_key: str, shared: dict[str, str], tags: list[str]
) -> list[NoteSpec]:
    """The cloze notes of the case ``renderer`` renders, in fact order."""
    case = renderer.loaded.case
    keys = case.fact_keys()
    unnamed = [key for fact, key in zip(case.facts, keys, strict=True) if not fact.id]
    if unnamed:
        renderer.warn(
            ("facts",),
            f"{counted(len(unnamed), 'fact')} without an id "
            f"{'take their names' if len(unnamed) != 1 else 'takes its name'} from the first "
            "deletion "
            f"({', '.join(repr(k) for k in unnamed[:3])}{'…' if len(unnamed) > 3 else ''}): "
            "rewording that deletion makes a new note whose cards start over; give a fact "
            "an 'id' to keep its history",
            notice=True,
        )
    notes = []
    for i, (fact, key) in enumerate(zip(case.facts, keys, strict=True)):
        before = len(renderer.used)
        text = unwrap_paragraph(renderer.markdown(fact.text, ("facts", i, "text")))
        extra = renderer.markdown(fact.extra, ("facts", i, "extra")) if fact.extra else ""
        ref = CLOZE_FACTS.ref(case.id, key)
        values = {
            "Text": text,
            "Case": shared["Case"],
            "Extra": extra,
            "Source": shared["Source"],
            "Title": shared["Title"],
            "Ref": plain(ref),
        }
        if not text:
            continue  # the renderer has reported why
        if mistake := _as_anki_reads_it(text):
            renderer.problem(("facts", i, "text"), mistake)
            continue
        media = renderer.note_media(before)
        notes.append(
            CLOZE_FACTS.note(deck_key, ref, values, tags=tags, media=media, numbers=numbers(text))
        )
    return notes


_MARKER = re.compile(r"\{\{c\d+::|\}\}")


def _as_anki_reads_it(text: str) -> str | None:
    """What is wrong with the rendered sentence as Anki's cloze filter reads it, if
    anything. The source was checked already; Markdown can still make or unmake a
    deletion (escaped braces, a deletion in a link's address), and Anki leaves a deletion
    inside math or inside a tag unmarked, so its words would join the formula or the
    tag: the math allow-list and the sanitiser would not have seen them. Last, each card
    is judged as Anki's filter writes it, front and back: a hint in brackets or a
    deletion's words can complete math that the sentence as written does not hold."""
    try:
        deletions(text)
    except ClozeMistake as exc:
        return f"{exc} (as the card will read it)"
    for tag in re.finditer(r"<[^>]*>", text):
        if _MARKER.search(tag.group()):
            return "a deletion inside a link or other markup: hide all of the link or none"
    sentinel = _MARKER.sub("\ue000", text)
    if any("\ue000" in region for region in math_regions(sentinel)):
        return "a deletion inside math: hide the whole formula, or the words around it"
    for number in numbers(text):
        for front in (True, False):
            try:
                check_math(reveal(text, number, front=front))
            except UnsafeMath as exc:
                side = "front" if front else "back"
                return f"{exc} (on the {side} of card {number}, as Anki shows it)"
    return None
