"""``deckbuilder build``: write the deck and report what changed since the last build."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from deckbuilder.commands import build_report, reports_errors
from deckbuilder.commands.check import ContentArg
from deckbuilder.commands.output import JsonOpt, output_text

if TYPE_CHECKING:
    from deckbuilder.pipeline.cache import Memory


@reports_errors
def build(
    content: ContentArg = Path("content"),
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Folder to write <deck id>.apkg into [default: dist/ beside the content folder].",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Report what would change; write nothing.")
    ] = False,
    drop_retired: Annotated[
        bool,
        typer.Option(
            "--drop-retired",
            help="Stop carrying notes of deleted questions (tagged 'retired') in the deck.",
        ),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
    as_json: JsonOpt = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Build even if the deck id or the note type contract changed "
            "(breaks the link to colleagues' existing notes).",
        ),
    ] = False,
    deck_version: Annotated[
        str | None,
        typer.Option(
            "--deck-version",
            help="The version the deck description shows, instead of deck.yaml's "
            "(e.g. a release tag in CI).",
        ),
    ] = None,
    since: Annotated[
        Path | None,
        typer.Option(
            "--since",
            help="The deck colleagues have (the published .apkg): a missing or damaged lock "
            "is recovered from it [default: the deck in the output folder].",
        ),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="List every note that changes.")
    ] = False,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Render every case again, not only those changed since they were last "
            "rendered (the deck is the same either way).",
        ),
    ] = False,
    watch: Annotated[
        bool,
        typer.Option(
            "--watch",
            "-w",
            help="Build again on every save to the content folder, until Ctrl-C.",
        ),
    ] = False,
) -> None:
    """Build the Anki deck from the content folder into dist/<deck id>.apkg, dist/ beside
    the content folder.

    Example: deckbuilder build content --output dist
    """
    from deckbuilder.commands.hints import require_content_folder

    require_content_folder(content, "build")
    options: dict[str, Any] = {
        "content": content,
        "output": output,
        "dry_run": dry_run,
        "drop_retired": drop_retired,
        "quiet": quiet,
        "as_json": as_json,
        "force": force,
        "deck_version": deck_version,
        "since": since,
        "verbose": verbose,
        "no_cache": no_cache,
    }
    if watch:
        _watch(content, options)
    else:
        _build_once(**options)


def _watch(content: Path, options: dict[str, Any]) -> None:
    """Build once the folder is watched, then again after every save, each build
    reported as usual (a failed one too), until Ctrl-C."""
    import threading
    import time

    from deckbuilder.authoring.serve.watch import changes
    from deckbuilder.errors import display_path
    from deckbuilder.pipeline.cache import Memory

    # what a rebuild would read again: the cases rendered, the lock, the deck's frames
    memory = None if options["no_cache"] else Memory()

    @reports_errors
    def build(as_json: bool) -> None:  # named as the command, for its error reports
        _build_once(**options, memory=memory)

    stop = threading.Event()
    try:
        for changed in changes(content, stop):
            if changed and not options["quiet"]:
                names = ", ".join(display_path(p) for p in changed[:3])
                more = " …" if len(changed) > 3 else ""
                typer.echo(f"{time.strftime('%H:%M:%S')} {names}{more} changed", err=True)
            try:
                build(as_json=options["as_json"])
            except typer.Exit as exc:
                if exc.exit_code == 130:  # Ctrl-C during a build
                    break
            if not changed and not options["quiet"]:
                typer.echo(f"Watching {content} for changes; Ctrl-C stops.", err=True)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
    if not options["quiet"]:
        typer.echo("Stopped.", err=True)


def _build_once(
    content: Path,
    output: Path | None,
    dry_run: bool,
    drop_retired: bool,
    quiet: bool,
    as_json: bool,
    force: bool,
    deck_version: str | None,
    since: Path | None,
    verbose: bool,
    no_cache: bool,
    memory: Memory | None = None,
) -> None:
    import shlex
    import time

    from deckbuilder.api import build as run_build

    started = time.perf_counter()
    with ProgressBar(enabled=not (quiet or as_json)) as progress:
        result = run_build(
            content,
            output,
            dry_run=dry_run,
            drop_retired=drop_retired,
            force=force,
            deck_version=deck_version,
            since=since,
            progress=progress.update,
            cache=not no_cache,
            memory=memory,
        )
    seconds = time.perf_counter() - started
    if not quiet:  # they do not stop a build: `check --strict` is where they fail
        for warning in result.warnings:
            typer.echo(f"warning: {warning}", err=True)
    if as_json:
        typer.echo(output_text(build_report.as_json(result, seconds)))
        return
    if not quiet:
        rerun = shlex.join(
            ["deckbuilder", "build", str(content), *(["-o", str(output)] if output else [])]
        )
        typer.echo(build_report.text(result, seconds, verbose=verbose, rerun=rerun))


class ProgressBar:
    """A progress bar on stderr for builds that take longer than a second.

    Shown only on a terminal, and only once a build has run for a second, so quick
    builds, pipes and CI logs stay clean.
    """

    def __init__(self, enabled: bool) -> None:
        import time

        self.enabled = enabled and sys.stderr.isatty()
        self.started = time.perf_counter()
        self.bar: Any = None  # typer's progress bar, once one is shown
        self.stage = ""

    def update(self, stage: str, done: int, total: int) -> None:
        import time

        if not self.enabled or time.perf_counter() - self.started < 1.0:
            return
        if self.bar is None or stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = typer.progressbar(length=total, label=f"{stage:<9}", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.update(self.bar.length - self.bar.pos)
            self.bar.__exit__(None, None, None)
            self.bar = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
