"""The Stories view: a sidebar row per story with its copies and flags, the list of a story's
copies, and the stories screen (S)."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import OptionList

from briefing import ingest, stories
from briefing.config import Settings
from briefing.models import Fact, Paragraph, Story, StoryFlag, StoryMember
from briefing.store import ArticleFilter, Store
from briefing.tui.app import BriefingApp
from briefing.tui.screens.main import MainScreen
from briefing.tui.screens.story_list import (
    SHOWN_COPIES,
    SHOWN_FLAGS,
    StoriesScreen,
    story_prompt,
)
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
        # q goes back where the story was chosen, as from every other screen (it went to
        # every article); q again from there, back to the main list.
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, StoriesScreen)
        assert app.screen.query_one(OptionList).highlighted == 0
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen) and app.screen.filter_id == "all"


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


def _render(story: Story, width: int) -> list[str]:
    console = Console(width=width, file=io.StringIO(), color_system=None)
    console.print(story_prompt(story))
    out = console.file.getvalue()  # type: ignore[attr-defined]
    return [line.rstrip() for line in out.splitlines()]


def test_a_big_story_shows_some_copies_and_flags_and_counts_the_rest() -> None:
    # Every option is laid out when the stories screen fills its list: a story of 30 copies
    # and 40 flags drew all 70 lines, and a database of such stories kept the screen blank.
    members = tuple(StoryMember(f"a{i}", f"Copy {i} of the harbour story", f"https://e{i}.com/x",
                                f"https://e{i}.com/rss", f"Paper {i}", "en",
                                "2026-11-27T08:00:00+00:00", i == 0) for i in range(30))
    flags = tuple(StoryFlag("disagreement", f"${i}bn in Paper {i}, ${i + 1}bn in Paper 0")
                  for i in range(40))
    story = Story("s1", "Harbour story", "a0", 30, "2026-11-27", "2026-11-27", members, flags)
    lines = _render(story, 100)
    assert lines[0] == "Harbour story  30 copies"
    shown = [ln for ln in lines if "of the harbour story" in ln]
    assert len(shown) == SHOWN_COPIES and shown[0].startswith("  ▸ Paper 0")
    assert f"    and {30 - SHOWN_COPIES} more copies (enter lists them)" in lines
    assert len([ln for ln in lines if ln.startswith("  ! $")]) == SHOWN_FLAGS
    assert f"  ! and {40 - SHOWN_FLAGS} more flags (briefing stories lists them)" in lines


def test_a_copy_that_wraps_goes_on_under_its_own_text() -> None:
    long = "A very long headline about the harbour expansion and its many costs"
    members = (StoryMember("a0", long, "https://e.com/x", "https://e.com/rss", "Paper", "en",
                           "2026-11-27T08:00:00+00:00", True),)
    story = Story("s1", "Harbour", "a0", 2, "2026-11-27", "2026-11-27", members,
                  (StoryFlag("disagreement", "$1bn in Paper, $2bn in Other " * 3),))
    lines = _render(story, 50)
    assert lines[1].startswith("  ▸ Paper  en  A very long")
    rest = lines[2:lines.index(next(ln for ln in lines if ln.startswith("  ! ")))]
    assert rest and all(ln.startswith("    ") and ln[4] != " " for ln in rest)
    flag = [ln for ln in lines if ln.startswith("  ! ")]
    assert len(flag) == 1 and lines[-1].startswith("    ") and len(lines) > 4


async def test_the_stories_screen_lists_many_stories(tmp_path: Path) -> None:
    path = tmp_path / "many-stories.db"
    # 120 stories told twice each: a firm's name and its own figures.
    heads = ["Bar", "Cor", "Dal", "Fen", "Gar", "Hol", "Jun", "Kel", "Lor", "Mar", "Nor"]
    tails = ["ton", "ley", "wick", "ford", "mere", "dale", "stow", "ham", "wood", "field", "by"]
    arts = []
    for n in range(120):
        name = heads[n % 11] + tails[n // 11]
        money, worth, customers = f"${n + 110}mn", f"${n % 9 + 1}.{n % 7 + 1}5bn", f"{n + 41},500"
        tellings = {
            "a": (f"{name} raises money", [
                f"{name} Ltd raised {money} from investors, valuing it at {worth}.",
                f"{name} Ltd has {customers} customers in 12 countries."]),
            "b": (f"Investors back {name}", [
                f"Investors put {money} into {name} Ltd, which is now worth {worth} and "
                f"serves {customers} customers."]),
        }
        job = ingest.Job(source="test", kind="text", body=b"", url="", now=str(NOW))
        for copy, (title, text) in tellings.items():
            arts.append(ingest.build_article(job, aid=f"{copy}{n}",
                                             url=f"https://{copy}.example/{n}", title=title,
                                             paragraphs=text,
                                             published="2026-11-27T08:00:00+00:00"))
    with Store(path) as store:
        store.save_articles(arts)
        stories.assign(store, [a.id for a in arts])
        expected = len(stories.list_stories(store, min_size=2, limit=500))
    assert expected >= 100
    app = BriefingApp(path, Settings(), now=NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_stories(pilot, app)
        lst = screen.query_one(OptionList)
        assert len([o for o in lst.options if o.id]) == expected
        assert lst.highlighted == 0
        await pilot.press("j")
        await settle(pilot)
        assert lst.highlighted == 1  # the next story, past the line between them
