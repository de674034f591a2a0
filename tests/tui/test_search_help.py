"""Search (full text, malformed queries, fact filters) and the help screen."""

from __future__ import annotations

from textual.widgets import Input, Static

from briefing.store import ArticleFilter, Store
from briefing.tui.app import BriefingApp
from briefing.tui.screens.help import HelpScreen
from briefing.tui.screens.main import MainScreen
from briefing.tui.screens.reader import ReaderScreen
from briefing.tui.screens.search import SearchScreen
from briefing.tui.widgets.article_list import ArticleList

from .conftest import Notes, open_search, screen_text, settle


async def _search(pilot, app: BriefingApp, query: str) -> SearchScreen:
    await settle(pilot)
    await pilot.press("slash")  # opens search, or goes back to its query box
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, SearchScreen)
    screen.query_one(Input).value = ""
    await pilot.press(*query, "enter")
    await settle(pilot)
    return screen


def _status(screen: SearchScreen) -> str:
    return str(screen.query_one("#search-status", Static).render())


async def test_search_finds_articles(make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        screen = await _search(pilot, make_app, "engineers")
        results = screen.query_one(ArticleList)
        assert list(results.summaries) == ["a-nvidia"]
        assert "1 result" in _status(screen) and "1 results" not in _status(screen)
        await pilot.press("enter")  # results have focus after enter in the box
        await settle(pilot)
        assert isinstance(make_app.screen, ReaderScreen)
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert isinstance(make_app.screen, MainScreen)


async def test_results_update_as_you_type(make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"harbour")
        await pilot.pause(0.3)  # past the debounce: no Enter pressed
        await settle(pilot)
        screen = make_app.screen
        assert isinstance(screen, SearchScreen)
        assert len(screen.query_one(ArticleList).summaries) == 5


async def test_malformed_query_shows_the_error(make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        screen = await _search(pilot, make_app, '"unbalanced')
        assert "malformed search query" in _status(screen)
        assert screen.query_one(ArticleList).row_count == 0
        assert make_app.is_running
        screen = await _search(pilot, make_app, "money>lots")
        assert "money>lots" in _status(screen)


async def test_fact_filters_alone_and_with_words(make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        screen = await _search(pilot, make_app, "org:Nvidia")
        assert list(screen.query_one(ArticleList).summaries) == ["a-nvidia"]
        screen = await _search(pilot, make_app, "money>1e9")
        assert list(screen.query_one(ArticleList).summaries) == ["a-nvidia"]
        screen = await _search(pilot, make_app, "money>1e12")
        assert screen.query_one(ArticleList).row_count == 0
        screen = await _search(pilot, make_app, "harbour org:Nvidia")
        assert screen.query_one(ArticleList).row_count == 0
        screen = await _search(pilot, make_app, "revenue percent>=12")
        assert list(screen.query_one(ArticleList).summaries) == ["a-nvidia"]


async def test_help_lists_every_binding(make_app: BriefingApp) -> None:
    from briefing.tui import keys

    # Tall enough for the whole table (it scrolls in a shorter terminal).
    async with make_app.run_test(size=(120, 90)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(make_app.screen, HelpScreen)
        text = screen_text(make_app)
        for c in keys.COMMANDS:
            assert c.description in text, c.id
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(make_app.screen, MainScreen)


async def test_help_lists_n_and_N_under_the_main_screen_too(make_app: BriefingApp) -> None:
    """n and N work on the main list (newsboat's habit): help listed them only under Reader."""
    async with make_app.run_test(size=(120, 90)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(make_app)
        main = text[text.index("Main screen"):text.index("Every list")]
        reader = text[text.index("Reader"):]
        for said in ("Next unread", "Previous unread"):
            assert said in main and said in reader, said
        assert "Mark all read (the main list)" in text


async def test_help_scrolls_with_the_lists_keys(make_app: BriefingApp) -> None:
    """At 80x24 the help is taller than its box: j, G, g and ctrl+d move it as they move a
    list (only the arrows and page keys did)."""
    from textual.containers import VerticalScroll

    async with make_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(make_app.screen, HelpScreen)
        box = make_app.screen.query_one("#help-box", VerticalScroll)
        assert box.max_scroll_y > 0 and box.scroll_y == 0
        await pilot.press("j")
        await pilot.pause()
        assert box.scroll_y > 0
        await pilot.press("G")
        await pilot.pause()
        assert box.scroll_y == box.max_scroll_y
        assert "Remap in the config file" in screen_text(make_app)  # the table's last line
        await pilot.press("g")
        await pilot.pause()
        assert box.scroll_y == 0
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert box.scroll_y > 1
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(make_app.screen, MainScreen)


async def test_snippet_of_the_highlighted_result_and_recent_searches(
        make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        screen = await _search(pilot, make_app, "engineers")
        snippet = str(screen.query_one("#search-snippet", Static).render())
        assert "engineers" in snippet
        await pilot.press("escape")  # back to the list, then out of search
        await settle(pilot)
        if isinstance(make_app.screen, SearchScreen):
            await pilot.press("escape")
            await settle(pilot)
        again = await open_search(pilot, make_app)  # a new one offers what was searched
        assert again is not screen
        screen = again
        assert screen.recent == ["engineers"]
        assert "Recent: engineers" in _status(screen)
        await pilot.press(*"eng")  # typed ahead from the recent searches
        await settle(pilot)
        box = screen.query_one(Input)
        assert box._suggestion == "engineers"


async def test_not_alone_lists_the_other_articles(make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        screen = await _search(pilot, make_app, "NOT engineers")
        assert "a-nvidia" not in screen.query_one(ArticleList).summaries
        assert screen.query_one(ArticleList).row_count > 0
        screen = await _search(pilot, make_app, "(NOT engineers)")
        assert "NOT inside ( ) needs a word before it" in _status(screen)
        # Kept as a recent search: the one that ran, not the one that could not be read.
        assert screen.recent == ["NOT engineers"]
        with Store(make_app.db_path) as store:
            assert store.recent_searches() == ["NOT engineers"]


async def test_search_footer_offers_no_mark_all_read(make_app: BriefingApp, notes: Notes) -> None:
    """A on the search screen only says it works on the main list: the footer offered it
    among the keys that act on the results."""
    async with make_app.run_test(size=(200, 50), message_hook=notes) as pilot:
        screen = await _search(pilot, make_app, "engineers")
        assert screen.query_one(ArticleList).has_focus
        footer = screen_text(make_app).splitlines()[-1]
        assert "Star" in footer and "Read/unread" in footer
        assert "Mark all read" not in footer
        await pilot.press("A")  # still answers, with the reason
        await settle(pilot)
        assert "Mark all read works on the main list." in notes.messages()
    with Store(make_app.db_path) as store:
        assert "a-nvidia" in [a.id for a in store.list_articles(ArticleFilter(unread=True))]


async def test_a_fact_filter_on_a_number_that_is_not_finite_shows_the_error(
        make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        for query in ("money>nan", "revenue money>1e999", "percent<-inf"):
            screen = await _search(pilot, make_app, query)
            assert "not a finite number" in _status(screen), query
            assert query.split()[-1] in _status(screen)
            assert screen.query_one(ArticleList).row_count == 0
            assert make_app.is_running
