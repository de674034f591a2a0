"""The reading room over 100,000 articles: start-up, memory, opening an article, search.

    .venv/bin/python -m bench.tui_bench                 # builds the database once, then measures
    .venv/bin/python -m bench.tui_bench --rebuild       # builds it again
    .venv/bin/python -m bench.tui_bench --repeat 5 --articles 20000
    .venv/bin/python -m bench.tui_bench --profile       # cProfile of one start-up, top 30

The database (synthetic articles with paragraphs, facts, key facts, tags, and a translation on
every tenth) is cached as bench/results/tui_bench-<N>.db; the schema comes from the Store, the
rows go in with executemany (the bench may write SQL; the app may not).

Measured (issue 15's goals in TARGETS, for a quiet machine; the load average is printed):
  first paint   `briefing --db DB` on a pseudo-terminal (120x40) until the first page of the list
                is painted (BRIEFING_BENCH_EXIT, see _PAINTED), in seconds since
                the parent spawned it; peak RSS and CPU of that process (wait4 rusage).
                Median of `--repeat` runs, each in a fresh subprocess, its modules loaded
                from bytecode the warm-up run wrote (see _env).
  open article  in a headless app (run_test, 120x40), once the reader has been composed ahead
                (0.5 s after start-up, BriefingApp.warm_reader): `--opens` articles, a quarter
                each short and long (LONG_PARAGRAPHS paragraphs), with a translation and
                without, opened one after another, each until the reader's body is painted
                (ReaderScreen.painted_at, taken in the first callback after the refresh that
                drew the body; the facts pane is filled after it, in that same callback and
                the next refresh: "facts pane too" is until ReaderScreen.complete).
                First "cold" (open_article by id, as a link would) then "from the list" (the
                row highlighted and its preview loaded, then opened, as enter does). The UI
                thread's CPU (time.thread_time) beside the wall time: the wall time of a busy
                machine is mostly waiting. Polled with asyncio.sleep, never
                pilot.pause(0): each pause posts a callback to every widget and waits for it,
                which kept the loop busy and starved the workers being timed (what made opens
                measure 1-7 s in session 5). Workers are waited for by polling, never
                workers.wait_for_complete(), which raises when an exclusive worker was replaced.
  search        `--queries` word queries (words, phrases, OR, prefix*, NOT, a word half typed)
                and as many with fact filters, run as the search screen runs them (one
                SearchSession per list, as one search screen kept open: its connection is
                opened by the first query and kept; briefing.query.run_search: a page of
                results and the snippets of its first rows): p50 and p95, median of
                `--repeat`.
  next unread   Store.next_unread from 200 random articles, in all articles and in one
                source's: p95, median of `--repeat`.
Results go to bench/results/tui_bench.json.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import random
import resource
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import RESULTS, ROOT, isolated_env, median, table, write_json
from briefing.models import Paragraph
from briefing.store.paragraphs import encode as paragraph_column

# Issue 15's goals, on a quiet machine.
TARGETS = {"first_paint_s": 0.5, "peak_rss_mb": 200.0, "open_p95_s": 0.1,
           "search_words_p95_s": 0.05, "search_facts_p95_s": 0.15, "next_unread_p95_s": 0.05}

_WORDS = (  # noqa: SIM905 - a run of words reads better than 86 quoted strings
    "harbour port shipping cargo freight container terminal crane berth vessel tanker fleet "
    "bank bond loan credit rates inflation prices wages union strike factory plant output "
    "chips semiconductor battery lithium solar wind grid power energy oil gas coal mine "
    "election council minister budget tax tariff trade export import deal merger shares "
    "profit revenue loss quarter forecast analysts investors market growth demand supply "
    "rail road bridge airport flights tourism hotel retail housing rent construction steel "
    "textile garment rice coffee fishing weather storm flood drought heat water river coast"
).split()
_ORGS = ["Meridian Ports", "Halvorsen Energy", "Cobalt Ridge Mining", "Tan Phat Textiles",
         "Northwind Rail", "Bluewater Bank", "Kestrel Chips", "Solano Foods", "Vireo Air",
         "Atlas Steel", "Lumen Grid", "Orchid Hotels"]
_PLACES = ["Port Meridian", "Da Nang", "Rotterdam", "Singapore", "Hamburg", "Osaka", "Lagos",
           "Valparaiso", "Gdansk", "Durban", "Haiphong", "Mombasa"]
_PEOPLE = ["Maria Lopez", "Nguyen Van An", "Erik Halvorsen", "Aisha Bello", "Kenji Sato",
           "Priya Raman", "Tomas Novak", "Grace Okafor"]
_TAGS = [f"topic{i}" for i in range(40)] + ["business", "energy", "shipping", "politics"]
# One article in LONG_EVERY has LONG_PARAGRAPHS paragraphs (one in five of those translated),
# the rest five: the reader's cost grows with the rows it mounts.
LONG_EVERY = 25
LONG_PARAGRAPHS = 40
_QUERY_WORDS = ["harbour", "chips", "strike", "budget", "lithium", "rail", "tariff", "flood",
                "coffee", "merger", "solar", "rent"]
_QUERY_FILTERS = ["org:Halvorsen Energy", "money>5bn", "percent>=10", "place:Da Nang",
                  "person:Aisha Bello", "count>1000", "money<1e6"]


# -- the database --------------------------------------------------------------------------


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(_WORDS) for _ in range(n)]
    return " ".join(words).capitalize()


def _article_rows(i: int, rng: random.Random, start: datetime) -> dict[str, list[tuple[Any, ...]]]:
    aid = f"bench-{i:06d}"
    published = (start + timedelta(minutes=7 * i)).isoformat()
    org, place, person = rng.choice(_ORGS), rng.choice(_PLACES), rng.choice(_PEOPLE)
    amount, pct, count = rng.randint(1, 900), rng.randint(1, 60), rng.randint(10, 20000)
    unit = rng.choice(["mn", "bn"])
    paras = [
        f"{org} said on Tuesday that revenue rose {pct}% to ${amount}{unit} as "
        f"{_sentence(rng, 14).lower()}.",
        f"{person} told analysts in {place} the company would hire {count:,} workers; "
        f"{_sentence(rng, 16).lower()}.",
        _sentence(rng, 30) + ".",
        _sentence(rng, 26) + ".",
        _sentence(rng, 22) + ".",
    ]
    if i % LONG_EVERY == 0:  # a feature's length, as real feeds carry beside wire items
        paras += [_sentence(rng, rng.randint(18, 60)) + "." for _ in range(LONG_PARAGRAPHS - 5)]
    text = "\n\n".join(paras)
    title = f"{org} {rng.choice(_WORDS)} {rng.choice(_WORDS)} in {place} up {pct}%"
    p0, p1 = paras[0], paras[1]
    facts = [
        ("org", org, org, "", 0, p0.index(org)),
        ("date", "Tuesday", "Tuesday", "", 0, p0.index("Tuesday")),
        ("percent", f"{pct}%", float(pct), "%", 0, p0.index(f"{pct}%")),
        ("money", f"${amount}{unit}", amount * (1e6 if unit == "mn" else 1e9), "USD", 0,
         p0.index(f"${amount}{unit}")),
        ("person", person, person, "", 1, p1.index(person)),
        ("place", place, place, "", 1, p1.index(place)),
        ("count", f"{count:,}", float(count), "", 1, p1.index(f"{count:,}")),
    ]
    source = f"https://source{i % 200}.example/feed"
    # Since m016 the row keeps its paragraphs as offsets into its text (no paragraphs table).
    stored = paragraph_column(text, [Paragraph(k, p, "en") for k, p in enumerate(paras)])
    out: dict[str, list[tuple[Any, ...]]] = {
        "articles": [(
            i + 1, aid, f"https://source{i % 200}.example/{i}", source, f"Source {i % 200}", title,
            published, published, "en", text, stored, f"h{i}", f"{org} revenue rose {pct}%.",
            1, len(facts), int(rng.random() < 0.7), int(rng.random() < 0.02), "[]")],
        "facts": [(i + 1, k, kind, t, v, u, para, s, s + len(t), None)
                  for k, (kind, t, v, u, para, s) in enumerate(facts)],
        "key_facts": [(i + 1, 0, f"Revenue rose {pct}% to ${amount}{unit}", 0),
                      (i + 1, 1, f"{count:,} workers to be hired", 1)],
        "article_tags": [(i + 1, t) for t in dict.fromkeys(rng.sample(_TAGS, 2))],
        "translations": [],
    }
    if i % 10 == 0:
        pairs: list[tuple[int | None, str, str]] = [(-1, title, f"[vi] {title}")]
        pairs += [(k, p, f"[vi] {p}") for k, p in enumerate(paras)]
        pairs.insert(2, (None, "Photo: the harbour at dawn", "Ảnh: bến cảng lúc bình minh"))
        out["translations"].append((aid, pairs))
    return out


def build_db(path: Path, n: int, seed: int = 7) -> float:
    """Create the schema through the Store, then insert `n` articles in one transaction."""
    from briefing.store import Store

    started = time.perf_counter()
    path.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    with Store(path):
        pass  # migrations
    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -200000")
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    sql = {
        "articles": "INSERT INTO articles (rowid, id, url, source_url, source_title, title, "
                    "published, fetched, language, text, paragraphs, content_hash, summary, "
                    "tagger_version, fact_count, read, starred, feed_tags) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        # Keyed by the article's rowid (m017), which the article rows above set.
        "facts": 'INSERT INTO facts (article, idx, kind, text, value, unit, paragraph, start, '
                 '"end", link) VALUES (?,?,?,?,?,?,?,?,?,?)',
        "key_facts": "INSERT INTO key_facts (article, idx, text, paragraph) VALUES (?,?,?,?)",
        "article_tags": "INSERT INTO article_tags (article, tag) VALUES (?,?)",
    }
    with conn:
        conn.executemany("INSERT OR IGNORE INTO sources (url, kind, title) VALUES (?,?,?)",
                         [(f"https://source{s}.example/feed", "feed", f"Source {s}")
                          for s in range(200)])
        batch: dict[str, list[tuple[Any, ...]]] = {k: [] for k in sql}
        translations: list[tuple[str, list[tuple[int | None, str, str]]]] = []
        for i in range(n):
            rows = _article_rows(i, rng, start)
            for k in sql:
                batch[k].extend(rows[k])
            translations.extend(rows["translations"])
            if len(batch["articles"]) >= 5000 or i == n - 1:
                for k, q in sql.items():
                    conn.executemany(q, batch[k])
                    batch[k].clear()
        # The search index, as Store.index_pending writes it at a commit (no trigger does
        # since m013), and before the translations' UPDATE below: its trigger takes each
        # article's old entry out of the index, which must be there.
        from briefing.store.fts import sql_fold

        folded = ", ".join(sql_fold(col) for col in ("title", "text", "translation"))
        conn.execute(f"INSERT INTO articles_fts (rowid, title, text, translation) "
                     f"SELECT rowid, {folded} FROM articles")
        for aid, pairs in translations:
            tid = conn.execute(
                "INSERT INTO translations (article_id, lang, engine, model, summary, created) "
                "VALUES (?,?,?,?,?,?)", (aid, "vi", "bench", "m", "[vi] tóm tắt", None)
            ).lastrowid
            conn.executemany(
                "INSERT INTO translation_pairs (translation_id, idx, paragraph, original, "
                "translation, flags) VALUES (?,?,?,?,?,?)",
                [(tid, k, p, o, t, "[]") for k, (p, o, t) in enumerate(pairs)])
            conn.execute("INSERT INTO translation_key_facts (translation_id, idx, text) "
                         "VALUES (?,?,?)", (tid, 0, "[vi] doanh thu tăng"))
        # What Store._save_translation does after the pairs: their text in the column the
        # full-text index reads translations from (its trigger reindexes the article).
        conn.execute(
            "UPDATE articles SET translation = COALESCE((SELECT group_concat(translation, "
            "char(10)) FROM (SELECT p.translation FROM translations t JOIN translation_pairs p "
            "ON p.translation_id = t.id WHERE t.article_id = articles.id "
            "ORDER BY t.lang, p.idx)), '') WHERE id IN (SELECT article_id FROM translations)")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return time.perf_counter() - started


# -- measurements --------------------------------------------------------------------------


def _env(home: Path, db: Path) -> dict[str, str]:
    env = isolated_env(home)
    env.update(BRIEFING_DB=str(db), TERM="xterm-256color", COLUMNS="120", LINES="40")
    env.pop("TEXTUAL", None)
    # The app's modules from bytecode, as an installed app loads them: a shell that sets
    # PYTHONDONTWRITEBYTECODE (this project's sandboxes do) made every start compile the ~50
    # modules of an editable install from source again (~60 ms), so the warm-up run below
    # warmed nothing. The bytecode goes to the bench's own folder, never into the tree.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(home / "pycache")
    return env


# The app as `briefing --db DB` runs it, with one hook the bench adds from outside: the list's
# first page, once painted, records the seconds since BRIEFING_BENCH_T0 (the parent's clock at
# spawn) in BRIEFING_BENCH_EXIT and quits. Textual is imported a little earlier than the CLI
# would import it, in the same process, so the start-up measured is the same work.
_PAINTED = r"""
import os, sys, time
from briefing.tui.widgets.article_list import ArticleList

_append, _waiting = ArticleList.append, [True]

def _painted(self):
    elapsed = time.time() - float(os.environ["BRIEFING_BENCH_T0"])
    with open(os.environ["BRIEFING_BENCH_EXIT"], "w", encoding="utf-8") as fh:
        fh.write(f"{elapsed:.6f}\n")
    self.app.exit()

def append(self, rows):
    _append(self, rows)
    if rows and _waiting:
        _waiting.clear()
        self.call_after_refresh(_painted, self)

ArticleList.append = append
sys.argv = ["briefing", *sys.argv[1:]]
from briefing.cli import main
main()
"""


def first_paint(db: Path, home: Path, cmd: list[str] | None = None) -> dict[str, float]:
    """Spawn the app on a 120x40 pseudo-terminal; it exits once the list is painted."""
    out = home / f"paint-{time.time_ns()}.txt"
    env = _env(home, db)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))

    def drain() -> None:  # a full pty buffer would stall the child's writes
        while True:
            try:
                if not os.read(master, 65536):
                    return
            except OSError:
                return

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    env.update(BRIEFING_BENCH_EXIT=str(out), BRIEFING_BENCH_T0=repr(time.time()))
    started = time.perf_counter()
    proc = subprocess.Popen(cmd or [sys.executable, "-c", _PAINTED, "--db", str(db)],
                            stdin=slave, stdout=slave, stderr=slave, env=env,
                            start_new_session=True, cwd=home)
    os.close(slave)
    try:
        _pid, status, usage = os.wait4(proc.pid, 0)
    finally:
        os.close(master)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(f"app exited with {proc.returncode} before painting the list")
    # The process's CPU to its exit: what a busy machine inflates least (its wall time is
    # mostly waiting for a core there).
    return {"first_paint_s": float(out.read_text()), "exit_wall_s": wall,
            "peak_rss_mb": usage.ru_maxrss / 1024, "cpu_s": usage.ru_utime + usage.ru_stime}


_OPEN_SCRIPT = r"""
import asyncio, json, sys, time
from pathlib import Path
from briefing.config import Settings
from briefing.tui.app import BriefingApp
from briefing.tui.screens.reader import ReaderScreen
from briefing.tui.startup import begin_startup_gc
from briefing.tui.widgets.article_list import ArticleList
from briefing.tui.widgets.reader_body import ReaderBody

DEADLINE_S = 120.0

async def settle(app, pilot):
    # Until every worker has ended, however it ended. Not workers.wait_for_complete(): it
    # raises WorkerCancelled when an exclusive worker was replaced by a newer one, as the
    # main screen's preview loader is when the cursor moves on before a load ends (the first
    # page used to load its preview twice: the bench's random death on a fresh database).
    end = time.monotonic() + DEADLINE_S
    while any(not w.is_finished for w in app.workers):
        if time.monotonic() > end:
            raise RuntimeError("workers still running after %.0f s: %s" % (
                DEADLINE_S, [w.name for w in app.workers if not w.is_finished]))
        await asyncio.sleep(0.01)
    await pilot.pause()

async def main():
    # Started as `briefing` starts it (briefing.tui.run): no cyclic garbage collection until
    # the main screen's first frame, which freezes what start-up made (briefing.tui.startup).
    # Without it, the collector's first full pass over the whole app fell inside the first
    # open one run in two (+60 ms of CPU), which the app itself never has.
    begin_startup_gc()
    app = BriefingApp(Path(sys.argv[1]), Settings())
    n = int(sys.argv[2])
    async with app.run_test(size=(120, 40)) as pilot:
        end = time.monotonic() + DEADLINE_S
        while not (app.screen.query(ArticleList) and app.screen.query_one(ArticleList).row_count):
            if time.monotonic() > end:
                raise RuntimeError("the list never filled")
            await pilot.pause(0.01)
        await settle(app, pilot)
        # The reader composed ahead, as it is half a second after start-up
        # (BriefingApp.warm_reader): the first open then costs what the others do.
        while app._reader is None:
            if time.monotonic() > end:
                raise RuntimeError("the reader was never composed ahead")
            await asyncio.sleep(0.01)
        lst = app.screen.query_one(ArticleList)
        summaries = [lst.summaries[i] for i in lst.order]
        # A quarter each: short and long (LONG_PARAGRAPHS paragraphs), with a translation and
        # without, newest first.
        long_ids = set(sys.argv[3].split(","))
        chosen = []
        for is_long in (False, True):
            for translated in (True, False):
                chosen += [("long" if is_long else "short", a) for a in summaries
                           if a.has_translation == translated and (a.id in long_ids) == is_long
                           ][: max(1, n // 4)]
        times, cpu, whole, cpu_whole, rows, kinds = [], [], [], [], 0, []
        # Each article twice: by its id ("cold": nothing loaded it yet), then as a reader
        # opens one, from its row in the list once its preview has loaded ("list").
        for way, (kind, art) in [("cold", c) for c in chosen] + [("list", c) for c in chosen]:
            if way == "list":
                lst = app.screen.query_one(ArticleList)
                lst.move_cursor(row=lst.order.index(art.id))
                end = time.monotonic() + DEADLINE_S
                while not (app.preloaded is not None and app.preloaded.article_id == art.id):
                    if time.monotonic() > end:
                        raise RuntimeError(f"{art.id} never previewed")
                    await asyncio.sleep(0.001)
            t0, c0 = time.perf_counter(), time.thread_time()
            app.open_article(art.id)
            end = time.monotonic() + DEADLINE_S
            # Polled with a plain sleep, not pilot.pause(0): each pause posts a callback to
            # every widget on the screen and waits for them, so polling with it kept the
            # event loop busy (100,000 callbacks in six opens) and starved the very workers
            # being timed of the GIL: opens measured 1-7 s for 30 ms of work.
            while not (isinstance(app.screen, ReaderScreen) and app.screen.painted == art.id):
                if time.monotonic() > end:
                    raise RuntimeError(f"{art.id} never painted")
                await asyncio.sleep(0.001)
            # `painted` is set by the first refresh after the body was laid out: what the
            # reader sees; `painted_at` is when, and the UI thread's CPU then (the facts pane
            # is filled in the same callback, so the poll above sees the flag only after it;
            # the pane is in "facts pane too", `complete`).
            t1, c1 = app.screen.painted_at
            times.append(t1 - t0)
            # The UI thread's CPU for the same span: what a busy machine cannot inflate.
            cpu.append(c1 - c0)
            while app.screen.complete != art.id:
                if time.monotonic() > end:
                    raise RuntimeError(f"{art.id} never complete")
                await asyncio.sleep(0.001)
            whole.append(time.perf_counter() - t0)
            cpu_whole.append(time.thread_time() - c0)
            kinds.append(f"{way} {kind}")
            rows = max(rows, len(app.screen.query_one(ReaderBody).items))
            app.pop_screen()
            await settle(app, pilot)
        print(json.dumps({"open_times_s": times, "open_cpu_s": cpu, "whole_s": whole,
                          "whole_cpu_s": cpu_whole,
                          "kinds": kinds,
                          "rows": rows}))

asyncio.run(main())
"""


def open_article(db: Path, home: Path, n: int = 20) -> dict[str, Any]:
    """Open `n` articles one after another in one headless app: each from `open_article`
    to its reader body mounted and the next refresh done."""
    env = _env(home, db)
    # The long articles among the newest (the list's first page holds the newest 200).
    long_ids = ",".join(f"bench-{i:06d}" for i in range(0, _count(db), LONG_EVERY))
    proc = subprocess.run([sys.executable, "-c", _OPEN_SCRIPT, str(db), str(n), long_ids],
                          env=env,
                          capture_output=True, text=True, timeout=900, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"open-article run failed: {proc.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _count(db: Path) -> int:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])


def queries(n: int = 100, seed: int = 11) -> tuple[list[str], list[str]]:
    """(word queries, fact-filter queries): words, phrases, OR, prefixes, NOT, and a word as
    it is typed; filters alone, with words and two together."""
    rng = random.Random(seed)
    words: list[str] = []
    facts: list[str] = []
    for i in range(n):
        w1, w2 = rng.sample(_QUERY_WORDS, 2)
        f, f2 = rng.sample(_QUERY_FILTERS, 2)
        words.append([w1, f"{w1} {w2}", f'"{w1} {w2}"', f"{w1} OR {w2}", f"{w1[:4]}*",
                      f"{w1} NOT {w2}", w1[:3]][i % 7])
        facts.append([f, f"{w1} {f}", f"{w1} {f} {f2}", f"{f} {f2}"][i % 4])
    return words, facts


def search_latency(db: Path, qs: list[str]) -> dict[str, float]:
    """Each query as the search screen runs it after a typing pause: on the screen's
    SearchSession (one connection for the screen's life, the first query opens it), the
    results page and the snippets of its first rows (briefing.query.run_search)."""
    from briefing.tui.data import PAGE, SearchSession

    times: list[float] = []
    hits = 0
    session = SearchSession(db)  # a search screen opened
    try:
        for q in qs:
            t0 = time.perf_counter()
            rows, _snippets = session.run(q, limit=PAGE)
            times.append(time.perf_counter() - t0)
            hits += len(rows)
    finally:
        session.close()
    return {**_spread(times), "mean_hits": hits / len(qs)}


def _spread(times: list[float]) -> dict[str, float]:
    times = sorted(times)
    return {"p50_s": times[len(times) // 2],
            "p95_s": times[min(len(times) - 1, int(len(times) * 0.95))], "max_s": times[-1]}


def next_unread_latency(db: Path, n: int = 200, seed: int = 5) -> dict[str, float]:
    """The query behind the reader's `n` (newsboat's next unread), Store.next_unread: from an
    article of a list (all articles, or one source's), the next unread one in the list's
    order, with a fresh Store as a worker opens one."""
    from briefing.store import ArticleFilter
    from briefing.tui.data import open_store

    rng = random.Random(seed)
    with open_store(db) as store:
        rows = store.conn.execute("SELECT id, published, source_url FROM articles").fetchall()
    times: list[float] = []
    found = 0
    for i in range(n):
        aid, published, source = rows[rng.randrange(len(rows))]
        flt = ArticleFilter(source=source) if i % 2 else None
        t0 = time.perf_counter()
        with open_store(db) as store:
            nxt = store.next_unread(flt, published, aid)
        times.append(time.perf_counter() - t0)
        found += nxt is not None
    return {**_spread(times), "found": found / n}


def profile_startup(db: Path, home: Path) -> None:
    prof = RESULTS / "tui_bench-startup.prof"
    code = f"import cProfile; cProfile.run({_PAINTED!r}, {str(prof)!r})"
    cmd = [sys.executable, "-c", code, "--db", str(db)]
    print(first_paint(db, home, cmd))
    import pstats

    pstats.Stats(str(prof)).sort_stats("cumulative").print_stats(30)
    pstats.Stats(str(prof)).sort_stats("tottime").print_stats(20)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--queries", type=int, default=100, help="of each kind")
    parser.add_argument("--opens", type=int, default=20, help="articles opened per run")
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    parser.add_argument("--profile", action="store_true", help="cProfile one start-up")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    RESULTS.mkdir(parents=True, exist_ok=True)
    db = RESULTS / f"tui_bench-{args.articles}.db"
    if args.build_only:
        print(build_db(db, args.articles))
        return
    build_s = None
    if args.rebuild or not db.exists():
        # In a child process: on Linux a forked child's ru_maxrss starts at the parent's RSS,
        # so a parent that built the database itself (~300 MB) would inflate every reading.
        print(f"building {args.articles:,} articles in {db} …", file=sys.stderr)
        build_s = float(subprocess.run(
            [sys.executable, "-m", "bench.tui_bench", "--build-only", "--articles",
             str(args.articles)], check=True, capture_output=True, text=True, cwd=ROOT
        ).stdout.split()[-1])
        print(f"built in {build_s:.1f} s ({db.stat().st_size / 1e6:.0f} MB)", file=sys.stderr)

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        if args.profile:
            profile_startup(db, home)
            return
        first_paint(db, home)  # warm the page cache and .pyc files; not counted
        paints = [first_paint(db, home) for _ in range(args.repeat)]
        opens = [open_article(db, home, args.opens) for _ in range(args.repeat)]
    words, facts = queries(args.queries)
    searches = {"words": [search_latency(db, words) for _ in range(args.repeat)],
                "facts": [search_latency(db, facts) for _ in range(args.repeat)]}
    nexts = [next_unread_latency(db) for _ in range(args.repeat)]
    def pick(key: str, way: str, kind: str = "") -> list[float]:
        """The times of `key` for opens made `way` ("cold", "list"), of articles of `kind`
        ("short", "long"; any when empty)."""
        return [t for o in opens for t, k in zip(o[key], o["kinds"], strict=True)
                if k.split()[0] == way and (not kind or k.split()[1] == kind)]

    opened = _spread(pick("open_times_s", "cold"))
    from_list = _spread(pick("open_times_s", "list"))
    long_opened = _spread(pick("open_times_s", "cold", "long"))
    long_whole = _spread(pick("whole_s", "cold", "long"))
    cold_cpu = _spread(pick("open_cpu_s", "cold"))
    whole_cpu = _spread(pick("whole_cpu_s", "cold"))

    def med(runs: list[dict[str, float]], key: str) -> float:
        return median([r[key] for r in runs])

    result: dict[str, Any] = {
        "articles": args.articles,
        "repeat": args.repeat,
        "db_mb": round(db.stat().st_size / 1e6, 1),
        "build_s": build_s,
        "load_avg": os.getloadavg(),
        "bench_parent_maxrss_mb": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "first_paint_s": median([p["first_paint_s"] for p in paints]),
        "first_paint_cpu_s": median([p["cpu_s"] for p in paints]),
        "peak_rss_mb": median([p["peak_rss_mb"] for p in paints]),
        "open_p50_s": opened["p50_s"], "open_p95_s": opened["p95_s"],
        "open_long_p50_s": long_opened["p50_s"], "open_long_p95_s": long_opened["p95_s"],
        "open_long_whole_p50_s": long_whole["p50_s"], "open_long_whole_p95_s": long_whole["p95_s"],
        "open_list_p50_s": from_list["p50_s"], "open_list_p95_s": from_list["p95_s"],
        "open_cpu_p50_s": cold_cpu["p50_s"], "open_cpu_p95_s": cold_cpu["p95_s"],
        "open_whole_cpu_p50_s": whole_cpu["p50_s"], "open_whole_cpu_p95_s": whole_cpu["p95_s"],
        "reader_rows": opens[0]["rows"],
        "search_words_p50_s": med(searches["words"], "p50_s"),
        "search_words_p95_s": med(searches["words"], "p95_s"),
        "search_facts_p50_s": med(searches["facts"], "p50_s"),
        "search_facts_p95_s": med(searches["facts"], "p95_s"),
        "next_unread_p95_s": med(nexts, "p95_s"),
        "runs": {"first_paint": paints, "open_article": opens, "search": searches,
                 "next_unread": nexts},
        "targets": TARGETS,
        "python": sys.version.split()[0],
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    rows = [(name, result[key], f"< {TARGETS[key]:g}",
             "ok" if result[key] < TARGETS[key] else "OVER") for name, key in (
        ("first paint (s)", "first_paint_s"), ("peak RSS (MB)", "peak_rss_mb"),
        ("open article p95 (s)", "open_p95_s"), ("search words p95 (s)", "search_words_p95_s"),
        ("search facts p95 (s)", "search_facts_p95_s"),
        ("next unread p95 (s)", "next_unread_p95_s"))]
    rows[1:1] = [("  process CPU to exit (s)", result["first_paint_cpu_s"], "", "")]
    rows[3:4] = [("open article p50 (s)", result["open_p50_s"], "", ""), rows[3],
                 ("  UI thread CPU p50 (s)", result["open_cpu_p50_s"], "", ""),
                 ("  UI thread CPU p95 (s)", result["open_cpu_p95_s"], "", ""),
                 ("  UI thread CPU, facts pane too p95 (s)", result["open_whole_cpu_p95_s"],
                  "", ""),
                 (f"  of {LONG_PARAGRAPHS} paragraphs p50 (s)", result["open_long_p50_s"], "", ""),
                 (f"  of {LONG_PARAGRAPHS} paragraphs p95 (s)", result["open_long_p95_s"], "", ""),
                 (f"  of {LONG_PARAGRAPHS}, facts pane too p50 (s)",
                  result["open_long_whole_p50_s"], "", ""),
                 ("from the list (previewed) p50 (s)", result["open_list_p50_s"], "", ""),
                 ("from the list (previewed) p95 (s)", result["open_list_p95_s"], "", ""),
                 ("search words p50 (s)", result["search_words_p50_s"], "", ""),
                 ("search facts p50 (s)", result["search_facts_p50_s"], "", "")]
    load = ", ".join(f"{x:.2f}" for x in result["load_avg"])
    print(f"{args.articles:,} articles, {result['db_mb']} MB, median of {args.repeat}; "
          f"load average {load}")
    print(table(["measure", "value", "target", ""], rows))
    print(f"wrote {write_json('tui_bench.json', result)}")


if __name__ == "__main__":
    main()
