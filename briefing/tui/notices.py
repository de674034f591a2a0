"""Log records as notifications while the reader runs.

The CLI's logging writes "briefing: ..." lines to stderr, the very terminal Textual draws on:
a warning from a fetch the reader started (a feed cut short, worker processes that could not
start) landed over the screen and stayed there until something redrew it. While the app
runs, the root logger's handlers are set aside and its warnings become notifications.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING, Any

from briefing.text import one_line

if TYPE_CHECKING:
    from textual.app import App

# A fetch of hundreds of broken feeds warns hundreds of times: a few notifications say it, a
# screen buried under them does not. The feeds screen lists each failing source.
BURST = 5
BURST_SECONDS = 10.0


class Notices(logging.Handler):
    def __init__(self, app: App[Any], loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(logging.WARNING)
        self.app, self.loop = app, loop
        self._shown: list[float] = []
        self._saved: list[logging.Handler] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = one_line(record.getMessage(), 300)
        except Exception:  # a record whose arguments do not format: nothing to show
            return
        now = time.monotonic()
        self._shown = [t for t in self._shown if now - t < BURST_SECONDS]
        if len(self._shown) >= BURST:
            return
        self._shown.append(now)
        severity = "error" if record.levelno >= logging.ERROR else "warning"
        # From any thread (the fetch's own and its event loop's); a closed loop (the app has
        # ended) refuses it.
        with contextlib.suppress(RuntimeError):
            self.loop.call_soon_threadsafe(self._notify, text, severity)

    def _notify(self, text: str, severity: str) -> None:
        if self.app.is_running:
            self.app.notify(text, severity=severity, timeout=8)  # type: ignore[arg-type]

    def install(self) -> None:
        root = logging.getLogger()
        self._saved = root.handlers[:]
        root.handlers = [self]

    def remove(self) -> None:
        root = logging.getLogger()
        if root.handlers == [self]:
            root.handlers = self._saved
