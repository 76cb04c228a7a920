"""Issue 4: Markdown in every field, sanitised; figures and images packed as media."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from deckbuilder import ContentError, build
from deckbuilder.authoring.preview import card_sides
from tests.support.ankiengine import import_apkg, open_collection
from tests.support.paths import REPO

FIXTURES = REPO / "tests" / "fixtures"

DECK = "name: Test deck\nid: test-deck\n"

HOSTILE = """\
id: hostile
title: A <script>alert('title')</script> title
case: |
  Before <script>alert(1)</script> after.

  <img src="x.png" onerror="alert(2)"> and [a link](javascript:alert(3)).

  <a href="javascript:alert(4)" onclick="alert(5)">click</a>
  <iframe src="https://example.org"></iframe><style>body{display:none}</style>
questions:
  - id: q1
    question: Which <b onmouseover="alert(6)">one</b>?
    options:
      A: "<svg onload=alert(7)>A</svg>"
      B: B
    answer: A
    critique: "[x](JaVaScRiPt:alert(8)) <object data=evil></object>"
"""

RICH = """\
id: rich
title: Rich *text*
case: |
  *Emphasis*, **strong**, H<sub>2</sub>O, 10<sup>3</sup>, ~~struck~~.

  - one
  - two

  | Test | Value |
  |------|-------|
  | Na   | 140   |

  ![MRI](images/scan.png)
questions:
  - id: q1
    question: What does `<b>` do & why "quotes"?
    options:
      A: "*Emphasis*"
      B: Plain
    answer: A
    critique: Because.
"""


def _deck(tmp_path: Path, *cases: tuple[str, str]) -> Path:
    root = tmp_path / "content"
    root.mkdir()
    (root / "deck.yaml").write_text(DECK, encoding="utf-8")
    for name, text in cases:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _import(apkg: Path, tmp_path: Path):
    col = open_collection(tmp_path / "c.anki2")
    import_apkg(col, apkg)
    return col


def test_scripts_handlers_and_javascript_links_reach_no_field(tmp_path: Path) -> None:
    root = _deck(tmp_path, ("hostile.yaml", HOSTILE))
    (root / "x.png").write_bytes((FIXTURES / "red.png").read_bytes())
    col = _import(build(root, tmp_path / "dist").deck_path, tmp_path)
    try:
        (nid,) = col.find_notes("")
        fields = " ".join(col.get_note(nid).fields).lower()
        for bad in (
            "<script",
            "onerror",
            "onclick",
            "onmouseover",
            "onload",
            "javascript:",
            "<iframe",
            "<object",
            "<style",
            "alert(1)",
        ):
            assert bad not in fields, bad
        assert "before" in fields and "after." in fields  # the text around survives
    finally:
        col.close()


def test_markdown_features_are_kept_and_text_is_verbatim(tmp_path: Path) -> None:
    root = _deck(tmp_path, ("rich.yaml", RICH))
    (root / "images").mkdir()
    shutil.copy(FIXTURES / "red.png", root / "images" / "scan.png")
    col = _import(build(root, tmp_path / "dist").deck_path, tmp_path)
    try:
        note = col.get_note(col.find_notes("")[0])
        case = note["Case"]
        for kept in (
            "<em>Emphasis</em>",
            "<strong>strong</strong>",
            "H<sub>2</sub>O",
            "10<sup>3</sup>",
            "<del>struck</del>",
            "<li>one</li>",
            "<table>",
            "<td>140</td>",
        ):
            assert kept in case, kept
        assert '<img src="db-' in case and 'alt="MRI"' in case
        assert "<code>&lt;b&gt;</code> do &amp; why &quot;quotes&quot;?" in note["Question"]
        assert note["Title"] == "Rich <em>text</em>"
        media = Path(col.media.dir())
        assert len(list(media.glob("db-*.png"))) == 1
    finally:
        col.close()


def test_figures_are_packed_under_content_derived_names(tmp_path: Path) -> None:
    case = """\
id: {id}
title: T
case: C
figures:
  - caption: "**Figure 1.** A scan."
    image: fig1.png
questions:
  - id: q1
    question: Q?
    options: {{A: a, B: b}}
    answer: A
    critique: C.
"""
    root = _deck(
        tmp_path,
        ("one/case.yaml", case.format(id="one")),
        ("two/case.yaml", case.format(id="two")),
        ("three/case.yaml", case.format(id="three")),
    )
    shutil.copy(FIXTURES / "red.png", root / "one" / "fig1.png")
    shutil.copy(FIXTURES / "blue.png", root / "two" / "fig1.png")
    shutil.copy(FIXTURES / "red.png", root / "three" / "fig1.png")  # same bytes as one/
    apkg = build(root, tmp_path / "dist").deck_path
    col = _import(apkg, tmp_path)
    try:
        srcs = {col.get_note(n)["Ref"]: col.get_note(n)["Case"] for n in col.find_notes("")}
        assert srcs["one/q1"] != srcs["two/q1"]
        assert srcs["one/q1"] == srcs["three/q1"]
        assert (
            "<figcaption><p><strong>Figure 1.</strong> A scan.</p></figcaption>" in srcs["one/q1"]
        )
        stored = sorted(p.name for p in Path(col.media.dir()).iterdir())
        assert len(stored) == 2  # identical images stored once
        assert all(name.startswith("db-") and name.endswith(".png") for name in stored)
    finally:
        col.close()


@pytest.mark.parametrize(
    ("image", "setup", "message"),
    [
        ("missing.png", None, "image file 'missing.png' does not exist"),
        ("../outside.png", "outside", "points outside the content folder"),
        ("/etc/passwd.png", None, "is an absolute path"),
        ("notes.txt", "txt", "is not a supported image type"),
        ("link.png", "symlink", "points outside the content folder"),
        ("https://example.org/x.png", None, "is not a local file"),
    ],
)
def test_unusable_figure_images_are_clear_errors(
    tmp_path: Path, image: str, setup: str | None, message: str
) -> None:
    case = (
        f"id: c\ntitle: T\ncase: C\nfigures:\n  - caption: Cap\n    image: {image}\n"
        "questions:\n  - id: q\n    question: Q\n    options: {A: a, B: b}\n"
        "    answer: A\n    critique: C\n"
    )
    root = _deck(tmp_path, ("c.yaml", case))
    if setup == "outside":
        shutil.copy(FIXTURES / "red.png", tmp_path / "outside.png")
    elif setup == "txt":
        (root / "notes.txt").write_text("x")
    elif setup == "symlink":
        shutil.copy(FIXTURES / "red.png", tmp_path / "secret.png")
        os.symlink(tmp_path / "secret.png", root / "link.png")
    with pytest.raises(ContentError) as info:
        build(root, tmp_path / "dist")
    (problem,) = info.value.problems
    assert problem.key == "figures[0].image"
    assert problem.line == 6
    assert message in problem.message
    assert not (tmp_path / "dist").exists()


def test_external_image_in_markdown_is_refused(tmp_path: Path) -> None:
    text = RICH.replace("images/scan.png", "https://example.org/scan.png")
    root = _deck(tmp_path, ("rich.yaml", text))
    with pytest.raises(ContentError) as info:
        build(root, tmp_path / "dist")
    (problem,) = info.value.problems
    assert problem.key == "case"
    assert "is not a local file" in problem.message


def test_preview_renders_cards_exactly_as_the_engine(cli, content: Path, tmp_path: Path) -> None:
    from deckbuilder import render_content

    result = cli("preview", str(content), "--output", "preview")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "preview" / "index.html").read_text(encoding="utf-8")
    apkg = build(content, tmp_path / "dist").deck_path
    col = _import(apkg, tmp_path)
    try:
        engine = {}
        for cid in col.find_cards(""):
            card = col.get_card(cid)
            ref = card.note()["Ref"]
            if "/facts/" in ref:  # a fact's cloze card: one per deletion number
                ref = f"{ref} c{card.ord + 1}"
            css_end = "</style>"
            engine[ref] = (
                card.question().split(css_end, 1)[1],
                card.answer().split(css_end, 1)[1],
            )
        assert page.count("<iframe") == len(engine) == 4 + 8  # one frame per card
        ours = {s.ref: (s.front, s.back) for s in card_sides(render_content(content).notes)}
        assert ours == engine
    finally:
        col.close()


def test_an_image_without_a_file_name_is_a_clear_error(tmp_path: Path) -> None:
    root = _deck(tmp_path, ("rich.yaml", RICH.replace("images/scan.png", "")))
    with pytest.raises(ContentError) as info:
        build(root, tmp_path / "dist")
    (problem,) = info.value.problems
    assert problem.key == "case"
    assert problem.message == "an image with no file name; write the path of the image file"


@pytest.mark.parametrize("name", ["ödem.png", "my scan.png", "x%20y.png"])
def test_images_with_spaces_or_letters_beyond_ascii_are_found(tmp_path: Path, name: str) -> None:
    target = f"<images/{name}>" if " " in name else f"images/{name}"
    case = RICH.replace("(images/scan.png)", f"({target})")
    root = _deck(tmp_path, ("rich.yaml", case))
    (root / "images").mkdir()
    shutil.copy(FIXTURES / "red.png", root / "images" / name)
    if name == "x%20y.png":  # a percent sign in a real name: Markdown decodes it away
        with pytest.raises(
            ContentError, match=re.escape("image file 'images/x y.png' does not exist")
        ):
            build(root, tmp_path / "dist")
        return
    col = _import(build(root, tmp_path / "dist").deck_path, tmp_path)
    try:
        (nid,) = col.find_notes("")
        assert '<img src="db-' in col.get_note(nid)["Case"]
        assert len(list(Path(col.media.dir()).iterdir())) == 1
    finally:
        col.close()
