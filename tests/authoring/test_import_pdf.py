"""Issue 24: ``deckbuilder import`` reads quiz articles as authors have them, PDFs.

The PDFs are typeset here from the article sources in tests/fixtures/articles/pdf/ (see
tests/support/articlepdf.py), one layout each, one and two columns, with PNG and JPEG figures;
each must import to its hand-written ``.expected.yaml``, its figures' pixels identical
to the images embedded, and the deck must build and import through the engine.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml
from PIL import Image

from deckbuilder import build
from deckbuilder.authoring.importtext.sentences import split_sentences
from tests.support.ankiengine import collection, import_apkg
from tests.support.articlepdf import Article, write
from tests.support.paths import DEFAULT_CONTENT, REPO
from tests.support.process import deckbuilder

SOURCES = REPO / "tests" / "fixtures" / "articles" / "pdf"
TEXT_ARTICLES = REPO / "tests" / "fixtures" / "articles"
SCHEMA = json.loads((REPO / "deckbuilder" / "commands" / "output.schema.json").read_text())
PDF_ARTICLES = [
    "answers-section",  # (b) + (d): two columns, no Case heading, numbered answers after all
    "answer-after",  # (c) + (e): two columns over two pages, "Answer: X" after each question
    "case-critique",  # (a): the seed's layout, one column, three pages and a scanned page
]
SCAN_TEXT = "References\n1. Steere AC. Lyme arthritis. 2016."


def _content(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    (content / "cases").mkdir(parents=True)
    shutil.copy(DEFAULT_CONTENT / "deck.yaml", content / "deck.yaml")
    return content


def _typeset(name: str, tmp_path: Path, source: str | None = None) -> Article:
    path = SOURCES / f"{name}.txt"
    if source is not None:
        path = tmp_path / f"{name}.txt"
        path.write_text(source, encoding="utf-8")
    return write(path, tmp_path / f"{name}.pdf", SCAN_TEXT)


def _import(tmp_path: Path, name: str, *extra: str) -> tuple[dict, dict, Path]:
    """Import ``<name>.pdf`` with --json: the report (valid by the schema) and the case."""
    case = tmp_path / "content" / "cases" / f"{name}.yaml"
    run = deckbuilder("import", f"{name}.pdf", "-o", case, "--json", *extra, cwd=tmp_path)
    assert run.returncode == 0, run.stderr + run.stdout
    report = json.loads(run.stdout)
    jsonschema.validate(report, SCHEMA)
    return report, yaml.safe_load(case.read_text(encoding="utf-8")), case


def _flat(text: str) -> str:
    return " ".join(text.split())


def _pixels(data: bytes) -> tuple[tuple[int, int], bytes]:
    image = Image.open(io.BytesIO(data)).convert("RGB")
    return image.size, image.tobytes()


@pytest.mark.parametrize("name", PDF_ARTICLES)
def test_pdf_imports_to_its_hand_written_case(tmp_path: Path, name: str) -> None:
    truth = yaml.safe_load((SOURCES / f"{name}.expected.yaml").read_text(encoding="utf-8"))
    article = _typeset(name, tmp_path)
    content = _content(tmp_path)
    report, case, path = _import(tmp_path, name)

    assert case["title"] == truth["title"]
    assert _flat(case["case"]) == _flat(truth["case"])
    assert len(case["questions"]) == len(truth["questions"])
    for got, want in zip(case["questions"], truth["questions"], strict=True):
        assert _flat(got["question"]) == want["question"]
        assert {k: _flat(v) for k, v in got["options"].items()} == want["options"]
        assert got["answer"] == want["answer"], got["question"]
        assert _flat(got["critique"]) == _flat(want["critique"]), got["question"]

    assert len(case["figures"]) == len(truth["figures"])
    for got, want in zip(case["figures"], truth["figures"], strict=True):
        assert _flat(got["caption"]) == _flat(want["caption"])
        embedded = article.images[want["image"]]
        written = (path.parent / got["image"]).read_bytes()
        assert got["image"] == f"{case['id']}-fig{want['image']}" + Path(got["image"]).suffix
        assert _pixels(written) == _pixels(embedded)  # decoded, compared pixel for pixel
        if embedded.startswith(b"\xff\xd8"):
            assert written == embedded  # the JPEG as embedded, not encoded again
            assert got["image"].endswith(".jpg")
        else:
            assert written.startswith(b"\x89PNG") and got["image"].endswith(".png")
    assert [
        (i["figure"], i["caption_matched"], i["width"], i["height"])
        for i in report["figure_images"]
    ] == [
        (f["image"], True, *Image.open(io.BytesIO(article.images[f["image"]])).size)
        for f in truth["figures"]
    ]
    assert report["dropped"], "the page header and footer are dropped and reported"
    assert not any(d["text"] in case["case"] for d in report["dropped"])

    check = deckbuilder("check", content, cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    with collection(tmp_path / "col.anki2") as col:
        import_apkg(col, build(content, tmp_path / "dist").deck_path)
        notes = [col.get_note(n) for n in col.find_notes("Question:_*")]
        assert sorted(n["Answer"] for n in notes) == sorted(q["answer"] for q in truth["questions"])
        media = set(Path(col.media.dir()).iterdir())
        assert len(media) == len(truth["figures"])
        shown = "".join(n["Case"] + n["Figures"] for n in notes)
        assert all(f'src="{m.name}"' in shown for m in media)


def test_a_page_without_text_is_reported_never_guessed(tmp_path: Path) -> None:
    article = _typeset("case-critique", tmp_path)
    assert article.pages == 4
    content = _content(tmp_path)
    case = content / "cases" / "c.yaml"
    run = deckbuilder("import", "case-critique.pdf", "-o", case, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "warning: no text on page 4: it has no text layer (a scan?)" in run.stderr
    assert "page 4: not extracted: 1 image(s) of a page without text (a scan?)" in run.stderr
    written = case.read_text(encoding="utf-8")
    assert "# TODO: no text on page 4 of the PDF" in written
    assert "Steere" not in written  # nothing of the scanned page is guessed
    assert deckbuilder("check", content, cwd=tmp_path).returncode == 0
    strict = deckbuilder("check", content, "--strict", cwd=tmp_path)
    assert strict.returncode == 1 and "TODO" in strict.stderr

    report, _, _ = _import(tmp_path, "case-critique", "--force")
    assert report["pages_without_text"] == [4]

    only_scan = "@scan\n"
    _typeset("scan", tmp_path, only_scan)
    run = deckbuilder("import", "scan.pdf", "-o", "x.yaml", cwd=tmp_path)
    assert run.returncode == 1
    assert "error: scan.pdf: no text on page 1" in run.stderr
    assert not (tmp_path / "x.yaml").exists()


def test_when_not_certain_the_field_is_a_todo_and_the_report_says_why(tmp_path: Path) -> None:
    source = (SOURCES / "answers-section.txt").read_text(encoding="utf-8")
    entry2 = re.search(r"^2\. Answer: B\..*\n", source, re.M)
    assert entry2
    source = source.replace(entry2.group(), "")  # question 2 has no entry
    source = source.replace("C is correct.", "C is correct. The correct answer is D.")
    _typeset("unsure", tmp_path, source)
    content = _content(tmp_path)
    case = content / "cases" / "unsure.yaml"
    run = deckbuilder("import", "unsure.pdf", "-o", case, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    data = yaml.safe_load(case.read_text(encoding="utf-8"))
    q1, q2, q3 = data["questions"]
    assert q1["answer"] == "B" and q1["critique"].startswith("Night pain")
    assert "answer" not in q2 and "critique" not in q2  # never entry 1's or 3's text
    assert "answer" not in q3 and "Ablation cures" in q3["critique"]
    assert "question 2 (page 1, line " in run.stderr
    assert "the answers section has no entry numbered 2" in run.stderr
    assert re.search(r"more than one answer for question 3: C \(page 1, line \d+\), D", run.stderr)
    written = case.read_text(encoding="utf-8")
    assert "# TODO: the answers section has no entry numbered 2; add answer: <letter>" in written
    strict = deckbuilder("check", content, "--strict", cwd=tmp_path)
    assert strict.returncode == 1


def test_the_issue_s_layout_as_text(tmp_path: Path) -> None:
    """The article of the issue: no "Case" heading, all questions first, then one
    "Critique" section of numbered critiques. It put the vignette in the title and
    question 3's critique together from critiques 1, 2 and half its own."""
    article = "\n".join(
        [
            "Clinical Quiz",
            "",
            "Back pain in a young man",
            "",
            "A 24-year-old man has had low back pain and morning stiffness for a year.",
            "It improves with exercise. His HLA-B27 is positive.",
            "",
            "Questions",
            "",
            "1. What is the most likely diagnosis?",
            "A. Lumbar disc herniation",
            "B. Axial spondyloarthritis",
            "",
            "2. Which imaging shows the earliest changes?",
            "A. MRI of the sacroiliac joints",
            "B. Plain radiographs",
            "",
            "3. What is the first treatment?",
            "A. NSAIDs and exercise",
            "B. Oral corticosteroids",
            "",
            "Critique",
            "",
            "1. Inflammatory back pain in a young man with HLA-B27 points to axial",
            "spondyloarthritis. The correct answer is B.",
            "2. Answer: A. Bone marrow oedema on MRI precedes erosions on radiographs.",
            "3. NSAIDs and exercise come first; corticosteroids have no role.",
            "The correct answer is A.",
        ]
    )
    (tmp_path / "a.txt").write_text(article + "\n", encoding="utf-8")
    run = deckbuilder("import-text", "a.txt", "-o", "x.yaml", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "warning" not in run.stderr and "0 left out" in run.stdout
    data = yaml.safe_load((tmp_path / "x.yaml").read_text(encoding="utf-8"))
    assert data["title"] == "Back pain in a young man"
    assert data["case"].startswith("A 24-year-old man")
    assert [q["answer"] for q in data["questions"]] == ["B", "A", "A"]
    assert [_flat(q["critique"]) for q in data["questions"]] == [
        "Inflammatory back pain in a young man with HLA-B27 points to axial spondyloarthritis.",
        "Bone marrow oedema on MRI precedes erosions on radiographs.",
        "NSAIDs and exercise come first; corticosteroids have no role.",
    ]


def test_a_paragraph_is_never_the_title(tmp_path: Path) -> None:
    vignette = (
        "A 24-year-old man has had low back pain and morning stiffness for a year. It "
        "improves with exercise and is worse at rest; his HLA-B27 is positive."
    )
    article = f"{vignette}\n\nQuestions\n\n1. Which diagnosis?\nA. Disc\nB. Spondyloarthritis\n"
    (tmp_path / "a.txt").write_text(article + "\nCritique\n\nWhy. The correct answer is B.\n")
    run = deckbuilder("import", "a.txt", "-o", "x.yaml", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    data = yaml.safe_load((tmp_path / "x.yaml").read_text(encoding="utf-8"))
    assert data["title"] == "TODO: title"
    assert _flat(data["case"]) == vignette
    assert "is not a title: 2 sentences, where a heading has one; it was put in the case" in (
        run.stderr
    )
    long_one = "A" + " very" * 45 + " long heading"
    (tmp_path / "b.txt").write_text(article.replace(vignette, f"{long_one}\n\n{vignette}"))
    run = deckbuilder("import", "b.txt", "-o", "y.yaml", cwd=tmp_path)
    assert f"is not a title: {len(long_one)} characters, more than a heading's 200" in run.stderr


def _truths() -> list[tuple[str, dict]]:
    """Every article fixture with a hand-written expected case."""
    found = [
        (f"pdf/{n}", yaml.safe_load((SOURCES / f"{n}.expected.yaml").read_text()))
        for n in PDF_ARTICLES
    ]
    for path in sorted(TEXT_ARTICLES.glob("*.expected.yaml")):
        found.append((path.name.removesuffix(".expected.yaml"), yaml.safe_load(path.read_text())))
    return found


def test_over_all_fixtures_no_critique_strays_and_no_vignette_is_a_title(tmp_path: Path) -> None:
    """The property of the issue, on every article with a hand-written case: no sentence
    of a question's critique appears under another question, and the title holds no
    sentence of the vignette."""
    _content(tmp_path)
    checked = 0
    for name, truth in _truths():
        if name.startswith("pdf/"):
            stem = name.removeprefix("pdf/")
            _typeset(stem, tmp_path)
            _, case, _ = _import(tmp_path, stem, "--force")
        else:
            out = tmp_path / f"{name}.yaml"
            run = deckbuilder("import", TEXT_ARTICLES / f"{name}.txt", "-o", out, cwd=tmp_path)
            assert run.returncode == 0, run.stderr
            case = yaml.safe_load(out.read_text(encoding="utf-8"))
        questions = case["questions"]
        for i, want in enumerate(truth["questions"]):
            for sentence in split_sentences(_flat(want["critique"])):
                sentence = re.sub(r"\d+(?:,\d+)*$", "", sentence).strip()  # a citation
                for j, other in enumerate(questions):
                    if j == i:
                        continue
                    under = _flat(
                        " ".join(
                            [
                                other["question"],
                                *other["options"].values(),
                                other.get("critique", ""),
                            ]
                        )
                    )
                    assert sentence not in re.sub(r"</?sup>", "", under), (name, i, j)
        title = case["title"]
        assert len(title) <= 200 and len(split_sentences(title)) == 1, name
        vignette = case.get("case", "")
        for sentence in split_sentences(_flat(vignette)):
            assert sentence not in title, name
        checked += 1
    assert checked == len(PDF_ARTICLES) + 6


def test_a_text_article_never_loads_the_pdf_library(tmp_path: Path) -> None:
    """Start-up stays fast: pdfplumber is imported for a PDF only."""
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path\n"
        "from deckbuilder.authoring.importtext import import_article\n"
        f"import_article(Path({str(TEXT_ARTICLES / 'five-options.txt')!r}), Path('x.yaml'))\n"
        "print(sorted(m for m in sys.modules if m.startswith(('pdfplumber', 'pdfminer'))))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert run.stdout.strip() == "[]"
