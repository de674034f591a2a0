"""SQL for stories (copies of one news story): the tables of migrations m004 and m005, as
`store.stories` (a StoryStore).

It shares the Store's connection; writers run inside the Store's write transaction, so a
caller holding it (briefing.stories.assign) makes a whole batch one transaction. The grouping
logic lives in briefing/stories.py; this module only reads and writes rows and hands back the
story dataclasses of briefing.models.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefing.models import (
    TAGGING_PENDING,
    ArticleSummary,
    Stored,
    Story,
    StoryFlag,
    StoryMember,
)
from briefing.publishers import copy_name, renamed_flag
from briefing.store.base import SUMMARY_COLUMNS, summary_from_row, wraps_sqlite_errors
from briefing.store.keys import OPEN_END, UNKNOWN_TIME, decode_signature, epoch, key_id

if TYPE_CHECKING:
    from briefing.store.store import Store

_STORED = ("SELECT article_id, story_id, published, quality, content_hash, tagger_version, "
           "signature FROM story_articles")
_STORY = "SELECT id, title, best_article, size, first_published, last_published FROM stories"


def _stored(row: Sequence[Any]) -> Stored:
    return Stored(row[0], row[1], row[2], row[3], row[4], row[5], decode_signature(row[6]))


class KeyIndex:
    """Story-key postings held in memory for one connection, so that finding a new article's
    candidates is a few dict lookups instead of two queries (at 20,000 articles a fetch, the
    queries were a third of the writer's time).

    Postings are loaded from story_keys per key for a published range (the window asked for,
    widened by SLACK, so the other articles of a fetch fall inside it), kept sorted by
    publication time so a window is a slice, and kept in step with what this connection
    writes. Times are seconds (see `epoch`) and articles their rowids, as story_keys has them.
    A commit by another connection (PRAGMA data_version, checked once per batch in
    `preload`) or a rollback (`forget`) drops it all, as does growing past
    MAX_ROWS.

    A key held by more than LOAD_CAP articles in the range is counted, not loaded (`big`):
    in the window of one article such a key is nearly always too common to look up (more
    than stories.MAX_POSTINGS; see StoryStore.candidates), and the first batch of a cron run
    against 20,000 stored articles read 140,000 postings of those (160 ms) only to drop
    them. Each article then reads the few it still needs from the table (`_window`), so
    matching is what it was. LOAD_CAP is twice MAX_POSTINGS: the loaded range is wider
    than one article's window (SLACK), and at MAX_POSTINGS itself most keys marked big were
    not too common for the window, and reading them article by article cost more than
    loading them once. At four times (400), a cron cycle of 2,000 wire items whose feeds
    each span 20 days (the fetch bench's) read 168,000 postings of keys that the first
    lookup then dropped; at twice, 1.4% fewer instructions in its writer (tagsave_bench
    --churn under cachegrind; 100 and 150 cost more than 200), the same rows written."""

    SLACK = 30 * 86_400
    MAX_ROWS = 1_000_000  # ~100 MB
    LOAD_CAP = 200  # postings in the range; past it, they are counted, not read

    def __init__(self, version: int, complete: bool = False) -> None:
        self.version = version
        # Made on an empty story_keys table (a first fetch): every posting there is one this
        # connection writes, so `add` keeps them all and no key is ever looked up in the
        # table. Keys no article holds yet, most of a cold fetch's (each article's 16 MinHash
        # bands are its own), then cost nothing; before, each was a query that found nothing.
        self.complete = complete
        self.dropped: set[str] = set()
        self.ranges: dict[str, tuple[int, int]] = {}  # key -> published range loaded
        # key -> publication times (sorted) and, in step, the articles' rowids: two flat
        # lists, so a window is two bisects and its articles one slice for Counter to count.
        self.stamps: dict[str, list[int]] = {}
        self.ids: dict[str, list[int]] = {}
        self.names: dict[int, str] = {}  # key id -> key, for the keys loaded
        self.members: dict[int, tuple[str, str]] = {}  # rowid -> (article id, story id)
        self.size = 0
        # key -> the range (as in `ranges`) in which more than LOAD_CAP articles hold it: its
        # postings are not in memory: `candidates` reads them from the table for each window.
        self.big: dict[str, tuple[int, int]] = {}

    def covers(self, key: str, lo: int, hi: int) -> bool:
        if self.complete:
            return True
        have = self.ranges.get(key) or self.big.get(key)
        return have is not None and have[0] <= lo and hi <= have[1]

    def load(self, conn: Any, keys: Sequence[str], lo: int, hi: int,
             id_of: Callable[[str], int] = key_id,
             hot: tuple[int, int, int] | None = None) -> set[str]:
        """Read the postings of `keys` for [lo, hi] (widened by SLACK); a key held by more
        than LOAD_CAP articles there is only marked `big`. `id_of`: keys.key_id, or a memo
        of it. With `hot` (first, last, most): the keys held by more than `most` articles
        published in [first, last] are neither read nor kept, and returned."""
        lo = lo if lo == UNKNOWN_TIME else lo - self.SLACK
        hi = hi if hi == OPEN_END else hi + self.SLACK
        ids = {id_of(key): key for key in keys}
        # Counted first: a key held by more than LOAD_CAP is not read, and one held by no
        # article (most of a fetch's MinHash bands: each article's are its own) is not
        # looked up a second time, nor given lists of its own until this connection writes
        # one of its postings (`add`).
        counts = self._counts(conn, list(ids), lo, hi, hot)
        # Too common in a range that every window looking them up covers: each lookup would
        # find them so and drop them (StoryStore.candidates). A cron cycle of 2,000 wire
        # items, each feed's round of items dated one day, read 72,000 postings instead of
        # 227,000 (168,000 of those for 900 keys that lookups then dropped).
        common = {ids.pop(kid) for kid, (_n, inner) in counts.items()
                  if hot is not None and inner > hot[2]}
        for key in common:
            self.drop(key)
        big = {ids.pop(kid) for kid, (n, _inner) in counts.items()
               if kid in ids and n > self.LOAD_CAP}
        for key in big:
            self.size -= len(self.ids.pop(key, ()))
            self.stamps.pop(key, None)
            self.ranges.pop(key, None)
            self.big[key] = (lo, hi)
        for key in (k for k in keys if k not in big and k not in common):
            self.size -= len(self.ids.pop(key, ()))
            self.stamps.pop(key, None)
            self.big.pop(key, None)
            self.ranges[key] = (lo, hi)
        self.names.update(ids)
        wanted = [kid for kid in ids if kid in counts]
        for kid in wanted:
            self.stamps[ids[kid]], self.ids[ids[kid]] = [], []
        for i in range(0, len(wanted), 500):
            rows = conn.execute(
                "SELECT key, published, article FROM story_keys WHERE key IN "
                "(SELECT value FROM json_each(?)) AND published BETWEEN ? AND ? "
                "ORDER BY key, published, article",
                (json.dumps(wanted[i:i + 500]), lo, hi)).fetchall()
            if not rows:
                continue
            # Columns, each key's rows one slice of them (sorted by key): a fetch that knows
            # thousands of articles reads tens of thousands of postings a batch, and a
            # Python step per row was most of the cost.
            kids, stamps, rowids = zip(*rows, strict=True)
            start = 0
            while start < len(kids):
                end = bisect_right(kids, kids[start], start)
                key = ids[kids[start]]
                self.stamps[key] += stamps[start:end]
                self.ids[key] += rowids[start:end]
                self.size += end - start
                start = end
        return common

    @staticmethod
    def _counts(conn: Any, wanted: list[int], lo: int, hi: int,
                hot: tuple[int, int, int] | None = None) -> dict[int, tuple[int, int]]:
        """Key id -> how many articles hold it in [lo, hi] and in `hot`'s [first, last] (0
        without), for the key ids among `wanted` that any article holds in [lo, hi]."""
        first, last = (hot[0], hot[1]) if hot is not None else (1, 0)
        counts: dict[int, tuple[int, int]] = {}
        for i in range(0, len(wanted), 500):
            for kid, n, inner in conn.execute(
                    "SELECT key, count(*), sum(published BETWEEN ? AND ?) FROM story_keys "
                    "WHERE key IN (SELECT value FROM json_each(?)) AND published BETWEEN ? "
                    "AND ? GROUP BY key", (first, last, json.dumps(wanted[i:i + 500]), lo, hi)):
                counts[kid] = (n, inner)
        return counts

    def window(self, key: str, lo: int, hi: int) -> list[int]:
        """Rowids of the articles holding `key` published in [lo, hi]."""
        stamps = self.stamps.get(key)
        if stamps is None:  # a key nobody holds
            return []
        return self.ids[key][bisect_left(stamps, lo):bisect_right(stamps, hi)]

    def add(self, keys: Iterable[tuple[str, int]], published: int, rowid: int) -> None:
        """Postings of (key, key id) for an article just written."""
        ranges, stamps_of, ids_of = self.ranges, self.stamps, self.ids
        added = 0
        for key, kid in keys:
            have = ranges.get(key)
            if have is None:
                # A key first met (most of an article's: its MinHash bands are its own): its
                # lists start with this posting, which any time falls in.
                if self.complete and key not in self.dropped:
                    ranges[key] = (UNKNOWN_TIME, OPEN_END)
                    stamps_of[key], ids_of[key] = [published], [rowid]
                    self.names[kid] = key
                    added += 1
                continue
            if have[0] <= published <= have[1]:
                stamps = stamps_of.get(key)
                if stamps is None:  # loaded when nobody held it
                    stamps_of[key], ids_of[key] = [published], [rowid]
                else:
                    at = bisect_right(stamps, published)
                    stamps.insert(at, published)
                    ids_of[key].insert(at, rowid)
                added += 1
        self.size += added

    def drop(self, key: str) -> None:
        """Forget a key's postings (one too common to look up again): memory back, and
        `add` no longer keeps them in order."""
        self.size -= len(self.ids.pop(key, ()))
        self.stamps.pop(key, None)
        self.ranges.pop(key, None)
        self.big.pop(key, None)
        self.dropped.add(key)

    def remove(self, key_ids: Iterable[int], rowid: int) -> None:
        for kid in key_ids:
            key = self.names.get(kid)
            ids = self.ids.get(key) if key is not None else None
            if key is not None and ids and rowid in ids:
                kept = [i for i, r in enumerate(ids) if r != rowid]
                self.size -= len(ids) - len(kept)
                self.stamps[key] = [self.stamps[key][i] for i in kept]
                self.ids[key] = [ids[i] for i in kept]


class StoryStore:
    """The store's story tables, as `store.stories`: memberships, story keys and their
    in-memory index, flags, and reading stories back. Part of the store (the only place SQL
    runs): it shares the Store's connection and transactions."""

    def __init__(self, store: Store) -> None:
        self._store = store
        # This connection's postings of story keys (see KeyIndex), keys found too common to
        # look up again, and briefing.stories' match forms: memos worth keeping within one
        # fetch, dropped by `forget` and by a rollback (they may describe rows that are gone).
        self.index: KeyIndex | None = None
        self.hot_keys: set[str] = set()
        self.matches: OrderedDict[str, Any] = OrderedDict()
        # key -> keys.key_id(key): a batch looks its articles' keys up (preload) and then
        # writes them (put), and a fetch's articles share their figures' keys.
        self._key_ids: dict[str, int] = {}
        # Rows of new members, their keys and new stories of one, written in one statement
        # each per batch (`flush`) instead of three statements an article: before anything
        # here reads or writes the story tables, and before the transaction commits. Only
        # ever held inside a transaction; a rollback drops them (`forget`).
        # Members are held by story (an article's last row only, as INSERT OR REPLACE would
        # leave it), with the story each article's row is held under: a copy joining a story
        # reads its members and recomputes its row from these and the table, where a flush at
        # each join wrote the batch's story rows a few at a time (a cold fetch of wire items
        # joins a story at one article in six). `_shadows`: some held row replaces a stored
        # one (an article tagged again), and reads then flush first.
        self._held: dict[str, dict[str, tuple[Any, ...]]] = {}
        self._held_story: dict[str, str] = {}
        self._shadows = False
        self._keys: list[tuple[int, int, int]] = []
        self._stories: list[tuple[str, str, str, str, str]] = []
        # Article id -> stored signature of the candidates the last `candidates` read from
        # the table, until `signatures` hands them out (matching asks for them next).
        self._read: dict[str, str | bytes] = {}

    KEY_IDS = 100_000  # keys remembered (~15 MB); past it, the memo starts again

    def key_id(self, key: str) -> int:
        """keys.key_id, remembered."""
        kid = self._key_ids.get(key)
        if kid is None:
            if len(self._key_ids) >= self.KEY_IDS:
                self._key_ids = {}
            kid = self._key_ids[key] = key_id(key)
        return kid

    def know_key_ids(self, keys: Sequence[str], ids: Sequence[int]) -> None:
        """Remember keys.key_id of `keys`, computed elsewhere (a worker: see
        signatures.Compact.key_ids)."""
        if len(keys) != len(ids):
            return  # not a pair a key each: they are made again here when needed
        if len(self._key_ids) >= self.KEY_IDS:
            self._key_ids = {}
        self._key_ids.update(zip(keys, ids, strict=True))

    @property
    def path(self) -> Path:
        return self._store.path

    @property
    def holds_memos(self) -> bool:
        return self.index is not None or bool(self.hot_keys) or bool(self.matches)

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self.flush()
        return list(self._store.conn.execute(sql, params).fetchall())

    def flush(self) -> None:
        """Write the rows `put` and `new_story` hold (see __init__), in the order given."""
        if not (self._held_story or self._stories):
            return
        c = self._store.conn
        if self._held_story:
            c.executemany(
                "INSERT OR REPLACE INTO story_articles (article_id, story_id, published, "
                "quality, content_hash, tagger_version, signature) VALUES (?,?,?,?,?,?,?)",
                [self._held[sid][aid] for aid, sid in self._held_story.items()])
        if self._keys:
            # In the table's order: the keys are hashes, scattered over its whole B-tree, and
            # sorted they meet each page once, one after the other.
            self._keys.sort()
            c.executemany("INSERT OR IGNORE INTO story_keys (key, published, article) "
                          "VALUES (?,?,?)", self._keys)
        if self._stories:
            c.executemany(
                "INSERT OR REPLACE INTO stories (id, best_article, title, size, "
                "first_published, last_published) VALUES (?,?,?,1,?,?)", self._stories)
        self._keys, self._stories = [], []
        self._held, self._held_story, self._shadows = {}, {}, False

    @wraps_sqlite_errors
    def stored(self, article_ids: Sequence[str]) -> dict[str, Stored]:
        out: dict[str, Stored] = {}
        for i in range(0, len(article_ids), 500):
            chunk = list(article_ids[i:i + 500])
            marks = ",".join("?" * len(chunk))
            for row in self._rows(f"{_STORED} WHERE article_id IN ({marks})", chunk):
                out[row[0]] = _stored(row)
        return out

    @wraps_sqlite_errors
    def signatures(self, article_ids: Sequence[str]) -> dict[str, str | bytes]:
        """Article id -> its stored signature as stored (`decode_signature` and
        `signatures.Match.from_stored` read it); an article with no row is left out. What
        matching reads of a candidate it has not met: the rows held
        for `flush` are written first only when one of them is asked for (briefing.stories
        remembers the forms of those it stores), so a batch's rows are written once, at its
        end, instead of a few at each article that had a candidate. Those the last
        `candidates` read with their rows are not read again."""
        read, self._read = self._read, {}
        out = {aid: read[aid] for aid in article_ids if aid in read}
        article_ids = [aid for aid in article_ids if aid not in out]
        if not self._held_story.keys().isdisjoint(article_ids):
            self.flush()
        for i in range(0, len(article_ids), 500):
            out.update(self._store.conn.execute(
                "SELECT article_id, signature FROM story_articles WHERE article_id IN "
                "(SELECT value FROM json_each(?))", (json.dumps(list(article_ids[i:i + 500])),)))
        return out

    @wraps_sqlite_errors
    def members(self, story_id: str, limit: int = -1) -> list[Stored]:
        """A story's members, the earliest published first; at most `limit` (-1: all). Its
        rows held for `flush` are merged in, not written first (see _held)."""
        if self._shadows:
            self.flush()
        rows = self._store.conn.execute(
            f"{_STORED} WHERE story_id = ? ORDER BY published, article_id LIMIT ?",
            (story_id, limit)).fetchall()
        held = self._held.get(story_id)
        if held:
            # SQLite's order: text compares as UTF-8 bytes, which is code point order.
            rows = sorted([*rows, *held.values()], key=lambda r: (r[2], r[0]))
            if limit >= 0:
                rows = rows[:limit]
        return [_stored(r) for r in rows]

    @wraps_sqlite_errors
    def key_index(self, *, check: bool = False) -> KeyIndex:
        """This connection's KeyIndex; with `check`, a new one if another connection has
        committed since it was made."""
        index = self.index
        if index is None or check:
            self.flush()
            version = self._store.data_version()
            if index is None or index.version != version or index.size > KeyIndex.MAX_ROWS:
                empty = self._store.conn.execute(
                    "SELECT 1 FROM story_keys LIMIT 1").fetchone() is None
                index = self.index = KeyIndex(version, complete=empty)
        return index

    @wraps_sqlite_errors
    def preload(self, keys: Iterable[str], lo: int, hi: int, *, check: bool = True,
                hot: tuple[int, int, int] | None = None) -> KeyIndex:
        """Load the postings of `keys` for [lo, hi] (seconds, see `epoch`) in one query: what a
        batch of articles will look up one by one with `candidates`. Call it at the start of each
        batch (`check`: see whether another connection has committed since). `hot`: (first,
        last, most), where [first, last] lies inside the window of every article that will
        look these keys up and `most` is their `max_postings`: a key held by more than that
        there is one `candidates` would find too common for each of them, and is remembered
        as such at once (hot_keys) instead of read."""
        index = self.key_index(check=check)
        if index.complete:  # it covers every key (see KeyIndex.covers): nothing to load
            return index
        known_hot = self.hot_keys
        missing = [k for k in dict.fromkeys(keys)
                   if k not in known_hot and not index.covers(k, lo, hi)]
        if missing:
            self.flush()
            known_hot |= index.load(self._store.conn, missing, lo, hi, self.key_id, hot)
        return index

    @wraps_sqlite_errors
    def rowids(self, article_ids: Sequence[str]) -> dict[str, int]:
        """Article id -> its row in `articles`, which story_keys refers to."""
        out: dict[str, int] = {}
        for i in range(0, len(article_ids), 500):
            out.update(self._rows("SELECT id, rowid FROM articles WHERE id IN "
                                    "(SELECT value FROM json_each(?))",
                             (json.dumps(list(article_ids[i:i + 500])),)))
        return out

    @wraps_sqlite_errors
    def candidates(self, keys: Sequence[str], lo: int, hi: int, *, exclude: int,
                   max_postings: int, limit: int) -> list[tuple[str, str, int, bool]]:
        """(article id, story id, keys shared, shares a MinHash band) for articles published in
        [lo, hi] (seconds, see `epoch`) that share two figure keys or two bands with `keys`, most
        shared first, then by id, at most `limit`; `exclude` is the rowid of the article asking.

        Keys held by more than `max_postings` articles in the window tell nothing and are left
        out; once seen that common, a key is remembered as such for the rest of this connection's
        life (postings only grow), so it is never counted again."""
        hot = self.hot_keys
        keys = [k for k in dict.fromkeys(keys) if k not in hot]
        index = self.index
        if index is None or not index.complete:  # a complete one has every key already
            index = self.preload(keys, lo, hi, check=False, hot=(lo, hi, max_postings))
            hot = self.hot_keys
            keys = [k for k in keys if k not in hot]
        # Two figures in common, or two MinHash bands: one band alone is what a shared stock
        # paragraph (a newsletter line, a wire's boilerplate) gives unrelated items. The rows
        # met twice among one kind's postings are found with set operations, and only theirs
        # are counted: counting every row met (hundreds an article, wire figures being
        # common) cost more than the finding.
        seen: tuple[set[int], set[int]] = (set(), set())  # rows under figure keys, bands
        found: set[int] = set()
        # Each key's postings, whether a band, and whether a row is in them twice.
        lists: list[tuple[list[int], bool, bool]] = []
        # KeyIndex.window inlined: the loop meets ~25 keys an article, most of them held by
        # no other article (a key not in `stamps`), and a call each was a third of its cost.
        big, stamps_of, ids_of = index.big, index.stamps, index.ids
        for key in keys:
            if key in big:  # too many postings to keep (see KeyIndex): read the window's
                held = self._window(key, lo, hi, max_postings)
            else:
                stamps = stamps_of.get(key)
                if stamps is None:  # a key nobody holds
                    continue
                held = ids_of[key][bisect_left(stamps, lo):bisect_right(stamps, hi)]
            if len(held) > max_postings:
                hot.add(key)
                index.drop(key)
                continue
            if not held:
                continue
            band = key.startswith("h:")
            rows = seen[band]
            if len(held) == 1:  # most keys an article shares, it shares with one other
                r = held[0]
                if r in rows:
                    found.add(r)
                else:
                    rows.add(r)
                lists.append((held, band, False))
                continue
            before = len(rows)
            again = rows.intersection(held)
            found |= again
            rows.update(held)
            twice = len(rows) - before + len(again) < len(held)
            if twice:
                # A row twice under one key (an article put twice in one batch).
                found.update(r for r in set(held) if held.count(r) > 1)
            lists.append((held, band, twice))
        found.discard(exclude)
        self._read = {}
        if not found:
            return []
        unknown = [r for r in found if r not in index.members]
        if unknown:
            # Not flushed first: the rows held for it are all in index.members. Their stored
            # signatures come with them, for `signatures` to hand out next: matching reads
            # those of the candidates it has not met (one statement an article, not two).
            for rowid, aid, story_id, stored in self._store.conn.execute(
                    "SELECT a.rowid, a.id, s.story_id, s.signature FROM articles a "
                    "JOIN story_articles s ON s.article_id = a.id "
                    "WHERE a.rowid IN (SELECT value FROM json_each(?))", (json.dumps(unknown),)):
                index.members[rowid] = (aid, story_id)
                self._read[aid] = stored
        # An article gone since its keys were written has no member row: nothing to join.
        shared = dict.fromkeys(found, 0)
        banded: set[int] = set()
        for held, band, twice in lists if found else ():  # the rows found, counted
            met = found.intersection(held)
            for r in met:
                shared[r] += held.count(r) if twice else 1
            if band:
                banded |= met
        # Most shared first, then by article id, as tuples compare (no key function called
        # for each row): their place in `shared` after the id keeps equal ones (never met:
        # one id, one row) in the order a stable sort would.
        members = index.members
        known = sorted([(-n, members[r][0], i, members[r][1], r in banded) for i, (r, n) in
                        enumerate(shared.items()) if r in members])[:limit]
        return [(aid, story_id, -n, band) for n, aid, _i, story_id, band in known]

    def _window(self, key: str, lo: int, hi: int, most: int) -> list[int]:
        """Rowids of the articles holding `key` published in [lo, hi], as `KeyIndex.window`
        gives them (this connection's own included), but no more than `most` + 1: past
        `most` the key is not looked up anyway."""
        self.flush()
        return [r for (r,) in self._store.conn.execute(
            "SELECT article FROM story_keys WHERE key = ? AND published BETWEEN ? AND ? "
            "ORDER BY published, article LIMIT ?", (self.key_id(key), lo, hi, most + 1))]

    @wraps_sqlite_errors
    def put(self, row: Stored, signature: str | bytes, keys: Iterable[str], rowid: int, *,
            new: bool = False, at: int | None = None) -> None:
        """Insert or replace an article's membership, signature (Signature.stored) and index
        keys; `rowid` is the article's row (`rowids`), `new` that it has no keys yet to
        delete, `at` its publication time in seconds when known (`epoch(row.published)`)."""
        store = self._store
        if not store.conn.in_transaction:  # a transaction of its own
            with store.write():
                return self.put(row, signature, keys, rowid, new=new, at=at)
        # Inside the caller's transaction (a batch: once an article), without the cost of
        # entering `write` to join it.
        index = self.index or self.key_index()
        c = store.conn
        if not new:
            self.flush()
            index.remove([k for (k,) in c.execute(
                "SELECT key FROM story_keys WHERE article = ?", (rowid,))], rowid)
            c.execute("DELETE FROM story_keys WHERE article = ?", (rowid,))
            self._shadows = True
        held = (row.article_id, row.story_id, row.published, row.quality, row.content_hash,
                row.tagger_version, signature)
        before = self._held_story.get(row.article_id)
        if before is not None and before != row.story_id:
            self._held[before].pop(row.article_id, None)
        self._held.setdefault(row.story_id, {})[row.article_id] = held
        self._held_story[row.article_id] = row.story_id
        # The memo read here, not through key_id: ~15 keys an article, nearly all known.
        memo, id_of = self._key_ids, self.key_id
        pairs = [(k, memo[k] if k in memo else id_of(k)) for k in dict.fromkeys(keys)]
        published = epoch(row.published) if at is None else at
        self._keys += [(kid, published, rowid) for _k, kid in pairs]
        index.add(pairs, published, rowid)
        index.members[rowid] = (row.article_id, row.story_id)
        return None

    @wraps_sqlite_errors
    def refresh(self, story_id: str) -> None:
        """Recompute a story's row from its members: size, span, best article and title.
        The best article is the highest quality, then the earliest published, then the lowest id."""
        with self._store.write() as c:
            if self._shadows:
                self.flush()
            # The stored members, then those held for `flush` (see _held), as one set.
            best = c.execute(
                "SELECT s.article_id, a.title, s.quality, s.published FROM story_articles s "
                "JOIN articles a ON a.id = s.article_id WHERE s.story_id = ? "
                "ORDER BY s.quality DESC, s.published, s.article_id LIMIT 1",
                (story_id,)).fetchone()
            size, first, last = c.execute(
                "SELECT count(*), MIN(published), MAX(published) FROM story_articles "
                "WHERE story_id = ?", (story_id,)).fetchone()
            held = sorted(self._held.get(story_id, {}).values(),
                          key=lambda r: (-r[3], r[2], r[0]))
            if held:
                size += len(held)
                first = min(p for p in (first, *(r[2] for r in held)) if p is not None)
                last = max(p for p in (last, *(r[2] for r in held)) if p is not None)
                # A row held for this story would be written after this one: it is this.
                self._stories = [t for t in self._stories if t[0] != story_id]
            for r in held:  # the best held member that is still an article (the JOIN's rule)
                if best is not None and (-best[2], best[3], best[0]) < (-r[3], r[2], r[0]):
                    break
                title = c.execute("SELECT title FROM articles WHERE id = ?",
                                  (r[0],)).fetchone()
                if title is not None:
                    best = (r[0], title[0], r[3], r[2])
                    break
            if best is None:
                c.execute("DELETE FROM stories WHERE id = ?", (story_id,))
                c.execute("DELETE FROM story_flags WHERE story_id = ?", (story_id,))
                return
            c.execute(
                "INSERT OR REPLACE INTO stories (id, best_article, title, size, first_published, "
                "last_published) VALUES (?,?,?,?,?,?)", (story_id, best[0], best[1], size, first,
                                                         last))

    @wraps_sqlite_errors
    def new_story(self, story_id: str, title: str, published: str) -> None:
        """The row of a story whose one member is its first article (what `refresh` would
        compute, without reading it back)."""
        if self._store.conn.in_transaction:  # a batch's: joined without entering `write`
            self._stories.append((story_id, story_id, title, published, published))
            return
        with self._store.write():
            self._stories.append((story_id, story_id, title, published, published))

    @wraps_sqlite_errors
    def drop_flags_of(self, story_id: str, article_id: str, others: Sequence[str]) -> None:
        """The disagreements an article's earlier text made with `others` in its story: an
        edited copy's flags piled up, each edit's beside the last ("$2.1bn ..., $2.3bn",
        "$2.1bn ..., $2.5bn"), only the newest still true. Only with the copies its new text
        is compared to again (a story's first FLAG_MEMBERS): a flag with a copy past those
        would not come back."""
        with self._store.write() as c:
            c.execute("DELETE FROM story_flags WHERE story_id = ?1 AND kind = 'disagreement' "
                      "AND ((json_extract(detail, '$.a.article') = ?2 AND "
                      "json_extract(detail, '$.b.article') IN (SELECT value FROM json_each(?3))) "
                      "OR (json_extract(detail, '$.b.article') = ?2 AND "
                      "json_extract(detail, '$.a.article') IN (SELECT value FROM json_each(?3))))",
                      (story_id, article_id, json.dumps(list(others))))

    @wraps_sqlite_errors
    def add_flags(self, story_id: str, flags: Iterable[StoryFlag]) -> None:
        # Not flushed first: story_flags depends on none of the rows held.
        with self._store.write() as c:
            c.executemany(
                "INSERT OR IGNORE INTO story_flags (story_id, kind, text, detail) VALUES (?,?,?,?)",
                [(story_id, f.kind, f.text, json.dumps(f.detail, ensure_ascii=False))
                 for f in flags])

    @wraps_sqlite_errors
    def add_changes(self, article_id: str, flags: Iterable[StoryFlag]) -> None:
        with self._store.write() as c:
            self.flush()
            c.executemany(
                "INSERT OR IGNORE INTO story_changes (article_id, text, detail) VALUES (?,?,?)",
                [(article_id, f.text, json.dumps(f.detail, ensure_ascii=False)) for f in flags])

    @wraps_sqlite_errors
    def clear(self) -> None:
        """Forget every story (not the history of changed figures, which a rebuild cannot redo)."""
        with self._store.write() as c:
            self.flush()
            for table in ("story_keys", "story_flags", "story_articles", "stories"):
                c.execute(f"DELETE FROM {table}")
        self.forget()

    def forget(self) -> None:
        """Drop this connection's story memos: key postings, too-common keys and the match forms
        briefing.stories keeps. Worth keeping within one fetch, which looks the same keys up again
        and again, but not between the fetches of a long-lived process (the TUI). Rows held
        for the next `flush` are written first inside a transaction; outside one (after a
        rollback) they are dropped with it."""
        if self._store.conn.in_transaction:
            self.flush()
        self._keys, self._stories = [], []
        self._held, self._held_story, self._shadows = {}, {}, False
        self._read = {}
        self.index = None
        self.hot_keys = set()
        self.matches = OrderedDict()
        self._key_ids = {}

    @wraps_sqlite_errors
    def stale_ids(self) -> list[str]:
        """Articles with no story yet, or changed (text or tagger) since they were assigned.
        Not those waiting for their tagging (readable_first): a story made without their
        facts would keep them once tagged."""
        return [r[0] for r in self._rows(
            "SELECT a.id FROM articles a LEFT JOIN story_articles s ON s.article_id = a.id "
            "WHERE (s.article_id IS NULL OR s.content_hash != a.content_hash "
            "OR s.tagger_version != a.tagger_version) "
            f"AND a.tagger_version != {TAGGING_PENDING:d} ORDER BY a.published, a.id")]

    @wraps_sqlite_errors
    def story_id_of(self, article_id: str) -> str | None:
        self.flush()
        row = self._store.conn.execute("SELECT story_id FROM story_articles WHERE article_id = ?",
                                 (article_id,)).fetchone()
        return str(row[0]) if row else None

    def _flags(self, story_id: str) -> tuple[StoryFlag, ...]:
        rows = self._rows("SELECT kind, text, detail FROM story_flags WHERE story_id = ? "
                            "ORDER BY kind, text", (story_id,))
        rows += self._rows("SELECT 'changed', c.text, c.detail FROM story_changes c "
                             "JOIN story_articles s ON s.article_id = c.article_id "
                             "WHERE s.story_id = ? ORDER BY c.article_id, c.text", (story_id,))
        return tuple(StoryFlag(r[0], r[1], json.loads(r[2])) for r in rows)

    def _members(self, story_id: str, best: str) -> tuple[StoryMember, ...]:
        rows = self._rows(
            # A copy's source named as the sidebar names it: the user's rename, else the
            # feed's title. A folder's "title" is only its name, shared by all its files:
            # those copies keep their own names (publishers.copy_name).
            "SELECT a.id, a.title, a.url, a.source_url, CASE "
            "WHEN src.user_title != '' THEN src.user_title WHEN src.title != '' THEN src.title "
            "WHEN a.source_url LIKE 'http%' THEN a.source_title ELSE '' END, "
            "a.language, s.published, "
            "EXISTS (SELECT 1 FROM translations t WHERE t.article_id = a.id) "
            "FROM story_articles s JOIN articles a ON a.id = s.article_id "
            "LEFT JOIN sources src ON src.url = a.source_url WHERE s.story_id = ? "
            "ORDER BY s.quality DESC, s.published, s.article_id", (story_id,))
        return tuple(StoryMember(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[0] == best,
                                 bool(r[7])) for r in rows)

    def _story(self, row: Sequence[Any]) -> Story:
        members = self._members(row[0], row[2])
        # Flags were written with the names known at fetch time (the hosts): they name
        # each copy's source as the copies' list does now.
        names = {m.article_id: copy_name(m) for m in members}
        return Story(row[0], row[1], row[2], row[3], row[4], row[5], members,
                     tuple(renamed_flag(f, names) for f in self._flags(row[0])))

    @wraps_sqlite_errors
    def get(self, story_id: str) -> Story | None:
        rows = self._rows(f"{_STORY} WHERE id = ?", (story_id,))
        return self._story(rows[0]) if rows else None

    @wraps_sqlite_errors
    def listing(self, *, since: str | None = None, min_size: int = 1,
                limit: int | None = None) -> list[Story]:
        """Stories newest first (by their latest copy), then by id: a stable order."""
        sql = f"{_STORY} WHERE size >= ?"
        params: list[Any] = [min_size]
        if since:
            sql += " AND last_published >= ?"
            params.append(since)
        sql += " ORDER BY last_published DESC, id"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [self._story(r) for r in self._rows(sql, params)]

    @wraps_sqlite_errors
    def summaries(self, story_id: str) -> list[ArticleSummary]:
        """The story's articles as list rows, best source first."""
        self.flush()
        cur = self._store.conn.execute(
            f"SELECT {SUMMARY_COLUMNS} FROM story_articles s "
            "JOIN articles a ON a.id = s.article_id WHERE s.story_id = ? "
            "ORDER BY s.quality DESC, s.published, s.article_id", (story_id,))
        cols = [d[0] for d in cur.description]
        return [summary_from_row(dict(zip(cols, r, strict=True))) for r in cur.fetchall()]
