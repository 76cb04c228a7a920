"""Issue 16: a case's key facts as cloze cards beside its questions, judged by the
official engine: what it stores, the cards it makes, what each side shows, and what a
re-import does to a colleague's cards and their history."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from deckbuilder import build, render_content
from deckbuilder.authoring.preview import card_sides
from tests.support.ankiengine import ImportLog, collection, import_apkg, import_into
from tests.support.helpers import replace_in, visible_text
from tests.support.paths import DEFAULT_FACTS, DEFAULT_NOTES, LOCK_FILE
from tests.support.process import deckbuilder

CASE = "cases/alt-thigh.yaml"
FACT_CARDS = {  # deletion numbers of the seed case's facts
    "alt-thigh/facts/share-of-liposarcomas": [0],
    "alt-thigh/facts/dedifferentiation-by-site": [0, 1, 2],
    "alt-thigh/facts/recurrence-after-marginal-excision": [0],
    "alt-thigh/facts/markers": [0, 1],
    "alt-thigh/facts/metastasis": [0],
}
METASTASIS = "ALT/WDL almost never metastasize unless they undergo {{c1::dedifferentiation}}."


def _cards_by_ref(col) -> dict[str, list]:
    out: dict[str, list] = {}
    for cid in sorted(col.find_cards("")):
        card = col.get_card(cid)
        out.setdefault(card.note()["Ref"], []).append(card)
    return {ref: sorted(cards, key=lambda c: c.ord) for ref, cards in out.items()}


def test_each_fact_is_a_cloze_note_with_one_card_per_deletion_number(
    content: Path, tmp_path: Path
) -> None:
    apkg = build(content, tmp_path / "dist").deck_path
    with collection(tmp_path / "c.anki2") as col:
        assert import_apkg(col, apkg) == ImportLog(DEFAULT_NOTES, 0, 0, 0)
        cards = _cards_by_ref(col)
        facts = {ref: c for ref, c in cards.items() if "/facts/" in ref}
        assert {ref: [c.ord for c in c_] for ref, c_ in facts.items()} == FACT_CARDS
        assert col.get_empty_cards().notes == []  # no card without its deletion

        question = cards["alt-thigh/terminology"][0].note()
        deck = col.decks.id_for_name("Clinical Quiz")
        for ref, fact_cards in facts.items():
            note = fact_cards[0].note()
            notetype = note.note_type()
            assert notetype is not None and notetype["type"] == 1, ref  # Anki's cloze kind
            assert notetype["name"] == "Clinical Cloze (Clinical Quiz)"
            # The same case context, title and source as the case's questions.
            assert note["Case"] == question["Case"] and note["Title"] == question["Title"]
            assert note["Source"] == question["Source"]
            assert set(note.tags) == set(question.tags)
            assert all(c.did == deck for c in fact_cards)

        site = facts["alt-thigh/facts/dedifferentiation-by-site"]
        for card, (hidden, shown) in zip(
            site,
            [("1%", ("17%", "28%")), ("17%", ("1%", "28%")), ("28%", ("1%", "17%"))],
            strict=True,
        ):
            front, back = card.question(), card.answer()
            fact = re.search(r'<div class="db-fact">(.*?)</div>', front, re.S).group(1)
            assert "[...]" in fact and f">{hidden}<" not in fact
            assert all(f">{s}<" in fact for s in shown)
            assert f'<span class="cloze" data-ordinal="{card.ord + 1}">{hidden}</span>' in back
            assert "Rauh et al" in visible_text(back) and "Rauh et al" not in visible_text(front)


@pytest.fixture
def reviewed(content: Path, tmp_path: Path) -> tuple[Path, int, tuple]:
    """A colleague's collection with the deck, the metastasis fact's card reviewed."""
    apkg = build(content, tmp_path / "dist").deck_path
    path = tmp_path / "colleague.anki2"
    with collection(path) as col:
        import_apkg(col, apkg)
        (cid,) = col.find_cards('"Ref:alt-thigh/facts/metastasis"')
        card = col.get_card(cid)
        card.start_timer()
        col.sched.answerCard(card, 3)
        card = col.get_card(cid)
        return path, cid, (card.type, card.queue, card.due, card.ivl, card.reps)


def test_a_new_deletion_adds_a_card_and_keeps_the_history_of_the_first(
    reviewed: tuple[Path, int, tuple], content: Path, tmp_path: Path
) -> None:
    path, cid, before = reviewed
    replace_in(
        content / CASE,
        METASTASIS,
        "ALT/WDL almost {{c2::never}} metastasize unless they undergo {{c1::dedifferentiation}}.",
    )
    result = build(content, tmp_path / "dist2")
    assert result.plan.refs("updated") == ["alt-thigh/facts/metastasis"]
    assert import_into(path, result.deck_path) == ImportLog(0, 1, DEFAULT_NOTES - 1, 0)
    with collection(path) as col:
        cards = _cards_by_ref(col)["alt-thigh/facts/metastasis"]
        assert [c.ord for c in cards] == [0, 1]
        first = cards[0]
        assert first.id == cid
        assert (first.type, first.queue, first.due, first.ivl, first.reps) == before
        assert col.db.scalar("SELECT count() FROM revlog WHERE cid = ?", cid) == 1
        assert cards[1].reps == 0 and "[...]" in cards[1].question()
    lock = json.loads((content / LOCK_FILE).read_text(encoding="utf-8"))
    assert lock["notes"]["alt-thigh/facts/metastasis"]["cards"] == [1, 2]


def test_rewording_around_the_deletion_updates_the_note_in_place(
    reviewed: tuple[Path, int, tuple], content: Path, tmp_path: Path
) -> None:
    path, cid, before = reviewed
    replace_in(content / CASE, METASTASIS, METASTASIS.replace("almost never", "very rarely"))
    apkg = build(content, tmp_path / "dist2").deck_path
    assert import_into(path, apkg) == ImportLog(0, 1, DEFAULT_NOTES - 1, 0)
    with collection(path) as col:
        card = col.get_card(cid)
        assert "very rarely" in card.note()["Text"]
        assert (card.type, card.queue, card.due, card.ivl, card.reps) == before


def test_a_removed_fact_is_retired_with_every_card_it_had(
    content: Path, tmp_path: Path, cli
) -> None:
    first = build(content, tmp_path / "dist").deck_path
    path = tmp_path / "colleague.anki2"
    assert import_into(path, first).new == DEFAULT_NOTES
    text = (content / CASE).read_text(encoding="utf-8")
    start = text.index("  - id: dedifferentiation-by-site")
    end = text.index("  - id: recurrence-after-marginal-excision")
    (content / CASE).write_text(text[:start] + text[end:], encoding="utf-8")

    result = cli("build", str(content), "--output", str(tmp_path / "dist2"))
    assert result.exit_code == 0, result.output
    assert "retired   alt-thigh/facts/dedifferentiation-by-site" in result.output
    apkg = tmp_path / "dist2" / "clinical-quiz.apkg"
    assert import_into(path, apkg) == ImportLog(0, 1, DEFAULT_NOTES - 1, 0)
    with collection(path) as col:
        cards = _cards_by_ref(col)["alt-thigh/facts/dedifferentiation-by-site"]
        assert [c.ord for c in cards] == [0, 1, 2]
        assert "retired" in cards[0].note().tags
        for card in cards:  # each card says so, none is Anki's "empty card"
            for side in (card.question(), card.answer()):
                shown = visible_text(side)
                assert "removed this fact" in shown and "tag:retired" in shown, shown
        assert col.get_empty_cards().notes == []
    lock = json.loads((content / LOCK_FILE).read_text(encoding="utf-8"))
    entry = lock["notes"]["alt-thigh/facts/dedifferentiation-by-site"]
    assert entry["retired"] is True and entry["cards"] == [1, 2, 3]

    # A lock recovered from the deck remembers the cards too.
    (content / LOCK_FILE).unlink()
    again = build(content, tmp_path / "dist2", dry_run=True)
    assert again.plan.refs("still_retired") == ["alt-thigh/facts/dedifferentiation-by-site"]
    assert again.plan.refs("updated") == []


def test_a_fact_without_an_id_is_named_after_its_first_deletion(
    content: Path, tmp_path: Path
) -> None:
    replace_in(content / CASE, "  - id: metastasis\n    text:", "  - text:")
    check = deckbuilder("check", "content", cwd=content.parent)
    assert check.returncode == 0, check.stderr
    assert "1 fact without an id takes its name from the first deletion" in check.stderr
    assert "'fact-dedifferentiation'" in check.stderr

    text = (content / CASE).read_text(encoding="utf-8")
    facts_at = text.index("facts:\n") + len("facts:\n")
    blocks = re.split(r"(?m)^(?=  - )", text[facts_at:])
    reordered = text[:facts_at] + "".join(reversed([b for b in blocks if b]))
    first = build(content, tmp_path / "d1")
    assert "alt-thigh/facts/fact-dedifferentiation" in first.plan.refs("new")
    (content / CASE).write_text(reordered, encoding="utf-8")
    second = build(content, tmp_path / "d2")
    assert not second.up_to_date  # the file changed, its notes did not
    assert second.plan.refs("new") == second.plan.refs("updated") == []
    assert second.plan.refs("retired") == []
    colleague = tmp_path / "colleague.anki2"  # the engine agrees: nothing to update
    assert import_into(colleague, first.deck_path).new == DEFAULT_NOTES
    assert import_into(colleague, second.deck_path) == ImportLog(0, 0, DEFAULT_NOTES, 0)


MISTAKES = {  # text, message, where in the text the mistake is (its column follows)
    "no deletion": ("ALT never metastasizes.", "a fact needs a deletion", 0),
    "empty": ("ALT never {{c1::}} metastasizes.", "c1 hides nothing", 10),
    "c0": ("ALT never {{c0::metastasizes}}.", "c0 is not a cloze number", 10),
    "one colon": ("ALT never {{c1:metastasizes}}.", "is not a cloze", 10),
    "nested": ("ALT {{c1::never {{c2::metastasizes}} }}.", "a deletion inside another", 4),
    "whole sentence": ("{{c1::ALT never metastasizes.}}", "holds the whole sentence", 0),
    "stray close": ("ALT }} never {{c1::metastasizes}}.", "'}}' without a '{{c1::'", 4),
    "unclosed": ("ALT never {{c1::metastasizes.", "is not closed with '}}'", 10),
}


@pytest.mark.parametrize("mistake", MISTAKES, ids=list(MISTAKES))
def test_cloze_mistakes_name_file_line_and_key(content: Path, mistake: str) -> None:
    text, message, offset = MISTAKES[mistake]
    before = (content / CASE).read_text(encoding="utf-8")
    replace_in(content / CASE, f"text: {METASTASIS}", f"text: {json.dumps(text)}")
    line = 1 + before[: before.index(METASTASIS)].count("\n")
    run = deckbuilder("check", "content", cwd=content.parent)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    first = run.stderr.splitlines()[0]
    column = len('    text: "') + 1 + offset  # the value is written in double quotes
    assert first.startswith(f"content/cases/alt-thigh.yaml:{line}:{column}: "), first
    assert ": facts[4].text: " in first and message in first, first
    built = deckbuilder("build", "content", cwd=content.parent)
    assert built.returncode == 1 and not (content.parent / "dist").exists()


def test_two_facts_with_one_id_are_refused(content: Path) -> None:
    replace_in(content / CASE, "  - id: metastasis\n", "  - id: markers\n")
    run = deckbuilder("check", "content", cwd=content.parent)
    assert run.returncode == 1
    assert "facts[4].id" in run.stderr and "'markers'" in run.stderr


def test_preview_renders_hints_and_marks_exactly_as_the_engine(
    content: Path, tmp_path: Path
) -> None:
    replace_in(
        content / CASE,
        METASTASIS,
        "ALT/WDL *almost* never {{c1::metastasize::what?}}, unless "
        "{{c2::**dedifferentiated**, i.e. > 5/6 & \"high\" grade}} — or {{c3::é ∑ 'q'}}.",
    )
    notes = render_content(content).notes
    ours = {side.ref: (side.front, side.back) for side in card_sides(notes)}
    apkg = build(content, tmp_path / "dist").deck_path
    with collection(tmp_path / "c.anki2") as col:
        import_apkg(col, apkg)
        engine = {}
        for ref, cards in _cards_by_ref(col).items():
            for card in cards:
                key = f"{ref} c{card.ord + 1}" if "/facts/" in ref else ref
                engine[key] = tuple(
                    side.split("</style>", 1)[1] for side in (card.question(), card.answer())
                )
    assert ours == engine
    assert "[what?]" in ours["alt-thigh/facts/metastasis c1"][0]
    assert len([k for k in ours if k.startswith("alt-thigh/facts/metastasis ")]) == 3


def test_check_and_build_count_the_facts(content: Path) -> None:
    run = deckbuilder("check", "content", cwd=content.parent)
    assert run.stdout == f"content: OK, 1 case, 4 questions, {DEFAULT_FACTS} facts.\n"
    built = deckbuilder("build", "content", "--json", cwd=content.parent)
    report = json.loads(built.stdout)
    assert report["notes"] == DEFAULT_NOTES
    assert report["cloze_notetype"] == "new"
    assert sorted(r for r in report["new"] if "/facts/" in r) == sorted(FACT_CARDS)
