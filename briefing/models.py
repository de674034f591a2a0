"""Domain objects passed between the pipeline, the store and the front ends.

Frozen dataclasses: cheap to build, safe to hand across threads and processes (they pickle).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, Literal

SourceKind = Literal["feed", "file", "directory", "opml"]
SaveOutcome = Literal["added", "updated", "unchanged"]


@dataclass(frozen=True)
class Source:
    """A feed URL or a local path the user reads from."""

    url: str
    kind: SourceKind = "feed"
    title: str = ""
    tags: tuple[str, ...] = ()
    etag: str | None = None
    last_modified: str | None = None
    last_status: int | None = None
    last_error: str | None = None
    error_count: int = 0
    gone: bool = False
    last_fetched: str | None = None
    retry_after: str | None = None
    subscribed: bool = False
    user_title: str = ""  # the user's name for it (a TUI rename); wins over `title`

    @property
    def name(self) -> str:
        return self.user_title or self.title


@dataclass(frozen=True)
class FeedEntry:
    """One item of a parsed feed, before cleaning."""

    link: str
    guid: str
    title: str
    author: str = ""
    published: str | None = None  # ISO 8601 UTC
    summary_html: str = ""
    content_html: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    site_url: str
    entries: tuple[FeedEntry, ...]
    warning: str | None = None  # feedparser's bozo reason, kept for diagnostics
    language: str = ""  # as the feed declares it (RSS <language>, Atom xml:lang), unchecked


@dataclass(frozen=True)
class Paragraph:
    index: int
    text: str
    language: str = ""
    kind: str = "body"  # body | title | standfirst | caption | byline


@dataclass(frozen=True)
class Fact:
    """A typed, normalised fact tied to a paragraph and the character offsets of its text."""

    kind: str  # money | percent | measure | count | duration | date | org | person | place
    text: str
    value: float | str
    unit: str
    paragraph: int
    start: int
    end: int
    link: int | None = None  # index of a linked fact in the same article (Rmb40bn <-> $5.5bn)


# A Fact's fields as a row, in their order: the facts table's columns after (article, idx),
# and what facts.FactRows keeps of each fact.
fact_row = attrgetter("kind", "text", "value", "unit", "paragraph", "start", "end", "link")


@dataclass(frozen=True)
class KeyFact:
    text: str
    paragraph: int


TITLE_PARAGRAPH = -1  # TranslationPair.paragraph of the title's pair


@dataclass(frozen=True)
class FigureFlag:
    """What the numbers check found about one figure of a translated paragraph."""

    kind: str  # "changed", "missing" (from the translation) or "added" (by it)
    text: str  # the line a reader sees: "changed figure: 230,000 → 320.000"
    original: str = ""  # the figure as the original writes it ("" when added)
    translation: str = ""  # the figure as the translation writes it ("" when missing)

    @property
    def message(self) -> str:
        return self.text


@dataclass(frozen=True)
class TranslationPair:
    # The original paragraph's index; TITLE_PARAGRAPH for the title; None for a line that has
    # no counterpart among the article's paragraphs (a dropped caption, say).
    paragraph: int | None
    original: str
    translation: str
    # What shows ⚠: a changed figure, or a missing or added one that matters.
    flags: tuple[FigureFlag, ...] = ()
    # Left-over small numbers that read as an article or a quantity word ("1 quầy" for "a
    # booth"): shown quietly, never counted as a problem.
    notes: tuple[FigureFlag, ...] = ()


@dataclass(frozen=True)
class Translation:
    lang: str
    engine: str
    model: str
    pairs: tuple[TranslationPair, ...]
    key_facts: tuple[str, ...] = ()
    summary: str = ""
    # The numbers check's flags of each bullet (parallel to key_facts; empty when unchecked)
    # and of the summary, against the original's: an engine's against the sentence it
    # translated, a provided post's against the whole original (the figure guard).
    key_fact_flags: tuple[tuple[FigureFlag, ...], ...] = ()
    summary_flags: tuple[FigureFlag, ...] = ()

    def bullet_flags(self, i: int) -> tuple[FigureFlag, ...]:
        return self.key_fact_flags[i] if i < len(self.key_fact_flags) else ()


@dataclass(frozen=True)
class WriterFlag:
    """The figure guard's finding about one written bullet or summary: a figure or a named
    organisation or person that the original does not have."""

    kind: str  # "figure" | "name"
    text: str  # as the writer wrote it: "15 tỷ USD", "Jane Doe"

    @property
    def message(self) -> str:
        return f"{self.text} is not in the original"


@dataclass(frozen=True)
class WrittenBullet:
    text: str
    flags: tuple[WriterFlag, ...] = ()


@dataclass(frozen=True)
class WrittenDigest:
    """Bullets and a summary written by a model (the `llm` writer) in `lang`, with the
    figure guard's flags; kept apart from the article's own and its translations'."""

    article_id: str
    lang: str
    engine: str
    model: str
    bullets: tuple[WrittenBullet, ...]
    summary: str
    summary_flags: tuple[WriterFlag, ...] = ()
    created: str | None = None

    @property
    def flagged(self) -> int:
        return sum(1 for b in self.bullets if b.flags) + (1 if self.summary_flags else 0)


@dataclass(frozen=True)
class Article:
    """A cleaned article, whole: what the store saves in one transaction."""

    id: str
    url: str
    source: str
    title: str
    text: str
    paragraphs: tuple[Paragraph, ...]
    language: str = ""
    author: str = ""
    published: str | None = None
    fetched: str | None = None
    site_name: str = ""
    content_hash: str = ""
    tags: tuple[str, ...] = ()
    facts: Sequence[Fact] = ()
    key_facts: tuple[KeyFact, ...] = ()
    summary: str = ""
    tagger_version: int = 0
    translations: tuple[Translation, ...] = ()
    read: bool = False
    starred: bool = False
    source_title: str = ""
    feed_tags: tuple[str, ...] = ()  # the feed's own tags, also found in `tags`
    # A hash of the feed entry's HTML as fetched (ingest.entry_hash), "" for other sources: an
    # entry fetched again unchanged is then neither cleaned nor tagged again.
    entry_hash: str = ""
    # For tagging an article stored before it was tagged (readable_first): False when its
    # source gave no date, `published` then being its fetch's, which the tagger must not read
    # relative dates ("yesterday") by. Stored (m016), for an article read back to be tagged.
    dated: bool = True


# An article's tagger_version while it is stored readable but not tagged yet (fetch.readable_first):
# below every real TAGGER_VERSION, so `briefing tag` re-tags it like any stale article, and
# apart from 0 (an article no tagger made), so only a fetch's own unfinished work is resumed.
TAGGING_PENDING = -1


@dataclass(frozen=True)
class ArticleSummary:
    """What a list needs of an article: never its text."""

    id: str
    title: str
    url: str
    source: str
    source_title: str
    published: str | None
    language: str
    read: bool
    starred: bool
    fact_count: int = 0
    has_translation: bool = False
    summary: str = ""


@dataclass
class FetchReport:
    """The outcome of one fetch run: printed by cron, posted to the TUI."""

    sources_total: int = 0
    sources_ok: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    not_modified: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    started: str = ""
    finished: str = ""
    pruned: int = 0  # articles deleted by retention ([store] keep_days, max_per_feed)

    @property
    def sources_failed(self) -> int:
        return len(self.failed)

    def as_dict(self) -> dict[str, object]:
        return {
            "sources_total": self.sources_total,
            "sources_ok": self.sources_ok,
            "sources_failed": self.sources_failed,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "not_modified": self.not_modified,
            "failed": [{"source": s, "reason": r} for s, r in self.failed],
            "started": self.started,
            "finished": self.finished,
            "pruned": self.pruned,
        }


@dataclass(frozen=True)
class FetchProgress:
    """One source finished (or failed) during a fetch run."""

    done: int
    total: int
    source: str
    outcome: str  # "ok", "not modified", or the failure reason


# -- stories: copies of one news story across sources and languages --

@dataclass(frozen=True)
class Stored:
    """One article's row in story_articles: its story and its signature as last assigned."""

    article_id: str
    story_id: str
    published: str
    quality: float
    content_hash: str
    tagger_version: int
    # As read back; a row being written leaves it empty and hands `put` the stored text.
    signature: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StoryFlag:
    kind: str  # disagreement | changed
    text: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StoryMember:
    article_id: str
    title: str
    url: str
    source: str
    source_title: str
    language: str
    published: str
    best: bool
    has_translation: bool = False


@dataclass(frozen=True)
class Story:
    id: str
    title: str
    best_article: str
    size: int
    first_published: str
    last_published: str
    members: tuple[StoryMember, ...] = ()
    flags: tuple[StoryFlag, ...] = ()
