"""The package stage: the planned collection packed as an ``.apkg``, written with the
lock beside it, both or neither."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from deckbuilder.errors import OutputError, display_path

if TYPE_CHECKING:
    from deckbuilder.apkg.frames import FrameStore
    from deckbuilder.pipeline.assemble import Assembled


def package(
    assembled: Assembled,
    deck_path: Path,
    lock_path: Path | None,
    *,
    support_older_anki: bool,
    stamp: Callable[[bytes], bytes] | None = None,
    dry_run: bool = False,
    frames: FrameStore | None = None,
) -> tuple[int, bytes]:
    """Pack ``assembled`` into ``deck_path`` and write the lock to ``lock_path`` (when
    given), both or neither; the size of the deck and the lock's text. ``stamp`` makes
    the zip comment from the lock's text (the input stamp of a folder's build).
    ``frames``: zstd frames made before, to take rather than make again. With
    ``dry_run`` the deck is packed into a temporary file, only to be measured."""
    from deckbuilder.apkg.writer import write_package

    lock_text = assembled.plan.lock.dumps().encode("utf-8")
    comment = stamp(lock_text) if stamp is not None else b""

    def write(dest: BinaryIO) -> None:
        write_package(
            dest,
            assembled.collection,
            assembled.media,
            comment=lambda: comment,
            support_older_anki=support_older_anki,
            frames=frames,
        )

    if dry_run:
        with tempfile.TemporaryFile() as sink:
            write(sink)
            return sink.tell(), lock_text
    write_deck_and_lock(deck_path, write, lock_path, lock_text)
    return deck_path.stat().st_size, lock_text


def write_deck_and_lock(
    deck_path: Path,
    package: Callable[[BinaryIO], None],
    lock_path: Path | None,
    lock_text: bytes = b"",
) -> None:
    """Write the deck (``package`` writes it into a file) and the lock together, or
    neither; a lock whose text is unchanged is left alone. Raises :class:`OutputError`.

    The lock goes in place first. A build killed between the two renames then leaves the
    new lock beside the previous deck, whose input stamp names the previous lock: the
    next build finds the deck out of date and makes it again from the new lock — the
    deck the killed build made, with every time as the lock gives it. The other way
    round, the new deck beside the previous lock would have the next build give the
    notes just built later times again, and call them updated.
    """
    from deckbuilder.content.folder import MAX_LOCK_BYTES
    from deckbuilder.errors import WriteFailed
    from deckbuilder.files import read_regular, remove_stale_temporaries, write_files

    files: list[tuple[Path, Any]] = [(deck_path, package)]
    if lock_path is not None:
        try:
            unchanged = read_regular(lock_path, MAX_LOCK_BYTES) == lock_text
        except OSError:
            unchanged = False
        if unchanged:
            # what a build killed after putting this lock in place left beside it
            remove_stale_temporaries(lock_path)
        else:
            files.append((lock_path, lock_text))
    try:
        write_files(files)
    except WriteFailed as exc:
        written = " nor ".join(display_path(p) for p, _ in files)
        raise OutputError(
            f"cannot write {display_path(Path(exc.filename))}: {exc.strerror}; "
            f"neither {written} was changed"
            if len(files) > 1
            else f"cannot write {display_path(Path(exc.filename))}: {exc.strerror}; "
            "nothing was changed"
        ) from exc
