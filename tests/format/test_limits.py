"""Issue 12: every input costs time and memory linear in its size and ends in a message.

Each case here once hung a build, ate memory or crashed with a traceback. Every command
runs as a real process with a time limit; each must end with a clear message (exit 1,
no traceback, nothing written) or a good build, and leave no process behind.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import zipfile
import zlib
from pathlib import Path

import pytest
import zstandard

from deckbuilder.plan.lockfile import RESTORE
from tests.support.ankiengine import import_into
from tests.support.helpers import SMALL_CASE, snapshot
from tests.support.paths import DEFAULT_CONTENT, DEFAULT_NOTES, REPO
from tests.support.process import deckbuilder

FIXTURES = REPO / "tests" / "fixtures"
CASE = DEFAULT_CONTENT / "cases" / "alt-thigh.yaml"
FIFO_MESSAGE = "cannot be read: it is a named pipe (FIFO), not a regular file"


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A copy of the default content with a good build: dist/ holds a deck."""
    shutil.copytree(DEFAULT_CONTENT, tmp_path / "content")
    assert deckbuilder("build", "content", cwd=tmp_path).returncode == 0
    return tmp_path


def _refused(work: Path, expected: str, *commands: str, timeout: float = 20) -> None:
    """Each command exits 1 with exactly ``expected`` as its problem, in time, writing
    nothing."""
    before = snapshot(work / "content", work / "dist")
    for command in commands or ("build", "check"):
        run = deckbuilder(command, "content", cwd=work, timeout=timeout)
        assert run.returncode == 1, (command, run.stdout, run.stderr)
        assert "Traceback" not in run.stderr
        assert run.stderr.splitlines()[0] == expected, (command, run.stderr)
    assert snapshot(work / "content", work / "dist") == before


def test_a_fifo_as_a_case_file(work: Path) -> None:
    os.mkfifo(work / "content" / "cases" / "bad.yaml")
    _refused(work, f"content/cases/bad.yaml: {FIFO_MESSAGE}")


def test_a_fifo_as_the_deck_file(work: Path) -> None:
    (work / "content" / "deck.yaml").unlink()
    os.mkfifo(work / "content" / "deck.yaml")
    _refused(work, f"content/deck.yaml: {FIFO_MESSAGE}")


def test_a_fifo_as_the_lock(work: Path) -> None:
    lock = work / "content" / "deckbuilder.lock.json"
    lock.unlink()
    os.mkfifo(lock)
    _refused(
        work,
        f"content/deckbuilder.lock.json: {FIFO_MESSAGE}{RESTORE}",
        "build",
    )


def test_the_lock_as_a_folder(work: Path) -> None:
    lock = work / "content" / "deckbuilder.lock.json"
    lock.unlink()
    lock.mkdir()
    run = deckbuilder("build", "content", cwd=work, timeout=20)
    assert run.returncode == 1
    assert run.stderr.startswith(
        "content/deckbuilder.lock.json: cannot be read: it is a folder, not a file; restore it"
    )


def test_a_lock_that_cannot_be_read(work: Path) -> None:
    lock = work / "content" / "deckbuilder.lock.json"
    lock.chmod(0)
    try:
        run = deckbuilder("build", "content", cwd=work, obey_permissions=True, timeout=20)
    finally:
        lock.chmod(0o644)
    assert run.returncode == 1
    assert run.stderr.startswith(
        "content/deckbuilder.lock.json: cannot be read: Permission denied; restore it"
    )


def test_an_unused_fifo_image_is_never_opened(work: Path) -> None:
    os.mkfifo(work / "content" / "cases" / "unused.png")
    (work / "content" / "cases" / "x.yaml").write_text(SMALL_CASE, encoding="utf-8")
    run = deckbuilder("build", "content", cwd=work, timeout=20)
    assert run.returncode == 0, run.stderr
    assert deckbuilder("build", "content", cwd=work, timeout=20).stdout.startswith(
        "dist/clinical-quiz.apkg is up to date"
    )


def _figure_case(image: str) -> str:
    return SMALL_CASE.replace(
        "questions:", f"figures:\n  - caption: A scan.\n    image: {image}\nquestions:"
    )


def test_a_fifo_as_a_used_image(work: Path) -> None:
    os.mkfifo(work / "content" / "cases" / "scan.png")
    (work / "content" / "cases" / "x.yaml").write_text(_figure_case("scan.png"), encoding="utf-8")
    _refused(
        work,
        "content/cases/x.yaml:6:12: figures[0].image: image file 'scan.png' cannot be used: "
        "it is a named pipe (FIFO), not a regular file",
    )


def test_a_fifo_where_the_deck_is_written_is_replaced(work: Path) -> None:
    deck = work / "dist" / "clinical-quiz.apkg"
    deck.unlink()
    os.mkfifo(deck)
    run = deckbuilder("build", "content", cwd=work, timeout=20)
    assert run.returncode == 0, run.stderr
    assert zipfile.is_zipfile(deck)


def test_dev_zero_as_a_case_file(work: Path) -> None:
    """A device inside the content folder (a link to one outside is refused as a link,
    see test_content_trust): made as /dev/zero is, a character device 1:5."""
    try:
        os.mknod(work / "content" / "cases" / "bad.yaml", 0o600 | stat.S_IFCHR, os.makedev(1, 5))
    except PermissionError:
        pytest.skip("making a device node needs root")
    _refused(work, "content/cases/bad.yaml: cannot be read: it is a device, not a regular file")


def test_a_sparse_2_gb_image_is_not_read_unless_used_and_then_refused(work: Path) -> None:
    big = work / "content" / "cases" / "huge.png"
    with big.open("wb") as fh:
        fh.write(b"\x89PNG\r\n\x1a\n")
        fh.truncate(2 * 1024**3)
    (work / "content" / "cases" / "x.yaml").write_text(SMALL_CASE, encoding="utf-8")
    run = deckbuilder("build", "content", cwd=work, timeout=20, limit_memory=1024**3)
    assert run.returncode == 0, run.stderr
    (work / "content" / "cases" / "x.yaml").write_text(_figure_case("huge.png"), encoding="utf-8")
    _refused(
        work,
        "content/cases/x.yaml:6:12: figures[0].image: image file 'huge.png' cannot be used: it "
        "is 2,147,483,648 bytes; at most 20,971,520 are allowed per image (20 MiB)",
    )


def test_an_image_that_is_not_what_its_name_says(work: Path) -> None:
    (work / "content" / "cases" / "scan.png").write_bytes(b"<svg onload=alert(1)>")
    (work / "content" / "cases" / "x.yaml").write_text(_figure_case("scan.png"), encoding="utf-8")
    _refused(
        work,
        "content/cases/x.yaml:6:12: figures[0].image: image file 'scan.png' is not a PNG "
        "image (its first bytes say otherwise)",
    )


def test_an_svg_with_script_is_refused(work: Path) -> None:
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    (work / "content" / "cases" / "d.svg").write_text(svg, encoding="utf-8")
    (work / "content" / "cases" / "x.yaml").write_text(_figure_case("d.svg"), encoding="utf-8")
    _refused(
        work,
        "content/cases/x.yaml:6:12: figures[0].image: image file 'd.svg' cannot be used: SVG "
        "images may hold only plain shapes: <script> is not allowed (line 1 of the image); "
        "export it again as plain SVG, or as PNG",
    )


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "yaml-flow",
            "id: x\ntitle: " + "[" * 200_000 + "\n",
            "content/cases/bad.yaml:2:1007: nested too deeply to be content (more than 32 levels)",
        ),
        (
            "blockquotes",
            SMALL_CASE.replace("case: C", "case: |\n  " + "> " * 200_000 + "x"),
            "content/cases/bad.yaml:3:7: case: is nested too deeply: more than 32 levels of "
            "quotes, lists or HTML elements inside each other",
        ),
        (
            "lists",
            SMALL_CASE.replace("case: C", "case: |\n  " + "- " * 200_000 + "x"),
            "content/cases/bad.yaml:3:7: case: is nested too deeply: more than 32 levels of "
            "quotes, lists or HTML elements inside each other",
        ),
        (
            "html",
            SMALL_CASE.replace("case: C", "case: " + "<div>" * 150_000),
            "content/cases/bad.yaml:3:7: case: is nested too deeply: more than 32 levels of "
            "quotes, lists or HTML elements inside each other",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 20 else "",
)
def test_deep_nesting_is_refused_in_time(work: Path, name: str, text: str, expected: str) -> None:
    (work / "content" / "cases" / "bad.yaml").write_text(text, encoding="utf-8")
    _refused(work, expected, timeout=10)


def test_fifty_thousand_unknown_keys_are_reported_in_time(work: Path) -> None:
    keys = "".join(f"key{i}: x\n" for i in range(50_000))
    (work / "content" / "cases" / "bad.yaml").write_text(SMALL_CASE + keys, encoding="utf-8")
    run = deckbuilder("check", "content", cwd=work, timeout=10)
    assert run.returncode == 1
    lines = run.stderr.splitlines()
    assert lines[0] == (
        "content/cases/bad.yaml:10:1: key0: unknown key 'key0'; known keys: id, title, case, "
        "discussion, source, attribution, tags, figures, questions, facts, reviewed, review_every, "
        "evidence"
    )
    assert lines[-2] == (
        "content/cases/bad.yaml:110:1: and 49,900 more problems from here on; fix the ones "
        "above first"
    )
    assert lines[-1] == "error: 101 problems in the content."


def test_thousands_of_problems_list_the_first_200_and_json_lists_every_one(
    tmp_path: Path,
) -> None:
    """A folder of the wrong kind (here 300 files that are not cases): the first screen
    is what is read; the rest is counted, and --json has them all."""
    (tmp_path / "content" / "cases").mkdir(parents=True)
    shutil.copy(DEFAULT_CONTENT / "deck.yaml", tmp_path / "content" / "deck.yaml")
    for i in range(300):
        (tmp_path / "content" / "cases" / f"n{i:03d}.yaml").write_text(
            "name: not a case\n", encoding="utf-8"
        )
    run = deckbuilder("check", "content", cwd=tmp_path, timeout=60)
    assert run.returncode == 1
    data = json.loads(deckbuilder("check", "content", "--json", cwd=tmp_path, timeout=60).stdout)
    problems = data["problems"]
    assert len(problems) > 300  # several in each file
    rest_files = len({p["file"] for p in problems[200:]})
    lines = run.stderr.splitlines()
    assert len(lines) == 200 + 2
    assert [line.split(":")[0] for line in lines[:200]] == [p["file"] for p in problems[:200]]
    assert lines[-2] == (
        f"… and {len(problems) - 200:,} more problems in {rest_files:,} files "
        "(--json lists every one)"
    )
    assert lines[-1] == f"error: {len(problems):,} problems in the content."


def test_one_problem_past_the_200_is_one_problem_in_one_file(tmp_path: Path) -> None:
    (tmp_path / "content" / "cases").mkdir(parents=True)
    shutil.copy(DEFAULT_CONTENT / "deck.yaml", tmp_path / "content" / "deck.yaml")
    for i in range(201):  # one YAML syntax error each
        (tmp_path / "content" / "cases" / f"n{i:03d}.yaml").write_text("a: [\n", encoding="utf-8")
    run = deckbuilder("check", "content", cwd=tmp_path, timeout=60)
    assert run.returncode == 1
    assert run.stderr.splitlines()[-2:] == [
        "… and 1 more problem in 1 file (--json lists every one)",
        "error: 201 problems in the content.",
    ]


def _bomb(path: Path, claimed: int) -> None:
    """An .apkg whose collection deflates from a few MB to ``claimed`` bytes of zeros."""
    info = zipfile.ZipInfo("collection.anki2")
    info.compress_type = zipfile.ZIP_DEFLATED
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf,
        zf.open(info, "w", force_zip64=True) as out,
    ):
        chunk = bytes(1 << 24)
        for _ in range(claimed // len(chunk)):
            out.write(chunk)


def test_inspect_refuses_a_zip_bomb_without_using_the_memory(tmp_path: Path) -> None:
    _bomb(tmp_path / "bomb.apkg", 3 * 1024**3)
    assert (tmp_path / "bomb.apkg").stat().st_size < 30 * 1024**2
    for command in (["inspect", "bomb.apkg"], ["diff", "bomb.apkg", "bomb.apkg"]):
        run = deckbuilder(*command, cwd=tmp_path, timeout=30, limit_memory=1024**3)
        assert run.returncode == 1, run.stderr
        assert run.stderr.startswith("error: bomb.apkg: its collection claims 3,221,225,472 bytes")
        assert "refused as a likely zip bomb" in run.stderr


def test_inspect_stops_a_zstd_collection_that_expands_too_far(tmp_path: Path) -> None:
    """The current format stores its zstd stream, so the zip's sizes say nothing: the
    same ratio is enforced while decompressing (1 GiB of zeros from ~40 KB here)."""
    packer = zstandard.ZstdCompressor(level=1).compressobj()
    data = b"".join(packer.compress(bytes(1 << 24)) for _ in range(64)) + packer.flush()
    with zipfile.ZipFile(tmp_path / "zbomb.apkg", "w") as zf:
        zf.writestr("meta", b"\x08\x03")
        zf.writestr("collection.anki21b", data)
    for command in (["inspect", "zbomb.apkg"], ["diff", "zbomb.apkg", "zbomb.apkg"]):
        run = deckbuilder(*command, cwd=tmp_path, timeout=30, limit_memory=1024**3)
        assert run.returncode == 1, run.stderr
        assert run.stderr.startswith("error: zbomb.apkg: its collection expands beyond "), (
            run.stderr
        )
        limit = int(run.stderr.split("beyond ")[1].split(" bytes")[0].replace(",", ""))
        assert limit < 100 * 1024**2  # stopped at 2000x the ~40 KB stream, not at 1 GiB


def test_inspect_reads_a_deck_of_our_own_that_compresses_over_100_times(
    content: Path, tmp_path: Path
) -> None:
    """Forty copies of a case with a 60 KB vignette: our zstd frames pack the 24 MB
    collection about 120 times over (real decks stay under 40); it is a deck, not a
    bomb, and inspect and the lock recovery read it."""
    case = (content / "cases" / "alt-thigh.yaml").read_text(encoding="utf-8")
    at = case.index("case: |\n") + len("case: |\n")
    padding = "  " + "The lesion was followed with serial imaging and no change was seen. " * 857
    for i in range(40):
        text = case[:at] + padding + "\n\n" + case[at:]
        (content / "cases" / f"copy-{i}.yaml").write_text(
            text.replace("id: alt-thigh", f"id: copy-{i}"), encoding="utf-8"
        )
    (content / "cases" / "alt-thigh.yaml").unlink()
    assert deckbuilder("build", "content", "-q", cwd=tmp_path, timeout=120).returncode == 0
    deck = tmp_path / "dist" / "clinical-quiz.apkg"
    with zipfile.ZipFile(deck) as zf:
        info = zf.getinfo("collection.anki21b")
        packed = zf.read(info)
    raw = len(zstandard.ZstdDecompressor().stream_reader(packed, read_across_frames=True).read())
    assert raw / info.compress_size > 100
    run = deckbuilder("inspect", str(deck), cwd=tmp_path, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f"{deck}: {40 * DEFAULT_NOTES} notes in Clinical Quiz")
    (content / "deckbuilder.lock.json").unlink()
    rebuilt = deckbuilder("build", "content", cwd=tmp_path, timeout=120)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"recovered {40 * DEFAULT_NOTES} notes from" in rebuilt.stdout


def test_inspect_stops_a_collection_that_lies_about_its_size(tmp_path: Path) -> None:
    """A zip whose header claims little but whose data expands: stopped while reading."""
    raw = zlib.compressobj(1, zlib.DEFLATED, -15)
    data = b"".join(raw.compress(bytes(1 << 24)) for _ in range(8)) + raw.flush()
    with zipfile.ZipFile(tmp_path / "liar.apkg", "w") as zf:
        zf.writestr("collection.anki2", b"x")
    blob = (tmp_path / "liar.apkg").read_bytes()
    # Swap in the big stream, keeping the header's small sizes: zipfile stops at the
    # claimed size (and then fails the CRC), never reading the rest.
    at = blob.index(b"collection.anki2") + len("collection.anki2")
    patched = blob[:at] + data + blob[at + 3 :]
    (tmp_path / "liar.apkg").write_bytes(patched)
    run = deckbuilder("inspect", "liar.apkg", cwd=tmp_path, timeout=20, limit_memory=1024**3)
    assert run.returncode == 1
    assert run.stderr.startswith("error: liar.apkg: cannot be read as an Anki package")


def test_inspect_prints_escape_codes_as_text(tmp_path: Path) -> None:
    import sqlite3

    shutil.copy(FIXTURES / "release-0.1.0" / "clinical-quiz.apkg", tmp_path / "deck.apkg")
    with zipfile.ZipFile(tmp_path / "deck.apkg") as zf:
        zf.extract("collection.anki2", tmp_path)
    conn = sqlite3.connect(tmp_path / "collection.anki2")
    conn.execute("UPDATE notes SET flds = ? || flds", ("\x1b[2J\x1b]0;pwned\x07\u202e",))
    conn.commit()
    conn.close()
    with zipfile.ZipFile(tmp_path / "evil.apkg", "w") as zf:
        zf.write(tmp_path / "collection.anki2", "collection.anki2")
        zf.writestr("media", "{}")
    for args in (["inspect", "evil.apkg"], ["inspect", "evil.apkg", "--json"]):
        run = deckbuilder(*args, cwd=tmp_path, timeout=20)
        assert run.returncode == 0, run.stderr
        assert "\x1b" not in run.stdout and "\x07" not in run.stdout
        assert "\u202e" not in run.stdout
        assert "\\x1b[2J" in run.stdout or "\\u001b[2J" in run.stdout


def test_an_unreadable_cases_folder_is_reported(tmp_path: Path) -> None:
    shutil.copytree(DEFAULT_CONTENT, tmp_path / "content")
    (tmp_path / "content" / "cases").chmod(0)
    try:
        run = deckbuilder("check", "content", cwd=tmp_path, obey_permissions=True, timeout=20)
    finally:
        (tmp_path / "content" / "cases").chmod(0o755)
    assert run.returncode == 1, run.stdout
    assert run.stderr == (
        "content/cases: folder cannot be read: Permission denied\n"
        "error: 1 problem in the content.\n"
    )


def test_a_read_only_content_folder_writes_neither_deck_nor_lock(work: Path) -> None:
    case = work / "content" / "cases" / "alt-thigh.yaml"
    case.write_text(case.read_text().replace("C: RT alone", "C: RT only"), encoding="utf-8")
    before = snapshot(work / "content", work / "dist")
    (work / "content").chmod(0o555)
    try:
        run = deckbuilder("build", "content", cwd=work, obey_permissions=True, timeout=20)
    finally:
        (work / "content").chmod(0o755)
    assert run.returncode == 1, run.stdout
    assert run.stderr == (
        "error: cannot write content/deckbuilder.lock.json: Permission denied; neither "
        "dist/clinical-quiz.apkg nor content/deckbuilder.lock.json was changed\n"
    )
    assert snapshot(work / "content", work / "dist") == before
    assert sorted(p.name for p in (work / "dist").iterdir()) == ["clinical-quiz.apkg"]


def test_a_full_disk_is_a_message_and_changes_nothing(work: Path) -> None:
    """A file size limit stands in for a full disk: the first file that outgrows it (the
    collection database being written) fails."""
    case = work / "content" / "cases" / "alt-thigh.yaml"
    case.write_text(case.read_text().replace("C: RT alone", "C: RT only"), encoding="utf-8")
    before = snapshot(work / "content", work / "dist")
    run = deckbuilder("build", "content", cwd=work, timeout=20, limit_file_size=4096)
    assert run.returncode == 1
    assert run.stderr.startswith("error: cannot write the deck's database in ")
    assert run.stderr.endswith(": disk I/O error (is the disk full?); nothing was changed\n")
    assert snapshot(work / "content", work / "dist") == before


def _worst_cases() -> dict[str, str]:
    """Case files of almost 1 MiB, each the worst of one shape for a parser, the Markdown
    renderer, the sanitiser or the validator."""
    size = (1 << 20) - 2048

    def block(text: str) -> str:
        return SMALL_CASE.replace(
            "case: C", "case: |\n" + "".join(f"  {x}\n" for x in text.split("\n"))
        )

    def times(unit: str) -> str:
        return unit * (size // len(unit))

    return {
        "quotes": block(times("> ") + "x"),
        "lists": block(times("- ") + "x"),
        "numbered": block(times("1. ") + "x"),
        "brackets": block(times("[")),
        "links-open": block(times("[a](")),
        "emphasis": block(times("*")),
        "emphasis-words": block(times("*a ")),
        "code-spans": block(times("`a ")),
        "html-nesting": block(times("<div>")),
        "html-inline": block(times("<b>")),
        "angles": block(times("<")),
        "entities": block(times("&amp;")),
        "table": block(times("|a")[: size // 2] + "\n" + times("|-")[: size // 2]),
        "links": block(times("[a](b) ")),
        "images": block(times("![a](b.png) ")),
        "math": block("\\\\(" + times("{") + "\\\\)"),
        "math-commands": block("\\\\(" + times("\\frac{a}{b}") + "\\\\)"),
        "one-line": block(times("word ")),
        "identifiers": block(times("Mr Ab Cd, DOB 12/03/1961, ab@cd.org, 555-123-4567. ")),
        "many-lines": block("\n".join(["w"] * (size // 4))),
        "yaml-flow": "id: x\ntitle: " + times("["),
        "yaml-block": "id: x\n" + "".join(" " * i + f"k{i}:\n" for i in range(1400)),
        "unknown-keys": SMALL_CASE + "".join(f"k{i}: v\n" for i in range(size // 12)),
        "duplicate-keys": SMALL_CASE + "".join("title: t\n" for _ in range(size // 10)),
        "anchors": SMALL_CASE + "".join(f"x{i}: &a{i} v\n" for i in range(size // 20)),
        "questions": "id: x\ntitle: T\ncase: C\nquestions:\n"
        + "".join(
            f"  - id: q{i}\n    question: Q\n    options: {{A: a, B: b}}\n    answer: A\n"
            f"    critique: C\n"
            for i in range(size // 90)
        ),
        "tags": SMALL_CASE + "tags: [" + ", ".join(f"t{i}" for i in range(size // 9)) + "]\n",
    }


WORST = _worst_cases()
# Those the loader refuses (too deep, too many problems, keys YAML would drop); every
# other shape is content a deck may hold, however odd, and builds.
REFUSED_SHAPES = {
    "quotes", "lists", "numbered", "html-nesting", "html-inline", "images", "yaml-flow",
    "yaml-block", "unknown-keys", "duplicate-keys", "anchors",
}  # fmt: skip


@pytest.mark.parametrize("shape", list(WORST))
def test_a_worst_case_1_mib_file_builds_or_fails_in_under_5_seconds(
    shape: str, tmp_path: Path
) -> None:
    content = tmp_path / "content"
    (content / "cases").mkdir(parents=True)
    (content / "deck.yaml").write_text("name: D\nid: d\n", encoding="utf-8")
    data = WORST[shape].encode("utf-8")
    assert len(data) <= 1 << 20, len(data)
    (content / "cases" / "c.yaml").write_bytes(data)
    run = deckbuilder("build", "content", cwd=tmp_path, timeout=30)
    assert run.seconds < 5, (shape, run.seconds)
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr
    if shape in REFUSED_SHAPES:
        assert run.returncode == 1, run.stdout
        assert run.stderr.startswith("content/cases/c.yaml"), run.stderr[:300]
        assert run.stderr.endswith("nothing was written.\n")
        assert not (tmp_path / "dist").exists()
    else:
        assert run.returncode == 0, run.stderr[:300]
        assert import_into(tmp_path / "c.anki2", tmp_path / "dist" / "d.apkg").new >= 1
    assert len(run.stderr.splitlines()) <= 102
