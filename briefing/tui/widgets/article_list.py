"""The article list: a DataTable paged from the store, 200 rows at a time.

Rows carry only ArticleSummary fields (never text), and the next page is asked for when the
cursor comes within `PREFETCH` rows of the end, so 100,000 articles open as fast as 200.

The table posts `RowHighlighted` on every cursor move, as DataTable does; the screens that load
a preview from it wait `HIGHLIGHT_DEBOUNCE_S` for the cursor to settle (briefing.tui.debounce).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from rich.text import Text
from textual.coordinate import Coordinate
from textual.events import Resize
from textual.message import Message
from textual.widgets import DataTable

from briefing.models import ArticleSummary
from briefing.tui import keys, render

PREFETCH = 50
HIGHLIGHT_DEBOUNCE_S = 0.08
WIDE = 120  # list widths from which the source column grows to fit its names
SOURCE_MAX = 32
_FIXED = {"state": 3, "source": 14, "date": 6, "lang": 2, "facts": 3}


class ArticleList(DataTable[Text]):
    BINDINGS = keys.bindings("list")

    class NeedsMore(Message):
        """The cursor is near the end of what is loaded and more rows exist."""

        def __init__(self, offset: int) -> None:
            super().__init__()
            self.offset = offset

    def __init__(self, *, now: datetime, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self.now = now
        self.summaries: dict[str, ArticleSummary] = {}
        self.order: list[str] = []
        self.total = 0
        self._asked_at = -1
        self._filling = False

    def on_mount(self) -> None:
        for key, width in _FIXED.items():
            if key == "source":
                self.add_column("Title", key="title", width=30)
            label = {"state": "", "facts": "#", "lang": ""}.get(key, key.title())
            self.add_column(label, key=key, width=width)
        self._fit_title()

    def on_resize(self, event: Resize) -> None:
        self._fit_title()

    def _fit_title(self) -> None:
        # DataTable has no flexible column; give the title whatever the fixed columns leave.
        width = self.size.width or 80
        narrow = width < 70
        source = 8 if narrow else 14
        if width >= WIDE:
            # A wide screen gives whole source names, up to a limit; the title keeps the rest.
            longest = max((len(render.source_name(a)) for a in self.summaries.values()),
                          default=0)
            source = min(max(source, longest), SOURCE_MAX)
        self.columns["source"].width = source  # type: ignore[index]
        fixed = sum(c.width for k, c in self.columns.items() if k != "title")
        pad = 2 * self.cell_padding * len(self.columns)
        self.columns["title"].width = max(10, width - fixed - pad - 2)  # type: ignore[index]
        # The table's scrollable width follows column widths only when a cell asks for it;
        # rewriting one cell with update_width is the public way to ask (Textual 8 has no
        # call to resize a column).
        if self.row_count:
            title = Coordinate(0, self.get_column_index("title"))
            self.update_cell_at(title, self.get_cell_at(title), update_width=True)
        self.refresh()

    # The shared movement keys (briefing.keymap MOVEMENT), the same on every list.
    def action_go_top(self) -> None:
        if self.row_count:
            self.move_cursor(row=0)

    def action_go_bottom(self) -> None:
        # The last row of the list, not of the loaded page: the store is asked for the rest
        # when the cursor nears the end, so G lands on the end of what is loaded, then moves on.
        if self.row_count:
            self.move_cursor(row=self.row_count - 1)

    def action_go_page(self, direction: int) -> None:
        if direction > 0:
            self.action_page_down()
        else:
            self.action_page_up()

    def next_index(self, start: int, step: int, *, unread: bool) -> int | None:
        """The first row from `start` in direction `step` (unread only, if asked)."""
        i = start
        while 0 <= i < len(self.order):
            a = self.summaries[self.order[i]]
            if not unread or not a.read:
                return i
            i += step
        return None

    @property
    def current(self) -> ArticleSummary | None:
        if not self.order or self.cursor_row < 0 or self.cursor_row >= len(self.order):
            return None
        return self.summaries.get(self.order[self.cursor_row])

    def reset(self, total: int) -> None:
        self.clear()
        self.summaries.clear()
        self.order.clear()
        self.total = total
        self._asked_at = -1

    def append(self, rows: list[ArticleSummary]) -> None:
        # add_row nudges the cursor watcher once per row; only the user's moves may page.
        self._filling = True
        try:
            self._add(rows)
        finally:
            self._filling = False
        if self.size.width >= WIDE:
            self._fit_title()

    def _add(self, rows: list[ArticleSummary]) -> None:
        for a in rows:
            if a.id in self.summaries:
                continue  # a page boundary moved under us (new articles); keep the first copy
            self.summaries[a.id] = a
            self.order.append(a.id)
            self.add_row(*self._cells(a), key=a.id)

    def _cells(self, a: ArticleSummary) -> list[Text]:
        title_style = "dim" if a.read else "bold"
        return [
            render.state_mark(a),
            render.plain(a.title or a.url, style=title_style, limit=300, overflow="ellipsis"),
            render.plain(render.source_name(a), style="dim", overflow="ellipsis"),
            Text(render.short_date(a.published, self.now), style="dim"),
            render.plain(a.language, limit=2),
            Text(str(a.fact_count) if a.fact_count else "", style="green"),
        ]

    def update_summary(self, article_id: str, *, read: bool, starred: bool) -> None:
        old = self.summaries.get(article_id)
        if old is None:
            return
        new = replace(old, read=read, starred=starred)
        self.summaries[article_id] = new
        cells = self._cells(new)
        self.update_cell(article_id, "state", cells[0])
        self.update_cell(article_id, "title", cells[1])

    def restore_cursor(self, article_id: str | None) -> None:
        if article_id and article_id in self.summaries:
            self.move_cursor(row=self.order.index(article_id))

    def watch_cursor_coordinate(self, old: Coordinate, new: Coordinate) -> None:
        super().watch_cursor_coordinate(old, new)
        self._maybe_more()

    def _maybe_more(self) -> None:
        loaded = len(self.order)
        if self._filling:
            return
        if loaded < self.total and self.cursor_row >= loaded - PREFETCH and \
                self._asked_at != loaded:
            self._asked_at = loaded
            self.post_message(self.NeedsMore(loaded))
