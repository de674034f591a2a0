"""Screens drawn again for the new size when the terminal is resized."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from briefing.config import Settings
from briefing.store import Store
from briefing.tui.app import BriefingApp

from .conftest import NOW, nvidia, open_settled, screen_text, settle


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
