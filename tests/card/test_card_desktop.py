"""The cards in the real Anki desktop app, in light and night mode.

Anki desktop keeps one page for every card and side: the back replaces the front in the
same page and the card script runs again, with Anki's reviewer script, theme classes and
MathJax around it. So the tap → Show Answer flow is checked here, in the app itself (one
start per deck and theme, every showing planned into it), not imitated in Chromium.

Two decks: the default deck (its options shuffled) and ``tests/fixtures/features``
(figures with the case and back-only figures, a shuffled question with a pinned "None of
the above" and per-option explanations, a select-all question, a question in written
order). Every card is shown and tapped (see ``tests/support/cardcheck.py`` for the scenario and
what each side must show), then one card ten times; every cloze card of the facts is
shown front and back (``tests/support/clozecheck.py``). Screenshots of every front and back
land in ``tests/screenshots/desktop-*.png`` (git-ignored).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.browser import luminance, parse_rgb
from tests.support.cardcheck import (
    FEATURES,
    PROBE,
    EngineCard,
    Visit,
    build_deck,
    check_visits,
    engine_cards,
    tap_js,
    visits,
)
from tests.support.clozecheck import CLOZE_PROBE, ClozeCard, check_cloze, engine_cloze_cards
from tests.support.desktop import (
    CardPlan,
    Eval,
    Screenshot,
    ShowAnswer,
    ShowQuestion,
    run_anki_desktop,
    skip_or_fail_if_unavailable,
)
from tests.support.helpers import png_size
from tests.support.paths import DEFAULT_CONTENT, SCREENSHOTS

skip_or_fail_if_unavailable()
pytestmark = pytest.mark.desktop

WINDOW = (1280, 800)
DECKS = {"default": DEFAULT_CONTENT, "features": FEATURES}

OVERVIEW = """(() => ({
  deck: document.querySelector("h3") && document.querySelector("h3").innerText,
  description: (document.querySelector(".description") || {}).innerText || null,
}))()"""


def plan(scenario: list[Visit], clozes: list[ClozeCard], name: str) -> list[CardPlan]:
    entries = []
    for visit in scenario:
        front = [ShowQuestion(), Eval(PROBE, "front"), Eval(tap_js(visit.taps))]
        back = [ShowAnswer(), Eval(PROBE, "back")]
        if visit.shot:
            front.append(Screenshot(f"{visit.shot}-front"))
            back.append(Screenshot(f"{visit.shot}-back"))
        entries.append(CardPlan(visit.card.cid, front + back))
    for i, card in enumerate(clozes):
        steps = [
            ShowQuestion(),
            Eval(CLOZE_PROBE, "front"),
            ShowAnswer(),
            Eval(CLOZE_PROBE, "back"),
        ]
        if i == 0:
            steps.insert(2, Screenshot(f"desktop-{name}-cloze-front"))
            steps.append(Screenshot(f"desktop-{name}-cloze-back"))
        entries.append(CardPlan(card.cid, steps))
    return entries


@pytest.fixture(scope="module", params=list(DECKS))
def deck(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp(f"desktop-{request.param}")
    apkg = build_deck(DECKS[request.param], tmp)
    return request.param, apkg, engine_cards(apkg, tmp), engine_cloze_cards(apkg, tmp)


@pytest.fixture(scope="module", params=[False, True], ids=["light", "night"])
def desktop(request: pytest.FixtureRequest, deck, tmp_path_factory: pytest.TempPathFactory):
    name, apkg, cards, clozes = deck
    night: bool = request.param
    mode = "night" if night else "light"
    scenario = visits(cards, night, f"desktop-{name}-{mode}")
    run = run_anki_desktop(
        apkg,
        tmp_path_factory.mktemp(f"anki-desktop-{name}-{mode}"),
        plan(scenario, clozes, f"{name}-{mode}"),
        night=night,
        overview_js=OVERVIEW,
        screenshots=SCREENSHOTS,
        window=WINDOW,
    )
    return scenario, run, night, cards, clozes


def test_every_showing_front_and_back(desktop) -> None:
    scenario, run, night, _, _ = desktop
    runs = run.cards[: len(scenario)]
    assert [c.cid for c in runs] == [v.card.cid for v in scenario]
    shown = [(v, c.values["front"], c.values["back"]) for v, c in zip(scenario, runs, strict=True)]
    check_visits(shown, f"desktop {'night' if night else 'light'}")


def test_every_fact_card_hides_its_deletion_and_shows_it_on_the_back(desktop) -> None:
    scenario, run, night, _, clozes = desktop
    runs = run.cards[len(scenario) :]
    assert [c.cid for c in runs] == [c.cid for c in clozes]
    for card, shown in zip(clozes, runs, strict=True):
        check_cloze(card, shown.values["front"], shown.values["back"], f"desktop night={night}")


def test_the_theme_reaches_the_card(desktop) -> None:
    _, run, night, _, _ = desktop
    for visit in run.cards:
        for side in ("front", "back"):
            probe = visit.values[side]
            assert ("nightMode" in probe["bodyClass"].split()) == night
            assert (luminance(parse_rgb(probe["background"])) < 0.1) == night, probe["background"]


OVERVIEWS = {  # deck -> its name, and a line its description must show
    "default": ("Clinical Quiz", "Dedifferentiation of an atypical lipomatous tumor"),
    "features": ("Card features", "A swollen knee"),
}


def test_the_deck_imports_and_its_overview_shows_it(desktop, deck) -> None:
    _, run, _, cards, clozes = desktop
    notes = len(cards) + len({c.nid for c in clozes})
    assert run.imported == {"new": notes, "updated": 0, "duplicate": 0, "conflicting": 0}
    name, case_title = OVERVIEWS[deck[0]]
    assert run.overview["deck"] == name
    assert case_title in run.overview["description"], run.overview["description"]


def test_no_console_errors_and_no_sound(desktop) -> None:
    _, run, _, _, _ = desktop
    for visit in run.cards:
        assert visit.errors() == [], visit.cid
        # Anki would play these on its own: the cards carry no [sound:] or tts tags.
        assert visit.question_av_tags == [] and visit.answer_av_tags == []
    assert [m for m in run.console if m.level == "error"] == []


def test_screenshots_of_every_front_and_back(desktop) -> None:
    scenario, run, _, _, _ = desktop
    for visit, card_run in zip(scenario, run.cards[: len(scenario)], strict=True):
        if not visit.shot:
            continue
        sides = [card_run.screenshots[f"{visit.shot}-{side}"] for side in ("front", "back")]
        for path in sides:
            assert path.parent == SCREENSHOTS and png_size(path) == WINDOW, path
        assert sides[0].read_bytes() != sides[1].read_bytes(), visit.card.ref


def test_a_figure_opens_full_screen_and_closes(tmp_path: Path) -> None:
    apkg = build_deck(FEATURES, tmp_path)
    card = next(c for c in engine_cards(apkg, tmp_path) if c.case_images)
    zoom = """(() => {
      const b = document.querySelector(".db-zoom");
      b.click();
      const open = b.getBoundingClientRect();
      b.click();
      const closed = b.getBoundingClientRect();
      return { open: [open.width, open.height], closed: [closed.width, closed.height],
               window: [innerWidth, innerHeight] };
    })()"""
    run = run_anki_desktop(apkg, tmp_path, [CardPlan(card.cid, [ShowQuestion(), Eval(zoom, "z")])])
    z = run.cards[0].values["z"]
    assert z["open"] == z["window"], z
    assert z["closed"][0] < z["window"][0], z


__all__ = ["EngineCard"]
