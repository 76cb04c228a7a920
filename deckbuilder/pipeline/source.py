"""The source stage: content read, validated and rendered into notes, case by case.

Two sources feed the same stages after them: a content folder (:class:`FolderSource`, the
one way ``check``, ``build`` and ``preview`` read one: the deck file first, then each case
file, on every core for large decks, see :mod:`deckbuilder.pipeline.workers`) and Python
objects (:class:`ObjectSource`, for ``write_deck``). Each collects every problem, so that
all of them are reported at once by ``finish``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deckbuilder.content.folder import DECK_FILE
from deckbuilder.errors import ContentError, ContentProblem, Problems, display_path

if TYPE_CHECKING:
    from deckbuilder.content.loader import ContentReader
    from deckbuilder.content.model import Case, Deck
    from deckbuilder.notes.description import DeckTexts
    from deckbuilder.notes.spec import CaseNotes
    from deckbuilder.pipeline.cache import Memory, RenderCache

Progress = Callable[[str, int, int], None]  # stage, done, total


class FolderSource:
    """A content folder read case by case, rendered into notes, problems collected.

    The one way content is read, by ``check`` and by ``build``: the deck file first,
    then each case file read, validated and rendered (on every core for large decks).
    Call :meth:`finish` after :meth:`cases` to raise every problem found.
    """

    def __init__(
        self,
        root: Path,
        progress: Progress | None = None,
        *,
        cache: bool = False,
        memory: Memory | None = None,
    ) -> None:
        """With ``cache``, cases whose inputs are unchanged since they were last rendered
        are taken from the render cache (:mod:`deckbuilder.pipeline.cache`), and those
        rendered are stored in it; ``memory`` keeps its entries in this process too,
        from one reading of the folder to the next (``serve``, ``build --watch``)."""
        from deckbuilder.content.loader import ContentReader, Source
        from deckbuilder.notes.description import DeckTexts

        self.problems = Problems()  # the deck's, the cases' and the lock's (check)
        self.reader: ContentReader = ContentReader(Path(root), self.problems)
        self.root = self.reader.root
        self.progress = progress
        self.cache: RenderCache | None = None
        self.digests: dict[str, bytes] = {}  # case files as read, for the input stamp
        self.rendered: list[Path] = []  # case files rendered, not taken from the cache
        self.warnings = list(self.reader.deck_warnings)  # fail `check --strict`
        self.notices: list[ContentProblem] = []  # information for the author
        self.texts: DeckTexts | None = None
        if self.reader.deck is None:  # nothing can be rendered; still report every problem
            for _ in self.cases():
                pass
            self.finish()
        deck_file = self.root / DECK_FILE
        self.texts = DeckTexts.render(
            self.deck, Source(display_path(deck_file), deck_file), self.problems
        )
        if cache and self.reader.deck_digest is not None:
            from deckbuilder.pipeline.cache import RenderCache

            self.cache = RenderCache(self.root, self.reader.deck_digest, memory=memory)

    @property
    def deck(self) -> Deck:
        assert self.reader.deck is not None
        return self.reader.deck

    def cases(self) -> Iterator[CaseNotes]:
        """The notes of every valid case, in file order."""
        from deckbuilder.pipeline.workers import case_results

        files = self.reader.files()
        names = {path: rel for rel, path in self.reader.listing.cases}
        if self.reader.deck is None:
            from deckbuilder.content.loader import read_case_file
            from deckbuilder.content.media import MediaFiles

            media = MediaFiles(self.root)
            for path in files:
                self.reader.accept(read_case_file(self.root, path, media.resolve)[1])
            return
        with case_results(self.root, self.deck, files, self.cache) as results:
            for i, (result, rendered) in enumerate(results):
                if self.progress:
                    self.progress("building", i, len(files))
                if rendered:
                    self.rendered.append(result.report.path)
                if result.report.digest is not None:
                    self.digests[names[result.report.path]] = result.report.digest
                self.problems.extend(result.problems)
                if self.reader.accept(result.report) and result.notes is not None:
                    if self.cache is not None:
                        self.cache.remember(result)
                    self.warnings += result.notes.warnings
                    self.notices += result.notes.notices
                    yield result.notes
        if self.cache is not None:
            self.cache.prune(files)

    def finish(self) -> None:
        """Raise :class:`ContentError` with every problem found, if any."""
        self.reader.finish()


class ObjectSource:
    """A deck and its cases given as Python objects (models, or mappings as the YAML
    reads), validated and rendered as a folder's would be; problems are placed by key
    path ("cases[2].questions[0].answer"). Call :meth:`finish` after :meth:`cases`."""

    def __init__(
        self,
        deck: Deck | Mapping[str, Any],
        cases: Iterable[Case | Mapping[str, Any]],
        images: Path,
    ) -> None:
        from deckbuilder.content.loader import Source, validate_object
        from deckbuilder.content.media import MediaFiles
        from deckbuilder.content.model import Deck as DeckModel
        from deckbuilder.notes.description import DeckTexts

        self.root = Path(images)
        self.problems = Problems()
        self.warnings: list[ContentProblem] = []
        self.notices: list[ContentProblem] = []
        self._media = MediaFiles(self.root)
        self._given = cases
        model = (
            deck
            if isinstance(deck, DeckModel)
            else validate_object(deck, DeckModel, "deck", self.problems)
        )
        self._deck: Deck | None = model
        if model is None:  # nothing can be rendered; still report every problem
            for _ in self.cases():
                pass
            self.finish()
        self.texts = DeckTexts.render(self.deck, Source("deck"), self.problems)

    @property
    def deck(self) -> Deck:
        assert self._deck is not None
        return self._deck

    def cases(self) -> Iterator[CaseNotes]:
        """The notes of every valid case, in the order given."""
        from deckbuilder.content.loader import CaseIds, case_from_object
        from deckbuilder.notes.builder import NoteBuilder

        ids = CaseIds()
        builder = NoteBuilder(self._deck, self._media) if self._deck is not None else None
        for i, given in enumerate(self._given):
            label = f"cases[{i}]"
            case = case_from_object(
                given, label, lambda p: self._media.resolve(self.root, p), self.problems
            )
            if case is None:
                continue
            clash = ids.claim(case.case.id, Path(label), None)
            if clash is not None:
                self.problems.add(clash)
                continue
            if builder is None:
                continue
            notes = builder.case_notes(case, self.problems)
            if notes is not None:
                self.warnings += notes.warnings
                self.notices += notes.notices
                yield notes

    def finish(self) -> None:
        """Raise :class:`ContentError` with every problem found, if any."""
        if self.problems or self._deck is None:
            raise ContentError(self.problems)
