"""Rejoining the lines PDF extraction wrapped: hyphenation undone, paragraphs found.

Used for every field, so that the case, captions, options and critiques are joined by
the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from deckbuilder.authoring.importtext.article import Line
from deckbuilder.authoring.importtext.dictionary import is_word

_SENTENCE_END_CHARS = frozenset('.?!:;)]"\u201d\u2019')
_LOOKBACK = 200  # characters of joined text that decide a hyphen (far longer than a word)


def ends_sentence(text: str) -> bool:
    return text[-1:] in _SENTENCE_END_CHARS  # "" is not in it


def _trailing_letters(text: str) -> str:
    """The ASCII letters that end ``text`` (the part of a word before a line-end hyphen)."""
    i = len(text)
    while i and text[i - 1].isascii() and text[i - 1].isalpha():
        i -= 1
    return text[i:]


class Joiner:
    """Rejoins the article's wrapped lines, deciding hyphenation from the article's own
    words first (the best evidence for how it spells a compound), then a dictionary."""

    def __init__(self, lines: Sequence[Line]) -> None:
        text = " ".join(line.text for line in lines).lower()
        self.words = set(re.findall(r"[a-z]+(?:-[a-z]+)*", text))

    def keeps_hyphen(self, head: str, tail: str) -> bool:
        """Whether the "-" that ends ``head`` at a line break stays when ``tail`` (the
        next line) is joined to it: yes for a compound, no for a word broken in two."""
        a = _trailing_letters(head[:-1])
        second = re.match(r"([a-z]+)", tail)
        if not a or not second:
            return True
        b = second.group(1)
        joined, hyphened = (a + b).lower(), f"{a}-{b}".lower()
        if joined in self.words and hyphened not in self.words:
            return False
        if hyphened in self.words:
            return True
        return not is_word(a + b)

    def join(self, lines: Sequence[Line]) -> str:
        """Wrapped lines as one line of text, hyphenation undone.

        Built as a list of pieces, looking back only at the last few characters, so
        joining costs time linear in the text however many lines it has.
        """
        out: list[str] = []
        recent = ""  # the end of the text so far: enough to see the word a hyphen ends
        for line in lines:
            piece = line.stripped
            if not piece:
                continue
            sep = " " if out else ""
            if recent.endswith("-") and not recent.endswith(" -") and piece[:1].islower():
                sep = ""
                if not self.keeps_hyphen(recent, piece):
                    out[-1] = out[-1][:-1]
                    recent = recent[:-1]
            out.append(sep + piece)
            recent = (recent + sep + piece)[-_LOOKBACK:]
        return re.sub(r"\s+", " ", "".join(out)).strip()

    def paragraphs(self, lines: Sequence[Line]) -> str:
        """Lines grouped into paragraphs separated by a blank line.

        A blank line or an indented line starts a new paragraph only after a line that
        ends a sentence: a blank line inside a sentence is a page break.
        """
        paragraphs: list[list[Line]] = []
        current: list[Line] = []
        pending_break = False
        for line in lines:
            if line.blank:
                pending_break = True
                continue
            last = current[-1].stripped if current else ""
            if current and (pending_break or line.indented) and ends_sentence(last):
                paragraphs.append(current)
                current = []
            current.append(line)
            pending_break = False
        if current:
            paragraphs.append(current)
        return "\n\n".join(self.join(p) for p in paragraphs)
