"""Benchmark briefing.tagger.analyse() on synthetic English articles.

Builds its own articles from templates (invented companies, people and figures; nothing copied
from anywhere), times analyse() on 1,000-word articles and 150-word items on one core, measures
peak memory with tracemalloc on a separate pass (tracing slows the timed runs), prints a table
and writes JSON to bench/results/tag_bench.json.

    .venv/bin/python bench/tag_bench.py [--long N] [--short N]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefing.models import Paragraph  # noqa: E402
from briefing.tagger import analyse  # noqa: E402

COMPANIES = ["Acme Holdings", "Nordwind", "Brightline Group", "Kestrel Labs", "Nvidia", "Huawei",
             "Orchid Motors", "Tidewater Bank", "Zephyr Systems", "Alibaba"]
PEOPLE = ["Maria Olsen", "Chen Wei", "Tomas Berg", "Aisha Rahman", "Donald Trump"]
PLACES = ["Malaysia", "Beijing", "Ohio", "Rotterdam", "Singapore", "Brazil"]
TEMPLATES = [
    "{co} plans to spend ${n}bn on new factories in {place} in {year}, according to people "
    "familiar with the matter.",
    "The company said revenue rose {p} per cent to £{d}mn in the three months to June.",
    "About {p} per cent of its orders would go to suppliers such as {co2} and {co3}.",
    "{title} {person} said the group would hire {k},000 workers over the next {w} years.",
    "Its app had {n}mn monthly active users as of December, compared with {m}mn a year earlier.",
    "Shares in {co} fell {p}% on Monday after the regulator in {place} opened an inquiry.",
    "The deal, worth Rmb{n}bn (${d}bn), is expected to close within {w} months.",
    "Analysts at {co2} expect margins to recover by the end of {year}.",
    "The board approved a buyback of up to €{d}bn last year, the chief executive added.",
    "It shipped about {k}{h},000 units in {year}, up from {m},000 the year before.",
    "Founder {person} has said the business must grow beyond its home market in {place}.",
    "Rivals have cut prices for developers while investing heavily in new models.",
]


def _sentence(rng: random.Random) -> str:
    co, co2, co3 = rng.sample(COMPANIES, 3)
    return rng.choice(TEMPLATES).format(
        co=co, co2=co2, co3=co3, person=rng.choice(PEOPLE), place=rng.choice(PLACES),
        title=rng.choice(["President", "Chief executive", "Chair"]), year=rng.randint(2015, 2026),
        n=rng.randint(2, 400), m=rng.randint(2, 400), p=rng.randint(1, 95),
        d=f"{rng.randint(1, 99)}.{rng.randint(0, 9)}", k=rng.randint(1, 900),
        h=rng.randint(0, 9), w=rng.choice(["two", "three", "five", "10", "18"]),
    )


def article(rng: random.Random, words: int) -> tuple[str, list[Paragraph]]:
    """A title and paragraphs of about `words` words, three sentences a paragraph."""
    sentences: list[str] = []
    count = 0
    while count < words:
        sentences.append(_sentence(rng))
        count += len(sentences[-1].split())
    paragraphs = [Paragraph(i // 3, " ".join(sentences[i:i + 3]), "en")
                  for i in range(0, len(sentences), 3)]
    title = f"{rng.choice(COMPANIES)} plans to spend ${rng.randint(2, 90)}bn on chips"
    return title, paragraphs


def _time(items: list[tuple[str, list[Paragraph]]]) -> dict[str, float]:
    analyse(items[0][1], title=items[0][0], language="en", published="2025-01-22")  # warm-up
    started = time.perf_counter()
    facts = 0
    for title, paragraphs in items:
        result = analyse(paragraphs, title=title, language="en", published="2025-01-22",
                         feed_tags=("bench",))
        facts += len(result.facts)
    elapsed = time.perf_counter() - started
    words = sum(len(p.text.split()) for _, ps in items for p in ps)
    return {"items": len(items), "seconds": round(elapsed, 3),
            "items_per_second": round(len(items) / elapsed, 1),
            "ms_per_item": round(1000 * elapsed / len(items), 3),
            "words_per_item": round(words / len(items)),
            "facts_per_item": round(facts / len(items), 1)}


def _peak_kib(items: list[tuple[str, list[Paragraph]]]) -> float:
    tracemalloc.start()
    for title, paragraphs in items:
        analyse(paragraphs, title=title, language="en", published="2025-01-22")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return round(peak / 1024, 1)


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--long", type=int, default=500, help="1,000-word articles to time")
    parser.add_argument("--short", type=int, default=3000, help="150-word items to time")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    long_items = [article(rng, 1000) for _ in range(args.long)]
    short_items = [article(rng, 150) for _ in range(args.short)]
    results: dict[str, object] = {
        "python": platform.python_version(), "machine": platform.machine(),
        "long": _time(long_items) | {"target_per_second": 100},
        "short": _time(short_items) | {"target_per_second": 1000},
        "peak_kib_tracemalloc_long": _peak_kib(long_items[:20]),
        "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }
    _report(results)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "tag_bench.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return results


def _report(results: dict[str, object]) -> None:
    print(f"{'case':<8}{'items':>7}{'words':>7}{'facts':>7}{'ms/item':>10}{'items/s':>10}"
          f"{'target':>8}")
    for case in ("long", "short"):
        r = results[case]
        assert isinstance(r, dict)
        print(f"{case:<8}{r['items']:>7}{r['words_per_item']:>7}{r['facts_per_item']:>7}"
              f"{r['ms_per_item']:>10}{r['items_per_second']:>10}{r['target_per_second']:>8}")
    print(f"peak traced memory over 20 long articles: {results['peak_kib_tracemalloc_long']} KiB;"
          f" max RSS {results['max_rss_kib']} KiB")


if __name__ == "__main__":
    main()
