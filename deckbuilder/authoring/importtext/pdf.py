"""A PDF article as the lines a reader reads, and the images it embeds.

The first stage of importing a PDF: everything after it works on text, as for an
article someone extracted by hand, so the text is made to look like that — one printed
line per line, a blank line between paragraphs, hyphens left at line ends for
:mod:`.joiner` to decide, citation superscripts glued to their word as a text
extraction prints them ("males1,2", which :mod:`.citations` reads).

pdfplumber (on pdfminer.six, both MIT) gives each word with its box and font size and
each image with its box and raw stream; the reading order is worked out here from the
boxes, not taken from the order the PDF draws things in, which for two-column pages is
often across both columns. Repeated page headers and footers, page numbers and journal
boilerplate are dropped and reported; a page without a text layer (a scan) is reported
as such, and nothing on it is guessed.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from deckbuilder.errors import ArticleError

MAX_IMAGE_PIXELS = 40_000_000  # a figure is a few megapixels; more is a bomb or a poster
_MARGIN_SHARE = 0.09  # rows in the top or bottom 9% of a page may be headers and footers
_BOILERPLATE = re.compile(
    r"\u00a9|\(c\)\s*\d{4}|\bcopyright\b|all rights reserved|\bdoi\s*:|doi\.org/|"
    r"downloaded from|\bissn\b|for personal use only|\bvol(?:ume)?\.?\s*\d+|"
    r"^\s*(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PdfLine:
    """Where one line of the extracted text was on its page (0 for a blank line)."""

    page: int
    top: float = 0.0
    bottom: float = 0.0
    x0: float = 0.0
    x1: float = 0.0


@dataclass(frozen=True)
class PdfImage:
    """An image the PDF embeds, as it is to be written: its bytes and file suffix."""

    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    width: int  # pixels
    height: int
    data: bytes
    suffix: str  # ".jpg" (the JPEG stream as embedded) or ".png"


@dataclass
class PdfArticle:
    """What a PDF gave: its text (line n of it described by ``lines[n - 1]``), its
    images, and what was dropped or could not be read, each with its page."""

    text: str
    lines: list[PdfLine]
    images: list[PdfImage]
    pages: int
    no_text: list[int] = field(default_factory=list)  # pages without a text layer
    dropped: list[tuple[int, str, str]] = field(default_factory=list)  # page, text, why
    skipped_images: list[tuple[int, str]] = field(default_factory=list)  # page, why

    def where(self, line: int) -> str:
        """Line ``line`` of the text as a reader finds it in the PDF."""
        if not 0 < line <= len(self.lines):
            return f"line {line}"
        page = self.lines[line - 1].page
        first = next(i for i, x in enumerate(self.lines, 1) if x.page == page)
        return f"page {page}, line {line - first + 1}"


@dataclass
class _Row:
    """Words that share a baseline in one column of a page."""

    words: list[dict[str, Any]]
    top: float
    bottom: float
    x0: float
    x1: float
    size: float
    column: int = 0  # 0: spans the gutter (or one-column page), 1: left, 2: right

    @property
    def text(self) -> str:
        """The words, a space between two only where the page has one: a superscript
        and the full stop after it are glued to their word, as a text extraction has
        them."""
        out = ""
        previous: dict[str, Any] | None = None
        for word in self.words:
            glued = previous is not None and word["x0"] - previous["x1"] < 0.12 * self.size
            out += ("" if glued or previous is None else " ") + word["text"]
            previous = word
        return out


def read_pdf(data: bytes, name: str) -> PdfArticle:
    """The article in the PDF ``data``; ``name`` is the file as the user named it."""
    import io

    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = [(_rows(page), page) for page in pdf.pages]
            return _article(pages, name)
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError) as exc:
        raise ArticleError(f"{name}: is not a PDF that can be read ({exc})") from exc
    except Exception as exc:
        if type(exc).__name__ in {"PdfminerException", "PDFPasswordIncorrect"}:
            raise ArticleError(f"{name}: cannot be read: {exc or 'it is encrypted'}") from exc
        raise


def _article(pages: list[tuple[list[_Row], Any]], name: str) -> PdfArticle:
    article = PdfArticle("", [], [], len(pages))
    repeated = _repeated_margins([rows for rows, _ in pages], [p.height for _, p in pages])
    seen_images: Counter[bytes] = Counter()
    found: list[PdfImage] = []
    out: list[str] = []
    for number, (rows, page) in enumerate(pages, 1):
        if not rows:
            article.no_text.append(number)
            if page.images:
                article.skipped_images.append(
                    (number, f"{len(page.images)} image(s) of a page without text (a scan?)")
                )
            continue
        kept = []
        for row in rows:
            why = _margin_why(row, page.height, repeated)
            if why:
                article.dropped.append((number, row.text, why))
            else:
                kept.append(row)
        _emit(_reading_order(kept, page.width), number, out, article.lines)
        for image in page.images:
            extracted = _image(image, number, article)
            if extracted is not None:
                found.append(extracted)
                seen_images[extracted.data] += 1
    for image in found:
        if seen_images[image.data] > 1:  # a logo on every page, not a figure
            article.dropped.append((image.page, f"image {image.width}x{image.height}", _LOGO))
        else:
            article.images.append(image)
    article.text = "\n".join(out) + "\n"
    if not any(x.strip() for x in out):
        pages_list = ", ".join(map(str, article.no_text))
        raise ArticleError(
            f"{name}: no text on page {pages_list}: the PDF holds images of its pages (a "
            "scan?) and no text layer; run OCR on it first. Nothing was written"
        )
    return article


_LOGO = "the same image on several pages (a logo)"


def _rows(page: Any) -> list[_Row]:
    """The page's words grouped into rows by baseline, each side of a column gutter.

    A superscript sits higher and smaller on its word's row: pdfplumber keeps it in the
    word ("procedure4."), and its row is the one of the word's largest characters.
    """
    words = page.extract_words(extra_attrs=["size"], keep_blank_chars=False)
    words = [w for w in words if w["upright"] and w["text"].strip()]
    if not words:
        return []
    gutter = _gutter(words, page.width)
    rows: list[_Row] = []
    for word in sorted(words, key=lambda w: (w["bottom"], w["x0"])):
        column = 0 if gutter is None else (1 if word["x1"] <= gutter else 2)
        if gutter is not None and word["x0"] < gutter < word["x1"]:
            column = 0
        for row in reversed(rows[-8:]):
            same_line = abs(row.bottom - word["bottom"]) <= 0.35 * max(row.size, word["size"])
            if same_line and (column == row.column or 0 in (column, row.column)):
                _add(row, [word], column)
                break
        else:
            box = (word["top"], word["bottom"], word["x0"], word["x1"], word["size"])
            rows.append(_Row([word], *box, column))
    rows = _superscripts_joined(rows)
    for row in rows:
        row.words.sort(key=lambda w: w["x0"])
        if row.column == 0 and gutter is not None:
            _split_across(row, gutter, rows)
    return sorted(rows, key=lambda r: (r.bottom, r.x0))


def _add(row: _Row, words: list[dict[str, Any]], column: int) -> None:
    row.words.extend(words)
    row.x0 = min(row.x0, *(w["x0"] for w in words))
    row.x1 = max(row.x1, *(w["x1"] for w in words))
    row.top = min(row.top, *(w["top"] for w in words))
    row.size = max(row.size, *(w["size"] for w in words))
    row.column = row.column if column == row.column else 0


def _superscripts_joined(rows: list[_Row]) -> list[_Row]:
    """Rows of small type raised within a larger row's height (citation numbers set as
    superscripts) joined to that row."""
    kept: list[_Row] = []
    for row in rows:
        host = next(
            (
                r
                for r in rows
                if r is not row
                and row.size < 0.85 * r.size
                and r.top - 1 <= row.top
                and row.bottom < r.bottom
                and row.bottom > r.top
                and (row.column == r.column or 0 in (row.column, r.column))
                and r.x0 <= row.x0 <= r.x1 + 1
            ),
            None,
        )
        if host is None:
            kept.append(row)
        else:
            _add(host, row.words, row.column)
    return kept


def _split_across(row: _Row, gutter: float, rows: list[_Row]) -> None:
    """A row joined over the gutter only because a word of each column shares its
    baseline is two rows, unless a word really spans the gutter (a wide caption)."""
    if any(w["x0"] < gutter < w["x1"] for w in row.words):
        return
    left = [w for w in row.words if w["x1"] <= gutter]
    right = [w for w in row.words if w["x0"] >= gutter]
    if not left or not right:
        row.column = 1 if left else 2
        return
    gap = right[0]["x0"] - left[-1]["x1"]
    if gap < 2 * max(w["size"] for w in row.words):
        return  # one line of text that happens to cross the middle
    row.words, row.column = left, 1
    row.x0, row.x1 = left[0]["x0"], left[-1]["x1"]
    rows.append(
        _Row(
            right,
            min(w["top"] for w in right),
            max(w["bottom"] for w in right),
            right[0]["x0"],
            right[-1]["x1"],
            max(w["size"] for w in right),
            2,
        )
    )


def _gutter(words: Sequence[dict[str, Any]], width: float) -> float | None:
    """The x of the gap between two columns, or None for a one-column page: the point
    of the middle third that the fewest words cross, when words lie on both sides of it,
    at most a tenth of the rows cross it (a title or a wide caption may) and the empty
    band there is wider than a space."""
    best: tuple[int, float] | None = None
    for step in range(int(width / 3), int(2 * width / 3), 2):
        x = float(step)
        crossing = sum(1 for w in words if w["x0"] < x < w["x1"])
        if best is None or crossing < best[0]:
            best = (crossing, x)
    if best is None:
        return None
    crossing, x = best
    lines_crossing = {round(w["bottom"]) for w in words if w["x0"] < x < w["x1"]}
    left = {round(w["bottom"]) for w in words if w["x1"] <= x}
    right = {round(w["bottom"]) for w in words if w["x0"] >= x}
    if len(left) < 3 or len(right) < 3:
        return None
    if len(lines_crossing) > 0.1 * len(left | right):
        return None
    # The gutter is the middle of the empty band around x, which must be wider than the
    # space between two words: one column of text has spaces that line up by chance.
    lo = max((w["x1"] for w in words if w["x1"] <= x), default=x)
    hi = min((w["x0"] for w in words if w["x0"] >= x), default=x)
    if hi - lo < 0.8 * statistics.median(w["size"] for w in words):
        return None
    return (lo + hi) / 2


def _reading_order(rows: list[_Row], width: float) -> list[_Row]:
    """Rows as read: top to bottom; on a two-column page, between rows that span both
    columns, the whole left column before the right one."""
    ordered: list[_Row] = []
    band: list[_Row] = []

    def flush() -> None:
        ordered.extend(sorted((r for r in band if r.column == 1), key=lambda r: r.bottom))
        ordered.extend(sorted((r for r in band if r.column == 2), key=lambda r: r.bottom))
        band.clear()

    for row in rows:
        if row.column == 0:
            flush()
            ordered.append(row)
        else:
            band.append(row)
    flush()
    return ordered


def _emit(rows: list[_Row], page: int, out: list[str], lines: list[PdfLine]) -> None:
    """Append the rows as text lines: a blank line where the vertical gap or a change
    of type size says a paragraph, heading or caption ends."""
    gaps = [
        b.top - a.bottom
        for a, b in itertools.pairwise(rows)
        if a.column == b.column and b.top > a.bottom and abs(a.size - b.size) < 0.5
    ]
    usual = statistics.median(gaps) if gaps else 2.0
    previous: _Row | None = None
    for row in rows:
        if previous is not None and previous.column == row.column and row.top > previous.top:
            gap = row.top - previous.bottom
            if gap > usual + 0.6 * row.size or abs(row.size - previous.size) >= 0.5:
                out.append("")
                lines.append(PdfLine(page))
        out.append(row.text)
        lines.append(PdfLine(page, row.top, row.bottom, row.x0, row.x1))
        previous = row


def _repeated_margins(pages: list[list[_Row]], heights: list[float]) -> set[str]:
    """Texts (numbers as #) of rows in the top or bottom margin of two or more pages."""
    counts: Counter[str] = Counter()
    for rows, height in zip(pages, heights, strict=True):
        margin = {_shape(r.text) for r in rows if _in_margin(r, height)}
        counts.update(margin)
    return {text for text, n in counts.items() if n > 1}


def _in_margin(row: _Row, height: float) -> bool:
    return row.bottom < _MARGIN_SHARE * height or row.top > (1 - _MARGIN_SHARE) * height


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.split()).lower())


def _margin_why(row: _Row, height: float, repeated: set[str]) -> str | None:
    """Why a row is dropped as a page header, footer or boilerplate, or None."""
    if not _in_margin(row, height):
        return None
    if _shape(row.text) in repeated:
        return "repeated page header or footer"
    if _BOILERPLATE.search(row.text):
        return "page header or footer (journal boilerplate, page number)"
    return None


def _image(image: dict[str, Any], page: int, article: PdfArticle) -> PdfImage | None:
    """The image as a file to write, or None (why is in ``article.skipped_images``):
    a JPEG stream is kept byte for byte; 8-bit grey or RGB pixels become a PNG."""
    from pdfminer.pdftypes import LITERALS_DCT_DECODE

    width, height = (int(v) for v in image["srcsize"])
    box = (page, image["top"], image["bottom"], image["x0"], image["x1"], width, height)
    if width * height > MAX_IMAGE_PIXELS:
        article.skipped_images.append((page, f"an image of {width}x{height} pixels: too large"))
        return None
    stream = image["stream"]
    filters = [f for f, _ in stream.get_filters()]
    if filters and filters[-1] in LITERALS_DCT_DECODE:
        data = stream.get_data()  # every filter before the JPEG's undone, the JPEG kept
        return PdfImage(*box, data=data, suffix=".jpg")
    mode = _mode(image)
    if mode is None or (filters and _name(filters[-1]) not in {"FlateDecode", "Fl", "LZWDecode"}):
        kind = _name(filters[-1]) if filters else "unfiltered"
        article.skipped_images.append(
            (
                page,
                f"an image of {width}x{height} pixels stored as {kind} "
                f"({_name(image.get('colorspace'))}, {image.get('bits')} bits): not extracted",
            )
        )
        return None
    import io

    from PIL import Image

    pixels = stream.get_data()
    expected = width * height * len(mode)
    if len(pixels) < expected:
        article.skipped_images.append((page, f"an image of {width}x{height}: its data is short"))
        return None
    out = io.BytesIO()
    Image.frombytes(mode, (width, height), pixels[:expected]).save(out, "PNG")
    return PdfImage(*box, data=out.getvalue(), suffix=".png")


def _mode(image: dict[str, Any]) -> str | None:
    """Pillow's mode for the image's pixels ("RGB", "L"), or None if not 8-bit RGB/grey."""
    if image.get("bits") != 8 or image.get("imagemask"):
        return None
    spaces = image.get("colorspace") or []
    space = spaces[0] if spaces else None
    name = _name(space)
    if name == "ICCBased":
        return None
    return {"DeviceRGB": "RGB", "RGB": "RGB", "DeviceGray": "L", "G": "L"}.get(name)


def _name(value: object) -> str:
    """A PDF name (pdfminer's PSLiteral) as text."""
    return str(getattr(value, "name", value))
