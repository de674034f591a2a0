"""Big inputs: the time and peak memory of one `briefing fetch` of a 15 MB article, a feed
whose one item has a 15 MB description, and a feed of 100,000 items.

    .venv/bin/python -m bench.big_bench [--size 15000000] [--items 100000]

Each input is a local file (bench/bigtext.py makes them), fetched into an empty database by a
fresh process, as cron would. Peak RSS is that of the largest process (the CLI or a worker)
and of the whole process tree, sampled every 20 ms. Goals: seconds and under 500 MB for the
15 MB inputs, under 300 MB for the 100,000 items. Results also go to
bench/results/big_bench.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench import bigtext
from bench.common import isolated_env, run_measured, table, write_json


def _inputs(folder: Path, size: int, items: int) -> list[tuple[str, Path]]:
    article = folder / "article.txt"
    article.write_text(bigtext.article_text(size), encoding="utf-8")
    description = folder / "description.xml"
    description.write_bytes(bigtext.feed_with_description(size))
    many = folder / "items.xml"
    many.write_bytes(bigtext.feed_with_items(items))
    mb = size / 1e6
    return [(f"{mb:g} MB article", article), (f"{mb:g} MB description", description),
            (f"{items:,} items", many)]


def run(size: int, items: int) -> list[dict[str, Any]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = isolated_env(folder / "home")
        config = folder / "config.toml"
        # The items feed is ~25 MB, over the default feed cap; the budget is lifted so a slow
        # machine measures the whole run instead of skipping the source.
        config.write_text("[fetch]\nmax_bytes = 200000000\nsource_seconds = 3600\n")
        for name, path in _inputs(folder, size, items):
            db = folder / f"{path.stem}.db"
            m = run_measured([sys.executable, "-m", "briefing", "--db", str(db), "--config",
                              str(config), "fetch", str(path), "--no-extract", "--json"],
                             env=env)
            if m.returncode != 0:
                raise SystemExit(f"{name}: exit {m.returncode}: {m.stderr.strip()[-800:]}")
            report = json.loads(m.stdout)
            rows.append({"input": name, "bytes": path.stat().st_size, "wall_s": m.wall,
                         "peak_rss_mb": m.peak_rss_mb, "tree_rss_mb": m.peak_tree_mb,
                         "added": report["added"]})
            print(f"{name}: {m.wall:.1f} s", file=sys.stderr, flush=True)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=15_000_000,
                        help="characters of the big article and description")
    parser.add_argument("--items", type=int, default=100_000, help="items of the big feed")
    args = parser.parse_args(argv)
    rows = run(args.size, args.items)
    print(table(["input", "MB", "wall s", "peak RSS MB", "tree RSS MB", "added"],
                [[r["input"], r["bytes"] / 1e6, r["wall_s"], r["peak_rss_mb"],
                  r["tree_rss_mb"], r["added"]] for r in rows]))
    path = write_json("big_bench.json", {"size": args.size, "items": args.items,
                                         "runs": rows})
    print(f"written {path}", file=sys.stderr)


if __name__ == "__main__":
    multiprocessing.freeze_support()
    main()
