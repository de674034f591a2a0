"""`?`: every binding, with the keys the user's `[keys]` section gave it."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from briefing import keymap
from briefing.keymap import MOVEMENT
from briefing.tui import keys

SECTIONS = (("app", "Everywhere"), ("main", "Main screen"), ("list", "Every list"),
            ("article", "Lists and search"), ("reader", "Reader"), ("feeds", "Feeds (E)"))
CLOSE = "escape, q or ? closes this help"


class HelpScreen(ModalScreen[None]):
    # The lists' movement keys (j/k, g/G, ctrl+d/u, as remapped): only the arrows and page
    # keys scrolled the help, so j, the first key a newsboat hand tries, did nothing.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="close_help"),
        *keys.bindings_by_id(*MOVEMENT)]

    def __init__(self, keymap: dict[str, str]) -> None:
        super().__init__(id="help")
        self.keymap = keymap

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box") as box:
            box.border_title = "Keys"
            box.border_subtitle = CLOSE
            yield Static(self._table(), id="help-table")

    def _table(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        table.add_column(style="dim")
        table.add_row("", Text(CLOSE, style="bold"), "")
        table.add_row("", "", "")
        for scope, title in SECTIONS:
            table.add_row(Text(title, style="bold underline"), "", "")
            shared = [c for c in keymap.COMMANDS if c.id in keymap.SHARED_WITH_MAIN]
            for c in keys.unique([*keys.commands(scope), *(shared if scope == "main" else [])]):
                shown = keys.display(self.app, keys.keys_for(c, self.keymap))
                table.add_row(Text(shown), Text(c.description), Text(c.id))
            table.add_row("", "", "")
        table.add_row(Text("ctrl+p", style="bold cyan"), Text("Command palette"), "")
        table.add_row("", Text("Remap in the config file, e.g. [keys] star = \"f\""), "")
        return table

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)

    def _box(self) -> VerticalScroll:
        return self.query_one("#help-box", VerticalScroll)

    def action_cursor_down(self) -> None:
        self._box().scroll_down(animate=False)

    def action_cursor_up(self) -> None:
        self._box().scroll_up(animate=False)

    def action_go_top(self) -> None:
        self._box().scroll_home(animate=False)

    def action_go_bottom(self) -> None:
        self._box().scroll_end(animate=False)

    def action_go_page(self, direction: int) -> None:
        box = self._box()
        if direction > 0:
            box.scroll_page_down(animate=False)
        else:
            box.scroll_page_up(animate=False)
