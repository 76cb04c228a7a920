"""JSON Schemas of the content format, generated from deckbuilder.content.model."""
