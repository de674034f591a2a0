"""The numbers check: does a translated paragraph keep every number of its original?

Both sides are read by `briefing.numbers.read_figures` in their own language: every numeral
and number word, with its unit, so "$12bn" and "12 tỷ USD", "seven million" and "7 triệu",
"150 feet" and "50m", "Friday" and "thứ 6", "March" and "tháng 3" come out comparable.

Every figure on either side must find a counterpart on the other, by value. A figure repeated
in one paragraph needs one counterpart, not one per repeat: translators drop repetitions, and a
changed figure shows as a value the other side lacks. What is left over is judged:
- changed: a left-over figure with a left-over counterpart of another value -> a flag;
- missing or added, with a unit (money, percent, a measure, a month, a weekday, a clock
  time), of two digits or more, or a small number in digits -> a flag;
- a number word or a 1 with no counterpart ("1 quầy" for "a tasting booth", "first",
  "a half") -> a note: translators add and drop those freely, and a reader who sees ⚠ on every
  third faithful paragraph stops looking.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from briefing.gazetteer import QUANTITY_WORDS
from briefing.models import FigureFlag
from briefing.numbers.figures import Figure, read_figures

# Figures in one unit must be equal: "$5.46bn" → "5,5 tỷ USD" is not faithful, and neither is
# "257" → "258" (any tolerance for rounding hides a changed last digit). This is float noise.
REL_TOL = 1e-9
# A converted figure is rounded by the translator: "150 feet" (45.7 m) given as "50m" is
# faithful, "26 square miles" (67 km²) given as "42 km²" is not. Units of time convert
# exactly but for months, so they are held closer ("13 tháng" is not "a year").
CONVERSION_TOL = {"time": 0.05}
DEFAULT_CONVERSION_TOL = 0.10
# Dimensions whose figure is a flag whenever it has no counterpart, whatever its size.
_UNIT_DIMS = frozenset({"%", "pp", "length", "area", "mass", "volume", "temp", "power",
                        "energy", "month", "weekday", "quarter", "clock"})


@dataclass(frozen=True)
class Check:
    """The check of one pair: flags show ⚠, notes are for the curious."""

    flags: tuple[FigureFlag, ...] = ()
    notes: tuple[FigureFlag, ...] = ()


def check_pair(original: str, translation: str, *, source_lang: str,
               target_lang: str) -> Check:
    """Flags and notes for the figures of `original` and `translation` that do not match."""
    orig, trans = read_figures(original, source_lang), read_figures(translation, target_lang)
    # A weekday is a figure only where both languages' names of days are read: "Friday"
    # has no counterpart the check could find in "viernes".
    if source_lang[:2].lower() not in _WEEKDAY_LANGS or \
            target_lang[:2].lower() not in _WEEKDAY_LANGS:
        orig = [f for f in orig if f.dim != "weekday"]
        trans = [f for f in trans if f.dim != "weekday"]
    return compare(orig, trans, original=original, translation=translation)


_WEEKDAY_LANGS = frozenset({"en", "vi"})


def compare(orig: Sequence[Figure], trans: Sequence[Figure], *, original: str,
            translation: str) -> Check:
    """Match figures by value, then judge what is left over on each side."""
    left, right = unmatched(orig, trans), unmatched(trans, orig)
    if left:
        left = _not_kept_verbatim(left, original, translation)
    found = _Findings(original, translation)
    found.changed_codes(left, right, orig, trans)
    found.changed_values(left, right)
    # A lone "một", "one" or "first" is everywhere a translator writes an article or leaves
    # one out; even a note would be noise.
    loose_in_original, loose_in_translation = _loose(original), _loose(translation)
    for a in left:
        if not reads_as_article(a):
            found.add(a, None, "missing", strong=is_strong(a) and not (
                loose_in_translation and _small(a)))
    for b in right:
        if not reads_as_article(b):
            found.add(None, b, "added", strong=is_strong(b) and not (
                loose_in_original and _small(b)))
    return found.check()


_WORDS = re.compile(r"\w+")


def _not_kept_verbatim(left: list[Figure], original: str, translation: str) -> list[Figure]:
    """A figure written in words that the translation keeps as written ("April", "Monday"
    left in English, as engines and translators sometimes do) is there, though the target
    language's reader does not know the word: it was flagged missing, or paired with some
    other figure as changed ("February → một")."""
    words = set(_WORDS.findall(translation))
    return [a for a in left if a.digits or not set(_WORDS.findall(
        original[a.start:a.end])) <= words]


_QUANTITY = re.compile(rf"(?i:\b(?:{'|'.join(sorted(QUANTITY_WORDS))})\b)")


def _loose(text: str) -> bool:
    """Does the text count something loosely ("a few", "several", "vài")? Then a small number
    on the other side may be the translator's reading of it."""
    return _QUANTITY.search(text) is not None


def _small(f: Figure) -> bool:
    return f.number < 10 and f.dim in ("", "time")


# Leftover figures of a pair (original's times translation's) past which they are not paired
# into changed figures: pairing looks at each pair, and 16,000 leftovers a side took 300 s.
MAX_PAIRINGS = 100_000


class _Findings:
    """Flags and notes of one pair, kept in the original's order."""

    def __init__(self, original: str, translation: str) -> None:
        self.original, self.translation = original, translation
        self.flags: list[tuple[float, FigureFlag]] = []
        self.notes: list[tuple[float, FigureFlag]] = []

    def add(self, a: Figure | None, b: Figure | None, kind: str, *, strong: bool) -> None:
        was = self.original[a.start:a.end] if a else ""
        now = self.translation[b.start:b.end] if b else ""
        text = {"changed": f"changed figure: {was} → {now}", "missing": f"missing figure: {was}",
                "added": f"added figure: {now}"}[kind]
        where = a.start / max(1, len(self.original)) if a else \
            b.start / max(1, len(self.translation)) if b else 0.0
        (self.flags if strong else self.notes).append((where, FigureFlag(kind, text, was, now)))

    def changed_codes(self, left: list[Figure], right: list[Figure], orig: Sequence[Figure],
                      trans: Sequence[Figure]) -> None:
        """A name whose digits changed ("AED4EU" → "AED5EU") is a changed figure, whether or
        not the old name found a counterpart elsewhere; a name the other side leaves out or
        spells otherwise ("CO2" → "carbon dioxide") is only a note. Each side's first code of
        a shape is found in a table, not by a scan per code (thousands of codes in one
        paragraph made a product of the two sides)."""
        first_trans: dict[str, Figure] = {}
        for c in trans:
            if c.dim == "code":
                first_trans.setdefault(c.unit, c)
        first_orig: dict[str, Figure] = {}
        for c in orig:
            if c.dim == "code":
                first_orig.setdefault(c.unit, c)
        gone: set[int] = set()
        for a in left:
            now = first_trans.get(a.unit) if a.dim == "code" else None
            if now is not None:
                gone.add(id(a))
                gone.add(id(now))
                self.add(a, now, "changed", strong=True)
        left[:] = [f for f in left if id(f) not in gone]
        right[:] = [f for f in right if id(f) not in gone]
        for b in right:
            was = first_orig.get(b.unit) if b.dim == "code" else None
            if was is not None:
                gone.add(id(b))
                self.add(was, b, "changed", strong=True)
        right[:] = [f for f in right if id(f) not in gone]

    def changed_values(self, left: list[Figure], right: list[Figure]) -> None:
        """Strong leftovers claim their nearest comparable leftover on the other side: a
        figure whose value changed shows up as one leftover on each side. Past MAX_PAIRINGS
        (a paragraph whose thousands of figures all differ: no translation of it) each
        leftover is flagged on its own, missing or added, instead of paired."""
        if len(left) * len(right) > MAX_PAIRINGS:
            return
        o_size, t_size = max(1, len(self.original)), max(1, len(self.translation))
        for a in [f for f in left if is_strong(f)]:
            now = _nearest(a.start / o_size, [c for c in right if _comparable(a, c)], t_size)
            if now is not None:
                left.remove(a)
                right.remove(now)
                self.add(a, now, "changed", strong=True)
        for b in [f for f in right if is_strong(f)]:
            was = _nearest(b.start / t_size, [c for c in left if _comparable(c, b)], o_size)
            if was is not None:
                left.remove(was)
                right.remove(b)
                self.add(was, b, "changed", strong=True)

    def check(self) -> Check:
        return Check(tuple(f for _, f in sorted(self.flags, key=lambda x: x[0])),
                     tuple(f for _, f in sorted(self.notes, key=lambda x: x[0])))


def is_strong(f: Figure) -> bool:
    """Does a figure with no counterpart deserve ⚠? See the module docstring."""
    if f.dim == "code":
        return False
    if f.dim in _UNIT_DIMS or f.dim.startswith("money:") or f.number >= 10:
        return True
    if f.number <= 1:
        return False  # "1 quầy", "a half", "the first": an article or a quantity word
    return f.digits


def reads_as_article(f: Figure) -> bool:
    """"một", "one", "first", "a year" (also "per year": "40,000 tonnes a year"), "a tonne"
    (also "per tonne": "$4,900 a tonne" is "4.900 USD/tấn", the unit with no number)."""
    return not f.digits and f.number <= 1 and (f.dim in ("", "ordinal") or f.dim in _CONVERTED)


def _comparable(a: Figure, b: Figure) -> bool:
    """Could `b` be `a` with its value changed? Same kind of figure ("Friday" and "thứ 7",
    which may also be "seventh"), or one of them bare."""
    if not a.dim or not b.dim or (a.dim.startswith("money:") and b.dim.startswith("money:")):
        return True
    return bool({r[0] for r in _readings(a)} & {r[0] for r in _readings(b)})


def _nearest(where: float, candidates: list[Figure], size: int) -> Figure | None:
    return min(candidates, key=lambda f: abs(f.start / size - where), default=None)


# --- matching ------------------------------------------------------------------------------


# Distinct candidates kept under one key of the index. Figures that read the same (a value
# repeated) are one candidate however often they occur; a key of a unit's tolerance bucket
# spans ~12% of values, and past this many distinct ones in a single paragraph, more would
# only cost time (a figure missed there is at worst flagged).
MAX_CANDIDATES = 64
# Figures of one side looked for in the buckets around their value, after which a figure
# with no counterpart of its exact value has none: each such search compares up to seven
# buckets of MAX_CANDIDATES, and 100,000 distinct lengths in one paragraph (a table pasted
# as text, or an attack) took 39 s. Prose has a few dozen figures a paragraph; past this a
# figure missed is at worst flagged.
MAX_NEAR_SEARCHES = 2_000


def unmatched(side: Sequence[Figure], other: Sequence[Figure]) -> list[Figure]:
    """Figures of `side` with no counterpart in `other`. Candidates are looked up by value
    (and, for units that convert, in buckets of the value's logarithm), each distinct reading
    once and at most MAX_CANDIDATES under a key, so a paragraph with thousands of numbers
    costs a linear scan, not a product of the two sides (16,000 of "5 km" on each side took
    72 s when every repeat was a candidate of its own)."""
    index: dict[tuple[str, float], dict[tuple[object, ...], Figure]] = {}
    ranges: dict[int, dict[tuple[float, float], Figure]] = {}
    for f in other:
        if f.dim == "approx":
            for decade in range(_decade(f.number), _decade(f.value)):
                ranges.setdefault(decade, {}).setdefault((f.number, f.value), f)
            continue
        reading = (f.number, f.dim, f.unit, f.value, f.alt)
        for key in {*_exact_keys(f), *_bucket_keys(f)}:
            kept = index.setdefault(key, {})
            if len(kept) < MAX_CANDIDATES:
                kept.setdefault(reading, f)
    out = []
    searches = [MAX_NEAR_SEARCHES]
    for f in side:
        if f.dim == "approx":
            continue  # a rough amount ("hàng triệu") is never a flag, only a counterpart
        if not _found(f, index, searches) and not any(
                r.number <= f.number < r.value
                for r in ranges.get(_decade(f.number), {}).values()):
            out.append(f)
    return out


def _found(f: Figure, index: dict[tuple[str, float], dict[tuple[object, ...], Figure]],
           searches: list[int]) -> bool:
    """Has `f` a counterpart in `index`? The figures of its exact values first, where a
    faithful figure nearly always is; then those of the buckets around its value, where a
    converted one is. In one set, the buckets' candidates (seven buckets of up to
    MAX_CANDIDATES) came first as often as not: 140 comparisons a figure, 50 s a megabyte
    of "1 km, 2 km, ...". `searches`: the bucket searches left (MAX_NEAR_SEARCHES)."""
    seen: set[tuple[str, float]] = set()
    for key in _exact_keys(f):
        if key not in seen:
            seen.add(key)
            if any(_same(f, c) for c in index.get(key, {}).values()):
                return True
    buckets = list(_bucket_keys(f))
    if not buckets or searches[0] <= 0:
        return False
    searches[0] -= 1
    for bucket in buckets:
        for key in _near(bucket):
            if key not in seen:
                seen.add(key)
                if any(_same(f, c) for c in index.get(key, {}).values()):
                    return True
    return False


def _decade(value: float) -> int:
    return math.floor(math.log10(value)) if value > 0 else -99


def _readings(f: Figure) -> Iterable[tuple[str, str, float]]:
    yield f.dim, f.unit, f.value
    yield from f.alt


def _exact_keys(f: Figure) -> Iterable[tuple[str, float]]:
    yield "=", float(f"{f.number:.9g}")
    for _, _, value in _readings(f):
        yield "=", float(f"{value:.9g}")
    if f.number == int(f.number) and (10 <= f.number < 100 or 1800 <= f.number < 2100):
        yield "yy", float(int(f.number) % 100)  # "'71" and "1971"


# Units a translator converts: their figures are also compared within a tolerance.
_CONVERTED = frozenset({"length", "area", "mass", "volume", "power", "energy", "time"})


def _bucket_keys(f: Figure) -> Iterable[tuple[str, float]]:
    for dim, _, value in _readings(f):
        if dim == "temp":  # near zero a logarithm is no use: buckets of 5 degrees
            yield "temp", float(round(value / 5))
        elif dim in _CONVERTED and value > 0:
            # Twenty buckets a decade: the widest tolerance (10%) spans at most two.
            yield dim, float(round(math.log10(value) * 20))


def _near(key: tuple[str, float]) -> Iterable[tuple[str, float]]:
    # A logarithm's bucket is 1/20 of a decade: values within the widest tolerance (10%: a
    # ratio of 1.11, 0.046 of a decade) are at most one bucket apart. Temperatures' buckets
    # are 5 degrees, and their tolerance grows with the value (10%).
    steps = (-3, -2, -1, 0, 1, 2, 3) if key[0] == "temp" else (-1, 0, 1)
    for step in steps:
        yield key[0], key[1] + step


def _same(a: Figure, b: Figure) -> bool:
    """Is `b` a faithful rendering of `a`? One of their readings must agree."""
    for da, ua, va in _readings(a):
        for db, ub, vb in _readings(b):
            if da == db:
                if _same_dim(da, ua, va, a.number, ub, vb, b.number):
                    return True
            elif not (da.startswith("money:") and db.startswith("money:")) and \
                    _close(a.number, b.number, REL_TOL):
                return True
    return _same_year(a.number, b.number)


def _same_dim(dim: str, ua: str, va: float, na: float, ub: str, vb: float, nb: float) -> bool:
    if dim == "code":  # "AED4EU" spelt "AED4U" keeps its figure
        return _close(na, nb, REL_TOL)
    if dim == "temp":
        if ua == ub:  # one scale (or "degrees" on both sides): nothing was converted
            return _close(na, nb, REL_TOL)
        if not ua or not ub:  # "degrees" alone: either scale
            return _close(na, nb, REL_TOL) or abs(va - vb) <= max(1.0, 0.1 * abs(vb))
        # A conversion, rounded by the translator ("86 °F" as "30 °C" or "31 °C"). The same
        # tolerance on one scale let "30 °C" become "32 °C" unflagged.
        return abs(va - vb) <= max(1.0, 0.1 * max(abs(va), abs(vb)))
    if ua == ub or not ua or not ub:
        return _close(va, vb, REL_TOL) or _close(na, nb, REL_TOL)
    return _close(va, vb, CONVERSION_TOL.get(dim, DEFAULT_CONVERSION_TOL))


def _same_year(x: float, y: float) -> bool:
    """"in '71" is "năm 1971", "the '60s" "những năm 1960"."""
    small, big = sorted((x, y))
    return (10 <= small < 100 and small == int(small) and 1800 <= big < 2100
            and big == int(big) and int(big) % 100 == int(small))


def _close(x: float, y: float, tol: float) -> bool:
    return math.isclose(x, y, rel_tol=tol, abs_tol=1e-9)
