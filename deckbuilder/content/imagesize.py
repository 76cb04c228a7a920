"""The size in pixels at which an image is shown, read from its header.

Image Occlusion regions are fractions of the image as the card shows it; an author may
give them in pixels (``units: px``), which needs the image's width and height. They are
read from the header of each format the deck accepts (no decoding), as a browser shows
the image: a JPEG whose EXIF orientation turns it a quarter turn (5 to 8) is shown with
width and height swapped (the deck's copy keeps the orientation, see :mod:`.imagemeta`).
An SVG is measured by its ``width`` and ``height`` in pixels: without them a browser
has no natural size for it (a ``viewBox`` alone gives only its shape).
"""

from __future__ import annotations

import re
import struct

from deckbuilder.content import exif

Size = tuple[int, int]


def pixel_size(data: bytes, suffix: str) -> Size | None:
    """``(width, height)`` as shown, or None when the header does not tell."""
    reader = _READERS.get(suffix.lower())
    try:
        size = reader(data) if reader else None
    except (struct.error, IndexError, ValueError):
        return None
    if size is None or size[0] <= 0 or size[1] <= 0:
        return None
    return size


def _png(data: bytes) -> Size | None:
    if data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _gif(data: bytes) -> Size | None:
    width, height = struct.unpack("<HH", data[6:10])
    return width, height


def _webp(data: bytes) -> Size | None:
    chunk = data[12:16]
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg(data: bytes) -> Size | None:
    if not data.startswith(b"\xff\xd8"):
        return None
    i, turned = 2, False
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:
            i += 1
            continue
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        body = data[i + 4 : i + 2 + length]
        if marker == 0xE1 and body.startswith(b"Exif\0\0"):
            turned = (exif.orientation(body[6:]) or 1) >= 5
        if marker in _SOF:
            height, width = struct.unpack(">HH", body[1:5])
            return (height, width) if turned else (width, height)
        if marker == 0xDA:
            return None
        i += 2 + length
    return None


_SVG_ROOT = re.compile(rb"<svg\b[^>]*>", re.IGNORECASE)
_LENGTH = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(?:px)?\s*")


def _svg(data: bytes) -> Size | None:
    root = _SVG_ROOT.search(data)
    if root is None:
        return None
    tag = root.group().decode("utf-8", "replace")

    def attribute(name: str) -> str | None:
        found = re.search(rf'\s{name}\s*=\s*["\']([^"\']*)["\']', tag)
        return found.group(1) if found else None

    width, height = attribute("width"), attribute("height")
    if width is not None and height is not None:
        w, h = _LENGTH.fullmatch(width), _LENGTH.fullmatch(height)
        if w and h:
            return round(float(w.group(1))), round(float(h.group(1)))
    return None


_READERS = {
    ".png": _png,
    ".gif": _gif,
    ".webp": _webp,
    ".jpg": _jpeg,
    ".jpeg": _jpeg,
    ".svg": _svg,
}
