"""Write benchmark: what SQLite alone costs for the rows a cold fetch makes.

    .venv/bin/python -m bench.write_bench --feeds 1000 --batch 240

A cold `briefing fetch` of the bench feeds fills a database; its rows (articles with their
full-text index, paragraphs, facts, bullets, tags, stories and story keys) are then replayed,
in fetch order and `--batch` articles per transaction, into an empty file with the same
schema and settings. No parsing, tagging or matching runs during the replay, so its time is a
floor for the one thread that writes: the rest of a fetch can overlap with it, not undercut
it. Results: a table of seconds per table and for the commits, and bench/results/
write_bench.json.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.common import FeedServer, isolated_env, run_measured, table, write_json

# Parents first, as a fetch writes them; each table is keyed by its article column.
TABLES = {"articles": "id", "facts": "article",
          "key_facts": "article", "article_tags": "article",
          "story_articles": "article_id", "story_keys": "article", "stories": "best_article"}


def _fetched(feeds: int, tmp: Path) -> Path:
    db = tmp / "fetched.db"
    with FeedServer(feeds) as server:
        run = run_measured([sys.executable, "-m", "briefing", "--db", str(db), "fetch",
                            *server.urls(), "--quiet"], env=isolated_env(tmp / "home"))
    if run.returncode != 0:
        raise SystemExit(f"the fetch failed (exit {run.returncode}): {run.stderr[-500:]}")
    return db


def _rows(db: Path) -> tuple[list[Any], dict[str, list[str]], dict[str, dict[Any, list[Any]]]]:
    """Article keys in fetch order (story keys, facts, bullets and tags name articles by
    rowid), each table's columns, and each table's rows by article."""
    conn = sqlite3.connect(db)
    order = list(conn.execute("SELECT id, rowid FROM articles ORDER BY rowid"))
    columns: dict[str, list[str]] = {}
    rows: dict[str, dict[Any, list[Any]]] = {}
    for name, key in TABLES.items():
        columns[name] = [r[1] for r in conn.execute(f"PRAGMA table_info({name})")]
        at = columns[name].index(key)
        quoted = ", ".join(f'"{c}"' for c in columns[name])
        rows[name] = defaultdict(list)
        for row in conn.execute(f"SELECT {quoted} FROM {name}"):
            rows[name][row[at]].append(row)
    conn.close()
    return order, columns, rows


def replay(db: Path, target: Path, batch: int) -> tuple[float, dict[str, float], int]:
    from briefing.store import Store

    order, columns, rows = _rows(db)
    Store(target).close()  # the schema, triggers and settings the app uses
    conn = sqlite3.connect(target, isolation_level=None)
    for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "foreign_keys = ON"):
        conn.execute(f"PRAGMA {pragma}")
    from briefing.store.store import CACHE_KIB, CHECKPOINT_PAGES

    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB:d}")
    conn.execute(f"PRAGMA wal_autocheckpoint = {CHECKPOINT_PAGES:d}")
    spent: dict[str, float] = defaultdict(float)
    started = time.perf_counter()
    for i in range(0, len(order), batch):
        conn.execute("BEGIN IMMEDIATE")
        for article_id, rowid in order[i:i + batch]:
            for name, key in TABLES.items():
                found = rows[name].get(rowid if key == "article" else article_id)
                if not found:
                    continue
                marks = ",".join("?" * len(columns[name]))
                t = time.perf_counter()
                conn.executemany(f"INSERT OR IGNORE INTO {name} VALUES ({marks})", found)
                spent[name] += time.perf_counter() - t
        t = time.perf_counter()
        conn.execute("COMMIT")
        spent["commit"] += time.perf_counter() - t
    total = time.perf_counter() - started
    conn.close()
    return total, spent, len(order)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=1000, help="bench feeds of 20 items")
    parser.add_argument("--batch", type=int, default=240, help="articles per transaction")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        fetched = _fetched(args.feeds, Path(tmp))
        total, spent, articles = replay(fetched, Path(tmp) / "replay.db", args.batch)
        size_mb = (Path(tmp) / "replay.db").stat().st_size / 1e6
    print(f"write_bench: {articles:,} articles' rows replayed, {args.batch} per transaction, "
          f"{total:.2f} s, database {size_mb:.0f} MB\n")
    parts = sorted(spent.items(), key=lambda kv: -kv[1])
    print(table(["part", "seconds", "share"],
                [[k, round(v, 2), f"{v / total:.0%}"] for k, v in parts]))
    path = write_json("write_bench.json", {
        "feeds": args.feeds, "articles": articles, "batch": args.batch,
        "total_s": round(total, 3), "database_mb": round(size_mb, 1),
        "seconds": {k: round(v, 3) for k, v in parts}})
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
