"""Answer statements: where an article says which option is right, and nothing else.

"The correct answer is B.", "Answer: B", "B is correct.", "Correct answer: B — text".
A statement counts only where a sentence starts (a line's start, or after ". ", "; ")
and only when the letter stands alone ("B.", "(B)", "B —", "B" at the line's end):
"Answers", "answer is based on" or "option B is correct in children, but" are not
statements, and a critique that discusses options is never read as one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_START = r"(?:^|(?<=[.!?;:]\s)|(?<=[.!?;:]\s\s))\s*"
_LETTER_END = r"(?=\s*(?:$|[.,;:)]|[-\u2013\u2014]\s|\u2014|\u2013))"
_STATED = re.compile(
    _START + r"(?:"
    # The correct answer is B / Correct answer: B / Answer: B / Answer is (B)
    r"(?:the\s+)?(?:(?:correct|right|best)\s+)?(?:answer|option|response)"
    r"(?:\s+is|\s*[:=]|\s+[-\u2013\u2014]|\s*\u2014|\s*\u2013)\s*(?:option\s+)?"
    r"\(?(?P<a>[A-Za-z])\)?" + _LETTER_END + r"|"
    # B is correct / (B) is the correct answer / Option B is correct.
    r"(?:option\s+|answer\s+)?\(?(?P<b>[A-Z])\)?\s+is\s+(?:the\s+)?(?:correct|right|best)"
    r"(?:\s+(?:answer|option|response|one))?(?=\s*(?:$|[.,;:!]|[-\u2013\u2014]))"
    r")",
    re.IGNORECASE,
)
# What may join the statement to the text after it on its line.
_AFTER = re.compile(r"^\s*[)\].,;:]*\s*(?:[-\u2013\u2014]+\s*)?")


@dataclass(frozen=True)
class Statement:
    """An answer statement found in a line: the letter, and the text around it."""

    letter: str
    before: str  # the line before the statement
    after: str  # the line after it, without the punctuation that ends the statement
    letters: tuple[str, ...] = ()  # every letter the line states, in order


def find_statement(text: str) -> Statement | None:
    """The answer statements in ``text`` (one line of an article), or None: the letter
    of the first, the text before it, and the text after the last (every letter a line
    states is in :attr:`Statement.letters`: two different ones are no answer)."""
    first = _first_statement(text)
    if first is None:
        return None
    letters = [first.letter]
    after = first.after
    while (more := _first_statement(after)) is not None:
        letters.append(more.letter)
        after = " ".join(x for x in (more.before, more.after) if x)
    return Statement(first.letter, first.before, after, tuple(letters))


def _first_statement(text: str) -> Statement | None:
    """The first answer statement in ``text``, or None."""
    match = _STATED.search(text)
    if match is None:
        return None
    letter = match.group("a") or match.group("b")
    if letter.islower() and f"({letter})" not in match.group(0):
        return None  # "the answer is a" wraps to "biopsy" on the next line
    after = text[match.end() :]
    joint = _AFTER.match(after)
    after = after[joint.end() :] if joint else after
    before = text[: match.start()].rstrip()
    if before[-1:] in {";", ",", ":"}:  # "side effects; C is correct.": the sentence ends
        before = before[:-1].rstrip() + "."
    return Statement(letter.upper(), before, after.strip())


def restates(after: str, option: str) -> bool:
    """Whether the text after "Correct answer: B —" is option B's own text again."""

    def norm(s: str) -> str:
        return " ".join(re.sub(r"[^\w\s%]", " ", s.lower()).split())

    return bool(norm(after)) and norm(after) == norm(option)
