"""Key-fact bullets and a short extractive summary for one article; pure functions.

Bullets are the article's own figure-bearing sentences (or the clause of a long sentence that
holds the figures), in article order, one per figure. The summary is TextRank over sentence
TF-IDF vectors (numpy, own code: sumy needs NLTK data that cannot be fetched offline), boosted
by the figures a sentence carries, its closeness to the title and its position.

Sentences are split by text.split_sentences, the one splitter every module uses.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

import numpy as np

from briefing import gazetteer as gz
from briefing.facts import FIGURE_KINDS
from briefing.models import Fact, KeyFact, Paragraph
from briefing.text import split_sentences

__all__ = ["MAX_BULLETS", "MAX_RANKED", "MIN_BULLETS", "facts_by_sentence", "key_facts",
           "key_facts_and_summary", "summary"]

MIN_BULLETS = 5
MAX_BULLETS = 12
# The summary ranks an article's first MAX_RANKED summary-worthy sentences only. TextRank's
# similarity matrix is n x n: a 15 MB text (150,000 sentences) asked for 24 GB. The news is at
# the top (inverted pyramid, and the position boost below), and long reads run to about 300
# sentences, so summaries of real articles are unchanged.
MAX_RANKED = 300
# Paragraph kinds a reader would quote; captions and bylines carry credits, not claims.
_QUOTABLE = frozenset({"body", "standfirst", ""})

# Clause breaks inside a long sentence, where a bullet may be cut.
_CLAUSE = re.compile(r"\s*(?:;|,|\s[—–])\s+|\s+(?=(?:while|whereas|although|though|because|"
                     r"unless|after|but|trong khi|mặc dù|nhưng|sau khi)\s)")
_LONG_SENTENCE = 220
_SUMMARY_CHARS = 450  # three sentences longer than this together make a summary of two
_KEEP_LEAD = 120
# The most a bullet or a summary sentence keeps. A "sentence" the splitter cannot cut (a
# paragraph with no full stop: a flattened table, a list, text in a script without ". ") can
# be the whole paragraph, and a post must not publish 100 KB as one bullet.
MAX_PIECE_CHARS = 400
# Openers that point back to an earlier sentence: such a sentence reads poorly as a bullet on
# its own ("This compares with 485,000 ..."), so it yields its slot when bullets are scarce.
_ANAPHORA = re.compile(r"(?:This|That|These|Those|It|Its|He|She|They|Such|Con số này|Điều này|"
                       r"Nó|Họ|Ông|Bà)\b")
# Figure kinds by how much a reader wants them in a bullet; a duration is usually context.
_KIND_WEIGHT = {"money": 1.5, "percent": 1.5, "count": 1.0, "duration": 0.75,
                "measure": 1.0}
# Words of two characters or more: TextRank drops shorter ones, cheaper unmatched than dropped.
_WORD = re.compile(r"[^\W\d_][\w’'-]+")
# The same words in ASCII text, without a pattern: a byte table lower-cases A-Z and turns
# every byte that cannot be in a word into a space, and split() then gives the runs of word
# characters. In such a run the pattern matches once, from its first letter to its end (the
# characters after the first are all in its class), so a run less its leading digits, "_",
# "'" and "-" is the word, when two characters or more are left. A quarter of the pattern's
# cost (findall makes its strings one match at a time).
_ASCII_RUNS = bytes(c + 32 if 65 <= c <= 90 else c if 97 <= c <= 122 or 48 <= c <= 57
                    or c in b"_'-" else 32 for c in range(256))
_NOT_FIRST = "0123456789_'-"


def _quotable(paragraph: Paragraph, language: str) -> bool:
    same = not paragraph.language or not language or paragraph.language == language
    return same and paragraph.kind in _QUOTABLE


def _units(paragraphs: Sequence[Paragraph], facts: Sequence[Fact],
           language: str) -> list[_Unit]:
    """Every quotable sentence with the facts that start inside it."""
    by_para: dict[int, list[Fact]] = {}
    for fact in facts:
        by_para.setdefault(fact.paragraph, []).append(fact)
    out: list[_Unit] = []
    for p in paragraphs:
        if not _quotable(p, language):
            continue
        spans = split_sentences(p.text, language)
        out.extend((p, s, e, found) for (s, e), found in zip(
            spans, facts_by_sentence(spans, by_para.get(p.index, [])), strict=True))
    return out


def facts_by_sentence(spans: Sequence[tuple[int, int]], facts: Sequence[Fact]
                      ) -> list[list[Fact]]:
    """The facts that start inside each sentence span, in their given order. One bisect per
    fact: testing every fact against every sentence made one huge paragraph (a 15 MB file with
    no blank line) cost sentences x facts."""
    starts = [s for s, _ in spans]
    out: list[list[Fact]] = [[] for _ in spans]
    for fact in facts:
        i = bisect_right(starts, fact.start) - 1
        if i >= 0 and fact.start < spans[i][1]:
            out[i].append(fact)
    return out


_Unit = tuple[Paragraph, int, int, list[Fact]]


def key_facts_and_summary(paragraphs: Sequence[Paragraph], facts: Sequence[Fact],
                          language: str, title: str) -> tuple[list[KeyFact], str]:
    """`key_facts` and `summary` together, splitting the sentences once for both."""
    bullets, summary, _ = key_facts_summary_and_units(paragraphs, facts, language, title)
    return bullets, summary


def key_facts_summary_and_units(paragraphs: Sequence[Paragraph], facts: Sequence[Fact],
                                language: str, title: str
                                ) -> tuple[list[KeyFact], str, list[_Unit]]:
    """`key_facts_and_summary`, and the quotable sentences with their facts it worked from
    (paragraph, start, end, facts), which the story signature reads again (see
    signatures.signature)."""
    units = _units(paragraphs, facts, language)
    return _key_facts(units, title), _summary(units, title), units


def key_facts(paragraphs: Sequence[Paragraph], facts: Sequence[Fact], language: str,
              title: str = "") -> list[KeyFact]:
    """5 to 12 figure-bearing claims in the article's words, in article order, one per
    figure; fewer when the article has fewer figures, topped up with dated claims."""
    return _key_facts(_units(paragraphs, facts, language), title)


def _key_facts(units: list[_Unit], title: str) -> list[KeyFact]:
    chosen: list[tuple[int, Paragraph, int, int, list[Fact]]] = []
    seen: set[tuple[str, object, str]] = set()
    for order, (p, s, e, found) in enumerate(units):
        if _is_title(p.text[s:e], title):
            continue
        figures = {(f.kind, f.value, f.unit) for f in found if f.kind in FIGURE_KINDS}
        if figures - seen:  # a sentence that only repeats known figures adds nothing
            seen |= figures
            chosen.append((order, p, s, e, [f for f in found if f.kind in FIGURE_KINDS]))
    if len(chosen) > MAX_BULLETS:
        # Sentences that stand alone first; then most figures, money and percentages first.
        chosen.sort(key=lambda c: (_leans_back(c[1].text, c[2]), -_weight(c[4]), c[0]))
        chosen = sorted(chosen[:MAX_BULLETS], key=lambda c: c[0])
    if len(chosen) < MIN_BULLETS:
        chosen = _top_up(chosen, units)
    return [KeyFact(_clause(p.text, s, e, figs), p.index) for _, p, s, e, figs in chosen]


def _weight(figures: list[Fact]) -> float:
    return sum(_KIND_WEIGHT.get(f.kind, 0.0) for f in figures)


def _leans_back(text: str, start: int) -> bool:
    # Matched in place: slicing from the sentence to the paragraph's end costs the rest of
    # the paragraph for every bullet candidate.
    return _ANAPHORA.match(text, start) is not None


def _is_title(sentence: str, title: str) -> bool:
    # The title often comes back as the first paragraph; it is not a claim of the body.
    return bool(title) and sentence.strip().casefold() == title.strip().casefold()


def _top_up(chosen: list[tuple[int, Paragraph, int, int, list[Fact]]],
            units: list[_Unit]) -> list[tuple[int, Paragraph, int, int, list[Fact]]]:
    """Add dated sentences ("released Doubao in August 2023") until there are five."""
    taken = {c[0] for c in chosen}
    # A sentence the article says twice (a pull quote, a lede repeated lower down) is one
    # bullet: its copies are neither added beside it nor beside each other.
    said = {_said(p.text[s:e]) for _, p, s, e, _ in chosen}
    extra = []
    for i, (p, s, e, found) in enumerate(units):
        if i in taken or not any(f.kind == "date" for f in found):
            continue
        key = _said(p.text[s:e])
        if key not in said:
            said.add(key)
            extra.append((i, p, s, e, [f for f in found if f.kind == "date"]))
    return sorted(chosen + extra[: MIN_BULLETS - len(chosen)], key=lambda c: c[0])


def _said(sentence: str) -> str:
    """What a sentence says, for finding it said again: its words, case and spacing aside."""
    return " ".join(sentence.split()).casefold()


def _clause(text: str, start: int, end: int, figures: list[Fact]) -> str:
    """The sentence, or for a long one the run of clauses that holds its figures."""
    sentence = text[start:end].strip()
    if len(sentence) <= _LONG_SENTENCE or not figures:
        return _capped(sentence)
    cuts = [0] + [m.end() for m in _CLAUSE.finditer(sentence)] + [len(sentence) + 1]
    first = min(f.start for f in figures) - start
    last = max(f.end for f in figures) - start
    lo = max(i for i, c in enumerate(cuts[:-1]) if c <= first)
    if cuts[lo] <= _KEEP_LEAD:
        lo = 0  # keep the subject: "ByteDance, TikTok's owner, plans to spend $12bn ..."
    hi = min(i for i, c in enumerate(cuts) if c >= last)
    piece = sentence[cuts[lo]:cuts[hi]].strip().rstrip(",;—– ")
    if len(piece) > MAX_PIECE_CHARS:
        return _capped(sentence, first)
    return piece[:1].upper() + piece[1:]


def _capped(text: str, around: int = 0) -> str:
    """At most MAX_PIECE_CHARS of `text` (and an ellipsis for each side cut), cut at spaces,
    from a little before offset `around` (the first figure), so that the figure is kept."""
    if len(text) <= MAX_PIECE_CHARS:
        return text
    start = max(0, min(around - MAX_PIECE_CHARS // 4, len(text) - MAX_PIECE_CHARS))
    if start:
        space = text.find(" ", start, start + MAX_PIECE_CHARS // 4)
        start = space + 1 if space >= 0 else start
    end = start + MAX_PIECE_CHARS
    space = text.rfind(" ", start + MAX_PIECE_CHARS // 2, end)
    end = space if space >= 0 else end
    return ("…" if start else "") + text[start:end].strip() + "…"


def summary(paragraphs: Sequence[Paragraph], facts: Sequence[Fact], language: str,
            title: str) -> str:
    """Two or three sentences that carry the story, in article order."""
    return _summary(_units(paragraphs, facts, language), title)


def _summary(units: list[_Unit], title: str) -> str:
    # A sentence said twice is ranked once, at its first place: its copies would rank as high
    # as it does (each the other's closest neighbour) and fill the summary with one claim.
    said: set[str] = set()
    worthy = []
    for u in units:
        sentence = u[0].text[u[1]:u[2]]
        if not _summary_worthy(sentence, title):
            continue
        key = _said(sentence)
        if key not in said:
            said.add(key)
            worthy.append(u)
            if len(worthy) == MAX_RANKED:
                break
    units = worthy
    if not units:
        return ""
    texts = [p.text[s:e].strip() for p, s, e, _ in units]
    if len(texts) < 3 or (len(texts) == 3 and sum(map(len, texts)) <= _SUMMARY_CHARS):
        # Every sentence is in the summary, whatever their ranks (see below): a short item
        # needs no ranking.
        return " ".join(map(_closed, texts))
    scores = _textrank([*texts, title])[:-1]
    # Early sentences carry the news (inverted pyramid); figures make a claim concrete. The
    # boosts multiply the scores in one array operation: each product is the one a
    # multiplication per score made.
    scores *= np.array([(1.0 + 0.25 * min(sum(1 for f in found if f.kind in FIGURE_KINDS), 3))
                        * (1.0 + 1.0 / (1.0 + i)) for i, (_, _, _, found) in enumerate(units)])
    ranked = (-scores).argsort(kind="stable").tolist()  # np.argsort without its wrapper
    order = sorted(ranked[:3])
    if sum(len(texts[i]) for i in order) > _SUMMARY_CHARS and len(order) == 3:
        order = sorted(ranked[:2])
    return " ".join(_closed(texts[i]) for i in order)


def _summary_worthy(sentence: str, title: str) -> bool:
    # Short lines and credits ("© FT montage/Getty Images") are page furniture, not story.
    return (len(sentence) >= 40 and not sentence.lstrip().startswith(("©", "(c)", "Photo"))
            and not _is_title(sentence, title))


def _closed(sentence: str) -> str:
    # A headline-like sentence has no full stop; joined to the next it would run on.
    sentence = _capped(sentence)
    return sentence if sentence[-1:] in ".!?…\"”’)" else sentence + "."


def _ascii_words(text: str) -> list[str]:
    """`_WORD.findall(text.lower())` for an ASCII text (see _ASCII_RUNS)."""
    runs = text.encode("ascii").translate(_ASCII_RUNS).decode("ascii").split()
    # A run that starts with a letter (a-z, above every other byte the table keeps) is its
    # word. `for w in (...,)` is a plain assignment in a comprehension, where the generator
    # it replaces was resumed once a word.
    return [w for r in runs for w in (r if r[0] >= "a" else r.lstrip(_NOT_FIRST),)
            if len(w) > 1]


def _textrank(texts: list[str], damping: float = 0.85, steps: int = 30) -> np.ndarray:
    """PageRank over the cosine-similarity graph of TF-IDF sentence vectors. The last text
    (the title) takes part in the graph, so sentences close to the title gain weight."""
    vocab: dict[str, int] = {}
    rows: list[list[int]] = []
    for text in texts:
        words = _ascii_words(text) if text.isascii() else _WORD.findall(text.lower())
        rows.append([vocab.setdefault(w, len(vocab)) for w in words if w not in gz.STOPWORDS])
    n = len(texts)
    if not vocab or n == 1:
        return np.ones(n)
    size = len(vocab)
    cells = [i * size + w for i, ids in enumerate(rows) for w in ids]
    # fromiter reads the ints one by one; np.array first discovers the list's type and shape
    # element by element (a sixth more instructions for a hundred words).
    flat = np.fromiter(cells, dtype=np.int64, count=len(cells))
    tf = np.bincount(flat, minlength=n * size).reshape(n, size).astype(float)
    # np.add.reduce is what ndarray.sum calls, without its Python-level wrapper.
    idf = np.log((1.0 + n) / (1.0 + np.add.reduce(tf > 0, axis=0))) + 1.0
    vec = tf * idf
    # np.linalg.norm(vec, axis=1, keepdims=True) as that function computes it, without the
    # cost of its argument checks.
    vec /= np.maximum(np.sqrt(np.add.reduce(vec * vec, axis=1, keepdims=True)), 1e-9)
    sim = vec @ vec.T
    sim.flat[::n + 1] = 0.0  # np.fill_diagonal(sim, 0.0), without its checks
    out = np.add.reduce(sim, axis=1, keepdims=True)
    # np.full_like and np.full are Python functions around these two steps each.
    walk = np.empty_like(sim)
    walk.fill(1.0 / n)
    np.divide(sim, out, out=walk, where=out > 0)
    # rank <- (1 - damping) / n + damping * (walk.T @ rank), `steps` times from the uniform
    # rank: the affine step as one matrix on [rank, 1], raised to the power `steps` by
    # squaring (30 steps: 4 products of matrices and 4 of vectors instead of 90 small array
    # operations, a third of the cost of ranking an article's sentences). The same ranks to
    # within rounding (~1e-16 relative).
    step = np.zeros((n + 1, n + 1))
    np.multiply(walk.T, damping, out=step[:n, :n])
    step[:n, n] = (1.0 - damping) / n
    step[n, n] = 1.0
    rank = np.empty(n + 1)
    rank.fill(1.0 / n)
    rank[n] = 1.0
    left = steps
    while left:
        if left & 1:
            rank = step.dot(rank)
        left >>= 1
        if left:
            step = step.dot(step)
    return rank[:n]
