"""The plan stage: every note planned against the lock, and the collection written.

Notes in (from either source, :mod:`deckbuilder.pipeline.source`), a planned collection
database out, streaming case by case; :mod:`deckbuilder.pipeline.package` packs it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from deckbuilder.content.media import Media
    from deckbuilder.content.model import Deck
    from deckbuilder.notes.description import DeckTexts
    from deckbuilder.notes.spec import CaseNotes
    from deckbuilder.plan import Lock, Plan


@dataclass
class Assembled:
    """A planned collection, ready to be packaged: the plan, the database file
    (positioned at its start; close it when done) and the media to pack."""

    plan: Plan
    collection: BinaryIO
    media: list[Media]


def assemble(
    deck: Deck,
    texts: DeckTexts,
    cases: Iterable[CaseNotes],
    lock: Lock,
    *,
    drop_retired: bool = False,
    force: bool = False,
    finish_reading: Callable[[], None] | None = None,
) -> Assembled:
    """Plan every note of ``cases`` against ``lock`` and write the collection database.

    Streams: what it holds in memory is one case plus a fingerprint per note.
    ``finish_reading`` is called once the cases are consumed (it raises the content's
    problems, if any).
    """
    from deckbuilder.apkg.writer import CollectionWriter, deck_json
    from deckbuilder.notes import ids
    from deckbuilder.notes.description import deck_description, deck_fingerprint
    from deckbuilder.notes.kinds import BY_NAME, KINDS
    from deckbuilder.plan import Planner

    deck_id = ids.deck_id(deck.id)
    notetype_ids = {kind.name: kind.notetype_id(deck.id) for kind in KINDS}
    planner = Planner(lock, deck_key=deck.id, deck_id=deck_id, deck_name=deck.name, force=force)
    writer = CollectionWriter(notetype_ids=notetype_ids, deck_id=deck_id)
    try:
        summaries = []
        fingerprints = []
        counts: Counter[str] = Counter()
        media: dict[str, Media] = {}
        for case in cases:
            summaries.append(case.summary)
            fingerprints += [n.fingerprint for n in case.notes]
            counts.update(n.kind for n in case.notes)
            for m in case.media:
                media.setdefault(m.name, m)
            writer.add((n, planner.note(n)) for n in case.notes)
        if finish_reading is not None:
            finish_reading()
        writer.add(planner.retired(drop_retired))
        description = deck_description(deck, texts, summaries, fingerprints, counts)
        held = [kind for kind in KINDS if kind.always or kind.name in writer.kinds]
        plan = planner.finish(
            deck_fingerprint(deck.name, description),
            {kind.name: kind.contract.fingerprint(deck.name) for kind in held},
        )
        jsons = {
            name: BY_NAME[name].contract.json(notetype_ids[name], deck.name, deck_id, planned.mtime)
            for name, planned in plan.notetypes.items()
        }
        collection = writer.finish(
            deck_json=deck_json(deck_id, deck.name, description, plan.deck_mtime),
            notetype_jsons=jsons,
            col_mtime=plan.newest,
        )
    except BaseException:
        writer.close()
        raise
    return Assembled(plan, collection, sorted(media.values(), key=lambda m: m.name))
