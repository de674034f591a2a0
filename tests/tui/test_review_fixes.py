"""Defects found in review of the daily reader (issue 15), in the real app: the search box
with no word, the state file that cannot be written, an unknown theme, next unread past the
loaded page, and one name per feed on the stories screen."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from briefing.config import Settings
from briefing.store import Store
from briefing.tui.app import BriefingApp
from briefing.tui.data import PAGE
from briefing.tui.screens.main import MainScreen
from briefing.tui.screens.reader import ReaderScreen
from briefing.tui.screens.search import HINT
from briefing.tui.widgets.article_list import ArticleList

from .conftest import NOW, Notes, open_search, open_stories, plain_article, settle


@pytest.mark.parametrize("typed", ["-", " ( ) ", "…", '""'])
async def test_a_search_with_no_word_shows_the_hint_not_every_article_or_nothing(
        make_app: BriefingApp, typed: str) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_search(pilot, make_app)
        screen.query_one(Input).value = typed
        await pilot.press("enter")
        await settle(pilot)
        status = str(screen.query_one("#search-status", Static).render())
        assert "No word to search for yet" in status and HINT in status
        assert screen.query_one(ArticleList).row_count == 0
        assert make_app.is_running


async def test_a_state_file_that_cannot_be_written_warns_once_in_one_line(
        make_app: BriefingApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        notes: Notes) -> None:
    """Root may write anywhere, so the folder is blocked by a file: every save fails (as on
    a read-only or full disk) while the session changes its theme, sort and titles."""
    (tmp_path / "blocker").write_text("a file where the state folder should be")
    path = tmp_path / "blocker" / "state.toml"
    monkeypatch.setenv("BRIEFING_STATE", str(path))
    app = BriefingApp(make_app.db_path, make_app.settings, now=make_app.fixed_now)
    async with app.run_test(size=(120, 40), message_hook=notes) as pilot:
        await settle(pilot)
        assert notes.messages("State file") == []  # nothing written yet, nothing to say
        app.theme = "nord"
        await pilot.press("O", "T")
        await settle(pilot)
        app.theme = "gruvbox"
        await settle(pilot)
        said = notes.messages("State file")
        assert len(said) == 1, said
        assert [m for m in notes.messages() if str(path) in m] == said
        (note,) = said
        assert "\n" not in note and note.startswith(f"{path}: cannot save preferences: ")
        assert "a file stands where its folder should be" in note and note.count(str(path)) == 1
        assert app.is_running and app.theme == "gruvbox" and app.oldest_first


async def test_an_unknown_theme_in_the_state_file_falls_back_and_says_so_once(
        make_app: BriefingApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        notes: Notes) -> None:
    path = tmp_path / "state.toml"
    path.write_text('theme = "no-such-theme"\nsort = "oldest"\n', encoding="utf-8")
    monkeypatch.setenv("BRIEFING_STATE", str(path))
    app = BriefingApp(make_app.db_path, make_app.settings, now=make_app.fixed_now)
    default = BriefingApp(make_app.db_path, make_app.settings).theme
    async with app.run_test(size=(120, 40), message_hook=notes) as pilot:
        await settle(pilot)
        await pilot.press("T")  # another preference saved: no second warning
        await settle(pilot)
        said = notes.messages("State file")
        assert len(said) == 1, said
        # Once in all: the app's log handler made the logged warning a second toast.
        assert [m for m in notes.messages() if str(path) in m] == said
        assert "'no-such-theme'" in said[0] and str(path) in said[0]
        assert f"the default theme ({default}) is used" in said[0]
        assert app.theme == default and app.oldest_first  # the rest of the file holds


@pytest.mark.parametrize("oldest_first", [False, True], ids=["newest-first", "oldest-first"])
async def test_n_finds_the_next_unread_past_the_loaded_page(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, oldest_first: bool) -> None:
    """A list longer than a page, every row after the first read down to well past the first
    page: n opens the one unread further down and the list moves (and loads) to it."""
    monkeypatch.setenv("BRIEFING_STATE", str(tmp_path / "state.toml"))
    if oldest_first:
        (tmp_path / "state.toml").write_text('sort = "oldest"\n', encoding="utf-8")
    db = tmp_path / "long.db"
    with Store(db) as store:
        for n in range(1, 2 * PAGE + 61):
            store.save_article(plain_article(n, day=1 + n % 28))
        order = [a.id for a in store.list_articles(limit=10**6, oldest_first=oldest_first)]
        target = PAGE + 100  # past the first page and its prefetch margin
        store.set_read_many(order[1:target], True)
    app = BriefingApp(db, Settings(), now=NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        assert len(main.articles.order) == PAGE and main.articles.total == len(order)
        await pilot.press("enter")
        await settle(pilot)
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert reader.article is not None and reader.article.id == order[0]
        await pilot.press("n")
        await settle(pilot)
        assert reader.article is not None and reader.article.id == order[target]
        assert main.articles.order[:target + 1] == order[:target + 1]
        assert main.articles.cursor_row == target
        await pilot.press("n")  # the next one follows as before
        await settle(pilot)
        assert reader.article is not None and reader.article.id == order[target + 1]


async def test_the_stories_screen_and_sidebar_name_a_feed_as_renamed(tmp_path: Path) -> None:
    from briefing.pipeline import run_fetch
    from tests.conftest import ROOT

    from .conftest import screen_text

    db = tmp_path / "demo.db"

    def fetch() -> list[tuple[str, str]]:  # run_fetch runs its own event loop
        with Store(db) as store:
            return run_fetch(Settings(), store, [str(ROOT / "sample_feeds")]).failed

    assert await asyncio.to_thread(fetch) == []
    with Store(db) as store:
        (feed,) = [s for s in store.list_sources(subscribed_only=False)
                   if s.url.endswith("energy.xml")]
        assert store.rename_source(feed.url, "My energy desk")
    app = BriefingApp(db, Settings(), now=NOW)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        assert "My energy desk" in screen_text(app)  # the sidebar's sources
        await open_stories(pilot, app)
        text = screen_text(app)
        assert "My energy desk" in text and "$1.5bn in My energy desk, $1.2bn in" in text
        assert "energy.example.com" not in text and "Mekong Energy Wire" not in text
