"""The store: the only place SQL runs. It hands out domain objects, never rows.

A Store owns one SQLite connection, which belongs to the thread that opened it: every worker
thread and every process opens its own. Writers take the write lock up front (BEGIN IMMEDIATE)
so two processes never deadlock upgrading read locks, and the busy timeout makes a second
writer wait instead of failing with "database is locked".
"""

from __future__ import annotations

import inspect
import json
import logging
import os
import sqlite3
import time
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from briefing.models import (
    TAGGING_PENDING,
    TITLE_PARAGRAPH,
    Article,
    ArticleSummary,
    Fact,
    FetchReport,
    FigureFlag,
    KeyFact,
    Paragraph,
    SaveOutcome,
    Source,
    Translation,
    TranslationPair,
    fact_row,
)
from briefing.publishers import feed_name
from briefing.store.base import (
    SUMMARY_COLUMNS,
    QueryError,
    StoreError,
    summary_from_row,
    wraps_sqlite_errors,
)
from briefing.store.checkpoint import Checkpointer
from briefing.store.fts import (
    SNIPPET_CHARS,
    SNIPPET_CLOSE,
    SNIPPET_OPEN,
    CompiledQuery,
    SearchSyntaxError,
    compile_query,
    fold,
    query_words,
    snippet_parts,
    snippet_window,
    sql_fold,
)
from briefing.store.paragraphs import Damaged
from briefing.store.paragraphs import decode as decode_paragraphs
from briefing.store.paragraphs import encode as encode_paragraphs
from briefing.store.paragraphs import split as split_paragraphs
from briefing.store.story_store import StoryStore
from briefing.store.tags import preferred
from briefing.text import one_line

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from datetime import datetime

    from sqlite_utils import Database

    from briefing.store.retention import PruneReport

BUSY_TIMEOUT_S = 60.0
# The number of migrations in store/migrations.py; bump it with each new one (a test checks).
# Kept as PRAGMA user_version, so opening an up-to-date database needs no migration check.
SCHEMA_VERSION = 19
# The sqlite-utils migration set in store/migrations.py (kept here so that opening a database
# needs no sqlite-utils import); its rows in _sqlite_migrations mark a file as ours.
MIGRATION_SET = "briefing"
MIGRATIONS_TABLE = "_sqlite_migrations"
T = TypeVar("T")
# An article's indexed columns as the search index keeps them (see m011_search_index).
_FOLDED = ", ".join(sql_fold(col) for col in ("title", "text", "translation"))


@dataclass(frozen=True)
class FactFilter:
    """`org=Nvidia`, `money>1e9`: a fact kind, an operator and a value."""

    kind: str
    op: str
    value: str | float


@dataclass(frozen=True)
class ArticleFilter:
    unread: bool = False
    starred: bool = False
    source: str | None = None
    tag: str | None = None
    since: str | None = None
    facts: tuple[FactFilter, ...] = field(default_factory=tuple)
    url: str | None = None  # one article's address: a local file's, within its folder's source


_NUMERIC_OPS = {">": ">", "<": "<", ">=": ">=", "<=": "<=", "=": "=", "!=": "!="}
RARE_FACT_ROWS = 2000  # see Store._fact_clause
# An article's facts, bullets and tags: rows keyed by the article's rowid (m017), which a
# trigger deletes with the article.
_CHILDREN = ("facts", "key_facts", "article_tags")
# A search with words looks each article of a filter this rare up in the index, and walks
# the word's matches for any other (see Store.search).
RARE_SEARCH_ROWS = 50
# Teaser pages waiting for their full text (fetch.pages_per_feed put them off), per source and
# in all. A feed of 100,000 teasers queued every one of them, and at 50 pages a run most would
# have waited for years. 1,000 is 20 runs at the default 50 pages; pages put off longer are
# the oldest news, so they are the ones dropped (their teasers stay stored and searchable).
PENDING_PER_SOURCE = 1000
PENDING_TOTAL = 20_000
_RARE_FILTER = "a.rowid IN (SELECT article FROM facts WHERE "
_FEW_FILTER = "a.rowid IN (SELECT few.article FROM facts few WHERE "
# A search ranks by relevance the newest RANK_WINDOW articles that match, not every match:
# ranking is bm25 over each matching row, and at 100,000 articles a common word matches half
# of them (0.3 s); the newest 2,000 are ranked in 16 ms. For news the newest matches are the
# ones wanted; an older one is found with more words.
RANK_WINDOW = 2000
# What `rank` is configured to be (m011_search_index's 'bm25(5.0, 1.0, 1.0)': a title word
# weighs five), called directly where the articles are looked up one by one: ORDER BY f.rank
# there made FTS5 run a ranking statement of its own for each row (1,000 articles looked up
# on 3,000: 0.37 s, 0.15 s this way, the same order).
RANK = "bm25(articles_fts, 5.0, 1.0, 1.0)"


# The WAL is copied back into the database when it reaches this many pages (~40 MB at 4 KiB)
# instead of SQLite's default 1,000: commits then pay for a checkpoint a few times a fetch
# rather than every few batches. A fetch itself leaves them to a thread (checkpoints_beside).
CHECKPOINT_PAGES = 10_000
# During a fetch (see Store.checkpoints_beside), only a bound: ~160 MB.
WAL_BOUND_PAGES = 4 * CHECKPOINT_PAGES
CACHE_KIB = 16 * 1024  # an upper bound, filled as pages are read; 64 MB gained only ~5%


def _enter_wal(conn: sqlite3.Connection) -> None:
    """Switch to WAL, waiting for another process that is switching the same new file too.
    SQLite answers "database is locked" at once there instead of calling the busy handler
    (two `briefing fetch` runs started together on a new database hit it one time in five)."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    delay, other_mode = 0.005, 0
    while True:
        try:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        else:
            other_mode += 1
            # Another mode persists only where a process holds the file open in it; reads
            # still work then, so that is not worth waiting the whole timeout for.
            if str(mode).lower() == "wal" or other_mode > 3:
                return
        time.sleep(delay)
        delay = min(delay * 2, 0.1)


def _check_ours(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse, before any change, a file another application made or a newer briefing made.

    An empty file (or a new one) is ours to set up. A file with tables is ours only when our
    migration set is recorded in it: a foreign database switched to WAL and given our tables
    would be damaged for its owner. A newer schema may have changed what our queries assume,
    so a newer file is refused whole rather than written to by code that cannot know its rules.
    """
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = sorted(r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
        "ESCAPE '\\'"))
    if tables:
        ours = MIGRATIONS_TABLE in tables and conn.execute(
            f"SELECT 1 FROM {MIGRATIONS_TABLE} WHERE migration_set = ? LIMIT 1",
            (MIGRATION_SET,)).fetchone() is not None
        if not ours:
            shown = ", ".join(tables[:5]) + (f" and {len(tables) - 5} more" if len(tables) > 5
                                             else "")
            raise StoreError(f"{path}: not a briefing database (it has tables {shown}); "
                             "refusing to change it")
    if version > SCHEMA_VERSION:
        raise StoreError(f"{path}: made by a newer briefing (schema {version}, this one knows "
                         f"{SCHEMA_VERSION}); refusing to write to it")


def _why_not_writable(path: Path) -> str:
    """What SQLite's "unable to open database file" leaves out, when it is this: in WAL mode
    even a reader creates the -wal and -shm files beside the database, so its folder must be
    writable, and so must the file."""
    folder = path.absolute().parent
    if folder.is_dir() and not os.access(folder, os.W_OK):
        return f" (its folder {folder} is not writable; the database needs its -wal and -shm " \
               "files beside it)"
    if path.is_file() and not os.access(path, os.W_OK):
        return " (the file is read-only)"
    return ""


def pending_upgrade(path: str | Path) -> int | None:
    """The schema version of the database at `path` when opening it will upgrade it, else
    None (no such file, already current, or not readable: opening it will say why). Read-only.
    An upgrade is a one-off that can take seconds (m016 at 100,000 articles: ~10 s), which a
    front end says before it starts rather than sit on a blank terminal."""
    try:
        conn = sqlite3.connect(Path(path).absolute().as_uri() + "?mode=ro", uri=True)
    except (sqlite3.Error, ValueError):
        return None
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        # Another program's file with a user_version of its own is refused, not upgraded.
        ours = conn.execute(f"SELECT 1 FROM {MIGRATIONS_TABLE} WHERE migration_set = ? "
                            "LIMIT 1", (MIGRATION_SET,)).fetchone() is not None
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return version if ours and 0 < version < SCHEMA_VERSION else None


def _wrap_public_methods(cls: type[T]) -> type[T]:
    for name, member in list(vars(cls).items()):
        if not name.startswith("_") and inspect.isfunction(member):
            setattr(cls, name, wraps_sqlite_errors(member))
    return cls


@_wrap_public_methods
class Store:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open database: {exc}"
                             f"{_why_not_writable(self.path)}") from exc
        try:
            # Before anything writes: switching to WAL alone rewrites the file's header.
            _check_ours(conn, self.path)
            conn.execute("PRAGMA foreign_keys = ON")
            _enter_wal(conn)
            # NORMAL is safe in WAL mode against process crashes (SIGKILL); only a power cut
            # can lose the last commits, never corrupt the file.
            conn.execute("PRAGMA synchronous = NORMAL")
            # A fetch touches the article, FTS and story-key B-trees all over: with SQLite's
            # default 2 MB page cache every batch re-reads pages through the kernel.
            conn.execute(f"PRAGMA cache_size = -{CACHE_KIB:d}")
            conn.execute(f"PRAGMA wal_autocheckpoint = {CHECKPOINT_PAGES:d}")
        except (sqlite3.Error, StoreError) as exc:
            conn.close()
            if isinstance(exc, StoreError):
                raise
            raise StoreError(f"{self.path}: cannot open database: {exc}"
                             f"{_why_not_writable(self.path)}") from exc
        self.conn = conn
        self._db: Database | None = None
        # Rowids of articles inserted in the open transaction, not in the search index yet
        # (see index_pending).
        self._unindexed: list[int] = []
        self._checkpointer: Checkpointer | None = None  # see checkpoints_beside
        # The story tables, with this connection's memos for matching (see StoryStore).
        self.stories = StoryStore(self)
        self._migrate()

    @property
    def db(self) -> Database:
        """A sqlite-utils view of the same connection (for migrations and FTS set-up)."""
        if self._db is None:
            from sqlite_utils import Database

            self._db = Database(self.conn)
        return self._db

    def _migrate(self) -> None:
        try:
            # The common case, an up-to-date file, costs one PRAGMA and never imports
            # sqlite-utils (~100 ms, numpy included): cron's all-304 runs feel that.
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            if version >= SCHEMA_VERSION:
                return
            from briefing.store.migrations import migrations

            # Under the write lock, so two processes starting together apply each step once.
            with self.write():
                migrations.apply(self.db)
                self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")
        except (sqlite3.Error, ValueError, TypeError) as exc:
            # ValueError, TypeError: what a migration's Python makes of rows another program
            # wrote; said in one line like SQLite's own errors, never a traceback.
            raise StoreError(f"{self.path}: cannot prepare database: {exc}") from exc

    def close(self) -> None:
        self._end_checkpoints()  # its last checkpoint first (see checkpoints_beside)
        self.conn.close()

    def _end_checkpoints(self) -> None:
        """Wait for the last fetch's checkpoint thread, if any, to finish."""
        if self._checkpointer is not None:
            self._checkpointer.join()
            self._checkpointer = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write on this connection: inside an open transaction it joins it; otherwise it
        takes the write lock up front (BEGIN IMMEDIATE), commits, or rolls back and forgets
        the story memos (they may describe rows that are gone)."""
        conn = self.conn
        if conn.in_transaction:
            yield conn
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            self.stories.flush()
            self.index_pending(conn)
        except BaseException:
            self._unindexed.clear()
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            # Whatever was memoised inside the transaction may describe rows that are gone.
            self.stories.forget()
            raise
        else:
            conn.execute("COMMIT")
            if self._checkpointer is not None:
                self._checkpointer.poke()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group several writes into one transaction (all or nothing, one commit). A database
        failure inside it, or at its commit, comes out as a StoreError."""
        try:
            with self.write():
                yield
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: database error: {exc}") from exc

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cur = self.conn.execute(sql, params)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def _one(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        rows = self._rows(sql, params)
        return dict(rows[0]) if rows else None

    # -- sources -------------------------------------------------------------------------

    def add_source(self, url: str, *, kind: str = "feed", tags: Sequence[str] = (),
                   subscribed: bool = True, now: str | None = None, title: str = "") -> None:
        """Subscribe (or re-subscribe) to `url`, adding `tags` to those it has. `title` (an
        OPML list's name for it) is kept only until a fetch tells the feed's own."""
        with self.write() as c:
            c.execute(
                "INSERT INTO sources (url, kind, subscribed, added, title) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(url) DO UPDATE SET subscribed = MAX(subscribed, excluded.subscribed),"
                " title = CASE WHEN title = '' THEN excluded.title ELSE title END",
                (url, kind, int(subscribed), now, title),
            )
            # A tag the source has in another case is the same tag ("Finance", "finance").
            have = {r[0].casefold() for r in c.execute(
                "SELECT tag FROM source_tags WHERE source_url = ?", (url,))}
            new = {t.casefold(): t for t in reversed(tags) if t.casefold() not in have}
            c.executemany(
                "INSERT OR IGNORE INTO source_tags (source_url, tag) VALUES (?, ?)",
                [(url, t) for t in new.values()],
            )

    def remove_source(self, url: str) -> bool:
        with self.write() as c:
            cur = c.execute("UPDATE sources SET subscribed = 0 WHERE url = ? AND subscribed = 1",
                            (url,))
            return cur.rowcount > 0

    def rename_source(self, url: str, name: str) -> bool:
        """Give `url` the user's own name ("" goes back to the feed's title); a fetch keeps
        it. False when no such source is stored."""
        with self.write() as c:
            return c.execute("UPDATE sources SET user_title = ? WHERE url = ?",
                             (name, url)).rowcount > 0

    def set_source_tags(self, url: str, tags: Sequence[str]) -> bool:
        """Replace the tags of `url` (articles stored before keep the tags they were given).
        False when no such source is stored."""
        with self.write() as c:
            if c.execute("SELECT 1 FROM sources WHERE url = ?", (url,)).fetchone() is None:
                return False
            c.execute("DELETE FROM source_tags WHERE source_url = ?", (url,))
            c.executemany("INSERT OR IGNORE INTO source_tags (source_url, tag) VALUES (?, ?)",
                          [(url, t) for t in tags])
            return True

    def translated_titles(self, ids: Sequence[str], lang: str) -> dict[str, str]:
        """Article id -> its title translated into `lang`, for those of `ids` that have one."""
        out: dict[str, str] = {}
        for i in range(0, len(ids), 500):
            chunk = list(ids[i:i + 500])
            marks = ",".join("?" * len(chunk))
            for r in self._rows(
                    "SELECT t.article_id, p.translation FROM translations t "
                    "JOIN translation_pairs p ON p.translation_id = t.id "
                    f"WHERE t.lang = ? AND p.paragraph = ? AND t.article_id IN ({marks})",
                    [lang, TITLE_PARAGRAPH, *chunk]):
                if r["translation"].strip():
                    out[r["article_id"]] = r["translation"]
        return out

    def get_source(self, url: str) -> Source | None:
        return self.get_sources([url]).get(url)

    def get_sources(self, urls: Sequence[str]) -> dict[str, Source]:
        """`get_source` for many URLs in two statements: the stored ones, by URL. A fetch of
        1,000 feeds named on its command line looked each up with two (~25 ms before its
        first request)."""
        out: dict[str, Source] = {}
        for i in range(0, len(urls), 500):
            chunk = json.dumps(list(urls[i:i + 500]))
            rows = self._rows("SELECT * FROM sources WHERE url IN "
                              "(SELECT value FROM json_each(?))", (chunk,))
            tags: dict[str, list[str]] = {}
            for r in self._rows("SELECT source_url, tag FROM source_tags WHERE source_url IN "
                                "(SELECT value FROM json_each(?)) ORDER BY tag", (chunk,)):
                tags.setdefault(r["source_url"], []).append(r["tag"])
            out.update((r["url"], _source(r, tags.get(r["url"], []))) for r in rows)
        return out

    def list_sources(self, *, subscribed_only: bool = True) -> list[Source]:
        where = "WHERE subscribed = 1" if subscribed_only else ""
        rows = self._rows(f"SELECT * FROM sources {where} ORDER BY url")
        tags: dict[str, list[str]] = {}
        for r in self._rows("SELECT source_url, tag FROM source_tags ORDER BY tag"):
            tags.setdefault(r["source_url"], []).append(r["tag"])
        return [_source(r, tags.get(r["url"], [])) for r in rows]

    def record_source(self, url: str, *, kind: str, status: int | None, now: str,
                      title: str | None = None, etag: str | None = None,
                      last_modified: str | None = None, error: str | None = None,
                      gone: bool = False, retry_after: str | None = None) -> None:
        """Remember how a fetch of `url` went: validators on success, the error otherwise.
        The error is kept as one clean line: it may quote a server (a reason phrase with an
        escape sequence in it), and every screen that shows it later trusts the store."""
        if error is not None:
            error = one_line(error, 1000) or "failed"
        with self.write() as c:
            c.execute(
                "INSERT INTO sources (url, kind, added) VALUES (?, ?, ?) "
                "ON CONFLICT(url) DO NOTHING", (url, kind, now))
            if error is None:
                c.execute(
                    "UPDATE sources SET last_status = ?, last_error = NULL, error_count = 0, "
                    "etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified), "
                    "title = CASE WHEN ? != '' THEN ? ELSE title END, last_fetched = ?, "
                    "gone = 0, retry_after = NULL WHERE url = ?",
                    (status, _exact(etag), _exact(last_modified), title or "", title or "",
                     now, url),
                )
            else:
                c.execute(
                    "UPDATE sources SET last_status = ?, last_error = ?, "
                    "error_count = error_count + 1, last_fetched = ?, gone = ?, retry_after = ? "
                    "WHERE url = ?",
                    (status, error, now, int(gone), retry_after, url),
                )

    def note_local_source(self, url: str, error: str | None, *,
                          present: Collection[str] | None = None) -> None:
        """A stored local source (a folder or a file) as a fetch finds it on disk: `error`
        when it cannot be read (None clears the last one); a path never stored gets no row.
        With `present`, the files of a folder that are not among them any more lose their
        last error: nothing fetches them again, so nothing else would ever clear it."""
        prefix = url.rstrip("/") + "/"
        with self.write() as c:
            if error is None:
                c.execute("UPDATE sources SET last_error = NULL, error_count = 0 "
                          "WHERE url = ? AND last_error IS NOT NULL", (url,))
            else:
                c.execute("UPDATE sources SET last_error = ?, error_count = error_count + 1 "
                          "WHERE url = ?", (error, url))
            if present is None:
                return
            failing = [r[0] for r in c.execute(
                "SELECT url FROM sources WHERE last_error IS NOT NULL AND "
                "substr(url, 1, ?) = ?", (len(prefix), prefix))]
            c.executemany("UPDATE sources SET last_error = NULL, error_count = 0 WHERE url = ?",
                          [(u,) for u in failing if u not in present])

    def add_pending_pages(self, source: str, pages: Sequence[tuple[str, str]], *,
                          now: str = "", per_source: int = PENDING_PER_SOURCE,
                          total: int = PENDING_TOTAL) -> int:
        """Remember teaser pages (article id, page URL) of `source` to fetch on a later run,
        keeping at most `per_source` of the source and `total` in all: past them the pages
        put off longest are dropped (their teasers stay stored). Returns how many were
        dropped."""
        # Of one batch past the bound, the first pages are kept: the queue would reach them
        # first, and a feed lists its newest items first.
        pages = list(pages)
        dropped = max(0, len(pages) - per_source)
        with self.write() as c:
            c.executemany(
                "INSERT OR IGNORE INTO pending_pages (article_id, source_url, url, added) "
                "VALUES (?, ?, ?, ?)", [(aid, source, url, now) for aid, url in pages[:per_source]])
            held = c.execute("SELECT count(*) FROM pending_pages WHERE source_url = ?",
                             (source,)).fetchone()[0]
            if held > per_source:
                c.execute("DELETE FROM pending_pages WHERE rowid IN (SELECT rowid FROM "
                          "pending_pages WHERE source_url = ? ORDER BY rowid LIMIT ?)",
                          (source, held - per_source))
                dropped += held - per_source
            held = c.execute("SELECT count(*) FROM pending_pages").fetchone()[0]
            if held > total:
                c.execute("DELETE FROM pending_pages WHERE rowid IN (SELECT rowid FROM "
                          "pending_pages ORDER BY rowid LIMIT ?)", (held - total,))
                dropped += held - total
        return dropped

    def pending_pages(self, source: str, limit: int) -> list[tuple[str, str]]:
        """Up to `limit` pending pages of `source`, (article id, page URL), oldest first."""
        if limit <= 0:
            return []
        return [(r["article_id"], r["url"]) for r in self._rows(
            "SELECT article_id, url FROM pending_pages WHERE source_url = ? ORDER BY rowid "
            "LIMIT ?", (source, limit))]

    def pending_sources(self) -> set[str]:
        """The sources that have pending pages."""
        return {r[0] for r in self.conn.execute("SELECT DISTINCT source_url FROM pending_pages")}

    def drop_pending_pages(self, article_ids: Sequence[str]) -> None:
        with self.write() as c:
            c.executemany("DELETE FROM pending_pages WHERE article_id = ?",
                          [(aid,) for aid in article_ids])

    # -- articles ------------------------------------------------------------------------

    def save_article(self, art: Article, *, now: str | None = None) -> SaveOutcome:
        """Store an article with its paragraphs, facts, key facts and tags, all or nothing."""
        with self.write() as c:
            return self._save_one(c, art, now, _Stored.read(c, [art]))

    def _save_one(self, c: sqlite3.Connection, art: Article, now: str | None,
                  known: _Stored) -> SaveOutcome:
        row = known.rows.get(art.id)
        if row is not None and row[2] != art.source:
            return "unchanged"  # another feed carries the same URL: the first one owns it
        if row is None and art.id in known.pruned_ids:
            return "unchanged"  # retention deleted it; the feed still lists it
        if row is None and art.content_hash and known.taken(art.content_hash) and (
                _same_title(c, art)):
            return "unchanged"  # the same article already stored under another URL
        if row is not None and row[0] == art.content_hash and row[1] >= art.tagger_version:
            if art.entry_hash:  # the entry's HTML changed, not its text: known from now on
                c.execute("UPDATE articles SET entry_hash = ? WHERE id = ?",
                          (art.entry_hash, art.id))
            return "unchanged"
        values = (
            art.url, art.source, art.source_title, art.title, art.author,
            art.published or art.fetched or now, art.language, art.site_name, art.text,
            art.content_hash, art.summary, art.tagger_version, len(art.facts),
            json.dumps(list(art.feed_tags), ensure_ascii=False), art.entry_hash,
            encode_paragraphs(art.text, art.paragraphs), int(art.dated),
        )
        if row is None:
            cur = c.execute(
                "INSERT INTO articles (url, source_url, source_title, title, author, "
                "published, language, site_name, text, content_hash, summary, "
                "tagger_version, fact_count, feed_tags, entry_hash, paragraphs, dated, fetched, "
                "id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (*values, art.fetched or now, art.id),
            )
            rowid = cur.lastrowid or 0
            self._unindexed.append(rowid)
            known.stored(art, None, rowid)
        else:
            self.index_pending(c)  # the update trigger takes the old row out of the index
            c.execute(
                "UPDATE articles SET url=?, source_url=?, source_title=?, title=?, author=?, "
                "published=?, language=?, site_name=?, text=?, content_hash=?, summary=?, "
                "tagger_version=?, fact_count=?, feed_tags=?, entry_hash=?, paragraphs=?, "
                "dated=?, updated=? "
                "WHERE id=?",
                (*values, now, art.id),
            )
            rowid = row[3]
            known.stored(art, row[0], rowid)
        self._replace_children(c, art, rowid, new=row is None)
        if row is not None and art.url.startswith("file:"):
            # Not a post that names its web page: two such files (vi.txt, fr.txt) share one
            # article, and each would drop the other's translation.
            self._drop_removed_translations(c, art)
        for tr in art.translations:
            self._save_translation(c, art.id, tr, now)
        return "added" if row is None else "updated"

    def _drop_removed_translations(self, c: sqlite3.Connection, art: Article) -> None:
        """A local file's translations that came with it (a `.vi.md` beside it, a post's own)
        and are gone from it now: a deleted translation file stayed, "1 updated"."""
        kept = json.dumps(sorted({tr.lang for tr in art.translations if tr.engine == "provided"}))
        if c.execute("DELETE FROM translations WHERE article_id = ? AND engine = 'provided' "
                     "AND lang NOT IN (SELECT value FROM json_each(?))",
                     (art.id, kept)).rowcount:
            self._index_translations(c, art.id)

    def save_articles(self, arts: Sequence[Article], *, now: str | None = None
                      ) -> list[SaveOutcome]:
        """Save a feed's worth of articles in one transaction (faster than one each; every
        article is still whole, since a failure rolls back the lot)."""
        with self.write() as c:
            # What each article is checked against, read for the batch in four queries
            # instead of four an article, and kept in step as the batch is written.
            known = _Stored.read(c, arts)
            return [self._save_one(c, a, now, known) for a in arts]

    def index_pending(self, c: sqlite3.Connection) -> None:
        """Put the articles inserted in this transaction into the search index, in one
        statement. A trigger did it for each row, and FTS5 writes its pending terms out at
        every statement that changes it: one small segment per article. Called before the
        commit, and before anything in the transaction updates or deletes an article's
        indexed columns (their triggers take the old entry out of the index)."""
        if self._unindexed:
            c.execute(f"INSERT INTO articles_fts (rowid, title, text, translation) "
                      f"SELECT rowid, {_FOLDED} FROM articles "
                      f"WHERE rowid IN (SELECT value FROM json_each(?))",
                      (json.dumps(self._unindexed),))
            self._unindexed.clear()

    def known_entry_hashes(self, source: str) -> dict[str, str]:
        """Article id -> entry hash (Article.entry_hash) for what `source` already gave us."""
        return {r["id"]: r["entry_hash"] for r in self._rows(
            "SELECT id, entry_hash FROM articles WHERE source_url = ? AND entry_hash != ''",
            (source,))}

    def owned_elsewhere(self, arts: Sequence[Article]) -> set[str]:
        """Ids of `arts` stored already for another source with other text (see
        pipeline._Runner._own_copies)."""
        if not arts:
            return set()
        mine = {a.id: (a.source, a.content_hash) for a in arts}
        out: set[str] = set()
        ids = list(mine)
        for i in range(0, len(ids), 500):
            for aid, source, content in self.conn.execute(
                    "SELECT id, source_url, content_hash FROM articles WHERE id IN "
                    "(SELECT value FROM json_each(?))", (json.dumps(ids[i:i + 500]),)):
                if source != mine[aid][0] and content != mine[aid][1]:
                    out.add(aid)
        return out

    def known_hashes(self, source: str) -> dict[str, str]:
        """Article id -> content hash for what `source` already gave us."""
        return {r["id"]: r["content_hash"] for r in self._rows(
            "SELECT id, content_hash FROM articles WHERE source_url = ?", (source,))}

    def local_article_ids(self, source: str) -> dict[str, str]:
        """File URI -> the article a folder `source`'s file gave it: the latest one, where an
        edit before ids were made from the file's URI left two."""
        return {r["url"]: r["id"] for r in self._rows(
            "SELECT url, id FROM articles WHERE source_url = ? AND url LIKE 'file:%' "
            "ORDER BY fetched, rowid", (source,))}

    def _replace_children(self, c: sqlite3.Connection, art: Article, rowid: int, *,
                          new: bool = False) -> None:
        if not new:  # a new article has no children yet (they reference its row)
            for table in _CHILDREN:
                c.execute(f"DELETE FROM {table} WHERE article = ?", (rowid,))
        # The paragraphs are in the article's own row (store/paragraphs.py).
        self._insert_analysis(c, rowid, art.facts, art.key_facts, art.tags)

    @staticmethod
    def _insert_analysis(c: sqlite3.Connection, rowid: int, facts: Sequence[Fact],
                         key_facts: Sequence[KeyFact], tags: Sequence[str]) -> None:
        # Each only when it has rows: an article stored readable first has none yet.
        if facts:
            c.executemany(_INSERT_FACTS,
                          [(rowid, i, *row) for i, row in enumerate(_fact_rows(facts))])
        if key_facts:
            c.executemany(
                "INSERT INTO key_facts (article, idx, text, paragraph) VALUES (?,?,?,?)",
                [(rowid, i, k.text, k.paragraph) for i, k in enumerate(key_facts)],
            )
        if any(tags):
            c.executemany(
                "INSERT OR IGNORE INTO article_tags (article, tag) VALUES (?, ?)",
                [(rowid, t) for t in dict.fromkeys(tags) if t],
            )

    def save_analysis(self, article_id: str, *, facts: Sequence[Fact],
                      key_facts: Sequence[KeyFact], summary: str, tags: Sequence[str],
                      tagger_version: int) -> None:
        """Replace an article's facts, bullets, summary and tags (a re-tag), atomically. An
        article not stored is left alone."""
        with self.write() as c:
            found = c.execute("SELECT rowid FROM articles WHERE id = ?", (article_id,)).fetchone()
            if found is None:
                return
            for table in _CHILDREN:
                c.execute(f"DELETE FROM {table} WHERE article = ?", (found[0],))
            self._insert_analysis(c, found[0], facts, key_facts, tags)
            c.execute(
                "UPDATE articles SET summary = ?, tagger_version = ?, fact_count = ? WHERE id = ?",
                (summary, tagger_version, len(facts), article_id),
            )

    def save_analyses(self, arts: Sequence[Article]) -> None:
        """`save_analysis` for each of `arts` (their facts, bullets, summary, tags and tagger
        version), in seven statements for the lot instead of seven an article: the tagging
        that follows a readable-first store writes 100-200 articles at a time. An article given
        twice keeps its last analysis, as one call each would leave it."""
        last = list({a.id: a for a in arts}.values())
        if not last:
            return
        with self.write() as c:
            rowids = dict(c.execute(
                "SELECT id, rowid FROM articles WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps([a.id for a in last]),)).fetchall())
            last = [a for a in last if a.id in rowids]  # one not stored is left alone
            held = json.dumps([rowids[a.id] for a in last])
            for table in _CHILDREN:
                c.execute(f"DELETE FROM {table} WHERE article IN "
                          "(SELECT value FROM json_each(?))", (held,))
            fact_rows: list[tuple[Any, ...]] = []
            for a in last:
                rowid = rowids[a.id]
                fact_rows += [(rowid, i, *row) for i, row in enumerate(_fact_rows(a.facts))]
            c.executemany(_INSERT_FACTS, fact_rows)
            c.executemany(
                "INSERT INTO key_facts (article, idx, text, paragraph) VALUES (?,?,?,?)",
                [(rowids[a.id], i, k.text, k.paragraph) for a in last
                 for i, k in enumerate(a.key_facts)])
            c.executemany(
                "INSERT OR IGNORE INTO article_tags (article, tag) VALUES (?, ?)",
                [(rowids[a.id], t) for a in last for t in dict.fromkeys(a.tags) if t])
            c.executemany(
                "UPDATE articles SET summary = ?, tagger_version = ?, fact_count = ? WHERE id = ?",
                [(a.summary, a.tagger_version, len(a.facts), a.id) for a in last])

    def _save_translation(self, c: sqlite3.Connection, article_id: str, tr: Translation,
                          now: str | None) -> None:
        c.execute("DELETE FROM translations WHERE article_id = ? AND lang = ?",
                  (article_id, tr.lang))
        cur = c.execute(
            "INSERT INTO translations (article_id, lang, engine, model, summary, created, "
            "summary_flags) VALUES (?,?,?,?,?,?,?)",
            (article_id, tr.lang, tr.engine, tr.model, tr.summary, now,
             _findings_json(tr.summary_flags)))
        tid = cur.lastrowid
        c.executemany(
            "INSERT INTO translation_pairs (translation_id, idx, paragraph, original, translation,"
            " flags, notes) VALUES (?,?,?,?,?,?,?)",
            [(tid, i, p.paragraph, p.original, p.translation, _findings_json(p.flags),
              _findings_json(p.notes))
             for i, p in enumerate(tr.pairs)],
        )
        c.executemany(
            "INSERT INTO translation_key_facts (translation_id, idx, text, flags) "
            "VALUES (?,?,?,?)",
            [(tid, i, t, _findings_json(tr.bullet_flags(i))) for i, t in enumerate(tr.key_facts)],
        )
        self._index_translations(c, article_id)

    def _index_translations(self, c: sqlite3.Connection, article_id: str) -> None:
        """The translations' text, in the one column the full-text index reads them from."""
        self.index_pending(c)
        c.execute(
            "UPDATE articles SET translation = COALESCE((SELECT group_concat(translation, "
            "char(10)) FROM (SELECT p.translation FROM translations t JOIN translation_pairs p "
            "ON p.translation_id = t.id WHERE t.article_id = ? ORDER BY t.lang, p.idx)), '') "
            "WHERE id = ?", (article_id, article_id))

    def save_translation(self, article_id: str, tr: Translation, *, now: str | None = None) -> None:
        with self.write() as c:
            self._save_translation(c, article_id, tr, now)
            c.execute("DELETE FROM translation_retries WHERE article_id = ? AND lang = ?",
                      (article_id, tr.lang))

    def translation_retries(self, lang: str, *, below: int) -> list[str]:
        """Articles a fetch could not translate into `lang` and should try again, oldest
        failure first: those whose engine answered `below` times or fewer with a refusal
        (an engine that could not be reached counts no try)."""
        return [r[0] for r in self.conn.execute(
            "SELECT article_id FROM translation_retries WHERE lang = ? AND tries < ? "
            "ORDER BY last_try, article_id", (lang, below))]

    def note_translation_failures(self, lang: str, failures: Sequence[tuple[str, str, bool]],
                                  now: str | None) -> dict[str, int]:
        """Record (article, reason, counted) failures to translate into `lang`, for the next
        fetch to try again; `counted` adds a try. Returns each article's tries so far."""
        with self.write() as c:
            c.executemany(
                "INSERT INTO translation_retries (article_id, lang, tries, reason, last_try) "
                "SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM articles WHERE id = ?) "
                "ON CONFLICT (article_id, lang) DO UPDATE SET tries = tries + excluded.tries, "
                "reason = excluded.reason, last_try = excluded.last_try",
                [(a, lang, int(counted), reason, now, a) for a, reason, counted in failures])
            return dict(c.execute(
                "SELECT article_id, tries FROM translation_retries WHERE lang = ? AND "
                "article_id IN (SELECT value FROM json_each(?))",
                (lang, json.dumps([a for a, _, _ in failures]))).fetchall())

    def forget_translation_retries(self, lang: str, article_ids: Sequence[str]) -> None:
        """Articles that no longer want a translation into `lang` (one was made by other
        means, or the article is in `lang` now)."""
        if article_ids:
            with self.write() as c:
                c.execute("DELETE FROM translation_retries WHERE lang = ? AND article_id IN "
                          "(SELECT value FROM json_each(?))", (lang, json.dumps(list(article_ids))))

    def get_article(self, article_id: str) -> Article | None:
        return self.get_articles([article_id]).get(article_id)

    def get_articles(self, ids: Sequence[str]) -> dict[str, Article]:
        """Article id -> the stored article, for those of `ids` that are stored: five queries
        for up to 500 articles, not five each (the tagging behind reads back a batch at a time
        the articles it could not keep in memory, all of them but the first 4,000 in a cold
        fetch of 20,000 items)."""
        out: dict[str, Article] = {}
        unique = list(dict.fromkeys(ids))
        for i in range(0, len(unique), 500):
            out.update(self._articles(json.dumps(unique[i:i + 500])))
        return out

    def _articles(self, ids: str) -> dict[str, Article]:
        among = "article_id IN (SELECT value FROM json_each(?))"
        rows = self._rows("SELECT rowid, * FROM articles WHERE id IN "
                          "(SELECT value FROM json_each(?))", (ids,))
        if not rows:
            return {}
        # The children by the articles' rowids (m017), read with the rows above.
        by_rowid = {row["rowid"]: row["id"] for row in rows}
        rowids = json.dumps(list(by_rowid))
        mine = "article IN (SELECT value FROM json_each(?))"
        facts: dict[str, list[Fact]] = {}
        for rowid, *values in self.conn.execute(
                f'SELECT article, kind, text, value, unit, paragraph, start, "end", link '
                f"FROM facts WHERE {mine} ORDER BY article, idx", (rowids,)):
            facts.setdefault(by_rowid[rowid], []).append(Fact(*values))
        key_facts: dict[str, list[KeyFact]] = {}
        for rowid, text, paragraph in self.conn.execute(
                f"SELECT article, text, paragraph FROM key_facts WHERE {mine} "
                "ORDER BY article, idx", (rowids,)):
            key_facts.setdefault(by_rowid[rowid], []).append(KeyFact(text, paragraph))
        tags: dict[str, list[str]] = {}
        for rowid, tag in self.conn.execute(
                f"SELECT article, tag FROM article_tags WHERE {mine} "
                "ORDER BY article, rowid", (rowids,)):
            tags.setdefault(by_rowid[rowid], []).append(tag)
        translated = {r[0] for r in self.conn.execute(
            f"SELECT DISTINCT article_id FROM translations WHERE {among}", (ids,))}
        return {row["id"]: Article(
            id=row["id"], url=row["url"], source=row["source_url"], title=row["title"],
            text=row["text"], paragraphs=_paragraphs(row),
            language=row["language"], author=row["author"], published=row["published"],
            fetched=row["fetched"], site_name=row["site_name"],
            content_hash=row["content_hash"], tags=tuple(tags.get(row["id"], ())),
            facts=tuple(facts.get(row["id"], ())),
            key_facts=tuple(key_facts.get(row["id"], ())), summary=row["summary"],
            tagger_version=row["tagger_version"],
            translations=self._translations(row["id"]) if row["id"] in translated else (),
            read=bool(row["read"]), starred=bool(row["starred"]),
            source_title=row["source_title"], feed_tags=_json_tuple(row["feed_tags"]),
            dated=bool(row["dated"]),
        ) for row in rows}

    def _translations(self, article_id: str) -> tuple[Translation, ...]:
        out = []
        for t in self._rows("SELECT * FROM translations WHERE article_id = ? ORDER BY lang",
                            (article_id,)):
            pairs = tuple(
                TranslationPair(p["paragraph"], p["original"], p["translation"],
                                _findings(p["flags"]), _findings(p["notes"]))
                for p in self._rows(
                    "SELECT * FROM translation_pairs WHERE translation_id = ? ORDER BY idx",
                    (t["id"],))
            )
            rows = self._rows(
                "SELECT text, flags FROM translation_key_facts WHERE translation_id = ? "
                "ORDER BY idx", (t["id"],))
            bullet_flags = tuple(_findings(r["flags"]) for r in rows)
            out.append(Translation(t["lang"], t["engine"], t["model"], pairs,
                                   tuple(r["text"] for r in rows), t["summary"],
                                   bullet_flags if any(bullet_flags) else (),
                                   _findings(t["summary_flags"])))
        return tuple(out)

    def match_article_ids(self, prefix: str, *, limit: int = 5) -> list[str]:
        """Ids of the articles `prefix` may name: the exact id alone when one has it, else up
        to `limit` ids starting with it (more than one: the prefix is ambiguous). A range on
        the primary key, so a prefix costs an index seek, not a scan."""
        if self._one("SELECT 1 AS found FROM articles WHERE id = ?", (prefix,)):
            return [prefix]
        # U+10FFFF sorts after every character an id can continue with (BINARY collation).
        rows = self._rows("SELECT id FROM articles WHERE id > ? AND id < ? ORDER BY id LIMIT ?",
                          (prefix, prefix + "\U0010ffff", limit))
        return [r["id"] for r in rows]

    def list_details(self, ids: Sequence[str]) -> dict[str, tuple[tuple[str, ...],
                                                               tuple[KeyFact, ...]]]:
        """Article id -> (tags, key-fact bullets) for a list's articles, in a few queries."""
        tags: dict[str, list[str]] = {i: [] for i in ids}
        bullets: dict[str, list[KeyFact]] = {i: [] for i in ids}
        for i in range(0, len(ids), 500):
            chunk = list(ids[i:i + 500])
            marks = ",".join("?" * len(chunk))
            for r in self._rows(f"SELECT a.id, t.tag FROM articles a JOIN article_tags t "
                                f"ON t.article = a.rowid WHERE a.id IN ({marks}) "
                                "ORDER BY t.article, t.rowid", chunk):
                tags[r["id"]].append(r["tag"])
            for r in self._rows(f"SELECT a.id, k.text, k.paragraph FROM articles a JOIN "
                                f"key_facts k ON k.article = a.rowid WHERE a.id IN ({marks}) "
                                "ORDER BY k.article, k.idx", chunk):
                bullets[r["id"]].append(KeyFact(r["text"], r["paragraph"]))
        return {i: (tuple(tags[i]), tuple(bullets[i])) for i in ids}

    def article_ids(self, *, since: str | None = None,
                    below_tagger_version: int | None = None) -> list[str]:
        sql, params = "SELECT id FROM articles WHERE 1=1", list[Any]()
        if since:
            sql += " AND published >= ?"
            params.append(since)
        if below_tagger_version is not None:
            sql += " AND tagger_version < ?"
            params.append(below_tagger_version)
        return [r["id"] for r in self._rows(sql + " ORDER BY published, id", params)]

    def tagging_pending_ids(self) -> list[str]:
        """Articles stored readable whose tagging has not been saved (a fetch with
        readable_first killed between its phases), in the order they were stored."""
        return [r["id"] for r in self._rows(
            f"SELECT id FROM articles WHERE tagger_version < 0 AND tagger_version = "
            f"{TAGGING_PENDING:d} ORDER BY rowid")]

    def tagging_pending(self, ids: Sequence[str]) -> dict[str, str]:
        """Article id -> content hash, of those of `ids` still waiting for their tagging."""
        out: dict[str, str] = {}
        for i in range(0, len(ids), 500):
            chunk = list(ids[i:i + 500])
            out.update(self.conn.execute(
                f"SELECT id, content_hash FROM articles WHERE id IN ({','.join('?' * len(chunk))})"
                f" AND tagger_version = {TAGGING_PENDING:d}", chunk))
        return out

    def _where(self, flt: ArticleFilter) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if flt.unread:
            clauses.append("a.read = 0")
        if flt.starred:
            clauses.append("a.starred = 1")
        if flt.source:
            clauses.append("a.source_url = ?")
            params.append(flt.source)
        if flt.url:
            clauses.append("a.url = ?")
            params.append(flt.url)
        if flt.tag:
            # Every spelling of the tag ("Finance", "finance"): one tag whatever its case.
            variants = self._tag_variants(flt.tag)
            clauses.append("a.rowid IN (SELECT article FROM article_tags WHERE tag IN "
                           f"({','.join('?' * len(variants))}))")
            params.extend(variants)
        if flt.since:
            clauses.append("a.published >= ?")
            params.append(flt.since)
        for ff in flt.facts:
            clause, values = self._fact_clause(ff)
            clauses.append(clause)
            params.extend(values)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def _fact_clause(self, ff: FactFilter) -> tuple[str, list[Any]]:
        """One fact filter as SQL on `a`. A rare one (fewer than RARE_FACT_ROWS facts match
        it: org:Halvorsen) drives the query: its articles are gathered first. A common one
        (percent>=10, a third of all articles) is checked article by article from the
        newest, so a page of 200 is found after a few hundred lookups instead of gathering
        tens of thousands of ids first: 1 ms instead of 0.8 s at 100,000 articles, where a
        rare filter checked that way would read every article. A bounded count decides. The
        rarest (RARE_SEARCH_ROWS) also drive a search with words (see `search`)."""
        op = _NUMERIC_OPS.get(ff.op)
        if op is None:
            raise QueryError(f"unknown operator {ff.op!r} in fact filter")
        if isinstance(ff.value, str):
            if op not in ("=", "!="):
                raise QueryError(f"{ff.kind}{ff.op}{ff.value}: compare names with = or !=")
            cond = f"kind = ? AND value {op} ? COLLATE NOCASE"
        else:
            cond = f"kind = ? AND typeof(value) IN ('integer','real') AND value {op} ?"
        params = [ff.kind, ff.value]
        found = self.conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM facts WHERE {cond} "
                                  "LIMIT ?)", [*params, RARE_FACT_ROWS]).fetchone()[0]
        if found == 0:
            return "0", []  # nothing can match: SQLite then skips the query's loops
        if found < RARE_SEARCH_ROWS:
            return f"{_RARE_FILTER}{cond})", params
        if found < RARE_FACT_ROWS:
            return f"{_FEW_FILTER}{cond})", params
        return f"EXISTS (SELECT 1 FROM facts x WHERE x.article = a.rowid AND {cond})", params

    def list_articles(self, flt: ArticleFilter | None = None, *, limit: int = 200,
                      offset: int = 0, oldest_first: bool = False) -> list[ArticleSummary]:
        where, params = self._where(flt or ArticleFilter())
        order = "a.published, a.id" if oldest_first else "a.published DESC, a.id"
        rows = self._rows(
            f"SELECT {SUMMARY_COLUMNS} FROM articles a {where} "
            f"ORDER BY {order} LIMIT ? OFFSET ?", [*params, limit, offset])
        return [summary_from_row(r) for r in rows]

    def next_unread(self, flt: ArticleFilter | None, published: str | None,
                    article_id: str, *, oldest_first: bool = False) -> str | None:
        """The id of the unread article that follows (published, article_id) in a list of
        `flt` (newest first, then by id; or oldest first), or None. Two index seeks (the
        same time, a later id; then an earlier time), not one OR, which SQLite answers by
        sorting every unread article older than the current one: 0.2 ms instead of 90 ms at
        100,000 articles. (Articles without a time, which save_article never leaves, are
        not reached.)"""
        where, params = self._where(replace(flt or ArticleFilter(), unread=True))
        cond = where.replace(" WHERE ", " AND ", 1)
        if published is None:  # NULL sorts last: only a later id of the same kind follows
            row = self.conn.execute(
                f"SELECT a.id FROM articles a WHERE a.published IS NULL AND a.id > ? {cond} "
                "ORDER BY a.id LIMIT 1", [article_id, *params]).fetchone()
            return None if row is None else str(row[0])
        # After the same time's later ids comes the nearest time in the list's direction.
        beyond, order = (">", "a.published") if oldest_first else ("<", "a.published DESC")
        row = self.conn.execute(
            "SELECT id FROM (SELECT id, 0 AS k FROM (SELECT a.id FROM articles a "
            f"WHERE a.published = ? AND a.id > ? {cond} ORDER BY a.id LIMIT 1) UNION ALL "
            f"SELECT id, 1 FROM (SELECT a.id FROM articles a WHERE a.published {beyond} ? "
            f"{cond} ORDER BY {order}, a.id LIMIT 1)) "
            "ORDER BY k LIMIT 1", [published, article_id, *params, published, *params]
        ).fetchone()
        return None if row is None else str(row[0])

    def list_position(self, flt: ArticleFilter | None, article_id: str, *,
                      oldest_first: bool = False) -> int | None:
        """The row of `article_id` in list_articles(flt) (0-based), or None when it is not
        in that list: a count over the index of publication times, so a list can be loaded
        down to an article found by next_unread without paging through it."""
        row = self.conn.execute("SELECT published FROM articles WHERE id = ?",
                                [article_id]).fetchone()
        if row is None or row[0] is None:
            return None
        where, params = self._where(flt or ArticleFilter())
        cond = where.replace(" WHERE ", " AND ", 1)
        inside = self.conn.execute(f"SELECT 1 FROM articles a WHERE a.id = ? {cond}",
                                   [article_id, *params]).fetchone()
        if inside is None:
            return None
        before = ">" if not oldest_first else "<"
        return int(self.conn.execute(
            f"SELECT count(*) FROM articles a WHERE (a.published {before} ? OR "
            f"(a.published = ? AND a.id < ?)) {cond}",
            [row[0], row[0], article_id, *params]).fetchone()[0])

    def count_articles(self, flt: ArticleFilter | None = None) -> int:
        where, params = self._where(flt or ArticleFilter())
        return int(self.conn.execute(
            f"SELECT count(*) FROM articles a {where}", params).fetchone()[0])

    def search(self, query: str, flt: ArticleFilter | None = None, *,
               limit: int = 50, offset: int = 0) -> list[ArticleSummary]:
        """Articles matching `query` (the syntax of store/fts.py: words, "phrases", OR, NOT,
        -word, (groups), prefix*), best first; a query with only exclusions lists the rest
        newest first. A malformed query raises QueryError saying why."""
        q = _compile(query)
        if q.match is not None and q.exclude is not None:
            # FTS5 streams "a NOT b"; NOT IN would gather every article with b first.
            q = CompiledQuery(f"({q.match}) NOT ({q.exclude})", None)
        where, params = self._where(flt or ArticleFilter())
        if q.exclude is not None:
            where += (" AND " if where else " WHERE ") + (
                "a.rowid NOT IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
            params.append(q.exclude)
        try:
            if q.match is None:
                rows = self._rows(
                    f"SELECT {SUMMARY_COLUMNS} FROM articles a {where} "
                    "ORDER BY a.published DESC, a.id LIMIT ? OFFSET ?", [*params, limit, offset])
            elif _RARE_FILTER in where or " WHERE 0" in where or " AND 0" in where:
                # A rare fact filter has few articles: look each up in the index (CROSS JOIN
                # keeps them the outer loop) instead of walking every match of a common word.
                # Only a very rare one (RARE_SEARCH_ROWS): at 100,000 articles a lookup costs
                # ~2.5 ms for a word most articles hold, and 1,000 of them took 2.7 s where
                # walking the word's matches below, the filter's ids gathered once, took
                # 0.15 s (on 3,000 articles: 0.15 s and 10 ms).
                where = where.replace(" WHERE ", " AND ", 1)
                rows = self._rows(
                    f"SELECT {SUMMARY_COLUMNS} FROM articles a CROSS JOIN articles_fts f "
                    f"ON f.rowid = a.rowid WHERE articles_fts MATCH ? {where} "
                    f"ORDER BY {RANK} LIMIT ? OFFSET ?", [q.match, *params, limit, offset])
            else:
                where = where.replace(" WHERE ", " AND ", 1)
                # The rowid order (newest first) lets FTS5 stop after RANK_WINDOW rows. The
                # articles are joined there only for a filter: a lookup for each of the
                # window's rows is 1-2 ms at 100,000 articles.
                join = "JOIN articles a ON a.rowid = f.rowid " if where else ""
                rows = self._rows(
                    f"SELECT {SUMMARY_COLUMNS} FROM (SELECT f.rowid AS rid, f.rank AS score "
                    f"FROM articles_fts f {join}"
                    f"WHERE articles_fts MATCH ? {where} ORDER BY f.rowid DESC LIMIT ?) m "
                    "JOIN articles a ON a.rowid = m.rid ORDER BY m.score LIMIT ? OFFSET ?",
                    [q.match, *params, max(RANK_WINDOW, limit + offset), limit, offset])
        except sqlite3.OperationalError as exc:
            raise QueryError(f"malformed search query {one_line(query, 80)!r}: {exc}") from exc
        return [summary_from_row(r) for r in rows]

    def snippets(self, query: str, ids: Sequence[str], *, tokens: int = 16
                 ) -> dict[str, tuple[tuple[str, bool], ...]]:
        """Article id -> a passage of about `tokens` words around `query`'s matches, as
        (text, is_match) parts, for the articles `ids` (some of a search's results: a
        snippet reads and tokenizes the article's text, so it is asked for the rows shown,
        not for every match). Articles matched only by an exclusion get none."""
        q = _compile(query)
        if q.match is None or not ids:
            return {}
        out: dict[str, tuple[tuple[str, bool], ...]] = {}
        # Handed to FTS5, "rowid IN" runs the match once per row: cheap for words, but a
        # prefix (chip*) is expanded each time (0.4 s for 40 rows at 100,000 articles). The
        # unary + keeps it from FTS5 there: one match, the rows filtered after, and over
        # the rowids between the rows' own only (FTS5 seeks to a rowid range), which a
        # search's first rows, from its newest matches, keep narrow: 5 ms instead of the
        # 10 ms of every article the prefix matches, at 100,000 articles.
        prefix = "*" in q.match
        # A long article is snippeted from windows of its columns (see fts.SNIPPET_CHARS).
        long: set[str] = set()
        for i in range(0, len(ids), 500):
            chunk = list(ids[i:i + 500])
            long.update(aid for (aid,) in self.conn.execute(
                "SELECT id FROM articles WHERE id IN (SELECT value FROM json_each(?)) AND "
                "max(length(title), length(text), length(translation)) > ?",
                (json.dumps(chunk), SNIPPET_CHARS)))
        if long:
            out.update(self._window_snippets(query, q.match, [i for i in ids if i in long],
                                             tokens))
            ids = [i for i in ids if i not in long]
        for i in range(0, len(ids), 500):
            chunk = list(ids[i:i + 500])
            marks = ",".join("?" * len(chunk))
            rowids = f"SELECT rowid FROM articles WHERE id IN ({marks})"
            span = (f"f.rowid BETWEEN (SELECT min(rowid) FROM ({rowids})) AND "
                    f"(SELECT max(rowid) FROM ({rowids})) AND +") if prefix else ""
            try:
                found = self.conn.execute(
                    "SELECT a.id, snippet(articles_fts, -1, ?, ?, '…', ?) FROM articles_fts f "
                    "JOIN articles a ON a.rowid = f.rowid WHERE articles_fts MATCH ? AND "
                    f"{span}f.rowid IN ({rowids})",
                    [SNIPPET_OPEN, SNIPPET_CLOSE, tokens, q.match,
                     *(chunk * 2 if prefix else ()), *chunk]).fetchall()
            except sqlite3.OperationalError as exc:
                raise QueryError(f"malformed search query {one_line(query, 80)!r}: {exc}") from exc
            out.update((aid, snippet_parts(text or "")) for aid, text in found)
        return out

    def _window_snippets(self, query: str, match: str, ids: Sequence[str], tokens: int
                         ) -> dict[str, tuple[tuple[str, bool], ...]]:
        """`snippets` for long articles: each column cut to a window (fts.snippet_window),
        indexed in a temporary table of this connection as the search index holds its
        columns (folded for the index, shown as written), and snippeted there."""
        c = self.conn
        words = query_words(match)
        windows: list[tuple[str, tuple[str, str, str]]] = []
        for i in range(0, len(ids), 500):
            for aid, *columns in c.execute(
                    "SELECT id, title, text, translation FROM articles WHERE id IN "
                    "(SELECT value FROM json_each(?))", (json.dumps(list(ids[i:i + 500])),)):
                windows.append((aid, tuple(snippet_window(col or "", words)
                                           for col in columns)))  # type: ignore[arg-type]
        own = not c.in_transaction  # its temporary rows are this call's, committed at its end
        try:
            c.execute("CREATE TEMP TABLE IF NOT EXISTS snippet_windows "
                      "(title TEXT, text TEXT, translation TEXT)")
            c.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.snippet_windows_fts USING "
                      "fts5(title, text, translation, content='snippet_windows', "
                      "content_rowid='rowid', tokenize='porter unicode61 remove_diacritics 2')")
            c.execute("INSERT INTO snippet_windows_fts (snippet_windows_fts) VALUES "
                      "('delete-all')")
            c.execute("DELETE FROM snippet_windows")
            for n, (_aid, columns) in enumerate(windows):
                c.execute("INSERT INTO snippet_windows (rowid, title, text, translation) "
                          "VALUES (?,?,?,?)", (n, *columns))
                c.execute("INSERT INTO snippet_windows_fts (rowid, title, text, translation) "
                          "VALUES (?,?,?,?)", (n, *map(fold, columns)))
            found = c.execute(
                "SELECT rowid, snippet(snippet_windows_fts, -1, ?, ?, '…', ?) FROM "
                "snippet_windows_fts WHERE snippet_windows_fts MATCH ?",
                (SNIPPET_OPEN, SNIPPET_CLOSE, tokens, match)).fetchall()
            c.execute("INSERT INTO snippet_windows_fts (snippet_windows_fts) VALUES "
                      "('delete-all')")
            c.execute("DELETE FROM snippet_windows")
        except sqlite3.OperationalError as exc:
            raise QueryError(f"malformed search query {one_line(query, 80)!r}: {exc}") from exc
        finally:
            if own and c.in_transaction:
                c.commit()
        return {windows[n][0]: snippet_parts(text or "") for n, text in found}

    def add_recent_search(self, query: str, *, now: str, keep: int = 50) -> None:
        """Remember a search the user ran, keeping the `keep` latest."""
        query = query.strip()
        if not query:
            return
        with self.write() as c:
            c.execute("INSERT INTO recent_searches (query, used) VALUES (?, ?) "
                      "ON CONFLICT(query) DO UPDATE SET used = excluded.used", (query, now))
            c.execute("DELETE FROM recent_searches WHERE query NOT IN (SELECT query FROM "
                      "recent_searches ORDER BY used DESC, rowid DESC LIMIT ?)", (keep,))

    def recent_searches(self, limit: int = 50) -> list[str]:
        """Searches the user ran, latest first."""
        return [r["query"] for r in self._rows(
            "SELECT query FROM recent_searches ORDER BY used DESC, rowid DESC LIMIT ?",
            (limit,))]

    def set_read(self, article_id: str, read: bool = True) -> None:
        with self.write() as c:
            c.execute("UPDATE articles SET read = ? WHERE id = ?", (int(read), article_id))

    def set_starred(self, article_id: str, starred: bool = True) -> None:
        with self.write() as c:
            c.execute("UPDATE articles SET starred = ? WHERE id = ?", (int(starred), article_id))

    def mark_all_read(self, flt: ArticleFilter | None = None) -> int:
        where, params = self._where(flt or ArticleFilter())
        with self.write() as c:
            return c.execute(
                f"UPDATE articles SET read = 1 WHERE id IN (SELECT a.id FROM articles a {where})",
                params).rowcount

    def mark_read_returning(self, flt: ArticleFilter | None = None,
                            ids: Sequence[str] | None = None) -> list[str]:
        """Mark read what the filter (or the id list) holds and return the ids that were
        unread, so the reader can undo it with `set_read_many(ids, False)`."""
        where, params = self._where(replace(flt or ArticleFilter(), unread=True))
        with self.write() as c:
            if ids is None:
                found = [r[0] for r in c.execute(f"SELECT a.id FROM articles a {where}", params)]
            else:
                found = [i for i in ids if c.execute(
                    "SELECT 1 FROM articles WHERE id = ? AND read = 0", (i,)).fetchone()]
            c.executemany("UPDATE articles SET read = 1 WHERE id = ?", [(i,) for i in found])
        return found

    def set_read_many(self, ids: Sequence[str], read: bool) -> None:
        with self.write() as c:
            c.executemany("UPDATE articles SET read = ? WHERE id = ?",
                          [(int(read), i) for i in ids])

    def source_counts(self) -> list[tuple[str, str, int, int]]:
        """(source url, title, total, unread) per source, for the sidebar."""
        # Counted from the index articles_source_read alone; a source's own title, and only
        # when it has none the articles' (COALESCE evaluates no further than it needs).
        rows = self._rows(
            "SELECT c.source_url, COALESCE(NULLIF(s.user_title, ''), NULLIF(s.title, ''), "
            "(SELECT MAX(a.source_title) FROM articles a WHERE a.source_url = c.source_url), "
            "c.source_url) AS title, "
            "c.total, c.unread FROM (SELECT source_url, count(*) AS total, SUM(read = 0) AS "
            "unread FROM articles GROUP BY source_url) c LEFT JOIN sources s "
            "ON s.url = c.source_url ORDER BY title")
        # No title at all: the host (or a file's name), as a story's copies name it.
        return [(r["source_url"], feed_name(r["source_url"], "" if r["title"] == r["source_url"]
                                            else r["title"]), r["total"], r["unread"] or 0)
                for r in rows]

    def tag_counts(self, limit: int = 50) -> list[tuple[str, int, int]]:
        """(tag, total, unread) for the most used tags; spellings differing only in case are
        one tag, shown as it is spelt most."""
        totals: dict[str, int] = dict(self.conn.execute(
            "SELECT tag, count(*) FROM article_tags GROUP BY tag").fetchall())
        unread = self._unread_by_tag(totals)
        best = preferred(totals)
        merged: dict[str, list[int]] = {}
        for tag, total in totals.items():
            row = merged.setdefault(best[tag.casefold()], [0, 0])
            row[0] += total
            row[1] += unread.get(tag, 0)
        ranked = sorted(merged.items(), key=lambda kv: (-kv[1][0], kv[0]))[:limit]
        return [(tag, total, unread) for tag, (total, unread) in ranked]

    def _unread_by_tag(self, totals: dict[str, int]) -> dict[str, int]:
        """Unread articles per tag, from whichever side is smaller: the unread articles, or
        the read ones taken from the totals. CROSS JOIN keeps the articles outside, read
        from the covering index (read, id) of m015, so no wide article row is touched: the
        planner's own choice walked all the tags and looked each article up (0.7 s at
        100,000 articles)."""
        unread_n = self.conn.execute("SELECT count(*) FROM articles WHERE read = 0").fetchone()[0]
        total_n = self.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        if unread_n <= total_n - unread_n:
            return dict(self.conn.execute(
                "SELECT t.tag, count(*) FROM articles a CROSS JOIN article_tags t "
                "ON t.article = a.rowid WHERE a.read = 0 GROUP BY t.tag").fetchall())
        read = dict(self.conn.execute(
            "SELECT t.tag, count(*) FROM articles a CROSS JOIN article_tags t "
            "ON t.article = a.rowid WHERE a.read != 0 GROUP BY t.tag").fetchall())
        return {tag: total - read.get(tag, 0) for tag, total in totals.items()}

    def _tag_variants(self, tag: str) -> list[str]:
        key = tag.casefold()
        found = [r["tag"] for r in self._rows("SELECT DISTINCT tag FROM article_tags")
                 if r["tag"].casefold() == key]
        return found or [tag]

    def prune(self, *, keep_days: int = 0, max_per_feed: int = 0, now: datetime,
              dry_run: bool = False) -> PruneReport:
        """Delete articles past `[store] keep_days` / `max_per_feed` (store/retention.py)."""
        from briefing.store.retention import prune

        return prune(self, keep_days=keep_days, max_per_feed=max_per_feed, now=now,
                     dry_run=dry_run)

    # -- runs ----------------------------------------------------------------------------

    def record_run(self, report: FetchReport) -> None:
        with self.write() as c:
            c.execute(
                "INSERT INTO fetch_runs (started, finished, sources_total, sources_ok, "
                "sources_failed, added, updated, unchanged, failures) VALUES (?,?,?,?,?,?,?,?,?)",
                (report.started, report.finished, report.sources_total, report.sources_ok,
                 report.sources_failed, report.added, report.updated, report.unchanged,
                 json.dumps([{"source": s, "reason": r} for s, r in report.failed])),
            )

    def last_run(self) -> dict[str, Any] | None:
        return self._one("SELECT * FROM fetch_runs ORDER BY id DESC LIMIT 1")

    def last_update(self) -> int:
        """The number of the last fetch run that updated articles it had stored before (0:
        none), a cheap sign for a reader that what it shows may have changed (the article
        count does not move when a file or an item is edited)."""
        # Among the last runs, not the last one only: a run that updated, then one that did
        # not, both between two looks, would hide the first. Bounded: runs are not indexed
        # by what they updated, and a year of cron is ~35,000 of them.
        row = self.conn.execute(
            "SELECT max(id) FROM (SELECT id, updated FROM fetch_runs ORDER BY id DESC "
            "LIMIT 100) WHERE updated > 0").fetchone()
        return int(row[0]) if row and row[0] else 0

    def recent_runs_brought(self, runs: int) -> bool | None:
        """Whether any of the last `runs` fetches added or updated articles; None before the
        first fetch."""
        rows = self._rows("SELECT added, updated FROM fetch_runs ORDER BY id DESC LIMIT ?",
                          (runs,))
        return any(r["added"] or r["updated"] for r in rows) if rows else None

    @contextmanager
    def checkpoints_beside(self) -> Iterator[None]:
        """While inside (a fetch), the WAL is copied back into the database by a thread of its
        own (briefing.store.checkpoint) rather than inside the commits. On leaving, its last
        checkpoint runs while the caller goes on; `close` waits for it."""
        self._end_checkpoints()  # the last fetch's, finishing
        if str(self.conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
            yield
            return
        try:
            checkpointer = Checkpointer(self.path)
        except sqlite3.Error:  # the commits go on checkpointing, as outside
            yield
            return
        self._checkpointer = checkpointer
        # Still a bound: PASSIVE checkpoints beside a writer that never pauses leave the WAL
        # unable to start over, and past this the commit that crosses it checkpoints (what
        # is left to copy) so that the next one does.
        self.conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_BOUND_PAGES:d}")
        try:
            yield
        finally:
            checkpointer.finish()
            # Never in place of the error that ended the fetch (a connection SQLite gave up on).
            with suppress(sqlite3.Error):
                self.conn.execute(f"PRAGMA wal_autocheckpoint = {CHECKPOINT_PAGES:d}")

    def shrink_memory(self) -> None:
        """Hand the page cache back: a long-lived process (the TUI) between fetches."""
        self.conn.execute("PRAGMA shrink_memory")

    def data_version(self) -> int:
        """Changes when another connection commits: a cheap way for the TUI to notice cron."""
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    # -- translation cache ---------------------------------------------------------------

    def cache_get(self, keys: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for i in range(0, len(keys), 500):
            chunk = list(keys[i:i + 500])
            marks = ",".join("?" * len(chunk))
            for r in self._rows(
                    f"SELECT key, text FROM translation_cache WHERE key IN ({marks})", chunk):
                out[r["key"]] = r["text"]
        return out

    def cache_put(self, items: dict[str, str], *, now: str | None = None) -> None:
        with self.write() as c:
            c.executemany(
                "INSERT OR REPLACE INTO translation_cache (key, text, created) VALUES (?,?,?)",
                [(k, v, now) for k, v in items.items()])

    def integrity_check(self) -> str:
        return str(self.conn.execute("PRAGMA integrity_check").fetchone()[0])


# The same text under another URL (stored, or pruned by retention) is the same article only
# under the same title too (a syndicated copy keeps both). A text alone said too much: a feed's
# stock teaser ("Click to read more.") or a podcast's show notes repeated on every episode made
# every item after the first "unchanged", distinct items lost; and a feed that copied another's
# article first, under a title of its own, kept the original out. Copies under other titles
# are articles of their own, which story grouping puts together.
def _same_title(c: sqlite3.Connection, art: Article) -> bool:
    """Whether an article with `art`'s text and title is stored under another id, or was
    until retention pruned it (one pruned before m019 kept no title: its text alone counts,
    as it did then)."""
    return c.execute(
        "SELECT 1 FROM articles WHERE content_hash = ?1 AND title = ?2 AND id != ?3 UNION ALL "
        "SELECT 1 FROM pruned_articles WHERE content_hash = ?1 AND (title = ?2 OR title IS NULL) "
        "AND id != ?3 LIMIT 1", (art.content_hash, art.title, art.id)).fetchone() is not None


@dataclass
class _Stored:
    """What saving articles checks each one against: the stored rows of their ids (content
    hash, tagger version, source), ids and texts retention pruned, and how many stored
    articles have each of their content hashes. Read once for a batch (`read`) and kept in
    step as it is written (`stored`), so each article is checked as if it were read anew."""

    rows: dict[str, tuple[str, int, str, int]]  # id -> hash, tagger version, source, rowid
    pruned_ids: set[str]
    hashes: dict[str, int]
    pruned_hashes: set[str]

    @staticmethod
    def read(c: sqlite3.Connection, arts: Sequence[Article]) -> _Stored:
        rows: dict[str, tuple[str, int, str, int]] = {}
        pruned_ids: set[str] = set()
        hashes: dict[str, int] = {}
        pruned_hashes: set[str] = set()
        ids = list(dict.fromkeys(a.id for a in arts))
        for i in range(0, len(ids), 500):
            chunk = json.dumps(ids[i:i + 500])
            rows.update((r[0], (r[1], r[2], r[3], r[4])) for r in c.execute(
                "SELECT id, content_hash, tagger_version, source_url, rowid FROM articles "
                "WHERE id IN (SELECT value FROM json_each(?))", (chunk,)))
            pruned_ids.update(r[0] for r in c.execute(
                "SELECT id FROM pruned_articles WHERE id IN (SELECT value FROM json_each(?))",
                (chunk,)))
        # Those of the batch, and those the batch's updates may leave behind.
        wanted = list(dict.fromkeys(h for h in (*(a.content_hash for a in arts),
                                                *(r[0] for r in rows.values())) if h))
        for i in range(0, len(wanted), 500):
            chunk = json.dumps(wanted[i:i + 500])
            hashes.update(c.execute(
                "SELECT content_hash, count(*) FROM articles WHERE content_hash IN "
                "(SELECT value FROM json_each(?)) GROUP BY content_hash", (chunk,)))
            pruned_hashes.update(r[0] for r in c.execute(
                "SELECT content_hash FROM pruned_articles WHERE content_hash IN "
                "(SELECT value FROM json_each(?))", (chunk,)))
        return _Stored(rows, pruned_ids, hashes, pruned_hashes)

    def taken(self, content_hash: str) -> bool:
        return self.hashes.get(content_hash, 0) > 0 or content_hash in self.pruned_hashes

    def stored(self, art: Article, old_hash: str | None, rowid: int) -> None:
        """`art` was inserted (`old_hash` None) or updated from the text `old_hash`."""
        self.rows[art.id] = (art.content_hash, art.tagger_version, art.source, rowid)
        if old_hash is not None:
            self.hashes[old_hash] = self.hashes.get(old_hash, 0) - 1
        self.hashes[art.content_hash] = self.hashes.get(art.content_hash, 0) + 1


_DECODER = json.JSONDecoder()


_INSERT_FACTS = ('INSERT INTO facts (article, idx, kind, text, value, unit, paragraph, start, '
                 '"end", link) VALUES (?,?,?,?,?,?,?,?,?,?)')


def _fact_rows(facts: Sequence[Fact]) -> Sequence[tuple[Any, ...]]:
    """Facts as the facts table's columns after (article, idx): a worker's (facts.FactRows)
    as they came, without making a Fact of each, and others read field by field."""
    # Told by its attribute, not isinstance: importing briefing.facts here would load the
    # fact rules into every process that opens a store (the reader's start-up among them).
    rows: Sequence[tuple[Any, ...]] | None = getattr(facts, "rows", None)
    if rows is not None:
        return rows
    return [fact_row(f) for f in facts]


def _json_tuple(stored: str) -> tuple[Any, ...]:
    """A stored JSON list as a tuple; raw_decode skips json.loads' checks (3 us -> 1 us)."""
    return () if stored == "[]" else tuple(_DECODER.raw_decode(stored)[0])


def _compile(query: str) -> CompiledQuery:
    try:
        return compile_query(query)
    except SearchSyntaxError as exc:
        raise QueryError(f"malformed search query {one_line(query, 80)!r}: {exc}") from exc


def _findings_json(found: Sequence[FigureFlag]) -> str:
    return json.dumps([{"kind": f.kind, "text": f.text, "original": f.original,
                        "translation": f.translation} for f in found], ensure_ascii=False)


def _findings(stored: str) -> tuple[FigureFlag, ...]:
    """Flags or notes as stored; a file written before m006 holds plain strings ("changed
    figure: 230,000 → 320.000"), whose kind is their first word."""
    out = []
    for item in json.loads(stored or "[]"):
        if isinstance(item, str):
            kind = item.split(" ", 1)[0]
            out.append(FigureFlag(kind if kind in ("changed", "added") else "missing", item))
        elif isinstance(item, dict):
            out.append(FigureFlag(str(item.get("kind", "")), str(item.get("text", "")),
                                  str(item.get("original", "")),
                                  str(item.get("translation", ""))))
    return tuple(out)


def _paragraphs(row: dict[str, Any]) -> tuple[Paragraph, ...]:
    """An article row's paragraphs. A row another program spoiled is read as its text split at
    blank lines, with a warning: the article stays readable, and saving it again mends it."""
    try:
        return decode_paragraphs(row["text"], row["paragraphs"])
    except Damaged as exc:
        log.warning("article %s: its stored paragraphs are damaged (%s); read from its text "
                    "instead", one_line(row["id"], 100), one_line(exc, 200))
        return split_paragraphs(row["text"] or "", row["language"] or "")


def _exact(value: str | None) -> str | bytes | None:
    """A validator as the sources table keeps it: text, or (when its server sent bytes that
    are not UTF-8, kept as surrogates by http.validator) those very bytes, as a BLOB."""
    if value is None:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape")
    return value


def _as_sent(value: str | bytes | None) -> str | None:
    """A validator read back (see _exact): the text to send, the same bytes as received."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    return value


def _source(row: dict[str, Any], tags: Sequence[str]) -> Source:
    return Source(
        url=row["url"], kind=row["kind"], title=row["title"], tags=tuple(tags),
        etag=_as_sent(row["etag"]), last_modified=_as_sent(row["last_modified"]),
        last_status=row["last_status"],
        last_error=row["last_error"], error_count=row["error_count"], gone=bool(row["gone"]),
        last_fetched=row["last_fetched"], retry_after=row["retry_after"],
        subscribed=bool(row["subscribed"]), user_title=row["user_title"],
    )


