"""The binding table (briefing/keymap.py, free of Textual so the CLI can check `[keys]`) as
Textual bindings for the screens.

Each binding carries an id; a `[keys]` config section maps ids to other keys (`star = "f"`)
and the app applies it with `App.set_keymap` (posting does the same).
"""

from __future__ import annotations

from dataclasses import replace

from textual.app import App
from textual.binding import Binding, BindingType

from briefing.keymap import COMMANDS, SHARED_WITH_READER, Command, commands, keys_for, unique

__all__ = ["COMMANDS", "SHARED_WITH_READER", "Command", "bindings", "bindings_by_id", "commands",
           "display", "hidden", "keys_for", "unique"]


def bindings_by_id(*ids: str) -> list[BindingType]:
    return [_binding(c) for c in COMMANDS if c.id in ids]


def bindings(scope: str) -> list[BindingType]:
    return [_binding(c) for c in commands(scope)]


def hidden(found: list[BindingType], *ids: str) -> list[BindingType]:
    """`found`, those whose id is one of `ids` out of the footer (still bound, still in help
    and the palette)."""
    return [replace(b, show=False) if isinstance(b, Binding) and b.id in ids else b
            for b in found]


def _binding(c: Command) -> Binding:
    return Binding(c.key, c.action, c.label or c.description, show=c.show, id=c.id)


def display(app: App[object], keys: str) -> str:
    """Keys as the user presses them ("?", "G", "ctrl+d"), not their names ("question_mark")."""
    return ", ".join(app.get_key_display(Binding(k.strip(), "")) for k in keys.split(","))
