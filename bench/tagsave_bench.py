"""The tagging behind's writes, replayed: the main thread's CPU per article in
`TagBehind._save` (save_analyses and story grouping) and in the commits after it, on the same
articles and the same tagging every run, so two versions of the store compare on the one
thread that writes the database without the noise of a whole fetch.

    .venv/bin/python -m bench.tagsave_bench --feeds 300 [--style wire] [--repeat 3]
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
        .venv/bin/python -m bench.tagsave_bench --feeds 100 --once [--batches 0]
    .venv/bin/python -m bench.tagsave_bench --feeds 300 --profile  # cProfile of one replay
    .venv/bin/python -m bench.tagsave_bench --feeds 300 --churn    # a cron cycle's batches

The first run prepares, in `--cache` (default /tmp/tagsave-bench-<feeds>-<style>[-churn]): a
cold fetch of the loopback feeds stored readable first with the tagging behind switched off
(every article TAGGING_PENDING, no stories; with --churn, after a whole cold fetch, the fetch
that finds a tenth of the feeds moved on), then each batch of tag_behind.BATCH (100) articles
tagged in this process (ingest.tag_articles, as a worker does) and pickled. A replay copies
that database, then writes the batches in their stored order through `TagBehind._save` with the
pipeline's hooks, BATCHES of them per transaction (what the writer commits at once in a cold
fetch's second phase), and charges each part its thread CPU time. The rows written are hashed
(facts, key facts, tags, the articles' tagging columns, stories, members, keys, flags): two
versions that differ in what they store print different digests, on one prepared cache (a
preparation stores the articles in the order their feeds arrived, which the story ids and rows
follow). The cache keeps a fingerprint of the code that prepared it (the workers' side:
tagging, signatures; and the store's schema), and a run that finds another prepares it again.
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from bench.common import FeedServer, median, table, write_json

BATCHES = 10  # tagging batches per transaction

TABLES = {
    "facts": "SELECT article_id, idx, kind, text, value, unit, paragraph, start, \"end\", link "
             "FROM facts ORDER BY article_id, idx",
    "key_facts": "SELECT article_id, idx, text, paragraph FROM key_facts "
                 "ORDER BY article_id, idx",
    "article_tags": "SELECT article_id, tag FROM article_tags ORDER BY article_id, tag",
    "articles": "SELECT id, summary, tagger_version, fact_count FROM articles ORDER BY id",
    "stories": "SELECT id, best_article, title, size, first_published, last_published "
               "FROM stories ORDER BY id",
    "story_articles": "SELECT article_id, story_id, published, quality, content_hash, "
                      "tagger_version, signature FROM story_articles ORDER BY article_id",
    "story_keys": "SELECT key, published, article FROM story_keys ORDER BY key, published, "
                  "article",
    "story_flags": "SELECT story_id, kind, text, detail FROM story_flags "
                   "ORDER BY story_id, kind, text",
}
# The same rows from tables keyed by the article's rowid (m017), as the ones above give them:
# digests compare across that change.
BY_ROWID = {
    "facts": "SELECT a.id, f.idx, f.kind, f.text, f.value, f.unit, f.paragraph, f.start, "
             "f.\"end\", f.link FROM facts f JOIN articles a ON a.rowid = f.article "
             "ORDER BY a.id, f.idx",
    "key_facts": "SELECT a.id, k.idx, k.text, k.paragraph FROM key_facts k "
                 "JOIN articles a ON a.rowid = k.article ORDER BY a.id, k.idx",
    "article_tags": "SELECT a.id, t.tag FROM article_tags t JOIN articles a "
                    "ON a.rowid = t.article ORDER BY a.id, t.tag",
}


# What the prepared run depends on: the code that parses, tags and signs (the workers' side)
# and the store's schema. The store's other code is what a replay measures, so a change to it
# keeps the cache. A cache kept across a change to the workers' side replayed what that code no
# longer sends (signatures without their key ids: 7 key hashes an article made again on the
# writer's thread) and measured a writer nobody runs.
_PREPARED_BY = ("briefing/store/keys.py", "briefing/store/migrations.py")
_NOT_PREPARING = ("briefing/store/", "briefing/tui/", "briefing/cli/")


def fingerprint() -> str:
    """A hash of the source files a prepared run depends on (see _PREPARED_BY)."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for path in sorted((root / "briefing").rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel.startswith(_NOT_PREPARING) and rel not in _PREPARED_BY:
            continue
        h.update(rel.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def prepare(cache: Path, feeds: int, style: str, churn: bool = False) -> None:
    from briefing import ingest, tag_behind
    from briefing.config import Settings
    from briefing.pipeline import run_fetch
    from briefing.store import Store

    cache.mkdir(parents=True, exist_ok=True)
    db = cache / "readable.db"
    add, resume = tag_behind.TagBehind.add, tag_behind.TagBehind.resume
    with FeedServer(feeds, new=20, style=style) as server:
        settings = Settings()
        settings.fetch.readable_first = True
        with Store(db) as store:
            if churn:  # a whole cold fetch first, tagged and grouped; then a tenth move on
                run_fetch(settings, store, server.urls())
                server.churn(10)
            # Nothing queued, and nothing resumed either: the fetch tags at its end what it
            # finds left untagged (pipeline's _tag_left_by_another_run).
            tag_behind.TagBehind.add = lambda self, articles: None  # type: ignore[method-assign]
            tag_behind.TagBehind.resume = lambda self: None  # type: ignore[method-assign]
            try:
                report = run_fetch(settings, store, server.urls())
            finally:
                tag_behind.TagBehind.add = add  # type: ignore[method-assign]
                tag_behind.TagBehind.resume = resume  # type: ignore[method-assign]
    batches: list[tuple[list[Any], Any]] = []
    with Store(db) as store:
        ids = store.tagging_pending_ids()
        for i in range(0, len(ids), tag_behind.BATCH):
            chunk = ids[i:i + tag_behind.BATCH]
            read = store.get_articles(chunk)
            batch = [read[aid] for aid in chunk if aid in read]
            tagging = ingest.tag_articles([ingest.evolve(a, text="", translations=())
                                           for a in batch])
            batches.append((batch, tagging))
    (cache / "batches.pickle").write_bytes(pickle.dumps(batches, pickle.HIGHEST_PROTOCOL))
    print(f"prepared {cache}: {report.added} articles, {len(batches)} batches")


def replay(cache: Path, limit: int | None = None) -> dict[str, Any]:
    from briefing.pipeline import AFTER_STORE, _light_gc
    from briefing.store import Store
    from briefing.tag_behind import TagBehind

    batches = pickle.loads((cache / "batches.pickle").read_bytes())[:limit]
    # The fetch's garbage collection (frozen heap, raised thresholds): without it, full
    # collections over the 20,000 loaded batches landed on whichever line allocated.
    with tempfile.TemporaryDirectory(prefix="tagsave-") as tmp, _light_gc():
        db = Path(tmp) / "r.db"
        shutil.copy(cache / "readable.db", db)
        store = Store(db)
        behind = SimpleNamespace(store=store, hooks=AFTER_STORE)
        save = commit = 0.0
        articles = 0
        for i in range(0, len(batches), BATCHES):
            start = time.thread_time()
            with store.transaction():
                for batch, tagging in batches[i:i + BATCHES]:
                    TagBehind._save(behind, batch, tagging)  # type: ignore[arg-type]
                    articles += len(batch)
                mid = time.thread_time()
            end = time.thread_time()
            save += mid - start
            commit += end - mid
        store.close()
        digest = digests(db)
    return {"articles": articles, "save_s": save, "commit_s": commit, "digests": digest}


def digests(db: Path) -> dict[str, str]:
    conn = sqlite3.connect(db)
    try:
        out = {}
        columns = [r[1] for r in conn.execute("PRAGMA table_info(facts)")]
        queries = {**TABLES, **BY_ROWID} if "article" in columns else TABLES
        for name, sql in queries.items():
            h = hashlib.sha256()
            for row in conn.execute(sql):
                h.update(repr(row).encode())
            out[name] = h.hexdigest()[:12]
        return out
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--style", choices=("plain", "wire"), default="plain")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--churn", action="store_true",
                        help="the batches of a churn run (a tenth of the feeds bring 20 new "
                             "items) after a whole cold fetch, as a cron cycle writes them")
    parser.add_argument("--cache", type=Path, help="where the prepared run is kept")
    parser.add_argument("--profile", action="store_true",
                        help="one replay under cProfile (thread CPU time), top functions")
    parser.add_argument("--batches", type=int, metavar="K",
                        help="replay only the first K batches (0: none, for the cost of "
                             "everything else under cachegrind)")
    parser.add_argument("--once", action="store_true",
                        help="one replay, no table (for cachegrind)")
    args = parser.parse_args()
    name = f"tagsave-bench-{args.feeds}-{args.style}{'-churn' if args.churn else ''}"
    cache = args.cache or Path(tempfile.gettempdir()) / name
    made = fingerprint()
    stamp = cache / "fingerprint"
    if not (cache / "batches.pickle").exists() or not stamp.exists() or (
            stamp.read_text() != made):
        if cache.exists():
            print(f"{cache}: prepared by other code than this (see fingerprint): preparing "
                  "again")
            shutil.rmtree(cache)
        prepare(cache, args.feeds, args.style, args.churn)
        stamp.write_text(made)
    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile(time.thread_time)
        prof.enable()
        replay(cache, args.batches)
        prof.disable()
        stats = pstats.Stats(prof).strip_dirs()
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(35)
        return
    runs = [replay(cache, args.batches) for _ in range(1 if args.once else args.repeat)]
    n = max(1, runs[0]["articles"])
    save = median([r["save_s"] for r in runs]) * 1000 / n
    commit = median([r["commit_s"] for r in runs]) * 1000 / n
    print(f"{runs[0]['articles']} articles in {len(runs)} replays; digests "
          + " ".join(f"{k}={v}" for k, v in runs[0]["digests"].items()))
    if args.once:
        return
    print(table(["part", "CPU ms per article (median)"],
                [["TagBehind._save", f"{save:.3f}"], ["commit (flush, index, COMMIT)",
                                                      f"{commit:.3f}"],
                 ["total", f"{save + commit:.3f}"]]))
    write_json("tagsave_bench.json", {"feeds": args.feeds, "style": args.style, "runs": runs,
                                      "save_ms": save, "commit_ms": commit})


if __name__ == "__main__":
    main()
