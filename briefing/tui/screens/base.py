"""What the list screens and the reader share: the current article's actions."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import work
from textual.screen import Screen

from briefing.models import Article, ArticleSummary
from briefing.tui.data import open_store
from briefing.tui.messages import ArticleChanged, DataChanged

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
