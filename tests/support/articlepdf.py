"""Typeset a quiz article as a PDF, as journals do: the fixtures of ``deckbuilder import``.

An article source is plain text with a little markup, so that each fixture says what
is on the page without a binary file in the repository:

* ``% columns: 2``, ``% header: …``, ``% footer: …`` (``{page}`` is the page number);
* ``# text``: the title (large type), ``## text``: a heading (bold);
* ``[figure N png|jpeg WIDTHxHEIGHT]`` then the caption on the same line: an image made
  from N (deterministic noise over a gradient) with the caption set below it, smaller;
* ``@page``: the next page; ``@scan``: a page that is an image of text, no text layer;
* any other line starts a printed line and is wrapped at the column's width; a blank
  line is the gap between paragraphs; ``word^{1,2}`` sets ``1,2`` as a superscript;
  a soft hyphen (U+00AD) is where a word may be broken at a line end, with a "-".

Two-column pages are drawn row by row across both columns (left line 1, right line 1,
…), as some typesetters write them: an extractor that follows the drawing order, not
the page, reads them wrong.
"""

from __future__ import annotations

import io
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

PAGE_W, PAGE_H = A4
MARGIN = 56.0
GUTTER = 18.0
TOP = PAGE_H - 72.0  # first baseline of the text
BOTTOM = 64.0  # no baseline below this
BODY = ("Times-Roman", 10.0, 12.5)  # font, size, leading
CAPTION = ("Times-Roman", 8.5, 10.5)
HEADING = ("Times-Bold", 11.0, 15.0)
TITLE = ("Times-Bold", 16.0, 20.0)
SUPERSCRIPT = re.compile(r"\^\{([^}]*)\}")
FIGURE = re.compile(r"^\[figure (\d+) (png|jpeg) (\d+)x(\d+)\]\s*(.*)$")


def figure_image(number: int, kind: str, width: int, height: int) -> bytes:
    """The image file of figure ``number``: the same bytes every time (a JPEG too)."""
    rng = random.Random(number)
    image = Image.new("RGB", (width, height))
    image.putdata(
        [
            (
                (x * 255 // width + rng.randrange(40)) % 256,
                (y * 255 // height + rng.randrange(40)) % 256,
                (number * 60 + rng.randrange(60)) % 256,
            )
            for y in range(height)
            for x in range(width)
        ]
    )
    out = io.BytesIO()
    if kind == "jpeg":
        image.save(out, "JPEG", quality=90)
    else:
        image.save(out, "PNG")
    return out.getvalue()


@dataclass
class _Row:
    """One printed line: its pieces (text, superscript?) and its font."""

    pieces: list[tuple[str, bool]]
    font: tuple[str, float, float]
    gap_before: float = 0.0
    image: tuple[int, bytes, float] | None = None  # figure number, file, height drawn


@dataclass
class Article:
    """What was typeset: the PDF, and each figure's image file by its number."""

    pdf: bytes
    images: dict[int, bytes] = field(default_factory=dict)
    pages: int = 0


def _pieces(text: str) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    at = 0
    for m in SUPERSCRIPT.finditer(text):
        out.append((text[at : m.start()], False))
        out.append((m.group(1), True))
        at = m.end()
    out.append((text[at:], False))
    return [p for p in out if p[0]]


def _width(word: str, font: tuple[str, float, float]) -> float:
    plain = SUPERSCRIPT.sub(lambda m: m.group(1), word).replace("\u00ad", "")
    return stringWidth(plain, font[0], font[1])


def _wrap(text: str, width: float, font: tuple[str, float, float]) -> list[str]:
    """Greedy line breaking; a word that does not fit is broken at a soft hyphen."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if _width(candidate, font) <= width:
            line = candidate
            continue
        parts = word.split("\u00ad")
        for k in range(len(parts) - 1, 0, -1):
            head = "".join(parts[:k]) + "-"
            if _width(f"{line} {head}" if line else head, font) <= width:
                lines.append(f"{line} {head}" if line else head)
                line = "\u00ad".join(parts[k:])
                break
        else:
            if line:
                lines.append(line)
            line = word
    if line:
        lines.append(line)
    return [x.replace("\u00ad", "") for x in lines]


def _draw_row(canvas: Canvas, row: _Row, x: float, y: float) -> None:
    name, size, _ = row.font
    text = canvas.beginText(x, y)
    for piece, sup in row.pieces:
        if sup:
            text.setFont(name, size * 0.6)
            text.setRise(size * 0.38)
        else:
            text.setFont(name, size)
            text.setRise(0)
        text.textOut(piece)
    canvas.drawText(text)


def typeset(source: str, scan_text: str = "") -> Article:
    """The PDF of an article source (see the module's docstring)."""
    settings = dict(re.findall(r"^% (\w+): (.*)$", source, re.M))
    columns = int(settings.get("columns", "1"))
    col_w = (PAGE_W - 2 * MARGIN - (columns - 1) * GUTTER) / columns
    article = Article(b"")
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=True, pageCompression=1)

    # Rows in reading order, each page a list of columns of (row, its top).
    pages: list[list[list[tuple[_Row, float]]]] = [[[] for _ in range(columns)]]
    scans: set[int] = set()
    col, y = 0, TOP
    pending_gap = 0.0

    def place(row: _Row, height: float) -> None:
        nonlocal col, y, pending_gap
        gap = pending_gap if pages[-1][col] else 0.0
        if y - gap - height < BOTTOM:
            col += 1
            if col == columns:
                pages.append([[] for _ in range(columns)])
                col = 0
            y, gap = TOP, 0.0
        y -= gap
        pages[-1][col].append((row, y))
        y -= height
        pending_gap = 0.0

    for raw in source.split("\n"):
        if raw.startswith("% "):
            continue
        if not raw.strip():
            pending_gap = BODY[2]
            continue
        if raw.strip() in {"@page", "@scan"}:
            pages.append([[] for _ in range(columns)])
            col, y, pending_gap = 0, TOP, 0.0
            if raw.strip() == "@scan":
                scans.add(len(pages))
                pages.append([[] for _ in range(columns)])
            continue
        font = BODY
        text = raw
        figure = FIGURE.match(raw)
        if raw.startswith("# "):
            font, text = TITLE, raw[2:]
        elif raw.startswith("## "):
            font, text = HEADING, raw[3:]
        if figure:
            number, kind = int(figure.group(1)), figure.group(2)
            w, h = int(figure.group(3)), int(figure.group(4))
            data = figure_image(number, kind, w, h)
            article.images[number] = data
            drawn = col_w * h / w
            pending_gap = max(pending_gap, 6.0)
            place(_Row([], BODY, image=(number, data, drawn)), drawn + 4)
            font, text = CAPTION, figure.group(5)
        for k, line in enumerate(_wrap(text, col_w, font)):
            place(_Row(_pieces(line), font), font[2])
            if k == 0 and font in (TITLE, HEADING):
                pending_gap = 0.0
        if font in (TITLE, HEADING, CAPTION):
            pending_gap = max(pending_gap, 6.0)

    while len(pages) > 1 and len(pages) not in scans and not any(pages[-1]):
        pages.pop()
    for number, page in enumerate(pages, 1):
        if number in scans:
            _scan_page(canvas, scan_text)
        else:
            _page(canvas, page, settings, number, col_w)
        canvas.showPage()
    canvas.save()
    article.pdf = out.getvalue()
    article.pages = len(pages)
    return article


def _page(
    canvas: Canvas,
    page: list[list[tuple[_Row, float]]],
    settings: dict[str, str],
    number: int,
    col_w: float,
) -> None:
    if "header" in settings:
        canvas.setFont("Helvetica", 8)
        canvas.drawString(MARGIN, PAGE_H - 40, settings["header"].format(page=number))
    if "footer" in settings:
        canvas.setFont("Helvetica", 8)
        canvas.drawString(MARGIN, 36, settings["footer"].format(page=number))
    # Row by row across the columns: the drawing order is not the reading order.
    for i in range(max((len(c) for c in page), default=0)):
        for k, column in enumerate(page):
            if i >= len(column):
                continue
            row, top = column[i]
            x = MARGIN + k * (col_w + GUTTER)
            if row.image is not None:
                _, data, height = row.image
                canvas.drawImage(ImageReader(io.BytesIO(data)), x, top - height, col_w, height)
            else:
                _draw_row(canvas, row, x, top - row.font[1])


def _scan_page(canvas: Canvas, text: str) -> None:
    """A page as a scanner gives it: one image of the whole page, no text layer."""
    from PIL import ImageDraw

    image = Image.new("L", (595, 842), 255)
    draw = ImageDraw.Draw(image)
    for k, line in enumerate(text.splitlines()):
        draw.text((60, 80 + 14 * k), line, fill=0)
    data = io.BytesIO()
    image.save(data, "PNG")
    canvas.drawImage(ImageReader(io.BytesIO(data.getvalue())), 0, 0, PAGE_W, PAGE_H)


def write(source_path: Path, pdf_path: Path, scan_text: str = "") -> Article:
    """Typeset the source at ``source_path`` into ``pdf_path``."""
    article = typeset(source_path.read_text(encoding="utf-8"), scan_text)
    pdf_path.write_bytes(article.pdf)
    return article
