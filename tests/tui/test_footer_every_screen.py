"""The key footer on every screen, at 80x24 and 200x50: how to go back or quit and where
help always show, and no key is drawn cut in half."""

from __future__ import annotations

from pathlib import Path

from briefing.config import Settings
from briefing.keymap import COMMANDS
from briefing.tui.app import BriefingApp
from briefing.tui.screens.feeds import FeedsScreen
from briefing.tui.screens.main import MainScreen
from briefing.tui.screens.search import SearchScreen
from briefing.tui.screens.story_list import StoriesScreen

from .conftest import NOW, open_settled, screen_text, settle

LABELS = {c.label or c.description for c in COMMANDS} | {"Back"}


def _footer(app: BriefingApp) -> str:
    return screen_text(app).splitlines()[-1]


def _keys_drawn(footer: str) -> list[str]:
    """The footer's keys before the palette's, as `key label` each."""
    left, bar, palette = footer.partition("▏")
    assert bar and palette.strip() == "^p palette", footer
    return [k for k in left.strip().split("  ") if k.strip()]


def _check(app: BriefingApp, where: str, must: tuple[str, ...]) -> list[str]:
    footer = _footer(app)
    drawn = _keys_drawn(footer)
    for key in drawn:
        # Whole: a known label after its key, not `m Read/u` cut at the edge.
        assert key.partition(" ")[2] in LABELS, (where, key, footer)
    for key in must:
        assert key in drawn, (where, key, footer)
    return drawn


async def test_every_screen_footer_shows_back_or_quit_and_help(db: Path) -> None:
    for size in ((80, 24), (200, 50)):
        app = BriefingApp(db, Settings(), now=NOW)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, MainScreen)
            _check(app, "main", ("q Quit", "? Help", "⏎ Open"))

            await open_settled(pilot, app, "a-nvidia")
            drawn = _check(app, "reader", ("q Back", "? Help", "n Next unread"))
            if size[0] >= 200:  # room for every key the reader has
                assert {"/ Search", "r Fetch", "s Star", "Q Quit"} <= set(drawn), drawn
            await pilot.press("q")
            await settle(pilot)
            assert isinstance(app.screen, MainScreen)

            for key, kind, must in (("S", StoriesScreen, ("q Back", "? Help")),
                                    ("E", FeedsScreen, ("q Back", "? Help", "d Remove"))):
                await pilot.press(key)
                await settle(pilot)
                assert isinstance(app.screen, kind)
                _check(app, kind.__name__, must)
                await pilot.press("q")
                await settle(pilot)
                assert isinstance(app.screen, MainScreen)

            await pilot.press("slash")
            await settle(pilot)
            assert isinstance(app.screen, SearchScreen)
            # Typing in the box: q and ? are letters there, escape goes back.
            _check(app, "search box", ("esc Back",))
            await pilot.press(*"harbour", "enter")
            await settle(pilot)
            _check(app, "search results", ("q Back", "? Help"))


async def test_the_footer_fits_again_after_the_terminal_is_resized(db: Path) -> None:
    app = BriefingApp(db, Settings(), now=NOW)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        reader = await open_settled(pilot, app, "a-nvidia")
        assert "r Fetch" in _check(app, "reader, wide", ("q Back", "? Help"))
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert app.screen is reader
        assert "r Fetch" not in _check(app, "reader, narrowed", ("q Back", "? Help"))
        await pilot.resize_terminal(200, 50)
        await settle(pilot)
        assert "r Fetch" in _check(app, "reader, widened", ("q Back", "? Help"))
