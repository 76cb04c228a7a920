"""Run ``deckbuilder`` with one hand-written part replaced by its library alternative.

    python bench/variant.py PART build CONTENT -o DIST -q

PART is one of:

* ``stdlib-zip``: Python's ``zipfile`` (one core) instead of ``apkg/zipwriter.py``;
* ``no-workers``: every case file read and rendered in the main process, no process pool;
* ``no-stamp``: no input stamp, so a rebuild with nothing changed builds everything;
* ``none``: nothing replaced (the same process start-up as the variants).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    part, *argv = sys.argv[1:]
    if part == "stdlib-zip":
        from alternatives import StdlibZipWriter

        import deckbuilder.apkg.zipwriter

        deckbuilder.apkg.zipwriter.ZipWriter = StdlibZipWriter  # type: ignore[misc]
    elif part == "no-workers":
        import deckbuilder.pipeline.workers

        deckbuilder.pipeline.workers.PARALLEL_FROM = 1 << 62
    elif part == "no-stamp":
        import deckbuilder.pipeline.stamp

        deckbuilder.pipeline.stamp.up_to_date = lambda *args, **kwargs: None  # type: ignore[assignment]
    elif part != "none":
        raise SystemExit(f"unknown part {part!r}")
    from deckbuilder.cli import main as cli

    sys.argv = ["deckbuilder", *argv]
    cli()


if __name__ == "__main__":
    main()
