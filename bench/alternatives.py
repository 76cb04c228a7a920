"""The library alternatives to deckbuilder's hand-written parts, for ``bench/run.py``.

Each hand-written part stays only where it saves at least 10% of the build (or rebuild)
it serves, measured against what a library does in its place. This module provides those
places; ``variant.py`` runs the real CLI with one part swapped for its alternative.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from typing import BinaryIO

from deckbuilder.apkg import zipwriter


class StdlibZipWriter:
    """The same archive as ``deckbuilder.apkg.zipwriter.ZipWriter`` makes — fixed date,
    permissions, order, deflate level, stored entries — written by Python's ``zipfile``
    on one core."""

    def __init__(self, out: BinaryIO, *, threads: int | None = None) -> None:
        self.zf = zipfile.ZipFile(
            out, "w", zipfile.ZIP_DEFLATED, compresslevel=zipwriter.LEVEL, allowZip64=True
        )

    def __enter__(self) -> StdlibZipWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        """The caller closes the archive with its comment (as ZipWriter's callers do)."""

    def write(self, name: str, data: bytes | BinaryIO, size: int) -> None:
        info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o100644 << 16
        info.file_size = size
        with self.zf.open(info, "w", force_zip64=size >= zipwriter.ZIP64_FROM) as dest:
            if isinstance(data, bytes):
                dest.write(data)
            else:
                while chunk := data.read(1 << 20):
                    dest.write(chunk)

    def store(self, name: str, chunks: Iterable[bytes], at_most: int) -> None:
        info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_STORED
        info.external_attr = 0o100644 << 16
        with self.zf.open(info, "w", force_zip64=at_most >= zipwriter.ZIP64_FROM) as dest:
            for chunk in chunks:
                dest.write(chunk)

    def close(self, comment: bytes = b"") -> None:
        self.zf.comment = comment
        self.zf.close()
