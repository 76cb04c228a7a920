"""The images of any ``.apkg``, read with limits, and the metadata they still carry.

``inspect`` tells a colleague who received a deck whether its pictures carry EXIF, XMP,
text chunks or other data that may identify a patient or a place, before it is shared
on: a deck built by deckbuilder carries none, one exported from Anki carries whatever
its images held. Each file is read whole only up to the size an image may have in a
deck; the package's media list is read in either format (JSON in the legacy one, a
zstd-compressed protobuf in the current one, whose entries are zstd-compressed too).
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from deckbuilder.apkg import protobuf
from deckbuilder.apkg.reader import MAX_PACKAGE_BYTES
from deckbuilder.content.imagemeta import DamagedImage, clean
from deckbuilder.content.media import IMAGE_TYPES, MAX_IMAGE_BYTES
from deckbuilder.errors import PackageError
from deckbuilder.files import MiB, open_regular

MAX_MEDIA_LIST_BYTES = 64 * MiB
_LEGACY_NAME = 255  # MediaEntry.legacy_zip_filename


@dataclass(frozen=True)
class ImageMetadata:
    """One image of a package and what it carries besides its picture."""

    name: str
    found: tuple[str, ...]  # in words, as `check` names them; empty when clean


def image_metadata(path: Path) -> list[ImageMetadata]:
    """Every image of the package at ``path`` that carries metadata (or cannot be read
    through, which is said as such), in the package's order."""
    out = []
    for name, data in _images(Path(path)):
        try:
            found = clean(data, Path(name).suffix).removed
        except DamagedImage as exc:
            found = (f"unreadable structure ({exc}): its content cannot be checked",)
        if found:
            out.append(ImageMetadata(name, found))
    return out


def _images(path: Path) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of each image file of the package (by its name's suffix)."""
    try:
        with open_regular(path, MAX_PACKAGE_BYTES) as fh, zipfile.ZipFile(fh) as zf:
            names = set(zf.namelist())
            modern = "meta" in names and _version(zf) >= protobuf.LATEST
            listing = _media_list(zf, modern) if "media" in names else {}
            for entry, name in listing.items():
                if Path(name).suffix.lower() not in IMAGE_TYPES or entry not in names:
                    continue
                with zf.open(entry) as raw:
                    yield name, _read(raw, modern, f"{path}: media {name!r}")
    except (OSError, zipfile.BadZipFile, EOFError, RuntimeError, ValueError) as exc:
        raise PackageError(f"{path}: its media cannot be read ({exc})") from exc
    except Exception as exc:
        if type(exc).__module__.startswith("zstd"):
            raise PackageError(f"{path}: its media is not valid zstd ({exc})") from exc
        raise


def _version(zf: zipfile.ZipFile) -> int:
    """The package format version its ``meta`` entry gives (PackageMetadata.version)."""
    with zf.open("meta") as raw:
        fields = dict(protobuf.fields(raw.read(1024)))
    version = fields.get(1)
    return version if isinstance(version, int) else 0


def _media_list(zf: zipfile.ZipFile, modern: bool) -> dict[str, str]:
    """Zip entry → media file name."""
    with zf.open("media") as raw:
        data = _read(raw, modern, "the media list", MAX_MEDIA_LIST_BYTES)
    if not modern:
        listing = json.loads(data or b"{}")
        return {str(k): str(v) for k, v in listing.items()}
    out = {}
    for index, (number, entry) in enumerate(protobuf.fields(data)):
        if number != 1 or not isinstance(entry, bytes):
            continue
        fields = dict(protobuf.fields(entry))
        name, legacy = fields.get(1), fields.get(_LEGACY_NAME)
        if isinstance(name, bytes):
            out[str(legacy) if isinstance(legacy, int) else str(index)] = name.decode("utf-8")
    return out


def _read(raw: IO[bytes], zstd: bool, what: str, limit: int = MAX_IMAGE_BYTES) -> bytes:
    """At most ``limit`` bytes of an entry, decompressing zstd; more is refused."""
    if zstd:
        import zstandard

        stream: IO[bytes] = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
    else:
        stream = raw
    data = bytearray()
    while len(data) <= limit and (chunk := stream.read(min(MiB, limit + 1 - len(data)))):
        data += chunk
    if len(data) > limit:
        raise PackageError(f"{what} is larger than {limit:,} bytes; refused")
    return bytes(data)
