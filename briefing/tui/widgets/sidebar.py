"""Sources and tags with unread counts, the All / Unread / Starred filters, and stories (one
row per story told by several copies: its title, how many copies, `!` when they disagree)."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field

from rich.text import Text
from textual.message import Message
from textual.widgets.option_list import Option, OptionDoesNotExist

from briefing.models import Story
from briefing.store import ArticleFilter
from briefing.text import one_line
from briefing.tui.messages import CountsLoaded
from briefing.tui.render import SplitLine
from briefing.tui.widgets.nav import NavOptionList

STORY_ROWS = 30  # the latest stories shown; the stories screen (S) lists them all
TAG_ROWS = 8  # tags shown before the rest fold under "… more tags"
MORE_TAGS = "tags:more"


@dataclass
class StoriesLoaded(Message):
    stories: list[Story] = field(default_factory=list)


def story_of_option(option_id: str) -> str | None:
    return option_id[6:] if option_id.startswith("story:") else None


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


def _row(name: str, count: int, *, style: str = "") -> SplitLine:
    # Long source names are cut with an ellipsis and the counts stay aligned.
    # Grouped as the list's title groups them ("All articles  3,000" beside "3000").
    return SplitLine(Text(name, style=style), Text(f"{count:,}" if count else "", style="cyan"))


class Sidebar(NavOptionList):

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(*self._build(CountsLoaded(0, 0, 0), []), id=id)
        self.names: dict[str, str] = {}
        self.counts = CountsLoaded(0, 0, 0)
        self.stories: list[Story] = []
        self.all_tags = False

    def _build(self, counts: CountsLoaded, stories: list[Story]) -> list[Option | None]:
        opts: list[Option | None] = [
            Option(_row("All", counts.all, style="bold"), id="all"),
            Option(_row("Unread", counts.unread, style="bold"), id="unread"),
            Option(_row("Starred", counts.starred, style="bold"), id="starred"),
        ]
        if counts.sources:
            opts += [None, Option(Text("Sources", style="dim italic"), disabled=True)]
            # ⚠ beside a feed whose last fetch failed; the feeds screen (E) says why.
            opts += [Option(_row(("⚠ " if url in counts.failing else "") + one_line(title, 80),
                                 unread, style="red" if url in counts.failing else ""),
                            id=f"src:{url}")
                     for url, title, _total, unread in counts.sources]
        if stories:  # before the tags: a story is news, a tag a drawer
            opts += [None, Option(Text("Stories", style="dim italic"), disabled=True)]
            opts += [Option(_row(("! " if s.flags else "") + one_line(s.title, 80), s.size,
                                 style="yellow" if s.flags else ""), id=f"story:{s.id}")
                     for s in stories]
        if counts.tags:
            shown = counts.tags if getattr(self, "all_tags", False) else counts.tags[:TAG_ROWS]
            opts += [None, Option(Text("Tags", style="dim italic"), disabled=True)]
            opts += [Option(_row("#" + one_line(tag, 60), unread), id=f"tag:{tag}")
                     for tag, _total, unread in shown]
            if len(shown) < len(counts.tags):
                opts.append(Option(Text(f"… {len(counts.tags) - len(shown)} more tags",
                                        style="dim"), id=MORE_TAGS))
        return opts

    def show_counts(self, counts: CountsLoaded) -> None:
        self.counts = counts
        self.names = {f"src:{u}": one_line(t, 80) for u, t, _n, _u in counts.sources}
        self.names |= {f"tag:{t}": "#" + one_line(t, 60) for t, _n, _u in counts.tags}
        self._rebuild()

    def show_stories(self, stories: list[Story]) -> None:
        if stories == self.stories:
            return  # the usual refresh after a read: the same stories, nothing to redraw
        self.stories = stories
        self._rebuild()

    def story(self, option_id: str) -> Story | None:
        sid = story_of_option(option_id)
        return next((s for s in self.stories if s.id == sid), None)

    def _rebuild(self) -> None:
        keep = self.highlighted_option.id if self.highlighted_option else "all"
        self.names |= {f"story:{s.id}": "Story: " + one_line(s.title, 80) for s in self.stories}
        self.clear_options()
        self.add_options(self._build(self.counts, self.stories))
        try:
            self.highlighted = self.get_option_index(keep or "all")
        except Exception:  # the source or tag is gone; fall back to All
            self.highlighted = 0

    def unfold_tags(self) -> None:
        at = self.highlighted  # on "… more tags": the first tag it held comes there
        self.all_tags = True
        self._rebuild()
        if at is not None and at < self.option_count:
            self.highlighted = at  # the cursor went back to "All", the tags out of sight

    def highlight(self, option_id: str) -> None:
        with suppress(OptionDoesNotExist):  # not (yet) listed: leave the cursor
            self.highlighted = self.get_option_index(option_id)

    def label(self, option_id: str) -> str:
        return {"all": "All articles", "unread": "Unread", "starred": "Starred"}.get(
            option_id, self.names.get(option_id, option_id))
