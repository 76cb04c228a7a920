"""Markdown to safe card HTML.

pyromark (pulldown-cmark, CommonMark with GFM tables and strikethrough) renders; nh3
(ammonia) sanitises against an allow-list, so a shared deck can never carry scripts,
event handlers or ``javascript:`` links. Sub- and superscript are written as inline
``<sub>``/``<sup>`` HTML, which CommonMark passes through and the allow-list keeps.
No smart punctuation: what the author typed is what the card shows.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import nh3
import pyromark

_OPTIONS = pyromark.Options.ENABLE_TABLES | pyromark.Options.ENABLE_STRIKETHROUGH
_TAGS = {
    "p",
    "br",
    "hr",
    "em",
    "strong",
    "b",
    "i",
    "u",
    "s",
    "del",
    "sub",
    "sup",
    "small",
    "mark",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "caption",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "img",
    "span",
    "div",
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align", "colspan", "rowspan"},
    "td": {"align", "colspan", "rowspan"},
    "ol": {"start", "type"},
}


# Markdown without these characters cannot produce raw HTML, links, images, tables or
# fenced code, so its HTML holds only allow-listed tags without attributes and the
# sanitiser would return it unchanged (a property test checks exactly that).
_MAY_NEED_SANITISING = re.compile(r"[<>\[\]|`~&\\]")


@cache
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def sanitise(html: str) -> str:
    """Keep only allow-listed tags, attributes and URL schemes."""
    return _cleaner().clean(html)


def markdown(text: str) -> str:
    """Render block Markdown (paragraphs, lists, tables) to sanitised HTML.

    The result is NFC-normalised, as Anki normalises note text on import: what we
    fingerprint is then exactly what the collection stores.
    """
    html = pyromark.html(text, options=_OPTIONS)
    if _MAY_NEED_SANITISING.search(text):
        html = sanitise(html)
    return unicodedata.normalize("NFC", html.strip())


def markdown_inline(text: str) -> str:
    """Render a short text (an option, a title): a lone paragraph loses its ``<p>``."""
    return unwrap_paragraph(markdown(text))


def unwrap_paragraph(html: str) -> str:
    """Rendered Markdown without its ``<p>`` if it is a lone paragraph."""
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html
