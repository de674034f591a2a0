"""The main screen: sidebar of filters and stories, the paged article list and a preview pane.

Choosing a story (in the sidebar, or on the stories screen) lists its copies, best source first,
and the list's title carries the story's flags.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, OptionList, Static

from briefing.keymap import SHARED_WITH_MAIN
from briefing.models import ArticleSummary
from briefing.store import ArticleFilter
from briefing.tui import keys, render
from briefing.tui.data import PAGE, localise, localise_story, open_store
from briefing.tui.debounce import Debounce
from briefing.tui.messages import (
    ArticlesLoaded,
    CountsLoaded,
    DataChanged,
    UnreadFound,
)
from briefing.tui.screens.base import PreviewLoading
from briefing.tui.startup import end_startup_gc
from briefing.tui.widgets.article_list import HIGHLIGHT_DEBOUNCE_S, ArticleList
from briefing.tui.widgets.footer import KeyFooter
from briefing.tui.widgets.preview import Preview
from briefing.tui.widgets.sidebar import (
    MORE_TAGS,
    STORY_ROWS,
    Sidebar,
    StoriesLoaded,
    filter_for,
    story_of_option,
)
from briefing.tui.widgets.status import StatusLine

# Below this many columns the sidebar starts hidden (B shows it): the titles need the room.
COMPACT_WIDTH = 100
# Seconds after the main screen mounts before the reader is composed ahead: after the first
# page and the sidebar counts, so neither waits for it.
WARM_READER_S = 0.5

if TYPE_CHECKING:
    from briefing.tui.app import BriefingApp


def welcome_text(app: BriefingApp) -> Group:
    """How to start, for an empty database. A grid, so each line wraps under its own text."""
    add, feeds, fetch = (app.key_display(k) for k in ("add_feed", "feeds", "fetch"))
    keys_grid, shell_grid = Table.grid(padding=(0, 2)), Table.grid(padding=(0, 2))
    for grid in (keys_grid, shell_grid):
        grid.add_column(style="bold cyan", no_wrap=True)
        grid.add_column(ratio=1)
    keys_grid.add_row(add, "add a feed: its web address, or a feed file, an article or a "
                           "folder on this machine")
    keys_grid.add_row(feeds, "your feeds: remove, rename, retag, see why one failed")
    keys_grid.add_row(fetch, "fetch every feed now (cron can run `briefing fetch`)")
    shell_grid.add_row("briefing import-opml FILE", "the feeds another reader exported")
    shell_grid.add_row("briefing fetch PATH", "read a feed, an article or a folder once")
    return Group(Text("Welcome to briefing. There is nothing to read yet.\n", style="bold"),
                 keys_grid, Text("\nFrom a shell:", style="bold"), shell_grid,
                 Text("\nctrl+p lists every command; ? shows the keys.", style="dim"))


class MainScreen(PreviewLoading):
    # q goes back from a feed's, tag's or story's list, and the footer says so: a second
    # binding of q (same id, so a [keys] remap of quit moves both), with check_action
    # choosing which of the two is live. The footer said "q Quit" there, which kept
    # newsboat hands from pressing it.
    # n and N as in the reader (same ids: a remap moves both), out of the footer here: it
    # keeps its room for the keys a newcomer looks for first (help lists them).
    BINDINGS: ClassVar[list[BindingType]] = [
        *keys.bindings("article"), *keys.bindings("main"),
        *keys.hidden(keys.bindings_by_id(*SHARED_WITH_MAIN), *SHARED_WITH_MAIN),
        *(Binding(c.key, "back", "Back", id=c.id) for c in keys.COMMANDS if c.id == "quit")]

    def __init__(self) -> None:
        super().__init__(id="main")
        self.filter_id = "all"
        self.filter = ArticleFilter()
        self.unread_only = False
        self.sidebar_shown: bool | None = None  # None: shown when the terminal is wide enough
        self._generation = 0
        self._undo: list[str] = []  # what the last `A` marked read, for `u`
        self._then: Callable[[], None] | None = None  # run once the next list has loaded
        self._settled = Debounce(self, HIGHLIGHT_DEBOUNCE_S, self._cursor_settled)
        # The article whose preview was last asked for: filling the first page highlights its
        # row too, after the page has already asked for that preview.
        self._previewed: str | None = None
        # The story whose copies the stories screen (S) opened here: q on its list goes back
        # to that screen, at that story, as q goes back from every other screen.
        self._from_stories: str | None = None
        self._counts_stale = False  # the data changed while another screen hid this one
        self._counts_after_page = False  # the first counts wait for the first page (on_mount)

    def compose(self) -> ComposeResult:
        with Horizontal(id="main-body"):
            yield Sidebar(id="sidebar")
            with Vertical(id="center"):
                yield Static(id="list-title")
                yield ArticleList(now=self.bapp.now, id="articles")
                yield Preview(id="preview")
        yield StatusLine(id="status")
        yield KeyFooter()

    @property
    def articles(self) -> ArticleList:
        return self.query_one(ArticleList)

    def on_mount(self) -> None:
        self.call_after_refresh(end_startup_gc)  # the first frame is the end of start-up
        self.articles.focus()
        self._apply_layout()
        # The reader composed ahead once the first page is up (see BriefingApp.warm_reader).
        self.set_timer(WARM_READER_S, self.bapp.warm_reader)
        # The list first: the sidebar's counts (five queries and a redraw of the sidebar)
        # competed with the first page for the two cores and the UI thread. They load once
        # that page is painted (on_articles_loaded).
        self._counts_after_page = True
        # The first page read here, on the UI thread, before the first frame: a worker's
        # answer waited behind composing and drawing the empty screen, and the list then cost
        # a second full layout (~0.1 s of start-up at 100,000 articles). A read in WAL mode
        # does not wait for a writer; it is 2-20 ms.
        self._generation += 1
        try:
            first = self._page(self._generation, self.filter, 0)
        except Exception:  # whatever it is, the worker's way reports it as before
            self._load_page(self._generation, self.filter, 0)
            return
        # The rows the terminal can show first, the rest of the page after the first frame:
        # DataTable adds and measures every cell of a new row before it paints, and the
        # page's 200 rows held the first paint ~40 ms for the ~35 a screen shows.
        shown = max(self.app.size.height, 1)
        rest, first.rows = first.rows[shown:], first.rows[:shown]
        self.on_articles_loaded(first)
        if rest:
            self.call_after_refresh(self._append_rest, first.generation, rest)

    def _append_rest(self, generation: int, rows: list[ArticleSummary]) -> None:
        if generation == self._generation:  # not when another list replaced the first
            self.articles.append(rows)

    def on_resize(self) -> None:
        self._apply_layout()

    def on_screen_resume(self) -> None:
        if self._counts_stale:
            self._counts_stale = False
            self._load_counts()
            self._load_stories()

    def _apply_layout(self) -> None:
        shown = self.sidebar_shown
        sidebar = self.query_one(Sidebar)
        sidebar.display = self.app.size.width >= COMPACT_WIDTH if shown is None else shown
        if not sidebar.display and sidebar.has_focus:
            self.articles.focus()

    def action_toggle_sidebar(self) -> None:
        self.sidebar_shown = not self.query_one(Sidebar).display
        self._apply_layout()
        if self.sidebar_shown:
            self.query_one(Sidebar).focus()

    def action_quit(self) -> None:
        # As newsboat's q in a feed's article list: a feed, tag or story's list goes back to
        # every article first (action_back), and q there quits. With the sidebar hidden (80
        # columns) this was the one way back short of B.
        if not self.action_back():
            self.app.exit()

    def action_back(self) -> bool:
        """q on a filtered list: back to every article; a story's list opened from the
        stories screen goes back there, at that story (it went to every article, and the
        story was to be found again). False when every article is shown already."""
        story = self._from_stories
        self._from_stories = None
        if story is not None and self.filter_id == f"story:{story}":
            self.action_show_all()
            self.bapp.action_stories(highlight=story)
            return True
        return self.action_show_all()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "quit":
            return self.filter_id == "all"
        return True

    def action_show_all(self) -> bool:
        """Back to every article from a filtered list; False when it shows them already."""
        if self.filter_id == "all":
            return False
        self.choose("all")
        self.query_one(Sidebar).highlight("all")
        return True

    def action_unread_only(self) -> None:
        self.unread_only = not self.unread_only
        self.choose(self.filter_id)

    def current_article(self) -> ArticleSummary | None:
        return self.articles.current

    # -- loading -------------------------------------------------------------------------

    def reload(self, *, list_too: bool = True) -> None:
        # Not Screen.is_current: it counts the screen just under the top one as seen.
        if self.app.screen is self or self.app.screen.is_modal:
            self._load_counts()
            self._load_stories()
        else:
            # Behind the reader the sidebar is not seen: each article opened asked for its
            # counts, competing with the reader for the CPU and the UI thread. They load when
            # this screen shows again.
            self._counts_stale = True
        if list_too:
            self._generation += 1
            # As many rows as are loaded now, so a refresh keeps the reader's place.
            self._load_page(self._generation, self.filter, 0, max(PAGE, len(self.articles.order)))

    @work(thread=True, group="counts", exclusive=True, exit_on_error=False)
    def _load_counts(self) -> None:
        with open_store(self.bapp.db_path) as store:
            counts = CountsLoaded(
                store.count_articles(), store.count_articles(ArticleFilter(unread=True)),
                store.count_articles(ArticleFilter(starred=True)),
                store.source_counts(), store.tag_counts(),
                {s.url: s.last_error or "gone" for s in store.list_sources()
                 if s.last_error or s.gone})
        self.post_message(counts)

    @work(thread=True, group="stories", exclusive=True, exit_on_error=False)
    def _load_stories(self) -> None:
        from briefing import stories

        with open_store(self.bapp.db_path) as store:
            found = stories.list_stories(store, min_size=2, limit=STORY_ROWS)
            if story_of_option(self.filter_id):
                current = stories.get_story(store, story_of_option(self.filter_id) or "")
                if current is not None and all(s.id != current.id for s in found):
                    found.append(current)
            lang = self.bapp.settings.translation.target if self.bapp.translated_titles else None
            found = [localise_story(store, s, lang) for s in found]
        self.post_message(StoriesLoaded(found))

    def on_stories_loaded(self, msg: StoriesLoaded) -> None:
        self.query_one(Sidebar).show_stories(msg.stories)
        self._show_title()

    @work(thread=True, group="page", exit_on_error=False)
    def _load_page(self, generation: int, flt: ArticleFilter, offset: int,
                   limit: int = PAGE) -> None:
        self.post_message(self._page(generation, flt, offset, limit))

    def _page(self, generation: int, flt: ArticleFilter, offset: int,
              limit: int = PAGE) -> ArticlesLoaded:
        story_id = story_of_option(self.filter_id)
        with open_store(self.bapp.db_path) as store:
            if story_id is not None:  # a story's copies: few, so one page holds them all

                rows = store.stories.summaries(story_id) if offset == 0 else []
                total = len(rows) if offset == 0 else -1
            else:
                rows = store.list_articles(flt, limit=limit, offset=offset,
                                           oldest_first=self.bapp.oldest_first)
                total = store.count_articles(flt) if offset == 0 else -1
            rows = localise(store, rows, self.bapp.settings.translation.target
                            if self.bapp.translated_titles else None)
        return ArticlesLoaded(generation, offset, rows, total)

    def on_articles_loaded(self, msg: ArticlesLoaded) -> None:
        if msg.generation != self._generation:
            return  # a page for a filter the user has already left
        lst = self.articles
        if msg.offset == 0:
            keep = lst.current.id if lst.current else None
            lst.reset(msg.total)
            lst.append(msg.rows)
            lst.restore_cursor(keep)
            self._show_title()
            if self._counts_after_page:
                self._counts_after_page = False
                self.call_after_refresh(self._load_counts)
                self.call_after_refresh(self._load_stories)
            # An empty database (not an empty filter) says how to start instead of
            # "Nothing selected."
            empty = msg.total == 0 and self.filter_id == "all" and not self.unread_only
            self.set_class(empty, "-empty")
            if empty:
                self._previewed = None
                self.query_one(Preview).show_welcome(welcome_text(self.bapp))
            else:
                # A new page may hold new data for the same row: load it again.
                self._preview(lst.current)
            then, self._then = self._then, None
            if then is not None:
                then()
        else:
            lst.append(msg.rows)

    def on_counts_loaded(self, msg: CountsLoaded) -> None:
        self.query_one(Sidebar).show_counts(msg)
        self._show_title()

    def _show_title(self) -> None:
        sidebar = self.query_one(Sidebar)
        title = render.plain(sidebar.label(self.filter_id), style="bold")
        title.append(f"  {self.articles.total:,}", style="dim")
        if self.unread_only:
            title.append("  unread only (U)", style="cyan")
        story = sidebar.story(self.filter_id)
        for flag in story.flags if story else ():
            title.append("  ! ", style="bold yellow")
            title.append(render.plain(flag.text, style="yellow"))
        self.query_one("#list-title", Static).update(title)

    @on(ArticleList.NeedsMore)
    def _more(self, msg: ArticleList.NeedsMore) -> None:
        self._load_page(self._generation, self.filter, msg.offset)

    # -- events --------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#sidebar")
    def _filter_chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == MORE_TAGS:
            self.query_one(Sidebar).unfold_tags()
            return
        self.choose(event.option.id or "all")

    def choose(self, option_id: str, then: Callable[[], None] | None = None) -> None:
        """Show the list for a sidebar option id ("all", "src:URL", "story:ID", ...); `then`
        runs once its first page is in."""
        self.filter_id = option_id
        self.filter = filter_for(self.filter_id)
        self.refresh_bindings()  # q: Quit or Back (check_action)
        if self.unread_only:
            self.filter = replace(self.filter, unread=True)
        self._then = then
        self.reload()
        if self.app.screen is self:
            self.articles.focus()

    def load_through_next_unread(self, then: Callable[[int | None], None]) -> bool:
        """When the list has rows not loaded yet (it loads PAGE at a time), find the next
        unread article past the loaded ones in the store, load the rows down to it and call
        `then` with its row (None: no unread further down). False when every row is loaded
        already, so there is nothing further to look for."""
        lst = self.articles
        if story_of_option(self.filter_id) is not None or not lst.order or \
                len(lst.order) >= lst.total:
            return False
        self._find_unread(self._generation, self.filter, lst.summaries[lst.order[-1]],
                          len(lst.order), then)
        return True

    @work(thread=True, group="find-unread", exclusive=True, exit_on_error=False)
    def _find_unread(self, generation: int, flt: ArticleFilter, last: ArticleSummary,
                     loaded: int, then: Callable[[int | None], None]) -> None:
        oldest = self.bapp.oldest_first
        rows: list[ArticleSummary] = []
        with open_store(self.bapp.db_path) as store:
            found = store.next_unread(flt, last.published, last.id, oldest_first=oldest)
            at = None if found is None else store.list_position(flt, found,
                                                                 oldest_first=oldest)
            if found is not None and at is not None and at >= loaded:
                # Down to it and a page beyond, as scrolling there would have loaded.
                rows = store.list_articles(flt, limit=at - loaded + PAGE, offset=loaded,
                                           oldest_first=oldest)
                rows = localise(store, rows, self.bapp.settings.translation.target
                                if self.bapp.translated_titles else None)
        self.post_message(UnreadFound(generation, loaded, rows, found, then))

    def on_unread_found(self, msg: UnreadFound) -> None:
        lst = self.articles
        if msg.generation == self._generation:
            lst.append(msg.rows)  # rows a page load brought in meanwhile are kept once
        target = msg.article_id
        msg.then(lst.order.index(target) if target in lst.summaries else None)

    def action_next_unread(self) -> None:
        """n on the list, as in newsboat's: the next unread article below the cursor, opened
        (see walk_to_next_unread)."""
        lst = self.articles
        walk_to_next_unread(lst, lst.cursor_row, self._open_row, lambda: self.app.screen is self)

    def action_prev_unread(self) -> None:
        lst = self.articles
        self._open_row(lst.next_index(lst.cursor_row - 1, -1, unread=True),
                       "No unread article above.")

    def _open_row(self, index: int | None, none_left: str = "") -> bool:
        lst = self.articles
        if index is None:
            if none_left:
                self.notify(none_left, markup=False)
            return False
        lst.move_cursor(row=index)
        self.bapp.open_article(lst.order[index])
        return True

    def next_with_unread(self, then: Callable[[], None]) -> bool:
        """Switch to the next source (or tag) after the current one that has unread articles,
        as newsboat's `n` does at the end of a feed; False when there is none."""
        kind = self.filter_id.split(":", 1)[0]
        counts = self.query_one(Sidebar).counts
        if kind == "src":
            ids = [(f"src:{url}", unread) for url, _t, _n, unread in counts.sources]
        elif kind == "tag":
            ids = [(f"tag:{tag}", unread) for tag, _n, unread in counts.tags]
        else:
            return False
        at = next((i for i, (option, _u) in enumerate(ids) if option == self.filter_id), -1)
        for option, unread in ids[at + 1:] + ids[:max(at, 0)]:
            if unread:
                self.choose(option, then)
                self.query_one(Sidebar).highlight(option)
                return True
        return False

    def show_story(self, story_id: str, *, from_stories: bool = False) -> None:
        self._from_stories = story_id if from_stories else None
        self.choose(f"story:{story_id}")

    @on(DataTable.RowHighlighted, "#articles")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._settled()

    @property
    def highlight_pending(self) -> bool:
        """A cursor move is waiting out the debounce (tests wait on this)."""
        return self._settled.pending

    def _cursor_settled(self) -> None:
        a = self.articles.current
        if a is None or a.id != self._previewed:
            self._preview(a)

    def _preview(self, a: ArticleSummary | None) -> None:
        self._previewed = a.id if a else None
        self.query_one(Preview).show_summary(a)
        if a is not None:
            self.load_preview(a.id)

    @on(DataTable.RowSelected, "#articles")
    def _open(self, event: DataTable.RowSelected) -> None:
        a = self.articles.current
        if a is not None:
            self.bapp.open_article(a.id)

    # -- actions -------------------------------------------------------------------------

    def action_mark_all_read(self) -> None:
        # A story's copies are its listed rows, not every article the filter holds.
        ids = list(self.articles.order) if story_of_option(self.filter_id) else None
        self._mark_all(self.filter, ids)

    @work(thread=True, group="write", exit_on_error=False)
    def _mark_all(self, flt: ArticleFilter, ids: list[str] | None = None) -> None:
        with open_store(self.bapp.db_path) as store:
            marked = store.mark_read_returning(flt, ids)
        self._undo = marked
        self.bapp.notify(f"Marked {len(marked):,} read." + (" u undoes it." if marked else ""))
        self.post_message(DataChanged(articles_changed=True))

    def action_undo_mark_all(self) -> None:
        if not self._undo:
            self.notify("Nothing to undo.", markup=False)
            return
        ids, self._undo = self._undo, []
        self._unmark(ids)

    @work(thread=True, group="write", exit_on_error=False)
    def _unmark(self, ids: list[str]) -> None:
        with open_store(self.bapp.db_path) as store:
            store.set_read_many(ids, False)
        self.bapp.notify(f"Marked {len(ids):,} unread again.")
        self.post_message(DataChanged(articles_changed=True))


def walk_to_next_unread(lst: ArticleList, at: int, go: Callable[[int | None, str], bool],
                        still: Callable[[], bool]) -> None:
    """n's walk, the reader's and the main list's, as newsboat's n: the next unread row of
    `lst` after row `at` (past the rows loaded so far, a list loads a page at a time, the
    store finds it); none below, the first unread above it in the same list (newsboat wraps
    within a feed before it leaves it: going on to the next source first left this one's
    earlier unread behind); none in this list, the next source (or tag) with unread.
    `go(row, said_when_none)` opens a row; `still()` says whether the user is where the walk
    began, when a worker's answer comes back."""
    if go(lst.next_index(at + 1, 1, unread=True), ""):
        return
    main = lst.screen

    def from_the_top() -> None:
        go(lst.next_index(0, 1, unread=True), "No unread articles left.")

    def further(index: int | None) -> None:
        if not still() or go(index, ""):
            return
        above = lst.next_index(0, 1, unread=True)
        if above is not None and above < at and go(above, ""):
            return
        if isinstance(main, MainScreen) and main.next_with_unread(from_the_top):
            return
        from_the_top()

    if not (isinstance(main, MainScreen) and main.load_through_next_unread(further)):
        further(None)
