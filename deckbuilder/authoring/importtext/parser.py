"""Recognising a quiz article: the stages run in order, and what is missing warned about."""

from __future__ import annotations

import statistics

from deckbuilder.authoring.importtext.answers import read_answers
from deckbuilder.authoring.importtext.article import (
    Line,
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
from deckbuilder.authoring.importtext.sentences import split_sentences
from deckbuilder.errors import ArticleError

MAX_TITLE = 200  # characters: longer is a paragraph, not a heading


def parse_article(article: str) -> ParsedQuiz:
    """Recognise the parts of a quiz article. Raises if no usable quiz is found."""
    report = Report()
    lines = read_lines(article, report)
    text = Joiner(lines)
    sections = split_sections(lines, report)
    title_region, case_region = _title_and_vignette(sections, report, text)
    body = [x for x in case_region + sections["discussion"] if not x.blank]
    width = statistics.median(len(x.stripped) for x in body) if body else 60.0
    captions = Captions(width, report, text)
    case_lines = captions.take_out(case_region)
    discussion_lines = captions.take_out(sections["discussion"])
    title_lines = captions.take_out(title_region)
    figures = sorted(captions.figures, key=lambda f: f.number)
    questions = QuestionReader(report, text).read(sections["questions"])
    read_answers(sections["answers"], questions, report, text)
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
    cited = [*case_region, *sections["discussion"], *sections["questions"], *sections["answers"]]
    references = reference_count(sections["references"])
    citations = Citations(lines, cited, references, report)
    parts = {"title": title_lines, "case": case_lines, "discussion": discussion_lines}
    starts = {name: first_line(part) for name, part in parts.items()}
    quiz = ParsedQuiz(title, case, discussion, figures, questions, report, citations, starts)
    _warn(quiz)
    return quiz


def title_problem(title: str) -> str | None:
    """Why a text is not a title, or None: a title is a heading, not a paragraph."""
    if len(title) > MAX_TITLE:
        return f"{len(title)} characters, more than a heading's {MAX_TITLE}"
    sentences = [x for x in split_sentences(title) if x.strip()]
    if len(sentences) > 1:
        return f"{len(sentences)} sentences, where a heading has one"
    return None


def _title_and_vignette(
    sections: dict[str, list[Line]], report: Report, text: Joiner
) -> tuple[list[Line], list[Line]]:
    """The lines of the title and of the case. Without a 'Case' heading, the vignette
    follows the title after a blank line: the first paragraph is the title, the rest
    the case. A text that is no title (see :func:`title_problem`) is never the title:
    without a 'Case' heading it is the case's; with one, it is left out; either way
    the title is a TODO and a warning says why."""
    region, case = sections["title"], sections["case"]
    first_end = 0
    while first_end < len(region) and region[first_end].blank:
        first_end += 1
    while first_end < len(region) and not region[first_end].blank:
        first_end += 1
    title, rest = region[:first_end], region[first_end:]
    if not case:
        case = rest
    elif any(not x.blank for x in rest):
        title = region  # with a 'Case' heading, everything before it is the title's
    joined = text.join(title)
    problem = title_problem(joined) if joined else None
    if problem is None:
        return title, case
    start = first_line(title)
    excerpt = joined if len(joined) <= 60 else joined[:60].rstrip() + "\u2026"
    if sections["case"]:
        for line in title:
            if not line.blank:
                report.leave_out(line, f"not a title ({problem}), before the 'Case' heading")
        went = "it was left out (see the list below)"
    else:
        case = region
        went = "it was put in the case"
    report.warnings.append(
        f"'{excerpt}' (line {start}) is not a title: {problem}; {went}, and 'title' is a TODO"
    )
    return [], case


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
        if q.answer is None and q.answer_todo:
            warn(f"{where}: {q.answer_todo}")
        elif q.answer is None:
            warn(f"{where}: no stated answer found (\"The correct answer is X.\"); add 'answer'")
        elif q.answer not in q.options:
            warn(
                f"{where}: the stated answer {q.answer!r} is not one of the options "
                f"{', '.join(q.options)}"
            )
        if not q.critique and q.critique_todo:
            warn(f"{where}: {q.critique_todo}")
        elif not q.critique:
            warn(f"{where}: no critique found; add 'critique'")
    numbers = [q.number for q in quiz.questions]
    if numbers != list(range(1, len(numbers) + 1)):
        warn(f"questions are numbered {numbers}, not 1 to {len(numbers)}")
