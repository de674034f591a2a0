"""Grouping copies of one story across sources and languages, and flagging where they disagree.

What survives spinning and translation is the figures and the names, not the words: a content
farm swaps "artificial intelligence" for "synthetic intelligence" and a translator rewrites
every word, yet "$12bn", "Rmb40bn", "230,000" and "ByteDance" come through (as "12 tỷ USD",
"40 tỷ nhân dân tệ", "230.000", "ByteDance"). So an article's signature is the set of its
normalised figures (money by value and currency, percent, count, duration; ~1% tolerance), its
organisations and people, and its publication time. Word-shingle MinHash is a second signal
only: it finds near-identical copies that carry no figures.

Dates are left out (every 2025 story says "2025"), and a figure weighs by how telling it is:
one round number ("50%", "$1bn") weighs half a specific one ("$11.6bn"), so neither a year nor
a single round number can join two articles (see `briefing.signatures.score`).

Incremental: `assign` looks a new article's candidates up in an index (story_keys) of figure
and MinHash-band tokens within a time window, each lookup capped, so the cost per article stays
flat as the database grows; `rebuild` replays every article through the same path.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from briefing.models import Article, Stored, Story, StoryFlag, StoryMember
from briefing.publishers import (
    KNOWN_PUBLISHERS,
    copy_name,
    flag_text,
    hashtag,
    host_of,
    publisher,
    source_name,
)
from briefing.report import iso_time
from briefing.signatures import (
    Compact,
    Contexts,
    Fig,
    Match,
    Signature,
    conflicts,
    lean_signature,
    score,
    signature,
)
from briefing.store import Store
from briefing.store.keys import OPEN_END, UNKNOWN_TIME, epoch

# Publishers and signatures are re-exported: callers know them as parts of stories.
__all__ = ["KNOWN_PUBLISHERS", "Signature", "Story", "StoryFlag", "StoryMember", "assign",
           "assign_articles", "copy_name", "get_story", "hashtag", "list_stories", "publisher",
           "rebuild", "signature", "source_name", "story_json", "story_of", "sync"]

WINDOW = 7 * 86_400  # seconds: copies and translations of a story appear within days
MAX_POSTINGS = 100  # a key held by more articles in the window is too common to look up
MAX_CANDIDATES = 8
# Members a copy joining a story is checked against for disagreeing figures: its earliest.
# Each check decodes a member's whole signature and compares every pair of figures, and a
# story syndicated hundreds of times (or a hostile feed whose 2,600 items all state the same
# figures) made each join cost as much as the story's size: 39.5 s to fetch those 2,600,
# 18 s with this cap.
FLAG_MEMBERS = 32


# The host's part of `quality` by the start of a URL (see _host_score).
_HOST_SCORES: dict[str, float] = {}
HOST_SCORES = 10_000  # prefixes remembered; past it, the memo starts again


def _host_score(url: str) -> float:
    """1 for a web link, 4 on a known publisher's domain, else 0. Remembered by the URL's
    text up to its third "/": urlsplit's host is all in it (the netloc ends at the first "/"
    after "//", or sooner), and a fetch stores thousands of articles from a few hundred
    hosts (urlsplit was most of the cost of `quality`)."""
    prefix = "/".join(url.split("/", 3)[:3])
    score = _HOST_SCORES.get(prefix)
    if score is None:
        host = host_of(url)
        score = (4.0 if publisher(host) else 1.0) if host else 0.0
        if len(_HOST_SCORES) >= HOST_SCORES:
            _HOST_SCORES.clear()
        _HOST_SCORES[prefix] = score
    return score


def quality(art: Article) -> float:
    """How likely this copy is the original: a web link on a known publisher's domain beats
    an unknown site, which beats a scraped file with no link (content farms rarely name
    themselves). Ties go to the earliest published (see StoryStore.refresh)."""
    score = _host_score(art.url)
    if art.author:
        score += 0.5
    if art.translations:
        score += 0.25  # a provided translation: somebody thought this copy worth translating
    return score


def _stamp(published: str | None) -> str:
    """Publication time as a UTC ISO string, comparable as text; "" when unknown."""
    if not published:
        return ""
    try:
        when = datetime.fromisoformat(published)
    except ValueError:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _window(stamp: str) -> tuple[int, int]:
    """The publication times (seconds, as story_keys has them) a copy may have; an article of
    unknown time may match any."""
    return _window_at(epoch(stamp))


def _window_at(when: int) -> tuple[int, int]:
    """`_window` of a time already in seconds (`epoch`)."""
    if when == UNKNOWN_TIME:
        return UNKNOWN_TIME, OPEN_END
    return when - WINDOW, when + WINDOW


def _flag(kind: str, f: Fig, g: Fig, a_id: str, b_id: str, a_name: str,
          b_name: str) -> StoryFlag:
    detail = {
        "fact": f.kind,
        "a": {"article": a_id, "source": a_name, "text": f.text, "value": f.value,
              "unit": f.unit},
        "b": {"article": b_id, "source": b_name, "text": g.text, "value": g.value,
              "unit": g.unit}}
    return StoryFlag(kind, flag_text(kind, detail), detail)


# -- assigning -------------------------------------------------------------------------------


def assign(store: Store, article_ids: Sequence[str]) -> None:
    """Put each stored article into a story: the one its best matching candidate belongs to,
    or a new one. Call after each batch save; an article already assigned is looked at again
    only when its text or tagging changed, and a figure that changed since the previous fetch
    is flagged. One transaction for the batch."""
    ids = list(dict.fromkeys(article_ids))
    if not ids:
        return
    with store.write():
        arts = [a for a in (store.get_article(aid) for aid in ids) if a is not None]
        assign_articles(store, arts)


def _compact(sig: Signature | Compact | None, art: Article) -> Compact:
    if isinstance(sig, Compact):
        return sig
    return (sig or signature(art)).compact()


def assign_articles(store: Store, arts: Sequence[Article],
                    signatures: Mapping[str, Signature | Compact] | None = None) -> None:
    """`assign` for articles already in memory (a fetch has just saved them): the same, without
    reading each one back from the database. `signatures` may carry what a worker process
    already computed, keeping that CPU work off the thread that writes the database."""
    if not arts:
        return
    with store.write():
        prior = store.stories.stored([a.id for a in arts])
        given = signatures or {}
        sigs = {a.id: _compact(given.get(a.id), a) for a in arts}
        for sig in sigs.values():
            if sig.key_ids:
                store.stories.know_key_ids(sig.index_keys, sig.key_ids)
        stamps = {a.id: _stamp(a.published) for a in arts}
        # Each stamp in seconds once: the window looked up and the keys written read it.
        times = {aid: epoch(stamp) for aid, stamp in stamps.items()}
        fresh = [a for a in arts if a.id not in prior]
        if fresh:  # every key the batch will look up, in one query
            lows, highs = zip(*(_window_at(times[a.id]) for a in fresh), strict=True)
            # Loaded: the union of the windows; known too common: inside their intersection.
            store.stories.preload([k for a in fresh for k in sigs[a.id].lookup_keys],
                                  min(lows), max(highs),
                                  hot=(max(lows), min(highs), MAX_POSTINGS))
        rows = store.stories.rowids([a.id for a in arts])
        for art in arts:
            if art.id in rows:  # saved: an article must be stored before it joins a story
                _assign_one(store, art, prior.get(art.id), sigs[art.id], rows[art.id],
                            stamps[art.id], times[art.id])


def rebuild(store: Store) -> None:
    """Forget every story and assign all articles again, oldest first."""
    with store.write():
        store.stories.clear()
        ids = store.article_ids()
        for i in range(0, len(ids), 500):
            assign(store, ids[i:i + 500])


SYNC_BATCH = 200  # articles per transaction, so a big sync never holds the lock for long


def sync(store: Store) -> None:
    """Assign articles stored without a story (a database older than stories, a re-tag).
    The reader never calls this: it is a write, and on an old database a long one."""
    ids = store.stories.stale_ids()
    for i in range(0, len(ids), SYNC_BATCH):
        assign(store, ids[i:i + SYNC_BATCH])


def _assign_one(store: Store, art: Article, old: Stored | None, sig: Compact,
                rowid: int, stamp: str, when: int) -> None:
    if old is not None:
        if old.content_hash == art.content_hash and old.tagger_version == art.tagger_version:
            return
        (before, was), (now, is_) = lean_signature(old.signature), lean_signature(sig.data)
        store.stories.add_changes(art.id, [
            _flag("changed", f, g, art.id, art.id, before.name, now.name)
            for f, g in conflicts(before, now, was, is_)])
        story_id = old.story_id
    else:
        story_id = _choose(store, sig, when, rowid) or art.id
    row = Stored(art.id, story_id, stamp, quality(art), art.content_hash, art.tagger_version)
    _remember(store, art.id, sig.lean())
    if old is None and story_id == art.id:
        # A new story of one: no other members to compare, and its row is known already.
        store.stories.put(row, sig.stored, sig.index_keys, rowid, new=True, at=when)
        store.stories.new_story(story_id, art.title, row.published)
        return
    flags = []
    compared = []
    # Without the figures' contexts: `conflicts` makes the few it compares.
    lean = lean_signature(sig.data)
    for m in store.stories.members(story_id, limit=FLAG_MEMBERS):
        if m.article_id != art.id:
            compared.append(m.article_id)
            flags += _disagreements(m, lean_signature(m.signature), row, lean)
    store.stories.put(row, sig.stored, sig.index_keys, rowid, new=old is None, at=when)
    if old is not None:  # what its earlier text said against the copies compared again
        store.stories.drop_flags_of(story_id, art.id, compared)
    store.stories.add_flags(story_id, flags)
    store.stories.refresh(story_id)


def _disagreements(a: Stored, la: tuple[Signature, Contexts], b: Stored,
                   lb: tuple[Signature, Contexts]) -> list[StoryFlag]:
    """Flags for two copies, the better source's statement first (their signatures as
    `lean_signature` makes them)."""
    if (-b.quality, b.published, b.article_id) < (-a.quality, a.published, a.article_id):
        a, b, la, lb = b, a, lb, la
    (sa, ca), (sb, cb) = la, lb
    return [_flag("disagreement", f, g, a.article_id, b.article_id, sa.name, sb.name)
            for f, g in conflicts(sa, sb, ca, cb)]


def _choose(store: Store, sig: Compact, when: int, rowid: int) -> str | None:
    """The story of the best matching candidate, or None to start a new story; `when` the
    article's publication time in seconds (`epoch`)."""
    lo, hi = _window_at(when)
    # A join by figures needs two figures stated exactly, so two keys in common; a join by
    # text shows as a shared MinHash band. Anyone else cannot join: no need to read them.
    found_rows = store.stories.candidates(sig.lookup_keys, lo, hi, exclude=rowid,
                               max_postings=MAX_POSTINGS, limit=MAX_CANDIDATES)
    if not found_rows:
        return None
    story = {aid: sid for aid, sid, _shared, _band in found_rows}
    best, best_score = None, 0.0
    mine = sig.match
    for aid, other in _matches(store, [aid for aid, _sid, _shared, _band in found_rows]).items():
        joined = score(mine, other)
        if joined > best_score:
            best, best_score = aid, joined
    return story[best] if best else None


# Signatures kept per connection: each ~1.5 KB of stored text, ~2 KB more once its match form
# is decoded (only those that came up as candidates): 70 MB at most.
MATCH_CACHE = 20_000


def _memo(store: Store) -> OrderedDict[str, Compact | Match]:
    memo: OrderedDict[str, Compact | Match] = store.stories.matches
    return memo


def _remember(store: Store, article_id: str, kept: Compact | Match) -> None:
    """Keep an article's signature (or its match form) for later comparisons, the oldest
    dropped past the cap (a fetch of 20,000 articles once kept every decoded signature:
    300 MB)."""
    memo = _memo(store)
    memo[article_id] = kept
    memo.move_to_end(article_id)
    while len(memo) > MATCH_CACHE:
        memo.popitem(last=False)


def _matches(store: Store, ids: Sequence[str]) -> dict[str, Match]:
    """Candidates' match forms, read from their stored signatures once per connection:
    during a fetch the same recent articles come up as candidates again and again."""
    memo = _memo(store)
    found = {aid: _match_of(memo[aid]) for aid in ids if aid in memo}
    missing = [aid for aid in ids if aid not in memo]
    if missing:
        for aid, stored in store.stories.signatures(missing).items():
            found[aid] = Match.from_stored(stored)
            _remember(store, aid, found[aid])
    return {aid: found[aid] for aid in ids if aid in found}


def _match_of(kept: Compact | Match) -> Match:
    return kept.match if isinstance(kept, Compact) else kept


# -- reading ---------------------------------------------------------------------------------


def get_story(store: Store, story_or_article_id: str) -> Story | None:
    """A story by its id, or the story an article belongs to."""
    found = store.stories.get(story_or_article_id)
    if found is not None:
        return found
    sid = store.stories.story_id_of(story_or_article_id)
    return store.stories.get(sid) if sid else None


def story_of(store: Store, article_id: str) -> Story | None:
    sid = store.stories.story_id_of(article_id)
    return store.stories.get(sid) if sid else None


def list_stories(store: Store, *, since: str | None = None, min_size: int = 1,
                 limit: int | None = None) -> list[Story]:
    return store.stories.listing(since=since, min_size=min_size, limit=limit)


def flag_json(flag: StoryFlag) -> dict[str, Any]:
    return {"kind": flag.kind, "text": flag.text, **flag.detail}


def story_json(store: Store, article_id: str) -> dict[str, Any] | None:
    """The story of an article, for `show --json` (key "story"): id, title, best, sources
    (best first) and flags; None when the article has no story yet."""
    found = story_of(store, article_id)
    return None if found is None else story_dict(found)


def story_dict(s: Story) -> dict[str, Any]:
    return {
        "id": s.id, "title": s.title, "size": s.size, "best": s.best_article,
        "first_published": iso_time(s.first_published),
        "last_published": iso_time(s.last_published),
        "sources": [{"article": m.article_id, "title": m.title, "url": m.url,
                     "source": m.source, "name": copy_name(m),
                     "language": m.language,
                     "published": iso_time(m.published), "best": m.best,
                     "translated": m.has_translation} for m in s.members],
        "flags": [flag_json(f) for f in s.flags],
    }
