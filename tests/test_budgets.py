"""Per-feed and per-source budgets: fetch.pages_per_feed spreads a feed's teaser pages over
runs (even runs where the feed answers 304), fetch.source_seconds skips a source that takes
too long, with one clear line, and the run goes on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from briefing import pipeline
from briefing.pipeline import run_fetch
from briefing.store import Store
from tests.conftest import quick_settings
from tests.feedgen import rss
from tests.httpserver import Route, TestServer

TEASERS = 120


def _page(i: int) -> bytes:
    paras = "".join(
        f"<p>The council of district {i} approved a ${k + 2}.4bn budget on Tuesday, with "
        f"{k + 18} per cent more for schools in ward {k} and 3,500 new posts, the mayor said "
        "in a statement.</p>" for k in range(6))
    return (f"<html><head><title>Budget {i}</title></head><body><article>"
            f"<h1>Budget {i}</h1>{paras}</article></body></html>").encode()


def _teasers(server: TestServer, n: int = TEASERS) -> str:
    return "".join(
        f"<item><title>Budget {i} approved</title><link>{server.base}/page/{i}</link>"
        f"<guid>budget-{i}</guid><description>{escape(f'District {i} approved its budget.')}"
        "</description></item>" for i in range(n))


def _teaser_feed(server: TestServer) -> bytes:
    return ('<?xml version="1.0"?><rss version="2.0"><channel><title>Teasers</title>'
            f"<link>{server.base}/</link><description>t</description>{_teasers(server)}"
            "</channel></rss>").encode()


def _page_hits(server: TestServer) -> dict[str, int]:
    return {p: n for p, n in server.hits.items() if p.startswith("/page/")}


def test_pages_per_feed_spreads_teaser_pages_over_runs(server: TestServer,
                                                       db_file: Path) -> None:
    """Pages put off are fetched by the next runs, also when the run's other feeds (asked
    first, and answering 304) have none."""
    for i in range(TEASERS):
        server.add(f"/page/{i}", Route(_page(i), headers={"Content-Type": "text/html"}))
    url = server.add("/teasers.xml", Route(_teaser_feed(server), etag='"t1"'))
    others = [server.add(f"/plain{k}.xml", Route(
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>P</title></channel></rss>',
        etag=f'"p{k}"')) for k in range(3)]
    settings = quick_settings(connect=10, read=30, total=60, pages_per_feed=50)
    store = Store(db_file)
    assert run_fetch(settings, store, others).failed == []

    first = run_fetch(settings, store, [*others, url])
    assert first.failed == [] and first.added == TEASERS  # the other 70 stored as teasers
    assert len(_page_hits(server)) == 50
    texts = [art.text for a in store.known_hashes(url) if (art := store.get_article(a))]
    assert sum(len(t) > 200 for t in texts) == 50

    second = run_fetch(settings, store, [*others, url])
    assert second.not_modified == 4 and second.failed == []
    assert server.hits["/teasers.xml"] == 2
    assert len(_page_hits(server)) == 100
    assert second.updated == 50

    third = run_fetch(settings, store, [url])
    assert third.not_modified == 1 and third.updated == 20
    fourth = run_fetch(settings, store, [url])
    assert fourth.updated == 0
    hits = _page_hits(server)
    assert len(hits) == TEASERS and set(hits.values()) == {1}, "a page was fetched twice"
    full = [store.get_article(a) for a in store.known_hashes(url)]
    assert all(a is not None and "3,500 new posts" in a.text for a in full)
    assert store.count_articles() == TEASERS


def test_pages_per_feed_zero_keeps_every_teaser(server: TestServer, db_file: Path) -> None:
    server.add("/page/0", Route(_page(0), headers={"Content-Type": "text/html"}))
    url = server.add("/teasers.xml", Route(_teaser_feed(server), etag='"t1"'))
    store = Store(db_file)
    report = run_fetch(quick_settings(connect=10, read=30, total=60, pages_per_feed=0), store,
                       [url])
    assert report.failed == [] and report.added == TEASERS
    assert _page_hits(server) == {}


def test_a_source_over_source_seconds_is_skipped_and_the_run_goes_on(
        server: TestServer, tmp_path: Path) -> None:
    good = server.add("/good.xml", rss(2))
    slow = server.add("/slow.xml", Route(stall=True))  # accepts, never answers
    cfg = tmp_path / "config.toml"
    # The read timeout is far longer than the budget: only the budget can end the wait.
    cfg.write_text("[fetch]\nsource_seconds = 8\nread_timeout = 120\ntotal_timeout = 300\n")
    db = tmp_path / "b.db"
    proc = subprocess.run(
        [sys.executable, "-m", "briefing", "--db", str(db), "--config", str(cfg), "fetch",
         good, slow, "--no-extract"], capture_output=True, text=True, timeout=240)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"briefing: {slow}: took longer than source_seconds=8; skipped"]
    assert "Traceback" not in proc.stderr
    store = Store(db)
    assert len(store.known_hashes(good)) == 2
    assert store.known_hashes(slow) == {}


def test_a_big_feed_goes_to_the_workers_in_slices(server: TestServer, db_file: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # Every feed counts as big here, and a slice is 4 items: 25 full items and 10 teasers
    # make 9 slices, and the page budget is shared by all of them.
    monkeypatch.setattr(pipeline, "STREAM_BYTES", 0)
    monkeypatch.setattr(pipeline, "STREAM_ITEMS", 4)
    for i in range(10):
        server.add(f"/page/{i}", Route(_page(i), headers={"Content-Type": "text/html"}))
    full = rss(25, base=server.base, prefix="full").split(b"</channel>")[0]
    url = server.add("/big.xml", full + _teasers(server, 10).encode() + b"</channel></rss>")
    settings = quick_settings(connect=10, read=30, total=60, pages_per_feed=3)
    store = Store(db_file)
    first = run_fetch(settings, store, [url])
    assert first.failed == [] and first.added == 35
    assert len(_page_hits(server)) == 3
    second = run_fetch(settings, store, [url])  # no ETag: the feed is read again
    assert second.failed == [] and second.added == 0 and second.unchanged == 35
    assert second.updated == 3 and len(_page_hits(server)) == 6
    assert store.count_articles() == 35


def test_a_feed_of_thousands_of_teasers_queues_a_bounded_number_of_pages(
        server: TestServer, tmp_path: Path) -> None:
    # Every teaser past fetch.pages_per_feed was queued for a later run, without bound: a
    # feed of 100,000 teasers queued 100,000 pages, most of which would wait for years.
    import os
    import sqlite3

    from briefing.store.store import PENDING_PER_SOURCE

    n = PENDING_PER_SOURCE + 200
    feed = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Teasers</title>'
            f"<link>{server.base}/</link><description>t</description>{_teasers(server, n)}"
            "</channel></rss>").encode()
    url = server.add("/many.xml", Route(feed, etag='"m1"'))  # its pages answer 404
    db = tmp_path / "b.db"

    def fetch() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "briefing", "--db", str(db), "fetch", url],
                              capture_output=True, text=True, timeout=600, env={**os.environ})

    def queued() -> list[str]:
        with sqlite3.connect(db) as conn:
            rows = [r[0] for r in conn.execute("SELECT url FROM pending_pages ORDER BY rowid")]
        conn.close()
        return rows

    first = fetch()
    assert first.returncode == 0, first.stderr
    lines = first.stderr.splitlines()
    assert len(lines) == 1 and url in lines[0] and "150 teaser pages" in lines[0], lines
    assert f"{PENDING_PER_SOURCE:,}" in lines[0]
    # 50 pages tried this run; of the rest, the items the feed lists first wait.
    pending = queued()
    assert pending == [f"{server.base}/page/{i}" for i in range(50, 50 + PENDING_PER_SOURCE)]
    with Store(db) as store:
        assert store.count_articles() == n  # every teaser stays stored
    second = fetch()  # the feed answers 304; the queue's 50 oldest are tried
    assert second.returncode == 0 and second.stderr == "", second.stderr
    assert queued() == pending[50:]


def test_the_page_queue_drops_the_pages_waiting_longest(db_file: Path) -> None:
    with Store(db_file) as store:
        a = [(f"a{i}", f"https://a.example/{i}") for i in range(5)]
        b = [(f"b{i}", f"https://b.example/{i}") for i in range(3)]
        assert store.add_pending_pages("https://a.example/rss", a[:2], per_source=3,
                                       total=4) == 0
        # Three of a's five fit: the first of this batch, then the oldest go.
        assert store.add_pending_pages("https://a.example/rss", a[2:], per_source=3,
                                       total=4) == 2
        assert [aid for aid, _ in store.pending_pages("https://a.example/rss", 10)] == \
            ["a2", "a3", "a4"]
        # Past the total the oldest go, whichever source they came from.
        assert store.add_pending_pages("https://b.example/rss", b, per_source=3,
                                       total=4) == 2
        assert [aid for aid, _ in store.pending_pages("https://a.example/rss", 10)] == ["a4"]
        assert [aid for aid, _ in store.pending_pages("https://b.example/rss", 10)] == \
            ["b0", "b1", "b2"]


def _queued(db: Path) -> list[str]:
    import sqlite3

    with sqlite3.connect(db) as conn:
        rows = [r[0] for r in conn.execute("SELECT url FROM pending_pages ORDER BY rowid")]
    conn.close()
    return rows


def test_pages_per_feed_zero_queues_no_page(server: TestServer, tmp_path: Path) -> None:
    # With 0 every teaser page was still queued for a later run that would never fetch it
    # (each run takes 0 from the queue), and past 1,000 a feed had a line every run about
    # pages that "will not get their full text".
    import os

    from briefing.store.store import PENDING_PER_SOURCE

    n = PENDING_PER_SOURCE + 20
    feed = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Teasers</title>'
            f"<link>{server.base}/</link><description>t</description>{_teasers(server, n)}"
            "</channel></rss>").encode()
    url = server.add("/many.xml", Route(feed, etag='"z1"'))
    cfg = tmp_path / "config.toml"
    cfg.write_text("[fetch]\npages_per_feed = 0\n")
    db = tmp_path / "z.db"
    for _run in range(2):  # the second: the feed answers 304
        proc = subprocess.run(
            [sys.executable, "-m", "briefing", "--db", str(db), "--config", str(cfg), "fetch",
             url], capture_output=True, text=True, timeout=600, env={**os.environ})
        assert proc.returncode == 0 and proc.stderr == "", proc.stderr
        assert _queued(db) == []
    assert _page_hits(server) == {}
    with Store(db) as store:
        assert store.count_articles() == n  # every teaser stored as it is


def test_pages_per_feed_zero_queues_no_page_of_a_big_feed(
        server: TestServer, db_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "STREAM_BYTES", 0)  # every feed is read in slices
    monkeypatch.setattr(pipeline, "STREAM_ITEMS", 4)
    url = server.add("/big.xml", _teaser_feed(server))
    store = Store(db_file)
    report = run_fetch(quick_settings(connect=10, read=30, total=60, pages_per_feed=0), store,
                       [url])
    assert report.failed == [] and report.added == TEASERS
    store.close()
    assert _queued(db_file) == [] and _page_hits(server) == {}
