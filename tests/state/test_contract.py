"""The note type contract with users' collections, pinned.

If one of these tests fails, a change would make Anki treat the note type as a different
one: every colleague's next import would create "Clinical MCQ+" and skip all existing
notes. Do not "fix" the test; revert the change (see deckbuilder/notetype.py).
"""

from __future__ import annotations

from pathlib import Path

from deckbuilder import build
from deckbuilder.notes import notetype
from tests.support.ankiengine import collection, import_apkg

PINNED_FIELDS = [
    "Question",
    "Case",
    "Options",
    "Answer",
    "Critique",
    "Discussion",
    "Figures",
    "Source",
    "Title",
    "Ref",
]
PINNED_TEMPLATES = ["MCQ"]
PINNED_FIELD_IDS = {
    "Question": 3945273282714058323,
    "Case": 5371672882421173584,
    "Options": 1600006820330382291,
    "Answer": 16263503035380556,
    "Critique": 3632351213722063156,
    "Discussion": 2700107854060183922,
    "Figures": 7880990484057887005,
    "Source": 3239757578924208982,
    "Title": 2219855855814839785,
    "Ref": 2966583885871506202,
}
PINNED_TEMPLATE_IDS = {"MCQ": 3918515330565814189}


def test_field_and_template_names_are_pinned() -> None:
    assert list(notetype.FIELDS) == PINNED_FIELDS
    assert list(notetype.TEMPLATES) == PINNED_TEMPLATES
    assert notetype.MCQ.contract_fingerprint() == "fe9fdb6925f0efdc"


def test_field_and_template_ids_are_pinned() -> None:
    assert notetype.FIELD_IDS == PINNED_FIELD_IDS
    assert notetype.TEMPLATE_IDS == PINNED_TEMPLATE_IDS
    for name, value in PINNED_FIELD_IDS.items():
        assert notetype.derived_id("field", name) == value
    assert notetype.derived_id("template", "MCQ") == PINNED_TEMPLATE_IDS["MCQ"]


def test_engine_stores_the_contract(content: Path, tmp_path: Path) -> None:
    apkg = build(content, tmp_path / "dist").deck_path
    with collection(tmp_path / "c.anki2") as col:
        import_apkg(col, apkg)
        (model,) = [m for m in col.models.all() if m["name"].startswith("Clinical MCQ")]
        assert [f["name"] for f in model["flds"]] == PINNED_FIELDS
        assert [f["id"] for f in model["flds"]] == list(PINNED_FIELD_IDS.values())
        assert [t["name"] for t in model["tmpls"]] == PINNED_TEMPLATES
        assert [t["id"] for t in model["tmpls"]] == [PINNED_TEMPLATE_IDS["MCQ"]]
        assert model["sortf"] == PINNED_FIELDS.index("Question")


def test_every_template_reaches_anki_whole() -> None:
    """The card's templates are put together from shared parts (``<!-- include PART -->``
    in ``deckbuilder/notes/card/``): what a note type carries has no include line left,
    no ``$slot`` unfilled, and every part is used by some template."""
    import re
    from importlib import resources

    from deckbuilder.notes.kinds import KINDS

    looks = [kind.contract.look() for kind in KINDS]
    sides = [side for look in looks for side in (look.front, look.back, look.css)]
    for side in sides:
        assert "<!-- include" not in side
        assert not re.search(r"\$[a-z]\w*", side.replace("$&", ""))
    card = resources.files("deckbuilder.notes.card")
    written = [f.read_text(encoding="utf-8") for f in card.iterdir() if f.name.endswith(".html")]
    parts = [f for f in card.joinpath("parts").iterdir() if f.name.endswith(".html")]
    written += [f.read_text(encoding="utf-8") for f in parts]
    for part in parts:
        assert any(f"<!-- include parts/{part.name}" in text for text in written), part.name
