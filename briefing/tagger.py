"""Tag one article: facts from every paragraph, key-fact bullets, a summary and tags.

The one entry point the pipeline calls per feed item (cron runs it on every item, so it is
kept cheap: see bench/tag_bench.py). Pure and deterministic; bump TAGGER_VERSION whenever the
output for the same input changes, so stored articles can be re-tagged.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from briefing import gazetteer as gz
from briefing.facts import extract, make_fact, merge_aliases
from briefing.models import Fact, KeyFact, Paragraph
from briefing.numbers import FACT_MEASURES
from briefing.summarize import key_facts_summary_and_units

__all__ = ["TAGGER_VERSION", "Analysis", "Sentences", "analyse", "analyse_with_sentences"]

# 2: measures, units on figures, merged names, cleaner tags; 3: amounts in ISK, KES, SEK, NOK,
# DKK, MXN, BRL, ZAR, PLN, CAD, NZD and TWD by their codes ("ISK12bn", "KSh2,500"); 4: no
# figure from a power's parts ("10^9 tonnes" was 9 t), "NaN" no org, no "February 30",
# minus signs kept ("-7%" was 7%); 5: a sentence an article says twice is in its summary and
# bullets once
TAGGER_VERSION: int = 5

MAX_TAGS = 8
# Facts are looked for in an article's first TAGGED_CHARS characters. Rules cost about 2 s a
# megabyte, so a 15 MB text took half a minute and made half a million facts nobody reads;
# the longest long reads are about 100,000 characters, so real articles are tagged whole.
TAGGED_CHARS = 200_000
_ENTITY_TAGS = 5
_TOPIC_TAGS = 2
# Kinds that make tags. People only when they recur: a quoted analyst is not the story.
_TAG_KINDS = frozenset({"org", "place", "person"})
_TOPIC_WORD = re.compile(r"[^\W\d_][\w-]+")
# The same words of an ASCII title by a byte table: A-Za-z0-9, "_" and "-" kept, every other
# byte a space; a run less its leading digits, "_" and "-" is the word the pattern finds in it
# (the characters after its first letter are all in [\w-]), when two or more are left.
_TOPIC_RUNS = bytes(c if 65 <= c <= 90 or 97 <= c <= 122 or 48 <= c <= 57 or c in b"_-"
                    else 32 for c in range(256))


def _title_words(title: str) -> list[str]:
    """`_TOPIC_WORD.findall(title)`, by a byte table when the title is ASCII."""
    if not title.isascii():
        return _TOPIC_WORD.findall(title)
    runs = title.encode("ascii").translate(_TOPIC_RUNS).decode("ascii").split()
    return [w for w in (r.lstrip("0123456789_-") for r in runs) if len(w) > 1]
# Units name what a figure measures, not what a story is about ("an ounce", "tonnes").
_UNIT_WORDS = frozenset(w.lower() for w in (*FACT_MEASURES, *gz.DURATION_UNITS, "ounce",
                                            "ounces", "cents", "pence", "per"))


@dataclass(frozen=True)
class Analysis:
    facts: Sequence[Fact]
    key_facts: tuple[KeyFact, ...]
    summary: str
    tags: tuple[str, ...]


def analyse(paragraphs: Sequence[Paragraph], *, title: str, language: str,
            published: str | None, feed_tags: Sequence[str] = ()) -> Analysis:
    """Facts (links re-based into the combined tuple), bullets, summary and tags."""
    return analyse_with_sentences(paragraphs, title=title, language=language,
                                  published=published, feed_tags=feed_tags)[0]


# Paragraph index -> its sentences (start, end) with the facts that start in each, for the
# paragraphs the summary read (see summarize.key_facts_summary_and_units).
Sentences = dict[int, list[tuple[int, int, list[Fact]]]]


def analyse_with_sentences(paragraphs: Sequence[Paragraph], *, title: str, language: str,
                           published: str | None, feed_tags: Sequence[str] = ()
                           ) -> tuple[Analysis, Sentences]:
    """`analyse`, and the sentences it split with their facts: the story signature made
    next needs the same ones (signatures.signature), which are then not split and matched to
    facts a second time."""
    facts: list[Fact] = []
    budget = TAGGED_CHARS
    tagged = 0
    for p in paragraphs:
        if budget <= 0:
            break
        tagged += 1
        text = _head(p.text, budget)
        budget -= len(text)
        base = len(facts)
        for fact in extract(text, paragraph=p.index, language=p.language or language,
                            published=published):
            if fact.link is not None:  # the paragraph's own index becomes the article's
                fact = make_fact(fact.kind, fact.text, fact.value, fact.unit, fact.paragraph,
                                 fact.start, fact.end, fact.link + base)
            facts.append(fact)
    facts = merge_aliases(facts)
    # Bullets, summary and topics from the paragraphs looked at for facts: bullets need facts,
    # and the summary ranks early sentences only (see summarize.MAX_RANKED).
    paragraphs = paragraphs[:tagged]
    bullets, summary, units = key_facts_summary_and_units(paragraphs, facts, language, title)
    sentences: Sentences = {}
    for p, start, end, found in units:
        sentences.setdefault(p.index, []).append((start, end, found))
    return Analysis(
        facts=tuple(facts),
        key_facts=tuple(bullets),
        summary=summary,
        tags=tuple(_tags(paragraphs, facts, title, language, feed_tags)),
    ), sentences


def _head(text: str, budget: int) -> str:
    """`text`, or its first `budget` characters cut at a space (a figure cut in two would be
    a wrong figure)."""
    if len(text) <= budget:
        return text
    cut = text.rfind(" ", 0, budget)
    return text[:cut if cut > 0 else budget]


def _tags(paragraphs: Sequence[Paragraph], facts: Sequence[Fact], title: str, language: str,
          feed_tags: Sequence[str]) -> list[str]:
    """Main names and a few topic words by importance, then the feed's own tags."""
    in_title = {f.value for f in facts if f.kind in _TAG_KINDS and f.text in title}
    mentions = Counter(str(f.value) for f in facts if f.kind in _TAG_KINDS)
    people = {str(f.value) for f in facts if f.kind == "person"}
    first = {str(f.value): i for i, f in reversed(list(enumerate(facts)))}
    # A name in the title is what the story is about: worth three mentions in the body.
    ranked = sorted((name for name in mentions if name not in people or mentions[name] > 1
                     or name in in_title),
                    key=lambda n: (-(mentions[n] + 3 * (n in in_title)), first[n]))
    own = ranked[:_ENTITY_TAGS] + _topics(paragraphs, title, language, ranked)
    budget = max(MAX_TAGS - len(feed_tags), _ENTITY_TAGS)
    return _dedupe([*_dedupe(own)[:budget], *feed_tags])[:MAX_TAGS]


def _topics(paragraphs: Sequence[Paragraph], title: str, language: str,
            names: list[str]) -> list[str]:
    """Title words the body keeps repeating ("chips", "AI"). In Vietnamese only loanwords and
    acronyms qualify: a single syllable ("công") means nothing alone."""
    original = " ".join(p.text for p in paragraphs if not p.language or p.language == language)
    body = original.lower()
    known = {w.lower() for name in names for w in name.split()}
    picked: list[tuple[int, str]] = []
    for word in _title_words(title):
        low = word.lower()
        # The word is counted in the body last, once every cheaper test has let it through.
        if (low in gz.STOPWORDS or low in known or len(low) < 2
                or low in gz.COMMON_WORDS or low in _UNIT_WORDS
                or word in gz.CURRENCY_SUFFIX):  # "USD" names a unit, not a topic
            continue
        if not word.isupper() and len(low) < 4:
            continue  # short lower-case title words are rarely topics ("top", "set")
        if language == "vi" and not (word.isascii() and (word.isupper() or low == word)):
            continue
        if word[0].isupper() and not word.isupper() and low not in original:
            continue  # never lower case in the body: a name the name rules left, not a topic
        count = body.count(low)  # substring count: cheap, and close enough to rank by
        if count < 2:
            continue
        picked.append((-count, word if word.isupper() else low))
    return [w for _, w in sorted(set(picked))][:_TOPIC_TAGS]


def _dedupe(items: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = item.casefold().strip()
        if key and key not in seen:
            seen.add(key)
            out.append(item.strip())
    return out
