"""The reader shows what the llm writer wrote, with the figure guard's ⚠ under a bullet whose
figure the original lacks: written through a real OpenAI-protocol server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from briefing.config import Settings
from briefing.store import Store
from briefing.tui.app import BriefingApp
from briefing.tui.screens.reader import ReaderScreen
from briefing.writer import make_writer, write_article
from tests.test_writer import FakeWriter

from .conftest import NOW, screen_text, settle

REPLY = {"bullets": ["Doanh thu Nvidia tăng 12% lên 36 tỷ USD trong quý ba.",
                     "Jensen Huang nói công ty sẽ tuyển 2.000 kỹ sư."],
         "summary": "Doanh thu quý của Nvidia tăng 12%."}


@pytest.fixture
def writer_server() -> Iterator[FakeWriter]:
    server = FakeWriter()
    server.content = REPLY
    yield server
    server.close()


async def test_reader_shows_written_bullets_and_flags_a_changed_figure(
        db: Path, settings: Settings, writer_server: FakeWriter) -> None:
    settings.briefing.writer = "llm"
    settings.translation.openai.base_url = f"{writer_server.url}/v1"
    settings.translation.openai.api_key_env = ""
    with Store(db) as store:
        written = write_article(store, make_writer(settings), "a-nvidia", "vi")
    assert [len(b.flags) for b in written.bullets] == [1, 0]  # $35bn in the original
    app = BriefingApp(db, settings, now=NOW)
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        lines = screen_text(app).splitlines()
        at = next(i for i, line in enumerate(lines) if "36 tỷ USD trong quý ba" in line)
        assert "⚠ 36 tỷ USD is not in the original" in lines[at + 1]
        assert any("Jensen Huang nói công ty sẽ tuyển 2.000 kỹ sư." in line for line in lines)
        assert sum("is not in the original" in line for line in lines) == 1
