"""Reading through a list from the reader (n, N, J, K, space), going back with q, quitting with
Q, read state and unread counts kept true, undo of mark-all, and the unread-only toggle."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from briefing.config import Settings
from briefing.models import Article, Paragraph
from briefing.store import ArticleFilter, Store
from briefing.tui.app import BriefingApp
from briefing.tui.screens.main import MainScreen
from briefing.tui.screens.reader import ReaderScreen
from briefing.tui.widgets.article_list import ArticleList
from briefing.tui.widgets.sidebar import Sidebar

from .conftest import NOW, settle

# The list, newest first: a-nvidia, then a-00005 ... a-00001 (see conftest).
ORDER = ["a-nvidia", "a-00005", "a-00004", "a-00003", "a-00002", "a-00001"]


def _reader(app: BriefingApp) -> ReaderScreen:
    assert isinstance(app.screen, ReaderScreen)
    return app.screen


async def _open_first(pilot, app: BriefingApp) -> ReaderScreen:
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    return _reader(app)


def _unread(db: Path) -> set[str]:
    with Store(db) as store:
        return {a.id for a in store.list_articles(ArticleFilter(unread=True), limit=100)}


async def test_n_goes_to_the_next_unread_and_the_list_cursor_follows(
        make_app: BriefingApp, db: Path) -> None:
    with Store(db) as store:
        store.set_read("a-00005", True)  # read already: n skips it
    async with make_app.run_test(size=(120, 40)) as pilot:
        reader = await _open_first(pilot, make_app)
        await pilot.press("n")
        await settle(pilot)
        assert reader.article is not None and reader.article.id == "a-00004"
        await pilot.press("n")
        await settle(pilot)
        assert reader.article is not None and reader.article.id == "a-00003"
        await pilot.press("N")  # the previous unread: a-00004 is read now, a-nvidia too
        await settle(pilot)
        assert reader.article is not None and reader.article.id == "a-00003"
        await pilot.press("q")  # back one level, not quit
        await settle(pilot)
        assert isinstance(make_app.screen, MainScreen)
        lst = make_app.screen.query_one(ArticleList)
        assert lst.current is not None and lst.current.id == "a-00003"
        assert make_app.is_running
    assert _unread(db) == {"a-00002", "a-00001"}


async def test_shift_n_goes_back_to_an_unread_one_above(make_app: BriefingApp, db: Path) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j")  # a-00004
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        reader = _reader(make_app)
        await pilot.press("N")
        await settle(pilot)
        assert reader.article is not None and reader.article.id == "a-00005"


async def test_capital_j_k_walk_the_list_read_or_not(make_app: BriefingApp, db: Path) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        reader = await _open_first(pilot, make_app)
        seen = []
        for key in ("J", "J", "K", "K", "K"):
            await pilot.press(key)
            await settle(pilot)
            assert reader.article is not None
            seen.append(reader.article.id)
        assert seen == ["a-00005", "a-00004", "a-00005", "a-nvidia", "a-nvidia"]


async def test_n_at_the_end_of_a_source_moves_to_the_next_source_with_unread(
        make_app: BriefingApp, db: Path) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        main = make_app.screen
        assert isinstance(main, MainScreen)
        main.choose("src:https://example.com/feed")  # the Nvidia source: one article
        await settle(pilot)
        assert main.articles.order == ["a-nvidia"]
        await pilot.press("enter")
        await settle(pilot)
        reader = _reader(make_app)
        await pilot.press("n")
        await settle(pilot)
        assert main.filter_id == "src:https://b.example/rss"
        assert reader.article is not None and reader.article.id == "a-00005"
        assert main.articles.current is not None and main.articles.current.id == "a-00005"


async def test_n_at_the_end_of_a_source_wraps_to_its_unread_above_first(
        make_app: BriefingApp, db: Path) -> None:
    # newsboat's n wraps to the top of the same feed before it leaves it; n went on to the
    # next source and left this one's earlier unread articles behind.
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        main = make_app.screen
        assert isinstance(main, MainScreen)
        main.choose("src:https://b.example/rss")  # five articles, a-00005 first
        await settle(pilot)
        assert main.articles.order[-1] == "a-00001"
        await pilot.press("G", "enter")
        await settle(pilot)
        reader = _reader(make_app)
        assert reader.article is not None and reader.article.id == "a-00001"
        await pilot.press("n")
        await settle(pilot)
        assert main.filter_id == "src:https://b.example/rss"
        assert reader.article is not None and reader.article.id == "a-00005"


async def test_space_pages_then_goes_to_the_next_unread(tmp_path: Path) -> None:
    db = tmp_path / "long.db"
    paras = tuple(Paragraph(i, f"Paragraph {i} of a long report on the harbour works.", "en")
                  for i in range(60))
    long = Article(id="a-long", url="https://b.example/long", source="https://b.example/rss",
                   source_title="Bay Post", title="A long report", text="\n\n".join(
                       p.text for p in paras), paragraphs=paras, language="en",
                   published="2026-11-26T06:00:00+00:00")
    short = replace(long, id="a-short", url="https://b.example/short", title="Short",
                    paragraphs=paras[:1], text=paras[0].text,
                    published="2026-11-25T06:00:00+00:00")
    with Store(db) as store:
        store.save_articles([long, short])
    app = BriefingApp(db, Settings(), now=NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await _open_first(pilot, app)
        scroll = reader.query_one("#reader-scroll")
        assert scroll.max_scroll_y > 0
        pages = 0
        while reader.article is not None and reader.article.id == "a-long":
            assert pages < 100, "space never reached the end"
            before = scroll.scroll_y
            await pilot.press("space")
            await settle(pilot)
            pages += 1
            if reader.article is not None and reader.article.id == "a-long":
                assert scroll.scroll_y > before
        assert pages > 2  # it paged first
        assert reader.article is not None and reader.article.id == "a-short"


async def test_reader_movement_keys_scroll(tmp_path: Path) -> None:
    db = tmp_path / "long.db"
    paras = tuple(Paragraph(i, f"Paragraph {i} of a long report.", "en") for i in range(60))
    with Store(db) as store:
        store.save_article(Article(
            id="a-long", url="https://b.example/long", source="https://b.example/rss",
            title="A long report", text="", paragraphs=paras, language="en"))
    app = BriefingApp(db, Settings(), now=NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await _open_first(pilot, app)
        scroll = reader.query_one("#reader-scroll")
        for key, where in (("G", "end"), ("g", "top"), ("end", "end"), ("home", "top")):
            await pilot.press(key)
            await pilot.pause()
            assert scroll.scroll_y == (scroll.max_scroll_y if where == "end" else 0), key
        for key in ("pagedown", "ctrl+d"):
            before = scroll.scroll_y
            await pilot.press(key)
            await pilot.pause()
            assert scroll.scroll_y > before, key
        for key in ("pageup", "ctrl+u"):
            before = scroll.scroll_y
            await pilot.press(key)
            await pilot.pause()
            assert scroll.scroll_y < before, key
        await pilot.press("j")
        await pilot.pause()
        assert scroll.scroll_y > 0


async def test_q_goes_back_and_quits_only_from_the_main_screen(make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        await _open_first(pilot, make_app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(make_app.screen, MainScreen)
        await pilot.press("S")  # the stories screen: q goes back too
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(make_app.screen, MainScreen) and make_app.is_running
        await pilot.press("q")
        await settle(pilot)
        assert not make_app.is_running


async def test_capital_q_quits_from_the_reader(make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        await _open_first(pilot, make_app)
        await pilot.press("Q")
        await settle(pilot)
        assert not make_app.is_running


async def test_sidebar_counts_move_as_an_article_opens(make_app: BriefingApp) -> None:
    """Before, the Unread count lagged after enter until ctrl+r. The counts are not asked for
    behind the reader (on 100,000 articles they cost a second of queries per article read):
    they are right as soon as the list shows again."""
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        main = make_app.screen
        sidebar = main.query_one(Sidebar)
        assert sidebar.counts.unread == 6
        await pilot.press("enter")
        await settle(pilot)
        assert sidebar.counts.unread == 6  # hidden: not reloaded yet
        await pilot.press("escape")
        await settle(pilot)
        assert make_app.screen is main and sidebar.counts.unread == 5
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert sidebar.counts.unread == 4


async def test_mark_read_on_leaving(db: Path) -> None:
    app = BriefingApp(db, Settings(mark_read="leave"), now=NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_first(pilot, app)
        assert "a-nvidia" in _unread(db)  # open, not yet read
        await pilot.press("J")
        await settle(pilot)
        assert "a-nvidia" not in _unread(db) and "a-00005" in _unread(db)
        await pilot.press("escape")
        await settle(pilot)
        assert "a-00005" not in _unread(db)


def test_mark_read_takes_open_or_leave(tmp_path: Path) -> None:
    from briefing import config

    path = tmp_path / "c.toml"
    path.write_text('mark_read = "later"\n')
    with pytest.raises(config.ConfigError, match='mark_read must be "open" or "leave"'):
        config.load(path)
    path.write_text('mark_read = "leave"\n')
    assert config.load(path).mark_read == "leave"


async def test_u_undoes_mark_all_read(make_app: BriefingApp, db: Path) -> None:
    with Store(db) as store:
        store.set_read("a-00003", True)  # read before A: stays read after the undo
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("A")
        await settle(pilot)
        assert _unread(db) == set()
        await pilot.press("u")
        await settle(pilot)
        assert _unread(db) == set(ORDER) - {"a-00003"}
        lst = make_app.screen.query_one(ArticleList)
        assert not lst.summaries["a-nvidia"].read
        assert make_app.screen.query_one(Sidebar).counts.unread == 5


async def test_unread_only_toggle(make_app: BriefingApp, db: Path) -> None:
    with Store(db) as store:
        store.set_read("a-00003", True)
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lst = make_app.screen.query_one(ArticleList)
        await pilot.press("U")
        await settle(pilot)
        assert "a-00003" not in lst.order and len(lst.order) == 5
        await pilot.press("U")
        await settle(pilot)
        assert lst.order == ORDER


async def test_new_reading_keys_can_be_remapped(db: Path) -> None:
    app = BriefingApp(db, Settings(keys={"next_unread": "x", "back": "escape,h"}), now=NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        reader = await _open_first(pilot, app)
        await pilot.press("x")
        await settle(pilot)
        assert reader.article is not None and reader.article.id == "a-00005"
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)


async def test_q_types_in_the_search_box_and_goes_back_from_its_results(
        make_app: BriefingApp) -> None:
    from textual.widgets import Input

    from briefing.tui.screens.search import SearchScreen

    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # A query with a result: enter moves to the results only when there are some.
        await pilot.press("slash", *"quarter", "enter")
        await settle(pilot)
        screen = make_app.screen
        assert isinstance(screen, SearchScreen)
        assert screen.query_one(Input).value == "quarter"  # q was typed, not "back"
        await pilot.press("q")  # the results have focus now
        await settle(pilot)
        assert isinstance(make_app.screen, MainScreen) and make_app.is_running


async def test_n_at_the_end_of_the_list_wraps_to_an_unread_one_above(
        make_app: BriefingApp, db: Path) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("G", "enter")  # the last article, a-00001
        await settle(pilot)
        reader = _reader(make_app)
        assert reader.article is not None and reader.article.id == "a-00001"
        await pilot.press("n")
        await settle(pilot)
        assert reader.article is not None and reader.article.id == "a-nvidia"
        with Store(db) as store:
            store.mark_all_read()
        lst = reader.source
        assert lst is not None
        for a in list(lst.summaries.values()):
            lst.update_summary(a.id, read=True, starred=a.starred)
        await pilot.press("n")
        await settle(pilot)
        assert reader.article is not None and reader.article.id == "a-nvidia"  # none left


async def test_n_on_the_list_opens_the_next_unread_below_the_cursor(
        make_app: BriefingApp, db: Path) -> None:
    # Found: n on the list did nothing and said nothing; in newsboat's article list it opens
    # the next unread article, and a newsboat hand presses it there first.
    with Store(db) as store:
        store.set_read("a-00005", True)
        store.set_read("a-00004", True)
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j")  # the cursor on a-00005, read: n goes past the read ones
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        reader = _reader(make_app)
        assert reader.article is not None and reader.article.id == "a-00003"
        await pilot.press("q")
        await settle(pilot)
        main = make_app.screen
        assert isinstance(main, MainScreen)
        lst = main.query_one(ArticleList)
        assert lst.current is not None and lst.current.id == "a-00003"
        await pilot.press("N")  # the unread one above the cursor: a-nvidia (a-00004 is read)
        await settle(pilot)
        reader = _reader(make_app)
        assert reader.article is not None and reader.article.id == "a-nvidia"
        await pilot.press("q")
        await settle(pilot)
        await pilot.press("G", "n")  # from the bottom: none below, so the first one above
        await settle(pilot)
        reader = _reader(make_app)
        assert reader.article is not None and reader.article.id == "a-00002"
