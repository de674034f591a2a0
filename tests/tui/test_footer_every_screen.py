"""The key footer on every screen, at 80x24 and 200x50: how to go back or quit and where
help always show, and no key is drawn cut in half."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from briefing import stories
from briefing.config import Settings
from briefing.keymap import COMMANDS
from briefing.store import Store
from briefing.tui.app import BriefingApp
from briefing.tui.screens.feeds import FeedsScreen
from briefing.tui.screens.main import MainScreen
from briefing.tui.screens.search import SearchScreen
from briefing.tui.screens.story_list import StoriesScreen, StoryList

from .conftest import NOW, nvidia, open_settled, open_stories, plain_article, screen_text, settle

LABELS = {c.label or c.description for c in COMMANDS} | {"Back", "Results"}


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


async def test_q_in_a_story_list_says_back_in_the_footer(tmp_path: Path) -> None:
    # q goes back from a feed's, tag's or story's list to every article, but the footer
    # said "q Quit" there.
    db = tmp_path / "s.db"
    copy = replace(nvidia(), id="a-copy", url="https://c.example/nvidia",
                   source="https://c.example/rss", source_title="Copy Times")
    every = [nvidia(), copy, plain_article(1)]
    with Store(db) as store:
        store.save_articles(every)
        stories.assign(store, [a.id for a in every])
    for keymap, quit_key in (({}, "q"), ({"quit": "x"}, "x")):
        app = BriefingApp(db, Settings(keys=keymap), now=NOW)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            main = app.screen
            assert isinstance(main, MainScreen)
            assert f"{quit_key} Quit" in _check(app, "every article", ())
            await pilot.press("S")
            await settle(pilot)
            await pilot.press("enter")  # the story's copies, on the main screen
            await settle(pilot)
            assert app.screen is main
            assert isinstance(app.screen, MainScreen) and app.screen.filter_id != "all"
            drawn = _check(app, "a story's list", (f"{quit_key} Back", "? Help"))
            assert f"{quit_key} Quit" not in drawn
            await pilot.press(quit_key)  # back to the stories screen it came from
            await settle(pilot)
            assert app.screen is not main and app.is_running
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is main and app.is_running
            assert isinstance(app.screen, MainScreen) and app.screen.filter_id == "all"
            _check(app, "every article again", (f"{quit_key} Quit",))


async def test_the_feeds_list_moves_with_every_lists_keys(tmp_path: Path) -> None:
    # Only j/k moved on the feeds screen: g, G, ctrl+d and ctrl+u did nothing there.
    from briefing.tui.screens.feeds import FeedList

    db = tmp_path / "f.db"
    with Store(db) as store:
        for n in range(40):
            store.add_source(f"https://feed{n:02d}.example/rss")
    app = BriefingApp(db, Settings(), now=NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("E")
        await settle(pilot)
        feeds = app.screen.query_one(FeedList)
        assert feeds.option_count == 40 and feeds.highlighted == 0
        for key, at in (("G", lambda n: n == 39), ("g", lambda n: n == 0),
                        ("ctrl+d", lambda n: n > 2), ("ctrl+u", lambda n: n == 0),
                        ("end", lambda n: n == 39), ("home", lambda n: n == 0)):
            await pilot.press(key)
            await settle(pilot)
            assert at(feeds.highlighted), (key, feeds.highlighted)


async def test_a_stories_copy_that_wraps_goes_on_under_its_own_text(tmp_path: Path) -> None:
    # At 80 columns a copy's title wrapped to the left edge, where it read as another story.
    db = tmp_path / "w.db"
    long_title = ("Nvidia revenue rises 12% to $35bn as cloud companies keep buying chips "
                  "and the shares double")
    copy = replace(nvidia(), id="a-copy", url="https://c.example/nvidia", title=long_title,
                   source="https://c.example/rss", source_title="Copy Times")
    with Store(db) as store:
        store.save_articles([nvidia(), copy])
        stories.assign(store, ["a-nvidia", "a-copy"])
    app = BriefingApp(db, Settings(), now=NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_stories(pilot, app)
        lst = app.screen.query_one(StoryList)
        # The list's rows as drawn (the screenshot's text runs lose leading spaces).
        rows = [s.text for s in lst.render_lines(lst.region.reset_offset)]
        rows = [r for r in rows if r.strip("▊▎▔▁ ")]
        copies = [i for i, r in enumerate(rows) if "Example News  en" in r]
        assert copies and copies[0] >= 3, rows  # the story's title, a copy wrapped, this copy
        for row in rows[2:]:  # the copies and their continuation lines
            assert row.startswith("▊     ") or row.startswith("▊   ▸ "), rows
        assert "⏎ Open" in _check(app, "stories", ("q Back", "? Help"))
        await pilot.press("enter")  # what the footer says: the story's copies
        await settle(pilot)
        assert isinstance(app.screen, MainScreen) and app.screen.filter_id.startswith("story")
