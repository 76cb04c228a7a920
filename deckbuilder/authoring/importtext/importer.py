"""Importing an article file: read it within limits, parse, write, check, then save."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from deckbuilder.authoring.importtext.article import ParsedQuiz
from deckbuilder.authoring.importtext.casefile import case_id, fact_candidates, slug, to_yaml
from deckbuilder.authoring.importtext.parser import parse_article
from deckbuilder.authoring.importtext.rendercheck import check_rendering
from deckbuilder.authoring.importtext.selfcheck import self_check
from deckbuilder.errors import ArticleError

if TYPE_CHECKING:
    from deckbuilder.authoring.importtext.figures import PlacedImage
    from deckbuilder.authoring.importtext.pdf import PdfArticle

MAX_ARTICLE_BYTES = 1024 * 1024  # a quiz article is a few pages: 1 MiB is far more
MAX_PDF_BYTES = 100 * 1024 * 1024  # its PDF holds the figures too


@dataclass(frozen=True)
class ImportResult:
    path: Path
    quiz: ParsedQuiz
    text: str
    facts: int  # fact candidates proposed, commented out
    pdf: PdfArticle | None = None  # what the PDF gave, when the article is one
    images: list[PlacedImage] = field(default_factory=list)  # the figures' files written

    def where(self, line: int) -> str:
        """A line of the article's text as the user finds it: its number in a text
        file, its page and line in a PDF."""
        return self.pdf.where(line) if self.pdf else str(line)


def content_root(case_file: Path) -> Path:
    """The content folder a case file belongs to: the nearest parent holding ``deck.yaml``,
    else the folder above the case file's own (``<content>/cases/x.yaml``)."""
    from deckbuilder.content.folder import DECK_FILE

    absolute = case_file.absolute()
    for parent in absolute.parents:
        if (parent / DECK_FILE).is_file():
            return parent
    return absolute.parent.parent


def is_pdf(article: Path) -> bool:
    """Whether the article is read as a PDF: by its name, as the user chose it."""
    return article.suffix.lower() == ".pdf"


def _read_bytes(article: Path, limit: int, what: str) -> bytes:
    """The file's bytes, refused if it is not a regular file or is over ``limit``."""
    from deckbuilder.errors import FileTooLarge
    from deckbuilder.files import read_regular

    try:
        return read_regular(article, limit)
    except FileTooLarge as exc:
        raise ArticleError(
            f"{article}: is larger than {limit:,} bytes ({limit // 1024 // 1024} MiB); a quiz "
            f"article is {what}: is this the right file? Nothing was read or written"
        ) from exc
    except OSError as exc:
        raise ArticleError(f"{article}: cannot be read: {exc.strerror}") from exc


def _read_pdf(article: Path) -> PdfArticle:
    """The PDF's text and images; its text is held to the limit of a text article."""
    from deckbuilder.authoring.importtext.pdf import read_pdf

    raw = _read_bytes(article, MAX_PDF_BYTES, "a few pages")
    if not raw.startswith(b"%PDF-"):
        raise ArticleError(f"{article}: is not a PDF (it does not start with '%PDF-')")
    pdf = read_pdf(raw, str(article))
    if len(pdf.text.encode("utf-8")) > MAX_ARTICLE_BYTES:
        raise ArticleError(
            f"{article}: holds more than {MAX_ARTICLE_BYTES:,} bytes (1 MiB) of text; a "
            "quiz article is a few pages: is this the right file? Nothing was written"
        )
    return pdf


def _read_article(article: Path) -> str:
    """The article's text; refused before anything is parsed if it is not a regular file,
    not UTF-8 or larger than :data:`MAX_ARTICLE_BYTES` (which is read no further)."""
    raw = _read_bytes(article, MAX_ARTICLE_BYTES, "a few pages of text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(
            f"{article}: is not UTF-8 text (byte 0x{raw[exc.start]:02x} at "
            f"offset {exc.start}); save it as UTF-8"
        ) from exc


def import_article(
    article: Path,
    output: Path | None = None,
    *,
    content: Path = Path("content"),
    force: bool = False,
) -> ImportResult:
    """Parse ``article``, write its content file (``output``, by default
    ``content/cases/<id>.yaml``), and check it reads back as parsed and renders in the
    build (math that links or styles, or an image from an address, is refused at its
    line)."""
    from deckbuilder.authoring.schema import modeline
    from deckbuilder.content.folder import MAX_FILE_BYTES
    from deckbuilder.errors import OutputError
    from deckbuilder.files import write_file

    pdf = _read_pdf(article) if is_pdf(article) else None
    text = pdf.text if pdf else _read_article(article)
    quiz = parse_article(text)
    path = output or content / "cases" / f"{slug(quiz.title or 'imported')}.yaml"
    images: list[PlacedImage] = []
    if pdf is not None:
        from deckbuilder.authoring.importtext.figures import place_figures

        for page in pdf.no_text:
            quiz.todos.append(
                f"no text on page {page} of the PDF (an image of the page, a scan?): nothing "
                "of it is in this file; add what it says by hand"
            )
            quiz.report.warnings.append(
                f"no text on page {page}: it has no text layer (a scan?); nothing of it was "
                "read, and the case file says so in a TODO"
            )
        images = place_figures(quiz, pdf, case_id(quiz))
        _lines_as_pages(quiz, pdf)
    facts = fact_candidates(quiz)
    case_text = to_yaml(quiz, Path(article).name, modeline("case", path, content_root(path)), facts)
    size = len(case_text.encode("utf-8"))
    if size > MAX_FILE_BYTES:
        raise ArticleError(
            f"{article}: the case file would be {size:,} bytes, more than the {MAX_FILE_BYTES:,} "
            "a content file may hold; split the article. Nothing was written"
        )
    check_rendering(self_check(case_text, quiz), quiz, str(article), text)
    files = [(path.parent / placed.file, placed.image.data) for placed in images]
    for target, data in files:
        _check_image(target, data)
    for target in [path, *(target for target, _ in files)]:
        if target.exists() and not force:
            raise OutputError(f"{target} already exists; use --force to overwrite it")
    for target, data in files:
        write_file(target, data)
    write_file(path, case_text.encode("utf-8"))
    return ImportResult(path, quiz, case_text, len(facts), pdf, images)


def _lines_as_pages(quiz: ParsedQuiz, pdf: PdfArticle) -> None:
    """Messages that name a line of the text ("question 2 (line 40)") name its page and
    line in the PDF instead, where the user can find it."""
    import re

    def relocate(text: str) -> str:
        return re.sub(r"\(line (\d+)\)", lambda m: f"({pdf.where(int(m.group(1)))})", text)

    report = quiz.report
    report.warnings[:] = [relocate(w) for w in report.warnings]
    for figure in quiz.figures:
        figure.uncertain = relocate(figure.uncertain) if figure.uncertain else None
    for question in quiz.questions:
        question.answer_todo = relocate(question.answer_todo) if question.answer_todo else None


def _check_image(target: Path, data: bytes) -> None:
    """An extracted image must pass the checks the build makes of every figure."""
    from deckbuilder.content.media import MAX_IMAGE_BYTES, image_problem

    problem = image_problem(data, target.suffix)
    if problem is None and len(data) > MAX_IMAGE_BYTES:
        problem = f"is larger than {MAX_IMAGE_BYTES:,} bytes"
    if problem is not None:
        raise ArticleError(f"{target.name}: the image extracted {problem}; nothing was written")
