"""What ``deckbuilder build`` says: a plan-like report for people, JSON for scripts.

The report names, case by case, what importing the deck will do to each note — at most
:data:`DETAIL_LINES` lines of it unless ``--verbose`` (a first build of 10,000 notes must
not print 10,000 lines) — then the deck, the note type, a rename, a recovered or merged
lock, and one summary line. The JSON has one shape for every outcome (written, dry run,
up to date) and always lists every note (``commands/output.schema.json``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from deckbuilder.errors import counted

if TYPE_CHECKING:
    from deckbuilder.commands.results import _BuildOutput
    from deckbuilder.pipeline.run import BuildResult

DETAIL_LINES = 30
STATUSES = ("new", "updated", "unchanged", "retired", "still_retired")
_SHOWN = ("new", "updated", "retired", "dropped")


def _refs(result: BuildResult) -> dict[str, list[str]]:
    """Every note by what importing the deck does to it."""
    plan = result.plan
    if plan is None:
        return {
            "new": [],
            "updated": [],
            "unchanged": list(result.unchanged_refs),
            "retired": [],
            "still_retired": list(result.retired_refs),
            "dropped": [],
        }
    refs = {status: plan.refs(status) for status in STATUSES}  # type: ignore[arg-type]
    refs["dropped"] = list(plan.dropped)
    return refs


def outcome(result: BuildResult) -> str:
    if result.up_to_date:
        return "up_to_date"
    return "written" if result.written else "dry_run"


def rename_advice(old: str, new: str) -> str:
    """What a deck rename does in colleagues' Anki, and what they can do."""
    return (
        f"deck renamed {old!r} → {new!r}: Anki files imported cards by deck name, so in "
        f"colleagues' collections the cards they have stay in {old!r} and new cards go to "
        f"a new deck {new!r} (the note type is renamed with it). Ask them to rename "
        f"{old!r} to {new!r} in Anki (Decks screen → the deck's gear → Rename) before "
        "they import, or keep the old name."
    )


def as_json(result: BuildResult, seconds: float) -> _BuildOutput:
    """The build's ``--json`` output."""
    from deckbuilder.commands.output import problems_out
    from deckbuilder.commands.results import LockOrigin, Renamed, build_output
    from deckbuilder.notes.kinds import KINDS

    plan = result.plan
    notetypes: dict[str, str | None] = {}
    held = [*result.unchanged_refs, *result.retired_refs]  # up to date: every note of the deck
    for kind in KINDS:  # null for a kind of note the deck does not hold
        planned = plan.notetypes.get(kind.name) if plan is not None else None
        absent = (
            planned is None
            if plan is not None
            else not kind.always and not any(kind.owns(r) for r in held)
        )
        if absent:
            notetypes[kind.json_key] = None
        else:
            new, changed = (
                planned is not None and planned.new,
                planned is not None and planned.changed,
            )
            notetypes[kind.json_key] = "new" if new else "changed" if changed else "unchanged"
    return build_output().model_validate(  # the note types' keys make it a dynamic model
        {
            "outcome": outcome(result),
            "deck": str(result.deck_path),
            "written": result.written,
            "up_to_date": result.up_to_date,
            "bytes": result.size,
            "format": result.package_format,
            "notes": result.notes,
            "seconds": round(seconds, 3),
            **_refs(result),
            **notetypes,
            "deck_changed": bool(plan and plan.deck_changed),
            "renamed": Renamed.of(plan.renamed if plan is not None else None),
            "lock": LockOrigin.model_validate(
                {"origin": result.lock_origin, "detail": result.lock_detail}
            ),
            "warnings": problems_out(result.warnings),
        }
    )


def text(
    result: BuildResult, seconds: float, *, verbose: bool = False, rerun: str = "deckbuilder build"
) -> str:
    """The build report: like a plan, what each note does on import. ``rerun`` is the
    build as it was run (its content folder and output named), which a hint extends: a
    hint that left them out would build another folder, or none, from where it is read."""
    from deckbuilder.commands.hints import quoted
    from deckbuilder.errors import display_path
    from deckbuilder.notes.kinds import KINDS

    refs = _refs(result)
    legacy = "legacy format for older Anki" if result.package_format == "anki2" else ""
    if result.up_to_date:  # every note of the deck is counted, as `inspect` counts them
        retired = len(refs["still_retired"])
        return (
            f"{display_path(result.deck_path)} is up to date{f' ({legacy})' if legacy else ''}: "
            f"{counted(result.notes, 'note')}{f' ({retired:,} retired)' if retired else ''}, "
            f"nothing changed ({seconds:.2f} s)."
        )
    plan = result.plan
    assert plan is not None
    lines = _details(refs, None if verbose else DETAIL_LINES)
    for kind in KINDS:
        planned = plan.notetypes.get(kind.name)
        if planned is not None and (planned.new or planned.changed):
            lines.append(f"  {kind.report_new if planned.new else kind.report_changed}")
    if plan.renamed:
        lines.append("  " + rename_advice(*plan.renamed))
    elif plan.deck_changed:
        lines.append("  deck: description changed")
    if result.lock_detail:
        lines.append(f"  {result.lock_detail}")
    verb = "Would write" if not result.written else "Wrote"
    size = f"{result.size / 1024:.0f} KiB" + (f", {legacy}" if legacy else "")
    summary = (
        f"{verb} {display_path(result.deck_path)} ({size}): {counted(len(plan.notes), 'note')}, "
        f"{len(refs['new']):,} new, {len(refs['updated']):,} updated, "
        f"{len(refs['unchanged']):,} unchanged"
    )
    retired = len(refs["retired"]) + len(refs["still_retired"])
    if retired:
        summary += f", {retired:,} retired"
    lines.append(f"{summary} ({seconds:.2f} s).")
    if retired:
        lines.append(
            "Retired notes are questions deleted from the content. In Anki, search "
            f"'tag:retired' in the Browse window to find and delete them; run "
            f"{quoted(rerun + ' --drop-retired')} to stop carrying them."
        )
    if not result.written:
        lines.append("Dry run: nothing was written.")
    return "\n".join(lines)


def _details(refs: dict[str, list[str]], limit: int | None) -> list[str]:
    """The notes that change, grouped by case (whole cases while they fit), at most
    ``limit`` lines and a line saying how many more there are."""
    by_case: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for status in _SHOWN:
        for ref in refs[status]:
            by_case[ref.partition("/")[0]].append((status, ref))
    lines: list[str] = []
    left: dict[str, int] = {}
    for case, notes in by_case.items():
        room = len(notes) if limit is None else limit - len(lines)
        if room <= 0 or (len(notes) > room and lines):
            left[case] = len(notes)
            continue
        for status, ref in notes[:room]:
            lines.append(f"  {status:<9} {ref}")
        if len(notes) > room:
            left[case] = len(notes) - room
    if left:
        more, cases = sum(left.values()), len(left)
        lines.append(
            f"  … and {more:,} more in {counted(cases, 'case')} (--verbose lists every note)"
        )
    return lines
