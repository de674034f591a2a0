"""`r` runs the shared pipeline in a worker; progress reaches the status line."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from briefing.config import Settings
from briefing.models import FetchProgress, FetchReport
from briefing.store import Store
from briefing.tui.app import BriefingApp
from briefing.tui.widgets.article_list import ArticleList
from tests.feedgen import rss
from tests.httpserver import Route, TestServer

from .conftest import Notes, plain_article, screen_text, settle


async def test_fetch_worker_reports_progress_and_reloads(
        make_app: BriefingApp, monkeypatch: pytest.MonkeyPatch) -> None:
    import briefing.pipeline

    seen: dict[str, Any] = {}

    def fake_run_fetch(settings: Any, store: Store, sources: Any = None, *,
                       now: datetime | None = None,
                       on_progress: Callable[[FetchProgress], None] | None = None,
                       extract: bool | None = None) -> FetchReport:
        seen.update(sources=sources, now=now)
        assert on_progress is not None
        on_progress(FetchProgress(1, 2, "https://a.example/rss", "ok"))
        store.save_article(plain_article(500, title="Fresh from the fetch", day=27))
        on_progress(FetchProgress(2, 2, "https://b.example/rss", "timed out"))
        return FetchReport(sources_total=2, sources_ok=1, added=1,
                           failed=[("https://b.example/rss", "timed out")])

    monkeypatch.setattr(briefing.pipeline, "run_fetch", fake_run_fetch)
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert seen == {"sources": None, "now": make_app.fixed_now}
        assert "Fetched 1/2 sources: 1 new, 0 updated, 1 failed" in make_app.status
        assert "a-00500" in make_app.screen.query_one(ArticleList).summaries
        assert "Fetch" in screen_text(make_app)


async def test_fetch_with_the_real_pipeline_adds_a_subscribed_feed(db: Path) -> None:
    """`r` runs the real pipeline on the subscribed feeds; the list shows what it stored,
    and the hostile title arrives as plain text."""
    feed = Path(__file__).resolve().parents[2] / "sample_feeds" / "markets.xml"
    with Store(db) as store:
        store.add_source(str(feed))
    app = BriefingApp(db, Settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert app.status.startswith("Fetched 1/1 sources: 4 new"), app.status
        titles = [a.title for a in app.screen.query_one(ArticleList).summaries.values()]
        assert "[UPDATE] Markets close higher" in titles
        assert "[UPDATE] Markets close higher" in screen_text(app)


PAGE = ("<html><head><title>Full story {n}</title></head><body><article><h1>Full story {n}"
        "</h1><p>The full text of story {n}: the council approved a 120-berth marina on "
        "Tuesday after a two-year review, and the port said it would hire 85 people.</p>"
        "<p>Residents had asked for a smaller plan; the vote was 7 to 2.</p></article>"
        "</body></html>")


async def test_fetch_many_subscribed_feeds_with_teasers_through_the_pool(
        db: Path, server: TestServer) -> None:
    """30 subscribed feeds (enough for the worker pool) and teaser items whose pages must be
    fetched. Inside Textual, stderr is a capture object whose fileno() is -1, which the pool's
    helper processes used to be handed: every fetch of 12 or more feeds failed with 'bad
    value(s) in fds_to_keep' and teaser feeds failed with no reason."""
    n_feeds = 30
    with Store(db) as store:
        for i in range(n_feeds):
            if i % 3 == 0:  # teasers: short descriptions, the page holds the article
                for k in range(2):
                    server.add(f"/t{i}/story/{k}?utm_source=rss", PAGE.format(n=f"{i}-{k}"))
                body = rss(2, base=f"{server.base}/t{i}", prefix="story",
                           body="<p>Short teaser.</p>")
            else:
                body = rss(2, base="https://news.example.com", prefix=f"feed{i}")
            store.add_source(server.add(f"/feed{i}.xml", body))
    settings = Settings()
    settings.fetch.per_host = 8
    settings.fetch.workers = 2
    app = BriefingApp(db, settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert app.status.startswith(f"Fetched {n_feeds}/{n_feeds} sources: 60 new"), app.status
    with sqlite3.connect(db) as conn:
        texts = " ".join(t for (t,) in conn.execute("SELECT text FROM articles"))
    for page in ("0-1", "27-0"):  # teaser items got their pages' full text
        assert f"The full text of story {page}:" in texts


async def test_a_failed_feed_shows_its_reason(db: Path, server: TestServer,
                                             notes: Notes) -> None:
    """The status line counted failures; the reader could not see why without the CLI."""
    with Store(db) as store:
        store.add_source(server.add("/ok.xml", rss(1, prefix="fine")))
        store.add_source(server.add("/gone.xml", Route(b"gone", status=410)))
    app = BriefingApp(db, Settings())
    async with app.run_test(size=(120, 40), message_hook=notes) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert app.status.startswith("Fetched 1/2 sources: 1 new, 0 updated, 1 failed")
        (note,) = notes.messages("1 failed")
        assert "/gone.xml: " in note and "410" in note, note


def _auto_settings(engine_url: str) -> Settings:
    settings = Settings()
    settings.translation.auto = True
    settings.translation.engine = "libretranslate"
    settings.translation.target = "vi"
    settings.translation.libretranslate.url = engine_url
    settings.translation.timeout = 60
    return settings


async def test_fetch_translates_what_it_stored_when_auto_is_on(
        db: Path, server: TestServer) -> None:
    """`[translation] auto = true` held for `briefing fetch` only: `r` stored the new articles
    untranslated. Now the same worker translates them, through a LibreTranslate-protocol
    engine on 127.0.0.1, and the status line counts them."""
    from tests.test_translate_engines import FakeLibreTranslate, fake_translate

    with Store(db) as store:
        store.add_source(server.add("/feed.xml", rss(2, prefix="auto")))
        before = set(store.article_ids())
    engine = FakeLibreTranslate()
    try:
        app = BriefingApp(db, _auto_settings(engine.url))
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("r")
            await settle(pilot)
            assert app.status == "Fetched 1/1 sources: 2 new, 0 updated, 2 translated", \
                app.status
        assert engine.calls >= 1
        with Store(db) as store:
            new = set(store.article_ids()) - before
            assert len(new) == 2
            for article_id in new:
                art = store.get_article(article_id)
                assert art is not None
                (tr,) = [t for t in art.translations if t.lang == "vi"]
                assert [p.translation for p in tr.pairs][1:] == [
                    fake_translate(p.text) for p in art.paragraphs]
            # The articles stored before this fetch were not the fetch's to translate.
            others = [store.get_article(i) for i in sorted(before - {"a-nvidia"})]
            assert others and all(a is not None and not a.translations for a in others)
    finally:
        engine.close()


async def test_a_failing_engine_is_one_notification_with_a_count(
        db: Path, server: TestServer, notes: Notes) -> None:
    """An engine that cannot be reached: the fetch's articles stay stored, one warning
    counts those not translated and names the reason, and the app keeps running."""
    from tests.test_translate_engines import closed_port_url

    with Store(db) as store:
        store.add_source(server.add("/feed.xml", rss(3, prefix="down")))
    app = BriefingApp(db, _auto_settings(closed_port_url()))
    async with app.run_test(size=(120, 40), message_hook=notes) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert app.status == ("Fetched 1/1 sources: 3 new, 0 updated, 0 translated, "
                              "3 not translated"), app.status
        said = [m for m in notes.messages() if "not translated" in m]
        assert len(said) == 1 and said[0].startswith("3 not translated: "), said
        assert "skipped" not in said[0]  # the engine's own reason, not the follow-ups'
        assert app.is_running
        titles = [a.title for a in app.screen.query_one(ArticleList).summaries.values()]
        assert sum(t.startswith("down ") for t in titles) == 3


async def test_a_fetch_warning_is_a_notification_not_text_over_the_screen(
        db: Path, tmp_path: Path, notes: Notes, capfd: pytest.CaptureFixture[str]) -> None:
    """The CLI's log handler writes "briefing: ..." to stderr, the terminal Textual draws
    on: a feed cut short in a fetch from the reader printed its warning over the screen."""
    import logging

    whole = rss(3, base="https://news.example.com", prefix="cut")
    cut = tmp_path / "cut.xml"
    cut.write_bytes(whole[:whole.index(b"cut 2") + 3])
    with Store(db) as store:
        store.add_source(str(cut))
    root = logging.getLogger()
    stream = logging.StreamHandler()  # what the CLI's logging.basicConfig installs
    before = root.handlers[:]
    root.addHandler(stream)
    try:
        app = BriefingApp(db, Settings())
        async with app.run_test(size=(120, 40), message_hook=notes) as pilot:
            await settle(pilot)
            await pilot.press("r")
            await settle(pilot)
            await pilot.pause()
            assert app.status.startswith("Fetched 1/1 sources"), app.status
            assert any("breaks off before its end" in m and str(cut) in m
                       for m in notes.messages()), notes.messages()
        assert stream in root.handlers  # given back when the app ends
    finally:
        root.handlers = before
    assert "breaks off" not in capfd.readouterr().err


def _held_fades(app: BriefingApp) -> list[Callable[[], None]]:
    """The fetch lines' fade timers, kept to be fired by the test instead of waited for (each
    wait was 10-16 s of a test). Every other timer is set as usual."""
    fades: list[Callable[[], None]] = []
    real = app.set_timer

    def set_timer(delay: float, callback: Any = None, **kwargs: Any) -> Any:
        if getattr(callback, "__qualname__", "").endswith("_fade_status.<locals>.fade"):
            assert delay == app.STATUS_HOLD_S
            fades.append(callback)
            return None
        return real(delay, callback, **kwargs)

    app.set_timer = set_timer  # type: ignore[method-assign]
    return fades


def _fading_app(db: Path) -> tuple[BriefingApp, list[Callable[[], None]]]:
    """An app subscribed to the sample markets feed, its fade timers held (_held_fades)."""
    feed = Path(__file__).resolve().parents[2] / "sample_feeds" / "markets.xml"
    with Store(db) as store:
        store.add_source(str(feed))
    app = BriefingApp(db, Settings())
    return app, _held_fades(app)


async def test_a_finished_fetch_line_fades_unless_something_replaced_it(db: Path) -> None:
    """"Fetched 9/10 sources: ..., 1 failed" stayed on every screen for the whole session,
    after the failing feed was deleted too."""
    app, fades = _fading_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert app.status.startswith("Fetched 1/1 sources"), app.status
        (fade,) = fades
        fade()  # its hold is over
        assert app.status == ""
        await pilot.press("r")
        await settle(pilot)
        assert app.status.startswith("Fetched 1/1 sources"), app.status
        app.status = "Translating 1/3 · a newer line"
        fades[-1]()
        assert app.status == "Translating 1/3 · a newer line"


async def test_a_second_fetch_s_line_outlives_the_first_one_s_timer(db: Path) -> None:
    """Two fetches with the same line ("Fetched 1/1 sources: 0 new, 0 updated"): the first
    one's timer cleared the second one's line, 15 s after it came instead of a minute."""
    app, fades = _fading_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")  # the feed's articles arrive: "4 new"
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        line = app.status
        assert line.startswith("Fetched 1/1 sources"), line
        await pilot.press("r")
        await settle(pilot)
        assert app.status == line  # the same result, the same line
        _first, second, third = fades
        second()  # the earlier run's hold ends
        assert app.status == line
        third()  # this run's
        assert app.status == ""


async def test_a_burst_of_warnings_is_a_few_notifications(db: Path, notes: Notes) -> None:
    """A fetch of hundreds of broken feeds warns for each: a few notifications say it, a
    screen buried under hundreds does not (the feeds screen lists every failing source)."""
    import logging
    import threading

    from briefing.tui.notices import BURST

    app = BriefingApp(db, Settings())
    async with app.run_test(size=(120, 40), message_hook=notes) as pilot:
        await settle(pilot)

        def warn() -> None:  # from a thread, as a fetch's are
            for i in range(40):
                logging.getLogger("briefing.pipeline").warning("feed-%d.xml: cut short", i)

        thread = threading.Thread(target=warn)
        thread.start()
        thread.join()
        await pilot.pause()
        await settle(pilot)
    shown = [m for m in notes.messages() if "cut short" in m]
    assert shown == [f"feed-{i}.xml: cut short" for i in range(BURST)]


async def test_an_open_article_updated_by_a_fetch_shows_the_new_text(tmp_path: Path) -> None:
    """A file edited and fetched again ("1 updated"): the open reader kept the old text, and
    ctrl+r did not help; a fetch from the shell did not reach the list either (the article
    count had not moved)."""
    import asyncio

    from briefing.pipeline import run_fetch
    from briefing.tui.screens.reader import ReaderScreen

    from .conftest import open_settled

    note = tmp_path / "notes" / "harbour.txt"
    note.parent.mkdir()
    text = ("Harbour expansion approved\n\nThe harbour authority in Port Meridian approved a "
            "$2.4bn expansion on Tuesday, adding 14 berths over three years.\n")
    note.write_text(text, encoding="utf-8")
    db = tmp_path / "x.db"

    def fetch() -> FetchReport:  # as cron does, beside the app (its own asyncio loop)
        with Store(db) as store:
            return run_fetch(Settings(), store, extract=False)

    with Store(db) as store:
        store.add_source(str(note.parent))
    assert (await asyncio.to_thread(fetch)).added == 1
    with Store(db) as store:
        (art,) = store.list_articles()
    app = BriefingApp(db, Settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        reader = await open_settled(pilot, app, art.id)
        assert "$2.4bn" in screen_text(app)
        note.write_text(text.replace("$2.4bn", "$2.6bn"), encoding="utf-8")
        await pilot.press("r")  # the app's own fetch
        await settle(pilot)
        assert "1 updated" in app.status, app.status
        assert app.screen is reader and isinstance(reader, ReaderScreen)
        assert "$2.6bn" in screen_text(app) and "$2.4bn" not in screen_text(app)
        # Another process (cron) edits it again: the watch finds the run and shows it.
        note.write_text(text.replace("$2.4bn", "$2.9bn"), encoding="utf-8")
        assert (await asyncio.to_thread(fetch)).updated == 1
        app.check_for_changes()
        await settle(pilot)
        assert "$2.9bn" in screen_text(app), screen_text(app)
