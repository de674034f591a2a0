"""wire.py (h11 over an asyncio protocol, a pool of kept connections) against servers that
break HTTP/1.1's rules on purpose: real sockets on 127.0.0.1, through the Fetcher (and, where
only wire.py can show it, its Stream). The first five were defects; each failed before its fix."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable
from pathlib import Path

import httpcore
import pytest

from briefing.config import FetchSettings
from briefing.exit_codes import ExitCode
from briefing.sources import wire
from briefing.sources.http import Fetcher, FetchError, Response
from tests.test_fetch_hostile import Handler, RawServer, read_request
from tests.test_warm_fetch import _tls_server


def _settings(**changes: object) -> FetchSettings:
    # Timeouts generous for a loaded machine: they are not what these tests are about.
    settings = FetchSettings(connect_timeout=60, read_timeout=60, total_timeout=120)
    for key, value in changes.items():
        setattr(settings, key, value)
    return settings


def _get_each(urls: list[str], settings: FetchSettings | None = None,
              ) -> list[Response | str]:
    """Each URL in turn through one Fetcher (the user named each): its response, or the
    one-line reason it failed. Any other exception escapes: that is a defect."""
    async def go() -> list[Response | str]:
        out: list[Response | str] = []
        async with Fetcher(settings or _settings()) as fetcher:
            for url in urls:
                try:
                    out.append(await fetcher.get(url, trusted=url))
                except FetchError as exc:
                    out.append(str(exc))
        return out
    return asyncio.run(go())


def _answering(*replies: bytes) -> Handler:
    """Reads requests on a connection and sends the replies in turn, then `replies[-1]`."""
    def handler(conn: socket.socket, n: int) -> None:
        i = 0
        while read_request(conn) is not None:
            conn.sendall(replies[min(i, len(replies) - 1)])
            i += 1
    return handler


def _redirecting_to(location: bytes) -> Handler:
    return _answering(b"HTTP/1.1 302 Found\r\nLocation: " + location
                      + b"\r\nContent-Length: 0\r\n\r\n")


OK = b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\ngenuine"


# Defects found (each test failed before its fix)


@pytest.mark.parametrize("port", [65536, 99999, 0])
def test_a_redirect_to_a_port_no_socket_has_is_one_clear_error(
        raw: Callable[[Handler], RawServer], port: int) -> None:
    # A feed redirecting to http://<a public host>:65536/ made Fetcher.get raise OverflowError
    # from the connect call (the run printed "internal error: OverflowError"), and port 0 was
    # read as "no port" and sent to port 80. allow_private stands in for a public address:
    # the hop passes the address check, as a public host's would.
    server = raw(_redirecting_to(b"http://127.0.0.1:%d/feed" % port))
    got = _get_each([server.base + "/"], _settings(allow_private=["127.0.0.1"]))
    assert got == [f"invalid URL 'http://127.0.0.1:{port}/feed': port {port} is out of range"]


def test_a_raw_deflate_body_whose_first_piece_is_one_byte_is_decoded(
        raw: Callable[[Handler], RawServer]) -> None:
    # "deflate" is zlib-wrapped by the standard and raw by some servers; the decoder told them
    # apart on the first piece it was given, and one byte is too short for zlib to object to,
    # so a raw body whose first chunk was one byte failed: "incorrect header check".
    text = b"<rss>" + b"hello world " * 500 + b"</rss>"
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = packer.compress(text) + packer.flush()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in (body[:1], body[1:]))
    server = raw(_answering(b"HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\n"
                              b"Transfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n"))
    [got] = _get_each([server.base + "/"])
    assert isinstance(got, Response), got
    assert got.body == text


def test_bytes_sent_before_the_tls_handshake_are_never_read_as_the_answer(
        tmp_path: Path) -> None:
    # Stream.start_tls kept what the socket had delivered before the handshake in the
    # protocol's buffer, and the first read after it returned those bytes: plaintext anyone
    # on the path could have written, taken as the HTTPS server's answer. The pool's connect
    # calls start_tls before the event loop reads the socket, so no run has hit it yet; the
    # wait below is what any future await between connect and start_tls would be.
    server_ctx, cert = _tls_server(tmp_path)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    sent = threading.Event()

    def handler() -> None:
        conn, _ = listener.accept()
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nINJECTED")
        sent.set()
        try:
            with server_ctx.wrap_socket(conn, server_side=True) as tls:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += tls.recv(65536)
                tls.sendall(OK)
        except (ssl.SSLError, OSError):  # the client that refused to go on
            conn.close()

    threading.Thread(target=handler, daemon=True).start()
    timeouts = wire.Timeouts(connect=60, read=60, write=60)

    async def go() -> bytes | str:
        stream = await wire.connect(["127.0.0.1"], port, 60)
        try:
            await asyncio.to_thread(sent.wait, 60)
            deadline = time.monotonic() + 60  # until the loop has read the server's bytes
            while not stream.dead() and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            try:
                await stream.start_tls(ssl.create_default_context(cafile=str(cert)),
                                       "127.0.0.1", 60)
            except httpcore.ConnectError as exc:
                return f"refused: {exc}"
            conn = wire.Connection((b"https", "127.0.0.1", port), stream)
            await conn.request(b"/", [(b"Host", b"127.0.0.1")], timeouts)
            return b"".join([c async for c in conn.body(60)])
        finally:
            stream.close()

    try:
        got = asyncio.run(go())
    finally:
        listener.close()
    assert got != b"INJECTED"
    assert got in (b"genuine", "refused: the server sent data before the TLS handshake")


def test_bytes_after_the_end_of_a_gzip_body_are_neither_kept_nor_counted_as_text(
        raw: Callable[[Handler], RawServer]) -> None:
    # The cap counts decoded bytes; past the gzip stream's end nothing decodes, and zlib kept
    # every further byte (unused_data), copying all of it again for each 64 KB read: 48 MB
    # after a 20-byte feed held ~48 MB and ~1 s of the event loop, 400 MB hit the total
    # deadline with no feed read.
    text = b"<rss>tiny</rss>"
    member = zlib.compressobj(9, zlib.DEFLATED, 31)
    gzipped = member.compress(text) + member.flush()
    block = bytes(1 << 20)

    def handler(conn: socket.socket, n: int) -> None:
        read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n" % (len(gzipped), gzipped))
        for _ in range(48):
            conn.sendall(b"%x\r\n%s\r\n" % (len(block), block))
        conn.sendall(b"0\r\n\r\n")

    server = raw(handler)
    tracemalloc.start()
    try:
        got = _get_each([server.base + "/"], _settings(max_bytes=1_000_000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [r.body if isinstance(r, Response) else r for r in got] == [text]
    assert peak < 16_000_000, f"{peak:,} bytes allocated for a 15-byte feed"


def test_a_gzip_body_of_several_members_is_decoded_whole(
        raw: Callable[[Handler], RawServer]) -> None:
    # RFC 1952 2.2: a gzip file is a series of members (what concatenating .gz files or a
    # streaming compressor gives). Only the first was decoded, and the rest of the feed was
    # dropped without a word.
    parts = [b"<rss><channel>", b"<item>one</item>" * 100, b"</channel></rss>"]
    body = b"".join(_gzip(p) for p in parts)
    server = raw(_answering(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n"
                              b"Content-Length: %d\r\n\r\n%s" % (len(body), body)))
    [got] = _get_each([server.base + "/"])
    assert isinstance(got, Response), got
    assert got.body == b"".join(parts)


def _gzip(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    return packer.compress(data) + packer.flush()


# What holds up (coverage wire.py's own tests lack)


def test_a_body_longer_than_its_content_length_never_answers_the_next_request(
        raw: Callable[[Handler], RawServer]) -> None:
    # Response smuggling: bytes past the declared length are a second response the next
    # request on the connection would read. The connection is dropped instead.
    smuggled = b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nSMUGGLED"
    server = raw(_answering(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" + smuggled,
                              OK))
    got = _get_each([server.base + "/a", server.base + "/b"])
    assert [r.body if isinstance(r, Response) else r for r in got] == [b"ok", b"ok"]
    assert server.connections == 2


def test_an_answer_pushed_onto_an_idle_kept_connection_is_not_the_next_feeds(
        raw: Callable[[Handler], RawServer]) -> None:
    pushed = threading.Event()

    def handler(conn: socket.socket, n: int) -> None:
        if read_request(conn) is None:
            return
        conn.sendall(OK)
        if n == 0:
            # Unasked, while the connection sits in the pool.
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nPUSHED")
            pushed.set()
        while read_request(conn) is not None:
            conn.sendall(OK)

    server = raw(handler)

    async def go() -> list[bytes]:
        async with Fetcher(_settings()) as fetcher:
            first = await fetcher.get(server.base + "/a", trusted=server.base)
            await asyncio.to_thread(pushed.wait, 60)
            # Until the pushed bytes have reached this end (a loaded machine may hold them in
            # the kernel a while): pushed while the next request is on its way, they would be
            # its answer by HTTP/1.1's own rules.
            kept = [c for idle in fetcher._pool._idle.values() for c in idle]
            deadline = time.monotonic() + 60
            while not all(c.stream.dead() for c in kept) and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            second = await fetcher.get(server.base + "/b", trusted=server.base)
        return [first.body, second.body]

    assert asyncio.run(go()) == [b"genuine", b"genuine"]
    assert server.connections == 2


def test_informational_answers_before_the_real_one_are_skipped_and_the_connection_kept(
        raw: Callable[[Handler], RawServer]) -> None:
    early = (b"HTTP/1.1 100 Continue\r\n\r\n" * 200
             + b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n")
    server = raw(_answering(early + OK))
    got = _get_each([server.base + "/a", server.base + "/b"])
    assert [r.body if isinstance(r, Response) else r for r in got] == [b"genuine"] * 2
    assert server.connections == 1


@pytest.mark.parametrize(("reply", "reason"), [
    (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n" + OK,
     "broken HTTP response: the server switched protocols (101) unasked"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nok",
     "broken HTTP response: an invalid Content-Length"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999999\r\n\r\nok",
     "broken HTTP response: an invalid Content-Length"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok",
     "broken HTTP response: conflicting Content-Length headers"),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
     "broken HTTP response: a Transfer-Encoding other than chunked"),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffffffff\r\nok",
     "broken HTTP response: bad chunked encoding"),
    (b"HTTP/2 200 OK\r\nContent-Length: 2\r\n\r\nok",
     "broken HTTP response: an HTTP/2 status line over an HTTP/1.1 connection"),
])
def test_a_response_that_breaks_http_framing_is_one_line(
        raw: Callable[[Handler], RawServer], reply: bytes, reason: str) -> None:
    server = raw(_answering(reply))
    assert _get_each([server.base + "/"]) == [reason]


def test_chunked_and_content_length_together_is_framed_by_the_chunks(
        raw: Callable[[Handler], RawServer]) -> None:
    # RFC 9112 6.3: Transfer-Encoding overrides Content-Length; the connection stays usable.
    server = raw(_answering(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
                              b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"))
    got = _get_each([server.base + "/a", server.base + "/b"])
    assert [r.body if isinstance(r, Response) else r for r in got] == [b"hello"] * 2
    assert server.connections == 1


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc to count fds")
def test_many_failing_fetches_leave_no_socket_open(
        raw: Callable[[Handler], RawServer]) -> None:
    def cut(conn: socket.socket, n: int) -> None:
        read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nabc")

    def garbage(conn: socket.socket, n: int) -> None:
        read_request(conn)
        conn.sendall(b"garbage\r\n\r\n")

    def stalls(conn: socket.socket, n: int) -> None:
        # Holds the request unanswered until the client gives up (its total deadline).
        read_request(conn)
        while conn.recv(65536):
            pass

    bomb = zlib.compress(bytes(20_000_000))
    servers = [raw(h) for h in (cut, garbage, stalls, _answering(
        b"HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"%x\r\n%s\r\n0\r\n\r\n" % (len(bomb), bomb)), _redirecting_to(b"/again"))]
    urls = [s.base + f"/{i}" for s in servers for i in range(4)]
    before = _open_fds()
    got = _get_each(urls, _settings(total_timeout=1, max_bytes=100_000))
    assert all(isinstance(r, str) for r in got), got
    # The servers' own sockets close as their handlers see the client's close.
    deadline = time.monotonic() + 60
    while _open_fds() > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _open_fds() <= before


def test_ctrl_c_mid_handshake_and_mid_body_is_exit_130_and_one_line(
        raw: Callable[[Handler], RawServer], tmp_path: Path) -> None:
    # Cancellation reaches wire.py inside loop.start_tls and inside a read's wait: the run
    # still stops with its own line and exit code, and no socket or task is left for the
    # interpreter to complain about at exit.
    hello = threading.Event()
    dripping = threading.Event()

    def no_handshake(conn: socket.socket, n: int) -> None:
        if conn.recv(65536):  # the ClientHello, never answered
            hello.set()
        while conn.recv(65536):
            pass

    def drip(conn: socket.socket, n: int) -> None:
        read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n<rss>")
        dripping.set()
        while True:  # until the client is gone (OSError, which RawServer takes)
            conn.sendall(b" ")
            time.sleep(0.2)

    tls, slow = raw(no_handshake), raw(drip)
    config = tmp_path / "config.toml"
    config.write_text("[fetch]\nconnect_timeout = 120\nread_timeout = 120\n"
                      "total_timeout = 240\n")
    cmd = [sys.executable, "-m", "briefing", "--db", str(tmp_path / "b.db"), "--config",
           str(config), "fetch", f"https://127.0.0.1:{tls.port}/feed", slow.base + "/feed",
           "--no-extract"]
    env = {**os.environ, "PYTHONWARNINGS": "always::ResourceWarning"}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        assert hello.wait(120) and dripping.wait(120), "the fetch never reached the servers"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == ExitCode.INTERRUPTED, err
    assert err.strip().splitlines() == [
        "briefing: interrupted; what was stored before it is kept"], err


@pytest.mark.parametrize(("location", "reason", "looked_up"), [
    (b"http://2130706433:8080/x",
     "refused 2130706433 (127.0.0.1): a loopback address", "2130706433"),
    (b"http://127.1:8080/x", "refused 127.1 (127.0.0.1): a loopback address", "127.1"),
    (b"//Sub.Example.TEST.:8080/x", "refused sub.example.test (127.0.0.1): a loopback address",
     "sub.example.test"),
    ("http://bücher.test:8080/x".encode(),
     "refused xn--bcher-kva.test (127.0.0.1): a loopback address", "xn--bcher-kva.test"),
    (b"http://[::1]:8080/x", "refused ::1: a loopback address", None),
    (b"http://[fe80::1%25eth0]:8080/x", "refused fe80::1%25eth0: a link-local address", None),
])
def test_a_redirect_hop_to_an_odd_spelling_of_an_internal_host_is_refused(
        raw: Callable[[Handler], RawServer], location: bytes, reason: str,
        looked_up: str | None) -> None:
    # Each hop's host as wire.py would connect to it: numbers the resolver reads as an
    # address, an IDN by its A-label, a name's case and trailing dot, an IPv6 literal.
    asked: list[str] = []

    async def resolver(host: str, port: int) -> list[str]:
        asked.append(host)
        return ["127.0.0.1"]

    server = raw(_redirecting_to(location))

    async def go() -> str:
        async with Fetcher(_settings(), resolver=resolver) as fetcher:
            with pytest.raises(FetchError) as refused:
                await fetcher.get(server.base + "/", trusted=server.base + "/")
        return str(refused.value)

    got = asyncio.run(go())
    assert got.startswith(reason + "; only hosts you name"), got
    assert asked == ([looked_up] if looked_up else [])


def test_no_answer_lands_in_another_feed_under_load_and_misbehaviour(
        raw: Callable[[Handler], RawServer]) -> None:
    # Five host names on one server, many requests at once over kept connections, and a
    # server that now and then resets, cuts a body short, stalls or closes after answering:
    # each answer that comes is the one for its own host and path (it echoes both).
    def handler(conn: socket.socket, n: int) -> None:
        rng = random.Random(n)  # the same misbehaviour on every run
        while (request := read_request(conn)) is not None:
            lines = request.split(b"\r\n")
            host = next(v for k, _, v in (h.partition(b":") for h in lines[1:])
                        if k.lower() == b"host").strip()
            body = host + b" " + lines[0].split(b" ")[1]
            roll = rng.random()
            if roll < 0.05:  # reset
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            if roll < 0.10:  # cut short
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + body)
                return
            if roll < 0.15:
                time.sleep(rng.random() * 0.05)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            if roll > 0.9:  # closes after answering, without saying so
                return

    server = raw(handler)

    async def resolver(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    async def go() -> tuple[list[tuple[bytes, bytes]], int]:
        settings = _settings(concurrency=8, per_host=3, allow_private=["127.0.0.1"])
        failed = 0
        pairs: list[tuple[bytes, bytes]] = []
        async with Fetcher(settings, resolver=resolver) as fetcher:
            async def one(i: int) -> None:
                nonlocal failed
                host = f"h{i % 5}.test:{server.port}"
                try:
                    got = await fetcher.get(f"http://{host}/feed{i}")
                except FetchError:
                    failed += 1
                    return
                pairs.append((got.body, f"{host} /feed{i}".encode()))
            await asyncio.gather(*(one(i) for i in range(300)))
        return pairs, failed

    pairs, failed = asyncio.run(go())
    assert [got for got, want in pairs if got != want] == []
    assert len(pairs) > 200 and failed + len(pairs) == 300
    assert server.connections < 300  # kept connections were used


def test_a_kept_tls_connection_ended_by_close_notify_alone_is_not_reused(
        tmp_path: Path) -> None:
    # The server ends TLS on an idle connection (close_notify) and leaves TCP open without a
    # FIN: nothing on the socket says closed, and a request sent there would wait for its
    # read timeout. The alert is seen, and the next request goes on a new connection.
    server_ctx, cert = _tls_server(tmp_path)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    notified, done = threading.Event(), threading.Event()

    def serve() -> None:
        held = []
        for n in range(2):
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            tls = server_ctx.wrap_socket(conn, server_side=True)
            data = b""
            while b"\r\n\r\n" not in data:
                data += tls.recv(65536)
            tls.sendall(OK)
            if n == 0:
                held.append(tls.unwrap())  # close_notify; the TCP socket stays open
                notified.set()
            else:
                held.append(tls)
        done.wait(120)
        for sock in held:
            sock.close()

    threading.Thread(target=serve, daemon=True).start()
    timeouts = wire.Timeouts(connect=60, read=60, write=60)
    origin: wire.Key = (b"https", "127.0.0.1", port)

    async def go() -> tuple[list[bytes], bool]:
        trusting = ssl.create_default_context(cafile=str(cert))
        pool = wire.Pool(limit=2, make_ssl_context=lambda: trusting)
        bodies: list[bytes] = []
        conns: list[wire.Connection] = []
        try:
            for path in (b"/a", b"/b"):
                conn = await pool.connection(origin, ["127.0.0.1"], timeouts)
                await conn.request(path, [(b"Host", b"127.0.0.1")], timeouts)
                bodies.append(b"".join([c async for c in conn.body(60)]))
                pool.release(conn)
                conns.append(conn)
                if path == b"/a":
                    await asyncio.to_thread(notified.wait, 60)
                    deadline = time.monotonic() + 60
                    while not conn.stream.dead() and time.monotonic() < deadline:
                        await asyncio.sleep(0.01)
        finally:
            pool.close()
        return bodies, conns[0] is not conns[1]

    try:
        assert asyncio.run(go()) == ([b"genuine", b"genuine"], True)
    finally:
        done.set()
        listener.close()


def test_an_https_url_on_a_kept_plain_connections_port_never_goes_out_in_plaintext(
        raw: Callable[[Handler], RawServer]) -> None:
    # The pool's key is scheme, host and port: a redirect from http://h:P/ to https://h:P/
    # must open a TLS connection, not send its request over the kept plain one.
    requests: list[bytes] = []

    def handler(conn: socket.socket, n: int) -> None:
        if not conn.recv(3, socket.MSG_PEEK | socket.MSG_WAITALL).startswith(b"GET"):
            # A TLS ClientHello: answered as a plain server does, which ends the handshake.
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            return
        while (request := read_request(conn)) is not None:
            requests.append(request.split(b"\r\n")[0])
            if request.startswith(b"GET /a "):
                conn.sendall(OK)
            else:
                conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: https://127.0.0.1:%d/secret\r\n"
                             b"Content-Length: 0\r\n\r\n" % server.port)

    server = raw(handler)
    got = _get_each([server.base + "/a", server.base + "/b"])
    assert isinstance(got[0], Response) and got[0].body == b"genuine"
    assert isinstance(got[1], str) and got[1].startswith("cannot connect: [SSL"), got[1]
    assert requests == [b"GET /a HTTP/1.1", b"GET /b HTTP/1.1"]


@pytest.mark.parametrize("reply", [
    b"HTTP/1.0 200 OK\r\n\r\nread until the close",
    b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nread until the close",
])
def test_an_answer_without_a_length_is_read_to_the_close_and_not_kept(
        raw: Callable[[Handler], RawServer], reply: bytes) -> None:
    def handler(conn: socket.socket, n: int) -> None:
        if read_request(conn) is not None:
            conn.sendall(reply)  # and the connection closes as the handler returns

    server = raw(handler)
    got = _get_each([server.base + "/a", server.base + "/b"])
    assert [r.body if isinstance(r, Response) else r for r in got] == [
        b"read until the close"] * 2
    assert server.connections == 2
