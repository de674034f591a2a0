"""Defects found in review of the daily reader (issue 15), in the real app: the search box
with no word, the state file that cannot be written, an unknown theme, next unread past the
loaded page, and one name per feed on the stories screen."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from briefing.tui.app import BriefingApp
from briefing.tui.screens.search import HINT, SearchScreen
from briefing.tui.widgets.article_list import ArticleList

from .conftest import settle


@pytest.mark.parametrize("typed", ["-", " ( ) ", "…", '""'])
async def test_a_search_with_no_word_shows_the_hint_not_every_article_or_nothing(
        make_app: BriefingApp, typed: str) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        screen = make_app.screen
        assert isinstance(screen, SearchScreen)
        screen.query_one(Input).value = typed
        await pilot.press("enter")
        await settle(pilot)
        status = str(screen.query_one("#search-status", Static).render())
        assert "No word to search for yet" in status and HINT in status
        assert screen.query_one(ArticleList).row_count == 0
        assert make_app.is_running
