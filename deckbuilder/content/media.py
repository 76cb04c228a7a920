"""The images a deck uses: found inside the content folder, checked, named by their bytes.

An image reaches every colleague who imports the deck, so it is checked like any input:
it must lie inside the content folder (after symlinks), be a regular file of at most
:data:`MAX_IMAGE_BYTES`, and be what its name says, judged by its first bytes (a PNG is a
PNG). SVG is text that browsers can run, so an SVG must be a self-contained drawing:
no script, event handler, link, external reference, entity or animation. Images are read
only when a case uses them, and once per build. The deck carries each image without
the metadata that could identify a patient or a place (:mod:`.imagemeta`); a DICOM file,
whose header is made of such data, is refused.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from deckbuilder.content.imagemeta import DamagedImage, clean
from deckbuilder.errors import FileRefused, FileTooLarge
from deckbuilder.files import MiB, check_regular, read_regular

MAX_IMAGE_BYTES = 20 * MiB
IMAGE_TYPES = (".gif", ".jpeg", ".jpg", ".png", ".svg", ".webp")
# A DICOM file carries the patient's name, ids and dates in its header by design.
DICOM_SUFFIX = ".dcm"
DICOM_REFUSED = (
    "is a DICOM file, which carries the patient's name, ids and dates; export the image "
    "from the viewer as a de-identified PNG or JPEG and use that"
)

_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
}
_TYPE_NAMES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WebP"}

# What an SVG may hold: a drawing and nothing else. A browser shows an SVG in <img> inert,
# but a card may also link to the image, and opened as a document it runs whatever it
# holds; so elements and attributes are allowed by name and values by their characters,
# never refused by a pattern, which an escape or a namespace prefix slips past.
_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_NS = "http://www.w3.org/1999/xlink"
_XML_NS = "http://www.w3.org/XML/1998/namespace"
# What editors write into <metadata>; no browser gives these elements any behaviour.
_METADATA_NS = frozenset(
    {
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "http://purl.org/dc/elements/1.1/",
        "http://purl.org/dc/terms/",
        "http://creativecommons.org/ns#",
    }
)
_SVG_ELEMENTS = frozenset(
    """svg g defs symbol use title desc metadata path rect circle ellipse line polyline
    polygon text tspan textPath linearGradient radialGradient stop clipPath mask pattern
    marker""".split()
)
_SVG_PRESENTATION = frozenset(
    """fill fill-opacity fill-rule stroke stroke-width stroke-opacity stroke-linecap
    stroke-linejoin stroke-miterlimit stroke-dasharray stroke-dashoffset opacity color
    display visibility overflow clip-path clip-rule mask marker-start marker-mid marker-end
    paint-order vector-effect shape-rendering text-rendering color-interpolation
    enable-background stop-color stop-opacity font font-family font-size font-style
    font-weight font-variant font-stretch letter-spacing word-spacing line-height
    text-anchor text-decoration dominant-baseline alignment-baseline baseline-shift
    writing-mode""".split()
)
_SVG_ATTRIBUTES = _SVG_PRESENTATION | frozenset(
    """id class style href width height x y x1 y1 x2 y2 cx cy r rx ry fx fy fr d points
    pathLength transform viewBox preserveAspectRatio version baseProfile dx dy rotate
    textLength lengthAdjust startOffset method spacing side offset gradientUnits
    gradientTransform spreadMethod clipPathUnits maskUnits maskContentUnits patternUnits
    patternContentUnits patternTransform markerWidth markerHeight markerUnits refX refY
    orient""".split()
)
# An attribute or style value: no CSS escape (a backslash), no at-rule, no markup; the
# only functions colours and transforms, and url() only as url(#id), within the image.
# Whatever CSS can fetch or run goes through a function or an escape, so a style
# attribute may name any property: editors write many beyond the presentation attributes.
_SVG_VALUE = re.compile(r"[\w\s#%.,:'\"()!+/-]*")
_SVG_FUNCTION = re.compile(r"([\w-]+)\s*\(")
_SVG_FUNCTIONS = frozenset("rgb rgba hsl hsla translate rotate scale matrix skewx skewy".split())
_LOCAL_URL = re.compile(r"url\(\s*(['\"]?)#[\w.:-]+\1\s*\)", re.IGNORECASE)
_LOCAL_HREF = re.compile(r"#[\w.:-]+")
_CSS_PROPERTY = re.compile(r"-?[a-z][a-z0-9-]*")


@dataclass(frozen=True)
class Media:
    """A media file packed into the deck under a content-derived name.

    The deck carries the file without its metadata (:mod:`.imagemeta`), so the name is
    derived from those cleaned bytes: the same picture with another camera's EXIF is
    stored once, and a build stays reproducible. ``digest`` is the SHA-256 of the file
    as read, which the input stamp records and :meth:`deck_bytes` checks; ``removed``
    says what the deck's copy leaves out.
    """

    name: str
    source: Path
    digest: bytes
    removed: tuple[str, ...] = ()

    @classmethod
    def of(cls, data: bytes, source: Path) -> Media:
        """Raises :class:`~deckbuilder.content.imagemeta.DamagedImage`."""
        cleaned = clean(data, source.suffix)
        name = media_name(hashlib.sha256(cleaned.data).digest(), source.suffix)
        return cls(name, source, hashlib.sha256(data).digest(), cleaned.removed)

    def deck_bytes(self) -> bytes:
        """The bytes the deck carries: the file as it was when the build named it, without
        its metadata. A change since is the content's problem (the deck would hold other
        bytes than its name and stamp say)."""
        from deckbuilder.errors import ContentError, ContentProblem, display_path

        try:
            data = read_regular(self.source, MAX_IMAGE_BYTES)
        except OSError as exc:
            raise ContentError([ContentProblem.unreadable(self.source, exc)]) from exc
        if hashlib.sha256(data).digest() != self.digest:
            raise ContentError(
                [
                    ContentProblem(
                        display_path(self.source),
                        message="changed while the deck was being built; build again",
                    )
                ]
            )
        return clean(data, self.source.suffix).data


def media_name(digest: bytes, suffix: str) -> str:
    """A content-derived media file name: two cases may both have ``fig1.png``, and
    identical images are stored once. ``digest`` is the SHA-256 of the bytes the deck
    carries."""
    return f"db-{digest.hex()[:20]}{suffix.lower()}"


def image_problem(data: bytes, suffix: str) -> str | None:
    """Why the bytes of an image file are not used, or None."""
    suffix = suffix.lower()
    if data[128:132] == b"DICM":  # DICOM's preamble, then its magic
        return DICOM_REFUSED
    if suffix == ".webp":
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return None
        return "is not a WebP image (its first bytes say otherwise)"
    if suffix == ".svg":
        return _svg_problem(data)
    if any(data.startswith(sig) for sig in _SIGNATURES[suffix]):
        return None
    return f"is not a {_TYPE_NAMES[suffix]} image (its first bytes say otherwise)"


def _svg_problem(data: bytes) -> str | None:
    """Why an SVG file is not a plain drawing, or None. It is parsed as XML, refusing any
    DOCTYPE (so no entity is ever declared or expanded) and processing instruction; every
    element and attribute must be allowed by name, and every value, a style attribute's
    properties included, must be plain (see the allow-lists above)."""
    from typing import NoReturn
    from xml.parsers import expat

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.namespace_prefixes = True
    metadata: list[bool] = []  # for each open element: whether it is inside <metadata>

    def refuse(what: str) -> NoReturn:
        raise _SvgRefused(
            f"cannot be used: SVG images may hold only plain shapes: {what} is not allowed "
            f"(line {parser.CurrentLineNumber} of the image); export it again as plain SVG, "
            "or as PNG"
        )

    def start(name: str, attributes: dict[str, str]) -> None:
        ns, local, shown = _xml_name(name)
        if not metadata and (ns, local) != (_SVG_NS, "svg"):
            raise _SvgRefused(
                f'is not an SVG image: its <svg> lacks xmlns="{_SVG_NS}", without which no '
                "browser draws it"
                if local == "svg"
                else f"is not an SVG image (its root element is <{shown}>)"
            )
        inside = bool(metadata) and metadata[-1]
        if ns == _SVG_NS and local in _SVG_ELEMENTS:
            for attribute, value in attributes.items():
                problem = _svg_attribute_problem(attribute, value)
                if problem:
                    refuse(f"{problem} on <{shown}>")
        elif inside and ns in _METADATA_NS:
            for attribute in attributes:
                attribute_ns, _, written = _xml_name(attribute)
                if attribute_ns not in _METADATA_NS and attribute_ns != _XML_NS:
                    refuse(f"the attribute {written} on <{shown}>")
        else:
            refuse(f"<{shown}>")
        metadata.append(inside or (ns, local) == (_SVG_NS, "metadata"))

    def end(_name: str) -> None:
        metadata.pop()

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = lambda *_: refuse("a <!DOCTYPE>")
    parser.ProcessingInstructionHandler = lambda target, _: refuse(f"<?{target}?>")
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        return (
            f"is not an SVG image (not well-formed XML: {expat.ErrorString(exc.code)} at "
            f"line {exc.lineno}, column {exc.offset + 1})"
        )
    except _SvgRefused as refused:
        return str(refused)
    return None


class _SvgRefused(Exception):
    """Why an SVG is not used, found while parsing it (which then stops)."""


def _xml_name(name: str) -> tuple[str, str, str]:
    """(namespace, local name, name as written) of a name as expat reports it with
    namespaces: "ns local prefix", "ns local" or "local"."""
    parts = name.split(" ")
    if len(parts) == 1:
        return "", name, name
    ns, local, *prefix = parts
    return ns, local, f"{prefix[0]}:{local}" if prefix else local


def _svg_attribute_problem(name: str, value: str) -> str | None:
    """An attribute of an SVG element as a refusal names it, or None if it is allowed."""
    ns, local, shown = _xml_name(name)
    written = f'{shown}="{_shortened(value)}"'
    if (ns, local) in ((_XLINK_NS, "href"), ("", "href")):
        return None if _LOCAL_HREF.fullmatch(value) else written
    if ns == _XML_NS and local in ("space", "lang"):
        return None
    if ns or local not in _SVG_ATTRIBUTES:
        return f"the attribute {shown}"
    if local != "style":
        return None if _svg_value_allowed(value) else written
    for declaration in value.split(";"):
        prop, colon, prop_value = declaration.partition(":")
        if not declaration.strip():
            continue
        if not (
            colon
            and _CSS_PROPERTY.fullmatch(prop.strip().lower())
            and _svg_value_allowed(prop_value)
        ):
            return f'the style "{_shortened(declaration.strip())}"'
    return None


def _svg_value_allowed(value: str) -> bool:
    rest = _LOCAL_URL.sub("", value)
    return bool(_SVG_VALUE.fullmatch(rest)) and all(
        f.lower() in _SVG_FUNCTIONS for f in _SVG_FUNCTION.findall(rest)
    )


def _shortened(text: str, at: int = 60) -> str:
    return text if len(text) <= at else text[: at - 1] + "…"


def local_reference(src: str) -> str:
    """The file name an ``<img src>`` of rendered Markdown names (percent-decoded: the
    renderer encodes spaces and non-ASCII letters)."""
    return unquote(src)


def not_local(given: str) -> str | None:
    """Why an image path is an address (``https:``, ``data:``, ``//host``) rather than a
    file of the content folder, or None. import-text asks too, so that it never writes an
    image the build would refuse."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//", given):
        return (
            f"{given!r} is not a local file: a deck must work offline and never load "
            "anything from the internet; save the image in the content folder and give "
            "its relative path"
        )
    return None


class MediaFiles:
    """Finds, checks and names the images of one build (a cache per build, not global).

    Cases of a large deck share a few images: each is resolved and read once.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._real_root = self.root.resolve()
        self._resolved: dict[tuple[Path, str], Path | str] = {}
        self._packed: dict[Path, Media | str] = {}
        self._sizes: dict[Path, tuple[int, int] | str] = {}

    def resolve(self, base: Path, given: str) -> Path | str:
        """The file an author's relative path names, or why it cannot be used.

        Paths are relative to ``base`` (the folder of the file that names them) and must
        stay inside the content folder after following symlinks, so a deck never packs
        files from elsewhere on the author's machine.
        """
        key = (base, given)
        if key not in self._resolved:
            self._resolved[key] = self._resolve(base, given)
        return self._resolved[key]

    def _resolve(self, base: Path, given: str) -> Path | str:
        if not given.strip():
            return "an image with no file name; write the path of the image file"
        if "\0" in given:  # Python raises ValueError for it, before any file system call
            return f"{given!r} contains a NUL character, which no file name can; remove it"
        remote = not_local(given)
        if remote is not None:
            return remote
        path = Path(given)
        if path.is_absolute():
            return (
                f"{given!r} is an absolute path; give a path relative to this file, inside "
                "the content folder"
            )
        resolved = Path(os.path.realpath(base / path))
        if not resolved.is_relative_to(self._real_root):
            return f"{given!r} points outside the content folder; copy the image into it"
        if resolved.suffix.lower() == DICOM_SUFFIX:
            return f"{given!r} {DICOM_REFUSED}"
        if resolved.suffix.lower() not in IMAGE_TYPES:
            return f"{given!r} is not a supported image type ({', '.join(IMAGE_TYPES)})"
        try:
            check_regular(resolved, MAX_IMAGE_BYTES)
        except FileNotFoundError:
            return f"image file {given!r} does not exist"
        except FileRefused as exc:
            return _refused(given, exc)
        except OSError as exc:
            return f"image file {given!r} cannot be read: {exc.strerror}"
        return resolved

    def pixel_size(self, path: Path, given: str) -> tuple[int, int] | str:
        """The size in pixels at which the image at ``path`` is shown, or why it is not
        known (see :mod:`.imagesize`)."""
        if path not in self._sizes:
            from deckbuilder.content.imagesize import pixel_size

            try:
                data = read_regular(path, MAX_IMAGE_BYTES)
            except OSError as exc:
                self._sizes[path] = f"image file {given!r} cannot be read: {exc.strerror}"
            else:
                size = pixel_size(data, path.suffix)
                self._sizes[path] = size or (
                    f"the size in pixels of {given!r} cannot be read from the file"
                    + (
                        " (an SVG needs 'width' and 'height' in pixels)"
                        if path.suffix.lower() == ".svg"
                        else ""
                    )
                )
        return self._sizes[path]

    def pack(self, path: Path, given: str) -> Media | str:
        """The image at ``path`` (as :meth:`resolve` found it) as packed media, or why not."""
        if path not in self._packed:
            try:
                data = read_regular(path, MAX_IMAGE_BYTES)
            except FileRefused as exc:
                self._packed[path] = _refused(given, exc)
            except OSError as exc:
                self._packed[path] = f"image file {given!r} cannot be read: {exc.strerror}"
            else:
                self._packed[path] = _media(data, path, given)
        return self._packed[path]


def _media(data: bytes, path: Path, given: str) -> Media | str:
    """The bytes of an image file as packed media, or why they are not used."""
    problem = image_problem(data, path.suffix)
    if problem:
        return f"image file {given!r} {problem}"
    try:
        return Media.of(data, path)
    except DamagedImage as exc:
        return (
            f"image file {given!r} cannot be used: {exc}, so what it holds besides the "
            "picture cannot be removed; export it again"
        )


def _refused(given: str, exc: FileRefused) -> str:
    """Why an image file is not used, its size limit worded per image."""
    why = exc.strerror
    if isinstance(exc, FileTooLarge):
        why = (
            f"it is {exc.size:,} bytes; at most {exc.limit:,} are allowed per image "
            f"({exc.limit // MiB} MiB)"
        )
    return f"image file {given!r} cannot be used: {why}"
