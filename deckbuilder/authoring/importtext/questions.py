"""The questions section: numbered questions, lettered options, critiques, answers.

Read line by line by a small state machine, so that a critique mentioning "2. ..." is
not taken for the next question and an answer stated mid-line is still found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from deckbuilder.authoring.importtext.article import (
    QUESTION,
    Line,
    ParsedQuestion,
    Report,
    first_line,
    heading,
)
from deckbuilder.authoring.importtext.joiner import Joiner
from deckbuilder.authoring.importtext.statements import find_statement, restates

_OPTION = re.compile(r"^\s*\(?([A-Za-z])[.)]\s+(\S.*)$")  # "A. text", "(a) text", "a) text"
_OPTION_BARE = re.compile(r"^\s*\(?([A-Za-z])[.)]\s*$")
_INLINE = re.compile(r"(?:^|(?<=\s))\(([A-Za-z])\)\s+")  # "(A) text (B) text"


def split_inline(text: str, first: str) -> tuple[str, list[tuple[str, str]]] | None:
    """``text`` cut where it lists options inline ("… (A) x (B) y"), from letter
    ``first`` on: the text before, and each letter with its text. None unless the
    letters follow each other in one case, two of them at least when they start at A
    (after an option line "(A) x", one is enough: "(B) y")."""
    found: list[re.Match[str]] = []
    for match in _INLINE.finditer(text):
        letter = match.group(1)
        same_case = not found or letter.isupper() == found[0].group(1).isupper()
        if letter.upper() == chr(ord(first) + len(found)) and same_case:
            found.append(match)
    if len(found) < (2 if first == "A" else 1):
        return None
    ends = [m.start() for m in found[1:]] + [len(text)]
    parts = [
        (m.group(1).upper(), text[m.end() : end].strip())
        for m, end in zip(found, ends, strict=True)
    ]
    return text[: found[0].start()].strip(), parts


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
    stated: list[tuple[str, int]] = field(default_factory=list)  # letters stated, line
    stated_first: bool = False  # the answer came before any critique ("Answer: B. Why…")

    def build(self, text: Joiner) -> ParsedQuestion:
        stem = text.join(self.stem)
        options = {letter: text.join(wrapped) for letter, wrapped in self.options}
        inline = None if options else split_inline(stem, "A")
        if inline is not None:
            stem, parts = inline
            options = dict(parts)
            self.option_lines = {letter: self.line for letter in options}
        elif options:
            options = _inline_in_options(options)
        question = ParsedQuestion(
            self.number,
            self.line,
            stem,
            options,
            text.paragraphs(self.critique),
            self.answer,
            self.option_lines,
            first_line(self.critique),
        )
        settle_answer(question, self.stated)
        return question


def _inline_in_options(options: dict[str, str]) -> dict[str, str]:
    """Options of which the last lists the next ones inline ("(A) x (B) y" on one line
    that starts like an option line)."""
    letters = list(options)
    last = letters[-1]
    inline = split_inline(options[last], chr(ord(last) + 1))
    if inline is None:
        return options
    head, parts = inline
    return {**options, last: head, **dict(parts)}


def settle_answer(question: ParsedQuestion, stated: list[tuple[str, int]]) -> None:
    """The answer of ``question`` from the statements found for it: one letter, however
    often stated, is the answer; two different letters are no answer, and a TODO."""
    letters = sorted({letter for letter, _ in stated})
    if len(letters) > 1:
        lines = ", ".join(f"{letter} (line {n})" for letter, n in stated)
        question.answer = None
        question.answer_todo = (
            f"the article states more than one answer for question {question.number}: "
            f"{lines}; add  answer: <letter>"
        )
    elif letters:
        question.answer = letters[0]


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
        self.lower = False  # the options are lettered in lower case ("a)")

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
        opt = _OPTION.match(line.text) or _OPTION_BARE.match(line.text)
        if opt and not self._is_option(opt.group(1)):
            opt = None
        statement = find_statement(line.text) if self.state in {"stem", "options"} else None
        if q and self._starts_question(int(q.group(1)), opt is not None):
            self._start(line, int(q.group(1)), q.group(2))
        elif self.draft is None:
            if not line.blank:
                self.report.leave_out(line, "text before the first numbered question")
        elif heading(line) == "critique":
            self.state = "critique"
            self.report.use(line, f"critique heading of question {self.draft.number}")
        elif opt and self.state in {"stem", "options"}:
            rest = opt.group(2) if opt.re is _OPTION else ""
            letter = opt.group(1).upper()
            self.lower = opt.group(1).islower()
            self.draft.options.append((letter, [Line(line.number, rest)] if rest else []))
            self.draft.option_lines[letter] = line.number
            self.expected_letter = chr(ord(self.expected_letter) + 1)
            self.state, self.blank_after_option = "options", False
        elif statement is not None and not statement.before:
            self.state = "critique"  # "Answer: B" right after the options: layout (c)
            self._critique(line, self.draft)
        else:
            self._text(line, self.draft)

    def _is_option(self, letter: str) -> bool:
        """Whether a line lettered ``letter`` is the next option: the next letter, in
        the case the options so far are in ("a)" lines only from "a" on)."""
        if self.state not in {"stem", "options"} or letter.upper() != self.expected_letter:
            return False
        if letter.isupper():
            return self.state == "stem" or not self.lower
        return self.expected_letter == "A" or self.lower

    def _starts_question(self, number: int, is_option: bool) -> bool:
        if self.draft is None:
            return True
        inline = self.state == "stem" and split_inline(self.text.join(self.draft.stem), "A")
        if not (self.state == "critique" or (self.state == "options" and not is_option) or inline):
            return False
        return number == self.draft.number + 1

    def _start(self, line: Line, number: int, first: str) -> None:
        self._finish()
        self.draft = _QuestionDraft(number, line.number, [Line(line.number, first)])
        self.state, self.expected_letter, self.lower = "stem", "A", False
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
        """A line after the options: the critique, or an answer statement. Text after
        the statement is the critique when the statement came first ("Answer: B. The
        nidus…"); after a critique that ended with it, it is left out, with the reason."""
        statement = find_statement(line.text)
        if statement is not None:
            had_critique = any(not x.blank for x in draft.critique)
            if not draft.stated:
                draft.stated_first = not had_critique
            draft.stated.extend((letter, line.number) for letter in statement.letters)
            draft.answer = statement.letter
            where = "" if not (statement.before or statement.after) else " (in a line)"
            self.report.use(line, f"answer of question {draft.number}{where}")
            if statement.before:
                draft.critique.append(Line(line.number, statement.before))
            after = statement.after
            if after and _restates(draft, statement.letter, after, self.text):
                return
            if after and draft.stated_first:
                draft.critique.append(Line(line.number, after))
            elif after:
                self.report.leave_out(
                    Line(line.number, after),
                    f"text after the stated answer of question {draft.number}",
                )
        elif draft.answer is not None and not line.blank and not draft.stated_first:
            self.report.leave_out(line, f"text after the stated answer of question {draft.number}")
        else:
            draft.critique.append(line)


def _restates(draft: _QuestionDraft, letter: str, after: str, text: Joiner) -> bool:
    """Whether the text after "Correct answer: B —" is option B's text again (then it is
    part of the statement). Another option's text there contradicts the letter: it is
    recorded as a second statement, so that the answer is left to the author."""
    options = {k: text.join(v) for k, v in draft.options}
    inline = split_inline(text.join(draft.stem), "A") if not options else None
    if inline is not None:
        options = dict(inline[1])
    if letter in options and restates(after, options[letter]):
        return True
    for other, option in options.items():
        if other != letter and restates(after, option):
            draft.stated.append((other, draft.stated[-1][1]))
            return True
    return False
