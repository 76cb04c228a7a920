"""Reading just enough of an EXIF block (a TIFF structure) to say what it holds, and
writing the one tag a deck keeps of it: the orientation.

``check`` names what the deck's copy of an image leaves out, so the author learns that
the phone wrote the GPS position or the PACS the patient's name, not just "EXIF". A
block that cannot be read is still removed; it is then named "EXIF" alone.
"""

from __future__ import annotations

import struct

# Tags worth naming, by the IFD they are found in. Anything else is summed up as
# "other tags".
_IFD0_TAGS = {
    0x010E: "ImageDescription",
    0x010F: "Make",
    0x0110: "Model",
    0x0131: "Software",
    0x0132: "DateTime",
    0x013B: "Artist",
    0x8298: "Copyright",
    0x9C9B: "XPTitle",
    0x9C9C: "XPComment",
    0x9C9D: "XPAuthor",
}
_EXIF_TAGS = {
    0x9003: "DateTimeOriginal",
    0x927C: "MakerNote",
    0x9286: "UserComment",
    0xA420: "ImageUniqueID",
    0xA430: "CameraOwnerName",
    0xA431: "BodySerialNumber",
}
_ORIENTATION = 0x0112
_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
_MAX_ENTRIES = 1000


def _reader(tiff: bytes) -> tuple[str, int] | None:
    """The byte order (for struct) and the offset of IFD0, or None if not TIFF."""
    if tiff[:4] == b"II*\0":
        order = "<"
    elif tiff[:4] == b"MM\0*":
        order = ">"
    else:
        return None
    return order, struct.unpack(order + "I", tiff[4:8])[0]


def _entries(tiff: bytes, order: str, offset: int) -> tuple[dict[int, bytes], int]:
    """An IFD's entries (tag → the 4-byte value field) and the offset of the next IFD."""
    (count,) = struct.unpack(order + "H", tiff[offset : offset + 2])
    if count > _MAX_ENTRIES:
        raise ValueError("too many entries")
    entries = {}
    for n in range(count):
        at = offset + 2 + 12 * n
        tag, kind, _ = struct.unpack(order + "HHI", tiff[at : at + 8])
        entries[tag] = tiff[at + 8 : at + 12] if kind in (3, 4, 13) else b"\0\0\0\0"
    end = offset + 2 + 12 * count
    (following,) = struct.unpack(order + "I", tiff[end : end + 4])
    return entries, following


def kept(tiff: bytes, removed: list[str]) -> bytes | None:
    """What a deck keeps of an EXIF block: the orientation alone, or nothing. What goes
    is added to ``removed``, unless the block held the orientation alone already."""
    turn = orientation(tiff)
    block = minimal(turn) if turn else None
    if tiff != block:
        removed.append(describe(tiff))
    return block


def describe(tiff: bytes) -> str:
    """What an EXIF block holds, in words: "EXIF (Artist, GPS position, thumbnail)"."""
    try:
        found = _reader(tiff)
        if found is None:
            return "EXIF"
        order, offset = found
        ifd0, next_ifd = _entries(tiff, order, offset)
        names = [name for tag, name in _IFD0_TAGS.items() if tag in ifd0]
        if _EXIF_IFD in ifd0:
            (at,) = struct.unpack(order + "I", ifd0[_EXIF_IFD])
            exif, _ = _entries(tiff, order, at)
            names += [name for tag, name in _EXIF_TAGS.items() if tag in exif]
        if _GPS_IFD in ifd0:
            names.append("GPS position")
        if next_ifd:
            names.append("thumbnail")
        known = {*_IFD0_TAGS, _EXIF_IFD, _GPS_IFD, _ORIENTATION}
        if set(ifd0) - known:
            names.append("other tags")
    except (struct.error, ValueError):
        return "EXIF"
    return f"EXIF ({', '.join(names)})" if names else "EXIF"


def orientation(tiff: bytes) -> int | None:
    """The orientation an EXIF block gives (2 to 8), or None when it gives none, the
    default (1), or an unreadable one."""
    try:
        found = _reader(tiff)
        if found is None:
            return None
        order, offset = found
        value = _entries(tiff, order, offset)[0].get(_ORIENTATION)
    except (struct.error, ValueError):
        return None
    if value is None:
        return None
    (n,) = struct.unpack(order + "H", value[:2])
    return n if 2 <= n <= 8 else None


def minimal(orientation: int) -> bytes:
    """An EXIF block (TIFF, big-endian) holding the orientation and nothing else."""
    entry = struct.pack(">HHIH2x", _ORIENTATION, 3, 1, orientation)
    return b"MM\0*" + struct.pack(">I", 8) + struct.pack(">H", 1) + entry + b"\0\0\0\0"
