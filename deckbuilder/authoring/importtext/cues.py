"""Scoring a sentence near a figure caption: does it describe the image or argue?

Where a caption ends: layout gives a first answer (a blank line; the end of the lines
typeset wider than the text column), but PDF extraction often glues the discussion to
a caption without a blank line, or breaks a caption at a page end. So the text from the
"Figure N." line to the next blank line (further while a sentence is unfinished) is read
sentence by sentence, and each sentence is scored by what it says: a caption describes
the image. The cues and their weights are here, apart from the reading
(:mod:`~deckbuilder.authoring.importtext.captions`), so they can be tuned on their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Cue:
    """A kind of evidence about a sentence. ``group`` names it in the report; a group
    counts once per sentence, with the weight of its strongest cue that is present."""

    group: str
    weight: int
    pattern: re.Pattern[str]


def _cue(group: str, weight: int, pattern: str, flags: int = 0) -> Cue:
    return Cue(group, weight, re.compile(pattern, flags))


_I = re.IGNORECASE
_PANEL_LIST = r"[A-Ha-h](?:\s*(?:,|and|&|-|\u2013)\s*[A-Ha-h])*"

#: Evidence that a sentence describes the image.
IMAGE_CUES: tuple[Cue, ...] = (
    _cue("panel", 3, rf"^(?:\(?{_PANEL_LIST}\)?\s*[:.,)]|\({_PANEL_LIST}\))\s"),
    _cue("panel", 2, r"(?<![\w.])[A-H]:\s"),
    _cue("panel", 1, r"\([A-Ha-h]\)"),
    _cue(
        "view",
        1,
        r"\b(?:axial|coronal|sagittal|transverse|oblique|anteroposterior|lateral|frontal|"
        r"longitudinal|reformat\w*|projection|view|images?|(?:photo)?micrograph|photograph|"
        r"specimen|gross|intraoperative|arthroscopic|endoscopic)\b",
        _I,
    ),
    _cue("view", 1, r"\b(?:AP|PA)\b"),
    _cue(
        "sequence",
        2,
        r"\bT[12](?:-weighted|W\b|\s+sequence)|\bSTIR\b|\bFLAIR\b|diffusion-weighted|"
        r"fat[- ](?:suppress\w*|saturat\w*)|gadolinium|contrast-enhanced|post-?contrast|"
        r"gradient[- ]echo|proton[- ]density",
        _I,
    ),
    _cue("sequence", 1, r"\bT[12]\b"),  # also a vertebra: weak on its own
    _cue("modality", 1, r"\b(?:MRI|MR|CT|PET|SPECT)\b"),
    _cue(
        "modality",
        1,
        r"\bx-?rays?\b|radiograph\w*|\bultraso\w+|sonograph\w*|doppler|scintigra\w+|"
        r"angiogra\w+|fluoroscop\w*|mammogra\w+|computed tomography|magnetic resonance|"
        r"arthrogra\w+|dermoscop\w+",
        _I,
    ),
    _cue("stain", 2, r"H&E|\bHE\b|\bIHC\b|\bPAS\b"),
    _cue(
        "stain",
        2,
        r"ha?ematoxylin|\beosin|immunohisto\w*|immunostain\w*|\bstain(?:s|ed|ing)?\b|"
        r"giemsa|trichrome|reticulin|congo red|ziehl",
        _I,
    ),
    # "x 200", "X 400", "\u00d7400", but not the "x" of a size ("10 x 12 mm", "20x15x28cm").
    _cue(
        "magnification",
        3,
        r"(?<![\w.])(?<!\d\s)[x\u00d7X]\s?\d{2,4}\b(?!\s?(?:mm|cm|m|\u00b5m)\b)",
    ),
    _cue(
        "magnification",
        3,
        r"magnification|\bobjective\b|high-power|low-power|scale bar|\bbar\s*[=:,]?\s*\d",
        _I,
    ),
    _cue(
        "pointer",
        2,
        r"\b(?:arrow(?:head)?s?|asterisks?|stars?|circled?|dashed|dotted|insets?|outlined?)\b",
        _I,
    ),
    _cue("pointer", 2, r"(?:^|\s)\*(?:\s|$)"),
    _cue(
        "depicts",
        1,
        r"\b(?:show(?:s|n|ing)?|demonstrat(?:es|ing)|depict(?:s|ing|ed)|reveal(?:s|ing)|"
        r"illustrat(?:es|ing)|display(?:s|ing)|note\s+the|(?:is|are)\s+seen|visible|"
        r"highlight(?:s|ed|ing)?)\b",
        _I,
    ),
)

#: Evidence that a sentence is running text: it argues, generalises, cites, advises.
DISCUSSION_CUES: tuple[Cue, ...] = (
    _cue("continues a sentence", 3, r"^[a-z]+"),  # the text the caption interrupted resumes
    _cue(
        "citation",
        2,
        r"(?<![a-z])[a-z]{3,}[.,]?\d{1,3}(?:[,\u2013-]\d{1,3})*(?![\w%])"
        r"|\[\d{1,3}(?:[,\u2013-]\d{1,3})*\]"
        r"|\bet al\b",
    ),
    _cue(
        "literature",
        2,
        r"\b(?:stud(?:y|ies)|series|literature|reported|authors?|meta-?analys[ie]s|"
        r"metanalys[ie]s|reviews?|trials?|cohorts?|guidelines?|recommend\w*)\b",
        _I,
    ),
    _cue(
        "generalises",
        2,
        r"\b(?:usually|typically|commonly|often|rarely|generally|frequently|in general|"
        r"in conclusion|therefore|thus|should|must|may|might|characteristic(?:ally)?)\b",
        _I,
    ),
    _cue(
        "management",
        1,
        r"\b(?:treat(?:ment|ments|ed|ing)?|therap(?:y|ies|eutic)|radiotherapy|chemotherapy|"
        r"manage(?:ment|d)?|surveillance|follow-up|prognos(?:is|tic)|survival|recurrences?|"
        r"relapses?|mortality|morbidity|outcomes?|risks?|incidence|prevalence)\b",
        _I,
    ),
    _cue("people", 1, r"\b(?:patients|we|our|us|children|adults|men|women)\b", _I),
    _cue("statistics", 1, r"(?<![\d.])\d+(?:\.\d+)?\s?%|\bp\s?[<=]\s?0|odds ratio", _I),
)

WIDE_WEIGHT = 3  # a sentence that starts on a line typeset as wide as the caption
NARROW_WEIGHT = 1  # one that starts on a text-column line after a wide caption
CAPTION_SCORE = 2  # image evidence a caption sentence needs when nothing speaks against it
CAPTION_MARGIN = 3  # ... or by how much it must outweigh the evidence against
RUNNING_MARGIN = 2  # discussion evidence this much stronger (or no image cue): discussion


def _found(sentence: str, cues: Iterable[Cue]) -> dict[str, tuple[int, str]]:
    """The cue groups present in ``sentence``: group -> (weight, the words that matched)."""
    found: dict[str, tuple[int, str]] = {}
    for cue in cues:
        hit = cue.pattern.search(sentence)
        if hit and cue.weight > found.get(cue.group, (0, ""))[0]:
            found[cue.group] = (cue.weight, hit.group().strip())
    return found


@dataclass(frozen=True)
class Score:
    """What one sentence after a caption's first says about itself, and the verdict."""

    image: dict[str, tuple[int, str]]
    against: dict[str, tuple[int, str]]
    narrow: bool = False  # starts on a text-column line after a wide caption
    ends_block: bool = False  # ends where the layout ends the caption (a blank line)

    @classmethod
    def of(cls, sentence: str, wide: bool | None, ends_block: bool = False) -> Score:
        """``wide``: True/False for a sentence starting on a wide/narrow line of a caption
        typeset wider than the text; None when the caption is as wide as the text."""
        image = _found(sentence, IMAGE_CUES)
        against = _found(sentence, DISCUSSION_CUES)
        if "panel" in image and image["panel"][0] == 3:
            against.pop("continues a sentence", None)  # "(a) axial ..." starts lower case
        if wide:
            image["layout"] = (WIDE_WEIGHT, "typeset as wide as the caption")
        elif wide is False:
            against["layout"] = (NARROW_WEIGHT, "set in the text column")
        return cls(image, against, narrow=wide is False, ends_block=ends_block)

    @property
    def image_score(self) -> int:
        return sum(weight for weight, _ in self.image.values())

    @property
    def against_score(self) -> int:
        return sum(weight for weight, _ in self.against.values())

    @property
    def kind(self) -> str:
        """The verdict: caption, running (text of the discussion) or uncertain."""
        image, against = self.image_score, self.against_score
        if image >= CAPTION_SCORE and (against == 0 or image - against >= CAPTION_MARGIN):
            return "caption"
        if (image == 0 and against > 0) or against - image >= RUNNING_MARGIN or self.narrow:
            return "running"  # after a wide caption, the layout settles what text cannot
        return "uncertain"

    def cues(self) -> str:
        def words(found: dict[str, tuple[int, str]]) -> str:
            return ", ".join(
                f"'{text}'" if g != "layout" else text for g, (_, text) in found.items()
            )

        parts = []
        if self.image:
            parts.append(f"image cues: {words(self.image)}")
        if self.against:
            parts.append(f"discussion cues: {words(self.against)}")
        return "; ".join(parts) or "no cues either way"


def shows_histology(caption: str) -> bool:
    """Whether a caption describes a stained section (H&E, IHC, …): such a figure often
    gives the diagnosis away, so it is proposed for the back of the card."""
    return any(cue.group == "stain" and cue.pattern.search(caption) for cue in IMAGE_CUES)
