"""Stage 2 of a build: turn validated cases into Anki notes.

Each question becomes one note. Everything a note holds is computed here — rendered
fields, tags, media, stable ids — together with a fingerprint of all of it, which the
build state compares with the last build to decide whether the note changed. Text shared
by the questions of a case (vignette, discussion, figures, source) is rendered once per
case. Every text reaches a field through :mod:`deckbuilder.notes.render`; values shown
as they are (refs, letters) are escaped.

Over 300 lines: one renderer per case, whose question, figure and option rendering share
its media and problem state; facts are rendered in :mod:`.facts`.
"""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from deckbuilder.content.identifiers import case_warnings
from deckbuilder.content.loader import LoadedCase, Source
from deckbuilder.content.media import Media, MediaFiles, local_reference
from deckbuilder.content.model import Case, Deck, Question
from deckbuilder.errors import ContentProblem, KeyPath, Problems
from deckbuilder.notes import provenance
from deckbuilder.notes.kinds import KINDS
from deckbuilder.notes.render import UnsafeText, markdown, markdown_inline, plain
from deckbuilder.notes.spec import CaseNotes, CaseSummary

MAX_PROBLEMS_PER_CASE = 100

# Options that must stay where the author put them when the others are shuffled.
_PINNED_TEXT = re.compile(r"^[\s*_]*(?:all of|all the above|none of|both|neither)\b", re.IGNORECASE)
# A question that already tells the learner to select all that apply.
_SAYS_SELECT_ALL = re.compile(r"\b(?:select|choose|tick|mark) all\b", re.IGNORECASE)
# A text naming an option by its letter: "option C", "answer is C", "(C)".
LETTER_REFERENCE = re.compile(
    r"\b(?i:options?|answers?|choices?)\s+(?i:is\s+|are\s+)?\(?[A-Z]\)?(?![\w-])|\([A-Z]\)"
)


def pinned_options(q: Question) -> set[str]:
    """The options that keep their place in a shuffle: those the author pins, and those
    whose text only makes sense where it stands ("All of the above", "None of these",
    "Both A and B", "Neither")."""
    return set(q.pin) | {letter for letter, text in q.options.items() if _PINNED_TEXT.match(text)}


class NoteBuilder:
    """Renders cases into notes one case at a time.

    Holds the build's :class:`MediaFiles` (each image read once per build). A build
    feeds cases in as they are read, so only the notes' fingerprints outlive their case.
    """

    def __init__(self, deck: Deck, media: MediaFiles) -> None:
        self.deck = deck
        self.media = media

    def case_notes(self, loaded: LoadedCase, problems: Problems) -> CaseNotes | None:
        """The notes of one case, in question order; None if it has problems (added to
        ``problems``: the first :data:`MAX_PROBLEMS_PER_CASE`, then a line counting the
        others)."""
        label = loaded.source.label
        found = Problems(
            MAX_PROBLEMS_PER_CASE,
            lambda more: ContentProblem(label, message=f"and {more:,} more problems in this case"),
        )
        renderer = CaseRenderer(self.media, loaded, found)
        for i, figure in enumerate(loaded.case.figures):
            missing = provenance.missing_license(figure, self.deck)
            if missing:
                renderer.problem(("figures", i), missing)
        shared = renderer.shared()
        tags = merged_tags(self.deck.tags, loaded.case.tags)
        notes = [n for kind in KINDS for n in kind.notes(renderer, self.deck, shared, tags)]
        summary = renderer.summary(shared)
        if found:
            problems.extend(found)
            return None
        media = list({m.name: m for m in renderer.used}.values())
        due = provenance.review_due(loaded.case, self.deck, datetime.date.today())
        if due:
            renderer.warn(("reviewed",), due)
        warnings = [
            *loaded.warnings,
            *renderer.warnings,
            *case_warnings(loaded.case, self.deck, loaded.source.text_locator),
        ]
        return CaseNotes(loaded.case.id, notes, media, summary, warnings, renderer.notices)


def merged_tags(*groups: Iterable[str]) -> list[str]:
    """The tags of every group, in order, each once."""
    seen: dict[str, None] = {}
    for group in groups:
        for tag in group:
            seen.setdefault(tag, None)
    return list(seen)


_IMG = re.compile(r"<img\b[^>]*>")
_SRC = re.compile(r'(\bsrc=")([^"]*)(")')


@dataclass
class CaseRenderer:
    """Renders the Markdown of one case, packing the local images it names as media."""

    files: MediaFiles
    loaded: LoadedCase
    problems: Problems  # this case's, capped
    used: list[Media] = field(default_factory=list)
    shared_media: int = 0
    warnings: list[ContentProblem] = field(default_factory=list)
    notices: list[ContentProblem] = field(default_factory=list)
    source_line: str = ""  # the rendered source alone, for the deck description
    vignette: str = ""  # the rendered case text alone, without its figures
    _locate: Callable[[KeyPath, str], ContentProblem] | None = None

    @property
    def source(self) -> Source:
        return self.loaded.source

    def problem(self, key: KeyPath, message: str) -> None:
        self.problems.add(self._located(key, message))

    def warn(self, key: KeyPath, message: str, *, notice: bool = False) -> None:
        """Something the author should look at, which does not stop the build (a notice
        is only information: it never fails ``check --strict``)."""
        kept = self.notices if notice else self.warnings
        if len(kept) < MAX_PROBLEMS_PER_CASE:
            kept.append(self._located(key, message))

    def _located(self, key: KeyPath, message: str) -> ContentProblem:
        """The problem placed in the case's file, parsed again on the first only."""
        if self._locate is None:
            self._locate = self.source.locator()
        return self._locate(key, message)

    def _pack(self, path: Path, given: str, key: KeyPath) -> str | None:
        packed = self.files.pack(path, given)
        if isinstance(packed, str):
            self.problem(key, packed)
            return None
        self.used.append(packed)
        if packed.removed:
            self.warn(
                key,
                f"the deck's copy of {given!r} leaves out {', '.join(packed.removed)}",
                notice=True,
            )
        return packed.name

    def markdown(
        self, text: str, key: KeyPath, *, inline: bool = False, images: bool = True
    ) -> str:
        try:
            out = markdown_inline(text) if inline else markdown(text)
        except UnsafeText as exc:
            self.problem(key, str(exc))
            return ""
        if "<img" not in out:
            return out
        if not images:
            self.problem(
                key,
                "images are not allowed here (the deck description shows this text); "
                "put figures in the case's 'figures'",
            )
            return out

        def swap(img: re.Match[str]) -> str:
            src = _SRC.search(img.group())
            if src is None:
                return img.group()
            given = local_reference(html.unescape(src.group(2)))
            base = self.source.base
            found = (
                self.files.resolve(base, given)
                if base is not None
                else (
                    f"image {given!r}: a case given as Python objects has no folder to "
                    "find images in; give it through its figures"
                )
            )
            name = None if isinstance(found, str) else self._pack(found, given, key)
            if isinstance(found, str):
                self.problem(key, found)
            if name is None:
                return ""
            return img.group()[: src.start(2)] + name + img.group()[src.end(2) :]

        return _IMG.sub(swap, out)

    def shared(self) -> dict[str, str]:
        """The fields every note of the case shares, rendered once. Figures shown with
        the case go into its Case field (front and back); ``reveal: back`` ones into
        Figures, which only the back shows — so they are not even in the front's page."""
        case = self.loaded.case
        sides: dict[str, list[str]] = {"front": [], "back": []}
        for i, (figure, image) in enumerate(zip(case.figures, self.loaded.images, strict=True)):
            credit = ""
            if figure.attribution or figure.license:
                attribution = (
                    self.markdown(
                        figure.attribution, ("figures", i, "attribution"), inline=True, images=False
                    )
                    if figure.attribution
                    else ""
                )
                credit = provenance.figure_credit(figure, attribution)
            sides[figure.reveal].append(self.figure(i, figure.caption, figure.image, image, credit))
        vignette = self.markdown(case.case, ("case",))
        self.vignette = vignette
        if sides["front"]:
            vignette += '\n<div class="db-case-figures">' + "\n".join(sides["front"]) + "</div>"
        if case.source:
            self.source_line = self.markdown(case.source, ("source",), images=False)
        evidence = (
            self.markdown(case.evidence, ("evidence",), inline=True, images=False)
            if case.evidence
            else ""
        )
        values = {
            "Case": vignette,
            "Discussion": self.markdown(case.discussion, ("discussion",))
            if case.discussion
            else "",
            "Figures": "\n".join(sides["back"]),
            "Source": self.source_line + provenance.provenance_line(case, evidence),
            "Title": self.markdown(case.title, ("title",), inline=True, images=False),
        }
        self.shared_media = len(self.used)
        return values

    def note_media(self, before: int) -> tuple[str, ...]:
        """The media of one note: the case's shared ones, then those rendered for the
        note since ``before`` (``len(self.used)`` when its rendering began)."""
        used = [*self.used[: self.shared_media], *self.used[before:]]
        return tuple(dict.fromkeys(m.name for m in used))

    def figure(
        self,
        index: int,
        caption_text: str,
        given: str | None,
        image: Path | None,
        credit: str = "",
    ) -> str:
        """A figure: its image (a button that shows it full screen), its caption and the
        image's credit."""
        caption = self.markdown(caption_text, ("figures", index, "caption"))
        img = ""
        if image is not None:
            name = self._pack(image, given or "", ("figures", index, "image"))
            alt = plain(_plain(caption_text)[:200])
            if name:
                img = (
                    '<button type="button" class="db-zoom tappable" aria-label="Enlarge">'
                    f'<img src="{name}" alt="{alt}"></button>'
                )
        return f'<figure class="db-figure">{img}<figcaption>{caption}{credit}</figcaption></figure>'

    def question(
        self, index: int, q: Question, shuffle: bool, reveal: bool = False
    ) -> dict[str, str]:
        """The fields of a multiple-choice question. ``reveal`` (the deck's
        ``reveal_on_tap``) marks a single-answer question's options so that a tap shows
        the answer; the mark is on the front, so it never tells the answer."""
        key: KeyPath = ("questions", index)
        pinned = pinned_options(q)
        shuffled = shuffle and len(pinned) < len(q.options) - 1
        if shuffled:
            for letter in sorted(pinned - set(q.pin)):
                text = _plain(q.options[letter])[:40]
                self.warn(
                    (*key, "options", letter),
                    f"stays in place when the options are shuffled ({text!r})",
                    notice=True,
                )
        items = []
        for letter, text in q.options.items():
            option = self.markdown(text, (*key, "options", letter), inline=True)
            pin = ' data-pin="1"' if shuffled and letter in pinned else ""
            items.append(
                f'<li class="db-option" data-letter="{letter}"{pin}>'
                f'<button type="button" class="db-choice tappable" data-letter="{letter}" '
                f'aria-pressed="false"><span class="db-letter">{letter}</span> '
                f'<span class="db-option-text">{option}</span></button></li>'
            )
        attributes = (
            (' data-shuffle="1"' if shuffled else "")
            + (' data-select="all"' if q.select_all else "")
            + (' data-reveal="tap"' if reveal and not q.select_all else "")
        )
        options = f'<ol class="db-options"{attributes}>' + "".join(items) + "</ol>"
        if q.select_all and not _SAYS_SELECT_ALL.search(q.question):
            options = '<p class="db-select-all">Select all that apply.</p>' + options
        critique = self.markdown(q.critique, (*key, "critique"))
        if q.explanations:
            critique += self.explanations(key, q)
        if shuffled:
            self._letter_references(key, q)
        return {
            "Question": self.markdown(q.question, (*key, "question")),
            "Options": options,
            "Answer": plain(", ".join(q.answers)),
            "Critique": critique,
        }

    def explanations(self, key: KeyPath, q: Question) -> str:
        """Each option's explanation, in option order: the back's script puts each under
        its option; without script they follow the critique, labelled by letter."""
        parts = []
        for letter in q.options:
            if letter in q.explanations:
                text = self.markdown(q.explanations[letter], (*key, "explanations", letter))
                parts.append(
                    f'<dt data-letter="{letter}">{letter}</dt>'
                    f'<dd data-letter="{letter}">{text}</dd>'
                )
        return '\n<dl class="db-explanations">' + "".join(parts) + "</dl>"

    def _letter_references(self, key: KeyPath, q: Question) -> None:
        """Warn when a shuffled question's texts name options by letter: the learner
        sees other letters than the author wrote."""
        texts = [("critique", q.critique)] + [
            (f"explanations.{letter}", text) for letter, text in q.explanations.items()
        ]
        for where, text in texts:
            found = LETTER_REFERENCE.search(text)
            if found:
                self.warn(
                    (*key, *where.split(".")),
                    f"refers to an option by its letter ({found.group().strip()!r}) but the "
                    "options are shuffled, so the learner sees other letters; name the "
                    "option by its text, or set 'shuffle: false' on this question",
                )

    def summary(self, shared: dict[str, str]) -> CaseSummary:
        """The case's line in the deck description: its rendered Title and Source, and
        its attribution (no images in any of them)."""
        from deckbuilder.notes.render import unwrap_paragraph

        case: Case = self.loaded.case
        line = f"<strong>{shared['Title']}</strong>"
        if case.source:
            line += f" — {unwrap_paragraph(self.source_line)}"
        if case.attribution:
            attribution = self.markdown(
                case.attribution, ("attribution",), inline=True, images=False
            )
            line += f" ({attribution})"
        return CaseSummary(case.id, case.title, line)


def _plain(text: str) -> str:
    return " ".join(text.replace("*", "").replace("_", " ").split())


def build_notes(deck: Deck, cases: Iterable[LoadedCase], media: MediaFiles) -> list[CaseNotes]:
    """Render every case; raise :class:`ContentError` listing every problem."""
    builder = NoteBuilder(deck, media)
    problems = Problems()
    out = [n for loaded in cases if (n := builder.case_notes(loaded, problems)) is not None]
    problems.raise_if_any()
    return out
