"""The cards on a phone as AnkiDroid shows them, in Chromium, and their layout and contrast.

Each side is Anki's own rendering (``card.question()``/``card.answer()`` from the ``anki``
package), framed the way Anki's reviewer frames it, and shown in headless Chromium at
phone size (360x740) in light and night mode. AnkiDroid loads the back as a new page,
so does this: the tap on the front must reach the back through ``sessionStorage``. The
scenario and what each side must show are those of every engine (``tests/support/cardcheck.py``);
here also no horizontal scrolling, tap targets of at least 44 px, text contrast of at
least 4.5:1 (also at 1280x800), a back that works without JavaScript, and text that
follows the user's font size. How Anki desktop shows cards is checked in the app itself
(``test_card_desktop.py``), AnkiMobile's engine in WebKit (``test_card_webkit.py``).
Screenshots land in ``tests/screenshots/`` (git-ignored).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from deckbuilder.authoring.preview import side_document
from tests.support.browser import (
    COLOURS,
    LAUNCH_ARGS,
    ORIGIN,
    chromium_path,
    contrast,
    luminance,
    parse_rgb,
    preview_context,
)
from tests.support.cardcheck import (
    FEATURES,
    PROBE,
    EngineCard,
    build_deck,
    check_visits,
    engine_cards,
    tap_js,
    visits,
)
from tests.support.clozecheck import CLOZE_PROBE, check_cloze, engine_cloze_cards
from tests.support.paths import DEFAULT_CONTENT, SCREENSHOTS

pytestmark = pytest.mark.browser

VIEWPORTS = {"phone": (360, 740), "wide": (1280, 800)}
DECKS = {"default": DEFAULT_CONTENT, "features": FEATURES}


@pytest.fixture(scope="module", params=list(DECKS))
def deck(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp(f"browser-{request.param}")
    return request.param, engine_cards(build_deck(DECKS[request.param], tmp), tmp)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=LAUNCH_ARGS)
        yield b
        b.close()


def _page(browser, viewport: tuple[int, int], cards: list[EngineCard], *, javascript=True):
    """A browser page whose made-up origin serves the pages put in the returned dict and
    the cards' media; nothing else is reachable."""
    context = browser.new_context(
        viewport={"width": viewport[0], "height": viewport[1]},
        java_script_enabled=javascript,
        device_scale_factor=1,
    )
    pages: dict[str, str] = {}
    media = {name: data for card in cards for name, data in card.media.items()}

    def serve(route) -> None:
        path = route.request.url.removeprefix(ORIGIN)
        name = path.rsplit("/", 1)[-1]
        if name in media:
            route.fulfill(body=media[name], content_type="image/png")
        else:
            route.fulfill(body=pages[path], content_type="text/html")

    context.route(f"{ORIGIN}/**", serve)
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
    for box in page.locator(".db-zoom img").all():
        b = box.bounding_box()
        assert b is not None and b["x"] >= 0 and b["x"] + b["width"] <= page.viewport_size["width"]


def _check_contrast(page, where: str, selectors: str = "") -> None:
    selectors = selectors or (
        ".db-question, .db-case-text p, .db-option-text, .db-critique p, .db-verdict, "
        ".db-explanation, .db-select-all, figcaption"
    )
    for item in page.evaluate(COLOURS, selectors):
        ratio = contrast(parse_rgb(item["color"]), parse_rgb(item["background"]))
        assert ratio >= 4.5, (where, item, ratio)


def _shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("night", [False, True], ids=["light", "night"])
def test_every_showing_on_a_phone_with_the_back_as_a_new_page(deck, browser, night: bool) -> None:
    name, cards = deck
    mode = "night" if night else "light"
    context, page, pages = _page(browser, VIEWPORTS["phone"], cards)
    shown = []
    try:
        for n, visit in enumerate(visits(cards, night, f"phone-{name}-{mode}")):
            pages[f"/{n}/front"] = side_document(visit.card.front, "", night=night)
            pages[f"/{n}/back"] = side_document(visit.card.back, "", night=night)
            page.goto(f"{ORIGIN}/{n}/front")
            front = page.evaluate(PROBE)
            assert (luminance(parse_rgb(front["background"])) < 0.1) == night
            page.evaluate(tap_js(visit.taps))
            if visit.shot:
                _check_layout(page, f"{visit.shot} front")
                _check_contrast(page, f"{visit.shot} front")
                _shoot(page, f"{visit.shot}-front")
            page.goto(f"{ORIGIN}/{n}/back")  # AnkiDroid: the back is a new page
            back = page.evaluate(PROBE)
            if visit.shot:
                _check_layout(page, f"{visit.shot} back")
                _check_contrast(page, f"{visit.shot} back")
                _shoot(page, f"{visit.shot}-back")
            shown.append((visit, front, back))
    finally:
        context.close()
    check_visits(shown, f"phone {name} {mode}")


@pytest.mark.parametrize("night", [False, True], ids=["light", "night"])
def test_fact_cards_on_a_phone(browser, night: bool, tmp_path) -> None:
    """The facts' cloze cards as AnkiDroid shows them: the deletion hidden on the front,
    shown and marked on the back, readable, and no horizontal scrolling at 360 px."""
    clozes = engine_cloze_cards(build_deck(DEFAULT_CONTENT, tmp_path), tmp_path)
    assert clozes
    mode = "night" if night else "light"
    context, page, pages = _page(browser, VIEWPORTS["phone"], [])
    try:
        for n, card in enumerate(clozes):
            shown = {}
            for side, html in (("front", card.front), ("back", card.back)):
                pages[f"/{n}/{side}"] = side_document(html, "", night=night)
                page.goto(f"{ORIGIN}/{n}/{side}")
                shown[side] = probe = page.evaluate(CLOZE_PROBE)
                assert (luminance(parse_rgb(probe["background"])) < 0.1) == night
                marked = parse_rgb(probe["clozeBackground"])
                assert contrast(parse_rgb(probe["clozeColor"]), marked) >= 4.5, (card.ref, probe)
                _check_contrast(page, f"phone {mode} {card.ref} {side}", ".db-fact, .db-extra p")
                if n == 0:
                    _shoot(page, f"phone-cloze-{mode}-{side}")
            check_cloze(card, shown["front"], shown["back"], f"phone {mode}")
    finally:
        context.close()


@pytest.mark.parametrize("night", [False, True], ids=["light", "night"])
def test_wide_layout(deck, browser, night: bool) -> None:
    """The card's CSS on a wide window: no horizontal scrolling, large enough tap
    targets, readable contrast, front and back."""
    name, cards = deck
    context, page, pages = _page(browser, VIEWPORTS["wide"], cards)
    try:
        for i, card in enumerate(cards):
            for side, html in (("front", card.front), ("back", card.back)):
                pages[f"/{i}/{side}"] = side_document(html, "", night=night)
                page.goto(f"{ORIGIN}/{i}/{side}")
                where = f"wide {name} {'night' if night else 'light'} {card.ref} {side}"
                _check_layout(page, where)
                _check_contrast(page, where)
    finally:
        context.close()


def test_back_stands_on_its_own_without_javascript(deck, browser) -> None:
    """Without script: the options in the written order, every correct one marked, the
    explanations listed under the critique by letter; the front holds none of it."""
    name, cards = deck
    context, page, pages = _page(browser, VIEWPORTS["phone"], cards, javascript=False)
    try:
        for i, card in enumerate(cards):
            pages[f"/{i}/front"] = side_document(card.front, "")
            page.goto(f"{ORIGIN}/{i}/front")
            front = " ".join(page.inner_text("body").split())
            assert "Correct answer" not in front and card.critique[:60] not in front
            pages[f"/{i}/back"] = side_document(card.back, "")
            page.goto(f"{ORIGIN}/{i}/back")
            text = " ".join(page.inner_text("body").split())
            assert f"Correct answer: {', '.join(card.answers)}" in text, card.ref
            assert card.critique in text
            for letter, explanation in card.explanations.items():
                assert f"{letter} {explanation}" in text, (card.ref, letter)
            written = page.evaluate(
                "() => Array.from(document.querySelectorAll('.db-option'))"
                ".map((li) => li.dataset.letter)"
            )
            assert written == list(card.options)
            borders = page.evaluate(
                "() => Object.fromEntries(Array.from(document.querySelectorAll('.db-option'))"
                ".map((li) => [li.dataset.letter,"
                " getComputedStyle(li.querySelector('.db-choice')).borderTopColor]))"
            )
            right = {borders[w] for w in card.answers}
            assert len(right) == 1, borders
            assert all(borders[w] not in right for w in card.options if w not in card.answers)
            _shoot(page, f"phone-nojs-{name}-{card.ref.replace('/', '-')}-back")
    finally:
        context.close()


def test_text_follows_the_users_font_size(deck, browser) -> None:
    _, cards = deck
    context, page, pages = _page(browser, VIEWPORTS["phone"], cards)
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


def test_the_preview_page_shows_whole_cards_and_backs_in_place(browser, tmp_path) -> None:
    """``deckbuilder preview``: every card at its full height, tappable, its back shown in
    place (no reload, the taps marked), 360 px wide or wide."""
    from deckbuilder import render_content
    from deckbuilder.authoring.preview import write_preview
    from deckbuilder.notes.notetype import card_file

    rendered = render_content(FEATURES)
    folder = write_preview(rendered.notes, rendered.media, rendered.deck.name, tmp_path)
    written = folder.read_text(encoding="utf-8")  # the card's script once, not per side
    assert f"<script>\n{card_file('card.js')}</script>" not in written
    assert written.count('<script data-pv-shared="card"></script>') == 2 * len(rendered.notes)
    context = preview_context(browser, folder.parent, 1280)
    page = context.new_page()
    try:
        page.goto(f"{ORIGIN}/index.html")
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('.pv-card iframe'))"
            ".every((f) => f.contentDocument.querySelector('.db-card'))"
        )
        page.evaluate("() => { window.notReloaded = true; }")
        sections = page.locator(".pv-card")
        assert sections.count() == len(rendered.notes)
        for width in ("360", "wide"):
            page.check(f'input[name="pv-width"][value="{width}"]')
            for i in range(sections.count()):
                frame = sections.nth(i).locator("iframe")
                fit = frame.evaluate(
                    "(f) => ({ height: f.getBoundingClientRect().height, "
                    "content: f.contentDocument.documentElement.scrollHeight, "
                    "width: f.getBoundingClientRect().width, "
                    "overflow: f.contentDocument.documentElement.scrollWidth "
                    "- f.contentDocument.documentElement.clientWidth })"
                )
                assert abs(fit["height"] - fit["content"]) <= 2, (width, i, fit)
                assert fit["overflow"] <= 0, (width, i, fit)
                if width == "360":
                    assert fit["width"] == 360, fit
        card = sections.nth(0)
        inner = card.frame_locator("iframe")
        inner.locator(".db-choice").first.click()
        card.locator(".pv-show-answer").click()
        verdict = inner.locator("#db-verdict").inner_text()
        assert verdict.startswith("You chose A:"), verdict
        assert page.evaluate("() => window.notReloaded") is True
        fit = card.locator("iframe").evaluate(
            "(f) => [f.getBoundingClientRect().height, "
            "f.contentDocument.documentElement.scrollHeight]"
        )
        assert abs(fit[0] - fit[1]) <= 2, fit
        _shoot(page, "preview-features")
    finally:
        context.close()


def test_a_preview_of_more_cards_than_chromium_has_frames_shows_every_card(
    browser, tmp_path
) -> None:
    """Chromium gives a page at most 1,000 frames: on a page of more cards, a card has its
    frame while it is near the screen, so the last card shows as the first does."""
    from deckbuilder import render_content
    from deckbuilder.authoring.preview import write_preview
    from tests.support.helpers import generated_content

    rendered = render_content(generated_content(tmp_path / "content", 150))
    folder = write_preview(rendered.notes, rendered.media, rendered.deck.name, tmp_path / "pv")
    context = preview_context(browser, folder.parent, 1280)
    page = context.new_page()
    shown = """(section) => { const f = section.querySelector('iframe');
        const d = f && f.contentDocument; return !!(d && d.querySelector('.db-card')); }"""
    try:
        page.goto(f"{ORIGIN}/index.html")
        sections = page.locator(".pv-card")
        cards = sections.count()
        assert cards > 1000
        page.wait_for_function(f"() => ({shown})(document.querySelector('.pv-card'))")
        last = sections.nth(cards - 1)
        last.scroll_into_view_if_needed()
        page.wait_for_function(
            f"() => ({shown})(Array.from(document.querySelectorAll('.pv-card')).pop())"
        )
        frames = page.evaluate("() => document.querySelectorAll('iframe').length")
        assert 0 < frames < 100, frames
        assert not sections.nth(0).evaluate(shown)  # far from the screen now: no frame
        qa = "(s) => s.querySelector('iframe').contentDocument.getElementById('qa').innerHTML"
        front = last.evaluate(qa)
        last.locator(".pv-show-answer").click()
        page.wait_for_function(
            f"(front) => ({qa})(Array.from(document.querySelectorAll('.pv-card')).pop()) !== front",
            arg=front,
        )
    finally:
        context.close()
