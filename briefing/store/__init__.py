"""The only package that runs SQL."""

from __future__ import annotations

from briefing.store.store import ArticleFilter, QueryError, Store, StoreError

__all__ = ["ArticleFilter", "QueryError", "Store", "StoreError"]
