"""Allow ``python -m deckbuilder``."""

from deckbuilder.cli import main

main()
