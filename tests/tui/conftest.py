"""Fixed test data for the TUI: a small database built with the real Store."""

from __future__ import annotations

import html
import re
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.message import Message
from textual.notifications import Notification, Notify
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from briefing.config import Settings
from briefing.models import (
    Article,
    Fact,
    FigureFlag,
    KeyFact,
    Paragraph,
    Translation,
    TranslationPair,
)
from briefing.store import Store
from briefing.tui.app import BriefingApp
from briefing.tui.screens.reader import ReaderScreen
from briefing.tui.screens.search import SearchScreen
from briefing.tui.screens.story_list import StoriesScreen

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)

P0 = "Nvidia said on Tuesday that revenue rose 12% to $35bn in the third quarter."
P1 = "Jensen Huang told analysts in Santa Clara the company would hire 2,000 engineers."
P2 = "The shares have doubled over 18 months."
P3 = "Analysts said demand from cloud companies showed no sign of slowing."


def _fact(kind: str, text: str, value: float | str, unit: str, para: str, idx: int) -> Fact:
    start = para.index(text)
    return Fact(kind, text, value, unit, idx, start, start + len(text))


def nvidia() -> Article:
    facts = (
        _fact("org", "Nvidia", "Nvidia", "", P0, 0),
        _fact("date", "Tuesday", "Tuesday", "", P0, 0),
        _fact("percent", "12%", 12.0, "%", P0, 0),
        _fact("money", "$35bn", 35e9, "USD", P0, 0),
        _fact("person", "Jensen Huang", "Jensen Huang", "", P1, 1),
        _fact("place", "Santa Clara", "Santa Clara", "", P1, 1),
        _fact("count", "2,000", 2000.0, "", P1, 1),
        _fact("duration", "18 months", 18.0, "month", P2, 2),
    )
    tr = Translation("vi", "test", "m", (
        TranslationPair(0, P0, "Nvidia cho biết hôm thứ Ba doanh thu tăng 12% lên 35 tỷ USD."),
        TranslationPair(1, P1, "Jensen Huang nói với các nhà phân tích công ty sẽ tuyển kỹ sư.",
                        flags=(FigureFlag("missing", "missing figure 2,000", "2,000"),)),
        TranslationPair(2, P2, "Cổ phiếu đã tăng gấp đôi trong 18 tháng."),
        TranslationPair(3, P3, "Giới phân tích cho biết nhu cầu từ các công ty đám mây chưa giảm."),
    ), key_facts=("Doanh thu tăng 12% lên 35 tỷ USD",), summary="Doanh thu Nvidia tăng 12%.")
    return Article(
        id="a-nvidia", url="https://example.com/nvidia", source="https://example.com/feed",
        source_title="Example News", title="Nvidia revenue rises 12% to $35bn",
        text="\n\n".join((P0, P1, P2, P3)),
        # Four paragraphs: the reader shows the summary above the body from four on.
        paragraphs=(Paragraph(0, P0, "en"), Paragraph(1, P1, "en"), Paragraph(2, P2, "en"),
                    Paragraph(3, P3, "en")),
        language="en", published="2026-11-27T07:30:00+00:00", facts=facts,
        key_facts=(KeyFact("Revenue rose 12% to $35bn", 0), KeyFact("2,000 new engineers", 1)),
        summary="Nvidia's quarterly revenue rose 12% to $35bn.", tags=("tech",),
        translations=(tr,),
    )


def plain_article(n: int, *, title: str | None = None, source: str = "https://b.example/rss",
                  day: int = 20) -> Article:
    text = f"Paragraph of article {n} about the harbour."
    return Article(
        id=f"a-{n:05d}", url=f"https://b.example/{n}", source=source, source_title="Bay Post",
        title=title or f"Harbour story number {n}", text=text,
        paragraphs=(Paragraph(0, text, "en"),), language="en",
        published=f"2026-11-{day:02d}T06:{n % 60:02d}:00+00:00", summary=f"Story {n}.",
        tags=("local",),
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "x.db"
    with Store(path) as store:
        store.save_article(nvidia())
        for n in range(1, 6):
            store.save_article(plain_article(n))
    return path


@pytest.fixture
def settings() -> Settings:
    return Settings()


@pytest.fixture
def make_app(db: Path, settings: Settings) -> BriefingApp:
    app = BriefingApp(db, settings, now=NOW)
    app.opened = []  # type: ignore[attr-defined]
    app.opener = app.opened.append  # type: ignore[attr-defined]
    return app


def screen_text(app: BriefingApp) -> str:
    """What the terminal shows, as text: the SVG screenshot's text runs put back in rows."""
    svg = app.export_screenshot()
    rows: dict[float, list[tuple[float, str]]] = {}
    for m in re.finditer(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', svg):
        rows.setdefault(float(m[2]), []).append((float(m[1]), html.unescape(m[3])))
    lines = ["".join(t for _x, t in sorted(rows[y])) for y in sorted(rows)]
    return "\n".join(line.replace("\xa0", " ") for line in lines)


class Notes:
    """Every notification an app raised, as `run_test(message_hook=notes)` sees them go by.
    Not app._notifications: that forgets a notification once its timeout has passed (5 s,
    15 s where given), and on a loaded machine a test outlasts that between the notice and
    its check (a CI failure: the state file's warning had gone)."""

    def __init__(self) -> None:
        self.raised: list[Notification] = []

    def __call__(self, message: Message) -> None:
        if isinstance(message, Notify):
            self.raised.append(message.notification)

    def messages(self, title: str | None = None) -> list[str]:
        """The messages raised so far, only those with `title` if given."""
        return [n.message for n in self.raised if title is None or n.title == title]


@pytest.fixture
def notes() -> Notes:
    return Notes()


async def settle(pilot: Pilot[None]) -> None:
    """Wait until workers are done and the messages they posted are handled; workers can
    start more workers (a reload after a write), hence the few rounds."""
    for _ in range(4):
        # An exclusive worker replaced by a newer one raises; the next round waits for that.
        with suppress(WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def open_settled(pilot: Pilot[None], app: BriefingApp, article_id: str) -> ReaderScreen:
    """Open `article_id` by its id (as a link does), wait until the app settles, and return
    the reader it opened in."""
    app.open_article(article_id)
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, ReaderScreen), f"{article_id} did not open in a reader"
    return screen


async def open_search(pilot: Pilot[None], app: BriefingApp) -> SearchScreen:
    """Press `/` (a new search screen, from anywhere but the search screen), wait until the
    app settles, and return the search screen it opened."""
    await pilot.press("slash")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, SearchScreen), "/ did not open a search screen"
    return screen


async def open_stories(pilot: Pilot[None], app: BriefingApp) -> StoriesScreen:
    """Press `S` (the stories screen), wait until the app settles, and return the screen."""
    await pilot.press("S")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, StoriesScreen), "S did not open the stories screen"
    return screen
