"""Messages posted by workers: small dataclasses named as past events (toolong's habit)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from textual.message import Message

from briefing.models import Article, ArticleSummary, FetchProgress, FetchReport, WrittenDigest


@dataclass
class ArticlesLoaded(Message):
    generation: int  # which load this page belongs to; stale pages are dropped
    offset: int
    rows: list[ArticleSummary]
    total: int


@dataclass
class UnreadFound(Message):
    """The next unread article past a list's loaded rows (None: there is none), with the
    rows from `offset` down to it, so the list can show it."""

    generation: int
    offset: int
    rows: list[ArticleSummary]
    article_id: str | None
    then: Callable[[int | None], None]


@dataclass
class CountsLoaded(Message):
    all: int
    unread: int
    starred: int
    sources: list[tuple[str, str, int, int]] = field(default_factory=list)
    tags: list[tuple[str, int, int]] = field(default_factory=list)
    failing: dict[str, str] = field(default_factory=dict)  # source url -> its last error


@dataclass
class ArticleLoaded(Message):
    article_id: str
    article: Article | None
    written: WrittenDigest | None = None  # bullets and summary the llm writer wrote


@dataclass
class ArticleChanged(Message):
    """Read or starred state changed; every list showing the article updates its row."""

    article_id: str
    read: bool
    starred: bool


@dataclass
class SearchFinished(Message):
    query: str
    results: list[ArticleSummary]
    error: str | None = None
    # Article id -> the passage around the match, as (text, is_match) parts; the first rows.
    snippets: dict[str, tuple[tuple[str, bool], ...]] = field(default_factory=dict)


@dataclass
class RecentSearches(Message):
    queries: list[str]


@dataclass
class FetchProgressed(Message):
    progress: FetchProgress

    def can_replace(self, message: Message) -> bool:
        # A burst of progress from a fast fetch collapses to the latest one.
        return isinstance(message, FetchProgressed)


@dataclass
class FetchFinished(Message):
    report: FetchReport


@dataclass
class FetchFailed(Message):
    reason: str


@dataclass
class TranslateProgressed(Message):
    """The fetch's translations (`[translation] auto`): article `done` of `total`."""

    done: int
    total: int
    title: str

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, TranslateProgressed)


@dataclass
class FetchTranslated(Message):
    """The fetch's translations ended: how many were made, and the articles that were not,
    each with its reason."""

    translated: int
    failed: list[tuple[str, str]]


@dataclass
class DataChanged(Message):
    """The database changed under us (cron, a fetch, a write from a worker)."""

    articles_changed: bool  # True: reload the lists; False: only the counts moved


@dataclass
class TranslationFinished(Message):
    article_id: str
    error: str | None = None
