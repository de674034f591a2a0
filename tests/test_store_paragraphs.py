"""An article's paragraphs kept in its own row as offsets into its text (m016), and the upgrade
of a database made before that, which must keep every row and answer searches as before."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from briefing.models import Article, Fact, KeyFact, Paragraph
from briefing.store import Store
from briefing.store.paragraphs import decode, encode


def _article(n: int, paragraphs: tuple[Paragraph, ...], text: str | None = None,
             **kw: object) -> Article:
    body = "\n\n".join(p.text for p in paragraphs) if text is None else text
    base: dict[str, object] = dict(
        id=f"a{n}", url=f"https://example.com/{n}", source="https://example.com/feed",
        title=f"Story {n}", text=body, paragraphs=paragraphs, language="en",
        published=f"2025-01-{n:02d}T00:00:00+00:00", content_hash=f"h{n}")
    base.update(kw)
    return Article(**base)  # type: ignore[arg-type]


SHAPES: dict[str, tuple[tuple[Paragraph, ...], str | None]] = {
    "joined": ((Paragraph(0, "Copper rose 5% in Rotterdam.", "en"),
                Paragraph(1, "Giá đồng tăng ở Đà Nẵng.", "vi"),
                Paragraph(2, "A photo of the harbour.", "en", "caption")), None),
    "one paragraph": ((Paragraph(0, "Only one.", "en"),), None),
    # A paragraph holding a blank line itself: the lengths, not the separators, say where
    # each ends.
    "blank line inside": ((Paragraph(0, "First part.\n\nstill the first", "en"),
                           Paragraph(1, "", "en"), Paragraph(2, "Third.", "en")), None),
    "text not the paragraphs joined": ((Paragraph(0, "Lead.", "en"),
                                        Paragraph(1, "Body.", "en")), "Lead. Body. More."),
    "indexes not in order": ((Paragraph(3, "Lead.", "en"), Paragraph(7, "Body.", "en")),
                             None),
    "no paragraphs": ((), "Text without paragraphs."),
    "quotes and accents in a language and a kind": (
        (Paragraph(0, "Ça va.", 'f"r\\'), Paragraph(1, "Légende.", "fr", "légende\n")), None),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_paragraphs_come_back_as_saved(db_file: Path, shape: str) -> None:
    paragraphs, text = SHAPES[shape]
    art = _article(1, paragraphs, text)
    with Store(db_file) as store:
        assert store.save_article(art) == "added"
        got = store.get_article("a1")
        assert got is not None
        assert got.paragraphs == paragraphs and got.text == art.text
    stored = encode(art.text, paragraphs)
    assert decode(art.text, stored) == paragraphs
    if stored and not stored.startswith("{"):  # JSON any client can read, lengths and all
        assert json.loads(stored) == [[len(p.text), p.language, *([p.kind] if p.kind != "body"
                                                                   else [])]
                                      for p in paragraphs]


def test_the_text_is_stored_once(db_file: Path) -> None:
    paragraphs = SHAPES["joined"][0]
    with Store(db_file) as store:
        store.save_article(_article(1, paragraphs))
    conn = sqlite3.connect(db_file)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "paragraphs" not in tables
    stored = conn.execute("SELECT paragraphs FROM articles WHERE id = 'a1'").fetchone()[0]
    assert stored == '[[28,"en"],[24,"vi"],[23,"en","caption"]]'


def test_an_update_replaces_the_paragraphs(db_file: Path) -> None:
    first = (Paragraph(0, "Copper rose.", "en"), Paragraph(1, "Then fell.", "en"))
    second = (Paragraph(0, "Giá đồng tăng.", "vi"),)
    with Store(db_file) as store:
        store.save_article(_article(1, first))
        assert store.save_article(_article(1, second, content_hash="h1-new")) == "updated"
        got = store.get_article("a1")
        assert got is not None and got.paragraphs == second and got.text == "Giá đồng tăng."


# Searches whose answers must not change with the upgrade (m016 leaves the text and its
# index alone): words, stems, folded diacritics, prefixes, phrases, exclusions, a column.
QUERIES = ["copper", "turbine", "dong", "đồng", "harb*", '"wind turbines"', "copper -gold",
           "title:turbines", "anh"]


def _old_database(path: Path) -> None:
    """A database as the last briefing before m016 left it: paragraphs in their own table,
    articles in the full-text index as Store.index_pending put them there."""
    from sqlite_utils import Database

    from briefing.store.fts import sql_fold
    from briefing.store.migrations import migrations

    db = Database(path)
    migrations.apply(db, stop_before="m016_paragraphs_in_articles")
    articles = {
        "old1": ("Turbines", ["Wind turbines ordered at the harbour.", "Copper cables too."]),
        "old2": ("Giá đồng", ["Giá đồng tăng ở Đà Nẵng.", "Một bức ảnh.", "Gold fell."]),
        # Written by another client: the text is not the paragraphs joined.
        "old3": ("Copper", ["Copper rose."]),
        "old4": ("No paragraphs", []),
    }
    for n, (aid, (title, paras)) in enumerate(articles.items()):
        text = "Copper rose 5% today." if aid == "old3" else "\n\n".join(paras)
        db.execute("INSERT INTO articles (id, url, source_url, title, text, published, "
                   "language, fact_count) VALUES (?, ?, 's', ?, ?, ?, 'en', 1)",
                   (aid, f"https://example.com/{aid}", title, text, f"2025-01-0{n + 1}"))
        for i, p in enumerate(paras):
            db.execute("INSERT INTO paragraphs (article_id, idx, text, language, kind) "
                       "VALUES (?, ?, ?, ?, ?)", (aid, i, p, "vi" if aid == "old2" else "en",
                                                  "caption" if i == 1 else "body"))
        db.execute("INSERT INTO facts (article_id, idx, kind, text, value, unit, paragraph, "
                   "start, \"end\") VALUES (?, 0, 'percent', '5%', 5.0, '%', 0, 0, 2)", (aid,))
        db.execute("INSERT INTO key_facts (article_id, idx, text, paragraph) "
                   "VALUES (?, 0, 'A bullet.', 0)", (aid,))
        db.execute("INSERT INTO article_tags (article_id, tag) VALUES (?, 'energy')", (aid,))
    folded = ", ".join(sql_fold(c) for c in ("title", "text", "translation"))
    db.execute(f"INSERT INTO articles_fts (rowid, title, text, translation) "
               f"SELECT rowid, {folded} FROM articles")
    db.conn.commit()
    db.execute("PRAGMA user_version = 15")
    db.close()


def _rows(conn: sqlite3.Connection, table: str) -> list[tuple[object, ...]]:
    columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
    if columns[0] == "article":  # keyed by the article's rowid since m017: shown by its id
        rest = ", ".join(f't."{c}"' for c in columns[1:])
        return sorted(conn.execute(f"SELECT a.id, {rest} FROM {table} t "
                                   "JOIN articles a ON a.rowid = t.article").fetchall(), key=repr)
    return sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr)


def test_an_upgrade_keeps_every_row_and_every_search_answer(db_file: Path) -> None:
    from briefing.store.fts import compile_query

    _old_database(db_file)
    conn = sqlite3.connect(db_file)
    before_tables = {t: _rows(conn, t) for t in ("facts", "key_facts", "article_tags",
                                                  "articles_fts_data")}
    before_articles = conn.execute("SELECT rowid, * FROM articles ORDER BY rowid").fetchall()
    before_paragraphs: dict[str, list[Paragraph]] = {}
    for aid, idx, text, language, kind in conn.execute(
            "SELECT article_id, idx, text, language, kind FROM paragraphs ORDER BY idx"):
        before_paragraphs.setdefault(aid, []).append(Paragraph(idx, text, language, kind))
    before_search: dict[str, list[str]] = {}
    for q in QUERIES:
        match = compile_query(q)
        sql = "SELECT a.id FROM articles_fts f JOIN articles a ON a.rowid = f.rowid " \
              "WHERE articles_fts MATCH ?"
        params = [match.match]
        if match.exclude:
            sql += " AND f.rowid NOT IN (SELECT rowid FROM articles_fts WHERE articles_fts " \
                   "MATCH ?)"
            params.append(match.exclude)
        before_search[q] = sorted(r[0] for r in conn.execute(sql, params))
    conn.close()
    assert before_search["dong"] == before_search["anh"] == ["old2"]
    assert before_search["copper"] == ["old1", "old3"]

    with Store(db_file) as store:
        for aid, paras in before_paragraphs.items():
            art = store.get_article(aid)
            assert art is not None and art.paragraphs == tuple(paras), aid
        no_paragraphs = store.get_article("old4")
        assert no_paragraphs is not None and no_paragraphs.paragraphs == ()
        for q in QUERIES:
            assert sorted(a.id for a in store.search(q)) == before_search[q], q
        assert set(store.snippets("copper", ["old1", "old3"])) == {"old1", "old3"}
    conn = sqlite3.connect(db_file)
    assert {t: _rows(conn, t) for t in before_tables} == before_tables
    after = conn.execute("SELECT rowid, * FROM articles ORDER BY rowid").fetchall()
    # Every article and every column as it was, with the paragraphs and `dated` (taken as
    # dated: rows stored before never said) added as the last two.
    assert [row[:-2] for row in after] == before_articles
    assert [row[-1] for row in after] == [1, 1, 1, 1]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "paragraphs" not in tables
    stored = dict(conn.execute("SELECT id, paragraphs FROM articles"))
    assert stored["old1"] == '[[37,"en"],[18,"en","caption"]]'
    assert stored["old3"].startswith('{"full":') and stored["old4"] == ""


def test_facts_and_bullets_survive_alongside(db_file: Path) -> None:
    """The analysis rows stay in their tables; an article saved with them reads back whole."""
    art = _article(1, SHAPES["joined"][0], facts=(
        Fact("percent", "5%", 5.0, "%", 0, 12, 14),), key_facts=(KeyFact("Copper rose.", 0),))
    with Store(db_file) as store:
        store.save_article(art)
        got = store.get_article("a1")
        assert got is not None
        assert (got.facts, got.key_facts, got.paragraphs) == (art.facts, art.key_facts,
                                                              art.paragraphs)


def test_an_upgrade_to_come_is_seen_without_changing_the_file(tmp_path: Path) -> None:
    from briefing.store.store import SCHEMA_VERSION, pending_upgrade

    old = tmp_path / "old.db"
    _old_database(old)
    before = old.read_bytes()
    assert pending_upgrade(old) == 15
    assert old.read_bytes() == before  # read-only: not even switched to WAL
    Store(old).close()
    assert pending_upgrade(old) is None  # upgraded: nothing more to say
    assert sqlite3.connect(old).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert pending_upgrade(tmp_path / "missing.db") is None
    assert not (tmp_path / "missing.db").exists()
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    assert pending_upgrade(tmp_path / "junk.db") is None  # opening it says why


def test_the_upgrade_is_announced_at_a_terminal_only(tmp_path: Path) -> None:
    # Found: opening the reader on a 100,000-article database of the schema before m016 sat
    # on a blank terminal for ~10 s while it was upgraded. At a terminal it is said first; a
    # cron run (no terminal) stays quiet.
    import os
    import pty
    import subprocess
    import sys

    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "c")}
    for name, tty in (("tty.db", True), ("cron.db", False)):
        db = tmp_path / name
        _old_database(db)
        cmd = [sys.executable, "-m", "briefing", "--db", str(db), "list"]
        if tty:
            leader, follower = pty.openpty()
            try:
                done = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                      stderr=follower, env=env, timeout=120, check=False)
                os.close(follower)
                said = b""
                while True:
                    try:
                        chunk = os.read(leader, 4096)
                    except OSError:  # EIO: the follower is closed and everything read
                        break
                    if not chunk:
                        break
                    said += chunk
            finally:
                os.close(leader)
            err = said.decode()
        else:
            done = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                                  env=env, timeout=120, check=False)
            err = done.stderr.decode()
        assert done.returncode == 0, err
        assert ("upgrading" in err) is tty, err
        if tty:
            assert f"briefing: upgrading {db} from schema 15 to " in err, err


def test_rows_another_program_spoiled_do_not_stop_the_upgrade(tmp_path: Path) -> None:
    # Found: one paragraph of invalid UTF-8 (or a BLOB for a language) failed the whole
    # upgrade, on every start ("cannot prepare database", or a traceback for the BLOB): no
    # command could open the file. The old code read every other article.
    db = tmp_path / "spoiled.db"
    _old_database(db)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE paragraphs SET text = CAST(x'436f7070ff' AS TEXT) "
                 "WHERE article_id = 'old3'")
    conn.execute("UPDATE paragraphs SET language = x'656e' WHERE article_id = 'old1' AND idx = 1")
    conn.commit()
    conn.close()
    with Store(db) as store:
        fine = store.get_article("old2")
        assert fine is not None and [p.text for p in fine.paragraphs] == [
            "Giá đồng tăng ở Đà Nẵng.", "Một bức ảnh.", "Gold fell."]
        one = store.get_article("old1")
        assert one is not None
        assert [(p.text, p.language) for p in one.paragraphs] == [
            ("Wind turbines ordered at the harbour.", "en"), ("Copper cables too.", "en")]
        spoiled = store.get_article("old3")
        assert spoiled is not None and [p.text for p in spoiled.paragraphs] == ["Copp\ufffd"]


def test_a_foreign_file_with_a_version_of_its_own_is_not_announced(tmp_path: Path) -> None:
    from briefing.store.store import pending_upgrade

    foreign = tmp_path / "notes.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    assert pending_upgrade(foreign) is None


# What another program may leave in articles.paragraphs: JSON that does not parse, JSON of
# another shape, and lengths written for some other text.
SPOILED = {
    "not JSON": "[[28, \"en\"",
    "a string": '"hello"',
    "a number": "7",
    "items not lists": "[5, 6]",
    "a length that is not a number": '[["x", "en"]]',
    "a length past any clock": '[[1e400, "en"]]',
    "a negative length": '[[-3, "en"], [40, "en"]]',
    "lengths of another text": '[[5, "en"], [9, "en"]]',
    "full without its list": '{"whole": []}',
    "full items too short": '{"full": [[0, "x"]]}',
    "bytes": b"\xff\xfe[[",
}


@pytest.mark.parametrize("spoiled", list(SPOILED))
def test_paragraphs_another_program_spoiled_read_as_the_text(
        db_file: Path, spoiled: str, caplog: pytest.LogCaptureFixture) -> None:
    # Before, get_articles raised the decoder's bare ValueError (or TypeError, IndexError):
    # `show`, the reader and tagging all failed on one row.
    paragraphs = (Paragraph(0, "Copper rose 5% in Rotterdam.", "en"),
                  Paragraph(1, "Giá đồng tăng ở Đà Nẵng.", "en"),
                  Paragraph(2, "A third paragraph.", "en"))
    art = _article(1, paragraphs)
    with Store(db_file) as store:
        store.save_article(art)
        store.save_article(_article(2, paragraphs))
    with sqlite3.connect(db_file) as conn:
        conn.execute("UPDATE articles SET paragraphs = ? WHERE id = 'a1'", (SPOILED[spoiled],))
    conn.close()
    with Store(db_file) as store:
        got = store.get_articles(["a1", "a2"])
    assert got["a1"].text == art.text  # nothing stored is lost
    assert got["a1"].paragraphs == paragraphs  # this text's blank lines give them back
    assert got["a2"].paragraphs == paragraphs  # the row beside it is read as stored
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warned) == 1 and warned[0].startswith(
        "article a1: its stored paragraphs are damaged ("), warned
    assert "\n" not in warned[0]


def test_a_spoiled_row_is_one_warning_line_and_the_article_shown_through_the_cli(
        db_file: Path) -> None:
    import subprocess
    import sys

    paragraphs = (Paragraph(0, "First paragraph here.", "en"),
                  Paragraph(1, "Second paragraph here.", "en"))
    with Store(db_file) as store:
        store.save_article(_article(1, paragraphs))
    with sqlite3.connect(db_file) as conn:
        conn.execute("UPDATE articles SET paragraphs = '[[' WHERE id = 'a1'")
    conn.close()
    proc = subprocess.run([sys.executable, "-m", "briefing", "--db", str(db_file), "show",
                           "a1", "--json"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    shown = json.loads(proc.stdout)
    assert shown["text"] == "First paragraph here.\n\nSecond paragraph here."
    assert [p["text"] for p in shown["paragraphs"]] == [p.text for p in paragraphs]
    assert proc.stderr.splitlines() == [
        "briefing: article a1: its stored paragraphs are damaged (not valid JSON); read from "
        "its text instead"]
