"""The spelling dictionary: both hyphenation and citations ask whether a word is English.

Loaded once, on first use: loading takes a moment, and an article with no word broken at a
line end and no number glued to a word never needs it.
"""

from __future__ import annotations

_SPELL = None


def is_word(word: str) -> bool:
    """Whether ``word`` is in the dictionary, in any case: evidence the article alone
    may not give (a word it never spells out whole)."""
    global _SPELL
    if _SPELL is None:
        from spellchecker import SpellChecker

        _SPELL = SpellChecker()
    return bool(_SPELL.known([word.lower()]))
