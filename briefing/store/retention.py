"""Retention: deleting what `[store] keep_days` and `max_per_feed` no longer keep.

newsboat's `keep-articles-days` and `max-items`, as its users know them: an article goes when
it was published more than keep_days ago, or when its feed has more than max_per_feed newer
ones. Starred articles stay, and so does every article of a story that holds a starred one
(a story's other copies are how its figures are checked). Read or unread does not matter.

An article's rows in other tables go with it (foreign keys cascade: paragraphs, facts, tags,
translations, story membership; the full-text index by its trigger); story_keys and
pending_pages name articles without a foreign key and are cleared here, as are the disagreement
flags that name a deleted copy; stories left without
articles are removed and the others recomputed (size, span, best article). When the free
pages pass VACUUM_SHARE of the file, VACUUM gives them back to the disk. A pruned article's
id is remembered for TOMBSTONE_DAYS (pruned_articles), so a feed that still lists it does not
bring it back.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from briefing.store.base import StoreError

if TYPE_CHECKING:
    from briefing.store.store import Store

VACUUM_SHARE = 0.25
TOMBSTONE_DAYS = 90  # how long a pruned article's id keeps a feed from adding it again
_CHUNK = 500

# The articles retention would delete: unstarred, outside stories that hold a starred
# article, and either older than the cutoff or past the newest :max of their feed (ranked
# among the deletable ones, so starred articles do not use up a feed's allowance).
_CANDIDATES = """
WITH kept_stories AS (
    SELECT DISTINCT sa.story_id FROM story_articles sa
    JOIN articles s ON s.id = sa.article_id WHERE s.starred = 1
), deletable AS (
    SELECT a.id, a.source_url, COALESCE(NULLIF(a.published, ''), a.fetched) AS stamp,
           row_number() OVER (PARTITION BY a.source_url
                              ORDER BY a.published DESC, a.id) AS n
    FROM articles a
    WHERE a.starred = 0 AND a.id NOT IN (
        SELECT sa.article_id FROM story_articles sa
        WHERE sa.story_id IN (SELECT story_id FROM kept_stories))
)
SELECT id, source_url FROM deletable
WHERE (:cutoff IS NOT NULL AND stamp < :cutoff) OR (:max > 0 AND n > :max)
"""


@dataclass
class PruneReport:
    """What a prune deleted (or, dry, would delete)."""

    articles: int = 0
    stories: int = 0  # stories removed because none of their articles is left
    by_source: dict[str, int] = field(default_factory=dict)
    vacuumed: bool = False
    freed_mb: float = 0.0
    note: str = ""  # why a VACUUM that was due did not run

    def as_dict(self) -> dict[str, object]:
        return {"articles": self.articles, "stories": self.stories,
                "by_source": self.by_source, "vacuumed": self.vacuumed,
                "freed_mb": round(self.freed_mb, 1), "note": self.note}


def prune(store: Store, *, keep_days: int = 0, max_per_feed: int = 0, now: datetime,
          dry_run: bool = False) -> PruneReport:
    """Delete what the two limits no longer keep (0 turns a limit off); `dry_run` counts
    only. Runs in one transaction; VACUUM (outside it) when much was freed."""
    report = PruneReport()
    if keep_days <= 0 and max_per_feed <= 0:
        return report
    # Stamps are stored in UTC ("2026-06-01T08:00:00+00:00"); a cutoff without the offset
    # compares right with them as text.
    when = now if now.tzinfo else now.replace(tzinfo=UTC)
    cutoff = ((when - timedelta(days=keep_days)).astimezone(UTC).replace(tzinfo=None)
              .isoformat(timespec="seconds") if keep_days > 0 else None)
    try:
        with store.write() as c:
            doomed = c.execute(_CANDIDATES, {"cutoff": cutoff, "max": max_per_feed}).fetchall()
            for _aid, source in doomed:
                report.by_source[source] = report.by_source.get(source, 0) + 1
            report.articles = len(doomed)
            ids = [aid for aid, _ in doomed]
            stories = _stories_of(c, ids)
            report.stories = _emptied(c, stories, set(ids))
            if dry_run or not ids:
                return report
            store.index_pending(c)  # the delete trigger takes rows out of the index
            stamp = when.astimezone(UTC).isoformat(timespec="seconds")
            forget = (when - timedelta(days=TOMBSTONE_DAYS)).astimezone(UTC).isoformat(
                timespec="seconds")
            c.execute("DELETE FROM pruned_articles WHERE pruned < ?", (forget,))
            for i in range(0, len(ids), _CHUNK):
                _delete(c, ids[i:i + _CHUNK], stamp)
            for story_id in stories:
                store.stories.refresh(story_id)
        store.stories.forget()  # its memos name rows that are gone
    except sqlite3.Error as exc:
        raise StoreError(f"{store.path}: cannot prune: {exc}") from exc
    _vacuum_if_worth_it(store, report)
    return report


def _stories_of(c: sqlite3.Connection, ids: list[str]) -> list[str]:
    found: set[str] = set()
    for i in range(0, len(ids), _CHUNK):
        found.update(r[0] for r in c.execute(
            "SELECT DISTINCT story_id FROM story_articles WHERE article_id IN "
            "(SELECT value FROM json_each(?))", (json.dumps(ids[i:i + _CHUNK]),)))
    return sorted(found)


def _emptied(c: sqlite3.Connection, stories: list[str], doomed: set[str]) -> int:
    """How many of `stories` have no article left once `doomed` are gone."""
    emptied = 0
    for story_id in stories:
        members = {r[0] for r in c.execute(
            "SELECT article_id FROM story_articles WHERE story_id = ?", (story_id,))}
        emptied += members <= doomed
    return emptied


def _delete(c: sqlite3.Connection, ids: list[str], stamp: str) -> None:
    chunk = json.dumps(ids)
    c.execute("INSERT OR REPLACE INTO pruned_articles (id, pruned, content_hash, title) "
              "SELECT id, ?, content_hash, title FROM articles WHERE id IN "
              "(SELECT value FROM json_each(?))", (stamp, chunk))
    # Without foreign keys to articles (story_keys holds rowids; see m005), so by hand.
    c.execute("DELETE FROM story_keys WHERE article IN (SELECT rowid FROM articles WHERE id IN "
              "(SELECT value FROM json_each(?)))", (chunk,))
    c.execute("DELETE FROM pending_pages WHERE article_id IN (SELECT value FROM json_each(?))",
              (chunk,))
    # A disagreement names two copies by id: with one of them gone, its story (and every
    # brief made from it) would cite a source the reader can no longer open, and a story
    # left with one copy would disagree with nothing. Looked up by the doomed copies'
    # stories, before their memberships go with them.
    c.execute("DELETE FROM story_flags WHERE story_id IN (SELECT story_id FROM story_articles "
              "WHERE article_id IN (SELECT value FROM json_each(?1))) AND ("
              "json_extract(detail, '$.a.article') IN (SELECT value FROM json_each(?1)) OR "
              "json_extract(detail, '$.b.article') IN (SELECT value FROM json_each(?1)))",
              (chunk,))
    c.execute("DELETE FROM articles WHERE id IN (SELECT value FROM json_each(?))", (chunk,))


def _vacuum_if_worth_it(store: Store, report: PruneReport) -> None:
    conn = store.conn
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    if not pages or free / pages <= VACUUM_SHARE:
        return
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    try:
        conn.execute("VACUUM")
    except sqlite3.OperationalError as exc:
        # Another process reading (the TUI) can hold it off; the next prune tries again.
        report.note = f"VACUUM skipped: {exc}"
        return
    report.vacuumed = True
    report.freed_mb = (pages - conn.execute("PRAGMA page_count").fetchone()[0]) * size / 1e6
