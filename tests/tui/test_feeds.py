"""Feeds in the reading room: the first launch, adding a feed (key and palette) with the same
checks as `briefing feeds add`, the feeds screen (remove, rename, retag, last error), and the
preferences kept in the state file across restarts."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from briefing.config import Settings
from briefing.models import TITLE_PARAGRAPH, TranslationPair
from briefing.store import Store
from briefing.tui.app import BriefingApp
from briefing.tui.screens.ask import AskScreen, ConfirmScreen
from briefing.tui.screens.feeds import FeedsScreen
from briefing.tui.screens.main import MainScreen
from briefing.tui.widgets.article_list import ArticleList
from tests.conftest import ROOT

from .conftest import NOW, Notes, nvidia, plain_article, screen_text, settle

FEED = "https://example.com/feed"
VI_TITLE = "Doanh thu Nvidia tăng 12% lên 35 tỷ USD"


@pytest.fixture(autouse=True)
def state_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "state" / "state.toml"
    monkeypatch.setenv("BRIEFING_STATE", str(path))
    return path


@pytest.fixture
def empty_db(tmp_path: Path) -> Path:
    path = tmp_path / "empty.db"
    Store(path).close()
    return path


def _app(db: Path, settings: Settings | None = None) -> BriefingApp:
    return BriefingApp(db, settings or Settings(), now=NOW)


async def _type(pilot: Pilot[None], text: str) -> None:
    pilot.app.screen.query_one(Input).value = text
    await pilot.press("enter")
    await settle(pilot)


async def test_first_launch_on_an_empty_database_says_how_to_start(empty_db: Path) -> None:
    app = _app(empty_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "Welcome to briefing. There is nothing to read yet." in text
        assert "add a feed" in text and "briefing import-opml FILE" in text
        assert "briefing fetch PATH" in text
        assert "Nothing selected." not in text


async def test_add_a_local_feed_stores_it_and_fetches_it(empty_db: Path, tmp_path: Path) -> None:
    feed = tmp_path / "markets.xml"
    shutil.copy(ROOT / "sample_feeds" / "markets.xml", feed)
    app = _app(empty_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        assert isinstance(app.screen, AskScreen)
        await _type(pilot, str(feed))
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.screen.query_one(ArticleList).row_count == 4
        assert "[UPDATE] Markets close higher" in screen_text(app)
    with Store(empty_db) as store:
        assert [s.url for s in store.list_sources()] == [str(feed.resolve())]


@pytest.mark.parametrize(("typed", "reason"), [
    ("ftp://example.com/feed.xml", "ftp://example.com/feed.xml: only http and https URLs are "
                                   "fetched"),
    ("/no/such/feed.xml", "/no/such/feed.xml: not an http(s) URL and no such file"),
    ("   ", "empty source: pass a feed URL or a file"),
    ("https://example.com:99999/feed", "https://example.com:99999/feed: not a valid URL (port "
                                       "out of range 0-65535)"),
    # urlsplit raised for an unclosed bracket, and the app exited with a traceback.
    ("http://[::1", "http://[::1: not a valid URL (invalid IPv6 URL)"),
    ("https://[zz]/", "not a valid URL"),
    ("https://exa mple.org", "https://exa mple.org: not a valid host name: exa mple.org"),
    ("https://exa..org/", "not a valid host name: exa..org"),
    ("https://a.example:0/", "port 0: a port is 1 to 65535"),
    ("https://user@/feed", "no host name in the URL"),
    ("https://example.com/\x1b]0;owned\x07feed", "contains control characters"),
    # pathlib raised for the home of an unknown user, and the app exited with a traceback.
    ("~no-such-user-b7f3/feed.xml", "no user named 'no-such-user-b7f3' on this machine"),
])
async def test_a_bad_address_is_refused_with_the_reason_and_nothing_is_stored(
        empty_db: Path, typed: str, reason: str) -> None:
    app = _app(empty_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await _type(pilot, typed)
        screen = app.screen
        assert isinstance(screen, AskScreen), "the dialog stays open"
        assert reason in screen.error
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    with Store(empty_db) as store:
        assert store.list_sources(subscribed_only=False) == []


@pytest.mark.parametrize(("typed", "reason"), [
    ("ftp://example.com/feed.xml", "ftp://example.com/feed.xml: only http and https URLs are "
                                   "fetched"),
    ("http://[::1", "http://[::1: not a valid URL (invalid IPv6 URL)"),
    ("https://exa mple.org", "not a valid host name: exa mple.org"),
])
def test_the_cli_gives_the_same_reasons(tmp_path: Path, typed: str, reason: str) -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "briefing", "--db", str(tmp_path / "c.db"), "feeds", "add",
         typed], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert reason in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr
    assert "Traceback" not in proc.stderr


async def test_add_feed_from_the_command_palette(empty_db: Path) -> None:
    app = _app(empty_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        for ch in "Add a feed":
            await pilot.press("space" if ch == " " else ch)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AskScreen)
        await _type(pilot, FEED)
    with Store(empty_db) as store:
        assert [s.url for s in store.list_sources()] == [FEED]


@pytest.fixture
def feeds_db(tmp_path: Path) -> Path:
    path = tmp_path / "feeds.db"
    with Store(path) as store:
        store.add_source(FEED, tags=["tech"], now="2026-11-27T08:00:00+00:00")
        store.record_source(FEED, kind="feed", status=200, now="2026-11-27T08:00:00+00:00",
                            title="Example News")
        store.add_source("https://bad.example/rss", now="2026-11-27T08:00:00+00:00")
        store.record_source("https://bad.example/rss", kind="feed", status=500,
                            now="2026-11-27T08:00:00+00:00", error="HTTP 500 Server Error")
        store.save_article(replace(nvidia(), source=FEED))
        store.save_article(replace(plain_article(1), source="https://bad.example/rss",
                                   source_title="Bad Feed"))
    return path


async def test_feeds_screen_shows_each_feed_with_its_last_error(feeds_db: Path) -> None:
    app = _app(feeds_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "⚠ Bad Feed" in screen_text(app)  # in the sidebar, beside its name
        await pilot.press("E")
        await settle(pilot)
        assert isinstance(app.screen, FeedsScreen)
        text = screen_text(app)
        assert "⚠ HTTP 500 Server Error" in text and "1 failing" in text
        assert "Example News" in text and "#tech" in text


async def test_rename_retag_and_remove_a_feed(feeds_db: Path) -> None:
    app = _app(feeds_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("E")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FeedsScreen)
        assert screen.current is not None and screen.current.url == "https://bad.example/rss"
        await pilot.press("j")  # to Example News
        assert screen.current is not None and screen.current.url == FEED
        await pilot.press("e")
        assert app.screen.query_one(Input).value == "Example News"
        await _type(pilot, "My Tech Feed")
        await pilot.press("t")
        await _type(pilot, "#world, news  world")
        assert "My Tech Feed" in screen_text(app)
        assert "#news #world" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        # The sidebar and the list take the new name.
        assert "My Tech Feed" in screen_text(app)
        await pilot.press("E")
        await settle(pilot)
        await pilot.press("j", "d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
    with Store(feeds_db) as store:
        source = store.get_source(FEED)
        assert source is not None and not source.subscribed
        assert source.name == "My Tech Feed" and source.tags == ("news", "world")
        assert store.count_articles() == 2, "removing keeps the stored articles"
        # A fetch tells the feed's own title again; the user's name stays.
        store.record_source(FEED, kind="feed", status=200, now="2026-11-28T08:00:00+00:00",
                            title="Example News (new title)")
        assert store.get_source(FEED).name == "My Tech Feed"  # type: ignore[union-attr]


async def test_a_rename_with_control_characters_is_refused(feeds_db: Path) -> None:
    app = _app(feeds_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("E")
        await settle(pilot)
        await pilot.press("e")
        await _type(pilot, "evil\x1b[2Jname")
        screen = app.screen
        assert isinstance(screen, AskScreen) and "control characters" in screen.error
    with Store(feeds_db) as store:
        assert store.get_source("https://bad.example/rss").name == ""  # type: ignore[union-attr]


# -- the reader's language and the state file ----------------------------------------------


@pytest.fixture
def titled_db(tmp_path: Path) -> Path:
    """The Nvidia article with its title translated, and five older untranslated ones."""
    path = tmp_path / "t.db"
    art = nvidia()
    tr = art.translations[0]
    tr = replace(tr, pairs=(TranslationPair(TITLE_PARAGRAPH, art.title, VI_TITLE), *tr.pairs))
    with Store(path) as store:
        store.save_article(replace(art, translations=(tr,)))
        for n in range(1, 6):
            store.save_article(plain_article(n))
    return path


def _titles(app: BriefingApp) -> list[str]:
    lst = app.screen.query_one(ArticleList)
    return [lst.summaries[i].title for i in lst.order]


async def test_T_switches_between_translated_and_original_titles(titled_db: Path,
                                                                  state_file: Path) -> None:
    app = _app(titled_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert _titles(app)[0] == VI_TITLE
        assert VI_TITLE in screen_text(app)  # in the list and the preview
        await pilot.press("T")
        await settle(pilot)
        assert _titles(app)[0] == "Nvidia revenue rises 12% to $35bn"
        assert VI_TITLE not in screen_text(app)
    assert 'titles = "original"' in state_file.read_text(encoding="utf-8")
    app = _app(titled_db)
    async with app.run_test(size=(120, 40)) as pilot:  # remembered
        await settle(pilot)
        assert _titles(app)[0] == "Nvidia revenue rises 12% to $35bn"


async def test_preferences_persist_across_restarts_and_never_touch_the_config(
        titled_db: Path, state_file: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text("# mine\nrefresh_seconds = 30\n", encoding="utf-8")
    monkeypatch.setenv("BRIEFING_CONFIG", str(config))
    app = _app(titled_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.theme = "nord"  # what the palette's theme picker does
        await pilot.press("O")  # oldest first
        await settle(pilot)
        assert _titles(app)[0] == "Harbour story number 1"
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("v")  # the reader's view mode: original -> side by side
        await settle(pilot)
    assert state_file.exists() and not list(state_file.parent.glob(".state-*"))
    assert config.read_text(encoding="utf-8") == "# mine\nrefresh_seconds = 30\n"
    app = _app(titled_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.theme == "nord"
        assert app.reader_mode == "side"
        assert _titles(app)[0] == "Harbour story number 1"


async def test_search_results_follow_T_as_the_main_list_does(titled_db: Path,
                                                             state_file: Path) -> None:
    """The main list shows the translated title; the search screen showed the one as
    written whatever T said, so one article had two titles a keypress apart."""
    app = _app(titled_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert _titles(app)[0] == VI_TITLE
        await pilot.press("slash")
        await settle(pilot)
        await pilot.press(*"engineers", "enter")
        await settle(pilot)
        assert _titles(app) == [VI_TITLE]
        assert VI_TITLE in screen_text(app)
        await pilot.press("T")  # on the search screen: its results follow at once
        await settle(pilot)
        assert _titles(app) == ["Nvidia revenue rises 12% to $35bn"]


@pytest.mark.parametrize("body", [b"theme = [unclosed", b"\xff\xfe not text", b"sort = 3\n"])
async def test_a_corrupt_state_file_is_ignored_with_a_warning(titled_db: Path, state_file: Path,
                                                              body: bytes, notes: Notes) -> None:
    state_file.parent.mkdir(parents=True, exist_ok=True)
    state_file.write_bytes(body)
    app = _app(titled_db)
    async with app.run_test(size=(120, 40), message_hook=notes) as pilot:
        await settle(pilot)
        assert notes.messages("State file")
        assert app.ui_state.sort == "newest" and _titles(app)[0] == VI_TITLE
        await pilot.press("O")
        await settle(pilot)
    assert 'sort = "oldest"' in state_file.read_text(encoding="utf-8")


async def test_a_state_file_that_cannot_be_written_is_a_warning_not_a_crash(
        titled_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, notes: Notes) -> None:
    (tmp_path / "blocker").write_text("a file where the state folder should be")
    monkeypatch.setenv("BRIEFING_STATE", str(tmp_path / "blocker" / "state.toml"))
    app = _app(titled_db)
    async with app.run_test(size=(120, 40), message_hook=notes) as pilot:
        await settle(pilot)
        await pilot.press("T")
        await settle(pilot)
        assert any("cannot save" in m for m in notes.messages())
        assert _titles(app)[0] == "Nvidia revenue rises 12% to $35bn"  # holds for the session


async def test_preview_shows_the_translations_bullets_and_summary(titled_db: Path) -> None:
    app = _app(titled_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "Doanh thu tăng 12% lên 35 tỷ USD" in text  # the translation's bullet
        assert "📌 Doanh thu Nvidia tăng 12%." in text
        assert "2,000 new engineers" not in text


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `make demo-db` builds: the sample_feeds folder fetched once."""
    from briefing import stories
    from briefing.pipeline import run_fetch

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with Store(path) as store:
        report = run_fetch(Settings(), store, [str(ROOT / "sample_feeds")])
        assert report.failed == []
        stories.sync(store)
    return path


async def test_the_demo_shows_a_story_its_flag_and_translated_titles(demo_db: Path) -> None:
    app = _app(demo_db)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        text = screen_text(app)
        assert "2 copies" in text
        assert "! $1.5bn in Mekong Energy Wire, $1.2bn in example.com" in text
        assert "Coral Bay Energy dự kiến xây trang trại điện gió" in text  # the post, in vi
        await pilot.press("T")
        await settle(pilot)
        text = screen_text(app)
        assert "Coral Bay Energy plans $9.4bn offshore wind farm" in text
        assert "Coral Bay Energy dự kiến" not in text


async def test_a_post_read_back_shows_its_own_summary_and_every_bullet(demo_db: Path) -> None:
    """A post's 📌 summary and bullets are what its author wrote: they showed only where the
    original's generated ones did not repeat its lede, so the translation-only view began at
    a bullet without the summary, and side by side the columns were out of step."""
    from briefing.tui.widgets.reader_body import ReaderBody

    with Store(demo_db) as store:
        posts = [a for a in store.get_articles(store.article_ids()).values()
                 if any(t.engine == "provided" for t in a.translations)]
    assert len(posts) == 1
    post = posts[0]
    tr = next(t for t in post.translations if t.engine == "provided")
    assert tr.summary and len(tr.key_facts) >= 3
    app = _app(demo_db)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot)
        app.open_article(post.id)
        await settle(pilot)
        body = app.screen.query_one(ReaderBody)
        for mode in ("translation", "side"):
            body.set_mode(mode)
            await settle(pilot)
            text = " ".join(screen_text(app).split())
            assert "📌 " + " ".join(tr.summary.split())[:40] in text, mode
            for bullet in tr.key_facts:
                assert " ".join(bullet.split())[:30] in text, (mode, bullet)
