"""Image occlusion in Chromium at phone width, with Anki's own reviewer script and style.

The engine renders each card's sides (``card.question()``/``card.answer()``, with the note
type's CSS); the page around them is the desktop reviewer's, reduced to what drawing
needs: ``reviewer.css`` and ``reviewer.js`` as the installed ``aqt`` package ships them
(``_aqt/data/web/``), which define ``anki.imageOcclusion``, and ``<body class="card
cardN">``. AnkiDroid's reviewer loads the same bundle (its backend is built from Anki's
``ts/reviewer``), so this is as close to a phone as a test here gets. Each side is a page
of its own, served from a made-up origin; nothing else is reachable.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest

from tests.support.ankiengine import collection, import_apkg
from tests.support.browser import LAUNCH_ARGS, ORIGIN, chromium_path, preview_context
from tests.support.occlusion import DECK, FIXTURE, occlusion_notes
from tests.support.paths import SCREENSHOTS
from tests.support.process import deckbuilder

pytestmark = pytest.mark.browser

ACTIVE = [255, 142, 142, 255]
INACTIVE = [255, 235, 162, 255]
CENTRES = {"rect": (0.25, 0.2667), "ellipse": (0.7, 0.3333), "polygon": (0.4833, 0.7444)}
ASKED = {1: "rect", 2: "ellipse", 3: "polygon"}  # the hide-all figure 'mri'
PHONE = {"width": 390, "height": 844}

STATE_JS = """(centres) => {
  const canvas = document.querySelector("#image-occlusion-canvas");
  const ctx = canvas.getContext("2d");
  const at = ([x, y]) => Array.from(
    ctx.getImageData(Math.floor(x * canvas.width), Math.floor(y * canvas.height), 1, 1).data);
  const box = canvas.getBoundingClientRect();
  const img = document.querySelector("#image-occlusion-container img").getBoundingClientRect();
  return {
    api: typeof anki.imageOcclusion,
    err: document.querySelector("#err").innerText,
    canvas: [box.left, box.top, box.width, box.height],
    img: [img.left, img.top, img.width, img.height],
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    pixels: Object.fromEntries(Object.entries(centres).map(([k, c]) => [k, at(c)])),
    text: document.body.innerText,
  };
}"""


def _reviewer_file(name: str) -> bytes:
    return resources.files("_aqt").joinpath(f"data/web/{name}").read_bytes()


@pytest.fixture(scope="module")
def sides(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The 'mri' figure's cards as the engine renders them, and the media."""
    tmp = tmp_path_factory.mktemp("occlusion-browser")
    shutil.copytree(FIXTURE, tmp / "content")
    built = deckbuilder("build", "content", cwd=tmp)
    assert built.returncode == 0, built.stderr
    with collection(tmp / "c.anki2") as col:
        import_apkg(col, tmp / "dist" / f"{DECK}.apkg")
        note = occlusion_notes(col)["thigh/figures/mri"]
        cards = {c.ord + 1: (c.question(), c.answer()) for c in note.cards()}  # type: ignore[attr-defined]
        media = {p.name: p.read_bytes() for p in Path(col.media.dir()).iterdir()}
    return {"cards": cards, "media": media}


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=LAUNCH_ARGS)
        yield b
        b.close()


def _show(browser, sides, number: int, side: int, night: bool):
    html = sides["cards"][number][side]
    night_class = " nightMode night_mode" if night else ""
    page_html = (
        '<!doctype html><html><head><meta name="viewport" content="width=device-width">'
        '<link rel="stylesheet" href="/_anki/css/reviewer.css">'
        '<script src="/_anki/js/reviewer.js"></script></head>'
        f'<body class="card card{number}{night_class}"><div id="qa">{html}</div></body></html>'
    )
    files = {
        "/_anki/css/reviewer.css": (_reviewer_file("css/reviewer.css"), "text/css"),
        "/_anki/js/reviewer.js": (_reviewer_file("js/reviewer.js"), "text/javascript"),
        "/card.html": (page_html.encode(), "text/html; charset=utf-8"),
    }
    files.update({f"/{n}": (data, "image/png") for n, data in sides["media"].items()})
    context = browser.new_context(viewport=PHONE, device_scale_factor=2)
    errors: list[str] = []

    def serve(route) -> None:
        path = route.request.url.removeprefix(ORIGIN)
        if path in files:
            body, kind = files[path]
            route.fulfill(body=body, content_type=kind)
        else:
            errors.append(f"unexpected request {path}")
            route.abort()

    context.route(f"{ORIGIN}/**", serve)
    context.route(lambda url: not url.startswith(ORIGIN), lambda route: route.abort())
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(f"{ORIGIN}/card.html")
    page.wait_for_function(
        """() => { const c = document.querySelector("#image-occlusion-canvas");
             return c && c.width > 0 && Array.from(c.getContext("2d")
               .getImageData(0, 0, c.width, c.height).data).some((v, i) => i % 4 == 3 && v); }"""
    )
    state = page.evaluate(STATE_JS, {k: list(v) for k, v in CENTRES.items()})
    SCREENSHOTS.mkdir(exist_ok=True)
    theme = "night" if night else "light"
    page.screenshot(
        path=str(SCREENSHOTS / f"browser-occlusion-{theme}-c{number}-{'qa'[side]}.png"),
        full_page=True,
    )
    context.close()
    return state, errors


@pytest.mark.parametrize("night", [False, True], ids=["light", "night"])
@pytest.mark.parametrize("number", sorted(ASKED))
def test_anki_reviewer_draws_the_masks_at_phone_width(browser, sides, number, night) -> None:
    front, errors = _show(browser, sides, number, 0, night)
    assert errors == [] and front["api"] == "object" and front["err"] == ""
    assert front["overflow"] <= 0  # no sideways scrolling on the phone
    assert front["canvas"] == front["img"]  # the masks lie on the picture
    assert 0 < front["canvas"][2] <= PHONE["width"]
    for region, pixel in front["pixels"].items():
        assert pixel == (ACTIVE if ASKED[number] == region else INACTIVE), (region, pixel)

    back, errors = _show(browser, sides, number, 1, night)
    assert errors == [] and back["err"] == ""
    for region, pixel in back["pixels"].items():
        if ASKED[number] == region:
            assert pixel[3] == 0, (region, pixel)  # revealed: the picture shows through
        else:
            assert pixel == INACTIVE, (region, pixel)
    assert f"{number} · " in back["text"] and "Toggle Masks" in back["text"]


def test_the_preview_draws_the_regions_and_the_drawing_aid_gives_yaml(browser, tmp_path) -> None:
    """``deckbuilder preview``: each occluded figure first with every region outlined,
    numbered and labelled; dragging on it draws a rectangle and shows the YAML lines of
    that region (it writes nothing); then each card's front and back with its masks."""
    shutil.copytree(FIXTURE, tmp_path / "content")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    run = deckbuilder("preview", "content", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    folder = tmp_path / "dist" / f"{DECK}-preview"
    context = preview_context(browser, folder, 800)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{ORIGIN}/index.html")
        refs = page.eval_on_selector_all(".pv-card", "s => s.map(e => e.dataset.ref)")
        assert refs == [
            "thigh/diagnosis",
            "thigh/figures/mri regions",
            "thigh/figures/mri c1",
            "thigh/figures/mri c2",
            "thigh/figures/mri c3",
            "thigh/figures/mri-px regions",
            "thigh/figures/mri-px c1",
            "thigh/figures/mri-px c3",
        ]
        overview = page.locator('.pv-card[data-ref="thigh/figures/mri regions"]')
        inner = overview.frame_locator("iframe")
        inner.locator(".pv-io-figure img").wait_for()
        page.wait_for_function(
            """() => Array.from(document.querySelectorAll('.pv-card iframe')).every(
                 (f) => { const i = f.contentDocument.querySelector('img');
                          return !i || (i.complete && i.naturalWidth); })"""
        )
        markers = inner.locator(".pv-io-marker").all_inner_texts()
        assert markers == ["1 · vastus lateralis", "2 · femur", "3 · calcified foci"]
        assert inner.locator("svg .pv-io-outline").count() == 3
        assert inner.locator(".pv-io-yaml").is_hidden()

        overview.scroll_into_view_if_needed()
        box = inner.locator(".pv-io-figure img").bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + 0.1 * box["width"], box["y"] + 0.2 * box["height"])
        page.mouse.down()
        page.mouse.move(box["x"] + 0.4 * box["width"], box["y"] + 0.5 * box["height"], steps=4)
        page.mouse.up()
        yaml_text = inner.locator(".pv-io-yaml").inner_text()
        found = re.search(r"rect: \[([^\]]+)\]\n#.*\n\s+rect: \[([^\]]+)\]", yaml_text)
        assert found and yaml_text.startswith("        - label: \n"), yaml_text
        fractions = [float(v) for v in found.group(1).split(", ")]
        pixels = [int(v) for v in found.group(2).split(", ")]
        for got, want in zip(fractions, [0.1, 0.2, 0.3, 0.3], strict=True):
            assert abs(got - want) < 0.01, fractions
        for got, want in zip(pixels, [40, 60, 120, 90], strict=True):
            assert abs(got - want) <= 3, pixels
        assert inner.locator("svg .pv-io-drawn").count() == 1

        card = page.locator('.pv-card[data-ref="thigh/figures/mri c2"]')
        front = card.frame_locator("iframe")
        assert front.locator("svg .pv-io-active").count() == 1
        assert front.locator("svg .pv-io-inactive").count() == 2
        assert front.locator(".pv-io-marker").all_inner_texts() == ["2"]
        card.locator(".pv-show-answer").click()
        assert front.locator("svg .pv-io-highlight").count() == 1
        assert "2 · femur" in front.locator("body").inner_text()
        hide_one = page.locator('.pv-card[data-ref="thigh/figures/mri-px c1"]')
        assert hide_one.frame_locator("iframe").locator("svg .pv-io-active").count() == 2
        assert hide_one.frame_locator("iframe").locator("svg .pv-io-inactive").count() == 0
        assert errors == []
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "preview-occlusion.png"), full_page=True)
    finally:
        context.close()
    after = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if "dist" not in p.parts)
    assert after == before  # the aid wrote nothing into the content
