"""One error family: every failure briefing explains is a BriefingError carrying its exit code,
and the database driver's own errors never leave the store."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from briefing.clean.extract import ExtractError
from briefing.config import ConfigError
from briefing.errors import BriefingError
from briefing.exit_codes import ExitCode
from briefing.sources.feeds import FeedError
from briefing.sources.http import FetchError
from briefing.sources.local import LocalError
from briefing.sources.opml import OPMLError
from briefing.store import QueryError, Store, StoreError
from briefing.translate.engines import EngineError
from briefing.translate.service import ArticleNotFound


@pytest.mark.parametrize(("error", "code"), [
    (ConfigError, ExitCode.CONFIG), (StoreError, ExitCode.STORE), (QueryError, ExitCode.USAGE),
    (ArticleNotFound, ExitCode.USAGE), (FetchError, ExitCode.PARTIAL),
    (FeedError, ExitCode.PARTIAL), (LocalError, ExitCode.PARTIAL),
    (OPMLError, ExitCode.PARTIAL), (ExtractError, ExitCode.PARTIAL),
    (EngineError, ExitCode.PARTIAL),
])
def test_each_failure_carries_its_exit_code(error: type[BriefingError], code: ExitCode) -> None:
    assert issubclass(error, BriefingError)
    assert error.exit_code == code


def test_database_errors_come_out_of_the_store_as_store_errors(tmp_path: Path) -> None:
    path = tmp_path / "b.db"
    with Store(path) as store:
        with sqlite3.connect(path) as other:  # another program damages the file's schema
            other.execute("DROP TABLE sources")
            other.execute("DROP TABLE stories")
        with pytest.raises(StoreError, match=r"b\.db: database error: no such table"):
            store.list_sources()
        with pytest.raises(StoreError, match="no such table"):
            store.stories.listing()
        with pytest.raises(StoreError, match="no such table"), store.transaction():
            store.add_source("https://news.example.com/feed")
