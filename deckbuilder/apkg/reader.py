"""Read any ``.apkg``: ours, genanki's, or one exported by Anki itself.

Three generations of package exist: ``collection.anki2`` (schema 11, what genanki
writes, and deckbuilder with ``support_older_anki``), ``collection.anki21`` (Anki 2.1's
legacy export) and ``collection.anki21b`` (the current format: a zstd-compressed SQLite
database, from Anki with note types, fields, templates and decks in tables of their own,
from deckbuilder in schema 11). The newest one present is read, its schema recognised by
its tables. Only what ``inspect`` and ``diff`` need is extracted.

A package may come from anyone, so it is read with limits: the zip must be a regular
file, the collection is decompressed as a stream into a temporary file and stopped at
:data:`MAX_COLLECTION_BYTES` or when it expands more than :data:`MAX_RATIO` times
(:data:`MAX_ZSTD_RATIO` for the current format's zstd stream; a zip bomb of a few
megabytes claims gigabytes), and memory holds one chunk at a time.
Note types are compared by what Anki compares — field names, template names, the
templates' text and the CSS — read from either format (legacy JSON, or the protobuf
messages of the current one).
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import os
import re
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from deckbuilder.apkg import protobuf
from deckbuilder.errors import DeckbuilderError
from deckbuilder.files import MiB, open_regular

MAX_PACKAGE_BYTES = 4096 * MiB
MAX_COLLECTION_BYTES = 2048 * MiB
MAX_RATIO = 200  # uncompressed / compressed (deflate); real decks stay under 40
# zstd reaches far higher on real decks: one 20 KB case 2,000 times over is 174x in
# Anki's own export and 222x in ours; a zstd stream of zeros is 25,000x.
MAX_ZSTD_RATIO = 2000
_CHUNK = MiB


class PackageError(DeckbuilderError):
    """The file is not an Anki package this tool can read."""


@dataclass(frozen=True)
class NoteType:
    id: int
    name: str
    mtime: int
    fields: tuple[str, ...]
    templates: tuple[str, ...]
    css: str = ""
    formats: tuple[tuple[str, str], ...] = ()  # each template's front and back

    @property
    def schema(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """What Anki matches a re-imported note type by: field and template names."""
        return self.fields, self.templates

    @property
    def look(self) -> str:
        """A hash of what an update of the note type carries: CSS and templates."""
        return hashlib.sha256(json.dumps([self.css, self.formats]).encode()).hexdigest()[:16]

    @property
    def fingerprint(self) -> str:
        """As deckbuilder's build state fingerprints a note type (name, fields, templates,
        CSS), so a lock recovered from a deck can tell whether the note type changed."""
        from deckbuilder.notes.notetype import notetype_fingerprint

        templates = [(n, q, a) for n, (q, a) in zip(self.templates, self.formats, strict=False)]
        return notetype_fingerprint(self.name, self.fields, templates, self.css)


@dataclass(frozen=True)
class DeckRecord:
    """A deck of the package: its name, when it last changed and, where the format says
    it plainly, its description."""

    id: int
    name: str
    mtime: int
    description: str | None


@dataclass(frozen=True)
class Note:
    guid: str
    notetype_id: int
    mtime: int
    fields: tuple[str, ...]
    tags: tuple[str, ...]

    def field(self, notetype: NoteType | None, name: str) -> str | None:
        if notetype is None or name not in notetype.fields:
            return None
        index = notetype.fields.index(name)
        return self.fields[index] if index < len(self.fields) else None


@dataclass
class Package:
    path: Path
    format: str
    decks: list[str]  # the names of the decks that hold cards
    notetypes: dict[int, NoteType]
    notes: list[Note] = field(default_factory=list)
    deck_records: dict[int, DeckRecord] = field(default_factory=dict)

    def ref(self, note: Note) -> tuple[str, str]:
        """(case id, question id) of a deckbuilder note; ("-", "-") for any other."""
        ref = note.field(self.notetypes.get(note.notetype_id), "Ref")
        if ref and "/" in ref:
            case, _, question = ref.partition("/")
            return case, question
        return "-", "-"

    def summary(self, note: Note, words: int = 12) -> str:
        """The first words of the question (or of the first field)."""
        text = note.field(self.notetypes.get(note.notetype_id), "Question") or (
            note.fields[0] if note.fields else ""
        )
        plain = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())
        cut = plain.split(" ")
        return " ".join(cut[:words]) + (" …" if len(cut) > words else "")


def read_package(path: Path) -> Package:
    """Read the note types, decks and notes of an ``.apkg``."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(suffix=".anki2")
    try:
        with os.fdopen(fd, "wb") as out:
            fmt = _extract_collection(path, out)
        conn = sqlite3.connect(f"file:{tmp}?mode=ro&immutable=1", uri=True)
        try:
            return _read(conn, path, fmt)
        except (sqlite3.Error, ValueError, KeyError, TypeError) as exc:
            raise PackageError(f"{path}: unexpected collection layout ({exc})") from exc
        finally:
            conn.close()
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _extract_collection(path: Path, out: BinaryIO) -> str:
    """Write the package's collection database to ``out``; return its format."""
    try:
        with open_regular(path, MAX_PACKAGE_BYTES) as fh, zipfile.ZipFile(fh) as zf:
            names = {info.filename: info for info in zf.infolist()}
            fmt = next(
                (f for f in ("anki21b", "anki21", "anki2") if f"collection.{f}" in names), None
            )
            if fmt is None:
                raise PackageError(f"{path}: no Anki collection inside; is it an .apkg?")
            info = names[f"collection.{fmt}"]
            limit = _limit(path, info.file_size, info.compress_size)
            with zf.open(info) as entry:
                if fmt == "anki21b":
                    import zstandard

                    # The zip stores the zstd stream, so its sizes say nothing of what
                    # it expands to: the same ratio is enforced while decompressing.
                    expands = max(16 * MiB, MAX_ZSTD_RATIO * info.compress_size)
                    decompressor = zstandard.ZstdDecompressor()
                    with decompressor.stream_reader(entry, read_across_frames=True) as stream:
                        _copy(path, stream, out, min(MAX_COLLECTION_BYTES, expands))
                else:
                    _copy(path, entry, out, limit)
    except (OSError, zipfile.BadZipFile, EOFError, RuntimeError) as exc:
        raise PackageError(f"{path}: cannot be read as an Anki package ({_reason(exc)})") from exc
    except ImportError as exc:  # pragma: no cover - zstandard is a dependency
        raise PackageError(f"{path}: reading the current format needs zstandard") from exc
    except Exception as exc:
        if type(exc).__module__.startswith("zstd"):
            raise PackageError(f"{path}: its collection is not valid zstd ({exc})") from exc
        raise
    return fmt


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc)


def _limit(path: Path, size: int, compressed: int) -> int:
    """How many bytes the collection may expand to, refusing a zip bomb up front."""
    if size > MAX_COLLECTION_BYTES or (size > 16 * MiB and size > MAX_RATIO * max(compressed, 1)):
        raise PackageError(
            f"{path}: its collection claims {size:,} bytes from {compressed:,}; refused as "
            f"a likely zip bomb (at most {MAX_COLLECTION_BYTES:,} bytes, {MAX_RATIO}x)"
        )
    return size


def _copy(path: Path, src: BinaryIO, out: BinaryIO, limit: int) -> None:
    """Copy at most ``limit`` bytes, a chunk at a time; more is a zip bomb."""
    done = 0
    while chunk := src.read(_CHUNK):
        done += len(chunk)
        if done > limit:
            raise PackageError(
                f"{path}: its collection expands beyond {limit:,} bytes; refused as a "
                "likely zip bomb"
            )
        out.write(chunk)


def _read(conn: sqlite3.Connection, path: Path, fmt: str) -> Package:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "notetypes" in tables:
        notetypes = _modern_notetypes(conn)
        records = {
            int(i): DeckRecord(int(i), n.replace("\x1f", "::"), int(m), None)
            for i, n, m in conn.execute("SELECT id, name, mtime_secs FROM decks")
        }
    else:
        models_json, decks_json = conn.execute("SELECT models, decks FROM col").fetchone()
        notetypes = {}
        for m in json.loads(models_json).values():
            formats = tuple((t.get("qfmt", ""), t.get("afmt", "")) for t in m.get("tmpls", []))
            notetypes[int(m["id"])] = NoteType(
                int(m["id"]),
                m["name"],
                int(m.get("mod", 0)),
                tuple(f["name"] for f in m["flds"]),
                tuple(t["name"] for t in m["tmpls"]),
                m.get("css", ""),
                formats,
            )
        records = {
            int(d["id"]): DeckRecord(int(d["id"]), d["name"], int(d.get("mod", 0)), d.get("desc"))
            for d in json.loads(decks_json).values()
        }
    notes = [
        Note(guid, int(mid), int(mod), tuple(flds.split("\x1f")), tuple(tags.split()))
        for guid, mid, mod, flds, tags in conn.execute(
            "SELECT guid, mid, mod, flds, tags FROM notes ORDER BY id"
        )
    ]
    # The decks that hold cards (packages also carry 'Default' and parents); all of them
    # when no card says.
    used = {r[0] for r in conn.execute("SELECT DISTINCT did FROM cards")}
    deck_names = sorted(records[d].name for d in used if d in records) or sorted(
        r.name for r in records.values()
    )
    return Package(path, fmt, deck_names, notetypes, notes, records)


def _modern_notetypes(conn: sqlite3.Connection) -> dict[int, NoteType]:
    notetypes = {}
    for ntid, name, mtime, config in conn.execute(
        "SELECT id, name, mtime_secs, config FROM notetypes"
    ):
        fields = tuple(
            r[0]
            for r in conn.execute("SELECT name FROM fields WHERE ntid = ? ORDER BY ord", (ntid,))
        )
        templates = conn.execute(
            "SELECT name, config FROM templates WHERE ntid = ? ORDER BY ord", (ntid,)
        ).fetchall()
        css = protobuf.strings(bytes(config)).get(3, "")  # Notetype.Config.css
        formats = []
        for _, tconfig in templates:
            strings = protobuf.strings(bytes(tconfig))  # Template.Config: q_format 1, a_format 2
            formats.append((strings.get(1, ""), strings.get(2, "")))
        notetypes[int(ntid)] = NoteType(
            int(ntid), name, int(mtime), fields, tuple(t[0] for t in templates), css, tuple(formats)
        )
    return notetypes
