"""Anki's cloze syntax in a fact: ``{{c1::deletion}}`` or ``{{c1::deletion::hint}}``.

A fact is a sentence to recall; each deletion number is one card (``c1`` and ``c2`` make
two cards of one note). Anki itself shows a malformed cloze as it stands, or makes no
card at all, so the mistakes it would not report are reported here, where the author
can fix them: an unbalanced ``{{``/``}}``, ``c0``, a deletion written with one colon, an
empty deletion, one inside another, a deletion that holds the whole sentence (nothing is
left to cue the recall), and a fact with no deletion. A deletion that starts like Anki's
Image Occlusion shapes (``{{c1::image-occlusion:rect:…}}``) is refused too: Anki's cloze
filter turns those into elements whose attribute values it copies from the text
unescaped; only deckbuilder's own image-occlusion notes may write that syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_NUMBER = 100
"""The highest deletion number a fact may use, and so a lock may name: each number is a
card, and a number the content could never write must not make cards from a lock."""

_OPEN = re.compile(r"\{\{c(\d+)::")
# Anki shows a hint as "[hint]": a hint that starts like its audio, speech or LaTeX markup
# ("sound:x.mp3", "anki:tts …", "latex]…", "$…") would become that markup on the card.
_MARKUP_HINT = re.compile(r"(?:sound:|/?anki:|/?latex\]|/?\$)", re.IGNORECASE)
_ANY_OPEN = re.compile(r"\{\{")
_IMAGE_OCCLUSION = re.compile(r"image-occlusion:", re.IGNORECASE)
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Deletion:
    number: int
    answer: str
    hint: str | None
    start: int  # offset of "{{" in the text
    end: int  # offset just after "}}"


class ClozeMistake(ValueError):
    """A cloze the author must fix; ``offset`` is where in the text it is."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def _token(text: str, start: int, limit: int = 40) -> str:
    """The would-be cloze at ``start`` as the author wrote it: up to its ``}}`` when that
    is near, else cut at a word (a cut word reads as a second typo)."""
    end = text.find("}}", start)
    if end != -1 and end + 2 - start <= limit:
        return text[start : end + 2]
    shown = text[start : start + limit]
    words = shown.rsplit(None, 1)[0] if len(text) > start + limit else shown
    return words + ("…" if len(words) < len(text) - start else "")


def deletions(text: str) -> list[Deletion]:
    """Every deletion of ``text``, in order; raises :class:`ClozeMistake`."""
    found: list[Deletion] = []
    at = 0
    while (start := text.find("{{", at)) != -1:
        opened = _OPEN.match(text, start)
        if opened is None:
            raise ClozeMistake(
                f"{_token(text, start)!r} is not a cloze: write {{{{c1::the words to recall}}}}",
                start,
            )
        number = int(opened.group(1))
        if number < 1:
            raise ClozeMistake(f"c{opened.group(1)} is not a cloze number: they start at c1", start)
        if number > MAX_NUMBER:
            raise ClozeMistake(
                f"c{opened.group(1)} is past the highest cloze number, c{MAX_NUMBER}: "
                "number the deletions of a fact from c1",
                start,
            )
        close = text.find("}}", opened.end())
        if close == -1:
            raise ClozeMistake("a deletion '{{c…::' is not closed with '}}'", start)
        inner = text[opened.end() : close]
        if _ANY_OPEN.search(inner):
            raise ClozeMistake("a deletion inside another: close the first with '}}' first", start)
        answer, _, hint = inner.partition("::")
        if _IMAGE_OCCLUSION.search(inner):
            raise ClozeMistake(
                f"c{number} is written in Anki's image-occlusion syntax, which a fact may "
                "not use: Anki draws it as a shape on an image, not as text",
                start,
            )
        if not answer.strip():
            raise ClozeMistake(f"c{number} hides nothing: write the words to recall", start)
        if _MARKUP_HINT.match(hint):
            raise ClozeMistake(
                f"the hint of c{number} would read as Anki's sound, speech or LaTeX markup "
                f"once Anki puts it in brackets ([{hint[:20]}…]); reword it",
                start,
            )
        found.append(Deletion(number, answer, hint or None, start, close + 2))
        at = close + 2
    closes = {d.end - 2 for d in found}
    at = 0
    while (stray := text.find("}}", at)) != -1:
        if stray not in closes and not any(d.start <= stray < d.end for d in found):
            raise ClozeMistake("'}}' without a '{{c1::' before it", stray)
        at = stray + 2
    if not found:
        raise ClozeMistake(
            "a fact needs a deletion, e.g. 'MDM2 is amplified in {{c1::ALT/WDL}}'", 0
        )
    for d in found:
        rest = text[: d.start] + text[d.end :]
        if not _WORD.search(rest):
            raise ClozeMistake(
                f"c{d.number} holds the whole sentence: hide the words to recall, and leave "
                "the rest as the cue",
                d.start,
            )
    return found


def reveal(text: str, number: int, *, front: bool) -> str:
    """The sentence of a valid fact as Anki's cloze filter writes it for card ``number``,
    on the front (its deletions as ``[hint]`` or ``[...]``) or the back: the HTML the card
    page is given, which is what the checks must judge."""
    parts = []
    at = 0
    for d in deletions(text):
        parts.append(text[at : d.start])
        shown = d.answer if d.number != number or not front else f"[{d.hint or '...'}]"
        kind = "cloze" if d.number == number else "cloze-inactive"
        parts.append(f'<span class="{kind}" data-ordinal="{d.number}">{shown}</span>')
        at = d.end
    parts.append(text[at:])
    return "".join(parts)


def numbers(text: str) -> list[int]:
    """The distinct deletion numbers of a valid fact, in order: one card each."""
    return sorted({d.number for d in deletions(text)})


def key_from_first_deletion(text: str) -> str:
    """A stable key from the words of a fact's first deletion ("MDM2 and CDK4" →
    "mdm2-and-cdk4"): what names a fact that has no ``id``. It survives reordering the
    facts and rewording the sentence around the deletion; rewording the deletion makes
    it a new note, whose card then starts over — never another fact's history."""
    first = deletions(text)[0].answer
    words = re.sub(r"<[^>]+>", " ", first)
    key = re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")[:40].strip("-")
    return f"fact-{key}" if key else "fact"
