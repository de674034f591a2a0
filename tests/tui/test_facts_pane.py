"""The reader's facts pane (issue 13): each entity and figure once with its count, measures in
their own colour and label, a count with its noun."""

from __future__ import annotations

from pathlib import Path

from briefing.config import Settings
from briefing.models import Article, Paragraph
from briefing.store import Store
from briefing.tagger import analyse
from briefing.tui.app import BriefingApp
from briefing.tui.screens.reader import ReaderScreen

from .conftest import NOW, screen_text, settle

P0 = "Donald Trump said the 3,500MW farm would power 40,000 homes."
P1 = "Trump added that 40,000 homes was only the start."


def _article() -> Article:
    paras = (Paragraph(0, P0, "en"), Paragraph(1, P1, "en"))
    result = analyse(paras, title="Wind farm to power 40,000 homes", language="en",
                     published="2026-11-27")
    return Article(
        id="a-wind", url="https://example.com/wind", source="https://example.com/feed",
        source_title="Example News", title="Wind farm to power 40,000 homes",
        text="\n\n".join((P0, P1)), paragraphs=paras, language="en",
        published="2026-11-27T07:30:00+00:00", facts=result.facts, key_facts=result.key_facts,
        summary=result.summary, tags=result.tags)


async def test_facts_pane_lists_each_entity_and_figure_once(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    with Store(db) as store:
        store.save_article(_article())
    app = BriefingApp(db, Settings(), now=NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        text = screen_text(app)
    assert "Measure" in text and "3,500MW" in text
    assert text.count("Donald Trump ×2") == 1
    assert "40,000 homes ×2" in text
