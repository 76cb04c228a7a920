"""Benchmark ``deckbuilder build`` against baselines measured in the same run.

    python bench/run.py                  # 2,000 cases x (5 questions + 2 facts), twice
    python bench/run.py --scale 10       # ... and one build of 100,000 notes (minutes)
    python bench/run.py --cases 20 --runs 1 --json   # what the test runs

Two kinds of content, since one can hide what the other shows: ``varied`` (synthetic
text, tables, shared images) and ``repetitive`` (the seed case two thousand times with
small changes, which compresses far better). For each: the full build against the same
notes written by bare genanki (``Package.write_to_file``), and against a bare genanki
script that reads the same YAML itself (``baseline_yaml.py``: parse, Markdown, write; no
checks), each of their runs right after one of ours, each ratio the median of the pairs'
ratios (a machine that drifts during the run weighs on both alike); a rebuild with
nothing changed; peak memory; the deck's size against the official ``anki`` engine's own
export of the same notes, in each package format (ours in Anki's current format against
its default export; ours with ``support_older_anki`` against its "Support older Anki
versions" export); and what each zstd level would cost and save on that collection.

Each hand-written part of deckbuilder is then measured against its library alternative
(``variant.py``), in turns too: the parallel zip writer against ``zipfile`` (on legacy
builds, the only ones it deflates a collection for), the process pool against reading
every file in the main process, and the input stamp against rebuilding everything. A
part stays only where it saves at least 10% of the build or rebuild it serves (pausing
the cycle collector during a build saved 5-7% and went). Also: ``--version``/``--help``
start-up, and with ``--scale`` one build of ten times the notes.

Incremental builds, on a copy of the varied content: a full build without the render
cache (``--no-cache``), then a rebuild with nothing changed, a rebuild after one case's
critique is reworded and one after one figure's image changes (the cases showing it are
rendered again), each as a ratio to the full build run just before it; the edited deck
must be byte for byte the deck a full build of the same content and lock writes.

Live preview, on a copy of the varied content: ``deckbuilder serve`` with its page open
in Chromium (Playwright), the time to the first card shown, then from each save (one
question reworded) to the open page showing the new text, without a reload.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import NOTES_PER_CASE, generate, generate_repetitive, png  # noqa: E402

from deckbuilder.pipeline.workers import PARALLEL_FROM  # noqa: E402

CONTENTS: dict[str, Callable[[Path, int], Path]] = {
    "varied": generate,
    "repetitive": generate_repetitive,
}
PARTS = {  # part -> (what it serves, the variant that replaces it)
    "zip writer": ("build", "stdlib-zip"),
    "process pool": ("build", "no-workers"),
    "input stamp": ("rebuild", "no-stamp"),
}
#: Parts that only run from a number of case files on: below it both sides of the
#: comparison run the same code, and the "saving" is noise, not a verdict.
WORKS_FROM = {"process pool": PARALLEL_FROM}
KEEP_FROM = 0.10
ZSTD_LEVELS = (3, 6, 9, 12)  # 3 is Anki's own (zstd's default)


def run(argv: list[str], cwd: Path) -> tuple[float, int]:
    """Wall time and peak memory (bytes) of one whole process, measured by measure.py."""
    done = subprocess.run(
        [sys.executable, str(HERE / "measure.py"), *argv], cwd=cwd, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr}")
    figures = json.loads(done.stdout)
    return figures["seconds"], figures["peak_bytes"]


def median_run(argv: list[str], cwd: Path, runs: int) -> tuple[float, int]:
    times, peaks = zip(*(run(argv, cwd) for _ in range(runs)), strict=True)
    return statistics.median(times), max(peaks)


def build_command(
    content: Path, dist: Path, part: str = "none", *, cache: bool = False
) -> list[str]:
    """The build of ``content`` into ``dist``: a full build unless ``cache`` lets it take
    the unchanged cases from the render cache."""
    return [
        sys.executable,
        str(HERE / "variant.py"),
        part,
        "build",
        str(content),
        "-o",
        str(dist),
        "-q",
        *(() if cache else ("--no-cache",)),
    ]


def fresh(content: Path, dist: Path) -> None:
    shutil.rmtree(dist, ignore_errors=True)
    (content / "deckbuilder.lock.json").unlink(missing_ok=True)


def baseline_inputs(content: Path, work: Path) -> tuple[Path, Path]:
    """The notes as deckbuilder renders them, for the genanki baseline to write."""
    from deckbuilder.notes import ids
    from deckbuilder.notes.notetype import CONTRACTS
    from deckbuilder.pipeline.run import render_content

    rendered = render_content(content)
    notetype_ids = {
        "mcq": ids.notetype_id(rendered.deck.id),
        "cloze": ids.cloze_notetype_id(rendered.deck.id),
    }
    models = {}
    for kind, contract in CONTRACTS.items():
        look = contract.look()
        models[kind] = {
            "id": notetype_ids[kind],
            "name": contract.name(rendered.deck.name),
            "fields": list(contract.fields),
            "template": contract.templates[0],
            "front": look.front,
            "back": look.back,
            "css": look.css,
            "cloze": contract.cloze,
        }
    data = {
        "models": models,
        "deck_id": ids.deck_id(rendered.deck.id),
        "deck_name": rendered.deck.name,
        "notes": [
            {"kind": n.kind, "fields": list(n.fields), "guid": n.guid, "tags": list(n.tags)}
            for n in rendered.notes
        ],
    }
    notes = work / "baseline-notes.json"
    notes.write_text(json.dumps(data), encoding="utf-8")
    media = work / "baseline-media.json"
    media.write_text(json.dumps([str(m.source) for m in rendered.media]), encoding="utf-8")
    return notes, media


def engine_export_size(deck: Path, work: Path, legacy: bool = False) -> int:
    """Size of the same notes exported by the official engine: in its current format
    (Anki desktop's default: zstd over the whole collection), or with ``legacy`` in the
    format every client reads, ours (deflate, as "Support older Anki versions" does)."""
    from anki.collection import (
        Collection,
        DeckIdLimit,
        ExportAnkiPackageOptions,
        ImportAnkiPackageOptions,
        ImportAnkiPackageRequest,
    )

    path = work / "engine.anki2"
    path.unlink(missing_ok=True)
    col = Collection(str(path))
    try:
        col.import_anki_package(
            ImportAnkiPackageRequest(package_path=str(deck), options=ImportAnkiPackageOptions())
        )
        did = col.decks.all_names_and_ids(skip_empty_default=True)[-1].id
        out = work / "engine-export.apkg"
        col.export_anki_package(
            out_path=str(out),
            options=ExportAnkiPackageOptions(
                with_scheduling=False, with_deck_configs=False, with_media=True, legacy=legacy
            ),
            limit=DeckIdLimit(did),
        )
        return out.stat().st_size
    finally:
        col.close()


def bench_content(kind: str, cases: int, runs: int, work: Path) -> dict[str, float]:
    """Full build against bare genanki, rebuild, memory and sizes, on one kind of content."""
    content = CONTENTS[kind](work / f"content-{kind}", cases)
    dist = work / f"dist-{kind}"
    notes_json, media_json = baseline_inputs(content, work)
    baseline_out = work / f"baseline-{kind}.apkg"
    baseline = [
        sys.executable,
        str(HERE / "baseline_genanki.py"),
        str(notes_json),
        str(media_json),
        str(baseline_out),
    ]
    from_yaml = [
        sys.executable,
        str(HERE / "baseline_yaml.py"),
        str(content),
        str(notes_json),
        str(work / f"baseline-yaml-{kind}.apkg"),
    ]
    build = build_command(content, dist)
    pairs = []
    yaml_pairs = []
    for _ in range(runs):
        fresh(content, dist)
        ours = run(build, work)
        pairs.append((ours, run(baseline, work)))
        yaml_pairs.append((ours, run(from_yaml, work)))
    rebuild_t, _ = median_run(build, work, runs)
    deck = dist / "bench-deck.apkg"
    ours = deck.stat().st_size
    engine = engine_export_size(deck, work)
    older = older_anki(content)
    older_dist = work / f"dist-{kind}-older"
    fresh(older, older_dist)
    older_t, _ = run(build_command(older, older_dist), work)
    older_deck = older_dist / "bench-deck.apkg"
    legacy = engine_export_size(older_deck, work, legacy=True)
    return {
        "notes": len(json.loads(notes_json.read_text(encoding="utf-8"))["notes"]),
        "build_s": statistics.median(ours[0] for ours, _ in pairs),
        "baseline_s": statistics.median(base[0] for _, base in pairs),
        "build_ratio": statistics.median(ours[0] / base[0] for ours, base in pairs),
        "yaml_baseline_s": statistics.median(base[0] for _, base in yaml_pairs),
        "yaml_build_ratio": statistics.median(ours[0] / base[0] for ours, base in yaml_pairs),
        "rebuild_unchanged_s": rebuild_t,
        "peak_mb": max(ours[1] for ours, _ in pairs) / 1e6,
        "baseline_peak_mb": max(base[1] for _, base in pairs) / 1e6,
        "deck_mb": ours / 1e6,
        "genanki_deck_mb": baseline_out.stat().st_size / 1e6,
        "engine_export_mb": engine / 1e6,
        "size_ratio": ours / engine,
        "older_build_s": older_t,
        "older_deck_mb": older_deck.stat().st_size / 1e6,
        "engine_legacy_mb": legacy / 1e6,
        "legacy_size_ratio": older_deck.stat().st_size / legacy,
        "zstd": zstd_levels(older_deck, runs),
    }


def older_anki(content: Path) -> Path:
    """A copy of ``content`` whose deck.yaml asks for the legacy package format."""
    older = content.with_name(content.name + "-older")
    shutil.rmtree(older, ignore_errors=True)
    shutil.copytree(content, older)
    with (older / "deck.yaml").open("a", encoding="utf-8") as fh:
        fh.write("support_older_anki: true\n")
    return older


def zstd_levels(legacy_deck: Path, runs: int) -> dict[str, dict[str, float]]:
    """Size and time of the deck's collection at each of :data:`ZSTD_LEVELS`, compressed
    as the writer does (in independent frames of ``FRAME_SIZE``), on one core, the
    median of ``runs``."""
    import time
    import zipfile

    import zstandard

    from deckbuilder.apkg.frames import FRAME_SIZE

    with zipfile.ZipFile(legacy_deck) as zf:
        data = zf.read("collection.anki2")
    out = {}
    for level in ZSTD_LEVELS:
        times = []
        for _ in range(max(runs, 3)):
            start = time.perf_counter()
            compressor = zstandard.ZstdCompressor(level=level)
            size = sum(
                len(compressor.compress(data[at : at + FRAME_SIZE]))
                for at in range(0, len(data), FRAME_SIZE)
            )
            times.append(time.perf_counter() - start)
        out[str(level)] = {"mb": size / 1e6, "s": statistics.median(times)}
    return out


def bench_parts(cases: int, runs: int, work: Path) -> dict[str, dict[str, float]]:
    """Each hand-written part against its library alternative, on the varied content
    (the zip writer on its legacy-format copy): the build (or rebuild) with the part and
    with the alternative, taking turns."""
    varied = work / "content-varied"
    if not varied.exists():
        generate(varied, cases)
    out: dict[str, dict[str, float]] = {}
    for part, (serves, variant) in PARTS.items():
        content = older_anki(varied) if part == "zip writer" else varied
        ours_dist, theirs_dist = work / "dist-part-ours", work / "dist-part-theirs"
        pairs = []
        for _ in range(runs):
            if serves == "build":
                fresh(content, ours_dist)
                ours = run(build_command(content, ours_dist), work)[0]
                fresh(content, theirs_dist)
                theirs = run(build_command(content, theirs_dist, variant), work)[0]
            else:  # a rebuild with nothing changed, after a build of the same folder
                fresh(content, ours_dist)
                run(build_command(content, ours_dist), work)
                ours = run(build_command(content, ours_dist), work)[0]
                theirs = run(build_command(content, ours_dist, variant), work)[0]
            pairs.append((ours, theirs))
        ours_t = statistics.median(o for o, _ in pairs)
        theirs_t = statistics.median(t for _, t in pairs)
        saving = statistics.median(1 - o / t for o, t in pairs)
        out[part] = {
            "serves": serves,
            "ours_s": ours_t,
            "alternative_s": theirs_t,
            "saving": saving,
            "kept": saving >= KEEP_FROM,
            "judged": cases >= WORKS_FROM.get(part, 0),
        }
    return out


def varied_copy(work: Path, cases: int, name: str) -> Path:
    """A fresh copy, ``work/name``, of the varied content (generated once per run)."""
    varied = work / "content-varied"
    if not varied.exists():
        generate(varied, cases)
    content = work / name
    shutil.rmtree(content, ignore_errors=True)
    shutil.copytree(varied, content)
    return content


def bench_incremental(cases: int, runs: int, work: Path) -> dict[str, float]:
    """Full build, then rebuilds with nothing changed, one critique reworded and one
    figure changed, on a copy of the varied content; each against the full build just
    before it, each after a build through the render cache, as an author's own builds
    are. The edited deck is checked against a full build of the same content and lock,
    byte for byte. Then ``build --watch``, from a save to the new deck in place."""
    import os
    import time

    content = varied_copy(work, cases, "content-incremental")
    dist = work / "dist-incremental"
    os.environ["SOURCE_DATE_EPOCH"] = str(int(time.time()))  # the same times in both builds
    case = content / "cases" / "case-000000.yaml"
    figure = content / "images" / "fig1.png"
    fresh(content, dist)
    run(build_command(content, dist, cache=True), work)  # the cache filled once
    rows = []
    identical = True
    for i in range(runs):
        fresh(content, dist)
        full = run(build_command(content, dist), work)[0]
        # The author's own last build went through the cache (the default), which so
        # holds this deck's frames: built again, the same deck, untimed.
        shutil.rmtree(dist)
        run(build_command(content, dist, cache=True), work)
        unchanged = run(build_command(content, dist, cache=True), work)[0]
        text = case.read_text(encoding="utf-8")
        case.write_text(
            text.replace("critique: |\n", f"critique: |\n      Reworded ({i}).\n", 1),
            encoding="utf-8",
        )
        lock = (content / "deckbuilder.lock.json").read_bytes()
        edit = run(build_command(content, dist, cache=True), work)[0]
        if i == 0:
            identical = (dist / "bench-deck.apkg").read_bytes() == full_build_of(
                content, lock, work
            )
        figure.write_bytes(png(1000 + i))
        image = run(build_command(content, dist, cache=True), work)[0]
        rows.append((full, unchanged, edit, image))
    watch, watch_identical = watch_rebuilds(content, dist, case, runs, work)
    del os.environ["SOURCE_DATE_EPOCH"]
    full_t = statistics.median(r[0] for r in rows)
    return {
        "watch_edit_s": statistics.median(watch),
        "watch_edit_ratio": statistics.median(watch) / full_t,
        "watch_identical": watch_identical,
        "full_s": full_t,
        "unchanged_s": statistics.median(r[1] for r in rows),
        "unchanged_ratio": statistics.median(r[1] / r[0] for r in rows),
        "edit_s": statistics.median(r[2] for r in rows),
        "edit_ratio": statistics.median(r[2] / r[0] for r in rows),
        "figure_s": statistics.median(r[3] for r in rows),
        "figure_ratio": statistics.median(r[3] / r[0] for r in rows),
        "identical": identical,
    }


def stop(process: subprocess.Popen[str]) -> None:
    """Stop a watching ``deckbuilder`` as Ctrl-C does (killed if it does not end)."""
    import signal

    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def watch_rebuilds(
    content: Path, dist: Path, case: Path, runs: int, work: Path
) -> tuple[list[float], bool]:
    """``deckbuilder build --watch`` on ``content``: for each of ``runs`` saves (one
    critique reworded), the time from the save to the new deck in place, and whether
    the first such deck is byte for byte a full build of the same content and lock."""
    import threading
    import time

    deck = dist / "bench-deck.apkg"
    watcher = subprocess.Popen(
        [sys.executable, "-m", "deckbuilder", "build", str(content), "-o", str(dist), "--watch"],
        cwd=work,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    times, identical = [], False
    try:
        assert watcher.stderr is not None
        for line in watcher.stderr:  # the first build's report, then "Watching ..."
            if line.startswith("Watching"):
                break
        else:
            raise SystemExit("deckbuilder build --watch stopped before watching")
        # what it says on each save is read away, so that a full pipe never stops it
        threading.Thread(target=watcher.stderr.read, daemon=True).start()
        for i in range(runs):
            before = deck.stat().st_mtime_ns, deck.stat().st_ino
            lock = (content / "deckbuilder.lock.json").read_bytes()
            text = case.read_text(encoding="utf-8")
            start = time.perf_counter()
            case.write_text(
                text.replace("critique: |\n", f"critique: |\n      Watched ({i}).\n", 1),
                encoding="utf-8",
            )
            while (deck.stat().st_mtime_ns, deck.stat().st_ino) == before:
                if watcher.poll() is not None or time.perf_counter() - start > 120:
                    raise SystemExit("deckbuilder build --watch wrote no deck after a save")
                time.sleep(0.005)
            times.append(time.perf_counter() - start)
            if i == 0:
                identical = deck.read_bytes() == full_build_of(content, lock, work)
    finally:
        stop(watcher)
    return times, identical


def bench_serve(cases: int, runs: int, work: Path) -> dict[str, float]:
    """``deckbuilder serve`` on a copy of the varied content, its page open in Chromium:
    how long the first page takes to show its first card, and, for each of ``runs`` saves
    (one question reworded), how long from the save to the open page showing the new
    text, marked as changed, without a reload."""
    import socket
    import threading
    import time

    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(HERE.parent))
    from tests.support.browser import LAUNCH_ARGS, chromium_path

    content = varied_copy(work, cases, "content-serve")
    case = content / "cases" / f"case-{cases // 2:06d}.yaml"
    ref = f"case-{cases // 2:06d}/q1"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "deckbuilder", "serve", str(content), "--port", str(port)],
        cwd=work,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    # Polled at every frame while the page works: one query for the card, not a walk
    # over every card, so that the measuring weighs little on what it measures.
    qa = """const qa = (s) => { const f = s && s.querySelector('iframe');
        const d = f && f.contentDocument; return d && d.getElementById('qa'); };
        const changed = (ref) => document.querySelector(
            `.pv-card.pv-changed[data-ref="${CSS.escape(ref)}"]`);"""
    shows = f"""([ref, text]) => {{ {qa} const s = changed(ref);
        return !!(qa(s) && qa(s).innerText.includes(text)); }}"""
    gone = f"""([ref, text]) => {{ {qa} const s = changed(ref);
        return !!(qa(s) && !qa(s).innerText.includes(text)); }}"""
    first_card = f"""() => {{ {qa} const s = document.querySelector('.pv-card');
        return !!(s && qa(s) && qa(s).innerText); }}"""
    try:
        assert server.stdout is not None
        banner = server.stdout.readline()
        if "Serving" not in banner:
            raise SystemExit(f"deckbuilder serve did not start: {banner}{server.stdout.read()}")
        # what it prints on each save is read away, so that a full pipe never stops it
        threading.Thread(target=server.stdout.read, daemon=True).start()
        saves = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=LAUNCH_ARGS)
            page = browser.new_page()
            start = time.perf_counter()
            page.goto(f"http://127.0.0.1:{port}/", timeout=300_000)
            page.wait_for_function(first_card, timeout=300_000, polling="raf")
            first = time.perf_counter() - start
            page.evaluate("() => { window.notReloaded = true; }")
            for i in range(runs):
                text = f"Reworded live {i}"
                before = case.read_text(encoding="utf-8")
                after = before.replace("    question: '", f"    question: '{text} ", 1)
                start = time.perf_counter()
                case.write_text(after, encoding="utf-8")
                page.wait_for_function(shows, arg=[ref, text], timeout=60_000, polling="raf")
                saves.append(time.perf_counter() - start)
                if page.evaluate("() => window.notReloaded") is not True:
                    raise SystemExit("deckbuilder serve: the page reloaded on a save")
                case.write_text(before, encoding="utf-8")  # and back, before the next save
                page.wait_for_function(gone, arg=[ref, text], timeout=60_000, polling="raf")
            browser.close()
    finally:
        stop(server)
    return {"first_page_s": first, "save_to_page_s": statistics.median(saves)}


def full_build_of(content: Path, lock: bytes, work: Path) -> bytes:
    """The deck a full build (no cache) of a copy of ``content`` with ``lock`` writes."""
    copy, dist = work / "content-full-copy", work / "dist-full-copy"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(content, copy)
    (copy / "deckbuilder.lock.json").write_bytes(lock)
    fresh_deck = dist / "bench-deck.apkg"
    shutil.rmtree(dist, ignore_errors=True)
    run(build_command(copy, dist), work)
    return fresh_deck.read_bytes()


def startup(runs: int, work: Path) -> dict[str, float]:
    py = sys.executable
    return {
        "version_s": median_run([py, "-m", "deckbuilder", "--version"], work, max(runs, 3))[0],
        "help_s": median_run([py, "-m", "deckbuilder", "--help"], work, max(runs, 3))[0],
    }


def scaled(cases: int, scale: int, work: Path) -> dict[str, float]:
    """One full build of ``scale`` times as many cases, for the linearity check: its time
    against full builds of the varied folder run just before and just after it."""
    large = generate(work / "content-large", cases * scale)
    small = work / "content-varied"

    def small_build() -> float:
        fresh(small, work / "dist-small")
        return run(build_command(small, work / "dist-small"), work)[0]

    before = small_build()
    seconds, peak = run(build_command(large, work / "dist-large"), work)
    after = small_build()
    return {
        "notes": cases * scale * NOTES_PER_CASE,
        "build_s": seconds,
        "ratio": seconds / statistics.mean([before, after]),
        "peak_mb": peak / 1e6,
    }


def report(r: dict) -> str:
    rows: list[tuple[str, str, str]] = []
    for kind in CONTENTS:
        c = r[kind]
        rows += [
            (f"{kind} content", f"{c['notes']:,.0f} notes", ""),
            (
                "  full build",
                f"{c['build_s']:.2f} s",
                f"{c['build_ratio']:.2f}x bare genanki ({c['baseline_s']:.2f} s)",
            ),
            (
                "",
                "",
                f"{c['yaml_build_ratio']:.2f}x a genanki script reading the YAML "
                f"({c['yaml_baseline_s']:.2f} s)",
            ),
            ("  rebuild, nothing changed", f"{c['rebuild_unchanged_s']:.2f} s", ""),
            ("  peak memory", f"{c['peak_mb']:.0f} MB", f"genanki: {c['baseline_peak_mb']:.0f} MB"),
            (
                "  deck size",
                f"{c['deck_mb']:.2f} MB",
                f"{c['size_ratio']:.2f}x the anki engine's export ({c['engine_export_mb']:.2f} "
                f"MB); genanki: {c['genanki_deck_mb']:.2f} MB",
            ),
            (
                "  support_older_anki",
                f"{c['older_deck_mb']:.2f} MB",
                f"{c['legacy_size_ratio']:.2f}x the engine's legacy export "
                f"({c['engine_legacy_mb']:.2f} MB); full build {c['older_build_s']:.2f} s",
            ),
        ]
        anki = c["zstd"]["3"]
        for level, z in c["zstd"].items():
            rows.append(
                (
                    f"  zstd level {level}",
                    f"{z['mb']:.2f} MB",
                    f"{z['s']:.2f} s ({z['s'] - anki['s']:+.2f} s, {z['mb'] / anki['mb']:.2f}x "
                    "the size at level 3, Anki's own)",
                )
            )
    inc = r["incremental"]
    rows += [
        (
            "incremental builds",
            "",
            f"varied content, against its full build ({inc['full_s']:.2f} s)",
        ),
        (
            "  nothing changed",
            f"{inc['unchanged_s']:.2f} s",
            f"{inc['unchanged_ratio']:.0%} of the full build",
        ),
        (
            "  one critique reworded",
            f"{inc['edit_s']:.2f} s",
            f"{inc['edit_ratio']:.0%} of the full build; deck "
            + (
                "identical to a full build's" if inc["identical"] else "DIFFERS from a full build's"
            ),
        ),
        (
            "  one figure changed",
            f"{inc['figure_s']:.2f} s",
            f"{inc['figure_ratio']:.0%} of the full build",
        ),
        (
            "  build --watch: save -> deck",
            f"{inc['watch_edit_s']:.2f} s",
            f"{inc['watch_edit_ratio']:.0%} of the full build, one critique reworded; deck "
            + (
                "identical to a full build's"
                if inc["watch_identical"]
                else "DIFFERS from a full build's"
            ),
        ),
        ("live preview (serve)", "", "varied content, its page open in Chromium"),
        ("  first card shown", f"{r['serve']['first_page_s']:.2f} s", ""),
        (
            "  save -> page updated",
            f"{r['serve']['save_to_page_s']:.2f} s",
            "one question reworded, no reload",
        ),
    ]
    rows.append(
        (
            "--version / --help",
            f"{r['startup']['version_s']:.2f} s / {r['startup']['help_s']:.2f} s",
            "",
        )
    )
    rows.append(("hand-written parts", "saving", "against the library alternative"))
    for part, p in r["parts"].items():
        verdict = "kept" if p["kept"] else "below 10%: replace it"
        if not p["judged"]:
            verdict = (
                f"no verdict: it runs from {WORKS_FROM[part]} cases on "
                f"(--cases {WORKS_FROM[part]} or more)"
            )
        rows.append(
            (
                f"  {part}",
                f"{p['saving']:.0%}",
                f"of the {p['serves']} ({p['ours_s']:.2f} s, alternative "
                f"{p['alternative_s']:.2f} s): {verdict}",
            )
        )
    if "large" in r:
        large = r["large"]
        rows.append(
            (
                f"{large['notes']:,.0f} notes",
                f"{large['build_s']:.2f} s",
                f"{large['ratio']:.2f}x the {r['varied']['notes']:,.0f}-note build; "
                f"peak memory {large['peak_mb']:.0f} MB",
            )
        )
    width = max(len(row[0]) for row in rows)
    return "\n".join(f"{name:<{width}}  {value:<14} {note}".rstrip() for name, value, note in rows)


def require_tools() -> None:
    """Stop at once, with what to install, when the official ``anki`` package (the
    engine's own export), Playwright or Chromium (``serve``'s page) is missing, rather
    than after minutes of building."""
    try:
        import anki  # noqa: F401
    except ImportError:
        raise SystemExit(
            "bench/run.py compares decks with the official anki package's own export, "
            "which is not installed: pip install -e '.[bench]'"
        ) from None
    try:
        import playwright  # noqa: F401
    except ImportError:
        raise SystemExit(
            "bench/run.py opens the page of deckbuilder serve in Chromium with Playwright, "
            "which is not installed: pip install -e '.[bench]'"
        ) from None
    sys.path.insert(0, str(HERE.parent))
    from tests.support.browser import chromium_path

    try:
        chromium_path()
    except RuntimeError as exc:
        raise SystemExit(f"bench/run.py: {exc}") from None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--cases",
        type=int,
        default=2000,
        help="cases of 5 questions and 2 facts (varied) or 5 and 5 (repetitive)",
    )
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument(
        "--scale",
        type=int,
        default=0,
        help="also build N times as many cases once (time linear in size?)",
    )
    args = parser.parse_args()
    require_tools()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        os.environ["DECKBUILDER_CACHE_DIR"] = str(work / "render-cache")  # not the user's
        # Bytecode as users have it (pip writes it at install, Python at the first
        # import): where it is forbidden, every deckbuilder process would compile its own
        # modules, a cost the baselines, from installed packages, would not share.
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        result: dict = {kind: bench_content(kind, args.cases, args.runs, work) for kind in CONTENTS}
        result["incremental"] = bench_incremental(args.cases, args.runs, work)
        result["serve"] = bench_serve(args.cases, args.runs, work)
        result["startup"] = startup(args.runs, work)
        result["parts"] = bench_parts(args.cases, args.runs, work)
        if args.scale:
            result["large"] = scaled(args.cases, args.scale, work)
    print(json.dumps(result, indent=2) if args.json else report(result))


if __name__ == "__main__":
    main()
