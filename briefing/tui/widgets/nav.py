"""An option list that moves with the same keys as the article list (j/k, g/G, Home/End,
PageUp/PageDown, ctrl+d/u): the sidebar, the stories screen and the reader's facts pane."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import BindingType
from textual.widgets import OptionList

from briefing.keymap import MOVEMENT
from briefing.tui import keys


class NavOptionList(OptionList):
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings_by_id(*MOVEMENT)

    def action_go_top(self) -> None:
        self.action_first()

    def action_go_bottom(self) -> None:
        self.action_last()

    def action_go_page(self, direction: int) -> None:
        if direction > 0:
            self.action_page_down()
        else:
            self.action_page_up()
