"""The questions section: numbered questions, lettered options, critiques, answers.

Read line by line by a small state machine, so that a critique mentioning "2. ..." is
not taken for the next question and an answer stated mid-line is still found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from deckbuilder.authoring.importtext.article import (
    OPTION,
    QUESTION,
    Line,
    ParsedQuestion,
    Report,
    first_line,
    heading,
)
from deckbuilder.authoring.importtext.joiner import Joiner

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


@dataclass
class _QuestionDraft:
    """One question as its lines are read; turned into text once it is complete."""

    number: int
    line: int
    stem: list[Line]
    options: list[tuple[str, list[Line]]] = field(default_factory=list)
    option_lines: dict[str, int] = field(default_factory=dict)
    critique: list[Line] = field(default_factory=list)
    answer: str | None = None

    def build(self, text: Joiner) -> ParsedQuestion:
        return ParsedQuestion(
            self.number,
            self.line,
            text.join(self.stem),
            {letter: text.join(wrapped) for letter, wrapped in self.options},
            text.paragraphs(self.critique),
            self.answer,
            self.option_lines,
            first_line(self.critique),
        )


class QuestionReader:
    """Reads the questions section line by line.

    A small state machine: before the first question ("none"), in a question's stem,
    in its lettered options, then in its critique. A numbered line starts the next
    question only when its number follows the last one, so a critique that mentions
    "2. ..." or a year at the start of a line is not taken for a question.
    """

    def __init__(self, report: Report, text: Joiner) -> None:
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
        q = QUESTION.match(line.text)
        opt = OPTION.match(line.text) or _OPTION_BARE.match(line.text)
        if q and self._starts_question(int(q.group(1)), opt is not None):
            self._start(line, int(q.group(1)), q.group(2))
        elif self.draft is None:
            if not line.blank:
                self.report.leave_out(line, "text before the first numbered question")
        elif heading(line) == "critique":
            self.state = "critique"
            self.report.use(line, f"critique heading of question {self.draft.number}")
        elif opt and self.state in {"stem", "options"} and opt.group(1) == self.expected_letter:
            rest = opt.group(2) if opt.re is OPTION else ""
            self.draft.options.append((opt.group(1), [Line(line.number, rest)] if rest else []))
            self.draft.option_lines[opt.group(1)] = line.number
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
