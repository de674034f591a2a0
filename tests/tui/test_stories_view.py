"""The Stories view: a sidebar row per story with its copies and flags, the list of a story's
copies, and the stories screen (S)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from textual.widgets import OptionList

from briefing import stories
from briefing.config import Settings
from briefing.models import Fact, Paragraph
from briefing.store import ArticleFilter, Store
from briefing.tui.app import BriefingApp
from briefing.tui.screens.main import MainScreen
from briefing.tui.widgets.article_list import ArticleList
from briefing.tui.widgets.sidebar import Sidebar

from .conftest import NOW, P0, nvidia, open_stories, plain_article, screen_text, settle

# Copies are named by their feeds' titles, as the list rows and the sidebar name them.
FLAG = "$35bn in Example News, $36bn in Copy Daily"


@pytest.fixture
def story_db(tmp_path: Path) -> Path:
    """The Nvidia article and a later copy elsewhere that says $36bn where it says $35bn."""
    original = nvidia()
    p0 = P0.replace("$35bn", "$36bn")
    facts = tuple(replace(f, text="$36bn", value=36e9) if f.kind == "money" else f
                  for f in original.facts)
    copy = replace(
        original, id="a-copy", url="https://copy.example/nvidia", source="https://copy.example/rss",
        source_title="Copy Daily", title="Nvidia revenue up 12%", translations=(),
        paragraphs=(Paragraph(0, p0, "en"), *original.paragraphs[1:]),
        text=original.text.replace(P0, p0), facts=facts,
        published="2026-11-27T08:30:00+00:00")
    assert all(isinstance(f, Fact) for f in copy.facts)
    path = tmp_path / "stories.db"
    with Store(path) as store:
        arts = [original, copy, plain_article(1)]
        store.save_articles(arts)
        stories.assign(store, [a.id for a in arts])  # what a fetch does after saving
    return path


async def test_sidebar_story_lists_its_copies_and_flags(story_db: Path) -> None:
    app = BriefingApp(story_db, Settings(), now=NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        sidebar = screen.query_one(Sidebar)
        (story,) = sidebar.stories
        assert story.size == 2 and story.best_article == "a-nvidia"
        text = screen_text(app)
        assert "Stories" in text and "! Nvidia revenue rise" in text  # cut to the sidebar
        sidebar.focus()
        sidebar.highlighted = sidebar.get_option_index(f"story:{story.id}")
        await pilot.press("enter")
        await settle(pilot)
        lst = screen.query_one(ArticleList)
        assert lst.order == ["a-nvidia", "a-copy"]  # best source first
        text = screen_text(app)
        assert "Story: Nvidia revenue rises 12%" in text and FLAG in text
        await pilot.press("A")  # mark all read: the story's copies only
        await settle(pilot)
    with Store(story_db) as store:
        assert [a.id for a in store.list_articles(ArticleFilter(unread=True))] == ["a-00001"]


async def test_stories_screen_lists_copies_and_opens_a_story(story_db: Path) -> None:
    app = BriefingApp(story_db, Settings(), now=NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_stories(pilot, app)
        text = screen_text(app)
        assert "2 copies" in text and FLAG in text
        assert "▸ Example News" in text and "Copy Daily" in text
        assert "★" not in text  # the starred mark: neither copy is starred
        options = app.screen.query_one(OptionList)
        options.highlighted = 0
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.screen.query_one(ArticleList).order == ["a-nvidia", "a-copy"]
        assert FLAG in screen_text(app)


async def test_no_stories_no_section(make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert make_app.screen.query_one(Sidebar).stories == []
        assert "Stories" not in screen_text(make_app)


async def test_stories_screen_enter_opens_the_first_story_at_once(story_db: Path) -> None:
    """S then enter, with no arrow key between: the first story's copies in the main list
    (the cursor started on no story, so enter did nothing)."""
    app = BriefingApp(story_db, Settings(), now=NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_stories(pilot, app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.screen.query_one(ArticleList).order == ["a-nvidia", "a-copy"]
        assert "Story: Nvidia revenue rises 12%" in screen_text(app)
