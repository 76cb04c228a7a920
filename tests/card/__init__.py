"""The cards as Anki shows them, in Chromium, WebKit and the Anki desktop app, and the
harnesses that show them."""
