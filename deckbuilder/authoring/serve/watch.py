"""The content folder watched for saves, with ``watchfiles`` (the file system's own
notifications, no polling by hand), for ``serve`` and ``build --watch``.

Only what a build reads counts: YAML files and images, not hidden files (editors' swap
and backup files, the folder's lock, a build's temporary files) nor the lock file a
build writes into the folder, which would otherwise start another build.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

from deckbuilder.content.folder import LOCK_FILE

DEBOUNCE_MS = 80  # saves this close together are one change (an editor writes in steps)
WATCH_READY_MS = 100  # the first wait for changes ends this soon: the folder is watched
_READ = (".yaml", ".yml")


def _counts(path: str) -> bool:
    from deckbuilder.content.media import IMAGE_TYPES

    p = Path(path)
    if p.name == LOCK_FILE or any(part.startswith(".") for part in p.parts[-2:]):
        return False
    suffix = p.suffix.lower()
    return suffix in _READ or suffix in IMAGE_TYPES


def changes(root: Path, stop: threading.Event) -> Iterator[list[Path]]:
    """The files changed under ``root``, a batch per save, until ``stop`` is set. The
    first batch is empty, as soon as the folder is watched: a save from then on is seen
    (the caller reads the folder then, and says it is ready). A folder that does not
    exist is a :class:`~deckbuilder.errors.ContentError`."""
    import logging

    import watchfiles

    if not Path(root).is_dir():  # said as every command says it, not as the watcher would
        from deckbuilder.content.loader import ContentReader
        from deckbuilder.errors import Problems

        ContentReader(Path(root), Problems())

    logging.getLogger("watchfiles").setLevel(logging.ERROR)  # it logs Ctrl-C as a warning
    watching = False
    for batch in watchfiles.watch(
        root,
        watch_filter=lambda _change, path: _counts(path),
        debounce=DEBOUNCE_MS,
        step=20,
        stop_event=stop,
        rust_timeout=WATCH_READY_MS,
        yield_on_timeout=True,
        raise_interrupt=False,
    ):
        if batch or watching is False:
            watching = True
            yield sorted({Path(path) for _, path in batch})
