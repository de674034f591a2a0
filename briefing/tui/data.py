"""Store access for workers: each worker thread opens its own Store and closes it after,
because a SQLite connection belongs to the thread that opened it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from briefing.models import ArticleSummary, Story
from briefing.publishers import feed_name
from briefing.store import Store

PAGE = 200  # rows loaded at a time; the list asks for more when the cursor nears the end


@contextmanager
def open_store(path: Path) -> Iterator[Store]:
    store = Store(path)
    try:
        yield store
    finally:
        store.close()


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
