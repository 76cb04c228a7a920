"""Kprim and true/false questions through Anki's own engine (issue 27).

A question with ``kind: kprim`` or ``kind: true-false`` is a note of the deck's true/false
note type, beside the multiple-choice one, whose contract is untouched: its fields and
ids pinned here, its notes, fields and cards as the official ``anki`` package stores
them, an edited statement updating exactly that note with its review history kept, the
lock and a lock recovered from the deck knowing its refs, a question whose kind changes
becoming a new note on the right note type. ``reveal_on_tap`` is carried in the
multiple-choice Options field: a deck from the previous release imports the rebuild
with every note updated in place and its reviews kept.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from deckbuilder import build, check
from deckbuilder.notes import ids, notetype
from deckbuilder.notes.kinds import BY_NAME, kind_of
from deckbuilder.notes.kinds.statements import STATEMENTS
from deckbuilder.plan.lockfile import parse_lock
from tests.support.ankiengine import ImportLog, collection, import_apkg
from tests.support.helpers import replace_in
from tests.support.paths import DEFAULT_CONTENT, DEFAULT_FACTS, LOCK_FILE, REPO

EXAM = REPO / "tests" / "fixtures" / "exam"
RELEASE = REPO / "tests" / "fixtures" / "release-0.1.0"
CASE = "cases/hyponatraemia.yaml"

PINNED_FIELDS = [
    "Question",
    "Case",
    "Statements",
    "Answer",
    "Critique",
    "Discussion",
    "Figures",
    "Source",
    "Title",
    "Ref",
]
PINNED_FIELD_IDS = {
    "Question": 7886181476712263830,
    "Case": 171379700686697286,
    "Statements": 2571589691941256735,
    "Answer": 925448713372393169,
    "Critique": 8404852473205507905,
    "Discussion": 2086008714041582261,
    "Figures": 5352737201332070591,
    "Source": 1373150296292390117,
    "Title": 7601841709149102929,
    "Ref": 1586140375337191468,
}


def _copy(tmp_path: Path, source: Path = EXAM) -> Path:
    dest = tmp_path / "content"
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns(LOCK_FILE))
    return dest


def test_the_true_false_contract_is_pinned() -> None:
    assert list(STATEMENTS.fields) == PINNED_FIELDS
    assert list(STATEMENTS.templates) == ["Statements"]
    assert STATEMENTS.field_ids == PINNED_FIELD_IDS
    assert STATEMENTS.template_ids == {"Statements": 2624850209632568003}
    for name, value in PINNED_FIELD_IDS.items():
        assert notetype.derived_id("statements-field", name) == value
    assert notetype.derived_id("statements-template", "Statements") == 2624850209632568003
    assert STATEMENTS.contract_fingerprint() == "f1caf7e315690fc9"
    assert BY_NAME["statements"].notetype_id("exam-kinds") == 2147033647
    # the multiple-choice contract is what it was
    assert notetype.MCQ.contract_fingerprint() == "fe9fdb6925f0efdc"


def test_refs_name_their_kind() -> None:
    assert kind_of("case/q1").name == "mcq"
    assert kind_of("case/statements/q1").name == "statements"
    assert kind_of("case/facts/f1").name == "cloze"


def test_notes_fields_and_cards_through_the_engine(tmp_path: Path) -> None:
    content = _copy(tmp_path)
    result = check(content)
    assert result.counts == {"mcq": 1, "statements": 2}
    apkg = build(content, tmp_path / "dist").deck_path
    with collection(tmp_path / "c.anki2") as col:
        assert import_apkg(col, apkg) == ImportLog(3, 0, 0, 0)
        tf_type = col.models.get(BY_NAME["statements"].notetype_id("exam-kinds"))
        assert tf_type is not None and tf_type["name"] == "Clinical True/False (Exam kinds)"
        assert [f["name"] for f in tf_type["flds"]] == PINNED_FIELDS
        assert [f["id"] for f in tf_type["flds"]] == [PINNED_FIELD_IDS[n] for n in PINNED_FIELDS]
        notes = {col.get_note(n)["Ref"]: col.get_note(n) for n in col.find_notes("")}
        assert sorted(notes) == [
            "hyponatraemia/statements/kprim",
            "hyponatraemia/statements/true-false",
            "hyponatraemia/twelve",
        ]
        kprim = notes["hyponatraemia/statements/kprim"]
        assert kprim.note_type()["id"] == tf_type["id"]
        assert kprim.guid == ids.note_guid("exam-kinds", "hyponatraemia", "statements/kprim")
        assert kprim["Answer"] == "A: true, B: false, C: true, D: true"
        statements = re.findall(
            r'<li class="db-statement" data-letter="([A-Z])">', kprim["Statements"]
        )
        assert statements == ["A", "B", "C", "D"]
        assert 'data-kind="kprim" data-shuffle="1"' in kprim["Statements"]  # the deck's shuffle
        assert "3 right = half a point" in kprim["Statements"]  # the rule, on the card
        assert "osmotic demyelination" in kprim["Statements"]
        # each explanation, by its statement's letter; the fourth has none
        explained = re.findall(r'<dd data-letter="([A-Z])">', kprim["Critique"])
        assert explained == ["A", "B", "C"]
        assert "hypertonic saline" in kprim["Critique"]
        (card,) = kprim.cards()
        front, back = card.question(), card.answer()
        assert card.id == ids.card_id("exam-kinds", "hyponatraemia", "statements/kprim", 0)
        assert "A: true" not in front and "Intake above losses" not in front
        assert 'data-answer="A: true, B: false, C: true, D: true"' in back
        assert "Intake above losses" in back
        tf = notes["hyponatraemia/statements/true-false"]
        assert tf["Answer"] == "A: true, B: false"
        assert 'data-kind="true-false"' in tf["Statements"] and "Kprim" not in tf["Statements"]
        assert "data-shuffle" not in tf["Statements"]  # shuffle: false
        twelve = notes["hyponatraemia/twelve"]
        assert twelve.note_type()["name"] == "Clinical MCQ (Exam kinds)"
        assert twelve["Options"].count('class="db-option"') == 12
        assert "data-reveal" not in twelve["Options"]  # off by default


def test_editing_a_statement_updates_one_note_and_keeps_its_history(tmp_path: Path) -> None:
    content = _copy(tmp_path)
    apkg = build(content, tmp_path / "dist").deck_path
    nid = ids.note_id("exam-kinds", "hyponatraemia", "statements/kprim")
    with collection(tmp_path / "c.anki2") as col:
        import_apkg(col, apkg)
        (card,) = col.get_note(nid).cards()
        card.start_timer()
        col.sched.answerCard(card, 3)
        reviewed = col.get_card(card.id)
        before = (reviewed.type, reviewed.queue, reviewed.due, reviewed.ivl, reviewed.reps)
    replace_in(content / CASE, "Non-osmotic ADH release contributes.", "ADH release adds to it.")
    result = build(content, tmp_path / "dist")
    assert result.plan is not None
    assert [n.ref for n in result.plan.notes if n.status == "updated"] == [
        "hyponatraemia/statements/kprim"
    ]
    with collection(tmp_path / "c.anki2") as col:
        assert import_apkg(col, result.deck_path) == ImportLog(0, 1, 2, 0)
        note = col.get_note(nid)
        assert "ADH release adds to it." in note["Statements"]
        card = col.get_card(reviewed.id)
        assert (card.type, card.queue, card.due, card.ivl, card.reps) == before
        assert col.db.scalar("SELECT count() FROM revlog WHERE cid = ?", card.id) == 1


def test_the_lock_keeps_and_recovery_finds_statement_notes(tmp_path: Path) -> None:
    content = _copy(tmp_path)
    first = build(content, tmp_path / "dist")
    lock = parse_lock(content / LOCK_FILE, (content / LOCK_FILE).read_text())
    assert "hyponatraemia/statements/kprim" in lock.notes
    assert lock.notetype("statements").stamp is not None
    (content / LOCK_FILE).unlink()  # recovered from the deck in dist/
    again = build(content, tmp_path / "dist")
    assert again.lock_origin == "recovered"
    assert again.deck_path.read_bytes() == first.deck_path.read_bytes()


def test_a_question_that_changes_kind_is_a_new_note_the_old_one_retired(tmp_path: Path) -> None:
    content = _copy(tmp_path)
    apkg = build(content, tmp_path / "first").deck_path
    text = (content / CASE).read_text(encoding="utf-8")
    start = text.index("  - id: twelve")
    (content / CASE).write_text(
        text[:start] + "  - id: twelve\n    kind: true-false\n    question: True or false?\n"
        "    statements:\n      - text: Weight gain means overdrinking.\n        answer: true\n",
        encoding="utf-8",
    )
    result = build(content, tmp_path / "second")
    assert result.plan is not None
    assert result.plan.refs("retired") == ["hyponatraemia/twelve"]
    with collection(tmp_path / "c.anki2") as col:
        import_apkg(col, apkg)
        log = import_apkg(col, result.deck_path)
        assert log == ImportLog(1, 1, 2, 0), log
        old = col.get_note(ids.note_id("exam-kinds", "hyponatraemia", "twelve"))
        assert "retired" in old.tags and "Retired question" in old["Question"]
        assert old.note_type()["name"].startswith("Clinical MCQ")
        new = col.get_note(ids.note_id("exam-kinds", "hyponatraemia", "statements/twelve"))
        assert new.note_type()["name"].startswith("Clinical True/False")


def test_reveal_on_tap_over_the_previous_release_keeps_every_note_and_review(
    tmp_path: Path,
) -> None:
    """The setting lives in the Options field (a front-visible attribute, never the
    answer): the MCQ note type keeps its contract and a colleague who has the first
    release gets every note updated in place, reviews kept."""
    with collection(tmp_path / "colleague.anki2") as col:
        assert import_apkg(col, RELEASE / "clinical-quiz.apkg") == ImportLog(4, 0, 0, 0)
        card = col.get_card(col.find_cards("")[0])
        card.start_timer()
        col.sched.answerCard(card, 3)
        reviewed = col.get_card(card.id)
        before = (reviewed.type, reviewed.queue, reviewed.due, reviewed.ivl, reviewed.reps)
        types = {t.id: t.name for t in col.models.all_names_and_ids()}
    content = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT, content)
    shutil.copy(RELEASE / LOCK_FILE, content / LOCK_FILE)
    deck = content / "deck.yaml"
    deck.write_text(deck.read_text(encoding="utf-8") + "reveal_on_tap: true\n", encoding="utf-8")
    apkg = build(content, tmp_path / "dist").deck_path
    with collection(tmp_path / "colleague.anki2") as col:
        log = import_apkg(col, apkg)
        assert log == ImportLog(new=DEFAULT_FACTS, updated=4, duplicate=0, conflicting=0)
        added = {t.id: t.name for t in col.models.all_names_and_ids()}.items() - types.items()
        assert not any(name.endswith("+") for _, name in added)
        mcq = [col.get_note(n) for n in col.find_notes(f"mid:{ids.notetype_id('clinical-quiz')}")]
        assert len(mcq) == 4
        plain = _options_by_ref(tmp_path / "plain", DEFAULT_CONTENT)
        for note in mcq:
            single = 'data-select="all"' not in note["Options"]
            assert ('data-reveal="tap"' in note["Options"]) == single
            # the attribute is the only difference: nothing else reaches the front
            assert note["Options"].replace(' data-reveal="tap"', "") == plain[note["Ref"]]
        card = col.get_card(reviewed.id)
        assert (card.type, card.queue, card.due, card.ivl, card.reps) == before
        assert col.db.scalar("SELECT count() FROM revlog WHERE cid = ?", card.id) == 1


def _options_by_ref(tmp: Path, source: Path) -> dict[str, str]:
    from deckbuilder import render_content

    rendered = render_content(_copy(tmp, source))
    return {n.ref: n.fields[2] for n in rendered.notes if n.kind == "mcq"}


def test_the_templates_of_init_and_new_case_show_the_kinds(tmp_path: Path) -> None:
    """init's deck file offers reveal_on_tap, new case's file a Kprim question: both
    build once uncommented, as an editor's "toggle comment" does."""
    from tests.support.process import deckbuilder

    assert deckbuilder("init", "exam", "--name", "Exam", cwd=tmp_path).returncode == 0
    deck = tmp_path / "exam" / "deck.yaml"
    deck.write_text(
        deck.read_text(encoding="utf-8").replace("# reveal_on_tap:", "reveal_on_tap:"), "utf-8"
    )
    assert deckbuilder("new", "case", "kprim", "--content", "exam", cwd=tmp_path).returncode == 0
    case = next((tmp_path / "exam").rglob("kprim.yaml"))
    lines = case.read_text(encoding="utf-8").splitlines()
    start = lines.index("  # - id: q3")
    end = next(i for i in range(start, len(lines)) if not lines[i].startswith("  #"))
    lines[start:end] = [line.replace("  # ", "  ", 1) for line in lines[start:end]]
    case.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = check(tmp_path / "exam")
    assert result.deck.reveal_on_tap
    assert result.counts.get("statements") == 1
    apkg = build(tmp_path / "exam", tmp_path / "dist").deck_path
    with collection(tmp_path / "c.anki2") as col:
        import_apkg(col, apkg)
        (nid,) = col.find_notes("Ref:kprim/statements/q3")
        assert col.get_note(nid)["Answer"] == "A: true, B: false, C: true, D: false"


def test_build_json_names_the_true_false_note_type_only_when_the_deck_holds_it(
    tmp_path: Path,
) -> None:
    """null for a deck without such questions, in a build and when up to date alike."""
    from tests.support.process import deckbuilder

    for name, source, first, again in (
        ("plain", DEFAULT_CONTENT, None, None),
        ("exam", EXAM, "new", "unchanged"),
    ):
        work = tmp_path / name
        _copy(work, source)
        for expected in (first, again):
            run = deckbuilder("build", "content", "--json", cwd=work)
            assert run.returncode == 0, run.stderr
            assert json.loads(run.stdout)["statements_notetype"] == expected, (name, run.stdout)
