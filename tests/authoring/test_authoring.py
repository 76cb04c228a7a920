"""Issue 8: scaffolding, editor schemas, inspect and diff, the deck description."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from deckbuilder import build
from deckbuilder.authoring.schema import FILES, dumps, generate, shipped
from tests.support.ankiengine import collection, export_deck, import_apkg, open_collection
from tests.support.helpers import replace_in
from tests.support.paths import DEFAULT_CONTENT, DEFAULT_NOTES, REPO

FACTS = sorted(
    [
        "share-of-liposarcomas",
        "dedifferentiation-by-site",
        "recurrence-after-marginal-excision",
        "markers",
        "metastasis",
    ]
)

CASE = "cases/alt-thigh.yaml"


# --- init and new ---------------------------------------------------------------------


def test_init_starts_a_deck_that_builds_and_imports(cli, tmp_path: Path) -> None:
    result = cli("init", "cardio", "--name", "Cardiology::Cases")
    assert result.exit_code == 0, result.output
    assert cli("new", "case", "chest-pain", "--content", "cardio").exit_code == 0
    built = cli("build", "cardio")
    assert built.exit_code == 0, built.output
    assert "2 notes, 2 new" in built.output
    with collection(tmp_path / "c.anki2") as col:
        log = import_apkg(col, tmp_path / "dist" / "cardio.apkg")
        assert log.new == 2
        refs = sorted(col.get_note(n)["Ref"] for n in col.find_notes(""))
        assert refs == ["chest-pain/q1", "first-case/q1"]
        assert col.decks.by_name("Cardiology::Cases") is not None
    case = (tmp_path / "cardio" / "cases" / "chest-pain.yaml").read_text(encoding="utf-8")
    assert case.startswith("# yaml-language-server: $schema=../.schema/case.schema.json\n")
    assert "\nid: chest-pain\n" in case
    assert (tmp_path / "cardio" / ".schema" / "case.schema.json").is_file()


@pytest.mark.parametrize("name", ["Cardiology: Cases", "#1 Quiz", "'Quoted'", "A [b] {c}"])
def test_init_writes_any_deck_name_so_that_it_builds(cli, tmp_path: Path, name: str) -> None:
    assert cli("init", "deck", "--name", name).exit_code == 0
    assert cli("build", "deck").exit_code == 0
    with collection(tmp_path / "c.anki2") as col:
        import_apkg(col, tmp_path / "dist" / "deck.apkg")
        assert col.decks.by_name(name) is not None


def test_init_quotes_the_folder_in_what_it_prints(cli, tmp_path: Path) -> None:
    result = cli("init", "My Deck")
    assert result.exit_code == 0
    assert "Build it: deckbuilder build 'My Deck'" in result.output
    assert "deckbuilder build 'My Deck'" in (tmp_path / "My Deck" / "deck.yaml").read_text()


def test_new_case_refuses_to_overwrite_and_bad_ids(cli, tmp_path: Path) -> None:
    assert cli("init", "deck").exit_code == 0
    result = cli("new", "case", "first-case", "--content", "deck")
    assert result.exit_code == 1
    assert "already exists; nothing was written" in result.stderr
    assert cli("new", "case", "Bad Id", "--content", "deck").exit_code == 2


# --- schema ---------------------------------------------------------------------------


def test_shipped_schemas_are_generated_from_the_models() -> None:
    for kind, schema in generate().items():
        assert shipped(kind) == dumps(schema), "run: python -m deckbuilder.authoring.schema"
        jsonschema.Draft202012Validator.check_schema(schema)
    for kind in FILES:
        assert (DEFAULT_CONTENT / ".schema" / FILES[kind]).read_text() == shipped(kind)


def _validator(kind: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(shipped(kind)))


def _documented_examples() -> list[str]:
    """The YAML examples of the README and of every page of the docs."""
    pages = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
    text = "".join(page.read_text(encoding="utf-8") for page in pages)
    return re.findall(r"```yaml\n(.*?)```", text, re.S)


class _Yaml12Loader(yaml.SafeLoader):
    """YAML 1.2's core schema, as yaml-language-server reads: no timestamps (YAML 1.1's
    ``2026-03-14`` is a date to PyYAML, a string to an editor and to deckbuilder)."""


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _as_an_editor_reads(text: str) -> object:
    """YAML as yaml-language-server reads it for the schema (``true`` is a boolean there;
    deckbuilder itself reads every value as text and turns switches into booleans)."""
    return yaml.load(text, Loader=_Yaml12Loader)


def test_every_documented_example_validates_against_the_shipped_schema() -> None:
    examples = _documented_examples()
    assert len(examples) >= 4
    for text in examples:
        data = _as_an_editor_reads(text)
        if data is None:  # comments only: import-text's commented-out proposals
            continue
        kind = "case" if "questions" in data else "deck"
        errors = list(_validator(kind).iter_errors(data))
        assert not errors, (text[:60], [e.message for e in errors])


def test_content_files_validate_and_a_misspelt_key_is_rejected() -> None:
    for path in (DEFAULT_CONTENT / "cases").glob("*.yaml"):
        data = _as_an_editor_reads(path.read_text(encoding="utf-8"))
        assert not list(_validator("case").iter_errors(data))
        data["questions"][0]["critque"] = data["questions"][0].pop("critique")
        messages = [e.message for e in _validator("case").iter_errors(data)]
        assert any("critque" in m for m in messages), messages
        assert any("'critique' is a required property" in m for m in messages), messages
    deck = _as_an_editor_reads((DEFAULT_CONTENT / "deck.yaml").read_text(encoding="utf-8"))
    deck["nmae"] = deck.pop("name")
    assert list(_validator("deck").iter_errors(deck))


def test_schema_command_writes_both_files(cli, tmp_path: Path) -> None:
    result = cli("schema", "out")
    assert result.exit_code == 0
    for kind, name in FILES.items():
        assert (tmp_path / "out" / name).read_text() == shipped(kind)


# --- inspect and diff -----------------------------------------------------------------


@pytest.fixture
def engine_export(content: Path, tmp_path: Path) -> Path:
    """Our default deck imported into Anki and exported again by the engine itself."""
    apkg = build(content, tmp_path / "v1").deck_path
    with collection(tmp_path / "export.anki2") as col:
        import_apkg(col, apkg)
        return export_deck(col, "Clinical Quiz", tmp_path / "exported-by-anki.apkg")


@pytest.mark.parametrize("which", ["ours", "anki"])
def test_inspect(which: str, cli, content: Path, tmp_path: Path, engine_export: Path) -> None:
    deck = tmp_path / "v1" / "clinical-quiz.apkg" if which == "ours" else engine_export
    result = cli("inspect", str(deck))
    assert result.exit_code == 0, result.output
    assert f"{DEFAULT_NOTES} notes in Clinical Quiz" in result.output
    assert "fields Question, Case, Options, Answer, Critique" in result.output
    assert re.search(
        r"alt-thigh\s+treatment\s+K/BhEeg#&m\s+What is the optimal treatment", result.output
    )
    data = json.loads(cli("inspect", str(deck), "--json").output)
    assert data["format"] == "anki21b"  # ours too: Anki's current format by default
    assert sorted(n["question"] for n in data["notes"]) == [
        *(f"facts/{fact}" for fact in FACTS),
        "prognosis",
        "surveillance",
        "terminology",
        "treatment",
    ]


def test_inspect_a_file_that_is_not_a_deck(cli, tmp_path: Path) -> None:
    (tmp_path / "x.apkg").write_text("not a zip")
    result = cli("inspect", "x.apkg")
    assert result.exit_code == 1
    assert "cannot be read as an Anki package" in result.stderr


def _v2(content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    replace_in(content / CASE, "deep seated benign fatty tumors", "deep-seated benign tumours")
    replace_in(content / CASE, "  - id: prognosis\n", "  - id: outcome\n")
    import deckbuilder.notes.notetype

    original = deckbuilder.notes.notetype.card_file
    monkeypatch.setattr(
        deckbuilder.notes.notetype,
        "card_file",
        lambda n: original(n) + ("/* v2 */" if n == "card.css" else ""),
    )
    return build(content, tmp_path / "v2").deck_path


@pytest.mark.parametrize("old_from", ["ours", "anki"])
def test_diff_predicts_what_the_engine_does(
    old_from: str,
    cli,
    content: Path,
    tmp_path: Path,
    engine_export: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    v1 = tmp_path / "v1" / "clinical-quiz.apkg"
    old = v1 if old_from == "ours" else engine_export
    v2 = _v2(content, tmp_path, monkeypatch)

    result = cli("diff", str(old), str(v2))
    assert result.exit_code == 0, result.output
    predicted = json.loads(cli("diff", str(old), str(v2), "--json").output)
    assert [c["question"] for c in predicted["updated"]] == ["terminology"]
    assert [c["question"] for c in predicted["new"]] == ["outcome"]
    assert [c["question"] for c in predicted["retired"]] == ["prognosis"]
    assert any("templates or style updated" in line for line in predicted["notetypes"])
    assert "1 new, 1 updated, 7 unchanged, 1 retired" in result.output

    col = open_collection(tmp_path / "judge.anki2")  # the engine is the judge
    try:
        import_apkg(col, old)
        log = import_apkg(col, v2)
    finally:
        col.close()
    assert log.new == len(predicted["new"])
    assert log.updated == len(predicted["updated"]) + len(predicted["retired"])
    assert log.duplicate == len(predicted["unchanged"])


def test_diff_warns_of_a_contract_change(
    cli, content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    from deckbuilder.notes.kinds.mcq import MULTIPLE_CHOICE

    v1 = build(content, tmp_path / "v1").deck_path
    renamed = dataclasses.replace(
        MULTIPLE_CHOICE.contract, templates=("MCQ v2",), template_ids={"MCQ v2": 1}
    )
    monkeypatch.setattr(MULTIPLE_CHOICE, "contract", renamed)
    v2 = build(content, tmp_path / "v2", force=True).deck_path
    result = cli("diff", str(v1), str(v2))
    assert "field or template names changed" in result.output
    assert "4 conflicting" in result.output


# --- the deck description -------------------------------------------------------------


def test_description_says_where_the_deck_came_from(content: Path, tmp_path: Path) -> None:
    with (content / "deck.yaml").open("a", encoding="utf-8") as fh:
        fh.write("license: CC BY 4.0\nversion: '2026.11'\n")
    replace_in(
        content / CASE,
        "tags: [clinical-quiz, liposarcoma]",
        "attribution: Transcribed by the deckbuilder team\ntags: [clinical-quiz, liposarcoma]",
    )
    apkg = build(content, tmp_path / "dist").deck_path
    with collection(tmp_path / "c.anki2") as col:
        import_apkg(col, apkg)
        desc = col.decks.by_name("Clinical Quiz")["desc"]
    assert "Dedifferentiation of an atypical lipomatous tumor of the thigh" in desc
    assert "<em>Clinical Quiz</em>" in desc  # the source
    assert "Transcribed by the deckbuilder team" in desc
    assert "Licence: CC BY 4.0" in desc
    assert "Version 2026.11" in desc


def test_quiet_build_prints_nothing(cli, content: Path) -> None:
    result = cli("build", str(content), "--quiet")
    assert result.exit_code == 0
    assert result.output == ""


def test_build_json_report_for_scripts(cli, content: Path) -> None:
    first = json.loads(cli("build", str(content), "--json").output)
    assert first["notes"] == DEFAULT_NOTES and first["written"] is True
    assert sorted(first["new"]) == [
        *(f"alt-thigh/facts/{fact}" for fact in FACTS),
        "alt-thigh/prognosis",
        "alt-thigh/surveillance",
        "alt-thigh/terminology",
        "alt-thigh/treatment",
    ]
    again = json.loads(cli("build", str(content), "--json").output)
    assert again["up_to_date"] is True and again["written"] is False
