"""Write a synthetic content folder: N cases x 5 questions and 2 facts, Markdown, a few
shared images.

Used by ``bench/run.py``; also importable by tests. The text is deterministic (seeded),
varied enough not to compress unrealistically well, and uses the Markdown an author
would: emphasis, lists, a table, sub/superscript, figures.
"""

from __future__ import annotations

import random
import struct
import zlib
from pathlib import Path

WORDS = [
    "patient",
    "presented",
    "with",
    "mass",
    "thigh",
    "tumour",
    "lipomatous",
    "atypical",
    "biopsy",
    "showed",
    "spindle",
    "cell",
    "sarcoma",
    "grade",
    "margin",
    "excision",
    "recurrence",
    "metastasis",
    "imaging",
    "calcified",
    "septa",
    "adipocytic",
    "dedifferentiation",
    "surveillance",
    "radiotherapy",
    "prognosis",
    "relapse",
    "histology",
    "immunohistochemistry",
    "positive",
    "negative",
    "expression",
    "nuclear",
    "cytoplasm",
    "extremity",
    "trunk",
    "retroperitoneal",
    "lesion",
    "follow-up",
    "years",
    "months",
    "pain",
    "swelling",
    "palpable",
    "painless",
]


def png(seed: int, size: int = 32) -> bytes:
    rng = random.Random(seed)
    rows = b"".join(
        b"\x00" + bytes(rng.randrange(256) for _ in range(size * 3)) for _ in range(size)
    )

    def chunk(tag: bytes, data: bytes) -> bytes:
        body = tag + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    words[0] = words[0].capitalize()
    if rng.random() < 0.3:
        i = rng.randrange(len(words))
        words[i] = f"*{words[i]}*"
    return " ".join(words) + "."


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng, rng.randint(8, 18)) for _ in range(sentences))


NOTES_PER_CASE = 5 + 2  # generate()'s default questions and facts


def generate(
    root: Path, cases: int, questions: int = 5, facts: int = 2, images: int = 4, seed: int = 1
) -> Path:
    """Create ``root`` with deck.yaml, ``cases`` case files and ``images`` shared images."""
    rng = random.Random(seed)
    (root / "cases").mkdir(parents=True, exist_ok=True)
    (root / "images").mkdir(exist_ok=True)
    for i in range(images):
        (root / "images" / f"fig{i}.png").write_bytes(png(i))
    (root / "deck.yaml").write_text(
        "name: Benchmark::Synthetic\nid: bench-deck\ndescription: Synthetic deck.\n",
        encoding="utf-8",
    )
    for c in range(cases):
        lines = [
            f"id: case-{c:06d}",
            f"title: {_q(_sentence(rng, 6))}",
            "case: |",
            *(f"  {p}\n" for p in (_paragraph(rng, 5), _paragraph(rng, 4))),
            f"  - Na<sup>+</sup> {rng.randint(130, 150)} mmol/l",
            f"  - H<sub>2</sub>O intake {rng.randint(1, 3)} l",
            "",
            "  | Test | Value |",
            "  |------|-------|",
            f"  | CRP  | {rng.randint(1, 200)} |",
            "discussion: |",
            f"  {_paragraph(rng, 6)}",
            f"source: '*Synthetic Journal* {2000 + c % 25}'",
            "tags: [synthetic]",
            "figures:",
            f"  - caption: '**Figure 1.** {_sentence(rng, 10)}'",
            f"    image: ../images/fig{c % images}.png",
            "questions:",
        ]
        for q in range(questions):
            lines += [
                f"  - id: q{q + 1}",
                f"    question: {_q(_sentence(rng, 12)[:-1] + '?')}",
                "    options:",
                *(f"      {letter}: {_q(_sentence(rng, rng.randint(3, 9)))}" for letter in "ABCDE"),
                f"    answer: {rng.choice('ABCDE')}",
                "    critique: |",
                f"      {_paragraph(rng, 3)}",
            ]
        lines.append("facts:")
        for f in range(facts):
            words = _sentence(rng, 14)[:-1].split()
            words[3] = "{{c1::" + words[3] + "}}"
            words[9] = "{{c2::" + str(rng.randint(2, 99)) + "%}}"
            lines += [f"  - id: f{f + 1}", f"    text: {_q(' '.join(words) + '.')}"]
        (root / "cases" / f"case-{c:06d}.yaml").write_text(
            "\n".join(lines) + "\n", encoding="utf-8"
        )
    return root


SEED_CASE = Path(__file__).resolve().parent.parent / "content" / "cases" / "alt-thigh.yaml"


def generate_repetitive(root: Path, cases: int) -> Path:
    """Create ``root`` with ``cases`` cases made from the seed case with small changes —
    an age, a size, a title's number, a fifth question from the fourth — the way a
    series of similar cases repeats itself. Compresses far better than :func:`generate`'s
    text, which is what shows how much the deflate level matters."""
    (root / "cases").mkdir(parents=True, exist_ok=True)
    (root / "deck.yaml").write_text(
        "name: Benchmark::Repetitive\nid: bench-deck\ndescription: Repetitive deck.\n",
        encoding="utf-8",
    )
    seed = SEED_CASE.read_text(encoding="utf-8")
    questions_end = seed.index("\n# Key facts")
    fifth = seed[seed.index("  - id: surveillance") : questions_end]
    fifth = fifth.replace("id: surveillance", "id: fifth")
    seed = seed[:questions_end] + "\n" + fifth + seed[questions_end:]
    for c in range(cases):
        text = (
            seed.replace("id: alt-thigh", f"id: case-{c:06d}")
            .replace("a 6 year follow-up study", f"a {c % 9 + 2} year follow-up study (#{c})")
            .replace("A 69 year old male", f"A {40 + c % 50} year old male")
            .replace("20x15x28cm", f"{10 + c % 20}x15x28cm")
        )
        (root / "cases" / f"case-{c:06d}.yaml").write_text(text, encoding="utf-8")
    return root
