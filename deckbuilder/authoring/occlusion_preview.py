"""The preview's sides of an image occlusion note (``deckbuilder preview`` and ``serve``).

Anki draws these cards with its reviewer's own script (``anki.imageOcclusion``), which
a preview without Anki does not have. The preview draws the same masks itself instead,
as SVG over the picture, from the note's Occlusion field (deckbuilder's own shapes, of
numbers only): for each card, the front with the asked regions in Anki's active colour
and the others (hide-all) in its inactive one, and the back with the asked regions
outlined. Before the cards comes one more side, the figure with every region outlined,
numbered and labelled, and the drawing aid: drag on the picture to draw a rectangle, and
the page shows the YAML lines to paste into the figure's regions (it writes nothing).
Its look and script are ``authoring/page/occlusion.css`` and ``occlusion.js``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from deckbuilder.notes.kinds.occlusion import FIELDS
from deckbuilder.notes.spec import NoteSpec

_SHAPE = re.compile(r"\{\{c(\d+)::image-occlusion:(rect|ellipse|polygon|text)((?::[^:}]*)*)\}\}")
_LABEL = re.compile(r"<div><b>(\d+)</b> · (.*?)</div>")
_IMAGE = re.compile(r'<img src="([^"]+)">')


@dataclass(frozen=True)
class Shape:
    card: int
    kind: str
    values: dict[str, str]

    def number(self, key: str) -> float:
        return float(self.values.get(key, "0") or 0)


def shapes(occlusion: str) -> list[Shape]:
    """The regions of an Occlusion field (without the card numbers' text markers)."""
    out = []
    for card, kind, rest in _SHAPE.findall(occlusion):
        if kind == "text":
            continue
        values = dict(part.split("=", 1) for part in rest.split(":")[1:] if "=" in part)
        out.append(Shape(int(card), kind, values))
    return out


def _svg_shape(shape: Shape, css_class: str) -> str:
    if shape.kind == "rect":
        x, y = shape.number("left"), shape.number("top")
        w, h = shape.number("width"), shape.number("height")
        element = f'<rect x="{x}" y="{y}" width="{w}" height="{h}"'
    elif shape.kind == "ellipse":
        rx, ry = shape.number("rx"), shape.number("ry")
        cx, cy = shape.number("left") + rx, shape.number("top") + ry
        element = f'<ellipse cx="{cx}" cy="{cy}" rx="{rx}" ry="{ry}"'
    else:
        points = " ".join(
            f"{float(x)},{float(y)}"
            for x, y in (p.split(",") for p in shape.values.get("points", "").split())
        )
        element = f'<polygon points="{points}"'
    return f'{element} class="{css_class}" vector-effect="non-scaling-stroke"/>'


def _corner(shape: Shape) -> tuple[float, float]:
    return shape.number("left"), shape.number("top")


def _figure(image: str, svg: str, markers: str, *, aid: bool = False) -> str:
    data = ' data-aid="1"' if aid else ""
    return (
        f'<div class="pv-io-figure"{data}><img src="{html.escape(image)}" alt="">'
        '<svg viewBox="0 0 1 1" preserveAspectRatio="none" aria-hidden="true">'
        f"{svg}</svg>{markers}</div>"
    )


def _marker(number: int, shape: Shape, label: str = "") -> str:
    left, top = _corner(shape)
    text = f"{number}" + (f" · {label}" if label else "")
    return (
        f'<span class="pv-io-marker" style="left:{left * 100:.2f}%;top:{top * 100:.2f}%">'
        f"{text}</span>"
    )


def occlusion_sides(note: NoteSpec, style: str, script: str) -> list[tuple[str, str, str]]:
    """``(ref, front, back)`` of the note's overview and of each of its cards.
    ``style`` and ``script``: the page's occlusion.css and occlusion.js."""
    fields = dict(zip(FIELDS, note.fields, strict=True))
    found = _IMAGE.search(fields["Image"])
    image = found.group(1) if found else ""
    regions = shapes(fields["Occlusion"])
    hide_all = ":oi=1" in fields["Occlusion"]
    labels = dict(_LABEL.findall(fields["Back Extra"]))  # our own markup, by card number
    head = f'<style>{style}</style><div class="pv-io"><div>{fields["Header"]}</div>'
    tail = f"</div><script>{script}</script>"
    marked: set[int] = set()
    markers = []
    for shape in regions:
        if shape.card not in marked:
            marked.add(shape.card)
            markers.append(_marker(shape.card, shape, labels.get(str(shape.card), "")))
    outlines = "".join(_svg_shape(s, "pv-io-outline") for s in regions)
    overview = (
        head
        + _figure(image, outlines, "".join(markers), aid=True)
        + '<p class="pv-io-hint">Drag on the picture to draw a rectangle: the lines to paste '
        "into this figure's <code>regions</code> appear here.</p>"
        '<pre class="pv-io-yaml" hidden></pre>' + tail
    )
    sides = [(f"{note.ref} regions", overview, overview)]
    for _, ordinal in note.cards:
        card = ordinal + 1
        front_svg = "".join(
            _svg_shape(s, "pv-io-active" if s.card == card else "pv-io-inactive")
            for s in regions
            if s.card == card or hide_all
        )
        back_svg = "".join(
            _svg_shape(s, "pv-io-highlight" if s.card == card else "pv-io-inactive")
            for s in regions
            if s.card == card or hide_all
        )
        numbers = {s.card: s for s in regions if s.card == card}
        marker = "".join(_marker(n, s) for n, s in numbers.items())
        front = head + _figure(image, front_svg, marker) + tail
        back = head + _figure(image, back_svg, marker) + f"<div>{fields['Back Extra']}</div>" + tail
        sides.append((f"{note.ref} c{card}", front, back))
    return sides
