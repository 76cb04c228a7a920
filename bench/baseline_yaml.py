"""The second baseline: a bare genanki script that reads the same YAML files itself.

What an author would write without deckbuilder, done fast: each case file loaded with
PyYAML's libyaml loader (``CSafeLoader``, far faster than ``yaml.safe_load``),
Markdown to HTML with the same renderer (pyromark), one genanki note per question and per
fact with the same note types and fields, the figures as media, and
``Package.write_to_file``. It validates nothing, sanitises nothing, scans nothing for
patient identifiers, keeps no lock and reports no problem at its line: the cost of those is
what the ratio against it shows. Run as its own process, so start-up counts as it does for
``deckbuilder build``.

    python bench/baseline_yaml.py CONTENT MODELS_JSON OUT
"""

from __future__ import annotations

import html
import json
import sys
from pathlib import Path


def main(content: str, models_json: str, out: str) -> None:
    import genanki
    import pyromark
    import yaml
    from baseline_genanki import genanki_models  # beside this file: the same note types

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    flags = pyromark.Options.ENABLE_TABLES | pyromark.Options.ENABLE_STRIKETHROUGH

    def md(text: object) -> str:
        return pyromark.html(str(text or ""), options=flags)

    root = Path(content)
    deck_data = yaml.load((root / "deck.yaml").read_text(encoding="utf-8"), loader)
    spec = json.loads(Path(models_json).read_text(encoding="utf-8"))
    models = genanki_models(spec["models"])
    deck = genanki.Deck(spec["deck_id"], deck_data["name"])

    def add(kind: str, fields: dict[str, str], ref: str, tags: list[str]) -> None:
        model = models[kind]
        deck.add_note(
            genanki.Note(
                model=model,
                fields=[fields.get(f["name"], "") for f in model.fields],
                guid=genanki.guid_for(spec["deck_id"], ref),
                tags=tags,
            )
        )

    media: dict[Path, None] = {}
    for path in sorted((root / "cases").rglob("*.yaml")):
        case = yaml.load(path.read_text(encoding="utf-8"), loader)
        figures = []
        for figure in case.get("figures") or []:
            shown = ""
            if figure.get("image"):
                image = (path.parent / figure["image"]).resolve()
                media[image] = None
                shown = f'<img src="{html.escape(image.name)}">'
            figures.append(shown + md(figure.get("caption")))
        shared = {
            "Case": md(case.get("case")),
            "Source": md(case.get("source")),
            "Title": html.escape(str(case.get("title", ""))),
        }
        tags = [str(t) for t in case.get("tags") or []]
        for q in case.get("questions") or []:
            options = "".join(
                f"<li data-letter='{letter}'>{md(text)}</li>"
                for letter, text in (q.get("options") or {}).items()
            )
            ref = f"{case['id']}/{q['id']}"
            fields = {
                **shared,
                "Question": md(q.get("question")),
                "Options": f"<ol>{options}</ol>",
                "Answer": str(q.get("answer", "")),
                "Critique": md(q.get("critique")),
                "Discussion": md(case.get("discussion")),
                "Figures": "".join(figures),
                "Ref": ref,
            }
            add("mcq", fields, ref, tags)
        for fact in case.get("facts") or []:
            ref = f"{case['id']}/facts/{fact['id']}"
            fields = {**shared, "Text": md(fact.get("text")), "Extra": "", "Ref": ref}
            add("cloze", fields, ref, tags)
    genanki.Package(deck, media_files=[str(m) for m in media]).write_to_file(out)


if __name__ == "__main__":
    main(*sys.argv[1:4])
