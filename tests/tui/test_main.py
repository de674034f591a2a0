"""The main screen: list, preview, star, read state, mark all read, paging, refresh."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from briefing.config import Settings
from briefing.store import ArticleFilter, Store
from briefing.tui.app import BriefingApp, browser_command
from briefing.tui.data import PAGE
from briefing.tui.screens.main import MainScreen
from briefing.tui.screens.reader import ReaderScreen
from briefing.tui.widgets.article_list import HIGHLIGHT_DEBOUNCE_S, ArticleList
from briefing.tui.widgets.preview import Preview

from .conftest import NOW, Notes, nvidia, plain_article, screen_text, settle


async def test_main_lists_articles_with_preview(make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lst = make_app.screen.query_one(ArticleList)
        assert lst.row_count == 6
        assert lst.current is not None and lst.current.id == "a-nvidia"
        text = screen_text(make_app)
        assert "Nvidia revenue rises 12% to $35bn" in text
        # The preview speaks the reader's language ([translation] target, vi by default):
        # the translation's bullet and summary, not the original's.
        assert "Doanh thu tăng 12% lên 35 tỷ USD" in text
        assert "Doanh thu Nvidia tăng 12%." in text and "Revenue rose 12%" not in text
        assert "Bay Post" in text and "Unread" in text


async def test_open_article_marks_it_read(make_app: BriefingApp, db: Path) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(make_app.screen, ReaderScreen)
        assert "Jensen Huang told analysts" in screen_text(make_app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(make_app.screen, MainScreen)
        row = make_app.screen.query_one(ArticleList).summaries["a-nvidia"]
        assert row.read
    with Store(db) as store:  # in the store, so it survives a restart
        art = store.get_article("a-nvidia")
        assert art is not None and art.read


async def test_click_row_then_click_again_opens(make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lst = make_app.screen.query_one(ArticleList)
        await pilot.click(ArticleList, offset=(10, 3))  # header, then row 0, 1: third row
        await settle(pilot)
        assert lst.cursor_row == 2
        await pilot.click(ArticleList, offset=(10, 3))
        await settle(pilot)
        assert isinstance(make_app.screen, ReaderScreen)


async def test_j_k_move_and_star_and_toggle_read(make_app: BriefingApp, db: Path) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lst = make_app.screen.query_one(ArticleList)
        await pilot.press("j", "j", "k")
        assert lst.cursor_row == 1
        target = lst.current
        assert target is not None
        await pilot.press("s", "m")
        await settle(pilot)
        assert lst.summaries[target.id].starred and lst.summaries[target.id].read
    with Store(db) as store:
        art = store.get_article(target.id)
        assert art is not None and art.starred and art.read


async def test_keys_can_be_remapped(db: Path) -> None:
    app = BriefingApp(db, Settings(keys={"star": "f"}), now=NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert app.screen.query_one(ArticleList).summaries["a-nvidia"].starred


async def test_mark_all_read_in_current_list(make_app: BriefingApp, db: Path) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("A")
        await settle(pilot)
        lst = make_app.screen.query_one(ArticleList)
        assert all(a.read for a in lst.summaries.values())
    with Store(db) as store:
        assert store.count_articles(ArticleFilter(unread=True)) == 0


async def test_sidebar_filter(make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = make_app.screen
        assert isinstance(screen, MainScreen)
        sidebar = screen.query_one("#sidebar")
        sidebar.focus()
        sidebar.highlighted = sidebar.get_option_index("tag:tech")  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        lst = screen.query_one(ArticleList)
        assert list(lst.summaries) == ["a-nvidia"]
        assert "#tech" in screen_text(make_app)


async def test_pages_load_as_the_cursor_nears_the_end(tmp_path: Path) -> None:
    db = tmp_path / "many.db"
    with Store(db) as store:
        store.save_articles([plain_article(n, day=1 + n % 25) for n in range(450)])
    app = BriefingApp(db, Settings(), now=NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lst = app.screen.query_one(ArticleList)
        assert lst.row_count == PAGE and lst.total == 450
        lst.move_cursor(row=PAGE - 10)
        await settle(pilot)
        assert lst.row_count == 2 * PAGE
        lst.move_cursor(row=2 * PAGE - 1)
        await settle(pilot)
        assert lst.row_count == 450
        assert len(set(lst.order)) == 450


async def test_the_first_page_comes_whole_after_its_first_screenful(tmp_path: Path) -> None:
    """Start-up adds the rows a terminal shows first and the rest of the page after the first
    frame: the list ends up holding the whole page, in the store's order, once each, with the
    cursor and the preview on the first row, and paging on from there as before."""
    db = tmp_path / "many.db"
    with Store(db) as store:
        store.save_articles([plain_article(n, day=1 + n % 25) for n in range(450)])
        order = [a.id for a in store.list_articles(limit=10**6)]
    app = BriefingApp(db, Settings(), now=NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lst = app.screen.query_one(ArticleList)
        assert lst.order == order[:PAGE] and lst.row_count == PAGE and lst.total == 450
        assert lst.cursor_row == 0 and lst.current is not None and lst.current.id == order[0]
        assert app.preloaded is not None and app.preloaded.article_id == order[0]
        await pilot.press("G")
        await settle(pilot)
        lst.move_cursor(row=lst.row_count - 1)
        await settle(pilot)
        assert lst.order == order


async def test_periodic_check_picks_up_another_connections_article(
        make_app: BriefingApp, db: Path) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        with Store(db) as cron:  # what a cron `briefing fetch` does meanwhile
            cron.save_article(plain_article(99, title="Late edition", day=26))
        make_app.check_for_changes()  # what the refresh_seconds timer calls
        await settle(pilot)
        lst = make_app.screen.query_one(ArticleList)
        assert "a-00099" in lst.summaries
        assert "Late edition" in screen_text(make_app)


async def test_open_and_copy_link(make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("o", "C")
        await settle(pilot)
        assert make_app.opened == ["https://example.com/nvidia"]  # type: ignore[attr-defined]
        assert make_app.clipboard == "https://example.com/nvidia"


async def test_c_copies_the_whole_post_in_the_seed_shape(make_app: BriefingApp) -> None:
    art = nvidia()
    (tr,) = art.translations
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        lines = make_app.clipboard.splitlines()
        # The reader's language (vi): the translation's bullets and summary, then the link,
        # the hashtag, the translation and the original, one part a line.
        assert lines[:len(tr.key_facts) + 2] == [*(f"- {b}" for b in tr.key_facts),
                                                 f"📌 {tr.summary}", art.url]
        assert lines[len(tr.key_facts) + 2].startswith("#")
        rest = lines[len(tr.key_facts) + 3:]
        assert rest == [*(p.translation for p in tr.pairs), art.title,
                        *(p.text for p in art.paragraphs)]
        main = make_app.screen
        await pilot.press("enter")
        await settle(pilot)
        assert make_app.screen is not main
        make_app.copy_to_clipboard("")
        await pilot.press("c")  # the reader copies the same post
        await settle(pilot)
        assert make_app.clipboard.splitlines() == lines


async def test_only_web_links_are_opened(make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        make_app.open_link("file:///etc/passwd")
        make_app.open_link("--help")
        assert make_app.opened == []  # type: ignore[attr-defined]


async def settle_cursor(pilot, screen: MainScreen) -> None:
    """Wait out the highlight debounce (a real timer), then the preview worker."""
    await settle(pilot)  # the highlight messages the moves posted are handled: the timer runs
    end = time.monotonic() + 60
    while screen.highlight_pending and time.monotonic() < end:
        await pilot.pause(HIGHLIGHT_DEBOUNCE_S / 4)
    assert not screen.highlight_pending
    await settle(pilot)


async def test_preview_follows_cursor(make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down")
        assert isinstance(make_app.screen, MainScreen)
        await settle_cursor(pilot, make_app.screen)
        preview = make_app.screen.query_one(Preview)
        assert preview.article_id == make_app.screen.query_one(ArticleList).current.id  # type: ignore[union-attr]


async def test_the_first_page_loads_its_preview_once(make_app: BriefingApp,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # Filling the first page highlights its first row, and the page itself shows that row's
    # preview: two loads of one article, and on a cold database the second (exclusive)
    # cancelled the first.
    loads: list[str] = []
    real = MainScreen._load_preview

    def counting(self: MainScreen, article_id: str) -> object:
        loads.append(article_id)
        return real(self, article_id)

    monkeypatch.setattr(MainScreen, "_load_preview", counting)
    async with make_app.run_test(size=(120, 40)) as pilot:
        screen = make_app.screen
        assert isinstance(screen, MainScreen)
        await settle_cursor(pilot, screen)
        assert loads == ["a-nvidia"]
        assert screen.query_one(Preview).article_id == "a-nvidia"
        assert "Doanh thu Nvidia tăng 12%." in screen_text(make_app)


async def test_palette_lists_the_same_actions(make_app: BriefingApp, db: Path) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Mark all read")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
    with Store(db) as store:
        assert store.count_articles(ArticleFilter(unread=True)) == 0


async def test_held_key_loads_only_the_settled_row(make_app: BriefingApp) -> None:
    async with make_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = make_app.screen
        assert isinstance(screen, MainScreen)
        lst = screen.query_one(ArticleList)
        loads: list[str] = []
        real = screen._load_preview
        def counting(article_id: str) -> None:
            loads.append(article_id)
            real(article_id)

        screen._load_preview = counting  # type: ignore[method-assign, assignment]
        for _ in range(4):  # a held `j`: moves closer together than the debounce
            lst.action_cursor_down()
        await settle_cursor(pilot, screen)
        assert lst.current is not None
        assert loads == [lst.current.id] and lst.cursor_row == 4
        preview = screen.query_one(Preview)
        assert preview.article_id == lst.current.id
        assert lst.current.title in screen_text(make_app)


@pytest.fixture
def no_browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A machine with no opener and no browser (a server over ssh): PATH is one empty folder,
    and the webbrowser module looks for browsers again under it."""
    import sys
    import webbrowser

    if sys.platform == "darwin":
        pytest.skip("macOS always has `open` and webbrowser's osascript browser")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    for name in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    # webbrowser caches what it found at first use; it must look again under this PATH.
    monkeypatch.setattr(webbrowser, "_tryorder", None)
    monkeypatch.setattr(webbrowser, "_browsers", {})
    return bin_dir


async def test_o_with_no_browser_says_so_instead_of_opening(
        db: Path, no_browser: Path, notes: Notes) -> None:
    app = BriefingApp(db, Settings(), now=NOW)  # the real opener
    async with app.run_test(size=(80, 24), message_hook=notes) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
    said = notes.messages()
    assert not any(m.startswith("Opening") for m in said), said
    assert any(m.startswith("No browser to open https://example.com/nvidia") and "C copies"
               in m for m in said), said


async def test_o_hands_the_link_to_xdg_open(db: Path, no_browser: Path, tmp_path: Path,
                                            notes: Notes) -> None:
    got = tmp_path / "opened.txt"
    opener = no_browser / "xdg-open"
    opener.write_text(f'#!/bin/sh\nprintf "%s" "$1" > {got}\n', encoding="utf-8")
    opener.chmod(0o755)
    app = BriefingApp(db, Settings(), now=NOW)
    async with app.run_test(size=(80, 24), message_hook=notes) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
    deadline = time.monotonic() + 60  # the detached opener runs on its own time
    while not (got.exists() and got.stat().st_size) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert got.read_text(encoding="utf-8") == "https://example.com/nvidia"
    assert "Opening https://example.com/nvidia" in notes.messages()


def _program(folder: Path, name: str, body: str = "exit 0") -> Path:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


@pytest.mark.parametrize(("browser", "display", "argv", "in_terminal"), [
    ("w3m", ":0", ["w3m", "https://e.com/a"], True),  # draws in the terminal, display or not
    ("mybrowser", "", ["mybrowser", "https://e.com/a"], True),  # no display: only a terminal
    ("mybrowser --new-tab %s", ":0", ["mybrowser", "--new-tab", "https://e.com/a"], False),
    ("missing:lynx -dump", "", ["lynx", "-dump", "https://e.com/a"], True),  # first usable
    ("", ":0", ["xdg-open", "https://e.com/a"], False),
])
def test_the_browser_command_follows_browser_then_the_opener(
        no_browser: Path, browser: str, display: str, argv: list[str], in_terminal: bool
) -> None:
    for name in ("w3m", "lynx", "mybrowser", "xdg-open"):
        _program(no_browser, name)
    command = browser_command("https://e.com/a", {"BROWSER": browser, "DISPLAY": display})
    assert command is not None
    assert (command.argv, command.in_terminal) == (argv, in_terminal)


@pytest.mark.parametrize("browser", [
    'sh -c "w3m %s"', "sh -c \"w3m '%s'\"", "sh -c 'w3m \"%s\"'", "bash -ec 'w3m %s'",
    "env LANG=C sh -c 'w3m %s'", "sh -ec \"w3m '%s' && true\"",
])
def test_a_shell_script_in_browser_gets_the_link_as_an_argument(
        no_browser: Path, tmp_path: Path, browser: str) -> None:
    """BROWSER='sh -c "w3m %s"' ran a feed's "$(touch ...)" link as a command; quoting the
    link into the script undid quotes the user had put around %s."""
    got, pwned = tmp_path / "got", tmp_path / "pwned"
    _program(no_browser, "w3m", f'printf "%s" "$1" > {got}')
    for shell in ("sh", "bash", "env"):
        found = shutil.which(shell, path="/usr/bin:/bin")
        assert found is not None
        (no_browser / shell).symlink_to(found)
    url = f"http://x.example/$(touch${{IFS}}{pwned})?a=1&b='2'`id`\"x\";y"
    command = browser_command(url, {"BROWSER": browser, "DISPLAY": ""})
    assert command is not None
    subprocess.run(command.argv, check=True, timeout=30,
                   env={**os.environ, "PATH": f"{no_browser}:/usr/bin:/bin"})
    assert got.read_text(encoding="utf-8") == url and not pwned.exists()


def test_a_link_inside_another_argument_is_inert_to_a_shell(no_browser: Path) -> None:
    # `tmux new-window 'w3m %s'` hands its argument to a shell: what a shell acts on is
    # percent-encoded there; an argument that is only %s gets the link as it is.
    _program(no_browser, "mybrowser")
    url = "http://x.example/a$(id)?q=1&r=`x`;s"
    command = browser_command(url, {"BROWSER": "mybrowser --url=%s %s", "DISPLAY": ":0"})
    assert command is not None
    assert command.argv == ["mybrowser", "--url=http://x.example/a%24%28id%29?q=1%26r=%60x%60%3Bs",
                            url]


def test_with_no_browser_set_a_terminal_browser_on_path_is_used(no_browser: Path) -> None:
    assert browser_command("https://e.com/a", {}) is None
    _program(no_browser, "lynx")
    command = browser_command("https://e.com/a", {})
    assert command is not None and command.argv == ["lynx", "https://e.com/a"]
    assert command.in_terminal


async def test_o_with_a_browser_that_stays_open_does_not_freeze_the_app(
        db: Path, no_browser: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        notes: Notes) -> None:
    # A terminal browser in $BROWSER was run and waited for on the UI thread, the TUI still
    # drawing: neither could be used until the browser was killed. A real terminal is handed
    # over (App.suspend); a test's headless app has none, and the browser runs on its own.
    got = tmp_path / "opened.txt"
    _program(no_browser, "termbrowser", f'printf "%s" "$1" > {got}\nexec /bin/sleep 20')
    monkeypatch.setenv("BROWSER", "termbrowser")
    app = BriefingApp(db, Settings(), now=NOW)
    async with app.run_test(size=(80, 24), message_hook=notes) as pilot:
        await settle(pilot)
        lst = app.screen.query_one(ArticleList)
        before = lst.cursor_row
        started = time.monotonic()
        await pilot.press("o")
        await pilot.press("j")
        await settle(pilot)
        assert time.monotonic() - started < 20
        assert lst.cursor_row == before + 1
    deadline = time.monotonic() + 60
    while not (got.exists() and got.stat().st_size) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert got.read_text(encoding="utf-8") == "https://example.com/nvidia"


async def test_c_says_where_the_text_went(db: Path, no_browser: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch,
                                          notes: Notes) -> None:
    # "Link copied." was said whatever happened to the terminal's clipboard escape, which
    # tmux drops by default: inside tmux the text now goes to its buffer too.
    got = tmp_path / "buffer.txt"
    _program(no_browser, "tmux", f'[ "$2" = "-w" ] && exit 1\n/bin/cat > {got}')  # no -w: old tmux
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("TMUX", "/tmp/tmux-0/default,1,0")
    app = BriefingApp(db, Settings(), now=NOW)
    async with app.run_test(size=(120, 40), message_hook=notes) as pilot:
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        monkeypatch.delenv("TMUX")
        await pilot.press("C")
        await settle(pilot)
    assert got.read_text(encoding="utf-8") == "https://example.com/nvidia"
    said = [m for m in notes.messages() if m.startswith("Link ")]
    assert said == ["Link copied (tmux buffer).",
                    "Link sent to the terminal's clipboard (if it allows OSC 52; in tmux: "
                    "set-clipboard on)."]


async def test_sidebar_counts_are_grouped_as_the_list_title(tmp_path: Path) -> None:
    path = tmp_path / "many.db"
    with Store(path) as store:
        store.save_articles([plain_article(n, day=1 + n % 28) for n in range(1, 1001)])
    app = BriefingApp(path, Settings(), now=NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lines = screen_text(app).splitlines()
        assert "All articles  1,000" in lines[0]
        sidebar = [line.split("▕")[0] for line in lines[1:4]]  # All, Unread, Starred
        assert [s.strip("▊ ").split()[-1] for s in sidebar[:2]] == ["1,000", "1,000"], sidebar


async def test_q_and_escape_from_a_feeds_list_go_back_to_all_then_q_quits(
        make_app: BriefingApp) -> None:
    # newsboat's q: from a feed's article list back to the feeds, and only there it quits.
    # At 80 columns the sidebar is hidden, and q quit from a feed's list with no way back
    # but B.
    async with make_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = make_app.screen
        assert isinstance(screen, MainScreen)
        lst = screen.query_one(ArticleList)
        everything = set(lst.summaries)
        for key in ("q", "escape"):
            screen.choose("tag:tech")
            await settle(pilot)
            assert list(lst.summaries) == ["a-nvidia"]
            await pilot.press(key)
            await settle(pilot)
            assert make_app.is_running and isinstance(make_app.screen, MainScreen)
            assert set(lst.summaries) == everything and screen.filter_id == "all"
            assert "All articles" in screen_text(make_app)
        await pilot.press("escape")  # already every article: nothing to go back to
        await settle(pilot)
        assert make_app.is_running
        await pilot.press("q")
        await settle(pilot)
        assert not make_app.is_running


async def test_the_preview_does_not_say_the_summary_twice(tmp_path: Path) -> None:
    """A wire item's first bullet is its summary's sentence: the preview showed it twice,
    one under the other (the reader already left it out)."""
    from dataclasses import replace

    from briefing.config import Settings
    from briefing.models import KeyFact
    from briefing.store import Store

    lede = "The Port of Kessel will spend €3.1bn over eight years deepening its channel."
    art = replace(plain_article(1, title="Kessel deepens its channel"),
                  summary=lede, key_facts=(KeyFact(lede, 0), KeyFact("Traffic rose 18%", 1)),
                  translations=())
    db = tmp_path / "p.db"
    with Store(db) as store:
        store.save_article(art)
    app = BriefingApp(db, Settings(), now=NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert text.count("€3.1bn over eight years") == 1, text
        assert "Traffic rose 18%" in text
