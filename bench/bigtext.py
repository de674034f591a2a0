"""Huge inputs for the big-input tests and bench/big_bench.py: an article of many megabytes
of varied news sentences (names, places, money, percentages, counts, dates), so that facts,
bullets, summaries and signatures all have work to do, and feeds built around it.

Deterministic for a given seed; built in memory at a few MB a second.
"""

from __future__ import annotations

import random
from xml.sax.saxutils import escape

from bench.common import _COMPANIES, _PEOPLE, _PLACES  # the same names as the other benches

_MONTHS = ["January", "March", "June", "July", "September", "October", "December"]
_TEMPLATES = [
    "{co} said it would spend ${bn}bn on a new terminal in {place}, adding {jobs:,} jobs.",
    "Revenue rose {pct} per cent to ${m}mn in the year to {month}, {person} told reporters.",
    "About {jobs:,} households in {place} will benefit, officials said on {day} {month} {year}.",
    "Shares of {co} fell {pct}% after the company cut its forecast by ${m}mn.",
    "The project in {place} is expected to take {n} years and cost ${bn}bn in total.",
    "{person}, who has led {co} since {year}, said margins widened by {n} percentage points.",
    "Analysts at {co} expect exports from {place} to grow {pct}% this year.",
    "Unions in {place} asked for more detail on timing, hiring and the effect on suppliers.",
]


def sentence(rng: random.Random) -> str:
    return rng.choice(_TEMPLATES).format(
        co=rng.choice(_COMPANIES), place=rng.choice(_PLACES), person=rng.choice(_PEOPLE),
        month=rng.choice(_MONTHS), bn=rng.randint(12, 980) / 10, m=rng.randint(20, 900),
        pct=rng.randint(5, 450) / 10, jobs=rng.randint(120, 90_000), n=rng.randint(2, 9),
        day=rng.randint(1, 28), year=rng.randint(1990, 2026))


def paragraphs(size: int, seed: int = 1) -> list[str]:
    """Paragraphs of 3-8 sentences whose text adds up to about `size` characters."""
    rng = random.Random(seed)
    out: list[str] = []
    total = 0
    while total < size:
        para = " ".join(sentence(rng) for _ in range(rng.randint(3, 8)))
        out.append(para)
        total += len(para) + 2
    return out


def article_text(size: int, seed: int = 1) -> str:
    """A plain-text article of about `size` characters: a title line, then paragraphs."""
    return "Ports and power: a very long report\n\n" + "\n\n".join(paragraphs(size, seed)) + "\n"


def feed_with_description(size: int, seed: int = 2) -> bytes:
    """An RSS feed of one item whose description is about `size` characters of HTML."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs(size, seed))
    return ("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel>"
            "<title>Big description</title><link>https://example.com/</link>"
            "<description>one huge item</description><item><title>A very long item</title>"
            "<link>https://example.com/long</link><guid>long-1</guid>"
            f"<description>{escape(body)}</description></item></channel></rss>").encode()


def feed_with_items(count: int, seed: int = 3) -> bytes:
    """An RSS feed of `count` short items (a title and one sentence: about 300 bytes each)."""
    rng = random.Random(seed)
    parts = ["<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel>"
             "<title>Many items</title><link>https://example.com/</link>"
             "<description>many items</description>"]
    for k in range(count):
        parts.append(f"<item><title>Item {k}: {escape(rng.choice(_COMPANIES))} in "
                     f"{escape(rng.choice(_PLACES))}</title>"
                     f"<link>https://example.com/items/{k}</link><guid>item-{k}</guid>"
                     f"<description>{escape(sentence(rng))}</description></item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode()
