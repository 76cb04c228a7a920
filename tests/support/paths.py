"""Where things are in the repository, and what the default deck holds."""

from __future__ import annotations

from pathlib import Path

#: The test suite's folder and the repository around it.
TESTS = Path(__file__).resolve().parent.parent
REPO = TESTS.parent
#: Content folders, articles, packages and images the tests build from.
FIXTURES = TESTS / "fixtures"
#: Malformed input, one entry a file (``format/test_catalogue.py``).
CATALOGUE = TESTS / "catalogue"
#: Where the card tests leave their screenshots (git-ignored).
SCREENSHOTS = TESTS / "screenshots"

# The default deck: one case, its questions (multiple-choice notes) and facts (cloze notes).
DEFAULT_QUESTIONS = 4
DEFAULT_FACTS = 5
DEFAULT_NOTES = DEFAULT_QUESTIONS + DEFAULT_FACTS
DEFAULT_CONTENT = REPO / "content"

#: The lock's file name, as the docs give it to authors (pinned here, not imported).
LOCK_FILE = "deckbuilder.lock.json"
