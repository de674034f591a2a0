"""Aligning a translation with its original, paragraph by paragraph.

Translations are rarely one-to-one: a translator drops a repeated caption or a "Recommended"
block, merges two short paragraphs or splits a long one. So this is a small dynamic programme
in the spirit of Gale & Church (1993): each step matches 1-1, 2-1, 1-2, or skips a paragraph on
either side, and the cheapest path wins. The cost of a match uses what survives translation:
- length ratio (a translation's length tracks its source's, scaled by the document's ratio);
- anchors: numbers (normalised across "230,000" / "230.000" and "5.5" / "5,5"), Latin-script
  names (ByteDance, Nvidia), and URLs, compared as sets.
Word overlap is useless across languages, so it plays no part.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from briefing.numbers.figures import read_figures

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# Latin-script names: capitalised words that do not open a sentence (an opening "Harbour" is
# just a word), and acronyms. Names like ByteDance or Nvidia are rarely translated.
_NAME = re.compile(
    r"(?<![.!?:]\s)(?<!^)\b[A-Z][A-Za-z]*[a-z][A-Za-z]*\b|\b[A-Z]{2,}\d*\b"
    r"|\b[A-Z][a-z]+[A-Z][A-Za-z]*\b",  # CamelCase (ByteDance, TikTok) even at the start
    re.MULTILINE)
_URL = re.compile(r"https?://\S+")
# Months survive translation as numbers: "May" and "tháng 5" are the same anchor.
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")
_MONTH_EN = re.compile(r"\b(" + "|".join(_MONTHS_EN) + r")\b")
_MONTH_VI = re.compile(r"\btháng\s+(1[0-2]|0?[1-9])\b", re.IGNORECASE)
# Languages that write 230.000 and 5,5 (a decimal comma); the rest write 230,000 and 5.5.
DECIMAL_COMMA = frozenset({"vi", "de", "fr", "es", "it", "pt", "nl", "id", "ru", "pl", "tr"})

# Leaving a paragraph unmatched: dearer than a good match, cheaper than a bad one. Short lines
# (captions, "Recommended", bylines) are what translators drop, so they are cheap to skip;
# skipping a long body paragraph costs nearly as much as a poor match.
SKIP_BASE, SKIP_PER_CHAR, SKIP_MAX = 0.3, 1.1 / 150, 1.4
MERGE_PENALTY = 0.5  # 2-1 and 1-2 need better evidence than 1-1
ORPHAN_PENALTY = 0.8
# The length cost's weight against the anchors' and skips' (chosen on IWSLT talks, where
# 0.03-0.04 align best; 0.035 is the middle) and its ceiling.
LENGTH_WEIGHT, LENGTH_CAP = 0.035, 3.0
# Anchors on one side only: names the translator rendered in the other language ("God",
# "Swedish") are common, so this is weaker evidence against a match than disjoint anchors.
ONE_SIDED_ANCHORS = 0.65
ORPHAN_SHORT = 120  # characters: below this an anchorless paragraph may be a caption
# Translations keep the order, so a match near the diagonal is likelier: this is what pairs
# two short titles that share no anchors instead of leaving both unmatched.
DIAG_BONUS, DIAG_WIDTH = 0.5, 0.2
MAX_CELLS = 201 * 201
BLOCK = 25


@dataclass(frozen=True)
class Group:
    """Original paragraph indexes matched with translation paragraph indexes; one side may be
    empty (unmatched)."""

    source: tuple[int, ...]
    target: tuple[int, ...]


def normalise_number(token: str, lang: str) -> str:
    if lang in DECIMAL_COMMA:
        if re.fullmatch(r"\d{1,3}(\.\d{3})+", token):
            token = token.replace(".", "")
        token = token.replace(".", "").replace(",", ".") if "," in token else token
    else:
        token = token.replace(",", "")
    try:
        value = float(token)
    except ValueError:
        return token
    return f"{value:g}"


def _sentence_start(text: str, m: re.Match[str]) -> bool:
    """A capitalised word that opens a sentence, even after a quote or a dash ("? Well", '"Do
    ...'), is just a word; CamelCase names and acronyms are names wherever they stand."""
    word = m.group()
    if word.isupper() or any(c.isupper() for c in word[1:]):
        return False
    before = text[max(0, m.start() - 6):m.start()].rstrip(" \"'“”‘’(-–—")
    return not before or before[-1] in ".!?:"


def anchors(text: str, lang: str) -> frozenset[str]:
    nums = {normalise_number(m.group(), lang) for m in _NUMBER.finditer(text)}
    names = {m.group().lower() for m in _NAME.finditer(text) if not _sentence_start(text, m)}
    # Numbers as read with their words ("seven million" / "7 triệu", "bảy") meet on both
    # sides. Ones are left out: "one", "a" and "một" are everywhere and tell paragraphs apart
    # poorly.
    nums |= {f"{f.number:g}" for f in read_figures(text, lang)
             if f.number > 1 and f.dim != "approx"}
    urls = {m.group().rstrip(".,)") for m in _URL.finditer(text)}
    months = {f"month:{_MONTHS_EN.index(m.group(1)) + 1}" for m in _MONTH_EN.finditer(text)}
    months |= {f"month:{int(m.group(1))}" for m in _MONTH_VI.finditer(text)}
    names -= {m.lower() for m in _MONTHS_EN}
    return frozenset(nums | names | urls | months)


def _anchor_cost(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 0.3  # nothing to go on: let length and position decide
    if not a or not b:
        return ONE_SIDED_ANCHORS
    return 1.0 - 2 * len(a & b) / (len(a) + len(b))


def _length_cost(s_len: int, t_len: int, ratio: float) -> float:
    """How unlikely the two lengths are for one translation (Gale & Church). The log of the
    length ratio strays from the document's by about 1.6 / sqrt(length) (measured on human
    translations of talks: 0.14 at 150 characters, 0.10 at 300, 0.07 at 450), so the cost is
    the squared deviation scaled by the length: a long paragraph twice the expected length is
    far likelier two paragraphs merged, or a neighbour dropped, than one loose translation."""
    deviation = math.log(t_len / s_len) - math.log(ratio)
    length = min(s_len, t_len / ratio)
    return float(min(LENGTH_CAP, LENGTH_WEIGHT * deviation * deviation * length))


def _orphan(mine: frozenset[str], other: frozenset[str], text: str) -> bool:
    """A merged paragraph that shares no anchor with the other side. A long paragraph with no
    anchors at all says nothing either way (talks and essays carry few names or numbers): its
    length is the evidence; a short one is likelier a caption the translator dropped."""
    return not mine & other and (bool(mine) or len(text) < ORPHAN_SHORT)


def align(source: Sequence[str], target: Sequence[str], *, source_lang: str = "en",
          target_lang: str = "") -> list[Group]:
    """Monotonic alignment of `target` (a translation) to `source` (the original).

    The programme fills an n x m table: past MAX_CELLS (a 200-paragraph article and its
    translation; news runs to a few dozen), both sides are cut into as many blocks of at most
    BLOCK paragraphs, at the same fraction of each, and the blocks aligned pair by pair, so
    a 15 MB text and its translation cost a linear amount, not 25,000 x 25,000 cells."""
    n, m = len(source), len(target)
    if (n + 1) * (m + 1) <= MAX_CELLS:
        return _align(source, target, source_lang, target_lang)
    blocks = max(-(-n // BLOCK), -(-m // BLOCK))
    groups: list[Group] = []
    for k in range(blocks):
        s0, s1 = n * k // blocks, n * (k + 1) // blocks
        t0, t1 = m * k // blocks, m * (k + 1) // blocks
        groups += [Group(tuple(i + s0 for i in g.source), tuple(j + t0 for j in g.target))
                   for g in _align(source[s0:s1], target[t0:t1], source_lang, target_lang)]
    return groups


def _align(source: Sequence[str], target: Sequence[str], source_lang: str,
           target_lang: str) -> list[Group]:
    n, m = len(source), len(target)
    if not n or not m:
        return [Group((i,), ()) for i in range(n)] + [Group((), (j,)) for j in range(m)]
    ratio = (sum(map(len, target)) + 1) / (sum(map(len, source)) + 1)
    s_anchor = [anchors(t, source_lang) for t in source]
    t_anchor = [anchors(t, target_lang) for t in target]

    def cost(si: range, tj: range) -> float:
        s_len = sum(len(source[i]) for i in si) + 1
        t_len = sum(len(target[j]) for j in tj) + 1
        length = _length_cost(s_len, t_len, ratio)
        a = frozenset().union(*(s_anchor[i] for i in si))
        b = frozenset().union(*(t_anchor[j] for j in tj))
        # In a merge, each merged paragraph must share an anchor with the other side, or a
        # short dropped caption gets swallowed by its neighbour instead of being unmatched.
        orphans = sum(1 for i in si if _orphan(s_anchor[i], b, source[i])) if len(si) > 1 else 0
        orphans += sum(1 for j in tj if _orphan(t_anchor[j], a, target[j])) if len(tj) > 1 else 0
        drift = abs(si.start / n - tj.start / m)
        bonus = DIAG_BONUS * max(0.0, 1.0 - drift / DIAG_WIDTH)
        return (min(length, 2.0) + 2.0 * _anchor_cost(a, b) + ORPHAN_PENALTY * orphans
                - bonus)

    inf = float("inf")
    best = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    steps = ((1, 1, 0.0), (2, 1, MERGE_PENALTY), (1, 2, MERGE_PENALTY), (1, 0, None),
             (0, 1, None))
    for i in range(n + 1):
        for j in range(m + 1):
            here = best[i][j]
            if here == inf:
                continue
            for di, dj, penalty in steps:
                ni, nj = i + di, j + dj
                if ni > n or nj > m:
                    continue
                if penalty is None:
                    text = source[i] if di else target[j]
                    step = min(SKIP_MAX, SKIP_BASE + SKIP_PER_CHAR * len(text))
                else:
                    step = cost(range(i, ni), range(j, nj)) + penalty
                if here + step < best[ni][nj]:
                    best[ni][nj] = here + step
                    back[ni][nj] = (i, j)
    groups: list[Group] = []
    i, j = n, m
    while (i, j) != (0, 0):
        prev = back[i][j]
        assert prev is not None
        pi, pj = prev
        groups.append(Group(tuple(range(pi, i)), tuple(range(pj, j))))
        i, j = pi, pj
    groups.reverse()
    return groups
