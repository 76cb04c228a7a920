"""Read any ``.apkg``: ours, genanki's, or one exported by Anki itself.

Three generations of package exist: ``collection.anki2`` (schema 11, what genanki and
deckbuilder write), ``collection.anki21`` (Anki 2.1's legacy export) and
``collection.anki21b`` (the current format: a zstd-compressed SQLite database with note
types, fields, templates and decks in tables of their own). The newest one present is
read. Only what ``inspect`` and ``diff`` need is extracted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from deckbuilder.errors import DeckbuilderError


class PackageError(DeckbuilderError):
    """The file is not an Anki package this tool can read."""


@dataclass(frozen=True)
class NoteType:
    id: int
    name: str
    mtime: int
    fields: tuple[str, ...]
    templates: tuple[str, ...]
    look: str  # a hash of templates and CSS: what an update of the note type carries

    @property
    def schema(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """What Anki matches a re-imported note type by: field and template names."""
        return self.fields, self.templates


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
    decks: list[str]
    notetypes: dict[int, NoteType]
    notes: list[Note] = field(default_factory=list)

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
        plain = " ".join(re.sub(r"<[^>]+>", " ", text).split())
        plain = plain.replace("&nbsp;", " ").replace("&amp;", "&")
        cut = plain.split(" ")
        return " ".join(cut[:words]) + (" …" if len(cut) > words else "")


def read_package(path: Path) -> Package:
    """Read the note types, decks and notes of an ``.apkg``."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            fmt = next(
                (f for f in ("anki21b", "anki21", "anki2") if f"collection.{f}" in names), None
            )
            if fmt is None:
                raise PackageError(f"{path}: no Anki collection inside; is it an .apkg?")
            data = zf.read(f"collection.{fmt}")
    except (OSError, zipfile.BadZipFile) as exc:
        raise PackageError(f"{path}: cannot be read as an Anki package ({exc})") from exc
    if fmt == "anki21b":
        import zstandard

        data = zstandard.ZstdDecompressor().decompress(data, max_output_size=1 << 32)
    fd, tmp = tempfile.mkstemp(suffix=".anki2")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        conn = sqlite3.connect(f"file:{tmp}?mode=ro", uri=True)
        try:
            return _read(conn, path, fmt)
        except sqlite3.Error as exc:
            raise PackageError(f"{path}: unexpected collection layout ({exc})") from exc
        finally:
            conn.close()
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _read(conn: sqlite3.Connection, path: Path, fmt: str) -> Package:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "notetypes" in tables:
        notetypes, decks = _modern(conn)
    else:
        models_json, decks_json = conn.execute("SELECT models, decks FROM col").fetchone()
        notetypes = {}
        for m in json.loads(models_json).values():
            look = json.dumps(
                [m.get("css", ""), [(t.get("qfmt"), t.get("afmt")) for t in m.get("tmpls", [])]]
            )
            notetypes[int(m["id"])] = NoteType(
                int(m["id"]),
                m["name"],
                int(m.get("mod", 0)),
                tuple(f["name"] for f in m["flds"]),
                tuple(t["name"] for t in m["tmpls"]),
                hashlib.sha256(look.encode()).hexdigest()[:16],
            )
        decks = sorted(d["name"] for d in json.loads(decks_json).values())
    used = {r[0] for r in conn.execute("SELECT DISTINCT did FROM cards")}
    notes = [
        Note(guid, int(mid), int(mod), tuple(flds.split("\x1f")), tuple(tags.split()))
        for guid, mid, mod, flds, tags in conn.execute(
            "SELECT guid, mid, mod, flds, tags FROM notes ORDER BY id"
        )
    ]
    deck_names = _used_decks(conn, decks, used, tables)
    return Package(path, fmt, deck_names, notetypes, notes)


def _modern(conn: sqlite3.Connection) -> tuple[dict[int, NoteType], list[str]]:
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
        h = hashlib.sha256(bytes(config))
        for _, tconfig in templates:
            h.update(bytes(tconfig))
        notetypes[int(ntid)] = NoteType(
            int(ntid), name, int(mtime), fields, tuple(t[0] for t in templates), h.hexdigest()[:16]
        )
    decks = sorted(name.replace("\x1f", "::") for (name,) in conn.execute("SELECT name FROM decks"))
    return notetypes, decks


def _used_decks(
    conn: sqlite3.Connection, decks: list[str], used: set[int], tables: set[str]
) -> list[str]:
    """The decks that hold cards (packages also carry 'Default' and parents)."""
    if "notetypes" in tables:
        rows = conn.execute("SELECT id, name FROM decks").fetchall()
        names = {int(i): n.replace("\x1f", "::") for i, n in rows}
    else:
        names = {
            int(k): v["name"]
            for k, v in json.loads(conn.execute("SELECT decks FROM col").fetchone()[0]).items()
        }
    return sorted(names[d] for d in used if d in names) or decks
