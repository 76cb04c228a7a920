"""Turn a quiz article as it comes out of a PDF into a content file.

A "Clinical Quiz" article has a title, a case, usually a discussion with figure
captions, and numbered questions with lettered options, each followed by a critique
that states the answer. PDF extraction breaks it up: lines wrapped at the column width,
words hyphenated across lines, page breaks as blank lines inside sentences, captions
dropped into the middle of paragraphs, headings with stray spaces. This module puts it
back together, conservatively:

* every input line is accounted for: it lands in a field, is used as structure (a
  heading, a question number, an answer statement), or is listed as left out with the
  reason; anything uncertain is a warning, never a silent guess;
* the result is checked by the same loader ``deckbuilder check`` uses before it is
  returned, so what is written is valid content, or says in comments what to add.
"""

from __future__ import annotations

import bisect
import re
import statistics
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deckbuilder.errors import DeckbuilderError

HEADINGS = {
    "case": "case",
    "case report": "case",
    "case presentation": "case",
    "clinical case": "case",
    "the case": "case",
    "discussion": "discussion",
    "questions": "questions",
    "question": "questions",
    "critique": "critique",
    "explanation": "critique",
    "commentary": "critique",
    "references": "references",
}
SECTION_LABELS = {"clinical quiz", "quiz", "case quiz", "clinical challenge"}

_QUESTION = re.compile(r"^\s*(?:Q(?:uestion)?\s*)?(\d{1,4})\s*[.)]\s+(\S.*)$")
_OPTION = re.compile(r"^\s*\(?([A-Z])[.)]\s+(\S.*)$")
_OPTION_BARE = re.compile(r"^\s*\(?([A-Z])[.)]\s*$")
_ANSWER = re.compile(
    r"^\s*(?:the\s+)?(?:correct\s+|right\s+|best\s+)?answer\s*(?:is|:|=|-|\u2013|\u2014)?\s*"
    r"(?:option\s+)?\(?([A-Za-z])\)?\s*[.)]?\s*$",
    re.IGNORECASE,
)
_ANSWER_INLINE = re.compile(
    r"(?:^|(?<=[.!?]\s))\s*(?:the\s+)?(?:correct\s+|right\s+|best\s+)?answer\s*"
    r"(?:is|:|=|\u2013|\u2014)\s*(?:option\s+)?\(?([A-Za-z])\)?\s*[.)]?\s*$",
    re.IGNORECASE,
)
_FIGURE = re.compile(r"^\s*(?:Figure|Fig\.?)\s*(\d+)\s*[.:]")
_SENTENCE_END_CHARS = frozenset('.?!:;)]"\u201d\u2019')
_LOOKBACK = 200  # characters of joined text that decide a hyphen (far longer than a word)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_<])")
_MARKDOWN_LINE_START = re.compile(r"^(?:\d+[.)]|[-+*>#=]|-{2,}|`{3,}|~{3,})(?:\s|$)")


MAX_ARTICLE_BYTES = 1024 * 1024  # a quiz article is a few pages: 1 MiB is far more

# Invisible characters a PDF extraction leaves behind (NUL, escape codes, C1 controls):
# Anki separates fields with one of them and the content loader refuses them all.
# U+FFFE and U+FFFF are not characters at all, and YAML refuses them.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# A form feed is how many PDF extractors mark a page break; the Unicode line and paragraph
# separators are line breaks too, and YAML would read them as such.
_LINE_BREAK = re.compile("[\x0c\u2028\u2029]")


class ArticleError(DeckbuilderError):
    """The article cannot be imported: not a quiz, not text, or too large."""


class ImportCheckError(DeckbuilderError):
    """The case file import-text wrote does not read back as what it parsed: a bug."""


@dataclass
class Report:
    """What happened to every line of the article."""

    warnings: list[str] = field(default_factory=list)
    line_warnings: list[tuple[int, str]] = field(default_factory=list)  # line, what
    moved: list[tuple[int, str]] = field(default_factory=list)  # line, between caption/text
    citations: list[tuple[int, str, str]] = field(default_factory=list)  # uncertain: line, why
    superscripts: int = 0  # citation numbers set as superscripts
    left_out: list[tuple[int, str, str]] = field(default_factory=list)  # line, text, why
    structure: list[tuple[int, str, str]] = field(default_factory=list)  # line, text, role

    def leave_out(self, line: Line, why: str) -> None:
        self.left_out.append((line.number, line.text.strip(), why))

    def use(self, line: Line, role: str) -> None:
        self.structure.append((line.number, line.text.strip(), role))


@dataclass(frozen=True)
class Line:
    number: int
    text: str

    @property
    def stripped(self) -> str:
        return self.text.strip()

    @property
    def blank(self) -> bool:
        return not self.text.strip()

    @property
    def indented(self) -> bool:
        return self.text[:1].isspace()


@dataclass
class ParsedQuestion:
    number: int
    line: int
    stem: str
    options: dict[str, str]
    critique: str
    answer: str | None


@dataclass
class ParsedFigure:
    number: int
    caption: str
    uncertain: str | None = None  # why the caption's end is uncertain: a TODO next to it


@dataclass
class ParsedQuiz:
    title: str
    case: str
    discussion: str
    figures: list[ParsedFigure]
    questions: list[ParsedQuestion]
    report: Report
    citations: _Citations | None = None  # sets citation numbers as superscripts


# --- reading the article ---------------------------------------------------------------


def _read_lines(article: str, report: Report) -> list[Line]:
    """The article's lines, numbered as an editor numbers them, control characters removed
    (each line where that happened is a warning) and page breaks made line breaks.

    A form feed splits a line into several :class:`Line` with the same number, so that
    every line number in the report is still the one ``grep -n`` or an editor shows.
    """
    lines: list[Line] = []
    for number, raw in enumerate(article.split("\n"), 1):
        raw = raw.rstrip("\r")
        if _CONTROL.search(raw):
            found = sorted({f"U+{ord(c):04X}" for c in _CONTROL.findall(raw)})
            report.line_warnings.append(
                (number, f"removed the invisible control character(s) {', '.join(found)}")
            )
            raw = _CONTROL.sub("", raw)
        lines.extend(Line(number, piece) for piece in _LINE_BREAK.split(raw))
    return lines


def _heading(line: Line) -> str | None:
    key = re.sub(r"\s+", " ", line.stripped.rstrip(":").strip()).lower()
    return HEADINGS.get(key)


def _split_sections(lines: Sequence[Line], report: Report) -> dict[str, list[Line]]:
    """Cut the article at its headings. Lines before the first heading are the title."""
    sections: dict[str, list[Line]] = {
        "title": [],
        "case": [],
        "discussion": [],
        "questions": [],
        "references": [],
    }
    current = "title"
    seen_questions = False
    has_options = any(_OPTION.match(x.text) for x in lines)
    for line in lines:
        kind = _heading(line)
        if kind == "critique" or (
            kind == "questions" and seen_questions and current == "questions"
        ):
            sections["questions"].append(line)  # critique headings stay with their question
            continue
        if kind is not None and kind != "critique":
            report.use(line, f"heading ({kind})")
            current = kind
            seen_questions = seen_questions or kind == "questions"
            continue
        if current == "title" and line.stripped.lower() in SECTION_LABELS:
            report.use(line, "journal section label")
            continue
        if (
            current == "title"
            and not sections["case"]
            and _QUESTION.match(line.text)
            and has_options
        ):
            # No headings at all: numbered questions start the quiz.
            current = "questions"
            seen_questions = True
        sections[current].append(line)
    return sections


# --- figure captions -------------------------------------------------------------------
#
# Where a caption ends: layout gives a first answer (a blank line; the end of the lines
# typeset wider than the text column), but PDF extraction often glues the discussion to
# a caption without a blank line, or breaks a caption at a page end. So the text from the
# "Figure N." line to the next blank line (further while a sentence is unfinished) is read
# sentence by sentence, and each sentence is scored by what it says: a caption describes
# the image. The first sentence that does not ends the caption there, mid-line if need be.


@dataclass(frozen=True)
class Cue:
    """A kind of evidence about a sentence. ``group`` names it in the report; a group
    counts once per sentence, with the weight of its strongest cue that is present."""

    group: str
    weight: int
    pattern: re.Pattern[str]


def _cue(group: str, weight: int, pattern: str, flags: int = 0) -> Cue:
    return Cue(group, weight, re.compile(pattern, flags))


_I = re.IGNORECASE
_PANEL_LIST = r"[A-Ha-h](?:\s*(?:,|and|&|-|\u2013)\s*[A-Ha-h])*"

#: Evidence that a sentence describes the image.
IMAGE_CUES: tuple[Cue, ...] = (
    _cue("panel", 3, rf"^(?:\(?{_PANEL_LIST}\)?\s*[:.,)]|\({_PANEL_LIST}\))\s"),
    _cue("panel", 2, r"(?<![\w.])[A-H]:\s"),
    _cue("panel", 1, r"\([A-Ha-h]\)"),
    _cue(
        "view",
        1,
        r"\b(?:axial|coronal|sagittal|transverse|oblique|anteroposterior|lateral|frontal|"
        r"longitudinal|reformat\w*|projection|view|images?|(?:photo)?micrograph|photograph|"
        r"specimen|gross|intraoperative|arthroscopic|endoscopic)\b",
        _I,
    ),
    _cue("view", 1, r"\b(?:AP|PA)\b"),
    _cue(
        "sequence",
        2,
        r"\bT[12](?:-weighted|W\b|\s+sequence)|\bSTIR\b|\bFLAIR\b|diffusion-weighted|"
        r"fat[- ](?:suppress\w*|saturat\w*)|gadolinium|contrast-enhanced|post-?contrast|"
        r"gradient[- ]echo|proton[- ]density",
        _I,
    ),
    _cue("sequence", 1, r"\bT[12]\b"),  # also a vertebra: weak on its own
    _cue("modality", 1, r"\b(?:MRI|MR|CT|PET|SPECT)\b"),
    _cue(
        "modality",
        1,
        r"\bx-?rays?\b|radiograph\w*|\bultraso\w+|sonograph\w*|doppler|scintigra\w+|"
        r"angiogra\w+|fluoroscop\w*|mammogra\w+|computed tomography|magnetic resonance|"
        r"arthrogra\w+|dermoscop\w+",
        _I,
    ),
    _cue("stain", 2, r"H&E|\bHE\b|\bIHC\b|\bPAS\b"),
    _cue(
        "stain",
        2,
        r"ha?ematoxylin|\beosin|immunohisto\w*|immunostain\w*|\bstain(?:s|ed|ing)?\b|"
        r"giemsa|trichrome|reticulin|congo red|ziehl",
        _I,
    ),
    # "x 200", "X 400", "\u00d7400", but not the "x" of a size ("10 x 12 mm", "20x15x28cm").
    _cue(
        "magnification",
        3,
        r"(?<![\w.])(?<!\d\s)[x\u00d7X]\s?\d{2,4}\b(?!\s?(?:mm|cm|m|\u00b5m)\b)",
    ),
    _cue(
        "magnification",
        3,
        r"magnification|\bobjective\b|high-power|low-power|scale bar|\bbar\s*[=:,]?\s*\d",
        _I,
    ),
    _cue(
        "pointer",
        2,
        r"\b(?:arrow(?:head)?s?|asterisks?|stars?|circled?|dashed|dotted|insets?|outlined?)\b",
        _I,
    ),
    _cue("pointer", 2, r"(?:^|\s)\*(?:\s|$)"),
    _cue(
        "depicts",
        1,
        r"\b(?:show(?:s|n|ing)?|demonstrat(?:es|ing)|depict(?:s|ing|ed)|reveal(?:s|ing)|"
        r"illustrat(?:es|ing)|display(?:s|ing)|note\s+the|(?:is|are)\s+seen|visible|"
        r"highlight(?:s|ed|ing)?)\b",
        _I,
    ),
)

#: Evidence that a sentence is running text: it argues, generalises, cites, advises.
DISCUSSION_CUES: tuple[Cue, ...] = (
    _cue("continues a sentence", 3, r"^[a-z]+"),  # the text the caption interrupted resumes
    _cue(
        "citation",
        2,
        r"(?<![a-z])[a-z]{3,}[.,]?\d{1,3}(?:[,\u2013-]\d{1,3})*(?![\w%])"
        r"|\[\d{1,3}(?:[,\u2013-]\d{1,3})*\]"
        r"|\bet al\b",
    ),
    _cue(
        "literature",
        2,
        r"\b(?:stud(?:y|ies)|series|literature|reported|authors?|meta-?analys[ie]s|"
        r"metanalys[ie]s|reviews?|trials?|cohorts?|guidelines?|recommend\w*)\b",
        _I,
    ),
    _cue(
        "generalises",
        2,
        r"\b(?:usually|typically|commonly|often|rarely|generally|frequently|in general|"
        r"in conclusion|therefore|thus|should|must|may|might|characteristic(?:ally)?)\b",
        _I,
    ),
    _cue(
        "management",
        1,
        r"\b(?:treat(?:ment|ments|ed|ing)?|therap(?:y|ies|eutic)|radiotherapy|chemotherapy|"
        r"manage(?:ment|d)?|surveillance|follow-up|prognos(?:is|tic)|survival|recurrences?|"
        r"relapses?|mortality|morbidity|outcomes?|risks?|incidence|prevalence)\b",
        _I,
    ),
    _cue("people", 1, r"\b(?:patients|we|our|us|children|adults|men|women)\b", _I),
    _cue("statistics", 1, r"(?<![\d.])\d+(?:\.\d+)?\s?%|\bp\s?[<=]\s?0|odds ratio", _I),
)

WIDE_WEIGHT = 3  # a sentence that starts on a line typeset as wide as the caption
NARROW_WEIGHT = 1  # one that starts on a text-column line after a wide caption
CAPTION_SCORE = 2  # image evidence a caption sentence needs when nothing speaks against it
CAPTION_MARGIN = 3  # ... or by how much it must outweigh the evidence against
RUNNING_MARGIN = 2  # discussion evidence this much stronger (or no image cue): discussion

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


def _found(sentence: str, cues: Iterable[Cue]) -> dict[str, tuple[int, str]]:
    """The cue groups present in ``sentence``: group -> (weight, the words that matched)."""
    found: dict[str, tuple[int, str]] = {}
    for cue in cues:
        hit = cue.pattern.search(sentence)
        if hit and cue.weight > found.get(cue.group, (0, ""))[0]:
            found[cue.group] = (cue.weight, hit.group().strip())
    return found


@dataclass(frozen=True)
class Score:
    """What one sentence after a caption's first says about itself, and the verdict."""

    image: dict[str, tuple[int, str]]
    against: dict[str, tuple[int, str]]
    narrow: bool = False  # starts on a text-column line after a wide caption
    ends_block: bool = False  # ends where the layout ends the caption (a blank line)

    @classmethod
    def of(cls, sentence: str, wide: bool | None, ends_block: bool = False) -> Score:
        """``wide``: True/False for a sentence starting on a wide/narrow line of a caption
        typeset wider than the text; None when the caption is as wide as the text."""
        image = _found(sentence, IMAGE_CUES)
        against = _found(sentence, DISCUSSION_CUES)
        if "panel" in image and image["panel"][0] == 3:
            against.pop("continues a sentence", None)  # "(a) axial ..." starts lower case
        if wide:
            image["layout"] = (WIDE_WEIGHT, "typeset as wide as the caption")
        elif wide is False:
            against["layout"] = (NARROW_WEIGHT, "set in the text column")
        return cls(image, against, narrow=wide is False, ends_block=ends_block)

    @property
    def image_score(self) -> int:
        return sum(weight for weight, _ in self.image.values())

    @property
    def against_score(self) -> int:
        return sum(weight for weight, _ in self.against.values())

    @property
    def kind(self) -> str:
        """The verdict: caption, running (text of the discussion) or uncertain."""
        image, against = self.image_score, self.against_score
        if image >= CAPTION_SCORE and (against == 0 or image - against >= CAPTION_MARGIN):
            return "caption"
        if (image == 0 and against > 0) or against - image >= RUNNING_MARGIN or self.narrow:
            return "running"  # after a wide caption, the layout settles what text cannot
        return "uncertain"

    def cues(self) -> str:
        def words(found: dict[str, tuple[int, str]]) -> str:
            return ", ".join(
                f"'{text}'" if g != "layout" else text for g, (_, text) in found.items()
            )

        parts = []
        if self.image:
            parts.append(f"image cues: {words(self.image)}")
        if self.against:
            parts.append(f"discussion cues: {words(self.against)}")
        return "; ".join(parts) or "no cues either way"


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


class _Extent:
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
        starts = [begin]
        for m in _BOUNDARY.finditer(self.flat, begin):
            before = self.flat[max(begin, m.start() - 20) : m.start() + 1]
            if not _ABBREVIATION.search(before):
                starts.append(m.end())
        return starts

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


class _Captions:
    """Takes the figure captions out of regions of running text, wherever the PDF put them,
    and reports every line whose place the text decided differently from the layout."""

    def __init__(self, width: float, report: Report, text: _Joiner) -> None:
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
        return line.blank or _heading(line) is not None or _FIGURE.match(line.text) is not None

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
        while end < len(region) and not _ends_sentence(region[end - 1].stripped):
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
        extent = _Extent(region[start:end], match.end() - lead)
        block_end = extent.offset_of_row(layout_end - start)
        scores = []
        for k in range(len(extent.starts)):
            wide = self._is_wide(extent.lines[extent.row_of(extent.starts[k])])
            ends_block = not by_width and extent.sentence_end(k) == block_end
            scores.append(Score.of(extent.sentence(k), wide if by_width else None, ends_block))
        cut, uncertain = _caption_end(scores)  # the first sentence is the caption's anyway
        figure = ParsedFigure(int(match.group(1)), "")
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

    def _uncertain(self, number: int, extent: _Extent, cut: int, score: Score) -> str:
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
        self, number: int, extent: _Extent, layout_rows: int, cut: int, scores: list[Score]
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
    def _why_caption(extent: _Extent, k: int, scores: list[Score]) -> str:
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


# --- citation numbers ------------------------------------------------------------------
#
# PDF extraction flattens superscript citation numbers onto the word before them
# ("males1,2", "tumours.3"). Gene, marker, vertebra and size names look just like that
# ("MDM2", "CDK4", "C2", "S100", "20x15x28cm"), and a superscript on a marker name is
# worse than a citation left flat. So only a lower-case word of the article or the
# dictionary (or a percentage) followed by ascending numbers is a citation, and only when
# the article's numbered reference list covers the numbers, or, without a reference list,
# when the article cites this way more than once. Anything in between is left as written
# and listed as uncertain.

_CITATION = re.compile(
    r"(?<![A-Za-z0-9%])(?P<host>[A-Za-z]+|\d+(?:\.\d+)?%)(?P<glue>[.,]?)"
    r"(?P<nums>\d{1,3}(?:[,\u2013-]\d{1,3})*)(?![A-Za-z0-9%]|[.,]\d)"
)
_REFERENCE_ENTRY = re.compile(r"^\s*\[?(\d{1,3})[.)\]]?\s+\S")
_WORD = re.compile(r"(?<![a-z0-9])[a-z]+(?![a-z0-9])")

#: Lower-case words that take numbers of their own (units, labels): never a citation.
CITATION_NEVER = frozenset(
    "fig figs ref refs vol eq mmol nmol pmol umol kcal mmhg kpa mcg sec min hrs".split()
)
#: Words often followed by a number of their own ("grade3"): never sure, so listed.
CITATION_DOUBTFUL = frozenset(
    """grade type stage class level phase group arm cycle dose lead zone tier step score day
    week month year version trisomy chromosome exon codon intron segment rib ray toe finger
    digit covid omega vitamin figure table case patient""".split()
)
MAX_UNLISTED_CITATION = 300  # without a reference list, a larger number is no citation


def _cited_numbers(nums: str) -> list[int] | None:
    """The numbers of "1,2", "3-5", "1,4-6", or None unless they ascend as citations do."""
    out: list[int] = []
    for part in nums.split(","):
        bounds = [int(b) for b in re.split("[\u2013-]", part)]
        low, high = bounds[0], bounds[-1]
        if len(bounds) > 2 or low < 1 or (len(bounds) == 2 and high <= low):
            return None
        if out and low <= out[-1]:
            return None
        out += [low, high]
    return out


class _Citations:
    """Which numbers glued to words are citations, decided once for the whole article."""

    def __init__(
        self, article: Sequence[Line], text: Sequence[Line], references: int, report: Report
    ) -> None:
        """``article``: every line (its words are the vocabulary); ``text``: the lines
        whose numbers may be citations, each uncertain one reported with its line."""
        self.vocabulary = set(_WORD.findall("\n".join(x.text for x in article).lower()))
        self.references = references
        self.decisions: dict[tuple[str, str, str], tuple[str, str]] = {}
        self.style = 0  # how often the article glues a plausible citation to a word
        found = [(line, m) for line in text for m in _CITATION.finditer(line.text)]
        for _, m in found:
            if self._plausible(m) is None:
                self.style += 1
        for line, m in found:
            kind, why = self.decide(m)
            if kind == "cite":
                report.superscripts += 1
            elif kind == "uncertain":
                report.citations.append((line.number, m.group(), why))

    def _known(self, word: str) -> bool:
        return word.lower() in self.vocabulary or _is_word(word)

    def _plausible(self, m: re.Match[str]) -> tuple[str, str] | None:
        """Why ``m`` is not a citation ("keep": a name or unit; "uncertain"), or None
        if it may be one."""
        host, glue, nums = m.group("host", "glue", "nums")
        if not host.endswith("%"):
            if len(host) < 3 or any(c.isupper() for c in host[1:]):
                return "keep", "a name or unit"
            if host[0].isupper():
                known = self._known(host)
                return ("uncertain", "a capitalised word before it") if known else ("keep", "")
            if host in CITATION_NEVER:
                return "keep", "a unit or label"
            if host in CITATION_DOUBTFUL:
                return "uncertain", f"'{host}' is often followed by a number of its own"
            if not self._known(host):
                return "uncertain", f"'{host}' is not a word of the article or the dictionary"
        numbers = _cited_numbers(nums)
        if numbers is None:
            return "uncertain", "the numbers do not ascend as citations do"
        if glue == ",":
            return "uncertain", "a comma before the number may separate a list"
        limit = self.references or MAX_UNLISTED_CITATION
        if max(numbers) > limit:
            where = f"the {limit} numbered references" if self.references else str(limit)
            return "uncertain", f"{max(numbers)} is beyond {where}"
        return None

    def decide(self, m: re.Match[str]) -> tuple[str, str]:
        """("cite", ""), ("keep", why) or ("uncertain", why) for a match of _CITATION."""
        key = m.group("host", "glue", "nums")
        if key not in self.decisions:
            verdict = self._plausible(m)
            if verdict is None and not self.references and self.style < 2:
                verdict = "uncertain", "no numbered reference list and no other citation like it"
            self.decisions[key] = verdict or ("cite", "")
        return self.decisions[key]

    def superscript(self, markdown: str) -> str:
        """``markdown`` with every citation number set as ``<sup>…</sup>``."""

        def sup(m: re.Match[str]) -> str:
            if self.decide(m)[0] != "cite":
                return m.group()
            return f"{m.group('host')}{m.group('glue')}<sup>{m.group('nums')}</sup>"

        return _CITATION.sub(sup, markdown)


def _reference_count(lines: Iterable[Line]) -> int:
    """How many entries the "References" section numbers 1, 2, 3, ... (0 if none)."""
    expected = 1
    for line in lines:
        entry = _REFERENCE_ENTRY.match(line.text)
        if entry and int(entry.group(1)) == expected:
            expected += 1
    return expected - 1


_SPELL = None


def _is_word(word: str) -> bool:
    global _SPELL
    if _SPELL is None:
        from spellchecker import SpellChecker

        _SPELL = SpellChecker()
    return bool(_SPELL.known([word.lower()]))


def _ends_sentence(text: str) -> bool:
    return text[-1:] in _SENTENCE_END_CHARS  # "" is not in it


def _trailing_letters(text: str) -> str:
    """The ASCII letters that end ``text`` (the part of a word before a line-end hyphen)."""
    i = len(text)
    while i and text[i - 1].isascii() and text[i - 1].isalpha():
        i -= 1
    return text[i:]


class _Joiner:
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
        return not _is_word(a + b)

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
            if current and (pending_break or line.indented) and _ends_sentence(last):
                paragraphs.append(current)
                current = []
            current.append(line)
            pending_break = False
        if current:
            paragraphs.append(current)
        return "\n\n".join(self.join(p) for p in paragraphs)


@dataclass
class _QuestionDraft:
    """One question as its lines are read; turned into text once it is complete."""

    number: int
    line: int
    stem: list[Line]
    options: list[tuple[str, list[Line]]] = field(default_factory=list)
    critique: list[Line] = field(default_factory=list)
    answer: str | None = None

    def build(self, text: _Joiner) -> ParsedQuestion:
        return ParsedQuestion(
            self.number,
            self.line,
            text.join(self.stem),
            {letter: text.join(wrapped) for letter, wrapped in self.options},
            text.paragraphs(self.critique),
            self.answer,
        )


class _QuestionReader:
    """Reads the questions section line by line.

    A small state machine: before the first question ("none"), in a question's stem,
    in its lettered options, then in its critique. A numbered line starts the next
    question only when its number follows the last one, so a critique that mentions
    "2. ..." or a year at the start of a line is not taken for a question.
    """

    def __init__(self, report: Report, text: _Joiner) -> None:
        self.report = report
        self.text = text
        self.state = "none"
        self.draft: _QuestionDraft | None = None
        self.done: list[ParsedQuestion] = []
        self.expected_letter = "A"
        self.blank_after_option = False

    def read(self, lines: Iterable[Line]) -> list[ParsedQuestion]:
        for line in lines:
            self._feed(line)
        self._finish()
        return self.done

    def _finish(self) -> None:
        if self.draft is not None:
            self.done.append(self.draft.build(self.text))

    def _feed(self, line: Line) -> None:
        q = _QUESTION.match(line.text)
        opt = _OPTION.match(line.text) or _OPTION_BARE.match(line.text)
        if q and self._starts_question(int(q.group(1)), opt is not None):
            self._start(line, int(q.group(1)), q.group(2))
        elif self.draft is None:
            if not line.blank:
                self.report.leave_out(line, "text before the first numbered question")
        elif _heading(line) == "critique":
            self.state = "critique"
            self.report.use(line, f"critique heading of question {self.draft.number}")
        elif opt and self.state in {"stem", "options"} and opt.group(1) == self.expected_letter:
            rest = opt.group(2) if opt.re is _OPTION else ""
            self.draft.options.append((opt.group(1), [Line(line.number, rest)] if rest else []))
            self.expected_letter = chr(ord(self.expected_letter) + 1)
            self.state, self.blank_after_option = "options", False
        else:
            self._text(line, self.draft)

    def _starts_question(self, number: int, is_option: bool) -> bool:
        if self.draft is None:
            return True
        if not (self.state == "critique" or (self.state == "options" and not is_option)):
            return False
        return number == self.draft.number + 1

    def _start(self, line: Line, number: int, first: str) -> None:
        self._finish()
        self.draft = _QuestionDraft(number, line.number, [Line(line.number, first)])
        self.state, self.expected_letter = "stem", "A"
        self.report.use(line, f"question {number}")

    def _text(self, line: Line, draft: _QuestionDraft) -> None:
        """A line that is neither a question number, a heading nor a new option."""
        if self.state == "options" and not line.blank and self.blank_after_option:
            self.state = "critique"  # options end at a blank line; no "Critique" heading here
        if self.state == "stem":
            draft.stem.append(line)
        elif self.state == "options":
            if line.blank:
                self.blank_after_option = True
            else:
                draft.options[-1][1].append(line)
        else:
            self._critique(line, draft)

    def _critique(self, line: Line, draft: _QuestionDraft) -> None:
        found = _ANSWER.match(line.text)
        inline = None if found else _ANSWER_INLINE.search(line.text)
        stated = found or inline
        if stated is not None:
            draft.answer = stated.group(1).upper()
            if inline:
                draft.critique.append(Line(line.number, line.text[: inline.start()].rstrip()))
            where = "" if found else " (end of line)"
            self.report.use(line, f"answer of question {draft.number}{where}")
        elif draft.answer is not None and not line.blank:
            self.report.leave_out(line, f"text after the stated answer of question {draft.number}")
        else:
            draft.critique.append(line)


def parse_article(article: str) -> ParsedQuiz:
    """Recognise the parts of a quiz article. Raises if no usable quiz is found."""
    report = Report()
    lines = _read_lines(article, report)
    text = _Joiner(lines)
    sections = _split_sections(lines, report)
    body = [x for x in sections["case"] + sections["discussion"] if not x.blank]
    width = statistics.median(len(x.stripped) for x in body) if body else 60.0
    captions = _Captions(width, report, text)
    case_lines = captions.take_out(sections["case"])
    discussion_lines = captions.take_out(sections["discussion"])
    title_lines = captions.take_out(sections["title"])
    figures = sorted(captions.figures, key=lambda f: f.number)
    questions = _QuestionReader(report, text).read(sections["questions"])
    for line in sections["references"]:
        if not line.blank:
            report.leave_out(line, "references (not part of a card)")
    title = text.join(title_lines)
    case = text.paragraphs(case_lines)
    discussion = text.paragraphs(discussion_lines)

    usable = [q for q in questions if len(q.options) >= 2]
    if not usable:
        raise ArticleError(
            'no usable quiz found: expected numbered questions ("1. ...") with lettered '
            "options (\"A. ...\") after a 'Questions' heading"
        )
    cited = [*sections["case"], *sections["discussion"], *sections["questions"]]
    references = _reference_count(sections["references"])
    citations = _Citations(lines, cited, references, report)
    quiz = ParsedQuiz(title, case, discussion, figures, questions, report, citations)
    _warn(quiz)
    return quiz


def _warn(quiz: ParsedQuiz) -> None:
    warn = quiz.report.warnings.append
    if not quiz.title:
        warn("no title found before the case; 'title' is a placeholder to replace")
    if not quiz.case:
        warn("no 'Case' section found; 'case' is a placeholder to replace")
    for q in quiz.questions:
        where = f"question {q.number} (line {q.line})"
        if len(q.options) < 2:
            warn(f"{where}: fewer than two options were recognised")
        if q.answer is None:
            warn(f"{where}: no stated answer found (\"The correct answer is X.\"); add 'answer'")
        elif q.answer not in q.options:
            warn(
                f"{where}: the stated answer {q.answer!r} is not one of the options "
                f"{', '.join(q.options)}"
            )
        if not q.critique:
            warn(f"{where}: no critique found; add 'critique'")
    numbers = [q.number for q in quiz.questions]
    if numbers != list(range(1, len(numbers) + 1)):
        warn(f"questions are numbered {numbers}, not 1 to {len(numbers)}")


# --- writing the content file ----------------------------------------------------------


def slug(text: str, words: int = 5) -> str:
    """A stable key from a title: the first significant words, lower case."""
    stop = {"a", "an", "the", "of", "in", "on", "and", "or", "with", "to", "for", "at", "by"}
    found = [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in stop]
    key = "-".join(found[:words])[:64].strip("-")
    return key or "imported-case"


def _markdown_text(text: str) -> str:
    """Article text as Markdown that renders exactly as the text: escape what would
    otherwise become emphasis, code or HTML."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _wrap(paragraph: str, width: int) -> list[str]:
    lines = textwrap.wrap(paragraph, width=width, break_long_words=False, break_on_hyphens=False)
    out: list[list[str]] = []
    for line in lines:
        if out and _MARKDOWN_LINE_START.match(line):
            out[-1].append(line)  # never start a line with something Markdown reads as markup
        else:
            out.append([line])
    return [" ".join(parts) for parts in out]


def _markdown(text: str) -> str:
    """Paragraphs (separated by a blank line) of article text as Markdown."""
    return "\n\n".join(_markdown_text(p) for p in text.split("\n\n") if p.strip())


def _block(key: str, text: str, indent: int, one_line: bool = False) -> list[str]:
    """``key: text`` as YAML lines: a plain scalar when short, else a ``|`` block."""
    pad = " " * indent
    paragraphs = text.split("\n\n")
    if len(paragraphs) == 1 and (one_line or len(paragraphs[0]) + len(key) + indent < 88):
        return [f"{pad}{key}: {_scalar(paragraphs[0])}"]
    out = [f"{pad}{key}: |"]
    for i, p in enumerate(paragraphs):
        if i:
            out.append("")
        out.extend(f"{pad}  {line}" for line in _wrap(p, 88 - indent - 2))
    return out


def _scalar(text: str) -> str:
    """One line of text as a YAML scalar, quoted only when YAML needs it."""
    import yaml

    from deckbuilder.content.yamlfile import parse_yaml

    plain = parse_yaml(f"k: {text}\n")
    if not plain.problems and plain.data == {"k": text} and not text.startswith(("'", '"')):
        return text
    return yaml.safe_dump(text, allow_unicode=True, width=10_000).strip().removesuffix("\n...")


def written_values(quiz: ParsedQuiz) -> dict[str, Any]:
    """Every value of the case file as it is written (texts as Markdown, citation
    numbers as superscripts), keyed as in the file: what :func:`to_yaml` writes and what
    the file must read back as."""
    citations = quiz.citations

    def md(text: str) -> str:
        markdown = _markdown(text)
        return citations.superscript(markdown) if citations else markdown

    title = quiz.title or "TODO: title"
    data: dict[str, Any] = {
        "id": slug(title),
        "title": _markdown(title),
        "case": md(quiz.case or "TODO: the case vignette"),
    }
    if quiz.discussion:
        data["discussion"] = md(quiz.discussion)
    if quiz.figures:
        data["figures"] = [{"caption": md(f.caption)} for f in quiz.figures]
    questions = []
    for q in quiz.questions:
        item: dict[str, Any] = {
            "id": f"q{q.number}",
            "question": md(q.stem or "TODO: question"),
            "options": {letter: md(t or "TODO") for letter, t in q.options.items()},
        }
        if q.answer is not None:
            item["answer"] = q.answer
        if q.critique:
            item["critique"] = md(q.critique)
        questions.append(item)
    data["questions"] = questions
    return data


def to_yaml(quiz: ParsedQuiz, source_name: str, modeline: str | None = None) -> str:
    """The content file for a parsed quiz (a case file of the content format)."""
    data = written_values(quiz)
    lines = [modeline] if modeline else []
    lines += [
        f"# Imported by `deckbuilder import-text` from {_one_line(source_name)}.",
        "# Check the text against the article, then run `deckbuilder check`.",
        f"id: {data['id']}",
        *_block("title", data["title"], 0, one_line=True),
        *_block("case", data["case"], 0),
    ]
    if "discussion" in data:
        lines += _block("discussion", data["discussion"], 0)
    if "figures" in data:
        lines.append("figures:")
        for figure, written in zip(quiz.figures, data["figures"], strict=True):
            if figure.uncertain:
                lines.append(f"  # TODO: {_one_line(figure.uncertain)}")
            block = _block("caption", written["caption"], 4)
            lines.append("  - " + block[0].lstrip())
            lines += block[1:]
    lines.append("questions:")
    for q in data["questions"]:
        lines.append(f"  - id: {q['id']}")
        lines += _block("question", q["question"], 4)
        lines.append("    options:")
        for letter, text in q["options"].items():
            lines += _block(letter, text, 6)
        if "answer" in q:
            lines.append(f"    answer: {q['answer']}")
        else:
            lines.append("    # TODO: the article states no answer; add  answer: <letter>")
        if "critique" in q:
            lines += _block("critique", q["critique"], 4)
        else:
            lines.append("    # TODO: no critique found; add  critique: <text>")
    return "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    """Text for a YAML comment: one line, nothing YAML or Anki would refuse."""
    return " ".join(_CONTROL.sub("", _LINE_BREAK.sub(" ", text)).split())


@dataclass(frozen=True)
class ImportResult:
    path: Path
    quiz: ParsedQuiz
    text: str


def content_root(case_file: Path) -> Path:
    """The content folder a case file belongs to: the nearest parent holding ``deck.yaml``,
    else the folder above the case file's own (``<content>/cases/x.yaml``)."""
    from deckbuilder.content.folder import DECK_FILE

    absolute = case_file.absolute()
    for parent in absolute.parents:
        if (parent / DECK_FILE).is_file():
            return parent
    return absolute.parent.parent


def _read_article(article: Path) -> str:
    """The article's text; refused before anything is parsed if it is not a regular file,
    not UTF-8 or larger than :data:`MAX_ARTICLE_BYTES` (which is read no further)."""
    from deckbuilder.files import read_regular

    try:
        raw = read_regular(article, MAX_ARTICLE_BYTES)
    except OSError as exc:
        if "bytes; at most" in (exc.strerror or ""):
            raise ArticleError(
                f"{article}: is larger than {MAX_ARTICLE_BYTES:,} bytes (1 MiB); a quiz "
                "article is a few pages of text: is this the right file? Nothing was read "
                "or written"
            ) from exc
        raise ArticleError(f"{article}: cannot be read: {exc.strerror}") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(
            f"{article}: is not UTF-8 text (byte 0x{raw[exc.start]:02x} at "
            f"offset {exc.start}); save it as UTF-8"
        ) from exc


def import_article(
    article: Path, output: Path | None = None, *, force: bool = False
) -> ImportResult:
    """Parse ``article``, write its content file, and check it reads back as parsed."""
    from deckbuilder.authoring.schema import modeline
    from deckbuilder.content.loader import MAX_FILE_BYTES
    from deckbuilder.errors import OutputError
    from deckbuilder.files import write_file

    quiz = parse_article(_read_article(article))
    path = output or Path("content") / "cases" / f"{slug(quiz.title or 'imported')}.yaml"
    content = to_yaml(quiz, Path(article).name, modeline("case", path, content_root(path)))
    size = len(content.encode("utf-8"))
    if size > MAX_FILE_BYTES:
        raise ArticleError(
            f"{article}: the case file would be {size:,} bytes, more than the {MAX_FILE_BYTES:,} "
            "a content file may hold; split the article. Nothing was written"
        )
    _self_check(content, quiz)
    if path.exists() and not force:
        raise OutputError(f"{path} already exists; use --force to overwrite it")
    write_file(path, content.encode("utf-8"))
    return ImportResult(path, quiz, content)


def _self_check(content: str, quiz: ParsedQuiz) -> None:
    """The written YAML must read back as exactly the values meant (line wrapping aside).

    Not an ``assert``: it must hold with ``python -O`` too, and a failure is a bug in
    this module that the user should see as one clear message, with nothing written.
    """
    from deckbuilder.content.yamlfile import parse_yaml

    doc = parse_yaml(content)
    meant = _comparable(written_values(quiz))
    if doc.problems or not isinstance(doc.data, dict):
        where = "; ".join(p.message for p in doc.problems) or "not a mapping"
        raise ImportCheckError(_internal(f"the case file is not valid YAML ({where})"))
    read = _comparable(doc.data)
    if read != meant:
        raise ImportCheckError(
            _internal(f"{_first_difference(meant, read)} reads back differently")
        )
    if _key_order(read) != _key_order(meant):  # options A, B, C must stay in that order
        raise ImportCheckError(_internal("the order of keys reads back differently"))


def _internal(what: str) -> str:
    return (
        f"internal error in import-text: {what}; nothing was written. This is a bug in "
        "deckbuilder: please report it with the article"
    )


def _comparable(value: Any) -> Any:
    """Values with each paragraph's whitespace collapsed (a ``|`` block wraps lines)."""
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    if isinstance(value, str):
        return "\n\n".join(" ".join(p.split()) for p in value.split("\n\n") if p.strip())
    return value


def _key_order(value: Any) -> Any:
    """The keys of every mapping, in order (dicts compare equal in any order)."""
    if isinstance(value, dict):
        return [(k, _key_order(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_key_order(v) for v in value]
    return None


def _first_difference(meant: Any, read: Any, path: str = "") -> str:
    """The key path of the first value that differs, for the error message."""
    if isinstance(meant, dict) and isinstance(read, dict):
        for key in [*meant, *(k for k in read if k not in meant)]:
            if meant.get(key) != read.get(key):
                sub = f"{path}.{key}" if path else str(key)
                return _first_difference(meant.get(key), read.get(key), sub)
    if isinstance(meant, list) and isinstance(read, list) and len(meant) == len(read):
        for i, (m, r) in enumerate(zip(meant, read, strict=True)):
            if m != r:
                return _first_difference(m, r, f"{path}[{i}]")
    return path or "the file"
