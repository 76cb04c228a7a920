"""The WebKit harness itself (``tests/support/webkit``): what the card tests rely on.

``sessionStorage`` must outlive a page within a run (AnkiMobile loads a card's back as a
new page in the same web view), console messages and uncaught errors must reach the page
that logged them, nothing may be fetched from the network (measured at the runner's sink
proxy, with a same-origin request as the control that the sink sees what WebKit sends),
a tap must hit what a finger would, and a failing or hanging run must raise with the
runner's output and leave no process behind.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.desktop.reaper import live_processes
from tests.support.helpers import png_size
from tests.support.webkit import (
    ORIGIN,
    RUN_ENV,
    Click,
    Eval,
    PagePlan,
    Screenshot,
    WebKitError,
    run_webkit,
    skip_or_fail_if_unavailable,
)

skip_or_fail_if_unavailable()
pytestmark = pytest.mark.webkit

FIRST = """<!doctype html><html><head><meta charset="utf-8"></head><body>
<img id="far" src="https://example.com/probe.png" alt="">
<img id="near" src="https://cards.test/probe.png" alt="">
<button id="keep" style="height: 60px" onclick="sessionStorage.setItem('kept', 'B');
  console.log('tapped', {letter: 'B'})">B</button>
<script>
  console.info("first page");
  console.warn("a warning");
  console.error("an error");
</script></body></html>"""

SECOND = """<!doctype html><html><body><p>second</p>
<script>undefinedFunction();</script>
<script>Promise.reject(new Error("nobody waits"));</script>
</body></html>"""

# Each image once it has loaded or failed (a Promise: the harness awaits it).
IMAGES = """Promise.all(Array.from(document.images).map((img) => img.complete ? img
  : new Promise((done) => { img.onload = img.onerror = () => done(img); })))
  .then((images) => images.map((img) => ({
    id: img.id, complete: img.complete, width: img.naturalWidth })))"""


@pytest.mark.parametrize("night", [False, True], ids=["light", "night"])
def test_storage_console_network_and_screenshots(tmp_path: Path, night: bool) -> None:
    run = run_webkit(
        [
            PagePlan(
                FIRST,
                [
                    Eval(IMAGES, name="images"),
                    Eval("sessionStorage.getItem('kept')", name="before"),
                    Click("#keep"),
                    Eval("Promise.resolve(location.href)", name="href"),
                    Screenshot("first"),
                    Screenshot("first-viewport", full_page=False),
                ],
                name="first",
            ),
            PagePlan(
                SECOND,
                [
                    Eval("sessionStorage.getItem('kept')", name="kept"),
                    Eval("location.href = 'https://example.org/away'; 1", name="navigated"),
                    Eval("location.href", name="href"),
                ],
                name="second",
            ),
        ],
        size=(390, 844),
        night=night,
        screenshots=tmp_path / "shots",
        work=tmp_path,
    )
    first, second = run.pages
    assert re.fullmatch(r"\d+\.\d+\.\d+", run.webkit_version)
    assert "AppleWebKit/" in run.user_agent
    assert first.viewport == second.viewport == (390, 844)
    assert first.dark_scheme is second.dark_scheme is night

    # The origin is real to the page, and storage outlives it within the run.
    assert first.values["href"] == ORIGIN
    assert first.values["before"] is None
    assert second.values["kept"] == "B"

    # Neither image loaded; only the same-origin one was asked of the network, where it
    # ended at the sink (the control: the sink sees what WebKit sends). The other one
    # never left WebKit's content filter.
    images = {i["id"]: i for i in first.values["images"]}
    assert images["far"] == {"id": "far", "complete": True, "width": 0}
    assert images["near"]["width"] == 0
    assert sorted(first.failed_resources) == [
        "https://cards.test/probe.png",
        "https://example.com/probe.png",
    ]
    assert first.requests == ["https://cards.test/probe.png"]
    assert "CONNECT cards.test:443 HTTP/1.1" in run.network
    assert not [line for line in run.network if "example.com" in line]

    # A navigation the runner did not start is refused: the page stays.
    assert run.blocked_navigations == ["https://example.org/away"]
    assert second.values["href"] == ORIGIN

    # Console messages and errors, each on the page that logged it.
    assert [(m.level, m.message) for m in first.console] == [
        ("info", "first page"),
        ("warn", "a warning"),
        ("error", "an error"),
        ("log", 'tapped {"letter":"B"}'),
    ]
    assert first.console[0].source == ORIGIN
    assert [m.message for m in first.errors()] == ["an error"]
    assert [(m.level, m.message) for m in second.errors()] == [
        ("uncaught", "ReferenceError: Can't find variable: undefinedFunction"),
        ("unhandledrejection", "Error: nobody waits"),
    ]
    assert second.errors()[0].source == ORIGIN and second.errors()[0].line == 2

    width, height = png_size(first.screenshots["first"])
    assert width == 390 and height >= 844 - 20  # the whole document, at least the view
    assert png_size(first.screenshots["first-viewport"]) == (390, 844)


def test_a_tap_must_hit_the_element(tmp_path: Path) -> None:
    """A button under another element cannot be tapped; the run says what covers it."""
    covered = """<!doctype html><body>
    <button id="under" style="position:absolute; top:0; left:0; height:50px">A</button>
    <div style="position:absolute; top:0; left:0; width:200px; height:80px">cover</div>
    </body>"""
    with pytest.raises(WebKitError, match=r"#under is covered at its centre by <div"):
        run_webkit([PagePlan(covered, [Click("#under")])], work=tmp_path)


@pytest.mark.parametrize(
    ("step", "kwargs", "message"),
    [
        (Eval("while (true) {}"), {"step_timeout": 2}, r"no answer within 2000 ms"),
        (Eval("new Promise(() => {})"), {"timeout": 4}, r"did not finish within 4 s"),
        (Eval("missing.property"), {}, r"ReferenceError: Can't find variable: missing"),
    ],
    ids=["busy-page", "whole-run-timeout", "script-error"],
)
def test_a_failing_run_raises_and_leaves_nothing_running(
    tmp_path: Path, step: Eval, kwargs: dict[str, float], message: str
) -> None:
    with pytest.raises(WebKitError, match=message) as raised:
        run_webkit([PagePlan("<p>stuck</p>", [step])], work=tmp_path, **kwargs)
    assert "stderr.txt" in str(raised.value)  # the runner's output comes with the error
    folder = re.search(r"run folder (\S+?)\)", str(raised.value))
    assert folder is not None
    assert processes_of_run(folder.group(1)) == []


def processes_of_run(folder: str) -> list[int]:
    """Live processes whose environment marks them as part of the run in ``folder``."""
    marker = f"{RUN_ENV}={folder}".encode()
    found = []
    for entry, _ in live_processes():
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker in environ.split(b"\0"):
            found.append(int(entry.name))
    return found
