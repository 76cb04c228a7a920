"""Carry out a WebKit plan: the GTK side of ``tests.support.webkit`` (``runner.py PLAN.json``).

Runs under Debian's own Python (``/usr/bin/python3``), whose ``gi`` reaches WebKitGTK
(``gir1.2-webkit-6.0``), so it uses nothing but the standard library and ``gi``: the
project's virtual environment never needs the system's packages. ``tests.support.webkit``
starts it under ``xvfb-run`` in a new session and reads the JSON file it writes.

One web view, one window of the planned size, for the whole run. Every page is put into
that view with ``load_html(html, ORIGIN)``, so the page has a real origin and its
``sessionStorage`` outlives the page, as when AnkiMobile loads a card's back as a new
page in the same ``WKWebView``. Each wait is for a real signal (load finished, a script's
promise settled, a snapshot delivered), each bounded by the plan's step timeout.

Nothing reaches the network:

* a content filter (Safari's content-blocker rules, compiled by WebKit) blocks every
  request but those to the made-up origin and ``data:``, ``blob:`` and ``about:`` URLs;
* the network session's proxy is a local sink in this process that answers nothing: any
  request WebKit still sends (one to the made-up origin, say) ends there and is logged
  as ``network`` in the result, so "nothing was fetched" is measured, not assumed;
* navigations the runner did not start (a link, ``location = ...``, a new window) are
  refused and logged.

Console messages and uncaught errors are taken in the page by a user script that wraps
``console.*`` and listens for ``error``/``unhandledrejection`` (WebKitGTK 6 has no
console signal on the UI side); a failed load of an element's resource (an image the
filter blocked) is logged per page as ``failed_resources``. Messages WebKit logs itself
(a CSP violation, say) are not seen this way.
"""

from __future__ import annotations

import json
import re
import socket
import sys
import time
import traceback
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import gi

gi.require_version("Gtk", "4.0")
gi.require_version("WebKit", "6.0")
from gi.repository import GLib, Gtk, WebKit  # noqa: E402  (versions must be required first)

VERSION = (WebKit.get_major_version(), WebKit.get_minor_version(), WebKit.get_micro_version())
HANDLER = "deckbuilderHarness"  # window.webkit.messageHandlers.<HANDLER>

# Installed into every page before its own scripts. PAGE is replaced by the page's index
# so a message can never be credited to the wrong page.
HOOK = """(function () {
  var page = PAGE;
  function post(level, message, source, line) {
    try {
      window.webkit.messageHandlers.HANDLER.postMessage(
        { page: page, level: level, message: String(message), source: source || "",
          line: line || 0 });
    } catch (e) { /* the handler is gone: the page is being replaced */ }
  }
  // Where console.* was called, from the stack (best effort: JavaScriptCore leaves out
  // some frames of a script's top level; then the running script's URL, line unknown).
  function caller() {
    var frames = String(new Error().stack || "").split("\\n");
    var m = /@(.*):(\\d+):\\d+$/.exec(frames[2] || "");
    if (m) { return [m[1], Number(m[2])]; }
    var script = document.currentScript;
    return script ? [script.src || location.href, 0] : ["", 0];
  }
  ["log", "info", "warn", "error", "debug"].forEach(function (level) {
    var original = console[level];
    console[level] = function () {
      var where = caller();
      var text = Array.prototype.map.call(arguments, function (a) {
        if (typeof a === "string") { return a; }
        try { return JSON.stringify(a); } catch (e) { return String(a); }
      }).join(" ");
      post(level, text, where[0], where[1]);
      return original.apply(console, arguments);
    };
  });
  window.addEventListener("error", function (event) {
    var el = event.target;
    if (el && el !== window && el.tagName) {  // a resource that failed to load
      post("resource", el.currentSrc || el.src || el.href || el.tagName, "", 0);
      return;
    }
    var message = event.error && event.error.name
      ? event.error.name + ": " + event.error.message : event.message;
    post("uncaught", message, event.filename, event.lineno);
  }, true);
  window.addEventListener("unhandledrejection", function (event) {
    var r = event.reason;
    post("unhandledrejection", r && r.name ? r.name + ": " + r.message : String(r), "", 0);
  });
})();"""

# An Eval step: the script's completion value (a Promise is awaited), as JSON.
EVAL = """const value = await (0, eval)(src);
return JSON.stringify(value === undefined ? null : value);"""

# A Click step: tap the element's centre the way a finger would. It must be the one
# element matching, have a box, and be what a tap there hits (not covered by another).
CLICK = """const all = document.querySelectorAll(selector);
if (all.length !== 1) throw new Error(all.length + " elements match " + selector);
const el = all[0];
el.scrollIntoView({ block: "center", inline: "center" });
const r = el.getBoundingClientRect();
if (r.width <= 0 || r.height <= 0) throw new Error(selector + " has no box to tap");
const x = r.left + r.width / 2, y = r.top + r.height / 2;
const hit = document.elementFromPoint(x, y);
if (!hit || !(hit === el || el.contains(hit))) {
  const by = hit ? hit.outerHTML.slice(0, 120) : "nothing";
  throw new Error(selector + " is covered at its centre by " + by);
}
const init = { bubbles: true, cancelable: true, composed: true, clientX: x, clientY: y,
               view: window, detail: 1, isPrimary: true, pointerType: "touch", button: 0 };
hit.dispatchEvent(new PointerEvent("pointerdown", init));
hit.dispatchEvent(new MouseEvent("mousedown", init));
hit.dispatchEvent(new PointerEvent("pointerup", init));
hit.dispatchEvent(new MouseEvent("mouseup", init));
hit.dispatchEvent(new MouseEvent("click", init));
return JSON.stringify(null);"""

# Before a snapshot: web fonts loaded and two frames drawn since the last change.
SETTLE = """await document.fonts.ready;
await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
return JSON.stringify(null);"""

# What every page reports once loaded.
FACTS = """return JSON.stringify({
  viewport: [window.innerWidth, window.innerHeight],
  href: location.href,
  darkScheme: matchMedia("(prefers-color-scheme: dark)").matches,
});"""


def content_rules(origin: str) -> str:
    """Safari content-blocker rules: block every URL, then let the origin through (and
    the URLs that never touch the network)."""
    allow = ["^" + re.escape(origin.rstrip("/")) + "/", "^data:", "^blob:", "^about:"]
    rules = [{"trigger": {"url-filter": ".*"}, "action": {"type": "block"}}] + [
        {"trigger": {"url-filter": pattern}, "action": {"type": "ignore-previous-rules"}}
        for pattern in allow
    ]
    return json.dumps(rules)


class StepError(Exception):
    """A step failed or timed out; the run stops there."""


# An operation: started with a callback taking (value, error); what the generator yields.
Operation = tuple[str, Callable[[Callable[..., None]], None]]


class Sink:
    """A proxy that never answers: the only place WebKit's requests can go. It records the
    first line of every request (``CONNECT host:443 HTTP/1.1``) and hangs up."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.server.setblocking(False)
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        GLib.io_add_watch(self.server.fileno(), GLib.IO_IN, self._accept)

    def _accept(self, *_: object) -> bool:
        try:
            client, _address = self.server.accept()
        except BlockingIOError:
            return True
        client.setblocking(False)
        GLib.io_add_watch(client.fileno(), GLib.IO_IN | GLib.IO_HUP, self._read, client)
        return True

    def _read(self, _fd: int, _condition: int, client: socket.socket) -> bool:
        try:
            data = client.recv(4096)
        except BlockingIOError:
            return True
        line = data.split(b"\r\n", 1)[0].decode("latin-1")
        if line:
            self.requests.append(line)
        client.close()
        return False


class Runner:
    """The plan, the web view, and what the pages reported."""

    def __init__(self, plan: dict[str, Any]) -> None:
        self.plan = plan
        self.origin: str = plan["origin"]
        self.step_timeout_ms = int(plan["step_timeout"] * 1000)
        self.screenshots = Path(plan["screenshots"])
        self.pages: list[dict[str, Any]] = []
        self.current = -1  # index of the page in the view
        self.blocked_navigations: list[str] = []
        self.loading = False  # a load the runner started is under way
        self.fail_current: Callable[[BaseException], None] | None = None
        self.error: str | None = None
        self.loop = GLib.MainLoop()

        width, height = plan["size"]
        settings = Gtk.Settings.get_default()
        if settings is not None:  # what prefers-color-scheme follows
            settings.props.gtk_application_prefer_dark_theme = bool(plan["night"])
        self.sink = Sink()
        session = WebKit.NetworkSession.new_ephemeral()
        session.set_proxy_settings(
            WebKit.NetworkProxyMode.CUSTOM, WebKit.NetworkProxySettings.new(self.sink.url, None)
        )
        self.content = WebKit.UserContentManager()
        self.content.connect(f"script-message-received::{HANDLER}", self._on_message)
        self.content.register_script_message_handler(HANDLER, None)
        self.view = WebKit.WebView(network_session=session, user_content_manager=self.content)
        view_settings = self.view.get_settings()
        view_settings.set_enable_page_cache(False)
        view_settings.set_javascript_can_open_windows_automatically(False)
        self.view.connect("decide-policy", self._on_decide_policy)
        self.view.connect("resource-load-started", self._on_resource)
        self.view.connect("web-process-terminated", self._on_terminated)
        self.window = Gtk.Window(decorated=False, resizable=False)
        self.window.set_default_size(width, height)
        self.window.set_child(self.view)
        self.window.present()
        self.store = WebKit.UserContentFilterStore.new(plan["filter_store"])

    # --- signals -------------------------------------------------------------------

    def _page(self) -> dict[str, Any] | None:
        return self.pages[self.current] if 0 <= self.current < len(self.pages) else None

    def _on_message(self, _manager: object, value: Any) -> None:
        data = json.loads(value.to_json(0))
        index = data.pop("page")
        if not 0 <= index < len(self.pages):
            return
        page = self.pages[index]
        if data["level"] == "resource":
            page["failed_resources"].append(data["message"])
        else:
            page["console"].append(data)

    def _on_decide_policy(self, _view: object, decision: Any, kind: Any) -> bool:
        types = WebKit.PolicyDecisionType
        if kind not in (types.NAVIGATION_ACTION, types.NEW_WINDOW_ACTION):
            return False  # responses: WebKit's default
        uri = decision.get_navigation_action().get_request().get_uri()
        if kind == types.NAVIGATION_ACTION and self.loading and uri.startswith(self.origin):
            return False
        self.blocked_navigations.append(uri)
        decision.ignore()
        return True

    def _on_resource(self, _view: object, resource: Any, request: Any) -> None:
        page = self._page()
        uri = request.get_uri()
        if page is None or (self.loading and uri == self.origin):
            return  # the page's own document, which load_html supplies
        page["requests"].append(uri)
        resource.connect(
            "failed", lambda r, error: page["failed_requests"].append([r.get_uri(), error.message])
        )

    def _on_terminated(self, _view: object, reason: Any) -> None:
        if self.fail_current is not None:
            self.fail_current(StepError(f"the web process ended ({reason.value_nick})"))

    # --- operations ----------------------------------------------------------------

    def install_filter(self) -> Operation:
        def start(done: Callable[..., None]) -> None:
            def saved(store: Any, result: Any) -> None:
                try:
                    compiled = store.save_finish(result)
                except GLib.Error as error:
                    done(error=StepError(f"WebKit rejected the content filter: {error.message}"))
                    return
                self.content.add_filter(compiled)
                done()

            rules = content_rules(self.origin).encode()
            self.store.save("network", GLib.Bytes.new(rules), None, saved)

        return "compile the content filter", start

    def load(self, index: int, html: str) -> Operation:
        def start(done: Callable[..., None]) -> None:
            handlers: list[int] = []

            def finish(value: Any = None, error: BaseException | None = None) -> None:
                for handler in handlers:
                    self.view.disconnect(handler)
                handlers.clear()
                self.loading = False
                done(value, error)

            def changed(_view: object, event: Any) -> None:
                if event == WebKit.LoadEvent.FINISHED and handlers:
                    finish()

            def failed(_view: object, _event: Any, uri: str, error: Any) -> bool:
                finish(error=StepError(f"loading {uri} failed: {error.message}"))
                return True

            handlers.append(self.view.connect("load-changed", changed))
            handlers.append(self.view.connect("load-failed", failed))
            self.content.remove_all_scripts()
            hook = HOOK.replace("PAGE", str(index)).replace("HANDLER", HANDLER)
            self.content.add_script(
                WebKit.UserScript.new(
                    hook,
                    WebKit.UserContentInjectedFrames.ALL_FRAMES,
                    WebKit.UserScriptInjectionTime.START,
                    None,
                    None,
                )
            )
            self.current = index
            self.loading = True
            self.view.load_html(html, self.origin)

        return f"load page {index}", start

    def script(self, what: str, body: str, **arguments: str) -> Operation:
        """Run ``body`` as an async function in the page; its value is a JSON string."""

        def start(done: Callable[..., None]) -> None:
            def finished(view: Any, result: Any) -> None:
                try:
                    value = view.call_async_javascript_function_finish(result)
                except GLib.Error as error:
                    done(error=StepError(f"{what}: {error.message}"))
                    return
                done(json.loads(value.to_string()) if value.is_string() else None)

            args = GLib.Variant("a{sv}", {k: GLib.Variant("s", v) for k, v in arguments.items()})
            self.view.call_async_javascript_function(body, -1, args, None, None, None, finished)

        return what, start

    def snapshot(self, path: Path, full_page: bool) -> Operation:
        def start(done: Callable[..., None]) -> None:
            def finished(view: Any, result: Any) -> None:
                try:
                    texture = view.get_snapshot_finish(result)
                except GLib.Error as error:
                    done(error=StepError(f"snapshot failed: {error.message}"))
                    return
                path.parent.mkdir(parents=True, exist_ok=True)
                if not texture.save_to_png(str(path)):
                    done(error=StepError(f"could not write {path}"))
                    return
                done([texture.get_width(), texture.get_height()])

            region = (
                WebKit.SnapshotRegion.FULL_DOCUMENT if full_page else WebKit.SnapshotRegion.VISIBLE
            )
            self.view.get_snapshot(region, WebKit.SnapshotOptions.NONE, None, finished)

        return f"screenshot {path.name}", start

    # --- the plan ------------------------------------------------------------------

    def steps(self) -> Generator[Operation, Any, None]:
        yield self.install_filter()
        for index, planned in enumerate(self.plan["pages"]):
            page: dict[str, Any] = {
                "name": planned["name"],
                "values": {},
                "screenshots": {},
                "console": [],
                "failed_resources": [],
                "requests": [],
                "failed_requests": [],
            }
            self.pages.append(page)
            began = time.monotonic()
            yield self.load(index, planned["html"])
            page["load_ms"] = round((time.monotonic() - began) * 1000)
            page.update((yield self.script("read the page", FACTS)))
            for number, step in enumerate(planned["steps"], 1):
                where = f"page {index} ({planned['name']}), step {number}"
                if step["kind"] == "eval":
                    value = yield self.script(f"{where}: {step['js'][:200]}", EVAL, src=step["js"])
                    if step["name"]:
                        page["values"][step["name"]] = value
                elif step["kind"] == "click":
                    yield self.script(
                        f"{where}: tap {step['selector']}", CLICK, selector=step["selector"]
                    )
                elif step["kind"] == "screenshot":
                    yield self.script(f"{where}: settle before a screenshot", SETTLE)
                    path = self.screenshots / f"{step['name']}.png"
                    page["screenshots"][step["name"]] = {
                        "path": str(path),
                        "size": (yield self.snapshot(path, step["full_page"])),
                    }
                else:
                    raise StepError(f"{where}: unknown step {step!r}")
            page["ms"] = round((time.monotonic() - began) * 1000)
        # A last round trip: console messages posted before it have all arrived.
        yield self.script("flush", "return JSON.stringify(null);")

    def run(self) -> int:
        generator = self.steps()
        GLib.idle_add(self._advance, generator, None, None)
        self.loop.run()
        return 0 if self.error is None else 1

    def _advance(self, generator: Any, value: Any, error: BaseException | None) -> bool:
        try:
            what, start = generator.throw(error) if error else generator.send(value)
        except StopIteration:
            self.loop.quit()
            return False
        except Exception as failure:
            if isinstance(failure, StepError):
                self.error = str(failure)
            else:
                self.error = "".join(traceback.format_exception(failure))
            # A page stuck in a loop would keep its web process busy past our exit.
            self.view.terminate_web_process()
            self.loop.quit()
            return False
        settled = False

        def done(result: Any = None, error: BaseException | None = None) -> None:
            nonlocal settled
            if settled:
                return
            settled = True
            self.fail_current = None
            GLib.source_remove(timer)
            GLib.idle_add(self._advance, generator, result, error)

        def timed_out() -> bool:
            done(error=StepError(f"{what}: no answer within {self.step_timeout_ms} ms"))
            return False

        timer = GLib.timeout_add(self.step_timeout_ms, timed_out)
        self.fail_current = lambda failure: done(error=failure)
        start(done)
        return False

    def result(self, seconds: float) -> dict[str, Any]:
        return {
            "error": self.error,
            "webkit_version": ".".join(str(n) for n in VERSION),
            "user_agent": self.view.get_settings().get_user_agent(),
            "pages": self.pages,
            "network": self.sink.requests,
            "blocked_navigations": self.blocked_navigations,
            "seconds": round(seconds, 3),
        }


def main(plan_path: str) -> int:
    began = time.monotonic()
    plan = json.loads(Path(plan_path).read_text(encoding="utf-8"))
    Gtk.init()
    runner = Runner(plan)
    code = runner.run()
    result = runner.result(time.monotonic() - began)
    Path(plan["result"]).write_text(json.dumps(result, indent=1), encoding="utf-8")
    if runner.error:
        print(f"webkit runner: {runner.error}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
