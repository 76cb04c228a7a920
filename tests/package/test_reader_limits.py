"""Issue 28: reading a package someone sent costs bounded memory, whatever it expands to.

A few hundred kilobytes of zstd can hold a collection of gigabytes. ``inspect`` and
``diff`` run here as real processes on packages crafted that way, and their peak resident
memory is measured: the collection is decompressed to disk, each note passes once and
leaves only its identity and first words, and what no real deck holds is refused with a
message, before it is read.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import zstandard

from deckbuilder import build
from deckbuilder.apkg.reader import (
    MAX_COLLECTION_BYTES,
    MAX_GUID,
    MAX_HEADER_BYTES,
    MAX_NOTES,
    MAX_TAGS,
    MAX_VALUE_BYTES,
    MAX_ZSTD_RATIO,
)
from deckbuilder.files import MiB
from deckbuilder.notes.notetype import MCQ
from tests.support.packages import collection_bytes, patch_collection
from tests.support.paths import DEFAULT_NOTES, REPO

RELEASE = REPO / "tests" / "fixtures" / "release-0.1.0" / "clinical-quiz.apkg"
PEAK_BOUND = 300 * MiB
SENTENCE = "The lesion was followed with serial imaging and no change was seen. "

# Runs the command as its own child, so that the maximum resident set size of the
# children it reports is that command's alone (the test process has had other children).
_MEASURE = """
import resource, subprocess, sys
code = subprocess.call([sys.executable, "-m", "deckbuilder", *sys.argv[1:]])
sys.stderr.write(f"\\n{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\n")
sys.exit(code)
"""


def _measured(*args: str, cwd: Path, timeout: float = 120) -> tuple[int, str, str, int]:
    """Run ``deckbuilder ARGS``: its exit code, output, errors and peak memory in bytes."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _MEASURE, *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise AssertionError(
            f"deckbuilder {' '.join(args)} did not finish in {timeout} s"
        ) from None
    err, _, peak_kib = err.rstrip("\n").rpartition("\n")
    return proc.returncode, out, err.strip(), int(peak_kib) * 1024


def _refused(apkg: Path, message: str) -> None:
    """``inspect`` ends with exactly ``message`` as its error, in bounded memory."""
    code, out, err, peak = _measured("inspect", apkg.name, cwd=apkg.parent)
    assert (code, out) == (1, ""), err
    assert err.splitlines()[0] == f"error: {apkg.name}: {message}"
    assert peak < PEAK_BOUND, f"{peak / MiB:.0f} MiB"


def _collection(content: Path, tmp_path: Path) -> tuple[sqlite3.Connection, Path]:
    """The default deck's collection, built and opened for writing, with 64 KiB pages: a
    long text then runs on with a page pointer only every 64 KiB, and zstd packs it as
    tightly as Anki's own export would."""
    deck = build(content, tmp_path / "dist").deck_path
    db = tmp_path / "collection.anki2"
    db.write_bytes(collection_bytes(deck))
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA page_size = 65536")
    conn.execute("VACUUM")
    return conn, db


def _add_notes(conn: sqlite3.Connection, texts: Callable[[int], str], count: int) -> None:
    """``count`` multiple-choice notes, the question of note ``i`` being ``texts(i)``."""
    mid, flds = conn.execute(
        "SELECT mid, flds FROM notes WHERE flds LIKE '%/treatment%'"
    ).fetchone()
    fields = flds.split("\x1f")
    for i in range(count):
        fields[MCQ.fields.index("Question")] = texts(i)
        conn.execute(
            "INSERT INTO notes (id, guid, mid, mod, usn, tags, flds, sfld, csum, flags, data)"
            " VALUES (?, ?, ?, 1, -1, '', ?, '', 0, 0, '')",
            (10**12 + i, f"crafted{i}", mid, "\x1f".join(fields)),
        )
    conn.commit()
    conn.close()


def _package(db: Path, apkg: Path) -> float:
    """Write ``db`` as the zstd collection of a current-format package (a stream, as it
    can be larger than memory should hold); return how many times it expands."""
    with zipfile.ZipFile(apkg, "w") as zf:
        zf.writestr("meta", b"\x08\x03")
        with db.open("rb") as src, zf.open("collection.anki21b", "w", force_zip64=True) as dst:
            zstandard.ZstdCompressor(level=3).copy_stream(src, dst)
        stored = zf.getinfo("collection.anki21b").compress_size
    expands = db.stat().st_size / stored
    db.unlink()
    return expands


def _repetitive_mib(rng: random.Random, block: int) -> str:
    """A MiB of one sentence over and over, with a random word every ``block`` bytes so
    that zstd packs it about a thousand times, not without bound."""
    pad = (SENTENCE * (block // len(SENTENCE) + 1))[:block]
    return "".join(pad + f"{rng.getrandbits(32):08x} " for _ in range(MiB // block))


def test_notes_of_huge_text_are_listed_and_compared_in_bounded_memory(
    content: Path, tmp_path: Path
) -> None:
    """400 notes of a MiB of text each: a 400 MiB collection in a package of a few
    hundred kilobytes, read by ``inspect`` and ``diff`` with a correct summary."""
    # How tightly zstd packs the text depends on where its pages fall in the file, which
    # the size of the note types (their templates and CSS) moves: the first block size
    # whose package expands between a thousand times and the reader's limit is taken.
    apkg = tmp_path / "huge.apkg"
    for kib in (40, 52, 48, 60):
        conn, db = _collection(content, tmp_path)
        rng = random.Random(28)
        _add_notes(conn, lambda _: _repetitive_mib(rng, kib * 1024), 400)  # noqa: B023
        expands = _package(db, apkg)
        if 1000 < expands < MAX_ZSTD_RATIO:
            break
    assert 1000 < expands < MAX_ZSTD_RATIO and apkg.stat().st_size < MiB

    code, out, err, peak = _measured("inspect", apkg.name, cwd=tmp_path)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == f"huge.apkg: {DEFAULT_NOTES + 400} notes in Clinical Quiz"
    crafted = [line for line in lines if " crafted" in line]
    assert len(crafted) == 400
    assert all(line.endswith(f"  {SENTENCE.strip()} …") for line in crafted)
    assert peak < PEAK_BOUND, f"inspect: {peak / MiB:.0f} MiB"

    code, out, err, peak = _measured("diff", apkg.name, apkg.name, "--json", cwd=tmp_path)
    assert code == 0, err
    assert len(json.loads(out)["unchanged"]) == DEFAULT_NOTES + 400
    assert peak < PEAK_BOUND, f"diff: {peak / MiB:.0f} MiB"


def test_a_collection_beyond_the_absolute_limit_is_refused(tmp_path: Path) -> None:
    """A stream that expands less than the ratio allows but past what any deck needs is
    stopped there, having held a chunk at a time."""
    rng = random.Random(28)
    apkg = tmp_path / "vast.apkg"
    with zipfile.ZipFile(apkg, "w") as zf:
        zf.writestr("meta", b"\x08\x03")
        with (
            zf.open("collection.anki21b", "w", force_zip64=True) as dst,
            zstandard.ZstdCompressor(level=1).stream_writer(dst, closefd=False) as packer,
        ):
            for _ in range(MAX_COLLECTION_BYTES // MiB + 64):
                packer.write(_repetitive_mib(rng, 16 * 1024).encode())
        stored = zf.getinfo("collection.anki21b").compress_size
    assert MAX_ZSTD_RATIO * stored > MAX_COLLECTION_BYTES  # the ratio alone would allow it
    _refused(
        apkg,
        f"its collection expands beyond {MAX_COLLECTION_BYTES:,} bytes, the most deckbuilder "
        f"reads ({MAX_COLLECTION_BYTES // MiB:,} MiB, several times a real deck's); refused",
    )


def test_a_note_larger_than_any_real_one_is_refused_unread(content: Path, tmp_path: Path) -> None:
    """SQLite refuses the value before reading it, so it never reaches memory."""
    conn, db = _collection(content, tmp_path)
    _add_notes(conn, lambda _: SENTENCE * (MAX_VALUE_BYTES // len(SENTENCE) + 1), 1)
    _package(db, tmp_path / "big-note.apkg")
    _refused(
        tmp_path / "big-note.apkg",
        "its collection holds a value (a note's text or tags, a note type) of more than "
        f"{MAX_VALUE_BYTES:,} bytes; refused, no real deck has one",
    )


def test_more_notes_than_the_limit_are_refused_before_any_is_read(
    content: Path, tmp_path: Path
) -> None:
    conn, db = _collection(content, tmp_path)
    mid, flds = conn.execute("SELECT mid, flds FROM notes LIMIT 1").fetchone()
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
        " INSERT INTO notes (id, guid, mid, mod, usn, tags, flds, sfld, csum, flags, data)"
        " SELECT 1000000000000 + i, 'n' || i, ?, 1, -1, '', ?, '', 0, 0, '' FROM n",
        (MAX_NOTES, mid, flds[:200]),
    )
    conn.commit()
    conn.close()
    _package(db, tmp_path / "many.apkg")
    _refused(
        tmp_path / "many.apkg",
        f"it holds {MAX_NOTES + DEFAULT_NOTES:,} notes; refused, at most {MAX_NOTES:,}",
    )


def _huge_css(conn: sqlite3.Connection) -> None:
    models = json.loads(conn.execute("SELECT models FROM col").fetchone()[0])
    next(iter(models.values()))["css"] = "p { color: black }\n" * (MAX_HEADER_BYTES // 19)
    conn.execute("UPDATE col SET models = ?", (json.dumps(models),))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda conn: conn.execute(
                "UPDATE notes SET guid = ? WHERE id = (SELECT min(id) FROM notes)",
                ("g" * (MAX_GUID + 1),),
            ),
            re.escape(
                f"a note's GUID is {MAX_GUID + 1:,} characters long; refused, at most {MAX_GUID}"
            ),
        ),
        (
            lambda conn: conn.execute(
                "UPDATE notes SET tags = ?", (" ".join(f"t{i}" for i in range(MAX_TAGS + 1)),)
            ),
            re.escape(f"a note has more than {MAX_TAGS:,} tags; refused"),
        ),
        (
            _huge_css,
            r"its note types and decks take [\d,]+ bytes; refused, at most "
            + re.escape(f"{MAX_HEADER_BYTES:,} are read"),
        ),
    ],
    ids=["guid", "tags", "note-types"],
)
def test_what_no_real_deck_holds_is_refused(
    tmp_path: Path, change: Callable[[sqlite3.Connection], None], message: str
) -> None:
    apkg = tmp_path / "odd.apkg"
    shutil.copy(RELEASE, apkg)
    patch_collection(apkg, change)
    code, out, err, _ = _measured("inspect", apkg.name, cwd=tmp_path)
    assert (code, out) == (1, ""), err
    assert re.fullmatch(f"error: odd.apkg: {message}", err.splitlines()[0]), err
