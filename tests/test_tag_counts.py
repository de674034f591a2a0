"""Store.tag_counts: the same counts as the plain join, read from indexes only (the
sidebar asks for them after every return from the reader; the plain join read each
article's wide row and took 0.8 s at 100,000 articles)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from briefing.models import Article, Paragraph
from briefing.store import Store


def _article(n: int, tags: tuple[str, ...]) -> Article:
    text = f"Item {n} on rates."
    return Article(id=f"a{n}", url=f"https://example.com/{n}", source="https://example.com/f",
                   title=f"Story {n}", text=text, paragraphs=(Paragraph(0, text, "en"),),
                   language="en", published=f"2025-01-01T00:{n % 60:02d}:00+00:00",
                   content_hash=f"h{n}", tags=tags)


def _plain_join(db: Path) -> list[tuple[str, int, int]]:
    """What the sidebar must show: every tag row joined to its article, case variants
    merged into the spelling used most (m012)."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT t.tag, a.read FROM article_tags t "
                            "JOIN articles a ON a.rowid = t.article").fetchall()
    spellings: dict[str, dict[str, int]] = {}
    for tag, _read in rows:
        per = spellings.setdefault(tag.casefold(), {})
        per[tag] = per.get(tag, 0) + 1
    best = {k: sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            for k, v in spellings.items()}
    merged: dict[str, list[int]] = {}
    for tag, read in rows:
        row = merged.setdefault(best[tag.casefold()], [0, 0])
        row[0] += 1
        row[1] += read == 0
    ranked = sorted(merged.items(), key=lambda kv: (-kv[1][0], kv[0]))
    return [(t, n, u) for t, (n, u) in ranked]


@pytest.mark.parametrize("read_every", [1, 2, 3, 10**6],
                         ids=["all-read", "half", "two-thirds-unread", "none-read"])
def test_tag_counts_match_the_plain_join_whichever_side_is_smaller(
        tmp_path: Path, read_every: int) -> None:
    db = tmp_path / "t.db"
    with Store(db) as store:
        for n in range(60):
            tags = ("world",) + (("rates",) if n % 2 else ()) + (("Fx",) if n % 5 == 0 else ())
            store.save_article(_article(n, tags))
        for n in range(0, 60, read_every):
            store.set_read(f"a{n}")
    with sqlite3.connect(db) as conn:  # a case variant the fetch path would have merged
        conn.execute("INSERT INTO article_tags (article, tag) "
                     "SELECT rowid, 'fx' FROM articles WHERE id = 'a7'")
    expected = _plain_join(db)
    with Store(db) as store:
        assert store.tag_counts(limit=100) == expected
        assert store.tag_counts(limit=2) == expected[:2]
    assert ("Fx", 13, sum(1 for n in [*range(0, 60, 5), 7] if n % read_every)) in expected


def test_tag_counts_touch_no_article_row(tmp_path: Path) -> None:
    """Every step that reads `articles` is served by a covering index: the plan of each
    statement tag_counts runs says so."""
    db = tmp_path / "t.db"
    with Store(db) as store:
        for n in range(20):
            store.save_article(_article(n, ("world",)))
        store.set_read("a1")
        ran: list[str] = []
        store.conn.set_trace_callback(ran.append)
        store.tag_counts()
        store.conn.set_trace_callback(None)
        selects = [s for s in ran if s.lstrip().upper().startswith("SELECT")]
        assert selects
        for sql in selects:
            plan = [r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN " + sql)]
            on_articles = [p for p in plan if " articles" in f" {p}" or " a " in f"{p} "]
            assert all("COVERING INDEX" in p for p in on_articles), (sql, plan)
