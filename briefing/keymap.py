"""Every key binding in one table, so the screens, the help screen, the command palette and the
config check agree.

Each binding carries an id; a `[keys]` config section maps ids to other keys (`star = "f"`)
and the app applies it with `App.set_keymap` (posting does the same). This module imports no
Textual, so the CLI can check `[keys]` when it loads the config; `briefing.tui.keys` turns the
table into Textual bindings.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    id: str
    key: str
    action: str
    description: str
    scope: str  # app | main | list (every list widget) | article (screens with a current
    # article) | reader | feeds (the feeds screen)
    show: bool = True  # in the footer
    palette: bool = True  # in the command palette
    label: str = ""  # the footer's shorter text, when `description` is too long for it


COMMANDS: tuple[Command, ...] = (
    # `q` goes back one level everywhere (the reader, search, stories, help, a feed's list on
    # the main screen): it quits only from the main screen's list of every article, and `Q`
    # quits from anywhere (newsboat's habit).
    # The footer says Quit or Back as q does (MainScreen._label_quit); help says both.
    Command("quit", "q", "quit", "Quit; in a feed's, tag's or story's list: back to all",
            "main", palette=False, label="Quit"),
    Command("show_all", "escape", "show_all", "All articles", "main", show=False),
    Command("quit_now", "Q", "quit", "Quit", "app"),
    Command("help", "question_mark", "help", "Help", "app"),
    Command("search", "slash", "search", "Search", "app"),
    # The main screen's footer at 80 columns holds its keys only with "Fetch" (Textual's
    # Footer lays the keys out in one row, the focused widget's first and the app's last,
    # and cuts what does not fit: `/ Search` and `r Fetch` went first).
    Command("fetch", "r", "fetch", "Fetch now", "app", label="Fetch"),
    Command("refresh", "ctrl+r", "refresh", "Reload from the database", "app", show=False),
    Command("stories", "S", "stories", "Stories: copies of one story", "app", show=False),
    Command("add_feed", "a", "add_feed", "Add a feed (URL or path)", "app", show=False),
    Command("feeds", "E", "feeds", "Feeds: add, remove, rename, retag", "app", show=False),
    Command("titles", "T", "toggle_titles", "Titles: translated/original", "app", show=False),
    Command("sort", "O", "toggle_sort", "Sort: newest/oldest first", "app", show=False),
    # Short in the footer, under the "Feeds" title: at 80 columns the long ones left no room
    # for help.
    Command("remove_feed", "d", "remove_feed", "Remove feed", "feeds", label="Remove"),
    Command("rename_feed", "e", "rename_feed", "Rename feed", "feeds", label="Rename"),
    Command("retag_feed", "t", "retag_feed", "Retag feed", "feeds", label="Retag"),
    Command("down", "j,down", "cursor_down", "Down", "list", show=False, palette=False),
    Command("up", "k,up", "cursor_up", "Up", "list", show=False, palette=False),
    Command("top", "g,home", "go_top", "First", "list", show=False, palette=False),
    Command("bottom", "G,end", "go_bottom", "Last", "list", show=False, palette=False),
    Command("page_down", "pagedown,ctrl+d", "go_page(1)", "Page down", "list", show=False,
            palette=False),
    Command("page_up", "pageup,ctrl+u", "go_page(-1)", "Page up", "list", show=False,
            palette=False),
    Command("open", "enter", "select_cursor", "Open", "list", palette=False),
    Command("star", "s", "star", "Star", "article"),
    Command("toggle_read", "m", "toggle_read", "Read/unread", "article"),
    # Not in the footer: it made room there for search and fetch, and a key that marks
    # every article read is not one to offer a newcomer (help and the palette list it).
    Command("mark_all_read", "A", "mark_all_read", "Mark all read (the main list)", "article",
            show=False),
    Command("undo_mark_all", "u", "undo_mark_all", "Undo mark all read", "main", show=False),
    Command("unread_only", "U", "unread_only", "Unread only (toggle)", "main", show=False),
    Command("toggle_sidebar", "B", "toggle_sidebar", "Hide/show the sidebar", "main",
            show=False),
    Command("open_link", "o", "open_link", "Open link in browser", "article", show=False),
    Command("copy_post", "c", "copy_post", "Copy the post", "article", show=False),
    Command("copy_link", "C", "copy_link", "Copy link", "article", show=False),
    # q first: the footer shows a binding's first key, and q is the newsboat hand's way back.
    Command("back", "q,escape", "back", "Back", "reader"),
    # The main screen binds these two as well (out of its footer), as newsboat's article
    # list: the next (previous) unread article, opened.
    Command("next_unread", "n", "next_unread", "Next unread", "reader"),
    Command("prev_unread", "N", "prev_unread", "Previous unread", "reader", show=False),
    Command("next_article", "J", "next_article(1)", "Next article", "reader", show=False),
    Command("prev_article", "K", "next_article(-1)", "Previous article", "reader", show=False),
    Command("page_or_next", "space", "page_or_next", "Page down, then next unread", "reader",
            show=False, palette=False),
    Command("fold_summary", "z", "fold_summary", "Fold the summary", "reader", show=False),
    Command("toggle_facts", "F", "toggle_facts", "Hide/show the facts pane", "reader",
            show=False),
    Command("view_mode", "v", "cycle_mode", "View mode", "reader"),
    Command("translate", "t", "translate", "Translate", "reader"),
    Command("scroll_down", "j", "scroll_body(1)", "Scroll down", "reader", show=False,
            palette=False),
    Command("scroll_up", "k", "scroll_body(-1)", "Scroll up", "reader", show=False,
            palette=False),
)

# The reader shares these with the lists; same ids, so one remap changes both.
SHARED_WITH_READER = ("star", "toggle_read", "open_link", "copy_post", "copy_link",
                      "top", "bottom", "page_down", "page_up")
# The main screen binds these reader keys too, as newsboat's article list does: the next
# (previous) unread article, opened. The help screen lists them under both.
SHARED_WITH_MAIN = ("next_unread", "prev_unread")
# Every list that is not the article table (sidebar, stories, facts pane) moves with these.
MOVEMENT = ("down", "up", "top", "bottom", "page_down", "page_up")

# Keys Textual itself binds on every app and screen (textual 8: App.BINDINGS, Screen.BINDINGS,
# App.COMMAND_PALETTE_BINDING), with the action each runs; a test compares this with Textual.
# A remap onto one of them would silently lose either ours or Textual's.
RESERVED: Mapping[str, str] = {
    "ctrl+q": "quit", "ctrl+c": "copy text or quit", "ctrl+p": "the command palette",
    "tab": "focus next", "shift+tab": "focus previous",
}

# The bindings active together, by where the user stands: one key means one thing in each.
# The search screen adds `back` to the article list; the stories list uses the movement keys.
_PLACES = (("the main screen", ("app", "main", "list", "article"),
            ("next_unread", "prev_unread")),
           ("the search screen", ("app", "list", "article"), ("back",)),
           ("the stories screen", ("app",), ("back", "open", *MOVEMENT)),
           ("the reader", ("app", "reader"), ()),
           ("the feeds list", ("app", "feeds"), ("back", *MOVEMENT)))


def commands(scope: str) -> list[Command]:
    found = [c for c in COMMANDS if c.scope == scope]
    if scope == "reader":
        found += [c for c in COMMANDS if c.id in SHARED_WITH_READER]
    return found


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


_MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})


def _a_key(key: str) -> bool:
    """Whether `key` can name a key Textual sends: a name ("f", "down", "plus") after any
    modifiers ("ctrl+shift+r"). "ctrl+", "+" or 100,000 letters were taken, and never fired."""
    if not key or len(key) > 40 or any(ch.isspace() or not ch.isprintable() for ch in key):
        return False
    *mods, name = key.split("+")
    return bool(name) and all(m in _MODIFIERS for m in mods)


def check(keymap: Mapping[str, str]) -> None:
    """Raise ValueError naming the first `[keys]` entry that is not a binding id, is not a key,
    or takes a key another binding (or Textual) already answers to where both are active."""
    ids = {c.id for c in COMMANDS}
    for name, value in keymap.items():
        if name not in ids:
            raise ValueError(f"keys.{name}: no such binding (ids: {', '.join(sorted(ids))})")
        keys = [k.strip() for k in value.split(",")]
        if any(not _a_key(k) for k in keys):
            raise ValueError(f"keys.{name} = {_quoted(value)} is not a key or comma-separated keys "
                             "(like \"f\", \"ctrl+r\" or \"j,down\")")
        command = next(c for c in COMMANDS if c.id == name)
        for k in keys:
            if k in RESERVED and RESERVED[k] != command.action:
                raise ValueError(f"keys.{name} = {_quoted(value)}: {k} is Textual's key for "
                                 f"{RESERVED[k]}")
    for place, scopes, extra in _PLACES:
        _check_place(keymap, place, unique(
            [c for s in scopes for c in commands(s)] + [c for c in COMMANDS if c.id in extra]))


def _check_place(keymap: Mapping[str, str], place: str, active: list[Command]) -> None:
    owner: dict[str, Command] = {}
    for c in active:
        for k in (k.strip() for k in keys_for(c, keymap).split(",")):
            other = owner.setdefault(k, c)
            if other is c:
                continue
            mine, theirs = (c, other) if c.id in keymap else (other, c)
            raise ValueError(f"keys.{mine.id} = {_quoted(keys_for(mine, keymap))}: {k} is also the "
                             f"key of {theirs.id} in {place}")


def _quoted(value: str) -> str:
    """As the TOML file spells it."""
    return json.dumps(value, ensure_ascii=False)
