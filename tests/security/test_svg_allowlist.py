"""Issue 28: an SVG image may hold a drawing and nothing else.

A browser shows an SVG in ``<img>`` inert, but a card can link to the image, and opened
as a document the SVG runs whatever it holds. Each of the first five SVGs below got past
the deny-list that came before the allow-list; each is now refused, as a real ``check``
and ``build`` report it: at the file, line and column that name the image, saying what
in it is not allowed. A plain drawing as editors export it still builds, byte for byte.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
import zstandard

from deckbuilder.content.media import image_problem
from tests.support.helpers import SMALL_CASE, snapshot
from tests.support.paths import DEFAULT_CONTENT, REPO
from tests.support.process import deckbuilder

PLAIN = REPO / "tests" / "fixtures" / "svg" / "plain-drawing.svg"
SVG = 'xmlns="http://www.w3.org/2000/svg"'
PREFIXES = 'xmlns:s="http://www.w3.org/2000/svg" xmlns:h="http://www.w3.org/1999/xhtml"'
FIGURE = "content/cases/x.yaml:6:12: figures[0].image: image file 'd.svg'"
ADVICE = "export it again as plain SVG, or as PNG"


def _refusal(what: str, line: int) -> str:
    return (
        f"cannot be used: SVG images may hold only plain shapes: {what} is not allowed "
        f"(line {line} of the image); {ADVICE}"
    )


BYPASSES = {
    "prefixed-script": (
        f'<svg {SVG} {PREFIXES}>\n  <circle r="4"/>\n'
        '  <s:script>fetch("https://example.com/")</s:script>\n</svg>\n',
        _refusal("<s:script>", 3),
    ),
    "css-escaped-url": (
        f'<svg {SVG}>\n  <rect width="9" height="9" style="fill: \\75 rl(https://example.com/x)"/>'
        "\n</svg>\n",
        _refusal('the style "fill: \\75 rl(https://example.com/x)" on <rect>', 2),
    ),
    "css-escaped-import": (
        f'<svg {SVG}>\n  <style>@\\69mport "https://example.com/x.css";</style>\n'
        '  <circle r="4"/>\n</svg>\n',
        _refusal("<style>", 2),
    ),
    "image-set": (
        f"<svg {SVG} style=\"background: image-set('https://example.com/x.png' 1x)\">\n"
        '  <circle r="4"/>\n</svg>\n',
        _refusal("the style \"background: image-set('https://example.com/x.png' 1x)\" on <svg>", 1),
    ),
    "prefixed-foreign-object": (
        f"<svg {SVG} {PREFIXES}>\n"
        '  <s:foreignObject width="9" height="9">\n'
        '    <h:img src="https://example.com/x.png"/>\n'
        '    <h:iframe src="https://example.com/"/>\n'
        "  </s:foreignObject>\n</svg>\n",
        _refusal("<s:foreignObject>", 2),
    ),
}


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """The default content with one more case, whose figure is the image ``d.svg``."""
    shutil.copytree(DEFAULT_CONTENT, tmp_path / "content")
    (tmp_path / "content" / "cases" / "x.yaml").write_text(
        SMALL_CASE.replace(
            "questions:", "figures:\n  - caption: A scan.\n    image: d.svg\nquestions:"
        ),
        encoding="utf-8",
    )
    return tmp_path


@pytest.mark.parametrize(("svg", "expected"), BYPASSES.values(), ids=BYPASSES.keys())
def test_an_svg_that_runs_when_opened_is_refused_where_the_image_is_named(
    work: Path, svg: str, expected: str
) -> None:
    (work / "content" / "cases" / "d.svg").write_text(svg, encoding="utf-8")
    before = snapshot(work / "content")
    for command in ("check", "build"):
        run = deckbuilder(command, "content", cwd=work, timeout=30)
        assert run.returncode == 1, (command, run.stdout, run.stderr)
        assert run.stderr.splitlines()[0] == f"{FIGURE} {expected}", run.stderr
    assert snapshot(work / "content") == before
    assert not (work / "dist").exists()


def test_an_image_in_the_text_is_refused_where_the_text_names_it(work: Path) -> None:
    svg, expected = BYPASSES["prefixed-script"]
    (work / "content" / "cases" / "d.svg").write_text(svg, encoding="utf-8")
    (work / "content" / "cases" / "x.yaml").write_text(
        SMALL_CASE.replace("case: C", "case: |\n  A scan:\n\n  ![scan](d.svg)"), encoding="utf-8"
    )
    run = deckbuilder("check", "content", cwd=work, timeout=30)
    assert run.returncode == 1, run.stdout
    assert run.stderr.splitlines()[0] == (
        f"content/cases/x.yaml:3:7: case: image file 'd.svg' {expected}"
    )


def test_a_plain_drawing_as_editors_export_it_is_packed_as_drawn(work: Path) -> None:
    """Accepted, and packed byte for byte but for its <metadata> and comments."""
    shutil.copy(PLAIN, work / "content" / "cases" / "d.svg")
    run = deckbuilder("build", "content", cwd=work, timeout=60)
    assert run.returncode == 0, run.stderr
    with zipfile.ZipFile(next((work / "dist").glob("*.apkg"))) as zf:
        media = [
            zstandard.ZstdDecompressor().decompressobj().decompress(zf.read(name))
            for name in zf.namelist()
            if name.isdigit()
        ]
    original = PLAIN.read_bytes().decode()
    (packed,) = (m.decode() for m in media)
    assert "<metadata" in original and "<!--" in original
    assert "<metadata" not in packed and "<!--" not in packed
    drawing = original[original.index("<path") :]
    assert drawing.startswith("<path") and packed.endswith(drawing)


@pytest.mark.parametrize(
    ("svg", "expected"),
    [
        (
            f'<!DOCTYPE svg [<!ENTITY a "&#60;script>">]>\n<svg {SVG}>&a;</svg>',
            _refusal("a <!DOCTYPE>", 1),
        ),
        (
            f'<?xml-stylesheet href="https://example.com/x.css"?>\n<svg {SVG}/>',
            _refusal("<?xml-stylesheet?>", 1),
        ),
        (
            f'<svg {SVG}>\n<circle r="1" onclick="alert(1)"/></svg>',
            _refusal("the attribute onclick on <circle>", 2),
        ),
        (f'<svg {SVG}><use href="other.svg#x"/></svg>', _refusal('href="other.svg#x" on <use>', 1)),
        (
            f'<svg {SVG} xmlns:x="http://www.w3.org/1999/xlink"><use x:href="data:,x#y"/></svg>',
            _refusal('x:href="data:,x#y" on <use>', 1),
        ),
        (
            f'<svg {SVG}><rect fill="URL(https://example.com/x)"/></svg>',
            _refusal('fill="URL(https://example.com/x)" on <rect>', 1),
        ),
        (
            f'<svg {SVG}><rect style="fill: &#92;75 rl(x)"/></svg>',
            _refusal('the style "fill: \\75 rl(x)" on <rect>', 1),
        ),
        (f'<svg {SVG}><image href="#x"/></svg>', _refusal("<image>", 1)),
        (f'<svg {SVG}><a href="#x"><circle r="1"/></a></svg>', _refusal("<a>", 1)),
        (
            f'<svg {SVG}><circle r="1"><animate attributeName="r"/></circle></svg>',
            _refusal("<animate>", 1),
        ),
        (
            f'<svg {SVG} xml:base="https://example.com/"/>',
            _refusal("the attribute xml:base on <svg>", 1),
        ),
        (
            f'<svg {SVG}><metadata><h:script xmlns:h="http://www.w3.org/1999/xhtml"/></metadata></svg>',
            _refusal("<h:script>", 1),
        ),
        (
            '<svg><circle r="1"/></svg>',
            'is not an SVG image: its <svg> lacks xmlns="http://www.w3.org/2000/svg", without '
            "which no browser draws it",
        ),
        ("<html><svg/></html>", "is not an SVG image (its root element is <html>)"),
        (
            f"<svg {SVG}><circle></svg>",
            "is not an SVG image (not well-formed XML: mismatched tag at line 1, column 51)",
        ),
    ],
    ids=[
        "entity",
        "stylesheet",
        "handler",
        "external-use",
        "prefixed-xlink-data",
        "uppercase-url",
        "escape-as-character-reference",
        "image",
        "link",
        "animation",
        "xml-base",
        "script-in-metadata",
        "no-namespace",
        "not-svg",
        "not-xml",
    ],
)
def test_what_else_an_svg_may_not_hold(svg: str, expected: str) -> None:
    assert image_problem(svg.encode(), ".svg") == expected
