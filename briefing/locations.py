"""Where briefing keeps its files. One function per path; env variables win over platform dirs."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from briefing.errors import UsageError
from briefing.text import one_line

APP = "briefing"


NOT_UTF8 = "its name is not UTF-8 (rename it to read it)"


def not_utf8(name: str) -> bool:
    """Whether a file name holds bytes that are not UTF-8 (Python keeps them as lone
    surrogates, which the database and JSON cannot take)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def shown_name(name: str) -> str:
    """A file name as it can be printed and stored: bytes that are not UTF-8 as \\xNN."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def expand_user(path: str | os.PathLike[str]) -> Path:
    """Path(path).expanduser(), with "~name" of a user this machine does not know a clear
    error (pathlib raises a RuntimeError, which reached users as a traceback, the TUI's
    included)."""
    try:
        return Path(path).expanduser()
    except RuntimeError:
        head = str(path).split("/", 1)[0]
        raise UsageError(f"{one_line(str(path), 200)}: no user named {head[1:]!r} on this "
                         "machine") from None


def config_file() -> Path:
    """The TOML config file: $BRIEFING_CONFIG, else the platform config dir. Not created."""
    env = os.environ.get("BRIEFING_CONFIG")
    if env:
        return expand_user(env)
    return Path(platformdirs.user_config_dir(APP)) / "config.toml"


def data_dir() -> Path:
    """The platform data directory. Not created here; see db_path()."""
    return Path(platformdirs.user_data_dir(APP))


def db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The database: an explicit path, else $BRIEFING_DB, else the data dir.

    Creates the parent folder, because SQLite will not.
    """
    if explicit:
        path = expand_user(explicit)
    elif os.environ.get("BRIEFING_DB"):
        path = expand_user(os.environ["BRIEFING_DB"])
    else:
        path = data_dir() / "briefing.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def state_file() -> Path:
    """The TUI's own state (theme, view mode, sort order, title language): $BRIEFING_STATE,
    else the platform state dir. Not created here; `briefing.state.save` makes the folder."""
    env = os.environ.get("BRIEFING_STATE")
    if env:
        return expand_user(env)
    return Path(platformdirs.user_state_dir(APP)) / "state.toml"


def cache_dir() -> Path:
    """What briefing can rebuild (the unpacked language model): $BRIEFING_CACHE, else the
    platform cache dir. Creates the folder."""
    env = os.environ.get("BRIEFING_CACHE")
    path = expand_user(env) if env else Path(platformdirs.user_cache_dir(APP))
    path.mkdir(parents=True, exist_ok=True)
    return path
