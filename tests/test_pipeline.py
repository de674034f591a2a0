from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from briefing import pipeline
from briefing.config import Settings
from briefing.models import Article
from briefing.pipeline import run_fetch
from briefing.store import Store
from tests.conftest import quick_settings
from tests.feedgen import BODY, rss
from tests.httpserver import Route, TestServer


def _settings(**fetch: object) -> Settings:
    settings: Settings = quick_settings(connect=2, read=2, total=4, **fetch)
    return settings


def test_fetch_stores_articles_and_second_run_is_all_304(server: TestServer,
                                                         db_file: Path) -> None:
    url = server.add("/feed.xml", Route(rss(3), etag='"v1"'))
    store = Store(db_file)
    first = run_fetch(_settings(), store, [url])
    assert (first.sources_ok, first.added, first.failed) == (1, 3, [])
    second = run_fetch(_settings(), store, [url])
    assert (second.added, second.not_modified) == (0, 1)
    assert server.requests[-1][1].get("If-None-Match") == '"v1"'
    arts = store.list_articles()
    assert len(arts) == 3
    art = store.get_article(arts[0].id)
    assert art is not None and len(art.paragraphs) == 4
    assert "utm_source" in art.url  # the link is kept as given; only the id is canonical
    assert "Ports" in art.tags


def test_same_items_under_tracking_urls_dedupe(server: TestServer, db_file: Path) -> None:
    a = server.add("/a.xml", rss(2))
    store = Store(db_file)
    run_fetch(_settings(), store, [a])
    again = run_fetch(_settings(), store, [a])
    assert again.added == 0 and again.unchanged == 2
    assert store.count_articles() == 2


def test_items_with_the_same_text_under_their_own_titles_are_all_stored(
        server: TestServer, db_file: Path) -> None:
    """A podcast's show notes repeated on every episode, each with its own title, link and
    guid: every episode after the first was "unchanged" and never stored. And a feed whose
    text another feed had copied first, under its own title, was kept out. The same text
    under the same title (a syndicated copy) is still one article."""
    notes = ("This week we look at port finance, the dredging budget of the port authority "
             "and what the new container terminal means for the city, with guests from the "
             "council and the shipping lines, plus listener questions. " * 2)
    # rss() numbers the word "harbour" in each item's text: these notes have none, so every
    # item's text is the same.
    episodes = rss(4, title="Weekly Ledger", body=notes, prefix="episode")
    copier = rss(1, base="https://copier.example", title="Copier", body=notes, prefix="copied")
    syndicated = rss(1, base="https://mirror.example", title="Mirror", body=notes,
                     prefix="episode")
    store = Store(db_file)
    first = run_fetch(_settings(), store, [server.add("/copier.xml", copier)])
    assert first.added == 1
    report = run_fetch(_settings(), store, [server.add("/ledger.xml", episodes)])
    assert (report.added, report.unchanged) == (4, 0)
    titles = sorted(a.title for a in store.list_articles(limit=100))
    assert titles == ["copied 0: harbour plan", *(f"episode {i}: harbour plan" for i in range(4))]
    mirror = run_fetch(_settings(), store, [server.add("/mirror.xml", syndicated)])
    assert (mirror.added, mirror.unchanged) == (0, 1)
    assert store.count_articles() == 5


def test_a_feed_cannot_keep_another_sites_article_out_by_naming_its_link_first(
        server: TestServer, db_file: Path) -> None:
    """An article is known by its link, and the first source to bring a link kept it: a feed
    that named a site's page in an item of its own making kept the site's own item out
    ("unchanged"), and only the made-up text was stored and published under the site's link.
    Now each is stored; the same words under one link from two feeds are still one article."""
    def item(title: str, text: str) -> str:
        return ('<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>'
                f"<item><title>{title}</title><link>https://www.site.example/content/wind</link>"
                f"<description>{text}</description></item></channel></rss>")

    made_up = item("Wind firm defaults", "Kestrel Wind defaulted on $15bn of bonds on Monday, "
                   "officials said, and 4,000 workers lost their jobs.")
    real = item("Wind firm plans farm", "Kestrel Wind plans to spend $12bn on a wind farm, "
                "its chief executive said on Monday, creating 4,000 jobs.")
    store = Store(db_file)
    assert run_fetch(_settings(), store, [server.add("/fake.xml", made_up)]).added == 1
    report = run_fetch(_settings(), store, [server.add("/real.xml", real)])
    assert (report.added, report.unchanged) == (1, 0)
    assert sorted(a.title for a in store.list_articles()) == [
        "Wind firm defaults", "Wind firm plans farm"]
    again = run_fetch(_settings(), store, [server.add("/real2.xml", real),
                                           server.url("/real.xml"), server.url("/fake.xml")])
    assert (again.added, again.updated) == (0, 0)  # a copy, and both as they were
    assert store.count_articles() == 2


def test_failing_source_does_not_stop_the_others(server: TestServer, db_file: Path) -> None:
    good = server.add("/good.xml", rss(2))
    bad = server.add("/bad.xml", Route(b"oops", status=500))
    junk = server.add("/junk.xml", Route(b"\x00\x01\x02binary" * 100))
    stalled = server.add("/stall.xml", Route(stall=True))
    store = Store(db_file)
    report = run_fetch(_settings(), store, [good, bad, junk, stalled, "/no/such/file.xml"])
    assert report.added == 2 and report.sources_ok == 1
    reasons = dict(report.failed)
    assert reasons[bad] == "HTTP 500 Internal Server Error"
    assert "binary" in reasons[junk]
    assert "nothing for 2 s" in reasons[stalled] or "within 4 s" in reasons[stalled]
    assert reasons["/no/such/file.xml"] == "no such file or directory"
    src = store.get_source(bad)
    assert src is not None and src.error_count == 1 and src.last_status == 500


def test_redirect_loop_and_non_http_redirect(server: TestServer, db_file: Path) -> None:
    loop = server.add("/loop", Route(status=302, headers={"Location": "/loop"}))
    to_file = server.add("/tofile", Route(status=301, headers={"Location": "file:///etc/passwd"}))
    report = run_fetch(_settings(), Store(db_file), [loop, to_file])
    reasons = dict(report.failed)
    assert "more than 5 redirects" in reasons[loop]
    assert "only http and https" in reasons[to_file]


def test_gzip_bomb_stops_at_cap(server: TestServer, db_file: Path) -> None:
    import gzip

    bomb = gzip.compress(b"<rss>" + b" " * 50_000_000, compresslevel=9)
    assert len(bomb) < 100_000
    url = server.add("/bomb.xml", Route(raw_gzip=bomb))
    report = run_fetch(_settings(max_bytes=1_000_000), Store(db_file), [url])
    assert "over the 1,000,000-byte cap" in dict(report.failed)[url]


def test_gone_feed_is_marked_and_skipped_next_time(server: TestServer, db_file: Path) -> None:
    url = server.add("/gone.xml", Route(status=410))
    store = Store(db_file)
    run_fetch(_settings(), store, [url])
    assert store.get_source(url).gone  # type: ignore[union-attr]
    hits = server.hits["/gone.xml"]
    report = run_fetch(_settings(), store, [url])
    assert server.hits["/gone.xml"] == hits
    assert "gone" in dict(report.failed)[url]


def test_retry_after_is_remembered(server: TestServer, db_file: Path) -> None:
    url = server.add("/busy.xml", Route(status=503, headers={"Retry-After": "3600"}))
    store = Store(db_file)
    first = run_fetch(_settings(), store, [url])
    assert "retry after 3600 s" in dict(first.failed)[url]
    hits = server.hits["/busy.xml"]
    second = run_fetch(_settings(), store, [url])
    assert server.hits["/busy.xml"] == hits
    assert "Retry-After" in dict(second.failed)[url]


@pytest.mark.parametrize("concurrency", [8, 1])
def test_sources_written_together_share_one_commit(server: TestServer, db_file: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   concurrency: int) -> None:
    """The writer keeps a transaction open while running sources may still add to it, and
    commits once all of them wait on it: with no time limit, six sources make one commit, and
    the run does not wait for the limit. With concurrency 1 there are only 4 slots for 6
    sources: the last two run because a slot is handed on once its source's write has run,
    not when it commits."""
    monkeypatch.setattr(pipeline, "COMMIT_SECONDS", 60.0)
    urls = [server.add(f"/f{i}.xml", rss(2, prefix=f"f{i}")) for i in range(5)]
    urls.append(server.add("/broken.xml", Route(b"oops", status=500)))
    store = Store(db_file)
    commits = 0
    real = store.transaction

    @contextmanager
    def counted() -> Iterator[None]:
        nonlocal commits
        with real():
            yield
        commits += 1

    monkeypatch.setattr(store, "transaction", counted)
    started = time.monotonic()
    # Tagging at once: with readable_first, the tagging behind adds commits of its own.
    report = run_fetch(_settings(concurrency=concurrency, readable_first=False), store, urls)
    assert time.monotonic() - started < 30
    assert (report.added, report.sources_ok, len(report.failed)) == (10, 5, 1)
    assert commits == 1
    src = store.get_source(urls[-1])
    assert src is not None and src.last_status == 500


def test_a_stalled_source_does_not_hold_back_the_others(server: TestServer,
                                                        db_file: Path) -> None:
    """Articles land (another connection sees them) while a slow source is still waited for:
    an open batch commits after COMMIT_SECONDS whatever is still running."""
    good = server.add("/good.xml", rss(2))
    stalled = server.add("/stall.xml", Route(stall=True))
    settings: Settings = quick_settings(connect=2, read=12, total=12)
    seen_at: list[float] = []
    with Store(db_file) as store, ThreadPoolExecutor(1) as pool:
        started = time.monotonic()
        fetch = pool.submit(run_fetch, settings, store, [good, stalled])
        with Store(db_file) as reader:
            while not fetch.done() and not seen_at:
                if reader.count_articles() == 2:
                    seen_at.append(time.monotonic() - started)
                time.sleep(0.05)
        report = fetch.result()
    assert report.added == 2 and len(report.failed) == 1
    # Before the stalled source was given up on (its total timeout), the good feed's articles
    # were already visible to another connection.
    assert seen_at and seen_at[0] < settings.fetch.total_timeout, \
        "the good feed's articles waited for the stalled one"


def test_waiting_for_a_hosts_slot_does_not_count_against_the_total_timeout(
        server: TestServer, db_file: Path) -> None:
    """Many feeds on one host queue for its per_host slot; the total timeout is the time a
    request itself takes. (Found: every feed queued longer than total_timeout behind others on
    the same host failed with 'no complete answer'.)"""
    delay = 1.0
    urls = [server.add(f"/q{i}.xml", Route(rss(1, prefix=f"q{i}"), delay=delay))
            for i in range(4)]
    # One at a time: the last waits 3 x delay for its turn, more than the total timeout.
    settings = quick_settings(connect=30, read=30, total=2.5 * delay, per_host=1, concurrency=8)
    report = run_fetch(settings, Store(db_file), urls)
    assert report.failed == [] and report.added == 4


def test_hooks_run_on_what_each_source_stored(server: TestServer, db_file: Path) -> None:
    """Story grouping is one hook after articles are stored (pipeline.AFTER_STORE); a run can
    pass others, or none. A hook sees only new or changed articles, in their transaction."""
    url = server.add("/feed.xml", Route(rss(3), etag='"v1"'))
    seen: list[list[str]] = []

    def record(store: Store, articles: Sequence[Article], signatures: Mapping[str, Any]) -> None:
        assert store.path == db_file  # called with the store that saved them
        seen.append(sorted(a.id for a in articles))
        assert set(signatures) >= {a.id for a in articles}

    store = Store(db_file)
    report = run_fetch(_settings(), store, [url], after_store=[record])
    assert report.added == 3 and len(seen) == 1 and len(seen[0]) == 3
    assert store.stories.listing() == []  # grouping was not among the hooks
    server.add("/feed.xml", Route(rss(3), etag='"v2"'))  # same items, new validator
    run_fetch(_settings(), store, [url], after_store=[record])
    assert len(seen) == 1  # nothing new or changed: no hook call
    run_fetch(_settings(), store, [url])
    assert (pipeline.group_stories,) == pipeline.AFTER_STORE


def test_a_pool_that_cannot_start_leaves_the_run_to_a_thread(
        server: TestServer, db_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(workers: int) -> None:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(pipeline, "process_pool", no_pool)
    n = pipeline.POOL_THRESHOLD
    urls = [server.add(f"/p{i}.xml", rss(1, prefix=f"p{i}")) for i in range(n)]
    report = run_fetch(_settings(workers=2), Store(db_file), urls)
    assert report.failed == [] and report.added == n


def test_a_fetch_gives_the_garbage_collector_back_as_it_found_it(server: TestServer,
                                                                  db_file: Path) -> None:
    """A fetch freezes and relaxes garbage collection for its run (the TUI's process lives
    on after it): thresholds and the frozen set are restored when it ends."""
    import gc

    url = server.add("/feed.xml", rss(3))
    before = gc.get_threshold()
    seen: list[tuple[int, int, int]] = []
    kept: list[list[str]] = []  # made during the run, alive after it

    def hook(store: Store, arts: Any, sigs: Any) -> None:
        seen.append(gc.get_threshold())
        kept.append([a.id for a in arts])
        pipeline.group_stories(store, arts, sigs)

    with Store(db_file) as store:
        report = run_fetch(_settings(), store, [url], after_store=[hook])
    assert report.added == 3
    # Automatic collection off while the run writes, back afterwards.
    assert seen and all(t[0] == 0 for t in seen)
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    # What the run left was set aside as it ended, into the oldest generation: no young
    # collection after the run walks it (with collection off, it was all still young).
    assert any(o is kept[0] for o in gc.get_objects(generation=2))


def test_overlapping_fetches_give_the_garbage_collector_back_once_the_last_ends() -> None:
    """Two runs in one process (a TUI's fetch thread still ending as the next starts): the
    one that ends first leaves collection off for the other, the last gives it back."""
    import gc

    before = gc.get_threshold()
    first, second = pipeline._light_gc(), pipeline._light_gc()
    first.__enter__()
    second.__enter__()
    assert gc.get_threshold() == pipeline.GC_THRESHOLD
    first.__exit__(None, None, None)
    assert gc.get_threshold() == pipeline.GC_THRESHOLD  # the second still runs
    second.__exit__(None, None, None)
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_an_entry_fetched_again_unchanged_is_neither_cleaned_nor_tagged_again(
        server: TestServer, db_file: Path) -> None:
    """A feed answering 200 again (a new ETag, or no validator at all) lists the entries
    stored before: one whose HTML is as stored is skipped before cleaning. Shown by a stored
    text hash that cleaning would not give (as an earlier cleaner might have written): a
    re-cleaned entry would be tagged and stored again."""
    url = server.add("/feed.xml", Route(rss(3), etag='"v1"'))
    store = Store(db_file)
    assert run_fetch(_settings(), store, [url]).added == 3
    with store.write() as c:
        c.execute("UPDATE articles SET content_hash = 'from-an-earlier-cleaner'")
    server.add("/feed.xml", Route(rss(3), etag='"v2"'))  # same items, new validator
    again = run_fetch(_settings(), store, [url])
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    assert set(store.known_hashes(url).values()) == {"from-an-earlier-cleaner"}
    # Changed HTML is cleaned, and its text compared, as before.
    server.add("/feed.xml", Route(rss(3, body=BODY + "<p>Update: the vote was postponed to "
                                       "next month after objections from the port unions."
                                       "</p>"), etag='"v3"'))
    changed = run_fetch(_settings(), store, [url])
    assert (changed.added, changed.updated, changed.unchanged) == (0, 3, 0)


class _ImportWatch:
    """A finder that answers nothing and counts the imports that reach the finders: a
    module already imported never does."""

    def __init__(self, name: str) -> None:
        self.name, self.asked = name, 0

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> None:
        if fullname == self.name:
            self.asked += 1


def test_fetching_walks_no_import_path_per_request(server: TestServer, db_file: Path) -> None:
    """httpcore imports sniffio for every connection and lock it makes; with sniffio missing
    each of those imports searched the whole import path and failed (0.29 ms each, ~1,000
    times in a fetch of 200 feeds, all-304 runs included). Installed, it is imported once."""
    import sys

    urls = [server.add(f"/f{i}.xml", Route(rss(2), etag=f'"v{i}"')) for i in range(6)]
    watch = _ImportWatch("sniffio")
    sys.meta_path.insert(0, watch)
    try:
        with Store(db_file) as store:
            first = run_fetch(_settings(), store, urls)
            second = run_fetch(_settings(), store, urls)
    finally:
        sys.meta_path.remove(watch)
    assert (first.sources_ok, first.failed, second.not_modified) == (6, [], 6)
    assert "sniffio" in sys.modules and watch.asked == 0


def test_an_opml_files_entries_are_planned_and_refused_in_its_order(tmp_path: Path,
                                                                    db_file: Path) -> None:
    """resolve reads an OPML file's stored feeds in one statement, and plans each as the
    store has it (its validators, its tags with the list's); the entries it skips are
    reported in the file's order, whichever step skips them; a feed listed twice is
    planned once; a new one is planned unstored."""
    stored_url, new_url = "https://feeds.example/a.xml", "https://feeds.example/new.xml"
    store = Store(db_file)
    store.add_source(stored_url, tags=("Stored",))
    store.record_source(stored_url, kind="feed", status=200, now="2024-01-02", etag='"e1"')
    subs = tmp_path / "subs.opml"
    subs.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body>'
        '<outline text="gone" xmlUrl="missing.xml"/>'
        '<outline text="cmd" xmlUrl="|cat /etc/passwd"/>'
        f'<outline text="a" category="Listed" xmlUrl="{stored_url}"/>'
        f'<outline text="a again" xmlUrl="{stored_url}"/>'
        '<outline text="me" xmlUrl="subs.opml"/>'
        f'<outline text="new" xmlUrl="{new_url}"/></body></opml>')
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    planned, failed = pipeline.resolve([str(subs)], store, Settings())
    store.conn.set_trace_callback(None)
    assert failed == [
        (str(tmp_path / "missing.xml"), "no such file or directory"),
        (str(subs), "entry '|cat /etc/passwd' skipped: a command (newsboat exec feed); "
                    "commands are never run"),
        (str(subs), "OPML file lists itself; that entry skipped")]
    by_key = {p.key: p for p in planned}
    assert list(by_key) == [stored_url, new_url]
    kept = by_key[stored_url].stored
    assert kept is not None and kept.etag == '"e1"'
    assert set(by_key[stored_url].tags) == {"Listed", "Stored"}
    assert by_key[new_url].stored is None and not by_key[new_url].validated
    assert sum(s.startswith("SELECT * FROM sources") for s in statements) == 1
