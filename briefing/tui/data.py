"""Store access for workers: each worker thread opens its own Store and closes it after,
because a SQLite connection belongs to the thread that opened it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from briefing.store import Store

PAGE = 200  # rows loaded at a time; the list asks for more when the cursor nears the end


@contextmanager
def open_store(path: Path) -> Iterator[Store]:
    store = Store(path)
    try:
        yield store
    finally:
        store.close()
