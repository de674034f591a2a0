"""What a user meets from servers that answer oddly: h11's words about a broken answer put
plainly, a server's escape sequences kept out of the store, validators sent back byte for
byte, and redirect hops on one kept connection. Real sockets on 127.0.0.1 and real `briefing`
subprocesses; each test failed before its fix."""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from briefing.config import FetchSettings
from briefing.exit_codes import ExitCode
from briefing.sources import wire
from briefing.sources.http import Fetcher, FetchError, Response
from tests.test_fetch_hostile import Handler, RawServer, read_request


def _fetch(tmp_path: Path, *urls: str) -> subprocess.CompletedProcess[str]:
    """`briefing fetch URLS` in a subprocess, with timeouts generous for a loaded machine."""
    config = tmp_path / "config.toml"
    config.write_text("[fetch]\nconnect_timeout = 60\nread_timeout = 60\ntotal_timeout = 120\n")
    return subprocess.run(
        [sys.executable, "-m", "briefing", "--db", str(tmp_path / "b.db"), "--config",
         str(config), "fetch", *urls, "--no-extract"],
        capture_output=True, text=True, timeout=600, env={**os.environ})


def _path(request: bytes) -> str:
    return request.split(b" ", 2)[1].decode("ascii")


def _by_path(replies: dict[str, bytes]) -> Handler:
    """Answers each request with the reply for its path, then closes the connection."""
    def handler(conn: socket.socket, n: int) -> None:
        request = read_request(conn)
        if request is not None and _path(request) in replies:
            conn.sendall(replies[_path(request)])
    return handler


# Each kind of broken answer h11 reports, and the words the user now reads for it.
BROKEN = {
    "/switch": (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade"
                b"\r\n\r\n", "the server switched protocols (101) unasked"),
    "/chunk-header": (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\x1b[2J\r\nok",
                      "bad chunked encoding"),
    "/chunk-footer": (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXX",
                      "bad chunked encoding"),
    "/chunks-cut": (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
                    "the body was cut short (the connection closed mid-chunk)"),
    "/length-cut": (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc",
                    "the body was cut short (the connection closed before its Content-Length)"),
    "/bad-length": (b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nok",
                    "an invalid Content-Length"),
    "/two-lengths": (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok",
                     "conflicting Content-Length headers"),
    "/gzip-te": (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nok",
                 "a Transfer-Encoding other than chunked"),
    "/two-te": (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked"
                b"\r\n\r\n0\r\n\r\n", "more than one Transfer-Encoding header"),
    "/h2": (b"HTTP/2 200 OK\r\nContent-Length: 2\r\n\r\nok",
            "an HTTP/2 status line over an HTTP/1.1 connection"),
    "/status": (b"HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\nok", "an invalid status line"),
    "/garbage": (b"<html>\r\n\r\n", "an invalid status line"),
    "/not-http": (b"\x1b]0;owned\x07<html>", "not an HTTP response"),
    "/blank": (b"\r\n\r\nHTTP/1.1 200 OK\r\n\r\n", "not an HTTP response"),
    "/header": (b"HTTP/1.1 200 OK\r\nNo colon here\r\nContent-Length: 2\r\n\r\nok",
                "an invalid header line"),
    "/fold": (b"HTTP/1.1 200 OK\r\n folded\r\nContent-Length: 2\r\n\r\nok",
              "an invalid header line"),
    "/huge-head": (b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n",
                   "a response head over the 100 KB cap"),
    "/silent": (b"", "the server closed the connection without answering"),
}


def test_each_broken_answer_is_one_plain_line_naming_the_feed(
        raw: Callable[[Handler], RawServer], tmp_path: Path) -> None:
    # Before, h11's own words reached the user: "Received server _SWITCH_UPGRADE event
    # without a pending proposal", "illegal chunk header: bytearray(b'zz\x1b[2J\r\n')".
    server = raw(_by_path({path: reply for path, (reply, _) in BROKEN.items()}))
    proc = _fetch(tmp_path, *(server.base + path for path in BROKEN))
    assert proc.returncode == ExitCode.PARTIAL, proc.stderr
    lines = proc.stderr.splitlines()
    assert sorted(lines) == sorted(
        f"briefing: {server.base}{path}: broken HTTP response: {words}"
        for path, (_, words) in BROKEN.items()), proc.stderr
    with sqlite3.connect(tmp_path / "b.db") as db:
        stored = dict(db.execute("SELECT url, last_error FROM sources"))
    db.close()
    assert stored == {server.base + path: f"broken HTTP response: {words}"
                      for path, (_, words) in BROKEN.items()}


def test_h11_words_not_listed_are_never_shown_as_they_are() -> None:
    # A message a later h11 may add: its internals and reprs stay out of the user's line.
    assert wire.plain("can't do that with bytearray(b'\\x1b[2J') in state=SEND_BODY") == (
        "an answer that breaks HTTP/1.1's rules")


def test_escape_sequences_in_a_reason_phrase_are_not_stored(
        raw: Callable[[Handler], RawServer], tmp_path: Path) -> None:
    # h11 takes any byte but NUL and white space in a reason phrase: an OSC that retitles the
    # terminal, a CSI that clears it, a bell. The failure line was cleaned when printed, but
    # sources.last_error kept them raw for every screen that shows it later.
    server = raw(_by_path({
        "/osc": b"HTTP/1.1 500 Oops\x1b]0;owned\x07 broke\r\nContent-Length: 0\r\n\r\n",
        "/csi": b"HTTP/1.1 404 Gone\x1b[2J\x1b[H\x07\x08\x7f away\r\nContent-Length: 0\r\n\r\n",
        "/retry": b"HTTP/1.1 429 Slow\x1b[31m down\r\nRetry-After: 99999\r\n"
                  b"Content-Length: 0\r\n\r\n",
    }))
    proc = _fetch(tmp_path, server.base + "/osc", server.base + "/csi", server.base + "/retry")
    assert proc.returncode == ExitCode.PARTIAL, proc.stderr
    with sqlite3.connect(tmp_path / "b.db") as db:
        stored = dict(db.execute("SELECT url, last_error FROM sources"))
    db.close()
    assert stored == {server.base + "/osc": "HTTP 500 Oops broke",
                      server.base + "/csi": "HTTP 404 Gone away",
                      server.base + "/retry": "HTTP 429 Slow down (retry after 99999 s)"}
    assert sorted(proc.stderr.splitlines()) == sorted(
        f"briefing: {url}: {error}" for url, error in stored.items())


def test_the_store_keeps_any_source_error_as_one_clean_line(tmp_path: Path) -> None:
    # Whatever wrote the reason (a feed's parser, a file's reader), what the store keeps is
    # safe to show as it is.
    from briefing.store import Store

    with Store(tmp_path / "b.db") as store:
        store.record_source("https://example.com/feed", kind="feed", status=None,
                            now="2026-01-01T00:00:00+00:00",
                            error="not a feed:\x1b]8;;https://evil.test\x1b\\ click\n\x9b2J here")
        source = store.get_source("https://example.com/feed")
    assert source is not None and source.last_error == "not a feed: click here"


def _get(url: str, **settings: object) -> Response | str:
    """One GET through a Fetcher (the user named the URL): the response, or the reason."""
    fetch = FetchSettings(connect_timeout=60, read_timeout=60, total_timeout=120)
    for key, value in settings.items():
        setattr(fetch, key, value)

    async def go() -> Response | str:
        async with Fetcher(fetch) as fetcher:
            try:
                return await fetcher.get(url, trusted=url)
            except FetchError as exc:
                return str(exc)
    return asyncio.run(go())


def _hops(replies: dict[str, bytes]) -> Handler:
    """Answers every request on a connection with the reply for its path, as a kept-alive
    server does; a path not listed hangs up."""
    def handler(conn: socket.socket, n: int) -> None:
        while (request := read_request(conn)) is not None:
            if _path(request) not in replies:
                return
            conn.sendall(replies[_path(request)])
    return handler


FEED = b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\n<rss></rss>\r\n"


def test_redirect_hops_on_one_origin_take_one_connection(
        raw: Callable[[Handler], RawServer]) -> None:
    # Each 3xx's body was left unread, so its connection could not be kept: three accepts
    # for two hops (and, over https, three handshakes).
    moved = b"<html><body>Moved to <a href='/b'>/b</a></body></html>"
    server = raw(_hops({
        "/a": b"HTTP/1.1 301 Moved Permanently\r\nLocation: /b\r\nContent-Type: text/html\r\n"
              b"Content-Length: %d\r\n\r\n%s" % (len(moved), moved),
        "/b": b"HTTP/1.1 302 Found\r\nLocation: /c\r\nTransfer-Encoding: chunked\r\n\r\n"
              b"5\r\nMoved\r\n0\r\n\r\n",
        "/c": FEED,
    }))
    got = _get(server.base + "/a")
    assert isinstance(got, Response) and got.body == b"<rss></rss>\r\n", got
    assert got.url == server.base + "/c"
    assert server.connections == 1


def test_a_long_or_stalled_redirect_body_still_leads_to_the_next_hop(
        raw: Callable[[Handler], RawServer]) -> None:
    # Neither is waited for or read far: the hop goes on, on a new connection. The stalled
    # one would cost the whole read timeout (which outlasts the total deadline here).
    long_body = b"x" * 1_000_000
    server = raw(_hops({
        "/long": b"HTTP/1.1 302 Found\r\nLocation: /stalled\r\nContent-Length: %d\r\n\r\n%s"
                 % (len(long_body), long_body),
        "/stalled": b"HTTP/1.1 302 Found\r\nLocation: /feed\r\nContent-Length: 100\r\n\r\nab",
        "/feed": FEED,
    }))
    got = _get(server.base + "/long", read_timeout=600, total_timeout=300)
    assert isinstance(got, Response) and got.body == b"<rss></rss>\r\n", got
    assert server.connections == 3


RSS = (b"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>V</title>"
       b"<item><title>Copper rose</title><link>https://example.com/1</link>"
       b"<description>Copper rose 5% in Rotterdam on Monday.</description></item>"
       b"</channel></rss>")


def _conditional(validators: dict[str, tuple[bytes, bytes]], asked: list[bytes]) -> Handler:
    """A feed per path with a validator header (name, value): 304 only when the request sends
    the value back byte for byte in the matching conditional header, else 200 and the feed.
    `asked` gets each conditional header line as it came."""
    conditional = {b"etag": b"if-none-match", b"last-modified": b"if-modified-since"}

    def handler(conn: socket.socket, n: int) -> None:
        while (request := read_request(conn)) is not None:
            name, value = validators[_path(request)]
            sent = [line for line in request.split(b"\r\n")
                    if line.lower().startswith(conditional[name.lower()] + b":")]
            asked.extend(sent)
            if sent and sent[0].split(b":", 1)[1].strip() == value:
                conn.sendall(b"HTTP/1.1 304 Not Modified\r\n%s: %s\r\n\r\n" % (name, value))
            else:
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                             b"%s: %s\r\nContent-Length: %d\r\n\r\n%s"
                             % (name, value, len(RSS), RSS))
    return handler


def test_a_validator_that_is_not_utf8_goes_back_byte_for_byte(
        raw: Callable[[Handler], RawServer], tmp_path: Path) -> None:
    # A Latin-1 ETag (or Last-Modified) was read as Latin-1 text and sent back as UTF-8:
    # b'"caf\xe9"' came back as b'"caf\xc3\xa9"', so that feed never got a 304.
    asked: list[bytes] = []
    server = raw(_conditional({
        "/etag": (b"ETag", b'"caf\xe9-1"'),
        "/modified": (b"Last-Modified", b"Lun, 01 f\xe9v 2026 10:00:00 GMT"),
    }, asked))
    urls = [server.base + "/etag", server.base + "/modified"]
    first = _fetch(tmp_path, *urls)
    assert first.returncode == ExitCode.OK, first.stderr
    assert asked == []
    with sqlite3.connect(tmp_path / "b.db") as db:  # kept as the bytes that came
        kept = {url: (etag, modified) for url, etag, modified in db.execute(
            "SELECT url, etag, last_modified FROM sources")}
    db.close()
    assert kept == {urls[0]: (b'"caf\xe9-1"', None),
                    urls[1]: (None, b"Lun, 01 f\xe9v 2026 10:00:00 GMT")}
    second = _fetch(tmp_path, *urls)
    assert second.returncode == ExitCode.OK, second.stderr
    assert "2/2 sources ok, 0 added, 0 updated, 0 unchanged, 2 not modified" in second.stdout
    assert sorted(asked) == [b'If-Modified-Since: Lun, 01 f\xe9v 2026 10:00:00 GMT',
                             b'If-None-Match: "caf\xe9-1"']


def test_validators_stored_before_still_go_back_as_they_were(
        raw: Callable[[Handler], RawServer], tmp_path: Path) -> None:
    # ASCII and UTF-8 validators a database already holds as text are sent as before.
    asked: list[bytes] = []
    server = raw(_conditional({
        "/ascii": (b"ETag", b'W/"5f-abc"'),
        "/utf8": (b"ETag", '"café-2"'.encode()),
    }, asked))
    first = _fetch(tmp_path, server.base + "/ascii", server.base + "/utf8")
    assert first.returncode == ExitCode.OK, first.stderr
    with sqlite3.connect(tmp_path / "b.db") as db:
        kept = dict(db.execute("SELECT url, etag FROM sources"))
        assert kept == {server.base + "/ascii": 'W/"5f-abc"',
                        server.base + "/utf8": '"café-2"'}  # text, as before
        assert {t for (t,) in db.execute("SELECT typeof(etag) FROM sources")} == {"text"}
    db.close()
    second = _fetch(tmp_path, server.base + "/ascii", server.base + "/utf8")
    assert "2 not modified" in second.stdout, second.stdout + second.stderr
    assert sorted(asked) == [b'If-None-Match: "caf\xc3\xa9-2"', b'If-None-Match: W/"5f-abc"']


def test_a_validator_the_old_reading_kept_mends_itself_after_one_fetch(
        raw: Callable[[Handler], RawServer], tmp_path: Path) -> None:
    # What the Latin-1 reading stored before ('"café-1"' as text): sent as before (UTF-8, no
    # match), the 200 stores the bytes as they came, and the run after gets its 304.
    from briefing.store import Store

    asked: list[bytes] = []
    server = raw(_conditional({"/etag": (b"ETag", b'"caf\xe9-1"')}, asked))
    with Store(tmp_path / "b.db") as store:
        store.record_source(server.base + "/etag", kind="feed", status=200,
                            now="2026-01-01T00:00:00+00:00", etag='"café-1"')
    assert "1 not modified" not in _fetch(tmp_path, server.base + "/etag").stdout
    assert "1 not modified" in _fetch(tmp_path, server.base + "/etag").stdout
    assert asked == [b'If-None-Match: "caf\xc3\xa9-1"', b'If-None-Match: "caf\xe9-1"']
