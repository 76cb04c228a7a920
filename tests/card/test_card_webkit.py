"""The cards in WebKit, the engine of AnkiMobile (iOS), at iPhone size.

Each side is Anki's own rendering (``card.question()``/``card.answer()``), framed as
Anki's reviewer frames a side (``side_document``), and shown in WebKitGTK at 390x844 in
light and night mode, the way AnkiMobile shows it: the front as a page, taps on options,
then the back as a new page in the same web view, where the card script must find the
showing in ``sessionStorage``. The scenario and what each side must show are those of
every engine (``tests/support/cardcheck.py``): the default deck and the deck of every card
feature, one WebKit run per deck and theme; and the facts' cloze cards. The harness
serves no media, so the images are put into the pages as ``data:`` URLs of the bytes
Anki stores, their media name alongside. Screenshots land in
``tests/screenshots/webkit-*.png`` (git-ignored).
"""

from __future__ import annotations

import base64
import re

import pytest

from deckbuilder.authoring.preview import side_document
from tests.support.browser import COLOURS, contrast, luminance, parse_rgb
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
from tests.support.clozecheck import CLOZE_PROBE, check_cloze, engine_cloze_cards
from tests.support.paths import DEFAULT_CONTENT, SCREENSHOTS
from tests.support.webkit import Eval, PagePlan, Screenshot, run_webkit, skip_or_fail_if_unavailable

skip_or_fail_if_unavailable()
pytestmark = pytest.mark.webkit

PHONE = (390, 844)  # CSS pixels of an iPhone 12-15 in portrait
MIN_TAP = 44  # Apple's minimum tap target, in points (CSS pixels)
DECKS = {"default": DEFAULT_CONTENT, "features": FEATURES}
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def inline_media(html: str, card: EngineCard) -> str:
    """The side with each ``<img src="db-…">`` as a data: URL, its name in data-media."""

    def swap(match: re.Match[str]) -> str:
        name = match.group(1)
        data = base64.b64encode(card.media[name]).decode()
        return f'src="data:image/png;base64,{data}" data-media="{name}"'

    return re.sub(r'src="(db-[^"]+)"', swap, html)


def plan(scenario: list[Visit], night: bool) -> list[PagePlan]:
    pages = []
    for n, visit in enumerate(scenario):
        front = [Eval(PROBE, name="probe"), Eval(tap_js(visit.taps))]
        back = [Eval(PROBE, name="probe")]
        if visit.shot:
            front.append(Screenshot(f"{visit.shot}-front"))
            back.append(Screenshot(f"{visit.shot}-back"))
        card = visit.card
        pages.append(
            PagePlan(
                side_document(inline_media(card.front, card), "", night=night),
                front,
                name=f"{n} {card.ref} front",
            )
        )
        pages.append(  # AnkiMobile: the back is a new page in the same web view
            PagePlan(
                side_document(inline_media(card.back, card), "", night=night),
                back,
                name=f"{n} {card.ref} back",
            )
        )
    return pages


@pytest.fixture(scope="module", params=list(DECKS))
def deck(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp(f"webkit-{request.param}")
    return request.param, engine_cards(build_deck(DECKS[request.param], tmp), tmp)


@pytest.fixture(scope="module", params=[False, True], ids=["light", "night"])
def webkit(request: pytest.FixtureRequest, deck, tmp_path_factory: pytest.TempPathFactory):
    name, cards = deck
    night: bool = request.param
    mode = "night" if night else "light"
    scenario = visits(cards, night, f"webkit-{name}-{mode}")
    for old in SCREENSHOTS.glob(f"webkit-{name}-{mode}-*.png"):  # so every one checked is new
        old.unlink()
    run = run_webkit(
        plan(scenario, night),
        size=PHONE,
        night=night,
        screenshots=SCREENSHOTS,
        work=tmp_path_factory.mktemp(f"webkit-run-{name}-{mode}"),
    )
    return scenario, run, night


def test_the_engine_is_webkit_and_nothing_reaches_the_network(webkit) -> None:
    _, run, _ = webkit
    assert "AppleWebKit/" in run.user_agent and "Chrome" not in run.user_agent
    assert run.network == [], "a card asked the network for something"
    assert run.blocked_navigations == []


def test_every_showing_front_and_back(webkit) -> None:
    scenario, run, night = webkit
    assert len(run.pages) == 2 * len(scenario)
    shown = [
        (visit, run.pages[2 * n].values["probe"], run.pages[2 * n + 1].values["probe"])
        for n, visit in enumerate(scenario)
    ]
    check_visits(shown, f"webkit {'night' if night else 'light'}")
    for _, front, back in shown:
        for probe in (front, back):
            assert ("nightMode" in probe["bodyClass"].split()) is night
            assert (luminance(parse_rgb(probe["background"])) < 0.1) is night
            assert probe["overflow"] <= 0, probe["overflow"]
            for option in probe["options"]:
                assert option["height"] >= MIN_TAP and option["width"] >= MIN_TAP, option


def test_no_console_errors_and_screenshots_taken(webkit) -> None:
    scenario, run, _ = webkit
    for page in run.pages:
        assert page.errors() == [], page.name
    for n, visit in enumerate(scenario):
        if not visit.shot:
            continue
        for page, side in ((run.pages[2 * n], "front"), (run.pages[2 * n + 1], "back")):
            shot = page.screenshots[f"{visit.shot}-{side}"]
            assert shot == SCREENSHOTS / f"{visit.shot}-{side}.png"
            assert shot.stat().st_size > 1000, shot
            assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", shot


@pytest.mark.parametrize("night", [False, True], ids=["light", "night"])
def test_fact_cards_at_iphone_size(night: bool, tmp_path) -> None:
    """The facts' cloze cards as AnkiMobile's engine shows them: the deletion hidden on
    the front, shown and marked on the back, readable, no horizontal scrolling at 390 px,
    no error."""
    clozes = engine_cloze_cards(build_deck(DEFAULT_CONTENT, tmp_path), tmp_path)
    assert clozes
    mode = "night" if night else "light"
    pages = []
    for n, card in enumerate(clozes):
        for side, html in (("front", card.front), ("back", card.back)):
            steps = [
                Eval(CLOZE_PROBE, "probe"),
                Eval(OVERFLOW, "overflow"),
                Eval(f"({COLOURS})('.db-fact, .db-extra p')", "colours"),
            ]
            if n == 0:
                steps.append(Screenshot(f"webkit-cloze-{mode}-{side}"))
            pages.append(
                PagePlan(side_document(html, "", night=night), steps, name=f"{card.ref} {side}")
            )
    run = run_webkit(pages, size=PHONE, night=night, screenshots=SCREENSHOTS, work=tmp_path)
    assert len(run.pages) == 2 * len(clozes)
    for n, card in enumerate(clozes):
        front, back = run.pages[2 * n], run.pages[2 * n + 1]
        for page in (front, back):
            probe = page.values["probe"]
            assert (luminance(parse_rgb(probe["background"])) < 0.1) is night, page.name
            marked = parse_rgb(probe["clozeBackground"])
            assert contrast(parse_rgb(probe["clozeColor"]), marked) >= 4.5, (page.name, probe)
            assert page.values["overflow"] <= 0, page.name
            assert page.values["colours"], page.name  # the sentence at least
            for item in page.values["colours"]:
                ratio = contrast(parse_rgb(item["color"]), parse_rgb(item["background"]))
                assert ratio >= 4.5, (page.name, item, ratio)
            assert page.errors() == [], page.name
        check_cloze(card, front.values["probe"], back.values["probe"], f"webkit {mode}")
    assert run.network == [] and run.blocked_navigations == []
