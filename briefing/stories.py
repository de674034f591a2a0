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
a single round number can join two articles (see `_joins`).

Incremental: `assign` looks a new article's candidates up in an index (story_keys) of figure
and MinHash-band tokens within a time window, each lookup capped, so the cost per article stays
flat as the database grows; `rebuild` replays every article through the same path.
"""

from __future__ import annotations

import base64
import json
import math
import re
import zlib
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import PurePosixPath
from sys import intern
from typing import Any
from urllib.parse import unquote, urlsplit

import numpy as np

from briefing import gazetteer as gz
from briefing.facts import FIGURE_KINDS
from briefing.models import Article
from briefing.store import Store
from briefing.store import stories as db
from briefing.store.stories import Story, StoryFlag, StoryMember
from briefing.summarize import sentences

__all__ = ["KNOWN_PUBLISHERS", "Story", "StoryFlag", "StoryMember", "assign", "assign_articles",
           "get_story",
           "hashtag", "list_stories", "rebuild", "release", "source_name", "story_json",
           "story_of",
           "sync"]

# Publishers whose own site is the original: a copy on one of these domains is preferred as
# a story's best source. Domain -> the hashtag a briefing post gives it (seed 004: "#FT").
KNOWN_PUBLISHERS: dict[str, str] = {
    "ft.com": "FT", "reuters.com": "Reuters", "bloomberg.com": "Bloomberg", "wsj.com": "WSJ",
    "nytimes.com": "NYT", "washingtonpost.com": "WashingtonPost", "apnews.com": "AP",
    "bbc.co.uk": "BBC", "bbc.com": "BBC", "theguardian.com": "Guardian", "economist.com":
    "Economist", "cnbc.com": "CNBC", "nikkei.com": "Nikkei", "scmp.com": "SCMP",
    "theinformation.com": "TheInformation", "techcrunch.com": "TechCrunch", "theverge.com":
    "TheVerge", "arstechnica.com": "ArsTechnica", "axios.com": "Axios", "politico.com":
    "Politico", "lemonde.fr": "LeMonde", "spiegel.de": "Spiegel", "aljazeera.com": "AlJazeera",
    "vnexpress.net": "VnExpress", "tuoitre.vn": "TuoiTre", "thanhnien.vn": "ThanhNien",
    "vietnamnet.vn": "VietNamNet", "nhandan.vn": "NhanDan", "vir.com.vn": "VIR",
}

TOLERANCE = 0.01  # two amounts within 1% are the same figure ("$12bn" and "$12.1bn")
_STEP = math.log1p(TOLERANCE)
WINDOW = timedelta(days=7)  # copies and translations of a story appear within days
MAX_POSTINGS = 100  # a key held by more articles in the window is too common to look up
MAX_CANDIDATES = 8
# The most telling figures are looked up, not all: a copy shares several, so these find it.
LOOKUP_FIGURES = 8
LOOKUP_WEIGHT = 1.0  # round figures (weight 0.5) count in _joins but are never looked up
_PERMS, _BANDS = 64, 16  # MinHash: 16 bands of 4 rows find pairs above ~0.5 similarity
_RNG = np.random.RandomState(20250121)  # fixed: signatures must not change between runs
_A = _RNG.randint(1, 2**31 - 1, size=_PERMS).astype(np.uint64)
_B = _RNG.randint(0, 2**31 - 1, size=_PERMS).astype(np.uint64)
_PRIME = np.uint64(2**31 - 1)
_WORD = re.compile(r"[^\W_]+")
_NO_CONTEXT: frozenset[str] = frozenset()
_CONTEXT_WORD = re.compile(r"[^\W\d_]{4,}")


@dataclass(frozen=True)
class Fig:
    kind: str
    # The currency for money, % or pp, the duration's unit; "" for counts, whose nouns differ
    # between languages ("users", "người dùng").
    unit: str
    value: float
    text: str
    weight: float
    context: frozenset[str]  # names, other figures and words of the figure's sentence

    @cached_property
    def bucket(self) -> int:
        return round(math.log(self.value) / _STEP)

    @cached_property
    def own_key(self) -> str:
        return f"f:{self.kind}:{self.unit}:{self.bucket}"

    def key(self, bucket: int | None = None) -> str:
        # Matching calls this ~1,000 times per new article: the figure's own key is cached.
        if bucket is None or bucket == self.bucket:
            return self.own_key
        return f"f:{self.kind}:{self.unit}:{bucket}"

    def same_value(self, other: Fig) -> bool:
        """Money within 1% (rounding: "$12bn" / "$12.1bn", a conversion in brackets); other
        figures are written exactly in every copy, so they must be equal."""
        if self.kind != other.kind or self.unit != other.unit:
            return False
        tolerance = TOLERANCE if self.kind == "money" else 1e-9
        return abs(self.value - other.value) <= tolerance * max(self.value, other.value)


@dataclass(frozen=True)
class Signature:
    figs: tuple[Fig, ...]
    names: frozenset[str]
    minhash: tuple[int, ...]
    name: str  # the source's name in flags ("ft.com")

    # The derived forms below are cached on the instance: a worker process computes them with
    # the signature (`prepared`), and they travel with it to the thread that writes the
    # database, which then only looks them up.

    @cached_property
    def index_keys(self) -> tuple[str, ...]:
        # Only what `lookup_keys` may ask for: a round figure's posting would never be read.
        figs = sorted({f.key() for f in self.figs if f.weight >= LOOKUP_WEIGHT})
        bands = [f"h:{b}:{zlib.crc32(repr(self.minhash[b::_BANDS]).encode()):08x}"
                 for b in range(_BANDS)] if self.minhash else []
        return (*figs, *bands)

    @cached_property
    def lookup_keys(self) -> tuple[str, ...]:
        """Keys to look up: each telling figure's own 1% bucket and each MinHash band.
        Only a candidate is wanted here, and a copy shares several figures: one found is
        enough, so the neighbouring buckets (three times the rows) are left to `_joins`."""
        # Round figures (weight 0.5: "50%", "$1bn") are everywhere; they count in _joins but
        # make poor lookup keys, pulling in unrelated candidates.
        figs = sorted({f.key(): f for f in self.figs if f.weight >= LOOKUP_WEIGHT}.values(),
                      key=lambda f: (-f.weight, f.key()))[:LOOKUP_FIGURES]
        return (*(f.key() for f in figs), *(k for k in self.index_keys if k.startswith("h:")))

    @cached_property
    def stored(self) -> str:
        """`as_json` as the text story_articles keeps."""
        return json.dumps(self.as_json(), ensure_ascii=False, separators=(",", ":"))

    @cached_property
    def match(self) -> Match:
        return Match.of(self)

    def prepared(self) -> Signature:
        """This signature with its derived forms computed (see above)."""
        for attr in ("index_keys", "lookup_keys", "stored", "match"):
            getattr(self, attr)
        return self

    def as_json(self) -> dict[str, Any]:
        """The stored form (version 2). A sentence's words and names are kept once, not once
        per figure (figures share their sentence's context), and the MinHash as base64 of
        32-bit values: a third of version 1's size, which stored every context whole."""
        words: dict[tuple[str, ...], int] = {}
        figs = []
        for f in self.figs:
            shared = tuple(sorted(t for t in f.context if not t.startswith("f:")))
            figs.append([f.kind, f.unit, f.value, f.text, f.weight,
                         words.setdefault(shared, len(words)),
                         sorted(t for t in f.context if t.startswith("f:"))])
        return {"v": 2, "words": [list(w) for w in words], "figs": figs,
                "names": sorted(self.names), "name": self.name,
                "minhash": base64.b64encode(
                    np.asarray(self.minhash, dtype="<u4").tobytes()).decode("ascii")}

    @staticmethod
    def from_json(data: dict[str, Any], *, contexts: bool = True) -> Signature:
        """The signature `as_json` stored; without `contexts`, its figures' sentence contexts
        are left empty (matching does not read them, and they are most of its memory)."""
        if data.get("v") == 2:
            words = [frozenset(w) for w in data["words"]] if contexts else []
            figs = tuple(Fig(k, u, float(v), t, float(w),
                             words[i] | frozenset(others) if contexts else _NO_CONTEXT)
                         for k, u, v, t, w, i, others in data["figs"])
            minhash = tuple(int(x) for x in np.frombuffer(
                base64.b64decode(data["minhash"]), dtype="<u4"))
        else:  # version 1: each figure's context whole, the MinHash as a list
            figs = tuple(Fig(k, u, float(v), t, float(w),
                             frozenset(c) if contexts else _NO_CONTEXT)
                         for k, u, v, t, w, c in data.get("figs", []))
            minhash = tuple(data.get("minhash", []))
        return Signature(figs, frozenset(data.get("names", [])), minhash, data.get("name", ""))


@dataclass(frozen=True, eq=False)
class Match:
    """What `_joins` compares of a signature, without the sentence contexts only flags read:
    a small part of a decoded Signature's memory, so one can be kept for every article a
    fetch compares with, and the per-figure work (the keys of the neighbouring 1% buckets,
    the tolerance) done once per article instead of once per comparison."""

    # Distinct figures of weight >= 0.5, the last of each key as in a dict: the keys of buckets
    # b-1, b and b+1, the value, the weight, the tolerance.
    probes: tuple[tuple[str, str, str, float, float, float], ...]
    values: dict[str, tuple[float, ...]]  # key -> the values of every figure under it
    names: frozenset[str]
    minhash: np.ndarray[Any, np.dtype[np.uint32]]  # empty when the text is too short

    @staticmethod
    def of(sig: Signature) -> Match:
        # Keys are interned: thousands of kept forms share the same few thousand keys.
        values: dict[str, list[float]] = {}
        for f in sig.figs:
            values.setdefault(intern(f.key()), []).append(f.value)
        distinct = {f.key(): f for f in sig.figs if f.weight >= 0.5}
        # A key names its kind and unit, so two figures under neighbouring keys can differ
        # only in value: Fig.same_value's tolerance is all that is left to check.
        probes = tuple((intern(f.key(f.bucket - 1)), intern(f.key()),
                        intern(f.key(f.bucket + 1)), f.value, f.weight,
                        TOLERANCE if f.kind == "money" else 1e-9) for f in distinct.values())
        return Match(probes, {k: tuple(v) for k, v in values.items()}, sig.names,
                     np.asarray(sig.minhash, dtype=np.uint32))


# -- signatures ------------------------------------------------------------------------------


def _weight(kind: str, value: float) -> float:
    """How telling a figure is. Two significant digits ("$12bn", "170mn") count 1; a round one
    ("50%", "$1bn", "300mn") counts half; three or more ("$11.6bn", "485,000") count 1.5; tiny
    numbers ("2 people", "3 quarters") hardly count."""
    if kind in ("count", "duration") and value < 10:
        return 0.25
    mantissa = f"{value:.6e}".split("e")[0].replace(".", "").rstrip("0")
    return {1: 0.5, 2: 1.0}.get(len(mantissa), 1.5)


def _name_token(value: object) -> str:
    return "n:" + str(value).casefold()


def signature(art: Article) -> Signature:
    by_para: dict[int, list[Any]] = {}
    for f in art.facts:
        by_para.setdefault(f.paragraph, []).append(f)
    texts = {p.index: p.text for p in art.paragraphs}
    figs: list[Fig] = []
    for index, facts in sorted(by_para.items()):
        text = texts.get(index, "")
        spans = sentences(text) or [(0, len(text))]
        for start, end in spans:
            inside = [f for f in facts if start <= f.start < end]
            tokens = {_name_token(f.value) for f in inside if f.kind in ("org", "person", "place")}
            tokens |= {w for w in (m.casefold() for m in _CONTEXT_WORD.findall(text[start:end]))
                       if w not in gz.STOPWORDS}
            numbers = [f for f in inside if f.kind in FIGURE_KINDS and isinstance(
                f.value, int | float) and f.value > 0]
            made = [Fig(f.kind, "" if f.kind == "count" else f.unit, float(f.value), f.text,
                        _weight(f.kind, float(f.value)), frozenset()) for f in numbers]
            for fig in made:
                others = {o.key() for o in made if o is not fig}
                figs.append(Fig(fig.kind, fig.unit, fig.value, fig.text, fig.weight,
                                frozenset(tokens | others)))
    names = frozenset(_name_token(f.value)[2:] for f in art.facts if f.kind in ("org", "person"))
    return Signature(tuple(figs), names, _minhash(art.text), source_name(art))


def _minhash(text: str) -> tuple[int, ...]:
    words = _WORD.findall(text.casefold())
    shingles = {f"{a} {b} {c}" for a, b, c in zip(words, words[1:], words[2:], strict=False)}
    if len(shingles) < 8:
        return ()
    x = np.array(list(map(zlib.crc32, map(str.encode, shingles))), dtype=np.uint64)
    hashed = (_A[:, None] * x[None, :] + _B[:, None]) % _PRIME
    return tuple(hashed.min(axis=1).tolist())


def quality(art: Article) -> float:
    """How likely this copy is the original: a web link on a known publisher's domain beats
    an unknown site, which beats a scraped file with no link (content farms rarely name
    themselves). Ties go to the earliest published (see store.stories.refresh)."""
    host = _host(art.url)
    score = 0.0
    if host:
        score += 1.0
        if publisher(host):
            score += 3.0
    if art.author:
        score += 0.5
    if art.translations:
        score += 0.25  # a provided translation: somebody thought this copy worth translating
    return score


def _host(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return ""
    return (parts.hostname or "").removeprefix("www.")


def publisher(host: str) -> str | None:
    """The hashtag of a known publisher for a host (or a subdomain of one)."""
    while host:
        if host in KNOWN_PUBLISHERS:
            return KNOWN_PUBLISHERS[host]
        host = host.partition(".")[2]
    return None


def source_name(art: Article | StoryMember) -> str:
    """A short name for an article's source in flags: its web domain, else the file name."""
    host = _host(art.url)
    if host:
        return host
    if art.url.startswith("file:"):
        return PurePosixPath(unquote(urlsplit(art.url).path)).name
    return art.source_title or art.source


def hashtag(art: Article | StoryMember, tags: Sequence[str] = ()) -> str:
    """The source's hashtag: a known publisher's; for a loose file, one it came with; else one
    made of the source's name ("The Meridian Post: World" -> "TheMeridianPostWorld")."""
    tag = publisher(_host(art.url))
    if tag:
        return tag
    # A loose file's source is its folder, named after it: the tags it came with (a post's own
    # hashtags) name the source better. A feed item's source is the feed, whose title does.
    loose = not art.source_title or PurePosixPath(art.source).name == art.source_title
    if loose and tags:
        return tags[0]
    words = _WORD.findall(art.source_title or _host(art.url).split(".")[0] or "source")
    return "".join(w[:1].upper() + w[1:] for w in words) or "source"


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


def _window(stamp: str) -> tuple[str, str]:
    if not stamp:
        return "", "~"
    when = datetime.fromisoformat(stamp)
    return ((when - WINDOW).strftime("%Y-%m-%dT%H:%M:%S"),
            (when + WINDOW).strftime("%Y-%m-%dT%H:%M:%S"))


# -- matching --------------------------------------------------------------------------------


def _found(fig: Fig, index: dict[str, list[Fig]]) -> float:
    """1 when the other article states the figure exactly, 0.5 when only within tolerance
    (copies repeat figures verbatim; a near value is weaker evidence), 0 when not at all."""
    near = [g for b in (fig.bucket - 1, fig.bucket, fig.bucket + 1)
            for g in index.get(fig.key(b), ()) if fig.same_value(g)]
    if not near:
        return 0.0
    return 1.0 if any(abs(g.value - fig.value) <= 1e-9 * fig.value for g in near) else 0.5


def _present(fig: Fig, index: dict[str, list[Fig]]) -> bool:
    return _found(fig, index) > 0


def _index(sig: Signature) -> dict[str, list[Fig]]:
    out: dict[str, list[Fig]] = {}
    for f in sig.figs:
        out.setdefault(f.key(), []).append(f)
    return out


def _joins(a: Signature, b: Signature) -> float:
    """A score above zero when `a` and `b` tell the same story, else 0: see `_score`."""
    return _score(a.match, b.match)


def _score(a: Match, b: Match) -> float:
    """A score above zero when `a` and `b` tell the same story, else 0.

    Figures: the weights of `a`'s distinct figures that `b` also states (half for an amount
    only within 1%) must reach 2 (two specific figures, or four round ones), two of them stated
    exactly, cover a third of the smaller article's figures, and come with a shared name; five
    or more weight joins without one. Text: a MinHash similarity of 0.6 with a shared name, or
    0.8 alone (a near-identical copy), and only when half the figures agree or there are
    hardly any."""
    weight, matched, exact = 0.0, 0, 0
    values = b.values
    for below, own, above, value, w, tolerance in a.probes:
        near = stated = False
        for key in (below, own, above):
            for v in values.get(key, ()):
                if abs(value - v) <= tolerance * max(value, v):
                    near = True
                    # Copies repeat figures verbatim; a near value is weaker evidence.
                    if abs(v - value) <= 1e-9 * value:
                        stated = True
        if near:
            matched += 1
            exact += stated
            weight += w * (1.0 if stated else 0.5)
    smaller = min(len(a.probes), len(b.probes)) or 1
    names = len(a.names & b.names)
    sim = (float(np.count_nonzero(a.minhash == b.minhash)) / len(a.minhash)
           if len(a.minhash) and len(b.minhash) else 0.0)
    by_figures = weight >= 2.0 and exact >= 2 and matched >= smaller / 3 and (
        names >= 1 or weight >= 5.0)
    # Similar words with different figures are two stories from one template (a market wire's
    # "Gold rose 1.8%..." every day), so text joins only where figures agree or are few.
    figures_agree = smaller < 2 or matched >= smaller / 2
    by_text = figures_agree and (sim >= 0.8 or (sim >= 0.6 and names >= 1))
    return weight + 0.5 * names + 4 * sim if by_figures or by_text else 0.0


def conflicts(a: Signature, b: Signature) -> list[tuple[Fig, Fig]]:
    """Figures that state the same fact with different values: same kind and unit, the same
    subject nearby (at least two shared names, figures or words in the sentence, and half of
    the smaller context; across languages only names and figures are shared, so they are
    also compared alone), and neither value found anywhere in the other article."""
    ia, ib = _index(a), _index(b)
    only_a = [f for f in a.figs if f.weight >= 0.5 and not _present(f, ib)]
    only_b = [g for g in b.figs if g.weight >= 0.5 and not _present(g, ia)]
    out: list[tuple[Fig, Fig]] = []
    used: set[int] = set()
    for f in only_a:
        best, best_score = -1, 0.0
        for j, g in enumerate(only_b):
            if j in used or g.kind != f.kind or g.unit != f.unit:
                continue
            score = max(_overlap(f.context, g.context), _overlap(_anchors(f), _anchors(g)))
            if score > best_score:
                best, best_score = j, score
        if best >= 0:
            used.add(best)
            out.append((f, only_b[best]))
    return out


def _anchors(f: Fig) -> frozenset[str]:
    """The context tokens every language shares: names and figures."""
    return frozenset(t for t in f.context if t.startswith(("n:", "f:")))


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared tokens over the smaller set, when at least two are shared and half of it."""
    shared = len(a & b)
    ratio = shared / (min(len(a), len(b)) or 1)
    return ratio if shared >= 2 and ratio >= 0.5 else 0.0


def _flag(kind: str, text: str, f: Fig, g: Fig, a_id: str, b_id: str, a_name: str,
          b_name: str) -> StoryFlag:
    return StoryFlag(kind, text, {
        "fact": f.kind,
        "a": {"article": a_id, "source": a_name, "text": f.text, "value": f.value,
              "unit": f.unit},
        "b": {"article": b_id, "source": b_name, "text": g.text, "value": g.value,
              "unit": g.unit}})


# -- assigning -------------------------------------------------------------------------------


def assign(store: Store, article_ids: Sequence[str]) -> None:
    """Put each stored article into a story: the one its best matching candidate belongs to,
    or a new one. Call after each batch save; an article already assigned is looked at again
    only when its text or tagging changed, and a figure that changed since the previous fetch
    is flagged. One transaction for the batch."""
    ids = list(dict.fromkeys(article_ids))
    if not ids:
        return
    with store._write():
        arts = [a for a in (store.get_article(aid) for aid in ids) if a is not None]
        assign_articles(store, arts)


def assign_articles(store: Store, arts: Sequence[Article],
                    signatures: Mapping[str, Signature] | None = None) -> None:
    """`assign` for articles already in memory (a fetch has just saved them): the same, without
    reading each one back from the database. `signatures` may carry what a worker process
    already computed, keeping that CPU work off the thread that writes the database."""
    if not arts:
        return
    with store._write():
        prior = db.stored(store, [a.id for a in arts])
        sigs = {a.id: (signatures or {}).get(a.id) or signature(a) for a in arts}
        fresh = [a for a in arts if a.id not in prior]
        if fresh:  # every key the batch will look up, in one query
            windows = [_window(_stamp(a.published)) for a in fresh]
            db.preload(store, [k for a in fresh for k in sigs[a.id].lookup_keys],
                       min(w[0] for w in windows), max(w[1] for w in windows))
        rows = db.rowids(store, [a.id for a in arts])
        for art in arts:
            if art.id in rows:  # saved: an article must be stored before it joins a story
                _assign_one(store, art, prior.get(art.id), sigs[art.id], rows[art.id])


def rebuild(store: Store) -> None:
    """Forget every story and assign all articles again, oldest first."""
    with store._write():
        db.clear(store)
        ids = store.article_ids()
        for i in range(0, len(ids), 500):
            assign(store, ids[i:i + 500])


SYNC_BATCH = 200  # articles per transaction, so a big sync never holds the lock for long


def release(store: Store) -> None:
    """Drop what assigning keeps in memory (key postings, decoded signatures): worth it within
    one fetch, which looks the same keys up again and again, but not between fetches of a
    long-lived process."""
    db.forget(store)


def sync(store: Store) -> None:
    """Assign articles stored without a story (a database older than stories, a re-tag).
    The reader never calls this: it is a write, and on an old database a long one."""
    ids = db.stale_ids(store)
    for i in range(0, len(ids), SYNC_BATCH):
        assign(store, ids[i:i + SYNC_BATCH])


def _assign_one(store: Store, art: Article, old: db.Stored | None, sig: Signature,
                rowid: int) -> None:
    if old is not None:
        if old.content_hash == art.content_hash and old.tagger_version == art.tagger_version:
            return
        before = Signature.from_json(old.signature)
        db.add_changes(store, art.id, [
            _flag("changed", f"{sig.name}: {f.text} changed to {g.text} since the first fetch",
                  f, g, art.id, art.id, before.name, sig.name)
            for f, g in conflicts(before, sig)])
        story_id = old.story_id
    else:
        story_id = _choose(store, sig, _stamp(art.published), rowid) or art.id
    row = db.Stored(art.id, story_id, _stamp(art.published), quality(art), art.content_hash,
                    art.tagger_version)
    _remember(store, art.id, sig.match)
    if old is None and story_id == art.id:
        # A new story of one: no other members to compare, and its row is known already.
        db.put(store, row, sig.stored, sig.index_keys, rowid, new=True)
        db.new_story(store, story_id, art.title, row.published)
        return
    flags = []
    for m in db.members(store, story_id):
        if m.article_id != art.id:
            flags += _disagreements(m, Signature.from_json(m.signature), row, sig)
    db.put(store, row, sig.stored, sig.index_keys, rowid, new=old is None)
    db.add_flags(store, story_id, flags)
    db.refresh(store, story_id)


def _disagreements(a: db.Stored, sa: Signature, b: db.Stored, sb: Signature
                   ) -> list[StoryFlag]:
    """Flags for two copies, the better source's statement first."""
    if (-b.quality, b.published, b.article_id) < (-a.quality, a.published, a.article_id):
        a, b, sa, sb = b, a, sb, sa
    return [_flag("disagreement", f"{f.text} in {sa.name}, {g.text} in {sb.name}", f, g,
                  a.article_id, b.article_id, sa.name, sb.name) for f, g in conflicts(sa, sb)]


def _choose(store: Store, sig: Signature, stamp: str, rowid: int) -> str | None:
    """The story of the best matching candidate, or None to start a new story."""
    lo, hi = _window(stamp)
    # A join by figures needs two figures stated exactly, so two keys in common; a join by
    # text shows as a shared MinHash band. Anyone else cannot join: no need to read them.
    found_rows = db.candidates(store, sig.lookup_keys, lo, hi, exclude=rowid,
                               max_postings=MAX_POSTINGS, limit=MAX_CANDIDATES)
    if not found_rows:
        return None
    story = {aid: sid for aid, sid, _shared, _band in found_rows}
    best, best_score = None, 0.0
    mine = sig.match
    for aid, other in _matches(store, [aid for aid, _sid, _shared, _band in found_rows]).items():
        score = _score(mine, other)
        if score > best_score:
            best, best_score = aid, score
    return story[best] if best else None


MATCH_CACHE = 20_000  # match forms kept per connection (~2 KB each: 40 MB at most)


def _memo(store: Store) -> OrderedDict[str, Match]:
    memo: OrderedDict[str, Match] = store.cache.setdefault("story_matches", OrderedDict())
    return memo


def _remember(store: Store, article_id: str, match: Match) -> None:
    """Keep an article's match form for later comparisons, the oldest dropped past the cap
    (a fetch of 20,000 articles once kept every decoded signature: 300 MB)."""
    memo = _memo(store)
    memo[article_id] = match
    memo.move_to_end(article_id)
    while len(memo) > MATCH_CACHE:
        memo.popitem(last=False)


def _matches(store: Store, ids: Sequence[str]) -> dict[str, Match]:
    """Candidates' match forms, decoded from their stored signatures once per connection:
    during a fetch the same recent articles come up as candidates again and again."""
    memo = _memo(store)
    found = {aid: memo[aid] for aid in ids if aid in memo}
    missing = [aid for aid in ids if aid not in memo]
    if missing:
        for aid, row in db.stored(store, missing).items():
            found[aid] = Signature.from_json(row.signature, contexts=False).match
            _remember(store, aid, found[aid])
    return {aid: found[aid] for aid in ids if aid in found}


# -- reading ---------------------------------------------------------------------------------


def get_story(store: Store, story_or_article_id: str) -> Story | None:
    """A story by its id, or the story an article belongs to."""
    found = db.get(store, story_or_article_id)
    if found is not None:
        return found
    sid = db.story_id_of(store, story_or_article_id)
    return db.get(store, sid) if sid else None


def story_of(store: Store, article_id: str) -> Story | None:
    sid = db.story_id_of(store, article_id)
    return db.get(store, sid) if sid else None


def list_stories(store: Store, *, since: str | None = None, min_size: int = 1,
                 limit: int | None = None) -> list[Story]:
    return db.listing(store, since=since, min_size=min_size, limit=limit)


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
        "first_published": s.first_published, "last_published": s.last_published,
        "sources": [{"article": m.article_id, "title": m.title, "url": m.url,
                     "source": m.source, "name": source_name(m), "language": m.language,
                     "published": m.published, "best": m.best,
                     "translated": m.has_translation} for m in s.members],
        "flags": [flag_json(f) for f in s.flags],
    }
