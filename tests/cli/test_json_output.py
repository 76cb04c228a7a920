"""Issue 14: ``--json`` on every command that reports, for every outcome, errors
included — each run as a real process and validated against the schema the package
ships (``deckbuilder/commands/output.schema.json``), exit codes as in text mode."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from deckbuilder.commands.output import schema
from tests.support.paths import DEFAULT_CONTENT, DEFAULT_FACTS, DEFAULT_QUESTIONS, REPO
from tests.support.process import deckbuilder

SEED = REPO / "tests" / "fixtures" / "articles" / "seed.txt"


def _run(cwd: Path, *args: str, code: int = 0) -> dict:
    run = deckbuilder(*args, "--json", cwd=cwd)
    assert run.returncode == code, (args, run.stdout, run.stderr)
    data = json.loads(run.stdout)  # one object, nothing else on stdout
    jsonschema.validate(data, schema())
    return data


@pytest.fixture
def work(tmp_path: Path) -> Path:
    shutil.copytree(DEFAULT_CONTENT, tmp_path / "content")
    return tmp_path


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(schema())


def test_the_shipped_schema_is_generated_from_the_result_models() -> None:
    """Changing a command's output model without regenerating the schema fails here:
    ``python -m deckbuilder.commands.results`` rewrites it."""
    from deckbuilder.commands.results import dumps, output_schema

    shipped = (REPO / "deckbuilder" / "commands" / "output.schema.json").read_text("utf-8")
    assert shipped == dumps(output_schema())


def test_every_error_kind_is_in_the_schema() -> None:
    """A new error class with its own kind reaches the schema's enum without a hand edit."""
    from deckbuilder import DeckbuilderError

    class Invented(DeckbuilderError):
        kind = "invented-for-this-test"

    try:
        from deckbuilder.commands.results import output_schema

        error = output_schema()["$defs"]["ErrorOutput"]["properties"]["error"]
        assert "invented-for-this-test" in error["enum"]
        assert {"content", "contract", "output", "package", "article", "internal"} <= set(
            error["enum"]
        )
    finally:
        import gc

        del Invented
        gc.collect()  # a class lives in its base's __subclasses__ until collected
    assert (
        "invented-for-this-test"
        not in output_schema()["$defs"]["ErrorOutput"]["properties"]["error"]["enum"]
    )


def test_build_every_outcome(work: Path) -> None:
    dry = _run(work, "build", "content", "--dry-run")
    assert dry["outcome"] == "dry_run" and dry["written"] is False
    written = _run(work, "build", "content")
    assert written["outcome"] == "written" and written["notes"] == DEFAULT_QUESTIONS + DEFAULT_FACTS
    assert _run(work, "build", "content")["outcome"] == "up_to_date"
    assert _run(work, "build", "content", "--dry-run")["outcome"] == "up_to_date"
    (work / "content" / "deck.yaml").write_text("name: [\n", encoding="utf-8")
    error = _run(work, "build", "content", code=1)
    assert error["outcome"] == "error" and error["error"] == "content"
    (problem,) = error["problems"]
    assert problem["file"] == "content/deck.yaml" and problem["line"] == 2


def test_check_every_outcome(work: Path) -> None:
    ok = _run(work, "check", "content")
    assert (ok["outcome"], ok["questions"], ok["facts"]) == ("ok", DEFAULT_QUESTIONS, DEFAULT_FACTS)
    assert ok["warnings"] == []
    with (work / "content" / "cases" / "alt-thigh.yaml").open("a", encoding="utf-8") as fh:
        fh.write("# TODO: one more question\n")
    warned = _run(work, "check", "content")
    assert warned["outcome"] == "ok" and len(warned["warnings"]) == 1
    assert _run(work, "check", "content", "--strict", code=1)["outcome"] == "failed_strict"
    missing = _run(work, "check", "nowhere", code=1)
    assert missing["error"] == "content"
    assert missing["problems"][0]["message"] == "content folder does not exist"


def test_inspect_and_diff(work: Path) -> None:
    _run(work, "build", "content")
    deck = "dist/clinical-quiz.apkg"
    seen = _run(work, "inspect", deck)
    assert len(seen["notes"]) == DEFAULT_QUESTIONS + DEFAULT_FACTS
    same = _run(work, "diff", deck, deck)
    assert len(same["unchanged"]) == DEFAULT_QUESTIONS + DEFAULT_FACTS
    (work / "not.apkg").write_bytes(b"not a zip")
    assert _run(work, "inspect", "not.apkg", code=1)["error"] == "package"
    assert _run(work, "diff", deck, "not.apkg", code=1)["error"] == "package"


def test_authoring_commands(tmp_path: Path) -> None:
    init = _run(tmp_path, "init", "cardio")
    assert init["files"][:2] == ["cardio/deck.yaml", "cardio/cases/first-case.yaml"]
    assert init["skipped"] == [] and init["files"][-1].endswith("deckbuilder-cardio.yml")
    again = _run(tmp_path, "init", "cardio", code=1)
    assert again["error"] == "output" and "already exists" in again["message"]
    taken = tmp_path / ".github" / "workflows" / "deckbuilder-other.yml"
    taken.write_text("# the author's own\n", encoding="utf-8")
    other = _run(tmp_path, "init", "other")  # its workflow's file is taken: said, not written
    assert not any(f.endswith(".yml") for f in other["files"])
    assert other["skipped"] == [
        ".github/workflows/deckbuilder-other.yml already exists; left it as it is (no "
        "workflow written)."
    ]
    assert taken.read_text(encoding="utf-8") == "# the author's own\n"

    case = _run(tmp_path, "new", "case", "chest-pain", "--content", "cardio")
    assert (case["command"], case["files"]) == ("new case", ["cardio/cases/chest-pain.yaml"])
    assert (
        _run(tmp_path, "new", "case", "chest-pain", "--content", "cardio", code=1)["command"]
        == "new case"
    )
    assert _run(tmp_path, "new", "case", "x", "--content", "nowhere", code=1)["error"]

    assert _run(tmp_path, "schema", "s")["files"] == ["s/deck.schema.json", "s/case.schema.json"]
    preview = _run(tmp_path, "preview", "cardio", "-o", "pv")
    assert preview["files"] == ["pv/index.html"] and preview["cards"] == 2
    assert _run(tmp_path, "preview", "nowhere", code=1)["error"] == "content"


def test_import_text(tmp_path: Path) -> None:
    data = _run(tmp_path, "import-text", str(SEED), "-o", "case.yaml")
    assert data["path"] == "case.yaml" and data["questions"] >= 1
    (tmp_path / "empty.txt").write_text("nothing here\n", encoding="utf-8")
    error = _run(tmp_path, "import-text", "empty.txt", "-o", "x.yaml", code=1)
    assert error["error"] == "article" and not (tmp_path / "x.yaml").exists()
