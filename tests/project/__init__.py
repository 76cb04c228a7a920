"""The project itself: docs, types, style and the bench."""
