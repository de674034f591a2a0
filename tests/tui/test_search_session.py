"""The search screen's kept connection (SearchSession): one per screen, fresh data on it,
closed with the screen, and a query under way ended when the user types on."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual.widgets import Input

from briefing.store import QueryError, Store
from briefing.tui.app import BriefingApp
from briefing.tui.data import SearchSession
from briefing.tui.screens.main import MainScreen
from briefing.tui.screens.search import SearchScreen
from briefing.tui.widgets.article_list import ArticleList

from .conftest import open_search, plain_article, settle

WAIT_S = 60.0  # for a worker thread on a loaded machine; the waits end as soon as it answers


async def _type(pilot, screen: SearchScreen, query: str) -> list[str]:
    await pilot.press("slash")  # back to the query box (enter left the results focused)
    screen.query_one(Input).value = ""
    await pilot.press(*query, "enter")
    await settle(pilot)
    return list(screen.query_one(ArticleList).summaries)


async def test_one_connection_for_the_screen_closed_when_it_closes(
        make_app: BriefingApp, db: Path) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_search(pilot, make_app)
        session = screen.session
        assert session is not None
        assert await _type(pilot, screen, "engineers") == ["a-nvidia"]
        kept = session._store
        assert len(await _type(pilot, screen, "harbour")) == 5
        # Written by another connection (cron's fetch) while the screen is open: the kept
        # connection reads it at its next query, as a fresh one would.
        with Store(db) as store:
            store.save_article(plain_article(9, title="Lighthouse keepers return"))
        assert len(await _type(pilot, screen, "lighthouse")) == 1
        # Each query ran on the one connection. At least the three entered: a pause in the
        # typing longer than the search box's debounce (a loaded machine) runs one more for
        # the word typed so far, so the count says nothing more.
        assert kept is not None and session._store is kept
        assert session.queries >= 3 and not session.closed
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(make_app.screen, MainScreen)
        assert session.closed
        # A second search screen has a connection of its own.
        again = await open_search(pilot, make_app)
        assert again.session is not session
        assert await _type(pilot, again, "engineers") == ["a-nvidia"]


def test_interrupt_ends_the_query_under_way_and_not_the_next(db: Path) -> None:
    session = SearchSession(db)
    try:
        assert [a.id for a in session.run("engineers")[0]] == ["a-nvidia"]
        store = session._store
        assert store is not None
        running, release = threading.Event(), threading.Event()

        def hold() -> int:  # SQLite calls it while the statement runs, holding its mutex
            if not running.is_set():
                running.set()
                release.wait(WAIT_S)
            return 0

        store.conn.set_progress_handler(hold, 1)
        outcome: list[BaseException | None] = []

        def search() -> None:
            try:
                session.run("harbour")
            except BaseException as exc:  # handed to the test thread
                outcome.append(exc)
            else:
                outcome.append(None)

        worker = threading.Thread(target=search)
        worker.start()
        assert running.wait(WAIT_S), "the query never started"
        session.interrupt()  # takes no lock: it works while the statement holds them
        release.set()
        worker.join(WAIT_S)
        assert not worker.is_alive()
        store.conn.set_progress_handler(None, 1)
        assert isinstance(outcome[0], QueryError) and "interrupted" in str(outcome[0])
        # The interrupt is over once that statement ended: the next query runs whole.
        assert len(session.run("harbour")[0]) == 5
        session.interrupt()  # with nothing running it changes nothing
        assert [a.id for a in session.run("engineers")[0]] == ["a-nvidia"]
    finally:
        session.close()
    with pytest.raises(RuntimeError, match="closed"):
        session.run("engineers")
