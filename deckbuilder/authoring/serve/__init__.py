"""``deckbuilder serve``: the preview page, live.

* :mod:`.state`: the content folder rendered (through the build's render cache, so only
  the cases changed since are rendered again), each card's section of the page, and the
  updates from one rendering to the next;
* :mod:`.watch`: the content folder watched (``watchfiles``), for ``serve`` and for
  ``build --watch``;
* :mod:`.server`: the local HTTP server: the page, its updates as server-sent events,
  and the deck's images, nothing else.
"""
