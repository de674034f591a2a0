"""Store access for workers: each worker thread opens its own Store and closes it after,
because a SQLite connection belongs to the thread that opened it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from briefing.models import ArticleSummary, Story
from briefing.publishers import feed_name
from briefing.query import run_search
from briefing.store import Store

PAGE = 200  # rows loaded at a time; the list asks for more when the cursor nears the end
# How much of the database file a search session reads through a memory map. Not a
# reservation of memory: the pages are the kernel's page cache, shared with every process,
# where a connection's own cache holds copies and forgets them when it closes.
SEARCH_MMAP_BYTES = 1 << 30


@contextmanager
def open_store(path: Path) -> Iterator[Store]:
    store = Store(path)
    try:
        yield store
    finally:
        store.close()


class SearchSession:
    """The search screen's connection, opened by its first query and kept until the screen
    closes: a query per typing pause on a fresh Store re-read the schema, refilled an empty
    page cache with the index pages the last query had just read, and freed them again at
    close (a quarter of a phrase search at 100,000 articles). Workers take turns on it (the
    lock); `interrupt` ends the query under way when the user has typed on."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._store: Store | None = None
        self._lock = threading.Lock()
        self.closed = False
        self.queries = 0  # run on this connection (tests check that it is kept)

    def run(self, text: str, *, limit: int = PAGE
            ) -> tuple[list[ArticleSummary], dict[str, tuple[tuple[str, bool], ...]]]:
        """briefing.query.run_search on the kept connection, which the first call opens."""
        with self._lock:
            if self.closed:
                raise RuntimeError("search session closed")
            if self._store is None:
                self._store = Store(self.path)
                self._store.conn.execute(f"PRAGMA mmap_size = {SEARCH_MMAP_BYTES:d}")
            self.queries += 1
            return run_search(self._store, text, limit=limit)

    def interrupt(self) -> None:
        """End the statement running now, if any (from any thread): it raises in its
        worker. SQLite clears the interrupt once no statement runs, so the next query is
        not affected."""
        store = self._store
        if store is not None:
            store.conn.interrupt()

    def close(self) -> None:
        self.interrupt()
        with self._lock:
            self.closed = True
            if self._store is not None:
                self._store.close()
                self._store = None


def localise(store: Store, rows: list[ArticleSummary], lang: str | None) -> list[ArticleSummary]:
    """`rows` as the lists show them: the title translated into `lang` where a translation
    has one (None keeps the titles as written), and a feed's name as the user renamed it."""
    titles = store.translated_titles([a.id for a in rows if a.has_translation], lang) \
        if lang and any(a.has_translation for a in rows) else {}
    # One name per feed, as the sidebar and a story's copies give it: the user's rename,
    # else the feed's title, else the host.
    names = {s.url: s.user_title or s.title
             for s in store.list_sources(subscribed_only=False) if s.user_title or s.title}
    return [replace(a, title=titles.get(a.id, a.title),
                    source_title=feed_name(a.source, names.get(a.source) or a.source_title))
            for a in rows]


def localise_story(store: Store, story: Story, lang: str | None) -> Story:
    """A story with its copies' titles (and its own, the best copy's) in `lang` when
    translated."""
    ids = [m.article_id for m in story.members if m.has_translation]
    titles = store.translated_titles(ids, lang) if lang and ids else {}
    if not titles:
        return story
    members = tuple(replace(m, title=titles.get(m.article_id, m.title)) for m in story.members)
    return replace(story, title=titles.get(story.best_article, story.title), members=members)
