"""What the store's modules share, below both of them: the store's errors, the wrapper that
turns the driver's errors into them, and the mapping of an article row to a list summary."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from briefing.errors import BriefingError, UsageError
from briefing.exit_codes import ExitCode
from briefing.models import ArticleSummary

if TYPE_CHECKING:
    pass


class StoreError(BriefingError):
    """The database cannot be opened or written. The message names the path and reason."""

    exit_code = ExitCode.STORE


class QueryError(UsageError, ValueError):
    """A malformed search or filter query."""


SUMMARY_COLUMNS = """
    a.id, a.title, a.url, a.source_url, a.source_title, a.published, a.language, a.read,
    a.starred, a.fact_count, a.summary,
    EXISTS (SELECT 1 FROM translations t WHERE t.article_id = a.id) AS has_translation
"""


def summary_from_row(r: dict[str, Any]) -> ArticleSummary:
    return ArticleSummary(
        id=r["id"], title=r["title"], url=r["url"], source=r["source_url"],
        source_title=r["source_title"], published=r["published"], language=r["language"],
        read=bool(r["read"]), starred=bool(r["starred"]), fact_count=r["fact_count"],
        has_translation=bool(r["has_translation"]), summary=r["summary"],
    )


F = TypeVar("F", bound=Callable[..., Any])


def wraps_sqlite_errors(fn: F) -> F:
    """`fn`'s sqlite3.Error as a StoreError naming the file (lemon24/reader's
    wrap_exceptions): callers above the store catch briefing's own errors, never the
    driver's. For methods of Store and functions whose first argument is a Store."""

    @functools.wraps(fn)
    def wrapper(store: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(store, *args, **kwargs)
        except sqlite3.Error as exc:
            raise StoreError(f"{store.path}: database error: {exc}") from exc

    return wrapper  # type: ignore[return-value]
