"""The benchmark runs end to end at a small size, so it cannot rot, and reports every
figure it promises with a sound value."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from tests.support.paths import REPO

CONTENT_FIGURES = (
    "notes",
    "build_s",
    "baseline_s",
    "build_ratio",
    "yaml_baseline_s",
    "yaml_build_ratio",
    "rebuild_unchanged_s",
    "peak_mb",
    "baseline_peak_mb",
    "deck_mb",
    "genanki_deck_mb",
    "engine_export_mb",
    "size_ratio",
    "older_build_s",
    "older_deck_mb",
    "engine_legacy_mb",
    "legacy_size_ratio",
)
INCREMENTAL_FIGURES = (
    "full_s",
    *(
        f"{scenario}_{unit}"
        for scenario in ("unchanged", "edit", "figure", "watch_edit")
        for unit in ("s", "ratio")
    ),
)
ZSTD_LEVELS = ("3", "6", "9", "12")
PARTS = ("zip writer", "process pool", "input stamp")


def _bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), *args],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def _sound(value: object) -> bool:
    return isinstance(value, int | float) and math.isfinite(value) and value > 0


def test_benchmark_reports_every_figure_for_both_kinds_of_content() -> None:
    done = _bench("--cases", "6", "--runs", "1", "--json")
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert set(figures) == {"varied", "repetitive", "incremental", "serve", "startup", "parts"}
    assert set(figures["serve"]) == {"first_page_s", "save_to_page_s"}
    assert all(_sound(v) for v in figures["serve"].values())
    incremental = figures["incremental"]
    assert incremental["identical"] is True  # the edited deck is a full build's, byte for byte
    assert incremental["watch_identical"] is True  # and so is the one build --watch wrote
    for key in INCREMENTAL_FIGURES:
        assert _sound(incremental[key]), (key, incremental[key])
    for kind in ("varied", "repetitive"):
        content = figures[kind]
        assert set(content) == {*CONTENT_FIGURES, "zstd"}, kind
        assert tuple(content["zstd"]) == ZSTD_LEVELS, kind
        for level in content["zstd"].values():
            assert _sound(level["mb"]) and _sound(level["s"]), (kind, level)
    assert figures["varied"]["notes"] == 6 * (5 + 2)  # five questions and two facts a case
    assert figures["repetitive"]["notes"] == 6 * (5 + 5)  # the seed's five facts
    for kind in ("varied", "repetitive"):
        content = figures[kind]
        for key in CONTENT_FIGURES:
            assert _sound(content[key]), (kind, key, content[key])
        assert content["deck_mb"] < content["genanki_deck_mb"]  # compressed vs stored
        assert content["older_deck_mb"] < content["genanki_deck_mb"]
        assert content["size_ratio"] == pytest.approx(
            content["deck_mb"] / content["engine_export_mb"]
        )
        assert content["legacy_size_ratio"] == pytest.approx(
            content["older_deck_mb"] / content["engine_legacy_mb"]
        )
    assert all(_sound(v) for v in figures["startup"].values())
    assert set(figures["parts"]) == set(PARTS)
    for part, p in figures["parts"].items():
        assert p["serves"] in ("build", "rebuild"), part
        assert _sound(p["ours_s"]) and _sound(p["alternative_s"]), part
        assert math.isfinite(p["saving"]) and -10 < p["saving"] < 1, part
        assert p["kept"] == (p["saving"] >= 0.10), part
        assert p["judged"] == (part != "process pool"), part  # 6 cases: no pool to judge


def test_benchmark_prints_a_table() -> None:
    done = _bench("--cases", "2", "--runs", "1", "--scale", "2")
    assert done.returncode == 0, done.stderr
    for label in (
        "varied content",
        "repetitive content",
        "full build",
        "x bare genanki",
        "rebuild, nothing changed",
        "--version / --help",
        "peak memory",
        "x the anki engine's export",
        "support_older_anki",
        "x the engine's legacy export",
        "zstd level 9",
        "the size at level 3, Anki's own",
        "hand-written parts",
        "zip writer",
        "input stamp",
        "incremental builds",
        "one critique reworded",
        "deck identical to a full build's",
        "one figure changed",
        "build --watch: save -> deck",
        "first card shown",
        "save -> page updated",
        "28 notes",
        "x the 14-note build",
    ):
        assert label in done.stdout, label
    pool = next(line for line in done.stdout.splitlines() if "process pool" in line)
    assert pool.endswith("no verdict: it runs from 64 cases on (--cases 64 or more)"), pool
