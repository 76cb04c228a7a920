"""Math that Anki will typeset: only commands that draw, never ones that link or style.

Anki desktop, AnkiMobile and AnkiDroid run MathJax over every card: text between
``\\(`` and ``\\)`` or ``\\[`` and ``\\]`` is TeX, and Anki loads MathJax with all its
extensions, ``\\href``, ``\\style``, ``\\class``, ``\\cssId``, ``\\unicode`` and
``\\require`` among them. ``\\(\\href{javascript:…}{x}\\)`` passes any HTML sanitiser
(it is plain text) and becomes a link that runs script once typeset. So math is checked
against an allow-list of commands that only draw, in the spirit of MathJax's own "safe"
extension: formulas for clearances and doses keep working, anything else is a content
error naming the command.

What counts as math is judged twice, because the text MathJax reads is not always the
HTML deckbuilder writes:

* as MathJax searches a page: delimiters in each run of text between elements (``<br>``
  and ``<wbr>`` do not end a run), after entities are decoded;
* as the text reads with every tag removed and entities decoded. Anki's cloze filter
  strips the tags between ``\\(`` and ``\\)`` before MathJax sees them, so
  ``\\(<b></b>\\href…\\)`` is one formula on a card; and text a script copies with
  ``textContent`` loses its tags the same way.

Every command from an opening delimiter to its closing one is checked; an unclosed
delimiter is checked to the end of the text it stands in. ``\\begin``, ``\\ref`` and
``\\eqref`` are treated as the start of math wherever they stand, since some clients
typeset environments without delimiters.
"""

from __future__ import annotations

import html
import re

# Commands that only draw (MathJax's base, AMS and mhchem sets, trimmed to what is safe).
ALLOWED_COMMANDS = frozenset(
    """
    alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa varkappa
    lambda mu nu xi omicron pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi
    psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega digamma
    times cdot cdotp div pm mp ast star circ bullet oplus ominus otimes oslash odot dagger
    ddagger amalg wr setminus smallsetminus
    le leq ge geq ne neq approx approxeq sim simeq cong equiv propto ll gg lesssim gtrsim
    leqslant geqslant lessapprox gtrapprox nless ngtr nleq ngeq prec succ preceq succeq
    subset supset subseteq supseteq subsetneq supsetneq in notin ni cup cap emptyset
    varnothing forall exists nexists neg lnot land lor wedge vee therefore because mid
    nmid parallel nparallel perp vdash models top bot asymp doteq
    to rightarrow leftarrow Rightarrow Leftarrow leftrightarrow Leftrightarrow
    longrightarrow longleftarrow Longrightarrow Longleftarrow longleftrightarrow
    Longleftrightarrow implies impliedby iff mapsto longmapsto uparrow downarrow
    updownarrow Uparrow Downarrow Updownarrow nearrow searrow swarrow nwarrow
    rightleftharpoons leftrightharpoons rightharpoonup rightharpoondown leftharpoonup
    leftharpoondown rightleftarrows leftrightarrows xrightarrow xleftarrow
    infty partial nabla prime ldots cdots vdots ddots dots dotsc dotsb dotsm angle
    measuredangle triangle square blacksquare diamond lozenge checkmark degree ell hbar
    hslash Re Im aleph beth wp surd flat sharp natural clubsuit diamondsuit heartsuit
    spadesuit S P copyright pounds yen euro
    sum prod coprod int iint iiint oint bigcup bigcap bigoplus bigotimes bigodot bigvee
    bigwedge lim limsup liminf max min sup inf log ln lg exp sin cos tan cot sec csc
    arcsin arccos arctan sinh cosh tanh coth det dim gcd deg arg ker hom Pr
    frac dfrac tfrac cfrac sqrt binom dbinom tbinom choose over atop
    overline underline overbrace underbrace widehat widetilde hat bar tilde vec dot ddot
    dddot acute grave breve check mathring overrightarrow overleftarrow overleftrightarrow
    underrightarrow underleftarrow cancel bcancel xcancel boxed
    left right middle big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr
    lbrace rbrace langle rangle lceil rceil lfloor rfloor vert Vert lvert rvert lVert
    rVert backslash lbrack rbrack
    mathrm mathbf mathit mathsf mathtt mathcal mathbb mathfrak mathscr mathnormal
    boldsymbol operatorname text textrm textbf textit textsf texttt textnormal textup
    rm bf it sf tt cal emph
    quad qquad enspace thinspace medspace thickspace negthinspace negmedspace
    negthickspace phantom hphantom vphantom smash
    displaystyle textstyle scriptstyle scriptscriptstyle limits nolimits not mathop
    mathbin mathrel mathord mathpunct mathopen mathclose underset overset stackrel
    substack pmod bmod mod colon
    begin end hline cline ce pu
    """.split()
)

# Environments that only lay out (for \begin{...}).
ALLOWED_ENVIRONMENTS = frozenset(
    """
    matrix pmatrix bmatrix Bmatrix vmatrix Vmatrix smallmatrix cases dcases rcases array
    aligned alignedat gathered split align align* alignat alignat* gather gather*
    equation equation* multline multline* subarray
    """.split()
)

# One-character control symbols: spacing, escaped specials, a line break.
ALLOWED_SYMBOLS = frozenset(",;:!> \n\t\\{}|%$#&_")

# A comment, or any tag: MathJax keeps <br> (as a line break), <wbr> and comments (as
# nothing) inside a run of text; any other element ends the run.
_TAG = re.compile(r"<!--.*?(?:-->|$)|<[^>]*>?", re.S)
_INSIDE_RUN = {"br": "\n", "wbr": ""}
_START = re.compile(r"\\[(\[]|\\(?:begin|ref|eqref)(?![A-Za-z])")
_COMMAND = re.compile(r"\\([A-Za-z]+|[\ud800-\udbff][\udc00-\udfff]|.)", re.S)
_ENVIRONMENT = re.compile(r"\\(?:begin|end)\s*\{([^{}]*)\}")


class UnsafeMath(ValueError):
    """Math with a command outside the allow-list; the message names it."""


def text_runs(fragment: str) -> list[str]:
    """The strings MathJax looks for math in: text between elements, entities decoded."""
    runs: list[str] = []
    current: list[str] = []
    at = 0
    for tag in _TAG.finditer(fragment):
        current.append(html.unescape(fragment[at : tag.start()]))
        at = tag.end()
        markup = tag.group()
        if markup.startswith("<!--"):
            continue
        name = re.match(r"</?\s*([A-Za-z]*)", markup)
        kept = _INSIDE_RUN.get(name.group(1).lower() if name else "")
        if kept is not None:
            current.append(kept)
        else:
            runs.append("".join(current))
            current = []
    current.append(html.unescape(fragment[at:]))
    runs.append("".join(current))
    return [run for run in runs if "\\" in run]


def without_tags(fragment: str) -> str:
    """The fragment's text with every tag and comment removed and entities decoded: what
    MathJax reads once something has stripped the markup between delimiters."""
    return html.unescape(_TAG.sub("", fragment))


def _readings(fragment: str) -> list[str]:
    """Every text MathJax may search for math in this fragment (see the module's doc)."""
    if "\\" not in fragment and "&" not in fragment:
        return []
    readings = text_runs(fragment)
    whole = without_tags(fragment)
    if "\\" in whole:
        readings.append(whole)
    return readings


def check_math(fragment: str) -> None:
    """Raise :class:`UnsafeMath` if the HTML fragment holds math that could do more than
    draw, however MathJax comes to read it."""
    for reading in _readings(fragment):
        for region in _math_regions(reading):
            _check_region(region)


def math_regions(fragment: str) -> list[str]:
    """Every piece of the HTML fragment MathJax could read as math."""
    return [region for reading in _readings(fragment) for region in _math_regions(reading)]


def _math_regions(run: str) -> list[str]:
    regions = []
    at = 0
    while (found := _START.search(run, at)) is not None:
        opening = found.group()
        if opening in ("\\(", "\\["):
            closing = "\\)" if opening == "\\(" else "\\]"
            end = _closing(run, found.end(), closing)
        else:
            end = len(run)  # an environment outside delimiters: check the rest of the run
        regions.append(run[found.start() : end])
        at = max(end, found.end())
    return regions


def _closing(run: str, start: int, closing: str) -> int:
    """Where the math that starts at ``start`` ends, as MathJax finds it: the first
    closing delimiter outside braces (escaped characters skipped); the end of the run
    if there is none."""
    depth = 0
    i = start
    while i < len(run):
        char = run[i]
        if char == "\\":
            if depth == 0 and run.startswith(closing, i):
                return i + len(closing)
            i += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}" and depth:
            depth -= 1
        i += 1
    return len(run)


def _check_region(region: str) -> None:
    for found in _COMMAND.finditer(region):
        name = found.group(1)
        if len(name) == 1 and not name.isalpha():
            if name in ALLOWED_SYMBOLS or name in "()[]":
                continue
            raise UnsafeMath(f"math uses '\\{name}', which is not allowed in a shared deck")
        if name not in ALLOWED_COMMANDS:
            raise UnsafeMath(
                f"math uses '\\{name}', which is not allowed in a shared deck (only "
                "commands that draw, such as \\frac, \\sqrt, \\times or \\text, are; "
                "links, styles, classes, ids, macros and loading extensions are not)"
            )
    for env in _ENVIRONMENT.findall(region):
        if env.strip() not in ALLOWED_ENVIRONMENTS:
            raise UnsafeMath(
                f"math uses the environment {env.strip()!r}, which is not allowed in a shared deck"
            )
