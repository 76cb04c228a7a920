"""Reading and writing files safely. Below every other module; imports nothing of ours.

Reading: content folders, locks and packages come from other people, so a read must never
hang or exhaust memory. Only regular files are read: a file is opened without blocking
(``O_NONBLOCK``, so a named pipe cannot stall the ``open``), checked on the open
descriptor (no race between check and open), and refused when it is a pipe, device,
socket or folder, or larger than the caller's limit, before a byte is read.

Writing: every output file is written beside its destination under a hidden temporary
name, flushed to disk and renamed into place, so readers see the old file or the new one.
:func:`write_files` writes several files together — the deck and the lock must agree —
and replaces them only once all are written, last listed first; if a rename still fails,
the files already replaced are put back.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from deckbuilder.errors import FileRefused, FileTooLarge, WriteFailed

MiB = 1 << 20

Contents = bytes | Callable[[BinaryIO], None]
"""What to write: the bytes, or a function that writes them to an open binary file."""


_KINDS = (
    (stat.S_ISDIR, "it is a folder, not a file"),
    (stat.S_ISFIFO, "it is a named pipe (FIFO), not a regular file"),
    (stat.S_ISCHR, "it is a device, not a regular file"),
    (stat.S_ISBLK, "it is a device, not a regular file"),
    (stat.S_ISSOCK, "it is a socket, not a regular file"),
)


def not_regular(mode: int) -> str | None:
    """Why a file of this ``st_mode`` is not read, or None for a regular file."""
    for test, why in _KINDS:
        if test(mode):
            return why
    return None if stat.S_ISREG(mode) else "it is not a regular file"


@contextlib.contextmanager
def open_regular(path: Path, limit: int) -> Iterator[BinaryIO]:
    """Open ``path`` for reading if it is a regular file of at most ``limit`` bytes.

    Raises :class:`FileRefused` (or the ``OSError`` of the ``open``) otherwise.
    """
    with _opened(path, limit) as (handle, _):
        yield handle


@contextlib.contextmanager
def _opened(path: Path, limit: int) -> Iterator[tuple[BinaryIO, int]]:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        _refuse(path, info, limit)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        handle = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with handle:
        yield handle, info.st_size


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (see :func:`open_regular`).

    The limit holds even for a file that grows while it is read.
    """
    with _opened(path, limit) as (fh, size):
        data = fh.read(size + 1)  # asking for the limit would allocate it every time
        if len(data) > size:
            data += fh.read(limit + 1 - len(data))
    if len(data) > limit:
        raise FileTooLarge(path, len(data), limit)
    return data


def file_digest(path: Path, limit: int) -> bytes:
    """The SHA-256 of the regular file ``path`` of at most ``limit`` bytes."""
    import hashlib

    return hashlib.sha256(read_regular(path, limit)).digest()


def check_regular(path: Path, limit: int) -> None:
    """Refuse ``path`` as :func:`read_regular` would, without opening it (a ``stat``)."""
    _refuse(path, os.stat(path), limit)


def _refuse(path: Path, info: os.stat_result, limit: int) -> None:
    why = not_regular(info.st_mode)
    if why is not None:
        raise FileRefused(0, why, str(path))
    if info.st_size > limit:
        raise FileTooLarge(path, info.st_size, limit)


# --- writing ---------------------------------------------------------------------------

_TMP_SUFFIX = ".tmp"


def _temp_prefix(path: Path) -> str:
    return f".{path.name}.{os.getpid()}-"


def _write_temporary(path: Path, contents: Contents) -> Path:
    """``contents`` in a hidden file beside ``path``, synced to disk; its path."""
    for folder in (path.parent, *path.parent.parents):
        if folder.exists() or folder.is_symlink():
            if not folder.is_dir():
                raise NotADirectoryError(0, f"{folder} is a file, not a folder", str(folder))
            break
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    fd, name = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=_TMP_SUFFIX, dir=path.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w+b") as fh:
            if callable(contents):
                contents(fh)
            else:
                fh.write(contents)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return tmp


def write_files(files: Sequence[tuple[Path, Contents]]) -> None:
    """Write every file, or none of them.

    All contents are written to temporary files first, in order (where a full disk or a
    read-only folder shows up); only then are they renamed over their destinations, the
    last listed first. Raises :class:`WriteFailed` naming the file that failed; other
    exceptions (a content problem found while writing, Ctrl-C) pass through. Either way
    nothing is replaced.

    A process killed between two renames leaves some files new and the others old, and
    no rename order avoids that; the order decides which. List a file before the files
    it is made from (the deck before the lock): then a kill can leave a file older than
    what it is made from, which the next build makes again, but never newer.
    """
    temps: list[tuple[Path, Path]] = []
    try:
        for path, contents in files:
            path = Path(path)
            try:
                temps.append((path, _write_temporary(path, contents)))
            except OSError as exc:
                raise WriteFailed(exc.errno or 0, exc.strerror or str(exc), str(path)) from exc
        _replace_all(temps)
    except BaseException:
        for _, tmp in temps:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise


def write_file(path: Path, contents: Contents) -> None:
    """Write one file atomically (see :func:`write_files`)."""
    write_files([(path, contents)])


def _replace_all(temps: list[tuple[Path, Path]]) -> None:
    """Rename each temporary over its destination, last listed first; undo the earlier
    renames if one fails.

    The previous version of each file is kept under a hard link (or, where the file
    system has none, a copy) until all renames have succeeded, so it can be put back.
    """
    done: list[tuple[Path, Path | None]] = []  # destination, backup of its old version
    try:
        for path, tmp in reversed(temps):
            backup = _backup(path, tmp) if len(temps) > 1 else None
            try:
                os.replace(tmp, path)
            except OSError as exc:
                if backup is not None:
                    with contextlib.suppress(OSError):
                        backup.unlink()
                raise WriteFailed(exc.errno or 0, exc.strerror or str(exc), str(path)) from exc
            done.append((path, backup))
    except BaseException:
        for path, backup in reversed(done):
            with contextlib.suppress(OSError):
                if backup is not None:
                    os.replace(backup, path)
                else:
                    path.unlink()
        raise
    for _, backup in done:
        if backup is not None:
            with contextlib.suppress(OSError):
                backup.unlink()


def _backup(path: Path, tmp: Path) -> Path | None:
    """The previous version of ``path`` under a name beside ``tmp``, or None if there is
    none. Raises :class:`WriteFailed` when it cannot be kept: a file replaced without it
    could not be put back."""
    if not path.exists():
        return None
    backup = tmp.with_name(tmp.name + ".old")
    try:
        os.link(path, backup)
    except OSError:
        try:
            shutil.copyfile(path, backup)
        except OSError as exc:
            with contextlib.suppress(OSError):
                backup.unlink()
            raise WriteFailed(exc.errno or 0, exc.strerror or str(exc), str(path)) from exc
    return backup


def remove_stale_temporaries(path: Path) -> None:
    """Remove temporary files that a killed writer left beside ``path``: their names
    carry the writer's process id, and files of writers no longer running go."""
    prefix = f".{path.name}."
    with contextlib.suppress(OSError):
        for entry in os.scandir(path.parent):
            name = entry.name
            if not (name.startswith(prefix) and (".tmp" in name)):
                continue
            pid = name[len(prefix) :].split("-", 1)[0]
            if pid.isdigit() and int(pid) != os.getpid() and not _running(int(pid)):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _running(pid: int) -> bool:
    if os.name == "nt":  # os.kill(pid, 0) would terminate the process there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


@contextlib.contextmanager
def one_build_at_a_time(folder: Path) -> Iterator[None]:
    """Hold an advisory ``flock`` on the content folder for the whole build.

    Two builds started at once (an editor's build-on-save and a terminal, say) then run
    one after the other: the second sees the first one's lock file and both end with
    the same valid deck. Locks the folder itself, so no file is left behind. (Named for
    what it does: "lock" alone is the lock file, ``deckbuilder.lock.json``.)
    """
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks on folders
        yield
        return
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        yield  # a missing folder (or a file) is reported by the loader
        return
    try:
        with contextlib.suppress(OSError):  # e.g. no locks on a network file system
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
