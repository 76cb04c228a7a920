"""The images a deck carries hold their pictures and nothing that identifies anyone.

Real files (Pillow's, given by hand the EXIF with GPS, Artist, a patient's name, maker
notes and a thumbnail, XMP, IPTC, comments and a second picture that phones and PACS
exports write; PNGs with text, time and eXIf chunks; an SVG with <metadata>) are built
through the real ``deckbuilder`` process, imported with Anki's own engine, and read back
from its media folder: none of the planted strings or segments is left, every picture
decodes to the same pixels, the orientation is kept, and the content files are untouched.
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
from pathlib import Path

import pytest
from PIL import Image

from tests.support import imagefiles
from tests.support.ankiengine import collection, import_apkg
from tests.support.helpers import snapshot
from tests.support.paths import FIXTURES
from tests.support.process import deckbuilder

CASE = """\
id: imaging
title: A swollen knee
case: A runner's knee is swollen.
figures:
{figures}
questions:
  - id: q1
    question: What is it?
    options:
      A: An effusion
      B: A fracture
    answer: A
    critique: The X-ray shows an effusion.
"""


def _folder(tmp_path: Path, images: dict[str, bytes]) -> Path:
    root = tmp_path / "content"
    (root / "cases").mkdir(parents=True)
    (root / "deck.yaml").write_text("name: Imaging\nid: imaging\n", encoding="utf-8")
    figures = "".join(
        f"  - caption: Figure {n}.\n    image: {name}\n" for n, name in enumerate(images, 1)
    )
    (root / "cases" / "imaging.yaml").write_text(CASE.format(figures=figures), encoding="utf-8")
    for name, data in images.items():
        (root / "cases" / name).write_bytes(data)
    return root


def _webp_with_metadata() -> bytes:
    out = io.BytesIO()
    exif = b"Exif\0\0" + imagefiles.exif_block()
    imagefiles.pattern().save(out, "WEBP", lossless=True, exif=exif, xmp=imagefiles.XMP_MARK)
    return out.getvalue()


def _gif_with_comment() -> bytes:
    out = io.BytesIO()
    imagefiles.pattern().convert("P").save(out, "GIF", comment=imagefiles.COMMENT)
    return out.getvalue()


IMAGES = {
    "knee.jpg": imagefiles.jpeg_with_metadata(orientation=6, order="<"),
    "knee-mm.jpeg": imagefiles.jpeg_with_metadata(imagefiles.pattern(48, 48), order=">"),
    "scan.png": imagefiles.png_with_metadata(),
    "grey.png": imagefiles.png_with_metadata(mode="L"),
    "drawing.svg": imagefiles.svg_with_metadata(),
    "photo.webp": _webp_with_metadata(),
    "loop.gif": _gif_with_comment(),
}


def _jpeg_segments(data: bytes) -> list[bytes]:
    """Each marker segment before the image data: its marker and first bytes."""
    out, i = [], 2
    while data[i + 1] != 0xDA:
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        out.append(data[i + 1 : i + 2] + data[i + 4 : i + 4 + 12])
        i += 2 + length
    return out


def _png_chunks(data: bytes) -> list[bytes]:
    out, i = [], 8
    while i < len(data):
        length, kind = struct.unpack(">I4s", data[i : i + 8])
        out.append(kind)
        i += 12 + length
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The deck's images as Anki's engine stores them, by source name. The content
    files must be as they were."""
    tmp = tmp_path_factory.mktemp("image-privacy")
    root = _folder(tmp, IMAGES)
    before = snapshot(root / "cases")
    run = deckbuilder("build", "content", cwd=tmp)
    assert run.returncode == 0, run.stderr
    assert snapshot(root / "cases") == before  # the author's files keep their metadata
    with collection(tmp / "collection.anki2") as col:
        import_apkg(col, tmp / "dist" / "imaging.apkg")
        note = col.get_note(col.find_notes("")[0])
        media = Path(col.media.dir())
        stored = {p.name: p.read_bytes() for p in media.iterdir()}
        names = [n.split('"')[0] for n in note["Case"].split('src="')[1:]]
    assert len(names) == len(IMAGES)
    return {source: stored[name] for source, name in zip(IMAGES, names, strict=True)}


def test_the_sources_carry_every_planted_string() -> None:
    """The files the build reads hold what the deck must not (else the test below could
    not fail)."""
    joined = b"".join(IMAGES.values())
    for planted in imagefiles.PLANTED:
        if planted != imagefiles.PNG_TEXTS[b"zTXt"][1]:  # compressed in the file
            assert planted in joined, planted


def test_no_planted_string_reaches_the_deck(built) -> None:
    images = built
    for name, data in images.items():
        for planted in imagefiles.PLANTED:
            assert planted not in data, (name, planted)
        assert b"Exif\0\0MM" not in data or name == "knee.jpg", name


def test_every_image_decodes_to_the_same_pixels(built) -> None:
    images = built
    for name, data in images.items():
        if name.endswith(".svg"):
            continue
        original = Image.open(io.BytesIO(IMAGES[name]))
        packed = Image.open(io.BytesIO(data))
        assert packed.format == original.format
        assert (packed.mode, packed.size) == (original.mode, original.size), name
        assert packed.tobytes() == original.tobytes(), name
        assert len(data) < len(IMAGES[name]), name


def test_jpeg_keeps_jfif_the_colour_profile_and_only_the_orientation_of_exif(built) -> None:
    images = built
    turned = images["knee.jpg"]
    kinds = [s[:1] + s[1:6] for s in _jpeg_segments(turned)]
    assert kinds[:2] == [b"\xe0JFIF\0", b"\xe1Exif\0"], kinds
    assert b"\xe2ICC_P" in kinds
    assert not any(k[:1] in (b"\xed", b"\xfe") for k in kinds), kinds  # IPTC, comment
    exif = Image.open(io.BytesIO(turned)).getexif()
    assert dict(exif) == {0x0112: 6}
    assert exif.get_ifd(0x8825) == {} and exif.get_ifd(0x8769) == {}
    assert turned.endswith(b"\xff\xd9") and turned.count(b"\xff\xd8") == 1  # one picture
    upright = images["knee-mm.jpeg"]
    assert [s[:1] for s in _jpeg_segments(upright)].count(b"\xe1") == 0
    assert Image.open(io.BytesIO(upright)).getexif() == {}


def test_png_keeps_what_renders_and_drops_text_time_and_exif(built) -> None:
    images = built
    for name in ("scan.png", "grey.png"):
        chunks = _png_chunks(images[name])
        assert chunks[0] == b"IHDR" and chunks[-1] == b"IEND"
        assert {b"gAMA", b"pHYs"} <= set(chunks)
        assert not {b"tEXt", b"zTXt", b"iTXt", b"tIME", b"eXIf"} & set(chunks), chunks
    assert b"zTXt" in _png_chunks(IMAGES["scan.png"])  # it was there


def test_svg_loses_metadata_and_comments_and_keeps_its_drawing(built) -> None:
    images = built
    svg = images["drawing.svg"].decode()
    assert "<metadata" not in svg and "<!--" not in svg and "rdf:" not in svg
    assert '<rect x="0" y="0" width="32" height="20" fill="#dc1414"/>' in svg
    assert '<circle cx="48" cy="30" r="8" fill="#1478b4"/>' in svg


def test_webp_and_gif_lose_exif_xmp_and_comments(built) -> None:
    images = built
    assert b"EXIF" in IMAGES["photo.webp"] and b"XMP " in IMAGES["photo.webp"]
    webp = images["photo.webp"]
    assert b"EXIF" not in webp and b"XMP " not in webp
    assert struct.unpack("<I", webp[4:8])[0] == len(webp) - 8
    assert Image.open(io.BytesIO(webp)).info.get("exif") is None
    assert Image.open(io.BytesIO(images["loop.gif"])).info.get("comment") is None


def test_the_media_name_is_the_hash_of_the_bytes_the_deck_carries(tmp_path: Path) -> None:
    """Two files of one picture with other metadata are one image in the deck, named by
    its cleaned bytes; a rebuild with nothing changed is up to date."""
    other = IMAGES["knee.jpg"].replace(imagefiles.PATIENT.encode(), b"Someone Else")
    assert other != IMAGES["knee.jpg"]
    _folder(tmp_path, {"knee.jpg": IMAGES["knee.jpg"], "again.jpg": other})
    run = deckbuilder("build", "content", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    with collection(tmp_path / "collection.anki2") as col:
        import_apkg(col, tmp_path / "dist" / "imaging.apkg")
        stored = {p.name: p.read_bytes() for p in Path(col.media.dir()).iterdir()}
    assert len(stored) == 1
    ((name, data),) = stored.items()
    assert name == f"db-{hashlib.sha256(data).hexdigest()[:20]}.jpg"
    again = deckbuilder("build", "content", cwd=tmp_path)
    assert "up to date" in again.stdout + again.stderr, again.stdout


def test_check_lists_what_the_deck_leaves_out(tmp_path: Path) -> None:
    _folder(tmp_path, {"knee.jpg": IMAGES["knee.jpg"], "scan.png": IMAGES["scan.png"]})
    run = deckbuilder("check", "content", "--strict", cwd=tmp_path)
    assert run.returncode == 0, run.stderr  # a note: the build removes it by itself
    assert (
        "note: content/cases/imaging.yaml:6:12: figures[0].image: the deck's copy of "
        "'knee.jpg' leaves out EXIF (ImageDescription, Make, Artist, MakerNote, "
        "UserComment, GPS position, thumbnail), XMP, IPTC (Photoshop), a comment, data "
        "after the end of the image"
    ) in run.stderr
    assert "'scan.png' leaves out tEXt 'Author', zTXt 'Comment', iTXt" in run.stderr
    as_json = json.loads(deckbuilder("check", "content", "--json", cwd=tmp_path).stdout)
    notices = {n["key"]: n["message"] for n in as_json["notices"]}
    assert "the time it was saved" in notices["figures[1].image"]


def test_inspect_reports_metadata_in_a_received_deck(tmp_path: Path) -> None:
    """A deck exported from Anki carries its images as they were; one of ours none."""
    from tests.support.ankiengine import export_deck

    with collection(tmp_path / "theirs.anki2") as col:
        name = col.media.write_data("knee.jpg", IMAGES["knee.jpg"])
        note = col.new_note(col.models.by_name("Basic"))
        note["Front"], note["Back"] = f'<img src="{name}">', "a knee"
        col.add_note(note, col.decks.id("Received"))
        export_deck(col, "Received", tmp_path / "received.apkg")
    run = deckbuilder("inspect", "received.apkg", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert (
        "image 'knee.jpg' carries metadata that may identify a person or place: EXIF "
        "(ImageDescription, Make, Artist, MakerNote, UserComment, GPS position, thumbnail)"
    ) in run.stdout
    seen = json.loads(deckbuilder("inspect", "received.apkg", "--json", cwd=tmp_path).stdout)
    assert seen["image_metadata"][0]["name"] == "knee.jpg"
    assert "XMP" in seen["image_metadata"][0]["found"]
    _folder(tmp_path / "ours", {"knee.jpg": IMAGES["knee.jpg"]})
    assert deckbuilder("build", "content", cwd=tmp_path / "ours").returncode == 0
    ours = deckbuilder("inspect", "dist/imaging.apkg", "--json", cwd=tmp_path / "ours")
    assert json.loads(ours.stdout)["image_metadata"] == []


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "series.dcm",
            b"\0" * 128 + b"DICM" + b"\x02\0\x10\0UI",
            "'series.dcm' is a DICOM file, which carries the patient's name, ids and dates; "
            "export the image from the viewer as a de-identified PNG or JPEG and use that",
        ),
        (
            "renamed.png",
            b"\0" * 128 + b"DICM" + b"\x02\0\x10\0UI",
            "image file 'renamed.png' is a DICOM file, which carries the patient's name",
        ),
        (
            "cut.jpg",
            IMAGES["knee.jpg"][:900],
            "image file 'cut.jpg' cannot be used: the segment at byte",
        ),
    ],
    ids=["dcm-suffix", "dicom-magic", "cut-jpeg"],
)
def test_dicom_and_damaged_images_are_refused(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    _folder(tmp_path, {name: data})
    run = deckbuilder("check", "content", cwd=tmp_path)
    assert run.returncode == 1
    assert f"content/cases/imaging.yaml:6:12: figures[0].image: {message}" in run.stderr


def test_the_fixture_images_are_already_clean() -> None:
    """The deck's copy of an image without metadata is the file itself, byte for byte
    (existing decks keep their media names)."""
    from deckbuilder.content.imagemeta import clean

    fixtures = FIXTURES
    for path in [*fixtures.glob("*.png"), *fixtures.rglob("cases/*.png")]:
        data = path.read_bytes()
        assert clean(data, ".png").data == data, path
