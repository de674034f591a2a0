"""The small query language shared by `--fact` options and the TUI's search box.

`org=Nvidia`, `org:Nvidia`, `money>1e9`, `percent>=50`, `place!=China`. Names compare without
case; numbers compare as the normalised value in the fact's own unit (money in the currency
it was stated in, not converted).
"""

from __future__ import annotations

import re

from briefing.store.store import ArticleFilter, FactFilter, QueryError

FACT_KINDS = (
    "money", "percent", "measure", "count", "duration", "date", "org", "person", "place")
_FILTER = re.compile(
    r"^(?P<kind>[a-z]+)\s*(?P<op>>=|<=|!=|=|>|<|:)\s*(?P<value>.+)$", re.IGNORECASE)
_SUFFIXES = {"k": 1e3, "m": 1e6, "mn": 1e6, "bn": 1e9, "b": 1e9, "tn": 1e12, "t": 1e12}


def parse_fact_filter(spec: str) -> FactFilter:
    """One filter, e.g. `money>1e9`; a malformed one raises QueryError saying why."""
    m = _FILTER.match(spec.strip())
    if not m:
        raise QueryError(f"bad fact filter {spec!r}: expected KIND OP VALUE, like money>1e9")
    kind = m["kind"].lower()
    if kind not in FACT_KINDS:
        raise QueryError(f"bad fact filter {spec!r}: kind must be one of {', '.join(FACT_KINDS)}")
    op = "=" if m["op"] == ":" else m["op"]
    value = m["value"].strip().strip('"')
    number = _number(value)
    if number is None and op not in ("=", "!="):
        raise QueryError(f"bad fact filter {spec!r}: {op} needs a number, like 1e9 or 5bn")
    return FactFilter(kind, op, number if number is not None and kind not in
                      ("org", "person", "place", "date") else value)


def _number(value: str) -> float | None:
    v = value.lower().replace(",", "").replace("_", "")
    for suffix, mult in sorted(_SUFFIXES.items(), key=lambda kv: -len(kv[0])):
        if v.endswith(suffix):
            try:
                return float(v[: -len(suffix)]) * mult
            except ValueError:
                return None
    try:
        return float(v)
    except ValueError:
        return None


def split_query(text: str) -> tuple[str, tuple[FactFilter, ...]]:
    """Split a search box's text into the full-text part and fact filters."""
    words: list[str] = []
    filters: list[FactFilter] = []
    for token in text.split():
        m = _FILTER.match(token)
        if m and m["kind"].lower() in FACT_KINDS:
            filters.append(parse_fact_filter(token))
        else:
            words.append(token)
    return " ".join(words), tuple(filters)


def parse_query(text: str) -> tuple[str, ArticleFilter]:
    """A search box's text as (full-text query, filter holding its fact filters)."""
    fts, filters = split_query(text)
    return fts, ArticleFilter(facts=filters)
