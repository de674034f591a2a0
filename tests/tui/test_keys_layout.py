"""One set of movement keys on every list, panes that hide and take focus, the facts pane
leading to its paragraph, the summary shown only when it adds something, the help and the
palette, the sidebar's order, and layouts for narrow and wide terminals."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.widgets import OptionList

from briefing import stories
from briefing.config import Settings
from briefing.models import KeyFact, Paragraph, Translation
from briefing.store import Store
from briefing.tui import render
from briefing.tui.app import BriefingApp
from briefing.tui.screens.help import HelpScreen
from briefing.tui.screens.main import MainScreen
from briefing.tui.screens.reader import ReaderScreen
from briefing.tui.widgets.article_list import ArticleList
from briefing.tui.widgets.reader_body import ReaderBody, useful_summary, useful_translation
from briefing.tui.widgets.sidebar import TAG_ROWS, Sidebar

from .conftest import NOW, nvidia, open_stories, plain_article, screen_text, settle

PORT = ("The port of Kessel will spend two billion euros on a deep-water harbour expansion, "
        "the city council said on Monday.",
        "The works will add four berths for container ships and a rail link to the inland "
        "terminal by the end of the decade.",
        "Shipping lines have asked for deeper water for years as the largest vessels could not "
        "call at the old quays.")


@pytest.fixture
def many_db(tmp_path: Path) -> Path:
    """Sixty articles over twelve tags, and two stories told twice."""
    path = tmp_path / "many.db"
    port = replace(plain_article(99), id="a-port", title="Kessel port to expand",
                   text="\n\n".join(PORT), published="2026-11-26T08:00:00+00:00",
                   paragraphs=tuple(Paragraph(i, t, "en") for i, t in enumerate(PORT)))
    arts = [replace(plain_article(n, day=1 + n % 27), tags=(f"tag{n % 12:02d}",))
            for n in range(1, 61)]
    copies = [replace(a, id=a.id + "-copy", url=a.url + "/copy", source="https://c.example/rss",
                      source_title="Copy Times") for a in (nvidia(), port)]
    every = [nvidia(), port, *arts, *copies]
    with Store(path) as store:
        store.save_articles(every)
        stories.assign(store, [a.id for a in every])
    return path


async def _keys_move(pilot, keys_and_checks) -> None:
    for key, check in keys_and_checks:
        await pilot.press(key)
        await settle(pilot)
        assert check(), key


async def test_movement_keys_on_the_article_list(many_db: Path) -> None:
    app = BriefingApp(many_db, Settings(), now=NOW)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        lst = app.screen.query_one(ArticleList)
        last = lst.row_count - 1
        await _keys_move(pilot, [
            ("j", lambda: lst.cursor_row == 1), ("k", lambda: lst.cursor_row == 0),
            ("G", lambda: lst.cursor_row == last), ("g", lambda: lst.cursor_row == 0),
            ("end", lambda: lst.cursor_row == last), ("home", lambda: lst.cursor_row == 0),
            ("pagedown", lambda: lst.cursor_row > 5), ("pageup", lambda: lst.cursor_row == 0),
            ("ctrl+d", lambda: lst.cursor_row > 5), ("ctrl+u", lambda: lst.cursor_row == 0),
        ])


async def test_movement_keys_on_the_sidebar(many_db: Path) -> None:
    app = BriefingApp(many_db, Settings(), now=NOW)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        sidebar = app.screen.query_one(Sidebar)
        sidebar.focus()
        sidebar.highlighted = 0
        last = sidebar.option_count - 1
        await _keys_move(pilot, [
            ("j", lambda: sidebar.highlighted == 1), ("k", lambda: sidebar.highlighted == 0),
            ("G", lambda: sidebar.highlighted == last), ("g", lambda: sidebar.highlighted == 0),
            ("end", lambda: sidebar.highlighted == last),
            ("home", lambda: sidebar.highlighted == 0),
            ("ctrl+d", lambda: (sidebar.highlighted or 0) > 3),
            ("ctrl+u", lambda: sidebar.highlighted == 0),
        ])


async def test_movement_keys_on_the_stories_screen(many_db: Path) -> None:
    app = BriefingApp(many_db, Settings(), now=NOW)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await open_stories(pilot, app)
        options = app.screen.query_one(OptionList)
        options.highlighted = 0
        last = options.option_count - 1
        assert last > 0  # two stories and a separator
        await _keys_move(pilot, [
            ("j", lambda: options.highlighted == last), ("k", lambda: options.highlighted == 0),
            ("G", lambda: options.highlighted == last), ("g", lambda: options.highlighted == 0),
            ("end", lambda: options.highlighted == last),
            ("home", lambda: options.highlighted == 0),
            ("pagedown", lambda: options.highlighted == last),
            ("pageup", lambda: options.highlighted == 0),
        ])
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)


async def test_facts_pane_takes_focus_and_leads_to_the_paragraph(make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        reader = make_app.screen
        assert isinstance(reader, ReaderScreen)
        body = reader.query_one(ReaderBody)
        assert "-numbered" in body.classes  # paragraph numbers beside the facts pane
        margin = [line[:4].strip() for line in body.text.splitlines()
                  if line[:4].strip().isdigit()]
        assert margin[:4] == ["1", "2", "3", "4"]
        await pilot.press("tab")
        await pilot.pause()
        pane = reader.query_one("#facts-panel", OptionList)
        assert pane.has_focus
        # Down to the first fact from paragraph 2 (Jensen Huang's count, 2,000), then choose it.
        target = next(i for i in range(pane.option_count)
                      if (pane.get_option_at_index(i).id or "").endswith(":1"))
        start = pane.highlighted or 0
        await pilot.press(*["j"] * (target - start - sum(
            pane.get_option_at_index(i).disabled for i in range(start + 1, target))))
        assert pane.highlighted == target
        await pilot.press("enter")
        await pilot.pause()
        assert body.hit == 1
        # Its row, and only its row, is drawn on the highlight's background.
        hit = body.get_component_rich_style("reader-body--hit").bgcolor

        def backgrounds(paragraph: int) -> set[object]:
            line = body.line_of(paragraph)
            assert line is not None
            return {seg.style.bgcolor for seg in body.render_line(line - round(body.scroll_y))
                    if seg.style is not None}

        assert hit in backgrounds(1)
        assert hit not in backgrounds(0)
        await pilot.press("tab")  # and back to the text
        await pilot.pause()
        assert reader.query_one("#reader-scroll").has_focus


async def test_panes_hide_and_the_summary_folds(make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        main = make_app.screen
        assert main.query_one(Sidebar).display
        await pilot.press("B")
        await pilot.pause()
        assert not main.query_one(Sidebar).display
        await pilot.press("B")
        await pilot.pause()
        assert main.query_one(Sidebar).display and main.query_one(Sidebar).has_focus
        main.query_one(ArticleList).focus()
        await pilot.press("enter")
        await settle(pilot)
        reader = make_app.screen
        assert "📌 Nvidia's quarterly" in screen_text(make_app)
        await pilot.press("z")
        await pilot.pause()
        text = screen_text(make_app)
        assert "📌 Nvidia's quarterly" not in text and "📌 summary folded (z)" in text
        await pilot.press("F")
        await pilot.pause()
        assert not reader.query_one("#facts-panel").display
        assert "-numbered" not in reader.query_one(ReaderBody).classes
        await pilot.press("J")  # the choices hold for the next article
        await settle(pilot)
        assert not reader.query_one("#facts-panel").display
        await pilot.press("K", "z", "F")
        await settle(pilot)
        assert "📌 Nvidia's quarterly" in screen_text(make_app)
        assert reader.query_one("#facts-panel").display


def test_summary_only_when_it_adds_something() -> None:
    art = nvidia()  # four paragraphs
    summary, bullets = useful_summary(art)
    assert summary == art.summary
    # "Revenue rose 12% to $35bn" repeats the summary; "2,000 new engineers" does not.
    assert bullets == ["2,000 new engineers"]
    short = replace(art, paragraphs=art.paragraphs[:3])
    assert useful_summary(short) == ("", [])
    # A summary the opening paragraphs say word for word goes, and so do bullets from them.
    later = "Analysts said demand from cloud companies showed no sign of slowing."
    lede = replace(art, summary=art.paragraphs[0].text + " " + art.paragraphs[1].text,
                   key_facts=(KeyFact("The shares have doubled over 18 months.", 2),
                              KeyFact(later, 3)))
    assert useful_summary(lede) == ("", [later])
    # The translation's column follows the same choice, bullet for bullet.
    tr = Translation("vi", "test", "", (), summary="Tóm tắt.",
                     key_facts=("Cổ phiếu tăng gấp đôi.", "Giới phân tích..."))
    assert useful_translation(lede, tr) == ("", ["Giới phân tích..."])
    assert useful_translation(art, replace(tr, key_facts=("Doanh thu", "2.000 kỹ sư"))) == (
        "Tóm tắt.", ["2.000 kỹ sư"])
    assert useful_translation(short, tr) == ("", [])
    # A post read back wrote its own: all of it shows, whatever the original's repeat.
    assert useful_translation(lede, replace(tr, engine="provided")) == (
        "Tóm tắt.", ["Cổ phiếu tăng gấp đôi.", "Giới phân tích..."])
    assert useful_translation(short, replace(tr, engine="provided"))[0] == "Tóm tắt."


async def test_a_short_article_shows_the_body_alone(make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j")  # a-00005: one paragraph with a summary
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(make_app)
        assert "Paragraph of article 5" in text and "Story 5." not in text


async def test_sidebar_stories_before_tags_and_long_tag_lists_fold(many_db: Path) -> None:
    app = BriefingApp(many_db, Settings(), now=NOW)
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot)
        sidebar = app.screen.query_one(Sidebar)
        ids = [sidebar.get_option_at_index(i).id or "" for i in range(sidebar.option_count)]
        first_tag = next(i for i, x in enumerate(ids) if x.startswith("tag:"))
        assert any(x.startswith("story:") for x in ids[:first_tag])
        assert sum(x.startswith("tag:") for x in ids) == TAG_ROWS
        more = sidebar.get_option("tags:more").prompt
        assert "6 more tags" in str(more)  # fourteen: tag00-tag11, tech, local
        sidebar.focus()
        more_at = ids.index("tags:more")
        sidebar.highlighted = more_at
        await pilot.press("enter")
        await settle(pilot)
        ids = [sidebar.get_option_at_index(i).id or "" for i in range(sidebar.option_count)]
        assert sum(x.startswith("tag:") for x in ids) == 14
        # The cursor stays with the tags, on the first one unfolded (it went back to "All").
        assert sidebar.highlighted == more_at and ids[more_at].startswith("tag:")


async def test_compact_layout_under_100_columns(many_db: Path) -> None:
    app = BriefingApp(many_db, Settings(), now=NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not app.screen.query_one(Sidebar).display  # B shows it
        lst = app.screen.query_one(ArticleList)
        assert lst.columns["title"].width >= 36  # type: ignore[index]
        assert "Harbour story number" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert not app.screen.query_one("#facts-panel").display  # F shows it


async def test_the_hidden_facts_pane_is_built_when_shown(make_app: BriefingApp) -> None:
    """The pane's options (one per fact) were built for every article opened, shown or not;
    on a narrow terminal it is hidden, so they wait for F."""
    async with make_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        reader = make_app.screen
        assert isinstance(reader, ReaderScreen) and reader.article is not None
        pane = reader.query_one("#facts-panel", OptionList)
        assert not pane.display and pane.option_count == 0
        await pilot.press("F")
        await settle(pilot)
        assert pane.display
        ids = [pane.get_option_at_index(i).id for i in range(pane.option_count)]
        facts = reader.article.facts
        # One option per entity or figure (each once, with its count), under its kind's heading.
        want = [f"fact{kind}{n}:{para}" for kind in render.fact_kinds(facts)
                for n, (_, _, para) in enumerate(render.distinct_facts(facts, kind))]
        assert len(want) >= 4 and sorted(i for i in ids if i) == sorted(want)


async def test_wide_layout_gives_whole_source_names(tmp_path: Path) -> None:
    db = tmp_path / "wide.db"
    name = "The Meridian Post: World Edition"
    with Store(db) as store:
        store.save_article(replace(plain_article(1), source_title=name))
    app = BriefingApp(db, Settings(), now=NOW)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot)
        lines = screen_text(app).splitlines()
        row = next(line for line in lines if "Harbour story number 1" in line)
        assert name in row
        assert any(name in line[:42] for line in lines)  # the sidebar's row too


async def test_help_says_how_to_close_it(make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(make_app.screen, HelpScreen)
        text = screen_text(make_app)
        assert "escape, q or ? closes this help" in text
        assert "question_mark" not in text
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(make_app.screen, MainScreen)


async def test_palette_names_are_readable_and_unique(make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for where in ("main", "reader"):
            await pilot.press("ctrl+p")
            await settle(pilot)
            palette = make_app.screen
            assert isinstance(palette, CommandPalette)
            await pilot.pause(0.5)  # the providers' discovery runs in the palette's workers
            await settle(pilot)
            text = screen_text(make_app)
            names = [line.strip(" ▊▎▌▐") for line in text.splitlines()]
            assert "question_mark" not in text, where
            assert sum(1 for n in names if n.startswith("Quit")) == 1, (where, text)
            assert "key ?" in text, where
            await pilot.press("escape")
            await settle(pilot)
            await pilot.press("enter")  # into the reader for the second round
            await settle(pilot)


async def test_the_footer_at_80_columns_shows_the_keys_a_newcomer_needs(many_db: Path) -> None:
    # Textual's Footer draws the focused list's keys first and the app's last, in one row:
    # at 80 columns it cut `/ Search` to `/ S` and dropped `r Fetch now`.
    from textual.widgets import Footer

    for size in ((80, 24), (200, 50)):
        app = BriefingApp(many_db, Settings(), now=NOW)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            footer = app.screen.query_one(Footer)
            assert footer.region.width == size[0] and footer.region.y == size[1] - 1
            shown = screen_text(app).splitlines()[-1]  # the footer is the last row
            for key in ("⏎ Open", "/ Search", "r Fetch", "? Help", "q Quit", "^p palette"):
                assert key in shown, (size, shown)
            # Every key drawn is drawn whole: nothing runs into the palette's edge.
            assert shown.rstrip().endswith("▏^p palette"), shown
