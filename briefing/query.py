"""The small query language shared by `--fact` options and the TUI's search box.

`org=Nvidia`, `org:Nvidia`, `money>1e9`, `percent>=50`, `place!=China`. Names compare without
case; numbers compare as the normalised value in the fact's own unit (money in the currency
it was stated in, not converted).
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from briefing.store.fts import SearchSyntaxError, check_size, tokens
from briefing.store.store import ArticleFilter, FactFilter, QueryError
from briefing.text import one_line

if TYPE_CHECKING:
    from briefing.models import ArticleSummary
    from briefing.store.store import Store

FACT_KINDS = (
    "money", "percent", "measure", "count", "duration", "date", "org", "person", "place")
_FILTER = re.compile(
    r"^(?P<kind>[a-z]+)\s*(?P<op>>=|<=|!=|=|>|<|:)\s*(?P<value>.+)$", re.IGNORECASE)
# Kinds compared by name: `org=NaN` is a name, not a number.
_NAMED_KINDS = ("org", "person", "place", "date")
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
    # float() reads nan, inf and 1e999: no stored figure compares with them as a user means
    # (every comparison with nan is false, so the filter silently found nothing).
    if number is not None and not math.isfinite(number) and kind not in _NAMED_KINDS:
        raise QueryError(f"bad fact filter {spec!r}: {value} is not a finite number, "
                         "give one like 1e9 or 5bn")
    return FactFilter(kind, op, number if number is not None and kind not in
                      _NAMED_KINDS else value)


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
    """Split a search box's text into the full-text part and fact filters. Filters narrow
    the whole search, so one inside ( ) or beside OR or NOT is refused with the reason."""
    try:
        check_size(text)  # before any work: fact filters cost a clause each too
        toks = tokens(text)
    except SearchSyntaxError as exc:
        raise QueryError(f"malformed search query {one_line(text, 80)!r}: {exc}") from exc
    words: list[str] = []
    filters: list[FactFilter] = []
    depth = 0
    for k, token in enumerate(toks):
        depth += (token == "(") - (token == ")")
        m = _FILTER.match(token)
        if not (m and m["kind"].lower() in FACT_KINDS):
            if m:
                _not_a_misspelt_filter(token, m["kind"].lower(), m["op"])
            words.append(token)
            continue
        after = toks[k + 1] if k + 1 < len(toks) else ""
        if depth > 0 or "OR" in (after, words[-1] if words else "") or (
                words and words[-1] == "NOT"):
            raise QueryError(
                f"{token}: a fact filter applies to the whole search, so it cannot go inside "
                "( ) or beside OR or NOT")
        filters.append(parse_fact_filter(token))
    # Without filters the text as typed, so an error about it quotes what the user wrote.
    return (" ".join(words) if filters else text.strip()), tuple(filters)


def _not_a_misspelt_filter(token: str, kind: str, op: str) -> None:
    """A filter whose kind is misspelt ("monye>5bn") was searched for as words, and found
    nothing without a word of why. A comparison is no word anyone searches for, so an unknown
    kind before one is refused; before "=" or ":" ("key=value", "Re:") only when it is close
    to a kind's name."""
    import difflib

    close = difflib.get_close_matches(kind, FACT_KINDS, n=1, cutoff=0.8)
    if op in ("=", ":") and not close:
        return
    hint = f" (did you mean {close[0]}?)" if close else ""
    raise QueryError(f"bad fact filter {one_line(token, 80)!r}: kind must be one of "
                     f"{', '.join(FACT_KINDS)}{hint}")


# Why a query with no word and no fact filter is refused: FTS5 finds nothing in spaces or
# punctuation alone, and an empty match would list every article as if it had matched.
NO_WORDS = ('no word to search for (only spaces or punctuation): give a word, a "phrase" '
            "or a fact filter like money>1e9")


def has_words(text: str) -> bool:
    """Whether `text` holds anything the index can match: a letter or a digit (what FTS5's
    unicode61 tokenizer keeps; everything else separates words)."""
    return any(ch.isalnum() for ch in text)


def parse_query(text: str) -> tuple[str, ArticleFilter]:
    """A search box's text as (full-text query, filter holding its fact filters)."""
    fts, filters = split_query(text)
    return fts, ArticleFilter(facts=filters)


# A search box reads snippets for its first rows only: each one re-reads and tokenizes an
# article's text, and a page is 200 rows.
SNIPPET_ROWS = 40


def run_search(store: Store, text: str, *, limit: int, snippet_rows: int = SNIPPET_ROWS
               ) -> tuple[list[ArticleSummary], dict[str, tuple[tuple[str, bool], ...]]]:
    """What a search box runs for `text`: the results (best first; newest first for fact
    filters or exclusions alone) and the passages of the first `snippet_rows` of them."""
    fts, flt = parse_query(text)
    if fts:
        results = store.search(fts, flt, limit=limit)
        return results, store.snippets(fts, [a.id for a in results[:snippet_rows]])
    if flt.facts:  # filters alone: no full-text query to run
        return store.list_articles(flt, limit=limit), {}
    return [], {}
