"""Search: a query box over the full-text index, with fact filters like `org:Nvidia`."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, Static

from briefing.models import ArticleSummary
from briefing.query import parse_query
from briefing.store import QueryError
from briefing.tui import keys
from briefing.tui.data import PAGE, open_store
from briefing.tui.messages import SearchFinished
from briefing.tui.screens.base import ArticleScreen
from briefing.tui.widgets.article_list import ArticleList
from briefing.tui.widgets.preview import Preview
from briefing.tui.widgets.status import StatusLine

DEBOUNCE_S = 0.2  # typing pauses shorter than this do not start a query
HINT = 'words, "exact phrase", nvidia OR amd, chip*  ·  org:Nvidia  money>1e9  percent>=5'


class SearchScreen(ArticleScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        *keys.bindings_by_id("back"), *keys.bindings("article")]

    def __init__(self) -> None:
        super().__init__(id="search")
        self._timer: Timer | None = None
        self.last_query = ""

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Search…  " + HINT, id="query")
        yield Static(Text(HINT, style="dim"), id="search-status")
        yield ArticleList(now=self.bapp.now, id="results")
        yield Preview(id="preview")
        yield StatusLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.focus_query()

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
        self.run_search()
        self.query_one(ArticleList).focus()

    def run_search(self) -> None:
        self._search(self.query_one(Input).value)

    @work(thread=True, group="search", exclusive=True, exit_on_error=False)
    def _search(self, text: str) -> None:
        try:
            fts, flt = parse_query(text)
            if not fts and not flt.facts:
                self.post_message(SearchFinished(text, []))
                return
            with open_store(self.bapp.db_path) as store:
                if fts:
                    results = store.search(fts, flt, limit=PAGE)
                else:  # filters alone: no FTS query to run
                    results = store.list_articles(flt, limit=PAGE)
        except QueryError as exc:
            self.post_message(SearchFinished(text, [], str(exc)))
            return
        self.post_message(SearchFinished(text, results))

    def on_search_finished(self, msg: SearchFinished) -> None:
        if msg.query != self.query_one(Input).value:
            return  # the user typed on; a newer query is coming
        self.last_query = msg.query
        status = self.query_one("#search-status", Static)
        results = self.query_one(ArticleList)
        results.reset(len(msg.results))
        results.append(msg.results)
        if msg.error:
            # QueryError text quotes the user's query: plain Text keeps brackets literal.
            status.update(Text(msg.error, style="bold red"))
        elif not msg.query.strip():
            status.update(Text(HINT, style="dim"))
        else:
            more = "+" if len(msg.results) >= PAGE else ""
            status.update(Text(f"{len(msg.results)}{more} results", style="dim"))
        self.query_one(Preview).show_summary(results.current)

    @on(DataTable.RowHighlighted, "#results")
    def _highlighted(self) -> None:
        self.query_one(Preview).show_summary(self.query_one(ArticleList).current)

    @on(DataTable.RowSelected, "#results")
    def _open(self) -> None:
        a = self.query_one(ArticleList).current
        if a is not None:
            self.bapp.open_article(a.id)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_mark_all_read(self) -> None:
        self.notify("Mark all read works on the main list.", markup=False)
