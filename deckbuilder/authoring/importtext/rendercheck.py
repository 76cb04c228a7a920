"""Every text import-text writes must render in the build, or the import is refused.

The build renders each text of a case file with :func:`deckbuilder.notes.render.markdown`
and refuses what cannot go into a shared deck, such as math that links or styles
(``\\(\\href{javascript:…}{x}\\)``: see :mod:`deckbuilder.notes.mathcheck`). Import-text
writes article text through unchanged, so an article can carry such math. A case file
that the build would then refuse is of no use, and the place to fix it is the article:
so each text is rendered here, as the build renders it, before anything is written, and
a refusal names the line and column in the article.

Images too: an article's Markdown image of an address (``![x](https://…)``) would be
written through, and the build refuses every image that is not a file of the content
folder. It is refused here rather than dropped: found in the rendered text, the check
sees every form that makes an image (inline, by reference, wrapped over lines), while
dropping it would mean rewriting Markdown in the article's text; and the author has to
fetch the image and add it as a figure anyway, which the message says.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

from deckbuilder.authoring.importtext.article import ParsedQuiz
from deckbuilder.errors import ArticleError

# What the render messages name, as deckbuilder.notes.mathcheck words them: a command
# ("math uses '\href', ..."), or an environment ("math uses the environment 'x', ...").
_COMMAND = re.compile(r"'(\\[^']+)'")
_ENVIRONMENT = re.compile(r"the environment '([^']*)'")
_IMAGE_SOURCE = re.compile(r'<img\b[^>]*?\bsrc="([^"]*)"')  # as the renderer writes it


def check_rendering(values: dict[str, Any], quiz: ParsedQuiz, name: str, article: str) -> None:
    """Render every text of ``values`` (the case file as the build will read it) with the
    build's own renderer; raise :class:`ArticleError` at the first it refuses.

    ``name`` is the article as the user named it, ``article`` its text. The message is
    ``name:line:column: why``, at the offending command's first occurrence in the article
    at or after the line where the text starts (that line itself if it is not found there,
    e.g. when the article spells the backslash as an HTML entity). An image that is not
    a local file is refused the same way, at its address.
    """
    from deckbuilder.content.media import local_reference, not_local
    from deckbuilder.notes.render import UnsafeText, markdown

    for text, start in _texts(values, quiz):
        try:
            rendered = markdown(text)
        except UnsafeText as exc:
            line, column = _locate(article, start or 1, _named(str(exc)))
            raise ArticleError(f"{name}:{line}:{column}: {exc}; nothing was written") from None
        for src in _IMAGE_SOURCE.findall(rendered):
            given = local_reference(html.unescape(src))
            why = not_local(given)
            if why is not None:
                line, column = _locate(article, start or 1, re.compile(re.escape(given)))
                raise ArticleError(f"{name}:{line}:{column}: image {why}; nothing was written")


def _texts(values: dict[str, Any], quiz: ParsedQuiz) -> Iterator[tuple[str, int]]:
    """Each text value of the case file, with the article line it starts on (0: none, as
    for a placeholder). ``values`` is keyed as :func:`.casefile.written_values` keys it."""
    yield values["title"], quiz.starts.get("title", 0)
    yield values["case"], quiz.starts.get("case", 0)
    if "discussion" in values:
        yield values["discussion"], quiz.starts.get("discussion", 0)
    for figure, written in zip(quiz.figures, values.get("figures", []), strict=True):
        yield written["caption"], figure.line
    for q, item in zip(quiz.questions, values["questions"], strict=True):
        yield item["question"], q.line
        for letter, text in item["options"].items():
            yield text, q.option_lines.get(letter, q.line)
        if "critique" in item:
            yield item["critique"], q.critique_line


def _named(message: str) -> re.Pattern[str] | None:
    """How the command or environment a render message names is written in an article;
    None when it names neither (text nested too deeply, say)."""
    command = _COMMAND.search(message)
    if command:
        written = re.escape(command.group(1))
        return re.compile(written + ("(?![A-Za-z])" if command.group(1)[-1].isalpha() else ""))
    environment = _ENVIRONMENT.search(message)
    if environment:
        return re.compile(r"\\begin\s*\{\s*" + re.escape(environment.group(1)) + r"\s*\}")
    return None


def _locate(article: str, start: int, named: re.Pattern[str] | None) -> tuple[int, int]:
    """The line and column (both from 1, as an editor counts them) of the first match of
    ``named`` at or after the start of line ``start``; of that line's start if none."""
    offset = 0
    for _ in range(start - 1):
        offset = article.find("\n", offset) + 1
        if offset == 0:  # fewer lines than that: cannot happen for a line that was read
            offset = len(article)
            break
    found = named.search(article, offset) if named else None
    at = found.start() if found else offset
    return article.count("\n", 0, at) + 1, at - (article.rfind("\n", 0, at) + 1) + 1
