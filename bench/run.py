"""Benchmark ``deckbuilder build`` against bare genanki, in one run, on one machine.

    python bench/run.py                  # 2,000 cases x 5 questions = 10,000 notes
    python bench/run.py --scale 10       # ... and one build of 100,000 notes (minutes)
    python bench/run.py --cases 20 --runs 1 --json   # what the test runs

Every figure is a median of ``--runs`` whole-process runs, next to a baseline measured
in the same run: the same notes written by bare genanki (``Package.write_to_file``),
each of its runs right after one of ours.
Reported: full build time and its ratio to the baseline, a rebuild with nothing
changed, ``--version``/``--help`` start-up, peak memory (max RSS of the process), and
deck sizes: ours, genanki's, and the official ``anki`` engine's own export of the same
notes (importing our deck, exporting it as Anki desktop would).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402


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
    times, peaks = [], []
    for _ in range(runs):
        t, peak = run(argv, cwd)
        times.append(t)
        peaks.append(peak)
    return statistics.median(times), max(peaks)


def baseline_inputs(content: Path, work: Path) -> tuple[Path, Path]:
    """The notes as deckbuilder renders them, for the genanki baseline to write."""
    from deckbuilder.build import render_content
    from deckbuilder.notes import ids
    from deckbuilder.notes.notetype import FIELDS, card_look, notetype_name

    rendered = render_content(content)
    look = card_look()
    data = {
        "notetype_id": ids.notetype_id(rendered.deck.id),
        "notetype_name": notetype_name(rendered.deck.name),
        "deck_id": ids.deck_id(rendered.deck.id),
        "deck_name": rendered.deck.name,
        "fields": list(FIELDS),
        "front": look.front,
        "back": look.back,
        "css": look.css,
        "notes": [
            {"fields": list(n.fields), "guid": n.guid, "tags": list(n.tags)} for n in rendered.notes
        ],
    }
    notes = work / "baseline-notes.json"
    notes.write_text(json.dumps(data), encoding="utf-8")
    media = work / "baseline-media.json"
    media.write_text(json.dumps([str(m.source) for m in rendered.media]), encoding="utf-8")
    return notes, media


def engine_export_size(deck: Path, work: Path) -> int:
    """Size of the same notes exported by the official engine (Anki desktop's default)."""
    from anki.collection import (
        Collection,
        DeckIdLimit,
        ExportAnkiPackageOptions,
        ImportAnkiPackageOptions,
        ImportAnkiPackageRequest,
    )

    col = Collection(str(work / "engine.anki2"))
    try:
        col.import_anki_package(
            ImportAnkiPackageRequest(package_path=str(deck), options=ImportAnkiPackageOptions())
        )
        did = col.decks.all_names_and_ids(skip_empty_default=True)[-1].id
        out = work / "engine-export.apkg"
        col.export_anki_package(
            out_path=str(out),
            options=ExportAnkiPackageOptions(
                with_scheduling=False, with_deck_configs=False, with_media=True, legacy=False
            ),
            limit=DeckIdLimit(did),
        )
        return out.stat().st_size
    finally:
        col.close()


def bench(cases: int, runs: int, work: Path) -> dict[str, float]:
    content = generate(work / "content", cases)
    dist = work / "dist"
    py = sys.executable
    build = build_command(content, dist)

    def fresh() -> None:
        shutil.rmtree(dist, ignore_errors=True)
        (content / "deckbuilder.lock.json").unlink(missing_ok=True)

    notes_json, media_json = baseline_inputs(content, work)
    baseline_out = work / "baseline.apkg"
    baseline = [
        py,
        str(HERE / "baseline_genanki.py"),
        str(notes_json),
        str(media_json),
        str(baseline_out),
    ]

    # Ours and the baseline take turns, so a machine that speeds up or slows down
    # during the run (shared hosts drift by a third) weighs on both alike; the ratio is
    # the median of the pairs' ratios.
    pairs = []
    for _ in range(runs):
        fresh()
        pairs.append((run(build, work), run(baseline, work)))
    full_t = statistics.median(ours[0] for ours, _ in pairs)
    base_t = statistics.median(base[0] for _, base in pairs)
    ratio = statistics.median(ours[0] / base[0] for ours, base in pairs)
    full_mem = max(ours[1] for ours, _ in pairs)
    base_mem = max(base[1] for _, base in pairs)
    rebuild_t, _ = median_run(build, work, runs)
    version_t, _ = median_run([py, "-m", "deckbuilder", "--version"], work, max(runs, 3))
    help_t, _ = median_run([py, "-m", "deckbuilder", "--help"], work, max(runs, 3))
    deck = dist / "bench-deck.apkg"
    ours = deck.stat().st_size
    return {
        "notes": cases * 5,
        "build_s": full_t,
        "baseline_s": base_t,
        "build_ratio": ratio,
        "rebuild_unchanged_s": rebuild_t,
        "version_s": version_t,
        "help_s": help_t,
        "peak_mb": full_mem / 1e6,
        "baseline_peak_mb": base_mem / 1e6,
        "deck_mb": ours / 1e6,
        "genanki_deck_mb": baseline_out.stat().st_size / 1e6,
        "engine_export_mb": (engine := engine_export_size(deck, work)) / 1e6,
        "size_ratio": ours / engine,
    }


def build_command(content: Path, dist: Path) -> list[str]:
    return [sys.executable, "-m", "deckbuilder", "build", str(content), "-o", str(dist), "-q"]


def scaled(cases: int, scale: int, work: Path) -> dict[str, float]:
    """One full build of ``scale`` times as many cases, for the linearity check: its time
    against full builds of the benchmark's folder run just before and just after it."""
    large = generate(work / "content-large", cases * scale)
    small = work / "content"

    def small_build() -> float:
        shutil.rmtree(work / "dist-small", ignore_errors=True)
        (small / "deckbuilder.lock.json").unlink(missing_ok=True)
        return run(build_command(small, work / "dist-small"), work)[0]

    before = small_build()
    seconds, peak = run(build_command(large, work / "dist-large"), work)
    after = small_build()
    return {
        "large_notes": cases * scale * 5,
        "large_build_s": seconds,
        "large_ratio": seconds / statistics.mean([before, after]),
        "large_peak_mb": peak / 1e6,
    }


def report(r: dict[str, float]) -> str:
    rows = [
        ("notes", f"{r['notes']:,.0f}", ""),
        (
            "full build",
            f"{r['build_s']:.2f} s",
            f"{r['build_ratio']:.2f}x bare genanki ({r['baseline_s']:.2f} s)",
        ),
        ("rebuild, nothing changed", f"{r['rebuild_unchanged_s']:.2f} s", ""),
        ("--version / --help", f"{r['version_s']:.2f} s / {r['help_s']:.2f} s", ""),
        ("peak memory", f"{r['peak_mb']:.0f} MB", f"genanki: {r['baseline_peak_mb']:.0f} MB"),
        (
            "deck size",
            f"{r['deck_mb']:.2f} MB",
            f"{r['size_ratio']:.2f}x the anki engine's "
            f"export ({r['engine_export_mb']:.2f} MB); genanki: {r['genanki_deck_mb']:.2f} MB",
        ),
    ]
    if "large_notes" in r:
        rows.append(
            (
                f"{r['large_notes']:,.0f} notes",
                f"{r['large_build_s']:.2f} s",
                f"{r['large_ratio']:.2f}x the {r['notes']:,.0f}-note build; "
                f"peak memory {r['large_peak_mb']:.0f} MB",
            )
        )
    width = max(len(r[0]) for r in rows)
    return "\n".join(f"{name:<{width}}  {value:<14} {note}".rstrip() for name, value, note in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=2000, help="cases of 5 questions")
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
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        result = bench(args.cases, args.runs, work)
        if args.scale:
            result.update(scaled(args.cases, args.scale, work))
    print(json.dumps(result, indent=2) if args.json else report(result))


if __name__ == "__main__":
    main()
