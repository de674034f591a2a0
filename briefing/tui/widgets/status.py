"""One line of status (fetch progress, errors), shared by every screen through the app."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class StatusLine(Static):
    def on_mount(self) -> None:
        self.watch(self.app, "status", self._show)

    def _show(self, status: str) -> None:
        # Status lines include source names from feeds: plain Text, never markup.
        self.update(Text(status, no_wrap=True, overflow="ellipsis"))
