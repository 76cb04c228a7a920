"""``deckbuilder preview``: every card, front and back, as a static HTML page.

A colleague without Anki reviews the deck in a browser. Cards are rendered through the
same templates, CSS and script as in Anki, with a small renderer for the part of Anki's
template language the templates use (``{{Field}}``, ``{{text:Field}}``,
``{{#Field}}…{{/Field}}``, ``{{^Field}}…{{/Field}}``); a test checks that it renders every
card exactly as the official engine does. Each side sits in its own frame, as Anki shows
one card at a time, so the card script runs once per side.
"""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from deckbuilder.content.media import Media
from deckbuilder.notes.builder import NoteSpec
from deckbuilder.notes.notetype import FIELDS, card_look

_SECTION = re.compile(r"\{\{([#^])([^}]+?)\}\}(.*?)\{\{/\2\}\}", re.S)
_FIELD = re.compile(r"\{\{([^#^/}][^}]*?)\}\}")
_TAGS = re.compile(r"<[^>]*>")


def strip_html(text: str) -> str:
    """What Anki's ``text:`` filter leaves of a field."""
    return html.unescape(_TAGS.sub("", text))


def render_template(template: str, fields: Mapping[str, str]) -> str:
    """Render one side of a card with Anki's template rules (the subset our cards use)."""

    def section(match: re.Match[str]) -> str:
        kind, name, body = match.groups()
        present = bool(strip_html(fields.get(name.strip(), "")).strip())
        return render_template(body, fields) if present == (kind == "#") else ""

    def field(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        if name.startswith("text:"):
            return strip_html(fields.get(name[5:], ""))
        return fields.get(name, "")

    return _FIELD.sub(field, _SECTION.sub(section, template))


@dataclass(frozen=True)
class Side:
    ref: str
    front: str
    back: str


def card_sides(notes: Sequence[NoteSpec]) -> list[Side]:
    """Front and back HTML of every card, as Anki renders them (without the CSS)."""
    look = card_look()
    sides = []
    for note in notes:
        fields = dict(zip(FIELDS, note.fields, strict=True))
        sides.append(
            Side(note.ref, render_template(look.front, fields), render_template(look.back, fields))
        )
    return sides


def side_document(body: str, css: str, *, night: bool = False) -> str:
    """A side as a whole page, the way Anki's reviewer frames it."""
    classes = "card card1" + (" nightMode night_mode" if night else "")
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{css}</style></head>"
        f'<body class="{classes}"><div id="qa">{body}</div></body></html>'
    )


def write_preview(
    notes: Sequence[NoteSpec], media: Sequence[Media], deck_name: str, folder: Path
) -> Path:
    """Write ``folder/index.html`` and the deck's media; return the page's path."""
    look = card_look()
    folder.mkdir(parents=True, exist_ok=True)
    for m in media:
        shutil.copyfile(m.source, folder / m.name)
    parts = [
        '<!doctype html><html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(deck_name)} — preview</title>",
        "<style>body{font-family:system-ui,sans-serif;margin:1rem;background:#eef0f3}"
        "section{margin:0 0 2rem}h2{font-size:1rem}.sides{display:flex;flex-wrap:wrap;gap:1rem}"
        ".sides figure{margin:0;flex:1 1 22rem}iframe{width:100%;height:36rem;border:1px solid"
        " #bbb;background:#fff}</style></head><body>",
        f"<h1>{html.escape(deck_name)}</h1>",
        f"<p>{len(notes)} cards. Tap an option on a front, then reload its back to "
        "see the choice marked.</p>",
    ]
    for side in card_sides(notes):
        parts.append(f'<section><h2>{html.escape(side.ref)}</h2><div class="sides">')
        for label, body in (("Front", side.front), ("Back", side.back)):
            doc = html.escape(side_document(body, look.css), quote=True)
            parts.append(
                f'<figure><figcaption>{label}</figcaption><iframe title="{label} of '
                f'{html.escape(side.ref)}" srcdoc="{doc}"></iframe></figure>'
            )
        parts.append("</div></section>")
    parts.append("</body></html>")
    page = folder / "index.html"
    page.write_text("\n".join(parts), encoding="utf-8")
    return page
