"""SVG snapshots of the main screen, the reader and side by side, with fixed data and clock.

Regenerate with `pytest tests/tui/test_snapshots.py --snapshot-update` and look at the report.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from briefing.tui.app import BriefingApp

from .conftest import settle


def test_main_screen(make_app: BriefingApp, snap_compare: Any) -> None:
    async def ready(pilot: Pilot[None]) -> None:
        await settle(pilot)

    assert snap_compare(make_app, terminal_size=(120, 40), run_before=ready)


def test_reader(make_app: BriefingApp, snap_compare: Any) -> None:
    async def open_it(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(make_app, terminal_size=(120, 40), run_before=open_it)


def test_side_by_side(make_app: BriefingApp, snap_compare: Any) -> None:
    async def side(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)

    assert snap_compare(make_app, terminal_size=(120, 40), run_before=side)


def test_main_screen_narrow(make_app: BriefingApp, snap_compare: Any) -> None:
    async def ready(pilot: Pilot[None]) -> None:
        await settle(pilot)

    assert snap_compare(make_app, terminal_size=(80, 24), run_before=ready)
