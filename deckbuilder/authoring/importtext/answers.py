"""An answers section after all the questions: numbered entries, each matched by number.

Some quizzes print every question first, then "Answers" (or "Critiques", "Answer key")
with an entry per question: "1. The correct answer is B. …", "2. Answer: A. …",
"3. … C is correct.", "4. B. …". An entry goes to the question with its number and to
no other: a question without an entry, or an entry without a number, leaves a TODO and
a line in the report, never a critique read from its neighbour.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from deckbuilder.authoring.importtext.article import Line, ParsedQuestion, Report, heading
from deckbuilder.authoring.importtext.joiner import Joiner
from deckbuilder.authoring.importtext.questions import settle_answer
from deckbuilder.authoring.importtext.statements import find_statement, restates

_ENTRY = re.compile(r"^\s*(?:Q(?:uestion)?\s*)?(\d{1,4})\s*[.):]\s*(.*)$")
# An answer key's letter right after the entry's number: "1. B. Because…", "2. (C) …"
_KEY = re.compile(r"^\(?([A-Z])\)?(?:[.):]\s+|\s+[-\u2013\u2014]\s*|\s*$)")


def read_answers(
    lines: Sequence[Line], questions: list[ParsedQuestion], report: Report, text: Joiner
) -> None:
    """Give each question the answer and critique of its numbered entry in ``lines``."""
    by_number = {q.number: q for q in questions}
    entries: list[tuple[int, list[Line]]] = []
    for line in lines:
        match = _ENTRY.match(line.text)
        last = entries[-1][0] if entries else 0
        if (
            match
            and int(match.group(1)) > last
            and (int(match.group(1)) in by_number or int(match.group(1)) == last + 1)
        ):
            report.use(line, f"number of answer entry {match.group(1)}")
            entries.append((int(match.group(1)), [Line(line.number, match.group(2))]))
        elif heading(line) is not None and not entries:
            report.use(line, "heading (answers)")
        elif entries:
            entries[-1][1].append(line)
        elif not line.blank:
            report.leave_out(
                line,
                "text of the answers section before its first numbered entry: which "
                "question it answers is not certain",
            )
    answered = set()
    for number, entry in entries:
        question = by_number.get(number)
        if question is None:
            for line in entry:
                if not line.blank:
                    report.leave_out(line, f"answer entry {number}: there is no question {number}")
            continue
        if question.critique or question.answer:
            for line in entry:
                if not line.blank:
                    report.leave_out(
                        line,
                        f"answer entry {number}: question {number} already has the critique "
                        "printed after it",
                    )
            question.answer_todo = question.answer_todo or (
                f"question {number} has a critique after it and an entry in the answers "
                "section: check which is right"
            )
            question.answer = None
            continue
        answered.add(number)
        _entry(question, entry, report, text)
    for question in questions:
        if question.number not in answered and not (question.critique or question.answer):
            why = f"the answers section has no entry numbered {question.number}"
            question.answer_todo = f"{why}; add  answer: <letter>"
            question.critique_todo = f"{why}; add  critique: <text>"


def _entry(question: ParsedQuestion, entry: list[Line], report: Report, text: Joiner) -> None:
    """Everything in an entry is its question's: statements give the answer, the rest is
    the critique (an option's text restated after the letter is part of the statement)."""
    critique: list[Line] = []
    stated: list[tuple[str, int]] = []
    first = entry[0]
    key = _KEY.match(first.text)
    if key is not None:
        stated.append((key.group(1), first.number))
        entry = [Line(first.number, first.text[key.end() :]), *entry[1:]]
    for line in entry:
        statement = find_statement(line.text)
        if statement is None:
            critique.append(line)
            continue
        stated.extend((letter, line.number) for letter in statement.letters)
        report.use(line, f"answer of question {question.number} (answer entry)")
        if statement.before:
            critique.append(Line(line.number, statement.before))
        after = statement.after
        for letter, option in question.options.items():
            if after and restates(after, option):
                if letter != statement.letter:
                    stated.append((letter, line.number))
                after = ""
        if after:
            critique.append(Line(line.number, after))
    question.critique = text.paragraphs(critique)
    question.critique_line = next((x.number for x in critique if not x.blank), 0)
    settle_answer(question, stated)
    if not stated:
        question.answer_todo = (
            f"answer entry {question.number} (line {first.number}) states no answer; "
            "add  answer: <letter>"
        )
