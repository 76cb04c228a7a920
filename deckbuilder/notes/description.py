"""The deck description a colleague sees in Anki: what the deck is and where it came from.

A shared deck should say so itself: the author's description, then each case's title,
source and attribution, the licence when the deck file gives one, and a version — the
deck file's ``version`` or, without one, a short hash of the content, so two copies of a
deck can be told apart.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deckbuilder.content.model import Case, DeckConfig


@dataclass(frozen=True)
class CaseSummary:
    """What the description says of a case (all a build keeps of it after rendering):
    its line, rendered where the case is (in a worker process, for large decks)."""

    id: str
    title: str
    line: str  # HTML: the title, then the source and attribution when given

    @classmethod
    def of(cls, case: Case, title: str, source: str) -> CaseSummary:
        """``title`` and ``source`` are the case's rendered Title and Source fields."""
        from deckbuilder.notes.render import markdown_inline, unwrap_paragraph

        line = f"<strong>{title}</strong>"
        if case.source:
            line += f" — {unwrap_paragraph(source)}"
        if case.attribution:
            line += f" ({markdown_inline(case.attribution)})"
        return cls(case.id, case.title, line)


def deck_description(
    deck: DeckConfig, cases: Sequence[CaseSummary], fingerprints: Iterable[str]
) -> str:
    """HTML for the deck's description field."""
    from deckbuilder import __version__
    from deckbuilder.notes.render import markdown, markdown_inline

    parts: list[str] = []
    if deck.description.strip():
        parts.append(markdown(deck.description))
    # Sorted, so that moving a case to another file changes nothing in colleagues' decks.
    fingerprints = sorted(fingerprints)
    items = [f"<li>{c.line}</li>" for c in sorted(cases, key=lambda c: (c.title, c.id))]
    n = len(cases)
    parts.append(f"<p>{n} case{'s' if n != 1 else ''}, {len(fingerprints)} questions:</p>")
    parts.append('<ul class="db-deck-cases">' + "".join(items) + "</ul>")
    if deck.license:
        parts.append(f"<p>Licence: {markdown_inline(deck.license)}</p>")
    if deck.version:
        version = html.escape(deck.version)
    else:
        digest = hashlib.sha256("".join(fingerprints).encode()).hexdigest()[:10]
        version = f"content {digest}"
    parts.append(f"<p><small>Version {version} · built with deckbuilder {__version__}</small></p>")
    return "\n".join(parts)
