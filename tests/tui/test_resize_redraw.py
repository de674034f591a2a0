"""Screens drawn for the terminal's size, and again when it is resized."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from briefing import stories
from briefing.config import Settings
from briefing.models import Paragraph
from briefing.store import Store
from briefing.tui.app import BriefingApp

from .conftest import NOW, P0, nvidia, open_settled, screen_text, settle


async def test_the_readers_source_line_stays_when_the_terminal_narrows(tmp_path: Path) -> None:
    # The title is cut to fit three rows of the header at the width it was drawn for: drawn
    # at 200 columns and then narrowed to 80, it took all four rows and the source line
    # (source, date, language, link) was gone until the next article.
    db = tmp_path / "r.db"
    title = " ".join(f"word{i}" for i in range(60))
    with Store(db) as store:
        store.save_article(replace(nvidia(), title=title))
    app = BriefingApp(db, Settings(), now=NOW)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        await open_settled(pilot, app, "a-nvidia")
        source_line = "Example News · 07:30 · en · https://example.com/nvidia"
        assert source_line in screen_text(app).splitlines()[3]
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        rows = screen_text(app).splitlines()
        assert source_line in rows[3], rows[:5]
        assert rows[2].rstrip().endswith("…"), rows[:5]  # the title, cut to three rows


async def test_a_storys_list_title_keeps_its_flag_at_80_columns(tmp_path: Path) -> None:
    # The list's title row is "Story: <title>  <copies>  ! <flag>": one row at 80 columns
    # cut the flag, the point of the story view, away.
    original = nvidia()
    p0 = P0.replace("$35bn", "$36bn")
    copy = replace(
        original, id="a-copy", url="https://copy.example/nvidia", translations=(),
        source="https://copy.example/rss", source_title="Copy Daily",
        paragraphs=(Paragraph(0, p0, "en"), *original.paragraphs[1:]),
        text=original.text.replace(P0, p0), published="2026-11-27T08:30:00+00:00",
        facts=tuple(replace(f, text="$36bn", value=36e9) if f.kind == "money" else f
                    for f in original.facts))
    db = tmp_path / "f.db"
    with Store(db) as store:
        store.save_articles([original, copy])
        stories.assign(store, ["a-nvidia", "a-copy"])
    app = BriefingApp(db, Settings(), now=NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        shown = " ".join(screen_text(app).split())
        assert "Story: Nvidia revenue rises 12% to $35bn 2" in shown, shown
        assert "$35bn in Example News, $36bn in Copy Daily" in shown, shown
