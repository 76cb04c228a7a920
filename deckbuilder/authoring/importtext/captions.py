"""Figure captions: taken out of the running text, wherever the PDF put them.

Each sentence after a caption's first is scored (:mod:`~deckbuilder.authoring.importtext.cues`);
the first sentence that does not describe the image ends the caption there, mid-line if
need be. Every line whose place the text decided differently from the layout is reported.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from deckbuilder.authoring.importtext.article import Line, ParsedFigure, Report, heading
from deckbuilder.authoring.importtext.cues import RUNNING_MARGIN, Score
from deckbuilder.authoring.importtext.joiner import Joiner, ends_sentence
from deckbuilder.authoring.importtext.sentences import Extent

_FIGURE = re.compile(r"^\s*(?:Figure|Fig\.?)\s*(\d+)\s*[.:]")


def _caption_end(scores: Sequence[Score]) -> tuple[int, bool]:
    """The index of the first sentence after the caption, and whether that is uncertain.

    The first sentence (the one after "Figure N.") is the caption's. Uncertain sentences
    followed by a clear caption sentence are inside the caption ("The growth plate is
    intact." between two panels). One uncertain sentence right after a caption sentence,
    with no discussion cue, that ends where the layout ends the caption (at a blank line)
    is the caption's too: the layout's answer stands when the text does not contradict
    it. Any other run of uncertain sentences ends the caption, uncertainly. Each sentence
    is looked at once or twice, so this is linear.
    """
    i, n = 1, len(scores)
    while i < n:
        kind = scores[i].kind
        if kind == "caption":
            i += 1
            continue
        if kind == "running":
            return i, False
        j = i
        while j < n and scores[j].kind == "uncertain":
            j += 1
        if j < n and scores[j].kind == "caption":
            i = j + 1
            continue
        if j == i + 1 and scores[i].ends_block and not scores[i].against:
            i = j
            continue
        return i, True
    return n, False


class Captions:
    """Takes the figure captions out of regions of running text, wherever the PDF put them,
    and reports every line whose place the text decided differently from the layout."""

    def __init__(self, width: float, report: Report, text: Joiner) -> None:
        self.wide = width * 1.3
        self.report = report
        self.text = text
        self.figures: list[ParsedFigure] = []

    def take_out(self, region: Sequence[Line]) -> list[Line]:
        """The region without its captions; text glued to a caption stays in its place."""
        kept: list[Line] = []
        i = 0
        while i < len(region):
            match = _FIGURE.match(region[i].text)
            if match is None:
                kept.append(region[i])
                i += 1
            else:
                i = self._caption(region, i, match, kept)
        return kept

    def _is_wide(self, line: Line) -> bool:
        return len(line.stripped) > self.wide

    def _stops(self, line: Line) -> bool:
        return line.blank or heading(line) is not None or _FIGURE.match(line.text) is not None

    def _block_end(self, region: Sequence[Line], i: int, wide_only: bool = False) -> int:
        while i < len(region) and not self._stops(region[i]):
            if wide_only and not self._is_wide(region[i]):
                break
            i += 1
        return i

    def _extent_end(self, region: Sequence[Line], layout_end: int, by_width: bool) -> int:
        """Where the text that may still be caption ends: the column text after a wide
        caption up to the next blank line, and on over page breaks inside a sentence."""
        end = self._block_end(region, layout_end) if by_width else layout_end
        while end < len(region) and not ends_sentence(region[end - 1].stripped):
            nxt = end
            while nxt < len(region) and region[nxt].blank:
                nxt += 1
            if nxt == end or nxt == len(region) or self._stops(region[nxt]):
                break
            if by_width and not self._is_wide(region[nxt]):
                break
            end = self._block_end(region, nxt)
        return end

    def _caption(
        self, region: Sequence[Line], start: int, match: re.Match[str], kept: list[Line]
    ) -> int:
        """Read the caption that starts at ``region[start]``; return where reading resumes."""
        first = region[start]
        by_width = self._is_wide(first)
        layout_end = self._block_end(region, start + 1, wide_only=by_width)
        end = self._extent_end(region, layout_end, by_width)
        lead = len(first.text) - len(first.text.lstrip())
        extent = Extent(region[start:end], match.end() - lead)
        block_end = extent.offset_of_row(layout_end - start)
        scores = []
        for k in range(len(extent.starts)):
            wide = self._is_wide(extent.lines[extent.row_of(extent.starts[k])])
            ends_block = not by_width and extent.sentence_end(k) == block_end
            scores.append(Score.of(extent.sentence(k), wide if by_width else None, ends_block))
        cut, uncertain = _caption_end(scores)  # the first sentence is the caption's anyway
        figure = ParsedFigure(int(match.group(1)), "", line=first.number)
        if cut < len(extent.starts):
            caption_lines, rest = extent.split(extent.starts[cut])
            kept.extend(rest)
        else:
            caption_lines, rest = list(extent.lines), []
        figure.caption = self.text.join(caption_lines)
        if uncertain:
            figure.uncertain = self._uncertain(figure.number, extent, cut, scores[cut])
        self._report(figure.number, extent, layout_end - start, cut, scores)
        self.figures.append(figure)
        return end

    def _uncertain(self, number: int, extent: Extent, cut: int, score: Score) -> str:
        """Warn about an uncertain end; return the TODO to write next to the figure."""
        line = extent.lines[extent.row_of(extent.starts[cut])]
        sentence = _excerpt(extent.sentence(cut), 100)
        self.report.line_warnings.append(
            (
                line.number,
                f"figure {number}: where its caption ends is uncertain: '{sentence}' was put "
                f"in the discussion ({score.cues()}); see the TODO next to the figure",
            )
        )
        return (
            f"figure {number}: where the caption ends is uncertain; '{sentence}' (line "
            f"{line.number}) was put in the discussion: move it here if it describes the image"
        )

    def _report(
        self, number: int, extent: Extent, layout_rows: int, cut: int, scores: list[Score]
    ) -> None:
        """Count the caption's lines as used, and list every line that the text put on the
        other side of the caption's end than the layout did, with the reason."""
        at = extent.starts[cut] if cut < len(extent.starts) else len(extent.flat) + 1
        cut_line = extent.lines[extent.row_of(at)].number if at <= len(extent.flat) else 0
        first_moved = True
        for k, row in enumerate(extent.rows):
            line, begins = extent.lines[row], extent.offsets[k]
            caption_part = begins < at
            discussion_part = at < begins + len(line.stripped)
            if caption_part:
                self.report.use(line, f"caption of figure {number}")
            if row < layout_rows and discussion_part:
                text = extent.sentence(cut) if first_moved else line.stripped[max(0, at - begins) :]
                why = (
                    _why_discussion(scores, cut)
                    if first_moved
                    else f"after the end of the caption (line {cut_line})"
                )
                first_moved = False
                self.report.moved.append(
                    (line.number, f"figure {number}: '{_excerpt(text)}' \u2192 discussion: {why}")
                )
            elif row >= layout_rows and caption_part:
                text = line.stripped[: at - begins]
                why = self._why_caption(extent, k, scores)
                self.report.moved.append(
                    (line.number, f"figure {number}: '{_excerpt(text)}' \u2192 caption: {why}")
                )

    @staticmethod
    def _why_caption(extent: Extent, k: int, scores: list[Score]) -> str:
        """Why a line the layout left out of the caption belongs to it."""
        begins = extent.offsets[k]
        sentence = bisect.bisect_right(extent.starts, begins) - 1
        if extent.starts[sentence] == begins:
            return f"it describes the image ({scores[sentence].cues()})"
        gap = k > 0 and extent.rows[k] - extent.rows[k - 1] > 1
        return "it continues the caption's sentence" + (" after a page break" if gap else "")


def _why_discussion(scores: list[Score], cut: int) -> str:
    """Why the text from sentence ``cut`` on is not the caption's."""
    score = scores[cut]
    after = "panel" if any("panel" in s.image for s in scores[:cut]) else "sentence"
    if score.kind == "uncertain":
        return f"where the caption ends is uncertain ({score.cues()})"
    if score.image_score == 0:
        return f"no image cues after the caption's last {after} ({score.cues()})"
    if score.narrow and score.against_score - score.image_score < RUNNING_MARGIN:
        return f"set in the text column after a wide caption, no clear image cues ({score.cues()})"
    return f"more discussion cues than image cues ({score.cues()})"


def _excerpt(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit].rstrip() + "\u2026"
