"""How current a case is, said on its back, and when it is due for review again.

A shared deck outlives its author's attention while guidelines change. A case may say
when it was last checked (``reviewed``), against what (``evidence``) and how often it
should be (``review_every``, or the deck's); the back shows the first two in small print
under the source, and ``check`` warns once the case is due. The line goes into the
existing Source field's HTML, not a field of its own: the note types' fields are a
contract with colleagues' collections.
"""

from __future__ import annotations

import datetime
import html

from deckbuilder.content.model import Case, Deck, Figure


def provenance_line(case: Case, evidence_html: str) -> str:
    """The small print for the back ("Reviewed 2026-03; evidence: ESMO 2024"), or ""."""
    parts = []
    if case.reviewed:
        parts.append(f"Reviewed {case.reviewed[:7]}")
    if evidence_html:
        parts.append(f"{'evidence' if parts else 'Evidence'}: {evidence_html}")
    if not parts:
        return ""
    return f'<p class="db-provenance"><small>{"; ".join(parts)}</small></p>'


def figure_credit(figure: Figure, attribution_html: str) -> str:
    """The credit shown under a figure's caption ("Image: A. Author, CC BY 4.0"), or ""."""
    parts = [p for p in (attribution_html, html.escape(figure.license or "")) if p]
    if not parts:
        return ""
    return f'<small class="db-figure-credit">Image: {", ".join(parts)}</small>'


def due(reviewed: str, every: str) -> datetime.date:
    """The day a case reviewed on ``reviewed`` (YYYY-MM-DD) is due again, ``every``
    being years or months ("2y", "18m"); the 29th of February becomes the 28th."""
    day = datetime.date.fromisoformat(reviewed)
    n, unit = int(every[:-1]), every[-1]
    months = day.month - 1 + (n * 12 if unit == "y" else n)
    year, month = day.year + months // 12, months % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("every month has a 28th")


def review_due(case: Case, deck: Deck, today: datetime.date) -> str | None:
    """Why the case is due for review on ``today``, or None (no date, no period, or not
    yet)."""
    every = case.review_every or deck.review_every
    if not case.reviewed or not every:
        return None
    when = due(case.reviewed, every)
    if when > today:
        return None
    source = "its" if case.review_every else "the deck's"
    return (
        f"the case was due for review on {when.isoformat()} (reviewed {case.reviewed}, "
        f"{source} review_every: {every}); check it against current evidence, then update "
        "'reviewed' (and 'evidence')"
    )


def missing_license(figure: Figure, deck: Deck) -> str | None:
    """Why a figure needs its own licence and attribution, or None: a deck that declares
    a licence passes it on, so each image's terms and author must be known and shown."""
    if not deck.license or not figure.image:
        return None
    missing = " and ".join(repr(k) for k in ("license", "attribution") if not getattr(figure, k))
    if not missing:
        return None
    return (
        f"the deck declares the license {deck.license!r}, so each image needs its own "
        f"'license' and 'attribution' (shown with the figure); add {missing}"
    )
