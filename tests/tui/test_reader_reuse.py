"""The reader's fast paths: one reader screen kept and reused between opens, a long article's
first screenful painted before the rest is mounted, and everything that needs the whole body
(G, a fact far down, space at the end) waiting for it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from textual.widgets import OptionList

from briefing.config import Settings
from briefing.models import Article, Fact, Paragraph
from briefing.store import Store
from briefing.tui.app import BriefingApp
from briefing.tui.screens.main import MainScreen
from briefing.tui.screens.reader import ReaderScreen
from briefing.tui.widgets.reader_body import ReaderBody, Row

from .conftest import NOW, open_settled, screen_text, settle

LONG_PARAGRAPHS = 200
LATE = 180  # the paragraph that holds the only figure


def _long() -> Article:
    paras = [Paragraph(i, f"Paragraph {i} of a long report on the harbour works.", "en")
             for i in range(LONG_PARAGRAPHS)]
    late = f"Paragraph {LATE} says the works cost $42bn in all."
    paras[LATE] = Paragraph(LATE, late, "en")
    start = late.index("$42bn")
    return Article(
        id="a-long", url="https://b.example/long", source="https://b.example/rss",
        source_title="Bay Post", title="A long report", text="\n\n".join(p.text for p in paras),
        paragraphs=tuple(paras), language="en", published="2026-11-26T06:00:00+00:00",
        facts=(Fact("money", "$42bn", 42e9, "USD", LATE, start, start + 5),))


def _short() -> Article:
    text = "A short note on the ferry timetable."
    return Article(
        id="a-short", url="https://b.example/short", source="https://b.example/rss",
        source_title="Bay Post", title="A short note", text=text,
        paragraphs=(Paragraph(0, text, "en"),), language="en",
        published="2026-11-25T06:00:00+00:00")


def _db(tmp_path: Path) -> Path:
    db = tmp_path / "r.db"
    with Store(db) as store:
        store.save_articles([_long(), _short()])
    return db


async def _until(pilot: object, test: Callable[[], bool], what: str,
                 deadline_s: float = 120.0) -> None:
    end = time.monotonic() + deadline_s
    while not test():
        assert time.monotonic() < end, f"never {what}"
        await asyncio.sleep(0.005)


async def _open_painted(pilot: object, app: BriefingApp, article_id: str) -> ReaderScreen:
    """Open `article_id` and wait only until its first screenful is painted."""
    app.open_article(article_id)
    await _until(pilot, lambda: isinstance(app.screen, ReaderScreen)
                 and app.screen.painted == article_id, "painted")
    assert isinstance(app.screen, ReaderScreen)
    return app.screen


def _row_ids(reader: ReaderScreen) -> list[str]:
    """The paragraphs the body draws, in the order they are drawn."""
    body = reader.query_one(ReaderBody)
    shown = [(body.line_of(r.number), r.number) for r in body.items
             if isinstance(r, Row) and r.number is not None and body.line_of(r.number) is not None]
    return [f"p{n}" for _line, n in sorted(shown)]


async def test_a_long_article_is_mounted_whole_and_in_order(tmp_path: Path) -> None:
    app = BriefingApp(_db(tmp_path), Settings(), now=NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        reader = await _open_painted(pilot, app, "a-long")
        assert "Paragraph 0 of a long report" in screen_text(app)
        await _until(pilot, lambda: reader.complete == "a-long", "complete")
        assert _row_ids(reader) == [f"p{i}" for i in range(LONG_PARAGRAPHS)]


async def test_g_as_soon_as_painted_goes_to_the_real_end(tmp_path: Path) -> None:
    app = BriefingApp(_db(tmp_path), Settings(), now=NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        reader = await _open_painted(pilot, app, "a-long")
        await pilot.press("G")
        await pilot.pause()
        assert _row_ids(reader)[-1] == f"p{LONG_PARAGRAPHS - 1}"
        scroll = reader.query_one("#reader-scroll")
        assert scroll.max_scroll_y > 0 and scroll.scroll_y == scroll.max_scroll_y
        assert f"Paragraph {LONG_PARAGRAPHS - 1} of a long report" in screen_text(app)


async def test_a_fact_far_down_scrolls_to_its_paragraph(tmp_path: Path) -> None:
    app = BriefingApp(_db(tmp_path), Settings(), now=NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        reader = await _open_painted(pilot, app, "a-long")
        pane = reader.query_one("#facts-panel", OptionList)
        await _until(pilot, lambda: any((pane.get_option_at_index(i).id or "").endswith(
            f":{LATE}") for i in range(pane.option_count)), "listed the fact")
        index = next(i for i in range(pane.option_count)
                     if (pane.get_option_at_index(i).id or "").endswith(f":{LATE}"))
        pane.focus()
        pane.highlighted = index
        await pilot.press("enter")
        await pilot.pause()
        body = reader.query_one(ReaderBody)
        assert body.hit == LATE
        assert body.line_of(LATE) == round(body.scroll_y)  # its row at the top
        assert "works cost $42bn" in screen_text(app)


async def test_the_kept_reader_shows_only_the_article_opened_next(tmp_path: Path) -> None:
    app = BriefingApp(_db(tmp_path), Settings(), now=NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        first = await open_settled(pilot, app, "a-long")
        await _until(pilot, lambda: first.complete == "a-long", "complete")
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        app.open_article("a-short")
        await settle(pilot)
        assert app.screen is first  # the same screen, reused
        assert first.article is not None and first.article.id == "a-short"
        assert _row_ids(first) == ["p0"]
        text = screen_text(app)
        assert "A short note" in text and "ferry timetable" in text
        assert "long report" not in text


async def test_a_reader_under_a_search_opens_a_second_one(tmp_path: Path) -> None:
    """Opening from the search screen pushed over the reader: the kept reader is on the
    stack already, so a fresh one opens, and going back finds the first as it was."""
    db = _db(tmp_path)
    with Store(db) as store:
        store.save_article(replace(_short(), id="a-ferry", url="https://b.example/ferry",
                                   title="Ferry fares rise"))
    app = BriefingApp(db, Settings(), now=NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        first = await open_settled(pilot, app, "a-short")
        await pilot.press("slash")
        await settle(pilot)
        await pilot.press(*"fares")
        await pilot.press("enter")
        await settle(pilot)
        second = await open_settled(pilot, app, "a-ferry")
        assert second is not first
        assert second.article is not None and second.article.id == "a-ferry"
        app.pop_screen()  # the second reader
        await settle(pilot)
        app.pop_screen()  # the search
        await settle(pilot)
        assert app.screen is first
        assert isinstance(first, ReaderScreen)
        assert first.article is not None and first.article.id == "a-short"
        assert "ferry timetable" in screen_text(app)


async def test_enter_on_a_previewed_row_opens_it_and_marks_it_read(tmp_path: Path) -> None:
    """The preview's copy is shown at once; the read mark is still written."""
    db = _db(tmp_path)
    app = BriefingApp(db, Settings(), now=NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("j")  # a-short, the second row
        await _until(pilot, lambda: app.preloaded is not None
                     and app.preloaded.article_id == "a-short", "previewed")
        await pilot.press("enter")
        await settle(pilot)
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert reader.article is not None and reader.article.id == "a-short"
        assert reader.article.read
        assert "ferry timetable" in screen_text(app)
    with Store(db) as store:
        got = store.get_article("a-short")
        assert got is not None and got.read


async def test_a_change_in_the_database_drops_the_previewed_copy(tmp_path: Path) -> None:
    """Cron rewrites an article after its preview loaded: enter shows the new text."""
    db = _db(tmp_path)
    app = BriefingApp(db, Settings(refresh_seconds=1), now=NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await _until(pilot, lambda: app.preloaded is not None
                     and app.preloaded.article_id == "a-short", "previewed")
        text = "The ferry timetable changes on Monday."
        with Store(db) as store:
            store.save_article(replace(_short(), text=text, content_hash="changed",
                                       paragraphs=(Paragraph(0, text, "en"),)))
        await _until(pilot, lambda: app.preloaded is None, "dropped the copy")
        await pilot.press("enter")
        await settle(pilot)
        assert "changes on Monday" in screen_text(app)


async def test_the_reader_is_composed_ahead_and_never_shown_empty(tmp_path: Path) -> None:
    """Once the list is up, the kept reader is composed off screen (warm_reader): the main
    screen stays where it was, and the first article opened goes into that reader."""
    app = BriefingApp(_db(tmp_path), Settings(), now=NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        articles = main.articles
        articles.focus()
        await _until(pilot, lambda: app._reader is not None, "composed ahead")
        warmed = app._reader
        assert warmed is not None and warmed not in app.screen_stack
        await _until(pilot, lambda: bool(warmed.query(ReaderBody)), "its body composed")
        await settle(pilot)
        assert app.screen is main and articles.has_focus  # left as it was
        assert "A short note" in screen_text(app)
        await pilot.press("enter")  # the highlighted row: the newest, the long report
        await _until(pilot, lambda: isinstance(app.screen, ReaderScreen)
                     and app.screen.painted == "a-long", "painted")
        assert app.screen is warmed
        assert "works cost $42bn" not in screen_text(app)  # far down; the top shows
        assert "Paragraph 0 of a long report" in screen_text(app)
        await pilot.press("q")
        await settle(pilot)
        assert app.screen is main


async def test_the_app_closing_as_the_reader_is_composed_ahead_raises_nothing(
        tmp_path: Path) -> None:
    """q pressed just as the list's timer composes the kept reader: the app starts shutting
    down while the reader mounts, so it gets its suspend with no children. That raised
    NoMatches out of run_test (CI, under load); it failed 3 of 3 tries before the fix."""
    for ticks in (0, 0, 0, 1, 2, 4):
        app = BriefingApp(_db(tmp_path), Settings(), now=NOW)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            if app._reader is not None:  # the list's timer came first: as before it fired
                app.uninstall_screen(app._reader)
                app._reader = None
            app.warm_reader()
            for _ in range(ticks):
                await asyncio.sleep(0)
            # What App.exit's shutdown sets first (Textual's _shutdown): no new message
            # pumps start, so the reader's children never mount.
            app._running = False
        # run_test re-raises what a handler raised on the way out
        assert app.return_code in (None, 0)
