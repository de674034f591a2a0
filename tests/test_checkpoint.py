"""Checkpoints beside the writer (briefing.store.checkpoint): during a fetch the WAL is copied
back into the database by a thread of its own, never inside the writer's commits, and closing
the store waits for the last one, leaving no WAL behind and every row in the file."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

from briefing.pipeline import run_fetch
from briefing.store import Store
from briefing.store.checkpoint import Checkpointer
from briefing.store.store import CHECKPOINT_PAGES, WAL_BOUND_PAGES
from tests.conftest import quick_settings
from tests.feedgen import rss
from tests.httpserver import Route, TestServer

WAIT = 60.0  # seconds: the longest a checkpoint may take on a loaded machine


def _wal_pages(path: Path) -> tuple[int, int]:
    """(frames in the WAL, frames copied back) as a checkpoint by another connection sees
    them; (0, 0) without a WAL."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        _busy, log, done = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return max(log, 0), max(done, 0)
    finally:
        conn.close()


def _autocheckpoint(store: Store) -> int:
    return int(store.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0])


def _write_rows(store: Store, n: int) -> None:
    for i in range(n):
        with store.write() as c:
            c.execute("INSERT INTO sources (url, kind) VALUES (?, 'feed')",
                      (f"https://example.com/{time.monotonic_ns()}/{i}.xml",))


def test_inside_the_commits_leave_checkpoints_to_the_thread(db_file: Path) -> None:
    store = Store(db_file)
    try:
        assert _autocheckpoint(store) == CHECKPOINT_PAGES
        with store.checkpoints_beside():
            # Only a bound inside: the thread does the copying.
            assert _autocheckpoint(store) == WAL_BOUND_PAGES
            checkpointer = store._checkpointer
            assert checkpointer is not None
            version = store.data_version()
            _write_rows(store, 5)
            deadline = time.monotonic() + WAIT
            while checkpointer.runs == 0 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert checkpointer.runs >= 1
            # A checkpoint is no commit: the writer's memos (KeyIndex) stay valid.
            assert store.data_version() == version
        assert _autocheckpoint(store) == CHECKPOINT_PAGES
    finally:
        store.close()
    assert not checkpointer.alive
    # The last connection closed: the WAL copied back and removed, the rows in the file.
    assert not Path(f"{db_file}-wal").exists()
    conn = sqlite3.connect(str(db_file))
    assert conn.execute("SELECT count(*) FROM sources").fetchone()[0] == 5
    conn.close()


def test_the_last_checkpoint_runs_after_the_fetch_while_the_store_stays_open(
        db_file: Path) -> None:
    """The TUI keeps its store open between fetches: the thread's last checkpoint copies the
    whole WAL back without waiting for a close, and the next fetch starts a new thread."""
    store = Store(db_file)
    try:
        with store.checkpoints_beside():
            first = store._checkpointer
            _write_rows(store, 20)
        assert first is not None
        deadline = time.monotonic() + WAIT
        while first.alive and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not first.alive
        log, done = _wal_pages(db_file)
        assert log > 0 and done == log  # everything written is in the database file
        with store.checkpoints_beside():
            second = store._checkpointer
            assert second is not None and second is not first
            _write_rows(store, 3)
    finally:
        store.close()
    conn = sqlite3.connect(str(db_file))
    assert conn.execute("SELECT count(*) FROM sources").fetchone()[0] == 23
    conn.close()


def test_a_checkpoint_that_fails_ends_the_thread_quietly(tmp_path: Path) -> None:
    """A checkpoint that cannot run (here: the file is not a database) is logged at debug
    level, never raised: the frames wait for the next checkpoint, the writer's at close."""
    other = tmp_path / "not-a-database"
    other.write_bytes(b"this is not SQLite " * 512)
    checkpointer = Checkpointer(other, every=0.0)
    checkpointer.poke()
    checkpointer.join()
    assert checkpointer.runs == 0 and not checkpointer.alive


def test_a_fetch_leaves_its_rows_in_the_database_file(db_file: Path, server: TestServer) -> None:
    """A real fetch over HTTP: every article stored, and after `close` no WAL left."""
    urls = [server.add(f"/c{i}.xml", Route(rss(6, base=server.base, prefix=f"c{i}")))
            for i in range(3)]
    store = Store(db_file)
    try:
        report = run_fetch(quick_settings(connect=30, read=30, total=120), store, urls,
                           now=datetime(2026, 6, 10, 12, 0, tzinfo=UTC))
        assert not report.failed and report.added == 18
    finally:
        store.close()
    assert not Path(f"{db_file}-wal").exists()
    conn = sqlite3.connect(str(db_file))
    try:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 18
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
