"""The Anki desktop harness itself (``tests/support/desktop``): what the card tests rely on.

A show step must return only once MathJax has typeset the card, console messages must
reach the card that logged them, sound tags must be reported, and a failing or hanging
run must raise with Anki's output and leave no process behind.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from deckbuilder import build
from tests.support.ankiengine import collection, import_apkg
from tests.support.desktop import (
    CardPlan,
    DesktopError,
    Eval,
    ShowAnswer,
    ShowQuestion,
    run_anki_desktop,
    skip_or_fail_if_unavailable,
)
from tests.support.desktop.reaper import live_processes
from tests.support.helpers import replace_in
from tests.support.packages import patch_collection
from tests.support.paths import DEFAULT_CONTENT, LOCK_FILE

skip_or_fail_if_unavailable()
pytestmark = pytest.mark.desktop

# Markdown needs the backslashes doubled to leave \( and \[ in the HTML for MathJax.
MATH_QUESTION = r"question: \\(x^2 + \\frac{a}{b}\\) and \\[\\sum_{i=1}^n i^2\\] Since ALT"

STATE = r"""(() => {
  const qa = document.getElementById("qa");
  return {
    formulas: qa.querySelectorAll("mjx-container").length,
    raw: /\\[(\[]/.test(qa.querySelector(".db-question").textContent),
    opacity: qa.style.opacity,
  };
})()"""

THROW_IN_A_SCRIPT = """
const s = document.createElement("script");
s.textContent = 'console.warn("harness probe"); throw new Error("harness probe");';
document.body.appendChild(s);
"""


def _deck(folder: Path, edit: bool) -> tuple[Path, list[int], int]:
    """A build of the default deck (one question given formulas and a sound tag if
    ``edit``), its questions' card ids, and the id of the card of that question."""
    content = folder / "content"
    shutil.copytree(DEFAULT_CONTENT, content, ignore=shutil.ignore_patterns(LOCK_FILE))
    if edit:
        replace_in(content / "cases" / "alt-thigh.yaml", "question: Since ALT", MATH_QUESTION)
    apkg = build(content, folder / "dist", dry_run=False).deck_path
    if edit:  # deckbuilder never lets Anki's sound markup through: put it in by hand
        _patch_notes(apkg, "Since ALT", "[sound:probe.mp3] Since ALT")
    with collection(folder / "c.anki2") as col:
        import_apkg(col, apkg)
        cids = sorted(col.find_cards('"note:Clinical MCQ (Clinical Quiz)"'))
        edited = col.find_cards('"Ref:alt-thigh/surveillance"')[0]
    return apkg, cids, edited


def _patch_notes(apkg: Path, old: str, new: str) -> None:
    """Replace text in the fields of a built package's notes."""
    patch_collection(
        apkg, lambda conn: conn.execute("UPDATE notes SET flds = replace(flds, ?, ?)", (old, new))
    )


def _processes_mentioning(path: Path) -> list[str]:
    """Processes whose command line or environment names ``path`` (Anki, Xvfb's auth
    file, Qt WebEngine's helpers through the plan variable)."""
    found = []
    for entry, _ in live_processes():
        if int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            text = cmdline + (entry / "environ").read_bytes()
        except OSError:
            continue
        if str(path).encode() in text:
            found.append(cmdline.replace(b"\0", b" ").decode())
    return found


def test_show_waits_for_mathjax_and_console_and_sound_reach_their_card(
    tmp_path: Path,
) -> None:
    apkg, cids, math_card = _deck(tmp_path, edit=True)
    other = next(c for c in cids if c != math_card)
    run = run_anki_desktop(
        apkg,
        tmp_path / "work",
        [
            CardPlan(other, [ShowQuestion(), Eval(STATE, "state")]),
            CardPlan(
                math_card,
                [ShowQuestion(), Eval(STATE, "front"), ShowAnswer(), Eval(STATE, "back")],
            ),
            CardPlan(other, [ShowQuestion(), Eval(THROW_IN_A_SCRIPT)]),
            CardPlan(other, [ShowQuestion(), ShowAnswer()]),
        ],
        timeout=120,
    )
    plain, maths, thrown, after = run.cards
    # MathJax is loaded on the first card that needs it, and typesets it before the
    # show step returns: both formulas, no raw delimiters left, the card visible.
    assert plain.shown[0].typeset == 0 and plain.values["state"]["formulas"] == 0
    assert [s.side for s in maths.shown] == ["question", "answer"]
    for shown, side in zip(maths.shown, ("front", "back"), strict=True):
        assert shown.mathjax and shown.typeset == 2, shown
        assert maths.values[side] == {"formulas": 2, "raw": False, "opacity": "1"}
    # Anki finds the sound tag on both sides (the back repeats the question).
    assert maths.question_av_tags == [{"kind": "SoundOrVideoTag", "filename": "probe.mp3"}]
    assert {"kind": "SoundOrVideoTag", "filename": "probe.mp3"} in maths.answer_av_tags
    assert plain.question_av_tags == []
    # An uncaught error in a script of the page is reported, on the entry that ran it.
    assert [(m.level, m.message) for m in thrown.console if "probe" in m.message] == [
        ("warning", "harness probe"),
        ("error", "Uncaught Error: harness probe"),
    ]
    assert thrown.errors() and not after.errors() and not plain.errors()
    assert _processes_mentioning(tmp_path) == []


def test_a_failing_script_fails_the_run_with_ankis_output(tmp_path: Path) -> None:
    apkg, cids, _ = _deck(tmp_path, edit=False)
    plan = [CardPlan(cids[0], [ShowQuestion(), Eval("document.querySelector('#nothing').click()")])]
    with pytest.raises(DesktopError) as caught:
        run_anki_desktop(apkg, tmp_path / "work", plan, timeout=120)
    message = str(caught.value)
    assert "TypeError" in message and f"card {cids[0]}" in message
    assert "--- stderr.txt" in message and "--- stdout.txt" in message
    assert _processes_mentioning(tmp_path) == []


def test_a_timeout_kills_every_process_of_the_run(tmp_path: Path) -> None:
    apkg, cids, _ = _deck(tmp_path, edit=False)
    # Without Anki's action queue the next show never settles: Anki hangs mid-review,
    # with Qt WebEngine's processes running, until the run's timeout.
    hang = [ShowQuestion(), Eval("window._queueAction = () => {}"), ShowQuestion()]
    with pytest.raises(DesktopError, match=r"did not finish within 10 s") as caught:
        run_anki_desktop(
            apkg, tmp_path / "work", [CardPlan(cids[0], hang)], timeout=10, show_timeout=600
        )
    assert "Starting main loop" in str(caught.value)  # Anki was up when it was stopped
    assert _processes_mentioning(tmp_path) == []
