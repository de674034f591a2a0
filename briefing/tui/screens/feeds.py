"""`E`: the subscribed feeds, each with its tags and how its last fetch went (the last error
beside it), and keys to add (`a`, also on every screen and in the palette), remove, rename and
retag. Removing unsubscribes; the articles already stored stay."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from briefing.models import Source
from briefing.sources import subscribe
from briefing.tui import keys, render
from briefing.tui.data import open_store
from briefing.tui.messages import DataChanged
from briefing.tui.screens.ask import AskScreen, ConfirmScreen
from briefing.tui.widgets.footer import KeyFooter
from briefing.tui.widgets.nav import NavOptionList

if TYPE_CHECKING:
    from briefing.tui.app import BriefingApp


@dataclass
class FeedsLoaded(Message):
    sources: list[Source] = field(default_factory=list)
    # A subscribed folder's files, each recorded as a source of its own by the fetch.
    members: dict[str, list[Source]] = field(default_factory=dict)


def feed_status(s: Source, members: Sequence[Source] = ()) -> tuple[str, str]:
    """(text, style) for how the feed's last fetch went (a folder: how its files' went)."""
    state, text = subscribe.last_fetch(s, members)
    if state == "new":
        return "not fetched yet: r fetches", "yellow"
    return {"gone": (text, "bold red"), "error": (f"⚠ {text}", "red")}.get(state, (text, "green"))


def feed_prompt(s: Source, members: Sequence[Source] = ()) -> Text:
    out = render.plain(s.name or s.url, style="bold", limit=120)
    if s.tags:
        out.append("  ")
        out.append(render.plain(" ".join("#" + t for t in s.tags), style="cyan", limit=120))
    if s.name:
        out.append("\n  ")
        out.append(render.plain(s.url, style="dim", limit=300))
    text, style = feed_status(s, members)
    out.append("\n  ")
    out.append(render.plain(text, style=style, limit=300))
    return out


class FeedList(NavOptionList):
    """Moves with every list's keys (j/k, g/G, Home/End, PageUp/PageDown, ctrl+d/u), bound on
    the list itself: bound on the screen, j/k would look for the screen's cursor. It had
    only j/k: g, G, ctrl+d and ctrl+u did nothing here."""


class FeedsScreen(Screen[None]):
    DEFAULT_CSS = "#feed-list { height: 1fr; }"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q,escape", "back", "Back", id="feeds_back"),  # q first: the footer shows it
        *keys.bindings("feeds"),
    ]

    def __init__(self) -> None:
        super().__init__(id="feeds")
        self.sources: list[Source] = []

    @property
    def bapp(self) -> BriefingApp:
        return cast("BriefingApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static(render.plain("Feeds", style="bold"), id="list-title")
        yield FeedList(id="feed-list")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.reload()

    def reload(self) -> None:
        self._load()

    @work(thread=True, group="feeds", exclusive=True, exit_on_error=False)
    def _load(self) -> None:
        with open_store(self.bapp.db_path) as store:
            every = store.list_sources(subscribed_only=False)
        found = [s for s in every if s.subscribed]
        members = subscribe.members_of(found, every)
        self.post_message(FeedsLoaded(found, members))

    def on_feeds_loaded(self, msg: FeedsLoaded) -> None:
        self.sources = msg.sources
        lst = self.query_one(OptionList)
        keep = lst.highlighted
        lst.clear_options()
        if not msg.sources:
            add = self.bapp.key_display("add_feed")
            lst.add_option(Option(Text(f"No feeds yet: {add} adds one.", style="dim"),
                                  disabled=True))
        for i, s in enumerate(msg.sources):
            if i:
                lst.add_option(None)
            lst.add_option(Option(feed_prompt(s, msg.members.get(s.url, [])), id=s.url))
        if msg.sources:
            lst.highlighted = min(keep or 0, len(msg.sources) - 1)
        failing = sum(1 for s in msg.sources if feed_status(s, msg.members.get(s.url, []))[0]
                      .startswith(("⚠", "gone")))
        title = render.plain("Feeds", style="bold")
        title.append(f"  {len(msg.sources):,}", style="dim")
        if failing:
            title.append(f"  ⚠ {failing} failing", style="red")
        title.append(f"  ·  {self.bapp.key_display('add_feed')} adds a feed", style="dim")
        self.query_one("#list-title", Static).update(title)

    @property
    def current(self) -> Source | None:
        option = self.query_one(OptionList).highlighted_option
        return next((s for s in self.sources if option and s.url == option.id), None)

    # -- actions -------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss()

    def action_remove_feed(self) -> None:
        s = self.current
        if s is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._write("remove", s.url, "")

        self.app.push_screen(ConfirmScreen(
            f"Unsubscribe from {s.name or s.url}? Its stored articles stay."), answered)

    def action_rename_feed(self) -> None:
        s = self.current
        if s is None:
            return

        def answered(name: str | None) -> None:
            if name is not None:
                self._write("rename", s.url, name)

        self.app.push_screen(AskScreen(
            f"Rename {s.name or s.url}", "A name of your own; empty goes back to the feed's "
            "title. Enter saves, escape cancels.", value=s.name, check=subscribe.check_name),
            answered)

    def action_retag_feed(self) -> None:
        s = self.current
        if s is None:
            return

        def answered(tags: str | None) -> None:
            if tags is not None:
                self._write("retag", s.url, tags)

        self.app.push_screen(AskScreen(
            f"Tags of {s.name or s.url}", "Tags separated by spaces or commas; they go on "
            "articles fetched from now on. Enter saves, escape cancels.",
            value=" ".join(s.tags), check=lambda v: " ".join(subscribe.check_tags(v))),
            answered)

    @work(thread=True, group="write", exit_on_error=False)
    def _write(self, what: str, url: str, value: str) -> None:
        with open_store(self.bapp.db_path) as store:
            if what == "remove":
                done = store.remove_source(url)
            elif what == "rename":
                done = store.rename_source(url, value)
            else:
                done = store.set_source_tags(url, value.split())
        if done:
            self.app.notify({"remove": "Removed", "rename": "Renamed",
                             "retag": "Tags changed:"}[what] + " " + url, markup=False)
        self.post_message(DataChanged(articles_changed=False))

