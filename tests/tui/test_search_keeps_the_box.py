"""Enter in the search box moves to the results only when there are some: a query that
could not be read, or found nothing, keeps the box, so the next keys fix the query."""

from __future__ import annotations

from textual.widgets import Input

from briefing.tui.app import BriefingApp
from briefing.tui.screens.search import SearchScreen
from briefing.tui.widgets.article_list import ArticleList

from .conftest import open_search, settle


async def test_a_query_with_no_result_keeps_the_box_for_the_next_keys(
        make_app: BriefingApp) -> None:
    # Enter moved to the empty results list: typing on to fix the query ran the list's keys,
    # and the q of "quarter" closed the search screen.
    async with make_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_search(pilot, make_app)
        box = screen.query_one(Input)
        for query, fixed in (("money>lots", " quarter"), ("zebra", " OR quarter")):
            box.value = ""
            await pilot.press(*query, "enter")
            await settle(pilot)
            assert screen.query_one(ArticleList).row_count == 0
            assert box.has_focus, query
            await pilot.press(*fixed)
            await settle(pilot)
            assert make_app.screen is screen and box.value == query + fixed
        box.value = ""
        await pilot.press(*"quarter", "enter")  # one result: enter goes to it, as before
        await settle(pilot)
        assert isinstance(make_app.screen, SearchScreen)
        assert screen.query_one(ArticleList).has_focus
