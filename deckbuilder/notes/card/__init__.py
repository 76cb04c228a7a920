"""The card's templates, CSS and script, as real files (read by ``notes.notetype``).

A template may hold a line ``<!-- include PART key="value" -->``: the note type gets the
file PART there (a part of ``parts/``, or another template), each ``$key`` in it replaced
by the value. Anki cannot include one template in another, so what templates share is
written once and put together when the note type is made (``notetype._assembled``).
"""
