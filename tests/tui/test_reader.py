"""The reader: view modes, the narrow fallback, flags, translation messages, the palette."""

from __future__ import annotations

import sys
import time
import types
from pathlib import Path

import pytest

from briefing.config import Settings
from briefing.models import TITLE_PARAGRAPH, FigureFlag, Translation, TranslationPair
from briefing.store import Store
from briefing.translate import apertium
from briefing.tui.app import BriefingApp
from briefing.tui.screens.reader import ReaderScreen
from briefing.tui.widgets.reader_body import MODES, ReaderBody, Row

from .conftest import NOW, Notes, nvidia, open_settled, plain_article, screen_text, settle


async def _open(pilot, app: BriefingApp) -> ReaderScreen:
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, ReaderScreen)
    return app.screen


def _mode_class(screen: ReaderScreen) -> str:
    body = screen.query_one(ReaderBody)
    (cls,) = [c for c in body.classes if c.removeprefix("-") in MODES]
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


async def test_narrow_untranslated_view_line_keeps_the_translate_hint(
        make_app: BriefingApp) -> None:
    """At 80 columns, side by side on an article with no translation: the line says to
    press t (the width note pushed it off the right edge, leaving "· no")."""
    async with make_app.run_test(size=(80, 24)) as pilot:
        screen = await open_settled(pilot, make_app, "a-00001")
        await pilot.press("v")
        await pilot.pause()
        assert screen.mode == "side"
        line = next(ln for ln in screen_text(make_app).splitlines() if "View:" in ln)
        assert "no translation yet (t)" in line


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


async def test_translate_without_engine_says_how_to_set_one(make_app: BriefingApp,
                                                            notes: Notes) -> None:
    async with make_app.run_test(size=(120, 40), message_hook=notes) as pilot:
        await _open(pilot, make_app)
        await pilot.press("t")
        await settle(pilot)  # the notice comes from a worker that looks for offline engines
        messages = notes.messages()
        assert any('engine = "libretranslate"' in m and "No translation engine" in m
                   for m in messages)


@pytest.mark.skipif("eng-spa" not in apertium.list_modes(),
                    reason="Apertium's eng-spa pair is not installed (apt-get install apertium "
                           "apertium-eng-spa)")
async def test_translate_without_engine_offers_an_installed_one(db: Path, notes: Notes) -> None:
    settings = Settings()
    settings.translation.target = "es"
    app = BriefingApp(db, settings, now=NOW)
    async with app.run_test(size=(120, 40), message_hook=notes) as pilot:
        await _open(pilot, app)
        await pilot.press("t")
        await settle(pilot)
        messages = notes.messages()
        assert ("No translation engine is configured, but apertium is installed and "
                'translates en→es. To use it, set in the config file:\n[translation]\n'
                'engine = "apertium"') in messages, messages
        assert app.settings.translation.engine == "none"  # offered, not switched on


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
        screen = await open_settled(pilot, app, "a-00077")
        assert "No translation yet" not in screen_text(app)  # original mode hides the note
        await pilot.press("t")
        await settle(pilot)
        assert calls == ["a-00077"]
        assert screen.mode == "side"
        assert "No translation yet" in screen_text(app)  # the fake saved nothing


async def test_translate_through_a_real_engine_server(db: Path) -> None:
    """`t` with LibreTranslate configured: the worker calls the engine over HTTP (a fake
    LibreTranslate on 127.0.0.1), stores the translation, and the reader shows it beside
    the original; escape sequences in the engine's reply never reach the screen."""
    from tests.test_translate_engines import FakeLibreTranslate, fake_translate

    server = FakeLibreTranslate()
    server.mode = "escape"
    try:
        settings = Settings()
        settings.translation.engine = "libretranslate"
        settings.translation.libretranslate.url = server.url
        with Store(db) as store:
            store.save_article(plain_article(78, title="Harbour plan approved"))
        app = BriefingApp(db, settings, now=NOW)
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            app.open_article("a-00078")
            await settle(pilot)
            await pilot.press("t")
            await settle(pilot)
            text = screen_text(app)
            assert fake_translate("Harbour plan approved") in text
            assert "pwned" not in text and "\x1b" not in text
        with Store(db) as store:
            art = store.get_article("a-00078")
        assert art is not None and art.translations[0].engine == "libretranslate"
        assert all(p.translation.startswith("VI: ") for p in art.translations[0].pairs)
    finally:
        server.close()


async def test_star_in_reader_updates_list(make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        await _open(pilot, make_app)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        from briefing.tui.widgets.article_list import ArticleList

        assert make_app.screen.query_one(ArticleList).summaries["a-nvidia"].starred


def _with_title_and_orphans(db: Path) -> None:
    """The nvidia article again, its translation now with a title pair, two lines whose
    originals cleaning dropped (a caption with its credit, a newsletter line) and a line only
    the translator wrote."""
    art = nvidia()
    tr = art.translations[0]
    pairs = (
        TranslationPair(TITLE_PARAGRAPH, art.title, "Doanh thu Nvidia tăng 12% lên 35 tỷ USD"),
        TranslationPair(None, "The Santa Clara campus © Example Pictures",
                        "Khuôn viên Santa Clara © Example Pictures"),
        *tr.pairs[:2],
        TranslationPair(None, "Sign up for our newsletter", "Đăng ký nhận bản tin"),
        TranslationPair(None, "", "Ghi chú của người dịch: số liệu quý ba."),
        *tr.pairs[2:],
    )
    with Store(db) as store:
        store.save_translation(art.id, Translation(tr.lang, tr.engine, tr.model, pairs,
                                                   tr.key_facts, tr.summary))


async def test_orphans_and_title_pair_only_in_translation_views(
        make_app: BriefingApp, db: Path) -> None:
    _with_title_and_orphans(db)
    async with make_app.run_test(size=(120, 40)) as pilot:
        screen = await _open(pilot, make_app)
        junk = ("Santa Clara campus", "Example Pictures", "Sign up for our newsletter",
                "Đăng ký")
        text = screen_text(make_app)
        for line in (*junk, "Ghi chú", "Doanh thu Nvidia tăng 12% lên 35 tỷ USD"):
            assert line not in text, line
        assert text.count("Nvidia revenue rises 12% to $35bn") == 1  # the header alone

        screen.action_set_mode("translation")
        await pilot.pause()
        text = screen_text(make_app)
        lines = text.splitlines()

        def at(needle: str) -> int:
            return next(i for i, line in enumerate(lines) if needle in line)

        # The header holds the translated title (once: the body leaves its row out), then
        # the summary and each line where it stood in the text; what the original view hides
        # as junk stays hidden.
        assert text.count("Doanh thu Nvidia tăng 12% lên 35 tỷ USD") == 1
        assert "Nvidia revenue rises 12% to $35bn" not in text
        assert at("Doanh thu Nvidia tăng 12% lên 35 tỷ USD") < at("• Doanh thu tăng 12%") \
            < at("Nvidia cho biết") < at("Ghi chú của người dịch") < at("Cổ phiếu")
        for line in junk:
            assert line not in text, line

        screen.action_set_mode("side")
        await pilot.pause()
        text = screen_text(make_app)
        for line in junk:
            assert line not in text, line
        row = next(line for line in text.splitlines()
                   if "Doanh thu Nvidia tăng 12% lên 35 tỷ USD" in line)
        assert "Nvidia revenue rises 12% to $35bn" in row


async def test_side_by_side_puts_the_summaries_on_one_row(make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        screen = await _open(pilot, make_app)
        screen.action_set_mode("side")
        await pilot.pause()
        lines = screen_text(make_app).splitlines()
        row = next(line for line in lines if "📌 Nvidia's quarterly" in line)
        assert "📌 Doanh thu Nvidia tăng 12%." in row
        tr_bullet = next(i for i, line in enumerate(lines) if "• Doanh thu tăng 12%" in line)
        last_bullet = next(i for i, line in enumerate(lines) if "• 2,000 new engineers" in line)
        assert tr_bullet < last_bullet  # beside the original block, not under it

        screen.action_set_mode("stacked")  # every other view keeps them one above the other
        await pilot.pause()
        lines = screen_text(make_app).splitlines()
        row = next(line for line in lines if "📌 Nvidia's quarterly" in line)
        assert "Doanh thu" not in row
        assert any("📌 Doanh thu Nvidia tăng 12%." in line for line in lines)


async def test_a_note_is_shown_quietly_without_the_warning_sign(
        make_app: BriefingApp, db: Path) -> None:
    """Notes (a "1" the translator wrote for "a") show dim, with no ⚠ and no flagged row."""
    art = nvidia()
    tr = art.translations[0]
    noted = TranslationPair(2, tr.pairs[2].original, "Cổ phiếu đã tăng gấp đôi trong 1 năm rưỡi.",
                            notes=(FigureFlag("added", "added figure: 1", "", "1"),))
    with Store(db) as store:
        store.save_translation(art.id, Translation(tr.lang, tr.engine, tr.model,
                                                   (*tr.pairs[:2], noted), tr.key_facts,
                                                   tr.summary))
    async with make_app.run_test(size=(120, 40)) as pilot:
        screen = await _open(pilot, make_app)
        screen.action_set_mode("side")
        end = time.monotonic() + 60
        lines = screen_text(make_app).splitlines()
        while not any("· added figure: 1" in line for line in lines):
            assert time.monotonic() < end, "the note never showed:\n" + "\n".join(lines)
            await pilot.pause(0.05)
            lines = screen_text(make_app).splitlines()
        assert not any("⚠ added figure: 1" in line for line in lines)
        assert any("⚠ missing figure 2,000" in line for line in lines)  # the flag still warns
        rows = [r for r in screen.query_one(ReaderBody).items if isinstance(r, Row) and r.flagged]
        assert len(rows) == 1


async def test_the_body_takes_the_new_theme_s_colours(make_app: BriefingApp) -> None:
    """The body draws its own lines, colours included: a theme chosen while reading
    (the palette's) must reach the summary's bar and the flag's, not only the other panes."""
    async with make_app.run_test(size=(120, 40)) as pilot:
        screen = await _open(pilot, make_app)
        body = screen.query_one(ReaderBody)

        def bar_colour() -> object:
            y = next(i for i, line in enumerate(body.text.splitlines()) if line.startswith("█"))
            first = next(iter(body.render_line(y - round(body.scroll_y))))
            return first.style.color if first.style else None

        before = bar_colour()
        assert before == body.get_component_rich_style("reader-body--accent").color
        make_app.theme = "nord" if make_app.theme != "nord" else "gruvbox"
        await settle(pilot)
        after = bar_colour()
        assert after != before
        assert after == body.get_component_rich_style("reader-body--accent").color


async def test_text_selected_in_the_body_is_the_text_shown(make_app: BriefingApp) -> None:
    """A selection over the body (the mouse's, as the screen keeps it) gives the text as
    drawn, and the selected lines are drawn in the selection's style."""
    from textual.geometry import Offset
    from textual.selection import Selection

    async with make_app.run_test(size=(120, 40)) as pilot:
        screen = await _open(pilot, make_app)
        body = screen.query_one(ReaderBody)
        y = next(i for i, line in enumerate(body.text.splitlines())
                 if "Nvidia said on Tuesday" in line)
        screen.selections = {body: Selection(Offset(0, y), Offset(0, y + 1))}
        await pilot.pause()
        selected = screen.get_selected_text() or ""
        assert "Nvidia said on Tuesday that revenue rose 12%" in selected
        assert "Jensen Huang" not in selected
        style = screen.get_component_rich_style("screen--selection")
        assert any(seg.style is not None and seg.style.bgcolor == style.bgcolor
                   for seg in body.render_line(y - round(body.scroll_y)))


def _header(screen: ReaderScreen) -> str:
    """The reader's header as shown: its title lines, then the source line."""
    from rich.console import Group
    from rich.text import Text
    from textual.widgets import Static

    shown = screen.query_one("#reader-title", Static).content
    assert isinstance(shown, Group)
    return "\n".join(t.plain for t in shown.renderables if isinstance(t, Text))


async def test_translation_only_view_heads_the_article_with_its_translated_title(
        make_app: BriefingApp, db: Path) -> None:
    # The header kept the title as written in the translation-only view, where everything
    # under it is in the reader's language (the list shows translated titles with T).
    _with_title_and_orphans(db)
    translated, original = "Doanh thu Nvidia tăng 12% lên 35 tỷ USD", "Nvidia revenue rises 12%"

    def header() -> str:
        return _header(screen)

    async with make_app.run_test(size=(120, 40)) as pilot:
        screen = await _open(pilot, make_app)
        assert original in header() and translated not in header()
        screen.action_set_mode("translation")
        await pilot.pause()
        assert translated in header() and original not in header()
        assert screen_text(make_app).count(translated) == 1
        screen.action_set_mode("side")  # the original beside its translation again
        await pilot.pause()
        assert original in header() and translated not in header()
        screen.action_set_mode("translation")
        await pilot.press("escape")
        await settle(pilot)
        screen = await _open(pilot, make_app)  # opens in the view it was left in
        assert screen.mode == "translation" and translated in header()


async def test_translation_only_view_without_a_translated_title_keeps_the_original(
        make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        screen = await _open(pilot, make_app)  # nvidia's translation has no title pair
        screen.action_set_mode("translation")
        await pilot.pause()
        assert "Nvidia revenue rises 12%" in _header(screen)


async def test_star_and_unread_show_in_the_readers_header(make_app: BriefingApp) -> None:
    # s and m changed the article (the list showed it on return) but nothing on the reader's
    # own screen: its header line now says ★ and unread.
    async with make_app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, make_app)

        def meta() -> str:
            return screen_text(make_app).splitlines()[1]

        assert "★" not in meta() and "unread" not in meta()
        await pilot.press("s")
        await pilot.pause()
        assert meta().lstrip().startswith("★ · ")
        await pilot.press("m")
        await pilot.pause()
        assert "unread" in meta()
        await pilot.press("s", "m")
        await pilot.pause()
        assert "★" not in meta() and "unread" not in meta()


async def test_side_by_side_a_post_s_summary_sits_beside_the_original_s(
        make_app: BriefingApp, db: Path) -> None:
    """A post read back (its own summary and bullets, `provided`): the original's summary was
    left out as the lede's words, so its first bullet sat beside the post's 📌."""
    from dataclasses import replace

    from .conftest import P0

    art = nvidia()
    tr = art.translations[0]
    post = Translation(tr.lang, "provided", "", tr.pairs,
                       ("Tuyển 2.000 kỹ sư", "Doanh thu 35 tỷ USD"), "Nvidia: doanh thu tăng 12%.")
    with Store(db) as store:  # the summary is the lede, word for word: the body says it
        store.save_article(replace(art, summary=P0, translations=(post,), content_hash="post"))
    async with make_app.run_test(size=(140, 40)) as pilot:
        screen = await _open(pilot, make_app)
        screen.action_set_mode("side")
        await pilot.pause()
        lines = screen_text(make_app).splitlines()
        row = next(line for line in lines if "📌 Nvidia: doanh thu tăng 12%." in line)
        assert "📌 Nvidia said on Tuesday" in row, row
