"""Headless Chromium (Debian's package) driven by Playwright, the way a learner sees cards.

Playwright cannot download its own browser here, so the system Chromium is used through
``executable_path``. Pages are served from a made-up origin through request routing: the
cards' sessionStorage behaves as on a real origin, and nothing touches the network.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

ORIGIN = "http://cards.test"


def chromium_path() -> str:
    for candidate in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser"):
        if candidate and (found := shutil.which(candidate)):
            return found
    raise RuntimeError(
        "Chromium is needed for the browser tests: apt-get install chromium "
        "(or set CHROMIUM to its path)"
    )


def preview_context(browser: Any, folder: Path, width: int) -> Any:
    """A browser context that serves the preview page written in ``folder`` (its
    ``index.html`` and images) from :data:`ORIGIN`, and nothing else."""
    files = {p.name: p.read_bytes() for p in folder.iterdir()}
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.route(
        f"{ORIGIN}/**",
        lambda route: route.fulfill(
            body=files[route.request.url.rsplit("/", 1)[-1]],
            content_type="text/html" if route.request.url.endswith(".html") else "image/png",
        ),
    )
    context.route(lambda url: not url.startswith(ORIGIN), lambda route: route.abort())
    return context


LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def parse_rgb(css: str) -> tuple[float, float, float]:
    inner = css[css.index("(") + 1 : css.index(")")].replace("/", " ").replace(",", " ")
    r, g, b = (float(x) for x in inner.split()[:3])
    return (r, g, b)


# For each element matched: its text colour and the first opaque background behind it.
COLOURS = """
(selector) => Array.from(document.querySelectorAll(selector)).map((el) => {
  let node = el, bg = "rgba(0, 0, 0, 0)";
  while (node) {
    const c = getComputedStyle(node).backgroundColor;
    if (c && !c.startsWith("rgba(0, 0, 0, 0)") && c !== "transparent") { bg = c; break; }
    node = node.parentElement;
  }
  if (bg === "rgba(0, 0, 0, 0)") bg = "rgb(255, 255, 255)";
  return { color: getComputedStyle(el).color, background: bg };
})
"""
