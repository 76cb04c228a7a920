"""Issue 12: a shared deck is trusted code; nothing a contributor writes may run in it.

Hostile payloads in every text field, the deck file and the lock, as a contributor who
wants to run script on colleagues' devices would write them:

* those that are neutralised go into one deck, which is imported with the ``anki``
  package and every card of it shown, front and back, **in the real Anki desktop app**:
  once MathJax has typeset each side, the card's DOM must hold no ``javascript:``,
  ``data:`` or ``vbscript:`` URL, no ``on*`` attribute, no element loading anything
  from outside the collection, no script but the card's own, no audio; Anki must find
  no sound or TTS tag; the deck description in the overview must hold no remote URL;
  the same audit holds for every side loaded as a page of its own in Chromium at phone
  size, as AnkiDroid shows them, and in WebKit at iPhone size (AnkiMobile's engine);
* those that must be refused give exit 1 with ``file:line:col`` and the reason, from a
  real ``deckbuilder`` process, and write nothing.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from deckbuilder import build
from tests.support.ankiengine import collection, import_apkg
from tests.support.cardaudit import AUDIT, audit_in_chromium, engine_sides
from tests.support.desktop import (
    CardPlan,
    Eval,
    ShowAnswer,
    ShowQuestion,
    run_anki_desktop,
    skip_or_fail_if_unavailable,
)
from tests.support.helpers import SMALL_CASE, snapshot
from tests.support.paths import REPO
from tests.support.process import deckbuilder

FIXTURES = REPO / "tests" / "fixtures"


@dataclass(frozen=True)
class Payload:
    name: str
    field: str  # a case key, "question", "option", "critique", "caption", "fact", "statement"
    text: str


# --- payloads a build neutralises ---------------------------------------------------------

NEUTRALISED = [
    Payload("script-tag", "case", "<script>document.body.innerHTML='pwned'</script> text"),
    Payload("img-onerror", "question", 'Q <img src="red.png" onerror="alert(1)">'),
    Payload("markdown-js-link", "critique", "[click](javascript:alert(1))"),
    Payload("html-js-link", "option", '<a href="javascript:alert(1)">a</a>'),
    Payload("js-link-spaces", "option", '<a href="  javascript:alert(1)">a</a>'),
    Payload("js-link-tab", "critique", '<a href="java\tscript:alert(1)">x</a>'),
    Payload("js-link-entity", "critique", '<a href="javascript&#58;alert(1)">x</a>'),
    Payload("data-link", "critique", '<a href="data:text/html,<script>alert(1)</script>">x</a>'),
    Payload("vbscript-link", "discussion", '<a href="vbscript:msgbox(1)">x</a>'),
    Payload("iframe", "discussion", '<iframe src="https://evil.test/"></iframe>'),
    Payload("svg-onload", "title", "T <svg onload=alert(1)>"),
    Payload("svg-use", "case", '<svg><use href="data:image/svg+xml,<svg/>#x"/></svg>'),
    Payload("style-url", "case", "<style>body{background:url(https://evil.test/x)}</style>x"),
    Payload("style-attr", "case", '<div style="background:url(https://evil.test/x)">x</div>'),
    Payload("object", "case", '<object data="https://evil.test/x"></object>x'),
    Payload("embed", "case", '<embed src="https://evil.test/x">x'),
    Payload("form", "case", '<form action="javascript:alert(1)"><button>go</button></form>'),
    Payload("link-stylesheet", "case", '<link rel="stylesheet" href="https://evil.test/x">x'),
    Payload("meta-refresh", "case", '<meta http-equiv="refresh" content="0;url=https://e.test">'),
    Payload("base", "case", '<base href="https://evil.test/">x'),
    Payload("audio", "case", '<audio src="x.mp3" autoplay></audio>x'),
    Payload("video", "case", '<video src="x.mp4" autoplay></video>x'),
    Payload("srcset", "critique", '<img src="red.png" srcset="https://evil.test/x 1x">'),
    Payload("details-ontoggle", "critique", "<details open ontoggle=alert(1)>x</details>"),
    Payload("input-autofocus", "critique", "<input autofocus onfocus=alert(1)>"),
    Payload("nested-script", "critique", "<scr<script>ipt>alert(1)</scr</script>ipt>"),
    Payload("unclosed-img", "critique", "<img src=red.png onerror=alert(1)//"),
    Payload("mathml", "critique", "<math><mtext><script>alert(1)</script></mtext></math>"),
    Payload(
        "noscript-mutation",
        "critique",
        '<noscript><p title="</noscript><img src=red.png onerror=alert(1)>">',
    ),
    Payload("table-background", "case", '<table background="https://evil.test/x"><tr><td>x'),
    Payload("sound", "case", "Listen: [sound:evil.mp3]"),
    Payload("tts", "question", "[anki:tts lang=en_US]spoken[/anki:tts] Q?"),
    Payload("latex", "critique", r"[latex]\href{javascript:alert(1)}{x}[/latex]"),
    Payload("latex-dollar", "critique", r"[$]x^2[/$] and [$$]y[/$$]"),
    Payload("anki-play", "discussion", "[anki:play:q:0]"),
    Payload("sound-upper", "source", "[SOUND:evil.mp3]"),
    Payload("template", "case", "{{Answer}} {{#Critique}}{{Critique}}{{/Critique}} {{FrontSide}}"),
    Payload("cloze", "question", "{{c1::hidden}} Q?"),
    Payload("entity-script", "attribution", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    Payload("caption-handler", "caption", '<img src="red.png" onerror="alert(1)"> A scan.'),
    Payload("safe-math", "critique", r"\\(\\frac{GFR}{1.73\\,m^2} \\times 60\\)"),
    Payload("safe-ce", "critique", r"\\(\\ce{HCO3-}\\) and \\[\\sqrt{x^2}\\]"),
    Payload("rtl-override", "title", "T \u202egnp.exe"),
    Payload("data-image", "critique", '<img src="data:image/png;base64,iVBORw0KGgo=">'),
    Payload("remote-link", "source", "[DOI](https://doi.org/10.1000/xyz)"),
    Payload("caption-alt-sound", "caption", "[sound:alt.mp3] A scan."),
    Payload("fact-sound", "fact", "Hear [sound:evil.mp3] and {{c1::this}} [anki:tts]x[/anki:tts]."),
    Payload("fact-hint-handler", "fact", "A {{c1::x::<b onmouseover=alert(1)>hint</b>}} b."),
    Payload("fact-answer-script", "fact", "A {{c1::<script>alert(1)</script>x}} b."),
    Payload("fact-extra-link", "fact-extra", '<a href="javascript:alert(1)">x</a> [sound:e.mp3]'),
    Payload(
        "statement-script", "statement", "<script>alert(1)</script>S <img src=red.png onerror=f()>"
    ),
    Payload("statement-math", "statement", r"\\(\\frac{1}{2}\\) S [sound:evil.mp3] {{Answer}}"),
    Payload(
        "statement-explanation",
        "statement-explanation",
        '<a href="javascript:f()">x</a> [sound:e.mp3]',
    ),
]


def _case_yaml(case_id: str, payload: Payload) -> str:
    values = {
        "id": case_id,
        "title": f"Case {case_id}",
        "case": "A vignette.",
        "questions": [
            {
                "id": "q1",
                "question": "Q?",
                "options": {"A": "a", "B": "b"},
                "answer": "A",
                "critique": "Because.",
            }
        ],
    }
    question = values["questions"][0]
    if payload.field in ("question", "critique"):
        question[payload.field] = payload.text
    elif payload.field == "option":
        question["options"]["B"] = payload.text
    elif payload.field == "caption":
        values["figures"] = [
            {"caption": payload.text, "image": "red.png", "license": "CC0", "attribution": "Us"}
        ]
    elif payload.field == "fact":
        values["facts"] = [payload.text]
    elif payload.field == "fact-extra":
        values["facts"] = [{"text": "A {{c1::fact}} here.", "extra": payload.text}]
    elif payload.field.startswith("statement"):  # a Kprim question beside the MCQ
        statements = [{"text": f"S{n}.", "answer": "true" if n % 2 else "false"} for n in range(4)]
        key = "text" if payload.field == "statement" else "explanation"
        statements[1][key] = payload.text
        values["questions"].append(
            {"id": "q2", "kind": "kprim", "question": "Which?", "statements": statements}
        )
    else:
        values[payload.field] = payload.text
    # JSON is YAML: every payload reaches the loader exactly as written above.
    return json.dumps(values, ensure_ascii=False, indent=2)


DECK_FILE = json.dumps(
    {
        "name": "Hostile <img src=x onerror=alert(1)>",
        "id": "hostile",
        "description": "HOSTILE-DESCRIPTION <script>alert(1)</script> "
        '<a href="javascript:alert(1)">js</a> [home](https://evil.test/track) '
        '[sound:x.mp3] <b onmouseover="alert(1)">bold</b> '
        # Addresses written out as text after the checks: never markup there either.
        '<a href="https://evil.test/[sound:x.mp3]">a</a> '
        '<a href="https://evil.test/&#92;(&#92;href{javascript:alert(1)}{y}&#92;)">b</a> '
        '<a href="https://evil.test/[anki:tts]x[/anki:tts]">c</a>',
        "license": "[CC BY 4.0](https://creativecommons.org/licenses/by/4.0/)",
        "version": "[sound:v.mp3] <b>1</b>",
        "tags": ["hostile"],
    }
)


@dataclass(frozen=True)
class HostileDeck:
    apkg: Path
    cards: dict[int, str]  # card id -> payload name
    av_tags: dict[str, list[str]]  # payload name -> sound/tts tags the engine found
    description: str


@pytest.fixture(scope="module")
def hostile_deck(tmp_path_factory: pytest.TempPathFactory) -> HostileDeck:
    tmp = tmp_path_factory.mktemp("hostile")
    content = tmp / "content"
    (content / "cases").mkdir(parents=True)
    (content / "deck.yaml").write_text(DECK_FILE, encoding="utf-8")
    shutil.copy(FIXTURES / "red.png", content / "cases" / "red.png")
    for i, payload in enumerate(NEUTRALISED):
        (content / "cases" / f"p{i:02d}.yaml").write_text(
            _case_yaml(f"p{i:02d}", payload), encoding="utf-8"
        )
    apkg = build(content, tmp / "dist").deck_path
    with collection(tmp / "c.anki2") as col:
        import_apkg(col, apkg)
        cards, av = {}, {}
        for cid in col.find_cards(""):
            card = col.get_card(cid)
            name = NEUTRALISED[int(card.note()["Ref"][1:3])].name
            cards[cid] = name
            av[name] = [str(t) for t in card.question_av_tags() + card.answer_av_tags()]
        deck = col.decks.by_name(json.loads(DECK_FILE)["name"])
        assert deck is not None
        description = deck["desc"]
    return HostileDeck(apkg, cards, av, description)


OVERVIEW = r"""(() => {
  const found = Array.from(document.querySelectorAll("div, p, li"))
    .filter((el) => el.textContent.includes("HOSTILE-DESCRIPTION"));
  const box = found[found.length - 1] ? found[found.length - 1].closest(".description")
    || found[0] : null;
  if (!box) return { found: false };
  const bad = [];
  for (const el of box.querySelectorAll("*")) {
    for (const attr of Array.from(el.attributes)) {
      if (attr.name.startsWith("on")) bad.push(`${el.tagName} ${attr.name}`);
      if (/^\s*(https?:|\/\/|javascript:|data:|vbscript:)/i.test(attr.value)) {
        bad.push(`${el.tagName} ${attr.name}=${attr.value}`);
      }
    }
    if (el.matches("img,script,iframe,object,embed,audio,video,link,style")) bad.push(el.tagName);
  }
  return { found: true, bad, text: box.innerText };
})()"""


@pytest.fixture(scope="module")
def desktop_audit(hostile_deck: HostileDeck, tmp_path_factory: pytest.TempPathFactory):
    skip_or_fail_if_unavailable()
    plans = [
        CardPlan(cid, [ShowQuestion(), Eval(AUDIT, "front"), ShowAnswer(), Eval(AUDIT, "back")])
        for cid in sorted(hostile_deck.cards)
    ]
    return run_anki_desktop(
        hostile_deck.apkg,
        tmp_path_factory.mktemp("hostile-desktop"),
        plans,
        overview_js=OVERVIEW,
        timeout=300,
    )


@pytest.mark.desktop
def test_no_card_can_run_script_load_anything_or_play_sound_in_anki_desktop(
    hostile_deck: HostileDeck, desktop_audit
) -> None:
    assert len(desktop_audit.cards) == len(hostile_deck.cards)  # every card, facts' too
    assert set(hostile_deck.cards.values()) == {p.name for p in NEUTRALISED}
    for run in desktop_audit.cards:
        name = hostile_deck.cards[run.cid]
        for side in ("front", "back"):
            audit = run.values[side]
            assert audit["card"], (name, side, audit["text"])  # the page was not replaced
            assert audit["bad"] == [], (name, side, audit["bad"])
        assert run.question_av_tags == [] and run.answer_av_tags == [], name
        assert not [m for m in run.errors() if "deckbuilder" in m.message], (name, run.console)
    typeset = {hostile_deck.cards[r.cid]: r.values["back"]["typeset"] for r in desktop_audit.cards}
    assert typeset["safe-math"] == 1 and typeset["safe-ce"] == 2  # safe math still works
    literal = {hostile_deck.cards[r.cid]: r.values["front"]["text"] for r in desktop_audit.cards}
    assert "[sound:evil.mp3]" in literal["sound"]  # Anki's markup shows as typed
    assert "[anki:tts lang=en_US]spoken[/anki:tts]" in literal["tts"]


@pytest.mark.desktop
def test_the_deck_description_holds_no_remote_url_in_anki_desktop(desktop_audit) -> None:
    overview = desktop_audit.overview
    assert overview["found"], overview
    assert overview["bad"] == [], overview["bad"]
    assert "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)" in overview["text"]


@pytest.mark.webkit
def test_no_card_can_run_script_or_load_anything_in_webkit_as_on_an_iphone(
    hostile_deck: HostileDeck, tmp_path: Path
) -> None:
    """AnkiMobile's engine (WebKitGTK, the nearest we can run): every side of every card
    loaded as a page in one web view at iPhone size; the same audit, nothing reaching
    the network, no navigation, no uncaught error."""
    from tests.support.webkit import ORIGIN, PagePlan, run_webkit
    from tests.support.webkit import Eval as WebKitEval
    from tests.support.webkit import skip_or_fail_if_unavailable as webkit_unavailable

    webkit_unavailable()
    pages, _ = engine_sides(hostile_deck.apkg, sorted(hostile_deck.cards), tmp_path)
    run = run_webkit(
        [PagePlan(html, [WebKitEval(AUDIT, "audit")], name=path) for path, html in pages.items()],
        timeout=600,
        work=tmp_path,
    )
    assert len(run.pages) == 2 * len(hostile_deck.cards)
    for page in run.pages:
        name = hostile_deck.cards[int(page.name.split("/")[1])]
        audit = page.values["audit"]
        assert audit["card"] and audit["bad"] == [], (name, page.name, audit["bad"])
        assert page.errors() == [], (name, page.name, page.console)
        asked = page.requests + page.failed_resources  # let through, or blocked
        assert all(url.startswith(ORIGIN) for url in asked), (name, asked)
    # The cards' own images are asked of the cards' made-up origin (which the sink proxy
    # answers with nothing); no other host is ever asked.
    assert {line for line in run.network if line.split()[1] != "cards.test:443"} == set()
    assert run.blocked_navigations == []


@pytest.mark.browser
def test_no_card_can_run_script_or_load_anything_in_chromium_as_on_a_phone(
    hostile_deck: HostileDeck, tmp_path: Path
) -> None:
    """AnkiDroid's engine: every card's sides as the ``anki`` package renders them, each
    loaded as a page of its own (AnkiDroid loads the back as a new page) at phone size;
    the same audit, no request leaving the cards' origin, no dialog, no script error."""
    pages, media = engine_sides(hostile_deck.apkg, sorted(hostile_deck.cards), tmp_path)
    seen = audit_in_chromium(pages, media)
    audits, outside, dialogs, errors = seen.audits, seen.outside, seen.dialogs, seen.errors
    assert len(audits) == 2 * len(hostile_deck.cards)
    for path, audit in audits.items():
        name = hostile_deck.cards[int(path.split("/")[1])]
        assert audit["card"] and audit["bad"] == [], (name, path, audit["bad"])
    assert outside == [] and dialogs == [] and errors == []


def test_the_engine_finds_no_sound_or_tts_tag_and_the_description_loads_nothing(
    hostile_deck: HostileDeck,
) -> None:
    assert all(tags == [] for tags in hostile_deck.av_tags.values()), hostile_deck.av_tags
    desc = hostile_deck.description
    for needle in (
        "<script",
        "onerror",
        '="javascript:',  # as an attribute: an address written out as text is inert
        'href="http',
        "<img",
        "[sound:",
        "[anki:",
        "\\(",
        "&#92;(",
    ):
        assert needle not in desc, needle


# --- payloads that must be refused ------------------------------------------------------------

BASE_CASE = SMALL_CASE.replace("id: small", "id: bad")
MATH = (
    "which is not allowed in a shared deck (only commands that draw, such as \\frac, "
    "\\sqrt, \\times or \\text, are; links, styles, classes, ids, macros and loading "
    "extensions are not)"
)


def _math(command: str) -> str:
    return f"math uses '\\{command}', {MATH}"


def _in_case(key: str, value: str) -> tuple[str, str]:
    """The base case with ``key`` set to ``value`` (a JSON string, which YAML reads as
    written), and where that value starts: ``line:col: key``."""
    line = f"{key}: {json.dumps(value)}"
    indent = "    " if key in ("question", "critique") else ""
    text = BASE_CASE
    existing = f"{indent}{key}: "
    if existing in text:
        start = text.index(existing)
        end = text.index("\n", start)
        text = text[:start] + indent + line + text[end:]
    else:
        text = text.replace("questions:", f"{line}\nquestions:")
    start = text.index(indent + line)
    row = text.count("\n", 0, start) + 1
    path = f"questions[0].{key}" if indent else key
    return text, f"{row}:{len(indent) + len(key) + 3}: {path}"


# Markdown turns "\\(" into "\(": the payloads double the backslash of each delimiter so
# that the HTML, and so MathJax, sees "\(" (a single one would be an escaped parenthesis).
REFUSED_IN_CASES = {
    "href": ("case", r"\\(\href{javascript:alert(1)}{\phantom{x}}\\)", _math("href")),
    "style": ("question", r"\\(\style{color:red}{x}\\)", _math("style")),
    "class": ("critique", r"\\(\class{x}{y}\\)", _math("class")),
    "cssid": ("discussion", r"\\[\cssId{x}{y}\\]", _math("cssId")),
    "require": ("source", r"\\[\require{html}\\]", _math("require")),
    "unicode": ("title", r"\\(\unicode{x41}\\)", _math("unicode")),
    "url": ("attribution", r"\\(\url{https://evil.test}\\)", _math("url")),
    "htmlclass": ("case", r"\\(\htmlClass{x}{y}\\)", _math("htmlClass")),
    "data": ("case", r"\\(\data{x}{y}\\)", _math("data")),
    "def": ("case", r"\\(\def\x{\href}\\)", _math("def")),
    "toggle": ("case", r"\\(\toggle{a}{b}\endtoggle\\)", _math("toggle")),
    "bbox": ("case", r"\\(\bbox[background:url(x)]{x}\\)", _math("bbox")),
    "entity-math": ("case", "&#92;(&#92;href{javascript:x}{y}&#92;)", _math("href")),
    # Text whose "\\" and "(" a tag keeps apart: joined once Anki's cloze filter or a
    # script's copy drops the tag (options are copied into the verdict, see test_hostile_generated).
    "split-by-tag": (
        "question",
        r"\\<b></b>(\href{javascript:alert(1)}{CLICK}\\<b></b>)",
        _math("href"),
    ),
    "split-by-emphasis": ("critique", r"\\(*x*\style{color:red}{y}\\)", _math("style")),
    "split-by-comment": ("case", r"\\(<!-- -->\href{javascript:x}{y}\\)", _math("href")),
    "environment": (
        "case",
        r"\begin{evil}x\end{evil}",
        "math uses the environment 'evil', which is not allowed in a shared deck",
    ),
    "remote-image": (
        "case",
        "![x](https://evil.test/pixel.png)",
        "'https://evil.test/pixel.png' is not a local file: a deck must work offline and "
        "never load anything from the internet; save the image in the content folder and "
        "give its relative path",
    ),
    "html-remote-image": (
        "critique",
        '<img src="https://evil.test/pixel.png">',
        "'https://evil.test/pixel.png' is not a local file: a deck must work offline and "
        "never load anything from the internet; save the image in the content folder and "
        "give its relative path",
    ),
    "img-onerror-missing-file": (
        "question",
        "<img src=x onerror=alert(1)>",
        "'x' is not a supported image type (.gif, .jpeg, .jpg, .png, .svg, .webp)",
    ),
    "image-in-attribution": (
        "attribution",
        "![x](red.png)",
        "images are not allowed here (the deck description shows this text); put figures "
        "in the case's 'figures'",
    ),
    "image-in-title": (
        "title",
        "![x](red.png) A case",
        "images are not allowed here (the deck description shows this text); put figures "
        "in the case's 'figures'",
    ),
    "image-in-source": (
        "source",
        "![x](https://evil.test/pixel.png)",
        "images are not allowed here (the deck description shows this text); put figures "
        "in the case's 'figures'",
    ),
}


@pytest.fixture
def good(tmp_path: Path) -> Path:
    """A content folder of one good case, built: dist/ holds a deck, content/ a lock."""
    content = tmp_path / "content"
    (content / "cases").mkdir(parents=True)
    (content / "deck.yaml").write_text("name: D\nid: d\n", encoding="utf-8")
    (content / "cases" / "good.yaml").write_text(BASE_CASE.replace("id: bad", "id: good"))
    shutil.copy(FIXTURES / "red.png", content / "cases" / "red.png")
    assert deckbuilder("build", "content", cwd=tmp_path).returncode == 0
    return tmp_path


def _refused(work: Path, expected_first_line: str, commands: tuple[str, ...]) -> None:
    before = snapshot(work / "content", work / "dist")
    for command in commands:
        run = deckbuilder(command, "content", cwd=work, timeout=30)
        assert run.returncode == 1, (command, run.stdout, run.stderr)
        assert "Traceback" not in run.stderr
        assert run.stderr.splitlines()[0] == expected_first_line, (command, run.stderr)
        assert run.stderr.splitlines()[-1].endswith(
            "nothing was written." if command == "build" else "in the content."
        )
    assert snapshot(work / "content", work / "dist") == before


@pytest.mark.parametrize("name", list(REFUSED_IN_CASES))
def test_refused_in_a_case(name: str, good: Path) -> None:
    key, value, message = REFUSED_IN_CASES[name]
    text, where = _in_case(key, value)
    (good / "content" / "cases" / "bad.yaml").write_text(text, encoding="utf-8")
    _refused(good, f"content/cases/bad.yaml:{where}: {message}", ("build", "check"))


# A fact's deletions are read by Anki's cloze filter on the card itself: a hint it puts in
# brackets, a deletion it would not mark inside math or inside a tag.
REFUSED_IN_FACTS = {  # text, column of the problem in the line "  - <text>", message start
    "hint-sound": (
        "A {{c1::x::sound:evil.mp3}} b.",
        8,
        "the hint of c1 would read as Anki's sound, speech or LaTeX markup",
    ),
    "hint-tts": (
        "A {{c1::x::anki:tts lang=en_US]hi[/anki:tts}} b.",
        8,
        "the hint of c1 would read as Anki's sound, speech or LaTeX markup",
    ),
    "hint-latex": (
        "A {{c1::x::latex]\\alpha[/latex}} b.",
        5,  # written with an escape ("\\\\"): placed at the start of the text
        "the hint of c1 would read as Anki's sound, speech or LaTeX markup",
    ),
    "in-math": (
        "Size \\\\(x{{c1::\\\\}}href{javascript:alert(1)}{x}\\\\) here.",
        5,
        "a deletion inside math",
    ),
    "in-attribute": (
        '<a title="{{c1::MDM2::<img src=x onerror=alert(1)>}}">see</a> it.',
        5,
        "a deletion inside a link or other markup",
    ),
    "in-link-address": ("Lost [link]({{c1::a}}) here.", 5, "a fact needs a deletion"),
    # Anki's cloze filter writes an image-occlusion deletion's values into attributes.
    "image-occlusion": (
        'A {{c1::image-occlusion:rect:left=.1" tabindex="1" autofocus onfocus="alert(1)" x="}}',
        5,  # written with escapes ('\\"'): placed at the start of the text
        "c1 is written in Anki's image-occlusion syntax, which a fact may not use",
    ),
    "image-occlusion-in-hint": (
        "A {{c1::x::image-occlusion:rect:left=.1}} b.",
        8,
        "c1 is written in Anki's image-occlusion syntax",
    ),
    # Anki strips the tags inside \( \) before MathJax: a tag cannot split a command off.
    "math-split-by-tag": (
        "Heart {{c1::rate}} \\\\(<b></b>\\href{javascript:alert(1)}{CLICK}\\\\) end.",
        5,
        "math uses '\\href'",
    ),
    "math-split-by-emphasis": (
        "Heart {{c1::rate}} \\\\(*x*\\style{background:url(http://127.0.0.1:9/x)}{y}\\\\)",
        5,
        "math uses '\\style'",
    ),
    "math-split-by-link": (
        "Heart {{c1::rate}} \\\\([a](http://a.test)\\href{javascript:alert(1)}{y}\\\\)",
        5,
        "math uses '\\href'",
    ),
    # Math the renderer refuses was an internal error ("ClozeMistake … a bug").
    "unsafe-math-in-hint": (
        "A {{c1::x::\\\\(\\href{a}{b}\\\\)}} b.",
        5,
        "math uses '\\href'",
    ),
    # Each deletion number is a card; the lock may name no more than the content can.
    "cloze-number-past-the-cap": ("A {{c101::x}} b.", 8, "c101 is past the highest cloze number"),
    "color-in-fact": ("A {{c1::x}} \\\\(\\color{red}{b}\\\\) b.", 5, "math uses '\\color'"),
    # A hint in brackets completes math on the front only: "\(" + "[" … "]" + "\)".
    "math-completed-by-hint": (
        "A \\\\[{{c1::x::y}}\\href{javascript:alert(1)}{z}\\\\] b.",
        5,
        "math uses '\\href'",
    ),
}


@pytest.mark.parametrize("name", list(REFUSED_IN_FACTS))
def test_refused_in_facts(name: str, good: Path) -> None:
    text, column, message = REFUSED_IN_FACTS[name]
    case = BASE_CASE.rstrip("\n") + "\nfacts:\n  - " + json.dumps(text) + "\n"
    (good / "content" / "cases" / "bad.yaml").write_text(case, encoding="utf-8")
    row = case.count("\n")
    before = snapshot(good / "content", good / "dist")
    for command in ("build", "check"):
        run = deckbuilder(command, "content", cwd=good, timeout=30)
        assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
        first = run.stderr.splitlines()[0]
        assert first.startswith(f"content/cases/bad.yaml:{row}:{column}: facts[0].text: "), first
        assert message in first, first
    assert snapshot(good / "content", good / "dist") == before


REFUSED_IN_DECK_FILE = {
    "description-image": (
        "description",
        "![x](https://evil.test/pixel.png)",
        "images are not allowed in the deck description; describe the deck in words",
    ),
    "description-local-image": (
        "description",
        "![x](cases/red.png)",
        "images are not allowed in the deck description; describe the deck in words",
    ),
    "license-image": (
        "license",
        "![x](https://evil.test/pixel.png)",
        "images are not allowed in the deck description; describe the deck in words",
    ),
    "description-math": ("description", r"\\(\href{javascript:x}{y}\\)", _math("href")),
    "version-math": ("version", r"\(\href{javascript:x}{y}\)", _math("href")),
    "id-newline": (
        "id",
        "d\n",
        "'d\\n' is not a stable key: use 1 to 64 lower-case letters, digits, '-' or '_', "
        "starting and ending with a letter or digit (e.g. 'alt-thigh' or 'q1')",
    ),
}


@pytest.mark.parametrize("name", list(REFUSED_IN_DECK_FILE))
def test_refused_in_the_deck_file(name: str, good: Path) -> None:
    key, value, message = REFUSED_IN_DECK_FILE[name]
    deck = f"name: D\nid: d\n{key}: {json.dumps(value)}\n".replace("id: d\nid:", "id:")
    (good / "content" / "deck.yaml").write_text(deck, encoding="utf-8")
    row = deck.splitlines().index(f"{key}: {json.dumps(value)}") + 1
    _refused(good, f"content/deck.yaml:{row}:{len(key) + 3}: {key}: {message}", ("build", "check"))


def _lock_with(work: Path, edit) -> Path:
    lock = work / "content" / "deckbuilder.lock.json"
    data = json.loads(lock.read_text(encoding="utf-8"))
    edit(data)
    lock.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return lock


from deckbuilder.plan.lockfile import RESTORE  # noqa: E402 (the hint every lock error ends with)

GOOD_NOTE = "good/q1"


def _add_note(ref: str):
    def edit(data: dict) -> None:
        data["notes"][ref] = dict(data["notes"][GOOD_NOTE])

    return edit


def _set(field: str, value: object):
    def edit(data: dict) -> None:
        data["notes"][GOOD_NOTE][field] = value

    return edit


NOT_A_REF = (
    "is not a note ref: expected 'case-id/question-id' or 'case-id/facts/fact-id' of stable keys"
)
INJECTION = 'x/q1"><img src=x onerror=alert(1)>'
REFUSED_IN_LOCK = {  # the edit, the ref whose line is reported, the message
    "ref-injection": (_add_note(INJECTION), INJECTION, f"notes[{INJECTION!r}]: {NOT_A_REF}"),
    "ref-no-slash": (_add_note("q1"), "q1", f"notes['q1']: {NOT_A_REF}"),
    "ref-empty": (_add_note(""), "", f"notes['']: {NOT_A_REF}"),
    "ref-long": (
        _add_note("a" * 100_000 + "/q1"),
        "a" * 100_000 + "/q1",
        f"notes['{'a' * 60}'…]: {NOT_A_REF}",
    ),
    "guid": (
        _set("guid", "AAAAAAAAAA"),
        GOOD_NOTE,
        "notes['good/q1'].guid: 'AAAAAAAAAA' is not the GUID this note's ref gives",
    ),
    "mtime-huge-float": (
        _set("mtime", float("1e300")),
        GOOD_NOTE,
        "notes['good/q1'].mtime: '1e+300' is not a time between 2000 and 2100",
    ),
    "mtime-huge-int": (
        _set("mtime", 10**30),
        GOOD_NOTE,
        f"notes['good/q1'].mtime: '{10**30}' is not a time between 2000 and 2100",
    ),
    "mtime-negative": (
        _set("mtime", -5),
        GOOD_NOTE,
        "notes['good/q1'].mtime: '-5' is not a time between 2000 and 2100",
    ),
    "mtime-2200": (
        _set("mtime", 7_258_118_400),
        GOOD_NOTE,
        "notes['good/q1'].mtime: '7258118400' is not a time between 2000 and 2100",
    ),
    "cards-of-a-question": (
        _set("cards", [1, 2]),
        GOOD_NOTE,
        "notes['good/q1'].cards: expected a fact's deletion numbers, in increasing order",
    ),
    "cards-huge": (
        _set("cards", [10**9]),
        GOOD_NOTE,
        "notes['good/q1'].cards: expected a fact's deletion numbers, in increasing order",
    ),
    "fingerprint": (
        _set("fingerprint", "<script>"),
        GOOD_NOTE,
        "notes['good/q1'].fingerprint: '<script>' is not a hash",
    ),
}


@pytest.mark.parametrize("name", list(REFUSED_IN_LOCK))
def test_refused_in_the_lock(name: str, good: Path) -> None:
    edit, ref, message = REFUSED_IN_LOCK[name]
    lock = _lock_with(good, edit)
    key = json.dumps(ref, ensure_ascii=False) + ":"
    line = next(i for i, row in enumerate(lock.read_text().splitlines(), 1) if key in row)
    _refused(good, f"content/deckbuilder.lock.json:{line}: {message}{RESTORE}", ("build",))


def test_a_lock_cannot_claim_more_cards_for_a_fact_than_the_content_can_make(good: Path) -> None:
    """A retired fact's cards come from the lock alone: its deletion numbers are capped
    as the content's are (a forged line naming thousands was thousands of cards)."""
    case = good / "content" / "cases" / "good.yaml"
    case.write_text(case.read_text() + "facts:\n  - id: f\n    text: A {{c1::x}} b.\n")
    assert deckbuilder("build", "content", cwd=good).returncode == 0

    def edit(data: dict) -> None:
        data["notes"]["good/facts/f"]["cards"] = list(range(1, 102))

    lock = _lock_with(good, edit)
    line = next(
        i for i, row in enumerate(lock.read_text().splitlines(), 1) if "good/facts/f" in row
    )
    _refused(
        good,
        f"content/deckbuilder.lock.json:{line}: notes['good/facts/f'].cards: expected a fact's "
        f"deletion numbers, in increasing order{RESTORE}",
        ("build",),
    )


def test_a_lock_nested_too_deeply_is_damaged_and_recovered(good: Path) -> None:
    """Not a lock at all: check says so; build recovers the lock from the previous deck."""
    lock = good / "content" / "deckbuilder.lock.json"
    lock.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    _refused(
        good,
        f"content/deckbuilder.lock.json: is not a lock: it is nested too deeply{RESTORE}",
        ("check",),
    )
    run = deckbuilder("build", "content", cwd=good, timeout=30)
    assert run.returncode == 0, run.stderr
    assert "the lock was damaged: recovered 1 note from dist/d.apkg" in run.stdout
    assert "0 new, 0 updated, 1 unchanged" in run.stdout


def test_a_lock_with_a_1e400_time_is_refused(good: Path) -> None:
    lock = good / "content" / "deckbuilder.lock.json"
    lines = lock.read_text(encoding="utf-8").splitlines()
    line = next(i for i, row in enumerate(lines, 1) if '"good/q1"' in row)
    lines[line - 1] = re.sub(r'"mtime": \d+', '"mtime": 1e400', lines[line - 1])
    lock.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _refused(
        good,
        f"content/deckbuilder.lock.json:{line}: notes['good/q1'].mtime: 'inf' is not a time "
        f"between 2000 and 2100{RESTORE}",
        ("build",),
    )


def test_import_text_refuses_unsafe_math(tmp_path: Path) -> None:
    article = (FIXTURES / "articles" / "five-options.txt").read_text(encoding="utf-8")
    marker = article.splitlines()[3]
    poisoned = article.replace(marker, marker + r" \(\href{javascript:alert(1)}{x}\)", 1)
    (tmp_path / "a.txt").write_text(poisoned, encoding="utf-8")
    run = deckbuilder("import-text", "a.txt", "-o", "x.yaml", cwd=tmp_path, timeout=30)
    assert run.returncode == 1, run.stdout
    assert "math uses '\\href'" in run.stderr and "a.txt:4:" in run.stderr
    assert not (tmp_path / "x.yaml").exists()


def test_at_least_forty_hostile_payloads() -> None:
    refused = (
        len(REFUSED_IN_CASES)
        + len(REFUSED_IN_FACTS)
        + len(REFUSED_IN_DECK_FILE)
        + len(REFUSED_IN_LOCK)
    )
    assert len(NEUTRALISED) + refused >= 40
