"""Real image files carrying the metadata a phone, a camera or a PACS export writes.

Each file is made by Pillow (so it decodes) and given its metadata by hand, segment by
segment and chunk by chunk as the formats define them, so the tests know every planted
string and can look for it afterwards. The pixels are a pattern that is not symmetric,
so an image shown turned or mirrored is told apart from one shown upright.
"""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

# Strings planted in the metadata; none may reach a deck.
PATIENT = "Jane Doeberg"
ARTIST = "Dr Imaging Staffer"
GPS_MARK = b"GPSPLANTED"
XMP_MARK = "xmp-creator-planted"
COMMENT = "comment-planted MRN 4411-2290"
IPTC_MARK = b"iptc-byline-planted"
PNG_TEXTS = {
    b"tEXt": (b"Author", b"text-author-planted"),
    b"zTXt": (b"Comment", b"ztxt-comment-planted"),
    b"iTXt": (b"XML:com.adobe.xmp", b"itxt-xmp-planted"),
}
SVG_MARK = "svg-metadata-planted"
SVG_COMMENT = "svg-comment-planted"
PLANTED: tuple[bytes, ...] = (
    PATIENT.encode(),
    ARTIST.encode(),
    GPS_MARK,
    XMP_MARK.encode(),
    COMMENT.encode(),
    IPTC_MARK,
    *(value for _, value in PNG_TEXTS.values()),  # zTXt's is compressed: found by chunk
    SVG_MARK.encode(),
    SVG_COMMENT.encode(),
)


def pattern(width: int = 64, height: int = 40) -> Image.Image:
    """An RGB picture whose top left quarter is red, the rest a gradient: turned or
    mirrored, the red quarter is elsewhere."""
    img = Image.new("RGB", (width, height))
    for y in range(height):
        for x in range(width):
            red = x < width // 2 and y < height // 2
            img.putpixel((x, y), (220, 20, 20) if red else (20, (x * 4) % 256, (y * 6) % 256))
    return img


def _tiff(entries: list[tuple[int, int, bytes]], order: str = ">") -> bytes:
    """A TIFF (EXIF) block: IFD0 with ``entries`` (tag, type, value), a GPS IFD, an
    Exif IFD with a UserComment and a MakerNote, and IFD1 with a JPEG thumbnail."""
    thumb = io.BytesIO()
    pattern(16, 10).save(thumb, "JPEG", quality=80)
    values = bytearray()
    ifd0_size = 2 + 12 * (len(entries) + 2) + 4
    base = 8 + ifd0_size

    def place(data: bytes) -> int:
        at = base + len(values)
        values.extend(data + b"\0" * (len(data) & 1))
        return at

    def ifd(items: list[tuple[int, int, bytes]], following: int) -> bytes:
        out = struct.pack(order + "H", len(items))
        for tag, kind, value in sorted(items):
            size = {1: 1, 2: 1, 3: 2, 4: 4, 7: 1}[kind]
            count = len(value) // size
            field = value if len(value) <= 4 else struct.pack(order + "I", place(value))
            out += struct.pack(order + "HHI", tag, kind, count) + field.ljust(4, b"\0")
        return out + struct.pack(order + "I", following)

    gps = ifd([(0x0001, 2, b"N\0"), (0x001B, 7, b"ASCII\0\0\0" + GPS_MARK)], 0)
    gps_at = place(gps)
    comment = b"ASCII\0\0\0" + PATIENT.encode()
    exif = ifd([(0x9286, 7, comment), (0x927C, 7, b"maker-note-" + PATIENT.encode())], 0)
    exif_at = place(exif)
    thumb_at = place(thumb.getvalue())
    ifd1 = ifd(
        [
            (0x0201, 4, struct.pack(order + "I", thumb_at)),
            (0x0202, 4, struct.pack(order + "I", len(thumb.getvalue()))),
        ],
        0,
    )
    ifd1_at = place(ifd1)
    head = ifd(
        [
            *entries,
            (0x8825, 4, struct.pack(order + "I", gps_at)),
            (0x8769, 4, struct.pack(order + "I", exif_at)),
        ],
        ifd1_at,
    )
    assert len(head) == ifd0_size
    mark = b"MM\0*" if order == ">" else b"II*\0"
    return mark + struct.pack(order + "I", 8) + head + bytes(values)


def exif_block(orientation: int | None = None, order: str = ">") -> bytes:
    """An EXIF block naming the patient, the photographer and a GPS position, with a
    thumbnail, and the given orientation."""
    entries = [
        (0x010E, 2, f"Knee of {PATIENT}".encode() + b"\0"),
        (0x013B, 2, ARTIST.encode() + b"\0"),
        (0x010F, 2, b"PhoneMaker\0"),
    ]
    if orientation is not None:
        entries.append((0x0112, 3, struct.pack(order + "H", orientation)))
    return _tiff(entries, order)


def _jpeg_segment(marker: int, body: bytes) -> bytes:
    return bytes((0xFF, marker)) + struct.pack(">H", len(body) + 2) + body


def jpeg_with_metadata(
    img: Image.Image | None = None, orientation: int | None = None, order: str = ">"
) -> bytes:
    """A JPEG with JFIF and an ICC profile (kept), then EXIF with GPS, Artist, a
    patient's name and a thumbnail, XMP, IPTC and a comment (all removed), and a
    second picture after the end of the image, as phones append."""
    from PIL import ImageCms

    out = io.BytesIO()
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    (img or pattern()).save(out, "JPEG", quality=90, icc_profile=icc)
    data = out.getvalue()
    assert data[2:4] == b"\xff\xe0"  # JFIF first, as Pillow writes it
    jfif_end = 4 + struct.unpack(">H", data[4:6])[0]
    xmp = (
        b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x='adobe:ns:meta/'>"
        + f"<dc:creator>{XMP_MARK}</dc:creator></x:xmpmeta>".encode()
    )
    iptc = b"Photoshop 3.0\08BIM\x04\x04\0\0\0\0\0\x18\x1c\x02\x50\0\x13" + IPTC_MARK
    planted = (
        _jpeg_segment(0xE1, b"Exif\0\0" + exif_block(orientation, order))
        + _jpeg_segment(0xE1, xmp)
        + _jpeg_segment(0xED, iptc)
        + _jpeg_segment(0xFE, COMMENT.encode())
    )
    second = io.BytesIO()
    pattern(8, 8).save(second, "JPEG")
    return data[:jfif_end] + planted + data[jfif_end:] + second.getvalue()


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_with_metadata(img: Image.Image | None = None, mode: str = "RGBA") -> bytes:
    """A PNG with gAMA and pHYs (kept) and tEXt, zTXt, iTXt, tIME and eXIf (removed)."""
    out = io.BytesIO()
    (img or pattern()).convert(mode).save(out, "PNG")
    data = out.getvalue()
    ihdr_end = 8 + 12 + 13
    key, value = PNG_TEXTS[b"tEXt"]
    ztxt_key, ztxt = PNG_TEXTS[b"zTXt"]
    itxt_key, itxt = PNG_TEXTS[b"iTXt"]
    planted = (
        _png_chunk(b"gAMA", struct.pack(">I", 45455))
        + _png_chunk(b"pHYs", struct.pack(">IIB", 2835, 2835, 1))
        + _png_chunk(b"tEXt", key + b"\0" + value)
        + _png_chunk(b"zTXt", ztxt_key + b"\0\0" + zlib.compress(ztxt))
        + _png_chunk(b"iTXt", itxt_key + b"\0\0\0\0\0" + itxt)
        + _png_chunk(b"tIME", struct.pack(">HBBBBB", 2026, 3, 14, 9, 30, 0))
        + _png_chunk(b"eXIf", exif_block())
    )
    return data[:ihdr_end] + planted + data[ihdr_end:]


def svg_with_metadata() -> bytes:
    """A plain SVG drawing with an editor's <metadata> (RDF, Dublin Core) and comments."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- {SVG_COMMENT} before the drawing -->
<svg xmlns="http://www.w3.org/2000/svg" width="64" height="40" viewBox="0 0 64 40">
  <metadata>
    <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
             xmlns:dc="http://purl.org/dc/elements/1.1/">
      <rdf:Description rdf:about=""><dc:creator>{SVG_MARK}</dc:creator></rdf:Description>
    </rdf:RDF>
  </metadata>
  <!-- {SVG_COMMENT} -->
  <rect x="0" y="0" width="32" height="20" fill="#dc1414"/>
  <metadata/>
  <circle cx="48" cy="30" r="8" fill="#1478b4"/>
</svg>
<!-- {SVG_COMMENT} after -->
""".encode()
