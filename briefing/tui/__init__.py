"""The terminal front end. Importing this package does not import Textual: `run` does."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from briefing.config import Settings

__all__ = ["run"]


def run(db_path: Path, settings: Settings) -> int:
    """Open the reading room on the database at `db_path` until the user quits; the exit
    code (ExitCode.HANGUP when its terminal went away)."""
    from briefing.tui.startup import begin_startup_gc, end_startup_gc

    begin_startup_gc()
    try:
        from briefing.tui.app import BriefingApp

        app = BriefingApp(db_path, settings)
        app.run()
    finally:
        end_startup_gc()
    return app.return_code or 0
