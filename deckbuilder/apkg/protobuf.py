"""The few protobuf messages of Anki's current package format, by hand.

The current format (``collection.anki21b``) describes itself in two small protobuf
messages — ``PackageMetadata`` (which version the package is) and ``MediaEntries`` (the
media files' names, sizes and SHA-1s) — and stores note type and template settings as
protobuf inside the collection. Writing and reading those needs varints and
length-delimited fields and nothing else; a protobuf library would need Anki's
``.proto`` files compiled for it and cost more to import than this whole module.
The field numbers are those of ``proto/anki/import_export.proto`` and
``proto/anki/notetypes.proto`` in Anki's sources.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

_VARINT = 0
_FIXED64 = 1
_BYTES = 2
_FIXED32 = 5

# PackageMetadata.Version: LEGACY_1 = 1 (collection.anki2), LEGACY_2 = 2
# (collection.anki21), LATEST = 3 (collection.anki21b, zstd, MediaEntries).
LATEST = 3


def varint(value: int) -> bytes:
    """``value`` (non-negative) as a protobuf varint."""
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _key(number: int, wire: int) -> bytes:
    return varint(number << 3 | wire)


def _length_delimited(number: int, data: bytes) -> bytes:
    return _key(number, _BYTES) + varint(len(data)) + data


def package_metadata(version: int = LATEST) -> bytes:
    """``PackageMetadata { version = 3 }`` (field 1, LATEST by default): the ``meta``
    entry of a package."""
    return _key(1, _VARINT) + varint(version)


def media_entries(entries: Iterable[tuple[str, int, bytes]]) -> bytes:
    """``MediaEntries { repeated MediaEntry entries = 1 }`` for (name, size, sha1)
    triples, in the order of the package's numbered media entries."""
    out = bytearray()
    for name, size, sha1 in entries:
        entry = (
            _length_delimited(1, name.encode("utf-8"))
            + _key(2, _VARINT)
            + varint(size)
            + _length_delimited(3, sha1)
        )
        out += _length_delimited(1, entry)
    return bytes(out)


def fields(message: bytes) -> Iterable[tuple[int, int | bytes]]:
    """The top-level fields of a message, in order: (number, varint value or bytes).
    Fixed-size fields are skipped. Raises ValueError on a malformed message."""
    i = 0
    while i < len(message):
        key, i = _read_varint(message, i)
        number, wire = key >> 3, key & 7
        if wire == _VARINT:
            value, i = _read_varint(message, i)
            yield number, value
        elif wire == _FIXED64:
            i += 8
        elif wire == _FIXED32:
            i += 4
        elif wire == _BYTES:
            size, i = _read_varint(message, i)
            if i + size > len(message):
                raise ValueError("truncated protobuf field")
            yield number, message[i : i + size]
            i += size
        else:
            raise ValueError(f"unexpected protobuf wire type {wire}")


def strings(message: bytes) -> dict[int, str]:
    """The top-level UTF-8 string fields of a message, by field number (the first of
    each): enough to read note type and template configs."""
    out: dict[int, str] = {}
    for number, value in fields(message):
        if isinstance(value, bytes):
            with contextlib.suppress(UnicodeDecodeError):
                out.setdefault(number, value.decode("utf-8"))
    return out


def _read_varint(data: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if i >= len(data) or shift > 63:
            raise ValueError("truncated protobuf varint")
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, i
        shift += 7
