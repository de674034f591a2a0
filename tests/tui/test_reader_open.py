"""Opening an article by its id (a link, the stories screen, a search result not previewed):
the reader shows it in its first frame, read from the database on the spot, never empty first
and filled a frame later; marking it read still happens, in a worker."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from briefing.store import Store
from briefing.tui.app import BriefingApp
from briefing.tui.screens.main import MainScreen
from briefing.tui.screens.reader import ReaderScreen
from briefing.tui.widgets.article_list import ArticleList
from briefing.tui.widgets.reader_body import ReaderBody

from .conftest import open_settled, screen_text, settle


async def test_an_article_opened_by_id_is_there_before_the_first_frame(
        make_app: BriefingApp, db: Path) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_settled(pilot, make_app, "a-00001")  # the reader is made and kept
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(make_app.screen, MainScreen)
        assert make_app.preloaded is None or make_app.preloaded.article_id != "a-00003"
        # No await between the open and the checks: no frame, no worker, no message ran.
        make_app.open_article("a-00003")
        reader = make_app.screen
        assert isinstance(reader, ReaderScreen)
        assert reader.article is not None and reader.article.id == "a-00003"
        assert reader.query_one(ReaderBody).items, "the body was empty at the first frame"
        await settle(pilot)
        assert reader.painted == "a-00003"
        assert "Harbour story number 3" in screen_text(make_app)
        # Opening it read it: in the store and in the list, at once.
        with Store(db) as store:
            stored = store.get_article("a-00003")
        assert stored is not None and stored.read
        main = next(s for s in make_app.screen_stack if isinstance(s, MainScreen))
        assert main.query_one(ArticleList).summaries["a-00003"].read


async def test_an_id_that_is_not_there_says_so(make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        reader = await open_settled(pilot, make_app, "a-missing")
        assert reader.article is None
        assert "Article not found." in screen_text(make_app)


# Whether the rules were loaded is read as the list's timer calls warm_reader, not once
# run_test is under way: on a loaded machine start-up outlasts the timer's half second, and the
# reader had been composed (the rules loaded) before the first look.
_WARM = r"""
import asyncio, sys, time
from pathlib import Path
from briefing.config import Settings
from briefing.tui.app import BriefingApp

async def main():
    app = BriefingApp(Path(sys.argv[1]), Settings())
    before, warm = [], app.warm_reader

    def warm_reader():
        before.append("briefing.clean.boilerplate" in sys.modules)
        warm()

    app.warm_reader = warm_reader
    async with app.run_test(size=(120, 40)) as pilot:
        end = time.monotonic() + 120
        while app._reader is None:
            assert time.monotonic() < end, "the reader was never composed ahead"
            await asyncio.sleep(0.01)
        print(before[0], "briefing.clean.boilerplate" in sys.modules)

asyncio.run(main())
"""


def test_the_junk_rules_load_with_the_reader_composed_ahead(db: Path) -> None:
    # A fresh interpreter: this one has imported the cleaning rules long ago.
    proc = subprocess.run([sys.executable, "-c", _WARM, str(db)], capture_output=True,
                          text=True, timeout=300, check=True)
    assert proc.stdout.split() == ["False", "True"], proc.stderr[-2000:]
