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
    taken: list[tuple[int, int]] = []
    for kind, advice, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            group = next(g for g in ("id", "id2", "id3") if g in match.re.groupindex and match[g])
            start, end = match.span(group)
            if kind == "a name" and _not_a_patient(match, group, known):
                continue
            if any(start < b and a < end for a, b in taken):
                continue
            taken.append((start, end))
            context = " ".join(text[match.start() : match.end()].split())
            out.append(Identifier(start, match[group], context, kind, advice))
    return sorted(out, key=lambda i: i.start)


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


def _warnings(
    found: Sequence[tuple[KeyPath, Identifier]], deck: Deck, locator: Callable[[], Locate]
) -> list[ContentProblem]:
    patterns = [re.compile(a.pattern) for a in deck.allow]
    kept = [(key, i) for key, i in found if not _allowed(i, patterns)]
    if not kept:
        return []
    locate = locator()
    return [locate(key, i.start, i.found, i.message()) for key, i in kept]


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
