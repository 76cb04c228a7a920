"""The live preview's state: the content folder rendered, card by card, and the updates
from one rendering to the next.

Each rendering reads the folder as ``build`` does (:class:`~deckbuilder.pipeline.source.
FolderSource` with the render cache, so only the cases changed since are rendered
again), then makes the page's section of each card whose note's fingerprint changed,
with the static preview's own markup (:func:`~deckbuilder.authoring.preview.
card_section`). A rendering that finds problems keeps the last good cards and reports
the problems with them; the page shows both.
"""

from __future__ import annotations

import html
import threading
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING, Any

from deckbuilder.errors import ContentProblem

if TYPE_CHECKING:
    from deckbuilder.content.media import Media
    from deckbuilder.notes.spec import CaseNotes, NoteSpec
    from deckbuilder.pipeline.cache import Memory

HISTORY = 64  # updates kept for a page that reconnects; an older page reloads
FRAME_PATH = "/frame.html"
FRAME = f' src="{FRAME_PATH}"'


@dataclass(frozen=True)
class Update:
    """What changed on the page from one version to the next."""

    version: int
    title: str
    order: tuple[str, ...] | None  # every card's ref, in page order; None: unchanged
    cards: dict[str, str]  # the section of each new or changed card, by ref
    errors: tuple[ContentProblem, ...]
    removed: tuple[str, ...] = ()  # the refs of the cards gone

    def json(self) -> str:
        """The update as the page's script reads it (``live.js``)."""
        from deckbuilder.authoring.preview import script_json

        return script_json(
            {
                "version": self.version,
                "title": self.title,
                "order": list(self.order) if self.order is not None else None,
                "cards": self.cards,
                "errors": [_problem(p) for p in self.errors],
            }
        )


@dataclass
class Rendering:
    """One rendering of the folder: its notes (all of them, or the valid cases' when
    there are problems), its media, the deck's name and the problems."""

    notes: list[NoteSpec] = field(default_factory=list)
    media: dict[str, Media] = field(default_factory=dict)
    title: str = ""
    problems: list[ContentProblem] = field(default_factory=list)


def render_folder(root: Path, memory: Memory | None = None) -> Rendering:
    """Read and render ``root`` as a build does, through the render cache (and
    ``memory``, its entries kept in this process); problems are returned, never raised."""
    from deckbuilder.errors import ContentError, DeckbuilderError, display_path
    from deckbuilder.pipeline.source import FolderSource

    out = Rendering()
    cases: list[CaseNotes] = []
    try:
        source = FolderSource(root, cache=True, memory=memory)
        out.title = source.deck.name
        for case in source.cases():
            cases.append(case)
        source.finish()
    except ContentError as exc:
        out.problems = list(exc.problems)
    except (DeckbuilderError, OSError) as exc:
        out.problems = [ContentProblem(display_path(root), message=str(exc))]
    out.notes = [note for case in cases for note in case.notes]
    out.media = {m.name: m for case in cases for m in case.media}
    return out


class LiveDeck:
    """The page's state, updated by :meth:`refresh` (one thread: the watcher) and read by
    the server's threads, which wait for updates with :meth:`updates_after`."""

    def __init__(self, root: Path) -> None:
        from deckbuilder.authoring.preview import side_document
        from deckbuilder.notes.notetype import MCQ

        self.root = Path(root)
        self.changed = threading.Condition()
        self.version = 0
        self.title = ""
        self.sections: dict[str, str] = {}  # card ref -> its section, in page order
        self.media: dict[str, Media] = {}
        self.errors: tuple[ContentProblem, ...] = ()
        self.history: deque[Update] = deque(maxlen=HISTORY)
        self.stopping = False
        self._notes: dict[str, tuple[str, list[tuple[str, str]]]] = {}  # by note ref
        self._good = False  # whether the cards shown are a whole deck's
        # Every card's frame loads the one empty side document the server serves
        # (the static page repeats it in each frame's srcdoc: CSS and all, per card).
        self.frame_document = side_document("", MCQ.look().css)
        from deckbuilder.pipeline.cache import Memory

        self._memory = Memory()  # rendered cases and file digests, across renderings

    def refresh(self) -> Update | None:
        """Render the folder again and publish what changed (None: nothing did)."""
        rendering = render_folder(self.root, self._memory)
        with self.changed:
            update = self._apply(rendering)
            if update is not None:
                self.history.append(update)
                self.changed.notify_all()
            return update

    def _apply(self, rendering: Rendering) -> Update | None:
        errors = tuple(rendering.problems)
        keep = bool(errors) and self._good  # the last good cards stay under the errors
        sections: dict[str, str] = self.sections
        cards: dict[str, str] = {}
        if not keep:
            sections, cards = self._sections(rendering.notes)
            self.media = rendering.media
            self._good = not errors
        title = rendering.title or self.title
        if sections == self.sections and errors == self.errors and title == self.title:
            return None
        self.version += 1
        removed = tuple(ref for ref in self.sections if ref not in sections)
        order = tuple(sections) if list(sections) != list(self.sections) else None
        self.sections, self.errors, self.title = sections, errors, title
        return Update(self.version, title, order, cards, errors, removed)

    def _sections(self, notes: list[NoteSpec]) -> tuple[dict[str, str], dict[str, str]]:
        """Every card's section, in order, and those new or changed since."""
        from deckbuilder.authoring.preview import card_section, card_sides

        known = self._notes
        fresh = [n for n in notes if known.get(n.ref, ("",))[0] != n.fingerprint]
        sides = iter(card_sides(fresh))
        made = {
            n.ref: (
                n.fingerprint,
                [(s.ref, card_section(s, FRAME)) for s in (next(sides) for _ in n.cards)],
            )
            for n in fresh
        }
        self._notes = {n.ref: made.get(n.ref) or known[n.ref] for n in notes}
        sections = {ref: section for n in notes for ref, section in self._notes[n.ref][1]}
        cards = {ref: s for ref, s in sections.items() if self.sections.get(ref) != s}
        return sections, cards

    def updates_after(self, version: int, timeout: float) -> list[Update] | None:
        """The updates after ``version``, waiting up to ``timeout`` seconds for one
        (an empty list: none came); None when some are no longer kept (reload)."""
        with self.changed:
            if self.version == version and not self.stopping:
                self.changed.wait(timeout)
            if self.version == version:
                return []
            kept = [u for u in self.history if u.version > version]
            if version > self.version or not kept or kept[0].version != version + 1:
                return None
            return kept

    def stop(self) -> None:
        with self.changed:
            self.stopping = True
            self.changed.notify_all()

    def page(self) -> str:
        """The whole page, at the current version."""
        from deckbuilder.authoring.preview import page_file, script_json, shared_scripts

        with self.changed:
            version, title, sections, errors = (
                self.version,
                self.title,
                list(self.sections.values()),
                self.errors,
            )
        state = script_json(
            {"version": version, "errors": [_problem(p) for p in errors], "title": title}
        )
        return Template(page_file("preview.html")).substitute(
            title=html.escape(title),
            count=len(sections),
            style=page_file("preview.css") + page_file("live.css"),
            script=f"var deckbuilderLive = {state};\n"
            + shared_scripts()
            + page_file("preview.js")
            + page_file("live.js"),
            cards=_errors_box(errors) + "\n".join(sections),
        )


def _problem(p: ContentProblem) -> dict[str, Any]:
    where = p.file + "".join(f":{n}" for n in (p.line, p.column) if n is not None)
    return {"where": where, "key": p.key, "message": p.message}


def _errors_box(errors: tuple[ContentProblem, ...]) -> str:
    """The problems, above the cards (``live.js`` keeps it up to date)."""
    items = "".join(
        f"<li><code>{html.escape(p['where'])}</code> "
        f"{html.escape(p['key'] + ': ' if p['key'] else '')}{html.escape(p['message'])}</li>"
        for p in map(_problem, errors)
    )
    hidden = "" if errors else " hidden"
    return (
        f'<div class="pv-errors" role="alert"{hidden}><p>Problems in the content; the cards '
        f"below are the last good ones.</p><ul>{items}</ul></div>"
    )
