"""The default deck's cards in WebKit, the engine of AnkiMobile (iOS), at iPhone size.

Each card is rendered by the official ``anki`` package (``card.question()`` and
``card.answer()``), framed as Anki's reviewer frames a side (``side_document``), and
shown in WebKitGTK at 390x844 in light and night mode, the way AnkiMobile shows it: the
front as a page, a tap on an option, then the back as a new page in the same web view,
where the card script must find the tap in ``sessionStorage``. Right and wrong answers
alternate across cards and swap between the themes, so every card is answered both
ways. One WebKit run per theme. Screenshots land in ``tests/screenshots/webkit-*.png``
(git-ignored).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from typing import Any

import pytest

from deckbuilder.authoring.preview import side_document
from deckbuilder.build import build
from tests.ankiengine import import_apkg, open_collection
from tests.browser import SCREENSHOTS, luminance, parse_rgb
from tests.conftest import DEFAULT_CONTENT
from tests.helpers import visible_text
from tests.webkit import (
    Click,
    Eval,
    PagePlan,
    PageRun,
    Screenshot,
    WebKitRun,
    run_webkit,
    skip_or_fail_if_unavailable,
)

skip_or_fail_if_unavailable()
pytestmark = pytest.mark.webkit

PHONE = (390, 844)  # CSS pixels of an iPhone 12-15 in portrait
MIN_TAP = 44  # Apple's minimum tap target, in points (CSS pixels)


@dataclass(frozen=True)
class Card:
    ref: str
    answer: str
    letters: tuple[str, ...]
    question: str  # visible text
    options: tuple[str, ...]  # visible text of each option, in letter order
    critique: str  # visible text
    front: str  # the side as Anki's engine renders it: <style> + template HTML + script
    back: str

    def wrong(self) -> str:
        return next(x for x in self.letters if x != self.answer)

    def slug(self) -> str:
        return self.ref.replace("/", "-")


# What a side shows, read in the page. "answerMarks" counts elements with a class that
# starts with db-answer (the back's marks of the correct answer).
SIDE = """(() => {
  const root = document.documentElement;
  const card = document.querySelector(".db-card");
  return {
    front: !!card && card.classList.contains("db-front"),
    back: !!card && card.classList.contains("db-back"),
    text: document.body.innerText,
    letters: Array.from(document.querySelectorAll(".db-choice")).map((b) => b.dataset.letter),
    answerMarks: Array.from(document.querySelectorAll("[class]")).filter((el) =>
      Array.from(el.classList).some((c) => c.startsWith("db-answer"))).length,
    overflow: root.scrollWidth - root.clientWidth,
    clientWidth: root.clientWidth,
    choices: Array.from(document.querySelectorAll(".db-choice")).map((b) => {
      const r = b.getBoundingClientRect();
      return { letter: b.dataset.letter, width: r.width, height: r.height };
    }),
    bodyClass: document.body.className,
    background: getComputedStyle(document.body).backgroundColor,
  };
})()"""

SELECTED = """Array.from(document.querySelectorAll(".db-option.db-selected"))
  .map((li) => li.dataset.letter)"""

MARKED = """(() => ({
  chosen: Array.from(document.querySelectorAll("li.db-option.db-chosen")).map((li) => ({
    letter: li.dataset.letter, classes: Array.from(li.classList) })),
  verdict: document.getElementById("db-verdict").textContent.trim(),
}))()"""


@pytest.fixture(scope="module")
def cards(tmp_path_factory: pytest.TempPathFactory) -> list[Card]:
    """Every card of the default deck, as Anki's engine renders it after an import."""
    tmp = tmp_path_factory.mktemp("webkit-deck")
    content = tmp / "content"  # a copy, lock included: the build never writes to the repo
    shutil.copytree(DEFAULT_CONTENT, content)
    apkg = build(content, tmp / "dist", dry_run=False).deck_path
    col = open_collection(tmp / "c.anki2")
    try:
        import_apkg(col, apkg)
        out = []
        for cid in sorted(col.find_cards("")):
            card = col.get_card(cid)
            note = card.note()
            options = re.findall(r'<span class="db-option-text">(.*?)</span>', note["Options"])
            out.append(
                Card(
                    ref=note["Ref"],
                    answer=note["Answer"],
                    letters=tuple(re.findall(r'data-letter="([A-Z])"><button', note["Options"])),
                    question=visible_text(note["Question"]),
                    options=tuple(visible_text(o) for o in options),
                    critique=visible_text(note["Critique"]),
                    front=card.question(),
                    back=card.answer(),
                )
            )
    finally:
        col.close()
    assert out, "the default deck has no cards"
    return out


def chosen_letter(index: int, card: Card, night: bool) -> str:
    """Right and wrong alternate across cards, and swap between the themes, so every
    card is answered both ways."""
    return card.answer if (index + night) % 2 == 0 else card.wrong()


def plan(cards: list[Card], night: bool) -> list[PagePlan]:
    mode = "night" if night else "light"
    pages = []
    for i, card in enumerate(cards):
        name = f"webkit-{mode}-{card.slug()}"
        letter = chosen_letter(i, card, night)
        pages.append(
            PagePlan(
                side_document(card.front, "", night=night),
                [
                    Eval(SIDE, name="side"),
                    Click(f'.db-choice[data-letter="{letter}"]'),
                    Eval(SELECTED, name="selected"),
                    Screenshot(f"{name}-front"),
                ],
                name=f"{card.ref} front",
            )
        )
        pages.append(  # AnkiMobile: the back is a new page in the same web view
            PagePlan(
                side_document(card.back, "", night=night),
                [Eval(SIDE, name="side"), Eval(MARKED, name="marked"), Screenshot(f"{name}-back")],
                name=f"{card.ref} back",
            )
        )
    return pages


@pytest.fixture(scope="module", params=[False, True], ids=["light", "night"])
def webkit(
    request: pytest.FixtureRequest, cards: list[Card], tmp_path_factory: pytest.TempPathFactory
) -> tuple[WebKitRun, bool]:
    night: bool = request.param
    mode = "night" if night else "light"
    for old in SCREENSHOTS.glob(f"webkit-{mode}-*.png"):  # so every one checked is new
        old.unlink()
    run = run_webkit(
        plan(cards, night),
        size=PHONE,
        night=night,
        screenshots=SCREENSHOTS,
        work=tmp_path_factory.mktemp(f"webkit-{mode}"),
    )
    return run, night


def sides(run: WebKitRun, cards: list[Card]) -> list[tuple[int, Card, PageRun, PageRun]]:
    assert len(run.pages) == 2 * len(cards)
    return [(i, c, run.pages[2 * i], run.pages[2 * i + 1]) for i, c in enumerate(cards)]


def check_layout(side: dict[str, Any], where: str) -> None:
    assert side["overflow"] <= 0, f"{where}: {side['overflow']}px of horizontal scrolling"
    assert side["clientWidth"] == PHONE[0], where
    for choice in side["choices"]:
        assert choice["height"] >= MIN_TAP and choice["width"] >= MIN_TAP, (where, choice)


def test_the_engine_is_webkit(webkit: tuple[WebKitRun, bool]) -> None:
    run, _ = webkit
    assert "AppleWebKit/" in run.user_agent and "Chrome" not in run.user_agent
    assert run.network == [], "a card asked the network for something"
    assert run.blocked_navigations == []


def test_front_shows_the_question_and_options_but_not_the_answer(
    cards: list[Card], webkit: tuple[WebKitRun, bool]
) -> None:
    run, night = webkit
    for _, card, front, _ in sides(run, cards):
        side = front.values["side"]
        where = f"{front.name} ({'night' if night else 'light'})"
        assert side["front"] and not side["back"], where
        assert ("nightMode" in side["bodyClass"].split()) is night, where
        assert (luminance(parse_rgb(side["background"])) < 0.1) is night, (where, side)
        text = " ".join(side["text"].split())
        assert card.question in text, where
        assert side["letters"] == list(card.letters), where
        for option in card.options:
            assert option in text, (where, option)
        assert side["answerMarks"] == 0, where
        assert "Correct answer" not in text, where
        assert card.critique[:80] not in text, where
        check_layout(side, where)


def test_a_tap_on_the_front_is_marked_on_the_back(
    cards: list[Card], webkit: tuple[WebKitRun, bool]
) -> None:
    run, night = webkit
    for i, card, front, back in sides(run, cards):
        letter = chosen_letter(i, card, night)
        where = f"{card.ref} ({'night' if night else 'light'}), chose {letter}"
        assert front.values["selected"] == [letter], where

        side = back.values["side"]
        assert side["back"], where
        assert card.critique in " ".join(side["text"].split()), where
        marked = back.values["marked"]
        verdict = "db-right" if letter == card.answer else "db-wrong"
        assert [m["letter"] for m in marked["chosen"]] == [letter], where
        assert verdict in marked["chosen"][0]["classes"], where
        if letter == card.answer:
            assert marked["verdict"] == f"You chose {letter}: correct.", where
        else:
            assert marked["verdict"] == (
                f"You chose {letter}: incorrect. The correct answer is {card.answer}."
            ), where
        check_layout(side, where)


def test_no_console_errors_and_screenshots_taken(
    cards: list[Card], webkit: tuple[WebKitRun, bool]
) -> None:
    run, night = webkit
    mode = "night" if night else "light"
    for _, card, front, back in sides(run, cards):
        for page in (front, back):
            assert page.errors() == [], page.name
        for page, side in ((front, "front"), (back, "back")):
            shot = page.screenshots[f"webkit-{mode}-{card.slug()}-{side}"]
            assert shot == SCREENSHOTS / f"webkit-{mode}-{card.slug()}-{side}.png"
            assert shot.stat().st_size > 1000, shot
            assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", shot
