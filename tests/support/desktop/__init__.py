"""Render cards in the real Anki desktop app (aqt 26.9.3), headless under Xvfb.

A plain Chromium page can only imitate Anki desktop. The real reviewer keeps one page for
every card and side, re-runs card scripts in it, wraps the card in Anki's own page,
scripts and theme classes, and typesets MathJax after the card is shown. Tests that
care about any of that go through here::

    run = run_anki_desktop(apkg, tmp_path, [
        CardPlan(cid, [ShowQuestion(), Eval("document.title", name="title"),
                       Eval('document.querySelector(".db-choice").click()'),
                       ShowAnswer(), Screenshot("back")]),
    ], night=True, screenshots=Path("tests/screenshots"))
    run.cards[0].values["title"], run.cards[0].console, run.cards[0].screenshots["back"]

How it works: a fresh Anki base folder under ``work`` with a profile created up front
(no dialogs), the add-on in ``addon/`` copied into it, and ``xvfb-run -a PYTHON
launch.py BASE`` started in a new session under ``reaper.py``. The add-on imports the
package, opens the deck's overview (where ``overview_js`` runs), starts a review, and for
each :class:`CardPlan` puts that card into the reviewer (by id, whatever the scheduler's
queue holds) and runs its steps in order; it writes a JSON file and quits Anki. A show
step returns only once Anki's reviewer has put the side in the page and MathJax has
typeset it (see ``SETTLE_JS`` in the add-on), and a screenshot once the page has painted,
not after fixed sleeps.

Cost: one Anki start per call, so plan every card of a deck and theme into one call.
Measured on the 2-core development machine: the whole call for the default deck's 4
cards, each shown front and back, took 2.3-2.6 s (three runs); with a script and a
screenshot after each side, 3.1-3.3 s. Of that, the first show takes about 0.5 s (the
reviewer builds its page), later ones 40-100 ms, and the first card with a formula
about 0.5-0.8 s more while MathJax loads.

Nothing is left running: on a timeout, an error, or an interrupted test, every process of
the run's session (xvfb-run, Xvfb, Anki, Qt WebEngine's helpers) is stopped and reaped
(see ``reaper.py``), and the error carries the tail of Anki's stderr and stdout.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support.desktop import reaper

PLAN_ENV = "DECKBUILDER_ANKI_PLAN"  # read by the add-on
ADDON = Path(__file__).resolve().parent / "addon"
ADDON_NAME = "deckbuilder_harness"
LAUNCH = Path(__file__).resolve().parent / "launch.py"
SCREEN = "-screen 0 1920x1200x24"


@dataclass(frozen=True)
class ShowQuestion:
    """Show the card's front through the reviewer and wait until it is rendered."""


@dataclass(frozen=True)
class ShowAnswer:
    """Show the card's back (Anki replaces the card in the same page, as on Space)."""


@dataclass(frozen=True)
class AwaitAnswer:
    """Wait until the card itself has asked Anki for the back (as a tap does with
    ``reveal_on_tap``: ``pycmd("ans")``) and Anki has rendered it; Anki is not asked."""


@dataclass(frozen=True)
class Eval:
    """Run JavaScript in the reviewer's page. The value of its last expression (taken
    at once: a Promise is not awaited) is kept under ``name`` as JSON, if a name is given;
    a click is just an ``Eval`` without a name. An exception fails the run."""

    js: str
    name: str | None = None


@dataclass(frozen=True)
class Screenshot:
    """Save the whole main window (what the learner sees) as ``<screenshots>/<name>.png``."""

    name: str


Step = ShowQuestion | ShowAnswer | AwaitAnswer | Eval | Screenshot


@dataclass(frozen=True)
class CardPlan:
    """A card (by its id, which is stable for our decks) and the steps to run on it.

    The same card may be planned any number of times; each entry is one visit."""

    cid: int
    steps: list[Step]


@dataclass(frozen=True)
class ConsoleMessage:
    level: str  # "info", "warning" or "error"
    message: str
    source: str
    line: int


@dataclass(frozen=True)
class Shown:
    """How a show step ended: the side, how long until it was rendered and typeset, and
    whether MathJax was loaded and how many formulas it typeset in the card."""

    side: str
    ms: int
    mathjax: bool
    typeset: int


@dataclass(frozen=True)
class CardRun:
    """What one :class:`CardPlan` entry produced."""

    cid: int
    values: dict[str, Any]
    screenshots: dict[str, Path]
    shown: list[Shown]
    # What the reviewer's page logged while this entry ran (by arrival: a show step's
    # messages arrive before it returns; a timer's may land on a later entry).
    console: list[ConsoleMessage]
    question_av_tags: list[dict[str, Any]]  # sound/tts tags Anki found on the front
    answer_av_tags: list[dict[str, Any]]

    def errors(self) -> list[ConsoleMessage]:
        return [m for m in self.console if m.level == "error"]


@dataclass(frozen=True)
class DesktopRun:
    anki_version: str
    cards: list[CardRun]  # one per planned entry, in plan order
    overview: Any  # the value of ``overview_js``
    console: list[ConsoleMessage]  # messages outside any card (start-up, overview)
    imported: dict[str, int]  # Anki's import log: new, updated, duplicate, conflicting
    seconds: float  # wall time of the whole run, start to exit
    stdout: str = field(repr=False)


class DesktopError(RuntimeError):
    """Anki failed, a step failed, or the run timed out; Anki's output is in the text."""


def missing_requirement() -> str | None:
    """Why Anki desktop cannot run here, or None."""
    if shutil.which("xvfb-run") is None:
        return "xvfb-run is missing (apt-get install xvfb xauth)"
    try:
        import aqt  # noqa: F401
    except ImportError as error:
        return f"Anki desktop is not installed in this environment ({error})"
    return None


def skip_or_fail_if_unavailable() -> None:
    """For a test module: skip it on a machine without Xvfb, unless ``CI`` is set; fail
    for anything else missing, and for everything under CI (a skipped suite would pass
    silently there). Anki itself is a test dependency, never a reason to skip."""
    ci = os.environ.get("CI", "").lower() not in ("", "0", "false")
    reason = missing_requirement()
    if reason is None:
        return
    if shutil.which("xvfb-run") is None and not ci:
        pytest.skip(reason, allow_module_level=True)
    pytest.fail(f"Anki desktop cannot run here: {reason}", pytrace=False)


def run_anki_desktop(
    apkg: Path,
    work: Path,
    cards: list[CardPlan],
    *,
    night: bool = False,
    overview_js: str | None = None,
    screenshots: Path | None = None,
    timeout: float = 240,
    window: tuple[int, int] = (1280, 800),
    show_timeout: float = 60,
) -> DesktopRun:
    """Import ``apkg`` into a fresh Anki desktop and carry out ``cards``; see the module
    docstring. ``work`` receives the base folder (kept for post-mortems); screenshots
    go to ``screenshots`` (default: ``<base>/screenshots``). ``timeout`` bounds the whole
    run, ``show_timeout`` each show step."""
    reason = missing_requirement()
    if reason:
        raise DesktopError(reason)
    work.mkdir(parents=True, exist_ok=True)
    base = Path(tempfile.mkdtemp(prefix="anki-", dir=work)).resolve()
    shutil.copytree(ADDON, base / "addons21" / ADDON_NAME, ignore=_PYCACHE)
    (base / "tmp").mkdir()
    result_path = base / "result.json"
    plan = {
        "apkg": str(Path(apkg).resolve()),
        "result": str(result_path),
        "night": night,
        "overview_js": overview_js,
        "screenshots": str((screenshots or base / "screenshots").resolve()),
        "window": list(window),
        "show_timeout": show_timeout,
        "cards": [{"cid": c.cid, "steps": [_step_json(s) for s in c.steps]} for c in cards],
    }
    plan_path = base / "plan.json"
    plan_path.write_text(json.dumps(plan, indent=1), encoding="utf-8")
    env = {
        **os.environ,
        PLAN_ENV: str(plan_path),
        # Root cannot use Chromium's sandbox; there is no GPU under Xvfb.
        "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox --disable-gpu",
        "TMPDIR": str(base / "tmp"),  # xvfb-run's and Qt's temporary files stay in work
    }
    anki = ["xvfb-run", "-a", "-s", SCREEN, sys.executable, str(LAUNCH), str(base)]
    code, seconds = reaper.run_reaped(anki, env, base, timeout, DesktopError, "Anki desktop")
    result = reaper.read_result(base, result_path, code, DesktopError, "Anki desktop")
    return DesktopRun(
        anki_version=result["anki_version"],
        cards=[_card_run(c) for c in result["cards"]],
        overview=result["overview"],
        console=[ConsoleMessage(**m) for m in result["console"]],
        imported=result["import"],
        seconds=round(seconds, 2),
        stdout=(base / "stdout.txt").read_text(encoding="utf-8", errors="replace"),
    )


_PYCACHE = shutil.ignore_patterns("__pycache__")


def _step_json(step: Step) -> dict[str, Any]:
    if isinstance(step, ShowQuestion):
        return {"kind": "question"}
    if isinstance(step, ShowAnswer):
        return {"kind": "answer"}
    if isinstance(step, AwaitAnswer):
        return {"kind": "await_answer"}
    if isinstance(step, Eval):
        return {"kind": "eval", "js": step.js, "name": step.name}
    if isinstance(step, Screenshot):
        return {"kind": "screenshot", "name": step.name}
    raise TypeError(f"not a step: {step!r}")


def _card_run(data: dict[str, Any]) -> CardRun:
    return CardRun(
        cid=data["cid"],
        values=data["values"],
        screenshots={name: Path(p) for name, p in data["screenshots"].items()},
        shown=[Shown(s["side"], s["ms"], s["mathjax"], s["typeset"]) for s in data["shown"]],
        console=[ConsoleMessage(**m) for m in data["console"]],
        question_av_tags=data["question_av_tags"],
        answer_av_tags=data["answer_av_tags"],
    )
