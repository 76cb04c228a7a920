"""Shared test helpers: where things are and the default deck's size (``paths``), real
processes, the Anki engine, and the card harnesses (Chromium, WebKit, Anki desktop)."""
