"""Commented starting points for new content files (see deckbuilder.commands.new)."""
