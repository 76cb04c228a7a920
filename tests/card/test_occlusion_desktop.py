"""Image occlusion in the real Anki desktop app (aqt 26.9.3 under Xvfb), light and night.

The fixture's drawing (``tests/fixtures/occlusion/cases/thigh.png``, 400 x 300) has a
grey-blue striped field and three structures of their own colours, one under each region:
a green block (the rect), a blue disc (the ellipse) and a purple triangle (the polygon).
Anki's own script (``anki.imageOcclusion``, from its reviewer) draws the masks; the tests
look at what the learner sees: the screenshot's pixel at each region's centre, found
through the picture's box in the screenshot, against the picture's own colour there,
and the canvas's own pixels.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from deckbuilder.notes import ids
from tests.support.desktop import (
    CardPlan,
    DesktopRun,
    Eval,
    Screenshot,
    ShowAnswer,
    ShowQuestion,
    run_anki_desktop,
    skip_or_fail_if_unavailable,
)
from tests.support.occlusion import DECK, FIXTURE
from tests.support.paths import SCREENSHOTS
from tests.support.process import deckbuilder

skip_or_fail_if_unavailable()
pytestmark = pytest.mark.desktop

PICTURE = Image.open(FIXTURE / "cases" / "thigh.png").convert("RGB")
FIELD = [(40, 60, 90), (50, 75, 110)]  # the picture's background and its stripes
ACTIVE = (255, 142, 142)  # Anki's --active-shape-color: the asked region, front
INACTIVE = (255, 235, 162)  # --inactive-shape-color: the other regions (hide-all)
# each region's centre, as fractions of the picture
CENTRES = {
    "rect": (0.25, 0.2667),
    "ellipse": (0.7, 0.3333),
    "polygon": ((0.3 + 0.65 + 0.5) / 3, (0.6667 + 0.6333 + 0.9333) / 3),
}
LABELS = {"rect": "vastus lateralis", "ellipse": "femur", "polygon": "calcified foci"}
# which regions each card asks: mri is hide-all, one region a card; mri-px is hide-one,
# card 1 asks the rect and the ellipse together
ASKED = {
    ("mri", 1): ["rect"],
    ("mri", 2): ["ellipse"],
    ("mri", 3): ["polygon"],
    ("mri-px", 1): ["rect", "ellipse"],
}
HIDE_ALL = {"mri": True, "mri-px": False}

STATE_JS = """(() => {
  const canvas = document.querySelector("#image-occlusion-canvas");
  const img = document.querySelector("#image-occlusion-container img");
  const ctx = canvas.getContext("2d");
  const at = ([x, y]) => Array.from(
    ctx.getImageData(Math.floor(x * canvas.width), Math.floor(y * canvas.height), 1, 1).data);
  const centres = %s;
  return {
    api: typeof anki !== "undefined" && typeof anki.imageOcclusion,
    err: document.querySelector("#err").innerText,
    loaded: img.complete && img.naturalWidth,
    canvas: [canvas.width, canvas.height],
    pixels: Object.fromEntries(Object.entries(centres).map(([k, c]) => [k, at(c)])),
    text: document.body.innerText,
    toggle: getComputedStyle(document.querySelector("#toggle") || document.body).display,
  };
})()"""


def _near(a: tuple[int, ...], b: tuple[int, ...], tolerance: int = 24) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=False))


def _near_mask(rgb: Image.Image, colour: tuple[int, int, int], tolerance: int) -> Image.Image:
    bands = [
        band.point(lambda v, c=c: 255 if abs(v - c) <= tolerance else 0)
        for band, c in zip(rgb.split(), colour, strict=True)
    ]
    return ImageChops.multiply(ImageChops.multiply(bands[0], bands[1]), bands[2])


def _picture_box(shot: Image.Image) -> tuple[int, int, int, int]:
    """Where the picture is in the screenshot: the box of its field's pixels (the field
    shows at all four corners, which no region covers)."""
    rgb = shot.convert("RGB")
    mask = ImageChops.lighter(_near_mask(rgb, FIELD[0], 6), _near_mask(rgb, FIELD[1], 6))
    box = mask.getbbox()
    assert box is not None, "the picture is not in the screenshot"
    return box


def _seen(shot_path: Path) -> dict[str, tuple[int, int, int]]:
    """The screenshot's colour at each region's centre."""
    shot = Image.open(shot_path).convert("RGB")
    left, top, right, bottom = _picture_box(shot)
    assert abs((right - left) / (bottom - top) - 4 / 3) < 0.03  # the whole picture, unskewed
    seen = {}
    for region, (x, y) in CENTRES.items():
        point = (round(left + x * (right - left)), round(top + y * (bottom - top)))
        seen[region] = shot.getpixel(point)
    return seen


def _own(region: str) -> tuple[int, int, int]:
    x, y = CENTRES[region]
    return PICTURE.getpixel((round(x * 399), round(y * 299)))


@pytest.fixture(scope="module", params=["light", "night"])
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> DesktopRun:
    theme = request.param
    tmp = tmp_path_factory.mktemp(f"occlusion-desktop-{theme}")
    shutil.copytree(FIXTURE, tmp / "content")
    built = deckbuilder("build", "content", cwd=tmp)
    assert built.returncode == 0, built.stderr
    js = STATE_JS % {k: list(v) for k, v in CENTRES.items()}
    plans = []
    for figure, card in ASKED:
        cid = ids.card_id(DECK, "thigh", f"figures/{figure}", card - 1)
        name = f"desktop-occlusion-{theme}-{figure}-c{card}"
        plans.append(
            CardPlan(
                cid,
                [
                    ShowQuestion(),
                    Eval(js, "front"),
                    Screenshot(f"{name}-front"),
                    ShowAnswer(),
                    Eval(js, "back"),
                    Screenshot(f"{name}-back"),
                ],
            )
        )
    return run_anki_desktop(
        tmp / "dist" / f"{DECK}.apkg",
        tmp / "anki",
        plans,
        night=theme == "night",
        screenshots=SCREENSHOTS,
    )


def test_anki_draws_the_masks_without_an_error(run: DesktopRun) -> None:
    assert run.imported["new"] == 3
    for shown in run.cards:
        assert shown.errors() == []
        for side in ("front", "back"):
            state = shown.values[side]
            assert state["api"] == "object" and state["err"] == "", state
            assert state["loaded"] == 400 and min(state["canvas"]) > 0


@pytest.mark.parametrize("index", range(len(ASKED)))
def test_the_front_masks_each_region_and_marks_the_asked_one(run: DesktopRun, index: int) -> None:
    (figure, _card), asked = list(ASKED.items())[index]
    shown = run.cards[index]
    seen = _seen(shown.screenshots[next(k for k in shown.screenshots if k.endswith("-front"))])
    canvas = shown.values["front"]["pixels"]
    for region in CENTRES:
        if region in asked:
            assert _near(seen[region], ACTIVE), (region, seen[region])
            assert _near(tuple(canvas[region][:3]), ACTIVE) and canvas[region][3] == 255
        elif HIDE_ALL[figure]:
            assert _near(seen[region], INACTIVE), (region, seen[region])
        else:  # hide-one: the other regions show as they are
            assert _near(seen[region], _own(region)), (region, seen[region])
            assert canvas[region][3] == 0
        if region in asked or HIDE_ALL[figure]:
            assert not _near(seen[region], _own(region), 40)  # hidden from the learner
        assert LABELS[region] not in shown.values["front"]["text"]


@pytest.mark.parametrize("index", range(len(ASKED)))
def test_the_back_reveals_the_asked_region_and_its_label(run: DesktopRun, index: int) -> None:
    (figure, card), asked = list(ASKED.items())[index]
    shown = run.cards[index]
    seen = _seen(shown.screenshots[next(k for k in shown.screenshots if k.endswith("-back"))])
    text = shown.values["back"]["text"]
    for region in CENTRES:
        if region in asked:
            assert _near(seen[region], _own(region)), (region, seen[region])
        elif HIDE_ALL[figure]:
            assert _near(seen[region], INACTIVE), (region, seen[region])
    labels = "; ".join(LABELS[r] for r in asked)
    assert f"{card} · {labels}" in text
    assert ("Toggle Masks" in text) == HIDE_ALL[figure]
