"""Citation numbers: which numbers glued to words are citations, set as superscripts.

PDF extraction flattens superscript citation numbers onto the word before them
("males1,2", "tumours.3"). Gene, marker, vertebra and size names look just like that
("MDM2", "CDK4", "C2", "S100", "20x15x28cm"), and a superscript on a marker name is
worse than a citation left flat. So only a lower-case word of the article or the
dictionary (or a percentage) followed by ascending numbers is a citation, and only when
the article's numbered reference list covers the numbers, or, without a reference list,
when the article cites this way more than once. Anything in between is left as written
and listed as uncertain.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from deckbuilder.authoring.importtext.article import Line, Report
from deckbuilder.authoring.importtext.dictionary import is_word

_CITATION = re.compile(
    r"(?<![A-Za-z0-9%])(?P<host>[A-Za-z]+|\d+(?:\.\d+)?%)(?P<glue>[.,]?)"
    r"(?P<nums>\d{1,3}(?:[,\u2013-]\d{1,3})*)(?![A-Za-z0-9%]|[.,]\d)"
)
_REFERENCE_ENTRY = re.compile(r"^\s*\[?(\d{1,3})[.)\]]?\s+\S")
_WORD = re.compile(r"(?<![a-z0-9])[a-z]+(?![a-z0-9])")

#: Lower-case words that take numbers of their own (units, labels): never a citation.
CITATION_NEVER = frozenset(
    "fig figs ref refs vol eq mmol nmol pmol umol kcal mmhg kpa mcg sec min hrs".split()
)
#: Words often followed by a number of their own ("grade3"): never sure, so listed.
CITATION_DOUBTFUL = frozenset(
    """grade type stage class level phase group arm cycle dose lead zone tier step score day
    week month year version trisomy chromosome exon codon intron segment rib ray toe finger
    digit covid omega vitamin figure table case patient""".split()
)
MAX_UNLISTED_CITATION = 300  # without a reference list, a larger number is no citation


def _cited_numbers(nums: str) -> list[int] | None:
    """The numbers of "1,2", "3-5", "1,4-6", or None unless they ascend as citations do."""
    out: list[int] = []
    for part in nums.split(","):
        bounds = [int(b) for b in re.split("[\u2013-]", part)]
        low, high = bounds[0], bounds[-1]
        if len(bounds) > 2 or low < 1 or (len(bounds) == 2 and high <= low):
            return None
        if out and low <= out[-1]:
            return None
        out += [low, high]
    return out


class Citations:
    """Which numbers glued to words are citations, decided once for the whole article."""

    def __init__(
        self, article: Sequence[Line], text: Sequence[Line], references: int, report: Report
    ) -> None:
        """``article``: every line (its words are the vocabulary); ``text``: the lines
        whose numbers may be citations, each uncertain one reported with its line."""
        self.vocabulary = set(_WORD.findall("\n".join(x.text for x in article).lower()))
        self.references = references
        self.decisions: dict[tuple[str, str, str], tuple[str, str]] = {}
        self.style = 0  # how often the article glues a plausible citation to a word
        found = [(line, m) for line in text for m in _CITATION.finditer(line.text)]
        for _, m in found:
            if self._plausible(m) is None:
                self.style += 1
        for line, m in found:
            kind, why = self.decide(m)
            if kind == "cite":
                report.superscripts += 1
            elif kind == "uncertain":
                report.citations.append((line.number, m.group(), why))

    def _known(self, word: str) -> bool:
        return word.lower() in self.vocabulary or is_word(word)

    def _plausible(self, m: re.Match[str]) -> tuple[str, str] | None:
        """Why ``m`` is not a citation ("keep": a name or unit; "uncertain"), or None
        if it may be one."""
        host, glue, nums = m.group("host", "glue", "nums")
        if not host.endswith("%"):
            if len(host) < 3 or any(c.isupper() for c in host[1:]):
                return "keep", "a name or unit"
            if host[0].isupper():
                known = self._known(host)
                return ("uncertain", "a capitalised word before it") if known else ("keep", "")
            if host in CITATION_NEVER:
                return "keep", "a unit or label"
            if host in CITATION_DOUBTFUL:
                return "uncertain", f"'{host}' is often followed by a number of its own"
            if not self._known(host):
                return "uncertain", f"'{host}' is not a word of the article or the dictionary"
        numbers = _cited_numbers(nums)
        if numbers is None:
            return "uncertain", "the numbers do not ascend as citations do"
        if glue == ",":
            return "uncertain", "a comma before the number may separate a list"
        limit = self.references or MAX_UNLISTED_CITATION
        if max(numbers) > limit:
            where = f"the {limit} numbered references" if self.references else str(limit)
            return "uncertain", f"{max(numbers)} is beyond {where}"
        return None

    def decide(self, m: re.Match[str]) -> tuple[str, str]:
        """("cite", ""), ("keep", why) or ("uncertain", why) for a match of _CITATION."""
        host, glue, nums = m.group("host", "glue", "nums")
        key = (host, glue, nums)
        if key not in self.decisions:
            verdict = self._plausible(m)
            if verdict is None and not self.references and self.style < 2:
                verdict = "uncertain", "no numbered reference list and no other citation like it"
            self.decisions[key] = verdict or ("cite", "")
        return self.decisions[key]

    def superscript(self, markdown: str) -> str:
        """``markdown`` with every citation number set as ``<sup>…</sup>``."""

        def sup(m: re.Match[str]) -> str:
            if self.decide(m)[0] != "cite":
                return m.group()
            return f"{m.group('host')}{m.group('glue')}<sup>{m.group('nums')}</sup>"

        return _CITATION.sub(sup, markdown)


def reference_count(lines: Iterable[Line]) -> int:
    """How many entries the "References" section numbers 1, 2, 3, ... (0 if none)."""
    expected = 1
    for line in lines:
        entry = _REFERENCE_ENTRY.match(line.text)
        if entry and int(entry.group(1)) == expected:
            expected += 1
    return expected - 1
