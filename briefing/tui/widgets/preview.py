"""The preview pane under the list: title, source, 📌 summary and key-fact bullets."""

from __future__ import annotations

from dataclasses import replace

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from briefing.models import TITLE_PARAGRAPH, Article, ArticleSummary, Translation
from briefing.tui import render
from briefing.tui.widgets.reader_body import bullets_beside


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

    def show_welcome(self, welcome: RenderableType) -> None:
        """First launch on an empty database: how to start."""
        self.article_id = None
        self._body.update(welcome)

    def show_article(self, art: Article) -> None:
        if art.id != self.article_id:
            return  # the cursor moved on while this one loaded
        bullets = [k.text for k in art.key_facts]
        shown: Article = art
        tr = self._translation(art)
        if tr is not None and (tr.key_facts or tr.summary):
            # The reader's language when the translation has bullets and a summary; the
            # original's otherwise (an engine that translated only the paragraphs).
            bullets = list(tr.key_facts) if tr.key_facts else bullets
            shown = replace(art, summary=tr.summary or art.summary)
        if tr is None or tr.engine != "provided":  # a post's own lines all show (its reader's)
            bullets = bullets_beside(shown.summary or "", bullets)
        if tr is not None and getattr(self.app, "translated_titles", False):
            title = next((p.translation for p in tr.pairs
                          if p.paragraph == TITLE_PARAGRAPH and p.translation.strip()), "")
            shown = replace(shown, title=title or art.title)
        self._body.update(Group(self._header(shown), render.summary_block(shown, bullets)))

    def _translation(self, art: Article) -> Translation | None:
        settings = getattr(self.app, "settings", None)
        target = settings.translation.target if settings is not None else ""
        return next((t for t in art.translations if t.lang == target), None)

    @staticmethod
    def _header(a: ArticleSummary | Article) -> Text:
        out = render.plain(a.title or a.url, style="bold", limit=400)
        out.append("\n")
        out.append(render.plain(render.source_name(a), style="dim italic"))
        return out
