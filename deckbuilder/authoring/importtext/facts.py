"""Fact candidates: sentences of the discussion worth recalling, the likely deletions marked.

What a clinician must carry away from a quiz article is mostly in its discussion, and
mostly in sentences that hold a figure — a percentage, a measure, a marker's name ("ALT
accounts for about 40% to 45% of liposarcomas", "overexpression of MDM2 and CDK4").
import-text proposes those sentences as commented-out ``facts:``, each figure marked as
a deletion (``{{c1::40% to 45%}}``), for the author to uncomment, trim and correct:
choosing what is worth a card stays the author's call. Spans are found in the Markdown
the case file will hold, never inside a citation's superscript.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from deckbuilder.authoring.importtext.sentences import split_sentences
from deckbuilder.content.cloze import key_from_first_deletion

MAX_CANDIDATES = 8
MAX_DELETIONS = 3
MIN_WORDS, MAX_WORDS = 6, 60
_NUMBER = r"\d+(?:[.,]\d+)?"
_SPANS = [  # (kind, weight, pattern), strongest first
    (
        "percentage",
        3,
        re.compile(rf"(?<![\w.]){_NUMBER}\s?%(?:\s?(?:to|-|\u2013|and)\s?{_NUMBER}\s?%)?"),
    ),
    (
        "measure",
        2,
        re.compile(
            rf"(?<![\w.]){_NUMBER}\s?(?:cm|mm|years?|months?|weeks?|days?|mg|g|kg|ml|mmol/l)\b",
            re.IGNORECASE,
        ),
    ),
    ("marker", 2, re.compile(r"(?<![\w-])[A-Z][A-Z0-9]*\d[A-Z0-9]*(?![\w-])")),
]
_SUPERSCRIPT = re.compile(r"<sup>.*?</sup>")


@dataclass(frozen=True)
class FactCandidate:
    key: str  # an id from the first deletion, unique among the candidates
    text: str  # Markdown, with its deletions marked


def _spans(markdown: str) -> list[tuple[int, int, int]]:
    """(start, end, weight) of every figure worth hiding, not overlapping, in text order,
    none inside a superscript."""
    masked = _SUPERSCRIPT.sub(lambda m: " " * len(m.group()), markdown)
    taken: list[tuple[int, int, int]] = []
    for _, weight, pattern in _SPANS:
        for m in pattern.finditer(masked):
            if not any(m.start() < end and start < m.end() for start, end, _ in taken):
                taken.append((m.start(), m.end(), weight))
    return sorted(taken)


def _with_deletions(markdown: str, spans: list[tuple[int, int, int]]) -> str:
    out, at = [], 0
    for n, (start, end, _) in enumerate(spans, 1):
        out += [markdown[at:start], f"{{{{c{n}::{markdown[start:end]}}}}}"]
        at = end
    return "".join(out) + markdown[at:]


def propose_facts(discussion: str, markdown: Callable[[str], str]) -> list[FactCandidate]:
    """At most :data:`MAX_CANDIDATES` sentences of ``discussion`` (plain article text,
    paragraphs separated by blank lines), the ones with most figures, in the order the
    article has them; ``markdown`` turns a sentence into the case file's Markdown."""
    scored: list[tuple[int, int, str, list[tuple[int, int, int]]]] = []
    for paragraph in discussion.split("\n\n"):
        for sentence in split_sentences(paragraph):
            if not MIN_WORDS <= len(sentence.split()) <= MAX_WORDS:
                continue
            if "{" in sentence or "}" in sentence:  # next to a deletion's braces: cloze markup
                continue
            text = markdown(sentence)
            spans = _spans(text)[:MAX_DELETIONS]
            if spans:
                scored.append((sum(w for _, _, w in spans), len(scored), text, spans))
    best = sorted(scored, key=lambda s: (-s[0], s[1]))[:MAX_CANDIDATES]
    candidates: list[FactCandidate] = []
    keys: set[str] = set()
    for _, _, text, spans in sorted(best, key=lambda s: s[1]):
        fact = _with_deletions(text, spans)
        key = base = key_from_first_deletion(fact)
        n = 1
        while key in keys:
            n += 1
            key = f"{base}-{n}"
        keys.add(key)
        candidates.append(FactCandidate(key, fact))
    return candidates
