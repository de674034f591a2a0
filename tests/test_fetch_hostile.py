"""A hostile server against the Fetcher as issue 19 left it (the guarded transport without a
client, connections kept alive across feeds): replies no well-behaved server sends, from real
sockets on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import socket
import threading
import tracemalloc
import zlib
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from briefing.config import FetchSettings
from briefing.pipeline import run_fetch
from briefing.sources.http import Fetcher, FetchError, Response
from briefing.store import Store
from tests.conftest import quick_settings
from tests.httpserver import Route, SilentListener, TestServer

Handler = Callable[[socket.socket, int], None]


class RawServer:
    """A socket server on 127.0.0.1 whose replies are bytes written by hand, one thread a
    connection; `handler(conn, n)` gets the connection and its number (from 0)."""

    __test__ = False

    def __init__(self, handler: Handler) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.connections = 0
        self._handler = handler
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            n = self.connections
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn, n), daemon=True).start()

    def _serve(self, conn: socket.socket, n: int) -> None:
        with conn, contextlib.suppress(OSError):  # the client went away: nothing to do
            self._handler(conn, n)

    def close(self) -> None:
        self.sock.close()


def read_request(conn: socket.socket) -> bytes | None:
    """One request's head, or None once the client closed the connection."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    return data


def _settings(max_bytes: int = 20_000_000) -> FetchSettings:
    # Timeouts generous for a loaded machine: they are not what these tests are about.
    return FetchSettings(connect_timeout=60, read_timeout=60, total_timeout=120,
                         max_bytes=max_bytes)


def _get_each(settings: FetchSettings, urls: list[str], *, etag: str | None = None,
              ) -> list[Response | str]:
    """Each URL in turn through one Fetcher (the user named each): its response, or the
    reason it failed."""
    async def go() -> list[Response | str]:
        out: list[Response | str] = []
        async with Fetcher(settings) as fetcher:
            for url in urls:
                try:
                    out.append(await fetcher.get(url, trusted=url, etag=etag))
                except FetchError as exc:
                    out.append(str(exc))
        return out
    return asyncio.run(go())


def _zeros_gzipped(megabytes: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    return b"".join(packer.compress(block) for _ in range(megabytes)) + packer.flush()


def _serving(body: bytes, encoding: str) -> Handler:
    def handler(conn: socket.socket, n: int) -> None:
        while read_request(conn) is not None:
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Encoding: %s\r\nContent-Length: %d\r\n"
                         b"\r\n%s" % (encoding.encode(), len(body), body))
    return handler


@pytest.mark.parametrize("layers", [1, 2])
def test_a_gzip_bomb_is_never_inflated_far_past_the_cap(
        raw: Callable[[Handler], RawServer], layers: int) -> None:
    # 256 MB of zeros: ~250 KB gzipped once, ~1 KB gzipped twice. httpx inflates each chunk
    # it reads whole: once gzipped, ~64 MB a 64 KB read; twice, all 256 MB in one call,
    # before any cap could be checked (a 10 GB bomb of a few KB then took the machine).
    body = _zeros_gzipped(256)
    for _ in range(layers - 1):
        body = gzip.compress(body, 9)
    server = raw(_serving(body, ", ".join(["gzip"] * layers)))
    tracemalloc.start()
    try:
        got = _get_each(_settings(max_bytes=1_000_000), [server.base + "/bomb.xml"])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert got == ["body is over the 1,000,000-byte cap (decoded)"]
    assert peak < 16_000_000, f"{peak:,} bytes allocated for a 1 MB cap"


@pytest.mark.parametrize("encoding,encode", [
    ("gzip", gzip.compress),
    ("x-gzip", gzip.compress),
    ("deflate", zlib.compress),
    ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, as some servers send
    ("gzip, gzip", lambda b: gzip.compress(gzip.compress(b))),
    ("identity", lambda b: b),
    # Labelled with an encoding we never asked for, but plainly markup: read as sent.
    ("br", lambda b: b),
    ("zstd", lambda b: b),
])
def test_an_encoded_body_is_decoded_whole_and_still_capped(
        raw: Callable[[Handler], RawServer], encoding: str,
        encode: Callable[[bytes], bytes]) -> None:
    text = b"<rss><channel><title>T</title>" + b"<item>x</item>" * 20_000 + b"</channel></rss>"
    server = raw(_serving(encode(text), encoding))
    got = _get_each(_settings(), [server.base + "/feed.xml"])
    assert isinstance(got[0], Response) and got[0].body == text
    capped = _get_each(_settings(max_bytes=len(text) - 1), [server.base + "/feed.xml"])
    assert capped == [f"body is over the {len(text) - 1:,}-byte cap (decoded)"]


@pytest.mark.parametrize("encoding", ["br", "zstd", "BR", "gzip, br"])
def test_a_body_in_an_encoding_we_cannot_undo_is_named_as_such(
        raw: Callable[[Handler], RawServer], encoding: str) -> None:
    # Compressed bytes (what a real brotli or zstd body looks like to us) were passed to the
    # feed parser, which reported a syntax error in the XML.
    packed = bytes([0x1B, 0x8F, 0x00, 0xF8, 0x25, 0x19, 0x6E, 0xC3]) * 40
    body = gzip.compress(packed) if encoding.startswith("gzip") else packed
    server = raw(_serving(body, encoding))
    got = _get_each(_settings(), [server.base + "/feed.xml"])
    name = encoding.split(",")[-1].strip().lower()
    assert got == [f"the body is {name}-encoded, which was not asked for and cannot be "
                   "decoded (we accept gzip and deflate)"]


def test_a_plain_body_mislabelled_br_is_read_after_its_byte_order_mark(
        raw: Callable[[Handler], RawServer]) -> None:
    body = b"\xef\xbb\xbf\r\n  <rss><channel><title>T</title></channel></rss>"
    server = raw(_serving(body, "br"))
    got = _get_each(_settings(), [server.base + "/feed.xml"])
    assert isinstance(got[0], Response) and got[0].body == body


@pytest.mark.parametrize("cut", [1, 8, 20, 40])
def test_a_gzip_body_cut_short_is_one_clear_error(raw: Callable[[Handler], RawServer],
                                                  cut: int) -> None:
    # The truncated stream's text was stored as the whole feed, its item empty, and "ok".
    text = b"<rss><channel><title>T</title>" + b"<item>revenue rose 5%</item>" * 200 + \
        b"</channel></rss>"
    server = raw(_serving(gzip.compress(text)[:-cut], "gzip"))
    got = _get_each(_settings(), [server.base + "/feed.xml"])
    assert got == ["cannot decode the response body: the gzip stream is cut short (truncated)"]


def test_an_empty_gzip_body_is_an_empty_body(raw: Callable[[Handler], RawServer]) -> None:
    server = raw(_serving(b"", "gzip"))
    got = _get_each(_settings(), [server.base + "/feed.xml"])
    assert isinstance(got[0], Response) and got[0].body == b""


def test_a_body_that_is_not_what_its_encoding_says_is_one_clear_error(
        raw: Callable[[Handler], RawServer]) -> None:
    server = raw(_serving(b"<rss>not gzip at all</rss>", "gzip"))
    got = _get_each(_settings(), [server.base + "/feed.xml"])
    assert isinstance(got[0], str) and got[0].startswith("cannot decode the response body")


@pytest.mark.parametrize("not_modified", [
    b"HTTP/1.1 304 Not Modified\r\nETag: \"e\"\r\nContent-Length: 5\r\n\r\nhello",
    b"HTTP/1.1 304 Not Modified\r\nETag: \"e\"\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"5\r\nhello\r\n0\r\n\r\n",
])
def test_a_304_with_a_body_does_not_break_the_next_feed_on_its_host(
        raw: Callable[[Handler], RawServer], not_modified: bytes) -> None:
    # A 304 has no body whatever its headers say, so the bytes after it stay on the kept
    # connection and were read as the start of the next feed's answer ("illegal status line").
    def handler(conn: socket.socket, n: int) -> None:
        while (request := read_request(conn)) is not None:
            if b"If-None-Match" in request:
                conn.sendall(not_modified)
            else:
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

    server = raw(handler)
    got = _get_each(_settings(), [server.base + "/a.xml"], etag='"e"')
    assert isinstance(got[0], Response) and got[0].status == 304

    async def go() -> list[int]:
        async with Fetcher(_settings()) as fetcher:
            first = await fetcher.get(server.base + "/a.xml", trusted=server.base, etag='"e"')
            second = await fetcher.get(server.base + "/b.xml", trusted=server.base)
            assert second.body == b"ok"
            return [first.status, second.status]

    assert asyncio.run(go()) == [304, 200]


def test_a_server_closing_a_kept_connection_as_the_next_request_arrives(
        raw: Callable[[Handler], RawServer]) -> None:
    # Its keep-alive timeout ran out as our next request went out: it reads the request and
    # closes without a word. The next feed on that host must still be fetched.
    def handler(conn: socket.socket, n: int) -> None:
        if read_request(conn) is None:
            return
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        read_request(conn)  # the next request on this connection: dropped unanswered

    server = raw(handler)
    got = _get_each(_settings(), [server.base + f"/feed{i}.xml" for i in range(3)])
    assert [r.status if isinstance(r, Response) else r for r in got] == [200, 200, 200]


def test_a_server_that_never_answers_twice_still_fails_with_one_line(
        raw: Callable[[Handler], RawServer]) -> None:
    # The one resend is not a loop: a server that drops every request fails the feed.
    def handler(conn: socket.socket, n: int) -> None:
        read_request(conn)

    server = raw(handler)
    got = _get_each(_settings(), [server.base + "/feed.xml"])
    assert got == ["broken HTTP response: the server closed the connection without answering"]
    assert server.connections == 2


def test_feeds_queued_behind_a_slow_host_leave_other_hosts_alone() -> None:
    # Two requests at once in all, one a host: three feeds on a host that does not answer
    # yet, and one on another host. The queued feeds held both of the run's slots while they
    # waited for their host's, so the other host's feed waited for the slow ones' deadlines.
    release = threading.Event()
    server = TestServer()

    def held(h: BaseHTTPRequestHandler) -> None:
        release.wait(120)
        body = b"ok"
        h.send_response(200)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    for i in range(3):
        server.add(f"/slow{i}.xml", Route(handler=held))
    server.add("/fast.xml", b"ok")
    port = server.httpd.server_address[1]

    async def dns(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    async def go() -> list[str]:
        done: list[str] = []
        settings = FetchSettings(concurrency=2, per_host=1, connect_timeout=30,
                                 read_timeout=30, total_timeout=30)
        async with Fetcher(settings, resolver=dns) as fetcher:
            async def one(url: str) -> None:
                try:
                    await fetcher.get(url, trusted=url)
                    done.append(url.rsplit("/", 1)[1])
                except FetchError as exc:
                    done.append(f"{url.rsplit('/', 1)[1]}: {exc}")
                if url.endswith("fast.xml"):
                    release.set()
            await asyncio.gather(
                *(one(f"http://slow.test:{port}/slow{i}.xml") for i in range(3)),
                one(f"http://fast.test:{port}/fast.xml"))
        return done

    try:
        done = asyncio.run(go())
    finally:
        release.set()
        server.close()
    assert done[0] == "fast.xml"
    assert sorted(done[1:]) == ["slow0.xml", "slow1.xml", "slow2.xml"]


@pytest.mark.parametrize("location,reason", [
    ("http://[::1", "HTTP 302 redirect to an invalid URL: 'http://[::1'"),
    ("http://xn--/feed.xml", "invalid URL 'http://xn--/feed.xml': Malformed A-label, no "
                             "Punycode eligible content found"),
])
def test_a_redirect_to_a_url_no_parser_takes_is_one_fetch_error(
        location: str, reason: str) -> None:
    # urllib's ValueError and idna's IDNAError came out of the Fetcher as they were: the
    # pipeline's "internal error" instead of the reason.
    server = TestServer()
    try:
        url = server.add("/feed.xml", Route(status=302, headers={"Location": location}))
        assert _get_each(_settings(), [url]) == [reason]
    finally:
        server.close()


def test_a_teaser_link_no_url_parser_takes_keeps_the_feed(tmp_path: Path) -> None:
    # One item of a feed linking to "http://xn--/" failed the whole feed, every run: its
    # items were never stored.
    server = TestServer()
    try:
        page = "<p>" + "Full text of the second page, about the harbour and its berths. " * 30
        server.add("/page2", f"<html><body><article>{page}</p></article></body></html>")
        items = "".join(
            f"<item><title>Teaser {i} about the port</title><link>{link}</link>"
            f"<guid>g{i}</guid><description>A short teaser.</description></item>"
            for i, link in enumerate(["http://xn--/page", server.url("/page2")]))
        url = server.add("/feed.xml", '<?xml version="1.0"?><rss version="2.0"><channel>'
                         f"<title>T</title><link>{server.base}/</link><description>d"
                         f"</description>{items}</channel></rss>")
        settings = quick_settings(connect=60, read=60, total=120)
        store = Store(tmp_path / "b.db")
        try:
            report = run_fetch(settings, store, [url])
            assert (report.sources_ok, report.added, report.failed) == (1, 2, [])
            assert server.hits.get("/page2") == 1
        finally:
            store.close()
    finally:
        server.close()


# Attacks on the HTTP path of wire.py (h11 over an asyncio protocol, its own pool of kept
# connections): each must end in one line, and the host's other feeds must still be fetched.

def test_a_connection_reset_mid_body_is_one_line_and_the_next_feed_still_comes(
        raw: Callable[[Handler], RawServer]) -> None:
    def handler(conn: socket.socket, n: int) -> None:
        while (request := read_request(conn)) is not None:
            if b"/reset.xml" in request:
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 1000)
                # SO_LINGER 0: the close is a reset (RST), not an end of stream.
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00"
                                b"\x00\x00\x00\x00")
                return
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

    server = raw(handler)
    got = _get_each(_settings(), [server.base + "/reset.xml", server.base + "/ok.xml"])
    assert isinstance(got[0], str)
    assert got[0].startswith("connection broken while reading the response"), got[0]
    assert "\n" not in got[0]
    assert isinstance(got[1], Response) and got[1].body == b"ok"


def test_a_body_cut_short_by_a_close_is_a_broken_response(
        raw: Callable[[Handler], RawServer]) -> None:
    def handler(conn: socket.socket, n: int) -> None:
        if read_request(conn) is not None:
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 1000)

    server = raw(handler)
    got = _get_each(_settings(), [server.base + "/feed.xml"])
    assert isinstance(got[0], str) and got[0].startswith("broken HTTP response:"), got


def test_an_endless_header_stops_at_the_header_cap(raw: Callable[[Handler], RawServer]) -> None:
    # h11's cap on a response head (100 KB, as httpcore set it): a server sending a header
    # without end is refused there, not buffered until memory runs out.
    sent: list[int] = []

    def handler(conn: socket.socket, n: int) -> None:
        if read_request(conn) is None:
            return
        conn.sendall(b"HTTP/1.1 200 OK\r\nX-Big: ")
        total = 0
        while total < 50_000_000:  # the client's close ends this (a send error)
            conn.sendall(b"a" * 65536)
            total += 65536
            sent.append(total)

    server = raw(handler)
    got = _get_each(_settings(), [server.base + "/feed.xml"])
    assert isinstance(got[0], str) and got[0].startswith("broken HTTP response:"), got
    assert "\n" not in got[0]
    assert max(sent, default=0) < 50_000_000  # the client hung up long before


def test_a_server_dripping_its_head_is_cut_at_the_total_deadline(
        raw: Callable[[Handler], RawServer]) -> None:
    # Slowloris: a header line every 50 ms keeps each read under the read timeout, so only
    # the deadline for the whole answer ends it.
    stop = threading.Event()

    def handler(conn: socket.socket, n: int) -> None:
        if read_request(conn) is None:
            return
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        while not stop.wait(0.05):
            conn.sendall(b"X-Drip: 1\r\n")

    server = raw(handler)
    settings = FetchSettings(connect_timeout=60, read_timeout=60, total_timeout=2)
    try:
        got = _get_each(settings, [server.base + "/feed.xml"])
    finally:
        stop.set()
    assert got == ["no complete answer within 2 s"]


def test_a_redirect_to_the_cloud_metadata_address_is_refused() -> None:
    server = TestServer()
    try:
        url = server.add("/feed.xml", Route(status=302, headers={
            "Location": "http://169.254.169.254/latest/meta-data/"}))
        got = _get_each(_settings(), [url])
    finally:
        server.close()
    assert len(got) == 1 and isinstance(got[0], str)
    assert got[0].startswith("refused 169.254.169.254: a link-local address"), got


def test_a_big_body_comes_whole_through_the_protocols_flow_control(
        raw: Callable[[Handler], RawServer]) -> None:
    # More than the protocol buffers before it stops reading the socket (wire.HIGH_WATER),
    # sent chunked, then a second feed on the same connection.
    body = bytes(range(256)) * 12_000  # ~3 MB

    def handler(conn: socket.socket, n: int) -> None:
        while (request := read_request(conn)) is not None:
            if b"/big.xml" in request:
                conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                for i in range(0, len(body), 100_000):
                    part = body[i:i + 100_000]
                    conn.sendall(b"%x\r\n%s\r\n" % (len(part), part))
                conn.sendall(b"0\r\n\r\n")
            else:
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

    server = raw(handler)
    got = _get_each(_settings(), [server.base + "/big.xml", server.base + "/ok.xml"])
    assert isinstance(got[0], Response) and got[0].body == body
    assert isinstance(got[1], Response) and got[1].body == b"ok"
    assert server.connections == 1


def test_a_tls_handshake_never_answered_fails_at_the_connect_deadline() -> None:
    # The TCP connection is made (the kernel's backlog accepts it), the TLS hello never gets
    # an answer: the handshake counts against connect_timeout, not the whole answer's.
    listener = SilentListener()
    try:
        url = listener.url.replace("http://", "https://")
        settings = FetchSettings(connect_timeout=1, read_timeout=60, total_timeout=120)
        assert _get_each(settings, [url]) == ["could not connect within 1 s"]
    finally:
        listener.close()
