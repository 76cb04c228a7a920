"""Reading a content folder: the one way ``check``, ``build`` and ``preview`` read it.

The deck file first, then each case file read, validated and rendered into notes (on
every core for large decks, see :mod:`deckbuilder.workers`), every problem collected so
that all of them are reported at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from deckbuilder.content.folder import DECK_FILE
from deckbuilder.errors import ContentProblem, display_path

if TYPE_CHECKING:
    from deckbuilder.content.loader import ContentReader
    from deckbuilder.content.model import Deck
    from deckbuilder.notes.description import DeckTexts
    from deckbuilder.notes.spec import CaseNotes

Progress = Callable[[str, int, int], None]  # stage, done, total


class ContentStream:
    """A content folder read case by case, rendered into notes, problems collected.

    The one way content is read, by ``check`` and by ``build``: the deck file first,
    then each case file read, validated and rendered (on every core for large decks).
    Call :meth:`finish` after :meth:`cases` to raise every problem found.
    """

    def __init__(self, root: Path, progress: Progress | None = None) -> None:
        from deckbuilder.content.loader import ContentReader, Source
        from deckbuilder.notes.description import DeckTexts

        self.reader: ContentReader = ContentReader(Path(root))
        self.root = self.reader.root
        self.progress = progress
        self.digests: dict[str, bytes] = {}  # case files as read, for the input stamp
        self.warnings = list(self.reader.deck_warnings)  # fail `check --strict`
        self.notices: list[ContentProblem] = []  # information for the author
        self.texts: DeckTexts | None = None
        if self.reader.deck is None:  # nothing can be rendered; still report every problem
            for _ in self.cases():
                pass
            self.finish()
        deck_file = self.root / DECK_FILE
        self.texts, problems = DeckTexts.render(
            self.deck, Source(display_path(deck_file), deck_file)
        )
        self.reader.problems.extend(problems)

    @property
    def deck(self) -> Deck:
        assert self.reader.deck is not None
        return self.reader.deck

    def cases(self) -> Iterator[CaseNotes]:
        """The notes of every valid case, in file order."""
        from deckbuilder.workers import case_results

        files = self.reader.files()
        names = {path: rel for rel, path in self.reader.listing.cases}
        if self.reader.deck is None:
            from deckbuilder.content.loader import read_case_file
            from deckbuilder.content.media import MediaFiles

            media = MediaFiles(self.root)
            for path in files:
                self.reader.accept(read_case_file(self.root, path, media.resolve)[1])
            return
        with case_results(self.root, self.deck, files) as results:
            for i, result in enumerate(results):
                if self.progress:
                    self.progress("building", i, len(files))
                if result.report.digest is not None:
                    self.digests[names[result.report.path]] = result.report.digest
                self.reader.problems.extend(result.problems)
                if self.reader.accept(result.report) and result.notes is not None:
                    self.warnings += result.notes.warnings
                    self.notices += result.notes.notices
                    yield result.notes

    def finish(self) -> None:
        self.reader.finish()
