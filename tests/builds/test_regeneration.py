"""Issue 3: a rebuilt deck updates colleagues' notes in place and keeps their reviews.

Every test starts from a collection that already holds the previous build, with one
card reviewed, and imports the rebuilt deck through the official engine.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

import deckbuilder.pipeline.run
import deckbuilder.pipeline.workers
from deckbuilder import ContractError, build
from deckbuilder.content.yamlfile import parse_yaml
from tests.support.ankiengine import (
    ImportLog,
    collection,
    import_apkg,
    import_into,
    open_collection,
)
from tests.support.helpers import generated_content, markup_only, replace_in, visible_text
from tests.support.paths import DEFAULT_NOTES, LOCK_FILE

CASE = "cases/alt-thigh.yaml"
REVIEWED = "alt-thigh/terminology"  # first in the new queue


@dataclass
class Colleague:
    """A colleague's collection holding the previous build, one card reviewed."""

    path: Path

    def state(self) -> dict[str, tuple]:
        """Per note: mtime, fields, tags, and its card's scheduling and review count."""
        with collection(self.path) as col:
            out = {}
            for nid in col.find_notes(""):
                note = col.get_note(nid)
                card = note.cards()[0]
                reviews = col.db.scalar("SELECT count() FROM revlog WHERE cid = ?", card.id)
                sched = (card.id, card.type, card.queue, card.due, card.ivl, card.reps)
                out[note["Ref"]] = (note.mod, tuple(note.fields), tuple(note.tags), sched, reviews)
            return out

    def import_(self, apkg: Path) -> ImportLog:
        return import_into(self.path, apkg)


@pytest.fixture
def colleague(content: Path, tmp_path: Path) -> Colleague:
    apkg = build(content, tmp_path / "dist").deck_path
    path = tmp_path / "colleague.anki2"
    with collection(path) as col:
        assert import_apkg(col, apkg).new == DEFAULT_NOTES
        col.decks.select(col.decks.id_for_name("Clinical Quiz"))
        card = col.sched.getCard()
        assert card is not None and card.note()["Ref"] == REVIEWED
        col.sched.answerCard(card, 3)
    state = Colleague(path).state()
    assert state[REVIEWED][4] == 1  # one review in the history
    return Colleague(path)


def _rebuild(content: Path, tmp_path: Path, name: str = "dist2", **kw) -> Path:
    return build(content, tmp_path / name, **kw).deck_path


def test_edit_one_critique_updates_exactly_that_note(
    colleague: Colleague, content: Path, tmp_path: Path
) -> None:
    before = colleague.state()
    replace_in(content / CASE, "deep seated benign fatty tumors", "deep-seated benign fatty tumors")
    result = build(content, tmp_path / "dist2")
    assert result.plan.refs("updated") == [REVIEWED]
    assert result.plan.refs("new") == []

    log = colleague.import_(result.deck_path)
    assert log == ImportLog(new=0, updated=1, duplicate=DEFAULT_NOTES - 1, conflicting=0)
    after = colleague.state()
    assert set(after) == set(before)
    for ref in before:
        if ref == REVIEWED:
            assert "deep-seated benign" in after[ref][1][4]
            assert after[ref][0] > before[ref][0]
            assert after[ref][3:] == before[ref][3:]  # scheduling and review history kept
        else:
            assert after[ref] == before[ref]


def test_rebuild_without_change_is_byte_identical_and_changes_nothing(
    colleague: Colleague, content: Path, tmp_path: Path
) -> None:
    first = (tmp_path / "dist" / "clinical-quiz.apkg").read_bytes()
    lock = (content / LOCK_FILE).read_text(encoding="utf-8")
    before = colleague.state()
    again = _rebuild(content, tmp_path)
    assert again.read_bytes() == first
    assert (content / LOCK_FILE).read_text(encoding="utf-8") == lock
    assert colleague.import_(again) == ImportLog(
        new=0, updated=0, duplicate=DEFAULT_NOTES, conflicting=0
    )
    assert colleague.state() == before


@pytest.mark.parametrize("part", ["card.css", "front.html", "back.html"])
def test_style_or_template_change_updates_the_note_type(
    part: str,
    colleague: Colleague,
    content: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = colleague.state()
    original = deckbuilder.notes.notetype.card_file
    marker = "/* restyled */" if part.endswith(".css") else "<!-- restyled -->"
    monkeypatch.setattr(
        deckbuilder.notes.notetype,
        "card_file",
        lambda name: original(name) + (marker if name == part else ""),
    )
    result = build(content, tmp_path / "dist2")
    assert result.plan.notetypes["mcq"].changed
    assert colleague.import_(result.deck_path) == ImportLog(0, 0, DEFAULT_NOTES, 0)

    col = open_collection(colleague.path)  # a fresh Collection: the model cache is per object
    try:
        (model,) = [m for m in col.models.all() if m["name"].startswith("Clinical MCQ")]
        where = {
            "card.css": model["css"],
            "front.html": model["tmpls"][0]["qfmt"],
            "back.html": model["tmpls"][0]["afmt"],
        }[part]
        assert marker in where
        assert not any(m["name"].endswith("+") for m in col.models.all())
    finally:
        col.close()
    assert colleague.state() == before  # same cards, same history, same notes


def test_reorder_questions_and_move_case_to_another_file(
    colleague: Colleague, content: Path, tmp_path: Path
) -> None:
    before = colleague.state()
    lock = (content / LOCK_FILE).read_text(encoding="utf-8")
    data = json.loads(json.dumps(parse_yaml((content / CASE).read_text(encoding="utf-8")).data))
    data["questions"].reverse()
    data["facts"].reverse()
    moved = content / "more" / "thigh.yml"
    moved.parent.mkdir()
    moved.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (content / CASE).unlink()

    result = build(content, tmp_path / "dist2")
    assert result.plan.refs("unchanged") == [
        "alt-thigh/surveillance",
        "alt-thigh/prognosis",
        "alt-thigh/treatment",
        "alt-thigh/terminology",
        "alt-thigh/facts/metastasis",
        "alt-thigh/facts/markers",
        "alt-thigh/facts/recurrence-after-marginal-excision",
        "alt-thigh/facts/dedifferentiation-by-site",
        "alt-thigh/facts/share-of-liposarcomas",
    ]
    assert (content / LOCK_FILE).read_text(encoding="utf-8") == lock
    assert colleague.import_(result.deck_path) == ImportLog(0, 0, DEFAULT_NOTES, 0)
    assert colleague.state() == before


NEW_QUESTION = """
  - id: imaging
    question: Which imaging study characterises the mass best?
    options:
      A: MRI
      B: Ultrasound
    answer: A
    critique: MRI shows the fatty component and the septa.
"""


def test_add_a_question_gives_one_new_note(
    colleague: Colleague, content: Path, tmp_path: Path
) -> None:
    before = colleague.state()
    replace_in(content / CASE, "\n# Key facts", NEW_QUESTION + "\n# Key facts")
    log = colleague.import_(_rebuild(content, tmp_path))
    assert log == ImportLog(new=1, updated=0, duplicate=DEFAULT_NOTES, conflicting=0)
    after = colleague.state()
    assert set(after) - set(before) == {"alt-thigh/imaging"}
    assert {k: after[k] for k in before} == before


def test_rename_a_question_id_gives_one_new_and_one_retired(
    colleague: Colleague, content: Path, tmp_path: Path, cli
) -> None:
    before = colleague.state()
    replace_in(content / CASE, "  - id: prognosis\n", "  - id: outcome\n")
    result = cli("build", str(content), "--output", str(tmp_path / "dist2"))
    assert result.exit_code == 0, result.output
    assert "new       alt-thigh/outcome" in result.output
    assert "retired   alt-thigh/prognosis" in result.output
    assert "tag:retired" in result.output

    log = colleague.import_(tmp_path / "dist2" / "clinical-quiz.apkg")
    assert log == ImportLog(new=1, updated=1, duplicate=DEFAULT_NOTES - 1, conflicting=0)
    after = colleague.state()
    # It keeps the tags it had, and says what happened and nothing else.
    assert set(after["alt-thigh/prognosis"][2]) == {"clinical-quiz", "liposarcoma", "retired"}
    assert "Retired question" in after["alt-thigh/prognosis"][1][0]
    with collection(colleague.path) as col:
        (nid,) = col.find_notes("tag:retired")
        card = col.get_note(nid).cards()[0]
        for side in (card.question(), card.answer()):
            shown = visible_text(side)
            assert "Retired question" in shown and "tag:retired" in shown
            for empty in ("Case", "Correct answer", "Critique", "Discussion", "Figures"):
                assert empty not in shown, empty
            assert "db-options" not in markup_only(side)
    assert after["alt-thigh/prognosis"][3:] == before["alt-thigh/prognosis"][3:]
    assert "outcome" in after["alt-thigh/outcome"][1][-1]

    with collection(colleague.path) as col:
        assert len(col.find_notes("tag:retired")) == 1

    # Carried on unchanged by later builds, until dropped for good.
    again = build(content, tmp_path / "dist3")
    assert again.plan.refs("still_retired") == ["alt-thigh/prognosis"]
    assert colleague.import_(again.deck_path) == ImportLog(0, 0, DEFAULT_NOTES + 1, 0)
    dropped = build(content, tmp_path / "dist4", drop_retired=True)
    assert dropped.plan.dropped == ("alt-thigh/prognosis",)
    assert "alt-thigh/prognosis" not in (content / LOCK_FILE).read_text(encoding="utf-8")
    assert colleague.import_(dropped.deck_path) == ImportLog(0, 0, DEFAULT_NOTES, 0)


def test_changed_deck_id_is_refused_unless_forced(content: Path, tmp_path: Path, cli) -> None:
    build(content, tmp_path / "dist")
    replace_in(content / "deck.yaml", "id: clinical-quiz", "id: clinical-quiz-2")
    result = cli("build", str(content))
    assert result.exit_code == 1
    assert "the deck id changed from 'clinical-quiz' to 'clinical-quiz-2'" in result.stderr
    assert "second copy of every note" in result.stderr
    assert cli("build", str(content), "--force").exit_code == 0


def test_note_type_contract_change_is_refused_unless_forced(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(content, tmp_path / "dist")
    from deckbuilder.notes.kinds.mcq import MULTIPLE_CHOICE

    mcq = MULTIPLE_CHOICE.contract  # its template renamed: another contract
    monkeypatch.setattr(
        MULTIPLE_CHOICE,
        "contract",
        type(mcq)(**{**vars(mcq), "templates": ("MCQ v2",), "template_ids": {"MCQ v2": 1}}),
    )
    assert MULTIPLE_CHOICE.contract.contract_fingerprint() != mcq.contract_fingerprint()
    with pytest.raises(ContractError, match="second note type"):
        build(content, tmp_path / "dist2")
    build(content, tmp_path / "dist2", force=True)


def test_fresh_clone_of_the_same_commit_builds_the_same_bytes(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(content, repo / "content")
    built = build(repo / "content", repo / "dist").deck_path.read_bytes()

    def git(*args: str, cwd: Path = repo) -> None:
        subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)

    git("init", "-q")
    git("add", "content")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "deck")
    git("clone", "-q", str(repo), str(tmp_path / "clone"), cwd=tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "2000000000")  # another day, another machine
    again = build(tmp_path / "clone" / "content", tmp_path / "clone" / "dist").deck_path
    assert again.read_bytes() == built


def test_parallel_and_sequential_builds_write_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large decks are read and rendered on every core; the result must not depend on it."""
    content = generated_content(
        tmp_path / "content", deckbuilder.pipeline.workers.PARALLEL_FROM + 6
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    parallel = build(content, tmp_path / "parallel").deck_path.read_bytes()
    (content / LOCK_FILE).unlink()
    monkeypatch.setattr(deckbuilder.pipeline.workers, "PARALLEL_FROM", 10**9)
    sequential = build(content, tmp_path / "sequential").deck_path.read_bytes()
    assert parallel == sequential
