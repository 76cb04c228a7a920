"""In the real Anki desktop app: a photo whose EXIF says "turn 90° clockwise" (orientation
6) still shows upright after the deck's copy lost its other metadata, and a case's review
date and evidence show on the back.

The photo is stored landscape with a red block in its top left corner and magenta
elsewhere; shown upright it is portrait with the red block at the top right. The screenshot
of the window is searched for both colours: the picture's box and the red block's place in
it tell upright from stored.
"""

from __future__ import annotations

import io
import struct

import pytest
from PIL import Image, ImageChops

from tests.support.cardcheck import engine_cards
from tests.support.desktop import (
    CardPlan,
    Eval,
    Screenshot,
    ShowAnswer,
    ShowQuestion,
    run_anki_desktop,
    skip_or_fail_if_unavailable,
)
from tests.support.imagefiles import exif_block
from tests.support.paths import SCREENSHOTS
from tests.support.process import deckbuilder

skip_or_fail_if_unavailable()
pytestmark = pytest.mark.desktop

RED = (230, 0, 0)
MAGENTA = (255, 0, 255)
STORED = (320, 160)  # width, height as stored; shown turned, 160 wide and 320 high

CASE = """\
id: knee
title: A swollen knee
case: A runner's knee is swollen.
source: Clinical Quiz, 2026.
reviewed: 2001-02-03
evidence: ESMO 2000
figures:
  - caption: The photo.
    image: photo.jpg
questions:
  - id: q1
    question: What is it?
    options:
      A: An effusion
      B: A fracture
    answer: A
    critique: It is an effusion.
"""


def _turned_photo() -> bytes:
    """A JPEG stored landscape, red top left, with EXIF orientation 6 and a name."""
    img = Image.new("RGB", STORED, MAGENTA)
    img.paste(RED, (0, 0, STORED[0] // 2, STORED[1] // 2))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=95)
    data = out.getvalue()
    app1 = b"Exif\0\0" + exif_block(orientation=6)
    segment = b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1
    return data[:2] + segment + data[2:]


def _box(shot: Image.Image, colour: tuple[int, int, int]) -> tuple[int, int, int, int]:
    """The bounding box (left, top, right, bottom) of the pixels near ``colour``."""
    near = [
        channel.point(lambda v, c=c: 255 if abs(v - c) < 40 else 0)
        for channel, c in zip(shot.convert("RGB").split(), colour, strict=True)
    ]
    both = ImageChops.multiply(ImageChops.multiply(near[0], near[1]), near[2])
    box = both.getbbox()
    assert box is not None, f"no pixel of {colour} in the screenshot"
    return box


@pytest.fixture(scope="module")
def shown(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("privacy-desktop")
    root = tmp / "content"
    (root / "cases").mkdir(parents=True)
    (root / "deck.yaml").write_text("name: Knees\nid: knees\n", encoding="utf-8")
    (root / "cases" / "knee.yaml").write_text(CASE, encoding="utf-8")
    (root / "cases" / "photo.jpg").write_bytes(_turned_photo())
    run = deckbuilder("build", "content", cwd=tmp)
    assert run.returncode == 0, run.stderr
    apkg = tmp / "dist" / "knees.apkg"
    (card,) = engine_cards(apkg, tmp)
    image = """(() => { const i = document.querySelector(".db-figure img");
      return { natural: [i.naturalWidth, i.naturalHeight], complete: i.complete }; })()"""
    provenance = """(() => { const p = document.querySelector(".db-source .db-provenance");
      return p && { text: p.innerText, height: p.getBoundingClientRect().height,
                    small: !!p.querySelector("small") }; })()"""
    steps = [
        ShowQuestion(),
        Eval(image, "image"),
        Screenshot("desktop-privacy-orientation-front"),
        ShowAnswer(),
        Eval(provenance, "provenance"),
        Screenshot("desktop-privacy-provenance-back"),
    ]
    return run_anki_desktop(
        apkg, tmp / "anki", [CardPlan(card.cid, steps)], screenshots=SCREENSHOTS
    ).cards[0]


def test_an_orientation_6_photo_shows_upright(shown) -> None:
    assert shown.values["image"] == {"natural": [STORED[1], STORED[0]], "complete": True}
    shot = Image.open(shown.screenshots["desktop-privacy-orientation-front"])
    left, top, right, bottom = _box(shot, MAGENTA)  # the picture: magenta at three corners
    red = _box(shot.crop((left, top, right, bottom)), RED)  # in the picture's box
    width, height = right - left, bottom - top
    assert height > 1.5 * width, "shown landscape: the orientation was lost"
    assert abs(red[2] - width) <= 3 and red[1] <= 3, "the red block is not at the top right"
    assert abs(2 * (red[2] - red[0]) - width) <= 6 and abs(2 * (red[3] - red[1]) - height) <= 6


def test_the_review_date_and_evidence_show_on_the_back(shown) -> None:
    provenance = shown.values["provenance"]
    assert provenance["text"] == "Reviewed 2001-02; evidence: ESMO 2000"
    assert provenance["small"] and provenance["height"] > 0
    assert shown.errors() == []
