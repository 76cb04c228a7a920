"""The deck description a colleague sees in Anki: what the deck is and where it came from.

A shared deck should say so itself: the author's description, then each case's title,
source and attribution, the licence when the deck file gives one, and a version — the
deck file's ``version`` or, without one, a short hash of the content, so two copies of a
deck can be told apart.

Anki shows the description as HTML in the deck overview, outside any card, so it may
hold no image at all (a remote one would be fetched by every colleague; a local one is
not a note's media, and Anki's "Check Media" would delete it) and no remote address:
links are written out as text, "label (address)".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from deckbuilder.content.loader import Source
from deckbuilder.content.model import Deck
from deckbuilder.errors import Problems
from deckbuilder.notes.mathcheck import UnsafeMath, check_math
from deckbuilder.notes.render import UnsafeText, markdown, markdown_inline, plain, unlinked
from deckbuilder.notes.spec import CaseSummary

_NO_IMAGES = "images are not allowed in the deck description; describe the deck in words"


@dataclass(frozen=True)
class DeckTexts:
    """The deck file's own texts, rendered (and checked) once, before any case."""

    description: str
    licence: str

    @classmethod
    def render(cls, deck: Deck, source: Source, problems: Problems) -> DeckTexts:
        """The texts, with the problems found in them added to ``problems`` (a text
        with a problem is left empty)."""

        def render(text: str, key: str, inline: bool) -> str:
            try:
                out = markdown_inline(text) if inline else markdown(text)
            except UnsafeText as exc:
                problems.add(source.locator()((key,), str(exc)))
                return ""
            if "<img" in out:
                problems.add(source.locator()((key,), _NO_IMAGES))
            return unlinked(out)

        description = render(deck.description, "description", False)
        licence = render(deck.license, "license", True) if deck.license else ""
        try:
            check_math(plain(deck.version or ""))
        except UnsafeMath as exc:
            problems.add(source.locator()(("version",), str(exc)))
        return cls(description, licence)


def deck_fingerprint(name: str, description: str) -> str:
    """What an update of the deck changes in colleagues' collections: its name and
    description (also computed from a package, to recover a lost lock)."""
    data = json.dumps([name, description], ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:32]


def deck_description(
    deck: Deck,
    texts: DeckTexts,
    cases: Sequence[CaseSummary],
    fingerprints: Iterable[str],
    counts: Mapping[str, int],
) -> str:
    """HTML for the deck's description field; ``counts``: the notes of each kind."""
    from deckbuilder import __version__
    from deckbuilder.notes.kinds import KINDS

    parts: list[str] = []
    if deck.description.strip():
        parts.append(texts.description)
    # Sorted, so that moving a case to another file changes nothing in colleagues' decks.
    fingerprints = sorted(fingerprints)
    items = [f"<li>{unlinked(c.line)}</li>" for c in sorted(cases, key=lambda c: (c.title, c.id))]
    counted = [f"{len(cases)} case{'s' if len(cases) != 1 else ''}"]
    for kind in KINDS:
        n = counts.get(kind.name, 0)
        if n or kind.always:
            counted.append(f"{n} {kind.noun}{'s' if n != 1 else ''}")
    parts.append(f"<p>{', '.join(counted)}:</p>")
    parts.append('<ul class="db-deck-cases">' + "".join(items) + "</ul>")
    if deck.license:
        parts.append(f"<p>Licence: {texts.licence}</p>")
    if deck.version:
        version = plain(deck.version)
    else:
        digest = hashlib.sha256("".join(fingerprints).encode()).hexdigest()[:10]
        version = f"content {digest}"
    parts.append(f"<p><small>Version {version} · built with deckbuilder {__version__}</small></p>")
    return "\n".join(parts)
