"""Enter in the search box moves to the results only when there are some: a query that
could not be read, or found nothing, keeps the box, so the next keys fix the query."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from textual.widgets import Input, Static

from briefing.config import Settings
from briefing.models import Paragraph
from briefing.store import Store
from briefing.tui.app import BriefingApp
from briefing.tui.screens.search import SearchScreen, snippet_text
from briefing.tui.widgets.article_list import ArticleList

from .conftest import NOW, open_search, plain_article, screen_text, settle


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


async def test_at_80_columns_a_query_error_shows_its_reason_and_a_cut_snippet_says_so(
        tmp_path: Path) -> None:
    # The status was one row: the reason of an error came after the quoted query and was
    # cut ('... never stop': a " is not'). The snippet row was cut with no mark.
    db = tmp_path / "s.db"
    text = ("The zeppelin hangar at the old airfield will be turned into a concert hall with "
            "room for four thousand people, a covered market and a cycling track around the "
            "roof, the city council said on Monday after a vote of twenty-one to four.")
    with Store(db) as store:
        store.save_article(replace(plain_article(1), text=text,
                                   paragraphs=(Paragraph(0, text, "en"),)))
    app = BriefingApp(db, Settings(), now=NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_search(pilot, app)
        await pilot.press(*'offshore wind "turbines that never stop', "enter")
        await settle(pilot)
        shown = " ".join(screen_text(app).split())
        assert 'is not closed: write "exact phrase"' in shown, shown
        screen.query_one(Input).value = ""
        await pilot.press(*"zeppelin", "enter")
        await settle(pilot)
        snippet = screen.query_one("#search-snippet", Static)
        full = snippet_text(screen._snippets["a-00001"]).plain
        assert len(full) > 78, full  # longer than the row
        row = snippet.render_lines(snippet.region.reset_offset)[0].text
        assert row.rstrip().endswith("…") and "zeppelin" in row, row


async def test_down_in_the_box_goes_to_the_results(make_app: BriefingApp) -> None:
    # The results are listed as you type, but down in the box did nothing: only tab or
    # enter reached them, and the footer said neither.
    async with make_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_search(pilot, make_app)
        box = screen.query_one(Input)
        await pilot.press(*"zebra", "down")  # nothing listed: down stays in the box
        await settle(pilot)
        assert box.has_focus and screen.query_one(ArticleList).row_count == 0
        box.value = ""
        await pilot.press(*"harbour")
        await settle(pilot)
        results = screen.query_one(ArticleList)
        # Listed once the typing pauses (a debounce timer): wait for the rows, not a time.
        for _ in range(600):
            if results.row_count:
                break
            await pilot.pause(0.1)
        assert results.row_count == 5
        assert "↓ Results" in screen_text(make_app).splitlines()[-1]
        await pilot.press("down")
        await settle(pilot)
        assert results.has_focus and results.cursor_row == 0
        await pilot.press("j", "enter")  # the list's keys from there
        await settle(pilot)
        assert not isinstance(make_app.screen, SearchScreen)


async def test_the_results_preview_speaks_the_readers_language(make_app: BriefingApp) -> None:
    # The search screen's preview showed the row's own summary (the original's, in English)
    # where the main list's preview of the same article shows the translation's summary and
    # bullets (test_main's first test): now both load the article behind the row.
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_search(pilot, make_app)
        await pilot.press(*"nvidia")
        results = screen.query_one(ArticleList)
        for _ in range(600):
            if results.row_count:
                break
            await pilot.pause(0.1)
        await pilot.press("down")
        await settle(pilot)
        assert results.current is not None and results.current.id == "a-nvidia"
        for _ in range(100):  # loaded in a worker thread
            if "Doanh thu Nvidia tăng 12%." in screen_text(make_app):
                break
            await pilot.pause(0.05)
        text = screen_text(make_app)
        assert "Doanh thu Nvidia tăng 12%." in text and "Revenue rose 12%" not in text
