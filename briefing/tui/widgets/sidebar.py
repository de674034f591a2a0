"""Sources and tags with unread counts, plus the All / Unread / Starred filters."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.binding import BindingType
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from briefing.store import ArticleFilter
from briefing.text import one_line
from briefing.tui import keys
from briefing.tui.messages import CountsLoaded


def filter_for(option_id: str) -> ArticleFilter:
    if option_id == "unread":
        return ArticleFilter(unread=True)
    if option_id == "starred":
        return ArticleFilter(starred=True)
    if option_id.startswith("src:"):
        return ArticleFilter(source=option_id[4:])
    if option_id.startswith("tag:"):
        return ArticleFilter(tag=option_id[4:])
    return ArticleFilter()


def _row(name: str, count: int, *, style: str = "") -> Table:
    # A grid, so long source names are cut with an ellipsis and the counts stay aligned.
    grid = Table.grid(expand=True)
    grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    grid.add_column(justify="right", no_wrap=True)
    grid.add_row(Text(name, style=style), Text(str(count) if count else "", style="cyan"))
    return grid


class Sidebar(OptionList):
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings_by_id("down", "up")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(*self._build(CountsLoaded(0, 0, 0)), id=id)
        self.names: dict[str, str] = {}

    @staticmethod
    def _build(counts: CountsLoaded) -> list[Option | None]:
        opts: list[Option | None] = [
            Option(_row("All", counts.all, style="bold"), id="all"),
            Option(_row("Unread", counts.unread, style="bold"), id="unread"),
            Option(_row("Starred", counts.starred, style="bold"), id="starred"),
        ]
        if counts.sources:
            opts += [None, Option(Text("Sources", style="dim italic"), disabled=True)]
            opts += [Option(_row(one_line(title, 80), unread), id=f"src:{url}")
                     for url, title, _total, unread in counts.sources]
        if counts.tags:
            opts += [None, Option(Text("Tags", style="dim italic"), disabled=True)]
            opts += [Option(_row("#" + one_line(tag, 60), unread), id=f"tag:{tag}")
                     for tag, _total, unread in counts.tags]
        return opts

    def show_counts(self, counts: CountsLoaded) -> None:
        keep = self.highlighted_option.id if self.highlighted_option else "all"
        self.names = {f"src:{u}": one_line(t, 80) for u, t, _n, _u in counts.sources}
        self.names |= {f"tag:{t}": "#" + one_line(t, 60) for t, _n, _u in counts.tags}
        self.clear_options()
        self.add_options(self._build(counts))
        try:
            self.highlighted = self.get_option_index(keep or "all")
        except Exception:  # the source or tag is gone; fall back to All
            self.highlighted = 0

    def label(self, option_id: str) -> str:
        return {"all": "All articles", "unread": "Unread", "starred": "Starred"}.get(
            option_id, self.names.get(option_id, option_id))
