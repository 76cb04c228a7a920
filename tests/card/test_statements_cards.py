"""The exam kinds' cards (issue 27) in every engine: Chromium as AnkiDroid, WebKit as
AnkiMobile and the real Anki desktop app, light and night.

What each side must show is in ``tests/support/examcards.py``: a Kprim card marked three of four
right shows "3 of 4 — half a point" and the explanations; a true/false card is judged
statement by statement; a twelve-option card lays out at 360 px without horizontal
scrolling (and on a wide window, and in the desktop app), and the options struck out on
the front are struck through on the back. ``reveal_on_tap``: in Anki desktop one tap on
an option reaches the back with the tap marked (the card calls ``pycmd("ans")``); in
Chromium the card calls AnkiDroid's ``showAnswer()`` once, after saving the tap; in WebKit,
where AnkiMobile offers a card no such call, the tap is marked and nothing breaks.
Screenshots land in ``tests/screenshots/exam-*.png`` (git-ignored).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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
)
from tests.support.examcards import (
    EXAM_PROBE,
    KPRIM,
    TRUE_FALSE,
    TWELVE,
    ExamCard,
    act_js,
    build_exam,
    check_kprim,
    check_true_false,
    check_twelve,
    choose_js,
    exam_cards,
)
from tests.support.paths import SCREENSHOTS

CHECKS = {KPRIM: check_kprim, TRUE_FALSE: check_true_false, TWELVE: check_twelve}
PHONE = (360, 740)
WIDE = (1280, 800)
THEMES = pytest.mark.parametrize("night", [False, True], ids=["light", "night"])


@pytest.fixture(scope="module")
def cards(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ExamCard]:
    tmp = tmp_path_factory.mktemp("exam")
    return exam_cards(build_exam(tmp), tmp)


@pytest.fixture(scope="module")
def reveal_cards(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ExamCard]:
    tmp = tmp_path_factory.mktemp("exam-reveal")
    return exam_cards(build_exam(tmp, reveal=True), tmp)


def _front_steps(ref: str, card: ExamCard) -> list[str]:
    """The scripts a learner's front runs: the marks or strike-outs, then the choice."""
    return [act_js(ref, card)] + ([choose_js()] if ref == TWELVE else [])


# --- Chromium as AnkiDroid ------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=LAUNCH_ARGS)
        yield b
        b.close()


def _context(browser, viewport: tuple[int, int]):
    context = browser.new_context(
        viewport={"width": viewport[0], "height": viewport[1]}, device_scale_factor=1
    )
    pages: dict[str, str] = {}
    context.route(
        f"{ORIGIN}/**",
        lambda route: route.fulfill(
            body=pages[route.request.url.removeprefix(ORIGIN)], content_type="text/html"
        ),
    )
    context.route(lambda url: not url.startswith(ORIGIN), lambda route: route.abort())
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, pages, errors


def _readable(page, where: str) -> None:
    selectors = ".db-question, .db-option-text, .db-verdict, .db-judged, .db-rule, .db-mark"
    for item in page.evaluate(COLOURS, selectors):
        ratio = contrast(parse_rgb(item["color"]), parse_rgb(item["background"]))
        assert ratio >= 4.5, (where, item, ratio)


@pytest.mark.browser
@THEMES
def test_android_every_kind_front_then_back_as_a_new_page(cards, chromium, night: bool) -> None:
    mode = "night" if night else "light"
    context, page, pages, errors = _context(chromium, PHONE)
    try:
        for n, (ref, check) in enumerate(CHECKS.items()):
            card = cards[ref]
            pages[f"/{n}/front"] = side_document(card.front, "", night=night)
            pages[f"/{n}/back"] = side_document(card.back, "", night=night)
            page.goto(f"{ORIGIN}/{n}/front")
            for js in _front_steps(ref, card):
                page.evaluate(js)
            front = page.evaluate(EXAM_PROBE)
            assert (luminance(parse_rgb(front["background"])) < 0.1) == night
            _readable(page, f"{ref} front {mode}")
            shot = f"exam-phone-{mode}-{ref.rsplit('/', 1)[-1]}"
            page.screenshot(path=str(SCREENSHOTS / f"{shot}-front.png"), full_page=True)
            page.goto(f"{ORIGIN}/{n}/back")  # AnkiDroid: the back is a new page
            back = page.evaluate(EXAM_PROBE)
            _readable(page, f"{ref} back {mode}")
            page.screenshot(path=str(SCREENSHOTS / f"{shot}-back.png"), full_page=True)
            check(card, front, back, f"android {mode} {ref}")
    finally:
        context.close()
    assert errors == []


@pytest.mark.browser
def test_twelve_options_on_a_wide_window(cards, chromium) -> None:
    context, page, pages, _ = _context(chromium, WIDE)
    try:
        card = cards[TWELVE]
        for side, html in (("front", card.front), ("back", card.back)):
            pages[f"/{side}"] = side_document(html, "")
            page.goto(f"{ORIGIN}/{side}")
            probe = page.evaluate(EXAM_PROBE)
            assert probe["overflow"] <= 0 and len(probe["options"]) == 12
            for o in probe["options"]:
                assert o["choice"][0] > 600, o  # the options use the card's width
    finally:
        context.close()


@pytest.mark.browser
def test_android_reveal_on_tap_saves_the_tap_then_asks_for_the_back(reveal_cards, chromium) -> None:
    """AnkiDroid's global showAnswer(), as its reviewer defines it, is called once, after
    the tap is saved; a strike-out asks for nothing; a question of statements never
    reveals (every statement must be marked first)."""
    context, page, pages, errors = _context(chromium, PHONE)
    log = """window.asked = [];
      window.showAnswer = function () {
        asked.push(JSON.parse(sessionStorage.getItem("deckbuilder-card")).chosen.slice());
      };
      true"""
    try:
        card = reveal_cards[TWELVE]
        assert 'data-reveal="tap"' in card.front
        pages["/front"] = side_document(card.front, "")
        page.goto(f"{ORIGIN}/front")
        page.evaluate(log)
        page.evaluate(act_js(TWELVE, card))
        assert page.evaluate("window.asked") == []
        page.evaluate(choose_js("B"))
        page.evaluate(choose_js("A"))  # a second tap before the back arrives
        assert page.evaluate("window.asked") == [["B"]]
        kprim = reveal_cards[KPRIM]
        pages["/kprim"] = side_document(kprim.front, "")
        page.goto(f"{ORIGIN}/kprim")
        page.evaluate(log)
        page.evaluate(act_js(KPRIM, kprim))
        assert page.evaluate("window.asked") == []
    finally:
        context.close()
    assert errors == []


@pytest.mark.browser
def test_android_long_press_strikes_out_without_choosing(cards, chromium) -> None:
    """A long press: Chromium on Android reports it as a context menu (the page takes
    it, no menu opens); a touch held past half a second does it where no context menu
    comes (iOS), and the click that ends it chooses nothing."""
    context = chromium.new_context(viewport={"width": 360, "height": 740}, has_touch=True)
    page = context.new_page()
    try:
        page.set_content(side_document(cards[TWELVE].front, ""))
        prevented = page.evaluate(
            """() => {
              const b = document.querySelector('.db-choice[data-letter="E"]');
              return !b.dispatchEvent(new MouseEvent('contextmenu',
                { bubbles: true, cancelable: true }));
            }"""
        )
        assert prevented
        page.evaluate(
            """() => new Promise((done) => {
              const b = document.querySelector('.db-choice[data-letter="F"]');
              const t = new Touch({ identifier: 1, target: b, clientX: 10, clientY: 10 });
              b.dispatchEvent(new TouchEvent('touchstart', { touches: [t], bubbles: true }));
              setTimeout(() => {
                b.dispatchEvent(new TouchEvent('touchend', { bubbles: true }));
                b.click();
                done();
              }, 700);
            })"""
        )
        state = page.evaluate("window.deckbuilderCard")
        assert sorted(state["struck"]) == ["E", "F"] and state["chosen"] == []
        assert set(state) == {"ref", "order", "chosen", "struck", "marks"}  # never the answer
    finally:
        context.close()


# --- WebKit as AnkiMobile --------------------------------------------------------------


@pytest.mark.webkit
@THEMES
def test_ankimobile_every_kind_front_then_back_as_a_new_page(
    cards, reveal_cards, night: bool, tmp_path: Path
) -> None:
    from tests.support.webkit import (
        Eval,
        PagePlan,
        Screenshot,
        run_webkit,
        skip_or_fail_if_unavailable,
    )

    skip_or_fail_if_unavailable()
    mode = "night" if night else "light"
    plan = []
    scenario = [(ref, cards[ref]) for ref in CHECKS] + [("reveal", reveal_cards[TWELVE])]
    for ref, card in scenario:
        name = ref.rsplit("/", 1)[-1]
        steps = [Eval(js) for js in _front_steps(TWELVE if ref == "reveal" else ref, card)]
        plan.append(
            PagePlan(
                side_document(card.front, "", night=night),
                [*steps, Eval(EXAM_PROBE, "probe"), Screenshot(f"exam-webkit-{mode}-{name}-front")],
                name=f"{ref} front",
            )
        )
        plan.append(
            PagePlan(
                side_document(card.back, "", night=night),
                [Eval(EXAM_PROBE, "probe"), Screenshot(f"exam-webkit-{mode}-{name}-back")],
                name=f"{ref} back",
            )
        )
    run = run_webkit(plan, size=PHONE, night=night, screenshots=SCREENSHOTS, work=tmp_path)
    assert run.network == [] and run.blocked_navigations == []
    for n, (ref, card) in enumerate(scenario):
        front, back = run.pages[2 * n], run.pages[2 * n + 1]
        assert front.errors() == [] and back.errors() == [], ref
        assert (luminance(parse_rgb(front.values["probe"]["background"])) < 0.1) == night
        check = CHECKS[TWELVE if ref == "reveal" else ref]
        check(card, front.values["probe"], back.values["probe"], f"webkit {mode} {ref}")


# --- Anki desktop -----------------------------------------------------------------------


@pytest.mark.desktop
@THEMES
def test_desktop_every_kind_and_one_tap_reaches_the_back(
    reveal_cards, night: bool, tmp_path: Path
) -> None:
    """In the Anki desktop app: Kprim and true/false marked and shown; the twelve-option
    card of a deck with reveal_on_tap: two options struck out, then one tap on an option
    reaches the back by itself (no Show Answer), the tap and the strike-outs marked."""
    from tests.support.desktop import (
        AwaitAnswer,
        CardPlan,
        Eval,
        Screenshot,
        ShowAnswer,
        ShowQuestion,
        run_anki_desktop,
        skip_or_fail_if_unavailable,
    )

    skip_or_fail_if_unavailable()
    mode = "night" if night else "light"
    apkg = build_exam(tmp_path / "deck", reveal=True)
    entries = []
    for ref in CHECKS:
        card = reveal_cards[ref]
        name = f"exam-desktop-{mode}-{ref.rsplit('/', 1)[-1]}"
        if ref == TWELVE:
            steps = [
                ShowQuestion(),
                Eval(act_js(ref, card)),
                Eval(EXAM_PROBE, "front"),
                Screenshot(f"{name}-front"),
                Eval(choose_js()),
                AwaitAnswer(),
            ]
        else:
            steps = [ShowQuestion(), Eval(act_js(ref, card)), Eval(EXAM_PROBE, "front")]
            steps += [Screenshot(f"{name}-front"), ShowAnswer()]
        steps += [Eval(EXAM_PROBE, "back"), Screenshot(f"{name}-back")]
        entries.append(CardPlan(card.cid, steps))
    run = run_anki_desktop(
        apkg, tmp_path / "anki", entries, night=night, screenshots=SCREENSHOTS, window=WIDE
    )
    assert run.imported["new"] == 3
    for ref, shown in zip(CHECKS, run.cards, strict=True):
        assert shown.errors() == [], ref
        assert ("nightMode" in shown.values["back"]["bodyClass"].split()) == night
        CHECKS[ref](
            reveal_cards[ref], shown.values["front"], shown.values["back"], f"desktop {ref}"
        )
    twelve = run.cards[2]
    assert [s.side for s in twelve.shown] == ["question", "answer"]  # the card asked once
    assert [m for m in run.console if m.level == "error"] == []


@pytest.mark.browser
def test_kprim_statements_change_places_and_the_back_keeps_the_fronts_order(
    cards, chromium
) -> None:
    context, page, pages, errors = _context(chromium, PHONE)
    card = cards[KPRIM]
    pages["/front"] = side_document(card.front, "")
    pages["/back"] = side_document(card.back, "")
    orders = set()
    try:
        for _ in range(10):
            page.goto(f"{ORIGIN}/front")
            front = [s["written"] for s in page.evaluate(EXAM_PROBE)["statements"]]
            page.goto(f"{ORIGIN}/back")
            back = page.evaluate(EXAM_PROBE)
            assert [s["written"] for s in back["statements"]] == front
            assert back["verdict"].startswith("Not marked. The answer: A ")
            orders.add(tuple(front))
    finally:
        context.close()
    assert len(orders) >= 2 and errors == []
