"""The app closing while a screen it has just pushed is being composed: Textual starts no new
message pump once shutdown has begun, so the screen's nested widgets never mount, and a
handler that looks them up raised NoMatches out of the app (run_test re-raises it). Each
test forces that order (what App._shutdown sets first) instead of waiting for it."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Input

from briefing.tui.app import BriefingApp
from briefing.tui.screens.ask import AskScreen

from .conftest import settle


@pytest.mark.parametrize("ticks", [0, 1, 2, 4])
async def test_the_app_closing_as_the_add_dialog_is_composed_raises_nothing(
        make_app: BriefingApp, ticks: int) -> None:
    """`a` and the app closing together (a key then ctrl+q, a test ending): AskScreen's
    on_mount looked up its Input, which sits in the dialog's box and was never mounted
    (NoMatches at 0 ticks before the fix)."""
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        make_app.action_add_feed()
        for _ in range(ticks):
            await asyncio.sleep(0)
        make_app._running = False  # App._shutdown's first step: no new message pumps
    assert make_app.return_code in (None, 0)


async def test_the_add_dialog_still_takes_the_keys_at_once(make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(make_app.screen, AskScreen)
        assert isinstance(make_app.focused, Input) and make_app.focused.id == "ask-input"
        await pilot.press("x")
        assert make_app.screen.query_one(Input).value == "x"
