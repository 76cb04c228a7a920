"""Issue 2: ids derive from the stable keys only; text edits and reordering change none."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from deckbuilder import build
from deckbuilder.notes import ids
from tests.support.ankiengine import collection, import_apkg
from tests.support.packages import query
from tests.support.paths import DEFAULT_NOTES


def _engine_ids(apkg: Path, col_path: Path) -> dict[str, object]:
    """Every id as Anki's engine stores it after importing ``apkg`` into a new collection."""
    with collection(col_path) as col:
        import_apkg(col, apkg)
        notes = {}
        for nid in col.find_notes(""):
            note = col.get_note(nid)
            notes[note["Ref"]] = (note.guid, note.id, note.mid, note.cards()[0].id)
        return {"notes": notes, "deck": _packaged_deck_id(apkg)}


def _packaged_deck_id(apkg: Path) -> int:
    """The deck id inside the package. Anki's importer matches decks by name and gives a
    new deck an id of its own, so this one is read from the package itself."""
    ((decks,),) = query(apkg, "SELECT decks FROM col")
    (deck_id,) = [int(k) for k, v in json.loads(decks).items() if v["name"] == "Clinical Quiz"]
    return deck_id


def _edit_case(content: Path, edit) -> None:
    path = content / "cases" / "alt-thigh.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_ids_survive_rebuilds_edits_and_reordering(content: Path, tmp_path: Path) -> None:
    first = build(content, tmp_path / "d1").deck_path
    second = build(content, tmp_path / "d2").deck_path
    before = _engine_ids(first, tmp_path / "a.anki2")
    assert _engine_ids(second, tmp_path / "b.anki2") == before
    assert len(before["notes"]) == DEFAULT_NOTES

    def edit(data: dict) -> None:
        data["questions"][0]["critique"] += "\nAn added sentence."
        data["questions"].reverse()

    _edit_case(content, edit)
    third = build(content, tmp_path / "d3").deck_path
    assert _engine_ids(third, tmp_path / "c.anki2") == before


def test_ids_are_what_the_readme_documents() -> None:
    """Pinned values: changing the derivation would orphan every shared deck's notes."""
    assert ids.deck_id("clinical-quiz") == 1697395060
    assert ids.notetype_id("clinical-quiz") == 1370244559
    assert ids.note_guid("clinical-quiz", "alt-thigh", "terminology") == "v5UxX9}Uk-"
    assert ids.note_id("clinical-quiz", "alt-thigh", "terminology") == 1011941300432
    assert 1 << 30 <= ids.deck_id("x") < 1 << 31


def test_ids_depend_on_every_key() -> None:
    guids = {
        ids.note_guid(d, c, q)
        for d in ("deck-a", "deck-b")
        for c in ("case-1", "case-2")
        for q in ("q1", "q2")
    }
    assert len(guids) == 8
    assert ids.note_guid("a", "b-c", "d") != ids.note_guid("a", "b", "c-d")
