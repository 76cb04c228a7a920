"""The images a deck uses: found inside the content folder, checked, named by their bytes.

An image reaches every colleague who imports the deck, so it is checked like any input:
it must lie inside the content folder (after symlinks), be a regular file of at most
:data:`MAX_IMAGE_BYTES`, and be what its name says, judged by its first bytes (a PNG is a
PNG). SVG is text that browsers can run, so an SVG must be a self-contained drawing:
no script, event handler, link, external reference, entity or animation. Images are read
only when a case uses them, and once per build.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from deckbuilder.files import FileRefused, FileTooLarge, MiB, check_regular, read_regular

MAX_IMAGE_BYTES = 20 * MiB
IMAGE_TYPES = (".gif", ".jpeg", ".jpg", ".png", ".svg", ".webp")

_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
}
_TYPE_NAMES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WebP"}

# In an SVG, anything that could run, fetch or point elsewhere. Matched on the raw text,
# case-insensitively: a false alarm refuses a drawing, a miss would ship it.
_SVG_UNSAFE = re.compile(
    rb"<\s*(?:script|foreignobject|iframe|object|embed|handler|listener|set|animate\w*)\b"
    rb"|\bon[a-z]+\s*="
    rb"|javascript:|vbscript:|data:"
    rb"|<!\s*(?:entity|doctype)"
    rb"|<\?xml-stylesheet|@import"
    rb"|url\s*\(\s*(?![\"']?#)"
    rb"|href\s*=\s*(?![\"']#)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Media:
    """A media file packed into the deck under a content-derived name, with the SHA-256
    of the bytes it was named from (the input stamp records them)."""

    name: str
    source: Path
    digest: bytes

    @classmethod
    def of(cls, data: bytes, source: Path) -> Media:
        digest = hashlib.sha256(data).digest()
        return cls(media_name(digest, source.suffix), source, digest)


def media_name(digest: bytes, suffix: str) -> str:
    """A content-derived media file name: two cases may both have ``fig1.png``, and
    identical images are stored once. ``digest`` is the SHA-256 of the file's bytes."""
    return f"db-{digest.hex()[:20]}{suffix.lower()}"


def image_problem(data: bytes, suffix: str) -> str | None:
    """Why the bytes of an image file are not used, or None."""
    suffix = suffix.lower()
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
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "is not an SVG image (not UTF-8 text)"
    if "<svg" not in text[:4096].lower():
        return "is not an SVG image (no <svg> element at its start)"
    found = _SVG_UNSAFE.search(data)
    if found:
        what = found.group().decode("utf-8", "replace").strip()
        return (
            f"is an SVG image with {what!r} in it: an SVG in a deck must be a self-contained "
            "drawing (no script, event handler, link, external reference or animation); "
            "export it again as plain SVG or PNG"
        )
    return None


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
                problem = image_problem(data, path.suffix)
                self._packed[path] = (
                    f"image file {given!r} {problem}" if problem else Media.of(data, path)
                )
        return self._packed[path]


def _refused(given: str, exc: FileRefused) -> str:
    """Why an image file is not used, its size limit worded per image."""
    why = exc.strerror
    if isinstance(exc, FileTooLarge):
        why = (
            f"it is {exc.size:,} bytes; at most {exc.limit:,} are allowed per image "
            f"({exc.limit // MiB} MiB)"
        )
    return f"image file {given!r} cannot be used: {why}"
