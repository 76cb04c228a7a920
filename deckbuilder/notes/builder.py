"""Stage 2 of a build: turn validated content into Anki notes.

Each question becomes one note. Everything a note holds is computed here — rendered
fields, tags, media, stable ids — together with a fingerprint of all of it, which the
lock compares with the last build to decide whether the note changed. Text shared by the
questions of a case (vignette, discussion, figures, source) is rendered once per case.
"""

from __future__ import annotations

import functools
import hashlib
import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from deckbuilder.content.loader import Content, LoadedCase, resolve_media
from deckbuilder.content.model import DeckConfig, Question
from deckbuilder.errors import ContentError, ContentProblem
from deckbuilder.notes import ids
from deckbuilder.notes.notetype import FIELDS
from deckbuilder.notes.render import markdown, markdown_inline


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

    @cached_property
    def fingerprint(self) -> str:
        """Everything that ends up in the note: fields, tags, media (names are content hashes)."""
        text = "\x1f".join((*self.fields, "\x1e", *self.tags, "\x1e", *self.media))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class BuiltNotes:
    notes: tuple[NoteSpec, ...]
    media: tuple[Media, ...]


class NoteBuilder:
    """Renders cases into notes one case at a time, collecting media and problems.

    :func:`build_notes` renders a whole loaded folder; a build feeds cases in as they
    are read, so only the notes' fingerprints outlive their case.
    """

    def __init__(self, root: Path, deck: DeckConfig) -> None:
        self.root = root
        self.deck = deck
        self.media: dict[str, Media] = {}
        self.problems: list[ContentProblem] = []

    def case_notes(self, loaded: LoadedCase) -> list[NoteSpec]:
        """The notes of one case, in question order."""
        renderer = _CaseRenderer(self.root, loaded)
        shared = renderer.shared()
        tags = _tags(self.deck.tags, loaded.case.tags)
        notes = []
        for i, q in enumerate(loaded.case.questions):
            before = len(renderer.media)
            values = renderer.question(i, q)
            names = tuple(
                dict.fromkeys(
                    [m.name for m in renderer.case_media]
                    + [m.name for m in renderer.media[before:]]
                )
            )
            notes.append(_note(self.deck.id, loaded.case.id, q, {**shared, **values}, tags, names))
        for m in renderer.media:
            self.media.setdefault(m.name, m)
        self.problems.extend(renderer.problems)
        return notes

    def merge(self, media: Iterable[Media], problems: Iterable[ContentProblem]) -> None:
        """Take what another builder (in another process) found for one case."""
        for m in media:
            self.media.setdefault(m.name, m)
        self.problems.extend(problems)

    def media_files(self) -> tuple[Media, ...]:
        return tuple(sorted(self.media.values(), key=lambda m: m.name))

    def finish(self) -> None:
        """Raise :class:`ContentError` for images the Markdown names that cannot be packed."""
        if self.problems:
            raise ContentError(self.problems)


def build_notes(
    content: Content, progress: Callable[[str, int, int], None] | None = None
) -> BuiltNotes:
    """Render every question of every case into a :class:`NoteSpec`."""
    builder = NoteBuilder(content.root, content.deck)
    notes: list[NoteSpec] = []
    for n, loaded in enumerate(content.cases):
        if progress:
            progress("rendering", n, len(content.cases))
        notes.extend(builder.case_notes(loaded))
    builder.finish()
    return BuiltNotes(tuple(notes), builder.media_files())


def _tags(*groups: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for group in groups:
        for tag in group:
            seen.setdefault(tag, None)
    return list(seen)


@functools.lru_cache(maxsize=1024)
def _media_name(path: Path) -> str:
    """Content-derived name of an image; cached for the build, as cases share images."""
    return ids.media_name(path.read_bytes(), path.suffix)


_IMG_SRC = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]*)(")')


class _CaseRenderer:
    """Renders the Markdown of one case, packing the local images it names as media."""

    def __init__(self, root: Path, loaded: LoadedCase) -> None:
        self.root = root
        self.loaded = loaded
        self.media: list[Media] = []
        self.case_media: list[Media] = []
        self.problems: list[ContentProblem] = []

    def _pack(self, path: Path) -> Media:
        m = Media(_media_name(path), path)
        self.media.append(m)
        return m

    def markdown(self, text: str, key: tuple[str | int, ...], inline: bool = False) -> str:
        out = markdown_inline(text) if inline else markdown(text)
        if "<img" not in out:
            return out

        def swap(match: re.Match[str]) -> str:
            src = html.unescape(match.group(2))
            found = resolve_media(self.root, self.loaded.file.parent, src)
            if isinstance(found, str):
                self.problems.append(self.loaded.problem(key, found))
                return match.group(0)
            return match.group(1) + self._pack(found).name + match.group(3)

        return _IMG_SRC.sub(swap, out)

    def shared(self) -> dict[str, str]:
        """The fields every note of the case shares, rendered once."""
        case = self.loaded.case
        start = len(self.media)
        figures: list[str] = []
        for i, (figure, image) in enumerate(zip(case.figures, self.loaded.images, strict=True)):
            caption = self.markdown(figure.caption, ("figures", i, "caption"))
            img = ""
            if image is not None:
                alt = html.escape(_plain(figure.caption)[:200], quote=True)
                img = f'<img src="{self._pack(image).name}" alt="{alt}">'
            figures.append(
                f'<figure class="db-figure">{img}<figcaption>{caption}</figcaption></figure>'
            )
        values = {
            "Case": self.markdown(case.case, ("case",)),
            "Discussion": self.markdown(case.discussion, ("discussion",))
            if case.discussion
            else "",
            "Figures": "\n".join(figures),
            "Source": self.markdown(case.source, ("source",)) if case.source else "",
            "Title": self.markdown(case.title, ("title",), inline=True),
        }
        self.case_media = self.media[start:]
        return values

    def question(self, index: int, q: Question) -> dict[str, str]:
        key: tuple[str | int, ...] = ("questions", index)
        items = []
        for letter, text in q.options.items():
            option = self.markdown(text, (*key, "options", letter), inline=True)
            items.append(
                f'<li class="db-option" data-letter="{letter}">'
                f'<button type="button" class="db-choice tappable" data-letter="{letter}" '
                f'aria-pressed="false"><span class="db-letter">{letter}</span> '
                f'<span class="db-option-text">{option}</span></button></li>'
            )
        return {
            "Question": self.markdown(q.question, (*key, "question")),
            "Options": '<ol class="db-options">' + "".join(items) + "</ol>",
            "Answer": q.answer,
            "Critique": self.markdown(q.critique, (*key, "critique")),
        }


def _plain(text: str) -> str:
    return " ".join(text.replace("*", "").replace("_", " ").split())


def _note(
    deck_key: str,
    case_key: str,
    q: Question,
    values: dict[str, str],
    tags: list[str],
    media: tuple[str, ...],
) -> NoteSpec:
    ref = f"{case_key}/{q.id}"
    values = {**values, "Ref": ref}
    return NoteSpec(
        ref=ref,
        guid=ids.note_guid(deck_key, case_key, q.id),
        note_id=ids.note_id(deck_key, case_key, q.id),
        card_id=ids.card_id(deck_key, case_key, q.id, 0),
        fields=tuple(values[name] for name in FIELDS),
        tags=tuple(_tags(tags, q.tags)),
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
