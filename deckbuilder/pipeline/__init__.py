"""A build as the chain of its stages, one module each.

* :mod:`.source`: the content read, validated and rendered into notes case by case, from
  a folder (:class:`~.source.FolderSource`, on every core for large decks with
  :mod:`.workers`) or from Python objects (:class:`~.source.ObjectSource`);
* :mod:`.assemble`: every note planned against the lock (:mod:`deckbuilder.plan`) and
  written into the collection database;
* :mod:`.package`: the collection packed as an ``.apkg`` and written with the lock, both
  or neither;
* :mod:`.stamp`: the input stamp in the deck's zip comment, which lets an unchanged
  folder skip the whole chain;
* :mod:`.run`: the chain itself, ``build``, ``check`` and ``render_content``.
"""
