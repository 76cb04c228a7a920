"""Open up a built package's collection, whatever its format, to read or change it by hand
(for tests that need a package deckbuilder would never write)."""

from __future__ import annotations

import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path

import zstandard


def collection_bytes(apkg: Path) -> bytes:
    """The collection database of ``apkg``: the current format's (zstd) if present,
    else the legacy one."""
    with zipfile.ZipFile(apkg) as zf:
        names = set(zf.namelist())
        if "collection.anki21b" in names:
            packed = zf.read("collection.anki21b")  # independent frames, read across
            reader = zstandard.ZstdDecompressor().stream_reader(packed, read_across_frames=True)
            return reader.read()
        return zf.read("collection.anki21" if "collection.anki21" in names else "collection.anki2")


def query(apkg: Path, sql: str) -> list[tuple]:
    """Run ``sql`` on a copy of the package's collection."""
    db = apkg.with_name(apkg.name + ".query.anki2")
    db.write_bytes(collection_bytes(apkg))
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()
        db.unlink()


def patch_collection(apkg: Path, change: Callable[[sqlite3.Connection], None]) -> None:
    """Apply ``change`` to the package's collection and write the package back in its
    own format (every other entry as it was)."""
    with zipfile.ZipFile(apkg) as zf:
        entries = {i.filename: (zf.read(i), i.compress_type) for i in zf.infolist()}
    name = next(
        n for n in ("collection.anki21b", "collection.anki21", "collection.anki2") if n in entries
    )
    db = apkg.with_name(apkg.name + ".patch.anki2")
    db.write_bytes(collection_bytes(apkg))
    conn = sqlite3.connect(db)
    change(conn)
    conn.commit()
    conn.close()
    data = db.read_bytes()
    db.unlink()
    if name == "collection.anki21b":
        data = zstandard.ZstdCompressor().compress(data)
    entries[name] = (data, entries[name][1])
    with zipfile.ZipFile(apkg, "w") as zf:
        for entry, (raw, method) in entries.items():
            zf.writestr(entry, raw, compress_type=method)
