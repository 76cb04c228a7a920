"""Issue 13: the format's keys for the card — reveal, shuffle, pin, select-all answers,
explanations — as an author meets them: what check says, and what reaches the notes."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.ankiengine import collection, import_apkg
from tests.support.cardcheck import FEATURES, build_deck, engine_cards
from tests.support.helpers import SMALL_CASE
from tests.support.process import deckbuilder


def _content(tmp_path: Path, case: str, deck: str = "name: D\nid: d\nshuffle: true\n") -> None:
    (tmp_path / "content" / "cases").mkdir(parents=True)
    (tmp_path / "content" / "deck.yaml").write_text(deck, encoding="utf-8")
    (tmp_path / "content" / "cases" / "c.yaml").write_text(case, encoding="utf-8")


LETTERS_CASE = SMALL_CASE.replace(
    "    options: {A: a, B: b}\n", "    options: {A: a, B: b, C: None of the above}\n"
).replace("critique: Because.", "critique: Option B is wrong because (A) is the rule.")


def test_check_notes_pinned_options_and_warns_of_letters_in_a_shuffled_critique(
    tmp_path: Path,
) -> None:
    _content(tmp_path, LETTERS_CASE)
    run = deckbuilder("check", "content", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stderr.splitlines() == [
        "note: content/cases/c.yaml:7:30: questions[0].options.C: stays in place when the "
        "options are shuffled ('None of the above')",
        "warning: content/cases/c.yaml:9:15: questions[0].critique: refers to an option by "
        "its letter ('Option B') but the options are shuffled, so the learner sees other "
        "letters; name the option by its text, or set 'shuffle: false' on this question",
    ]
    assert run.stdout == "content: OK, 1 case, 1 question, 1 warning.\n"
    strict = deckbuilder("check", "content", "--strict", cwd=tmp_path)
    assert strict.returncode == 1
    assert strict.stderr.endswith(
        "error: content: 1 case, 1 question, 1 warning; --strict fails on warnings.\n"
    )


def test_no_warning_when_the_question_keeps_its_order(tmp_path: Path) -> None:
    _content(
        tmp_path, LETTERS_CASE.replace("    answer: A\n", "    answer: A\n    shuffle: false\n")
    )
    run = deckbuilder("check", "content", "--strict", cwd=tmp_path)
    assert run.returncode == 0 and run.stderr == "", run.stderr


def test_mistakes_in_the_new_keys_name_the_key(tmp_path: Path) -> None:
    case = SMALL_CASE.replace(
        "    answer: A\n",
        "    answer: [a, B]\n    shuffle: maybe\n    pin: [E]\n    explanations: {Z: x}\n",
    ).replace("case: C\n", "case: C\nfigures:\n  - caption: c\n    reveal: later\n")
    _content(tmp_path, case)
    run = deckbuilder("check", "content", cwd=tmp_path)
    assert run.returncode == 1
    assert run.stderr.splitlines() == [
        "content/cases/c.yaml:6:13: figures[0].reveal: Input should be 'front' or 'back'",
        "content/cases/c.yaml:11:13: questions[0].answer: 'a' is not one of the options A, B; "
        "did you mean 'A'?",
        "content/cases/c.yaml:12:14: questions[0].shuffle: expected true or false, got 'maybe'",
        "content/cases/c.yaml:13:10: questions[0].pin: 'E' is not one of the options A, B",
        "content/cases/c.yaml:14:19: questions[0].explanations: 'Z' is not one of the options A, B",
        "error: 5 problems in the content.",
    ]


def test_what_the_keys_put_into_the_notes(tmp_path: Path) -> None:
    shutil.copytree(FEATURES, tmp_path / "features")
    run = deckbuilder("build", "features", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    with collection(tmp_path / "c.anki2") as col:
        import_apkg(col, tmp_path / "dist" / "card-features.apkg")
        notes = {col.get_note(n)["Ref"]: col.get_note(n) for n in col.find_notes("")}
    diagnosis, findings, fixed = (
        notes["knee/diagnosis"],
        notes["knee/findings"],
        notes["knee/written-order"],
    )
    assert diagnosis["Answer"] == "B" and findings["Answer"] == "A, C"
    assert '<ol class="db-options" data-shuffle="1">' in diagnosis["Options"]
    assert '<li class="db-option" data-letter="E" data-pin="1">' in diagnosis["Options"]
    assert 'data-select="all"' in findings["Options"] and "Select all" in findings["Options"]
    assert '<ol class="db-options">' in fixed["Options"]  # shuffle: false on the question
    assert '<dd data-letter="A">' in diagnosis["Critique"]
    assert "mri" not in diagnosis["Figures"] and "db-case-figures" in diagnosis["Case"]
    assert "Figure 2." in diagnosis["Figures"] and "Figure 2." not in diagnosis["Case"]


def test_the_card_scenario_expects_what_the_content_says(tmp_path: Path) -> None:
    """The card tests in every engine take what each card must show from the notes the
    engine stores (``cardcheck.engine_cards``); here those expectations are held against
    the features deck's content as written (tests/fixtures/features/cases/knee.yaml), so
    a wrong Answer, a lost pin or a lost shuffle in the notes cannot pass there unseen."""
    cards = {c.ref: c for c in engine_cards(build_deck(FEATURES, tmp_path), tmp_path)}
    diagnosis, findings, fixed = (
        cards["knee/diagnosis"],
        cards["knee/findings"],
        cards["knee/written-order"],
    )
    assert (diagnosis.answers, diagnosis.shuffled, diagnosis.select_all) == (("B",), True, False)
    assert list(diagnosis.options) == ["A", "B", "C", "D", "E"] and diagnosis.pinned == ("E",)
    assert set(diagnosis.explanations) >= {"A"}
    assert (findings.answers, findings.select_all) == (("A", "C"), True)
    assert fixed.shuffled is False and fixed.answers == ("B",)
    assert set(cards) == {"knee/diagnosis", "knee/findings", "knee/written-order"}
