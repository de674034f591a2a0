"""Every key binding in one table, so the screens, the help screen and the command palette agree.

Each binding carries an id; a `[keys]` config section maps ids to other keys (`star = "f"`)
and the app applies it with `App.set_keymap` (posting does the same).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from textual.binding import Binding, BindingType


@dataclass(frozen=True)
class Command:
    id: str
    key: str
    action: str
    description: str
    scope: str  # app | list (the list widget) | article (screens with a current article) | reader
    show: bool = True  # in the footer
    palette: bool = True  # in the command palette


COMMANDS: tuple[Command, ...] = (
    Command("quit", "q", "quit", "Quit", "app"),
    Command("help", "question_mark", "help", "Help", "app"),
    Command("search", "slash", "search", "Search", "app"),
    Command("fetch", "r", "fetch", "Fetch now", "app"),
    Command("refresh", "ctrl+r", "refresh", "Reload from the database", "app", show=False),
    Command("stories", "S", "stories", "Stories: copies of one story", "app", show=False),
    Command("down", "j,down", "cursor_down", "Down", "list", show=False, palette=False),
    Command("up", "k,up", "cursor_up", "Up", "list", show=False, palette=False),
    Command("open", "enter", "select_cursor", "Open", "list", palette=False),
    Command("star", "s", "star", "Star", "article"),
    Command("toggle_read", "m", "toggle_read", "Read/unread", "article"),
    Command("mark_all_read", "A", "mark_all_read", "Mark all read", "article"),
    Command("open_link", "o", "open_link", "Open link in browser", "article", show=False),
    Command("copy_link", "c", "copy_link", "Copy link", "article", show=False),
    Command("back", "escape", "back", "Back", "reader"),
    Command("view_mode", "v", "cycle_mode", "View mode", "reader"),
    Command("translate", "t", "translate", "Translate", "reader"),
    Command("scroll_down", "j", "scroll_body(1)", "Scroll down", "reader", show=False,
            palette=False),
    Command("scroll_up", "k", "scroll_body(-1)", "Scroll up", "reader", show=False,
            palette=False),
)

# The reader shares these with the lists; same ids, so one remap changes both.
SHARED_WITH_READER = ("star", "toggle_read", "open_link", "copy_link")


def commands(scope: str) -> list[Command]:
    found = [c for c in COMMANDS if c.scope == scope]
    if scope == "reader":
        found += [c for c in COMMANDS if c.id in SHARED_WITH_READER]
    return found


def bindings_by_id(*ids: str) -> list[BindingType]:
    return [_binding(c) for c in COMMANDS if c.id in ids]


def bindings(scope: str) -> list[BindingType]:
    return [_binding(c) for c in commands(scope)]


def _binding(c: Command) -> Binding:
    return Binding(c.key, c.action, c.description, show=c.show, id=c.id)


def keys_for(command: Command, keymap: Mapping[str, str]) -> str:
    """The keys a command is bound to after the user's remaps, for the help screen."""
    return keymap.get(command.id, command.key)


def unique(cmds: Iterable[Command]) -> list[Command]:
    seen: set[str] = set()
    out = []
    for c in cmds:
        if c.id not in seen:
            seen.add(c.id)
            out.append(c)
    return out
