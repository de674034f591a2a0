"""Retention (issue 15, item 7): `[store] keep_days` and `max_per_feed`, starred articles and
their stories kept, everything that hangs off an article gone with it, VACUUM when much was
freed, `briefing prune` and the prune after each fetch. Real database files throughout."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from briefing.models import (
    Article,
    Fact,
    Paragraph,
    Stored,
    StoryFlag,
    Translation,
    TranslationPair,
)
from briefing.store import Store
from tests.feedgen import rss

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
CHILD_TABLES = ("translations", "story_articles", "story_changes", "pending_pages")
BY_ROWID = ("facts", "key_facts", "article_tags")


def _article(n: int, day: int, source: str = "https://a.example/feed", text: str = "",
             **kw: object) -> Article:
    text = text or f"Harbour item {n} about cranes and 5% more cargo. " * 20
    base: dict[str, object] = dict(
        id=f"a{n}", url=f"https://a.example/{n}", source=source, title=f"Item {n}", text=text,
        paragraphs=(Paragraph(0, text, "en"),), language="en",
        published=f"2026-06-{day:02d}T08:00:00+00:00", content_hash=f"h{n}",
        facts=(Fact("percent", "5%", 5.0, "%", 0, 0, 2),),
        translations=(Translation("vi", "t", "m", (TranslationPair(0, text, f"bản dịch {n}"),)),))
    base.update(kw)
    return Article(**base)  # type: ignore[arg-type]


def _story(store: Store, story_id: str, members: list[str]) -> None:
    rowids = store.stories.rowids(members)
    for aid in members:
        store.stories.put(Stored(aid, story_id, "2026-06-01T08:00:00", 1.0, "h", 1), "{}",
                          [f"k:{aid}", "k:shared"], rowids[aid], new=True)
    store.stories.refresh(story_id)


def _count(db: Path, table: str, where: str = "1") -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture
def filled(db_file: Path) -> Path:
    """Ten old articles (June 1-10) and two new ones (June 28-29) in one feed; a1 starred,
    a2 in a story with it; a3 and a4 in a story of their own, a5 with a new one (a11)."""
    with Store(db_file) as store:
        for n in range(1, 11):
            store.save_article(_article(n, n))
        store.save_article(_article(11, 28))
        store.save_article(_article(12, 29))
        store.set_starred("a1")
        store.add_pending_pages("https://a.example/feed", [("a6", "https://a.example/6")])
        _story(store, "s-starred", ["a1", "a2"])
        _story(store, "s-old", ["a3", "a4"])
        _story(store, "s-mixed", ["a5", "a11"])
    return db_file


def test_keep_days_deletes_old_articles_and_everything_hanging_off_them(filled: Path) -> None:
    with Store(filled) as store:
        report = store.prune(keep_days=10, now=NOW)
        assert report.articles == 8  # a3..a10: a1 starred, a2 in its story, a11 a12 new
        assert report.by_source == {"https://a.example/feed": 8}
        assert report.stories == 1  # s-old had only old articles
        left = sorted(a.id for a in store.list_articles())
        assert left == ["a1", "a11", "a12", "a2"]
        for table in CHILD_TABLES:
            ids = {r[0] for r in store.conn.execute(f"SELECT article_id FROM {table}")}
            assert ids <= set(left), table
        for table in BY_ROWID:  # m017: deleted with their article by a trigger
            ids = {r[0] for r in store.conn.execute(
                f"SELECT a.id FROM {table} t LEFT JOIN articles a ON a.rowid = t.article")}
            assert ids <= set(left), table
        # Each article had one fact: those of the articles left are all still there.
        assert store.conn.execute("SELECT count(*) FROM facts").fetchone()[0] == len(left)
        assert _count(filled, "translation_pairs") == 4
        rowids = {r[0] for r in store.conn.execute("SELECT rowid FROM articles")}
        assert {r[0] for r in store.conn.execute("SELECT article FROM story_keys")} <= rowids
        stories = {r[0]: (r[1], r[2]) for r in store.conn.execute(
            "SELECT id, size, best_article FROM stories")}
        assert stories == {"s-starred": (2, "a1"), "s-mixed": (1, "a11")}
        assert store.search("cranes") and not store.search("\"item 7\"")
        assert store.search("dich")  # a kept article's translation is still indexed
    _index_matches_articles(filled)


def _disagreement(a: str, b: str) -> StoryFlag:
    return StoryFlag("disagreement", f"{a} says 5%, {b} says 6%", {
        "fact": "percent",
        "a": {"article": a, "source": a, "text": "5%", "value": 5.0, "unit": "%"},
        "b": {"article": b, "source": b, "text": "6%", "value": 6.0, "unit": "%"}})


def test_a_disagreement_naming_a_pruned_copy_goes_with_it(filled: Path) -> None:
    # Found: a story whose older copy was pruned kept the flag "a5 says 5%, a11 says 6%":
    # the reader showed (and a brief would publish) a source it could no longer open.
    with Store(filled) as store:
        store.stories.add_flags("s-mixed", [_disagreement("a5", "a11")])
        store.stories.add_flags("s-starred", [_disagreement("a1", "a2")])
        store.prune(keep_days=10, now=NOW)  # a5 goes; a1 (starred) and a2 stay
        flags = {(r[0], r[1]) for r in store.conn.execute(
            "SELECT story_id, text FROM story_flags")}
        assert flags == {("s-starred", "a1 says 5%, a2 says 6%")}


def test_max_per_feed_keeps_the_newest_of_each_feed(filled: Path) -> None:
    with Store(filled) as store:
        store.save_article(_article(20, 2, source="https://b.example/feed"))
        report = store.prune(max_per_feed=3, now=NOW)
        # Feed a: a1 starred and a2 in its story stay besides the allowance; of the rest the
        # newest three (a12, a11, a10) stay. Feed b has one article.
        assert report.by_source == {"https://a.example/feed": 7}
        assert sorted(a.id for a in store.list_articles()) == [
            "a1", "a10", "a11", "a12", "a2", "a20"]


def test_dry_run_counts_and_deletes_nothing(filled: Path) -> None:
    with Store(filled) as store:
        dry = store.prune(keep_days=10, max_per_feed=1, now=NOW, dry_run=True)
        assert (dry.articles, dry.stories, dry.vacuumed) == (9, 2, False)
        assert store.count_articles() == 12
        real = store.prune(keep_days=10, max_per_feed=1, now=NOW)
        assert (real.articles, real.stories) == (dry.articles, dry.stories)


def test_vacuum_when_much_was_freed(db_file: Path) -> None:
    with Store(db_file) as store:
        for n in range(1, 200):
            store.save_article(_article(n, 1 + n % 9, text=f"Long text {n}. " * 400))
        store.save_article(_article(500, 29))
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages_before = store.conn.execute("PRAGMA page_count").fetchone()[0]
        report = store.prune(keep_days=10, now=NOW)
        assert report.articles == 199 and report.vacuumed and report.freed_mb > 0
        assert store.conn.execute("PRAGMA page_count").fetchone()[0] < pages_before / 2
        assert [a.id for a in store.search("harbour")] == ["a500"]
        assert store.integrity_check() == "ok"
        # A small prune frees too little to be worth rewriting the file.
        store.save_article(_article(501, 1))
        assert not store.prune(keep_days=10, now=NOW).vacuumed
    _index_matches_articles(db_file)


def _index_matches_articles(db: Path) -> None:
    from tests.test_search import _index_is_sound

    with Store(db) as store:
        _index_is_sound(store)


def _cli(db: Path, *args: str, config: Path | None = None) -> subprocess.CompletedProcess[str]:
    cfg = ["--config", str(config)] if config else []
    return subprocess.run([sys.executable, "-m", "briefing", *cfg, "--db", str(db), *args],
                          capture_output=True, text=True, timeout=120)


def test_prune_command_dry_run_then_for_real(filled: Path, tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text("[store]\nkeep_days = 10\n")
    # The real clock is past June 2026's "new" articles only after it; use a limit instead.
    dry = _cli(filled, "prune", "--dry-run", "--max-per-feed", "2", config=cfg)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines()[0].startswith("would delete ")
    assert "https://a.example/feed" in dry.stdout
    assert _count(filled, "articles") == 12
    done = _cli(filled, "prune", "--max-per-feed", "2", "--keep-days", "0", "--json")
    data = json.loads(done.stdout)
    assert data["articles"] == 8 and data["dry_run"] is False
    assert _count(filled, "articles") == 4
    nothing = _cli(filled, "prune")
    assert nothing.returncode == 2 and "set [store] keep_days" in nothing.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text("[store]\nkeep_days = -1\n")
    refused = _cli(filled, "prune", config=bad)
    assert refused.returncode == 3 and "store.keep_days" in refused.stderr
    assert "Traceback" not in refused.stderr + nothing.stderr


def test_fetch_prunes_after_storing(tmp_path: Path, db_file: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss(6))  # items published June 1-6, 2026
    cfg = tmp_path / "config.toml"
    cfg.write_text("[store]\nmax_per_feed = 4\n")
    proc = _cli(db_file, "fetch", str(feed), "--json", config=cfg)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert (report["added"], report["pruned"]) == (6, 2)
    assert _count(db_file, "articles") == 4
    plain = _cli(db_file, "fetch", str(feed), config=cfg)
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.startswith("1/1 sources ok, 0 added") and "deleted" not in plain.stdout
    assert _count(db_file, "pruned_articles") == 2


def test_a_pruned_article_does_not_come_back_as_its_copy_under_another_url(
        tmp_path: Path) -> None:
    # sample_feeds/pages holds local copies of feed items: duplicates (by text) while the
    # items live, and no new articles once retention has deleted them.
    from briefing.config import Settings
    from briefing.pipeline import run_fetch
    from briefing.store.retention import prune
    from tests.conftest import ROOT

    samples = str(ROOT / "sample_feeds")
    with Store(tmp_path / "p.db") as store:
        first = run_fetch(Settings(), store, [samples])
        assert first.failed == [] and first.unchanged >= 1  # the copies, seen as duplicates
        gone = prune(store, keep_days=1, now=datetime.now(UTC))
        assert gone.articles >= 10
        again = run_fetch(Settings(), store, [samples])
        assert (again.added, again.failed) == (0, [])
