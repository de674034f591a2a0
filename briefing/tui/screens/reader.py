"""The reader: summary on top, paragraphs with facts highlighted, a facts pane, view modes.

It reads through the list it was opened from: `n`/`N` the next/previous unread, `J`/`K` the
next/previous article, space pages and then moves to the next unread; the list's cursor
follows, so going back finds the list where the reading stopped.
"""

from __future__ import annotations

import gc
import time
from dataclasses import replace

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from briefing.models import Article
from briefing.store import Store, written_store
from briefing.tui import keys, render
from briefing.tui.data import open_store
from briefing.tui.messages import ArticleChanged, ArticleLoaded, DataChanged, TranslationFinished
from briefing.tui.screens.base import ArticleScreen
from briefing.tui.widgets.article_list import ArticleList
from briefing.tui.widgets.footer import KeyFooter
from briefing.tui.widgets.nav import NavOptionList
from briefing.tui.widgets.reader_body import (
    MODE_NAMES,
    MODES,
    ReaderBody,
    pick_translation,
    rows,
    translated_title,
)
from briefing.tui.widgets.status import StatusLine

# Below this many columns two columns of prose are too narrow to read: stack instead, and the
# facts pane starts hidden (F shows it).
SIDE_BY_SIDE_MIN_WIDTH = 100
COLLECT_AFTER_S = 0.1  # the garbage collection after an article is shown
# Facts of a kind listed in the pane: an article has a few dozen; a pasted table of 30,000
# figures took 11 s to list, option by option.
FACTS_PER_KIND = 300
NO_ENGINE = ('No translation engine is configured. Set one in the config file (`briefing '
             'locate` shows where), e.g.\n[translation]\nengine = "libretranslate"')


def _collect_garbage() -> None:
    """Textual leaves thousands of objects in reference cycles per article shown (strips
    that cache themselves, the styles of replaced widgets): left to itself, Python's full
    collection ran every second or third open, 50-250 ms inside it. It runs here instead,
    once the article is on screen and is being read. The first time, what the app holds
    by then (modules, classes, the main screen, the kept reader) is set aside for good
    (gc.freeze), so that each collection walks only what was made since; the one article
    then on screen is set aside with it (start-up's objects may be already: end_startup_gc)."""
    gc.collect()
    if not _collected:
        _collected.append(True)
        gc.freeze()


_collected: list[bool] = []  # whether _collect_garbage has run in this process


class ReaderScreen(ArticleScreen):
    BINDINGS = keys.bindings("reader")
    mode: reactive[str] = reactive("original", init=False)

    def __init__(self, article_id: str, mode: str, source: ArticleList | None = None) -> None:
        super().__init__(classes="reader")
        self.article_id = article_id
        self.article: Article | None = None
        self.source = source  # the list it was opened from; n/N/J/K walk it
        self._facts_of: str | None = None  # the article the facts pane was built for
        # The article whose body has been painted, and the one whose facts pane has been
        # filled and painted after it (the bench and tests wait on them).
        self.painted: str | None = None
        self.complete: str | None = None
        # When it was painted (perf_counter) and the UI thread's CPU then (thread_time): the
        # facts pane is filled in the same callback, so a watcher of `painted` sees it late.
        self.painted_at = (0.0, 0.0)
        self.set_reactive(ReaderScreen.mode, mode)

    def compose(self) -> ComposeResult:
        yield Static(id="reader-title")
        yield Static(id="reader-mode")
        with Horizontal(id="reader-main"):
            yield ReaderBody(id="reader-scroll")
            yield NavOptionList(id="facts-panel")
        yield StatusLine(id="status")
        yield KeyFooter()

    def _body(self) -> ReaderBody | None:
        """The body, or None when the app closed while the reader composed ahead (warm_reader)
        was mounting: its children never came, and there is nothing to show, empty or lay out
        (seen under load as NoMatches from on_mount, on_screen_suspend and on_resize)."""
        return next(iter(self.query(ReaderBody)), None)

    def on_mount(self) -> None:
        body = self._body()
        if body is None:
            return
        body.focus()
        self._apply_mode()
        if self.article_id:  # none: composed ahead, while the list was idle (warm_reader)
            self.start_load(mark_read=self._marks_on_open)

    @property
    def _marks_on_open(self) -> bool:
        return self.bapp.settings.mark_read != "leave"

    def current_article(self) -> Article | None:
        return self.article

    def show(self, article_id: str) -> None:
        """Read another article in place (n, N, J, K, space)."""
        self._leaving()
        self.article_id = article_id
        self.article = None
        self.start_load(mark_read=self._marks_on_open)

    def reopen(self, article_id: str, mode: str, source: ArticleList | None) -> None:
        """The kept reader shows another article, opened from `source`. The last article's
        title, body and facts go first: this runs before the pushed screen's first refresh,
        so they are never drawn. (Not a class that hides them: a class on the screen restyles
        every row of the last article's body, a thousand for a long one.)"""
        self.source = source
        self.set_reactive(ReaderScreen.mode, mode)
        self.query_one("#reader-title", Static).update("")
        self.query_one(ReaderBody).clear()
        self.query_one("#facts-panel", OptionList).clear_options()
        self.query_one("#reader-scroll").focus()
        self.show(article_id)

    def _leaving(self) -> None:
        a = self.article
        if a is not None and not a.read and not self._marks_on_open:
            self.set_state(a.id, read=True, starred=a.starred)

    def start_load(self, mark_read: bool) -> None:
        """Show the article: the copy the list's preview has just loaded when it is this one
        (the usual way in: a row highlighted, then enter), else one read from the database
        here and now (a worker's way if that read fails)."""
        pre = self.bapp.preloaded
        if pre is None or pre.article is None or pre.article_id != self.article_id:
            pre = self._read_now()
            if pre is None:
                self._load(mark_read)
                return
        art = pre.article
        if art is None:
            self._show_loaded(pre)  # "Article not found."
            return
        if mark_read and not art.read:
            art = replace(art, read=True)
            self.set_state(art.id, read=True, starred=art.starred)  # written by a worker
        # Shown now, not by a message handled after the next refresh: the screen is then
        # painted once, with the article, not first empty and again a moment later.
        self._show_loaded(ArticleLoaded(art.id, art, pre.written))

    def _read_now(self) -> ArticleLoaded | None:
        """The article read on the UI thread, or None when that failed. A worker's answer
        came a frame late: the reader was laid out and drawn empty first, then again with the
        article (a third of an open at 100,000 articles), after the worker thread had waited
        for its turn. The read is ~1-2 ms, and in WAL mode it never waits for a writer; the
        write that marks it read stays in a worker (set_state), as for a previewed article."""
        try:
            with open_store(self.bapp.db_path) as store:
                return self._loaded(store, self.article_id)
        except Exception:  # whatever it is, the worker's way reports it as before
            return None

    def _loaded(self, store: Store, article_id: str) -> ArticleLoaded:
        """The article as stored, with what the writer wrote of it in the reader's language."""
        art = store.get_article(article_id)
        written = written_store.get(store, article_id, self.bapp.settings.translation.target)
        return ArticleLoaded(article_id, art, written[0] if written else None)

    @work(thread=True, group="reader", exclusive=True, exit_on_error=False)
    def _load(self, mark_read: bool) -> None:
        article_id = self.article_id
        with open_store(self.bapp.db_path) as store:
            if mark_read:
                store.set_read(article_id, True)  # opening an article reads it
            loaded = self._loaded(store, article_id)
        self.post_message(loaded)
        art = loaded.article
        if art is not None and mark_read:
            self.post_message(ArticleChanged(art.id, art.read, art.starred))
            # The sidebar's unread counts move now, not at the next ctrl+r.
            self.post_message(DataChanged(articles_changed=False))

    @work(thread=True, group="reader-check", exclusive=True, exit_on_error=False)
    def reload_if_changed(self) -> None:
        """Show the article again if a fetch changed it (an edited file or feed item): the
        reader kept the old text after "1 updated", and ctrl+r did not help. Its read and
        starred marks alone are no change (this reader made those)."""
        shown, article_id = self.article, self.article_id
        if shown is None:
            return
        with open_store(self.bapp.db_path) as store:
            loaded = self._loaded(store, article_id)
        art = loaded.article
        if art is None or replace(art, read=shown.read, starred=shown.starred) == shown:
            return
        self.post_message(loaded)

    def on_article_loaded(self, msg: ArticleLoaded) -> None:
        msg.stop()
        self._show_loaded(msg)

    def _show_loaded(self, msg: ArticleLoaded) -> None:
        if msg.article_id != self.article_id:
            return  # the reader has moved on to another article meanwhile
        pre = self.bapp.preloaded
        if pre is not None and pre.article_id == msg.article_id and pre is not msg:
            self.bapp.preloaded = msg  # fresher (a translation just saved, say)
        art = self.article = msg.article
        self._facts_of = None  # a new load: its facts, even of the same article
        if art is None:
            self.query_one("#reader-title", Static).update(Text("Article not found."))
            return
        self._show_header(art)
        body = self.query_one(ReaderBody)
        tr = pick_translation(art, self.bapp.settings.translation.target)
        # The view's classes before the rows, so the rows are laid out once as they will
        # show, not once as loaded and again after. The facts pane is filled once the body
        # is painted (_after_paint): its options are measured and drawn one by one, and
        # that was a third of the time to the text on screen.
        self._apply_mode(fill_facts=False)
        self.query_one("#facts-panel", OptionList).clear_options()
        body.set_content(rows(art, tr, msg.written))
        body.scroll_home(animate=False)
        self.call_after_refresh(self._after_paint, art.id)

    def _show_header(self, art: Article) -> None:
        # At most three lines of title, so the source line under it always shows (the header
        # holds four).
        lines = int(2.6 * max(20, self.size.width - 2))  # words wrap short of the edge
        title = render.plain(self._title(art), style="bold", limit=min(400, lines - 3))
        # One line, cut with an ellipsis: a long URL must not push the text down on 80x24.
        # Starred and unread say so here: s and m changed nothing on the reader's screen.
        meta = render.plain(" · ".join(x for x in (
            "★" if art.starred else "", render.source_name(art),
            render.short_date(art.published, self.bapp.now), art.language,
            "" if art.read else "unread", art.url) if x), style="dim", limit=400,
            overflow="ellipsis")
        self.query_one("#reader-title", Static).update(Group(title, meta))

    def _title(self, art: Article) -> str:
        """The header's title: the translated one in the translation-only view, when the
        translation has one (the body then leaves out its title row), else as written."""
        if self.mode == "translation":
            tr = pick_translation(art, self.bapp.settings.translation.target)
            translated = translated_title(tr) if tr is not None else ""
            if translated:
                return translated
        return art.title or art.url

    def _after_paint(self, article_id: str) -> None:
        if self.article is None or self.article.id != article_id:
            return
        self.painted = article_id
        self.painted_at = (time.perf_counter(), time.thread_time())
        self._apply_mode()  # the facts pane
        self.call_after_refresh(self._after_facts, article_id)

    def _after_facts(self, article_id: str) -> None:
        if self.article is not None and self.article.id == article_id:
            self.complete = article_id
            self.set_timer(COLLECT_AFTER_S, _collect_garbage)

    def _show_facts(self, art: Article) -> None:
        # Built when shown (_apply_mode): a narrow terminal hides the pane, and a few hundred
        # facts are options measured one by one.
        self._facts_of = art.id
        pane = self.query_one("#facts-panel", OptionList)
        pane.clear_options()
        if not art.facts:
            pane.add_option(Option(Text("No facts found.", style="dim italic"), disabled=True))
        for kind in render.fact_kinds(art.facts):
            if pane.option_count:
                pane.add_option(None)
            pane.add_option(Option(render.fact_heading(kind), disabled=True))
            distinct = render.distinct_facts(art.facts, kind)
            pane.add_options(
                Option(render.fact_prompt(kind, label, mentions, para), id=f"fact{kind}{n}:{para}")
                for n, (label, mentions, para) in enumerate(distinct[:FACTS_PER_KIND]))
            if len(distinct) > FACTS_PER_KIND:
                pane.add_option(Option(Text(f"… {len(distinct) - FACTS_PER_KIND:,} more",
                                            style="dim italic"), disabled=True))

    @on(OptionList.OptionSelected, "#facts-panel")
    def _fact_chosen(self, event: OptionList.OptionSelected) -> None:
        """Scroll to the fact's paragraph and mark it, so the ¶ number leads somewhere."""
        paragraph = (event.option.id or "").rpartition(":")[2]
        if not paragraph.lstrip("-").isdigit():
            return
        body = self.query_one(ReaderBody)
        body.mark(int(paragraph))
        # After the next layout: the pane's focus may have changed the body's width.
        self.call_after_refresh(body.scroll_to_paragraph, int(paragraph))

    def on_article_changed(self, msg: ArticleChanged) -> None:
        if self.article is not None and msg.article_id == self.article.id:
            self.article = replace(self.article, read=msg.read, starred=msg.starred)
            if self.article.id == self.article_id:
                self._show_header(self.article)

    # -- view modes ----------------------------------------------------------------------

    @property
    def effective_mode(self) -> str:
        if self.mode == "side" and self.app.size.width < SIDE_BY_SIDE_MIN_WIDTH:
            return "stacked"
        return self.mode

    def watch_mode(self, mode: str) -> None:
        self.bapp.reader_mode = mode  # the next article opens in the same mode
        self._apply_mode()
        if self.article is not None and self.article.id == self.article_id:
            self._show_header(self.article)

    def on_resize(self) -> None:
        if self._body() is not None:
            self._apply_mode()
            # The title's length is cut for the width: narrowed, the title cut for a wide
            # terminal took the header's four rows and pushed the source line out.
            if self.article is not None and self.article.id == self.article_id:
                self._show_header(self.article)

    @property
    def facts_shown(self) -> bool:
        shown = self.bapp.facts_shown  # F's choice holds for the next articles too
        return self.app.size.width >= SIDE_BY_SIDE_MIN_WIDTH if shown is None else shown

    def _apply_mode(self, *, fill_facts: bool = True) -> None:
        effective = self.effective_mode
        pane = self.query_one("#facts-panel")
        pane.display = self.facts_shown
        if (fill_facts and pane.display and self.article is not None
                and self._facts_of != self.article.id):
            self._show_facts(self.article)
        self.query_one(ReaderBody).set_view(effective, folded=self.bapp.summary_folded,
                                            numbered=self.facts_shown)
        if not pane.display and pane.has_focus:
            self.query_one("#reader-scroll").focus()
        line = Text("View: ", style="dim")
        line.append(MODE_NAMES[self.mode], style="bold")
        untranslated = (self.article is not None and not self.article.translations
                        and self.mode != "original")
        # With no translation nothing is side by side, and at 80 columns the width note
        # pushed the hint that says what to press off the line.
        if effective != self.mode and not untranslated:
            line.append(f"  (stacked: terminal narrower than {SIDE_BY_SIDE_MIN_WIDTH} columns)",
                        style="dim")
        if untranslated:
            line.append("  · no translation yet (t)", style="dim")
        self.query_one("#reader-mode", Static).update(line)

    def action_cycle_mode(self) -> None:
        self.mode = MODES[(MODES.index(self.mode) + 1) % len(MODES)]

    def action_set_mode(self, mode: str) -> None:
        if mode in MODES:
            self.mode = mode

    def action_scroll_body(self, direction: int) -> None:
        scroll = self.query_one(ReaderBody)
        scroll.scroll_relative(y=direction * 3, animate=False)

    def action_go_top(self) -> None:
        self.query_one(ReaderBody).scroll_home(animate=False)

    def action_go_bottom(self) -> None:
        self.query_one(ReaderBody).scroll_end(animate=False)

    def action_go_page(self, direction: int) -> None:
        scroll = self.query_one(ReaderBody)
        if direction > 0:
            scroll.scroll_page_down(animate=False)
        else:
            scroll.scroll_page_up(animate=False)

    def action_page_or_next(self) -> None:
        scroll = self.query_one(ReaderBody)
        if scroll.scroll_y >= scroll.max_scroll_y:
            self.action_next_unread()
        else:
            scroll.scroll_page_down(animate=False)

    def action_fold_summary(self) -> None:
        self.bapp.summary_folded = not self.bapp.summary_folded
        self._apply_mode()

    def action_toggle_facts(self) -> None:
        self.bapp.facts_shown = not self.facts_shown
        self._apply_mode()

    def action_back(self) -> None:
        self._leaving()
        self.app.pop_screen()

    def on_screen_suspend(self) -> None:
        if self in self.app.screen_stack:
            return  # covered (help, search), not left: it shows again as it was
        # Emptied on the way out: the next article must not show the last one's rows, not
        # for one frame.
        body = self._body()
        if body is not None:
            body.clear()

    # -- reading through the list --------------------------------------------------------

    def _position(self) -> int | None:
        lst = self.source
        if lst is None or self.article_id not in lst.summaries:
            return None
        return lst.order.index(self.article_id)

    def _go(self, index: int | None, none_left: str) -> bool:
        lst = self.source
        if lst is None or index is None:
            if none_left:
                self.notify(none_left, markup=False)
            return False
        lst.move_cursor(row=index)
        self.show(lst.order[index])
        return True

    def action_next_article(self, step: int) -> None:
        at = self._position()
        if at is not None and self.source is not None:
            self._go(self.source.next_index(at + step, step, unread=False),
                     "No next article." if step > 0 else "No previous article.")

    def action_prev_unread(self) -> None:
        at = self._position()
        if at is not None and self.source is not None:
            self._go(self.source.next_index(at - 1, -1, unread=True), "No unread article above.")

    def action_next_unread(self) -> None:
        at = self._position()
        lst = self.source
        if at is None or lst is None:
            return
        from briefing.tui.screens.main import walk_to_next_unread

        # The walk may wait on a worker: the user may have gone back to the list meanwhile.
        walk_to_next_unread(lst, at, self._go, lambda: self.is_current and self.source is lst)

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
