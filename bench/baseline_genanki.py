"""The baseline: the same notes written with bare genanki (``Package.write_to_file``).

Reads the notes' rendered fields from a JSON file (prepared by ``bench/run.py`` from
deckbuilder's own rendering, so both write identical notes) and writes a deck the way
most genanki scripts do. Run as its own process, so start-up counts as it does for
``deckbuilder build``.
"""

from __future__ import annotations

import json
import sys


def main(notes_json: str, media_json: str, out: str) -> None:
    import genanki

    data = json.loads(open(notes_json, encoding="utf-8").read())  # noqa: SIM115
    models = genanki_models(data["models"])
    deck = genanki.Deck(data["deck_id"], data["deck_name"])
    for note in data["notes"]:
        deck.add_note(
            genanki.Note(
                model=models[note["kind"]],
                fields=note["fields"],
                guid=note["guid"],
                tags=note["tags"],
            )
        )
    media = json.loads(open(media_json, encoding="utf-8").read())  # noqa: SIM115
    genanki.Package(deck, media_files=media).write_to_file(out)


def genanki_models(specs: dict) -> dict:
    """The note types as genanki models, by kind, from their specs in the notes file
    (both baselines write the same note types)."""
    import genanki

    return {
        kind: genanki.Model(
            m["id"],
            m["name"],
            fields=[{"name": name} for name in m["fields"]],
            templates=[{"name": m["template"], "qfmt": m["front"], "afmt": m["back"]}],
            css=m["css"],
            model_type=genanki.Model.CLOZE if m["cloze"] else genanki.Model.FRONT_BACK,
        )
        for kind, m in specs.items()
    }


if __name__ == "__main__":
    main(*sys.argv[1:4])
