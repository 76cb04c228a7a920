"""Anki add-on that runs one test plan inside the real Anki desktop app, then quits.

``tests.support.desktop`` copies this folder into ``BASE/addons21/`` of a fresh Anki base folder
and names a plan file in the ``DECKBUILDER_ANKI_PLAN`` environment variable; without it
the add-on does nothing. Anki imports add-ons while its main window is built, so
everything here waits for ``main_window_did_init`` and then runs as a chain of Qt
callbacks on the main thread (the GUI must never block): import the deck, open its
overview, start a review, then for each planned card run its steps in order. Results
go to a JSON file that the test process reads; any exception ends the run with its
traceback in that file instead of one of Anki's error dialogs, which nobody could close.

This file is loaded by Anki, not by pytest: it imports nothing from the project.
"""

from __future__ import annotations

import json
import os
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import aqt
from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
from aqt import gui_hooks
from aqt.qt import QTimer, QWebEnginePage
from aqt.theme import Theme, theme_manager
from aqt.webview import AnkiWebPage

PLAN_ENV = "DECKBUILDER_ANKI_PLAN"  # the same name as in tests/support/desktop/__init__.py

# Anki's reviewer page chains every card update on one promise (its global
# ``_queueAction``); ``_updateQA`` awaits MathJax's typesetting of the new card before it
# resolves. An action queued after ``_showQuestion``/``_showAnswer`` therefore runs only
# once the card is in the page *and* typeset. It then waits for the card's images and
# two animation frames (so the typeset card has been laid out and painted) and stores
# the number it was given, which Python polls for.
SETTLE_JS = """
_queueAction(async () => {
  if (typeof MathJax !== "undefined" && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  await Promise.all(Array.from(document.images).map((img) => img.complete ? null :
    new Promise((done) => {
      img.addEventListener("load", done);
      img.addEventListener("error", done);
    })));
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  const qa = document.getElementById("qa");
  window.deckbuilderHarnessSignal = {
    seq: %d,
    mathjax: typeof MathJax !== "undefined",
    typeset: qa ? qa.querySelectorAll("mjx-container").length : 0,
  };
});
"""
# Before a screenshot: whatever the last script changed has been painted.
PAINTED_JS = """
requestAnimationFrame(() => requestAnimationFrame(() => {
  window.deckbuilderHarnessSignal = { seq: %d };
}));
"""
SIGNAL_JS = "window.deckbuilderHarnessSignal || null"

# A planned script runs through an indirect eval, so it may be one expression or several
# statements (the value of the last one is returned); its value comes back as JSON, and
# an exception comes back as its stack instead of vanishing.
EVAL_JS = """
(() => {
  try {
    const value = (0, eval)(%s);
    return JSON.stringify({ ok: value === undefined ? null : value });
  } catch (error) {
    return JSON.stringify({ error: String((error && error.stack) || error) });
  }
})()
"""

POLL_MS = 25

_LEVELS = {
    QWebEnginePage.JavaScriptConsoleMessageLevel.InfoMessageLevel: "info",
    QWebEnginePage.JavaScriptConsoleMessageLevel.WarningMessageLevel: "warning",
    QWebEnginePage.JavaScriptConsoleMessageLevel.ErrorMessageLevel: "error",
}


class PlanError(Exception):
    """A step could not be carried out (reported to the test, not to Anki's dialogs)."""


class Runner:
    """Carries out one plan: a state machine driven by Qt timers and JS callbacks."""

    def __init__(self, plan: dict[str, Any]) -> None:
        self.plan = plan
        self.started = time.monotonic()
        self.result: dict[str, Any] = {
            "anki_version": aqt.appVersion,
            "import": None,
            "overview": None,
            "console": [],
            "cards": [],
            "error": None,
        }
        self.card_index = -1
        self.step_index = 0
        self.seq = 0
        self.finished = False

    # plumbing ---------------------------------------------------------------

    def guarded(self, fn: Callable[..., None]) -> Callable[..., None]:
        """Run ``fn`` as a Qt/JS callback; an exception ends the run with its traceback."""

        def run(*args: Any) -> None:
            if self.finished:
                return
            try:
                fn(*args)
            except PlanError as error:
                self.finish(str(error))
            except Exception:
                self.finish(traceback.format_exc())

        return run

    def later(self, fn: Callable[[], None], ms: int = 0) -> None:
        QTimer.singleShot(ms, self.guarded(fn))

    @property
    def mw(self) -> Any:
        return aqt.mw

    @property
    def web(self) -> Any:
        return self.mw.web  # the main web view: deck overview and reviewer alike

    def console_message(
        self, page: AnkiWebPage, level: Any, message: str, line: int, source: str
    ) -> None:
        """Keep what the main web view logs, with the card being run at the time."""
        if self.finished or self.mw is None or page is not self.web.page():
            return
        entry = {
            "level": _LEVELS.get(level, str(level)),
            "message": message or "",
            "source": (source or "")[:200],
            "line": line,
        }
        if 0 <= self.card_index < len(self.result["cards"]):
            self.result["cards"][self.card_index]["console"].append(entry)
        else:
            self.result["console"].append(entry)

    def finish(self, error: str | None = None) -> None:
        """Write the results (also after an error) and quit Anki."""
        if self.finished:
            return
        self.finished = True
        self.result["error"] = error
        self.result["seconds"] = round(time.monotonic() - self.started, 3)
        path = Path(self.plan["result"])
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.result, indent=1), encoding="utf-8")
        os.replace(tmp, path)
        QTimer.singleShot(0, self.mw.unloadProfileAndExit)

    # the run ----------------------------------------------------------------

    def start(self) -> None:
        """Theme, window size, import, deck limits; then the deck's overview."""
        mw = self.mw
        # Night mode must be in place before the reviewer builds its page: switching
        # during a review leaves the page half in the old theme.
        mw.pm.set_theme(Theme.DARK if self.plan["night"] else Theme.LIGHT)
        theme_manager.apply_style()
        mw.resize(*self.plan["window"])
        request = ImportAnkiPackageRequest(
            package_path=self.plan["apkg"], options=ImportAnkiPackageOptions()
        )
        log = mw.col.import_anki_package(request).log
        self.result["import"] = {
            "new": len(log.new),
            "updated": len(log.updated),
            "duplicate": len(log.duplicate),
            "conflicting": len(log.conflicting),
        }
        cards = self.plan["cards"]
        if cards:
            first = self.card(cards[0]["cid"])
        elif log.new:
            first = mw.col.get_note(log.new[0].id).cards()[0]
        else:
            raise PlanError("the package imported no new note and no card is planned")
        did = first.did
        # Cards are shown by id, not taken from the scheduler's queue; the limits are
        # raised anyway so that starting the review always finds a card. Sound is not
        # played (there is no player here, and Anki would open a message box); the av
        # tags Anki finds are reported instead.
        config = mw.col.decks.config_dict_for_deck_id(did)
        config["new"]["perDay"] = 9999
        config["rev"]["perDay"] = 9999
        config["autoplay"] = False
        mw.col.decks.update_config(config)
        mw.col.decks.select(did)
        gui_hooks.overview_did_refresh.append(self.on_overview)
        mw.moveToState("overview")

    def on_overview(self, overview: Any) -> None:
        """The overview page is set (its evals wait for its DOM): run ``overview_js``."""
        gui_hooks.overview_did_refresh.remove(self.on_overview)
        js = self.plan["overview_js"]
        if js is None:
            self.later(self.start_review)
            return

        def got(raw: Any) -> None:
            self.result["overview"] = self.decode(raw, "overview_js")
            self.later(self.start_review)

        overview.web.evalWithCallback(EVAL_JS % json.dumps(js), self.guarded(got))

    def start_review(self) -> None:
        self.mw.moveToState("review")
        if self.mw.state != "review" or self.mw.reviewer.card is None:
            raise PlanError(f"Anki did not start a review (state {self.mw.state!r})")
        self.next_card()

    def next_card(self) -> None:
        self.card_index += 1
        self.step_index = 0
        if self.card_index >= len(self.plan["cards"]):
            self.finish()
            return
        cid = self.plan["cards"][self.card_index]["cid"]
        card = self.card(cid)
        self.result["cards"].append(
            {
                "cid": cid,
                "values": {},
                "screenshots": {},
                "shown": [],
                "console": [],
                "question_av_tags": [tag_json(t) for t in card.question_av_tags()],
                "answer_av_tags": [tag_json(t) for t in card.answer_av_tags()],
            }
        )
        # The reviewer shows whatever card it holds: set ours, whatever the queue says.
        card.start_timer()
        self.mw.reviewer.card = card
        self.next_step()

    def card(self, cid: int) -> Any:
        try:
            return self.mw.col.get_card(cid)
        except Exception as error:
            raise PlanError(f"planned card {cid} is not in the collection: {error}") from None

    def next_step(self) -> None:
        steps = self.plan["cards"][self.card_index]["steps"]
        if self.step_index >= len(steps):
            self.later(self.next_card)
            return
        step = steps[self.step_index]
        self.step_index += 1
        kind = step["kind"]
        if kind in ("question", "answer"):
            self.show(kind)
        elif kind == "await_answer":
            self.await_answer()
        elif kind == "eval":
            self.evaluate(step["js"], step.get("name"))
        elif kind == "screenshot":
            self.screenshot(step["name"])
        else:
            raise PlanError(f"unknown step {kind!r}")

    def where(self) -> str:
        plan = self.plan["cards"][self.card_index]
        return f"card {plan['cid']} (plan entry {self.card_index}, step {self.step_index})"

    def show(self, side: str) -> None:
        """Show a side through the reviewer, then wait until it is rendered and typeset."""
        reviewer = self.mw.reviewer
        if self.mw.state != "review":
            raise PlanError(f"{self.where()}: Anki left the review (state {self.mw.state!r})")
        if side == "question":
            reviewer._showQuestion()
        else:
            reviewer._showAnswer()
            if reviewer.state != "answer":
                raise PlanError(f"{self.where()}: Anki did not show the answer")
        began = time.monotonic()

        def shown(signal: dict[str, Any]) -> None:
            self.result["cards"][self.card_index]["shown"].append(
                {
                    "side": side,
                    "ms": round((time.monotonic() - began) * 1000),
                    "mathjax": bool(signal.get("mathjax")),
                    "typeset": int(signal.get("typeset") or 0),
                }
            )
            self.next_step()

        self.wait_for_page(SETTLE_JS, f"the {side} was not rendered and typeset", shown)

    def await_answer(self) -> None:
        """Wait for the reviewer to show the answer on its own (the card asked for it),
        then until the back is rendered and typeset, as :meth:`show` does."""
        began = time.monotonic()
        deadline = began + self.plan["show_timeout"]

        def shown(signal: dict[str, Any]) -> None:
            self.result["cards"][self.card_index]["shown"].append(
                {
                    "side": "answer",
                    "ms": round((time.monotonic() - began) * 1000),
                    "mathjax": bool(signal.get("mathjax")),
                    "typeset": int(signal.get("typeset") or 0),
                }
            )
            self.next_step()

        def poll() -> None:
            if self.mw.reviewer.state == "answer":
                self.wait_for_page(SETTLE_JS, "the answer was not rendered", shown)
            elif time.monotonic() > deadline:
                raise PlanError(f"{self.where()}: the card did not ask for the answer")
            else:
                self.later(poll, POLL_MS)

        poll()

    def wait_for_page(self, js: str, failure: str, then: Callable[[dict[str, Any]], None]) -> None:
        """Run ``js`` (which sets the page's signal to a new number when it is done) and
        poll the page until it has; give up after the plan's ``show_timeout``."""
        self.seq += 1
        seq = self.seq
        self.web.eval(js % seq)
        deadline = time.monotonic() + self.plan["show_timeout"]

        def poll() -> None:
            self.web.evalWithCallback(SIGNAL_JS, self.guarded(check))

        def check(signal: Any) -> None:
            if isinstance(signal, dict) and signal.get("seq") == seq:
                self.later(lambda: then(signal))
            elif time.monotonic() > deadline:
                raise PlanError(
                    f"{self.where()}: {failure} within {self.plan['show_timeout']} s "
                    f"(last signal: {signal!r})"
                )
            else:
                self.later(poll, POLL_MS)

        poll()

    def evaluate(self, js: str, name: str | None) -> None:
        def got(raw: Any) -> None:
            value = self.decode(raw, f"{self.where()}: script {name or js[:60]!r}")
            if name:
                self.result["cards"][self.card_index]["values"][name] = value
            self.later(self.next_step)

        self.web.evalWithCallback(EVAL_JS % json.dumps(js), self.guarded(got))

    def decode(self, raw: Any, what: str) -> Any:
        if not isinstance(raw, str):
            raise PlanError(f"{what}: no result from the page ({raw!r})")
        answer = json.loads(raw)
        if "error" in answer:
            raise PlanError(f"{what} failed in the page: {answer['error']}")
        return answer.get("ok")  # JSON.stringify drops what JSON cannot hold (a function)

    def screenshot(self, name: str) -> None:
        """The whole main window as the learner sees it (toolbar, card, bottom bar), once
        the page has painted what the previous steps changed."""
        path = Path(self.plan["screenshots"]) / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)

        def grab(_signal: dict[str, Any]) -> None:
            if not self.mw.grab().save(str(path)):
                raise PlanError(f"{self.where()}: could not save a screenshot to {path}")
            self.result["cards"][self.card_index]["screenshots"][name] = str(path)
            self.next_step()

        self.wait_for_page(PAINTED_JS, "the page did not paint", grab)


def tag_json(tag: Any) -> dict[str, Any]:
    """A sound or text-to-speech tag as JSON: its kind and its fields."""
    return {"kind": type(tag).__name__, **asdict(tag)}


def install(plan_path: str) -> None:
    runner = Runner(json.loads(Path(plan_path).read_text(encoding="utf-8")))
    original = AnkiWebPage.javaScriptConsoleMessage

    def console_message(page: AnkiWebPage, level: Any, message: Any, line: Any, source: Any):
        try:
            runner.console_message(page, level, message, line, source)
        finally:
            original(page, level, message, line, source)

    # Anki's page class prints console messages to stdout; wrap it to keep them per card.
    AnkiWebPage.javaScriptConsoleMessage = console_message  # type: ignore[method-assign]
    gui_hooks.main_window_did_init.append(lambda: runner.later(runner.start))


if os.environ.get(PLAN_ENV):
    install(os.environ[PLAN_ENV])
