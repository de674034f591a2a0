"""Memory over repeated fetches: 20 cycles against a feed server that adds new items each cycle.

    .venv/bin/python -m bench.memory_bench --feeds 100 --cycles 20

Two ways, one table each:
  subprocess  every cycle is a fresh `briefing fetch` (what cron does): peak RSS of the largest
              process and of the whole process tree, wall time, articles added.
  in-process  one long-lived process calls run_fetch once per cycle on one Store (what the TUI
              does): RSS after each cycle and the high-water mark. A leak shows as steady growth.
Results also go to bench/results/memory_bench.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import FeedServer, isolated_env, run_measured, table, write_json


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def subprocess_cycles(feeds: int, cycles: int) -> list[dict[str, Any]]:
    rows = []
    with FeedServer(feeds) as server, tempfile.TemporaryDirectory() as tmp:
        env = isolated_env(Path(tmp) / "home")
        db = Path(tmp) / "m.db"
        urls = server.urls()
        for cycle in range(1, cycles + 1):
            if cycle > 1:
                server.advance()
            m = run_measured([sys.executable, "-m", "briefing", "--db", str(db), "fetch", *urls,
                              "--json"], env=env)
            if m.returncode != 0:
                raise SystemExit(f"cycle {cycle} failed: {m.stderr.strip()[-500:]}")
            report = json.loads(m.stdout)
            rows.append({"cycle": cycle, "wall_s": m.wall, "peak_rss_mb": m.peak_rss_mb,
                         "tree_rss_mb": m.peak_tree_mb, "added": report["added"],
                         "db_mb": db.stat().st_size / 1e6})
            print(f"subprocess cycle {cycle}: {m.wall:.2f} s", file=sys.stderr, flush=True)
    return rows


def in_process_cycles(feeds: int, cycles: int, workers: int) -> list[dict[str, Any]]:
    from briefing.config import Settings
    from briefing.pipeline import run_fetch
    from briefing.store import Store

    rows = []
    with FeedServer(feeds) as server, tempfile.TemporaryDirectory() as tmp:
        settings = Settings()
        settings.fetch.workers = workers
        store = Store(Path(tmp) / "m.db")
        urls = server.urls()
        for cycle in range(1, cycles + 1):
            if cycle > 1:
                server.advance()
            started = time.perf_counter()
            report = run_fetch(settings, store, urls)
            rows.append({"cycle": cycle, "wall_s": time.perf_counter() - started,
                         "rss_mb": _rss_mb(),
                         "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                         "added": report.added, "failed": len(report.failed)})
            print(f"in-process cycle {cycle}: {rows[-1]['wall_s']:.2f} s", file=sys.stderr,
                  flush=True)
        store.close()
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--cycles", type=int, default=20)
    parser.add_argument("--workers", type=int, default=0,
                        help="in-process run: fetch.workers (0 = one process per core; 1 = all "
                             "CPU work in this process, so its RSS includes parsing/tagging)")
    args = parser.parse_args(argv)
    sub = subprocess_cycles(args.feeds, args.cycles)
    inproc = in_process_cycles(args.feeds, args.cycles, args.workers)
    print(f"subprocess: one `briefing fetch` per cycle, {args.feeds} feeds")
    print(table(["cycle", "wall s", "peak RSS MB", "tree RSS MB", "added", "db MB"],
                [[r["cycle"], r["wall_s"], r["peak_rss_mb"], r["tree_rss_mb"], r["added"],
                  r["db_mb"]] for r in sub]))
    print(f"\nin-process: run_fetch {args.cycles} times in one process "
          f"(workers={args.workers})")
    print(table(["cycle", "wall s", "RSS MB", "max RSS MB", "added", "failed"],
                [[r["cycle"], r["wall_s"], r["rss_mb"], r["max_rss_mb"], r["added"],
                  r["failed"]] for r in inproc]))
    growth = inproc[-1]["rss_mb"] - inproc[min(1, len(inproc) - 1)]["rss_mb"]
    print(f"\nin-process RSS growth from cycle 2 to {args.cycles}: {growth:+.1f} MB")
    path = write_json("memory_bench.json", {"feeds": args.feeds, "cycles": args.cycles,
                                            "workers": args.workers, "subprocess": sub,
                                            "in_process": inproc,
                                            "in_process_growth_mb": growth})
    print(f"written {path}", file=sys.stderr)


if __name__ == "__main__":
    multiprocessing.freeze_support()
    main()
