"""``deckbuilder preview``: every card, front and back, as a static HTML page.

A colleague without Anki reviews the deck in a browser. Cards are rendered through the
same templates, CSS and script as in Anki, with a small renderer for the part of Anki's
template language the templates use (``{{Field}}``, ``{{text:Field}}``,
``{{cloze:Field}}``, ``{{#Field}}…{{/Field}}``, ``{{^Field}}…{{/Field}}``); a test checks
that it renders every card, questions' and facts', exactly as the official engine does.
Each card sits in its own frame, as Anki shows one card at a time; the page's look and
script are files in ``authoring/page/``.
"""

from __future__ import annotations

import functools
import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template

from deckbuilder.content.cloze import deletions
from deckbuilder.content.media import Media
from deckbuilder.notes.kinds.occlusion import IMAGE_OCCLUSION_STOCK_KIND
from deckbuilder.notes.notetype import MCQ, card_file
from deckbuilder.notes.spec import NoteSpec

_SECTION = re.compile(r"\{\{([#^])([^}]+?)\}\}(.*?)\{\{/\2\}\}", re.S)
_FIELD = re.compile(r"\{\{([^#^/}][^}]*?)\}\}")
_TAGS = re.compile(r"<[^>]*>")


def strip_html(text: str) -> str:
    """What Anki's ``text:`` filter leaves of a field."""
    return html.unescape(_TAGS.sub("", text))


def render_template(
    template: str, fields: Mapping[str, str], cloze: tuple[int, bool] | None = None
) -> str:
    """Render one side of a card with Anki's template rules (the subset our cards use);
    ``cloze``: the card's deletion number and whether this is the back."""

    def section(match: re.Match[str]) -> str:
        kind, name, body = match.groups()
        present = bool(strip_html(fields.get(name.strip(), "")).strip())
        return render_template(body, fields, cloze) if present == (kind == "#") else ""

    def field(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        if name.startswith("text:"):
            return strip_html(fields.get(name[5:], ""))
        if name.startswith("cloze:") and cloze is not None:
            return render_cloze(fields.get(name[6:], ""), *cloze)
        return fields.get(name, "")

    return _FIELD.sub(field, _SECTION.sub(section, template))


def render_cloze(text: str, number: int, back: bool) -> str:
    """Anki's ``{{cloze:…}}`` filter for the card of deletion ``number``: that deletion
    hidden on the front (its hint, or "..." in brackets), shown on the back; the others
    shown as they are."""
    out, at = [], 0
    for d in deletions(text):
        out.append(text[at : d.start])
        if d.number != number:
            out.append(f'<span class="cloze-inactive" data-ordinal="{d.number}">{d.answer}</span>')
        elif back:
            out.append(f'<span class="cloze" data-ordinal="{d.number}">{d.answer}</span>')
        else:
            out.append(
                f'<span class="cloze" data-cloze="{_attribute(d.answer)}" '
                f'data-ordinal="{d.number}">[{d.hint if d.hint is not None else "..."}]</span>'
            )
        at = d.end
    out.append(text[at:])
    return "".join(out)


def _attribute(value: str) -> str:
    """An attribute value escaped as Anki escapes ``data-cloze``: letters and digits of
    ASCII and characters beyond U+00FF as they are, the rest as character references."""
    named = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
    return "".join(
        c if (c.isascii() and c.isalnum()) or ord(c) > 0xFF else named.get(c, f"&#x{ord(c):X};")
        for c in value
    )


@dataclass(frozen=True)
class Side:
    ref: str
    front: str
    back: str


def card_sides(notes: Sequence[NoteSpec]) -> list[Side]:
    """Front and back HTML of every card, as Anki renders them (without the CSS)."""
    from deckbuilder.notes.kinds import BY_NAME

    looks = {name: kind.contract.look() for name, kind in BY_NAME.items()}
    sides = []
    for note in notes:
        contract, look = BY_NAME[note.kind].contract, looks[note.kind]
        if contract.stock_kind == IMAGE_OCCLUSION_STOCK_KIND:  # drawn by Anki's reviewer
            sides += [Side(*side) for side in _occlusion_sides(note, look.css)]
            continue
        fields = dict(zip(contract.fields, note.fields, strict=True))
        for _, ordinal in note.cards:
            cloze = (ordinal + 1, False) if contract.cloze else None
            revealed = (ordinal + 1, True) if contract.cloze else None
            ref = f"{note.ref} c{ordinal + 1}" if contract.cloze else note.ref
            sides.append(
                Side(
                    ref,
                    render_template(look.front, fields, cloze),
                    render_template(look.back, fields, revealed),
                )
            )
    return sides


def _occlusion_sides(note: NoteSpec, css: str) -> list[tuple[str, str, str]]:
    from deckbuilder.authoring.occlusion_preview import occlusion_sides

    return occlusion_sides(note, css + page_file("occlusion.css"), page_file("occlusion.js"))


def side_document(body: str, css: str, *, night: bool = False) -> str:
    """A side as a whole page, the way Anki's reviewer frames it."""
    classes = "card card1" + (" nightMode night_mode" if night else "")
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{css}</style></head>"
        f'<body class="{classes}"><div id="qa">{body}</div></body></html>'
    )


def script_json(value: object) -> str:
    """JSON safe inside a ``<script>`` and as one line of an event stream."""
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@functools.cache
def _card_script() -> str:
    """The card's script as every side that runs it carries it (see ``notetype``)."""
    return f"<script>\n{card_file('card.js')}</script>"


_SHARED_SCRIPT = '<script data-pv-shared="card"></script>'


def shared_scripts() -> str:
    """The page's copy of the card's script, which the page's script puts back into each
    side it shows (``preview.js``): written once, not in every side of every card."""
    return f"var deckbuilderShared = {script_json({'card': card_file('card.js')})};\n"


def page_file(name: str) -> str:
    """A file of the page (``authoring/page/``): its look, its script."""
    return resources.files("deckbuilder.authoring.page").joinpath(name).read_text("utf-8")


def card_section(side: Side, frame: str) -> str:
    """One card on the page: its ref, its frame (``frame``: the attribute that gives it
    the empty side document, `` src="…"``, or none for the page's script to give it its
    ``srcdoc``), its front and back kept in
    templates, its buttons. The section names its card in ``data-ref``, for ``serve``
    to replace it in place.

    The frame too is kept in a template, for the page's script to put in place: Chromium
    gives a page at most 1,000 frames, so a large deck's page holds frames only for the
    cards near the screen (``preview.js``)."""
    ref = html.escape(side.ref)
    script = _card_script()
    front = side.front.replace(script, _SHARED_SCRIPT)
    back = side.back.replace(script, _SHARED_SCRIPT)
    return (
        f'<section class="pv-card" data-ref="{ref}"><h2>{ref}</h2>'
        f'<template class="pv-frame"><iframe title="Card {ref}"{frame}></iframe></template>'
        f'<template class="pv-front">{front}</template>'
        f'<template class="pv-back">{back}</template>'
        '<div class="pv-actions">'
        '<button type="button" class="pv-show-answer">Show answer</button>'
        '<button type="button" class="pv-show-question">Show question</button>'
        "</div></section>"
    )


def write_preview(
    notes: Sequence[NoteSpec], media: Sequence[Media], deck_name: str, folder: Path
) -> Path:
    """Write ``folder/index.html`` and the deck's media; return the page's path.

    Each card is a frame (a side framed as Anki's reviewer frames it) at its full
    height, with its front and back kept in ``<template>`` elements: "Show answer"
    replaces the front by the back in the same frame and runs its script again, as Anki
    desktop does. A switch shows the cards 360 px wide (a phone) or wide.
    """
    look = MCQ.look()
    folder.mkdir(parents=True, exist_ok=True)
    for m in media:
        (folder / m.name).write_bytes(m.deck_bytes())
    # The cards are written one by one, not joined into one string first (a large deck's
    # page is tens of megabytes); the empty side document every frame shows is written
    # once, for the page's script to give each frame as its srcdoc.
    sides = list(card_sides(notes))
    head, tail = page_file("preview.html").split("$cards")
    path = folder / "index.html"
    with path.open("w", encoding="utf-8") as out:
        out.write(
            Template(head).substitute(
                title=html.escape(deck_name), count=len(sides), style=page_file("preview.css")
            )
        )
        for side in sides:
            out.write(card_section(side, "") + "\n")
        out.write(
            Template(tail).substitute(
                script=f"var deckbuilderSide = {script_json(side_document('', look.css))};\n"
                + shared_scripts()
                + page_file("preview.js")
            )
        )
    return path
