"""The lines a caption may cover, as one flat text cut into sentences, and back to lines.

Caption ends are decided sentence by sentence, but the result must be lines again (a
sentence may end mid-line), with the line numbers the report names.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from deckbuilder.authoring.importtext.article import Line

# A full stop, "?" or "!" (possibly with a citation glued after it: "tumours.3"), closing
# quotes or brackets, then a space: a sentence may end here, unless an abbreviation does.
_BOUNDARY = re.compile(
    r"(?:[.!?]|(?<=[A-Za-z)\]])[.!?]\d{1,3}(?:[,\u2013-]\d{1,3})*)[\"'\u201d\u2019)\]]*\s+(?=\S)"
)
_ABBREVIATION = re.compile(
    r"(?:^|[\s(\[/])(?:[A-Za-z]|e\.g|i\.e|et al|fig|figs|approx|vs|cf|ca|no|nos|ref|refs|p|pp|"
    r"vol|dr|mr|mrs|ms|prof|st|orig|mag|magn|obj|resp|incl|viz|min|max|diam|sp|spp)\.$",
    re.IGNORECASE,
)


def _starts(text: str, begin: int) -> list[int]:
    """Where each sentence of ``text`` from ``begin`` on starts (a citation glued to a
    full stop stays with its sentence; "e.g." and "Fig." end none)."""
    starts = [begin]
    for m in _BOUNDARY.finditer(text, begin):
        if not _ABBREVIATION.search(text[max(begin, m.start() - 20) : m.start() + 1]):
            starts.append(m.end())
    return starts


def split_sentences(text: str) -> list[str]:
    """``text`` cut into sentences."""
    starts = _starts(text, 0)
    ends = [*starts[1:], len(text)]
    return [text[a:b].strip() for a, b in zip(starts, ends, strict=True) if text[a:b].strip()]


class Extent:
    """The lines a caption may cover, as one flat text cut into sentences, and back."""

    def __init__(self, lines: Sequence[Line], label_end: int) -> None:
        self.lines = lines
        self.rows: list[int] = []  # index in ``lines`` of each non-blank line
        self.offsets: list[int] = []  # where that line starts in ``flat``
        parts: list[str] = []
        pos = 0
        for row, line in enumerate(lines):
            if not line.blank:
                self.rows.append(row)
                self.offsets.append(pos)
                parts.append(line.stripped)
                pos += len(line.stripped) + 1
        self.flat = " ".join(parts)
        self.starts = self._sentence_starts(label_end)

    def _sentence_starts(self, begin: int) -> list[int]:
        while begin < len(self.flat) and self.flat[begin].isspace():
            begin += 1
        return _starts(self.flat, begin)

    def sentence_end(self, k: int) -> int:
        """Where sentence ``k`` ends: the next one's start, or past the end of the text."""
        return self.starts[k + 1] if k + 1 < len(self.starts) else len(self.flat) + 1

    def sentence(self, k: int) -> str:
        return self.flat[self.starts[k] : self.sentence_end(k)].strip()

    def offset_of_row(self, row: int) -> int:
        """Where the first non-blank line at or after ``row`` starts in the flat text
        (past the end of the text if there is none)."""
        k = bisect.bisect_left(self.rows, row)
        return self.offsets[k] if k < len(self.offsets) else len(self.flat) + 1

    def row_of(self, offset: int) -> int:
        """The index in ``lines`` of the line that holds ``offset`` of the flat text."""
        return self.rows[bisect.bisect_right(self.offsets, offset) - 1]

    def split(self, offset: int) -> tuple[list[Line], list[Line]]:
        """The lines before ``offset`` of the flat text and from it on, split mid-line."""
        k = bisect.bisect_right(self.offsets, offset) - 1
        row, local = self.rows[k], offset - self.offsets[k]
        if local == 0:  # at a line start: the line as it is (its indent marks paragraphs)
            return list(self.lines[:row]), list(self.lines[row:])
        line = self.lines[row]
        head, tail = line.stripped[:local].rstrip(), line.stripped[local:]
        before = [*self.lines[:row], *([Line(line.number, head)] if head else [])]
        return before, [Line(line.number, tail), *self.lines[row + 1 :]]
