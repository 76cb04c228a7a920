"""The command line's first-use edges, each run as a real process with its whole output:
a case added where no deck file is, a build run from inside the content folder, the
first build's note type, and ``--help`` with an example everywhere.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.process import deckbuilder


def test_the_first_build_has_a_new_note_type_and_a_rename_changes_it(tmp_path: Path) -> None:
    assert deckbuilder("init", "cardio", cwd=tmp_path).returncode == 0
    run = deckbuilder("build", "cardio", "--json", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert (report["notetype_new"], report["notetype_changed"]) == (True, True)
    assert report["new"] == ["first-case/q1"]

    deck = tmp_path / "cardio" / "deck.yaml"
    deck.write_text(
        deck.read_text(encoding="utf-8").replace("name: Cardio", "name: Heart"), "utf-8"
    )
    run = deckbuilder("build", "cardio", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert re.fullmatch(
        r"  note type: templates or style changed\n"
        r"Wrote dist/cardio\.apkg \(\d+ KiB\): 1 notes, 0 new, 0 updated, 1 unchanged "
        r"\(\d+\.\d\d s\)\.\n",
        run.stdout,
    ), run.stdout

    other = tmp_path / "other"
    assert deckbuilder("init", "other", cwd=tmp_path).returncode == 0
    run = deckbuilder("build", other, "--dry-run", cwd=tmp_path)
    assert re.fullmatch(
        r"  new       first-case/q1\n"
        r"  new note type\n"
        r"Would write dist/other\.apkg \(\d+ KiB\): 1 notes, 1 new, 0 updated, 0 unchanged "
        r"\(\d+\.\d\d s\)\.\nDry run: nothing was written\.\n",
        run.stdout,
    ), run.stdout
