"""The self-check: the written YAML must read back as exactly the values meant.

A mismatch is a bug in the writer; it is reported as one, with nothing written.
"""

from __future__ import annotations

from typing import Any

from deckbuilder.authoring.importtext.article import ParsedQuiz
from deckbuilder.authoring.importtext.casefile import written_values
from deckbuilder.errors import ImportCheckError


def self_check(content: str, quiz: ParsedQuiz) -> dict[str, Any]:
    """The written YAML must read back as exactly the values meant (line wrapping aside).
    Returns it as read back: the values the build will read, wrapped as written.

    Not an ``assert``: it must hold with ``python -O`` too, and a failure is a bug in
    import-text that the user should see as one clear message, with nothing written.
    """
    from deckbuilder.content.yamlfile import parse_yaml

    doc = parse_yaml(content)
    meant = _comparable(written_values(quiz))
    if doc.problems or not isinstance(doc.data, dict):
        where = "; ".join(p.message for p in doc.problems) or "not a mapping"
        raise ImportCheckError(_internal(f"the case file is not valid YAML ({where})"))
    read = _comparable(doc.data)
    if read != meant:
        raise ImportCheckError(
            _internal(f"{_first_difference(meant, read)} reads back differently")
        )
    if _key_order(read) != _key_order(meant):  # options A, B, C must stay in that order
        raise ImportCheckError(_internal("the order of keys reads back differently"))
    return doc.data


def _internal(what: str) -> str:
    return (
        f"internal error in import-text: {what}; nothing was written. This is a bug in "
        "deckbuilder: please report it with the article"
    )


def _comparable(value: Any) -> Any:
    """Values with each paragraph's whitespace collapsed (a ``|`` block wraps lines)."""
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    if isinstance(value, str):
        return "\n\n".join(" ".join(p.split()) for p in value.split("\n\n") if p.strip())
    return value


def _key_order(value: Any) -> Any:
    """The keys of every mapping, in order (dicts compare equal in any order)."""
    if isinstance(value, dict):
        return [(k, _key_order(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_key_order(v) for v in value]
    return None


def _first_difference(meant: Any, read: Any, path: str = "") -> str:
    """The key path of the first value that differs, for the error message."""
    if isinstance(meant, dict) and isinstance(read, dict):
        for key in [*meant, *(k for k in read if k not in meant)]:
            if meant.get(key) != read.get(key):
                sub = f"{path}.{key}" if path else str(key)
                return _first_difference(meant.get(key), read.get(key), sub)
    if isinstance(meant, list) and isinstance(read, list) and len(meant) == len(read):
        for i, (m, r) in enumerate(zip(meant, read, strict=True)):
            if m != r:
                return _first_difference(m, r, f"{path}[{i}]")
    return path or "the file"
