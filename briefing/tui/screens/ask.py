"""Small dialogs: a line of input checked before it is accepted, and a yes/no question.

`AskScreen` runs its `check` on enter: a rejected value keeps the dialog open with the reason
under the box, so nothing is stored until the value is one the store can take.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from briefing.sources.subscribe import SourceRejected
from briefing.tui import render

CSS = """
AskScreen, ConfirmScreen { align: center middle; }
.dialog { width: 80%; max-width: 90; height: auto; border: round $accent; padding: 0 1;
          background: $surface; }
.dialog .hint { color: $text-muted; }
.dialog .error { color: $error; height: auto; }
"""


class AskScreen(ModalScreen[str | None]):
    """One line of input; dismissed with the checked value, or None on escape."""

    DEFAULT_CSS = CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="ask_cancel")]
    # Focused by Textual once the screen shows, not looked up in on_mount: the app closing
    # as the dialog is pushed leaves the box's children unmounted (NoMatches).
    AUTO_FOCUS = "#ask-input"

    def __init__(self, title: str, hint: str, *, value: str = "",
                 check: Callable[[str], str] | None = None, placeholder: str = "") -> None:
        super().__init__(id="ask")
        self.title_text, self.hint, self.value = title, hint, value
        self.placeholder = placeholder
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(render.plain(self.title_text, style="bold"))
            yield Static(render.paragraph(self.hint), classes="hint")
            yield Input(value=self.value, placeholder=self.placeholder, id="ask-input")
            yield Static(id="ask-error", classes="error")

    @on(Input.Submitted, "#ask-input")
    def _submitted(self, event: Input.Submitted) -> None:
        value = event.value
        if self.check is not None:
            try:
                value = self.check(value)
            except SourceRejected as exc:
                self.query_one("#ask-error", Static).update(render.paragraph(str(exc)))
                return
        self.dismiss(value)

    @property
    def error(self) -> str:
        """The reason shown under the box ("" when none; tests read it)."""
        return str(self.query_one("#ask-error", Static).render())

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    DEFAULT_CSS = CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm_yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm_no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__(id="confirm")
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(render.paragraph(self.question))
            yield Static("y: yes   n or escape: no", classes="hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
