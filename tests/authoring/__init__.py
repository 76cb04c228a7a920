"""Authoring: scaffolding, inspect and diff, serve, and importing articles."""
