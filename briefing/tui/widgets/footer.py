"""The key footer, redrawn only when the keys it shows change."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer

# The keys that say how to leave and where the other keys are: the footer keeps them when
# the terminal is too narrow for every key (open, as the lists' first step, too).
ESSENTIAL = frozenset({"back", "quit", "show_all", "help", "dismiss", "select_cursor"})


def _width(key: Widget) -> int:
    """Cells a footer key takes (not compact): ` k ` then `description `. Read from the
    key's public attributes: Textual 8 does not export its FooterKey class."""
    shown, description = getattr(key, "key_display", ""), getattr(key, "description", "")
    return cell_len(shown) + 2 + (cell_len(description) + 1 if description else 0)


def fitting(keys: list[Widget], room: int) -> list[Widget]:
    """The keys that fit in `room` cells, in their order: the last ones that are not
    essential go first. Textual's Footer lays every key out in one row and cuts it at the
    edge, the screen's keys first and the app's last, so at 80 columns the reader's row
    ended in `m Read/u` and help, quit, search and fetch were gone."""
    kept = list(keys)
    for key in reversed(keys):
        if sum(map(_width, kept)) <= room:
            break
        if getattr(key, "action", "") not in ESSENTIAL:
            kept.remove(key)
    return kept


class KeyFooter(Footer):
    """Textual's Footer recomposes (a widget per key, each styled) whenever the screen's
    bindings may have changed: every focus change and every screen switch. Opening an article
    did that three to five times, a fifth of the open's cost at 120x40, for the same keys.
    This one recomposes only when the shown keys (or whether they are enabled) differ, or the
    terminal's width does (which keys fit)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown_keys: tuple[tuple[str, str, bool, str], ...] | None = None
        self._laid_out_for = 0  # the width the keys were chosen for

    def compose(self) -> ComposeResult:
        widgets = list(super().compose())
        palette = [w for w in widgets if w.has_class("-command-palette")]
        keys = [w for w in widgets if w not in palette]
        # The palette's key sits at the right edge with a border and padding of its own.
        room = self.app.size.width - sum(_width(w) + 2 for w in palette)
        self._laid_out_for = self.app.size.width
        kept = fitting(keys, room)
        yield from [w for w in widgets if w in kept or w in palette]

    def on_resize(self, event: events.Resize) -> None:
        if self._shown_keys is not None and self.app.size.width != self._laid_out_for:
            self.call_after_refresh(self.recompose)

    def bindings_changed(self, screen: Screen[Any]) -> None:
        shown = tuple((binding.key, binding.description, enabled, tooltip)
                      for _node, binding, enabled, tooltip in screen.active_bindings.values()
                      if binding.show)
        if shown == self._shown_keys:
            return
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._shown_keys = shown  # only a change the footer will draw counts as seen
        super().bindings_changed(screen)
