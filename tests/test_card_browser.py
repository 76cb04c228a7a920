"""Issue 4: the card as a learner sees it on a phone, rendered by Anki's engine, in Chromium.

Each card of the default deck is rendered by the official ``anki`` package, framed the
way Anki's reviewer frames it, and driven in headless Chromium at phone size (360x740),
in light and night mode: tap an option on the front, load the back as a new page (as
AnkiDroid does), check what is marked. The cards' layout is also checked wide
(1280x800). How Anki desktop shows them (one page for every side, its own scripts and
MathJax) is checked in the app itself: ``test_card_desktop.py``. Screenshots land in
``tests/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from deckbuilder.authoring.preview import side_document
from deckbuilder.build import build
from tests.ankiengine import import_apkg, open_collection
from tests.browser import (
    COLOURS,
    LAUNCH_ARGS,
    ORIGIN,
    SCREENSHOTS,
    chromium_path,
    contrast,
    luminance,
    parse_rgb,
)
from tests.conftest import DEFAULT_CONTENT
from tests.helpers import visible_text

pytestmark = pytest.mark.browser

VIEWPORTS = {"phone": (360, 740), "wide": (1280, 800)}


@dataclass(frozen=True)
class RenderedCard:
    ref: str
    answer: str
    letters: tuple[str, ...]
    critique: str
    front: str  # as the engine renders it: <style> + template HTML + script
    back: str


@pytest.fixture(scope="module")
def cards(tmp_path_factory: pytest.TempPathFactory) -> list[RenderedCard]:
    tmp = tmp_path_factory.mktemp("engine")
    apkg = build(DEFAULT_CONTENT, tmp / "dist", dry_run=False).deck_path
    col = open_collection(tmp / "c.anki2")
    try:
        import_apkg(col, apkg)
        out = []
        for nid in sorted(col.find_notes("")):
            note = col.get_note(nid)
            card = note.cards()[0]
            letters = tuple(re.findall(r'data-letter="([A-Z])"><button', note["Options"]))
            out.append(
                RenderedCard(
                    note["Ref"],
                    note["Answer"],
                    letters,
                    visible_text(note["Critique"]),
                    card.question(),
                    card.answer(),
                )
            )
        return out
    finally:
        col.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=LAUNCH_ARGS)
        yield b
        b.close()


def _page(browser, viewport: tuple[int, int], *, javascript: bool = True):
    context = browser.new_context(
        viewport={"width": viewport[0], "height": viewport[1]},
        java_script_enabled=javascript,
        device_scale_factor=1,
    )
    pages: dict[str, str] = {}
    context.route(
        f"{ORIGIN}/**",
        lambda route: route.fulfill(
            body=pages[route.request.url.removeprefix(ORIGIN)], content_type="text/html"
        ),
    )
    context.route(lambda url: not url.startswith(ORIGIN), lambda route: route.abort())
    return context, context.new_page(), pages


def _check_layout(page, where: str) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{where}: {overflow}px of horizontal scrolling"
    for box in page.locator(".db-choice").all():
        b = box.bounding_box()
        assert b is not None and b["height"] >= 44 and b["width"] >= 44, (where, b)


def _check_contrast(page, where: str) -> None:
    selectors = ".db-question, .db-case-text p, .db-option-text, .db-critique p, .db-verdict"
    for item in page.evaluate(COLOURS, selectors):
        ratio = contrast(parse_rgb(item["color"]), parse_rgb(item["background"]))
        assert ratio >= 4.5, (where, item, ratio)


def _shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("night", [False, True], ids=["light", "night"])
def test_tap_an_option_then_see_it_marked_on_the_back(
    cards: list[RenderedCard], browser, night: bool
) -> None:
    context, page, pages = _page(browser, VIEWPORTS["phone"])
    mode = "night" if night else "light"
    try:
        for i, card in enumerate(cards):
            name = f"phone-{mode}-{card.ref.replace('/', '-')}"
            pages[f"/{i}/front"] = side_document(card.front, "", night=night)
            pages[f"/{i}/back"] = side_document(card.back, "", night=night)
            page.goto(f"{ORIGIN}/{i}/front")

            body = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
            assert (luminance(parse_rgb(body)) < 0.1) == night, body
            front_text = page.inner_text("body")
            assert card.critique[:80] not in " ".join(front_text.split())
            assert "Correct answer" not in front_text
            assert page.locator("[class*=db-answer-]").count() == 0
            _check_layout(page, f"{name} front")
            _check_contrast(page, f"{name} front")

            chosen = (
                card.answer if i % 2 == 0 else next(x for x in card.letters if x != card.answer)
            )
            page.locator(f'.db-choice[data-letter="{chosen}"]').click()
            selected = page.locator(".db-option.db-selected")
            assert selected.count() == 1
            assert selected.get_attribute("data-letter") == chosen
            _shoot(page, f"{name}-front")

            page.goto(f"{ORIGIN}/{i}/back")  # AnkiDroid: the back is a new page

            back_text = " ".join(page.inner_text("body").split())
            assert card.critique in back_text
            right = page.locator(f'.db-option[data-letter="{card.answer}"] .db-choice')
            marker = page.evaluate(
                "() => getComputedStyle(document.body).getPropertyValue('--db-right-border')"
            )
            assert right.evaluate("el => getComputedStyle(el).borderTopColor") == _rgb(marker)
            mine = page.locator(f'.db-option[data-letter="{chosen}"]')
            if chosen == card.answer:
                assert "db-right" in (mine.get_attribute("class") or "")
                assert f"You chose {chosen}: correct." in back_text
            else:
                assert "db-wrong" in (mine.get_attribute("class") or "")
                assert (
                    f"You chose {chosen}: incorrect. The correct answer is {card.answer}."
                    in back_text
                )
            _check_layout(page, f"{name} back")
            _check_contrast(page, f"{name} back")
            _shoot(page, f"{name}-back")
    finally:
        context.close()


@pytest.mark.parametrize("night", [False, True], ids=["light", "night"])
def test_wide_layout(cards: list[RenderedCard], browser, night: bool) -> None:
    """The card's CSS on a wide window: no horizontal scrolling, large enough tap
    targets, readable contrast, front and back."""
    context, page, pages = _page(browser, VIEWPORTS["wide"])
    try:
        for i, card in enumerate(cards):
            for side, html in (("front", card.front), ("back", card.back)):
                pages[f"/{i}/{side}"] = side_document(html, "", night=night)
                page.goto(f"{ORIGIN}/{i}/{side}")
                where = f"wide {'night' if night else 'light'} {card.ref} {side}"
                _check_layout(page, where)
                _check_contrast(page, where)
    finally:
        context.close()


def _rgb(hex_colour: str) -> str:
    h = hex_colour.strip().lstrip("#")
    return "rgb({}, {}, {})".format(*(int(h[i : i + 2], 16) for i in (0, 2, 4)))


def test_back_stands_on_its_own_without_javascript(cards: list[RenderedCard], browser) -> None:
    context, page, pages = _page(browser, VIEWPORTS["phone"], javascript=False)
    try:
        for i, card in enumerate(cards):
            pages[f"/{i}/back"] = side_document(card.back, "")
            page.goto(f"{ORIGIN}/{i}/back")
            text = " ".join(page.inner_text("body").split())
            assert f"Correct answer: {card.answer}" in text
            assert card.critique in text
            right = page.locator(f'.db-option[data-letter="{card.answer}"] .db-choice')
            colour = right.evaluate("el => getComputedStyle(el).borderTopColor")
            others = page.locator(f'.db-option:not([data-letter="{card.answer}"]) .db-choice').first
            assert colour != others.evaluate("el => getComputedStyle(el).borderTopColor")
            _shoot(page, f"phone-nojs-{card.ref.replace('/', '-')}-back")
    finally:
        context.close()


def test_a_stale_choice_never_marks_the_next_card(cards: list[RenderedCard], browser) -> None:
    """AnkiDroid's sessionStorage outlives each page: a choice on one card must not show
    up on the next card's back."""
    context, page, pages = _page(browser, VIEWPORTS["phone"])
    try:
        first, second = cards[0], cards[1]
        for i, card in enumerate((first, second)):
            pages[f"/{i}/front"] = side_document(card.front, "")
            pages[f"/{i}/back"] = side_document(card.back, "")
        page.goto(f"{ORIGIN}/0/front")
        page.locator(f'.db-choice[data-letter="{first.letters[0]}"]').click()
        page.goto(f"{ORIGIN}/0/back")
        assert page.locator(".db-chosen").count() == 1
        page.goto(f"{ORIGIN}/1/front")  # next card, no tap
        page.goto(f"{ORIGIN}/1/back")
        assert page.locator(".db-chosen").count() == 0
        assert "You chose" not in page.inner_text("body")
    finally:
        context.close()


def test_text_follows_the_users_font_size(cards: list[RenderedCard], browser) -> None:
    context, page, pages = _page(browser, VIEWPORTS["phone"])
    try:
        pages["/front"] = side_document(cards[0].front, "")
        sizes = []
        for root in ("16px", "24px"):
            page.goto(f"{ORIGIN}/front")
            page.evaluate(f"() => {{ document.documentElement.style.fontSize = '{root}'; }}")
            sizes.append(
                page.locator(".db-question").evaluate(
                    "el => parseFloat(getComputedStyle(el).fontSize)"
                )
            )
        assert sizes[1] == pytest.approx(sizes[0] * 1.5)
    finally:
        context.close()
