"""The preview pane under the list: title, source, 📌 summary and key-fact bullets."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from briefing.models import Article, ArticleSummary
from briefing.tui import render


class Preview(VerticalScroll, can_focus=False):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.article_id: str | None = None
        self._body = Static(Text("Nothing selected.", style="dim italic"), id="preview-text")

    def compose(self) -> ComposeResult:
        yield self._body

    def show_summary(self, a: ArticleSummary | None) -> None:
        """Cheap first paint from the list row; the key facts follow from a worker."""
        self.article_id = a.id if a else None
        if a is None:
            self._body.update(Text("Nothing selected.", style="dim italic"))
            return
        self._body.update(Group(self._header(a), render.summary_block(a)))

    def show_article(self, art: Article) -> None:
        if art.id != self.article_id:
            return  # the cursor moved on while this one loaded
        bullets = [k.text for k in art.key_facts]
        self._body.update(Group(self._header(art), render.summary_block(art, bullets)))

    @staticmethod
    def _header(a: ArticleSummary | Article) -> Text:
        out = render.plain(a.title or a.url, style="bold", limit=400)
        out.append("\n")
        out.append(render.plain(render.source_name(a), style="dim italic"))
        return out
