"""Issue 6: ``deckbuilder import-text`` turns quiz articles into content files."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from deckbuilder import build
from tests.support.ankiengine import collection, import_apkg
from tests.support.helpers import quiz_article, visible_text
from tests.support.paths import DEFAULT_CONTENT, REPO
from tests.support.process import deckbuilder

ARTICLES = REPO / "tests" / "fixtures" / "articles"
SEED = ARTICLES / "seed.txt"  # the seed article (shared/seed/000_560293bd2f877d1c.txt)
# Articles in the shapes PDF extraction gives captions, each with a hand-written
# <name>.expected.yaml of what it says.
CAPTION_ARTICLES = [
    "osteoid-osteoma",  # caption glued mid-line to the discussion that follows it
    "ewing-sarcoma",  # caption glued before a paragraph; two in a row; five sentences
    "myxoid-liposarcoma",  # page break inside a caption; caption inside a sentence
    "tgct-knee",  # caption inside a sentence without blank lines; mixed cues
    "chondrosarcoma-shoulder",  # two columns, wide captions, a short last line
    "renal-metastasis",  # caption after the last paragraph, discussion glued to the end
]


def _engine_notes(content: Path, tmp: Path, name: str) -> list[dict[str, str]]:
    """The notes of a content folder as Anki stores them, in question order."""
    apkg = build(content, tmp / f"dist-{name}").deck_path
    with collection(tmp / f"{name}.anki2") as col:
        import_apkg(col, apkg)
        notes = [dict(col.get_note(n).items()) for n in col.find_notes("")]
        notes = [n for n in notes if "Question" in n]  # the questions, not the facts
    order = {
        q["id"]: i
        for i, q in enumerate(
            next(yaml.safe_load(p.read_text()) for p in (content / "cases").glob("*.yaml"))[
                "questions"
            ]
        )
    }
    return sorted(notes, key=lambda n: order[n["Ref"].split("/")[1]])


def test_seed_imports_to_the_same_deck_as_the_hand_written_one(cli, tmp_path: Path) -> None:
    content = tmp_path / "imported"
    (content / "cases").mkdir(parents=True)
    shutil.copy(DEFAULT_CONTENT / "deck.yaml", content / "deck.yaml")
    result = cli("import-text", str(SEED), "--output", str(content / "cases" / "seed.yaml"))
    assert result.exit_code == 0, result.output
    assert "4 questions, 2 figure captions, 7 facts proposed" in result.output
    assert cli("check", str(content)).exit_code == 0

    hand = _engine_notes(DEFAULT_CONTENT, tmp_path, "hand")
    imported = _engine_notes(content, tmp_path, "imported")
    assert [n["Answer"] for n in imported] == ["C", "D", "B", "B"]
    for mine, theirs in zip(imported, hand, strict=True):
        for name in ("Question", "Options", "Answer", "Critique", "Case"):
            assert visible_text(mine[name]) == visible_text(theirs[name]), name


def test_seed_proposes_its_key_facts_commented_out_and_they_make_cloze_cards(
    cli, tmp_path: Path
) -> None:
    content = tmp_path / "imported"
    (content / "cases").mkdir(parents=True)
    shutil.copy(DEFAULT_CONTENT / "deck.yaml", content / "deck.yaml")
    case = content / "cases" / "seed.yaml"
    result = cli("import-text", str(SEED), "--output", str(case))
    assert "7 facts proposed (commented out" in result.output
    text = case.read_text(encoding="utf-8")
    assert "\nfacts:" not in text and "\n# facts:\n" in text  # nothing is a card yet
    assert yaml.safe_load(text).get("facts") is None

    # The author uncomments them, as an editor's "toggle comment" does.
    head, _, proposed = text.partition("\n# facts:\n")
    case.write_text(
        head + "\nfacts:\n" + "".join(line[2:] + "\n" for line in proposed.splitlines()),
        encoding="utf-8",
    )
    run = cli("check", str(content), "--strict")
    assert run.exit_code == 0, run.output
    assert "4 questions, 7 facts" in run.output
    with collection(tmp_path / "facts.anki2") as col:
        import_apkg(col, build(content, tmp_path / "dist").deck_path)
        texts = {col.get_note(n)["Ref"]: col.get_note(n)["Text"] for n in col.find_notes("Text:_*")}
        cards = {ref: len(col.find_cards(f'"Ref:{ref}"')) for ref in texts}
    site = "dedifferentiation-atypical-lipomatous-tumor-thigh/facts/fact-1"
    assert cards[site] == 3 and "{{c2::17%}}" in texts[site]
    markers = "dedifferentiation-atypical-lipomatous-tumor-thigh/facts/fact-mdm2"
    assert cards[markers] == 3 and "{{c1::MDM2}}, {{c2::HMGA2}} and {{c3::CDK4}}" in texts[markers]
    assert (
        "{{c1::40% to 45%}}"
        in texts["dedifferentiation-atypical-lipomatous-tumor-thigh/facts/fact-40-to-45"]
    )
    hidden = [d for t in texts.values() for d in re.findall(r"\{\{c\d+::(.*?)\}\}", t)]
    assert hidden and not any("sup>" in d for d in hidden)  # never a citation number


@pytest.mark.parametrize(
    ("article", "expected"),
    [
        (
            "five-options.txt",
            {
                "title": "A painful swelling of the wrist in a young gardener",
                "answers": ["C", "A"],
                "options": [5, 5],
                "figures": 1,
                "discussion": True,
                "critique0": "A fluctuant, warm, tender swelling with turbid aspirate points to "
                "infection.",
            },
        ),
        (
            "wrapped-options.txt",
            {
                "title": "Jaundice after a long-haul flight",
                "answers": ["B", "B"],
                "options": [3, 2],
                "figures": 0,
                "discussion": False,
                "option0B": "Contrast-enhanced computed tomography of the pancreas, followed by "
                "endoscopic ultrasound if no mass is seen",
                "critique0": "Cross-sectional imaging stages a possible pancreatic tumour before "
                "any instrumentation of the bile duct.",
                "case_has": "returning from a long-haul flight",
            },
        ),
        (
            "no-discussion.txt",
            {
                "title": "A child with a limp",
                "answers": ["B", "A"],
                "options": [4, 2],
                "figures": 0,
                "discussion": False,
                "critique0": "An afebrile child who bears weight after a viral illness most "
                "likely has transient synovitis.",
            },
        ),
    ],
)
def test_articles_of_other_shapes(cli, tmp_path: Path, article: str, expected: dict) -> None:
    out = tmp_path / "content" / "cases" / "case.yaml"
    shutil.copytree(
        DEFAULT_CONTENT, tmp_path / "content", ignore=shutil.ignore_patterns("cases", "*.lock.json")
    )
    result = cli("import-text", str(ARTICLES / article), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr
    assert "0 left out" in result.output
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["title"] == expected["title"]
    assert [q["answer"] for q in data["questions"]] == expected["answers"]
    assert [len(q["options"]) for q in data["questions"]] == expected["options"]
    assert len(data.get("figures", [])) == expected["figures"]
    assert ("discussion" in data) == expected["discussion"]
    assert " ".join(data["questions"][0]["critique"].split()) == expected["critique0"]
    if "option0B" in expected:
        assert " ".join(data["questions"][0]["options"]["B"].split()) == expected["option0B"]
    if "case_has" in expected:
        assert expected["case_has"] in " ".join(data["case"].split())
    assert cli("build", str(tmp_path / "content")).exit_code == 0


def test_uncertain_answers_are_warnings_and_check_names_what_to_add(cli, tmp_path: Path) -> None:
    out = tmp_path / "content" / "cases" / "case.yaml"
    (tmp_path / "content").mkdir()
    shutil.copy(DEFAULT_CONTENT / "deck.yaml", tmp_path / "content" / "deck.yaml")
    result = cli("import-text", str(ARTICLES / "no-answer.txt"), "-o", str(out))
    assert result.exit_code == 0
    assert "question 1 (line 7): no stated answer found" in result.stderr
    assert (
        "question 2 (line 15): the stated answer 'E' is not one of the options A, B"
        in result.stderr
    )
    assert "TODO: the article states no answer" in out.read_text(encoding="utf-8")
    check = cli("check", str(tmp_path / "content"))
    assert check.exit_code == 1
    assert "questions[0]: missing required key 'answer'" in check.stderr
    assert "questions[1].answer: 'E' is not one of the options A, B" in check.stderr


def test_not_a_quiz_is_a_clear_error_and_writes_nothing(cli, tmp_path: Path) -> None:
    result = cli("import-text", str(ARTICLES / "not-a-quiz.txt"), "-o", "x.yaml")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no usable quiz found")
    assert "Traceback" not in result.output
    assert not (tmp_path / "x.yaml").exists()


def test_left_out_lines_are_listed(cli, tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text(
        (ARTICLES / "five-options.txt").read_text(encoding="utf-8")
        + "\nReferences\n\n1. Smith J. Hand infections. J Hand Surg 2001;26:1.\n",
        encoding="utf-8",
    )
    result = cli("import-text", str(article), "-o", "x.yaml")
    assert result.exit_code == 0
    assert "1 left out" in result.output
    assert "article.txt:50: references (not part of a card): 1. Smith J." in result.stderr


def test_never_overwrites_without_force(cli, tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text("mine\n")
    result = cli("import-text", str(ARTICLES / "five-options.txt"), "-o", "x.yaml")
    assert result.exit_code == 1
    assert "x.yaml already exists; use --force to overwrite it" in result.stderr
    assert (tmp_path / "x.yaml").read_text() == "mine\n"
    assert (
        cli("import-text", str(ARTICLES / "five-options.txt"), "-o", "x.yaml", "--force").exit_code
        == 0
    )
    assert (tmp_path / "x.yaml").read_text() != "mine\n"


def test_article_that_is_not_utf8(cli, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes("Caf\xe9".encode("latin-1"))
    result = cli("import-text", "a.txt", "-o", "x.yaml")
    assert result.exit_code == 1
    assert "is not UTF-8 text" in result.stderr


def test_questions_numbered_100_and_above(cli, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(quiz_article(range(1, 106)), encoding="utf-8")
    result = cli("import-text", "a.txt", "-o", "x.yaml")
    assert result.exit_code == 0, result.output
    assert "105 questions" in result.output
    assert "0 left out" in result.output
    assert "warning" not in result.stderr
    data = yaml.safe_load((tmp_path / "x.yaml").read_text(encoding="utf-8"))
    assert [q["id"] for q in data["questions"]] == [f"q{n}" for n in range(1, 106)]
    assert data["questions"][104]["question"] == "Question number 105?"


def _content_folder(tmp_path: Path) -> Path:
    """An empty content folder with the default deck file, for imported cases."""
    content = tmp_path / "content"
    (content / "cases").mkdir(parents=True)
    shutil.copy(DEFAULT_CONTENT / "deck.yaml", content / "deck.yaml")
    return content


def test_control_characters_are_removed_and_reported(cli, tmp_path: Path) -> None:
    article = (
        quiz_article(range(1, 3), critique="Because\x00 of\x01 this\x0b reason\x7f.")
        .replace("A patient.", "A pa\x1btient\x85 with\x9f pain.")
        .replace("\n\nQuestions", "\n\x0cQuestions")
    )
    (tmp_path / "a.txt").write_text(article, encoding="utf-8")
    content = _content_folder(tmp_path)
    out = content / "cases" / "a.yaml"
    result = cli("import-text", "a.txt", "-o", str(out))
    assert result.exit_code == 0, result.output
    lines = article.split("\n")
    dirty = [i + 1 for i, line in enumerate(lines) if any(c in line for c in "\x00\x1b\x9f")]
    assert len(dirty) == 3  # the case line and both critiques
    for number in dirty:
        assert f"warning: a.txt:{number}: removed the invisible control character(s) U+" in (
            result.stderr
        )
    assert "U+0000, U+0001, U+000B, U+007F" in result.stderr
    assert "U+001B, U+0085, U+009F" in result.stderr
    assert "U+000C" not in result.stderr  # a form feed is a page break, not a problem
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["case"] == "A patient with pain."
    assert data["questions"][0]["critique"] == "Because of this reason."
    assert len(data["questions"]) == 2  # "Questions" after the form feed is a heading
    assert cli("check", str(content)).exit_code == 0


def test_an_article_over_1_mib_is_refused_before_parsing(
    cli_in_process, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deckbuilder.authoring.importtext import importer

    def no_parsing(article: str) -> None:
        raise AssertionError("parsed")

    monkeypatch.setattr(importer, "parse_article", no_parsing)
    article = quiz_article(range(1, 3))
    (tmp_path / "a.txt").write_text(article + "x" * (2**20 - len(article) + 1), encoding="utf-8")
    result = cli_in_process("import-text", "a.txt", "-o", "x.yaml")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: a.txt: is larger than 1,048,576 bytes (1 MiB)")
    assert "Traceback" not in result.output
    assert not (tmp_path / "x.yaml").exists()


def test_a_case_file_over_the_loaders_limit_is_refused(cli, tmp_path: Path) -> None:
    # Every "*" is escaped as "\*" in Markdown: the file is larger than the article.
    stars = " ".join(["a*b"] * 250_000)
    (tmp_path / "a.txt").write_text(quiz_article(range(1, 3)).replace("A patient.", stars))
    assert (tmp_path / "a.txt").stat().st_size < 2**20
    result = cli("import-text", "a.txt", "-o", "x.yaml")
    assert result.exit_code == 1
    assert "error: a.txt: the case file would be 1,2" in result.stderr
    assert "more than the 1,048,576 a content file may hold" in result.stderr
    assert not (tmp_path / "x.yaml").exists()


@pytest.mark.parametrize("shape", ["many short lines", "one line"])
def test_a_1_mib_article_is_read_in_linear_time(cli, tmp_path: Path, shape: str) -> None:
    """One long paragraph whose lines end in a hyphen, then thousands of captions: any
    step quadratic in the input would take minutes here (joining lines did), not seconds."""
    import time

    head, tail = quiz_article(range(1, 3)).split("Questions", 1)
    prose = "the lesion is an exam-\nple of a sign\n" * 15_000
    captions = "Figure 1. Axial CT shows a lesion (arrow). An exam-\nple, e.g. of a sign.\n" * 7_000
    body = prose + captions
    if shape == "one line":
        body = body.replace("\n", " ")
    article = head + "Discussion\n\n" + body[: 2**20 - len(head) - len(tail) - 40]
    article += "\n\nQuestions" + tail
    assert 2**20 - 100 < len(article.encode()) <= 2**20
    (tmp_path / "a.txt").write_text(article, encoding="utf-8")
    start = time.perf_counter()
    result = cli("import-text", "a.txt", "-o", "x.yaml")
    elapsed = time.perf_counter() - start
    # Parsed and written out in full, then refused: an article this large makes a case
    # file over the loader's 1 MiB (the refusal comes only after the whole import ran).
    assert result.exit_code == 1, result.output
    assert "the case file would be" in result.stderr
    assert "more than the 1,048,576 a content file may hold" in result.stderr
    assert not (tmp_path / "x.yaml").exists()
    assert elapsed < 10, elapsed


def test_a_file_that_does_not_read_back_is_an_internal_error(
    cli_in_process, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deckbuilder.authoring.importtext import importer

    real = importer.to_yaml
    monkeypatch.setattr(
        importer, "to_yaml", lambda *a, **k: real(*a, **k).replace("B: Second", "B: Third", 1)
    )
    (tmp_path / "a.txt").write_text(quiz_article(range(1, 3)), encoding="utf-8")
    result = cli_in_process("import-text", "a.txt", "-o", "x.yaml")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "error: internal error in import-text: questions[0].options.B reads back differently; "
        "nothing was written"
    )
    assert "Traceback" not in result.output
    assert not (tmp_path / "x.yaml").exists()


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("content/cases/x.yaml", "../.schema/case.schema.json"),
        ("content/cases/sarcoma/x.yaml", "../../.schema/case.schema.json"),
        ("content/x.yaml", ".schema/case.schema.json"),
        ("elsewhere/cases/x.yaml", "../.schema/case.schema.json"),  # no deck.yaml above
    ],
)
def test_the_file_starts_with_the_editors_schema_line(
    cli, tmp_path: Path, output: str, expected: str
) -> None:
    _content_folder(tmp_path)
    (tmp_path / "a.txt").write_text(quiz_article(range(1, 3)), encoding="utf-8")
    assert cli("import-text", "a.txt", "-o", output).exit_code == 0
    first = (tmp_path / output).read_text(encoding="utf-8").split("\n", 1)[0]
    assert first == f"# yaml-language-server: $schema={expected}"


def test_the_schema_line_is_the_one_new_case_writes(cli, tmp_path: Path) -> None:
    _content_folder(tmp_path)
    (tmp_path / "a.txt").write_text(quiz_article(range(1, 3)), encoding="utf-8")
    assert cli("import-text", "a.txt").exit_code == 0  # content/cases/<id>.yaml
    assert cli("new", "case", "other").exit_code == 0
    imported = (tmp_path / "content" / "cases" / "long-quiz.yaml").read_text(encoding="utf-8")
    new = (tmp_path / "content" / "cases" / "other.yaml").read_text(encoding="utf-8")
    assert imported.split("\n", 1)[0] == new.split("\n", 1)[0]


def _plain(html: str) -> str:
    """A field as the reader sees it, superscripts read inline ("weeks<sup>4</sup>"
    as "weeks4", as the article printed it)."""
    return visible_text(re.sub(r"</?sup>", "", html))


def _options(html: str) -> dict[str, str]:
    found = re.findall(
        r'data-letter="([A-Z])" aria-pressed="false">.*?'
        r'<span class="db-option-text">(.*?)</span></button>',
        html,
        re.S,
    )
    return {letter: _plain(text) for letter, text in found}


def _captions(*fields: str) -> list[str]:
    """The captions of a note's figures: those shown with the case (in its Case field)
    and those kept for the back (its Figures field)."""
    html = "".join(fields)
    captions = [_plain(c) for c in re.findall(r"<figcaption>(.*?)</figcaption>", html, re.S)]
    number = re.compile(r"Fig(?:ure|\.)?\s*(\d+)")
    return sorted(captions, key=lambda c: int(m.group(1)) if (m := number.search(c)) else 0)


def _vignette(case: str) -> str:
    """The Case field without the figures shown with it."""
    return _plain(re.sub(r'<div class="db-case-figures">.*</div>', "", case, flags=re.S))


def _expected(name: str) -> dict:
    text = (ARTICLES / f"{name}.expected.yaml").read_text(encoding="utf-8")
    return yaml.load(text, Loader=yaml.BaseLoader)  # every value a string, as written


@pytest.mark.parametrize("name", CAPTION_ARTICLES)
def test_articles_with_captions_where_pdfs_put_them(cli, tmp_path: Path, name: str) -> None:
    truth = _expected(name)
    content = _content_folder(tmp_path)
    out = content / "cases" / f"{name}.yaml"
    article = str(ARTICLES / f"{name}.txt")
    result = cli("import-text", article, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert cli("check", str(content)).exit_code == 0

    notes = _engine_notes(content, tmp_path, name)
    assert len(notes) == len(truth["questions"])
    for note, q in zip(notes, truth["questions"], strict=True):
        assert _plain(note["Title"]) == truth["title"]
        assert _plain(note["Question"]) == q["question"]
        assert _options(note["Options"]) == q["options"]
        assert note["Answer"] == q["answer"]
        assert _plain(note["Critique"]) == " ".join(q["critique"].split())

    uncertain = {u["sentence"] for u in truth["uncertain"]}
    captions = _captions(notes[0]["Case"], notes[0]["Figures"])
    assert captions == [" ".join(x for x in fig if x not in uncertain) for fig in truth["figures"]]
    running = _vignette(notes[0]["Case"]) + " " + _plain(notes[0]["Discussion"])
    for text in truth["glued"]:  # no discussion sentence inside a caption
        assert text in running
        assert all(text not in caption for caption in captions)
    for sentence in (x for fig in truth["figures"] for x in fig):  # nor the other way
        assert (sentence in running) == (sentence in uncertain), sentence

    moved = re.findall(rf"^  {re.escape(article)}:(\d+): figure \d+: '", result.stderr, re.M)
    assert moved == truth["moved"]
    written = out.read_text(encoding="utf-8")
    todos = re.findall(
        r"^  # TODO: figure (\d+): where the caption ends is uncertain; '(.*)'", written, re.M
    )
    assert [n for n, _ in todos] == [u["figure"] for u in truth["uncertain"]]
    for u in truth["uncertain"]:
        warning = f"warning: {article}:{u['line']}: figure {u['figure']}: where its caption ends "
        assert f"{warning}is uncertain: '{u['sentence'][:60]}" in result.stderr
        n = u["figure"]  # the TODO stands right above that figure's caption
        assert re.search(
            rf"^  # TODO: figure {n}: .*\n  - caption: (\|\n +)?Figure {n}\.", written, re.M
        )


@pytest.mark.parametrize("article", ["seed.txt", "five-options.txt"])
def test_captions_the_layout_placed_right_stay_as_they_were(
    cli, tmp_path: Path, article: str
) -> None:
    """The articles whose captions end at a blank line, a heading or the end of lines set
    wider than the text: the text-based rule agrees with the layout and moves nothing."""
    result = cli("import-text", str(ARTICLES / article), "-o", "x.yaml")
    assert result.exit_code == 0
    assert "Moved between a caption" not in result.stderr
    assert "uncertain" not in result.stderr
    assert "TODO" not in (tmp_path / "x.yaml").read_text(encoding="utf-8")


def test_seed_captions_are_the_hand_written_ones(cli, tmp_path: Path) -> None:
    content = _content_folder(tmp_path)
    result = cli("import-text", str(SEED), "--output", str(content / "cases" / "seed.yaml"))
    assert result.exit_code == 0, result.output
    hand_note = _engine_notes(DEFAULT_CONTENT, tmp_path, "hand")[0]
    imported_note = _engine_notes(content, tmp_path, "imported")[0]
    hand = _captions(hand_note["Case"], hand_note["Figures"])
    imported = _captions(imported_note["Case"], imported_note["Figures"])
    # The figure of the histology is kept for the back, as in the hand-written copy.
    assert _captions(imported_note["Figures"]) == imported[1:]
    # The hand-written copy marks where the extraction lost part of Figure 2's text.
    assert imported == [c.replace(" [\u2026]", "") for c in hand]


@pytest.mark.parametrize("name", CAPTION_ARTICLES)
def test_citation_numbers_of_articles(cli, tmp_path: Path, name: str) -> None:
    truth = _expected(name)
    article = str(ARTICLES / f"{name}.txt")
    result = cli("import-text", article, "-o", "x.yaml")
    assert result.exit_code == 0, result.output
    written = (tmp_path / "x.yaml").read_text(encoding="utf-8")
    written = "\n".join(line for line in written.splitlines() if not line.startswith("#"))
    assert re.findall(r"[^\s(]*<sup>[^<]*</sup>", written) == truth["superscripts"]
    assert f"; {len(truth['superscripts'])} citation numbers set as superscripts." in (
        result.output
    )
    listed = re.findall(rf"^  {re.escape(article)}:(\d+: '.*)$", result.stderr, re.M)
    assert [x for x in listed if " \u2192 " not in x] == truth["uncertain_citations"]
    flat = " ".join(written.split())
    for name_or_size in truth["never"]:
        assert name_or_size in flat


def test_seed_citations_are_the_hand_written_superscripts_and_markers_stay(
    cli, tmp_path: Path
) -> None:
    """Both directions on the seed's own text: every "males1,2"-style citation becomes a
    superscript, exactly as in the hand-written case; no marker, vertebra or size does."""
    result = cli("import-text", str(SEED), "-o", "x.yaml")
    assert result.exit_code == 0
    assert "13 citation numbers set as superscripts" in result.output
    assert "Numbers glued to words" not in result.stderr
    written = (tmp_path / "x.yaml").read_text(encoding="utf-8")
    written = "\n".join(line for line in written.splitlines() if not line.startswith("#"))
    hand = (DEFAULT_CONTENT / "cases" / "alt-thigh.yaml").read_text(encoding="utf-8")
    sups = re.compile(r"[^\s(]*<sup>[^<]*</sup>")
    assert sups.findall(written) == sups.findall(hand)
    assert len(sups.findall(written)) == 13
    flat = " ".join(written.split())
    for marker in ("MDM2", "CDK4", "HMGA2", "C2", "C4", "S100(-)", "T1 sequence", "BMI: 23"):
        assert marker in flat
    for size in ("20x15x28cm", "x 200", "X 400", "10%<sup>1,2,5</sup>"):
        assert size in flat


def test_a_lone_glued_number_is_a_citation_only_with_a_reference_list(cli, tmp_path: Path) -> None:
    lone = quiz_article(range(1, 3)).replace(
        "A patient.\n", "A patient.\n\nDiscussion\n\nThe lesion was removed by curettage1.\n"
    )
    (tmp_path / "a.txt").write_text(lone, encoding="utf-8")
    result = cli("import-text", "a.txt", "-o", "a.yaml")
    assert "<sup>" not in (tmp_path / "a.yaml").read_text(encoding="utf-8")
    assert (
        "a.txt:11: 'curettage1': no numbered reference list and no other citation like it"
        in result.stderr
    )

    listed = lone + "\nReferences\n\n1. Imrie F. Curettage of bone tumours. Bone Rev 2001;3:1-9.\n"
    (tmp_path / "b.txt").write_text(listed, encoding="utf-8")
    result = cli("import-text", "b.txt", "-o", "b.yaml")
    assert "curettage<sup>1</sup>." in (tmp_path / "b.yaml").read_text(encoding="utf-8")
    assert "Numbers glued to words" not in result.stderr

    beyond = listed.replace("curettage1.", "curettage2.")
    (tmp_path / "c.txt").write_text(beyond, encoding="utf-8")
    result = cli("import-text", "c.txt", "-o", "c.yaml")
    assert "<sup>" not in (tmp_path / "c.yaml").read_text(encoding="utf-8")
    assert "c.txt:11: 'curettage2': 2 is beyond the 1 numbered references" in result.stderr


def test_options_that_read_back_in_another_order_are_an_internal_error(
    cli_in_process, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deckbuilder.authoring.importtext import importer

    real = importer.to_yaml
    swapped = "      B: Second\n      A: First\n"
    monkeypatch.setattr(
        importer,
        "to_yaml",
        lambda *a, **k: real(*a, **k).replace("      A: First\n      B: Second\n", swapped, 1),
    )
    (tmp_path / "a.txt").write_text(quiz_article(range(1, 3)), encoding="utf-8")
    result = cli_in_process("import-text", "a.txt", "-o", "x.yaml")
    assert result.exit_code == 1
    assert "internal error in import-text: the order of keys reads back differently" in (
        result.stderr
    )
    assert not (tmp_path / "x.yaml").exists()


@pytest.mark.parametrize(
    ("line", "text", "column", "command"),
    [
        (7, r"A patient. See \(\href{javascript:alert(1)}{x}\).", 18, r"\href"),
        (22, r"B. Second \(\class{x}{y}\)", 13, r"\class"),
        (17, r"Because \[\require{action}\].", 11, r"\require"),
        (7, r"Figure 1. Axial CT shows a mass \(\cssId{x}{y}\).", 35, r"\cssId"),
    ],
    ids=["case", "option", "critique", "caption"],
)
def test_math_that_links_or_styles_is_refused_where_the_article_has_it(
    cli, tmp_path: Path, line: int, text: str, column: int, command: str
) -> None:
    """Anki typesets it with extensions that link and style: the build would refuse the
    case file, so import-text writes none, and names the line and column to fix."""
    lines = quiz_article(range(1, 3)).split("\n")
    # The same commands outside math, earlier in the article: harmless text, not the place.
    lines[2] = r"A long quiz on \href, \class, \cssId and \require"
    lines[19] = r"2. Question number 2: \class?"
    lines[line - 1] = text
    (tmp_path / "a.txt").write_text("\n".join(lines), encoding="utf-8")
    result = cli("import-text", "a.txt", "-o", "x.yaml")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"error: a.txt:{line}:{column}: math uses '{command}', which is not allowed in a "
        "shared deck"
    ), result.stderr
    assert result.stderr.rstrip().endswith("; nothing was written")
    assert "Traceback" not in result.output
    assert not (tmp_path / "x.yaml").exists()


def test_harmless_math_is_imported_and_reaches_the_note(cli, tmp_path: Path) -> None:
    content = _content_folder(tmp_path)
    formula = r"\(x^2 + \frac{a}{b}\)"
    article = quiz_article(range(1, 3)).replace(
        "A patient.", f"A patient with a clearance of {formula}."
    )
    (tmp_path / "a.txt").write_text(article, encoding="utf-8")
    result = cli("import-text", "a.txt", "-o", str(content / "cases" / "math.yaml"))
    assert result.exit_code == 0, result.output
    assert cli("check", str(content)).exit_code == 0
    notes = _engine_notes(content, tmp_path, "math")
    assert len(notes) == 2
    for note in notes:  # as MathJax reads it: a line break inside is a space
        assert formula in " ".join(note["Case"].split()), note["Case"]


def test_braces_in_the_discussion_make_no_fact_proposal_and_no_crash(tmp_path: Path) -> None:
    """A figure in braces next to where a deletion would go would read as cloze markup."""
    article = SEED.read_text(encoding="utf-8").replace(
        "around 1% in extremity", "around {1%} in extremity"
    )
    assert "{1%}" in article
    (tmp_path / "a.txt").write_text(article, encoding="utf-8")
    run = deckbuilder("import-text", "a.txt", "-o", "x.yaml", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "6 facts proposed" in run.stdout
    assert "{{{" not in (tmp_path / "x.yaml").read_text(encoding="utf-8")


def test_article_text_reaches_the_terminal_escaped(tmp_path: Path) -> None:
    """Text from someone else's article never drives the terminal: controls and
    bidirectional overrides in what the report quotes are shown as escapes."""
    article = SEED.read_text(encoding="utf-8") + "\nReferences\n1. Evil \u202eredro entry\n"
    (tmp_path / "a.txt").write_text(article, encoding="utf-8")
    run = deckbuilder("import-text", "a.txt", "-o", "x.yaml", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "\u202e" not in run.stderr
    assert "Evil \\u202eredro entry" in run.stderr
