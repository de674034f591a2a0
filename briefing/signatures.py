"""Story signatures: what survives spinning and translation (figures, names, a MinHash of
the words), and the comparison of two of them that decides whether they tell one story.

Built in worker processes (briefing.ingest) and compared on the thread that writes the
database (briefing.stories), so a signature carries its derived forms with it (see
`Signature.prepared`).
"""

from __future__ import annotations

import base64
import json
import math
import re
import struct
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import islice
from sys import intern
from typing import Any

import numpy as np

from briefing import gazetteer as gz
from briefing.facts import FIGURE_KINDS
from briefing.models import Article
from briefing.publishers import source_name
from briefing.store.keys import (
    PACKED_WEIGHTS,
    band_keys,
    bucket_of,
    decode_signature,
    is_packed,
    key_id,
    pack_signature,
    packed_parts,
)
from briefing.summarize import facts_by_sentence
from briefing.text import split_sentences

TOLERANCE = 0.01  # two amounts within 1% are the same figure ("$12bn" and "$12.1bn")
_STEP = math.log1p(TOLERANCE)
# The most telling figures are looked up, not all: a copy shares several, so these find it.
LOOKUP_FIGURES = 8
LOOKUP_WEIGHT = 1.0  # round figures (weight 0.5) count in _joins but are never looked up
# MinHash: 64 values for the similarity; 10 bands of 3 of them for the lookup (30 values). A
# candidate needs two bands in common: at a similarity of 0.6 / 0.7 / 0.8 that is found 67% /
# 91% / 99.1% of the time, as 16 bands of 4 did (63% / 93% / 99.7%), with 6 story keys fewer
# to write per article (of ~21-25). Stored databases are re-keyed by m013.
_PERMS, _BANDS, _ROWS = 64, 10, 3
_RNG = np.random.RandomState(20250121)  # fixed: signatures must not change between runs
_A = _RNG.randint(1, 2**31 - 1, size=_PERMS).astype(np.uint64)
_B = _RNG.randint(0, 2**31 - 1, size=_PERMS).astype(np.uint64)
_PRIME = np.uint64(2**31 - 1)
_SHIFT = np.uint64(31)
_WORD = re.compile(r"[^\W_]+")
_NO_CONTEXT: frozenset[str] = frozenset()
_CONTEXT_WORD = re.compile(r"[^\W\d_]{4,}")
# The same two in ASCII text, as byte tables for bytes.translate: A-Z lower-cased, the other
# characters of a word kept, every other byte a space, so that split() gives the words. Three
# times as fast as the patterns' findall over lower-cased text, and the words come as bytes,
# which the MinHash hashes (an ASCII str encodes to the same bytes).
_ASCII_WORDS = bytes(c + 32 if 65 <= c <= 90 else c if 97 <= c <= 122 or 48 <= c <= 57 else 32
                     for c in range(256))  # [^\W_]+ of the casefolded text
_ASCII_LETTERS = bytes(c + 32 if 65 <= c <= 90 else c if 97 <= c <= 122 else 32
                       for c in range(256))  # [^\W\d_] runs, of which those of 4 or more
# Bounds that keep a signature's cost linear in the article (a 15 MB text once made 300,000
# figures, each with its sentence's words), far above what real articles reach (the longest
# seeds: 26 figures, 21 names, 6,000 characters), so their signatures are unchanged.
MAX_FIGS = 400
MAX_NAMES = 200
CONTEXT_CHARS = 2_000  # of one sentence, for its figures' context words
MINHASH_CHARS = 200_000
# json.dumps(..., ensure_ascii=False, separators=(",", ":")) without building its encoder for
# every signature, nor its check for circular references (a dict of every list's id as it is
# written, half the cost of encoding a signature): the data here is made fresh, never circular.
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


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
        return (*figs, *band_keys(self.minhash, _BANDS, _ROWS))

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
    def stored(self) -> bytes:
        """This signature as story_articles keeps it: packed (version 3, see keys.PACKED), so
        that a candidate's match form is read without parsing JSON, no bigger than version 2
        (`as_json`'s text deflated, half its size; the signatures were 41 MB of a 227 MB
        database after a cold fetch of 20,000 items), which is what a signature that cannot
        be packed still gets. Rows written before (version 2, or 1 as JSON text) are read as
        well (`decode_signature`, `Match.from_stored`)."""
        # A signature made here (`signature`) packs from the sorted words and keys its
        # figures carry from their sentence, without `as_json`'s dict of every figure and its
        # sort of every figure's context (a fifth of a worker's cost of a signature).
        contexts = _sorted_contexts(self.figs)
        if contexts is None:
            data = self.as_json()
            contexts = data["words"], [(row[3], row[5], row[6]) for row in data["figs"]]
        return (_packed(self, *contexts)
                or zlib.compress(_JSON.encode(self.as_json()).encode(), 6))

    @cached_property
    def match(self) -> Match:
        return Match.of(self)

    @cached_property
    def minhash_bytes(self) -> bytes:
        """The MinHash as little-endian 32-bit values: what the stored form and the match
        form keep of it, made once for both (numpy's conversion of the tuple, twice, cost
        more than this and two views of it)."""
        return struct.pack(f"<{len(self.minhash)}I", *self.minhash)

    def prepared(self) -> Signature:
        """This signature with its derived forms computed (see above)."""
        for attr in ("index_keys", "lookup_keys", "stored", "match"):
            getattr(self, attr)
        return self

    def compact(self) -> Compact:
        """This signature as story matching first needs it (see Compact)."""
        return Compact(self.stored, self.index_keys, self.lookup_keys)

    def sent(self) -> Compact:
        """What a worker process sends of this signature: `compact`, with its match form
        made here from the figures at hand. The writer needs it for nearly every new article
        (wire copies give most of them a candidate), and decoding it there from the stored
        text cost the one thread that writes ~0.06-0.09 ms an article; made here it costs a
        worker ~0.03-0.05 ms (with its pickling), and the writer ~0.02-0.03 ms to load. The
        story keys' ids too (Compact.key_ids)."""
        made = Compact(self.stored, self.index_keys, self.lookup_keys,
                       tuple(map(key_id, self.index_keys)))
        made.__dict__["match"] = self.match
        return made

    def as_json(self) -> dict[str, Any]:
        """The stored form (version 2). A sentence's words and names are kept once, not once
        per figure (figures share their sentence's context), and the MinHash as base64 of
        32-bit values: a third of version 1's size, which stored every context whole."""
        words: dict[tuple[str, ...], int] = {}
        figs = []
        for f in self.figs:
            # One sort: in sorted order the "f:" keys are one run, from "f:" up to "f;"
            # (";" follows ":"), and what is left on either side of it is still sorted.
            ordered = sorted(f.context)
            lo = bisect_left(ordered, "f:")
            hi = bisect_left(ordered, "f;", lo)
            figs.append([f.kind, f.unit, f.value, f.text, f.weight,
                         words.setdefault((*ordered[:lo], *ordered[hi:]), len(words)),
                         ordered[lo:hi]])
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
            figs = tuple(_fig(k, u, float(v), t, float(w),
                              words[i] | frozenset(others) if contexts else _NO_CONTEXT)
                         for k, u, v, t, w, i, others in data["figs"])
            minhash = tuple(np.frombuffer(
                base64.b64decode(data["minhash"]), dtype="<u4").tolist())
        else:  # version 1: each figure's context whole, the MinHash as a list
            figs = tuple(_fig(k, u, float(v), t, float(w),
                              frozenset(c) if contexts else _NO_CONTEXT)
                         for k, u, v, t, w, c in data.get("figs", []))
            minhash = tuple(data.get("minhash", []))
        return Signature(figs, frozenset(data.get("names", [])), minhash, data.get("name", ""))


@dataclass(frozen=True, eq=False)
class Compact:
    """A signature as a worker sends it and story matching first needs it: the stored text and
    the keys to index and look up. Most new articles have no candidate, so their figures are
    never compared: the match form (`match`) and the whole signature with its contexts (`full`,
    for flags) are decoded from the stored text only when asked for. A prepared Signature
    crossed the process boundary at ~5 KB of pickled objects an article, and unpickling them
    was a fifth of the writer's time."""

    stored: bytes
    index_keys: tuple[str, ...] = ()
    lookup_keys: tuple[str, ...] = ()
    # keys.key_id of each of index_keys, made by the worker (`Signature.sent`): the writer
    # otherwise hashes ~24 keys an article itself, most of them MinHash bands met only once.
    key_ids: tuple[int, ...] = ()

    @cached_property
    def data(self) -> dict[str, Any]:
        return decode_signature(self.stored)

    @cached_property
    def match(self) -> Match:
        return Match.from_stored(self.stored)

    def full(self) -> Signature:
        return Signature.from_json(self.data)

    def lean(self) -> Compact:
        """This one without its keys, its match form kept if made: what is worth keeping
        for later comparisons."""
        kept = Compact(self.stored)
        if "match" in self.__dict__:
            kept.__dict__["match"] = self.__dict__["match"]
        return kept


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

    def __reduce__(self) -> tuple[Any, ...]:
        # Across the process boundary (see Signature.sent): the MinHash as bytes, which load
        # at a third of an array's cost, and the keys interned again on arrival.
        return (_arrived, (self.probes, self.values, self.names, self.minhash.tobytes()))

    @staticmethod
    def of(sig: Signature) -> Match:
        # Keys are interned: thousands of kept forms share the same few thousand keys.
        values: dict[str, list[float]] = {}
        distinct: dict[str, Fig] = {}  # the last figure of each key, in first-seen order
        for f in sig.figs:
            key = intern(f.own_key)
            values.setdefault(key, []).append(f.value)
            if f.weight >= 0.5:
                distinct[key] = f
        # A key names its kind and unit, so two figures under neighbouring keys can differ
        # only in value: Fig.same_value's tolerance is all that is left to check. The
        # neighbours' keys are the own key with the bucket changed (Fig.key, without its
        # f-string of three fields per key: a worker makes this for every article).
        probes = []
        for key, f in distinct.items():
            prefix = key[:key.rindex(":") + 1]
            probes.append((intern(prefix + str(f.bucket - 1)), key,
                           intern(prefix + str(f.bucket + 1)), f.value, f.weight,
                           TOLERANCE if f.kind == "money" else 1e-9))
        return Match(tuple(probes), {k: tuple(v) for k, v in values.items()}, sig.names,
                     np.frombuffer(sig.minhash_bytes, dtype="<u4"))

    @staticmethod
    def from_data(data: dict[str, Any]) -> Match:
        """`Match.of(Signature.from_json(data, contexts=False))`, read straight from the stored
        form: the writer makes one for nearly every new article (wire copies give most of them
        a candidate) and for each candidate it has not met, and going through Fig objects
        and their cached keys cost it ~0.5 ms an article."""
        values: dict[str, list[float]] = {}
        distinct: dict[str, tuple[str, int, float, float, float]] = {}
        for row in data.get("figs", ()):
            # v2: kind, unit, value, text, weight, words, figures; v1: ..., weight, context.
            kind, value, weight = row[0], float(row[2]), float(row[4])
            prefix = f"f:{kind}:{row[1]}:"
            bucket = round(math.log(value) / _STEP)
            key = intern(prefix + str(bucket))
            values.setdefault(key, []).append(value)
            if weight >= 0.5:
                distinct[key] = (prefix, bucket, value, weight,
                                 TOLERANCE if kind == "money" else 1e-9)
        probes = tuple((intern(prefix + str(bucket - 1)), key, intern(prefix + str(bucket + 1)),
                        value, weight, tolerance)
                       for key, (prefix, bucket, value, weight, tolerance) in distinct.items())
        if data.get("v") == 2:
            minhash = np.frombuffer(base64.b64decode(data["minhash"]), dtype="<u4").astype(
                np.uint32)
        else:
            minhash = np.asarray(tuple(data.get("minhash", [])), dtype=np.uint32)
        return Match(probes, {k: tuple(v) for k, v in values.items()},
                     frozenset(data.get("names", [])), minhash)


    @staticmethod
    def from_stored(stored: str | bytes) -> Match:
        """`Match.from_data(decode_signature(stored))`: for a packed row (version 3, see
        keys.PACKED) read from its parts without parsing its JSON or making each figure's
        key, its probes made only when asked for (`_Read`); older rows are decoded."""
        if not is_packed(stored):
            return Match.from_data(decode_signature(stored))
        minhash, values, counts, numbers, places, weights, keys, names, _rest = packed_parts(
            stored, rest=False)
        keys = [intern(k) for k in keys]
        table: dict[str, tuple[float, ...]] = {}
        at = 0
        for key, n in zip(keys, counts, strict=True):
            table[key] = values[at:at + n]
            at += n
        # Checked here, so that the probes made later (_Read) cannot fail.
        if (len(numbers) != len(places) or max(numbers, default=-1) >= len(keys)
                or max(places, default=-1) >= len(values)
                or max(weights, default=0) >= len(PACKED_WEIGHTS)):
            raise ValueError("a damaged story signature (its probes do not add up)")
        read = _new(_Read)
        fields = read.__dict__
        fields["values"] = table
        fields["names"] = frozenset(names)
        fields["minhash"] = np.frombuffer(minhash, dtype="<u4").astype(np.uint32)
        fields["made_of"] = (keys, numbers, places, weights, values)
        return read

    @property
    def count(self) -> int:
        """How many probes: what `score` reads of the other article's."""
        return len(self.probes)


class _Read(Match):
    """A Match read from a packed row (`Match.from_stored`): its probes are made when first
    asked for. Matching reads only their number (`count`) of a candidate, and making them was
    a third of reading one."""

    made_of: tuple[list[str], tuple[int, ...], tuple[int, ...], bytes, tuple[float, ...]]

    @cached_property
    def probes(self) -> tuple[tuple[str, str, str, float, float, float], ...]:
        keys, numbers, places, weights, values = self.made_of
        probes = []
        for number, place in zip(numbers, places, strict=True):
            key = keys[number]
            cut = key.rindex(":") + 1
            prefix, bucket = key[:cut], int(key[cut:])
            probes.append((intern(prefix + str(bucket - 1)), key,
                           intern(prefix + str(bucket + 1)), values[place],
                           PACKED_WEIGHTS[weights[place]],
                           TOLERANCE if key.startswith("f:money:") else 1e-9))
        return tuple(probes)

    @property
    def count(self) -> int:
        return len(self.made_of[1])


def _sorted_contexts(figs: Sequence[Fig]) -> tuple[list[tuple[str, ...]],
                                                   list[tuple[str, int, Sequence[str]]]] | None:
    """`as_json`'s "words" and, for each figure, its text, its words' number there and the
    other figures' keys, from what `_sentence_figs` left on the figures (the sentence's sorted
    words, the sorted keys); None when a figure was made otherwise."""
    words: dict[tuple[str, ...], int] = {}
    rows = []
    for f in figs:
        made = f.__dict__.get("_sorted")
        if made is None:
            return None
        rows.append((f.text, words.setdefault(made[0], len(words)), made[1]))
    return list(words), rows


def _packed(sig: Signature, words: Sequence[Sequence[str]],
            rows: Sequence[tuple[str, int, Sequence[str]]]) -> bytes | None:
    """`sig` as version 3 (keys.pack_signature); `words` and `rows` are its `as_json`'s
    "words" and, for each figure, its text, its words' number there and its other figures'
    keys (`_sorted_contexts`). None when it cannot be packed whole (a NUL in a key or name, a
    kind with a colon, a key whose bucket is not its value's, a weight that `_weight` does not
    give, more than 16 bits of anything), and version 2 is stored instead."""
    figs = sig.figs
    own = [f.own_key for f in figs]
    number = {key: n for n, key in enumerate(dict.fromkeys(own))}  # in first-seen order
    try:
        weight_numbers = [PACKED_WEIGHTS.index(f.weight) for f in figs]
    except ValueError:
        return None
    if any(":" in f.kind for f in figs):
        return None
    # The values grouped by key, the keys in first-seen order: `order` lists the figures by
    # their value's place. Most articles have no two figures under one key, and then the
    # values are in the figures' order.
    if len(number) == len(figs):
        order: Sequence[int] = range(len(figs))
        counts = [1] * len(figs)
        firsts: Sequence[int] = order
    else:
        grouped: dict[str, list[int]] = {}
        for i, key in enumerate(own):
            grouped.setdefault(key, []).append(i)
        order = [i for members in grouped.values() for i in members]
        counts = [len(members) for members in grouped.values()]
        firsts = [members[0] for members in grouped.values()]
    place = {i: p for p, i in enumerate(order)}
    values = [figs[i].value for i in order]
    prefixes = []
    for key, first in zip(number, firsts, strict=True):
        prefix = key[:key.rindex(":") + 1]
        if key != prefix + str(bucket_of(figs[first].value)):
            return None
        prefixes.append(prefix)
    strong: dict[str, int] = {}  # key -> its last figure of weight 0.5 or more (Match.of)
    for i, f in enumerate(figs):
        if f.weight >= 0.5:
            strong[own[i]] = i
    names = sorted(sig.names)
    if (len(figs) >= 2**16 or len(sig.minhash) >= 2**16
            or "\0" in "".join((*prefixes, *names))):
        return None
    # A figure's context names the other figures of its sentence by their keys: by number.
    # Its value's place only when the values are not in the figures' order.
    get = number.get
    if all(p == i for p, i in enumerate(order)):
        made: list[list[Any]] = [[text, w, [get(k, k) for k in others]]
                                 for text, w, others in rows]
    else:
        made = [[place[i], text, w, [get(k, k) for k in others]]
                for i, (text, w, others) in enumerate(rows)]
    rest = _JSON.encode({"figs": made, "words": words, "name": sig.name}).encode()
    return pack_signature(sig.minhash_bytes, prefixes, values, counts,
                          [weight_numbers[i] for i in order],
                          [(number[key], place[i]) for key, i in strong.items()], names, rest)


def _arrived(probes: tuple[tuple[str, str, str, float, float, float], ...],
             values: dict[str, tuple[float, ...]], names: frozenset[str],
             minhash: bytes) -> Match:
    """A Match as a worker pickled it (Match.__reduce__), its keys interned as `Match.of`
    interns them: the writer keeps thousands of these, sharing a few thousand keys."""
    return Match(tuple((intern(a), intern(b), intern(c), v, w, t)
                       for a, b, c, v, w, t in probes),
                 {intern(k): v for k, v in values.items()}, names,
                 np.frombuffer(minhash, dtype=np.uint32))


# -- signatures ------------------------------------------------------------------------------


def _weight(kind: str, value: float) -> float:
    """How telling a figure is. Two significant digits ("$12bn", "170mn") count 1; a round one
    ("50%", "$1bn", "300mn") counts half; three or more ("$11.6bn", "485,000") count 1.5; tiny
    numbers ("2 people", "3 quarters") hardly count."""
    if kind in ("count", "duration") and value < 10:
        return 0.25
    mantissa = f"{value:.6e}".split("e")[0].replace(".", "").rstrip("0")
    return {1: 0.5, 2: 1.0}.get(len(mantissa), 1.5)


def signature(art: Article, sentences: Mapping[int, Sequence[tuple[int, int, list[Any]]]]
              | None = None) -> Signature:
    """Figures (at most MAX_FIGS, in article order) with their sentence's context, names (at
    most MAX_NAMES) and a MinHash of the text's first MINHASH_CHARS characters.

    `sentences`: paragraph index -> (start, end, facts) of each of its sentences, as the
    tagger split them (tagger.analyse_with_sentences) for the same facts and the article's
    language; a paragraph it lacks is split here."""
    by_para: dict[int, list[Any]] = {}
    for f in art.facts:
        by_para.setdefault(f.paragraph, []).append(f)
    texts = {p.index: p.text for p in art.paragraphs}
    figs: list[Fig] = []
    known = sentences or {}
    for index, facts in sorted(by_para.items()):
        if len(figs) >= MAX_FIGS:
            break
        text = texts.get(index, "")
        split = known.get(index)
        if split is None:
            spans = split_sentences(text, art.language) or [(0, len(text))]
            split = [(start, end, inside) for (start, end), inside in zip(
                spans, facts_by_sentence(spans, facts), strict=True)]
        for start, end, inside in split:
            # Not inf: a database tagged before facts.extract dropped it may still hold one.
            numbers = [f for f in inside if f.kind in FIGURE_KINDS and isinstance(
                f.value, _REAL) and 0 < f.value < math.inf][:MAX_FIGS - len(figs)]
            if not numbers:
                continue  # the context below is only ever read through a figure
            figs.extend(_sentence_figs(numbers, inside, text, start, end))
            if len(figs) >= MAX_FIGS:
                break
    names = frozenset(islice(dict.fromkeys(
        str(f.value).casefold() for f in art.facts if f.kind in ("org", "person")), MAX_NAMES))
    return Signature(tuple(figs), names, _minhash(art.text[:MINHASH_CHARS]), source_name(art))


_REAL = (int, float)  # isinstance(v, int | float), without making the union for every fact


def _sentence_figs(numbers: list[Any], inside: list[Any], text: str, start: int,
                   end: int) -> list[Fig]:
    """One sentence's figures, each with the sentence's names and words and the other
    figures' keys as its context. Each figure's bucket and key are computed here once and
    stored as the ones `Fig.bucket` and `Fig.own_key` would compute (the same expressions):
    going through the cached properties for every figure cost a fifth of a signature."""
    # A name in a context is "n:" and its casefold (`_anchors` reads them back by the prefix);
    # `names` above keeps the casefold alone.
    tokens = {"n:" + str(f.value).casefold()
              for f in inside if f.kind in ("org", "person", "place")}
    sentence = text[start:min(end, start + CONTEXT_CHARS)]
    if sentence.isascii():
        # ASCII casefolds letter for letter, so the words of the casefolded sentence are the
        # casefolded words (elsewhere "İ" gains a combining mark, which ends a word); and its
        # letters are a-z, which a byte table finds (see _ASCII_LETTERS).
        words = set(_ascii_context_words(sentence))
    else:
        words = {m.casefold() for m in _CONTEXT_WORD.findall(sentence)}
    tokens |= words - gz.STOPWORDS
    made = []
    counts: dict[str, int] = {}
    for f in numbers:
        unit = "" if f.kind == "count" else f.unit
        value = float(f.value)
        bucket = round(math.log(value) / _STEP)
        key = f"f:{f.kind}:{unit}:{bucket}"
        counts[key] = counts.get(key, 0) + 1
        made.append((f.kind, unit, value, f.text, bucket, key))
    every = frozenset(tokens | counts.keys())
    # The other figures' keys: a key this figure shares with another stays.
    without = {k: every - {k} for k, n in counts.items() if n == 1}
    # What `as_json` would sort out of each context, for `Signature.stored`: the words (no
    # word or name token starts "f:", so they are the context without the keys) and the keys.
    ordered = tuple(sorted(tokens))
    keys = sorted(counts)
    others = {k: (ordered, [o for o in keys if o != k]) for k, n in counts.items() if n == 1}
    shared = (ordered, keys)
    out = []
    for kind, unit, value, fig_text, bucket, key in made:
        fig = _fig(kind, unit, value, fig_text, _weight(kind, value), without.get(key, every))
        fields = fig.__dict__
        fields["bucket"] = bucket
        fields["own_key"] = key
        fields["_sorted"] = others.get(key, shared)
        out.append(fig)
    return out


_new = object.__new__


def _fig(kind: str, unit: str, value: float, text: str, weight: float,
         context: frozenset[str]) -> Fig:
    """Fig(kind, unit, value, text, weight, context) without the frozen class's __init__ (an
    object.__setattr__ call a field): the same fields in the same order, as ingest.evolve
    and facts.make_fact do. A signature makes ~25 of these, and decoding the stored
    signatures of a story's members thousands."""
    fig = _new(Fig)
    fields = fig.__dict__
    fields["kind"] = kind
    fields["unit"] = unit
    fields["value"] = value
    fields["text"] = text
    fields["weight"] = weight
    fields["context"] = context
    return fig


def _ascii_words(text: str) -> list[bytes]:
    """`_WORD.findall(text.casefold())` for an ASCII text, encoded (see _ASCII_WORDS)."""
    return text.encode("ascii").translate(_ASCII_WORDS).split()


def _ascii_context_words(text: str) -> list[str]:
    """`_CONTEXT_WORD.findall(text)`, casefolded, for an ASCII text (see _ASCII_LETTERS)."""
    return [w for w in text.encode("ascii").translate(_ASCII_LETTERS).decode("ascii").split()
            if len(w) >= 4]


def _minhash(text: str) -> tuple[int, ...]:
    # The shingles as bytes, which crc32 hashes. ASCII text: lower case is its casefold, and
    # [a-z0-9] its [^\W_], so a byte table splits it into the encoded words (_ASCII_WORDS).
    # A minimum is the same over the hashes of every shingle as over those of the distinct
    # ones, so they are hashed as they come, without a set of the shingles first (a text's
    # repeated shingles are few: a row each in _min_hashes costs less than the set did).
    # The hashes (below 2**32) gathered as 32-bit values, which numpy reads as they are and
    # widens at once: np.array of a list of ints looked at each one for its type, ~20K
    # instructions an article (cachegrind).
    hashes = array(_UINT32, map(zlib.crc32, _shingles(text)))
    # At least 8 distinct shingles: 8 distinct hashes among the first few say so at once.
    if len(set(hashes[:32])) < 8 and len(set(_shingles(text))) < 8:
        return ()
    return _min_hashes(np.frombuffer(hashes, dtype=np.uint32).astype(np.uint64))


# The array type of 32-bit unsigned values: a C unsigned int nearly everywhere, else a long.
_UINT32 = next(code for code in "IL" if array(code).itemsize == 4)


def _shingles(text: str) -> Iterator[bytes]:
    """The text's word trigrams, encoded, in order and with repeats."""
    if text.isascii():
        words = _ascii_words(text)
        return map(b" ".join, zip(words, words[1:], words[2:], strict=False))
    found = _WORD.findall(text.casefold())
    return map(str.encode, map(" ".join, zip(found, found[1:], found[2:], strict=False)))


def _min_hashes(x: np.ndarray[Any, np.dtype[np.uint64]]) -> tuple[int, ...]:
    """min((a * x + b) % (2**31 - 1)) over the values x (below 2**32) for each permutation."""
    # (a * x + b) % (2**31 - 1) for every permutation and shingle, without numpy's 64-bit
    # division (half the cost of this line): a value and its low 31 bits plus the bits above
    # are equal modulo 2**31 - 1. a, b < 2**31 and x < 2**32, so a * x + b < 2**64; the
    # first fold leaves less than 2**33, the second at most _PRIME + 3. Below _PRIME a value
    # is its own remainder, which is nearly always so of all of them (one check, in place of
    # taking _PRIME off each value that is not); otherwise _PRIME is taken off what is still
    # at least _PRIME (below it, the subtraction wraps round to a larger value, which the
    # minimum drops).
    # A row per shingle, a column per permutation: b is then added along rows, where a
    # column of b against the rows of shingles was copied out value by value (a broadcast
    # along the rows' contiguous axis), a fifth of this function's instructions.
    hashed = np.multiply.outer(x, _A)
    hashed += _B
    low = hashed & _PRIME
    hashed >>= _SHIFT
    hashed += low
    np.bitwise_and(hashed, _PRIME, out=low)
    hashed >>= _SHIFT
    hashed += low
    if hashed.max() >= _PRIME:
        hashed = np.minimum(hashed, hashed - _PRIME)
    return tuple(hashed.min(axis=0).tolist())


# -- matching --------------------------------------------------------------------------------


def _present(fig: Fig, index: dict[tuple[str, str, int], list[float]]) -> bool:
    """Whether the other article states the figure (`Fig.same_value` with one of its figures,
    which can only be under the figure's own bucket or a neighbouring one)."""
    kind, unit, value, bucket = fig.kind, fig.unit, fig.value, fig.bucket
    tolerance = TOLERANCE if kind == "money" else 1e-9
    for near in (bucket - 1, bucket, bucket + 1):
        for v in index.get((kind, unit, near), ()):
            if abs(value - v) <= tolerance * max(value, v):
                return True
    return False


def _index(sig: Signature) -> dict[tuple[str, str, int], list[float]]:
    """The signature's values by kind, unit and bucket: what `_present` looks a figure up in
    (a tuple each, where the figures' keys as text took an f-string for every bucket looked
    at)."""
    out: dict[tuple[str, str, int], list[float]] = {}
    for f in sig.figs:
        out.setdefault((f.kind, f.unit, f.bucket), []).append(f.value)
    return out


def _joins(a: Signature, b: Signature) -> float:
    """A score above zero when `a` and `b` tell the same story, else 0: see `score`."""
    return score(a.match, b.match)


def score(a: Match, b: Match) -> float:
    """A score above zero when `a` and `b` tell the same story, else 0.

    Figures: the weights of `a`'s distinct figures that `b` also states (half for an amount
    only within 1%) must reach 2 (two specific figures, or four round ones), two of them stated
    exactly, cover a third of the smaller article's figures, and come with a shared name; five
    or more weight joins without one. Text: a MinHash similarity of 0.6 with a shared name, or
    0.8 alone (a near-identical copy), and only when half the figures agree or there are
    hardly any."""
    weight, matched, exact = 0.0, 0, 0
    get = b.values.get
    # Matching scores a new article against each of its candidates (~4 a cold article): most
    # of its figures are under none of the three keys in the other one, so those are passed
    # over before any loop.
    for below, own, above, value, w, tolerance in a.probes:
        lower, same, upper = get(below), get(own), get(above)
        if lower is None and same is None and upper is None:
            continue
        near = stated = False
        for vs in (lower, same, upper):
            for v in vs or ():
                if abs(value - v) <= tolerance * max(value, v):
                    near = True
                    # Copies repeat figures verbatim; a near value is weaker evidence.
                    if abs(v - value) <= 1e-9 * value:
                        stated = True
        if near:
            matched += 1
            exact += stated
            weight += w * (1.0 if stated else 0.5)
    smaller = min(len(a.probes), b.count) or 1
    names = len(a.names & b.names)
    by_figures = weight >= 2.0 and exact >= 2 and matched >= smaller / 3 and (
        names >= 1 or weight >= 5.0)
    # Similar words with different figures are two stories from one template (a market wire's
    # "Gold rose 1.8%..." every day), so text joins only where figures agree or are few.
    figures_agree = smaller < 2 or matched >= smaller / 2
    if not (by_figures or figures_agree):
        return 0.0  # the text cannot join them: no need to compare the MinHashes
    sim = (float(np.count_nonzero(a.minhash == b.minhash)) / len(a.minhash)
           if len(a.minhash) and len(b.minhash) else 0.0)
    by_text = figures_agree and (sim >= 0.8 or (sim >= 0.6 and names >= 1))
    return weight + 0.5 * names + 4 * sim if by_figures or by_text else 0.0


Contexts = Callable[[int], frozenset[str]]


def conflicts(a: Signature, b: Signature, context_a: Contexts | None = None,
              context_b: Contexts | None = None) -> list[tuple[Fig, Fig]]:
    """Figures that state the same fact with different values: same kind and unit, the same
    subject nearby (at least two shared names, figures or words in the sentence, and half of
    the smaller context; across languages only names and figures are shared, so they are
    also compared alone), and neither value found anywhere in the other article.

    `context_a` (`context_b`): the context of a.figs[i] (b.figs[i]), for a signature decoded
    without them (`lean_signature`); only the figures neither article states are compared,
    and copies state nearly all of each other's, so few contexts are ever made."""
    ia, ib = _index(a), _index(b)
    only_a = [(i, f) for i, f in enumerate(a.figs) if f.weight >= 0.5 and not _present(f, ib)]
    if not only_a:
        return []
    only_b = [(j, g) for j, g in enumerate(b.figs) if g.weight >= 0.5 and not _present(g, ia)]
    if not only_b:
        return []
    get_a = context_a or (lambda i: a.figs[i].context)
    get_b = context_b or (lambda j: b.figs[j].context)
    made: dict[int, tuple[frozenset[str], frozenset[str]]] = {}  # j -> b's context, anchors
    out: list[tuple[Fig, Fig]] = []
    used: set[int] = set()
    for i, f in only_a:
        best, best_score = -1, 0.0
        mine: tuple[frozenset[str], frozenset[str]] | None = None
        for k, (j, g) in enumerate(only_b):
            if k in used or g.kind != f.kind or g.unit != f.unit:
                continue
            if mine is None:
                context = get_a(i)
                mine = context, _anchors(context)
            theirs = made.get(j)
            if theirs is None:
                context = get_b(j)
                theirs = made[j] = context, _anchors(context)
            score = max(_overlap(mine[0], theirs[0]), _overlap(mine[1], theirs[1]))
            if score > best_score:
                best, best_score = k, score
        if best >= 0:
            used.add(best)
            out.append((f, only_b[best][1]))
    return out


def lean_signature(data: dict[str, Any]) -> tuple[Signature, Contexts]:
    """A stored signature (`decode_signature`'s data) without its figures' contexts, and
    the function that makes one figure's context: for `conflicts`, which reads a few of them
    at most. Making every context (a frozenset of the sentence's words each) was most of the
    cost of comparing a copy with the members of its story."""
    sig = Signature.from_json(data, contexts=False)
    rows = data.get("figs", [])
    if data.get("v") == 2:
        words = data["words"]
        return sig, lambda i: frozenset(words[rows[i][5]]) | frozenset(rows[i][6])
    return sig, lambda i: frozenset(rows[i][5])


def _anchors(context: frozenset[str]) -> frozenset[str]:
    """The context tokens every language shares: names and figures."""
    return frozenset(t for t in context if t.startswith(("n:", "f:")))


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared tokens over the smaller set, when at least two are shared and half of it."""
    shared = len(a & b)
    ratio = shared / (min(len(a), len(b)) or 1)
    return ratio if shared >= 2 and ratio >= 0.5 else 0.0
