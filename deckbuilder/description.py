"""The deck description a colleague sees in Anki: what the deck is and where it came from.

A shared deck should say so itself: the author's description, then each case's title,
source and attribution, the licence when the deck file gives one, and a version — the
deck file's ``version`` or, without one, a short hash of the content, so two copies of a
deck can be told apart.
"""

from __future__ import annotations

import hashlib
import html
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deckbuilder.load import Content
    from deckbuilder.notes import BuiltNotes


def deck_description(content: Content, built: BuiltNotes) -> str:
    """HTML for the deck's description field."""
    from deckbuilder import __version__
    from deckbuilder.render import markdown, markdown_inline

    deck = content.deck
    parts: list[str] = []
    if deck.description.strip():
        parts.append(markdown(deck.description))
    items = []
    # Sorted, so that moving a case to another file changes nothing in colleagues' decks.
    for case in sorted((c.case for c in content.cases), key=lambda c: (c.title, c.id)):
        line = f"<strong>{markdown_inline(case.title)}</strong>"
        if case.source:
            line += f" — {markdown_inline(case.source)}"
        if case.attribution:
            line += f" ({markdown_inline(case.attribution)})"
        items.append(f"<li>{line}</li>")
    n = len(content.cases)
    parts.append(f"<p>{n} case{'s' if n != 1 else ''}, {len(built.notes)} questions:</p>")
    parts.append('<ul class="db-deck-cases">' + "".join(items) + "</ul>")
    if deck.license:
        parts.append(f"<p>Licence: {markdown_inline(deck.license)}</p>")
    version = html.escape(deck.version) if deck.version else f"content {_content_hash(built)}"
    parts.append(f"<p><small>Version {version} · built with deckbuilder {__version__}</small></p>")
    return "\n".join(parts)


def _content_hash(built: BuiltNotes) -> str:
    h = hashlib.sha256()
    for fingerprint in sorted(note.fingerprint for note in built.notes):  # order-free
        h.update(fingerprint.encode())
    return h.hexdigest()[:10]
