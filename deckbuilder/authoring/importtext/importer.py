"""Importing an article file: read it within limits, parse, write, check, then save."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from deckbuilder.authoring.importtext.article import ArticleError, ParsedQuiz
from deckbuilder.authoring.importtext.parser import parse_article
from deckbuilder.authoring.importtext.rendercheck import check_rendering
from deckbuilder.authoring.importtext.selfcheck import self_check
from deckbuilder.authoring.importtext.writer import fact_candidates, slug, to_yaml

MAX_ARTICLE_BYTES = 1024 * 1024  # a quiz article is a few pages: 1 MiB is far more


@dataclass(frozen=True)
class ImportResult:
    path: Path
    quiz: ParsedQuiz
    text: str
    facts: int  # fact candidates proposed, commented out


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
    from deckbuilder.files import FileTooLarge, read_regular

    try:
        raw = read_regular(article, MAX_ARTICLE_BYTES)
    except FileTooLarge as exc:
        raise ArticleError(
            f"{article}: is larger than {MAX_ARTICLE_BYTES:,} bytes (1 MiB); a quiz "
            "article is a few pages of text: is this the right file? Nothing was read "
            "or written"
        ) from exc
    except OSError as exc:
        raise ArticleError(f"{article}: cannot be read: {exc.strerror}") from exc
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

    text = _read_article(article)
    quiz = parse_article(text)
    path = output or content / "cases" / f"{slug(quiz.title or 'imported')}.yaml"
    facts = fact_candidates(quiz)
    case_text = to_yaml(quiz, Path(article).name, modeline("case", path, content_root(path)), facts)
    size = len(case_text.encode("utf-8"))
    if size > MAX_FILE_BYTES:
        raise ArticleError(
            f"{article}: the case file would be {size:,} bytes, more than the {MAX_FILE_BYTES:,} "
            "a content file may hold; split the article. Nothing was written"
        )
    check_rendering(self_check(case_text, quiz), quiz, str(article), text)
    if path.exists() and not force:
        raise OutputError(f"{path} already exists; use --force to overwrite it")
    write_file(path, case_text.encode("utf-8"))
    return ImportResult(path, quiz, case_text, len(facts))
