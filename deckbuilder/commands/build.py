"""``deckbuilder build``: write the deck and report what changed since the last build."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from deckbuilder.commands import reports_errors
from deckbuilder.commands.check import ContentArg

if TYPE_CHECKING:
    from deckbuilder.build import BuildResult


@reports_errors
def build(
    content: ContentArg = Path("content"),
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder to write <deck id>.apkg into.")
    ] = Path("dist"),
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
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON, for scripts.")
    ] = False,
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
) -> None:
    """Build the Anki deck from the content folder into dist/<deck id>.apkg.

    Example: deckbuilder build content --output dist
    """
    import time

    from deckbuilder.build import build as run_build
    from deckbuilder.commands.hints import require_content_folder

    require_content_folder(content, "build")
    started = time.perf_counter()
    with ProgressBar(enabled=not (quiet or as_json)) as progress:
        result = run_build(
            content,
            output,
            dry_run=dry_run,
            drop_retired=drop_retired,
            force=force,
            deck_version=deck_version,
            progress=progress.update,
        )
    seconds = time.perf_counter() - started
    if not quiet:  # they do not stop a build: `check --strict` is where they fail
        for warning in result.warnings:
            typer.echo(f"warning: {warning}", err=True)
    if as_json:
        typer.echo(json_report(result, seconds))
    elif not quiet:
        typer.echo(report(result, seconds))


def json_report(result: BuildResult, seconds: float) -> str:
    """The build report for scripts: the deck, and the notes by what importing does."""
    import json

    plan = result.plan
    statuses = ("new", "updated", "unchanged", "retired", "still-retired")
    data = {
        "deck": str(result.deck_path),
        "written": result.written,
        "up_to_date": result.up_to_date,
        "bytes": result.size,
        "notes": result.notes,
        "seconds": round(seconds, 3),
        **({s: plan.refs(s) for s in statuses} if plan else {}),  # type: ignore[arg-type]
        "dropped": list(plan.dropped) if plan else [],
        "notetype_changed": bool(plan and plan.notetype_changed),
        "notetype_new": bool(plan and plan.notetype_new),
    }
    return json.dumps(data, indent=2)


class ProgressBar:
    """A progress bar on stderr for builds that take longer than a second.

    Shown only on a terminal, and only once a build has run for a second, so quick
    builds, pipes and CI logs stay clean.
    """

    def __init__(self, enabled: bool) -> None:
        import time

        self.enabled = enabled and sys.stderr.isatty()
        self.started = time.perf_counter()
        self.bar = None
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


def report(result: BuildResult, seconds: float) -> str:
    """The build report: like a plan, what each note does on import."""
    plan = result.plan
    if plan is None:
        return (
            f"{result.deck_path} is up to date: {result.notes} notes, nothing changed "
            f"({seconds:.2f} s)."
        )
    lines: list[str] = []
    for status, label in (("new", "new"), ("updated", "updated"), ("retired", "retired")):
        for ref in plan.refs(status):  # type: ignore[arg-type]
            lines.append(f"  {label:<9} {ref}")
    for ref in plan.dropped:
        lines.append(f"  {'dropped':<9} {ref}")
    if plan.notetype_new:
        lines.append("  new note type")
    elif plan.notetype_changed:
        lines.append("  note type: templates or style changed")
    counts = {s: len(plan.refs(s)) for s in ("new", "updated", "unchanged", "retired")}  # type: ignore[arg-type]
    still = len(plan.refs("still-retired"))
    total = len(plan.notes) - counts["retired"] - still
    verb = "Would write" if not result.written else "Wrote"
    summary = (
        f"{verb} {result.deck_path} ({result.size / 1024:.0f} KiB): {total} notes, "
        f"{counts['new']} new, {counts['updated']} updated, {counts['unchanged']} unchanged"
    )
    retired = counts["retired"] + still
    if retired:
        summary += f", {retired} retired"
    lines.append(f"{summary} ({seconds:.2f} s).")
    if retired:
        lines.append(
            "Retired notes are questions deleted from the content. In Anki, search "
            "'tag:retired' in the Browse window to find and delete them; run "
            "'deckbuilder build --drop-retired' to stop carrying them."
        )
    if not result.written:
        lines.append("Dry run: nothing was written.")
    return "\n".join(lines)
