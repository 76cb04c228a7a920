"""The benchmark runs end to end at a small size, so it cannot rot."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO


def test_benchmark_runs_and_reports_every_figure() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--cases", "6", "--runs", "1", "--json"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["notes"] == 30
    for key in (
        "build_s",
        "baseline_s",
        "build_ratio",
        "rebuild_unchanged_s",
        "version_s",
        "help_s",
        "peak_mb",
        "deck_mb",
        "genanki_deck_mb",
        "engine_export_mb",
        "size_ratio",
    ):
        assert figures[key] > 0, key
    assert figures["deck_mb"] < figures["genanki_deck_mb"]  # deflated vs stored


def test_benchmark_prints_a_table() -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "run.py"),
            "--cases",
            "2",
            "--runs",
            "1",
            "--scale",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for label in (
        "full build",
        "x bare genanki",
        "rebuild, nothing changed",
        "--version / --help",
        "peak memory",
        "deck size",
        "anki engine's export",
        "20 notes",
        "x the 10-note build",
    ):
        assert label in done.stdout, label
