"""What an image file carries besides its picture, and the deck's copy without it.

A figure from a phone or a PACS export carries who, where and when: EXIF (camera, date,
GPS position, the patient's name in ``ImageDescription`` or ``Artist``, a thumbnail of
the uncropped picture, maker notes), XMP, IPTC, comments, PNG text chunks, SVG
``<metadata>``. A shared deck must carry none of it, so the deck's copy of every image
keeps only what drawing it needs, and nothing is re-encoded: segments and chunks are
dropped whole, so the decoded pixels are the author's to the bit.

No maintained library does this losslessly for every format a deck takes: Pillow
re-encodes what it saves, and piexif removes EXIF from JPEG alone (not XMP, IPTC,
comments or PNG chunks). The formats' containers are simple and documented, so each is
walked here by its specification, keeping an allow-list of what renders:

- JPEG: JFIF (``APP0``), the ICC profile (``APP2 ICC_PROFILE``) and Adobe's colour
  transform (``APP14``) stay; every other ``APPn``, comments and anything after the
  end of the image (a phone's second picture) go.
- PNG: the critical chunks and those that change how pixels look (transparency,
  colour space, gamma, physical size, animation) stay; text, time, ``eXIf`` and any
  chunk not known to render go.
- GIF: comments and application blocks other than looping go.
- WebP: the ``EXIF`` and ``XMP`` chunks and unknown chunks go.
- SVG: ``<metadata>`` and comments go (the SVG allow-list already refuses editors'
  attributes and elements).

The EXIF orientation is kept, as a minimal EXIF block holding that one tag: turning the
pixels instead would mean re-encoding a JPEG (a lossless turn exists only for sizes in
whole 8- or 16-pixel blocks), and every engine Anki runs cards in shows a JPEG upright
by that tag. The same holds for a PNG's ``eXIf``.

A file whose structure cannot be walked is refused rather than copied as it is: what a
damaged file holds cannot be known.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable
from dataclasses import dataclass

from deckbuilder.content import exif


@dataclass(frozen=True)
class Cleaned:
    """The deck's copy of an image and what it leaves out, in words, each once."""

    data: bytes
    removed: tuple[str, ...]


class DamagedImage(ValueError):
    """The file's structure cannot be walked, so what it holds cannot be known."""


def clean(data: bytes, suffix: str) -> Cleaned:
    """The image without what identifies a person or place (see the module docstring).
    Raises :class:`DamagedImage` for a file that cannot be walked."""
    cleaner = _CLEANERS.get(suffix.lower())
    if cleaner is None:
        return Cleaned(data, ())
    out, removed = cleaner(data)
    return Cleaned(out, tuple(dict.fromkeys(removed)))


def _jpeg(data: bytes) -> tuple[bytes, list[str]]:
    if not data.startswith(b"\xff\xd8"):
        raise DamagedImage("it does not start as a JPEG does")
    out, removed, i = [b"\xff\xd8"], [], 2
    while True:
        while i < len(data) and data[i] == 0xFF and i + 1 < len(data) and data[i + 1] == 0xFF:
            i += 1  # fill bytes before a marker
        if i + 2 > len(data) or data[i] != 0xFF:
            raise DamagedImage(f"no JPEG marker at byte {i:,}")
        marker = data[i + 1]
        if marker == 0xD9:  # end of image
            out.append(data[i : i + 2])
            if data[i + 2 :].strip(b"\0"):
                removed.append("data after the end of the image")
            return b"".join(out), removed
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # no length
            out.append(data[i : i + 2])
            i += 2
            continue
        if i + 4 > len(data):
            raise DamagedImage(f"the segment at byte {i:,} is cut short")
        end = i + 2 + struct.unpack(">H", data[i + 2 : i + 4])[0]
        if end > len(data) or end < i + 4:
            raise DamagedImage(f"the segment at byte {i:,} is cut short")
        segment, body = data[i:end], data[i + 4 : end]
        if 0xE0 <= marker <= 0xEF or marker == 0xFE:
            kept = _jpeg_app(marker, body, removed)
            if kept is not None:
                out.append(kept)
        else:
            out.append(segment)
        i = end
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next marker
            scan = i
            while True:
                i = data.find(b"\xff", i)
                if i < 0 or i + 1 >= len(data):
                    raise DamagedImage("the image data has no end")
                if data[i + 1] == 0 or 0xD0 <= data[i + 1] <= 0xD7:
                    i += 2
                    continue
                break
            out.append(data[scan:i])


_JPEG_KEPT = ((0xE0, b"JFIF\0"), (0xE0, b"JFXX\0"), (0xE2, b"ICC_PROFILE\0"), (0xEE, b"Adobe"))
_JPEG_NAMES = (
    (0xE1, b"Exif\0", "EXIF"),
    (0xE1, b"http://ns.adobe.com/xap/1.0/", "XMP"),
    (0xE1, b"http://ns.adobe.com/xmp/extension/", "XMP"),
    (0xED, b"Photoshop 3.0\0", "IPTC (Photoshop)"),
    (0xE2, b"MPF\0", "MPF (other pictures)"),
    (0xE2, b"FPXR\0", "FlashPix"),
)


def _jpeg_app(marker: int, body: bytes, removed: list[str]) -> bytes | None:
    """The segment to keep in place of an APPn or comment segment, or None."""
    if any(marker == m and body.startswith(tag) for m, tag in _JPEG_KEPT):
        return _segment(marker, body)
    if marker == 0xFE:
        removed.append("a comment")
        return None
    if marker == 0xE1 and body.startswith(b"Exif\0"):
        kept = exif.kept(body[6:], removed)
        return _segment(0xE1, b"Exif\0\0" + kept) if kept else None
    name = next((n for m, tag, n in _JPEG_NAMES if marker == m and body.startswith(tag)), None)
    removed.append(name or f"APP{marker - 0xE0} data")
    return None


def _segment(marker: int, body: bytes) -> bytes:
    return bytes((0xFF, marker)) + struct.pack(">H", len(body) + 2) + body


# Chunks that decide what the pixels look like (PNG 3rd edition, APNG), besides the
# critical ones (upper-case first letter), which every decoder needs.
_PNG_KEPT = frozenset(
    b"tRNS cHRM gAMA iCCP sBIT sRGB cICP mDCV cLLI bKGD pHYs acTL fcTL fdAT".split()
)
_PNG_NAMES = {b"tIME": "the time it was saved", b"eXIf": "EXIF"}


def _png(data: bytes) -> tuple[bytes, list[str]]:
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise DamagedImage("it does not start as a PNG does")
    out, removed, i = [data[:8]], [], 8
    while True:
        if i + 12 > len(data):
            raise DamagedImage("it ends before its IEND chunk")
        length, kind = struct.unpack(">I4s", data[i : i + 8])
        end = i + 12 + length
        if end > len(data):
            raise DamagedImage(f"the chunk at byte {i:,} is cut short")
        body = data[i + 8 : end - 4]
        if kind[:1].isupper() or kind in _PNG_KEPT:
            out.append(data[i:end])
        elif kind in (b"tEXt", b"zTXt", b"iTXt"):
            keyword = body.split(b"\0", 1)[0].decode("latin-1")
            removed.append(f"{kind.decode()} {keyword!r}")
        elif kind == b"eXIf":
            kept = exif.kept(body, removed)
            if kept:
                out.append(_png_chunk(b"eXIf", kept))
        else:
            removed.append(_PNG_NAMES.get(kind, f"{kind.decode('latin-1')!r} chunk"))
        i = end
        if kind == b"IEND":
            if data[i:].strip(b"\0"):
                removed.append("data after the end of the image")
            return b"".join(out), removed


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    import zlib

    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


# Application blocks that only say how often an animation loops.
_GIF_LOOPING = (b"NETSCAPE2.0", b"ANIMEXTS1.0")


def _gif(data: bytes) -> tuple[bytes, list[str]]:
    if len(data) < 13 or data[:6] not in (b"GIF87a", b"GIF89a"):
        raise DamagedImage("it does not start as a GIF does")
    i = 13 + (3 << ((data[10] & 7) + 1) if data[10] & 0x80 else 0)
    out, removed = [data[:i]], []
    while True:
        if i >= len(data):
            raise DamagedImage("it ends before its trailer")
        block = data[i]
        if block == 0x3B:
            out.append(data[i : i + 1])
            if data[i + 1 :].strip(b"\0"):
                removed.append("data after the end of the image")
            return b"".join(out), removed
        if block == 0x2C:  # an image: descriptor, local colour table, LZW size, data
            if i + 10 > len(data):
                raise DamagedImage(f"the image at byte {i:,} is cut short")
            flags = data[i + 9]
            start, i = i, i + 10 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0) + 1
            i = _gif_blocks(data, i)
            out.append(data[start:i])
        elif block == 0x21 and i + 2 <= len(data):
            start, label = i, data[i + 1]
            i = _gif_blocks(data, i + 2)
            app = data[start + 3 : start + 14] if label == 0xFF else b""
            if label == 0xFE:
                removed.append("a comment")
            elif label == 0xFF and app not in _GIF_LOOPING:
                removed.append("XMP" if app == b"XMP DataXMP" else "application data")
            else:
                out.append(data[start:i])
        else:
            raise DamagedImage(f"unknown block at byte {i:,}")


def _gif_blocks(data: bytes, i: int) -> int:
    """The offset after the sub-blocks starting at ``i`` (each a size byte and data,
    ending with a size of 0)."""
    while True:
        if i >= len(data):
            raise DamagedImage("a block runs past the end of the file")
        if data[i] == 0:
            return i + 1
        i += 1 + data[i]


_WEBP_KEPT = frozenset((b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"))
_VP8X_EXIF_XMP = 0x08 | 0x04


def _webp(data: bytes) -> tuple[bytes, list[str]]:
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise DamagedImage("it does not start as a WebP does")
    out, removed, i = [], [], 12
    end_of_riff = min(len(data), 8 + struct.unpack("<I", data[4:8])[0])
    while i < end_of_riff:
        if i + 8 > end_of_riff:
            raise DamagedImage(f"the chunk at byte {i:,} is cut short")
        kind, size = struct.unpack("<4sI", data[i : i + 8])
        end = i + 8 + size + (size & 1)
        if i + 8 + size > end_of_riff:
            raise DamagedImage(f"the chunk at byte {i:,} is cut short")
        chunk = data[i:end]
        if kind == b"VP8X" and size >= 1:
            chunk = chunk[:8] + bytes((chunk[8] & ~_VP8X_EXIF_XMP & 0xFF,)) + chunk[9:]
        if kind in _WEBP_KEPT:
            out.append(chunk)
        else:
            name = {b"EXIF": "EXIF", b"XMP ": "XMP"}.get(kind)
            removed.append(name or f"{kind.decode('latin-1')!r} chunk")
        i = end
    if data[end_of_riff:].strip(b"\0"):
        removed.append("data after the end of the image")
    body = b"WEBP" + b"".join(out)
    return b"RIFF" + struct.pack("<I", len(body)) + body, removed


def _svg(data: bytes) -> tuple[bytes, list[str]]:
    """Without ``<metadata>`` elements and comments: their bytes are cut out, the rest
    is left exactly as written (no re-serialising)."""
    from xml.parsers import expat

    if data.startswith((b"\xfe\xff", b"\xff\xfe")) or re.match(
        rb"<\?xml[^>]*encoding\s*=\s*['\"]utf-?16", data, re.I
    ):
        raise DamagedImage("it is saved as UTF-16; save it as UTF-8")
    parser = expat.ParserCreate(namespace_separator=" ")
    cuts: list[tuple[int, int]] = []
    removed: list[str] = []
    depth: list[int] = []  # byte offsets of the open <metadata> elements' start tags

    def start(name: str, _attributes: dict[str, str]) -> None:
        if depth or name.endswith(" metadata"):
            depth.append(parser.CurrentByteIndex)

    def end(name: str) -> None:
        if not depth:
            return
        begin, at = depth.pop(), parser.CurrentByteIndex
        if depth:
            return
        # The end tag's own offset, or for an empty element the offset after it.
        closing = re.match(rb"</[^>]*>", data[at:])
        local = closing and closing.group()[2:-1].strip().split(b":")[-1] == b"metadata"
        cuts.append((begin, at + closing.end() if closing and local else at))
        removed.append("<metadata>")

    def comment(_text: str) -> None:
        at = parser.CurrentByteIndex
        if not depth:
            cuts.append((at, data.index(b"-->", at + 4) + 3))
            removed.append("a comment")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CommentHandler = comment
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise DamagedImage(f"not well-formed XML ({expat.ErrorString(exc.code)})") from None
    out, at = [], 0
    for begin, stop in cuts:
        out.append(data[at:begin])
        at = stop
    out.append(data[at:])
    return b"".join(out), removed


_CLEANERS: dict[str, Callable[[bytes], tuple[bytes, list[str]]]] = {
    ".jpg": _jpeg,
    ".jpeg": _jpeg,
    ".png": _png,
    ".gif": _gif,
    ".webp": _webp,
    ".svg": _svg,
}
