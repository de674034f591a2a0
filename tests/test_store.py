from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from briefing.facts import FactRows
from briefing.models import Article, Fact, KeyFact, Paragraph
from briefing.store import ArticleFilter, QueryError, Store, StoreError
from briefing.store.store import FactFilter


def _article(n: int, text: str = "Nvidia sold chips worth $12bn.", **kw: object) -> Article:
    paras = tuple(Paragraph(i, t, "en") for i, t in enumerate(text.split("\n")))
    base: dict[str, object] = dict(
        id=f"a{n}", url=f"https://example.com/{n}", source="https://example.com/feed",
        title=f"Story {n}", text=text, paragraphs=paras, language="en",
        published=f"2025-01-{n + 1:02d}T00:00:00+00:00", content_hash=f"h{n}-{hash(text)}",
    )
    base.update(kw)
    return Article(**base)  # type: ignore[arg-type]


def test_migrations_are_idempotent_and_file_is_plain_sqlite(db_file: Path) -> None:
    Store(db_file).close()
    Store(db_file).close()
    conn = sqlite3.connect(db_file)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"articles", "facts", "sources", "fetch_runs", "articles_fts"} <= tables
    names = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")]
    assert len(names) == len(set(names))
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_save_roundtrip_and_dedup(db_file: Path) -> None:
    store = Store(db_file)
    art = _article(1, facts=(Fact("money", "$12bn", 12e9, "USD", 0, 23, 28),),
                   key_facts=(KeyFact("Nvidia sold chips worth $12bn.", 0),), tags=("Nvidia",))
    assert store.save_article(art) == "added"
    assert store.save_article(art) == "unchanged"
    # Same text under another URL is a copy, not a new article.
    assert store.save_article(_article(1, id="other", url="https://x.org/1")) == "unchanged"
    got = store.get_article("a1")
    assert got is not None
    assert got.paragraphs == art.paragraphs
    assert got.facts[0].value == 12e9 and got.facts[0].unit == "USD"
    assert got.key_facts[0].text.startswith("Nvidia")
    assert got.tags == ("Nvidia",)
    changed = _article(1, text="Nvidia sold chips worth $15bn.")
    assert store.save_article(changed) == "updated"
    assert store.get_article("a1").text.endswith("$15bn.")  # type: ignore[union-attr]
    assert store.count_articles() == 1


def test_read_star_and_filters(db_file: Path) -> None:
    store = Store(db_file)
    for n in range(5):
        store.save_article(_article(n, text=f"Paragraph number {n} about Huawei."))
    store.set_read("a0")
    store.set_starred("a1")
    assert store.count_articles(ArticleFilter(unread=True)) == 4
    assert [a.id for a in store.list_articles(ArticleFilter(starred=True))] == ["a1"]
    assert [a.id for a in store.list_articles(limit=2)] == ["a4", "a3"]
    assert store.mark_all_read() == 5
    assert store.count_articles(ArticleFilter(unread=True)) == 0


def test_search_and_malformed_query(db_file: Path) -> None:
    store = Store(db_file)
    store.save_article(_article(1, text="Huawei and Cambricon supply chips."))
    store.save_article(_article(2, text="Markets rallied on Monday."))
    assert [a.id for a in store.search("cambricon")] == ["a1"]
    with pytest.raises(QueryError, match="malformed search query"):
        store.search('"unbalanced')


def test_fact_filters(db_file: Path) -> None:
    store = Store(db_file)
    store.save_article(_article(1, facts=(Fact("money", "$12bn", 12e9, "USD", 0, 0, 5),
                                          Fact("org", "Nvidia", "Nvidia", "", 0, 0, 6))))
    store.save_article(_article(2, text="Small deal of $3mn.",
                                facts=(Fact("money", "$3mn", 3e6, "USD", 0, 0, 4),)))
    big = ArticleFilter(facts=(FactFilter("money", ">", 1e9),))
    assert [a.id for a in store.list_articles(big)] == ["a1"]
    org = ArticleFilter(facts=(FactFilter("org", "=", "nvidia"),))
    assert [a.id for a in store.list_articles(org)] == ["a1"]


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "junk.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"junk\.db"):
        Store(bad)


def test_schema_version_counts_the_migrations(db_file: Path) -> None:
    from briefing.store.migrations import migrations
    from briefing.store.store import SCHEMA_VERSION

    assert len(migrations.pending(Store(db_file).db)) == 0
    applied = [m.name for m in migrations.applied(Store(db_file).db)]
    # Numbers taken by branches not yet merged may be missing: the last one is the version.
    assert len(applied) == len(migrations._migrations)
    assert int(max(applied)[1:4]) == SCHEMA_VERSION
    assert sqlite3.connect(db_file).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def _digest(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_foreign_database_is_refused_before_anything_changes(tmp_path: Path) -> None:
    other = tmp_path / "firefox" / "places.sqlite"
    other.parent.mkdir()
    conn = sqlite3.connect(other)
    conn.executescript("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT);"
                       "CREATE TABLE moz_bookmarks (id INTEGER PRIMARY KEY);"
                       "INSERT INTO moz_places (url) VALUES ('https://example.org/');")
    conn.close()
    before = _digest(other)
    with pytest.raises(StoreError) as info:
        Store(other)
    assert str(info.value) == (f"{other}: not a briefing database (it has tables moz_bookmarks,"
                               " moz_places); refusing to change it")
    assert _digest(other) == before
    assert [p.name for p in other.parent.iterdir()] == ["places.sqlite"]  # no -wal, no -shm
    assert sqlite3.connect(other).execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_a_database_from_a_newer_briefing_is_refused_unchanged(db_file: Path) -> None:
    from briefing.store.store import SCHEMA_VERSION

    Store(db_file).close()
    conn = sqlite3.connect(db_file)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 3}")
    conn.close()
    before = _digest(db_file)
    with pytest.raises(StoreError) as info:
        Store(db_file)
    assert str(info.value) == (
        f"{db_file}: made by a newer briefing (schema {SCHEMA_VERSION + 3}, this one knows "
        f"{SCHEMA_VERSION}); refusing to write to it")
    assert _digest(db_file) == before


def test_an_empty_file_and_an_older_briefing_file_are_opened(db_file: Path) -> None:
    db_file.touch()
    Store(db_file).close()  # an empty file is a new database
    conn = sqlite3.connect(db_file)
    conn.execute("PRAGMA user_version = 4")  # as an older briefing left it
    conn.close()
    Store(db_file).close()
    from briefing.store.store import SCHEMA_VERSION

    assert sqlite3.connect(db_file).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_the_migration_set_name_marks_our_files() -> None:
    from briefing.store.migrations import migrations
    from briefing.store.store import MIGRATION_SET, MIGRATIONS_TABLE

    assert migrations.name == MIGRATION_SET
    assert migrations.migrations_table == MIGRATIONS_TABLE


def test_pair_flags_and_notes_roundtrip_and_old_string_flags_still_read(db_file: Path) -> None:
    from briefing.models import FigureFlag, Translation, TranslationPair

    store = Store(db_file)
    store.save_article(_article(1))
    flag = FigureFlag("changed", "changed figure: $12bn → 21 tỷ USD", "$12bn", "21 tỷ USD")
    note = FigureFlag("added", "added figure: 1", "", "1")
    pair = TranslationPair(0, "Nvidia sold chips worth $12bn.", "Nvidia bán 1 lô chip 21 tỷ USD.",
                           (flag,), (note,))
    store.save_translation("a1", Translation("vi", "test", "", (pair,)))
    art = store.get_article("a1")
    assert art is not None and art.translations[0].pairs == (pair,)
    # A file written before flags were records held plain strings: they read as flags still.
    with sqlite3.connect(db_file) as conn:
        conn.execute("UPDATE translation_pairs SET flags = ?, notes = '[]'",
                     ('["missing figure: $12bn", "changed figure: 5 → 6"]',))
    art = Store(db_file).get_article("a1")
    assert art is not None
    assert [(f.kind, f.text) for f in art.translations[0].pairs[0].flags] == [
        ("missing", "missing figure: $12bn"), ("changed", "changed figure: 5 → 6")]


def test_analyses_saved_together_are_those_saved_one_by_one(tmp_path: Path) -> None:
    """save_analyses writes a batch's tagging in a few statements: every article reads back
    as after one save_analysis each, an article given twice keeps its last analysis, and
    articles outside the batch keep theirs."""
    def tagged(n: int, k: int) -> Article:
        facts = tuple(Fact("money", f"${n + j}bn", (n + j) * 1e9, "USD", 0, j, j + 4)
                      for j in range(k))
        return _article(n, facts=facts, key_facts=tuple(KeyFact(f"bullet {n}.{j}", 0)
                                                        for j in range(k)),
                        tags=(*(f"tag{n}-{j}" for j in range(k)), "tag0-0"),
                        summary=f"summary {n}.{k}", tagger_version=7)

    arts = [_article(n, tagger_version=-1, tags=("old",)) for n in range(4)]
    batch = [tagged(0, 2), tagged(1, 0), tagged(2, 3), tagged(0, 1)]  # a0 twice: the last wins
    results = []
    for name in ("one", "many", "rows"):
        with Store(tmp_path / f"{name}.db") as store:
            store.save_articles(arts)
            if name == "one":
                for a in batch:
                    store.save_analysis(a.id, facts=a.facts, key_facts=a.key_facts,
                                        summary=a.summary, tags=a.tags,
                                        tagger_version=a.tagger_version)
            elif name == "many":
                store.save_analyses(batch)
            else:  # the facts as a worker sends them, stored without a Fact made
                store.save_analyses([replace(a, facts=FactRows.of(a.facts)) for a in batch])
            results.append([store.get_article(f"a{n}") for n in range(4)])
            counts = store.conn.execute("SELECT id, fact_count FROM articles ORDER BY id")
            assert counts.fetchall() == [("a0", 1), ("a1", 0), ("a2", 3), ("a3", 0)]
    assert results[0] == results[1] == results[2]
    a0, a1, a2, a3 = results[2]
    assert a0 is not None and a2 is not None and a3 is not None and a1 is not None
    assert (len(a0.facts), a0.summary, a0.tags) == (1, "summary 0.1", ("tag0-0",))
    assert len(a2.facts) == len(a2.key_facts) == 3
    assert a1.tags == ("tag0-0",) and a1.tagger_version == 7
    assert a3.tags == ("old",) and a3.tagger_version == -1


def test_a_batch_is_saved_as_one_article_at_a_time(tmp_path: Path) -> None:
    """save_articles reads what it checks each article against once for the batch: the
    outcomes and the rows are those of one save_article each, including what the batch
    itself changes as it goes (a text stored earlier in it, an id given twice, an update
    that frees its old text for a later copy)."""
    feed = "https://example.com/feed"
    more = " It went on for a while." * 10

    def art(n: int, text: str, **kw: Any) -> Article:
        return _article(n, text + more, **kw)

    before = [art(1, "Old text of one."), art(2, "Text two."),
              art(3, "Text three.", source="https://other.example/feed")]
    batch = [
        art(1, "New text of one."),  # updated: its old text is free again
        art(4, "Old text of one.", content_hash=before[0].content_hash),  # then added
        art(5, "Text two.", content_hash=before[1].content_hash,
            title="Story 2"),  # a copy: unchanged
        art(3, "Text three, again."),  # another feed owns the id: unchanged
        art(6, "Six."), art(7, "Six.", content_hash=art(6, "Six.").content_hash, title="Story 6"),
        art(6, "Six, changed."),  # the same id again, changed: updated
        art(8, "Pruned id."), art(9, "Pruned text.", content_hash="gone"),
        art(10, "Ten."),
    ]
    assert all(a.source == feed for a in batch if a.id != "a3") and batch[3].source == feed
    outcomes, rows = [], []
    for name in ("one", "many"):
        with Store(tmp_path / f"{name}.db") as store:
            store.save_articles(before)
            store.conn.executemany(
                "INSERT INTO pruned_articles (id, pruned, content_hash) VALUES (?, ?, ?)",
                [("a8", "2025-01-01", "x"), ("old", "2025-01-01", "gone")])
            store.conn.commit()
            if name == "one":
                outcomes.append([store.save_article(a, now="n") for a in batch])
            else:
                outcomes.append(store.save_articles(batch, now="n"))
            rows.append(store.conn.execute(
                "SELECT id, content_hash, source_url, text FROM articles ORDER BY id").fetchall())
    assert outcomes[0] == outcomes[1] == [
        "updated", "added", "unchanged", "unchanged", "added", "unchanged", "updated",
        "unchanged", "unchanged", "added"]
    assert rows[0] == rows[1]


def test_articles_read_together_are_those_read_one_by_one(db_file: Path) -> None:
    """get_articles reads a batch in a few queries (the tagging behind's read-back): each
    article as get_article gives it, with its own facts, bullets, tags in their order and
    translations; ids not stored, or given twice, are left out or read once."""
    from briefing.models import Translation, TranslationPair

    arts = [_article(n, text=f"Story {n} text.\nSecond paragraph {n}.",
                     facts=tuple(Fact("percent", f"{n + j}%", float(n + j), "%", 0, j, j + 2)
                                 for j in range(n)),
                     key_facts=tuple(KeyFact(f"bullet {n}.{j}", j % 2) for j in range(n)),
                     tags=("zeta", f"tag{n}", "alpha"), summary=f"summary {n}")
            for n in range(5)]
    with Store(db_file) as store:
        store.save_articles(arts)
        store.save_translation("a3", Translation(
            "vi", "test", "m", (TranslationPair(0, "Story 3 text.", "Câu chuyện 3."),)))
        one_by_one = {a.id: store.get_article(a.id) for a in arts}
        together = store.get_articles(["a4", "nope", "a0", "a1", "a2", "a3", "a0"])
    assert sorted(together) == ["a0", "a1", "a2", "a3", "a4"]
    assert together == one_by_one
    assert together["a3"].translations and not together["a2"].translations
    assert [f.text for f in together["a4"].facts] == ["4%", "5%", "6%", "7%"]
    assert together["a2"].tags == ("zeta", "tag2", "alpha")
    assert together["a1"].paragraphs == arts[1].paragraphs


def test_sources_looked_up_together_are_those_looked_up_one_by_one(tmp_path: Path) -> None:
    """get_sources (what a fetch of many named feeds reads before its first request) gives
    each stored source as get_source does, tags and validators included, past one chunk of
    its statement, and leaves out URLs never stored."""
    with Store(tmp_path / "s.db") as store:
        urls = [f"https://feeds{i % 7}.example/{i}.xml" for i in range(1203)]
        for i, url in enumerate(urls[:1200]):
            store.add_source(url, tags=("Tech", f"t{i % 3}") if i % 2 else (), now="2024-01-01")
            if i % 5 == 0:
                store.record_source(url, kind="feed", status=200, now="2024-01-02",
                                    etag=f'"e{i}"', title=f"Feed {i}")
        found = store.get_sources([*urls, urls[3]])
        assert len(found) == 1200 and set(found) == set(urls[:1200])
        for url in (*urls[:50], *urls[1150:1200]):
            assert found[url] == store.get_source(url)
        assert found[urls[5]].etag == '"e5"' and found[urls[5]].tags == ("Tech", "t2")
        assert store.get_sources([]) == {} and store.get_sources(urls[1200:]) == {}


def test_the_same_text_is_a_copy_only_under_the_same_title(db_file: Path) -> None:
    """A stock teaser ("Click to read more.") or a podcast's show notes under many URLs are
    many items: the same text is a copy only with the same title too, a pruned one's as well.
    Long texts too: episodes with the same 300-character notes
    were lost after the first, as was a feed's article once another feed had copied its text
    first under a title of its own."""
    teaser = "Click to read more."
    with Store(db_file) as store:
        assert store.save_article(_article(1, teaser, content_hash="t")) == "added"
        assert store.save_article(_article(2, teaser, content_hash="t")) == "added"
        assert store.save_article(_article(2, teaser, id="again", url="https://x.org/2",
                                           content_hash="t")) == "unchanged"
        store.conn.execute("INSERT INTO pruned_articles (id, pruned, content_hash, title) "
                           "VALUES ('old', '2025-01-01', 'p', 'Gone')")
        store.conn.commit()
        assert store.save_article(_article(3, teaser, content_hash="p")) == "added"
        assert store.save_article(_article(7, teaser, content_hash="p", title="Gone")) == (
            "unchanged")  # retention deleted it: its copy does not bring it back
        long = "A whole article, syndicated under many URLs. " * 10
        assert store.save_article(_article(4, long, content_hash="w")) == "added"
        assert store.save_article(_article(5, long, content_hash="w")) == "added"
        assert store.save_article(_article(4, long, id="copy", url="https://y.org/4",
                                           content_hash="w")) == "unchanged"
        # Pruned before pruned rows kept a title (m019): the text alone counts, as it did.
        store.conn.execute("INSERT INTO pruned_articles (id, pruned, content_hash) "
                           "VALUES ('gone', '2025-01-01', 'l')")
        store.conn.commit()
        assert store.save_article(_article(6, long + "!", content_hash="l")) == "unchanged"
