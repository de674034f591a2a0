"""A call that waits for its triggers to stop: the list screens' preview, once the cursor settles.

DataTable posts RowHighlighted on every cursor move, and a held `j` moves it 30 times a second;
a preview costs a thread and a query. The screens run their preview through a `Debounce`, so
only the row the cursor rests on, `delay` seconds after the last move, is loaded.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.message_pump import MessagePump
from textual.timer import Timer


class Debounce:
    def __init__(self, owner: MessagePump, delay: float, callback: Callable[[], None]) -> None:
        self._owner = owner
        self._delay = delay
        self._callback = callback
        self._timer: Timer | None = None

    def __call__(self) -> None:
        """(Re)start the wait: the callback runs `delay` seconds after the last call."""
        self.cancel()
        self._timer = self._owner.set_timer(self._delay, self._fire)

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    @property
    def pending(self) -> bool:
        """A call is waiting out the delay (tests wait on this)."""
        return self._timer is not None

    def _fire(self) -> None:
        self._timer = None
        self._callback()
