"""Issue 14: sharing without surprises — renames, lost and merged locks, diffs against
Anki's own exports — each checked through the official engine and a real process."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest

from deckbuilder.commands.output import schema
from tests.support.ankiengine import ImportLog, collection, export_deck, import_apkg, import_into
from tests.support.helpers import replace_in
from tests.support.paths import DEFAULT_CONTENT, DEFAULT_NOTES
from tests.support.process import deckbuilder

CASE = "content/cases/alt-thigh.yaml"
LOCK = "content/deckbuilder.lock.json"
DECK = "dist/clinical-quiz.apkg"


@pytest.fixture
def work(tmp_path: Path) -> Path:
    shutil.copytree(DEFAULT_CONTENT, tmp_path / "content")
    (tmp_path / LOCK).unlink()
    assert deckbuilder("build", "content", cwd=tmp_path).returncode == 0
    return tmp_path


def _json(run) -> dict:
    data = json.loads(run.stdout)
    jsonschema.validate(data, schema())
    return data


# --- renames ---------------------------------------------------------------------------


def test_a_renamed_deck_is_reported_with_what_it_does_in_anki(work: Path) -> None:
    first = work / "first.apkg"
    shutil.copy(work / DECK, first)
    replace_in(work / "content" / "deck.yaml", "name: Clinical Quiz", "name: Sarcoma Quiz")
    advice = (
        "deck renamed 'Clinical Quiz' → 'Sarcoma Quiz': Anki files imported cards by deck "
        "name, so in colleagues' collections the cards they have stay in 'Clinical Quiz'"
    )
    dry = deckbuilder("build", "content", "--dry-run", cwd=work)
    assert dry.returncode == 0 and advice in dry.stdout
    as_json = _json(deckbuilder("build", "content", "--dry-run", "--json", cwd=work))
    assert as_json["renamed"] == {"from": "Clinical Quiz", "to": "Sarcoma Quiz"}
    built = deckbuilder("build", "content", cwd=work)
    assert built.returncode == 0 and advice in built.stdout
    diff = deckbuilder("diff", str(first), DECK, cwd=work)
    assert diff.returncode == 0 and diff.stdout.startswith(advice)
    assert _json(deckbuilder("diff", str(first), DECK, "--json", cwd=work))["renamed"] == {
        "from": "Clinical Quiz",
        "to": "Sarcoma Quiz",
    }
    # What the report says is what the engine does: the cards stay in the old deck.
    with collection(work / "c.anki2") as col:
        import_apkg(col, first)
        import_apkg(col, work / DECK)
        names = {d.name for d in col.decks.all_names_and_ids()}
        assert {"Clinical Quiz", "Sarcoma Quiz"} <= names  # a new, empty deck appears
        assert len(col.find_notes('"deck:Clinical Quiz"')) == DEFAULT_NOTES
        assert col.find_notes('"deck:Sarcoma Quiz"') == []


# --- a lost or damaged lock --------------------------------------------------------------


def test_a_lost_lock_is_recovered_from_the_deck_in_the_output_folder(work: Path) -> None:
    previous = (work / DECK).read_bytes()
    (work / LOCK).unlink()
    run = deckbuilder("build", "content", cwd=work)
    assert run.returncode == 0, run.stderr
    recovered = (
        f"the lock was missing: recovered {DEFAULT_NOTES} notes from dist/clinical-quiz.apkg"
    )
    assert recovered in run.stdout
    assert f"0 new, 0 updated, {DEFAULT_NOTES} unchanged" in run.stdout
    assert (work / DECK).read_bytes() == previous  # the same GUIDs, times and bytes
    assert (work / LOCK).is_file()


def test_a_lost_lock_is_recovered_from_the_published_deck_with_since(work: Path) -> None:
    published = work / "published.apkg"
    shutil.copy(work / DECK, published)
    col_path = work / "colleague.anki2"
    assert import_into(col_path, published).new == DEFAULT_NOTES
    (work / LOCK).unlink()
    shutil.rmtree(work / "dist")
    replace_in(work / CASE, "C: RT alone", "C: RT only")
    run = deckbuilder("build", "content", "--since", "published.apkg", "--json", cwd=work)
    data = _json(run)
    assert data["lock"]["origin"] == "recovered"
    assert data["updated"] == ["alt-thigh/treatment"]
    assert len(data["unchanged"]) == DEFAULT_NOTES - 1
    # Importing it over the published deck changes exactly the note that changed.
    assert import_into(col_path, work / DECK) == ImportLog(0, 1, DEFAULT_NOTES - 1, 0)


def test_without_a_lock_or_a_deck_the_build_warns_that_every_note_is_new(tmp_path: Path) -> None:
    """A deck with a version has been shared: a build without its lock warns."""
    shutil.copytree(DEFAULT_CONTENT, tmp_path / "content")
    (tmp_path / LOCK).unlink()
    with (tmp_path / "content" / "deck.yaml").open("a", encoding="utf-8") as deck_file:
        deck_file.write('version: "1.0"\n')
    run = deckbuilder("build", "content", cwd=tmp_path)
    assert run.returncode == 0
    shared = "no lock, yet this deck looks shared (the deck file gives it version '1.0')"
    assert f"{shared}: every note is new" in run.stdout
    assert "--since <the published .apkg>" in run.stdout


# --- working in git ------------------------------------------------------------------------


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False,
        env={"GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@example.org",
             "GIT_COMMITTER_NAME": "A", "GIT_COMMITTER_EMAIL": "a@example.org",
             "HOME": str(cwd), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    return done.stdout + done.stderr


def test_two_branches_that_built_merge_and_build_to_the_expected_updates(work: Path) -> None:
    _git(work, "init", "-q", "-b", "main")
    _git(work, "add", "content")
    _git(work, "commit", "-qm", "base")
    _git(work, "checkout", "-qb", "a")
    replace_in(work / CASE, "C: RT alone", "C: RT only")
    assert deckbuilder("build", "content", "-o", "dist-a", cwd=work, env=_at(1)).returncode == 0
    _git(work, "commit", "-qam", "a: treatment")
    _git(work, "checkout", "-q", "main")
    _git(work, "checkout", "-qb", "b")
    replace_in(
        work / CASE, "B: LR around 10% and no metastasis.", "B: LR about 10%, no metastases."
    )
    assert deckbuilder("build", "content", "-o", "dist-b", cwd=work, env=_at(2)).returncode == 0
    _git(work, "commit", "-qam", "b: prognosis")
    merge = _git(work, "merge", "a", "-m", "merge")
    assert "CONFLICT (content): Merge conflict in content/deckbuilder.lock.json" in merge
    assert "<<<<<<<" in (work / LOCK).read_text(encoding="utf-8")
    # The notes' lines merged cleanly; only the deck's stamp conflicts, which the build
    # resolves by the later side.
    run = deckbuilder("build", "content", "-o", "dist-merged", "--json", cwd=work, env=_at(3))
    data = _json(run)
    assert data["lock"]["origin"] == "merged"
    assert data["lock"]["detail"].startswith("resolved 1 merge conflict in ")
    assert data["updated"] == [] and len(data["unchanged"]) == DEFAULT_NOTES
    assert (data["notetype"], data["cloze_notetype"]) == ("unchanged", "unchanged")
    assert "<<<<<<<" not in (work / LOCK).read_text(encoding="utf-8")
    assert json.loads((work / LOCK).read_text(encoding="utf-8"))["cloze"]["mtime"] < _epoch(1)
    merged = work / "dist-merged" / "clinical-quiz.apkg"
    for branch, edited in (("a", "alt-thigh/prognosis"), ("b", "alt-thigh/treatment")):
        col = work / f"colleague-{branch}.anki2"
        assert import_into(col, work / f"dist-{branch}" / "clinical-quiz.apkg").new == DEFAULT_NOTES
        log = import_into(col, merged)
        assert log == ImportLog(0, 1, DEFAULT_NOTES - 1, 0), (branch, log)  # the other's edit
        with collection(col) as opened:
            (nid,) = opened.find_notes(f'"Ref:{edited}"')
            text = " ".join(opened.get_note(nid).fields)
            assert ("RT only" in text) if edited.endswith("treatment") else ("about 10%" in text)


def _epoch(step: int) -> int:
    """Times after any real clock's today (2096), so the branches' builds are later than
    the fixture's: the test must not depend on the day it runs."""
    return 4_000_000_000 + 100 * step


def _at(step: int) -> dict[str, str]:
    """Builds on different branches at different times, as in life."""
    return {"SOURCE_DATE_EPOCH": str(_epoch(step))}


def test_a_lock_whose_conflict_cannot_be_read_is_an_error_naming_it(work: Path) -> None:
    lock = work / LOCK
    text = lock.read_text(encoding="utf-8")
    lock.write_text(text.replace('  "format": 1,', '<<<<<<< HEAD\n  "format": 1,', 1))
    run = deckbuilder("check", "content", cwd=work)
    assert run.returncode == 1
    assert "has merge conflicts the build cannot resolve: a conflict is not closed" in run.stderr


# --- diff against Anki's own exports ---------------------------------------------------------


@pytest.mark.parametrize("legacy", [True, False], ids=["anki21", "anki21b"])
def test_diff_against_the_engines_export_of_the_same_deck_reports_no_change(
    work: Path, legacy: bool
) -> None:
    with collection(work / "c.anki2") as col:
        import_apkg(col, work / DECK)
        exported = export_deck(col, "Clinical Quiz", work / "exported.apkg", legacy=legacy)
    for old, new in ((str(exported), DECK), (DECK, str(exported))):
        data = _json(deckbuilder("diff", old, new, "--json", cwd=work))
        assert data["notetypes"] == [], data["notetypes"]
        assert len(data["unchanged"]) == DEFAULT_NOTES and data["renamed"] is None
        assert not any(data[k] for k in ("new", "updated", "retired", "conflicting"))


# --- the report ------------------------------------------------------------------------------


def test_a_first_build_of_a_big_deck_lists_at_most_thirty_notes(tmp_path: Path) -> None:
    from tests.support.helpers import generated_content

    generated_content(tmp_path / "big", 20)  # 5 questions and 2 facts each: 140 notes
    run = deckbuilder("build", "big", cwd=tmp_path)
    lines = run.stdout.splitlines()
    details = [line for line in lines if re.fullmatch(r"  new +case-\d+/\S+", line)]
    assert len(details) == 28  # whole cases, while they fit in thirty lines
    assert "  … and 112 more in 16 cases (--verbose lists every note)" in lines
    (tmp_path / "big" / "deckbuilder.lock.json").unlink()  # and no deck in elsewhere/
    verbose = deckbuilder(
        "build", "big", "--verbose", "--dry-run", "--output", "elsewhere", cwd=tmp_path
    )
    assert verbose.returncode == 0
    assert len(re.findall(r"^  new +case-", verbose.stdout, re.M)) == 140
    everything = _json(deckbuilder("build", "big", "--json", "--dry-run", "--force", cwd=tmp_path))
    assert len(everything["unchanged"]) == 140
