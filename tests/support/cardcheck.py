"""What a learner sees on a card, read the same way in every engine that shows cards.

The card tests drive three real engines — Anki desktop (``tests/support/desktop``),
Chromium as AnkiDroid (``tests/support/browser.py``) and WebKit as AnkiMobile
(``tests/support/webkit``). Each runs the same JavaScript probe in the page (:data:`PROBE`)
and taps options the same way (:func:`tap_js`); the checks here then hold what every client
must show, whatever the engine: the front never holds the answer, the back shows the
options in the order the front showed them and marks the taps right, wrong or missed.

What a card *should* show comes from Anki's own engine: :func:`engine_cards` imports the
deck with the ``anki`` package and reads each note as Anki stores it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tests.support.ankiengine import collection, import_apkg
from tests.support.helpers import visible_text
from tests.support.paths import FIXTURES

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class EngineCard:
    """A card as Anki's engine stores it, and what that means it must show."""

    cid: int
    ref: str
    answers: tuple[str, ...]  # written letters of the correct options
    options: dict[str, str]  # written letter -> visible text, in written order
    select_all: bool
    shuffled: bool
    pinned: tuple[str, ...]
    explanations: dict[str, str]  # written letter -> visible text
    critique: str  # visible text of the critique itself
    question: str
    case_images: tuple[str, ...]  # media shown with the case (front and back)
    back_images: tuple[str, ...]  # media only the back may show
    back_only_text: str  # a caption of a back-only figure ("" if none)
    front: str  # the engine's rendering of each side
    back: str
    media: dict[str, bytes]

    def text_of(self, letters: list[str]) -> list[str]:
        return [self.options[w] for w in letters]

    def wrong(self) -> str:
        return next(w for w in self.options if w not in self.answers)


def engine_cards(apkg: Path, tmp: Path) -> list[EngineCard]:
    """Every multiple-choice card of ``apkg`` as a fresh collection stores it, in card id
    order (the facts' cloze cards are checked by ``test_facts.py``)."""
    with collection(tmp / "engine.anki2") as col:
        import_apkg(col, apkg)
        media_dir = Path(col.media.dir())
        cards = []
        for cid in sorted(col.find_cards("")):
            card = col.get_card(cid)
            note = card.note()
            if "Options" not in note:
                continue
            options_html = note["Options"]
            items = re.findall(
                r'<li class="db-option" data-letter="([A-Z])"([^>]*)>.*?'
                r'<span class="db-option-text">(.*?)</span></button></li>',
                options_html,
                re.S,
            )
            explanations = dict(
                re.findall(r'<dd data-letter="([A-Z])">(.*?)</dd>', note["Critique"], re.S)
            )
            critique = re.sub(
                r'<dl class="db-explanations">.*</dl>', "", note["Critique"], flags=re.S
            )
            media = {
                name: (media_dir / name).read_bytes()
                for name in re.findall(r'src="(db-[^"]+)"', note["Case"] + note["Figures"])
            }
            back_captions = re.findall(r"<figcaption>(.*?)</figcaption>", note["Figures"], re.S)
            cards.append(
                EngineCard(
                    cid=cid,
                    ref=note["Ref"],
                    answers=tuple(re.findall(r"[A-Z]", note["Answer"])),
                    options={w: visible_text(text) for w, _, text in items},
                    select_all='data-select="all"' in options_html,
                    shuffled='data-shuffle="1"' in options_html,
                    pinned=tuple(w for w, attrs, _ in items if 'data-pin="1"' in attrs),
                    explanations={w: visible_text(t) for w, t in explanations.items()},
                    critique=visible_text(critique),
                    question=visible_text(note["Question"]),
                    case_images=tuple(re.findall(r'src="(db-[^"]+)"', note["Case"])),
                    back_images=tuple(re.findall(r'src="(db-[^"]+)"', note["Figures"])),
                    back_only_text=visible_text(back_captions[0]) if back_captions else "",
                    front=card.question(),
                    back=card.answer(),
                    media=media,
                )
            )
        return cards


# Read in the page: the card's side, each option as shown, the verdict, images, and
# anything that would give the answer away.
PROBE = r"""(() => {
  const root = document.getElementById("qa") || document.body;
  const card = root.querySelector(".db-card");
  const text = (el) => (el ? el.textContent : "").replace(/\s+/g, " ").trim();
  const options = Array.from(root.querySelectorAll(".db-option")).map((li) => {
    const button = li.querySelector(".db-choice");
    const box = button.getBoundingClientRect();
    return {
      written: li.getAttribute("data-letter"),
      shown: text(li.querySelector(".db-letter")),
      text: text(li.querySelector(".db-option-text")),
      classes: li.className.split(/\s+/).filter(Boolean),
      pressed: button.getAttribute("aria-pressed"),
      explanation: text(li.querySelector(".db-explanation")),
      border: getComputedStyle(button).borderTopColor,
      height: box.height,
      width: box.width,
    };
  });
  const images = (selector) => Array.from(root.querySelectorAll(selector)).map((img) => ({
    src: img.getAttribute("data-media") || img.getAttribute("src"),
    loaded: img.complete && img.naturalWidth > 0,
    width: img.getBoundingClientRect().width,
  }));
  return {
    side: card ? (card.classList.contains("db-front") ? "front" : "back") : null,
    options,
    selectAll: !!root.querySelector(".db-select-all"),
    verdict: text(root.querySelector("#db-verdict")),
    caseImages: images(".db-case-text img"),
    backImages: images(".db-figures img"),
    allImages: images("img"),
    explanationsInPage: root.querySelectorAll(".db-explanations, .db-explanation").length,
    answerMarks: document.querySelectorAll("[data-answer], [class*='db-answer-']").length,
    text: (root.innerText || "").replace(/\s+/g, " ").trim(),
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    rightBorder: getComputedStyle(document.body).getPropertyValue("--db-right-border").trim(),
    bodyClass: document.body.className,
    background: getComputedStyle(document.body).backgroundColor,
  };
})()"""


def tap_js(letters: list[str]) -> str:
    """Tap the options of these written letters, as a learner does (a click each)."""
    clicks = "".join(
        f"document.querySelector('.db-choice[data-letter=\"{w}\"]').click();" for w in letters
    )
    return f"(() => {{ {clicks} return true; }})()"


def order(probe: dict) -> list[str]:
    """The written letters of the options, in the order the page shows them."""
    return [o["written"] for o in probe["options"]]


def shown_letters(probe: dict) -> dict[str, str]:
    return {o["written"]: o["shown"] for o in probe["options"]}


def check_front(card: EngineCard, probe: dict, where: str) -> None:
    """The front: question, options lettered A, B, C… as shown, pinned ones in place,
    the case's figures, and nothing of the answer."""
    assert probe["side"] == "front", where
    assert card.question in probe["text"], where
    assert sorted(order(probe)) == sorted(card.options), where
    assert [o["shown"] for o in probe["options"]] == list(LETTERS[: len(card.options)]), where
    for o in probe["options"]:
        assert o["text"] == card.options[o["written"]], (where, o)
    written = list(card.options)
    for w in card.pinned:
        assert order(probe).index(w) == written.index(w), (where, "pinned moved", w)
    if not card.shuffled:
        assert order(probe) == written, where
    if card.select_all:  # said by the card, unless the question says it already
        assert re.search(r"\bselect all\b", probe["text"], re.IGNORECASE), where
    else:
        assert not probe["selectAll"], where
    # Nothing of the answer: no mark, no verdict, no critique, no explanation, no
    # figure kept for the back.
    assert probe["answerMarks"] == 0, where
    assert probe["verdict"] == "", where
    assert "Correct answer" not in probe["text"] and "You chose" not in probe["text"], where
    assert card.critique[:60] not in probe["text"], where
    assert probe["explanationsInPage"] == 0, where
    for text in card.explanations.values():
        assert text[:40] not in probe["text"], (where, text)
    srcs = {i["src"] for i in probe["allImages"]}
    assert not srcs & set(card.back_images), (where, "a back-only figure is on the front")
    if card.back_only_text:
        assert card.back_only_text[:40] not in probe["text"], where
    assert {i["src"] for i in probe["caseImages"]} == set(card.case_images), where
    for image in probe["caseImages"]:
        assert image["loaded"], (where, image)


def expected_verdict(card: EngineCard, front: dict, chosen: list[str]) -> str:
    """What the back must say after these taps, in the letters the front showed."""
    shown = shown_letters(front)

    def letters(ws: list[str]) -> str:
        return ", ".join(sorted(shown[w] for w in ws))

    def named(w: str) -> str:
        return f"{shown[w]} \u2014 {card.options[w]}"

    answers = list(card.answers)
    if not chosen:
        head = "Correct answers: " if len(answers) > 1 else "Correct answer: "
        return head + "; ".join(named(w) for w in answers) + "."
    wrong = [w for w in chosen if w not in answers]
    missed = [w for w in answers if w not in chosen]
    if not card.select_all:
        if not wrong:
            return f"You chose {letters(chosen)}: correct."
        return f"You chose {letters(chosen)}: incorrect. The correct answer is {named(answers[0])}."
    if not wrong and not missed:
        return f"You chose {letters(chosen)}: all {len(answers)} correct."
    right = [w for w in chosen if w in answers]
    text = f"You chose {letters(chosen)}: {len(right)} of {len(answers)} correct."
    if wrong:
        text += f" Wrong: {letters(wrong)}."
    if missed:
        text += f" Missed: {letters(missed)}."
    return text


def check_back(card: EngineCard, front: dict, back: dict, chosen: list[str], where: str) -> None:
    """The back: the front's order and letters, the correct options highlighted, each
    tap marked right or wrong (and, for select-all, each correct option not tapped
    marked missed), explanations under their options, the back-only figures."""
    assert back["side"] == "back", where
    assert order(back) == order(front), (where, "the back's order differs from the front's")
    assert shown_letters(back) == shown_letters(front), where
    assert back["verdict"] == expected_verdict(card, front, chosen), where
    right = _rgb(back["rightBorder"])
    for o in back["options"]:
        w = o["written"]
        assert (o["border"] == right) == (w in card.answers), (where, o)
        if w in chosen:
            mark = "db-right" if w in card.answers else "db-wrong"
            assert "db-chosen" in o["classes"] and mark in o["classes"], (where, o)
        else:
            assert "db-chosen" not in o["classes"], (where, o)
        missed = card.select_all and chosen and w in card.answers and w not in chosen
        assert ("db-missed" in o["classes"]) == bool(missed), (where, o)
        assert o["explanation"] == card.explanations.get(w, ""), (where, o)
    assert card.critique[:60] in back["text"], where
    assert {i["src"] for i in back["backImages"]} == set(card.back_images), where
    for image in back["backImages"] + back["caseImages"]:
        assert image["loaded"], (where, image)


def _rgb(colour: str) -> str:
    h = colour.strip().lstrip("#")
    return "rgb({}, {}, {})".format(*(int(h[i : i + 2], 16) for i in (0, 2, 4)))


# --- the scenario every engine plays ---------------------------------------------------------

REPEATS = 10  # showings of one shuffled card in a row, as when it comes back after "Again"
FEATURES = FIXTURES / "features"


@dataclass(frozen=True)
class Visit:
    """One showing of a card: the options tapped on the front (written letters), then the
    back; ``shot`` names its screenshots (``<shot>-front.png``, ``<shot>-back.png``)."""

    card: EngineCard
    taps: list[str]
    shot: str | None


def taps_for(index: int, card: EngineCard, night: bool) -> list[str]:
    """Right and wrong alternate across cards and swap between the themes, so every card
    is answered both ways; a select-all question gets one right and one wrong tap (so a
    correct option is missed) in light mode, all of its answers in night mode."""
    if card.select_all:
        return list(card.answers) if night else [card.answers[0], card.wrong()]
    return [card.answers[0]] if (index + night) % 2 == 0 else [card.wrong()]


def visits(cards: list[EngineCard], night: bool, prefix: str) -> list[Visit]:
    """Every card once; a card shown with no tap right after another card was tapped (a
    stale tap must not mark it); then one shuffled card :data:`REPEATS` times."""
    out = [
        Visit(card, taps_for(i, card, night), f"{prefix}-{card.ref.replace('/', '-')}")
        for i, card in enumerate(cards)
    ]
    out.append(Visit(cards[0], [cards[0].wrong()], None))
    out.append(Visit(cards[1 % len(cards)], [], None))
    again = next((c for c in cards if c.shuffled), cards[0])
    out += [Visit(again, list(again.answers), None) for _ in range(REPEATS)]
    return out


def check_visits(shown: list[tuple[Visit, dict, dict]], where: str) -> None:
    """Every showing, front and back; a shuffled card shown again and again must come
    in at least two orders, each back in its front's order."""
    for n, (visit, front, back) in enumerate(shown):
        at = f"{where} visit {n} {visit.card.ref} taps {visit.taps}"
        check_front(visit.card, front, at)
        check_back(visit.card, front, back, visit.taps, at)
    repeated = shown[-REPEATS:]
    if repeated[0][0].card.shuffled:
        orders = {tuple(order(front)) for _, front, _ in repeated}
        assert len(orders) >= 2, f"{where}: {REPEATS} showings, always {orders}"


def build_deck(content: Path, tmp: Path) -> Path:
    """Build a copy of ``content`` (the build writes a lock; never into the repository)."""
    import shutil

    from deckbuilder import build

    copy = tmp / content.name
    shutil.copytree(content, copy)
    return build(copy, tmp / "dist").deck_path
