"""Markdown to safe card HTML: the one path every text of a deck takes to a field.

pyromark (pulldown-cmark, CommonMark with GFM tables and strikethrough) renders; nh3
(ammonia) sanitises against an allow-list, so a shared deck can never carry scripts,
event handlers or ``javascript:`` links. Sub- and superscript are written as inline
``<sub>``/``<sup>`` HTML, which CommonMark passes through and the allow-list keeps.
No smart punctuation: what the author typed is what the card shows.

Three things a sanitiser cannot see are handled here too, because Anki acts on text:
math (checked against an allow-list, see :mod:`deckbuilder.notes.mathcheck`); Anki's
own bracket markup — ``[sound:…]``, ``[anki:tts]``, ``[latex]``, ``[$]``, ``[$$]`` —
which is kept as the literal text the author typed: every ``[`` is written as ``&#91;``,
which Anki does not recognise and every browser shows as ``[`` (every one, not only those
that start markup as written: Anki removes the tags inside math before it looks for its
markup, so ``[<b></b>sound:x]`` would become ``[sound:x]``); and quotes in text, written as
``&quot;``, because Anki's cloze filter copies text into attribute values it writes
between double quotes, where a bare ``"`` would end the value and start attributes of
its own. Nesting is bounded before sanitising, whose cost grows with the square of the
depth.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import cache

import nh3
import pyromark

from deckbuilder.notes.mathcheck import UnsafeMath, check_math

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

MAX_DEPTH = 32
"""Levels of nested elements (quotes, lists, HTML) a text may have."""

# Markdown without these characters cannot produce raw HTML, links, images, tables,
# fenced code, entities or math, so its HTML holds only allow-listed tags without
# attributes and needs none of the checks below (a property test checks exactly that).
_MAY_NEED_CHECKS = re.compile(r"[<>\[\]|`~&\\]")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)[^>]*?(/?)>")
# A tag as the sanitiser and pulldown-cmark write it: attribute values in double quotes,
# with any quote inside escaped, so a ">" in a value does not end the tag.
_WRITTEN_TAG = re.compile(r'<(?:[^>"]|"[^"]*")*>')
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())


class UnsafeText(ValueError):
    """Text that cannot go into a shared deck; the message says why."""


@cache
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
        attribute_filter=_address_filter,
    )


_SCHEME_LIKE = re.compile(r"[a-z][a-z0-9+.-]*:", re.IGNORECASE)
_BLANKS = re.compile(r"[\x00-\x20]+")


def _address_filter(_element: str, attribute: str, value: str) -> str | None:
    """Drop an address that reads as another scheme once its blanks are gone
    ("java  script:…"). Browsers take it as a relative address, but an address must not
    depend on that reading: what looks like a script link to any check is not written."""
    if attribute not in ("href", "src"):
        return value
    joined = _BLANKS.sub("", value)
    scheme = _SCHEME_LIKE.match(joined)
    if scheme and scheme.group().lower() not in ("http:", "https:", "mailto:"):
        return None
    return value


def sanitise(html_text: str) -> str:
    """Keep only allow-listed tags, attributes and URL schemes."""
    return _cleaner().clean(html_text)


def _check_depth(html_text: str) -> None:
    if html_text.count("<") <= 2 * MAX_DEPTH:  # fewer tags than it takes to nest so deep
        return
    depth = 0
    for closing, name, self_closing in _TAG.findall(html_text):
        if name.lower() in _VOID or self_closing:
            continue
        depth = depth - 1 if closing else depth + 1
        if depth > MAX_DEPTH:
            raise UnsafeText(
                f"is nested too deeply: more than {MAX_DEPTH} levels of quotes, lists or "
                "HTML elements inside each other"
            )
        depth = max(depth, 0)


def quote_text(html_text: str) -> str:
    """Every ``"`` in the text between tags written as ``&quot;`` (attributes keep theirs):
    no rewrite of the text by Anki can then end an attribute value it writes."""
    if '"' not in html_text:
        return html_text
    parts = []
    at = 0
    for tag in _WRITTEN_TAG.finditer(html_text):
        parts.append(html_text[at : tag.start()].replace('"', "&quot;"))
        parts.append(tag.group())
        at = tag.end()
    parts.append(html_text[at:].replace('"', "&quot;"))
    return "".join(parts)


def markdown(text: str) -> str:
    """Render block Markdown (paragraphs, lists, tables) to safe HTML.

    Raises :class:`UnsafeText` for text that cannot go into a shared deck. The result is
    NFC-normalised, as Anki normalises note text on import: what we fingerprint is then
    exactly what the collection stores.
    """
    out = pyromark.html(text, options=_OPTIONS)
    if _MAY_NEED_CHECKS.search(text):
        _check_depth(out)
        out = unicodedata.normalize("NFC", sanitise(out))
        try:
            check_math(out)
        except UnsafeMath as exc:
            raise UnsafeText(str(exc)) from None
        out = out.replace("[", "&#91;")
    else:
        _check_depth(out)
        out = unicodedata.normalize("NFC", out)
    return quote_text(out).strip()


def markdown_inline(text: str) -> str:
    """Render a short text (an option, a title): a lone paragraph loses its ``<p>``."""
    return unwrap_paragraph(markdown(text))


def unwrap_paragraph(html_text: str) -> str:
    """Rendered Markdown without its ``<p>`` if it is a lone paragraph."""
    if html_text.startswith("<p>") and html_text.endswith("</p>") and html_text.count("<p>") == 1:
        return html_text[3:-4]
    return html_text


_LINK = re.compile(r'<a\b[^>]*?\bhref="([^"]*)"[^>]*>(.*?)</a>', re.S)


def unlinked(html_text: str) -> str:
    """Links written out as text: "label (address)". For the deck description, which Anki
    shows outside any card and which must hold no remote address at all."""

    def text(match: re.Match[str]) -> str:
        address, label = match.group(1), match.group(2)
        shown = html.unescape(address)
        if shown.startswith("mailto:"):
            shown = shown[len("mailto:") :]
        if html.unescape(re.sub(r"<[^>]+>", "", label)).strip() in (shown, address):
            return label
        # The address was checked as an attribute, not as text: its backslashes, which
        # start math in text, are written percent-encoded, as in any URL.
        return f"{label} ({plain(shown.replace(chr(92), '%5C'))})"

    return _LINK.sub(text, html_text)


def plain(text: str) -> str:
    """Text that is shown as it is (a ref, a letter), escaped for HTML and for Anki."""
    return html.escape(text, quote=True).replace("[", "&#91;")
