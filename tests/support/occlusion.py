"""The image occlusion fixture: its content folder, its deck, its notes in a collection."""

from __future__ import annotations

from typing import TYPE_CHECKING

from deckbuilder.notes.kinds import BY_NAME
from tests.support.paths import FIXTURES

if TYPE_CHECKING:
    from anki.collection import Collection

FIXTURE = FIXTURES / "occlusion"
DECK = "occlusion-features"


def occlusion_notes(col: Collection) -> dict[str, object]:
    """The deck's image occlusion notes, by their ref (in Comments)."""
    mid = BY_NAME["occlusion"].notetype_id(DECK)
    return {col.get_note(n)["Comments"]: col.get_note(n) for n in col.find_notes(f"mid:{mid}")}
