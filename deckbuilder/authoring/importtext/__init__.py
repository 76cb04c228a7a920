"""Turn a quiz article as it comes out of a PDF into a content file.

A "Clinical Quiz" article has a title, a case, usually a discussion with figure
captions, and numbered questions with lettered options, each followed by a critique
that states the answer. PDF extraction breaks it up: lines wrapped at the column width,
words hyphenated across lines, page breaks as blank lines inside sentences, captions
dropped into the middle of paragraphs, headings with stray spaces. This package puts it
back together, conservatively:

* every input line is accounted for: it lands in a field, is used as structure (a
  heading, a question number, an answer statement), or is listed as left out with the
  reason; anything uncertain is a warning, never a silent guess;
* the result is checked by the same loader ``deckbuilder check`` uses before it is
  returned, so what is written is valid content, or says in comments what to add.

One module per stage, in the order they run: :mod:`.article` (lines, headings,
sections), :mod:`.joiner` (wrapped lines and hyphenation), :mod:`.captions` with
:mod:`.cues` and :mod:`.sentences` (where figure captions end), :mod:`.citations`,
:mod:`.questions`, :mod:`.parser` (all of them in order), :mod:`.casefile` (the case file's YAML),
:mod:`.selfcheck` (it reads back as meant), :mod:`.rendercheck` (the build renders every
text of it) and :mod:`.importer` (files and limits).
This module is the public API only.
"""

from deckbuilder.authoring.importtext.article import (
    Line,
    ParsedFigure,
    ParsedQuestion,
    ParsedQuiz,
    Report,
)
from deckbuilder.authoring.importtext.casefile import slug, to_yaml, written_values
from deckbuilder.authoring.importtext.importer import (
    MAX_ARTICLE_BYTES,
    ImportResult,
    content_root,
    import_article,
)
from deckbuilder.authoring.importtext.parser import parse_article
from deckbuilder.errors import ArticleError, ImportCheckError

__all__ = [
    "MAX_ARTICLE_BYTES",
    "ArticleError",
    "ImportCheckError",
    "ImportResult",
    "Line",
    "ParsedFigure",
    "ParsedQuestion",
    "ParsedQuiz",
    "Report",
    "content_root",
    "import_article",
    "parse_article",
    "slug",
    "to_yaml",
    "written_values",
]
