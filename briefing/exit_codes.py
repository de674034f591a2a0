"""Exit codes shared by every command, so cron and scripts can tell outcomes apart."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    PARTIAL = 1  # the run finished but some sources failed
    USAGE = 2  # bad arguments or a malformed query
    CONFIG = 3  # the config file is unreadable or invalid
    STORE = 4  # the database could not be opened or written
    HANGUP = 129  # the reader's terminal went away
    INTERRUPTED = 130  # Ctrl-C (SIGINT)
    TERMINATED = 143  # SIGTERM, with the same orderly stop as Ctrl-C
