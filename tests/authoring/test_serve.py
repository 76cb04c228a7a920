"""``deckbuilder serve`` (issue 23): the preview page, live, from a real process.

The server runs as the author runs it (its own process and session), the page in
Debian's Chromium: a save shows on the open page without a reload, a problem shows with
its file:line:column over the last good cards, a deleted case's cards go, a new image
appears. Without a browser: only the deck's images and the server's own assets are
served (anything else is 404), a port taken is said so, Ctrl-C ends it cleanly.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.helpers import replace_in
from tests.support.process import deckbuilder

CASE = "cases/alt-thigh.yaml"


def _png(width: int, height: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def _add_figure(content: Path, width: int = 40, height: int = 30) -> None:
    """An image file beside the case, and a figure of the case showing it."""
    (content / "cases" / "added.png").write_bytes(_png(width, height))
    replace_in(
        content / CASE,
        "figures:\n",
        "figures:\n  - image: added.png\n    caption: An added figure.\n",
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    proc: subprocess.Popen[str]
    port: int
    banner: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def get(self, path: str, host: str | None = None) -> tuple[int, bytes]:
        """GET ``path`` exactly as written (no normalising of ``..``)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.putrequest("GET", path, skip_host=True)
            conn.putheader("Host", host or f"127.0.0.1:{self.port}")
            conn.endheaders()
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def stop(self) -> tuple[int, str, str]:
        """Ctrl-C, as in a terminal; the exit code and what it printed."""
        self.proc.send_signal(signal.SIGINT)
        out, err = self.proc.communicate(timeout=20)
        return self.proc.returncode, self.banner + out, err


def _serve(content: Path, cwd: Path) -> Served:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "deckbuilder", "serve", str(content), "--port", str(port)],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert proc.stdout is not None
    banner = proc.stdout.readline()
    if "Serving" not in banner:
        proc.kill()
        raise AssertionError(f"serve did not start: {banner}{proc.communicate()[1]}")
    return Served(proc, port, banner)


@pytest.fixture
def served(content: Path, tmp_path: Path) -> Iterator[Served]:
    server = _serve(content, tmp_path)
    try:
        yield server
    finally:
        if server.proc.poll() is None:
            os.killpg(server.proc.pid, signal.SIGKILL)
            server.proc.wait()


def test_ctrl_c_ends_it_cleanly(served: Served) -> None:
    assert "Clinical Quiz" in served.banner and f":{served.port}/" in served.banner
    code, out, err = served.stop()
    assert code == 0, err
    assert out.rstrip().endswith("Stopped.")
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err


def test_only_the_decks_images_and_its_own_assets_are_served(served: Served, content: Path) -> None:
    status, page = served.get("/")
    assert status == 200 and b"pv-card" in page
    assert served.get("/frame.html")[0] == 200
    _add_figure(content)
    deadline = time.monotonic() + 10
    while not (
        media := sorted(set(re.findall(r"db-[0-9a-f]{20}\.png", served.get("/")[1].decode())))
    ):
        assert time.monotonic() < deadline, "the added figure never showed"
        time.sleep(0.1)
    for name in media:
        status, body = served.get("/" + name)
        assert status == 200 and body, name
    for path in (
        "/../deck.yaml",
        "/../../etc/passwd",
        "/..%2Fdeck.yaml",
        "/%2e%2e/deck.yaml",
        "//etc/passwd",
        "/etc/passwd",
        str(content / "deck.yaml"),
        "/deck.yaml",
        "/" + CASE,
        "/cases/../deck.yaml",
        f"/{media[0]}/../deck.yaml",
        "/deckbuilder.lock.json",
        "/.schema/case.schema.json",
        "/" + "a" * 5000,
    ):
        status, body = served.get(path)
        assert status == 404, (path, status)
        assert b"name:" not in body
    # another site's page that reaches this server under its own name (DNS rebinding)
    assert served.get("/", host="attacker.example")[0] == 403
    assert served.get("/", host=f"localhost:{served.port}")[0] == 200
    assert served.stop()[0] == 0


def test_a_port_taken_is_said_so(served: Served, tmp_path: Path, content: Path) -> None:
    second = deckbuilder("serve", content, "--port", str(served.port), cwd=tmp_path)
    assert second.returncode == 1
    assert f"port {served.port} on 127.0.0.1 is already in use" in second.stderr
    assert "--port" in second.stderr and "Traceback" not in second.stderr
    assert served.stop()[0] == 0


def _next_event(stream: http.client.HTTPResponse) -> dict:
    while True:
        line = stream.readline()
        assert line, "the event stream ended"
        if line.startswith(b"data:"):
            return dict(json.loads(line[5:]))


def test_a_save_is_pushed_to_the_page_as_an_event(served: Served, content: Path) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    conn.request("GET", "/events?since=1")
    stream = conn.getresponse()
    assert stream.getheader("Content-Type") == "text/event-stream"
    replace_in(
        content / CASE,
        "C: RT alone",
        "C: Radiotherapy <b>alone</b> & <span onclick=alert(1)>x</span>",
    )
    update = _next_event(stream)
    assert update["errors"] == []
    assert update["version"] == 2 and update["order"] is None  # no card came or went
    assert list(update["cards"]) == ["alt-thigh/treatment"]
    section = update["cards"]["alt-thigh/treatment"]
    # sanitised and escaped as the deck's field is: the markup the cards allow, no script
    assert "Radiotherapy <b>alone</b> &amp; " in section
    assert "onclick" not in section and "alert(1)" not in section
    conn.close()
    assert served.stop()[0] == 0


# --- the page in Chromium ------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    from tests.support.browser import LAUNCH_ARGS, chromium_path

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=LAUNCH_ARGS)
        yield b
        b.close()


def _card_text(page: object, ref: str) -> str:
    return str(
        page.evaluate(  # type: ignore[attr-defined]
            """(ref) => {
                const s = Array.from(document.querySelectorAll('.pv-card'))
                    .find((el) => el.getAttribute('data-ref') === ref);
                if (!s) return null;
                const doc = s.querySelector('iframe').contentDocument;
                return doc && doc.getElementById('qa') ? doc.getElementById('qa').innerText : '';
            }""",
            ref,
        )
    )


def _refs(page: object) -> list[str]:
    return list(
        page.evaluate(  # type: ignore[attr-defined]
            "() => Array.from(document.querySelectorAll('.pv-card'), (s) => s.dataset.ref)"
        )
    )


@pytest.mark.browser
def test_the_open_page_follows_every_save(
    browser: object, served: Served, content: Path, tmp_path: Path
) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(served.url)
    page.wait_for_function(
        "() => document.querySelector('.pv-card iframe').contentDocument"
        ".getElementById('qa').innerText.length > 0"
    )
    before = _refs(page)
    assert "alt-thigh/treatment" in before
    page.evaluate("() => { window.notReloaded = true; window.scrollTo(0, 600); }")

    # 1. Edit a case: the new text, without a reload, the card marked, within 2 s.
    started = time.monotonic()
    replace_in(content / CASE, "C: RT alone", "C: Radiotherapy alone, live")
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('.pv-card.pv-changed'))
            .some((s) => s.dataset.ref === 'alt-thigh/treatment'
                && s.querySelector('iframe').contentDocument.getElementById('qa')
                && s.querySelector('iframe').contentDocument.getElementById('qa')
                    .innerText.includes('Radiotherapy alone, live'))""",
        timeout=5000,
    )
    assert time.monotonic() - started < 2.0
    assert page.evaluate("() => window.notReloaded") is True
    assert _refs(page) == before
    box = page.evaluate(
        """() => { const s = document.querySelector('.pv-card.pv-changed')
            .getBoundingClientRect(); return [s.top, s.bottom, window.innerHeight]; }"""
    )
    assert box[0] < box[2] and box[1] > 0, "the changed card is scrolled into view"

    # 2. A YAML error: file:line:col and the message, the last good cards under it.
    good = (content / CASE).read_text(encoding="utf-8")
    (content / CASE).write_text(good + "broken: [unclosed\n", encoding="utf-8")
    page.wait_for_selector(".pv-errors:not([hidden])", timeout=5000)
    shown = page.inner_text(".pv-errors")
    lines = good.count("\n") + 1
    assert f"{Path('content') / CASE}:{lines}:" in shown or f"{CASE}:{lines}:" in shown, shown
    assert "YAML" in shown and "unclosed" in shown, shown
    assert _refs(page) == before
    assert "Radiotherapy alone, live" in _card_text(page, "alt-thigh/treatment")

    # 3. Fixed: the problem goes, the cards stay.
    (content / CASE).write_text(good, encoding="utf-8")
    page.wait_for_selector(".pv-errors[hidden]", state="attached", timeout=5000)
    assert _refs(page) == before

    # 4. A new case, then deleted: its cards come, then go.
    extra = content / "cases" / "extra.yaml"
    extra.write_text(
        "id: extra-case\ntitle: An extra case\ncase: A short vignette.\n"
        "source: Test.\nquestions:\n  - id: q1\n    question: Which one?\n"
        "    options: {A: This one, B: That one}\n    answer: A\n"
        "    critique: Because it is <this> one.\n",
        encoding="utf-8",
    )
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.pv-card'))"
        ".some((s) => s.dataset.ref === 'extra-case/q1')",
        timeout=5000,
    )
    extra.unlink()
    page.wait_for_function(
        "() => !Array.from(document.querySelectorAll('.pv-card'))"
        ".some((s) => s.dataset.ref === 'extra-case/q1')",
        timeout=5000,
    )
    assert _refs(page) == before

    # 5. An image added to a case: it appears, loaded from the server.
    _add_figure(content)
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('.pv-card iframe')).some((f) =>
            f.contentDocument && Array.from(f.contentDocument.images).some((img) =>
                img.complete && img.naturalWidth === 40 && img.naturalHeight === 30))""",
        timeout=5000,
    )
    assert page.evaluate("() => window.notReloaded") is True
    assert errors == []
    page.close()
    code, _, err = served.stop()
    assert code == 0, err


@pytest.mark.browser
def test_a_page_that_grows_past_400_cards_keeps_frames_only_near_the_screen(
    browser: object, tmp_path: Path
) -> None:
    """The page turns lazy when a save takes it past 400 cards, as a page that starts
    that large is: far cards lose their frames, and the last card still shows."""
    from tests.support.helpers import generated_content

    content = generated_content(tmp_path / "content", 46)  # 9 cards a case
    later = {p: p.read_text(encoding="utf-8") for p in sorted(content.glob("cases/*.yaml"))[44:]}
    for path in later:
        path.unlink()
    server = _serve(content, tmp_path)
    cards = "() => document.querySelectorAll('.pv-card').length"
    frames = "() => document.querySelectorAll('.pv-card iframe').length"
    shown = """(section) => { const f = section.querySelector('iframe');
        const d = f && f.contentDocument; return !!(d && d.querySelector('.db-card')); }"""
    page = browser.new_page()  # type: ignore[attr-defined]
    try:
        page.goto(server.url)
        assert page.evaluate(cards) == 396
        assert page.evaluate(frames) == 396  # not lazy: every card has its frame
        assert not page.evaluate("() => document.querySelector('.pv-lazy')")
        page.evaluate("() => { window.notReloaded = true; }")
        for path, text in later.items():
            path.write_text(text, encoding="utf-8")
        page.wait_for_function(f"() => ({cards})() === 414", timeout=10000)
        page.wait_for_function(f"() => ({frames})() < 100", timeout=10000)
        assert page.evaluate("() => !!document.querySelector('.pv-cards.pv-lazy')")
        last = page.locator(".pv-card").nth(413)
        assert last.get_attribute("data-ref") == "case-000045/facts/f2 c2"
        last.scroll_into_view_if_needed()
        page.wait_for_function(
            f"() => ({shown})(Array.from(document.querySelectorAll('.pv-card')).pop())",
            timeout=10000,
        )
        assert not page.locator(".pv-card").nth(0).evaluate(shown)
        assert page.evaluate(frames) < 100
        assert page.evaluate("() => window.notReloaded") is True
    finally:
        page.close()
        server.stop()


# --- build --watch ---------------------------------------------------------------------


def test_build_watch_rebuilds_on_every_save_until_ctrl_c(content: Path, tmp_path: Path) -> None:
    import queue
    import threading

    proc = subprocess.Popen(
        [sys.executable, "-m", "deckbuilder", "build", "content", "--watch"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    lines: queue.Queue[str] = queue.Queue()
    for stream in (proc.stdout, proc.stderr):
        threading.Thread(target=lambda s=stream: [lines.put(x) for x in s], daemon=True).start()

    def wait_for(text: str) -> str:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.5)
            except queue.Empty:
                continue
            if text in line:
                return line
        raise AssertionError(f"never printed {text!r}")

    try:
        wait_for("Wrote dist/clinical-quiz.apkg")
        wait_for("Watching content for changes")
        replace_in(content / CASE, "C: RT alone", "C: RT only")
        wait_for("updated   alt-thigh/treatment")
        wait_for("1 updated")
        (content / CASE).write_text(
            (content / CASE).read_text(encoding="utf-8") + "broken: [\n", encoding="utf-8"
        )
        wait_for("YAML syntax error")
        wait_for("nothing was written")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
        wait_for("Stopped.")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
