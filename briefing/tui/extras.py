"""The app's feeds and preferences: adding a feed from any screen or the palette, the feeds
screen, and the preferences kept in the state file (theme, view mode, sort order, original
or translated titles; see `briefing.state`). A mixin of BriefingApp, kept apart so app.py
stays about navigation and fetching."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from textual import work
from textual.binding import Binding
from textual.message import Message

from briefing import state
from briefing.text import one_line
from briefing.tui import keys
from briefing.tui.data import open_store
from briefing.tui.messages import DataChanged

if TYPE_CHECKING:
    from pathlib import Path

    from textual.app import App

    from briefing.config import Settings

    _Base = App[None]
else:
    _Base = object

log = logging.getLogger(__name__)

ADD_HINT = ("A feed's web address (https://…), or a feed file, an article or a folder on this "
            "machine. Enter adds it and fetches, escape cancels.")


@dataclass
class FeedAdded(Message):
    url: str
    already: bool


class AppExtras(_Base):
    db_path: Path
    settings: Settings
    ui_state: state.UIState
    state_path: Path
    _state_save_warned = False

    def load_state(self) -> None:
        from briefing.locations import state_file

        self.state_path = state_file()
        self.ui_state, warning = state.load(self.state_path)
        if warning:
            log.warning("%s", warning)
            # Shown once the app runs: a bad state file costs the user their preferences,
            # never the session.
            self.call_later(self.notify, one_line(warning, 300), title="State file",
                            severity="warning", markup=False)

    def restore_preferences(self) -> None:
        """Apply the saved theme, then watch it: a theme chosen in the palette is kept. A
        name this Textual does not know (a typo, a theme of another version) leaves the
        default, said once; the file keeps the name until the user picks a theme."""
        wanted = self.ui_state.theme
        if wanted and wanted in self.available_themes:
            self.theme = wanted
        elif wanted:
            self._state_warning(f"{self.state_path}: unknown theme {one_line(wanted, 60)!r}; "
                                f"the default theme ({self.theme}) is used")
        self.watch(self, "theme", self._theme_changed, init=False)

    def _state_warning(self, text: str) -> None:
        # Not log.warning: the app's log handler (tui/notices.py) makes a warning a toast of
        # its own, and the state file's was said twice.
        log.info("%s", text)
        self.notify(one_line(text, 300), title="State file", severity="warning", markup=False)

    def _theme_changed(self, theme: str) -> None:
        self.set_preference(theme=theme)

    def set_preference(self, **changes: Any) -> None:
        new = replace(self.ui_state, **changes)
        if new == self.ui_state:
            return
        self.ui_state = new
        try:
            state.save(self.state_path, new)
        except OSError as exc:  # the preference holds for this session all the same
            # Said once a session: every later change would fail the same way, and a toast
            # per key press hides the screen.
            if not self._state_save_warned:
                self._state_save_warned = True
                reason = exc.strerror or str(exc)
                self._state_warning(f"{self.state_path}: cannot save preferences: {reason}; "
                                    "they hold for this session only")
        else:
            self._state_save_warned = False  # the file is writable again: warn afresh

    @property
    def reader_mode(self) -> str:
        return self.ui_state.view_mode

    @reader_mode.setter
    def reader_mode(self, mode: str) -> None:
        if mode in state.VIEW_MODES:
            self.set_preference(view_mode=mode)

    @property
    def translated_titles(self) -> bool:
        return self.ui_state.titles == "translated"

    @property
    def oldest_first(self) -> bool:
        return self.ui_state.sort == "oldest"

    def key_display(self, command_id: str) -> str:
        """The key a command answers to after the user's remaps, as the footer shows it."""
        command = next(c for c in keys.COMMANDS if c.id == command_id)
        first = keys.keys_for(command, dict(self.settings.keys)).split(",")[0].strip()
        return self.get_key_display(Binding(first, ""))

    # -- preferences the keys change -----------------------------------------------------

    def action_toggle_titles(self) -> None:
        titles = "original" if self.translated_titles else "translated"
        self.set_preference(titles=titles)
        lang = self.settings.translation.target
        self.notify(f"Titles: translated ({lang}) where there is a translation"
                    if titles == "translated" else "Titles: as the sources wrote them",
                    markup=False)
        self._reload_lists()

    def action_toggle_sort(self) -> None:
        self.set_preference(sort="newest" if self.oldest_first else "oldest")
        self.notify("Sort: oldest first" if self.oldest_first else "Sort: newest first",
                    markup=False)
        self._reload_lists()

    def _reload_lists(self) -> None:
        from briefing.tui.screens.search import SearchScreen
        from briefing.tui.screens.story_list import StoriesScreen

        self.post_message(DataChanged(articles_changed=True))
        for screen in self.screen_stack:
            if isinstance(screen, StoriesScreen):
                screen.reload()
            elif isinstance(screen, SearchScreen):
                screen.run_search()  # results in the new titles and order

    # -- feeds ---------------------------------------------------------------------------

    def action_feeds(self) -> None:
        from briefing.tui.screens.feeds import FeedsScreen

        if not isinstance(self.screen, FeedsScreen):
            self.push_screen(FeedsScreen())

    def action_add_feed(self) -> None:
        from briefing.sources.subscribe import check_source
        from briefing.tui.screens.ask import AskScreen

        self.push_screen(AskScreen("Add a feed", ADD_HINT, check=check_source,
                                   placeholder="https://example.com/feed.xml or ~/feeds/"),
                         self._add_answered)

    def _add_answered(self, url: str | None) -> None:
        if url:
            self._subscribe(url)

    @work(thread=True, group="write", exit_on_error=False)
    def _subscribe(self, url: str) -> None:
        added = datetime.now(UTC).isoformat(timespec="seconds")
        with open_store(self.db_path) as store:
            before = store.get_source(url)
            store.add_source(url, now=added)
        self.post_message(FeedAdded(url, before is not None and before.subscribed))

    def on_feed_added(self, msg: FeedAdded) -> None:
        if msg.already:
            self.notify(f"Already subscribed: {one_line(msg.url, 200)}", markup=False)
        else:
            self.notify(f"Added {one_line(msg.url, 200)}", markup=False)
        self.post_message(DataChanged(articles_changed=False))
        if not msg.already:
            self.action_fetch()

    def action_fetch(self) -> None:  # BriefingApp's
        raise NotImplementedError
