"""The part of a cron cycle spent on feeds that did not change (issue 19): a run where every
feed answers 304 starts no worker process, keeps its connections alive, looks each host up
once, and records every feed's answer."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import sqlite3
import ssl
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpcore
import pytest

from bench.common import descendants
from briefing.cli.main import RECENT_RUNS
from briefing.config import Settings
from briefing.pipeline import POOL_THRESHOLD, run_fetch
from briefing.sources import wire
from briefing.sources.http import (
    Fetcher,
    FetchError,
    Resolver,
    _pinned,
    _PinnedBackend,
    shared_ssl_context,
)
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
            most = max(most, len(descendants(proc.pid)))
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
    # The cycles soon after one that brought articles start the fork server (and its
    # resource tracker) at once, betting on more (cli's _will_parse), but no worker: none is
    # forked until a body to parse comes.
    for _ in range(RECENT_RUNS):
        warm, warm_procs = _fetch_watching(db, cfg, urls)
        assert (warm["added"], warm["failed"], warm["sources_ok"]) == (0, [], N_FEEDS)
        assert 1 <= warm_procs <= 2
    # After RECENT_RUNS cycles that brought nothing, nothing is started at all.
    again, again_procs = _fetch_watching(db, cfg, urls)
    assert (again["added"], again["failed"], again["sources_ok"]) == (0, [], N_FEEDS)
    assert again_procs == 0


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


def _get_all(settings: Settings, urls: list[str], resolver: Resolver, *,
             trusted: str | None) -> list[int | str]:
    """Each URL in turn through one Fetcher: its status, or the reason it failed."""
    async def go() -> list[int | str]:
        out: list[int | str] = []
        async with Fetcher(settings.fetch, resolver=resolver) as fetcher:
            for url in urls:
                try:
                    out.append((await fetcher.get(url, trusted=trusted)).status)
                except FetchError as exc:
                    out.append(str(exc))
        return out
    return asyncio.run(go())


def test_a_host_is_looked_up_once_and_still_checked_for_each_request(
        server: TestServer) -> None:
    # The resolver here is this test's own DNS (the test setup resolves no other name).
    port = server.httpd.server_address[1]
    for i in range(5):
        server.add(f"/feed{i}.xml", rss(1, base=server.base, prefix=f"feed{i}"))
    lookups: list[str] = []

    async def dns(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"]

    urls = [f"http://feeds.test:{port}/feed{i}.xml" for i in range(5)]
    assert _get_all(_settings(), urls, dns, trusted=urls[0]) == [200] * 5
    assert lookups == ["feeds.test"]
    # The address kept from the lookup is checked again for a request that does not trust
    # the host: refused, without another lookup.
    lookups.clear()

    async def go() -> list[str]:
        out: list[str] = []
        async with Fetcher(_settings().fetch, resolver=dns) as fetcher:
            await fetcher.get(urls[0], trusted=urls[0])
            for url in urls[1:3]:
                with pytest.raises(FetchError) as caught:
                    await fetcher.get(url)  # a stranger's link to the same host
                out.append(str(caught.value))
        return out

    refused = asyncio.run(go())
    assert lookups == ["feeds.test"]
    assert all(r.startswith("refused feeds.test (127.0.0.1): a loopback") for r in refused)
    assert server.hits.get("/feed1.xml") == 1 and server.hits.get("/feed2.xml") == 1


def test_a_failed_lookup_is_not_kept(server: TestServer) -> None:
    port = server.httpd.server_address[1]
    server.add("/feed.xml", rss(1, base=server.base))
    answers: list[list[str] | OSError] = [OSError("temporary failure"), ["127.0.0.1"]]

    async def flaky(host: str, port: int) -> list[str]:
        answer = answers.pop(0)
        if isinstance(answer, OSError):
            raise answer
        return answer

    url = f"http://feeds.test:{port}/feed.xml"
    got = _get_all(_settings(), [url, url], flaky, trusted=url)
    assert got[1] == 200 and "cannot resolve feeds.test" in str(got[0])


async def _seen_closed(stream: Any) -> bool:
    """Whether the pool's is-it-closed check sees the peer's close within a minute, then
    closes the stream."""
    deadline = time.monotonic() + 60
    closed = False
    while not closed and time.monotonic() < deadline:
        closed = bool(stream.get_extra_info("is_readable"))
        await asyncio.sleep(0.01)
    await stream.aclose()
    return closed


def test_a_kept_connection_the_server_closed_is_seen_as_closed() -> None:
    # httpcore asks each idle connection whether it is readable before reusing it (data or
    # the server's close waiting): the pinned stream answers from its own socket.
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    async def go() -> tuple[bool, bool]:
        token = _pinned.set({("127.0.0.1", port): ("127.0.0.1",)})
        try:
            stream = await _PinnedBackend().connect_tcp("127.0.0.1", port, timeout=30)
        finally:
            _pinned.reset(token)
        conn, _ = listener.accept()  # already queued by the kernel: does not wait
        idle = bool(stream.get_extra_info("is_readable"))
        conn.close()
        closed = await _seen_closed(stream)
        return idle, closed

    try:
        assert asyncio.run(go()) == (False, True)
    finally:
        listener.close()


# What a run with nothing new must not import: the parsers, the tagger, story grouping and
# what they bring (each tens of milliseconds, numpy and the language model more).
HEAVY = ("feedparser", "trafilatura", "lxml", "numpy", "py3langid", "sqlite_utils",
         "briefing.tagger", "briefing.stories", "briefing.signatures", "briefing.clean",
         "rich", "pygments")


def test_a_run_where_every_feed_answers_304_imports_nothing_heavy(server: TestServer,
                                                                  tmp_path: Path) -> None:
    urls = _feeds(server, 3)
    db = tmp_path / "light.db"
    store = Store(db)
    assert run_fetch(_settings(), store, urls).added == 6
    store.close()
    seen = tmp_path / "modules.json"
    code = ("import json, sys\n"
            "from briefing.cli.main import cli\n"
            "try:\n"
            "    cli.main(args=sys.argv[1:], prog_name='briefing')\n"
            "except SystemExit as exc:\n"
            "    status = exc.code\n"
            f"open({str(seen)!r}, 'w').write(json.dumps([status, sorted(sys.modules)]))\n")
    proc = subprocess.run([sys.executable, "-c", code, "--db", str(db), "fetch", *urls,
                           "--json"], capture_output=True, text=True, timeout=120)
    status, loaded = json.loads(seen.read_text())
    assert status == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout)["not_modified"] == 3
    heavy = sorted(m for m in loaded for name in HEAVY if m == name or m.startswith(name + "."))
    assert heavy == []


def _fetched_since(db: Path, stamp: str) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return int(conn.execute("SELECT count(*) FROM sources WHERE last_fetched > ?",
                                (stamp,)).fetchone()[0])
    finally:
        conn.close()


@pytest.mark.slow
def test_a_run_of_304s_killed_halfway_keeps_what_it_committed(
        server: TestServer, tmp_path: Path, kill_on_exit: list[subprocess.Popen[str]]) -> None:
    # The 304s' records share transactions (see pipeline._writer): a kill loses at most the
    # open one, never half of it, and never what was committed before.
    n = 40
    urls = _feeds(server, n, delay=0.1)
    db, cfg = tmp_path / "killed.db", tmp_path / "config.toml"
    cfg.write_text("[fetch]\nper_host = 2\nconcurrency = 2\nconnect_timeout = 30\n"
                   "read_timeout = 30\ntotal_timeout = 60\n")
    store = Store(db)
    assert run_fetch(_settings(), store, urls, now=_at("2026-01-01T00:00:00")).added == 2 * n
    store.close()
    old = "2026-01-01T00:00:00+00:00"
    proc = subprocess.Popen(
        [sys.executable, "-m", "briefing", "--db", str(db), "--config", str(cfg), "fetch",
         *urls, "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True,
        start_new_session=True)
    kill_on_exit.append(proc)
    deadline = time.monotonic() + 120
    seen = 0
    while seen < 4 and proc.poll() is None and time.monotonic() < deadline:
        seen = _fetched_since(db, old)
        time.sleep(0.02)
    assert proc.poll() is None, "the run ended before it could be killed"
    proc.kill()
    proc.wait(timeout=60)
    conn = sqlite3.connect(str(db), timeout=30)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = conn.execute("SELECT last_status, last_fetched, etag FROM sources").fetchall()
    finally:
        conn.close()
    kept = [r for r in rows if r[1] > old]
    assert seen <= len(kept) < n
    assert all(status == 304 for status, _, _ in kept)
    assert all(status == 200 for status, fetched, _ in rows if fetched == old)
    assert all(etag for _, _, etag in rows)
    # The next run takes up where the killed one stopped: every feed still answers 304.
    again = run_fetch(_settings(), Store(db), urls)
    assert (again.not_modified, again.added, again.failed) == (n, 0, [])


def test_each_source_is_read_from_the_database_once_a_run(server: TestServer,
                                                          db_file: Path) -> None:
    urls = _feeds(server, 5)
    store = Store(db_file)
    for url in urls:
        store.add_source(url)
    run_fetch(_settings(), store, [])
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        named = run_fetch(_settings(), store, urls)  # the feeds named, as arguments
        subscribed = statements[:]
        statements.clear()
        cron = run_fetch(_settings(), store, [])  # every subscribed feed, as cron runs it
    finally:
        store.conn.set_trace_callback(None)
    assert named.not_modified == cron.not_modified == 5

    def reads(sql: list[str]) -> int:
        return sum(s.startswith("SELECT * FROM sources WHERE url") for s in sql)

    assert reads(subscribed) == 1  # all five in one statement, when the run is planned
    assert reads(statements) == 0  # the list of subscriptions has them already


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl not on PATH: no certificate for a local TLS server")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=120)
    return key, cert


def _tls_server(tmp_path: Path) -> tuple[ssl.SSLContext, Path]:
    """A server context with a fresh self-signed certificate for 127.0.0.1, and the
    certificate (what a client trusting it loads)."""
    key, cert = _self_signed(tmp_path)
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    return server_ctx, cert


def test_a_kept_tls_connection_the_server_closed_is_seen_as_closed(tmp_path: Path) -> None:
    server_ctx, cert = _tls_server(tmp_path)
    client_ctx = ssl.create_default_context(cafile=str(cert))
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    close_now = threading.Event()

    def serve() -> None:
        conn, _ = listener.accept()
        with server_ctx.wrap_socket(conn, server_side=True) as tls:
            tls.recv(5)
            tls.sendall(b"hello")
            close_now.wait(120)
            tls.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()

    async def go() -> tuple[bool, bool, bool]:
        token = _pinned.set({("127.0.0.1", port): ("127.0.0.1",)})
        try:
            plain = await _PinnedBackend().connect_tcp("127.0.0.1", port, timeout=60)
        finally:
            _pinned.reset(token)
        stream = await plain.start_tls(client_ctx, "127.0.0.1", timeout=60)
        encrypted = stream.get_extra_info("ssl_object") is not None
        # One exchange first, as a kept connection has had: TLS 1.3 servers send session
        # tickets after the handshake, which the first read takes in.
        await stream.write(b"ping!", timeout=60)
        assert await stream.read(5, timeout=60) == b"hello"
        idle = bool(stream.get_extra_info("is_readable"))
        close_now.set()
        closed = await _seen_closed(stream)
        return encrypted, idle, closed

    try:
        assert asyncio.run(go()) == (True, False, True)
    finally:
        close_now.set()
        thread.join(60)
        listener.close()


def test_connections_to_more_hosts_than_fetched_at_once_are_kept(tmp_path: Path) -> None:
    # Found: httpcore's pool closes every idle connection once it holds more connections
    # than max_keepalive_connections, counting busy ones too (encode/httpcore#1000): with
    # `concurrency` kept and twice that allowed, feeds spread over more hosts than
    # `concurrency` opened a new connection for almost every 304 (~1 ms of CPU each).
    servers = [TestServer() for _ in range(4)]
    try:
        urls = [s.add("/feed.xml", Route(rss(1, base=s.base), etag='"e"')) for s in servers]
        settings = quick_settings(connect=30, read=30, total=60, concurrency=2, per_host=1)

        async def rounds() -> list[int]:
            opened: list[int] = []
            async with Fetcher(settings.fetch) as fetcher:
                await asyncio.gather(*(fetcher.get(u, trusted=u) for u in urls))
                for _ in range(3):
                    before = sum(s.connections for s in servers)
                    got = await asyncio.gather(*(fetcher.get(u, etag='"e"', trusted=u)
                                                 for u in urls))
                    assert [r.status for r in got] == [304] * len(urls)
                    opened.append(sum(s.connections for s in servers) - before)
            return opened

        assert asyncio.run(rounds()) == [0, 0, 0]
    finally:
        for s in servers:
            s.close()


def test_tls_connections_are_verified_kept_and_seen_closed(tmp_path: Path) -> None:
    # wire.py's pool over TLS: the certificate is verified (one that does not verify is a
    # connect error), a kept connection takes the next request, and the server's close is
    # seen before the connection would be used again.
    server_ctx, cert = _tls_server(tmp_path)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    accepted: list[int] = []
    close_now = threading.Event()

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            accepted.append(1)
            try:
                tls = server_ctx.wrap_socket(conn, server_side=True)
            except (ssl.SSLError, OSError):  # the client that refused our certificate
                conn.close()
                continue
            with tls:
                for _ in range(2):
                    data = b""
                    while b"\r\n\r\n" not in data:
                        data += tls.recv(65536)
                    tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                close_now.wait(120)

    threading.Thread(target=serve, daemon=True).start()
    timeouts = wire.Timeouts(connect=60, read=60, write=60)
    origin: wire.Key = (b"https", "127.0.0.1", port)

    async def go() -> tuple[str, list[bytes], bool, bool]:
        untrusted = wire.Pool(limit=2, make_ssl_context=shared_ssl_context)
        with pytest.raises(httpcore.ConnectError) as refused:
            await untrusted.connection(origin, ["127.0.0.1"], timeouts)
        trusting = ssl.create_default_context(cafile=str(cert))
        pool = wire.Pool(limit=2, make_ssl_context=lambda: trusting)
        bodies: list[bytes] = []
        conns: list[wire.Connection] = []
        for path in (b"/a", b"/b"):
            conn = await pool.connection(origin, ["127.0.0.1"], timeouts)
            head = await conn.request(path, [(b"Host", b"127.0.0.1")], timeouts)
            assert head.status == 200
            bodies.append(b"".join([c async for c in conn.body(60)]))
            pool.release(conn)
            conns.append(conn)
        same = conns[0] is conns[1]
        alive = not conns[1].stream.dead()
        close_now.set()
        deadline = time.monotonic() + 60
        while not conns[1].stream.dead() and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        seen_closed = conns[1].stream.dead()
        pool.close()
        return str(refused.value), bodies, same and alive, seen_closed

    try:
        refused, bodies, kept, seen_closed = asyncio.run(go())
    finally:
        close_now.set()
        listener.close()
    assert "CERTIFICATE_VERIFY_FAILED" in refused
    assert bodies == [b"ok", b"ok"]
    assert kept and seen_closed
    assert len(accepted) == 2  # the refused one, then one for both requests


@pytest.mark.parametrize("concurrency,reopened", [(1, 1), (2, 0)])
def test_open_connections_stay_within_twice_the_requests_under_way(
        concurrency: int, reopened: int) -> None:
    # Twice `concurrency` connections at most, busy and idle together (as httpx's limits
    # were): with room for two, the third host's connection closes the least recently used
    # idle one, and the first host is connected to again.
    servers = [TestServer() for _ in range(3)]
    try:
        urls = [s.add("/feed.xml", rss(1, base=s.base)) for s in servers]
        settings = quick_settings(connect=30, read=30, total=60, concurrency=concurrency,
                                  per_host=1)

        async def go() -> None:
            async with Fetcher(settings.fetch) as fetcher:
                for url in [*urls, urls[0]]:
                    assert (await fetcher.get(url, trusted=url)).status == 200

        asyncio.run(go())
        assert [s.connections for s in servers] == [1 + reopened, 1, 1]
    finally:
        for s in servers:
            s.close()


def test_the_tls_certificates_are_loaded_only_for_a_tls_connection(
        server: TestServer, db_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run of plain-HTTP feeds never loads the CA bundle (the fetcher makes the TLS context
    at its first TLS connection); when it cannot be loaded, a TLS connection fails with one
    line saying so, before connecting."""
    from briefing.sources import http

    made: list[int] = []

    def counted() -> ssl.SSLContext:
        made.append(1)
        raise AssertionError("a plain-HTTP run made a TLS context")

    monkeypatch.setattr(http, "shared_ssl_context", counted)
    report = run_fetch(_settings(), Store(db_file), _feeds(server, 3))
    assert (report.failed, report.sources_ok, made) == ([], 3, [])

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)

    def broken() -> ssl.SSLContext:
        raise ssl.SSLError("no certificates in the bundle")

    async def go() -> str:
        pool = wire.Pool(limit=2, make_ssl_context=broken)
        with pytest.raises(httpcore.ConnectError) as failed:
            await pool.connection((b"https", "127.0.0.1", listener.getsockname()[1]),
                                  ["127.0.0.1"], wire.Timeouts(connect=10, read=10, write=10))
        return str(failed.value)

    try:
        message = asyncio.run(go())
        with pytest.raises(TimeoutError):
            listener.accept()  # nothing connected
    finally:
        listener.close()
    assert message.startswith("cannot load TLS certificates: ") and "\n" not in message
