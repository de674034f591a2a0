"""The key footer, redrawn only when the keys it shows change."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    """Textual's Footer recomposes (a widget per key, each styled) whenever the screen's
    bindings may have changed: every focus change and every screen switch. Opening an article
    did that three to five times, a fifth of the open's cost at 120x40, for the same keys.
    This one recomposes only when the shown keys (or whether they are enabled) differ."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown_keys: tuple[tuple[str, str, bool, str], ...] | None = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        shown = tuple((binding.key, binding.description, enabled, tooltip)
                      for _node, binding, enabled, tooltip in screen.active_bindings.values()
                      if binding.show)
        if shown == self._shown_keys:
            return
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._shown_keys = shown  # only a change the footer will draw counts as seen
        super().bindings_changed(screen)
