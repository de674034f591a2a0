"""Checkpoints beside the writer: the WAL copied back into the database on a thread of its own
while a fetch writes.

SQLite's automatic checkpoint runs inside the COMMIT that crosses wal_autocheckpoint, on the
committing thread: in a fetch, the event loop's, which then waits for the page copies and two
fdatasyncs (~130 ms here, each time). A checkpoint needs no lock the writer holds (PASSIVE
mode copies what it can and never waits), and Python's sqlite3 lets go of the GIL while
SQLite works, so a second connection on a thread does that work beside the writer, whose
commits only append to the WAL. At the end of a fetch the last checkpoint runs while the
run winds down, and the one SQLite makes when the database is closed finds little left.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger(__name__)

# Seconds between two checkpoints while commits come: each costs two fdatasyncs whatever it
# copies, and a page written again before the next one is copied once.
EVERY_SECONDS = 0.5


class Checkpointer:
    """A thread that checkpoints `path`'s WAL after commits (`poke`), at most once every
    `every` seconds, until `finish`: then once more, at once, and it ends."""

    def __init__(self, path: Path, every: float = EVERY_SECONDS) -> None:
        # Opened here: a file it cannot open is known before the writer changes anything.
        self._conn = sqlite3.connect(str(path), check_same_thread=False, timeout=0)
        self._every = every
        self._wake = threading.Event()
        self._finish = threading.Event()
        self.runs = 0  # checkpoints made
        self._thread = threading.Thread(target=self._run, name="briefing-checkpoint",
                                        daemon=True)
        self._thread.start()

    def poke(self) -> None:
        """The writer committed: the WAL has grown."""
        self._wake.set()

    def finish(self) -> None:
        """No more commits to follow: one last checkpoint, then the thread ends (`join`
        waits for it)."""
        self._finish.set()
        self._wake.set()

    def join(self) -> None:
        self.finish()
        self._thread.join()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        try:
            while True:
                self._wake.wait()
                self._wake.clear()
                finishing = self._finish.is_set()
                try:
                    self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    self.runs += 1
                except sqlite3.Error:
                    # Nothing is lost: the frames stay in the WAL, and the next checkpoint
                    # (the writer's own at close, at the latest) copies them.
                    log.debug("checkpoint failed", exc_info=True)
                if finishing:
                    return
                # Commits meanwhile set `_wake` again: their checkpoint follows this pause.
                self._finish.wait(self._every)
        finally:
            self._conn.close()
