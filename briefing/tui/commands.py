"""The command palette lists the same actions as the key bindings (posting's habit)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from briefing.tui import keys

if TYPE_CHECKING:
    from briefing.tui.app import BriefingApp

VIEW_MODES = (("original", "View: original"), ("side", "View: side by side"),
              ("stacked", "View: stacked"), ("translation", "View: translation only"))


class BriefingCommands(Provider):
    def _available(self) -> list[tuple[str, str, str]]:
        """(name, action, help) for what the current screen (or the app) can do now."""
        screen = self.screen
        # The user's [keys] remaps (what the app gave Textual's set_keymap), as help shows them.
        keymap = dict(cast("BriefingApp", self.app).settings.keys)
        found: list[tuple[str, str, str]] = []
        for c in keys.unique(keys.COMMANDS):
            action = c.action.split("(")[0]
            if not c.palette:
                continue
            help_text = f"key {keys.display(self.app, keys.keys_for(c, keymap))}"
            if hasattr(screen, f"action_{action}"):
                found.append((c.description, c.action, help_text))
            elif c.scope == "app":
                found.append((c.description, f"app.{c.action}", help_text))
        if hasattr(screen, "action_set_mode"):
            found += [(name, f"set_mode('{m}')", "reader view mode") for m, name in VIEW_MODES]
        return found

    async def discover(self) -> Hits:
        for name, action, help_text in self._available():
            yield DiscoveryHit(name, partial(self.screen.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action, help_text in self._available():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(self.screen.run_action, action),
                          text=name, help=help_text)
