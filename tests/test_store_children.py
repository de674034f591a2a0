"""An article's facts, bullets and tags keyed by the article's rowid (m017): the upgrade of a
database made before keeps every row in its order, and the rows still go with their article
when it is deleted (a trigger, where a foreign key cascaded before)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from briefing.models import Article, Fact, KeyFact, Paragraph
from briefing.store import ArticleFilter, Store
from briefing.store.store import FactFilter


def _old_database(path: Path) -> None:
    """A database as the last briefing before m017 left it, with an orphan row that a
    client with foreign keys off wrote."""
    from sqlite_utils import Database

    from briefing.store.migrations import migrations

    db = Database(path)
    migrations.apply(db, stop_before="m017_children_by_rowid")
    for n in range(3):
        db.execute("INSERT INTO articles (id, url, source_url, title, text, published, "
                   "language, fact_count, tagger_version) VALUES (?, ?, 's', ?, ?, ?, 'en', 2, 1)",
                   (f"old{n}", f"https://example.com/{n}", f"Story {n}",
                    f"Copper rose {n + 5}% at the harbour.", f"2025-01-0{n + 1}"))
        for idx, (kind, text, value) in enumerate([("percent", f"{n + 5}%", float(n + 5)),
                                                   ("org", "Harbour Co", "Harbour Co")]):
            db.execute("INSERT INTO facts (article_id, idx, kind, text, value, unit, paragraph, "
                       "start, \"end\") VALUES (?, ?, ?, ?, ?, '', 0, 0, 2)",
                       (f"old{n}", idx, kind, text, value))
        for idx in (1, 0):  # bullets written out of order: read back by their idx
            db.execute("INSERT INTO key_facts (article_id, idx, text, paragraph) "
                       "VALUES (?, ?, ?, 0)", (f"old{n}", idx, f"Bullet {idx}."))
        for tag in ("zeta", "alpha"):  # tags keep the order they were given in
            db.execute("INSERT INTO article_tags (article_id, tag) VALUES (?, ?)",
                       (f"old{n}", tag))
    db.execute("PRAGMA foreign_keys = OFF")
    db.execute("INSERT INTO facts (article_id, idx, kind, text, value, unit, paragraph, start, "
               "\"end\") VALUES ('gone', 0, 'percent', '9%', 9.0, '', 0, 0, 2)")
    db.conn.commit()
    db.execute("PRAGMA user_version = 16")
    db.close()


def test_an_upgrade_keeps_each_articles_facts_bullets_and_tags_in_order(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    _old_database(db)
    with Store(db) as store:
        for n in range(3):
            art = store.get_article(f"old{n}")
            assert art is not None
            assert [(f.kind, f.text, f.value) for f in art.facts] == [
                ("percent", f"{n + 5}%", float(n + 5)), ("org", "Harbour Co", "Harbour Co")]
            assert art.key_facts == (KeyFact("Bullet 0.", 0), KeyFact("Bullet 1.", 0))
            assert art.tags == ("zeta", "alpha")
        assert store.list_details(["old1"])["old1"] == (
            ("zeta", "alpha"), (KeyFact("Bullet 0.", 0), KeyFact("Bullet 1.", 0)))
        found = store.list_articles(ArticleFilter(tag="alpha",
                                                  facts=(FactFilter("percent", ">", 5.5),)))
        assert sorted(a.id for a in found) == ["old1", "old2"]
        assert {t for t, _n, _u in store.tag_counts()} == {"zeta", "alpha"}
    conn = sqlite3.connect(db)
    # The orphan went; every table is keyed by rowid, with no second index on (article, idx).
    assert conn.execute("SELECT count(*) FROM facts").fetchone()[0] == 6
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert "sqlite_autoindex_facts_1" not in indexes
    assert {"facts_kind_value", "article_tags_tag"} <= indexes
    conn.close()


def _article(n: int) -> Article:
    text = f"Copper rose {n}% at the harbour."
    return Article(id=f"a{n}", url=f"https://example.com/{n}", source="https://example.com/f",
                   title=f"Story {n}", text=text, paragraphs=(Paragraph(0, text, "en"),),
                   language="en", published=f"2025-01-{n:02d}T00:00:00+00:00",
                   content_hash=f"h{n}", tags=("metals", "ports"),
                   facts=(Fact("percent", f"{n}%", float(n), "%", 0, 12, 12 + len(str(n)) + 1),),
                   key_facts=(KeyFact(text, 0),), tagger_version=1)


def test_an_articles_rows_go_with_it_and_a_retag_replaces_them(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        for n in (1, 2, 3):
            store.save_article(_article(n))
        store.conn.execute("DELETE FROM articles WHERE id = 'a2'")  # by any client
        counts = {t: store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("facts", "key_facts", "article_tags")}
        assert counts == {"facts": 2, "key_facts": 2, "article_tags": 4}
        # A re-tag of one article replaces its rows only; one of an article not stored
        # writes nothing.
        store.save_analysis("a3", facts=(), key_facts=(KeyFact("New.", 0),), summary="s",
                            tags=("energy",), tagger_version=2)
        store.save_analyses([Article(**{**_article(9).__dict__, "tags": ("x",)})])
        a1, a3 = store.get_article("a1"), store.get_article("a3")
        assert a1 is not None and a3 is not None
        assert (a1.tags, len(a1.facts)) == (("metals", "ports"), 1)
        assert (a3.tags, a3.facts, a3.key_facts) == (("energy",), (), (KeyFact("New.", 0),))
        assert store.conn.execute("SELECT count(*) FROM article_tags").fetchone()[0] == 3
