"""The default deck's cards in the real Anki desktop app, in light and night mode.

Anki desktop keeps one page for every card and side: the back replaces the front in the
same page and the card script runs again, with Anki's reviewer script, theme classes and
MathJax around it. So the tap → Show Answer flow is checked here, in the app itself (one
start per theme, every card planned into it), not imitated in Chromium. Screenshots of
every front and back land in ``tests/screenshots/desktop-*.png`` (git-ignored).
"""

from __future__ import annotations

import re
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from deckbuilder.build import build
from tests.ankiengine import import_apkg, open_collection
from tests.browser import SCREENSHOTS, luminance, parse_rgb
from tests.conftest import DEFAULT_CONTENT
from tests.desktop import (
    CardPlan,
    CardRun,
    DesktopRun,
    Eval,
    Screenshot,
    ShowAnswer,
    ShowQuestion,
    run_anki_desktop,
    skip_or_fail_if_unavailable,
)
from tests.helpers import visible_text

skip_or_fail_if_unavailable()
pytestmark = pytest.mark.desktop

WINDOW = (1280, 800)
REPEATS = 10  # visits of one card in a row, as when it comes back after "Again"


@dataclass(frozen=True)
class Card:
    cid: int
    ref: str
    answer: str
    letters: tuple[str, ...]
    title: str
    case: str  # visible text
    question: str
    options: tuple[str, ...]
    critique: str

    def wrong(self) -> str:
        return next(x for x in self.letters if x != self.answer)

    def slug(self) -> str:
        return self.ref.replace("/", "-")


@dataclass(frozen=True)
class Deck:
    apkg: Path
    cards: list[Card]
    description: str  # visible text of deck.yaml's description


# What the reviewer's page shows, read in the page itself.
FRONT = """(() => {
  const qa = document.getElementById("qa");
  const card = qa.querySelector(".db-card");
  return {
    front: !!card && card.classList.contains("db-front"),
    text: qa.innerText,
    content: Array.from(qa.querySelectorAll(".db-card")).map((c) => c.textContent).join(" "),
    letters: Array.from(qa.querySelectorAll(".db-choice")).map((b) => b.dataset.letter),
    answerMarks: document.querySelectorAll("[class*='db-answer-'], [data-answer]").length,
    bodyClass: document.body.className,
    background: getComputedStyle(document.body).backgroundColor,
  };
})()"""

# Tap an option as the learner does (a click on its button), then bring the question
# and options into view for the screenshot; returns the options marked as selected.
TAP = """(() => {
  document.querySelector('.db-choice[data-letter="%s"]').click();
  document.querySelector(".db-question").scrollIntoView({ block: "start" });
  return Array.from(document.querySelectorAll(".db-option.db-selected"))
    .map((li) => li.dataset.letter);
})()"""

BACK = """(() => {
  const qa = document.getElementById("qa");
  const card = qa.querySelector(".db-card");
  const options = Array.from(qa.querySelectorAll(".db-option"));
  const border = (li) => getComputedStyle(li.querySelector(".db-choice")).borderTopColor;
  return {
    back: !!card && card.classList.contains("db-back"),
    text: qa.innerText,
    classes: Object.fromEntries(options.map((li) => [li.dataset.letter, li.className])),
    borders: Object.fromEntries(options.map((li) => [li.dataset.letter, border(li)])),
    rightBorder: getComputedStyle(document.body).getPropertyValue("--db-right-border").trim(),
    chosen: Array.from(qa.querySelectorAll(".db-chosen")).map((li) => li.dataset.letter),
    verdict: qa.querySelector("#db-verdict").innerText.trim(),
  };
})()"""

MARKED = """(() => ({
  chosen: Array.from(document.querySelectorAll("#qa .db-chosen")).map((li) => li.dataset.letter),
  verdict: document.querySelector("#db-verdict").innerText.trim(),
}))()"""

OVERVIEW = """(() => ({
  deck: document.querySelector("h3") && document.querySelector("h3").innerText,
  description: (document.querySelector(".description") || {}).innerText || null,
}))()"""


@pytest.fixture(scope="module")
def deck(tmp_path_factory: pytest.TempPathFactory) -> Deck:
    """The default deck, built, and its cards as Anki's engine stores them (the ids the
    desktop app will have after importing the same package)."""
    tmp = tmp_path_factory.mktemp("desktop-deck")
    content = tmp / "content"  # a copy, lock included: the build never writes to the repo
    shutil.copytree(DEFAULT_CONTENT, content)
    apkg = build(content, tmp / "dist", dry_run=False).deck_path
    col = open_collection(tmp / "c.anki2")
    try:
        import_apkg(col, apkg)
        cards = []
        for cid in sorted(col.find_cards("")):
            note = col.get_card(cid).note()
            options = re.findall(r'<span class="db-option-text">(.*?)</span>', note["Options"])
            cards.append(
                Card(
                    cid=cid,
                    ref=note["Ref"],
                    answer=note["Answer"],
                    letters=tuple(re.findall(r'data-letter="([A-Z])"><button', note["Options"])),
                    title=visible_text(note["Title"]),
                    case=visible_text(note["Case"]),
                    question=visible_text(note["Question"]),
                    options=tuple(visible_text(o) for o in options),
                    critique=visible_text(note["Critique"]),
                )
            )
    finally:
        col.close()
    meta = yaml.safe_load((content / "deck.yaml").read_text(encoding="utf-8"))
    assert len(cards) >= 2, "the stale-choice check needs two cards"
    return Deck(apkg, cards, " ".join(meta["description"].replace("*", "").split()))


def chosen_letter(index: int, card: Card, night: bool) -> str:
    """Right and wrong alternate across cards, and swap between the themes, so every
    card is answered both ways."""
    return card.answer if (index + night) % 2 == 0 else card.wrong()


def plan(deck: Deck, mode: str, night: bool) -> list[CardPlan]:
    entries = []
    for i, card in enumerate(deck.cards):
        name = f"desktop-{mode}-{card.slug()}"
        entries.append(
            CardPlan(
                card.cid,
                [
                    ShowQuestion(),
                    Eval(FRONT, "front"),
                    Eval(TAP % chosen_letter(i, card, night), "selected"),
                    Screenshot(f"{name}-front"),
                    ShowAnswer(),
                    Eval(BACK, "back"),
                    Screenshot(f"{name}-back"),
                ],
            )
        )
    # A stale choice: tap on the first card, then the second card without a tap.
    first, second = deck.cards[0], deck.cards[1]
    entries.append(
        CardPlan(first.cid, [ShowQuestion(), Eval(TAP % first.letters[0]), ShowAnswer()])
    )
    entries.append(CardPlan(second.cid, [ShowQuestion(), ShowAnswer(), Eval(MARKED, "marked")]))
    # One card again and again, a different tap each time.
    for visit in range(REPEATS):
        letter = first.letters[visit % len(first.letters)]
        entries.append(
            CardPlan(
                first.cid,
                [ShowQuestion(), Eval(TAP % letter), ShowAnswer(), Eval(MARKED, "marked")],
            )
        )
    return entries


@pytest.fixture(scope="module", params=[False, True], ids=["light", "night"])
def desktop(
    request: pytest.FixtureRequest, deck: Deck, tmp_path_factory: pytest.TempPathFactory
) -> tuple[DesktopRun, bool]:
    night: bool = request.param
    mode = "night" if night else "light"
    run = run_anki_desktop(
        deck.apkg,
        tmp_path_factory.mktemp(f"anki-desktop-{mode}"),
        plan(deck, mode, night),
        night=night,
        overview_js=OVERVIEW,
        screenshots=SCREENSHOTS,
        window=WINDOW,
    )
    return run, night


def test_the_deck_imports_and_its_overview_shows_the_description(
    deck: Deck, desktop: tuple[DesktopRun, bool]
) -> None:
    run, _ = desktop
    assert run.imported == {
        "new": len(deck.cards),
        "updated": 0,
        "duplicate": 0,
        "conflicting": 0,
    }
    assert run.overview["deck"] == "Clinical Quiz"
    shown = " ".join((run.overview["description"] or "").split())
    assert deck.description in shown
    assert deck.cards[0].title in shown


def test_front_shows_case_question_and_options_but_not_the_answer(
    deck: Deck, desktop: tuple[DesktopRun, bool]
) -> None:
    run, night = desktop
    for card, visit in zip(deck.cards, first_visits(deck, run), strict=True):
        front = visit.values["front"]
        text = " ".join(front["text"].split())
        assert front["front"], card.ref
        assert card.title in text and card.case[:200] in text, card.ref
        assert card.question in text, card.ref
        for option in card.options:
            assert option in text, (card.ref, option)
        assert tuple(front["letters"]) == card.letters
        # Not the answer, in any form: no answer class or attribute, no verdict, no critique.
        assert front["answerMarks"] == 0, card.ref
        content = " ".join(front["content"].split())
        assert "Correct answer" not in content and "You chose" not in content, card.ref
        assert card.critique[:80] not in content, card.ref
        # Anki's own theme classes reach the card, and the card follows them.
        assert ("nightMode" in front["bodyClass"].split()) == night
        assert (luminance(parse_rgb(front["background"])) < 0.1) == night, front["background"]


def test_the_tapped_option_is_marked_on_the_back_with_the_right_one(
    deck: Deck, desktop: tuple[DesktopRun, bool]
) -> None:
    run, night = desktop
    for i, (card, visit) in enumerate(zip(deck.cards, first_visits(deck, run), strict=True)):
        chosen = chosen_letter(i, card, night)
        assert visit.values["selected"] == [chosen], card.ref
        back = visit.values["back"]
        assert back["back"], card.ref
        assert card.critique in " ".join(back["text"].split()), card.ref
        assert back["chosen"] == [chosen], card.ref
        mark = "db-right" if chosen == card.answer else "db-wrong"
        assert mark in back["classes"][chosen].split(), (card.ref, back["classes"])
        if chosen == card.answer:
            assert back["verdict"] == f"You chose {chosen}: correct."
        else:
            assert back["verdict"] == (
                f"You chose {chosen}: incorrect. The correct answer is {card.answer}."
            )
        # The correct option wears the theme's "right" border colour, and only it.
        right = _rgb(back["rightBorder"])
        assert back["borders"][card.answer] == right, (card.ref, back["borders"])
        for letter, colour in back["borders"].items():
            if letter != card.answer:
                assert colour != right, (card.ref, letter)


def test_a_stale_choice_never_marks_the_next_card(
    deck: Deck, desktop: tuple[DesktopRun, bool]
) -> None:
    run, _ = desktop
    second = run.cards[len(deck.cards) + 1]
    assert second.cid == deck.cards[1].cid
    assert second.values["marked"]["chosen"] == []
    assert "You chose" not in second.values["marked"]["verdict"]
    assert second.values["marked"]["verdict"] == f"Correct answer: {deck.cards[1].answer}"


def test_a_card_shown_again_and_again_marks_each_visits_own_tap(
    deck: Deck, desktop: tuple[DesktopRun, bool]
) -> None:
    run, _ = desktop
    first = deck.cards[0]
    visits = run.cards[len(deck.cards) + 2 :]
    assert len(visits) == REPEATS
    for n, visit in enumerate(visits):
        letter = first.letters[n % len(first.letters)]
        assert visit.cid == first.cid
        assert visit.values["marked"]["chosen"] == [letter], n
        assert visit.values["marked"]["verdict"].startswith(f"You chose {letter}:"), n


def test_no_console_errors_and_no_sound(desktop: tuple[DesktopRun, bool]) -> None:
    run, _ = desktop
    for visit in run.cards:
        assert visit.errors() == [], visit.cid
        # Anki would play these on its own: the cards carry no [sound:] or tts tags.
        assert visit.question_av_tags == [] and visit.answer_av_tags == []
    assert [m for m in run.console if m.level == "error"] == []


def test_screenshots_of_every_front_and_back(deck: Deck, desktop: tuple[DesktopRun, bool]) -> None:
    run, night = desktop
    mode = "night" if night else "light"
    for card, visit in zip(deck.cards, first_visits(deck, run), strict=True):
        sides = [visit.screenshots[f"desktop-{mode}-{card.slug()}-{s}"] for s in ("front", "back")]
        for path in sides:
            assert path.parent == SCREENSHOTS and _png_size(path) == WINDOW, path
        assert sides[0].read_bytes() != sides[1].read_bytes(), card.ref


def first_visits(deck: Deck, run: DesktopRun) -> list[CardRun]:
    """The run's entries of the first pass over the deck (the plan's first entries)."""
    visits = run.cards[: len(deck.cards)]
    assert [v.cid for v in visits] == [c.cid for c in deck.cards]
    return visits


def _rgb(hex_colour: str) -> str:
    h = hex_colour.strip().lstrip("#")
    return "rgb({}, {}, {})".format(*(int(h[i : i + 2], 16) for i in (0, 2, 4)))


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", data[16:24])
