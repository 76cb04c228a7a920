"""A deck whose collection and one figure each take several zstd frames
(:mod:`deckbuilder.apkg.frames`) imports whole into the real Anki desktop app (aqt under
Xvfb): every note, a card from the collection's last frames shows its question, and the
figure reaches the profile's media folder byte for byte."""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import pytest
from PIL import Image

from deckbuilder import build
from deckbuilder.apkg.frames import FRAME_SIZE
from tests.support.ankiengine import collection, import_apkg
from tests.support.desktop import (
    CardPlan,
    Eval,
    ShowQuestion,
    run_anki_desktop,
    skip_or_fail_if_unavailable,
)
from tests.support.helpers import generated_content
from tests.support.packages import collection_bytes

skip_or_fail_if_unavailable()
pytestmark = pytest.mark.desktop

CASES = 160  # a collection of over four frames


def test_a_deck_of_several_zstd_frames_imports_whole_into_anki_desktop(tmp_path: Path) -> None:
    content = generated_content(tmp_path / "content", CASES)
    figure = content / "images" / "fig1.png"  # shown by every fourth case, the last too
    Image.frombytes("RGB", (1024, 1024), os.urandom(3 * 1024 * 1024)).save(figure)
    assert figure.stat().st_size > 2 * FRAME_SIZE
    apkg = build(content, tmp_path / "dist", cache=False).deck_path
    assert len(collection_bytes(apkg)) > 4 * FRAME_SIZE
    with collection(tmp_path / "c.anki2") as col:
        import_apkg(col, apkg)
        (cid,) = col.find_cards(f'"Ref:case-{CASES - 3:06d}/q5"')
        question = html.unescape(re.sub(r"<[^>]+>", "", col.get_card(cid).note()["Question"]))
    text = "document.getElementById('qa').innerText"
    run = run_anki_desktop(
        apkg, tmp_path / "desktop", [CardPlan(cid, [ShowQuestion(), Eval(text, "text")])]
    )
    assert run.imported == {"new": CASES * 7, "updated": 0, "duplicate": 0, "conflicting": 0}
    assert " ".join(question.split())[:60] in " ".join(run.cards[0].values["text"].split())
    media = [p for p in (tmp_path / "desktop").rglob("*") if p.parent.name == "collection.media"]
    assert any(p.read_bytes() == figure.read_bytes() for p in media), media
