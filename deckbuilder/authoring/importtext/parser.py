"""Recognising a quiz article: the stages run in order, and what is missing warned about."""

from __future__ import annotations

import statistics

from deckbuilder.authoring.importtext.article import (
    ArticleError,
    ParsedQuiz,
    Report,
    first_line,
    read_lines,
    split_sections,
)
from deckbuilder.authoring.importtext.captions import Captions
from deckbuilder.authoring.importtext.citations import Citations, reference_count
from deckbuilder.authoring.importtext.joiner import Joiner
from deckbuilder.authoring.importtext.questions import QuestionReader


def parse_article(article: str) -> ParsedQuiz:
    """Recognise the parts of a quiz article. Raises if no usable quiz is found."""
    report = Report()
    lines = read_lines(article, report)
    text = Joiner(lines)
    sections = split_sections(lines, report)
    body = [x for x in sections["case"] + sections["discussion"] if not x.blank]
    width = statistics.median(len(x.stripped) for x in body) if body else 60.0
    captions = Captions(width, report, text)
    case_lines = captions.take_out(sections["case"])
    discussion_lines = captions.take_out(sections["discussion"])
    title_lines = captions.take_out(sections["title"])
    figures = sorted(captions.figures, key=lambda f: f.number)
    questions = QuestionReader(report, text).read(sections["questions"])
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
    references = reference_count(sections["references"])
    citations = Citations(lines, cited, references, report)
    parts = {"title": title_lines, "case": case_lines, "discussion": discussion_lines}
    starts = {name: first_line(part) for name, part in parts.items()}
    quiz = ParsedQuiz(title, case, discussion, figures, questions, report, citations, starts)
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
