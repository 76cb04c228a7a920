"""Write the generated pages of the docs: the CLI reference from the app's own ``--help``
and the format reference from the shipped JSON Schemas.

    .venv/bin/python docs/gen.py          # rewrite docs/reference/{cli,format}.md
    .venv/bin/python docs/gen.py --check  # exit 1, naming the stale pages

Run it with the project's virtual environment: the CLI reference runs the
``deckbuilder`` console script beside that Python.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SCHEMAS = REPO / "deckbuilder" / "authoring" / "schemas"
CLI_PAGE = REPO / "docs" / "reference" / "cli.md"
FORMAT_PAGE = REPO / "docs" / "reference" / "format.md"
REGENERATE = ".venv/bin/python docs/gen.py"
# A fixed width and no colour, so that the help reads the same on every terminal.
HELP_ENV = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb", "LC_ALL": "C.UTF-8"}
ID_PATTERN = "^[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?$"
LETTER_PATTERN = "^[A-Z]$"


# --- CLI reference --------------------------------------------------------------------


def _console_script() -> str:
    found = shutil.which("deckbuilder", path=str(Path(sys.executable).parent))
    if found is None:
        raise SystemExit(f"no deckbuilder console script beside {sys.executable}")
    return found


def _command_paths() -> list[tuple[str, ...]]:
    """Every command and group of the app, in the order ``--help`` lists them."""
    import typer

    sys.path.insert(0, str(REPO))
    from deckbuilder.cli import app

    paths: list[tuple[str, ...]] = []

    def walk(command: Any, path: tuple[str, ...]) -> None:
        paths.append(path)
        if hasattr(command, "list_commands"):  # a group (typer vendors its own click)
            ctx = typer.Context(command)
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is not None and not sub.hidden:
                    walk(sub, (*path, name))

    walk(typer.main.get_command(app), ())
    return paths


def _help(script: str, path: tuple[str, ...]) -> str:
    env = {**os.environ, **HELP_ENV}
    run = subprocess.run(
        [script, *path, "--help"], capture_output=True, text=True, env=env, check=True
    )
    return run.stdout.rstrip() + "\n"


def cli_page() -> str:
    script = _console_script()
    parts = [
        "# CLI reference\n",
        "Every command's `--help`, exactly as the app prints it. This page is generated:"
        f" after changing a command, run `{REGENERATE}` (a test fails while it is stale).\n",
    ]
    for path in _command_paths():
        title = " ".join(("deckbuilder", *path))
        parts.append(f"## {title}\n\n```text\n{_help(script, path)}```\n")
    return "\n".join(parts)


# --- format reference -----------------------------------------------------------------


def _text_type(schema: dict[str, Any]) -> str:
    pattern = schema.get("pattern")
    if pattern == ID_PATTERN:
        return "id"
    if pattern == LETTER_PATTERN:
        return "letter"
    if pattern == '^[^\\s\\"]+$':
        return "tag"
    return "text"


def _type(schema: dict[str, Any], refs: dict[str, str]) -> str:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f"[{name.lower()}](#{refs[name]})"
    if "anyOf" in schema:
        kinds = [s for s in schema["anyOf"] if s.get("type") != "null"]
        return " or ".join(_type(s, refs) for s in kinds)
    if "oneOf" in schema:
        return " or ".join(_type(s, refs) for s in schema["oneOf"])
    if "if" in schema:  # a question: statements with 'kind', else multiple choice
        return f"{_type(schema['else'], refs)} or, with `kind`, {_type(schema['then'], refs)}"
    if "enum" in schema:
        return " or ".join(f"`{v}`" for v in schema["enum"])
    kind = schema.get("type")
    if kind == "boolean":
        return "`true` or `false`"
    if kind == "string":
        return _text_type(schema)
    if kind == "integer":
        return f"whole number from {schema['minimum']} to {schema['maximum']}"
    if kind == "number":
        return "number"
    if kind == "array" and "title" in schema:
        return schema["title"]
    if kind == "array":
        least = f", at least {schema['minItems']}" if "minItems" in schema else ""
        if "minItems" in schema and schema.get("maxItems") == schema["minItems"]:
            least = f", exactly {schema['minItems']}"
        unique = ", no repeats" if schema.get("uniqueItems") else ""
        return f"list of {_plural(_type(schema['items'], refs))}{least}{unique}"
    if kind == "object" and "patternProperties" in schema:
        ((key, value),) = schema["patternProperties"].items()
        least = f", at least {schema['minProperties']}" if "minProperties" in schema else ""
        key_type = _text_type({"pattern": key})
        return f"{key_type} → {_type(value, refs)}, one per line{least}"
    if kind == "object" and "title" in schema:
        return schema["title"].lower()
    raise ValueError(f"no wording for the schema {schema}")


def _plural(words: str) -> str:
    if words.startswith("[") or " or " in words:
        return words
    return words + "s"


def _default(schema: dict[str, Any]) -> str:
    if "default" not in schema or schema["default"] in (None, ""):
        return ""
    return f"`{json.dumps(schema['default'])}`"


def _table(schema: dict[str, Any], refs: dict[str, str]) -> str:
    required = list(schema.get("required", []))
    names = required + sorted(k for k in schema["properties"] if k not in required)
    rows = ["| key | | value | default | what it is |", "|---|---|---|---|---|"]
    for name in names:
        prop = schema["properties"][name]
        need = "required" if name in required else "optional"
        description = prop.get("description", "").replace("|", "\\|")
        rows.append(
            f"| `{name}` | {need} | {_type(prop, refs)} | {_default(prop)} | {description} |"
        )
    return "\n".join(rows) + "\n"


def _object_of(items: dict[str, Any]) -> dict[str, Any] | None:
    """The mapping form of a list's items (facts are a text or a mapping)."""
    for choice in items.get("oneOf", [items]):
        if choice.get("type") == "object" and "properties" in choice:
            return choice
    return None


def format_page() -> str:
    deck = json.loads((SCHEMAS / "deck.schema.json").read_text(encoding="utf-8"))
    case = json.loads((SCHEMAS / "case.schema.json").read_text(encoding="utf-8"))
    definitions = {**deck.get("$defs", {}), **case.get("$defs", {})}
    refs = {name: name.lower() for name in definitions}
    parts = [
        "# Format reference\n",
        "Every key of the two kinds of content file, generated from the JSON Schemas that"
        " `deckbuilder schema` writes for editors (`deckbuilder/authoring/schemas/`), which"
        " are themselves generated from the models the loader validates with. After"
        f" changing the format, run `{REGENERATE}` (a test fails while this page is stale)."
        " [Writing content](../writing-content.md) shows both files in full and the rules"
        " behind them.\n",
        "Every value is text: *text* is any text (Markdown where the description says so)"
        " that is not blank; an *id* is a stable key of 1 to 64 lower-case letters, digits,"
        " `-` or `_`, starting and ending with a letter or digit; a *letter* is one capital"
        ' letter; a *tag* has no blanks or `"`.\n',
        f"## The deck file: deck.yaml\n\n{deck['description']}\n\n{_table(deck, refs)}",
        f"## A case file\n\n{case['description']}\n\n{_table(case, refs)}",
    ]
    for name, definition in sorted(definitions.items()):
        parts.append(f"## {name}\n\n{definition['description']}\n\n{_table(definition, refs)}")
    for name, prop in sorted(case["properties"].items()):
        items = prop.get("items", {})
        mapping = _object_of(items)
        if mapping is None or "$ref" in items:
            continue
        alone = [c for c in items.get("oneOf", []) if c is not mapping]
        lead = mapping["description"]
        if alone:
            lead += " " + " ".join(
                f"Written as {_type(c, refs)} alone, it is the `text` key." for c in alone
            )
        parts.append(
            f"## {mapping['title']}\n\nAn item of `{name}`. {lead}\n\n{_table(mapping, refs)}"
        )
    return "\n".join(parts)


# --- writing and checking -------------------------------------------------------------


def pages() -> dict[Path, str]:
    return {CLI_PAGE: cli_page(), FORMAT_PAGE: format_page()}


def main(argv: list[str]) -> int:
    check = argv == ["--check"]
    if argv and not check:
        print(__doc__, file=sys.stderr)
        return 2
    stale = []
    for path, text in pages().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(path.relative_to(REPO))
        if not check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if check and stale:
        names = ", ".join(str(p) for p in stale)
        print(f"stale: {names}; run: {REGENERATE}", file=sys.stderr)
        return 1
    for path in stale:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
