"""Stage 2 of a build: turn validated content into Anki notes.

Each question becomes one note. Everything a note holds is computed here — rendered
fields, tags, media, stable ids — together with a fingerprint of all of it, which the
lock compares with the last build to decide whether the note changed. Text shared by the
questions of a case (vignette, discussion, figures, source) is rendered once per case.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass
from pathlib import Path

from deckbuilder import ids
from deckbuilder.load import Content, LoadedCase
from deckbuilder.notetype import FIELDS
from deckbuilder.render import markdown, markdown_inline
from deckbuilder.structure import Question


@dataclass(frozen=True)
class Media:
    """A media file packed into the deck under a content-derived name."""

    name: str
    source: Path


@dataclass(frozen=True)
class NoteSpec:
    """One note as it will be written, minus its modification time (the lock decides)."""

    ref: str  # "case-id/question-id"
    guid: str
    note_id: int
    card_id: int
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    media: tuple[str, ...]

    @property
    def fingerprint(self) -> str:
        """Everything that ends up in the note: fields, tags, media (names are content hashes)."""
        h = hashlib.sha256()
        for part in (*self.fields, "\x1e", *self.tags, "\x1e", *self.media):
            h.update(part.encode("utf-8"))
            h.update(b"\x1f")
        return h.hexdigest()[:32]


@dataclass(frozen=True)
class BuiltNotes:
    notes: tuple[NoteSpec, ...]
    media: tuple[Media, ...]


def build_notes(content: Content) -> BuiltNotes:
    """Render every question of every case into a :class:`NoteSpec`."""
    deck_key = content.deck.id
    notes: list[NoteSpec] = []
    media: dict[str, Media] = {}
    for loaded in content.cases:
        shared, case_media = _render_case(loaded)
        for m in case_media:
            media.setdefault(m.name, m)
        tags = _tags(content.deck.tags, loaded.case.tags)
        for q in loaded.case.questions:
            notes.append(
                _note(deck_key, loaded, q, shared, tags, tuple(m.name for m in case_media))
            )
    return BuiltNotes(tuple(notes), tuple(sorted(media.values(), key=lambda m: m.name)))


def _tags(*groups: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for group in groups:
        for tag in group:
            seen.setdefault(tag, None)
    return list(seen)


def _render_case(loaded: LoadedCase) -> tuple[dict[str, str], list[Media]]:
    case = loaded.case
    media: list[Media] = []
    figures: list[str] = []
    for figure, image in zip(case.figures, loaded.images, strict=True):
        caption = markdown(figure.caption)
        if image is None:
            figures.append(f'<figure class="db-figure"><figcaption>{caption}</figcaption></figure>')
            continue
        name = ids.media_name(image.read_bytes(), image.suffix)
        media.append(Media(name, image))
        alt = html.escape(_plain(figure.caption)[:200], quote=True)
        figures.append(
            f'<figure class="db-figure"><img src="{name}" alt="{alt}">'
            f"<figcaption>{caption}</figcaption></figure>"
        )
    shared = {
        "Case": markdown(case.case),
        "Discussion": markdown(case.discussion) if case.discussion else "",
        "Figures": "\n".join(figures),
        "Source": markdown(case.source) if case.source else "",
        "Title": markdown_inline(case.title),
    }
    return shared, media


def _plain(text: str) -> str:
    return " ".join(text.replace("*", "").replace("_", " ").split())


def render_options(question: Question) -> str:
    """The options as a list of buttons, lettered, with nothing that marks the answer."""
    items = []
    for letter, text in question.options.items():
        items.append(
            f'<li class="db-option" data-letter="{letter}">'
            f'<button type="button" class="db-choice tappable" data-letter="{letter}" '
            f'aria-pressed="false"><span class="db-letter">{letter}</span> '
            f'<span class="db-option-text">{markdown_inline(text)}</span></button></li>'
        )
    return '<ol class="db-options">' + "".join(items) + "</ol>"


def _note(
    deck_key: str,
    loaded: LoadedCase,
    q: Question,
    shared: dict[str, str],
    case_tags: list[str],
    media: tuple[str, ...],
) -> NoteSpec:
    case_key = loaded.case.id
    values = {
        **shared,
        "Question": markdown(q.question),
        "Options": render_options(q),
        "Answer": q.answer,
        "Critique": markdown(q.critique),
        "Ref": f"{case_key}/{q.id}",
    }
    return NoteSpec(
        ref=f"{case_key}/{q.id}",
        guid=ids.note_guid(deck_key, case_key, q.id),
        note_id=ids.note_id(deck_key, case_key, q.id),
        card_id=ids.card_id(deck_key, case_key, q.id, 0),
        fields=tuple(values[name] for name in FIELDS),
        tags=tuple(_tags(case_tags, q.tags)),
        media=media,
    )


RETIRED_TAG = "retired"


def retired_note(deck_key: str, ref: str) -> NoteSpec:
    """The stand-in for a question deleted from the content.

    Anki never deletes notes on import, so a deleted question would linger unnoticed in
    every colleague's collection. The build carries it on under the same GUID, tagged
    ``retired`` and saying so on the card, until the author drops it for good
    (``build --drop-retired``). Its text is replaced by the notice: the lock keeps
    fingerprints, not copies of the content.
    """
    case_key, _, question_key = ref.partition("/")
    notice = (
        "<p><strong>Retired question.</strong> The deck's author removed this question "
        f"(<code>{html.escape(ref)}</code>). Delete it: in the Browse window search "
        "<code>tag:retired</code>, select all and delete.</p>"
    )
    values = {name: "" for name in FIELDS}
    values.update(Question=notice, Ref=ref, Options='<ol class="db-options"></ol>')
    return NoteSpec(
        ref=ref,
        guid=ids.note_guid(deck_key, case_key, question_key),
        note_id=ids.note_id(deck_key, case_key, question_key),
        card_id=ids.card_id(deck_key, case_key, question_key, 0),
        fields=tuple(values[name] for name in FIELDS),
        tags=(RETIRED_TAG,),
        media=(),
    )
