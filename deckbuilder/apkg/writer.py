"""Stage 3 of a build: write the ``.apkg``, byte for byte reproducibly, atomically.

genanki provides the objects (note type, deck) and the collection schema. Its package
writer is not used: it stores the database uncompressed (about 20x larger than Anki's
own export), stamps everything with the build time, numbers notes and cards from the
clock, dates zip entries "now" and leaves its temporary SQLite file behind. Here:

* the collection is written to an anonymous temporary database, with every id and time
  coming from the plan, so the same content and lock give the same database bytes;
* zip entries have a fixed date, order, permissions and compression (deflate, on every
  core: see ``zipwriter``);
* the file is written next to its destination and renamed into place, so a reader never
  sees a half-written deck and an interrupted build leaves the previous one intact.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from deckbuilder.errors import ContentError, ContentProblem, OutputError

if TYPE_CHECKING:
    from deckbuilder.notes.builder import Media, NoteSpec


class CollectionWriter:
    """Writes the ``collection.anki2`` SQLite database note by note.

    The database lives in an anonymous temporary file rather than in memory, so a
    100,000-note deck never holds its database (or a serialised copy) in RAM; the file
    is unlinked as soon as it is open, so not even a killed build leaves it behind.
    Rows are written in the order notes arrive, which is the order new cards are shown.
    """

    def __init__(self, *, notetype_id: int, deck_id: int) -> None:
        from genanki.apkg_col import APKG_COL
        from genanki.apkg_schema import APKG_SCHEMA

        self.notetype_id = notetype_id
        self.deck_id = deck_id
        self.due = 0
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
        lines = APKG_SCHEMA.splitlines()
        self.indexes = "\n".join(x for x in lines if x.lstrip().upper().startswith("CREATE INDEX"))
        self.conn.executescript(
            "\n".join(x for x in lines if not x.lstrip().upper().startswith("CREATE INDEX"))
        )
        self.conn.executescript(APKG_COL)

    def add(self, notes: Iterable[tuple[NoteSpec, int]]) -> None:
        """Insert notes (each with its modification time) and their cards."""
        note_rows, card_rows = [], []
        for spec, mtime in notes:
            tags = f" {' '.join(spec.tags)} " if spec.tags else ""
            note_rows.append(
                (
                    spec.note_id,
                    spec.guid,
                    self.notetype_id,
                    mtime,
                    -1,
                    tags,
                    "\x1f".join(spec.fields),
                    spec.fields[0],
                    0,
                    0,
                    "",
                )
            )
            card_rows.append(
                (
                    spec.card_id,
                    spec.note_id,
                    self.deck_id,
                    0,
                    mtime,
                    -1,
                    0,
                    0,
                    self.due,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    "",
                )
            )
            self.due += 1
        self.conn.executemany("INSERT INTO notes VALUES (?,?,?,?,?,?,?,?,?,?,?)", note_rows)
        self.conn.executemany(
            "INSERT INTO cards VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", card_rows
        )

    def finish(
        self, *, deck_json: dict[str, object], notetype_json: dict[str, object], col_mtime: int
    ) -> BinaryIO:
        """Write the collection row; return the database file, positioned at its start."""
        decks = json.loads(self.conn.execute("SELECT decks FROM col").fetchone()[0])
        decks[str(self.deck_id)] = deck_json
        self.conn.execute(
            "UPDATE col SET mod = ?, decks = ?, models = ?",
            (
                col_mtime * 1000,
                json.dumps(decks, sort_keys=True),
                json.dumps({str(self.notetype_id): notetype_json}, sort_keys=True),
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

    data = genanki.Deck(deck_id, name, description).to_json()
    data["mod"] = mtime
    return data


def write_package(
    out: BinaryIO,
    collection: BinaryIO,
    media: Iterable[Media],
    comment: Callable[[], bytes] = bytes,
) -> None:
    """Write the ``.apkg`` zip to ``out``: the collection, the media index, the media files.

    Entries are streamed, so memory stays flat however large the deck. The archive's
    comment is asked for last, so it can be computed while the entries are written.
    """
    from deckbuilder.apkg.zipwriter import ZipWriter

    media = list(media)
    with ZipWriter(out) as zf:
        zf.write("collection.anki2", collection, os.fstat(collection.fileno()).st_size)
        index = json.dumps({str(i): m.name for i, m in enumerate(media)}, sort_keys=True)
        zf.write("media", index.encode("utf-8"), len(index.encode("utf-8")))
        for i, m in enumerate(media):
            try:
                data = m.source.read_bytes()
            except OSError as exc:  # removed since it was rendered: the content's problem
                raise ContentError([ContentProblem.unreadable(m.source, exc)]) from exc
            zf.write(str(i), data, len(data))
        zf.close(comment())


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")


def remove_stale_temporaries(path: Path) -> None:
    """Remove temporary files a killed build left beside ``path``.

    A build writes its output completely in memory first, so the only moment a killed
    build can leave a temporary file is the few milliseconds of writing it; the name
    carries the writer's process id, and files of writers no longer running go.
    """
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        pid = tmp.name[len(path.name) + 2 :].split("-", 1)[0]
        if pid.isdigit() and not _running(int(pid)):
            with contextlib.suppress(OSError):
                tmp.unlink()


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def write_atomic(path: Path, data: bytes | Callable[[BinaryIO], None]) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one.

    On Linux the bytes go into an anonymous file (``O_TMPFILE``) that gets a name only
    once it is complete and synced, and is renamed over ``path`` right after: a build
    killed while writing leaves nothing behind. Elsewhere a hidden temporary file beside
    ``path`` is used, and temporaries of writers that died are removed by the next write.
    The folder is created if needed; failures become :class:`OutputError`.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(path)
        fd, tmp = _open_anonymous(path.parent)
        if fd is None:
            tmp = _temp_name(path)
            fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
    except OSError as exc:
        raise OutputError(f"cannot write to {path.parent}: {exc.strerror}") from exc
    named: Path | None = tmp
    try:
        with os.fdopen(fd, "w+b") as fh:
            if callable(data):
                data(fh)
            else:
                fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
            if named is None:
                named = _give_name(fh, path)
        os.replace(named, path)
    except BaseException as exc:
        if named is not None:
            with contextlib.suppress(OSError):
                os.unlink(named)
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {path}: {exc.strerror}") from exc
        raise


def _open_anonymous(folder: Path) -> tuple[int | None, None]:
    """An unnamed file in ``folder`` (Linux ``O_TMPFILE``), or None where unsupported."""
    flag = getattr(os, "O_TMPFILE", 0)
    if not flag:
        return None, None
    try:
        return os.open(folder, flag | os.O_RDWR, 0o644), None
    except OSError:
        return None, None


def _give_name(fh: BinaryIO, path: Path) -> Path:
    """Link the complete anonymous file under a hidden temporary name beside ``path``."""
    import ctypes

    tmp = _temp_name(path)
    libc = ctypes.CDLL(None, use_errno=True)
    at_fdcwd, at_empty_path, at_symlink_follow = -100, 0x1000, 0x400
    target = os.fsencode(tmp)
    if libc.linkat(fh.fileno(), b"", at_fdcwd, target, at_empty_path) == 0:
        return tmp
    proc = os.fsencode(f"/proc/self/fd/{fh.fileno()}")
    if libc.linkat(at_fdcwd, proc, at_fdcwd, target, at_symlink_follow) == 0:
        return tmp
    # No way to name it here: copy into an ordinary temporary file instead.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "wb") as out:
        fh.seek(0)
        shutil.copyfileobj(fh, out, 1 << 20)
        out.flush()
        os.fsync(out.fileno())
    return tmp
