"""Where briefing keeps its files. One function per path; env variables win over platform dirs."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "briefing"


def config_file() -> Path:
    """The TOML config file: $BRIEFING_CONFIG, else the platform config dir. Not created."""
    env = os.environ.get("BRIEFING_CONFIG")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir(APP)) / "config.toml"


def data_dir() -> Path:
    """The platform data directory. Not created here; see db_path()."""
    return Path(platformdirs.user_data_dir(APP))


def db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The database: an explicit path, else $BRIEFING_DB, else the data dir.

    Creates the parent folder, because SQLite will not.
    """
    if explicit:
        path = Path(explicit).expanduser()
    elif os.environ.get("BRIEFING_DB"):
        path = Path(os.environ["BRIEFING_DB"]).expanduser()
    else:
        path = data_dir() / "briefing.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def state_file() -> Path:
    """The TUI's own state (theme, view mode, sort order, title language): $BRIEFING_STATE,
    else the platform state dir. Not created here; `briefing.state.save` makes the folder."""
    env = os.environ.get("BRIEFING_STATE")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_state_dir(APP)) / "state.toml"


def cache_dir() -> Path:
    """What briefing can rebuild (the unpacked language model): $BRIEFING_CACHE, else the
    platform cache dir. Creates the folder."""
    env = os.environ.get("BRIEFING_CACHE")
    path = Path(env).expanduser() if env else Path(platformdirs.user_cache_dir(APP))
    path.mkdir(parents=True, exist_ok=True)
    return path
