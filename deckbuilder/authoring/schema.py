"""JSON Schemas of the content format, for editors.

Generated from the same pydantic models the loader validates with
(:mod:`deckbuilder.content.model`), never written by hand; the generated files ship in
``deckbuilder/schemas/`` and a test checks they are current. YAML editors (VS Code's
YAML extension, JetBrains IDEs, Helix and others using yaml-language-server) then
complete keys and underline mistakes as you type, through the comment
``# yaml-language-server: $schema=<path>`` at the top of each content file.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

SCHEMA_FOLDER = ".schema"  # inside the content folder; hidden, so never read as content
FILES = {"deck": "deck.schema.json", "case": "case.schema.json"}


def generate() -> dict[str, dict[str, Any]]:
    """The schemas, freshly generated from the models."""
    from deckbuilder.content.model import Case, Deck

    out = {}
    for kind, model in (("deck", Deck), ("case", Case)):
        schema = model.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["title"] = f"deckbuilder {kind} file"
        out[kind] = schema
    return out


def dumps(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def shipped(kind: str) -> str:
    """The schema file as shipped in the package."""
    return resources.files("deckbuilder.authoring.schemas").joinpath(FILES[kind]).read_text("utf-8")


def write_schemas(folder: Path) -> list[Path]:
    """Write both schemas into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for kind in FILES:
        path = folder / FILES[kind]
        path.write_text(shipped(kind), encoding="utf-8")
        paths.append(path)
    return paths


def modeline(kind: str, file: Path, content_root: Path) -> str:
    """The comment that points an editor at the schema, relative to ``file``."""
    import os

    target = content_root / SCHEMA_FOLDER / FILES[kind]
    rel = os.path.relpath(target, file.parent).replace(os.sep, "/")
    return f"# yaml-language-server: $schema={rel}"


def regenerate_shipped() -> None:
    """For developers: rewrite the shipped schemas after changing the models
    (``python -m deckbuilder.authoring.schema``); tests fail until this is done."""
    folder = Path(str(resources.files("deckbuilder.authoring.schemas")))
    for kind, schema in generate().items():
        (folder / FILES[kind]).write_text(dumps(schema), encoding="utf-8")


if __name__ == "__main__":
    regenerate_shipped()
