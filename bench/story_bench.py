"""Story grouping: the cost of adding one article as the database grows, and how well copies
are found.

    .venv/bin/python -m bench.story_bench                 # 10,000 articles (default)
    .venv/bin/python -m bench.story_bench --size 2000     # quicker

Synthetic articles with random figures (money, percentages, counts) and names from large
pools, published over 30 days, go through the real tagger (briefing.ingest.build_article) and
the real store. One in ten is a copy of a recent article: the same figures and names in other
words and another paragraph order, on another site (what a content farm or a translation keeps).
Articles are stored and assigned in batches of 250, as a fetch does, and the assign time per
article is recorded against the database's size. Then 100 articles are added one at a time to
the full database. Prints a table and writes bench/results/story_bench.json.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from briefing import ingest, stories
from briefing.models import Article
from briefing.store import Store

RESULTS = Path(__file__).resolve().parent / "results"
START = datetime(2026, 1, 1, tzinfo=UTC)
_SYL = ["kar", "lin", "vo", "sen", "ta", "mer", "dal", "quin", "bro", "zet", "hal", "nor", "pik",
        "ru", "sol", "vex", "an", "tor", "mi", "gul"]
_SUFFIX = ["Holdings", "Energy", "Logistics", "Mining", "Foods", "Pharma", "Steel", "Motors",
           "Bank", "Telecom"]
_FIRST = ["Anna", "Bruno", "Chen", "Dara", "Emil", "Fatima", "Goran", "Hana", "Ivan", "Juno",
          "Kofi", "Lena", "Minh", "Nadia", "Omar", "Priya", "Quang", "Rosa", "Sven", "Tomas"]


def _word(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(_SYL) for _ in range(n)).capitalize()


def _pools(rng: random.Random) -> tuple[list[str], list[str]]:
    orgs = sorted({f"{_word(rng, 2)} {rng.choice(_SUFFIX)}" for _ in range(3000)})
    people = sorted({f"{rng.choice(_FIRST)} {_word(rng, 3)}" for _ in range(3000)})
    return orgs, people


def _facts(rng: random.Random, orgs: list[str], people: list[str]) -> dict[str, object]:
    return {"org": rng.choice(orgs), "rival": rng.choice(orgs), "person": rng.choice(people),
            "bn": rng.randint(12, 980) / 10, "pct": rng.randint(5, 450) / 10,
            "jobs": rng.randint(120, 9000), "mn": rng.randint(11, 990),
            "users": rng.randint(2, 99) * 10 + rng.randint(1, 9)}


_ORIGINAL = [
    "{org} said on Tuesday it would spend ${bn:g}bn on new plants, adding {jobs:,} jobs.",
    "Chief executive {person} said sales rose {pct:g} per cent last year, helped by exports.",
    "The company also agreed to buy a stake in {rival} for ${mn}mn, people familiar said.",
    "{org} now has {users}mn customers, according to its own filings.",
    "Analysts said the move reflected stronger demand, while unions asked for more detail.",
]
_COPY = [
    "Chief executive {person} noted turnover climbed {pct:g} per cent over the past 12 months.",
    "{org} will invest ${bn:g}bn in fresh factories and create {jobs:,} positions, it stated.",
    "It counts {users}mn customers, filings by {org} show.",
    "A ${mn}mn purchase of a holding in {rival} was also agreed, insiders stated.",
]


def _article(i: int, when: datetime, paragraphs: list[str], site: str) -> Article:
    url = f"https://{site}.example/{i}"
    job = ingest.Job(source=f"https://{site}.example/rss", kind="feed", body=b"", url=url,
                     now=when.isoformat())
    return ingest.build_article(job, aid=f"b{i:06d}", url=url, title=paragraphs[0][:80],
                                paragraphs=paragraphs, published=when.isoformat())


def generate(n: int, seed: int = 7) -> tuple[list[Article], dict[str, str]]:
    """n articles in publication order, and copy id -> original id."""
    rng = random.Random(seed)
    orgs, people = _pools(rng)
    span = timedelta(days=30).total_seconds()
    times = sorted(START + timedelta(seconds=rng.uniform(0, span)) for _ in range(n))
    made: list[tuple[str, dict[str, object], datetime]] = []
    arts: list[Article] = []
    copy_of: dict[str, str] = {}
    for i, when in enumerate(times):
        recent = [m for m in made[-400:] if when - m[2] < timedelta(days=2)]
        if i % 10 == 9 and recent:
            origin, facts, _ = rng.choice(recent)
            paras = [p.format(**facts) for p in _COPY]
            rng.shuffle(paras)
            paras.append(f"Filed as item {i}.")  # no two copies share a text (the store dedupes)
            arts.append(_article(i, when, paras, f"copy{rng.randint(1, 50)}"))
            copy_of[arts[-1].id] = origin
            continue
        facts = _facts(rng, orgs, people)
        arts.append(_article(i, when, [p.format(**facts) for p in _ORIGINAL],
                             f"site{rng.randint(1, 200)}"))
        made.append((arts[-1].id, facts, when))
    return arts, copy_of


def quality(store: Store, arts: list[Article], copy_of: dict[str, str]) -> dict[str, float]:
    truth = {a.id: copy_of.get(a.id, a.id) for a in arts}
    got = {a.id: store.stories.story_id_of(a.id) for a in arts}
    assert None not in got.values(), "every generated article is stored and assigned"
    joined = sum(got[c] == got[o] for c, o in copy_of.items())
    groups: dict[str | None, set[str]] = {}
    for aid, sid in got.items():
        groups.setdefault(sid, set()).add(truth[aid])
    wrong = sum(len(t) - 1 for t in groups.values())
    return {"copies": len(copy_of), "copies_joined": joined,
            "recall": round(joined / max(1, len(copy_of)), 4), "false_merges": wrong,
            "stories": len(groups)}


def run(size: int, batch: int = 250) -> dict[str, object]:
    t0 = time.perf_counter()
    arts, copy_of = generate(size + 100)
    gen_s = time.perf_counter() - t0
    base, extra = arts[:size], arts[size:]
    rows: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "bench.db") as store:
        for start in range(0, len(base), batch):
            chunk = base[start:start + batch]
            store.save_articles(chunk)
            t = time.perf_counter()
            stories.assign(store, [a.id for a in chunk])
            per = (time.perf_counter() - t) / len(chunk) * 1000
            rows.append({"db_size": start, "ms_per_article": round(per, 3)})
        single: list[float] = []
        for art in extra:
            store.save_articles([art])
            t = time.perf_counter()
            stories.assign(store, [art.id])
            single.append((time.perf_counter() - t) * 1000)
        found = quality(store, arts, copy_of)
        keys = store.conn.execute("SELECT count(*) FROM story_keys").fetchone()[0]
        t = time.perf_counter()
        stories.rebuild(store)
        rebuild_s = time.perf_counter() - t
    single.sort()
    return {
        "size": size, "generate_s": round(gen_s, 1), "batches": rows,
        "one_at_a_time": {"db_size": size, "n": len(single),
                          "mean_ms": round(statistics.mean(single), 3),
                          "median_ms": round(statistics.median(single), 3),
                          "p95_ms": round(single[int(0.95 * (len(single) - 1))], 3)},
        "index_rows": keys, "rebuild_s": round(rebuild_s, 2), "grouping": found,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    args = parser.parse_args()
    result = run(args.size)
    print(f"story_bench: {args.size:,} synthetic articles over 30 days "
          f"(generated and tagged in {result['generate_s']} s)\n")
    print(f"{'database size':>14}  {'assign ms/article':>18}")
    batches = result["batches"]
    assert isinstance(batches, list)
    marks = {0, 1000, 2500, 5000, 7500, args.size - 250}
    for row in batches:
        if row["db_size"] in marks:
            print(f"{row['db_size']:>14,}  {row['ms_per_article']:>18.2f}")
    one = result["one_at_a_time"]
    assert isinstance(one, dict)
    print(f"\nadding one article to {args.size:,}: mean {one['mean_ms']:.2f} ms, median "
          f"{one['median_ms']:.2f} ms, p95 {one['p95_ms']:.2f} ms (n={one['n']})")
    print(f"index rows: {result['index_rows']:,}; rebuild of all: {result['rebuild_s']} s")
    print(f"grouping: {json.dumps(result['grouping'])}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "story_bench.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
