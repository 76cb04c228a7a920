"""The exam kinds' cards (issue 27), read the same way in every engine that shows cards.

The deck is ``tests/fixtures/exam`` (a Kprim question, a true/false question, a question
of twelve options), built as it is or with ``reveal_on_tap: true``. Each engine runs the
same scripts in the page — :data:`EXAM_PROBE` to read a side, :func:`act_js` for what a
learner does on a front — and the checks here hold what every client must show:

* Kprim: three of four statements marked right shows "3 of 4 — half a point", each
  statement judged with its truth, the explanations under their statements, and the
  Kprim rule on the card;
* true/false: each statement judged, "1 of 2 right", no Kprim score;
* twelve options: no horizontal scrolling, every control at least 44 px; one option
  struck out by a right-click (a long press on Android), one by its strike control, one
  chosen: both struck options struck through on the back, the choice marked;
* the front never holds the answer.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from deckbuilder import build
from tests.support.ankiengine import collection, import_apkg
from tests.support.paths import REPO

EXAM = REPO / "tests" / "fixtures" / "exam"
KPRIM = "hyponatraemia/statements/kprim"
TRUE_FALSE = "hyponatraemia/statements/true-false"
TWELVE = "hyponatraemia/twelve"
MIN_TAP = 44


@dataclass(frozen=True)
class ExamCard:
    cid: int
    ref: str
    front: str  # Anki's rendering of each side
    back: str
    truths: dict[str, bool]  # a statement's written letter -> its truth
    answers: tuple[str, ...]  # an MCQ's correct written letters
    explanations: dict[str, str]  # written letter -> the explanation's first words


def build_exam(tmp: Path, *, reveal: bool = False) -> Path:
    content = tmp / "exam"
    shutil.copytree(EXAM, content)
    if reveal:
        deck = content / "deck.yaml"
        deck.write_text(deck.read_text(encoding="utf-8") + "reveal_on_tap: true\n", "utf-8")
    return build(content, tmp / "dist").deck_path


def exam_cards(apkg: Path, tmp: Path) -> dict[str, ExamCard]:
    """Every card of the exam deck as Anki's engine renders it, by its note's ref."""
    with collection(tmp / "exam.anki2") as col:
        import_apkg(col, apkg)
        cards = {}
        for cid in sorted(col.find_cards("")):
            card = col.get_card(cid)
            note = card.note()
            answer = note["Answer"]
            truths = {w: t == "true" for w, t in re.findall(r"([A-Z]): (true|false)", answer)}
            explained = re.findall(r'<dd data-letter="([A-Z])">(.*?)</dd>', note["Critique"], re.S)
            cards[note["Ref"]] = ExamCard(
                cid=cid,
                ref=note["Ref"],
                front=card.question(),
                back=card.answer(),
                truths=truths,
                answers=() if truths else tuple(re.findall(r"[A-Z]", answer)),
                explanations={w: re.sub(r"<[^>]+>", "", t)[:30] for w, t in explained},
            )
        return cards


def kprim_marks(card: ExamCard) -> dict[str, bool]:
    """Three of the four statements marked right: the second marked the other way."""
    return {w: (not t if w == "B" else t) for w, t in card.truths.items()}


def true_false_marks(card: ExamCard) -> dict[str, bool]:
    """The first statement marked right, the second wrong."""
    return {w: (t if w == "A" else not t) for w, t in card.truths.items()}


# What a learner does on the twelve-option front: strike C out with a right-click (a
# long press on Android sends the same event), D with its strike control, choose A.
STRUCK = ("C", "D")
CHOSEN = "A"


def act_js(ref: str, card: ExamCard) -> str:
    """The learner's taps on the front of ``card``, as clicks in the page."""
    if ref in (KPRIM, TRUE_FALSE):
        marks = kprim_marks(card) if ref == KPRIM else true_false_marks(card)
        clicks = "".join(
            f'document.querySelector(\'.db-mark[data-letter="{w}"][data-mark="{str(v).lower()}"]\')'
            ".click();"
            for w, v in marks.items()
        )
        return f"(() => {{ {clicks} return true; }})()"
    return (
        "(() => {"
        ' const li = (w) => document.querySelector(`.db-option[data-letter="${w}"]`);'
        " li('C').querySelector('.db-choice').dispatchEvent(new MouseEvent('contextmenu',"
        " { bubbles: true, cancelable: true, button: 2 }));"
        " li('D').querySelector('.db-strike').click();"
        " return true; })()"
    )


def choose_js(letter: str = CHOSEN) -> str:
    return f"document.querySelector('.db-choice[data-letter=\"{letter}\"]').click(); true"


EXAM_PROBE = r"""(() => {
  const root = document.getElementById("qa") || document.body;
  const card = root.querySelector(".db-card");
  const text = (el) => (el ? el.textContent : "").replace(/\s+/g, " ").trim();
  const size = (el) => { if (!el) return null; const b = el.getBoundingClientRect();
    return [Math.round(b.width), Math.round(b.height)]; };
  const statements = Array.from(root.querySelectorAll(".db-statement")).map((li) => ({
    written: li.getAttribute("data-letter"),
    shown: text(li.querySelector(".db-letter")),
    classes: li.className.split(/\s+/).filter(Boolean),
    judged: text(li.querySelector(".db-judged")),
    explanation: text(li.querySelector(".db-explanation")),
    marks: Array.from(li.querySelectorAll(".db-mark")).map((b) => ({
      mark: b.getAttribute("data-mark"), pressed: b.getAttribute("aria-pressed"),
      classes: b.className.split(/\s+/).filter(Boolean), size: size(b) })),
  }));
  const options = Array.from(root.querySelectorAll(".db-option")).map((li) => ({
    written: li.getAttribute("data-letter"),
    shown: text(li.querySelector(".db-letter")),
    classes: li.className.split(/\s+/).filter(Boolean),
    lineThrough: getComputedStyle(li.querySelector(".db-option-text"))
      .textDecorationLine.indexOf("line-through") >= 0,
    choice: size(li.querySelector(".db-choice")),
    strike: size(li.querySelector(".db-strike")),
  }));
  return {
    side: card ? (card.classList.contains("db-front") ? "front" : "back") : null,
    statements, options,
    verdict: text(root.querySelector("#db-verdict")),
    rule: text(root.querySelector(".db-rule")),
    answerMarks: document.querySelectorAll("[data-answer]").length,
    explanationsInPage: root.querySelectorAll(".db-explanations, .db-explanation").length,
    text: (root.innerText || "").replace(/\s+/g, " ").trim(),
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    bodyClass: document.body.className,
    background: getComputedStyle(document.body).backgroundColor,
  };
})()"""


def check_front(card: ExamCard, front: dict, where: str) -> None:
    """A front: nothing of the answer, no horizontal scrolling, 44 px controls."""
    assert front["side"] == "front", where
    assert front["answerMarks"] == 0 and front["verdict"] == "", where
    assert front["explanationsInPage"] == 0, where
    for text in card.explanations.values():
        assert text not in front["text"], (where, text)
    assert "you were" not in front["text"].lower(), where
    assert front["overflow"] <= 0, (where, front["overflow"])
    for s in front["statements"]:
        for m in s["marks"]:
            assert min(m["size"]) >= MIN_TAP, (where, s["written"], m)
    for o in front["options"]:
        assert min(o["choice"]) >= MIN_TAP and min(o["strike"]) >= MIN_TAP, (where, o)


def check_kprim(card: ExamCard, front: dict, back: dict, where: str) -> None:
    check_front(card, front, where)
    assert "3 right = half a point" in front["rule"], where  # the rule, stated on the card
    assert back["side"] == "back" and back["overflow"] <= 0, where
    assert back["verdict"] == "3 of 4 \u2014 half a point.", (where, back["verdict"])
    assert [s["shown"] for s in back["statements"]] == list("ABCD"), where
    order = [s["written"] for s in front["statements"]]
    assert [s["written"] for s in back["statements"]] == order, where  # as the front showed
    marks = kprim_marks(card)
    for s in back["statements"]:
        w, truth = s["written"], card.truths[s["written"]]
        right = marks[w] == truth
        assert ("db-right" if right else "db-wrong") in s["classes"], (where, s)
        word = "True" if truth else "False"
        assert s["judged"] == f"{word} \u2014 you were {'right' if right else 'wrong'}", (where, s)
        truth_mark = next(m for m in s["marks"] if m["mark"] == str(truth).lower())
        assert "db-truth" in truth_mark["classes"], (where, s)
        if w in card.explanations:
            assert s["explanation"].startswith(card.explanations[w]), (where, s)
        else:
            assert s["explanation"] == "", (where, s)
    assert "3 right = half a point" in back["rule"], where


def check_true_false(card: ExamCard, front: dict, back: dict, where: str) -> None:
    check_front(card, front, where)
    assert "Kprim" not in front["text"], where
    assert back["verdict"] == "1 of 2 right.", (where, back["verdict"])
    classes = {s["written"]: s["classes"] for s in back["statements"]}
    assert "db-right" in classes["A"] and "db-wrong" in classes["B"], (where, classes)
    for s in back["statements"]:
        assert s["explanation"].startswith(card.explanations[s["written"]]), (where, s)


def check_twelve(card: ExamCard, front: dict, back: dict, where: str) -> None:
    """The twelve-option card after two strike-outs and a choice (see :func:`act_js`)."""
    check_front(card, front, where)
    assert len(front["options"]) == 12, where
    struck_front = [o["written"] for o in front["options"] if o["lineThrough"]]
    assert sorted(struck_front) == sorted(STRUCK), (where, struck_front)
    assert back["overflow"] <= 0, where
    assert [o["written"] for o in back["options"]] == [o["written"] for o in front["options"]]
    for o in back["options"]:
        struck = o["written"] in STRUCK
        assert ("db-struck" in o["classes"]) == struck, (where, o)
        assert o["lineThrough"] == struck, (where, o)
        assert o["strike"] is None, (where, "no strike control on the back")
    shown = {o["written"]: o["shown"] for o in front["options"]}
    assert back["verdict"] == f"You chose {shown[CHOSEN]}: correct.", (where, back["verdict"])
    chosen = next(o for o in back["options"] if o["written"] == CHOSEN)
    assert "db-chosen" in chosen["classes"] and "db-right" in chosen["classes"], where
