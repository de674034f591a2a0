"""The reading room: a Textual app over the store. Screens live in `screens/`."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import termios
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from textual import work
from textual.app import App, SuspendNotSupported, SystemCommand
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from briefing.config import Settings
from briefing.exit_codes import ExitCode
from briefing.models import FetchProgress
from briefing.store import Store
from briefing.text import one_line
from briefing.tui import keys
from briefing.tui.commands import BriefingCommands
from briefing.tui.data import open_store
from briefing.tui.extras import AppExtras
from briefing.tui.messages import (
    ArticleChanged,
    ArticleLoaded,
    DataChanged,
    FetchFailed,
    FetchFinished,
    FetchProgressed,
    FetchTranslated,
    TranslateProgressed,
)
from briefing.tui.widgets.article_list import ArticleList

if TYPE_CHECKING:
    from briefing.tui.notices import Notices
    from briefing.tui.screens.reader import ReaderScreen

TERMINAL_CHECK_S = 2.0


def terminal_fd() -> int | None:
    """The descriptor of the terminal on stdin, or None when stdin is no terminal."""
    try:
        fd = sys.__stdin__.fileno() if sys.__stdin__ is not None else -1
    except (OSError, ValueError):
        return None
    return fd if fd >= 0 and os.isatty(fd) else None


def terminal_alive(fd: int) -> bool:
    """Whether the terminal on `fd` is still there: a hung-up one fails every ioctl with
    EIO (os.isatty too, so it cannot tell a closed terminal from no terminal)."""
    try:
        termios.tcgetattr(fd)
    except termios.error:
        return False
    return True


# Browsers that draw in the terminal they are started from. Started detached, as a desktop
# browser is, one had no terminal; started and waited for with the TUI still drawing, the two
# fought over the screen and the keyboard and neither could be used.
TERMINAL_BROWSERS = ("w3m", "lynx", "elinks", "links", "links2", "browsh", "carbonyl",
                     "www-browser")


@dataclass(frozen=True)
class BrowserCommand:
    argv: list[str]
    in_terminal: bool  # run with the TUI suspended, waited for, as newsboat runs its browser


SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "mksh", "fish", "busybox"})
# What a shell reads as more than text in a link put into a command line: "$(...)" and
# backquotes run commands, quotes end the user's own, ";", "&", "|" start another command.
_SHELL_SPECIAL = frozenset("`$'\"\\;&|<>(){}")
_QUOTED_LINK = re.compile(r"""'%s'|"%s"|%s""")


def _with_link(parts: list[str], url: str) -> list[str]:
    """The command with the link where "%s" is (at the end without one). The feed chose the
    link, so it never reaches a shell as code: a shell's script ("sh -c 'w3m %s'", "bash
    -lc", "env sh -c") gets it as its $1 (`"$1"` where "%s" was, with or without the user's
    quotes: shell-quoting it into the script undid quotes the user had put around %s); an
    argument that is only "%s" gets it as it is; in any other argument, which a program
    may hand to a shell (`tmux new-window 'w3m %s'`), what a shell would act on is
    percent-encoded."""
    script = _shell_script_at(parts)
    if script is not None and "%s" in parts[script]:
        body = _QUOTED_LINK.sub('"$1"', parts[script])
        return [*parts[:script], body, "briefing", url, *parts[script + 1:]]
    if not any("%s" in p for p in parts):
        return [*parts, url]
    inert = "".join(quote(ch, safe="") if ch in _SHELL_SPECIAL or ch.isspace() else ch
                    for ch in url)
    return [url if p == "%s" else p.replace("%s", inert) for p in parts]


def _shell_script_at(parts: list[str]) -> int | None:
    """Where a shell's -c script is in `parts` ("sh -c S", "bash -lc S", "env A=1 sh -c S")."""
    i = 0
    if Path(parts[0]).name == "env":
        i = 1
        while i < len(parts) and (parts[i].startswith("-") or "=" in parts[i]):
            i += 1
    if i >= len(parts) or Path(parts[i]).name not in SHELLS:
        return None
    for j in range(i + 1, len(parts) - 1):
        flag = parts[j]
        if flag.startswith("-") and not flag.startswith("--") and "c" in flag[1:]:
            return j + 1
        if not flag.startswith("-"):
            return None  # a script file's name: its arguments are not code
    return None


def browser_command(url: str, environ: Mapping[str, str] | None = None
                    ) -> BrowserCommand | None:
    """How to open `url`: the first usable command of $BROWSER (the user's own choice, as
    Python's webbrowser and newsboat read it: commands separated by colons, "%s" where the
    link goes), else the desktop's opener, else a terminal browser on PATH; None when there
    is none (a server over ssh). An argument list, never a shell string."""
    env = os.environ if environ is None else environ
    for entry in env.get("BROWSER", "").split(os.pathsep):
        try:
            parts = shlex.split(entry)
        except ValueError:
            continue
        if not parts or shutil.which(parts[0]) is None:
            continue
        argv = _with_link(parts, url)
        # With no display, whatever $BROWSER names can only draw in this terminal.
        terminal = (Path(parts[0]).name in TERMINAL_BROWSERS
                    or not (sys.platform == "darwin" or env.get("DISPLAY")
                            or env.get("WAYLAND_DISPLAY")))
        return BrowserCommand(argv, terminal)
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    if shutil.which(opener):
        return BrowserCommand([opener, url], False)
    for name in TERMINAL_BROWSERS:
        if shutil.which(name):
            return BrowserCommand([name, url], True)
    return None


def clipboard_commands(environ: Mapping[str, str] | None = None
                       ) -> list[tuple[list[str], str]]:
    """Programs that take text on stdin into a clipboard, with where it goes, in the order
    tried: tmux's buffer inside tmux (-w also hands it to the outer terminal; tmux before
    3.2 lacks -w), else the desktop's clipboard tool."""
    env = os.environ if environ is None else environ
    found: list[tuple[list[str], str]] = []
    if env.get("TMUX") and shutil.which("tmux"):
        found += [(["tmux", "load-buffer", "-w", "-"], "tmux buffer"),
                  (["tmux", "load-buffer", "-"], "tmux buffer")]
    if sys.platform == "darwin" and shutil.which("pbcopy"):
        found.append((["pbcopy"], "clipboard"))
    if env.get("WAYLAND_DISPLAY") and shutil.which("wl-copy"):
        found.append((["wl-copy"], "clipboard"))
    if env.get("DISPLAY"):
        if shutil.which("xclip"):
            found.append((["xclip", "-selection", "clipboard"], "clipboard"))
        if shutil.which("xsel"):
            found.append((["xsel", "--clipboard", "--input"], "clipboard"))
    return found


def start_detached(argv: list[str]) -> bool:
    """Start a desktop browser or opener on its own: it must not read the TUI's keys or write
    over its screen, and the TUI does not wait for it."""
    try:
        subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        return False
    return True


class BriefingApp(AppExtras, App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "briefing"
    BINDINGS = keys.bindings("app")
    COMMANDS = App.COMMANDS | {BriefingCommands}
    # Screens get -narrow below 100 columns (compact: side panes start hidden) and -xwide
    # from 160 (a wider sidebar, so source names are not cut); see app.tcss.
    # App declares it as a plain attribute, so ClassVar would clash with mypy.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide"), (160, "-xwide")]  # noqa: RUF012
    status: reactive[str] = reactive("")
    STATUS_HOLD_S = 60.0  # how long a finished fetch's line stays (_fade_status)

    def __init__(self, db_path: Path, settings: Settings, *, now: datetime | None = None) -> None:
        super().__init__()
        self.db_path = Path(db_path)
        self.settings = settings
        self.fixed_now = now  # tests and snapshots pin the clock; None means the real one
        self.opener: Callable[[str], bool | None] = self.open_in_browser  # tests replace it
        self._watch_lock = threading.Lock()
        self._watch_store: Store | None = None
        self._seen: tuple[int, int, int] | None = None
        self._fetched = ""  # the last fetch's status line, which its translations extend
        self._status_runs = 0  # runs whose line fades (_fade_status)
        self.facts_shown: bool | None = None  # None: shown when the terminal is wide enough
        self.summary_folded = False
        self._reader: ReaderScreen | None = None  # the one every open reuses (open_article)
        # The article the list's preview loaded last, whole: enter on its row opens it with
        # no second load (ReaderScreen.start_load).
        self.preloaded: ArticleLoaded | None = None
        self._notices: Notices | None = None  # log warnings as notifications while mounted
        self.load_state()  # reader_mode and the other preferences come from the state file
        self.set_keymap(settings.keys)

    @property
    def now(self) -> datetime:
        return self.fixed_now or datetime.now().astimezone()

    def on_mount(self) -> None:
        import asyncio

        from briefing.tui.notices import Notices
        from briefing.tui.screens.main import MainScreen

        self._notices = Notices(self, asyncio.get_running_loop())
        self._notices.install()
        with open_store(self.db_path):
            pass  # apply migrations once here, so workers starting together find them done
        self.restore_preferences()
        self.push_screen(MainScreen())
        self.check_for_changes()  # records the starting point for the periodic check
        self.set_interval(max(1, self.settings.refresh_seconds), self.check_for_changes)
        fd = None if self.is_headless else terminal_fd()
        if fd is not None:
            self.set_interval(TERMINAL_CHECK_S, lambda: self._check_terminal(fd))

    def _check_terminal(self, fd: int) -> None:
        # A terminal closed under us without a SIGHUP reaching this process (`make run` in a
        # tmux pane that is killed: the hangup goes to the pane's session leader) reads as
        # end of input for ever, and Textual's input thread spun on it at half a core.
        if not terminal_alive(fd):
            # Not self.exit(): an orderly stop writes the terminal's reset sequences, the
            # writer thread dies on the gone terminal, and the stop then waits on its full
            # queue for ever. Every write to the database is a transaction, so ending here
            # loses nothing stored (a write under way rolls back at the next open).
            with self._watch_lock:
                if self._watch_store is not None:
                    self._watch_store.close()
            os._exit(ExitCode.HANGUP)

    def on_unmount(self) -> None:
        if self._notices is not None:
            self._notices.remove()
        with self._watch_lock:
            if self._watch_store is not None:
                self._watch_store.close()
                self._watch_store = None

    # -- navigation ----------------------------------------------------------------------

    def open_article(self, article_id: str) -> None:
        from briefing.tui.screens.reader import ReaderScreen

        # The list it was opened from, so n/N/J/K in the reader walk that list.
        source = next(iter(self.screen.query(ArticleList)), None)
        if isinstance(self.screen, ReaderScreen):
            self.screen.show(article_id)
            return
        # One reader, kept installed and reused: composing a fresh screen (its panes, its
        # footer, their styles) and laying it out cost ~200 ms of each open at 120x40, twice
        # what loading and drawing the article costs. A second reader is made only when the
        # kept one is already on the stack (a search opened from the reader).
        reader = self._reader
        # Not yet mounted: composed ahead (warm_reader) a moment ago and not done; a fresh
        # one is made instead, as when the kept one is in use.
        if reader is None or reader in self.screen_stack or not reader.is_mounted:
            fresh = ReaderScreen(article_id, self.reader_mode, source)
            if reader is None:
                self._reader = fresh
                self.install_screen(fresh, name="reader")
            self.push_screen(fresh)
            return
        self.push_screen(reader)
        reader.reopen(article_id, self.reader_mode, source)

    def warm_reader(self) -> None:
        """Compose the kept reader while the list is idle, so the first article opened costs
        what every later one does: the first push composed, mounted and styled the reader's
        panes and footer, ~0.12 s more than a reopen. Pushed and popped in one step, before
        anything is drawn, so it is never seen."""
        from briefing.tui.screens.main import MainScreen
        from briefing.tui.screens.reader import ReaderScreen

        if self._reader is not None or not isinstance(self.screen, MainScreen):
            return
        from briefing.tui.widgets.reader_body import load_junk_rules

        reader = self._reader = ReaderScreen("", self.reader_mode, None)
        self.install_screen(reader, name="reader")
        self.push_screen(reader)
        self.pop_screen()
        load_junk_rules()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        # Our own Quit is in the palette already: Textual's would list it twice.
        for command in super().get_system_commands(screen):
            if command.title != "Quit":
                yield command

    def action_search(self) -> None:
        from briefing.tui.screens.search import SearchScreen

        if isinstance(self.screen, SearchScreen):
            self.screen.focus_query()  # from the results, `/` goes back to the query box
        else:
            self.push_screen(SearchScreen())

    def action_stories(self, highlight: str | None = None) -> None:
        """The stories screen (S); `highlight`: the story to put the cursor on."""
        from briefing.tui.screens.story_list import StoriesScreen

        if not isinstance(self.screen, StoriesScreen):
            self.push_screen(StoriesScreen(highlight=highlight))

    def action_help(self) -> None:
        from briefing.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(dict(self.settings.keys)))

    def open_in_browser(self, url: str) -> bool:
        """Open `url` (see browser_command); False when nothing could."""
        command = browser_command(url)
        if command is None:
            return False
        if not command.in_terminal:
            return start_detached(command.argv)
        try:
            with self.suspend():
                try:
                    subprocess.run(command.argv, check=False)
                except OSError:
                    return False
        except SuspendNotSupported:  # no real terminal to hand over (a test's headless app)
            return start_detached(command.argv)
        return True

    def open_link(self, url: str) -> None:
        # Feeds choose the link: only web links reach the opener (a file: or a
        # "-option"-looking URL must not).
        from briefing.urls import is_http_url  # not at start-up: it brings hashlib

        if not is_http_url(url):  # it also refuses what urllib cannot read
            self.notify(f"Not a web link: {one_line(url, 120)}", severity="warning",
                        markup=False)
            return
        if self.opener(url) is False:
            # "Opening" and then nothing left the user waiting for a browser that never came.
            self.notify(f"No browser to open {one_line(url, 120)}: set $BROWSER or install "
                        f"xdg-open; {self.key_display('copy_link')} copies the link",
                        severity="warning", markup=False)
            return
        self.notify(f"Opening {one_line(url, 120)}", markup=False)

    def copy_post(self, text: str) -> None:
        self.notify(f"Post {self.copy_text(text)}.", markup=False)

    def copy_link(self, url: str) -> None:
        self.notify(f"Link {self.copy_text(one_line(url, 4000))}.", markup=False)

    def copy_text(self, text: str) -> str:
        """Copy `text` and say where it went. The terminal's clipboard escape (OSC 52) is
        always sent, but nothing says whether the terminal took it (tmux's default drops
        it), and "copied" was said regardless: so the text also goes to tmux's buffer or the
        desktop's clipboard tool when there is one, and the message names where."""
        self.copy_to_clipboard(text)
        for argv, where in clipboard_commands():
            try:
                done = subprocess.run(argv, input=text.encode("utf-8"), timeout=3,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                      start_new_session=True)
            except (OSError, subprocess.TimeoutExpired):
                continue
            if done.returncode == 0:
                return f"copied ({where})"
        return "sent to the terminal's clipboard (if it allows OSC 52; in tmux: set-clipboard on)"

    # -- keeping lists current -----------------------------------------------------------

    def on_article_changed(self, msg: ArticleChanged) -> None:
        pre = self.preloaded
        if pre is not None and pre.article is not None and pre.article_id == msg.article_id:
            self.preloaded = ArticleLoaded(pre.article_id, replace(
                pre.article, read=msg.read, starred=msg.starred), pre.written)
        for screen in self.screen_stack:
            for lst in screen.query(ArticleList):
                lst.update_summary(msg.article_id, read=msg.read, starred=msg.starred)

    def on_data_changed(self, msg: DataChanged) -> None:
        from briefing.tui.screens.feeds import FeedsScreen
        from briefing.tui.screens.main import MainScreen

        # Any commit (cron's, a fetch's, a translation's) may have changed it; the next
        # preview loads it again.
        self.preloaded = None

        from briefing.tui.screens.reader import ReaderScreen

        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                screen.reload(list_too=msg.articles_changed)
            elif isinstance(screen, FeedsScreen):
                screen.reload()
            elif isinstance(screen, ReaderScreen) and msg.articles_changed:
                screen.reload_if_changed()

    def action_refresh(self) -> None:
        self.post_message(DataChanged(articles_changed=True))

    def check_for_changes(self) -> None:
        self._check()

    @work(thread=True, group="watch", exclusive=True, exit_on_error=False)
    def _check(self) -> None:
        # One long-lived connection: PRAGMA data_version only moves for commits made by
        # *other* connections since this one last looked, which is exactly "cron wrote".
        # The lock keeps two checks from sharing it at once.
        with self._watch_lock:
            if self._watch_store is None:
                self._watch_store = Store(self.db_path)
            seen = (self._watch_store.data_version(), self._watch_store.count_articles(),
                    self._watch_store.last_update())
            before, self._seen = self._seen, seen
        if before is not None and seen[0] != before[0]:
            # A run that updated articles changes the lists as one that added some does: a
            # cron fetch of an edited item left the list (and the open reader) as it was.
            changed = seen[1] != before[1] or (seen[2] != before[2] and seen[2] != 0)
            self.post_message(DataChanged(articles_changed=changed))

    # -- fetching ------------------------------------------------------------------------

    def action_fetch(self) -> None:
        if any(w.group == "fetch" and w.is_running for w in self.workers):
            self.notify("A fetch is already running.", markup=False)
            return
        self.status = "Fetching…"
        self._fetch()

    @work(thread=True, group="fetch", exclusive=True, exit_on_error=False)
    def _fetch(self) -> None:
        try:
            from briefing.pipeline import run_fetch
        except ImportError:
            self.post_message(FetchFailed("fetching from here is not available in this build"))
            return

        def progress(p: FetchProgress) -> None:
            self.post_message(FetchProgressed(p))

        # `[translation] auto`: the articles the fetch stores are translated too, as by
        # `briefing fetch`, in this worker once the fetch has ended.
        stored: list[str] | None = [] if self.settings.translation.auto else None
        try:
            with open_store(self.db_path) as store:
                if stored is None:
                    report = run_fetch(self.settings, store, None, now=self.fixed_now,
                                       on_progress=progress)
                else:
                    from briefing.pipeline import AFTER_STORE

                    collect = stored
                    report = run_fetch(
                        self.settings, store, None, now=self.fixed_now, on_progress=progress,
                        after_store=(*AFTER_STORE,
                                     lambda _s, arts, _sig: collect.extend(a.id for a in arts)))
        except Exception as exc:  # shown in the status line; the reader keeps working
            self.post_message(FetchFailed(str(exc) or type(exc).__name__))
            return
        self.post_message(FetchFinished(report))
        if stored:
            self._translate_fetched(stored)

    def _translate_fetched(self, ids: list[str]) -> None:
        """In the fetch worker: translate what it stored. Any failure ends as a count and a
        reason in one notification; nothing is raised."""
        from briefing.translate.engines import make_engine
        from briefing.translate.service import translate_fetched

        def started(done: int, total: int, title: str) -> None:
            self.post_message(TranslateProgressed(done, total, title))

        now = self.fixed_now.isoformat(timespec="seconds") if self.fixed_now else None
        try:
            engine = make_engine(self.settings)
            with open_store(self.db_path) as store:
                done, failed = translate_fetched(self.settings, store, engine, ids, now=now,
                                                 on_start=started)
        except Exception as exc:  # the engine could not be made, or the store failed
            reason = str(exc) or type(exc).__name__
            done, failed = 0, [(article_id, reason) for article_id in dict.fromkeys(ids)]
        self.post_message(FetchTranslated(done, failed))

    def _fade_status(self) -> None:
        """Clear a finished run's line after STATUS_HOLD_S, unless something newer replaced
        it: "Fetched 9/10 sources: ..., 1 failed" stayed on every screen for the rest of the
        session, after the failing feed was deleted too (its failures are a notification
        and stay on the feeds screen)."""
        line = self.status
        # A run's own timer: an earlier run's, with the same line ("Fetched 0/0 sources"),
        # cleared this one's line a minute after the earlier run, not after this one.
        self._status_runs += 1
        run = self._status_runs

        def fade() -> None:
            if self.status == line and self._status_runs == run:
                self.status = ""

        self.set_timer(self.STATUS_HOLD_S, fade)

    def on_fetch_progressed(self, msg: FetchProgressed) -> None:
        p = msg.progress
        self.status = (f"Fetching {p.done}/{p.total} · {one_line(p.source, 60)}: "
                       f"{one_line(p.outcome, 80)}")

    def on_fetch_finished(self, msg: FetchFinished) -> None:
        r = msg.report
        failed = f", {r.sources_failed} failed" if r.failed else ""
        self.status = self._fetched = (f"Fetched {r.sources_ok}/{r.sources_total} sources: "
                                       f"{r.added} new, {r.updated} updated{failed}")
        self._fade_status()
        if r.failed:
            # The reasons, not only their count: cron writes them to stderr, the reader sees
            # them here (the first few; `briefing feeds list` keeps each feed's last error).
            shown = [f"{one_line(src, 60)}: {one_line(why, 120)}" for src, why in r.failed[:3]]
            more = f"\n… and {len(r.failed) - 3} more" if len(r.failed) > 3 else ""
            self.notify("\n".join(shown) + more, title=f"{len(r.failed)} failed",
                        severity="warning", markup=False, timeout=15)
        self.post_message(DataChanged(articles_changed=True))

    def on_translate_progressed(self, msg: TranslateProgressed) -> None:
        self.status = f"Translating {msg.done}/{msg.total} · {one_line(msg.title, 60)}"

    def on_fetch_translated(self, msg: FetchTranslated) -> None:
        if not msg.translated and not msg.failed:
            return  # nothing it stored wanted a translation: the fetch's line stays
        self.status = f"{self._fetched}, {msg.translated} translated" + (
            f", {len(msg.failed)} not translated" if msg.failed else "")
        self._fade_status()
        if msg.failed:
            _article, reason = msg.failed[0]
            self.notify(f"{len(msg.failed)} not translated: {one_line(reason, 200)}",
                        severity="warning", markup=False, timeout=15)
        if msg.translated:
            self.post_message(DataChanged(articles_changed=True))

    def on_fetch_failed(self, msg: FetchFailed) -> None:
        self.status = f"Fetch failed: {one_line(msg.reason, 200)}"

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # The one place a failed worker becomes visible (harlequin's habit).
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            err = event.worker.error
            self.notify(one_line(f"{type(err).__name__}: {err}", 300), title="Error",
                        severity="error", markup=False)
