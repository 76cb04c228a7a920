"""What a learner sees on a fact's cloze card, read the same way in every engine.

The facts' cards are Anki's own cloze cards: the engine renders ``{{cloze:Text}}``, the
card's deletion hidden on the front and shown on the back, the other deletions shown as
they are. :func:`engine_cloze_cards` reads each card as the ``anki`` package stores and
renders it; :data:`CLOZE_PROBE` reads what a page shows; :func:`check_cloze` holds what
every client must show.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from tests.support.ankiengine import collection, import_apkg
from tests.support.helpers import visible_text


@dataclass(frozen=True)
class ClozeCard:
    """A fact's card as Anki's engine stores and renders it."""

    cid: int
    nid: int
    ref: str
    number: int  # its deletion number: c1 is 1
    hidden: tuple[str, ...]  # visible text of the deletions this card hides
    front_fact: str  # visible text of the fact as the engine renders each side
    back_fact: str
    title: str
    extra: str
    front: str
    back: str


def _fact(side: str) -> str:
    """The fact's text as a page's ``textContent`` reads it (its markup is inline)."""
    match = re.search(r'<div class="db-fact">(.*?)</div>', side, re.S)
    assert match, side
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).split())


def engine_cloze_cards(apkg: Path, tmp: Path) -> list[ClozeCard]:
    """Every cloze card of ``apkg`` as a fresh collection stores it, in card id order."""
    with collection(tmp / "engine-cloze.anki2") as col:
        import_apkg(col, apkg)
        cards = []
        for cid in sorted(col.find_cards("")):
            card = col.get_card(cid)
            note = card.note()
            if "Text" not in note:
                continue
            number = card.ord + 1
            front, back = card.question(), card.answer()
            cards.append(
                ClozeCard(
                    cid=cid,
                    nid=note.id,
                    ref=f"{note['Ref']} c{number}",
                    number=number,
                    hidden=tuple(  # as Anki shows them on the back
                        visible_text(words)
                        for words in re.findall(
                            rf'<span class="cloze" data-ordinal="{number}">(.*?)</span>', back
                        )
                    ),
                    front_fact=_fact(front),
                    back_fact=_fact(back),
                    title=visible_text(note["Title"]),
                    extra=visible_text(note["Extra"]),
                    front=front,
                    back=back,
                )
            )
        return cards


CLOZE_PROBE = r"""(() => {
  const root = document.getElementById("qa") || document.body;
  const card = root.querySelector(".db-card");
  const text = (el) => (el ? el.textContent : "").replace(/\s+/g, " ").trim();
  const fact = root.querySelector(".db-fact");
  const page = document.documentElement;
  return {
    side: card ? (card.classList.contains("db-front") ? "front" : "back") : null,
    fact: text(fact),
    active: Array.from(root.querySelectorAll(".db-fact .cloze")).map(text),
    title: text(root.querySelector(".db-case .db-title")),
    extra: text(root.querySelector(".db-extra")),
    overflow: page.scrollWidth - page.clientWidth,
    opacity: getComputedStyle(root).opacity,
    bodyClass: document.body.className,
    background: getComputedStyle(document.body).backgroundColor,
    clozeColor: fact && fact.querySelector(".cloze")
      ? getComputedStyle(fact.querySelector(".cloze")).color : null,
    clozeBackground: fact && fact.querySelector(".cloze")
      ? getComputedStyle(fact.querySelector(".cloze")).backgroundColor : null,
  };
})()"""


def check_cloze(card: ClozeCard, front: dict, back: dict, where: str) -> None:
    """What every client must show of ``card``: the sides as the engine renders them,
    the front without the hidden words, the back with them, the case's title on both."""
    at = f"{where} {card.ref}"
    assert (front["side"], back["side"]) == ("front", "back"), at
    assert front["fact"] == card.front_fact and back["fact"] == card.back_fact, at
    assert front["active"] and all(re.fullmatch(r"\[.*\]", a) for a in front["active"]), at
    assert card.hidden, at  # Anki's back marks the words this card hides
    for hidden in card.hidden:
        assert hidden not in front["fact"], (at, hidden)
        assert hidden in back["active"], (at, hidden)
    assert front["title"] == back["title"] == card.title, at
    assert back["extra"].removeprefix("Extra").strip() == card.extra, at
    assert front["extra"] == "", at
    for side in (front, back):
        assert side["overflow"] <= 0 and side["opacity"] == "1", (at, side)
