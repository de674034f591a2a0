"""Search: a query box over the full-text index, with fact filters like `org:Nvidia`."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.suggester import SuggestFromList
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static
from textual.worker import get_current_worker

from briefing.models import ArticleSummary
from briefing.query import has_words
from briefing.store import QueryError
from briefing.tui import keys
from briefing.tui.data import PAGE, SearchSession, open_store
from briefing.tui.debounce import Debounce
from briefing.tui.messages import RecentSearches, SearchFinished
from briefing.tui.screens.base import PreviewLoading
from briefing.tui.widgets.article_list import HIGHLIGHT_DEBOUNCE_S, ArticleList
from briefing.tui.widgets.footer import KeyFooter
from briefing.tui.widgets.preview import Preview
from briefing.tui.widgets.status import StatusLine

DEBOUNCE_S = 0.2  # typing pauses shorter than this do not start a query
HINT = ('words, "exact phrase", nvidia OR amd, chip*, NOT gold, (a OR b)  ·  org:Nvidia  '
        'money>1e9  percent>=5')
RECENT = 20  # searches offered again (typed-ahead in the box, listed when it is empty)


def snippet_text(parts: tuple[tuple[str, bool], ...]) -> Text:
    """The passage around a match on one line, the matched words highlighted. Built from
    plain strings (feed text is never markup) with newlines flattened."""
    out = Text(no_wrap=True, overflow="ellipsis")
    for text, hit in parts:
        words = " ".join(text.split())
        out.append((" " if text[:1].isspace() else "") + words
                   + (" " if text[-1:].isspace() and words else ""),
                   style="bold reverse" if hit else "")
    return out


class QueryBox(Input):
    """The query box: down goes to the results (they are listed as you type), as tab does;
    it did nothing, and the footer offered no way there."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "to_results", "Results", id="search_results")]

    def action_to_results(self) -> None:
        results = self.screen.query_one(ArticleList)
        if results.row_count:
            results.focus()


class SearchScreen(PreviewLoading):
    # A only says that it works on the main list, so the footer does not offer it here (it
    # took the place of keys that work, and read as a promise).
    BINDINGS: ClassVar[list[BindingType]] = [
        *keys.bindings_by_id("back"),
        *keys.hidden(keys.bindings("article"), "mark_all_read")]

    def __init__(self) -> None:
        super().__init__(id="search")
        self._timer: Timer | None = None
        self.last_query = ""
        self.recent: list[str] = []
        self._to_remember: str | None = None  # what enter asked for, kept once it has run
        self._snippets: dict[str, tuple[tuple[str, bool], ...]] = {}
        self._settled = Debounce(self, HIGHLIGHT_DEBOUNCE_S, self._show_current)
        self.session: SearchSession | None = None  # this screen's connection (on_mount)

    def compose(self) -> ComposeResult:
        yield QueryBox(placeholder="Search…  " + HINT, id="query")
        yield Static(Text(HINT, style="dim"), id="search-status")
        yield Static(id="search-snippet")
        yield ArticleList(now=self.bapp.now, id="results")
        yield Preview(id="preview")
        yield StatusLine(id="status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.session = SearchSession(self.bapp.db_path)
        self.focus_query()
        self._load_recent()

    def on_unmount(self) -> None:
        if self.session is not None:
            self.session.close()

    @work(thread=True, group="recent", exit_on_error=False)
    def _load_recent(self) -> None:
        with open_store(self.bapp.db_path) as store:
            self.post_message(RecentSearches(store.recent_searches(RECENT)))

    def on_recent_searches(self, msg: RecentSearches) -> None:
        self.recent = msg.queries
        box = self.query_one(Input)
        box.suggester = SuggestFromList(self.recent, case_sensitive=False)
        if not box.value.strip():
            self._show_hint()

    def _show_hint(self, typed: bool = False) -> None:
        hint = Text(HINT, style="dim")
        if typed:  # spaces or punctuation alone: say why nothing is listed
            hint = Text.assemble(("No word to search for yet: ", "dim italic"), hint)
        elif self.recent:
            hint = Text.assemble(("Recent: ", "dim"), (" · ".join(self.recent[:8]), "dim italic"))
        self.query_one("#search-status", Static).update(hint)

    @work(thread=True, group="recent-save", exit_on_error=False)
    def _remember(self, query: str) -> None:
        with open_store(self.bapp.db_path) as store:
            store.add_recent_search(query, now=self.bapp.now.isoformat(timespec="seconds"))

    def focus_query(self) -> None:
        self.query_one(Input).focus()

    def current_article(self) -> ArticleSummary | None:
        return self.query_one(ArticleList).current

    @on(Input.Changed, "#query")
    def _typed(self, event: Input.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE_S, self.run_search)

    @on(Input.Submitted, "#query")
    def _submitted(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        # Enter is what makes a search worth offering again, not each keystroke; it is kept
        # once it has run (a query that could not be read is not one to repeat).
        self._to_remember = self.query_one(Input).value
        self.run_search()
        # The results take focus once the search is in, and only if it found something
        # (on_search_finished).

    def _keep(self, text: str) -> None:
        self.recent = [text, *(q for q in self.recent if q != text)][:RECENT]
        self.query_one(Input).suggester = SuggestFromList(self.recent, case_sensitive=False)
        self._remember(text)

    def run_search(self) -> None:
        # The query still running answers what the user no longer shows: it ends now, and
        # the new one does not wait for it.
        if self.session is not None:
            self.session.interrupt()
        self._search(self.query_one(Input).value)

    @work(thread=True, group="search", exclusive=True, exit_on_error=False)
    def _search(self, text: str) -> None:
        session = self.session
        if session is None:
            return
        try:
            if not has_words(text):  # the hint says what to type; no query runs
                self.post_message(SearchFinished(text, []))
                return
            # The main list's titles: translated ones while T says so (they were as written).
            lang = (self.bapp.settings.translation.target if self.bapp.translated_titles
                    else None)
            results, snippets = session.run(text, limit=PAGE, lang=lang)
        except Exception as exc:
            if get_current_worker().is_cancelled or session.closed:
                return  # a newer query interrupted this one, or the screen closed
            if not isinstance(exc, QueryError):
                raise
            self.post_message(SearchFinished(text, [], str(exc)))
            return
        self.post_message(SearchFinished(text, results, snippets=snippets))

    def on_search_finished(self, msg: SearchFinished) -> None:
        if msg.query != self.query_one(Input).value:
            return  # the user typed on; a newer query is coming
        self.last_query = msg.query
        self._snippets = msg.snippets
        status = self.query_one("#search-status", Static)
        results = self.query_one(ArticleList)
        results.reset(len(msg.results))
        results.append(msg.results)
        entered = msg.query == self._to_remember  # the search enter asked for
        if entered:
            self._to_remember = None
            if msg.query.strip() and not msg.error:
                self._keep(msg.query.strip())
        if msg.error:
            # QueryError text quotes the user's query: plain Text keeps brackets literal.
            status.update(Text(msg.error, style="bold red"))
        elif not has_words(msg.query):
            self._show_hint(typed=bool(msg.query.strip()))
        else:
            n = len(msg.results)
            more = "+" if n >= PAGE else ""
            status.update(Text(f"{n}{more} result{'' if n == 1 else 's'}", style="dim"))
        if entered and msg.results:
            # Not when nothing was found (a query that could not be read, or no match):
            # enter moved to the empty list, the next keys typed to fix the query were the
            # list's, and the q of a word went back to the main screen with the search gone.
            results.focus()
        self._show_current()

    @on(DataTable.RowHighlighted, "#results")
    def _highlighted(self) -> None:
        self._settled()

    @property
    def highlight_pending(self) -> bool:
        """A cursor move is waiting out the debounce (tests wait on this)."""
        return self._settled.pending

    def _show_current(self) -> None:
        current = self.query_one(ArticleList).current
        self.query_one(Preview).show_summary(current)
        if current is not None:
            self.load_preview(current.id)
        self.query_one("#search-snippet", Static).update(
            snippet_text(self._snippets.get(current.id, ()) if current else ()))

    @on(DataTable.RowSelected, "#results")
    def _open(self) -> None:
        a = self.query_one(ArticleList).current
        if a is not None:
            self.bapp.open_article(a.id)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_mark_all_read(self) -> None:
        self.notify("Mark all read works on the main list.", markup=False)
