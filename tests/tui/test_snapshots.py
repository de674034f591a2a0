"""SVG snapshots of the main screen, the reader, side by side and the facts pane focused, at
80x24 and 140x45, with fixed data and clock.

Regenerate with `pytest tests/tui/test_snapshots.py --snapshot-update` and look at the report.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from briefing.tui.app import BriefingApp

from .conftest import settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((140, 45), id="140x45")]


def _steps(*keys: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run(pilot: Pilot[None]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run


@pytest.mark.parametrize("size", SIZES)
def test_main_screen(make_app: BriefingApp, snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(make_app, terminal_size=size, run_before=_steps())


@pytest.mark.parametrize("size", SIZES)
def test_reader(make_app: BriefingApp, snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(make_app, terminal_size=size, run_before=_steps("enter"))


@pytest.mark.parametrize("size", SIZES)
def test_side_by_side(make_app: BriefingApp, snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(make_app, terminal_size=size, run_before=_steps("enter", "v"))


@pytest.mark.parametrize("size", SIZES)
def test_facts_pane_focused(make_app: BriefingApp, snap_compare: Any,
                            size: tuple[int, int]) -> None:
    # Under 100 columns the pane starts hidden: F shows it there, then tab gives it focus.
    keys = ("enter", "F", "tab") if size[0] < 100 else ("enter", "tab")
    assert snap_compare(make_app, terminal_size=size, run_before=_steps(*keys, "j", "enter"))
