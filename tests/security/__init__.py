"""Hostile and private content: what a deck may run, read, carry and show."""
