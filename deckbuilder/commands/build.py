"""``deckbuilder build``: write the deck and report what changed since the last build."""

from __future__ import annotations

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
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Build even if the deck id or the note type contract changed "
            "(breaks the link to colleagues' existing notes).",
        ),
    ] = False,
) -> None:
    """Build the Anki deck from the content folder into dist/<deck id>.apkg.

    Example: deckbuilder build content --output dist
    """
    from deckbuilder.build import build as run_build

    result = run_build(content, output, dry_run=dry_run, drop_retired=drop_retired, force=force)
    typer.echo(report(result))


def report(result: BuildResult) -> str:
    """The build report: like a plan, what each note does on import."""
    plan = result.plan
    lines: list[str] = []
    for status, label in (("new", "new"), ("updated", "updated"), ("retired", "retired")):
        for ref in plan.refs(status):  # type: ignore[arg-type]
            lines.append(f"  {label:<9} {ref}")
    for ref in plan.dropped:
        lines.append(f"  {'dropped':<9} {ref}")
    if plan.notetype_changed:
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
    lines.append(summary + ".")
    if retired:
        lines.append(
            "Retired notes are questions deleted from the content. In Anki, search "
            "'tag:retired' in the Browse window to find and delete them; run "
            "'deckbuilder build --drop-retired' to stop carrying them."
        )
    if not result.written:
        lines.append("Dry run: nothing was written.")
    return "\n".join(lines)
