"""Stage 3 of a build: write the ``.apkg``, byte for byte reproducibly.

genanki provides the objects (note type, deck) and the collection schema. Its package
writer is not used: it stores the database uncompressed (about 20x larger than Anki's
own export), stamps everything with the build time, numbers notes and cards from the
clock, dates zip entries "now" and leaves its temporary SQLite file behind. Here:

* the collection is written to an anonymous temporary database, with every id and time
  coming from the plan, so the same content and lock give the same database bytes;
* it is packed in Anki's current format (zstd, as Anki's own export, with a one-note
  legacy collection saying where it can be read) or, with ``support_older_anki``, in the
  legacy one (deflate). The database is schema 11 in both: genanki's, which Anki's
  importer upgrades as it opens any package, so one writer serves both formats;
* zip entries have a fixed date, order, permissions and compression (zstd in
  independent frames, see ``frames``, or, for the legacy format, deflate, see
  ``zipwriter``; both on every core, the same bytes on any number of them).

The build hands the writing function to :func:`deckbuilder.files.write_files`, which
puts the deck and the lock in place together.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, BinaryIO

from deckbuilder.errors import OutputError

if TYPE_CHECKING:
    from deckbuilder.apkg.frames import FrameStore
    from deckbuilder.content.media import Media
    from deckbuilder.notes.spec import NoteSpec


# The columns of Anki's schema-11 tables, in order, with what a new note or card holds.
_NOTE_COLUMNS = {
    "id": None, "guid": None, "mid": None, "mod": None, "usn": -1, "tags": "",
    "flds": None, "sfld": None, "csum": 0, "flags": 0, "data": "",
}  # fmt: skip
_CARD_COLUMNS = {
    "id": None, "nid": None, "did": None, "ord": 0, "mod": None, "usn": -1, "type": 0,
    "queue": 0, "due": None, "ivl": 0, "factor": 0, "reps": 0, "lapses": 0, "left": 0,
    "odue": 0, "odid": 0, "flags": 0, "data": "",
}  # fmt: skip


def _row(columns: Mapping[str, object], values: Mapping[str, object]) -> tuple[object, ...]:
    return tuple(values.get(name, default) for name, default in columns.items())


def _note_row(**values: object) -> tuple[object, ...]:
    return _row(_NOTE_COLUMNS, values)


def _card_row(**values: object) -> tuple[object, ...]:
    return _row(_CARD_COLUMNS, values)


def _marks(columns: Mapping[str, object]) -> str:
    return ",".join("?" * len(columns))


def _insert(table: str, columns: Mapping[str, object], given: tuple[str, ...]) -> str:
    """An INSERT of ``given`` columns as parameters and the others as their defaults."""
    values = ", ".join("?" if name in given else repr(default) for name, default in columns.items())
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({values})"


_INSERT_NOTE = _insert("notes", _NOTE_COLUMNS, ("id", "guid", "mid", "mod", "tags", "flds", "sfld"))
_INSERT_CARD = _insert("cards", _CARD_COLUMNS, ("id", "nid", "did", "ord", "mod", "due"))


@contextlib.contextmanager
def _database_errors() -> Iterator[None]:
    """A temporary database that cannot be written (a full disk, say) is a message."""
    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        raise OutputError(
            f"cannot write the deck's database in {tempfile.gettempdir()}: {exc} (is the "
            "disk full?); nothing was changed"
        ) from exc


class CollectionWriter:
    """Writes the ``collection.anki2`` SQLite database note by note.

    The database lives in an anonymous temporary file rather than in memory, so a
    100,000-note deck never holds its database (or a serialised copy) in RAM; the file
    is unlinked as soon as it is open, so not even a killed build leaves it behind.
    Rows are written in the order notes arrive, which is the order new cards are shown.
    """

    def __init__(self, *, notetype_ids: dict[str, int], deck_id: int) -> None:
        """``notetype_ids``: the id of each kind's note type, by the kind's name."""
        from genanki.apkg_col import APKG_COL
        from genanki.apkg_schema import APKG_SCHEMA

        self.notetype_ids = notetype_ids
        self.kinds: set[str] = set()  # the kinds of note written so far
        self.deck_id = deck_id
        self.due = 0
        with _database_errors():
            self._create(APKG_SCHEMA, APKG_COL)

    def _create(self, schema: str, col: str) -> None:
        fd, path = tempfile.mkstemp(prefix="deckbuilder-", suffix=".anki2")
        self.handle: BinaryIO = os.fdopen(fd, "r+b")
        self.path = path
        self.conn = sqlite3.connect(path)
        self.conn.execute("PRAGMA journal_mode = OFF")
        self.conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        self.conn.execute("PRAGMA synchronous = OFF")
        self.conn.execute("PRAGMA cache_size = -32768")  # 32 MiB: fewer, larger writes
        with contextlib.suppress(OSError):  # POSIX: the open handles keep the file alive
            os.unlink(path)
        # Indexes are created after the rows (in finish): building them in one go is
        # cheaper than updating them with every insert.
        lines = schema.splitlines()
        self.indexes = "\n".join(x for x in lines if x.lstrip().upper().startswith("CREATE INDEX"))
        self.conn.executescript(
            "\n".join(x for x in lines if not x.lstrip().upper().startswith("CREATE INDEX"))
        )
        self.conn.executescript(col)

    def add(self, notes: Iterable[tuple[NoteSpec, int]]) -> None:
        """Insert notes (each with its modification time) and their cards: the columns
        that vary as parameters, the rest as the new note's or card's constants (the
        rows are those of :func:`_note_row` and :func:`_card_row`, built without a
        mapping per row)."""
        note_rows, card_rows = [], []
        deck_id = self.deck_id
        for spec, mtime in notes:
            self.kinds.add(spec.kind)
            note_rows.append(
                (
                    spec.note_id,
                    spec.guid,
                    self.notetype_ids[spec.kind],
                    mtime,
                    f" {' '.join(spec.tags)} " if spec.tags else "",
                    "\x1f".join(spec.fields),
                    spec.fields[0],
                )
            )
            due = self.due
            card_rows += [
                (card_id, spec.note_id, deck_id, ordinal, mtime, due)
                for card_id, ordinal in spec.cards
            ]
            self.due += 1
        with _database_errors():
            self.conn.executemany(_INSERT_NOTE, note_rows)
            self.conn.executemany(_INSERT_CARD, card_rows)

    def finish(
        self,
        *,
        deck_json: dict[str, object],
        notetype_jsons: dict[str, dict[str, object]],
        col_mtime: int,
    ) -> BinaryIO:
        """Write the collection row with the note types given (by kind: those the deck
        holds, as the plan says); return the database file, positioned at its start."""
        models = {str(self.notetype_ids[kind]): data for kind, data in notetype_jsons.items()}
        with _database_errors():
            decks = json.loads(self.conn.execute("SELECT decks FROM col").fetchone()[0])
            decks[str(self.deck_id)] = deck_json
            self.conn.execute(
                "UPDATE col SET mod = ?, decks = ?, models = ?",
                (
                    col_mtime * 1000,
                    json.dumps(decks, sort_keys=True),
                    json.dumps(models, sort_keys=True),
                ),
            )
            self.conn.executescript(self.indexes)
            self.conn.commit()
            self.conn.close()
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        self.handle.seek(0)
        return self.handle

    def close(self) -> None:
        """Discard the database (after an error)."""
        with contextlib.suppress(sqlite3.Error):
            self.conn.close()
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        self.handle.close()


def deck_json(deck_id: int, name: str, description: str, mtime: int) -> dict[str, object]:
    """The deck as Anki's legacy JSON, via genanki's Deck object, with our time."""
    import genanki

    data: dict[str, object] = genanki.Deck(deck_id, name, description).to_json()
    data["mod"] = mtime
    return data


def write_package(
    out: BinaryIO,
    collection: BinaryIO,
    media: Iterable[Media],
    comment: Callable[[], bytes] = bytes,
    *,
    support_older_anki: bool = False,
    frames: FrameStore | None = None,
) -> None:
    """Write the ``.apkg`` zip to ``out``: the collection, the media index, the media files.

    By default in Anki's current package format, the one Anki has exported by default
    since 2.1.55 (2022): the collection and media zstd-compressed, with a small legacy
    collection beside them (deflated) whose one note, :data:`NOTICE`, says where the
    deck can be read. With ``support_older_anki``, in the legacy format every version
    reads (deflate; larger).

    Entries are streamed, so memory stays flat however large the deck. The archive's
    comment is asked for last, so it can be computed while the entries are written.
    In the current format every zstd entry is made of independent frames
    (:mod:`deckbuilder.apkg.frames`), those made before taken from ``frames``.
    """
    from deckbuilder.apkg.zipwriter import ZipWriter

    media = list(media)
    size = os.fstat(collection.fileno()).st_size
    with ZipWriter(out) as zf:
        if support_older_anki:
            zf.write("collection.anki2", collection, size)
            index = json.dumps({str(i): m.name for i, m in enumerate(media)}, sort_keys=True)
            zf.write("media", index.encode("utf-8"), len(index.encode("utf-8")))
            for i, m in enumerate(media):
                data = m.deck_bytes()
                zf.write(str(i), data, len(data))
        else:
            from deckbuilder.apkg import frames as zstd
            from deckbuilder.apkg import protobuf

            def store(name: str, data: BinaryIO | bytes, size: int) -> None:
                chunks = zstd.compressed(data, size, zf.pool, 2 * zf.threads, frames)
                zf.store(name, chunks, zstd.bound(size))

            meta = protobuf.package_metadata()
            zf.store("meta", [meta], len(meta))
            store("collection.anki21b", collection, size)
            notice = notice_collection()
            zf.write("collection.anki2", notice, len(notice))
            entries = []
            for i, m in enumerate(media):
                data = m.deck_bytes()
                entries.append((m.name, len(data), hashlib.sha1(data).digest()))
                store(str(i), data, len(data))
            listing = protobuf.media_entries(entries)
            store("media", listing, len(listing))
        zf.close(comment())


# The note in a current-format deck's legacy collection, as in Anki's own exports: what a
# program that reads only that collection finds (a converter, an old client that skips
# the media list; Anki 2.1.54 itself stops at the media list and imports nothing). Its
# ids, GUID and times are fixed, so every deck carries the same bytes and importing it
# twice updates rather than adds.
NOTICE = (
    "This deck is in Anki's current package format, which this program cannot read. "
    "Import it into Anki 2.1.55 or later, or a current AnkiDroid or AnkiMobile, or ask "
    "its author for a copy built with support_older_anki."
)
_NOTICE_TIME = 1_600_000_000
_NOTICE_NOTETYPE_ID = 1_600_000_000_001
_NOTICE_NOTE_ID = 1_600_000_000_002
_NOTICE_GUID = "deckbuilder-update-anki"


@functools.cache
def notice_collection() -> bytes:
    """A legacy (schema 11) collection holding one Basic note, :data:`NOTICE`, in the
    Default deck: 13 KB in 512-byte pages, as Anki's own, about 2 KB deflated."""
    import genanki
    from genanki.apkg_col import APKG_COL
    from genanki.apkg_schema import APKG_SCHEMA

    notetype = genanki.Model(
        _NOTICE_NOTETYPE_ID,
        "Basic (deckbuilder: update Anki)",
        fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{FrontSide}}"}],
    ).to_json(_NOTICE_TIME, 1)
    with _database_errors(), tempfile.TemporaryDirectory(prefix="deckbuilder-") as tmp:
        path = os.path.join(tmp, "notice.anki2")
        conn = sqlite3.connect(path)
        try:
            conn.execute("PRAGMA page_size = 512")
            conn.executescript(APKG_SCHEMA)
            conn.executescript(APKG_COL)
            conn.execute(
                "UPDATE col SET crt = ?, mod = ?, models = ?",
                (
                    _NOTICE_TIME,
                    _NOTICE_TIME * 1000,
                    json.dumps({str(_NOTICE_NOTETYPE_ID): notetype}),
                ),
            )
            conn.execute(
                f"INSERT INTO notes VALUES ({_marks(_NOTE_COLUMNS)})",
                _note_row(
                    id=_NOTICE_NOTE_ID,
                    guid=_NOTICE_GUID,
                    mid=_NOTICE_NOTETYPE_ID,
                    mod=_NOTICE_TIME,
                    flds=NOTICE + "\x1f",
                    sfld=NOTICE,
                ),
            )
            conn.execute(
                f"INSERT INTO cards VALUES ({_marks(_CARD_COLUMNS)})",
                _card_row(id=_NOTICE_NOTE_ID, nid=_NOTICE_NOTE_ID, did=1, mod=_NOTICE_TIME, due=0),
            )
            conn.commit()
            conn.execute("VACUUM")
        finally:
            conn.close()
        with open(path, "rb") as fh:
            return fh.read()
