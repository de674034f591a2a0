"""Start-up without cyclic garbage collection (briefing.tui.run turns it off): the main
screen's first frame turns it back on, with what start-up made set aside (gc.freeze)."""

from __future__ import annotations

import gc

from briefing.tui.app import BriefingApp
from briefing.tui.screens.main import MainScreen
from briefing.tui.widgets.article_list import ArticleList

from .conftest import settle


async def test_the_first_frame_turns_collection_back_on(make_app: BriefingApp) -> None:
    frozen_before = gc.get_freeze_count()
    gc.disable()  # as briefing.tui.run does before importing Textual
    try:
        async with make_app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert isinstance(make_app.screen, MainScreen)
            assert make_app.screen.query_one(ArticleList).row_count == 6
            assert gc.isenabled()
            assert gc.get_freeze_count() > frozen_before
    finally:
        gc.enable()
        gc.unfreeze()  # the test process's objects, frozen with the app's: collectable again


async def test_collection_left_alone_when_it_was_on(make_app: BriefingApp) -> None:
    gc.unfreeze()
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert gc.isenabled()
        assert gc.get_freeze_count() == 0
