"""Text that looks like it identifies a patient: warned about, never removed.

Cases come from real patients, and a vignette pasted from a letter or a record may keep
a date of birth, a record number, a phone number, an e-mail or postal address, or a name.
Each is looked for by its shape and, where the shape alone is too common (a date, a
number, a postcode), by the word that introduces it ("born", "DOB", "MRN", "address").
What is found is a warning at its ``file:line:col`` with the text masked — warnings end
up in CI logs, which are not the place to copy an identifier to — so ``check --strict``
fails until the author rewrites it or allows it in ``deck.yaml`` (``allow:``, a pattern
and a reason: an eponym, the author's own address).

Names are only found after a title (Mr, Mrs, Ms, Dr…) or "named"/"called", and not when
the word is a medical eponym ("Dr. Ewing's description") or a name in the case's source
line (its authors). Nothing here sees a name written alone, text burned into an image's
pixels, or a face: the author stays responsible for what a case says.
"""

from __future__ import annotations

import functools
import heapq
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deckbuilder.content.model import Case, Deck
    from deckbuilder.errors import ContentProblem, KeyPath

#: Places a warning at a piece of text inside a value: (key, offset, found, message).
Locate = Callable[["KeyPath", int, str, str], "ContentProblem"]

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
# A date with its day, month and year, as people write them.
_DATE = (
    r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b|\d{4}-\d{2}-\d{2}\b"
    rf"|{_DAY}\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}\b|{_MONTH}\s+{_DAY},?\s+\d{{4}}\b)"
)
_TITLES = r"(?:Mrs|Mr|Ms|Miss|Mx|Dr|Doctor|Prof|Professor)"
_NAME = r"[A-Z](?:'[A-Z])?[a-z]+(?:[-'][A-Z]?[a-z]+)*"

#: (what it is, what to do, pattern). The group named "id" is the identifier itself:
#: what is masked and pointed at; the rest of the match is the word that introduced it.
_PATTERNS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    (
        "a date of birth",
        "give the patient's age instead",
        re.compile(
            r"(?:\bborn\b|\bDOB\b|\bD\.O\.B\b\.?|\bdate\s+of\s+birth\b|\bbirth\s*date\b)[\s:,-]*"
            rf"(?:on\s+|in\s+)?(?P<id>{_DATE})",
            re.IGNORECASE,
        ),
    ),
    (
        "a record number",
        "leave it out; the case needs no record number",
        re.compile(
            r"\b(?:MRN|(?:medical\s+|hospital\s+|health\s+|case\s+|chart\s+|accession\s+)?"
            r"record\s+(?:number|no\.?|#)|(?:hospital|patient|case|chart|accession|unit)\s+"
            r"(?:number|no\.?|id|#)|NHS(?:\s+(?:number|no\.?))?|CHI(?:\s+(?:number|no\.?))?"
            r"|SSN|social\s+security(?:\s+(?:number|no\.?))?|insurance\s+(?:number|no\.?))"
            r"[\s:#.-]*(?P<id>[A-Z]{0,3}\d[\d -]{3,}\d\b)",
            re.IGNORECASE,
        ),
    ),
    (
        "a social security number",
        "leave it out",
        re.compile(r"(?<![\d-])(?P<id>\d{3}-\d{2}-\d{4})(?![\d-])"),
    ),
    (
        "a phone number",
        "leave it out",
        re.compile(
            r"\b(?:tel|telephone|phone|mobile|cell|fax)\b\.?[\s:]*(?P<id>\+?\d[\d ().-]{6,}\d)"
            r"|(?<![\w+-])(?P<id2>\+\d{1,3}[ .-]?\(?\d{1,4}\)?(?:[ .-]?\d{2,4}){2,4}"
            r"|\(\d{3}\)\s?\d{3}[ .-]\d{4}|\d{3}[.-]\d{3}[.-]\d{4}"
            r"|0[1-9]\d{1,3}(?:[ -]?\d{3,4}){2}|0[1-9]\d{3}[ -]?\d{6})(?![\w-])",
            re.IGNORECASE,
        ),
    ),
    (
        "an e-mail address",
        "leave it out",
        re.compile(r"(?P<id>\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b)"),
    ),
    (
        "an address",
        "say the region at most",
        re.compile(
            r"\b(?:address|lives\s+at|living\s+at|resides\s+at|residing\s+at|resident\s+at|"
            r"home\s+at)\b[^.\n]{0,60}?"
            r"(?P<id>\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b|\b\d{5}(?:-\d{4})?\b)"
        ),
    ),
    (
        "a street address",
        "say the region at most",
        re.compile(
            r"(?P<id>\b\d{1,4}[A-Z]?\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Road|Rd|Avenue|"
            r"Ave|Lane|Close|Crescent|Drive|Way|Place|Court|Boulevard|Blvd|Terrace|Gardens)\b)"
        ),
    ),
    (
        "a name",
        "call the patient by age and sex",
        re.compile(
            rf"\b{_TITLES}\.?\s+(?:[A-Z]\.\s*)*(?P<id>{_NAME})"
            rf"|\b(?:named|called)\s+(?P<id2>{_NAME})\b(?!\s+(?:sign|syndrome|disease|test))"
            rf"|\b(?i:patient|name|pt)\s*:\s*(?P<id3>{_NAME}\s+{_NAME})",
        ),
    ),
)


# What each pattern's matches contain, for _may_match. In the text lowercased by _folded,
# the words of the patterns that ignore case:
_DOB_WORD = re.compile(r"born|dob|d\.o\.b|birth")
_RECORD_WORD = re.compile(
    r"mrn|record|hospital|patient|case|chart|accession|unit|nhs|chi|ssn|social|insurance"
)
_NAME_LABEL = re.compile(r"patient|name|pt")
# and in the text as written, the rest:
_RECORD_DIGITS = re.compile(r"\d[\d -]{4}")  # the record number's first five characters
_SSN_SHAPE = re.compile(r"\d\d\d-\d\d-\d\d\d\d")  # the number without its surroundings
_PHONE_DIGITS = re.compile(r"\d[\d ().-]{7}")  # or a "+", as in "+44 20 7946 0958"
_ADDRESS_WORD = re.compile(r"address|liv|resid|home")
_STREET_WORD = re.compile(
    r"St|Road|Rd|Ave|Lane|Close|Crescent|Drive|Way|Place|Court|Boulevard|Blvd|Terrace|Gardens"
)
_STREET_START = re.compile(r"\d[A-Z]?\s+[A-Z][a-z]+\s")  # the house number, a word
_TITLE = re.compile(r"M[rsix]|D[ro]|Prof")  # Mr, Mrs, Ms, Miss, Mx, Dr, Doctor, Prof…
_DIGIT = re.compile(r"\d")
# The letters that re.IGNORECASE matches to an ASCII letter and str.lower() does not
# turn into that letter (dotted capital I, dotless i, long s), and that letter.
_ODD_CASE = re.compile("[\u0130\u0131\u017f]")
_ODD_CASE_LETTERS = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})


@dataclass(frozen=True)
class Identifier:
    """A piece of text that looks like it identifies someone."""

    start: int  # of the identifier itself, in the text
    found: str  # the identifier as written
    context: str  # it with the word that introduced it ("DOB 12/03/1961"): what allow matches
    kind: str
    advice: str

    def message(self) -> str:
        return (
            f"looks like {self.kind} ({mask(self.found)}); {self.advice}, or list it under "
            "'allow' in deck.yaml with the reason"
        )


def mask(found: str) -> str:
    """``found`` with its digits masked, and its letters but each word's first
    ("S••••", "••/••/••••"): the author recognises it, a log does not repeat it."""
    return re.sub(r"(?<=\w)[^\W\d_]|\d", "•", found)


def find(text: str, names: Iterable[str] = ()) -> list[Identifier]:
    """Everything in ``text`` that looks like an identifier, in order, overlaps once.
    ``names`` are words that are not patients' names here (the authors of the source)."""
    known = set(names)
    out: list[Identifier] = []
    taken: list[tuple[int, int]] = []  # the spans found so far: in order, disjoint
    for (kind, advice, pattern), may_match in zip(_PATTERNS, _may_match(text), strict=True):
        if not may_match:
            continue
        found: list[tuple[int, int]] = []
        first_after = 0  # the first span of ``taken`` that ends after this match starts
        for match in pattern.finditer(text):
            group = next(g for g in ("id", "id2", "id3") if g in match.re.groupindex and match[g])
            start, end = match.span(group)
            if kind == "a name" and _not_a_patient(match, group, known):
                continue
            while first_after < len(taken) and taken[first_after][1] <= start:
                first_after += 1
            if first_after < len(taken) and taken[first_after][0] < end:
                continue
            found.append((start, end))
            context = " ".join(text[match.start() : match.end()].split())
            out.append(Identifier(start, match[group], context, kind, advice))
        taken = list(heapq.merge(taken, found))
    return sorted(out, key=lambda i: i.start)


def _may_match(text: str) -> tuple[bool, ...]:
    """For each of ``_PATTERNS``, whether ``text`` has what every match of that pattern
    contains: a pattern that cannot match is not run, so ``find`` finds exactly what
    running them all finds. Most texts have no digit, which six patterns need; the
    e-mail pattern needs an "@", and the name pattern a title, "named"/"called" or a
    colon after "patient", "name" or "pt".

    Each test is necessary, not sufficient: what passes is for the pattern to decide.
    They are searches in C, cheaper than the patterns, which mostly begin with a word
    boundary and so are tried at every position; the cheapest and rarest come first. A
    word that its pattern matches in any case is looked for in ``_folded(text)``, one
    that it matches as written in the text itself."""
    digit = _has_digit(text)
    words = _folded(text) if digit or ":" in text else ""
    return (
        digit and _DOB_WORD.search(words) is not None,
        digit
        and _RECORD_WORD.search(words) is not None
        and _RECORD_DIGITS.search(text) is not None,
        digit and "-" in text and _SSN_SHAPE.search(text) is not None,
        digit and ("+" in text or _PHONE_DIGITS.search(text) is not None),
        "@" in text,
        digit and _ADDRESS_WORD.search(text) is not None,
        digit and _STREET_WORD.search(text) is not None and _STREET_START.search(text) is not None,
        _TITLE.search(text) is not None
        or "named" in text
        or "called" in text
        or (":" in text and _NAME_LABEL.search(words) is not None),
    )


def _has_digit(text: str) -> bool:
    """Whether ``text`` has a character that ``\\d`` matches. In ASCII text that is
    0-9, and deleting those from its bytes is quicker than a regular expression's
    scan, which asks each character's Unicode category."""
    if text.isascii():
        return len(text.encode().translate(None, b"0123456789")) < len(text)
    return _DIGIT.search(text) is not None


def _folded(text: str) -> str:
    """``text`` lowercased so that it holds, in lower case, every ASCII word that a
    pattern with ``re.IGNORECASE`` matches in it. ``str.lower`` does that for every
    character but the three of ``_ODD_CASE``."""
    if not text.isascii() and _ODD_CASE.search(text):
        text = text.translate(_ODD_CASE_LETTERS)
    return text.lower()


def find_in_file_name(name: str) -> list[Identifier]:
    """What looks like an identifier in an image's file name, where words are joined by
    ``-``, ``_`` or ``.`` and written in any case ("dob-12-03-1961.jpg",
    "mrn_4411229.png", "mr-smith-knee.jpg"): read as it is and with those as spaces and
    each word capitalised; offsets and the text found are the name's own."""
    stem = re.sub(r"\.[A-Za-z0-9]+$", "", name)
    spaced = re.sub(r"(?<=[A-Za-z])[-_.]|[-_.](?=[A-Za-z])|_", " ", stem)
    found: dict[int, Identifier] = {}
    for reading in (stem, spaced.title()):
        for i in find(reading):
            written = name[i.start : i.start + len(i.found)]
            context = (
                f"{i.context[: -len(i.found)]}{written}" if i.context.endswith(i.found) else written
            )
            found.setdefault(i.start, Identifier(i.start, written, context, i.kind, i.advice))
    return [found[start] for start in sorted(found)]


def source_names(*texts: str | None) -> frozenset[str]:
    """The capitalised words of a case's source and attribution: its authors, whom a
    text may name ("as Dr. Rauh described")."""
    return frozenset(w for t in texts if t for w in re.findall(_NAME, t))


def _not_a_patient(match: re.Match[str], group: str, known: set[str]) -> bool:
    """Whether a name found is an author of the source, or an eponym after a doctor's
    title or "named"/"called" (a patient is Mr or Ms, never an eponym)."""
    word = match[group]
    base = re.sub(r"'s$", "", word)
    if base in known or word.split()[-1] in known:
        return True
    doctor = group == "id2" or re.match(r"(?:Dr|Doctor|Prof)", match.group())
    return bool(doctor) and base in eponyms()


@functools.cache
def eponyms() -> frozenset[str]:
    """Names that medicine uses for diseases, signs, tests and structures."""
    return frozenset(_EPONYMS.split())


def case_texts(case: Case) -> Iterator[tuple[KeyPath, str]]:
    """Every text of a case an author writes, with its key path (ids and letters aside)."""
    for key in ("title", "case", "discussion", "source", "attribution", "evidence"):
        value = getattr(case, key)
        if value:
            yield (key,), value
    for i, figure in enumerate(case.figures):
        for key in ("caption", "attribution", "license"):
            if getattr(figure, key):
                yield ("figures", i, key), getattr(figure, key)
    from deckbuilder.content.model import StatementQuestion

    for i, q in enumerate(case.questions):
        yield ("questions", i, "question"), q.question
        if isinstance(q, StatementQuestion):
            for n, statement in enumerate(q.statements):
                yield ("questions", i, "statements", n, "text"), statement.text
                if statement.explanation:
                    yield ("questions", i, "statements", n, "explanation"), statement.explanation
            if q.critique:
                yield ("questions", i, "critique"), q.critique
            continue
        for letter, text in q.options.items():
            yield ("questions", i, "options", letter), text
        yield ("questions", i, "critique"), q.critique
        for letter, text in q.explanations.items():
            yield ("questions", i, "explanations", letter), text
    for i, fact in enumerate(case.facts):
        yield ("facts", i, "text"), fact.text
        if fact.extra:
            yield ("facts", i, "extra"), fact.extra


def case_warnings(case: Case, deck: Deck, locator: Callable[[], Locate]) -> list[ContentProblem]:
    """A warning for each identifier in a case's texts and its images' file names that
    the deck does not allow. ``locator`` is asked for only when there is one."""
    names = source_names(case.source, case.attribution)
    found = [(key, i) for key, text in case_texts(case) for i in find(text, names)]
    found += [
        (("figures", n, "image"), i)
        for n, figure in enumerate(case.figures)
        if figure.image
        for i in find_in_file_name(figure.image)
    ]
    return _warnings(found, deck, locator)


def deck_warnings(deck: Deck, locator: Callable[[], Locate]) -> list[ContentProblem]:
    """A warning for each identifier in the deck file's texts that it does not allow."""
    texts = {"name": deck.name, "description": deck.description, "license": deck.license}
    found = [((key,), i) for key, text in texts.items() if text for i in find(text)]
    return _warnings(found, deck, locator)


MAX_LISTED = 50
"""Identifiers listed one by one in a file; the rest are one warning at the first of
them. Each is located in the file by a search from the text's start, so listing every
one of a text full of them would cost time in the square of its length."""


def _warnings(
    found: Sequence[tuple[KeyPath, Identifier]], deck: Deck, locator: Callable[[], Locate]
) -> list[ContentProblem]:
    patterns = [re.compile(a.pattern) for a in deck.allow]
    kept = [(key, i) for key, i in found if not _allowed(i, patterns)]
    if not kept:
        return []
    locate = locator()
    warnings = [locate(key, i.start, i.found, i.message()) for key, i in kept[:MAX_LISTED]]
    if len(kept) > MAX_LISTED:
        key, first = kept[MAX_LISTED]
        more = len(kept) - MAX_LISTED
        message = f"and {more:,} more that look like identifiers from here on (not listed)"
        warnings.append(locate(key, first.start, first.found, message))
    return warnings


def _allowed(identifier: Identifier, patterns: Iterable[re.Pattern[str]]) -> bool:
    """Whether an ``allow:`` pattern of the deck matches the identifier as written, or
    with the word that introduced it."""
    return any(p.search(identifier.context) or p.search(identifier.found) for p in patterns)


_EPONYMS = """
Addison Adie Albright Alport Alzheimer Apgar Argyll Asperger Auer Babinski Barrett Bartter
Becker Behcet Bence Berger Bouchard Brugada Budd Buerger Burkitt Caplan Charcot Chiari
Chvostek Colles Cori Crigler Crohn Cushing Dandy Darier Dejerine Dressler Dubin Duchenne
Dupuytren Duroziez Ebstein Ehlers Eisenmenger Erb Ewing Fabry Fallot Fanconi Felty Frey
Friedreich Gaucher Ghon Gleason Goodpasture Gorlin Gottron Graves Guillain Hashimoto
Heberden Henoch Hirschsprung Hodgkin Horner Huntington Hurler Jarisch Kaposi Kartagener
Kawasaki Kernig Kimmelstiel Klinefelter Klippel Korsakoff Krukenberg Kussmaul Langerhans
Leber Legg Lesch Letterer Libman Lisfranc Lyme Mallory Marfan Marjolin McArdle McBurney
Meckel Meigs Menetrier Meniere Merkel Monteggia Negri Niemann Osgood Osler Paget Pancoast
Parkinson Peutz Peyronie Plummer Pott Prinzmetal Quincke Raynaud Reiter Reye Riedel Rinne
Romberg Rovsing Schatzki Schilling Schwann Sezary Sheehan Sjogren Sjögren Stevens Sturge
Takayasu Tay Tietze Tinel Tourette Trousseau Virchow Waldenstrom Waldenström Wallenberg
Warthin Wegener Wermer Wernicke Whipple Wilms Wiskott Wolff Zenker Zollinger Broca Weil
Kienbock Perthes Scheuermann Madelung Maffucci Ollier Kasabach Merritt Lhermitte Tzanck
Brodie Codman Segond Bankart Rolando Galeazzi Kocher Kanavel Finkelstein Phalen
Trendelenburg Ortolani Barlow Lachman McMurray Apley Ranson Pugh Lynch Down Conn Bowen Pick
Willis
"""
