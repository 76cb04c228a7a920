"""Image occlusion (issue 22): a figure's regions become a note of Anki's own Image
Occlusion, judged by the official engine.

The fixture ``tests/fixtures/occlusion`` has one case with two occluded figures of the
same drawing (``thigh.png``, 400 x 300): ``mri`` in fractions, hide-all, three regions
(rect, ellipse, polygon) on three cards; ``mri-px`` in pixels, hide-one, two regions
sharing card 1 and a polygon on card 3.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from anki.collection import Collection
from anki.models import StockNotetype
from anki.utils import from_json_bytes

from deckbuilder import ContentError, build
from deckbuilder.notes import ids, notetype
from deckbuilder.notes.kinds import BY_NAME, KINDS
from deckbuilder.notes.kinds.occlusion import (
    FIELD_IDS,
    FIELDS,
    OCCLUSION,
    TEMPLATE_IDS,
    display_number,
)
from tests.support.ankiengine import ImportLog, collection, import_apkg
from tests.support.occlusion import DECK, FIXTURE, occlusion_notes
from tests.support.paths import LOCK_FILE

IMAGE = FIXTURE / "cases" / "thigh.png"

#: The contract, pinned (see tests/state/test_contract.py): never "fix" these.
PINNED_FIELDS = ["Occlusion", "Image", "Header", "Back Extra", "Comments"]
PINNED_FIELD_IDS = {
    "Occlusion": 778716939152607506,
    "Image": 5517479425657427157,
    "Header": 4791229222634395534,
    "Back Extra": 2222768488666711211,
    "Comments": 2164663897339943381,
}
PINNED_TEMPLATE_IDS = {"Image Occlusion": 5006216846019891423}

#: The ``mri`` figure's Occlusion field as Anki's own editor writes it (to-cloze.ts):
#: written out by hand from the YAML, not by our formatter.
ANKI_WRITES_MRI = (
    "{{c1::image-occlusion:rect:left=.1:top=.1:width=.3:height=.3333:oi=1}}<br>"
    "{{c2::image-occlusion:ellipse:left=.55:top=.1333:rx=.15:ry=.2:oi=1}}<br>"
    "{{c3::image-occlusion:polygon:left=.3:top=.6333:points=.3,.6667 .65,.6333 .5,.9333:oi=1}}"
    "<br>"
    "{{c0::image-occlusion:text:left=.1:top=.1:text=1:scale=1.:fs=.04:oi=1}}<br>"
    "{{c0::image-occlusion:text:left=.55:top=.1333:text=2:scale=1.:fs=.04:oi=1}}<br>"
    "{{c0::image-occlusion:text:left=.3:top=.6333:text=3:scale=1.:fs=.04:oi=1}}<br>"
)
# The pixel figure: 40/400 = .1, 30/300 = .1, 120/400 = .3, 100/300 = .3333; hide-one
# (no oi); the ellipse joins card 1, the polygon keeps its place, 3.
ANKI_WRITES_MRI_PX = (
    "{{c1::image-occlusion:rect:left=.1:top=.1:width=.3:height=.3333}}<br>"
    "{{c1::image-occlusion:ellipse:left=.55:top=.1333:rx=.15:ry=.2}}<br>"
    "{{c3::image-occlusion:polygon:left=.3:top=.6333:points=.3,.6667 .65,.6333 .5,.9333}}<br>"
    "{{c0::image-occlusion:text:left=.1:top=.1:text=1:scale=1.:fs=.04}}<br>"
    "{{c0::image-occlusion:text:left=.3:top=.6333:text=3:scale=1.:fs=.04}}<br>"
)
# Only what deckbuilder generates may reach the Occlusion field: shapes of numbers.
_SHAPE = (
    r"\{\{c\d+::image-occlusion:(?:rect|ellipse|polygon|text)"
    r"(?::(?:left|top|width|height|rx|ry|scale|fs|oi)=-?\d*\.?\d*"
    r"|:points=(?:\.?\d*\.?\d*,\.?\d*\.?\d* ?)+|:text=\d+)*\}\}<br>"
)
ONLY_SHAPES = re.compile(f"(?:{_SHAPE})+")


def content_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "content"
    shutil.copytree(FIXTURE, dest, ignore=shutil.ignore_patterns(LOCK_FILE))
    return dest


def case_file(content: Path) -> Path:
    return content / "cases" / "thigh.yaml"


# --- the contract ----------------------------------------------------------------------


def test_the_contract_is_pinned() -> None:
    assert list(FIELDS) == PINNED_FIELDS
    assert FIELD_IDS == PINNED_FIELD_IDS
    assert TEMPLATE_IDS == PINNED_TEMPLATE_IDS
    for name, value in PINNED_FIELD_IDS.items():
        assert notetype.derived_id("occlusion-field", name) == value
    assert notetype.derived_id("occlusion-template", "Image Occlusion") == 5006216846019891423
    assert OCCLUSION.contract_fingerprint() == "6277acfebf058282"
    assert [k.name for k in KINDS][-1] == "occlusion"  # its notes come after a case's others


def test_the_template_and_css_are_ankis_own(tmp_path: Path) -> None:
    """Byte for byte the stock Image Occlusion type of the engine (English), so that
    Anki's reviewers draw it and 'Restore to default' changes nothing."""
    with collection(tmp_path / "c.anki2") as col:
        stock = from_json_bytes(
            col._backend.get_stock_notetype_legacy(StockNotetype.KIND_IMAGE_OCCLUSION)
        )
    look = OCCLUSION.look()
    assert [f["name"] for f in stock["flds"]] == PINNED_FIELDS
    assert look.front == stock["tmpls"][0]["qfmt"]
    assert look.back == stock["tmpls"][0]["afmt"]
    assert look.css == stock["css"]
    assert stock["originalStockKind"] == 6 and stock["type"] == 1


def test_numbers_are_written_as_ankis_editor_writes_them() -> None:
    """floatToDisplay: ``number.toFixed(4).replace(/^0+|0+$/g, "")``, measured in Chromium
    by the research (JavaScript rounds the binary value half up)."""
    cases = {
        0.5: ".5",
        0.25: ".25",
        0.1: ".1",
        0.123456: ".1235",
        0.03125: ".0313",
        1.0: "1.",
        0.99999: "1.",
        0.3333: ".3333",
        0.0: ".0000",
        0.00004: ".0000",  # Anki would write ".", which reads as nothing
    }
    for value, written in cases.items():
        assert display_number(value) == written, value


# --- through the engine ----------------------------------------------------------------


def test_the_notes_are_anki_image_occlusion_notes(tmp_path: Path) -> None:
    apkg = build(content_copy(tmp_path), tmp_path / "dist").deck_path
    with collection(tmp_path / "c.anki2") as col:
        assert import_apkg(col, apkg) == ImportLog(new=3, updated=0, duplicate=0, conflicting=0)
        model = col.models.get(BY_NAME["occlusion"].notetype_id(DECK))
        assert model is not None
        assert model["name"] == "Image Occlusion (Occlusion features)"
        assert model["type"] == 1 and model["originalStockKind"] == 6
        assert [f["name"] for f in model["flds"]] == PINNED_FIELDS
        assert [f["id"] for f in model["flds"]] == list(PINNED_FIELD_IDS.values())
        assert [f["tag"] for f in model["flds"]] == [0, 1, 2, 3, 4]
        assert all(f["preventDeletion"] for f in model["flds"])
        assert [(t["name"], t["id"]) for t in model["tmpls"]] == [
            ("Image Occlusion", PINNED_TEMPLATE_IDS["Image Occlusion"])
        ]
        assert col._backend.get_image_occlusion_fields(notetype_id=model["id"]) is not None

        notes = occlusion_notes(col)
        assert sorted(notes) == ["thigh/figures/mri", "thigh/figures/mri-px"]
        mri, px = notes["thigh/figures/mri"], notes["thigh/figures/mri-px"]
        assert mri.guid == ids.note_guid(DECK, "thigh", "figures/mri")  # type: ignore[attr-defined]
        # cards = card numbers: 3 regions on 3 cards; 3 regions on cards 1 and 3
        assert sorted(c.ord for c in mri.cards()) == [0, 1, 2]  # type: ignore[attr-defined]
        assert sorted(c.ord for c in px.cards()) == [0, 2]  # type: ignore[attr-defined]
        assert mri["Occlusion"] == ANKI_WRITES_MRI  # type: ignore[index]
        assert px["Occlusion"] == ANKI_WRITES_MRI_PX  # type: ignore[index]
        assert mri.tags == ["thigh"]  # type: ignore[attr-defined]
        assert mri["Header"] == "<b>A mass in the thigh</b>"  # type: ignore[index]
        extra = mri["Back Extra"]  # type: ignore[index]
        for text in (
            "<strong>Figure 1.</strong> Coronal T1 MRI",
            "<div><b>1</b> · vastus lateralis</div>",
            "<div><b>2</b> · femur</div>",
            "<div><b>3</b> · calcified <em>foci</em></div>",
            "A 61 year old man",
            "Invented for the tests.",
        ):
            assert text in extra
        assert "<b>1</b> · vastus lateralis; femur" in px["Back Extra"]  # type: ignore[index]
        # the image is the figure's own, in the collection's media
        (name,) = re.findall(r'^<img src="([^"]+)">$', mri["Image"])  # type: ignore[index]
        assert (Path(col.media.dir()) / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        # Anki's own reader of these notes (its mask editor's) takes them
        read = col.get_image_occlusion_note(mri.id)  # type: ignore[attr-defined]
        assert read.WhichOneof("value") == "note" and read.note.occlude_inactive
        assert sorted(o.ordinal for o in read.note.occlusions) == [0, 1, 2, 3]


def test_the_occlusion_field_is_what_ankis_own_api_writes(tmp_path: Path) -> None:
    """In one collection: our note, and one Anki makes of the same image and regions with
    ``add_image_occlusion_note``; field by field, and as Anki reads and renders them."""
    apkg = build(content_copy(tmp_path), tmp_path / "dist").deck_path
    with collection(tmp_path / "c.anki2") as col:
        import_apkg(col, apkg)
        ours = occlusion_notes(col)["thigh/figures/mri"]
        stock = col.models.by_name("Image Occlusion")
        assert stock is not None
        col.add_image_occlusion_note(
            notetype_id=stock["id"],
            image_path=str(IMAGE),
            occlusions=ANKI_WRITES_MRI,
            header="<b>A mass in the thigh</b>",
            back_extra=ours["Back Extra"],  # type: ignore[index]
            tags=["thigh"],
        )
        (theirs_id,) = col.find_notes(f"mid:{stock['id']}")
        theirs = col.get_note(theirs_id)
        assert list(theirs.keys()) == list(ours.keys())  # type: ignore[attr-defined]
        for name in PINNED_FIELDS:
            mine, anki = ours[name], theirs[name]  # type: ignore[index]
            if name == "Image":  # the same markup; Anki names the file after the original
                assert re.fullmatch(r'<img src="[^"]+">', mine) and anki == '<img src="thigh.png">'
            elif name == "Comments":
                assert (mine, anki) == ("thigh/figures/mri", "")
            else:
                assert mine == anki, name
        read_ours = col.get_image_occlusion_note(ours.id).note  # type: ignore[attr-defined]
        read_theirs = col.get_image_occlusion_note(theirs_id).note
        assert sorted(map(str, read_ours.occlusions)) == sorted(map(str, read_theirs.occlusions))
        assert read_ours.occlude_inactive == read_theirs.occlude_inactive
        assert read_ours.image_data == read_theirs.image_data  # the deck's copy: same pixels
        for ord_ in range(3):
            mine_card = next(c for c in ours.cards() if c.ord == ord_)  # type: ignore[attr-defined]
            anki_card = next(c for c in theirs.cards() if c.ord == ord_)
            for side in ("question", "answer"):
                hidden = re.compile(r'<div style="display: none">.*?</div>\n', re.S)
                assert (
                    hidden.search(getattr(mine_card, side)()).group()  # type: ignore[union-attr]
                    == hidden.search(getattr(anki_card, side)()).group()  # type: ignore[union-attr]
                )


def test_a_collection_with_ankis_own_image_occlusion_is_left_alone(tmp_path: Path) -> None:
    """The colleague's stock type and their own notes: no '+' copy, nothing of theirs
    changed, on the first import, a re-import, and after Check Database."""
    content = content_copy(tmp_path)
    with collection(tmp_path / "c.anki2") as col:
        stock = col.models.by_name("Image Occlusion")
        assert stock is not None
        col.add_image_occlusion_note(
            notetype_id=stock["id"],
            image_path=str(IMAGE),
            occlusions="{{c1::image-occlusion:rect:left=.2:top=.2:width=.2:height=.2}}<br>",
            header="mine",
            back_extra="",
            tags=["own"],
        )
        (own,) = col.find_notes("tag:own")
        col.fix_integrity()  # the colleague's Check Database stamps their stock type (Anki's own)
        before_note = col.get_note(own)
        before = (before_note.fields, before_note.mod, before_note.mid)
        before_type = _without_times(col.models.get(stock["id"]))
        types_before = {t.name for t in col.models.all_names_and_ids()}

        assert import_apkg(col, build(content, tmp_path / "dist").deck_path).new == 3
        col.fix_integrity()  # it would stamp an IO type whose fields may be deleted
        col.models._clear_cache()
        ours = col.models.get(BY_NAME["occlusion"].notetype_id(DECK))
        assert ours is not None
        lock = json.loads((content / LOCK_FILE).read_text())
        assert ours["mod"] == lock["occlusion"]["mtime"]

        # an edited deck, re-imported: the note type and the note update in place
        path = case_file(content)
        path.write_text(path.read_text().replace("the thigh (a drawing)", "the right thigh"))
        log = import_apkg(col, build(content, tmp_path / "dist").deck_path)
        # the caption is also in the question's case: both notes update, the other is kept
        assert log == ImportLog(new=0, updated=2, duplicate=1, conflicting=0)

        names = {t.name for t in col.models.all_names_and_ids()}
        assert not [n for n in names if n.endswith("+")]
        assert names == types_before | {
            "Image Occlusion (Occlusion features)",
            "Clinical MCQ (Occlusion features)",
        }
        after_note = col.get_note(own)
        assert (after_note.fields, after_note.mod, after_note.mid) == before
        col.models._clear_cache()
        assert _without_times(col.models.get(stock["id"])) == before_type
        assert "right thigh" in occlusion_notes(col)["thigh/figures/mri"]["Back Extra"]  # type: ignore[index]
        # Anki's own "add image occlusion" still picks the stock type first
        assert col.get_image_occlusion_note(own).note.header == "mine"


def _without_times(model: object) -> str:
    data = dict(model)  # type: ignore[call-overload]
    del data["mod"], data["usn"]
    return json.dumps(data, sort_keys=True)


# --- updates ---------------------------------------------------------------------------


def _review_every_card(col: Collection, note: object) -> dict[int, tuple[int, ...]]:
    for card in note.cards():  # type: ignore[attr-defined]
        card.start_timer()
        col.sched.answerCard(card, 3)
    return {
        c.id: (c.type, c.queue, c.due, c.ivl, c.reps)
        for c in (col.get_card(c.id) for c in note.cards())  # type: ignore[attr-defined]
    }


def test_moving_adding_and_removing_regions(tmp_path: Path) -> None:
    content = content_copy(tmp_path)
    path = case_file(content)
    with collection(tmp_path / "c.anki2") as col:
        import_apkg(col, build(content, tmp_path / "dist").deck_path)
        note = occlusion_notes(col)["thigh/figures/mri"]
        reviewed = _review_every_card(col, note)

        # a region moved: one note updated, the same cards, their reviews kept
        path.write_text(
            path.read_text().replace("[0.1, 0.1, 0.3, 0.3333]", "[0.12, 0.1, 0.3, 0.3]")
        )
        result = build(content, tmp_path / "dist")
        assert result.plan is not None and result.plan.refs("updated") == ["thigh/figures/mri"]
        assert import_apkg(col, result.deck_path) == ImportLog(
            new=0, updated=1, duplicate=2, conflicting=0
        )
        moved = occlusion_notes(col)["thigh/figures/mri"]
        assert moved.id == note.id  # type: ignore[attr-defined]
        assert "rect:left=.12:top=.1:width=.3:height=.3:oi=1" in moved["Occlusion"]  # type: ignore[index]
        for cid, state in reviewed.items():
            card = col.get_card(cid)
            assert (card.type, card.queue, card.due, card.ivl, card.reps) == state
            assert col.db.scalar("SELECT count() FROM revlog WHERE cid = ?", cid) == 1

        # a region added: a fourth card on the same note, the others kept
        text = path.read_text()
        path.write_text(
            text.replace(
                "          card: 3\n",
                "          card: 3\n        - label: skin\n          rect: [0, 0, 0.05, 0.05]\n",
                1,
            )
        )
        result = build(content, tmp_path / "dist")
        assert result.plan is not None and result.plan.refs("updated") == ["thigh/figures/mri"]
        assert import_apkg(col, result.deck_path) == ImportLog(
            new=0, updated=1, duplicate=2, conflicting=0
        )
        grown = occlusion_notes(col)["thigh/figures/mri"]
        cards = {c.ord: c for c in grown.cards()}  # type: ignore[attr-defined]
        assert sorted(cards) == [0, 1, 2, 3] and cards[3].reps == 0
        assert {c.id for o, c in cards.items() if o < 3} == set(reviewed)
        assert "<div><b>4</b> · skin</div>" in grown["Back Extra"]  # type: ignore[index]

        # the figure's occlusions removed: its note is retired, as other notes are
        text = path.read_text()
        start = text.index("    occlusions:\n      mode: hide-all")
        end = text.index("  - id: mri-px")
        path.write_text(text[:start] + text[end:])
        result = build(content, tmp_path / "dist")
        assert result.plan is not None and result.plan.refs("retired") == ["thigh/figures/mri"]
        import_apkg(col, result.deck_path)
        retired = occlusion_notes(col)["thigh/figures/mri"]
        assert "retired" in retired.tags  # type: ignore[attr-defined]
        assert "Retired figure." in retired["Header"]  # type: ignore[index]
        assert sorted(c.ord for c in retired.cards()) == [0, 1, 2, 3]  # type: ignore[attr-defined]
        assert all(col.get_card(cid).reps == 1 for cid in reviewed)


def test_a_lock_recovered_from_the_deck_knows_the_occlusion_notes(tmp_path: Path) -> None:
    """The ref is in Comments: a build with --since the deck recovers every note."""
    content = content_copy(tmp_path)
    first = build(content, tmp_path / "dist")
    published = tmp_path / "published.apkg"
    shutil.copy(first.deck_path, published)
    (content / LOCK_FILE).unlink()
    again = build(content, tmp_path / "dist2", since=published)
    assert again.lock_origin == "recovered"
    assert again.plan is None or not again.plan.refs("new")
    lock = json.loads((content / LOCK_FILE).read_text())
    assert lock["notes"]["thigh/figures/mri"]["cards"] == [1, 2, 3]
    assert lock["notes"]["thigh/figures/mri-px"]["cards"] == [1, 3]


# --- what reaches the fields -----------------------------------------------------------


@pytest.mark.parametrize(
    "label",
    [
        "<script>alert(1)</script>femur",
        "[femur](javascript:alert(1))",
        "femur}}<br>{{c9::image-occlusion:rect:left=0:top=0:width=1:height=1",
        "femur:oi=1",
    ],
)
def test_labels_and_captions_never_reach_the_card_as_code(tmp_path: Path, label: str) -> None:
    content = content_copy(tmp_path)
    path = case_file(content)
    quoted = json.dumps(label)
    path.write_text(
        path.read_text()
        .replace(
            "label: femur\n          ellipse: [0.55", f"label: {quoted}\n          ellipse: [0.55"
        )
        .replace('caption: "**Figure 1.**', f"caption: {json.dumps(label + ' **Figure 1.**')[:-1]}")
    )
    result = build(content, tmp_path / "dist")
    with collection(tmp_path / "c.anki2") as col:
        import_apkg(col, result.deck_path)
        note = occlusion_notes(col)["thigh/figures/mri"]
        assert ONLY_SHAPES.fullmatch(note["Occlusion"])  # type: ignore[index]
        assert note["Occlusion"] == ANKI_WRITES_MRI  # type: ignore[index]
        for name in ("Header", "Back Extra", "Comments"):
            text = note[name].lower()  # type: ignore[index]
            assert "<script" not in text and "onerror" not in text and "javascript:" not in text
        assert len(note.cards()) == 3  # type: ignore[attr-defined]


def test_an_image_in_a_label_is_checked_as_any_image(tmp_path: Path) -> None:
    content = content_copy(tmp_path)
    path = case_file(content)
    path.write_text(
        path.read_text().replace("label: femur", "label: <img src=x onerror=alert(1)>", 1)
    )
    with pytest.raises(ContentError) as raised:
        build(content, tmp_path / "dist")
    (problem,) = raised.value.problems
    assert (problem.line, problem.key) == (16, "figures[0].occlusions.regions[1].label")
    assert "'x' is not a supported image type" in problem.message


# --- check -----------------------------------------------------------------------------

SHAPE_MISTAKES = """\
id: thigh
title: A mass in the thigh
case: A mass.
figures:
  - image: thigh.png
    caption: No id.
    occlusions:
      regions:
        - label: a
          rect: [0.1, 0.1, 0.2, 0.2]
  - id: mri
    image: thigh.png
    caption: Shapes.
    occlusions:
      regions:
        - label: ""
          rect: [0.1, 0.1, 0.2, 0.2]
        - label: two shapes
          rect: [0.1, 0.1, 0.1, 0.1]
          ellipse: [0.1, 0.1, 0.1, 0.1]
        - label: words
          rect: [a, 0.1, 0.1, 0.1]
        - label: three
          rect: [0.1, 0.1, 0.1]
        - label: typo
          rectt: [0.1, 0.1, 0.1, 0.1]
        - label: card
          polygon: [[0, 0], [1, 0], [1, 1]]
          card: 0
questions:
  - {id: q, question: Q?, options: {A: a, B: b}, answer: A, critique: C.}
"""

PLACE_MISTAKES = """\
id: thigh
title: A mass in the thigh
case: A mass.
figures:
  - id: mri
    image: thigh.png
    caption: Places.
    occlusions:
      regions:
        - label: outside
          rect: [0.9, 0.1, 0.3, 0.2]
        - label: twice
          rect: [0.5, 0.5, 0.1, 0.1]
        - label: twice again
          rect: [0.5, 0.5, 0.1, 0.1]
        - label: negative
          ellipse: [-0.1, 0.2, 0.1, 0.1]
        - label: line
          polygon: [[0, 0], [0.5, 0.5], [1, 1]]
        - label: flat
          rect: [0.1, 0.1, 0, 0.1]
  - id: px
    image: thigh.png
    caption: Pixels.
    occlusions:
      units: px
      regions:
        - label: past
          rect: [300, 10, 120, 10]
        - label: below
          polygon: [[10, 10], [20, 10], [15, 301]]
  - id: svg
    image: plan.svg
    caption: An SVG without a size.
    occlusions:
      regions:
        - label: a
          rect: [0.1, 0.1, 0.2, 0.2]
  - id: mri
    image: thigh.png
    caption: The same id.
questions:
  - {id: q, question: Q?, options: {A: a, B: b}, answer: A, critique: C.}
"""


def _check(tmp_path: Path, case: str) -> list[str]:
    from tests.support.process import deckbuilder

    tmp_path = tmp_path / str(len(list(tmp_path.iterdir())))
    content = content_copy(tmp_path)
    case_file(content).write_text(case)
    (content / "cases" / "plan.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="5" '
        'height="5"/></svg>'
    )
    run = deckbuilder("check", "content", cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    return run.stderr.splitlines()


def test_check_names_each_mistake_of_shape_at_its_place(tmp_path: Path) -> None:
    where = "content/cases/thigh.yaml"
    assert _check(tmp_path, SHAPE_MISTAKES) == [
        f"{where}:5:5: figures[0]: a figure with 'occlusions' needs 'id' (its note's stable "
        "key and the image it masks)",
        f"{where}:16:18: figures[1].occlusions.regions[0].label: is empty; write the text or "
        "remove the key",
        f"{where}:18:11: figures[1].occlusions.regions[1]: a region needs exactly one shape: "
        "rect, ellipse or polygon (it has rect and ellipse)",
        f"{where}:22:18: figures[1].occlusions.regions[2].rect[0]: expected a number, got the "
        "text 'a'",
        f"{where}:24:17: figures[1].occlusions.regions[3].rect: expected four numbers [left, "
        "top, width, height], got a list",
        f"{where}:26:11: figures[1].occlusions.regions[4].rectt: unknown key 'rectt'; did you "
        "mean 'rect'?",
        f"{where}:29:17: figures[1].occlusions.regions[5].card: expected a card number from 1 "
        "to 100, got the text '0'",
        "error: 7 problems in the content.",
    ]


def test_check_names_each_region_outside_the_image_at_its_number(tmp_path: Path) -> None:
    where = "content/cases/thigh.yaml"
    regions = "figures[0].occlusions.regions"
    # the model's checks come first: a repeated figure id stops the case there
    assert _check(tmp_path, PLACE_MISTAKES) == [
        f"{where}:39:9: figures[3].id: figure id 'mri' is already used by figures[0] of this case",
        "error: 1 problem in the content.",
    ]
    assert _check(
        tmp_path,
        PLACE_MISTAKES.replace(
            "  - id: mri\n    image: thigh.png\n    caption: The same id.\n", ""
        ),
    ) == [
        f"{where}:11:28: {regions}[0].rect[2]: the region reaches past the image's right "
        "edge: left + width is 1.2, more than 1",
        f"{where}:14:11: {regions}[2]: the same region as regions[1]: remove one",
        f"{where}:17:21: {regions}[3].ellipse[0]: -0.1 is outside the image: give a value from "
        "0 to 1",
        f"{where}:19:20: {regions}[4].polygon: the polygon's corners lie on one line: it hides "
        "nothing",
        f"{where}:21:28: {regions}[5].rect[2]: the width must be more than 0",
        f"{where}:29:27: figures[1].occlusions.regions[0].rect[2]: the region reaches past the "
        "image's right edge: left + width is 420, more than 400",
        f"{where}:31:46: figures[1].occlusions.regions[1].polygon[2][1]: 301 is outside the "
        "image: give a value within the image's 400 x 300 pixels",
        f"{where}:33:12: figures[2].image: the size in pixels of 'plan.svg' cannot be read "
        "from the file (an SVG needs 'width' and 'height' in pixels)",
        "error: 8 problems in the content.",
    ]


def test_check_counts_the_occluded_figures(tmp_path: Path) -> None:
    from tests.support.process import deckbuilder

    run = deckbuilder("check", FIXTURE, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.endswith("1 case, 1 question, 2 occluded figures.\n")


def test_inspect_names_the_occlusion_notes_by_their_ref(tmp_path: Path) -> None:
    from tests.support.process import deckbuilder

    apkg = build(content_copy(tmp_path), tmp_path / "dist").deck_path
    run = deckbuilder("inspect", apkg, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    rows = [line.split()[:2] for line in run.stdout.splitlines() if line.startswith("thigh ")]
    assert sorted(rows) == [
        ["thigh", "diagnosis"],
        ["thigh", "figures/mri"],
        ["thigh", "figures/mri-px"],
    ]
    assert "fields Occlusion, Image, Header, Back Extra, Comments" in run.stdout
