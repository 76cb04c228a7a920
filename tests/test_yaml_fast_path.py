"""The fast YAML path (rapidyaml) must read exactly what the careful path (libyaml) reads.

Whenever it is not sure, it must step aside (return None); whenever it answers, the
answer must equal the careful parse. Checked on every content file of the project, the
whole catalogue of malformed input, hand-picked edge cases, and random documents.
"""

from __future__ import annotations

import string
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from deckbuilder.content.yamlfile import fast_mapping, parse_yaml
from tests.conftest import REPO

FILES = sorted(
    p for p in REPO.glob("**/*.yaml") if ".venv" not in p.parts and "screenshots" not in p.parts
)

EDGE_CASES = [
    "a: 007",
    "a: 1e3",
    "a: .5",
    "a: +1",
    "a: 0x1F",
    "a: 1_000",
    "a: true",
    "a: no",
    "a: Yes",
    "a: null",
    "a: ~",
    "a:",
    "a: ''",
    "g: &x v\nh: *x",
    "i: !!str x",
    "j: !foo x",
    "k: 1\nk: 2",
    "l: |-\n  x\n  y\n",
    "l: |+\n  x\n\n",
    "m: >\n  a\n  b\n",
    'n: "\\x1f\\u00e9\\t\\\\"',
    "o: 'it''s'",
    "p: a\n  b",
    "q: {a: b}",
    "r: [a, b]",
    "---\na: b\n---\nc: d",
    "---\na: b\n",
    "",
    "only",
    "- a\n- b",
    'a: "x\\ny"',
    "a: H&E x 200",
    "a: *emph*",
    "a: '*emph*'",
    "a: b # comment",
    "a: 'b # no comment'",
    "a:\n  - x\n  - y: z\n",
    'a: "\\u2028"',
    "a: x\u2028y",
    "a: x\r\n",
    "\ta: b",
    "a: [unclosed",
    "a: b: c",
    "? [a]\n: b",
    'a: "multi\n  line"',
    "a: 'multi\n\n  line'",
    "a: |\n  keep  \n   indent\n",
    "a: >-\n  folded\n\n  para\n",
    "é: ü",
    "a: 😀",
]


def _agrees(text: str) -> None:
    fast = fast_mapping(text.encode("utf-8"))
    if fast is not None:
        assert fast == parse_yaml(text).data, text


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_yaml_file_of_the_project(path: Path) -> None:
    _agrees(path.read_text(encoding="utf-8"))


def test_the_default_content_takes_the_fast_path() -> None:
    """Otherwise the speed-up would silently not apply."""
    case = REPO / "content" / "cases" / "alt-thigh.yaml"
    assert fast_mapping(case.read_bytes()) is not None


@pytest.mark.parametrize("text", EDGE_CASES)
def test_edge_cases(text: str) -> None:
    _agrees(text)


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
_key = st.text(string.ascii_letters + string.digits + "_-", min_size=1, max_size=8)
_tree = st.recursive(
    _text,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(_key, children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(_key, _tree, min_size=1, max_size=5),
    st.sampled_from([None, '"', "'", "|", ">"]),
    st.booleans(),
)
def test_random_documents(data: dict, style: str | None, flow: bool) -> None:
    text = yaml.safe_dump(
        data, allow_unicode=True, default_style=style, default_flow_style=flow, width=40
    )
    _agrees(text)


_around = st.sampled_from(
    [
        ("", ""),
        ("a: ", ""),
        ("- ", ""),
        ("? ", ""),
        ("--- ", ""),
        ("a:\n  ", ""),
        ("- - ", ""),
        ("[x, ", "]"),
        ("{k: ", "}"),
        ("a: [\n  ", "]"),
        ("[", ", y]"),
    ]
)
_property = st.sampled_from(["&p ", "*p", "!!str ", "!t ", "&p !!str ", "!t &p "])
_gap = st.text(" \t", max_size=3)
_word = st.text(string.ascii_letters + " *&!", max_size=10)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_around, _gap, _property, _word), min_size=1, max_size=4))
def test_the_property_precheck_never_misses_one(
    lines: list[tuple[tuple[str, str], str, str, str]],
) -> None:
    """Whenever the parser finds an anchor, alias or tag, the cheap check said "maybe"."""
    from deckbuilder.content.yamlfile import _may_have_properties, _rapidyaml

    ryml = _rapidyaml()
    raw = "\n".join(b + g + p + w + a for (b, a), g, p, w in lines).encode()
    try:
        tree = ryml.parse_in_arena(raw)
    except Exception:  # not YAML at all: the fast path gives up anyway
        return
    special = ryml.KEYANCH | ryml.VALANCH | ryml.KEYREF | ryml.VALREF | ryml.KEYTAG | ryml.VALTAG
    if any(tree.type_has_any(node, special) for node in range(tree.size())):
        assert _may_have_properties(raw), raw
