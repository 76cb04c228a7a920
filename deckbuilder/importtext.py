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


def _extract_figures(
    regions: Iterable[list[Line]], width: float, report: Report, text: _Joiner
) -> tuple[list[ParsedFigure], list[list[Line]]]:
    """Pull figure captions out of the running text, wherever the PDF dropped them.

    A caption starts with "Figure N." and, when typeset wider than the text column (as
    in most journals), goes on while lines stay wide; otherwise to the next blank line.
    """
    figures: list[ParsedFigure] = []
    cleaned: list[list[Line]] = []
    wide = width * 1.3
    for region in regions:
        kept: list[Line] = []
        i = 0
        while i < len(region):
            line = region[i]
            match = _FIGURE.match(line.text)
            if not match:
                kept.append(line)
                i += 1
                continue
            caption = [line]
            i += 1
            by_width = len(line.stripped) > wide
            while i < len(region):
                nxt = region[i]
                if nxt.blank or _heading(nxt) or _FIGURE.match(nxt.text):
                    break
                if by_width and len(nxt.stripped) <= wide:
                    break
                caption.append(nxt)
                i += 1
            for c in caption:
                report.use(c, f"caption of figure {match.group(1)}")
            figures.append(ParsedFigure(int(match.group(1)), text.join(caption)))
        cleaned.append(kept)
    figures.sort(key=lambda f: f.number)
    return figures, cleaned


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
    figures, (case_lines, discussion_lines, title_lines) = _extract_figures(
        [sections["case"], sections["discussion"], sections["title"]], width, report, text
    )
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
    quiz = ParsedQuiz(title, case, discussion, figures, questions, report)
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

    from deckbuilder.yamlsource import parse_yaml

    plain = parse_yaml(f"k: {text}\n")
    if not plain.problems and plain.data == {"k": text} and not text.startswith(("'", '"')):
        return text
    return yaml.safe_dump(text, allow_unicode=True, width=10_000).strip().removesuffix("\n...")


def written_values(quiz: ParsedQuiz) -> dict[str, Any]:
    """Every value of the case file as it is written (texts as Markdown), keyed as in
    the file: what :func:`to_yaml` writes and what the file must read back as."""
    title = quiz.title or "TODO: title"
    data: dict[str, Any] = {
        "id": slug(title),
        "title": _markdown(title),
        "case": _markdown(quiz.case or "TODO: the case vignette"),
    }
    if quiz.discussion:
        data["discussion"] = _markdown(quiz.discussion)
    if quiz.figures:
        data["figures"] = [{"caption": _markdown(f.caption)} for f in quiz.figures]
    questions = []
    for q in quiz.questions:
        item: dict[str, Any] = {
            "id": f"q{q.number}",
            "question": _markdown(q.stem or "TODO: question"),
            "options": {letter: _markdown(t or "TODO") for letter, t in q.options.items()},
        }
        if q.answer is not None:
            item["answer"] = q.answer
        if q.critique:
            item["critique"] = _markdown(q.critique)
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
    from deckbuilder.layout import DECK_FILE

    absolute = case_file.absolute()
    for parent in absolute.parents:
        if (parent / DECK_FILE).is_file():
            return parent
    return absolute.parent.parent


def _read_article(article: Path) -> str:
    """The article's text; refused before anything is parsed if it is not UTF-8 or larger
    than :data:`MAX_ARTICLE_BYTES` (which is read no further)."""
    try:
        with open(article, "rb") as f:
            raw = f.read(MAX_ARTICLE_BYTES + 1)
    except OSError as exc:
        raise ArticleError(f"{article}: cannot be read: {exc.strerror}") from exc
    if len(raw) > MAX_ARTICLE_BYTES:
        raise ArticleError(
            f"{article}: is larger than {MAX_ARTICLE_BYTES:,} bytes (1 MiB); a quiz article "
            "is a few pages of text: is this the right file? Nothing was read or written"
        )
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
    from deckbuilder.errors import OutputError
    from deckbuilder.load import MAX_FILE_BYTES
    from deckbuilder.package import write_atomic
    from deckbuilder.schema import modeline

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
    write_atomic(path, content.encode("utf-8"))
    return ImportResult(path, quiz, content)


def _self_check(content: str, quiz: ParsedQuiz) -> None:
    """The written YAML must read back as exactly the values meant (line wrapping aside).

    Not an ``assert``: it must hold with ``python -O`` too, and a failure is a bug in
    this module that the user should see as one clear message, with nothing written.
    """
    from deckbuilder.yamlsource import parse_yaml

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
