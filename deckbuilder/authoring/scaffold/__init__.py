"""Commented starting points for new content files (see deckbuilder.commands.new).

The templates are real files beside this module, so that they read as what they become;
they are filled with :class:`string.Template` (``$name`` placeholders, ``$$`` for a
literal dollar sign).
"""

from __future__ import annotations


def fill(template: str, **values: str) -> str:
    """The template file ``template`` of this package with every placeholder filled in."""
    from importlib import resources
    from string import Template

    text = resources.files(__name__).joinpath(template).read_text("utf-8")
    return Template(text).substitute(values)
