"""Main-process cost benchmark: where the fetch's own process spends its CPU, per stored item.

    .venv/bin/python -m bench.save_bench --feeds 100 [--churn] [--style wire]

A cold fetch of `--feeds` loopback feeds (20 items each) in this process, its workers real
processes as in a cron run; with --churn, then a tenth of the feeds move on and a second
fetch finds their new items, and that run is the one measured. The store's and the writer's
steps are wrapped (here only, nothing in briefing changes) and charged the calling thread's
CPU time: saving articles (and within it their paragraphs, facts and bullets, and the
full-text index), the tagging's writes, story grouping, commits, and the pool's own threads
(the manager thread unpickles the workers' results; the feeder thread pickles the jobs).
Garbage collection is timed by gc.callbacks. What the main thread spent beyond the parts is
"rest of the main thread": fetching (HTTP), the event loop, the pipeline's glue. Prints a
table of ms per item and the database's size by table, and writes bench/results/
save_bench.json.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sqlite3
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import process as cf_process
from contextlib import contextmanager
from multiprocessing import queues as mp_queues
from pathlib import Path
from typing import Any

from bench.common import FeedServer, table, write_json

CPU: dict[str, float] = defaultdict(float)
COLLECTIONS: dict[int, int] = defaultdict(int)
COMMITS: list[float] = []  # each commit's CPU: a checkpoint shows as one far above the rest
_active = threading.local()


def _cpu() -> float:
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


def _timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn`, its thread's CPU charged to `name`; a timed call inside another is charged to the
    inner one only (the outer one's figure is its own work)."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        stack = getattr(_active, "stack", None)
        if stack is None:
            stack = _active.stack = []
        start = time.thread_time()
        if stack:
            CPU[stack[-1]] += start - _active.mark
        stack.append(name)
        _active.mark = start
        try:
            return fn(*args, **kwargs)
        finally:
            end = time.thread_time()
            CPU[stack.pop()] += end - _active.mark
            _active.mark = end

    return wrapper


def _thread_total(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        finally:
            CPU[name] += time.thread_time()

    return wrapper


@contextmanager
def instrumented() -> Iterator[None]:
    from briefing import pipeline, tag_behind
    from briefing.store import store as store_mod

    S = store_mod.Store
    patches: list[tuple[Any, str, Any]] = [
        (S, "save_articles", _timed("save articles: rows, lookups", S.save_articles)),
        (S, "_replace_children", _timed("save articles: paragraphs, facts, bullets, tags",
                                        S._replace_children)),
        (S, "index_pending", _timed("full-text index (at commit)", S.index_pending)),
        (S, "save_analyses", _timed("tag behind: save_analyses", S.save_analyses)),
        (S, "tagging_pending", _timed("tag behind: pending check", S.tagging_pending)),
        (S, "record_source", _timed("record source", S.record_source)),
        (tag_behind.TagBehind, "_take", _timed("tag behind: take batch",
                                               tag_behind.TagBehind._take)),
        (cf_process._ExecutorManagerThread, "run",
         _thread_total("pool manager thread (unpickling results)",
                       cf_process._ExecutorManagerThread.run)),
        (mp_queues.Queue, "_feed", staticmethod(_thread_total(
            "pool feeder thread (pickling jobs)",
            mp_queues.Queue._feed))),  # type: ignore[attr-defined]  # a private helper
    ]
    write = S.write

    @contextmanager
    def timed_write(self: Any) -> Iterator[Any]:
        conn = self.conn
        if conn.in_transaction:
            yield conn
            return
        _timed("commit", lambda: conn.execute("BEGIN IMMEDIATE"))()
        try:
            yield conn
            _timed("stories: flush", self.stories.flush)()
            self.index_pending(conn)
        except BaseException:
            self._unindexed.clear()
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            self.stories.forget()
            raise
        else:
            start = time.thread_time()
            _timed("commit", lambda: conn.execute("COMMIT"))()
            COMMITS.append(time.thread_time() - start)

    patches.append((S, "write", timed_write))
    saved = [(obj, name, obj.__dict__[name]) for obj, name, _ in patches]
    for obj, name, new in patches:
        setattr(obj, name, new)
    gc_start: list[float] = [0.0]

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            gc_start[0] = time.thread_time()
        else:
            COLLECTIONS[info["generation"]] += 1
            CPU[f"garbage collection (gen {info['generation']})"] += (
                time.thread_time() - gc_start[0])

    gc.callbacks.append(on_gc)
    try:
        yield
    finally:
        gc.callbacks.remove(on_gc)
        for obj, name, old in saved:
            setattr(obj, name, old)
        del write, pipeline


def sizes(db: Path) -> list[list[object]]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name "
                            "ORDER BY 2 DESC").fetchall()
    except sqlite3.Error:
        return []
    finally:
        conn.close()
    return [[name, f"{size / 1e6:.2f}"] for name, size in rows[:20]]


def run(feeds: int, churn: bool, style: str) -> dict[str, Any]:
    from briefing.config import Settings
    from briefing.pipeline import group_stories, run_fetch
    from briefing.store import Store

    with FeedServer(feeds, new=20, style=style) as server, \
            tempfile.TemporaryDirectory() as tmp:
        settings = Settings()
        path = Path(tmp) / "s.db"
        store = Store(path)
        hooks = (_timed("stories: group", group_stories),)
        if churn:
            run_fetch(settings, store, server.urls())
            server.churn(10)
        CPU.clear()
        COLLECTIONS.clear()
        COMMITS.clear()
        with instrumented():
            cpu0, main0 = _cpu(), time.thread_time()
            report = run_fetch(settings, store, server.urls(), after_store=hooks)
            # As `briefing fetch` ends: closing copies the WAL back into the database.
            _timed("close (the last checkpoint)", store.close)()
            main = time.thread_time() - main0
            total = _cpu() - cpu0
        db_mb = sum(p.stat().st_size for p in Path(tmp).glob("s.db*")) / 1e6
        parts = dict(CPU)
        threads = {k for k in parts if k.startswith("pool ")}
        gcs = {k for k in parts if k.startswith("garbage")}
        on_main = sum(v for k, v in parts.items() if k not in threads and k not in gcs)
        parts["rest of the main thread (HTTP, event loop, glue)"] = main - on_main
        parts["other threads and processes' startup"] = total - main - sum(
            parts[k] for k in threads)
        return {"feeds": feeds, "churn": churn, "added": report.added, "cpu_s": total,
                "ms_per_item": total * 1000 / max(1, report.added), "parts": parts,
                "db_mb": db_mb, "collections": dict(COLLECTIONS),
                "commits": [len(COMMITS), sum(COMMITS), max(COMMITS, default=0.0)],
                "tables": sizes(path)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--churn", action="store_true", help="measure a churn run")
    parser.add_argument("--style", choices=("plain", "wire"), default="plain")
    parser.add_argument("--gc", type=int, metavar="N",
                        help="the first garbage-collection threshold during the run, for trials")
    parser.add_argument("--held", type=int, metavar="N",
                        help="articles the tagging behind keeps in memory (tag_behind.HELD); "
                             "past it they are read back from the database, as in a cold run "
                             "of 1,000 feeds, whose tagging waits for the cleaning")
    args = parser.parse_args()
    if args.held is not None:
        from briefing import tag_behind

        tag_behind.HELD = args.held
    if args.gc:
        from briefing import pipeline

        pipeline.GC_THRESHOLD = (args.gc, *pipeline.GC_THRESHOLD[1:])
    result = run(args.feeds, args.churn, args.style)
    n = max(1, result["added"])
    rows: list[list[object]] = [
        [name, f"{sec * 1000 / n:.3f}"]
        for name, sec in sorted(result["parts"].items(), key=lambda kv: -kv[1])]
    rows.append(["main process total", f"{result['ms_per_item']:.3f}"])
    print(f"{'churn' if args.churn else 'cold'} run of {args.feeds} feeds: "
          f"{result['added']} added, main process CPU {result['cpu_s']:.2f} s, "
          f"database {result['db_mb']:.1f} MB; garbage collections by generation "
          f"{result['collections']}; {result['commits'][0]} commits, "
          f"{result['commits'][1] * 1000:.0f} ms, the longest {result['commits'][2] * 1000:.1f} ms")
    print(table(["part", "ms per item"], rows))
    if result["tables"]:
        print(table(["table or index", "MB"], result["tables"]))
    write_json("save_bench.json", result)


if __name__ == "__main__":
    main()
