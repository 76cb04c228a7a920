"""Read any ``.apkg``: ours, genanki's, or one exported by Anki itself.

Three generations of package exist: ``collection.anki2`` (schema 11, what genanki
writes, and deckbuilder with ``support_older_anki``), ``collection.anki21`` (Anki 2.1's
legacy export) and ``collection.anki21b`` (the current format: a zstd-compressed SQLite
database, from Anki with note types, fields, templates and decks in tables of their own,
from deckbuilder in schema 11). The newest one present is read, its schema recognised by
its tables. Only what ``inspect`` and ``diff`` need is extracted.

A package may come from anyone, and a few hundred kilobytes of zstd can hold gigabytes,
so what reading one costs is bounded whatever it holds. The zip must be a regular file.
The collection is decompressed as a stream into a temporary file, a chunk at a time, and
stopped beyond :data:`MAX_COLLECTION_BYTES` or when it expands more than
:data:`MAX_RATIO` times (:data:`MAX_ZSTD_RATIO` for the current format's zstd stream).
SQLite then reads it from disk and hands over no value larger than
:data:`MAX_VALUE_BYTES`; note types and decks together take at most
:data:`MAX_HEADER_BYTES`, and there are at most :data:`MAX_NOTES` notes, passed on one at
a time. :func:`read_listing` (``inspect``, ``diff``) keeps of each note its identity, a
hash of its text and its first words, so its memory grows with the number of notes and
never with their text; :func:`read_package` keeps every note whole, for the lock
recovery, which needs the text of its own deck's notes.

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
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, BinaryIO, Generic, TypeVar

from deckbuilder.apkg import protobuf
from deckbuilder.errors import PackageError
from deckbuilder.files import MiB, open_regular

MAX_PACKAGE_BYTES = 4096 * MiB
# The decompressed collection, on disk while it is read: several times what a real deck
# of any size needs, and small enough that a bomb costs little disk and time.
MAX_COLLECTION_BYTES = 1024 * MiB
MAX_RATIO = 200  # uncompressed / compressed (deflate); real decks stay under 40
# zstd reaches far higher on real decks: one 20 KB case 2,000 times over is 174x in
# Anki's own export and 222x in ours; a zstd stream of zeros is 25,000x.
MAX_ZSTD_RATIO = 2000
# Any one value SQLite hands over: a note's fields, its tags, a note type. Our own notes
# hold one case file (at most 1 MiB of YAML) rendered as HTML.
MAX_VALUE_BYTES = 16 * MiB
# Note types and decks, parsed whole: their bytes, and _ROW_BYTES more for each row (what
# a row costs as Python objects, however empty it is).
MAX_HEADER_BYTES = 8 * MiB
_ROW_BYTES = 100
MAX_NOTES = 500_000
MAX_GUID = 256  # characters; Anki's own GUIDs have ten
MAX_TAGS = 10_000  # of one note
SUMMARY_WORDS = 12
_SUMMARY_SOURCE = 4096  # characters of a field its first words are taken from
_REF_CHARS = 100  # of a case or question id as listed; stable keys have at most 64
_CHUNK = MiB


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
    """A note whole, as :func:`read_package` keeps it."""

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


@dataclass(frozen=True, slots=True)
class Listed:
    """What ``inspect`` and ``diff`` keep of a note: who it is, a hash of its fields and
    tags, and its first words; never its text, which may be of any size."""

    guid: str
    notetype_id: int
    mtime: int
    case: str  # "-" for a note that is not deckbuilder's
    question: str
    words: str  # the first SUMMARY_WORDS words of its question (or first field)
    more: bool  # more words follow
    content: str  # a hash of its fields and of its tags in any order
    retired: bool

    def summary(self, words: int = SUMMARY_WORDS) -> str:
        """The first ``words`` words (at most :data:`SUMMARY_WORDS`), "…" when more follow."""
        cut = self.words.split(" ")
        shown = " ".join(cut[:words])
        return f"{shown} …".lstrip() if self.more or len(cut) > words else shown


N = TypeVar("N", Note, Listed)


@dataclass
class Package(Generic[N]):
    """A package's note types and decks, and its notes as the reader kept them: whole
    (:func:`read_package`) or listed (:func:`read_listing`)."""

    path: Path
    format: str
    decks: list[str]  # the names of the decks that hold cards
    notetypes: dict[int, NoteType]
    notes: list[N] = field(default_factory=list)
    deck_records: dict[int, DeckRecord] = field(default_factory=dict)


def read_package(path: Path) -> Package[Note]:
    """Read the note types, decks and every note whole (fields and tags) of an ``.apkg``."""
    path = Path(path)
    with _collection(path) as (conn, fmt):
        notetypes, records, decks = _header(conn, path)
        notes = [
            Note(guid, mid, mod, tuple(flds.split("\x1f")), tags)
            for guid, mid, mod, flds, tags in _rows(conn, path)
        ]
    return Package(path, fmt, decks, notetypes, notes, records)


def read_listing(path: Path) -> Package[Listed]:
    """Read the note types and decks of an ``.apkg`` and what ``inspect`` and ``diff``
    show of each note (:class:`Listed`), one note at a time."""
    from deckbuilder.notes.retired import RETIRED_TAG

    path = Path(path)
    with _collection(path) as (conn, fmt):
        notetypes, records, decks = _header(conn, path)
        notes = [
            _listed(guid, mid, mod, flds, tags, notetypes.get(mid), RETIRED_TAG)
            for guid, mid, mod, flds, tags in _rows(conn, path)
        ]
    return Package(path, fmt, decks, notetypes, notes, records)


@contextlib.contextmanager
def _collection(path: Path) -> Iterator[tuple[sqlite3.Connection, str]]:
    """The package's collection, decompressed into a temporary file (deleted afterwards)
    and open read-only, and its format."""
    fd, tmp = tempfile.mkstemp(suffix=".anki2")
    try:
        with os.fdopen(fd, "wb") as out:
            fmt = _extract_collection(path, out)
        conn = sqlite3.connect(f"file:{tmp}?mode=ro&immutable=1", uri=True)
        # SQLite refuses a larger value before reading it, so no value costs more memory.
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
        try:
            yield conn, fmt
        except sqlite3.DataError as exc:
            if exc.sqlite_errorcode != sqlite3.SQLITE_TOOBIG:
                raise PackageError(f"{path}: unexpected collection layout ({exc})") from exc
            raise PackageError(
                f"{path}: its collection holds a value (a note's text or tags, a note type) "
                f"of more than {MAX_VALUE_BYTES:,} bytes; refused, no real deck has one"
            ) from exc
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


def _copy(path: Path, src: IO[bytes], out: BinaryIO, limit: int) -> None:
    """Copy at most ``limit`` bytes, a chunk at a time; more is refused."""
    done = 0
    while chunk := src.read(_CHUNK):
        done += len(chunk)
        if done > limit:
            if limit < MAX_COLLECTION_BYTES:
                raise PackageError(
                    f"{path}: its collection expands beyond {limit:,} bytes; refused as a "
                    "likely zip bomb"
                )
            raise PackageError(
                f"{path}: its collection expands beyond {limit:,} bytes, the most deckbuilder "
                f"reads ({MAX_COLLECTION_BYTES // MiB:,} MiB, several times a real deck's); "
                "refused"
            )
        out.write(chunk)


def _header(
    conn: sqlite3.Connection, path: Path
) -> tuple[dict[int, NoteType], dict[int, DeckRecord], list[str]]:
    """The note types, the deck records and the names of the decks that hold cards."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    modern = "notetypes" in tables
    (size,) = conn.execute(_MODERN_HEADER if modern else _LEGACY_HEADER).fetchone()
    if size > MAX_HEADER_BYTES:
        raise PackageError(
            f"{path}: its note types and decks take {int(size):,} bytes; refused, at most "
            f"{MAX_HEADER_BYTES:,} are read"
        )
    if modern:
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
    # The decks that hold cards (packages also carry 'Default' and parents); all of them
    # when no card says.
    used = {d for (d,) in conn.execute("SELECT DISTINCT did FROM cards") if d in records}
    deck_names = sorted(records[d].name for d in used) or sorted(r.name for r in records.values())
    return notetypes, records, deck_names


def _blob_bytes(column: str) -> str:
    return f"length(CAST({column} AS BLOB))"


_LEGACY_HEADER = (
    f"SELECT {_blob_bytes('models')} + {_blob_bytes('decks')} + {_ROW_BYTES} FROM col LIMIT 1"
)
_MODERN_HEADER = "SELECT " + " + ".join(
    f"(SELECT total({' + '.join(map(_blob_bytes, columns))}) + {_ROW_BYTES} * count(*) "
    f"FROM {table})"
    for table, columns in (
        ("notetypes", ("name", "config")),
        ("fields", ("name",)),
        ("templates", ("name", "config")),
        ("decks", ("name",)),
    )
)


def _modern_notetypes(conn: sqlite3.Connection) -> dict[int, NoteType]:
    fields: defaultdict[int, list[str]] = defaultdict(list)
    for ntid, name in conn.execute("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
        fields[ntid].append(name)
    templates: defaultdict[int, list[tuple[str, bytes]]] = defaultdict(list)
    for ntid, name, config in conn.execute(
        "SELECT ntid, name, config FROM templates ORDER BY ntid, ord"
    ):
        templates[ntid].append((name, bytes(config)))
    notetypes = {}
    for ntid, name, mtime, config in conn.execute(
        "SELECT id, name, mtime_secs, config FROM notetypes"
    ):
        css = protobuf.strings(bytes(config)).get(3, "")  # Notetype.Config.css
        formats = []
        for _, tconfig in templates.get(ntid, []):
            strings = protobuf.strings(tconfig)  # Template.Config: q_format 1, a_format 2
            formats.append((strings.get(1, ""), strings.get(2, "")))
        notetypes[int(ntid)] = NoteType(
            int(ntid),
            name,
            int(mtime),
            tuple(fields.get(ntid, [])),
            tuple(t[0] for t in templates.get(ntid, [])),
            css,
            tuple(formats),
        )
    return notetypes


def _rows(
    conn: sqlite3.Connection, path: Path
) -> Iterator[tuple[str, int, int, str, tuple[str, ...]]]:
    """Each note's GUID, note type id, modification time, fields (as stored, joined by
    ``\\x1f``) and tags, one note at a time in the order of their ids."""
    (count,) = conn.execute("SELECT count(*) FROM notes").fetchone()
    if count > MAX_NOTES:
        raise PackageError(f"{path}: it holds {count:,} notes; refused, at most {MAX_NOTES:,}")
    for guid, mid, mod, flds, tags in conn.execute(
        "SELECT guid, mid, mod, flds, tags FROM notes ORDER BY id"
    ):
        if len(guid) > MAX_GUID:
            raise PackageError(
                f"{path}: a note's GUID is {len(guid):,} characters long; refused, at most "
                f"{MAX_GUID}"
            )
        tag_list = tags.split(None, MAX_TAGS)
        if len(tag_list) > MAX_TAGS:
            raise PackageError(f"{path}: a note has more than {MAX_TAGS:,} tags; refused")
        yield guid, int(mid), int(mod), flds, tuple(tag_list)


_OCCLUSION_REF = re.compile(r"[a-z0-9][a-z0-9_-]*/figures/[a-z0-9][a-z0-9_-]*")


def _listed(
    guid: str,
    mid: int,
    mod: int,
    flds: str,
    tags: tuple[str, ...],
    notetype: NoteType | None,
    retired_tag: str,
) -> Listed:
    names = notetype.fields if notetype is not None else ()
    # Only as many pieces as the note type has fields, however many separators the text holds.
    values = flds.split("\x1f", max(len(names), 1))

    def value(name: str) -> str | None:
        if name not in names:
            return None
        index = names.index(name)
        return values[index] if index < len(values) else None

    # deckbuilder's notes keep their ref in Ref; an Image Occlusion note (whose fields
    # are Anki's own) in Comments, where only a ref's shape is taken for one
    ref = value("Ref")
    comments = value("Comments")
    if ref is None and comments and _OCCLUSION_REF.fullmatch(comments):
        ref = comments
    case, question = ("-", "-")
    if ref and "/" in ref:
        case, _, question = ref.partition("/")
    words, more = _first_words(value("Question") or value("Header") or values[0])
    content = hashlib.sha256(flds.encode())
    content.update(f"\x1e{' '.join(sorted(set(tags)))}".encode())
    return Listed(
        guid,
        mid,
        mod,
        _clip(case),
        _clip(question),
        words,
        more,
        content.hexdigest()[:32],
        retired_tag in tags,
    )


def _first_words(text: str) -> tuple[str, bool]:
    """The first :data:`SUMMARY_WORDS` words of an HTML field as plain text, and whether
    more follow, taken from the field's start only."""
    cut = len(text) > _SUMMARY_SOURCE
    head = text[:_SUMMARY_SOURCE]
    if cut:
        head = re.sub(r"<[^>]*$", "", head)  # a tag cut in two
    plain = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", head)).split())
    words = plain.split(" ")
    return " ".join(words[:SUMMARY_WORDS]), cut or len(words) > SUMMARY_WORDS


def _clip(text: str) -> str:
    return text if len(text) <= _REF_CHARS else text[: _REF_CHARS - 1] + "…"
