"""The case file that is written: its values as Markdown, as YAML, with TODO comments.

Written as text rather than dumped, so that long fields are readable ``|`` blocks,
nothing needs quoting that need not, and what is missing is a TODO comment in place.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

from deckbuilder.authoring.importtext.article import CONTROL, LINE_BREAK, ParsedQuiz
from deckbuilder.authoring.importtext.cues import shows_histology
from deckbuilder.authoring.importtext.facts import FactCandidate, propose_facts
from deckbuilder.content.yamlfile import scalar

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_<])")
_MARKDOWN_LINE_START = re.compile(r"^(?:\d+[.)]|[-+*>#=]|-{2,}|`{3,}|~{3,})(?:\s|$)")


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
        return [f"{pad}{key}: {scalar(paragraphs[0])}"]
    out = [f"{pad}{key}: |"]
    for i, p in enumerate(paragraphs):
        if i:
            out.append("")
        out.extend(f"{pad}  {line}" for line in _wrap(p, 88 - indent - 2))
    return out


def article_markdown(quiz: ParsedQuiz, text: str) -> str:
    """Article text as the case file's Markdown: escaped, citation numbers superscript."""
    markdown = _markdown(text)
    return quiz.citations.superscript(markdown) if quiz.citations else markdown


def case_id(quiz: ParsedQuiz) -> str:
    """The case's id, from its title: also the stem of its figures' image files."""
    return slug(quiz.title or "TODO: title")


def written_values(quiz: ParsedQuiz) -> dict[str, Any]:
    """Every value of the case file as it is written (texts as Markdown, citation
    numbers as superscripts), keyed as in the file: what :func:`to_yaml` writes and what
    the file must read back as."""

    def md(text: str) -> str:
        return article_markdown(quiz, text)

    title = quiz.title or "TODO: title"
    data: dict[str, Any] = {
        "id": case_id(quiz),
        "title": _markdown(title),
        "case": md(quiz.case or "TODO: the case vignette"),
    }
    if quiz.discussion:
        data["discussion"] = md(quiz.discussion)
    if quiz.figures:
        data["figures"] = [
            {
                "caption": md(f.caption or f"TODO: the caption of the image on page {f.page}"),
                **({"image": f.image} if f.image else {}),
                **({"reveal": "back"} if shows_histology(f.caption) else {}),
            }
            for f in quiz.figures
        ]
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


def to_yaml(
    quiz: ParsedQuiz,
    source_name: str,
    modeline: str | None = None,
    facts: list[FactCandidate] | None = None,
) -> str:
    """The content file for a parsed quiz (a case file of the content format); ``facts``:
    the fact candidates to propose (by default :func:`fact_candidates`)."""
    data = written_values(quiz)
    lines = [modeline] if modeline else []
    lines += [
        f"# Imported by `deckbuilder import` from {_one_line(source_name)}.",
        "# Check the text against the article, then run `deckbuilder check`.",
        *(f"# TODO: {_one_line(todo)}" for todo in quiz.todos),
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
            if "image" in written:
                lines.append(f"    image: {scalar(written['image'])}")
            if "reveal" in written:
                lines.append("    reveal: back  # a stained section may give the diagnosis away")
    lines.append("questions:")
    for parsed, q in zip(quiz.questions, data["questions"], strict=True):
        lines.append(f"  - id: {q['id']}")
        lines += _block("question", q["question"], 4)
        lines.append("    options:")
        for letter, text in q["options"].items():
            lines += _block(letter, text, 6)
        if "answer" in q:
            lines.append(f"    answer: {q['answer']}")
        else:
            why = parsed.answer_todo or "the article states no answer; add  answer: <letter>"
            lines.append(f"    # TODO: {_one_line(why)}")
        if "critique" in q:
            lines += _block("critique", q["critique"], 4)
        else:
            why = parsed.critique_todo or "no critique found; add  critique: <text>"
            lines.append(f"    # TODO: {_one_line(why)}")
    lines += _fact_lines(fact_candidates(quiz) if facts is None else facts)
    return "\n".join(lines) + "\n"


def fact_candidates(quiz: ParsedQuiz) -> list[FactCandidate]:
    """The discussion's sentences proposed as facts (see :mod:`.facts`)."""
    return propose_facts(quiz.discussion, lambda text: article_markdown(quiz, text))


def _fact_lines(candidates: list[FactCandidate]) -> list[str]:
    """The candidates as a commented-out ``facts:`` list: uncommenting a fact (and the
    ``facts:`` line) makes it a card."""
    if not candidates:
        return []
    lines = [
        "",
        "# Facts to recall (cloze cards beside the questions), proposed from the discussion:",
        "# sentences with a percentage, a measure or a marker, the likely words to recall",
        "# marked {{c1::like this}}. Uncomment the ones worth a card and the 'facts:' line;",
        "# trim each to what matters and move a deletion that hides the wrong words.",
        "# facts:",
    ]
    for fact in candidates:
        lines.append(f"#   - id: {fact.key}")
        lines += ["#" + line[1:] for line in _block("text", fact.text, 6)]
    return lines


def _one_line(text: str) -> str:
    """Text for a YAML comment: one line, nothing YAML or Anki would refuse."""
    return " ".join(CONTROL.sub("", LINE_BREAK.sub(" ", text)).split())
