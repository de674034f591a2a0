"""The reader: view modes, the narrow fallback, flags, translation messages, the palette."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from briefing.config import Settings
from briefing.store import Store
from briefing.tui.app import BriefingApp
from briefing.tui.screens.reader import ReaderScreen
from briefing.tui.widgets.reader_body import ReaderBody

from .conftest import NOW, plain_article, screen_text, settle


async def _open(pilot, app: BriefingApp) -> ReaderScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, ReaderScreen)
    return app.screen


def _mode_class(screen: ReaderScreen) -> str:
    body = screen.query_one(ReaderBody)
    (cls,) = [c for c in body.classes if c.startswith("-")]
    return cls


async def test_view_modes_cycle_through_all_four(make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        screen = await _open(pilot, make_app)
        assert _mode_class(screen) == "-original"
        text = screen_text(make_app)
        assert "Nvidia said on Tuesday" in text and "Nvidia cho biết" not in text
        assert "Money" in text and "Jensen Huang" in text  # the facts panel
        seen = []
        for _ in range(4):
            await pilot.press("v")
            await pilot.pause()
            seen.append((screen.mode, _mode_class(screen)))
        assert seen == [("side", "-side"), ("stacked", "-stacked"),
                        ("translation", "-translation"), ("original", "-original")]


async def test_side_by_side_shows_pairs_on_one_row(make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        screen = await _open(pilot, make_app)
        screen.action_set_mode("side")
        await pilot.pause()
        lines = screen_text(make_app).splitlines()
        row = next(line for line in lines if "Nvidia said on Tuesday" in line)
        assert "Nvidia cho biết" in row  # original | translation, aligned
        assert any("⚠ missing figure 2,000" in line for line in lines)


async def test_translation_only_hides_originals(make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        screen = await _open(pilot, make_app)
        screen.action_set_mode("translation")
        await pilot.pause()
        text = screen_text(make_app)
        assert "Cổ phiếu đã tăng gấp đôi" in text
        assert "The shares have doubled" not in text


async def test_side_by_side_falls_back_to_stacked_when_narrow(make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, make_app)
        await pilot.press("v")
        await pilot.pause()
        assert screen.mode == "side"
        assert _mode_class(screen) == "-stacked"
        assert "narrower than 100 columns" in screen_text(make_app)


async def test_palette_switches_view_mode(make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        screen = await _open(pilot, make_app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"View: stacked")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert screen.mode == "stacked"


async def test_translate_without_engine_says_how_to_set_one(make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        await _open(pilot, make_app)
        await pilot.press("t")
        await pilot.pause()
        messages = [n.message for n in make_app._notifications]
        assert any('engine = "libretranslate"' in m and "No translation engine" in m
                   for m in messages)


async def test_translate_calls_the_engine_module_in_a_worker(
        db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    fake = types.ModuleType("briefing.translate")
    fake.translate_article = lambda settings, store, article_id: calls.append(article_id)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "briefing.translate", fake)
    settings = Settings()
    settings.translation.engine = "libretranslate"
    with Store(db) as store:
        store.save_article(plain_article(77, title="Untranslated"))
    app = BriefingApp(db, settings, now=NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_article("a-00077")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        assert "No translation yet" not in screen_text(app)  # original mode hides the note
        await pilot.press("t")
        await settle(pilot)
        assert calls == ["a-00077"]
        assert screen.mode == "side"
        assert "No translation yet" in screen_text(app)  # the fake saved nothing


async def test_star_in_reader_updates_list(make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        await _open(pilot, make_app)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        from briefing.tui.widgets.article_list import ArticleList

        assert make_app.screen.query_one(ArticleList).summaries["a-nvidia"].starred
