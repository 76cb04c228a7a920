"""The image occlusion kind: a figure's regions as one note of Anki's own Image Occlusion.

A figure with ``occlusions`` becomes one note of the deck's Image Occlusion note type
(:data:`OCCLUSION`), one card per card number: the card masks its regions on the image,
and the learner recalls what is under them. Anki draws the masks itself: its reviewers
(desktop 23.10+, AnkiDroid 2.17+, AnkiMobile) supply ``anki.imageOcclusion``, which the
stock template calls, and its editor opens these notes, since the note type says it is
an Image Occlusion type (``originalStockKind`` 6, the stock fields with their tags).

The note type is a copy of Anki's stock one (its fields in their order, its template and
CSS byte for byte, from ``rslib/src/image_occlusion/``) with ids of its own, fixed, and
the deck's name in its name, as the other kinds' note types: the stock type's ids are
random in each collection, so no package can match them, and a type named "Image
Occlusion" would be renamed "Image Occlusion+" on import, which also stamps it with the
import time so that later updates of it would be refused. All five fields cannot be
deleted (the stock type lets Comments be): Anki's Check Database otherwise marks every
Image Occlusion type modified, which would also refuse later updates.

What the fields hold:

* Occlusion: one ``{{cN::image-occlusion:…}}`` per region, written as Anki's editor
  writes them (4 decimals, no leading zero), then one small text shape per card with its
  number (``c0``: drawn on every card, under the other regions' masks), so that the
  back's list of labels says which region was asked. Numbers only, never author text.
* Image: ``<img src="…">``, the figure's image as the deck carries it.
* Header: the case's title (front and back). The case text is not on the front: it
  would push the image below the fold on a phone, and a vignette often names what the
  masks hide.
* Back Extra: the caption, each card's number and labels, then the case text (folded)
  and the source, so that the note stands alone.
* Comments: the note's ref, ``case-id/figures/figure-id``, as the other kinds' Ref
  field: for search, and for a lock recovered from a deck.

Its ids derive from the deck, case and figure keys, under ``figures/``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from deckbuilder.content.model import MAX_REGIONS
from deckbuilder.notes import ids
from deckbuilder.notes.kinds import NoteKind, kept_cards
from deckbuilder.notes.notetype import Contract
from deckbuilder.notes.render import plain
from deckbuilder.notes.spec import NoteSpec

if TYPE_CHECKING:
    from deckbuilder.apkg.reader import Note, NoteType
    from deckbuilder.content.model import Deck, Figure, Occlusions, Region
    from deckbuilder.errors import KeyPath
    from deckbuilder.notes.builder import CaseRenderer

#: The Image Occlusion note type's contract, version 1: Anki's stock fields, in order.
#: Never edit (see notes/notetype.py).
FIELDS: tuple[str, ...] = ("Occlusion", "Image", "Header", "Back Extra", "Comments")
TEMPLATES: tuple[str, ...] = ("Image Occlusion",)
#: Fixed ids: derived_id("occlusion-field", name) and ("occlusion-template", name).
FIELD_IDS: dict[str, int] = {
    "Occlusion": 778716939152607506,
    "Image": 5517479425657427157,
    "Header": 4791229222634395534,
    "Back Extra": 2222768488666711211,
    "Comments": 2164663897339943381,
}
TEMPLATE_IDS: dict[str, int] = {"Image Occlusion": 5006216846019891423}
IMAGE_OCCLUSION_STOCK_KIND = 6  # Anki's OriginalStockKind.IMAGE_OCCLUSION

OCCLUSION = Contract(
    "occlusion", "Image Occlusion", FIELDS, TEMPLATES, FIELD_IDS, TEMPLATE_IDS,
    "occlusion-front.html", "occlusion-back.html", script=False, cloze=True,
    css="occlusion.css", stock_kind=IMAGE_OCCLUSION_STOCK_KIND,
    field_extras=tuple(
        {"tag": n, "preventDeletion": True, "font": "Arial"} for n in range(len(FIELDS))
    ),
)  # fmt: skip

MARKER_SIZE = 0.04  # a card number's text, as a fraction of the image's height
_SHAPE = re.compile(r"\{\{c(\d+)::image-occlusion:")


class ImageOcclusion(NoteKind):
    name = "occlusion"
    lock_key = "occlusion"
    json_key = "occlusion_notetype"
    noun = "occluded figure"
    contract = OCCLUSION
    always = False
    namespace = "figures"
    ref_field = "Comments"
    notetype_noun = "image occlusion note type"
    report_new = "image occlusion note type (for occluded figures): new"
    skipped = "every occluded figure"

    def notetype_id(self, deck_key: str) -> int:
        return ids.kind_notetype_id("occlusion", deck_key)

    def notes(
        self, renderer: CaseRenderer, deck: Deck, shared: dict[str, str], tags: list[str]
    ) -> list[NoteSpec]:
        case = renderer.loaded.case
        notes = []
        for i, figure in enumerate(case.figures):
            if figure.occlusions is None or figure.id is None:
                continue
            note = _figure_note(renderer, deck.id, i, figure, shared, tags)
            if note is not None:
                notes.append(note)
        return notes

    def retired_note(
        self, deck_key: str, ref: str, tags: tuple[str, ...], cards: Sequence[int]
    ) -> NoteSpec:
        from deckbuilder.notes.retired import DELETE_IT

        numbers = list(cards) or [1]
        whole = {"left": 0.0, "top": 0.0, "width": 1.0, "height": 1.0}
        header = (
            "<b>Retired figure.</b> The deck's author removed this figure's occlusions "
            f"(<code>{plain(ref)}</code>). {DELETE_IT}"
        )
        values = dict.fromkeys(FIELDS, "")
        values.update(
            Occlusion="".join(_cloze(n, "rect", whole, hide_all=False) for n in numbers),
            Header=header,
            Comments=plain(ref),
        )
        return self.note(deck_key, ref, values, tags=tags, numbers=numbers)

    def recovered_cards(self, note: Note, notetype: NoteType) -> tuple[int, ...]:
        text = note.field(notetype, "Occlusion") or ""
        return kept_cards(map(int, _SHAPE.findall(text)), MAX_REGIONS)


IMAGE_OCCLUSIONS = ImageOcclusion()


def display_number(value: float) -> str:
    """A coordinate as Anki's editor writes it (``floatToDisplay``): at most 4 decimals,
    rounded half up, without a leading zero or trailing zeros (``.5``, ``1.``); a value
    that rounds to nothing is ``.0000``, as Anki writes 0."""
    text = str(Decimal(value).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))
    if Decimal(text) == 0:
        return ".0000"
    return text.rstrip("0") if text.startswith("-") else text.lstrip("0").rstrip("0")


def _cloze(number: int, shape: str, values: Mapping[str, float | str], *, hide_all: bool) -> str:
    """One shape as Anki's editor writes it (``to-cloze.ts``): its values in order."""
    parts = [
        f":{key}={value if isinstance(value, str) else display_number(value)}"
        for key, value in values.items()
    ]
    if hide_all:
        parts.append(":oi=1")
    return f"{{{{c{number}::image-occlusion:{shape}{''.join(parts)}}}}}<br>"


def occlusion_field(occlusions: Occlusions, scale: tuple[float, float]) -> str:
    """The Occlusion field of a figure's regions, ``scale`` dividing x and y (the image's
    pixel size for ``units: px``, else 1). The regions are assumed checked
    (:func:`_region_problems`)."""
    hide_all = occlusions.mode == "hide-all"
    shapes: list[str] = []
    corners: dict[int, tuple[float | str, float | str]] = {}
    for number, region in zip(occlusions.card_numbers(), occlusions.regions, strict=True):
        shape, values = shape_values(region, scale)
        shapes.append(_cloze(number, shape, values, hide_all=hide_all))
        corners.setdefault(number, (values["left"], values["top"]))
    for number, (left, top) in sorted(corners.items()):
        marker: dict[str, float | str] = {
            "left": left,
            "top": top,
            "text": str(number),
            "scale": 1.0,
            "fs": MARKER_SIZE,
        }
        shapes.append(_cloze(0, "text", marker, hide_all=hide_all))
    return "".join(shapes)


def shape_values(region: Region, scale: tuple[float, float]) -> tuple[str, dict[str, float | str]]:
    """A region's shape and its values as fractions of the image, in Anki's order."""
    sx, sy = scale
    if region.polygon is not None:
        points = [(x / sx, y / sy) for x, y in region.polygon]
        return "polygon", {
            "left": min(x for x, _ in points),
            "top": min(y for _, y in points),
            "points": " ".join(f"{display_number(x)},{display_number(y)}" for x, y in points),
        }
    box = region.rect if region.rect is not None else region.ellipse
    assert box is not None  # the model requires one shape
    left, top, width, height = box[0] / sx, box[1] / sy, box[2] / sx, box[3] / sy
    if region.rect is not None:
        return "rect", {"left": left, "top": top, "width": width, "height": height}
    return "ellipse", {"left": left, "top": top, "rx": width / 2, "ry": height / 2}


def _region_problems(
    region: Region, size: tuple[float, float], unit: str
) -> list[tuple[KeyPath, str]]:
    """What is wrong with a region's coordinates, each at its key (below the region's):
    everything must lie inside the image and be large enough to be drawn."""
    width, height = size
    problems: list[tuple[KeyPath, str]] = []
    limit = {"x": width, "y": height}
    span = "from 0 to 1" if unit == "fraction" else "within the image's {} pixels"

    def inside(key: KeyPath, value: float, axis: str) -> None:
        if not 0 <= value <= limit[axis] * (1 + 1e-9):
            where = span.format(f"{width:g} x {height:g}")
            problems.append((key, f"{value:g} is outside the image: give a value {where}"))

    if region.polygon is not None:
        for p, (x, y) in enumerate(region.polygon):
            inside(("polygon", p, 0), x, "x")
            inside(("polygon", p, 1), y, "y")
        area = sum(
            x1 * y2 - x2 * y1
            for (x1, y1), (x2, y2) in zip(
                region.polygon, region.polygon[1:] + region.polygon[:1], strict=True
            )
        )
        if not problems and abs(area) / 2 / (width * height) < 1e-6:
            problems.append(
                (("polygon",), "the polygon's corners lie on one line: it hides nothing")
            )
        return problems
    key = "rect" if region.rect is not None else "ellipse"
    box = region.rect if region.rect is not None else region.ellipse
    assert box is not None
    left, top, w, h = box
    inside((key, 0), left, "x")
    inside((key, 1), top, "y")
    for n, (value, axis, name) in enumerate(((w, "x", "width"), (h, "y", "height")), 2):
        if value / limit[axis] < 0.00005:
            problems.append(((key, n), f"the {name} must be more than 0"))
        elif (start := left if axis == "x" else top) + value > limit[axis] * (1 + 1e-9):
            edge, side = ("right", "left") if axis == "x" else ("bottom", "top")
            problems.append(
                (
                    (key, n),
                    f"the region reaches past the image's {edge} edge: {side} + {name} is "
                    f"{start + value:g}, more than {limit[axis]:g}",
                )
            )
    return problems


def _figure_note(
    renderer: CaseRenderer,
    deck_key: str,
    index: int,
    figure: Figure,
    shared: dict[str, str],
    tags: list[str],
) -> NoteSpec | None:
    """The note of one occluded figure, or None (its problems reported)."""
    occlusions = figure.occlusions
    image = renderer.loaded.images[index]
    assert occlusions is not None and figure.id is not None
    key: KeyPath = ("figures", index)
    before = len(renderer.used)
    media = next((m for m in renderer.used if image is not None and m.source == image), None)
    if image is None or media is None:
        return None  # the figure's image was reported already
    size = renderer.files.pixel_size(image, figure.image or "")
    if isinstance(size, str):
        renderer.problem((*key, "image"), size)
        return None
    unit = occlusions.units
    bounds = (float(size[0]), float(size[1])) if unit == "px" else (1.0, 1.0)
    found = False
    seen: dict[str, int] = {}
    for r, region in enumerate(occlusions.regions):
        here: KeyPath = (*key, "occlusions", "regions", r)
        problems = _region_problems(region, bounds, unit)
        for sub, message in problems:
            renderer.problem((*here, *sub), message)
        found = found or bool(problems)
        if not problems:
            shape = repr(shape_values(region, bounds))
            if shape in seen:
                renderer.problem(here, f"the same region as regions[{seen[shape]}]: remove one")
                found = True
            seen.setdefault(shape, r)
    if found:
        return None
    labels: dict[int, list[str]] = {}
    for number, (r, region) in zip(
        occlusions.card_numbers(), enumerate(occlusions.regions), strict=True
    ):
        label = renderer.markdown(
            region.label, (*key, "occlusions", "regions", r, "label"), inline=True
        )
        labels.setdefault(number, []).append(label)
    caption = renderer.markdown(figure.caption, (*key, "caption"))
    listed = "".join(
        f"<div><b>{number}</b> · {'; '.join(texts)}</div>"
        for number, texts in sorted(labels.items())
    )
    case_text = (
        f"<details><summary>Case: {shared['Title']}</summary>{renderer.vignette}</details>"
        if renderer.vignette
        else ""
    )
    ref = IMAGE_OCCLUSIONS.ref(renderer.loaded.case.id, figure.id)
    values = {
        "Occlusion": occlusion_field(occlusions, bounds),
        "Image": f'<img src="{media.name}">',
        "Header": f"<b>{shared['Title']}</b>",
        "Back Extra": caption + listed + case_text + shared["Source"],
        "Comments": plain(ref),
    }
    return IMAGE_OCCLUSIONS.note(
        deck_key, ref, values, tags=tags, media=renderer.note_media(before), numbers=sorted(labels)
    )
