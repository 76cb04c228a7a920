"""Render pages in a real WebKit engine (WebKitGTK), headless under Xvfb.

AnkiMobile (iOS) shows cards in WebKit; Chromium can pass where WebKit does not. Tests
that must know how WebKit renders and runs a card go through here::

    run = run_webkit([
        PagePlan(side_document(card.question(), ""), [
            Eval("document.querySelectorAll('.db-choice').length", name="options"),
            Click('.db-choice[data-letter="B"]'),
            Screenshot("front"),
        ], name="front"),
        PagePlan(side_document(card.answer(), ""), [
            Eval("document.getElementById('db-verdict').textContent", name="verdict"),
        ], name="back"),
    ], size=(390, 844), screenshots=Path("tests/screenshots"))
    run.pages[1].values["verdict"], run.pages[1].errors(), run.user_agent

Every :class:`PagePlan` of a call is loaded, in order, into one web view at
:data:`ORIGIN` (``load_html(html, ORIGIN)``), so ``sessionStorage`` outlives each page
as on a real origin: as when AnkiMobile loads a card's back as a new page in the same
web view. Each page's steps run once it has loaded. Night mode is what the page says
(the ``nightMode night_mode`` classes ``side_document`` sets); ``night=True`` also makes
the engine report ``prefers-color-scheme: dark``, as iOS in dark mode does.

How it works: ``xvfb-run -a PYTHON runner.py PLAN.json`` is started in a new session under
``tests/support/desktop/reaper.py``. ``PYTHON`` is Debian's ``/usr/bin/python3`` (override:
``DECKBUILDER_WEBKIT_PYTHON``), whose ``gi`` reaches WebKitGTK 6 (``gir1.2-webkit-6.0``),
so the project's venv stays free of system packages. The runner (standard library and
``gi`` only) waits for real signals (load finished, a script's promise settled, a
snapshot delivered), never fixed sleeps, and writes a JSON file read back here.

No network: a WebKit content filter blocks every URL not on :data:`ORIGIN` (a blocked
``<img>`` shows up in :attr:`PageRun.failed_resources`, never in :attr:`WebKitRun.network`),
and WebKit's proxy is a sink in the runner that answers nothing and logs what reached it
(:attr:`WebKitRun.network`; a same-origin request ends there, as the origin is made up).
Navigations the runner did not start are refused (:attr:`WebKitRun.blocked_navigations`).
The sink is not a formality: WebKit sometimes preconnects to the host of a link the page
follows while it asks whether to allow the navigation; neither the filter nor the refusal
stops that (``CONNECT example.org:443`` reached the sink in 2 of 5 runs of a tap on
such a link), and without the sink it would have gone out.

Console messages and uncaught errors are caught in the page (a user script wraps
``console.*`` and listens for ``error`` and ``unhandledrejection``): WebKitGTK 6 has no
console signal. Messages WebKit logs itself (a CSP violation, say) are not seen.

What this is not: AnkiMobile. WebKitGTK shares WebCore and JavaScriptCore with Safari on
iOS, but not their exact version, the fonts (whatever fontconfig offers here, not San
Francisco), touch handling (a :class:`Click` is made of DOM events, not of OS input),
or the pixel ratio (1 here, 2-3 on an iPhone); its user agent says X11 Linux.

Screenshots are WebKit's own snapshot of the page (``webkit_web_view_get_snapshot``, a
``GdkTexture`` saved as PNG), of the whole document by default; they do not depend on
what Xvfb shows.

Cost: one Xvfb and WebKit start per call, so plan every page of a theme into one call.
Measured on the 2-core development machine (WebKitGTK 2.50.6, other suites running): a
run of 8 pages (``test_card_webkit``'s plan: the default deck's 4 cards, front and back,
3-4 scripts and a screenshot per page, a tap on each front) took 2.1-2.2 s from start to
exit (six runs). Of that, about 0.3 s is xvfb-run and Xvfb, 0.4 s GTK and WebKit
starting, 0.8 s the first page (0.2 s to start the web process, 0.45 s until the first
frame is drawn, which the first screenshot waits for), and 50-270 ms each later page,
mostly waiting for a frame before its screenshot (a page without one takes 10-20 ms).

Nothing is left running: on a timeout, an error, or an interrupted test, every process of
the run's session (xvfb-run, Xvfb, the runner, WebKit's network and web processes and
their bubblewrap sandboxes) is stopped and reaped, and the error carries the tail of the
runner's stderr and stdout.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support.desktop import reaper

ORIGIN = "https://cards.test/"  # made up: .test never resolves, and nothing is fetched
PYTHON_ENV = "DECKBUILDER_WEBKIT_PYTHON"
RUN_ENV = "DECKBUILDER_WEBKIT_RUN"
DEFAULT_PYTHON = "/usr/bin/python3"  # Debian's interpreter: the one with WebKitGTK's gi
RUNNER = Path(__file__).resolve().parent / "runner.py"
PROBE = (
    "import gi; gi.require_version('Gtk', '4.0'); gi.require_version('WebKit', '6.0'); "
    "from gi.repository import WebKit"
)


@dataclass(frozen=True)
class Eval:
    """Run JavaScript in the page (as a script, in the page's own world). The value of
    its last expression, awaited if it is a Promise, is kept under ``name`` as JSON, if
    a name is given. An exception fails the run."""

    js: str
    name: str | None = None


@dataclass(frozen=True)
class Click:
    """Tap the one element matching ``selector`` at its centre: pointer, mouse and click
    events, as a finger's tap sends them. Fails the run unless exactly one element
    matches, it has a box, and it is what a tap there hits (not covered by another)."""

    selector: str


@dataclass(frozen=True)
class Screenshot:
    """Save the page as ``<screenshots>/<name>.png`` once web fonts have loaded and two
    frames have been drawn: the whole document, or only the viewport."""

    name: str
    full_page: bool = True


Step = Eval | Click | Screenshot


@dataclass(frozen=True)
class PagePlan:
    """A whole HTML document (as ``side_document`` builds it), loaded at :data:`ORIGIN`
    in the run's one web view, and the steps to run on it once it has loaded."""

    html: str
    steps: list[Step] = field(default_factory=list)
    name: str = ""


@dataclass(frozen=True)
class ConsoleMessage:
    """``level`` is a ``console`` method's name (``log``, ``info``, ``warn``, ``error``,
    ``debug``), ``uncaught`` for an uncaught exception, or ``unhandledrejection``."""

    level: str
    message: str
    source: str
    line: int


ERROR_LEVELS = ("error", "uncaught", "unhandledrejection")


@dataclass(frozen=True)
class PageRun:
    """What one :class:`PagePlan` produced."""

    name: str
    values: dict[str, Any]
    screenshots: dict[str, Path]
    console: list[ConsoleMessage]  # console calls and uncaught errors, in order
    failed_resources: list[str]  # URLs of elements whose resource did not load (blocked)
    requests: list[str]  # URLs WebKit started to load for the page, past the filter
    viewport: tuple[int, int]  # innerWidth, innerHeight as the page saw them
    failed_requests: list[tuple[str, str]]  # (URL, WebKit's error) of those that failed
    dark_scheme: bool  # prefers-color-scheme: dark
    load_ms: int  # until WebKit reported the load finished
    ms: int  # the load and every step

    def errors(self) -> list[ConsoleMessage]:
        return [m for m in self.console if m.level in ERROR_LEVELS]


@dataclass(frozen=True)
class WebKitRun:
    webkit_version: str  # WebKitGTK's, e.g. "2.50.6"
    user_agent: str
    pages: list[PageRun]  # one per planned page, in plan order
    network: list[str]  # first line of every request that reached the sink proxy
    blocked_navigations: list[str]  # URLs of navigations the runner refused
    seconds: float  # wall time of the whole run, start to exit
    runner_seconds: float  # in the runner, from start to the result (WebKit's start included)
    stderr: str = field(repr=False)


class WebKitError(RuntimeError):
    """The runner failed, a step failed, or the run timed out; its output is in the text."""


def python() -> str:
    return os.environ.get(PYTHON_ENV) or DEFAULT_PYTHON


@functools.cache
def missing_requirement() -> str | None:
    """Why WebKit cannot run here, or None (checked once per interpreter)."""
    if shutil.which("xvfb-run") is None:
        return "xvfb-run is missing (apt-get install xvfb xauth)"
    interpreter = python()
    if shutil.which(interpreter) is None:
        return f"{interpreter} is missing (set {PYTHON_ENV} to a Python with WebKitGTK's gi)"
    probe = subprocess.run(
        [interpreter, "-c", PROBE], capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["?"])[-1]
        return (
            f"{interpreter} cannot load WebKitGTK 6 ({last}); "
            "apt-get install gir1.2-webkit-6.0 python3-gi"
        )
    return None


def skip_or_fail_if_unavailable() -> None:
    """For a test module: skip it when WebKitGTK, its bindings or Xvfb are missing, unless
    ``CI`` is set; under CI fail instead (a skipped suite would pass silently there)."""
    reason = missing_requirement()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() in ("", "0", "false"):
        pytest.skip(reason, allow_module_level=True)
    pytest.fail(f"WebKit cannot run here: {reason}", pytrace=False)


def run_webkit(
    pages: list[PagePlan],
    *,
    size: tuple[int, int] = (390, 844),
    night: bool = False,
    screenshots: Path | None = None,
    timeout: float = 120,
    step_timeout: float = 30,
    work: Path | None = None,
) -> WebKitRun:
    """Load ``pages`` one after the other into one WebKit view of ``size`` (CSS pixels)
    and run their steps; see the module docstring. Screenshots go to ``screenshots``
    (default: the run's folder). ``timeout`` bounds the whole run, ``step_timeout`` each
    load, script and snapshot. The run's folder (plan, result, output) is made in
    ``work`` and kept for post-mortems; without ``work`` it is made in the system's
    temporary folder and removed after a run that succeeded, unless it holds the
    screenshots."""
    reason = missing_requirement()
    if reason:
        raise WebKitError(reason)
    folder = Path(tempfile.mkdtemp(prefix="webkit-", dir=work)).resolve()
    (folder / "tmp").mkdir()
    runtime = Path(tempfile.mkdtemp(prefix="webkit-runtime-"))  # removed after the run
    result_path = folder / "result.json"
    plan = {
        "origin": ORIGIN,
        "size": list(size),
        "night": night,
        "screenshots": str((screenshots or folder / "screenshots").resolve()),
        "filter_store": str(folder / "filters"),
        "result": str(result_path),
        "step_timeout": step_timeout,
        "pages": [
            {"name": p.name or str(i), "html": p.html, "steps": [_step_json(s) for s in p.steps]}
            for i, p in enumerate(pages)
        ],
    }
    plan_path = folder / "plan.json"
    plan_path.write_text(json.dumps(plan), encoding="utf-8")
    env = {
        **os.environ,
        RUN_ENV: str(folder),  # marks the run's processes (for tests that look for them)
        "TMPDIR": str(folder / "tmp"),  # xvfb-run's and WebKit's temporary files
        "XDG_CACHE_HOME": str(folder / "cache"),
        "XDG_DATA_HOME": str(folder / "data"),
        # WebKit's sandbox puts its D-Bus proxy's socket here: a short path, as a socket's
        # path may not exceed 107 bytes (a run folder in pytest's tmp_path easily does).
        "XDG_RUNTIME_DIR": str(runtime),
        # A session bus that is not there: unset, GLib would try to start one (dbus-launch)
        # that escapes the run's session.
        "DBUS_SESSION_BUS_ADDRESS": f"unix:path={runtime / 'no-bus'}",
        "GTK_A11Y": "none",  # no accessibility bus to look for
        "NO_AT_BRIDGE": "1",
    }
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    screen = f"-screen 0 {max(size[0], 640)}x{max(size[1], 480)}x24"
    command = ["xvfb-run", "-a", "-s", screen, python(), str(RUNNER), str(plan_path)]
    try:
        code, seconds = reaper.run_reaped(command, env, folder, timeout, WebKitError, "WebKit")
    finally:
        shutil.rmtree(runtime, ignore_errors=True)
    result = reaper.read_result(folder, result_path, code, WebKitError, "WebKit")
    runs = [_page_run(p) for p in result["pages"]]
    for page in runs:
        if page.viewport != tuple(size):
            raise WebKitError(f"page {page.name} saw a {page.viewport} viewport, not {size}")
    run = WebKitRun(
        webkit_version=result["webkit_version"],
        user_agent=result["user_agent"],
        pages=runs,
        network=result["network"],
        blocked_navigations=result["blocked_navigations"],
        seconds=round(seconds, 2),
        runner_seconds=result["seconds"],
        stderr=(folder / "stderr.txt").read_text(encoding="utf-8", errors="replace"),
    )
    if work is None and not (folder / "screenshots").exists():
        shutil.rmtree(folder)
    return run


def _step_json(step: Step) -> dict[str, Any]:
    if isinstance(step, Eval):
        return {"kind": "eval", "js": step.js, "name": step.name}
    if isinstance(step, Click):
        return {"kind": "click", "selector": step.selector}
    if isinstance(step, Screenshot):
        return {"kind": "screenshot", "name": step.name, "full_page": step.full_page}
    raise TypeError(f"not a step: {step!r}")


def _page_run(data: dict[str, Any]) -> PageRun:
    return PageRun(
        name=data["name"],
        values=data["values"],
        screenshots={name: Path(s["path"]) for name, s in data["screenshots"].items()},
        console=[ConsoleMessage(**m) for m in data["console"]],
        failed_resources=data["failed_resources"],
        requests=data["requests"],
        viewport=tuple(data["viewport"]),
        dark_scheme=data["darkScheme"],
        failed_requests=[(url, error) for url, error in data["failed_requests"]],
        load_ms=data["load_ms"],
        ms=data["ms"],
    )
