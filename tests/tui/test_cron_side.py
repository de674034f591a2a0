"""The reader beside cron: its dates in the zone the user lives in (however odd the TZ), and a
cron `briefing fetch` (a real subprocess) writing the database while the reader is open."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from briefing import clock
from briefing.config import Settings
from briefing.store import Store
from briefing.tui.app import BriefingApp
from briefing.tui.widgets.article_list import ArticleList
from tests.feedgen import rss
from tests.httpserver import TestServer

from .conftest import plain_article, settle


@pytest.fixture
def zone(request: pytest.FixtureRequest) -> Iterator[str]:
    """The process's TZ set to the parameter, as cron's environment would set it, and the
    zone settled as `briefing` does at start-up; put back afterwards."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    clock.settle_local_zone()
    yield request.param
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


@pytest.mark.parametrize("zone", ["Asia/Ho_Chi_Minh", "Pacific/Kiritimati", "XYZ+24",
                                  "Invalid/Zone"], indirect=True)
async def test_list_dates_are_in_the_users_zone(tmp_path: Path, zone: str) -> None:
    if zone in ("Asia/Ho_Chi_Minh", "Pacific/Kiritimati") and not Path(
            "/usr/share/zoneinfo", zone).exists():
        pytest.skip(f"no tz data for {zone} on this machine")
    local_now = datetime.now().astimezone()
    midnight = datetime(local_now.year, local_now.month, local_now.day).astimezone()
    # One minute into the local day: in UTC still the day before at +7 and +14.
    early = (midnight + timedelta(minutes=1)).astimezone(UTC)
    db = tmp_path / "tz.db"
    with Store(db) as store:
        art = plain_article(1, title="Early edition")
        store.save_article(replace(art, published=early.isoformat()))
    app = BriefingApp(db, Settings())  # the real clock, as `briefing` runs it
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lst = app.screen.query_one(ArticleList)
        assert lst.get_cell(art.id, "date").plain == "00:01"


async def test_a_cron_fetch_while_the_reader_is_open(
        db: Path, server: TestServer, tmp_path: Path) -> None:
    feed = server.add("/late.xml", rss(20, prefix="late", title="Late wire"))
    home = tmp_path / "cronhome"
    home.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "SHELL": "/bin/sh", "LANG": "",
           "LC_ALL": "", "BRIEFING_CACHE": os.environ["BRIEFING_CACHE"]}
    cmd = [sys.executable, "-m", "briefing", "--db", str(db), "fetch", "--quiet", feed]
    app = BriefingApp(db, Settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lst = app.screen.query_one(ArticleList)
        before = len(lst.summaries)
        cron = await asyncio.create_subprocess_exec(
            *cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, start_new_session=True)
        # The reader writes while cron does: star and mark read, then mark all read.
        await pilot.press("s")
        await pilot.press("m")
        await settle(pilot)
        out, err = await asyncio.wait_for(cron.communicate(), timeout=300)
        assert (cron.returncode, out, err) == (0, b"", b"")
        app.check_for_changes()  # what the refresh_seconds timer calls
        await settle(pilot)
        assert len(lst.summaries) == before + 20
        await pilot.press("A")
        await settle(pilot)
    with Store(db) as store:
        listed = store.list_articles(limit=1000)
        assert len(listed) == before + 20 and all(a.read for a in listed)
        assert sum(a.starred for a in listed) == 1
        assert store.integrity_check() == "ok"
