"""Our decks in a real Anki from before the current package format.

Anki 2.1.54 (2022) is the last version that imports packages only with the legacy Python
importer, the code every earlier 2.1 version and the older mobile clients follow: it
reads ``collection.anki2`` and nothing else. It runs here for real, from its own wheel in
a virtual environment of its own (it cannot share one with today's ``anki``):

* a deck in the current format is refused before anything is imported, as Anki's own
  current exports are; what it finds in the legacy collection is one note saying where
  the deck can be read;
* a deck built with ``support_older_anki`` imports whole, and a rebuilt one updates in
  place, as in any current Anki.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from deckbuilder import build
from deckbuilder.apkg.writer import NOTICE
from tests.support.helpers import replace_in
from tests.support.paths import DEFAULT_CONTENT, DEFAULT_NOTES, REPO

FEATURES = REPO / "tests" / "fixtures" / "features"
OLD_ANKI = "anki==2.1.54"
# Its generated protobuf code predates protobuf 4; orjson and the rest take any version.
OLD_PINS = ("protobuf>=3.17,<3.21",)

_IMPORT = r"""
import json, sys
import anki.lang
from anki.buildinfo import version
from anki.collection import Collection
from anki.importing.apkg import AnkiPackageImporter

anki.lang.set_lang("en_US")
col = Collection(sys.argv[1])
logs = []
for deck in sys.argv[2:]:
    importer = AnkiPackageImporter(col, deck)
    try:
        importer.run()
    except Exception as exc:  # what the desktop app turns into its message
        logs.append({"error": type(exc).__name__})
    else:
        logs.append(importer.log)
notes = []
for nid in col.find_notes(""):
    note = col.get_note(nid)
    notes.append({"fields": dict(note.items()), "deck": col.decks.name(note.cards()[0].did)})
col.close()
print(json.dumps({"version": version, "logs": logs, "notes": notes}))
"""


@pytest.fixture(scope="module")
def old_anki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Python of a virtual environment holding Anki 2.1.54."""
    venv = tmp_path_factory.mktemp("anki-2.1.54")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--disable-pip-version-check", OLD_ANKI, *OLD_PINS],
        check=True,
        timeout=600,
    )
    return python


def _import(python: Path, col: Path, *decks: Path) -> dict:
    done = subprocess.run(
        [python, "-c", _IMPORT, str(col), *map(str, decks)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(col.parent)},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_older_anki_refuses_a_current_format_deck_and_imports_nothing(
    old_anki: Path, tmp_path: Path
) -> None:
    """As with Anki's own current exports: the media list is not the JSON it expects, so
    it stops before the collection (the desktop app then says "Unable to read file. It
    probably requires a newer version of Anki to import.") and nothing is half-imported."""
    deck = build(_content(tmp_path), tmp_path / "dist").deck_path
    seen = _import(old_anki, tmp_path / "old.anki2", deck)
    assert seen["version"] == "2.1.54"
    assert seen["logs"] == [{"error": "MediaMapInvalid"}]
    assert seen["notes"] == []


def test_tools_that_read_only_the_legacy_collection_find_the_notice(
    old_anki: Path, tmp_path: Path
) -> None:
    """What a reader of ``collection.anki2`` alone (a converter, an older client that
    skips the media list) finds there: the one note saying where the deck can be read,
    in Default."""
    decks = [
        build(_content(tmp_path), tmp_path / "dist").deck_path,
        build(shutil.copytree(FEATURES, tmp_path / "features"), tmp_path / "f").deck_path,
    ]
    notices = set()
    for deck in decks:
        with zipfile.ZipFile(deck) as zf:
            notices.add(zf.read("collection.anki2"))
    assert len(notices) == 1  # the same bytes in every deck
    legacy_view = tmp_path / "legacy-view.apkg"
    with zipfile.ZipFile(legacy_view, "w") as out:
        out.writestr("collection.anki2", notices.pop())
        out.writestr("media", "{}")
    seen = _import(old_anki, tmp_path / "old.anki2", legacy_view, legacy_view)
    assert seen["notes"] == [{"fields": {"Front": NOTICE, "Back": ""}, "deck": "Default"}]


def test_support_older_anki_decks_import_and_update_in_older_anki(
    old_anki: Path, tmp_path: Path
) -> None:
    content = _content(tmp_path)
    with (content / "deck.yaml").open("a", encoding="utf-8") as fh:
        fh.write("support_older_anki: true\n")
    first = build(content, tmp_path / "v1").deck_path
    replace_in(content / "cases" / "alt-thigh.yaml", "C: RT alone", "C: RT only")
    second = build(content, tmp_path / "v2").deck_path
    seen = _import(old_anki, tmp_path / "old.anki2", first, second)
    assert len(seen["notes"]) == DEFAULT_NOTES
    assert {n["deck"] for n in seen["notes"]} == {"Clinical Quiz"}
    refs = sorted(n["fields"]["Ref"] for n in seen["notes"])
    assert len(set(refs)) == DEFAULT_NOTES  # updated in place, nothing duplicated
    (treatment,) = [n for n in seen["notes"] if n["fields"]["Ref"] == "alt-thigh/treatment"]
    assert "RT only" in treatment["fields"]["Options"]
    assert "RT alone" not in json.dumps(seen["notes"])


def _content(tmp_path: Path) -> Path:
    return Path(shutil.copytree(DEFAULT_CONTENT, tmp_path / "content"))
