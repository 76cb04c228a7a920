"""The article as read: its lines, its headings and sections, and what is found in it.

The first stage of import-text, and the vocabulary of the others: every later stage
works on :class:`Line` (so that every report names the line an editor shows) and
accounts for each line in the :class:`Report`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deckbuilder.authoring.importtext.citations import Citations


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
    # A section of numbered answers after all the questions (see :mod:`.answers`).
    "answers": "answers",
    "answer key": "answers",
    "answers and critiques": "answers",
    "answers and explanations": "answers",
    "answers and discussion": "answers",
    "answers and commentary": "answers",
    "answers to the questions": "answers",
    "critiques": "answers",
    "explanations": "answers",
}
SECTION_LABELS = {"clinical quiz", "quiz", "case quiz", "clinical challenge"}

QUESTION = re.compile(r"^\s*(?:Q(?:uestion)?\s*)?(\d{1,4})\s*[.)]\s+(\S.*)$")
OPTION = re.compile(r"^\s*\(?([A-Z])[.)]\s+(\S.*)$")


# Invisible characters a PDF extraction leaves behind (NUL, escape codes, C1 controls):
# Anki separates fields with one of them and the content loader refuses them all.
# U+FFFE and U+FFFF are not characters at all, and YAML refuses them.
CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# A form feed is how many PDF extractors mark a page break; the Unicode line and paragraph
# separators are line breaks too, and YAML would read them as such.
LINE_BREAK = re.compile("[\x0c\u2028\u2029]")


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
    option_lines: dict[str, int] = field(default_factory=dict)  # letter -> its "A." line
    critique_line: int = 0  # where the critique starts (0: there is none)
    answer_todo: str | None = None  # why there is no answer, when not the plain reason
    critique_todo: str | None = None  # why there is no critique, when not the plain reason


@dataclass
class ParsedFigure:
    number: int
    caption: str
    uncertain: str | None = None  # why the caption's end is uncertain: a TODO next to it
    line: int = 0  # the "Figure N." line
    image: str | None = None  # the image file extracted for it, beside the case file
    page: int = 0  # the PDF page of an image no caption claimed (its caption is a TODO)


@dataclass
class ParsedQuiz:
    title: str
    case: str
    discussion: str
    figures: list[ParsedFigure]
    questions: list[ParsedQuestion]
    report: Report
    citations: Citations | None = None  # sets citation numbers as superscripts
    starts: dict[str, int] = field(default_factory=dict)  # title, case, discussion: 1st line
    todos: list[str] = field(default_factory=list)  # for the whole file, written at its top


def read_lines(article: str, report: Report) -> list[Line]:
    """The article's lines, numbered as an editor numbers them, control characters removed
    (each line where that happened is a warning) and page breaks made line breaks.

    A form feed splits a line into several :class:`Line` with the same number, so that
    every line number in the report is still the one ``grep -n`` or an editor shows.
    """
    lines: list[Line] = []
    for number, raw in enumerate(article.split("\n"), 1):
        raw = raw.rstrip("\r")
        if CONTROL.search(raw):
            found = sorted({f"U+{ord(c):04X}" for c in CONTROL.findall(raw)})
            report.line_warnings.append(
                (number, f"removed the invisible control character(s) {', '.join(found)}")
            )
            raw = CONTROL.sub("", raw)
        lines.extend(Line(number, piece) for piece in LINE_BREAK.split(raw))
    return lines


def first_line(lines: Iterable[Line]) -> int:
    """The number of the first non-blank line (0 if there is none): where a text read
    from ``lines`` starts, for messages that send the user back to the article."""
    return next((line.number for line in lines if not line.blank), 0)


def heading(line: Line) -> str | None:
    key = re.sub(r"\s+", " ", line.stripped.rstrip(":").strip()).lower()
    return HEADINGS.get(key)


def _questions_before(lines: Sequence[Line]) -> int:
    return sum(1 for x in lines if QUESTION.match(x.text))


def split_sections(lines: Sequence[Line], report: Report) -> dict[str, list[Line]]:
    """Cut the article at its headings. Lines before the first heading are the title."""
    sections: dict[str, list[Line]] = {
        "title": [],
        "case": [],
        "discussion": [],
        "questions": [],
        "answers": [],
        "references": [],
    }
    current = "title"
    seen_questions = False
    has_options = any(OPTION.match(x.text) for x in lines)
    first_question = next((QUESTION.match(x.text) for x in lines if QUESTION.match(x.text)), None)
    for i, line in enumerate(lines):
        kind = heading(line)
        if kind == "critique" and current == "questions" and first_question is not None:
            following = next((x for x in lines[i + 1 :] if not x.blank), None)
            entry = QUESTION.match(following.text) if following else None
            if (
                entry
                and entry.group(1) == first_question.group(1)
                and _questions_before(lines[:i]) > 1
            ):
                kind = "answers"  # "Critique" over the numbered critiques of all questions
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
            and QUESTION.match(line.text)
            and has_options
        ):
            # No headings at all: numbered questions start the quiz.
            current = "questions"
            seen_questions = True
        sections[current].append(line)
    return sections
