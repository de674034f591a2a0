"""Search worth using (issue 15, item 5): stemming, folding, translations, snippets, NOT and
groups, recent searches, and the index rebuilt on a database made at the previous schema."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from briefing.models import Article, Paragraph, Translation, TranslationPair
from briefing.query import parse_query
from briefing.store import QueryError, Store
from briefing.store.fts import compile_query


def _article(n: int, title: str, text: str, lang: str = "en", **kw: object) -> Article:
    base: dict[str, object] = dict(
        id=f"a{n}", url=f"https://example.com/{n}", source="https://example.com/feed",
        title=title, text=text, paragraphs=(Paragraph(0, text, lang),), language=lang,
        published=f"2025-01-{n:02d}T00:00:00", content_hash=f"h{n}")
    base.update(kw)
    return Article(**base)  # type: ignore[arg-type]


def _translation(*pairs: tuple[str, str], lang: str = "en") -> Translation:
    return Translation(lang, "test", "m", tuple(
        TranslationPair(i, orig, tr) for i, (orig, tr) in enumerate(pairs)))


@pytest.fixture
def store(db_file: Path) -> Store:
    s = Store(db_file)
    s.save_article(_article(1, "Wind turbines ordered",
                            "The harbour ordered new turbines and two gold cranes."))
    s.save_article(_article(2, "Giá vàng", "Giá đồng tăng mạnh ở Đà Nẵng sáng nay.", "vi"))
    s.save_article(_article(3, "Bến cảng", "Cảng mới mở cửa.", "vi"))
    s.save_article(_article(4, "Copper prices", "Copper rose 5% as mines closed."))
    return s


def _ids(store: Store, query: str) -> list[str]:
    fts, flt = parse_query(query)
    found = store.search(fts, flt) if fts else store.list_articles(flt)
    return sorted(a.id for a in found)


def _index_is_sound(store: Store) -> None:
    """The index holds exactly the folded text of every article: a trigger that indexed
    something other than what it later deletes would leave entries behind. (FTS5's own
    integrity-check with rank=1 compares with the unfolded text, so cannot be used.)"""
    from briefing.store.fts import sql_fold

    c = store.conn
    c.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
    c.execute("DROP TABLE IF EXISTS temp.ref")
    c.execute("CREATE VIRTUAL TABLE temp.ref USING fts5(title, text, translation, content='', "
              "tokenize='porter unicode61 remove_diacritics 2')")
    folded = ", ".join(sql_fold(col) for col in ("title", "text", "translation"))
    c.execute(f"INSERT INTO temp.ref (rowid, title, text, translation) SELECT rowid, {folded} "
              "FROM articles")
    vocab = []
    for name, db, table in (("v_main", "main", "articles_fts"), ("v_ref", "temp", "ref")):
        c.execute(f"DROP TABLE IF EXISTS temp.{name}")
        c.execute(f"CREATE VIRTUAL TABLE temp.{name} USING fts5vocab({db}, {table}, instance)")
        vocab.append(c.execute(f"SELECT * FROM temp.{name} ORDER BY 1, 2, 3, 4").fetchall())
    c.commit()  # the check's INSERT opened a transaction: the store's next write must not join it
    assert vocab[0] == vocab[1]
    assert vocab[0]


def test_english_words_are_stemmed(store: Store) -> None:
    assert _ids(store, "turbine") == ["a1"]
    assert _ids(store, "ordering") == ["a1"]
    assert _ids(store, "close") == ["a4"]


def test_vietnamese_without_marks_finds_marked_text(store: Store) -> None:
    assert _ids(store, "dong") == ["a2"]
    assert _ids(store, "đồng") == ["a2"]
    assert _ids(store, "DA NANG") == ["a2"]
    assert _ids(store, "gia vang") == ["a2"]
    assert _ids(store, '"da nang"') == ["a2"]


def test_translations_are_searched_and_kept_in_step(store: Store) -> None:
    assert _ids(store, "seaport") == []
    store.save_translation("a3", _translation(("Cảng mới mở cửa.", "The new seaport opened.")))
    assert _ids(store, "seaport") == ["a3"]
    assert _ids(store, "translation:seaport") == ["a3"]
    assert _ids(store, "title:seaport") == []
    # A new translation into the same language replaces the old one in the index too.
    store.save_translation("a3", _translation(("Cảng mới mở cửa.", "The new dock opened.")))
    assert _ids(store, "seaport") == []
    assert _ids(store, "dock") == ["a3"]
    # Saved with the article (the bilingual path) as well.
    store.save_article(_article(5, "Cầu mới", "Cầu mới.", "vi",
                                translations=(_translation(("Cầu mới.", "A new bridge.")),)))
    assert _ids(store, "bridges") == ["a5"]
    _index_is_sound(store)


def test_snippets_mark_the_matched_words(store: Store) -> None:
    found = store.search("dong")
    parts = store.snippets("dong", [a.id for a in found])["a2"]
    assert [text for text, hit in parts if hit] == ["đồng"]
    assert "".join(text for text, _ in parts) == "Giá đồng tăng mạnh ở Đà Nẵng sáng nay."
    turbine = store.snippets("turbine", ["a1"])["a1"]
    assert [text for text, hit in turbine if hit] == ["turbines"]
    assert store.snippets("NOT gold", ["a2"]) == {}  # an exclusion matches no words


def test_long_articles_are_snippeted_from_a_window(db_file: Path) -> None:
    """FTS5's snippet() costs the square of a document's matches (one word 80,000 times: 24 s):
    a column longer than fts.SNIPPET_CHARS is snippeted from a window of it, around the first
    place a query word appears, through a temporary index that folds as the real one does;
    short articles, and the rest of a page, are snippeted as before."""
    from briefing.store.fts import SNIPPET_CHARS, snippet_window

    filler = "Quiet harbour news of the week, nothing new. " * 400  # ~18,000 characters
    with Store(db_file) as store:
        store.save_article(_article(1, "Repeated", "word " * 80_000))
        store.save_article(_article(2, "Deep in the text", filler + "Giá đồng tăng mạnh ở Đà Nẵng."
                                    + filler, "vi"))
        store.save_article(_article(3, "Short", "A short word about the harbour."))
        found = store.snippets("word", ["a1", "a3"])
        assert [t for t, hit in found["a1"] if hit][:3] == ["word"] * 3
        assert "".join(t for t, _ in found["a3"]) == "A short word about the harbour."
        deep = store.snippets("dong", ["a2"])["a2"]
        assert [t for t, hit in deep if hit] == ["đồng"]  # found past the first window
        assert "".join(t for t, _ in deep).startswith("…")
        assert store.snippets("NOT word", ["a1"]) == {}
        assert store.snippets("nowhere", ["a1", "a2"]) == {}
        # The temporary rows are this call's: none is left for the next, nor a transaction.
        assert store.conn.execute("SELECT count(*) FROM temp.snippet_windows").fetchone() == (0,)
        assert not store.conn.in_transaction
        with pytest.raises(QueryError):
            store.snippets('"unclosed', ["a1"])
    window = snippet_window("x " * 10_000 + "target " + "y " * 10_000, ["target"])
    assert len(window) <= SNIPPET_CHARS + 4 and "target" in window
    assert snippet_window("short text", ["x"]) == "short text"


def test_results_come_best_first_with_and_without_a_filter(db_file: Path) -> None:
    """Ranked by bm25 within the newest matches: the article that says the words most, for
    its length, first; a phrase only where its words stand together; a filter (which joins
    the articles inside the ranked window) keeps the same order for the rows it keeps."""
    from briefing.store import ArticleFilter

    texts = {
        1: "Harbour cranes. Harbour berths. Harbour fees rose at the harbour.",
        2: "The harbour strike ended as the port reopened after a long night.",
        3: "A strike at the mine; the harbour was quiet all week long, they said.",
        4: "Coffee prices fell on Monday as the weather turned in the north.",
        5: "Harbour strike talks: the harbour strike may end, unions said today.",
    }
    with Store(db_file) as store:
        for n, text in texts.items():
            store.save_article(_article(n, f"Story {n}", text,
                                        source=f"https://{'odd' if n % 2 else 'even'}.example/"))
        words = [a.id for a in store.search("harbour")]
        assert words == ["a1", "a5", "a2", "a3"]
        assert [a.id for a in store.search('"harbour strike"')] == ["a5", "a2"]
        assert [a.id for a in store.search("harbour strike")] == ["a5", "a2", "a3"]
        odd = ArticleFilter(source="https://odd.example/")
        assert [a.id for a in store.search("harbour", odd)] == [
            a for a in words if int(a[1:]) % 2]
        assert [a.id for a in store.search("harbour", limit=2, offset=1)] == words[1:3]


def test_prefix_snippets_are_of_the_rows_asked_for_only(db_file: Path) -> None:
    """A prefix's snippets come from a scan over the rowids between the rows asked for: an
    article in that span matching the prefix, but not asked for, gets none, and the rows
    asked for at both ends of the span, and alone, get theirs."""
    with Store(db_file) as store:
        for n, word in enumerate(("copper", "copperplate", "coppers", "tin", "copper"), 1):
            store.save_article(_article(n, f"Metal {n}", f"The {word} market moved."))
        asked = ["a1", "a3", "a5"]  # a2 matches copp* between them; a4 does not match
        found = store.snippets("copp*", asked)
        assert found.keys() == set(asked)
        assert [[t for t, hit in found[a] if hit] for a in asked] == [
            ["copper"], ["coppers"], ["copper"]]
        assert "".join(t for t, _ in found["a3"]) == "The coppers market moved."
        assert store.snippets("copp*", ["a2"]).keys() == {"a2"}
        assert store.snippets("copp*", ["a4"]) == {}
        assert store.snippets("copp*", ["a5", "a1"]).keys() == {"a1", "a5"}


def test_not_and_groups(store: Store) -> None:
    assert _ids(store, "percent>=5 NOT gold") == []  # no article has a percent fact
    assert _ids(store, "NOT gold") == ["a2", "a3", "a4"]
    assert _ids(store, "-gold") == ["a2", "a3", "a4"]
    assert _ids(store, "harbour NOT gold") == []
    assert _ids(store, "(copper OR turbines) NOT gold") == ["a4"]
    assert _ids(store, "(copper OR cranes) -mines") == ["a1"]
    assert _ids(store, "copper OR turbines") == ["a1", "a4"]
    assert _ids(store, "(harbour NOT gold) OR copper") == ["a4"]
    assert _ids(store, "covid-19") == []  # punctuation in a word is not syntax


@pytest.mark.parametrize(("query", "reason"), [
    ('"unclosed', 'a " is not closed'),
    ("(harbour", "a ( is not closed"),
    ("harbour)", "a ) has no ( before it"),
    ("harbour NOT", "NOT needs a word after it"),
    ("AND gold", "AND needs a word before it"),
    ("gold OR OR copper", "two operators in a row"),
    ("(NOT gold)", "NOT inside ( ) needs a word before it"),
    ("NOT gold OR copper", "a search with OR cannot start with NOT"),
    ("copper OR percent>=5", "a fact filter applies to the whole search"),
    ("(copper percent>=5)", "a fact filter applies to the whole search"),
])
def test_unreadable_queries_say_why(store: Store, query: str, reason: str) -> None:
    with pytest.raises(QueryError, match=r"malformed search query|fact filter") as err:
        _ids(store, query)
    assert reason in str(err.value)


def test_compiled_queries_quote_every_word() -> None:
    assert compile_query("a NOT b c").match == '"a" AND "c"'
    assert compile_query("a NOT b c").exclude == '"b"'
    assert compile_query("chip*").match == '"chip"*'
    assert compile_query('AT&T "Đà Nẵng"').match == '"AT&T" AND "Dà Nẵng"'


def test_recent_searches_latest_first_and_capped(store: Store) -> None:
    for i, q in enumerate(["gold", "copper", "gold", "  ", "turbine"]):
        store.add_recent_search(q, now=f"2026-01-01T00:00:0{i}", keep=2)
    assert store.recent_searches() == ["turbine", "gold"]


def test_cli_search_shows_passages_and_json_spans(store: Store, db_file: Path) -> None:
    store.close()
    run = [sys.executable, "-m", "briefing", "--db", str(db_file), "search"]
    text = subprocess.run([*run, "dong"], capture_output=True, text=True, timeout=120,
                          check=True).stdout.splitlines()
    assert text[0].startswith("a2 ") and text[1] == "    Giá đồng tăng mạnh ở Đà Nẵng sáng nay."
    found = json.loads(subprocess.run([*run, "turbine", "--json"], capture_output=True,
                                      text=True, timeout=120, check=True).stdout)
    (start, end), = found[0]["snippet_matches"]
    assert found[0]["snippet"][start:end] == "turbines"
    bad = subprocess.run([*run, "(NOT gold)"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "NOT inside ( ) needs a word before it" in bad.stderr
    # Groups nested a thousand deep: one short line (not Python's recursion limit, not the
    # query a thousand characters long), exit 2.
    deep = subprocess.run([*run, "(" * 1000 + "gold" + ")" * 1000], capture_output=True,
                          text=True, timeout=120)
    assert deep.returncode == 2 and "Traceback" not in deep.stderr
    assert deep.stderr.endswith("( ) nested more than 20 deep\n") and len(deep.stderr) < 200


def test_an_index_of_the_previous_schema_is_rebuilt(db_file: Path) -> None:
    from sqlite_utils import Database

    from briefing.store.migrations import migrations
    from briefing.store.store import SCHEMA_VERSION

    # A database as the last briefing before m011 left it, with its old index filled by the
    # old triggers.
    db = Database(db_file)
    migrations.apply(db, stop_before="m011_search_index")
    db.execute("INSERT INTO articles (id, url, source_url, title, text, published) VALUES "
               "('old1', 'u1', 's', 'Giá đồng', 'Giá đồng tăng ở Đà Nẵng.', '2025-01-01'), "
               "('old2', 'u2', 's', 'Turbines', 'Wind turbines ordered.', '2025-01-02')")
    db.execute("INSERT INTO translations (id, article_id, lang, engine) VALUES "
               "(1, 'old1', 'en', 'test')")
    db.execute("INSERT INTO translation_pairs (translation_id, idx, original, translation) "
               "VALUES (1, 0, 'Giá đồng tăng.', 'Copper prices rose.')")
    db.conn.commit()
    db.execute("PRAGMA user_version = 7")
    db.close()
    with Store(db_file) as store:
        assert _ids(store, "dong") == ["old1"]
        assert _ids(store, "turbine") == ["old2"]
        assert _ids(store, "copper") == ["old1"]
        _index_is_sound(store)
        store.set_read("old1")  # a flag change leaves the index alone, and sound
        _index_is_sound(store)
    conn = sqlite3.connect(db_file)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("SELECT count(*) FROM recent_searches").fetchone()[0] == 0


def test_fact_filters_common_rare_and_empty_give_the_same_answers(db_file: Path) -> None:
    from briefing.models import Fact
    from briefing.store.store import RARE_FACT_ROWS, RARE_SEARCH_ROWS

    # One article with more percent facts than RARE_FACT_ROWS makes percent filters take
    # the article-by-article path; org filters with one row take the gathered-ids path, and
    # money filters, between RARE_SEARCH_ROWS and RARE_FACT_ROWS rows, that path for a list
    # and the words' matches walked for a search.
    many = tuple(Fact("percent", "50%", 50.0, "%", 0, 0, 3) for _ in range(RARE_FACT_ROWS))
    few = tuple(Fact("money", "$5bn", 5e9, "USD", 0, 0, 3) for _ in range(RARE_SEARCH_ROWS))
    with Store(db_file) as store:
        store.save_article(_article(1, "Copper", "Copper rose 50% at the harbour.",
                                    facts=(*many, *few, Fact("org", "Halvorsen", "Halvorsen",
                                                             "", 0, 0, 9))))
        store.save_article(_article(2, "Copper again", "Copper rose 60% in the harbour.",
                                    facts=(Fact("percent", "60%", 60.0, "%", 0, 0, 3),)))
        store.save_article(_article(3, "Gold", "Gold fell.", facts=()))
        assert _ids(store, "percent>=50") == ["a1", "a2"]
        assert _ids(store, "percent>55") == ["a2"]
        assert _ids(store, "copper percent>=50") == ["a1", "a2"]
        assert _ids(store, "org:halvorsen") == ["a1"]
        assert _ids(store, "copper org:halvorsen") == ["a1"]
        assert _ids(store, "copper org:halvorsen percent>=50") == ["a1"]
        assert _ids(store, "org:nobody") == []
        assert _ids(store, "copper org:nobody") == []
        assert _ids(store, "-harbour percent>=50") == []
        assert _ids(store, "harbour NOT 60% percent>=50") == ["a1"]
        assert _ids(store, "copp* percent>=50") == ["a1", "a2"]
        assert _ids(store, "money>1e9") == ["a1"]
        assert _ids(store, "copper money>1e9") == ["a1"]
        assert _ids(store, "harbour money>1e9 org:halvorsen") == ["a1"]
        assert _ids(store, "gold money>1e9") == []
        assert store.snippets("copp*", ["a1", "a2"]).keys() == {"a1", "a2"}


def test_articles_saved_in_one_transaction_are_indexed_at_its_commit(db_file: Path) -> None:
    """New articles enter the index in one statement per transaction (Store.index_pending),
    not a trigger run each. An article updated, translated or pruned in the transaction that
    inserted it, and a transaction rolled back, must leave the index as the triggers did."""
    from datetime import UTC, datetime

    from briefing.store import StoreError

    store = Store(db_file)
    first = _article(5, "Harbour dredging", "The harbour will dredge the north channel.")
    store.save_articles([
        _article(1, "Wind turbines ordered", "The harbour ordered new turbines."),
        first,
        # The same article again with another text: an update of a row not yet indexed.
        _article(5, "Harbour dredging", "The port will deepen the old quay instead.",
                 content_hash="h5b"),
        _article(6, "Cảng mới", "Cảng mới mở cửa.", "vi",
                 translations=(_translation(("Cảng mới mở cửa.", "The new seaport opened.")),)),
    ])
    assert _ids(store, "turbine") == ["a1"]
    assert _ids(store, "quay") == ["a5"] and _ids(store, "channel") == []
    assert _ids(store, "seaport") == ["a6"] and _ids(store, "cang") == ["a6"]
    _index_is_sound(store)
    with pytest.raises(StoreError), store.transaction():
        store.save_article(_article(7, "Copper prices", "Copper rose 5% as mines closed."))
        raise sqlite3.OperationalError("disk I/O error")  # the commit never comes
    store.save_article(_article(8, "Gold cranes", "Two gold cranes arrived."))
    assert _ids(store, "copper") == [] and _ids(store, "crane") == ["a8"]
    _index_is_sound(store)
    # Pruned in the transaction that stored it: the delete trigger finds it indexed.
    with store.write():
        store.save_article(_article(9, "Old news", "An old ferry timetable.",
                                    published="2000-01-01T00:00:00"))
        store.prune(keep_days=30, now=datetime(2025, 2, 1, tzinfo=UTC))
    assert _ids(store, "ferry") == []
    _index_is_sound(store)


def test_a_word_and_a_rare_fact_filter_rank_as_the_configured_rank(db_file: Path) -> None:
    """The rare filter's path ranks by bm25 with the weights `rank` is configured with (a
    title word weighs five): the same order as ranking every match by `rank`."""
    from briefing.models import Fact
    from briefing.store.store import RANK

    texts = {1: ("Harbour fees", "Fees rose at the harbour, the port said."),
             2: ("Port news", "Harbour cranes, harbour berths and harbour fees rose."),
             3: ("Quiet week", "A strike at the mine; the harbour was quiet."),
             4: ("Harbour harbour", "The harbour reopened."),
             5: ("Coffee", "Coffee prices fell.")}
    fact = (Fact("org", "Halvorsen", "Halvorsen", "", 0, 0, 9),)
    with Store(db_file) as store:
        for n, (title, text) in texts.items():
            store.save_article(_article(n, title, text, facts=fact))
        ranked = [row[0] for row in store.conn.execute(
            "SELECT a.id FROM articles_fts f JOIN articles a ON a.rowid = f.rowid "
            "WHERE articles_fts MATCH 'harbour' ORDER BY f.rank")]
        configured = store.conn.execute(
            "SELECT v FROM articles_fts_config WHERE k = 'rank'").fetchone()[0]
        assert configured.replace("bm25(", "bm25(articles_fts, ", 1) == RANK
        assert len(ranked) == 4 and ranked[0] in ("a4", "a1")  # title words count five
        fts, flt = parse_query("harbour org:halvorsen")
        assert [a.id for a in store.search(fts, flt)] == ranked


@pytest.mark.parametrize(("query", "hint"), [
    ("monye>5bn", " (did you mean money?)"),
    ("harbour pecrent>=10", " (did you mean percent?)"),
    ("monye:5bn", " (did you mean money?)"),
    ("price>5", ""),
])
def test_a_misspelt_fact_filter_is_refused_not_searched_for(query: str, hint: str) -> None:
    """`search 'monye>5bn'` searched for the words "monye" and "5bn", found nothing and exited
    0, where `list --fact 'monye>5bn'` said why. A comparison is no word: an unknown kind
    before one is refused; before "=" or ":" only when it is close to a kind's name."""
    with pytest.raises(QueryError) as err:
        parse_query(query)
    assert str(err.value).endswith(f"kind must be one of money, percent, measure, count, "
                                   f"duration, date, org, person, place{hint}")


@pytest.mark.parametrize("query", ["key=value harbour", "Re: harbour", "ratio:2 port"])
def test_words_with_an_equals_sign_or_a_colon_are_still_words(query: str) -> None:
    fts, flt = parse_query(query)
    assert fts == query and flt.facts == ()
