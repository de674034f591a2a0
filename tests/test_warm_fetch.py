"""The part of a cron cycle spent on feeds that did not change (issue 19): a run where every
feed answers 304 starts no worker process, keeps its connections alive, looks each host up
once, and records every feed's answer."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from bench.common import children
from briefing.config import Settings
from briefing.pipeline import POOL_THRESHOLD, run_fetch
from briefing.store import Store
from tests.conftest import quick_settings
from tests.feedgen import BODY, rss
from tests.httpserver import Route, TestServer

N_FEEDS = POOL_THRESHOLD + 2  # enough sources for a process pool


def _settings() -> Settings:
    # Every feed is on 127.0.0.1: the per-host limit is lifted to the global one. Timeouts
    # generous for a loaded machine: they are not what these tests are about.
    settings: Settings = quick_settings(connect=30, read=30, total=60, per_host=8,
                                        concurrency=8)
    return settings


def _feeds(server: TestServer, n: int = N_FEEDS, *, delay: float = 0.0) -> list[str]:
    return [server.add(f"/feed{i}.xml", Route(rss(2, base=server.base, prefix=f"feed{i}",
                                                   body=BODY), etag=f'"f{i}"', delay=delay))
            for i in range(n)]


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        for c in children(todo.pop()):
            found.append(c)
            todo.append(c)
    return found


def _fetch_watching(db: Path, cfg: Path, urls: list[str]) -> tuple[dict[str, object], int]:
    """`briefing fetch --json` in a subprocess: its report, and the most processes seen
    under it at once while it ran (the fork server, the resource tracker, the workers)."""
    cmd = [sys.executable, "-m", "briefing", "--db", str(db), "--config", str(cfg), "fetch",
           *urls, "--no-extract", "--json"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    most = 0
    deadline = time.monotonic() + 300
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            most = max(most, len(_descendants(proc.pid)))
            time.sleep(0.01)
        out, err = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err[-3000:]
    report: dict[str, object] = json.loads(out)
    return report, most


@pytest.mark.slow
def test_a_run_where_every_feed_answers_304_starts_no_worker(server: TestServer,
                                                             tmp_path: Path) -> None:
    # Found: every run of 12 or more feeds started the fork server and its workers (~1 s of
    # CPU, ~370 MB) before the first request, though a cron cycle of 304s parses nothing.
    # Each answer waits a little, so a pool started at any time during the run is seen.
    urls = _feeds(server, delay=0.2)
    db, cfg = tmp_path / "warm.db", tmp_path / "config.toml"
    cfg.write_text("[fetch]\nper_host = 8\nconcurrency = 8\nconnect_timeout = 30\n"
                   "read_timeout = 30\ntotal_timeout = 60\n")
    cold, cold_procs = _fetch_watching(db, cfg, urls)
    assert cold["added"] == 2 * N_FEEDS
    assert cold_procs >= 3, "the cold run's workers were not seen: the watch sees nothing"
    warm, warm_procs = _fetch_watching(db, cfg, urls)
    assert (warm["added"], warm["failed"], warm["sources_ok"]) == (0, [], N_FEEDS)
    assert warm_procs == 0


def test_a_changed_feed_among_304s_still_gets_its_workers(server: TestServer,
                                                         db_file: Path) -> None:
    urls = _feeds(server)
    store = Store(db_file)
    assert run_fetch(_settings(), store, urls).added == 2 * N_FEEDS
    changed = urls[5].removeprefix(server.base)
    server.add(changed, Route(rss(3, base=server.base, prefix="feed5", body=BODY),
                              etag='"f5-2"'))
    report = run_fetch(_settings(), store, urls)
    assert (report.added, report.not_modified, report.failed) == (1, N_FEEDS - 1, [])
    assert store.count_articles() == 2 * N_FEEDS + 1
    # Tagged behind in the same run, by the workers it started when the body came.
    assert store.tagging_pending_ids() == []
    src = store.get_source(urls[5])
    assert src is not None and src.etag == '"f5-2"'


def test_every_304_is_recorded(server: TestServer, db_file: Path) -> None:
    urls = _feeds(server)
    store = Store(db_file)
    run_fetch(_settings(), store, urls, now=_at("2026-06-01T08:00:00"))
    report = run_fetch(_settings(), store, urls, now=_at("2026-06-01T09:00:00"))
    assert report.not_modified == N_FEEDS
    store.close()
    # Read back through a fresh connection: what was committed, not what one connection saw.
    again = Store(db_file)
    for url in urls:
        src = again.get_source(url)
        assert src is not None
        assert (src.last_status, src.last_fetched) == (304, "2026-06-01T09:00:00+00:00")


def test_304s_keep_their_connection(server: TestServer, db_file: Path) -> None:
    # Found: a 304 was never read to its end, so httpcore closed its connection, and every
    # unchanged feed of a cron cycle paid a new TCP connection.
    urls = _feeds(server)
    settings = _settings()
    settings.fetch.concurrency = settings.fetch.per_host = 1  # one request at a time
    store = Store(db_file)
    run_fetch(settings, store, urls)
    before = server.connections
    report = run_fetch(settings, store, urls)
    assert report.not_modified == N_FEEDS
    assert server.connections - before == 1


def _at(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp + "+00:00")
