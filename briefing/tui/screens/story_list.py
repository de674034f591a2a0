"""`S`: every story told by more than one copy, with its copies and the flags where they
disagree. Enter shows the story's copies in the main list."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar, cast

from rich.console import Console, ConsoleOptions, Group
from rich.measure import Measurement
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from briefing.models import Story
from briefing.tui import keys, render
from briefing.tui.data import localise_story, open_store
from briefing.tui.widgets.footer import KeyFooter
from briefing.tui.widgets.nav import NavOptionList
from briefing.tui.widgets.sidebar import StoriesLoaded

if TYPE_CHECKING:
    from briefing.tui.app import BriefingApp

LIMIT = 500


# A story shows this many copies and flags; the rest are counted (enter lists every copy).
# Each line costs its rendering when the list is laid out, which Textual does for every
# option at once: a story of 30 copies and 40 flags made the screen wait for all of them.
SHOWN_COPIES = 6
SHOWN_FLAGS = 4
_MARK = 4  # the width of a row's mark ("  ▸ "), under which its wrapped lines go on


class _Rows:
    """Rows of (mark, text): a text that wraps goes on under its own start, not at the left
    edge where it read as a row of its own. What a two-column Table.grid drew, at a tenth
    of its cost (165 stories took 1.2 s to lay out as tables)."""

    def __init__(self, rows: list[tuple[Text, Text]]) -> None:
        self.rows = rows

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Text]:
        width = max(1, options.max_width - _MARK)
        indent = Text(" " * _MARK)
        for mark, text in self.rows:
            for i, part in enumerate(text.wrap(console, width)):
                yield Text.assemble(mark if i == 0 else indent, part, end="")
                yield Text("")  # each row part on a line of its own

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        longest = max((t.cell_len for _, t in self.rows), default=0)
        return Measurement(_MARK + 1, _MARK + longest)


def story_prompt(story: Story) -> Group:
    """A story as several lines: title and copies, each copy (best first, marked ▸), then
    its flags. A copy or flag that wraps goes on under its own text."""
    from briefing.publishers import copy_name

    title = render.plain(story.title, style="bold", limit=200)
    title.append(f"  {story.size} copies", style="cyan")
    rows: list[tuple[Text, Text]] = []
    for m in story.members[:SHOWN_COPIES]:
        # Not ★: that is the starred mark in every list and the reader, and no copy here
        # was necessarily starred.
        line = render.plain(copy_name(m), style="dim", limit=40)
        line.append("  ")
        line.append(render.plain(m.language or "--", style="dim", limit=2))
        line.append("  ")
        line.append(render.plain(m.title, limit=120))
        rows.append((Text("  ▸ " if m.best else "    ", style="green"), line))
    if len(story.members) > SHOWN_COPIES:
        rows.append((Text("    "), Text(f"and {len(story.members) - SHOWN_COPIES:,} more "
                                          "copies (enter lists them)", style="dim")))
    for f in story.flags[:SHOWN_FLAGS]:
        rows.append((Text("  ! ", style="bold yellow"),
                     render.plain(f.text, style="yellow", limit=300)))
    if len(story.flags) > SHOWN_FLAGS:
        more = len(story.flags) - SHOWN_FLAGS
        rows.append((Text("  ! ", style="bold yellow"),
                     Text(f"and {more:,} more flag{'s' if more > 1 else ''} "
                          "(briefing stories lists them)", style="yellow")))
    return Group(title, _Rows(rows))


class StoryList(NavOptionList):
    """Enter lists the story's copies: said in the footer, as on the article list (the
    footer showed only how to leave)."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings_by_id("open")

    def action_select_cursor(self) -> None:
        self.action_select()


class StoriesScreen(Screen[None]):
    DEFAULT_CSS = "#story-list { height: 1fr; }"
    BINDINGS: ClassVar[list[BindingType]] = [
        *keys.bindings_by_id("back"),
    ]

    def __init__(self, highlight: str | None = None) -> None:
        super().__init__(id="stories")
        self._highlight = highlight  # the story to put the cursor on once listed

    def compose(self) -> ComposeResult:
        yield Static(render.plain("Stories", style="bold"), id="list-title")
        yield StoryList(id="story-list")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self._load()

    def reload(self) -> None:
        self._load()

    @work(thread=True, group="stories", exclusive=True, exit_on_error=False)
    def _load(self) -> None:
        from briefing import stories

        app = cast("BriefingApp", self.app)
        lang = app.settings.translation.target if app.translated_titles else None
        with open_store(app.db_path) as store:
            found = [localise_story(store, s, lang)
                     for s in stories.list_stories(store, min_size=2, limit=LIMIT)]
        self.post_message(StoriesLoaded(found))

    def on_stories_loaded(self, msg: StoriesLoaded) -> None:
        lst = self.query_one(OptionList)
        was = lst.highlighted_option.id if lst.highlighted_option is not None else \
            self._highlight
        lst.clear_options()
        if not msg.stories:
            lst.add_option(Option(Text("No story has more than one copy yet.", style="dim"),
                                  disabled=True))
        # All at once: each add_option measured every option again (Textual lays the list
        # out whole), so 165 stories took over 100 s, the screen blank and deaf meanwhile.
        options: list[Option | None] = []
        for i, story in enumerate(msg.stories):
            if i:
                options.append(None)
            options.append(Option(story_prompt(story), id=story.id))
        lst.add_options(options)
        if msg.stories:
            # With nothing highlighted, enter did nothing until an arrow key was pressed; a
            # reload keeps the story the cursor was on.
            ids = {s.id for s in msg.stories}
            lst.highlighted = lst.get_option_index(was if was in ids else msg.stories[0].id)
        title = render.plain("Stories", style="bold")
        title.append(f"  {len(msg.stories):,}", style="dim")
        self.query_one("#list-title", Static).update(title)

    @on(OptionList.OptionSelected, "#story-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        from briefing.tui.screens.main import MainScreen

        story_id = event.option.id
        self.dismiss()
        if story_id:
            for screen in self.app.screen_stack:
                if isinstance(screen, MainScreen):
                    screen.show_story(story_id, from_stories=True)

    def action_back(self) -> None:
        self.dismiss()
