"""Issue 15: the library under the CLI. The Python API page's examples
(docs/python-api.md) run as written, and the deck they write imports through the official
engine."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import deckbuilder
from deckbuilder import Case, ContentError, Deck, Question, write_deck
from tests.support.ankiengine import ImportLog, collection, import_apkg, import_into
from tests.support.paths import DEFAULT_CONTENT, DEFAULT_NOTES, REPO


def _documented_python() -> list[str]:
    page = (REPO / "docs" / "python-api.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", page, re.S)


def test_the_documented_examples_run_and_the_deck_imports(tmp_path: Path) -> None:
    first, second = _documented_python()
    shutil.copytree(DEFAULT_CONTENT, tmp_path / "content")
    for code in (first, second):
        run = subprocess.run(
            [sys.executable, "-c", code],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            check=False,
        )
        assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("dist/clinical-quiz.apkg")
    printed = subprocess.run(
        [sys.executable, "-c", first],
        cwd=tmp_path / "content",
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=True,
    ).stdout
    assert printed == "2 ['chest-pain/first-test', 'chest-pain/facts/angina']\n"  # the comment
    written = sorted(p.name for p in tmp_path.iterdir() if p.is_file())
    assert written == ["cardio.apkg", "cardio.lock.json"]  # nothing else, anywhere
    with collection(tmp_path / "c.anki2") as col:
        assert import_apkg(col, tmp_path / "cardio.apkg") == ImportLog(2, 0, 0, 0)
        (nid,) = col.find_notes('"Ref:chest-pain/first-test"')
        note = col.get_note(nid)
        assert "climbs stairs" in note["Case"] and note["Answer"] == "A"
        assert col.decks.by_name("Cardiology::Cases") is not None
        (fact,) = col.find_cards('"Ref:chest-pain/facts/angina"')
        assert "[...]" in col.get_card(fact).question()


def _case(critique: str) -> Case:
    return Case(
        id="c",
        title="A case",
        case="A vignette.",
        questions=[
            Question(
                id="q",
                question="Which?",
                options={"A": "One", "B": "Two"},
                answer="A",
                critique=critique,
            )
        ],
    )


def test_with_a_lock_a_later_deck_updates_colleagues_notes(tmp_path: Path) -> None:
    deck = Deck(name="Library", id="library")
    lock = tmp_path / "library.lock.json"
    first = write_deck(deck, [_case("Because.")], tmp_path / "v1.apkg", lock=lock)
    collection = tmp_path / "colleague.anki2"
    assert import_into(collection, first.path) == ImportLog(1, 0, 0, 0)
    same = write_deck(deck, [_case("Because.")], tmp_path / "v2.apkg", lock=lock)
    assert same.plan.refs("unchanged") == ["c/q"]
    assert import_into(collection, same.path) == ImportLog(0, 0, 1, 0)
    edited = write_deck(deck, [_case("Because, and more.")], tmp_path / "v3.apkg", lock=lock)
    assert edited.plan.refs("updated") == ["c/q"]
    assert import_into(collection, edited.path) == ImportLog(0, 1, 0, 0)


def test_the_same_content_makes_the_same_notes_as_a_folder(tmp_path: Path) -> None:
    """Cases given as the mappings YAML reads into make the same notes as the folder
    (``deckbuilder.build`` is the function, never shadowed by a module of that name)."""
    import yaml

    content = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT, content)
    folder = deckbuilder.build(content, tmp_path / "dist")
    deck = yaml.safe_load((content / "deck.yaml").read_text(encoding="utf-8"))
    cases = [
        yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(content.glob("cases/*.yaml"))
    ]
    os.chdir(content / "cases")  # where the cases' image paths start
    try:
        written = write_deck(deck, cases, tmp_path / "api.apkg", images=content)
    finally:
        os.chdir(REPO)
    assert written.notes == folder.notes == DEFAULT_NOTES
    ours, theirs = (
        _notes(p, tmp_path / f"{p.stem}.anki2") for p in (written.path, folder.deck_path)
    )
    assert ours == theirs


def _notes(apkg: Path, col_path: Path) -> dict[str, tuple]:
    with collection(col_path) as col:
        import_apkg(col, apkg)
        return {
            col.get_note(n)["Ref"]: (col.get_note(n).guid, tuple(col.get_note(n).fields))
            for n in col.find_notes("")
        }


def test_problems_name_their_place_and_nothing_is_written(tmp_path: Path) -> None:
    bad = {"id": "b", "title": "t", "case": "c", "questions": [{"id": "q", "question": "?"}]}
    with pytest.raises(ContentError) as info:
        write_deck(
            {"name": "X", "id": "x"}, [_case("ok"), bad, _case("again")], tmp_path / "x.apkg"
        )
    shown = [str(p) for p in info.value.problems]
    assert "cases[1]: questions[0]: missing required key 'answer'" in shown
    assert "cases[2]: id: case id 'c' is already used in cases[0]" in shown
    assert list(tmp_path.iterdir()) == []


def test_every_public_name_is_documented_and_imported_lazily() -> None:
    for name in deckbuilder.__all__:
        value = getattr(deckbuilder, name)
        if name != "__version__":
            assert (value.__doc__ or "").strip(), name
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import deckbuilder, sys; print('deckbuilder.pipeline.run' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=True,
    )
    assert run.stdout == "False\n"
