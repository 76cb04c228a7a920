"""A PDF's images matched to the figure captions, and named for the case's folder.

A caption belongs to the image right above it on its page (or, with none above, right
below it), in the caption's column, with no other caption in between. An image that
two captions could claim, or that no caption claims, is not given to any: it is still
extracted, as a figure whose caption is a TODO, and the report says why. A caption with
no image stays a caption-only figure, as in a text article. Nothing is matched by
guessing from order alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from deckbuilder.authoring.importtext.article import ParsedFigure, ParsedQuiz
from deckbuilder.authoring.importtext.pdf import PdfArticle, PdfImage, PdfLine

_TOUCH = 3.0  # points an image and its caption may overlap (rounding of boxes)


@dataclass(frozen=True)
class PlacedImage:
    """One extracted image: where it was, the file it becomes, and its caption's fate."""

    image: PdfImage
    file: str  # relative to the case file
    figure: int | None  # the "Figure N" it was matched to, None if none
    why: str  # how it was matched, or why not


def _overlaps(image: PdfImage, line: PdfLine) -> bool:
    return min(image.x1, line.x1) - max(image.x0, line.x0) > 0


def _between(a: float, b: float, lines: list[PdfLine], image: PdfImage) -> bool:
    """Whether a caption line (of ``lines``) over the image's width lies between a and b."""
    lo, hi = min(a, b), max(a, b)
    return any(lo < x.top < hi and _overlaps(image, x) for x in lines)


def _candidate(
    caption: PdfLine, images: list[PdfImage], captions: list[PdfLine]
) -> PdfImage | None:
    """The image next to a caption's first line: the nearest above it, else below it."""
    others = [c for c in captions if c is not caption and c.page == caption.page]
    same = [i for i in images if i.page == caption.page and _overlaps(i, caption)]
    above = [
        i
        for i in same
        if i.bottom <= caption.top + _TOUCH and not _between(i.bottom, caption.top, others, i)
    ]
    if above:
        return max(above, key=lambda i: i.bottom)
    below = [
        i
        for i in same
        if i.top >= caption.bottom - _TOUCH and not _between(caption.bottom, i.top, others, i)
    ]
    return min(below, key=lambda i: i.top) if below else None


def place_figures(quiz: ParsedQuiz, pdf: PdfArticle, case_id: str) -> list[PlacedImage]:
    """Match the PDF's images to ``quiz.figures`` and name their files; each matched
    figure gets its ``image``, each image no caption claims becomes a figure of its own
    with a TODO caption. Returns every image, in the order of the PDF."""
    boxes = {
        id(f): pdf.lines[f.line - 1]
        for f in quiz.figures
        if 0 < f.line <= len(pdf.lines) and pdf.lines[f.line - 1].bottom
    }
    captions = list(boxes.values())
    claims: dict[int, list[ParsedFigure]] = {}
    for figure in quiz.figures:
        box = boxes.get(id(figure))
        found = _candidate(box, pdf.images, captions) if box else None
        if found is not None:
            claims.setdefault(id(found), []).append(figure)

    placed: list[PlacedImage] = []
    used_names: set[str] = set()
    for k, image in enumerate(pdf.images, 1):
        figures = claims.get(id(image), [])
        if len(figures) == 1:
            figure = figures[0]
            name = _unique(f"{case_id}-fig{figure.number}", image.suffix, used_names)
            figure.image = name
            side = "above" if image.bottom <= boxes[id(figure)].top + _TOUCH else "below"
            why = f"the image right {side} the caption of figure {figure.number}"
            placed.append(PlacedImage(image, name, figure.number, why))
            continue
        name = _unique(f"{case_id}-page{image.page}-image{k}", image.suffix, used_names)
        if figures:
            numbers = " and ".join(str(f.number) for f in figures)
            why = f"the captions of figures {numbers} are both next to it: not matched"
        else:
            why = "no 'Figure N.' caption next to it on its page"
        quiz.figures.append(ParsedFigure(0, "", image=name, page=image.page))
        placed.append(PlacedImage(image, name, None, why))
    quiz.figures.sort(key=lambda f: (f.number == 0, f.number))
    return placed


def _unique(stem: str, suffix: str, used: set[str]) -> str:
    name, n = f"{stem}{suffix}", 1
    while name in used:
        n += 1
        name = f"{stem}-{n}{suffix}"
    used.add(name)
    return name
