"""Issue 13: colleagues who imported the first release get the new card as an update.

``tests/fixtures/release-0.1.0/`` holds the default deck exactly as release 0.1.0 built it
(and the lock it was built with). A colleague imports it and reviews a card; the current
code then builds the same content from that lock, and the colleague imports the result
through the official engine: the note type must be updated in place (no "…+" copy, no
conflict), every note updated, and the review history and scheduling kept.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from deckbuilder import build
from deckbuilder.notes import ids
from tests.support.ankiengine import ImportLog, collection, import_apkg
from tests.support.paths import DEFAULT_CONTENT, DEFAULT_FACTS, DEFAULT_NOTES, LOCK_FILE, REPO

RELEASE = REPO / "tests" / "fixtures" / "release-0.1.0"


def test_the_first_release_updates_in_place_and_keeps_reviews(tmp_path: Path) -> None:
    with collection(tmp_path / "colleague.anki2") as col:
        stock = {t.id for t in col.models.all_names_and_ids()}
        assert import_apkg(col, RELEASE / "clinical-quiz.apkg") == ImportLog(4, 0, 0, 0)
        (old_type,) = [t for t in col.models.all_names_and_ids() if t.id not in stock]
        col.decks.select(col.decks.id_for_name("Clinical Quiz"))
        card = col.sched.getCard()
        assert card is not None
        col.sched.answerCard(card, 3)
        reviewed = col.get_card(card.id)
        before = (reviewed.type, reviewed.queue, reviewed.due, reviewed.ivl, reviewed.reps)
        old_front = col.models.get(old_type.id)["tmpls"][0]["qfmt"]

    content = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT, content)
    shutil.copy(RELEASE / LOCK_FILE, content / LOCK_FILE)  # the lock the release was built from
    apkg = build(content, tmp_path / "dist").deck_path

    with collection(tmp_path / "colleague.anki2") as col:
        cloze_id = ids.cloze_notetype_id("clinical-quiz")
        log = import_apkg(col, apkg)
        assert log == ImportLog(new=DEFAULT_FACTS, updated=4, duplicate=0, conflicting=0)
        types = [t for t in col.models.all_names_and_ids() if t.id not in stock]
        assert sorted((t.id, t.name) for t in types) == sorted(  # no "+" copy
            [(old_type.id, old_type.name), (cloze_id, "Clinical Cloze (Clinical Quiz)")]
        )
        template = col.models.get(old_type.id)["tmpls"][0]
        assert template["qfmt"] != old_front and "db-options-wrap" in template["qfmt"]
        assert 'data-answer="{{text:Answer}}"' in template["afmt"]
        card = col.get_card(reviewed.id)
        assert (card.type, card.queue, card.due, card.ivl, card.reps) == before
        assert col.db.scalar("SELECT count() FROM revlog WHERE cid = ?", card.id) == 1
        assert len(col.find_notes("")) == DEFAULT_NOTES  # the facts arrive beside them
        notes = [col.get_note(nid) for nid in col.find_notes(f"mid:{old_type.id}")]
        assert len(notes) == 4
        assert all('data-shuffle="1"' in n["Options"] for n in notes)  # the new content arrived
        assert all("db-case-figures" in n["Case"] for n in notes)
