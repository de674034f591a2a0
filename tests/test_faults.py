"""One faulty source among healthy ones, per fault: the healthy ones still land, the user sees a
clear one-line reason, and the store holds exactly what it should (the error, nothing half-done).

Timeouts are small (see `_settings`) so the whole file runs in well under a minute.
"""

from __future__ import annotations

import gzip
import resource
import time
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from briefing.config import Settings
from briefing.models import FetchReport
from briefing.pipeline import run_fetch
from briefing.store import QueryError, Store
from tests.conftest import quick_settings
from tests.feedgen import rss
from tests.httpserver import Route, SilentListener, TestServer, refused_port

PASSWD = Path("/etc/passwd")


def _settings(**fetch: object) -> Settings:
    settings: Settings = quick_settings(connect=1, read=1.5, total=3, **fetch)
    return settings


def _healthy(server: TestServer, n: int = 2) -> list[str]:
    return [server.add(f"/ok{i}.xml", rss(2, base=server.base, prefix=f"ok{i}"))
            for i in range(n)]


def _run(server: TestServer, db_file: Path, bad: list[str], *, healthy: int = 2,
         extract: bool = False, **fetch: object) -> tuple[FetchReport, Store, list[str]]:
    good = _healthy(server, healthy)
    store = Store(db_file)
    report = run_fetch(_settings(**fetch), store, [*bad, *good], extract=extract)
    _assert_landed(store, report, good)
    return report, store, good


def _assert_landed(store: Store, report: FetchReport, good: list[str]) -> None:
    failed = dict(report.failed)
    for url in good:
        assert url not in failed, failed[url]
        src = store.get_source(url)
        assert src is not None and src.last_error is None and src.last_status == 200
        assert len(store.known_hashes(url)) == 2
    assert report.sources_ok + len(report.failed) == report.sources_total
    for source, reason in report.failed:
        assert reason.strip() and "\n" not in reason, (source, reason)


def _assert_failed_cleanly(store: Store, report: FetchReport, url: str) -> str:
    """The source failed with a one-line reason, it was recorded, and stored nothing."""
    reason = dict(report.failed)[url]
    src = store.get_source(url)
    assert src is not None and src.last_error == reason and src.error_count == 1
    assert store.known_hashes(url) == {}
    return reason


def _all_stored_text(store: Store) -> str:
    out: list[str] = []
    tables = [r[0] for r in store.conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'articles_fts%'")]
    for table in tables:
        for row in store.conn.execute(f'SELECT * FROM "{table}"'):  # names from sqlite_master
            out.extend(str(v) for v in row if isinstance(v, str))
    return "\n".join(out)


# -- HTTP status faults -----------------------------------------------------------------------


@pytest.mark.parametrize(("status", "reason"), [
    (500, "HTTP 500 Internal Server Error"),
    (503, "HTTP 503 Service Unavailable"),
    (404, "HTTP 404 Not Found"),
])
def test_http_error_status(server: TestServer, db_file: Path, status: int, reason: str) -> None:
    url = server.add("/bad.xml", Route(b"<html>oops</html>", status=status))
    report, store, _ = _run(server, db_file, [url])
    assert _assert_failed_cleanly(store, report, url) == reason
    src = store.get_source(url)
    assert src is not None and src.last_status == status and src.retry_after is None
    assert not src.gone


def test_410_marks_the_feed_gone(server: TestServer, db_file: Path) -> None:
    url = server.add("/gone.xml", Route(status=410))
    report, store, good = _run(server, db_file, [url])
    reason = _assert_failed_cleanly(store, report, url)
    assert reason == "HTTP 410 Gone: the feed is gone; it will not be fetched again"
    assert store.get_source(url).gone  # type: ignore[union-attr]
    hits = server.hits["/gone.xml"]
    again = run_fetch(_settings(), store, [url, *good], extract=False)
    assert server.hits["/gone.xml"] == hits  # not asked again
    assert "gone" in dict(again.failed)[url] and again.sources_ok == 2


@pytest.mark.parametrize("status", [503, 429])
def test_retry_after_is_stored_and_honoured(server: TestServer, db_file: Path,
                                            status: int) -> None:
    # Retry-After is the host's request, so it applies to every feed on that host: the faulty
    # feed is reached as `localhost`, the healthy ones as 127.0.0.1 (two hosts, one server).
    url = server.add("/busy.xml", Route(status=status, headers={"Retry-After": "120"}))
    url = url.replace("127.0.0.1", "localhost")
    report, store, good = _run(server, db_file, [url])
    reason = _assert_failed_cleanly(store, report, url)
    phrase = {503: "Service Unavailable", 429: "Too Many Requests"}[status]
    assert reason == f"HTTP {status} {phrase} (retry after 120 s)"
    src = store.get_source(url)
    assert src is not None and src.retry_after is not None and src.last_status == status
    hits = server.hits["/busy.xml"]
    again = run_fetch(_settings(), store, [url, *good], extract=False)
    assert server.hits["/busy.xml"] == hits  # the wait is honoured across runs
    assert "Retry-After" in dict(again.failed)[url]


# -- connection faults ------------------------------------------------------------------------


def test_connection_refused(server: TestServer, db_file: Path) -> None:
    url = f"http://127.0.0.1:{refused_port()}/feed.xml"
    report, store, _ = _run(server, db_file, [url])
    reason = _assert_failed_cleanly(store, report, url)
    assert reason.startswith("cannot connect:")
    assert store.get_source(url).last_status is None  # type: ignore[union-attr]


def test_server_that_accepts_and_never_answers(server: TestServer, db_file: Path) -> None:
    stalled = server.add("/stall.xml", Route(stall=True))
    silent = SilentListener()  # never even reads the request
    try:
        started = time.monotonic()
        report, store, _ = _run(server, db_file, [stalled, silent.url])
        elapsed = time.monotonic() - started
    finally:
        silent.close()
    for url in (stalled, silent.url):
        reason = _assert_failed_cleanly(store, report, url)
        assert reason == "server sent nothing for 1.5 s"
    # Both would wait for ever: any bound proves the timeouts ended them; a generous one holds
    # on a machine busy with other work.
    assert elapsed < 60


def test_drip_feed_ends_at_total_timeout(server: TestServer, db_file: Path) -> None:
    # A byte a second never trips the read timeout (1.5 s); only the total timeout ends it.
    url = server.add("/drip.xml", Route(rss(1), drip=1.0))
    started = time.monotonic()
    report, store, _ = _run(server, db_file, [url])
    elapsed = time.monotonic() - started
    assert _assert_failed_cleanly(store, report, url) == "no complete answer within 3 s"
    # The drip would take one second per byte of the feed (over 1,000 s); the total timeout
    # (3 s) must end it long before, however busy the machine.
    assert 2.5 < elapsed < len(rss(1)) / 10


def test_unresolvable_host_fails_fast(server: TestServer, db_file: Path) -> None:
    url = "http://nonexistent.invalid/feed"  # .invalid never resolves (RFC 2606)
    started = time.monotonic()
    report, store, _ = _run(server, db_file, [url], connect_timeout=30, total_timeout=60)
    # A failed lookup is an answer: no waiting for the connect timeout.
    assert time.monotonic() - started < 30
    assert _assert_failed_cleanly(store, report, url).startswith("cannot connect:")


# -- redirects and size caps ------------------------------------------------------------------


def test_redirect_loop_and_non_http_targets(server: TestServer, db_file: Path) -> None:
    loop = server.add("/loop", Route(status=302, headers={"Location": "/loop"}))
    to_file = server.add("/tofile", Route(status=301, headers={"Location": "file:///etc/passwd"}))
    to_ftp = server.add("/toftp", Route(status=307, headers={"Location": "ftp://127.0.0.1/f"}))
    report, store, _ = _run(server, db_file, [loop, to_file, to_ftp])
    assert _assert_failed_cleanly(store, report, loop) == "more than 5 redirects (a loop?)"
    assert server.hits["/loop"] == 6  # the first request and five redirects, no more
    assert _assert_failed_cleanly(store, report, to_file) == (
        "refused to fetch 'file:///etc/passwd': only http and https")
    assert _assert_failed_cleanly(store, report, to_ftp) == (
        "refused to fetch 'ftp://127.0.0.1/f': only http and https")
    assert PASSWD.read_text()[:20] not in _all_stored_text(store)


def test_gzip_bomb_stops_at_the_cap(server: TestServer, db_file: Path) -> None:
    bomb = gzip.compress(b"<rss>" + b" " * 100_000_000, compresslevel=9)
    assert len(bomb) < 200_000
    url = server.add("/bomb.xml", Route(raw_gzip=bomb))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report, store, _ = _run(server, db_file, [url], max_bytes=1_000_000)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    reason = _assert_failed_cleanly(store, report, url)
    assert reason == "body is over the 1,000,000-byte cap (decoded)"
    assert grown_mb < 50


def test_huge_body_over_the_cap(server: TestServer, db_file: Path) -> None:
    big = b"<rss>" + b"x" * 50_000_000
    declared = server.add("/big.xml", Route(big))

    def chunks() -> Iterator[bytes]:
        block = b"y" * 1_000_000
        yield b"<rss>"
        for _ in range(50):
            yield block

    undeclared = server.add("/big-stream.xml", Route(stream=chunks))
    report, store, _ = _run(server, db_file, [declared, undeclared], max_bytes=2_000_000)
    assert _assert_failed_cleanly(store, report, declared) == (
        "body is 50,000,005 bytes, over the 2,000,000-byte cap")
    assert _assert_failed_cleanly(store, report, undeclared) == (
        "body is over the 2,000,000-byte cap (decoded)")


# -- content faults ---------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", [None, "text/html", "application/octet-stream",
                                          "image/png", "text/plain; charset=us-ascii"])
def test_wrong_or_missing_content_type_still_parses(server: TestServer, db_file: Path,
                                                    content_type: str | None) -> None:
    body = rss(3, base=server.base, prefix="typed")
    route = (Route(body, omit_content_type=True) if content_type is None
             else Route(body, headers={"Content-Type": content_type}))
    url = server.add("/typed.xml", route)
    report, store, _ = _run(server, db_file, [url])
    assert url not in dict(report.failed)
    assert len(store.known_hashes(url)) == 3


def test_declared_encoding_does_not_match_the_bytes(server: TestServer, db_file: Path) -> None:
    title = "Café prices in São Paulo rise 12%"
    item = ("<item><title>{t}</title><link>{b}/enc/1</link><description>{t}. The bakery "
            "association said 40 shops raised prices.</description></item>")
    doc = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Enc</title>'
           + item.format(t=title, b=server.base) + "</channel></rss>")
    url = server.add("/latin1.xml", Route(doc.encode("latin-1"),
                                          headers={"Content-Type": "application/xml; "
                                                                   "charset=utf-8"}))
    report, store, _ = _run(server, db_file, [url])
    failed = dict(report.failed)
    if url in failed:  # failing is allowed, if it is clear
        assert failed[url].strip() and "\n" not in failed[url]
        assert store.known_hashes(url) == {}
    else:  # or it parsed: the text is valid Unicode, with é decoded or replaced
        (aid,) = store.known_hashes(url)
        art = store.get_article(aid)
        assert art is not None and "Caf" in art.title and "Paulo" in art.title
        art.title.encode("utf-8")  # no lone surrogates


def test_external_entity_is_never_read(server: TestServer, db_file: Path) -> None:
    doc = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        '<rss version="2.0"><channel><title>XXE &xxe;</title><link>http://x.test/</link>'
        "<description>&xxe;</description><item><title>Leak &xxe;</title>"
        f"<link>{server.base}/xxe/1</link><description>Body &xxe; with 14 words about the "
        "harbour budget of $2bn.</description></item></channel></rss>"
    ).encode()
    url = server.add("/xxe.xml", doc)
    report, store, _ = _run(server, db_file, [url])
    stored = _all_stored_text(store)
    for line in PASSWD.read_text().splitlines()[:3]:
        assert line not in stored
    assert "root:x:0" not in stored and "/bin/bash" not in stored
    if url in dict(report.failed):
        assert "\n" not in dict(report.failed)[url]


def test_billion_laughs_finishes_fast_and_small(server: TestServer, db_file: Path) -> None:
    entities = ['<!ENTITY lol0 "lollollollollollollollollollol">']
    entities += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    doc = (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [' + "\n".join(entities) + "]>\n"
        '<rss version="2.0"><channel><title>Laughs &lol9;</title>'
        f"<item><title>&lol9;</title><link>{server.base}/lol/1</link>"
        "<description>&lol9;</description></item></channel></rss>"
    ).encode()
    url = server.add("/lol.xml", doc)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    report, store, _ = _run(server, db_file, [url])
    assert time.monotonic() - started < 60  # expanded, it would be 10^9 copies: no bound holds
    assert (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024 < 200
    assert "lol" * 10_000 not in _all_stored_text(store)
    if url in dict(report.failed):
        assert "\n" not in dict(report.failed)[url]


def _page(paragraphs: int) -> bytes:
    para = ("<p>The council approved a $2.4bn budget on Tuesday, with 18 per cent more for "
            "schools and 3,500 new posts in district {i}.</p>")
    body = "".join(para.format(i=i) for i in range(paragraphs))
    return (f"<html><head><title>Budget</title></head><body><article>{body}</article>"
            "</body></html>").encode()


def _teaser_feed(server: TestServer, path: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Teasers</title>'
        f"<item><title>Budget approved</title><link>{server.base}{path}</link>"
        "<description>The council approved its budget.</description></item></channel></rss>"
    ).encode()


def test_teaser_page_over_the_extract_cap_keeps_the_teaser(server: TestServer,
                                                           db_file: Path) -> None:
    server.add("/huge.html", Route(_page(30_000), headers={"Content-Type": "text/html"}))
    url = server.add("/teasers.xml", _teaser_feed(server, "/huge.html"))
    report, store, _ = _run(server, db_file, [url], extract=True, extract_max_bytes=1_000_000)
    assert url not in dict(report.failed)
    (aid,) = store.known_hashes(url)
    art = store.get_article(aid)
    assert art is not None and art.text == "The council approved its budget."


# Below 12 sources the feed work runs in a thread, where SIGALRM cannot cut extraction short;
# pages must still be extracted where extract_timeout holds. (Found failing for 2 sources on
# 2026-11-27; fixed in pipeline._page_executor: pages always go to a process.)
@pytest.mark.parametrize("healthy", [2, 12])
def test_slow_extraction_is_cut_off_by_extract_timeout(server: TestServer, db_file: Path,
                                                       healthy: int) -> None:
    # ~0.5 MB of paragraphs: most of a second of extraction here, far over a 0.05 s limit.
    server.add("/slow.html", Route(_page(4_000), headers={"Content-Type": "text/html"}))
    url = server.add("/teasers.xml", _teaser_feed(server, "/slow.html"))
    report, store, _ = _run(server, db_file, [url], healthy=healthy, extract=True,
                            extract_timeout=0.05, extract_max_bytes=2_000_000, workers=2)
    assert url not in dict(report.failed)
    (aid,) = store.known_hashes(url)
    art = store.get_article(aid)
    assert art is not None and art.text == "The council approved its budget."


@pytest.mark.slow
def test_feed_of_ten_thousand_items(server: TestServer, db_file: Path) -> None:
    body = ("<p>The port handled 1.2mn boxes, up 18 per cent, and hired 3,500 workers for "
            "its $2.4bn expansion.</p>")
    items = "".join(
        f"<item><title>Item {i}</title><link>{server.base}/big/{i}</link><guid>g{i}</guid>"
        f"<description>{escape(body.replace('boxes', f'boxes at berth {i}'))}</description>"
        "</item>" for i in range(10_000))
    doc = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>'
           + items + "</channel></rss>").encode()
    url = server.add("/big.xml", doc)
    started = time.monotonic()
    report, store, _ = _run(server, db_file, [url], total_timeout=20)
    elapsed = time.monotonic() - started
    assert url not in dict(report.failed)
    assert len(store.known_hashes(url)) == 10_000 and report.added == 10_004
    # Speed is bench/fetch_bench.py's job; this bound only catches work growing with the square
    # of the item count (10^8 steps here), which no busy machine hides.
    assert elapsed < 300, f"10,000 items took {elapsed:.1f} s"


def test_opml_that_lists_itself(server: TestServer, db_file: Path, tmp_path: Path) -> None:
    feed = server.add("/listed.xml", rss(2, base=server.base, prefix="listed"))
    me = tmp_path / "self.opml"
    me.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body>'
        '<outline text="me" xmlUrl="self.opml"/>'
        f'<outline text="me again" xmlUrl="{me}"/>'
        f'<outline text="a feed" xmlUrl="{escape(feed)}"/></body></opml>')
    report, store, _ = _run(server, db_file, [str(me)])
    reasons = [r for s, r in report.failed if s == str(me)]
    # By its absolute path it is refused before the loop check: OPML names no absolute paths.
    assert reasons == ["OPML file lists itself; that entry skipped",
                       f"entry {str(me)!r} skipped: an absolute path; only files in the OPML "
                       "file's folder"]
    assert len(store.known_hashes(feed)) == 2  # the rest of the list still fetched


def test_unbalanced_search_query_is_a_query_error(server: TestServer, db_file: Path) -> None:
    _, store, _ = _run(server, db_file, [])
    assert store.search("harbour")
    for query in ('"unbalanced', 'harbour "plan', "AND", "harbour NOT", "(harbour"):
        with pytest.raises(QueryError, match="malformed search query"):
            store.search(query)
