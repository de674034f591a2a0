"""Fetch benchmark: `briefing fetch` cold (fresh database), warm (every feed answers 304) and
churn (a tenth of the feeds bring a new round of items, the rest answer 304: what a cron cycle
sees), beside newsboat (`newsboat -x reload`) when it is installed.

    .venv/bin/python -m bench.fetch_bench --sizes 100,1000 --repeat 3
    .venv/bin/python -m bench.fetch_bench --sizes 200 --style wire   # wire-style items
    .venv/bin/python -m bench.fetch_bench --profile 100     # cProfile of an in-process cold run
    .venv/bin/python -m bench.fetch_bench --profile-churn 300   # ... of a churn run after it
    .venv/bin/python -m bench.fetch_bench --profile-cold 300    # main thread, readable first

Each run is a subprocess: wall time, feeds per second, peak RSS of the largest process and of
the whole process tree (briefing's worker processes included). The feed server runs in its own
process (bench/common.py). Results: a table on stdout and bench/results/fetch_bench.json.

briefing runs both ways in each phase, one after the other (`--readable-first both`, the
default): with `[fetch] readable_first = false` ("briefing-at-once": each article tagged and
grouped before it is stored) and `= true` ("briefing-rf": stored readable first, tagged
behind in the same run; the default configuration). "readable s" is when the
last article of the phase was stored and searchable: the database is polled (read-only,
every 0.1 s) for its newest article's row while the run goes on, and the time it first
reached its final value is taken. "CPU ms/item" is the whole process tree's CPU over the items
the phase brought (what briefing stored; the same count for newsboat); "main ms/item" the
same for the main process alone (the one that writes the database), without its workers.
"idle cores" is the machine's idle CPUs over the phase on average (from /proc/stat: near 0
when the run keeps every core busy), "main waited s" how long the main process's threads were
ready to run but waited for a CPU (schedstat).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from bench.common import (
    ITEMS,
    FeedServer,
    Measured,
    isolated_env,
    median,
    reference_ms,
    run_measured,
    table,
    write_json,
)

# Targets from the issue: briefing's time over newsboat's 8-thread time.
TARGET_COLD = 0.75
TARGET_WARM = 0.2


def _briefing(db: Path, urls: list[str], env: dict[str, str]) -> Measured:
    cmd = [sys.executable, "-m", "briefing", "--db", str(db), "fetch", *urls, "--quiet"]
    m = run_measured(cmd, env=env, watch=partial(_newest, db))
    m.readable_mark = _newest(db)
    return m


def _newest(db: Path) -> int | None:
    """The newest article's row in `db` (None before the schema), as a reader sees it: a
    max(rowid), a walk down the table's B-tree, where a count(*) read every row, every
    0.1 s, on the cores the run shares (~0.8 s of CPU over a cold run). Articles are not
    deleted while a fetch stores them, so it reaches its final value when the count does.
    A connection each time: one kept open would make the run's own the database's last but
    one, and its close would leave the WAL for the next phase."""
    if not db.exists():  # connecting would create it
        return None
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            row = conn.execute("SELECT max(rowid) FROM articles").fetchone()
            return int(row[0]) if row[0] is not None else 0
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def _articles(db: Path) -> int | None:
    """The articles stored in `db` so far, as a reader sees them (None before the schema)."""
    if not db.exists():  # connecting would create it
        return None
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def _readable_s(m: Measured, final: object) -> float:
    """When the article count first reached `final` (the run's end if never seen)."""
    for when, value in m.changes:
        if value == final:
            return when
    return m.wall


def _newsboat(work: Path, urls: list[str], threads: int, env: dict[str, str]) -> Measured:
    cfg = work / "newsboat.conf"
    cfg.write_text(f"reload-threads {threads}\nshow-read-feeds yes\n")
    (work / "urls").write_text("\n".join(urls) + "\n")
    cmd = ["newsboat", "-x", "reload", "-u", str(work / "urls"), "-c", str(work / "cache.db"),
           "-C", str(cfg), "-q"]
    return run_measured(cmd, env=env, cwd=work)


def _check(m: Measured, what: str) -> int:
    """Failed feeds in a run (0 when it exited 0); a run that failed outright stops here."""
    if m.returncode == 0:
        return 0
    lines = [ln for ln in m.stderr.splitlines() if ln.startswith(("briefing: ", "Error"))]
    if m.returncode != 1 or not lines:
        raise SystemExit(f"{what} failed ({m.returncode}): {m.stderr.strip()[-500:]}")
    print(f"warning: {what}: {len(lines)} feeds failed, e.g. {lines[0]}", file=sys.stderr)
    return len(lines)


PHASES = ("cold", "warm", "churn")
CHURN_EVERY = 10  # one feed in ten has a new round of items in the churn phase


def _db_mb(db: Path) -> float:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 1e6


def bench_size(n: int, repeat: int, newsboat_threads: list[int],
               style: str = "plain", readable_first: str = "both") -> dict[str, Any]:
    runs: dict[str, dict[str, list[float]]] = {}
    items: dict[str, int] = {}  # what the phase brought, as the first briefing stored it

    def record(tool: str, phase: str, m: Measured, server: FeedServer,
               before: dict[str, int], db: Path | None = None, had: int | None = None) -> None:
        after = server.stats()
        r = runs.setdefault(tool, {})
        r.setdefault(f"{phase}_cpu_s", []).append(m.cpu)
        r.setdefault(f"{phase}_main_cpu_s", []).append(m.main_cpu)
        r.setdefault(f"{phase}_idle_cores", []).append(m.idle_cores)
        r.setdefault(f"{phase}_main_waited_s", []).append(m.main_waited)
        r.setdefault(f"{phase}_load", []).append(os.getloadavg()[0])
        if db is not None:
            r.setdefault(f"{phase}_db_mb", []).append(_db_mb(db))
            final = _articles(db)
            stored = (final or 0) - (had or 0)
            items.setdefault(phase, stored)
            r.setdefault(f"{phase}_readable_s", []).append(
                _readable_s(m, m.readable_mark) if stored else float("nan"))
        r.setdefault(f"{phase}_items", []).append(items.get(phase, 0))
        r.setdefault(f"{phase}_failed", []).append(_check(m, f"{tool} {phase}"))
        r.setdefault(f"{phase}_s", []).append(m.wall)
        r.setdefault(f"{phase}_rss_mb", []).append(m.peak_rss_mb)
        r.setdefault(f"{phase}_tree_mb", []).append(m.peak_tree_mb)
        r.setdefault(f"{phase}_304", []).append(after["not_modified"] - before["not_modified"])

    # A churned feed brings a whole new round of items (ITEMS), as a cron cycle finds them.
    with FeedServer(n, new=ITEMS, style=style) as server:
        urls = server.urls()
        for _ in range(repeat):
            with tempfile.TemporaryDirectory(prefix="fetch-bench-") as tmp:
                work = Path(tmp)
                env = isolated_env(work / "home")
                tools: list[tuple[str, Callable[[], Measured], Path | None]] = []
                for name, on in (("briefing-at-once", False), ("briefing-rf", True)):
                    if readable_first in ("both", "on" if on else "off"):
                        cfg = work / f"{name}.toml"
                        cfg.write_text(f"[fetch]\nreadable_first = {str(on).lower()}\n")
                        at = work / f"{name}.db"
                        tools.append((name, partial(_briefing, at, urls,
                                                    {**env, "BRIEFING_CONFIG": str(cfg)}), at))
                for threads in newsboat_threads:
                    nb = work / f"newsboat-{threads}"
                    nb.mkdir()
                    tools.append((f"newsboat-{threads}t",
                                  partial(_newsboat, nb, urls, threads, env), None))
                # Each phase runs every tool before the next phase, so the churn round is
                # the same for all: the feeds move on once, and each tool fetches the moved.
                for phase in PHASES:
                    if phase == "churn":
                        server.churn(CHURN_EVERY)
                    for tool, run, tool_db in tools:
                        before = server.stats()
                        had = _articles(tool_db) if tool_db is not None else None
                        record(tool, phase, run(), server, before, tool_db, had)
    summary = {tool: {k: median(v) for k, v in r.items()} for tool, r in runs.items()}
    return {"feeds": n, "repeat": repeat, "style": style, "readable_first": readable_first,
            "medians": summary, "runs": runs}


def _rows(result: dict[str, Any]) -> list[list[object]]:
    rows: list[list[object]] = []
    n = result["feeds"]
    for tool, m in result["medians"].items():
        for phase in PHASES:
            secs = m[f"{phase}_s"]
            per_item = (m[f"{phase}_cpu_s"] * 1000 / m[f"{phase}_items"]
                        if m.get(f"{phase}_items") else float("nan"))
            main_item = (m[f"{phase}_main_cpu_s"] * 1000 / m[f"{phase}_items"]
                         if m.get(f"{phase}_items") else float("nan"))
            rows.append([n, tool, phase, secs, m.get(f"{phase}_readable_s", float("nan")),
                         n / secs, m[f"{phase}_cpu_s"], per_item, main_item,
                         m.get(f"{phase}_idle_cores", float("nan")),
                         m.get(f"{phase}_main_waited_s", float("nan")), m[f"{phase}_load"],
                         m.get(f"{phase}_db_mb", float("nan")),
                         m[f"{phase}_rss_mb"], m[f"{phase}_tree_mb"],
                         int(m[f"{phase}_304"]), int(m[f"{phase}_failed"])])
    return rows


def _ratios(result: dict[str, Any]) -> list[list[object]]:
    med = result["medians"]
    out: list[list[object]] = []
    for mine in (t for t in med if t.startswith("briefing")):
        b = med[mine]
        for tool in med:
            if not tool.startswith("newsboat"):
                continue
            cold = b["cold_s"] / med[tool]["cold_s"]
            readable = b["cold_readable_s"] / med[tool]["cold_s"]
            warm = b["warm_s"] / med[tool]["warm_s"]
            churn = b["churn_s"] / med[tool]["churn_s"]
            row: list[object] = [result["feeds"], mine, tool, cold, readable, warm, churn]
            if tool == "newsboat-8t":
                row += [f"<= {TARGET_COLD} {'ok' if cold <= TARGET_COLD else 'MISSED'}",
                        f"<= {TARGET_WARM} {'ok' if warm <= TARGET_WARM else 'MISSED'}"]
            else:
                row += ["", ""]
            out.append(row)
    return out


def profile(n: int, top: int = 25, style: str = "plain") -> str:
    """cProfile of one cold in-process run_fetch with workers=1, its CPU work run inline on
    the profiled thread (cProfile sees one thread only)."""
    from briefing.config import Settings
    from briefing.pipeline import run_fetch
    from briefing.store import Store

    out = io.StringIO()
    with FeedServer(n, style=style) as server, tempfile.TemporaryDirectory() as tmp:
        settings = Settings()
        settings.fetch.workers = 1
        store = Store(Path(tmp) / "p.db")
        prof = cProfile.Profile()
        prof.enable()
        report = _profiled_run(run_fetch, settings, store, server.urls())
        prof.disable()
        stats = pstats.Stats(prof, stream=out).strip_dirs()
        print(f"profiled cold run of {n} feeds: {report.added} added", file=out)
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def profile_churn(n: int, top: int = 30, style: str = "plain") -> str:
    """cProfile of the main thread in one in-process churn run: a cold fetch of `n` feeds
    (not profiled), a tenth of them moved on (`FeedServer.churn`), then the fetch that finds
    them. The workers are real processes, as in a cron run, so what the profile shows is the
    event loop's thread: the writer (storing, stories, the tagging's writes) and the 304s;
    the main process's CPU (every thread of it) per new item is printed too."""
    from briefing.config import Settings
    from briefing.pipeline import run_fetch
    from briefing.store import Store

    out = io.StringIO()
    with FeedServer(n, new=ITEMS, style=style) as server, \
            tempfile.TemporaryDirectory() as tmp:
        settings = Settings()
        store = Store(Path(tmp) / "p.db")
        cold = run_fetch(settings, store, server.urls())
        server.churn(CHURN_EVERY)
        report, prof, _main, spent = _main_thread_profiled(
            lambda: run_fetch(settings, store, server.urls()))
        print(f"profiled churn run of {n} feeds on {cold.added} stored: {report.added} added, "
              f"{report.not_modified} not modified; main process CPU {spent:.2f} s, "
              f"{spent * 1000 / max(1, report.added):.2f} ms per new item", file=out)
        _print_profile(prof, out, top)
        store.close()
    return out.getvalue()


def _main_thread_profiled(run: Callable[[], Any]
                          ) -> tuple[Any, cProfile.Profile, float, float]:
    """`run()` profiled on the main thread's CPU time, not wall time (the event loop waits on
    the network and on the workers, and those waits are not its cost): its result, the
    profile, the main thread's CPU and the whole process's CPU in seconds."""
    import resource

    def cpu() -> float:
        use = resource.getrusage(resource.RUSAGE_SELF)
        return use.ru_utime + use.ru_stime

    prof = cProfile.Profile(time.thread_time)
    start, main = cpu(), time.thread_time()
    prof.enable()
    try:
        result = run()
    finally:
        prof.disable()
    return result, prof, time.thread_time() - main, cpu() - start


def _print_profile(prof: cProfile.Profile, out: io.StringIO, top: int) -> None:
    stats = pstats.Stats(prof, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def profile_cold(n: int, top: int = 30, style: str = "plain") -> str:
    """cProfile of the main thread (its CPU time) in one in-process cold run of `n` feeds,
    workers real processes and `[fetch] readable_first` on (the default): what the event
    loop's thread spends storing readable articles, then writing the tagging behind them
    (TagBehind._save: the analyses and stories) and committing. The main process's CPU per
    stored item is printed too."""
    from briefing.config import Settings
    from briefing.pipeline import run_fetch
    from briefing.store import Store

    out = io.StringIO()
    with FeedServer(n, style=style) as server, tempfile.TemporaryDirectory() as tmp:
        settings = Settings()
        settings.fetch.readable_first = True
        store = Store(Path(tmp) / "p.db")
        report, prof, main, spent = _main_thread_profiled(
            lambda: run_fetch(settings, store, server.urls()))
        added = max(1, report.added)
        print(f"profiled cold run (readable first) of {n} feeds: {report.added} added; main "
              f"thread CPU {main:.2f} s, {main * 1000 / added:.3f} ms per item; main process "
              f"{spent:.2f} s, {spent * 1000 / added:.3f} ms per item", file=out)
        _print_profile(prof, out, top)
        store.close()
    return out.getvalue()


def _profiled_run(run_fetch: Any, settings: Any, store: Any, urls: list[str]) -> Any:
    # The pipeline hands CPU work to a 1-thread executor; to see it in one profile, run the
    # executor's jobs inline: a ThreadPoolExecutor replaced by one that calls on submit.
    from concurrent.futures import Executor, Future

    from briefing import pipeline

    class Inline(Executor):
        def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
            fut: Future[Any] = Future()
            try:
                fut.set_result(fn(*args, **kwargs))
            except BaseException as exc:
                fut.set_exception(exc)
            return fut

    original = pipeline._executor
    pipeline._executor = lambda n, s: Inline()  # type: ignore[assignment]
    try:
        return run_fetch(settings, store, urls)
    finally:
        pipeline._executor = original


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000", help="feed counts, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size (medians shown)")
    parser.add_argument("--newsboat-threads", default="8,1",
                        help="newsboat reload-threads values to compare ('' to skip)")
    parser.add_argument("--style", choices=("plain", "wire"), default="plain",
                        help="item text (bench/common.py): wire has more figures, copies "
                             "across feeds and fewer repeated sentences")
    parser.add_argument("--readable-first", choices=("off", "on", "both"), default="both",
                        help="run briefing with [fetch] readable_first = false "
                             "(briefing-at-once), = true (briefing-rf), or both in turn")
    parser.add_argument("--profile", type=int, metavar="N",
                        help="instead: profile one in-process cold run of N feeds")
    parser.add_argument("--profile-churn", type=int, metavar="N",
                        help="instead: profile the main thread of one in-process churn run "
                             "after a cold fetch of N feeds")
    parser.add_argument("--profile-cold", type=int, metavar="N",
                        help="instead: profile the main thread of one in-process cold run of "
                             "N feeds, readable first, its workers real processes")
    args = parser.parse_args(argv)
    if args.profile_cold:
        text = profile_cold(args.profile_cold, style=args.style)
        print(text)
        write_json("fetch_profile_cold.json", {"feeds": args.profile_cold, "text": text})
        return
    if args.profile_churn:
        text = profile_churn(args.profile_churn, style=args.style)
        print(text)
        write_json("fetch_profile_churn.json", {"feeds": args.profile_churn, "text": text})
        return
    if args.profile:
        text = profile(args.profile, style=args.style)
        print(text)
        write_json("fetch_profile.json", {"feeds": args.profile, "text": text})
        return
    threads = [int(t) for t in args.newsboat_threads.split(",") if t.strip()]
    if threads and shutil.which("newsboat") is None:
        print("newsboat not on PATH: briefing only (apt-get install -y newsboat)",
              file=sys.stderr)
        threads = []
    results = []
    speed = [reference_ms()]
    for n in (int(s) for s in args.sizes.split(",")):
        print(f"benchmarking {n} feeds x {args.repeat} ...", file=sys.stderr, flush=True)
        results.append(bench_size(n, args.repeat, threads, args.style, args.readable_first))
    headers = ["feeds", "tool", "phase", "median s", "readable s", "feeds/s", "CPU s",
               "CPU ms/item", "main ms/item", "idle cores", "main waited s", "load", "DB MB",
               "peak RSS MB", "tree RSS MB", "304s", "failed"]
    print(table(headers, [r for res in results for r in _rows(res)]))
    ratio_rows = [r for res in results for r in _ratios(res)]
    if ratio_rows:
        print()
        print(table(["feeds", "tool", "vs", "cold ratio", "cold readable ratio", "warm ratio",
                     "churn ratio", "cold target", "warm target"],
                    ratio_rows))
    speed.append(reference_ms())
    print(f"\nmachine: reference loop {speed[0]:.2f} ms before, {speed[-1]:.2f} ms after "
          "(bench.common.reference_ms: lower is faster; compare runs by it)")
    path = write_json("fetch_bench.json", {"results": results, "reference_ms": speed,
                                           "targets": {"cold": TARGET_COLD,
                                                       "warm": TARGET_WARM}})
    print(f"\nwritten {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
