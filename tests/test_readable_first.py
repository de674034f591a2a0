"""fetch.readable_first: articles stored readable and searchable first, tagged behind in the
same run; a run killed between the two phases is finished by the next `fetch` or `tag`."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from briefing import ingest, tag_behind
from briefing.config import Settings
from briefing.models import TAGGING_PENDING, Article
from briefing.pipeline import AFTER_STORE, run_fetch
from briefing.report import article_json
from briefing.store import Store
from briefing.tagger import TAGGER_VERSION
from tests.conftest import quick_settings
from tests.feedgen import BODY, rss
from tests.httpserver import Route, TestServer

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
ITEMS = 4
WAIT = 120.0  # seconds: the longest a step may take on a loaded machine before it is a hang


def _settings(readable_first: bool) -> Settings:
    settings: Settings = quick_settings(connect=30, read=30, total=60)
    settings.fetch.readable_first = readable_first
    return settings


def _feeds(server: TestServer, n: int) -> list[str]:
    """`n` feeds telling the same stories, every other one with one figure changed (so the
    stories carry disagreement flags too)."""
    urls = []
    for i in range(n):
        body = BODY if i % 2 else BODY.replace("$2.4bn", "$2.6bn")
        urls.append(server.add(f"/feed{i}.xml", Route(
            rss(ITEMS, base=server.base, prefix=f"feed{i}", body=body), etag=f'"f{i}"')))
    return urls


def _one_feed(server: TestServer) -> str:
    """One feed of 2 x ITEMS items, half of them with one figure changed: its articles are
    stored in one write, so its tagging can only come after that write's commit."""
    a = rss(ITEMS, base=server.base, prefix="a").decode()
    b = rss(ITEMS, base=server.base, prefix="b",
            body=BODY.replace("$2.4bn", "$2.6bn")).decode()
    body = a.replace("</channel>", b[b.index("<item>"):b.rindex("</channel>")] + "</channel>")
    return server.add("/feed.xml", Route(body.encode(), etag='"v1"'))


def _dump(db: Path) -> dict[str, Any]:
    """What `show --json` says of each article, and the stories as groups (a story's id is
    whichever member came first, which the order sources finish in decides)."""
    store = Store(db)
    try:
        articles = {}
        for aid in store.article_ids():
            art = store.get_article(aid)
            assert art is not None
            data = article_json(art)
            data.pop("fetched")  # the run's clock
            articles[aid] = data
        stories = sorted(
            (sorted(m.article_id for m in s.members), s.size, s.best_article,
             sorted([f.kind, f.text] for f in s.flags))
            for s in store.stories.listing())
        return {"articles": articles, "stories": json.loads(json.dumps(stories))}
    finally:
        store.close()


def _pending(db: Path) -> int:
    conn = sqlite3.connect(db, timeout=30)
    try:
        n: int = conn.execute("SELECT count(*) FROM articles WHERE tagger_version = ?",
                              (TAGGING_PENDING,)).fetchone()[0]
        return n
    finally:
        conn.close()


def test_readable_first_ends_as_tagging_at_once(server: TestServer, tmp_path: Path) -> None:
    urls = _feeds(server, 12)  # enough sources for worker processes
    at_once, behind = tmp_path / "at_once.db", tmp_path / "behind.db"
    for db, readable_first in ((at_once, False), (behind, True)):
        report = run_fetch(_settings(readable_first), Store(db), urls, now=NOW)
        assert (report.added, report.failed) == (12 * ITEMS, [])
    want, got = _dump(at_once), _dump(behind)
    assert any(size > 1 and flags for _m, size, _b, flags in want["stories"]), \
        "the feeds should make stories with copies and flags"
    assert all(a["facts"] and a["summary"] for a in want["articles"].values())
    assert got == want
    assert _pending(behind) == 0


def test_articles_past_the_memory_cap_are_read_back_for_tagging(
        server: TestServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = _one_feed(server)
    reference = tmp_path / "reference.db"
    assert run_fetch(_settings(False), Store(reference), [url], now=NOW).failed == []
    monkeypatch.setattr(tag_behind, "HELD", 1)  # one article kept in memory, the rest by id
    db = tmp_path / "capped.db"
    assert run_fetch(_settings(True), Store(db), [url], now=NOW).failed == []
    assert _pending(db) == 0
    assert _dump(db) == _dump(reference)


def test_an_undated_article_read_back_is_tagged_as_undated(
        server: TestServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An item without a date is stored dated by its fetch, which its tagging must not read
    "on Monday" by: read back from the database (past the memory cap, or after a killed
    run), it is still known to be undated, and tagged as when it stayed in memory."""
    undated = rss(ITEMS, base=server.base, body="The board met on Monday and ordered "
                  "cranes worth $2.4bn for the harbour.").decode()
    undated = "".join(part.split("</pubDate>", 1)[-1] if i else part
                      for i, part in enumerate(undated.split("<pubDate>")))
    url = server.add("/feed.xml", Route(undated.encode(), etag='"u1"'))
    reference = tmp_path / "reference.db"
    assert run_fetch(_settings(False), Store(reference), [url], now=NOW).failed == []
    monday = [f for a in _dump(reference)["articles"].values() for f in a["facts"]
              if f["kind"] == "date"]
    assert monday and all(f["value"] == "Monday" for f in monday)
    monkeypatch.setattr(tag_behind, "HELD", 0)  # every article read back from the database
    db = tmp_path / "capped.db"
    assert run_fetch(_settings(True), Store(db), [url], now=NOW).failed == []
    assert _dump(db) == _dump(reference)


def test_articles_are_readable_and_searchable_before_their_facts(
        server: TestServer, db_file: Path) -> None:
    url = server.add("/feed.xml", rss(ITEMS, base=server.base))
    seen: list[tuple[int, int, int, int]] = []

    def look(_store: Store, arts: Sequence[Article], _signatures: Any) -> None:
        # Called with each batch's tagging saved but not committed: what a reader (the TUI,
        # another process) sees at that moment.
        reader = Store(db_file)
        try:
            stored = [reader.get_article(a.id) for a in arts]
            found = {s.id for s in reader.search("Meridian", limit=100)}
            seen.append((len(arts), sum(1 for s in stored if s is not None),
                         sum(1 for s in stored if s is not None and s.id in found
                             and s.tagger_version == TAGGING_PENDING and not s.facts),
                         reader.count_articles()))
        finally:
            reader.close()

    report = run_fetch(_settings(True), Store(db_file), [url], now=NOW,
                       after_store=(*AFTER_STORE, look))
    assert (report.added, report.failed) == (ITEMS, [])
    assert seen and sum(n for n, *_ in seen) == ITEMS
    for n, stored, readable_untagged, count in seen:
        assert stored == readable_untagged == n and count == ITEMS
    store = Store(db_file)
    for summary in store.list_articles():
        art = store.get_article(summary.id)
        assert art is not None and art.facts and art.tagger_version == TAGGER_VERSION
        assert store.stories.story_id_of(art.id) is not None


# Run in a process of its own: fetch with readable_first, and stop for good inside the first
# write of the tagging (its transaction open, the articles' own committed), saying so in a file.
DRIVER = """
import sys, threading
from pathlib import Path
from briefing import tag_behind
from briefing.config import Settings
from briefing.pipeline import AFTER_STORE, run_fetch
from briefing.store import Store

db, marker, *urls = sys.argv[1:]
settings = Settings()
settings.fetch.readable_first = True

def stop(store, articles, signatures):
    Path(marker).write_text(str(len(articles)))
    threading.Event().wait()  # until killed

run_fetch(settings, Store(db), urls, after_store=(*AFTER_STORE, stop))
"""


def _wait_for(path: Path, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + WAIT
    while not path.exists():
        assert proc.poll() is None, f"the fetch ended ({proc.returncode}) before tagging"
        assert time.monotonic() < deadline, f"no tagging within {WAIT:g} s"
        time.sleep(0.05)


@pytest.mark.parametrize("finisher", ["fetch", "tag"])
def test_a_run_killed_between_its_phases_is_finished_by_the_next(
        server: TestServer, tmp_path: Path, finisher: str,
        kill_on_exit: list[subprocess.Popen[str]]) -> None:
    urls = [_one_feed(server)]
    reference = tmp_path / "reference.db"
    assert run_fetch(_settings(False), Store(reference), urls).failed == []

    db, marker, driver = tmp_path / "killed.db", tmp_path / "tagging", tmp_path / "driver.py"
    driver.write_text(DRIVER)
    proc = subprocess.Popen([sys.executable, str(driver), str(db), str(marker), *urls],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    kill_on_exit.append(proc)
    _wait_for(marker, proc)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=WAIT)

    # Killed between the phases: every article readable and searchable, none tagged.
    store = Store(db)
    assert store.count_articles() == 2 * ITEMS
    assert len(store.search("Meridian", limit=100)) == 2 * ITEMS
    assert _pending(db) == 2 * ITEMS
    assert store.stories.listing() == []
    store.close()
    # A reader listing stories meanwhile (which assigns what has none) leaves them be: a
    # story made without their facts would keep them once tagged.
    listed = subprocess.run([sys.executable, "-m", "briefing", "--db", str(db), "stories",
                             "--all", "--json"], capture_output=True, text=True, timeout=WAIT)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []

    # The next run (tagging at once, as configured by default; the feeds answer 304).
    args = ["fetch", *urls] if finisher == "fetch" else ["tag"]
    done = subprocess.run([sys.executable, "-m", "briefing", "--db", str(db), *args],
                          capture_output=True, text=True, timeout=WAIT)
    assert done.returncode == 0, done.stderr
    if finisher == "fetch":
        assert "0 added" in done.stdout and "1 not modified" in done.stdout
    assert _pending(db) == 0
    assert _dump(db) == _dump(reference)


class _HeldWorkers:
    """A tagging queue's workers for a test: each job runs (counted in `running`, its most
    in `peak`, its batch kept in `batches`) until `release` is set, and `full` is set once
    `full_at` run at once; writes run at once."""

    def __init__(self, full_at: int = 0) -> None:
        self.running = self.peak = 0
        self.full_at = full_at
        self.full = asyncio.Event()
        self.release = asyncio.Event()
        self.batches: list[list[str]] = []

    async def cpu(self, fn: Any, batch: Sequence[Article]) -> Any:
        self.batches.append([a.id for a in batch])
        self.running += 1
        self.peak = max(self.peak, self.running)
        if self.full_at and self.peak >= self.full_at:
            self.full.set()
        await self.release.wait()
        self.running -= 1
        return ingest.Tagging()

    @staticmethod
    async def write(fn: Any) -> Any:
        return fn()


def _stored_readable(n: int) -> list[Article]:
    """`n` articles as the first phase stores them: readable, their tagging pending."""
    from briefing.models import Paragraph

    return [Article(id=f"a{i}", url=f"https://a.example/{i}", source="https://a.example/feed",
                    title=f"t{i}", text="x", paragraphs=(Paragraph(0, "x"),),
                    tagger_version=TAGGING_PENDING) for i in range(n)]


def test_each_worker_has_a_batch_waiting_while_it_tags_one(tmp_path: Path) -> None:
    # The writer saves finished batches on the event loop (~50 ms each), and while it did, a
    # worker that had finished its one batch waited for the loop to hand it the next: workers
    # idled 35-40% of a cold fetch's tagging. Now IN_FLIGHT batches per worker are handed out.

    workers = 2
    store = Store(tmp_path / "t.db")
    arts = _stored_readable(tag_behind.BATCH * workers * (tag_behind.IN_FLIGHT + 1))

    async def scenario() -> int:
        held = _HeldWorkers(full_at=workers * tag_behind.IN_FLIGHT)
        behind = tag_behind.TagBehind(store, workers=workers, cpu=held.cpu, write=held.write,
                                      busy=lambda: 0, hooks=())
        behind.add(arts)
        behind.close()
        task = asyncio.create_task(behind.run())
        # Released at once if the queue never fills (the assertion below then says so).
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(held.full.wait(), WAIT / 4)
        held.release.set()
        await asyncio.wait_for(task, WAIT)
        return held.peak

    try:
        assert asyncio.run(scenario()) == workers * tag_behind.IN_FLIGHT
    finally:
        store.close()


def test_tagging_is_held_while_sources_run_and_written_once_they_end(
        server: TestServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tagging behind's writes touch the widest indexes (story keys, facts, tags), so they
    are not put in each short commit the sources make: while a source still runs they wait,
    up to TAGGING_COMMIT_SECONDS (here longer than the test), and are written once no source
    runs. The articles themselves are readable meanwhile."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from briefing import pipeline
    from tests.httpserver import held_feed

    monkeypatch.setattr(pipeline, "TAGGING_COMMIT_SECONDS", 600.0)
    tagged = threading.Event()
    real_tag = ingest.tag_articles

    def tag_articles(arts: Sequence[Article]) -> ingest.Tagging:
        result = real_tag(arts)
        tagged.set()
        return result

    # Fewer sources than POOL_THRESHOLD: the work runs in a thread of this process.
    monkeypatch.setattr(ingest, "tag_articles", tag_articles)
    quick = _feeds(server, 2)
    asked, answer = threading.Event(), threading.Event()
    slow = server.add("/slow.xml", held_feed(rss(ITEMS, base=server.base, prefix="slow"),
                                             asked, answer, WAIT))
    db = tmp_path / "held.db"
    try:
        with ThreadPoolExecutor(1) as pool:
            fetch = pool.submit(run_fetch, _settings(True), Store(db), [*quick, slow], now=NOW)
            deadline = time.monotonic() + WAIT
            with Store(db) as reader:
                while not (asked.is_set() and tagged.is_set()
                           and reader.count_articles() == 2 * ITEMS):
                    assert not fetch.done(), fetch.result()
                    assert time.monotonic() < deadline, "the quick feeds were not stored"
                    time.sleep(0.05)
                # Tagged in the worker, and several of the sources' commits' time later
                # (COMMIT_SECONDS each) still not written: the slow source is running.
                until = time.monotonic() + 4 * pipeline.COMMIT_SECONDS
                while time.monotonic() < until:
                    assert _pending(db) == 2 * ITEMS
                    assert len(reader.search("Meridian", limit=100)) == 2 * ITEMS
                    time.sleep(0.1)
            answer.set()
            report = fetch.result(timeout=WAIT)
    finally:
        answer.set()
    assert (report.added, report.failed) == (3 * ITEMS, [])
    assert _pending(db) == 0
    store = Store(db)
    for aid in store.article_ids():
        art = store.get_article(aid)
        assert art is not None and art.facts and art.tagger_version == TAGGER_VERSION
    store.close()


def test_while_sources_run_tagging_takes_only_the_idle_workers(tmp_path: Path) -> None:
    # Before the first phase ends, a tagging batch goes to a worker only when one would idle:
    # the feeds' cleaning is what makes articles readable. The batches one pass of the queue
    # hands out used to be counted only once their tasks started, so a pass handed out
    # workers * IN_FLIGHT batches ahead of the next feeds' cleaning.

    workers = 2
    store = Store(tmp_path / "t.db")
    arts = _stored_readable(tag_behind.BATCH * workers * tag_behind.IN_FLIGHT)

    async def scenario() -> tuple[int, int]:
        held = _HeldWorkers()
        # `busy` as the runner counts it: CPU jobs running or waiting.
        behind = tag_behind.TagBehind(store, workers=workers, cpu=held.cpu, write=held.write,
                                      busy=lambda: held.running, hooks=())
        behind.add(arts)  # the first phase: not closed
        task = asyncio.create_task(behind.run())
        for _ in range(20):  # passes of the loop, as the runner's other work gives it
            await asyncio.sleep(0)
        in_phase_one = held.peak
        behind.close()
        held.release.set()
        await asyncio.wait_for(task, WAIT)
        return in_phase_one, behind.tagged

    try:
        in_phase_one, tagged = asyncio.run(scenario())
        assert in_phase_one == workers
        assert tagged == len(arts)
    finally:
        store.close()


def test_once_sources_end_batches_grow_to_their_share_and_shrink_at_the_end(
        tmp_path: Path) -> None:
    # A trip to a worker has a cost of its own beside its tagging: once no source runs, a
    # batch takes the waiting articles' share of the workers' slots, up to BATCH_MAX (a cold
    # fetch of 20,000 items took 7% less time), and the last batches are small again, so no
    # worker idles at the end while another tags a big one. Before, while sources run,
    # batches stay at BATCH: a feed's cleaning waits behind at most one.
    workers = 2
    slots = workers * tag_behind.IN_FLIGHT
    store = Store(tmp_path / "t.db")
    before = _stored_readable(3 * tag_behind.BATCH)
    arts = _stored_readable(2 * tag_behind.BATCH_MAX * slots + 7)
    arts = [ingest.evolve(a, id=f"b{i}") for i, a in enumerate(arts)]

    async def scenario() -> _HeldWorkers:
        held = _HeldWorkers()
        held.release.set()
        behind = tag_behind.TagBehind(store, workers=workers, cpu=held.cpu, write=held.write,
                                      busy=lambda: held.running, hooks=())
        task = asyncio.create_task(behind.run())
        behind.add(before)  # the first phase
        for _ in range(20):
            await asyncio.sleep(0)
        behind.add(arts)
        behind.close()
        await asyncio.wait_for(task, WAIT)
        return held

    try:
        held = asyncio.run(scenario())
    finally:
        store.close()
    first = [b for b in held.batches if b[0].startswith("a")]
    later = [b for b in held.batches if b[0].startswith("b")]
    assert [len(b) for b in first] == [tag_behind.BATCH] * 3
    sizes = [len(b) for b in later]
    assert sizes[0] == tag_behind.BATCH_MAX
    assert sizes == sorted(sizes, reverse=True)  # each the share of what is left
    assert all(s <= tag_behind.BATCH for s in sizes[-slots:])
    assert min(sizes[:-1]) >= tag_behind.BATCH
    # Every article once, in the order stored.
    assert [aid for b in later for aid in b] == [a.id for a in arts]
