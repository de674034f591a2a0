"""EngineError in a leaf module: every engine (argos, and any installed apart) raises it,
and engines.py, which picks the engine, imports them, so none of them imports engines.py."""

from __future__ import annotations

from briefing.errors import BriefingError


class EngineError(BriefingError):
    """An engine failed; the message is one line naming the engine, where, and why.

    `fatal` marks failures no other article would escape (engine unreachable, timing out, not
    configured or not installed), so a batch run stops asking instead of repeating them.
    """

    def __init__(self, message: str, *, fatal: bool = False) -> None:
        super().__init__(message)
        self.fatal = fatal
