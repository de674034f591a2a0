"""The reader: summary on top, paragraphs with facts highlighted, a facts panel, view modes."""

from __future__ import annotations

from dataclasses import replace

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import reactive
from textual.widgets import Footer, Static

from briefing.models import Article
from briefing.tui import keys, render
from briefing.tui.data import open_store
from briefing.tui.messages import ArticleChanged, ArticleLoaded, TranslationFinished
from briefing.tui.screens.base import ArticleScreen
from briefing.tui.widgets.reader_body import MODE_NAMES, MODES, ReaderBody, pick_translation, rows
from briefing.tui.widgets.status import StatusLine

# Below this many columns two columns of prose are too narrow to read: stack instead.
SIDE_BY_SIDE_MIN_WIDTH = 100
NO_ENGINE = ('No translation engine is configured. Set one in the config file, e.g.\n'
             '[translation]\nengine = "libretranslate"')


class ReaderScreen(ArticleScreen):
    BINDINGS = keys.bindings("reader")
    mode: reactive[str] = reactive("original", init=False)

    def __init__(self, article_id: str, mode: str) -> None:
        super().__init__(classes="reader")
        self.article_id = article_id
        self.article: Article | None = None
        self.set_reactive(ReaderScreen.mode, mode)

    def compose(self) -> ComposeResult:
        yield Static(id="reader-title")
        yield Static(id="reader-mode")
        with Horizontal(id="reader-main"):
            with VerticalScroll(id="reader-scroll"):
                yield ReaderBody(id="reader-body")
            with VerticalScroll(id="facts-panel", can_focus=False):
                yield Static(id="facts")
        yield StatusLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#reader-scroll").focus()
        self._apply_mode()
        self._load(mark_read=True)

    def current_article(self) -> Article | None:
        return self.article

    @work(thread=True, group="reader", exclusive=True, exit_on_error=False)
    def _load(self, mark_read: bool) -> None:
        with open_store(self.bapp.db_path) as store:
            if mark_read:
                store.set_read(self.article_id, True)  # opening an article reads it
            art = store.get_article(self.article_id)
        self.post_message(ArticleLoaded(self.article_id, art))
        if art is not None and mark_read:
            self.post_message(ArticleChanged(art.id, art.read, art.starred))

    async def on_article_loaded(self, msg: ArticleLoaded) -> None:
        msg.stop()
        art = self.article = msg.article
        if art is None:
            self.query_one("#reader-title", Static).update(Text("Article not found."))
            return
        title = render.plain(art.title or art.url, style="bold", limit=400)
        # One line, cut with an ellipsis: a long URL must not push the text down on 80x24.
        meta = render.plain(" · ".join(x for x in (
            render.source_name(art), render.short_date(art.published, self.bapp.now),
            art.language, art.url) if x), style="dim", limit=400, overflow="ellipsis")
        self.query_one("#reader-title", Static).update(Group(title, meta))
        self.query_one("#facts", Static).update(render.facts_panel(art.facts))
        body = self.query_one(ReaderBody)
        await body.remove_children()
        tr = pick_translation(art, self.bapp.settings.translation.target)
        await body.mount_all(list(rows(art, tr)))
        self._apply_mode()

    def on_article_changed(self, msg: ArticleChanged) -> None:
        if self.article is not None and msg.article_id == self.article.id:
            self.article = replace(self.article, read=msg.read, starred=msg.starred)

    # -- view modes ----------------------------------------------------------------------

    @property
    def effective_mode(self) -> str:
        if self.mode == "side" and self.app.size.width < SIDE_BY_SIDE_MIN_WIDTH:
            return "stacked"
        return self.mode

    def watch_mode(self, mode: str) -> None:
        self.bapp.reader_mode = mode  # the next article opens in the same mode
        self._apply_mode()

    def on_resize(self) -> None:
        self._apply_mode()

    def _apply_mode(self) -> None:
        effective = self.effective_mode
        self.query_one(ReaderBody).set_mode(effective)
        line = Text("View: ", style="dim")
        line.append(MODE_NAMES[self.mode], style="bold")
        if effective != self.mode:
            line.append(f"  (stacked: terminal narrower than {SIDE_BY_SIDE_MIN_WIDTH} columns)",
                        style="dim")
        if self.article is not None and not self.article.translations and self.mode != "original":
            line.append("  · no translation yet (t)", style="dim")
        self.query_one("#reader-mode", Static).update(line)

    def action_cycle_mode(self) -> None:
        self.mode = MODES[(MODES.index(self.mode) + 1) % len(MODES)]

    def action_set_mode(self, mode: str) -> None:
        if mode in MODES:
            self.mode = mode

    def action_scroll_body(self, direction: int) -> None:
        scroll = self.query_one("#reader-scroll", VerticalScroll)
        scroll.scroll_relative(y=direction * 3, animate=False)

    def action_back(self) -> None:
        self.app.pop_screen()

    # -- translation ---------------------------------------------------------------------

    def action_translate(self) -> None:
        if self.bapp.settings.translation.engine == "none":
            self._offer_engine()
            return
        self.bapp.status = "Translating…"
        self._translate()

    @work(thread=True, group="translate-offer", exclusive=True, exit_on_error=False)
    def _offer_engine(self) -> None:
        """No engine configured: name an installed offline one for the target language, if
        any (`apertium -l` runs here, off the UI thread). Only a notice: nothing waits."""
        text = NO_ENGINE
        try:
            from briefing.translate.engines import installed_engines

            target = self.bapp.settings.translation.target
            found = installed_engines(target)
        except Exception:  # a probe that fails leaves the plain advice
            found = []
        if found:
            name, sources = found[0]
            pairs = ", ".join(f"{s}→{target}" for s in sources)
            text = (f"No translation engine is configured, but {name} is installed and "
                    f"translates {pairs}. To use it, set in the config file:\n"
                    f'[translation]\nengine = "{name}"')
        self.app.call_from_thread(self.notify, text, title="Translation", severity="warning",
                                  markup=False, timeout=10)

    @work(thread=True, group="translate", exclusive=True, exit_on_error=False)
    def _translate(self) -> None:
        try:
            from briefing.translate import translate_article
        except ImportError:
            self.post_message(TranslationFinished(
                self.article_id, "Translation is not available in this build yet."))
            return
        try:
            with open_store(self.bapp.db_path) as store:
                translate_article(self.bapp.settings, store, self.article_id)
        except Exception as exc:  # an engine failure is a message, not a crash
            self.post_message(TranslationFinished(self.article_id, str(exc)))
            return
        self.post_message(TranslationFinished(self.article_id))

    def on_translation_finished(self, msg: TranslationFinished) -> None:
        msg.stop()
        if msg.error:
            self.bapp.status = ""
            self.notify(msg.error, title="Translation", severity="error", markup=False)
            return
        self.bapp.status = "Translated."
        if self.mode == "original":
            self.mode = "side"
        self._load(mark_read=False)
