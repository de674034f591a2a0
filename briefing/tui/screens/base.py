"""What the list screens and the reader share: the current article's actions."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import work
from textual.screen import Screen

from briefing.models import Article, ArticleSummary
from briefing.store import written_store
from briefing.tui.data import open_store
from briefing.tui.messages import ArticleChanged, ArticleLoaded, DataChanged

if TYPE_CHECKING:
    from briefing.tui.app import BriefingApp


class ArticleScreen(Screen[None]):
    """A screen with a current article: star, read/unread, open and copy its link."""

    @property
    def bapp(self) -> BriefingApp:
        return cast("BriefingApp", self.app)

    def current_article(self) -> ArticleSummary | Article | None:
        raise NotImplementedError

    def action_star(self) -> None:
        a = self.current_article()
        if a is not None:
            self.set_state(a.id, read=a.read, starred=not a.starred)

    def action_toggle_read(self) -> None:
        a = self.current_article()
        if a is not None:
            self.set_state(a.id, read=not a.read, starred=a.starred)

    def set_state(self, article_id: str, *, read: bool, starred: bool) -> None:
        # Rows update at once; the write follows in a worker and cannot block the UI.
        self.post_message(ArticleChanged(article_id, read, starred))
        self._write_state(article_id, read, starred)

    @work(thread=True, group="write", exit_on_error=False)
    def _write_state(self, article_id: str, read: bool, starred: bool) -> None:
        with open_store(self.bapp.db_path) as store:
            store.set_read(article_id, read)
            store.set_starred(article_id, starred)
        self.post_message(DataChanged(articles_changed=False))

    def action_open_link(self) -> None:
        a = self.current_article()
        if a is not None:
            self.bapp.open_link(a.url)

    def action_copy_post(self) -> None:
        a = self.current_article()
        if a is not None:
            self._copy_post(a.id)

    @work(thread=True, group="copy", exclusive=True, exit_on_error=False)
    def _copy_post(self, article_id: str) -> None:
        from briefing.tui.post import post_text

        with open_store(self.bapp.db_path) as store:
            text = post_text(store, self.bapp.settings, article_id)
        if text:
            self.app.call_from_thread(self.bapp.copy_post, text)

    def action_copy_link(self) -> None:
        a = self.current_article()
        if a is not None:
            self.bapp.copy_link(a.url)


class PreviewLoading(ArticleScreen):
    """A list screen with a preview pane (#preview): the highlighted row's whole article is
    loaded behind its summary, so the pane shows what the reader will (the translation's
    summary and bullets, in the reader's language), and enter opens it with no second load.
    The search screen showed the row's summary alone: the original's, in English, where the
    main list's preview of the same article was in Vietnamese."""

    def load_preview(self, article_id: str) -> None:
        self._load_preview(article_id)

    @work(thread=True, group="preview", exclusive=True, exit_on_error=False)
    def _load_preview(self, article_id: str) -> None:
        with open_store(self.bapp.db_path) as store:
            art = store.get_article(article_id)
            # What the reader needs too, so enter on this row opens it with no second load.
            written = written_store.get(store, article_id, self.bapp.settings.translation.target)
        self.post_message(ArticleLoaded(article_id, art, written[0] if written else None))

    def on_article_loaded(self, msg: ArticleLoaded) -> None:
        from briefing.tui.widgets.preview import Preview

        current = self.current_article()
        if msg.article is not None and (current is None or current.id == msg.article_id):
            self.query_one(Preview).show_article(msg.article)
            self.bapp.preloaded = msg
