"""The schema as code: one function per change, applied in order, each exactly once."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("briefing")


@migrations()
def m001_initial(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE sources (
            url TEXT PRIMARY KEY,
            kind TEXT NOT NULL DEFAULT 'feed',
            title TEXT NOT NULL DEFAULT '',
            site_url TEXT NOT NULL DEFAULT '',
            etag TEXT,
            last_modified TEXT,
            last_status INTEGER,
            last_error TEXT,
            error_count INTEGER NOT NULL DEFAULT 0,
            gone INTEGER NOT NULL DEFAULT 0,
            subscribed INTEGER NOT NULL DEFAULT 0,
            added TEXT,
            last_fetched TEXT,
            retry_after TEXT
        );
        CREATE TABLE source_tags (
            source_url TEXT NOT NULL REFERENCES sources(url) ON DELETE CASCADE,
            tag TEXT NOT NULL,
            PRIMARY KEY (source_url, tag)
        );
        CREATE TABLE articles (
            id TEXT PRIMARY KEY,
            url TEXT NOT NULL,
            source_url TEXT NOT NULL,
            source_title TEXT NOT NULL DEFAULT '',
            title TEXT NOT NULL DEFAULT '',
            author TEXT NOT NULL DEFAULT '',
            published TEXT,
            fetched TEXT,
            updated TEXT,
            language TEXT NOT NULL DEFAULT '',
            site_name TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL DEFAULT '',
            content_hash TEXT NOT NULL DEFAULT '',
            summary TEXT NOT NULL DEFAULT '',
            tagger_version INTEGER NOT NULL DEFAULT 0,
            fact_count INTEGER NOT NULL DEFAULT 0,
            read INTEGER NOT NULL DEFAULT 0,
            starred INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX articles_content_hash ON articles(content_hash);
        CREATE INDEX articles_source ON articles(source_url, published);
        CREATE INDEX articles_published ON articles(published);
        CREATE INDEX articles_unread ON articles(read, published);
        CREATE TABLE paragraphs (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            text TEXT NOT NULL,
            language TEXT NOT NULL DEFAULT '',
            kind TEXT NOT NULL DEFAULT 'body',
            PRIMARY KEY (article_id, idx)
        );
        CREATE TABLE article_tags (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            tag TEXT NOT NULL,
            PRIMARY KEY (article_id, tag)
        );
        CREATE INDEX article_tags_tag ON article_tags(tag);
        CREATE TABLE facts (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            kind TEXT NOT NULL,
            text TEXT NOT NULL,
            value,
            unit TEXT NOT NULL DEFAULT '',
            paragraph INTEGER NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            link INTEGER,
            PRIMARY KEY (article_id, idx)
        );
        CREATE INDEX facts_kind_value ON facts(kind, value);
        CREATE TABLE key_facts (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            text TEXT NOT NULL,
            paragraph INTEGER NOT NULL,
            PRIMARY KEY (article_id, idx)
        );
        CREATE TABLE fetch_runs (
            id INTEGER PRIMARY KEY,
            started TEXT NOT NULL,
            finished TEXT,
            sources_total INTEGER NOT NULL DEFAULT 0,
            sources_ok INTEGER NOT NULL DEFAULT 0,
            sources_failed INTEGER NOT NULL DEFAULT 0,
            added INTEGER NOT NULL DEFAULT 0,
            updated INTEGER NOT NULL DEFAULT 0,
            unchanged INTEGER NOT NULL DEFAULT 0,
            failures TEXT NOT NULL DEFAULT '[]'
        );
        """
    )
    # External-content FTS5 over articles, kept in step by triggers so every write path
    # (including sqlite-utils and Datasette edits) updates the index.
    db.table("articles").enable_fts(
        ["title", "text"], fts_version="FTS5", create_triggers=True, tokenize="unicode61"
    )


@migrations()
def m002_translations(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE translations (
            id INTEGER PRIMARY KEY,
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            lang TEXT NOT NULL,
            engine TEXT NOT NULL,
            model TEXT NOT NULL DEFAULT '',
            summary TEXT NOT NULL DEFAULT '',
            created TEXT,
            UNIQUE (article_id, lang)
        );
        CREATE TABLE translation_pairs (
            translation_id INTEGER NOT NULL REFERENCES translations(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            paragraph INTEGER,
            original TEXT NOT NULL DEFAULT '',
            translation TEXT NOT NULL DEFAULT '',
            flags TEXT NOT NULL DEFAULT '[]',
            PRIMARY KEY (translation_id, idx)
        );
        CREATE TABLE translation_key_facts (
            translation_id INTEGER NOT NULL REFERENCES translations(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            text TEXT NOT NULL,
            PRIMARY KEY (translation_id, idx)
        );
        CREATE TABLE translation_cache (
            key TEXT PRIMARY KEY,
            text TEXT NOT NULL,
            created TEXT
        );
        """
    )


@migrations()
def m003_feed_tags(db: Database) -> None:
    # The feed's own tags (categories, `feeds add --tag`), kept apart from the tagger's output
    # so a re-tag can rebuild an article's tags without losing them.
    db.execute("ALTER TABLE articles ADD COLUMN feed_tags TEXT NOT NULL DEFAULT '[]'")


@migrations()
def m004_stories(db: Database) -> None:
    # Stories: copies of one news story across sources and languages (briefing/stories.py).
    # story_keys is the index a new article's candidates come from: normalised figure tokens
    # ("f:money:USD:2330", a 1% bucket of the value) and MinHash band tokens, each with the
    # article's publication time so a lookup reads only the time window around it.
    # story_articles keeps each article's signature (figures, names, MinHash) as of the last
    # assignment: the "previous figures" a re-fetch is compared with. story_changes survives
    # a rebuild, since it is history.
    db.executescript(
        """
        CREATE TABLE stories (
            id TEXT PRIMARY KEY,
            best_article TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            size INTEGER NOT NULL DEFAULT 1,
            first_published TEXT NOT NULL DEFAULT '',
            last_published TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX stories_last ON stories(last_published);
        CREATE TABLE story_articles (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            story_id TEXT NOT NULL,
            published TEXT NOT NULL DEFAULT '',
            quality REAL NOT NULL DEFAULT 0,
            content_hash TEXT NOT NULL DEFAULT '',
            tagger_version INTEGER NOT NULL DEFAULT 0,
            signature TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX story_articles_story ON story_articles(story_id);
        CREATE TABLE story_keys (
            key TEXT NOT NULL,
            published TEXT NOT NULL,
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            PRIMARY KEY (key, published, article_id)
        ) WITHOUT ROWID;
        CREATE INDEX story_keys_article ON story_keys(article_id);
        CREATE TABLE story_flags (
            story_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            text TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '{}',
            PRIMARY KEY (story_id, text)
        );
        CREATE TABLE story_changes (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '{}',
            PRIMARY KEY (article_id, text)
        );
        """
    )


@migrations()
def m005_story_keys_as_integers(db: Database) -> None:
    # story_keys is what a fetch writes most: ~22 rows an article, scattered over the index so
    # that each commit rewrites much of it. As integers (a 64-bit hash of the key, the time in
    # seconds, the article's rowid) its rows are a third of the size, and replaying a 20,000-
    # article fetch's writes took 8.0 s of SQLite instead of 11.5 s. The articles' rowids are
    # stable: articles are never deleted by briefing, and VACUUM keeps rowids (the full-text
    # index relies on that already). No foreign key: a key of an article deleted by hand is
    # skipped when it comes up (it has no story row).
    from briefing.store.keys import epoch, key_id

    db.conn.create_function("briefing_key_id", 1, key_id, deterministic=True)
    db.conn.create_function("briefing_epoch", 1, epoch, deterministic=True)
    db.execute(
        "CREATE TABLE story_keys_new (key INTEGER NOT NULL, published INTEGER NOT NULL, "
        "article INTEGER NOT NULL, PRIMARY KEY (key, published, article)) WITHOUT ROWID")
    db.execute(
        "INSERT OR IGNORE INTO story_keys_new (key, published, article) "
        "SELECT briefing_key_id(k.key), briefing_epoch(k.published), a.rowid "
        "FROM story_keys k JOIN articles a ON a.id = k.article_id")
    db.execute("DROP TABLE story_keys")
    db.execute("ALTER TABLE story_keys_new RENAME TO story_keys")
    db.execute("CREATE INDEX story_keys_article ON story_keys(article)")


@migrations()
def m006_translation_pair_notes(db: Database) -> None:
    # The numbers check splits what it finds into flags (shown with ⚠) and notes (a left-over
    # "1" that reads as an article, shown quietly). Both are JSON lists of {kind, text,
    # original, translation}; flags written before this held plain strings, which the store
    # still reads.
    db.execute("ALTER TABLE translation_pairs ADD COLUMN notes TEXT NOT NULL DEFAULT '[]'")


@migrations()
def m007_pending_pages(db: Database) -> None:
    # Teaser items whose pages a run left for later (fetch.pages_per_feed): each is stored as
    # its teaser meanwhile, and the feed's next runs fetch its page, even when the feed itself
    # answers 304. Fetched in the order they were put off (rowid).
    db.execute(
        "CREATE TABLE pending_pages (article_id TEXT PRIMARY KEY, source_url TEXT NOT NULL, "
        "url TEXT NOT NULL, added TEXT NOT NULL DEFAULT '')")
    db.execute("CREATE INDEX pending_pages_source ON pending_pages(source_url)")


@migrations()
def m008_translation_bullet_flags(db: Database) -> None:
    # An engine translation's bullets and summary are checked against the original's like its
    # pairs; the numbers check's flags are kept beside them (JSON lists as in m006).
    db.execute("ALTER TABLE translation_key_facts ADD COLUMN flags TEXT NOT NULL DEFAULT '[]'")
    db.execute("ALTER TABLE translations ADD COLUMN summary_flags TEXT NOT NULL DEFAULT '[]'")


@migrations()
def m009_written_digests(db: Database) -> None:
    # Bullets and summary written by a model (briefing write), one row per article and
    # language, replaced on a re-write. bullets is a JSON list of strings; flags is
    # {"bullets": [[{kind, text}, ...] per bullet], "summary": [{kind, text}, ...]}, what the
    # figure guard found when the digest was written.
    db.execute(
        "CREATE TABLE written_digests ("
        "article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE, "
        "lang TEXT NOT NULL, engine TEXT NOT NULL, model TEXT NOT NULL DEFAULT '', "
        "bullets TEXT NOT NULL DEFAULT '[]', summary TEXT NOT NULL DEFAULT '', "
        "flags TEXT NOT NULL DEFAULT '{}', created TEXT, PRIMARY KEY (article_id, lang))")


@migrations()
def m010_source_names(db: Database) -> None:
    # The name the user gave a feed (renamed in the TUI). Kept apart from `title`, which each
    # fetch refreshes from the feed itself, so a rename survives the next fetch.
    db.execute("ALTER TABLE sources ADD COLUMN user_title TEXT NOT NULL DEFAULT ''")


@migrations()
def m011_search_index(db: Database) -> None:
    # The full-text index again, worth searching (issue 15): English stemmed (porter, so
    # "turbine" finds "turbines"), diacritics folded (remove_diacritics 2, and đ -> d by hand,
    # see store/fts.py), and translations searched too. Still external content over articles,
    # so snippet() reads the text from the articles table and the index holds no second copy.
    # A translation's text is the one new column: FTS5 reads an external table's columns by
    # name, and translation_pairs hold one row per paragraph. Triggers fold with plain
    # replace(), so any client's edit keeps the index right; updating only read or starred no
    # longer rewrites an article's index entries (m001's trigger did, on every `open`).
    from briefing.store.fts import sql_fold

    for trigger in ("articles_ai", "articles_ad", "articles_au"):
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    db.execute("DROP TABLE IF EXISTS articles_fts")
    db.execute("ALTER TABLE articles ADD COLUMN translation TEXT NOT NULL DEFAULT ''")
    db.execute(
        "UPDATE articles SET translation = COALESCE((SELECT group_concat(translation, char(10)) "
        "FROM (SELECT p.translation FROM translations t JOIN translation_pairs p "
        "ON p.translation_id = t.id WHERE t.article_id = articles.id "
        "ORDER BY t.lang, p.idx)), '') "
        "WHERE id IN (SELECT article_id FROM translations)")
    db.execute(
        "CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, translation, "
        "content='articles', content_rowid='rowid', "
        "tokenize='porter unicode61 remove_diacritics 2')")
    # A title word weighs as much as five in the text.
    db.execute(
        "INSERT INTO articles_fts (articles_fts, rank) VALUES ('rank', 'bm25(5.0, 1.0, 1.0)')")
    new = ", ".join(sql_fold(f"new.{c}") for c in ("title", "text", "translation"))
    old = ", ".join(sql_fold(f"old.{c}") for c in ("title", "text", "translation"))
    # One statement at a time: executescript() would commit the migration's transaction.
    db.execute(
        "CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN "
        f"INSERT INTO articles_fts (rowid, title, text, translation) VALUES (new.rowid, {new}); "
        "END")
    db.execute(
        "CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN "
        "INSERT INTO articles_fts (articles_fts, rowid, title, text, translation) "
        f"VALUES ('delete', old.rowid, {old}); END")
    db.execute(
        "CREATE TRIGGER articles_au AFTER UPDATE OF title, text, translation ON articles "
        "WHEN old.title IS NOT new.title OR old.text IS NOT new.text "
        "OR old.translation IS NOT new.translation BEGIN "
        "INSERT INTO articles_fts (articles_fts, rowid, title, text, translation) "
        f"VALUES ('delete', old.rowid, {old}); "
        f"INSERT INTO articles_fts (rowid, title, text, translation) VALUES (new.rowid, {new}); "
        "END")
    db.execute(
        "INSERT INTO articles_fts (rowid, title, text, translation) "
        f"SELECT rowid, {sql_fold('title')}, {sql_fold('text')}, {sql_fold('translation')} "
        "FROM articles")
    # The sidebar's counts without reading the articles' rows (their text is most of the
    # file): per source from (source_url, read), starred from a partial index of the few
    # starred. At 100,000 articles: 1.1 s and 0.4 s before, 50 ms and 0 after.
    db.execute("CREATE INDEX articles_source_read ON articles(source_url, read)")
    db.execute("CREATE INDEX articles_starred ON articles(starred) WHERE starred = 1")
    # Searches the TUI's box ran (newest first), offered again as the user types.
    db.execute("CREATE TABLE recent_searches (query TEXT PRIMARY KEY, used TEXT NOT NULL)")
    db.execute("CREATE INDEX recent_searches_used ON recent_searches(used)")
    # Articles retention deleted (store/retention.py), so that a feed still carrying them
    # does not bring them back on the next fetch only for the prune after it to delete them
    # again. Forgotten after TOMBSTONE_DAYS, by when feeds have moved on. The text's hash too:
    # a copy under another URL (a local page of a feed's item) was a duplicate while the
    # article lived and must not come back as new once it is gone.
    db.execute("CREATE TABLE pruned_articles (id TEXT PRIMARY KEY, pruned TEXT NOT NULL, "
               "content_hash TEXT NOT NULL DEFAULT '') WITHOUT ROWID")
    db.execute("CREATE INDEX pruned_articles_hash ON pruned_articles(content_hash) "
               "WHERE content_hash != ''")


@migrations()
def m012_merge_tag_case(db: Database) -> None:
    # Tags differing only in case are one tag ("Finance" from an OPML folder, "finance" from a
    # feed's category): each is rewritten to the spelling used most, in articles and sources.
    from briefing.store.tags import merge_case

    for table in ("article_tags", "source_tags"):
        counts = dict(db.execute(f"SELECT tag, count(*) FROM {table} GROUP BY tag").fetchall())
        for variant, best in merge_case(counts).items():
            db.execute(f"UPDATE OR IGNORE {table} SET tag = ? WHERE tag = ?", (best, variant))
            db.execute(f"DELETE FROM {table} WHERE tag = ?", (variant,))


@migrations()
def m013_lean_fetch(db: Database) -> None:
    # A hash of each feed article's entry HTML (Article.entry_hash): a feed fetched again (a
    # new ETag, or none at all) lists mostly the entries stored before, and those whose HTML
    # is unchanged need no cleaning to know it. Rows stored before have none, and are cleaned
    # and compared by their text once more, as before.
    db.execute("ALTER TABLE articles ADD COLUMN entry_hash TEXT NOT NULL DEFAULT ''")
    # New articles go into the search index in one statement per transaction (see
    # Store.index_pending), not one trigger run each: FTS5 writes its pending terms out at
    # every statement that changes it, so a fetch made one small index segment per article.
    # The update and delete triggers stay, so an edit by any client keeps the index right; a
    # row another client inserts by hand is not indexed (briefing inserts through its store).
    db.execute("DROP TRIGGER IF EXISTS articles_ai")
    # Story keys hold 10 MinHash bands of 3 values an article instead of 16 of 4 (see
    # briefing.signatures): each stored article's old band keys are replaced by the new ones,
    # so a new article still finds the copies stored before the upgrade by their text.
    import zlib

    from briefing.store.keys import band_keys, decode_signature, epoch, key_id, stored_minhash

    rows = db.execute(
        "SELECT a.rowid, s.published, s.signature FROM story_articles s "
        "JOIN articles a ON a.id = s.article_id").fetchall()
    for rowid, published, stored in rows:
        try:
            minhash, when = stored_minhash(decode_signature(stored)), epoch(published)
        except (ValueError, TypeError, KeyError, zlib.error):
            continue  # a row written by hand or damaged: its keys stay as they are
        if not minhash:
            continue
        db.conn.executemany(
            "DELETE FROM story_keys WHERE key = ? AND published = ? AND article = ?",
            [(key_id(k), when, rowid) for k in band_keys(minhash, 16, 4)])
        db.conn.executemany(
            "INSERT OR IGNORE INTO story_keys (key, published, article) VALUES (?,?,?)",
            [(key_id(k), when, rowid) for k in band_keys(minhash, 10, 3)])


@migrations()
def m014_tagging_pending(db: Database) -> None:
    # Articles stored readable but not tagged yet (fetch.readable_first; models.TAGGING_PENDING):
    # every fetch starts by finishing those a killed run left, so finding them must not read
    # the articles table (its rows hold the text). Nearly always empty; an article leaves it
    # when its tagging is saved.
    db.execute("CREATE INDEX articles_tagging_pending ON articles(tagger_version) "
               "WHERE tagger_version < 0")


@migrations()
def m015_read_id_index(db: Database) -> None:
    # The sidebar's tag counts join the read (or the unread) articles to their tags: with
    # (read, id) covering that side, the join never reads the wide article rows (0.7 s at
    # 100,000 articles before, tens of milliseconds after).
    db.execute("CREATE INDEX IF NOT EXISTS articles_read_id ON articles(read, id)")


@migrations()
def m016_paragraphs_in_articles(db: Database) -> None:
    # An article's paragraphs as offsets into its text, in its own row (store/paragraphs.py):
    # the paragraphs table held the text a second time (a tenth of the file) and cost a row
    # and an index entry a paragraph. Read first, written after, so no row is changed while
    # the scan that reads it is open; an article without paragraphs keeps "".
    from itertools import groupby

    from briefing.models import Paragraph
    from briefing.store.paragraphs import encode

    db.execute("ALTER TABLE articles ADD COLUMN paragraphs TEXT NOT NULL DEFAULT ''")
    # As bytes, decoded here: one row of invalid UTF-8 or a BLOB (written by another program)
    # failed the whole upgrade, on every start, and no command could open the file any more.
    # A repaired paragraph no longer matches the text, so it is kept whole (paragraphs.py).
    rows = db.execute(
        "SELECT a.rowid, CAST(a.text AS BLOB), p.idx, CAST(p.text AS BLOB), "
        "CAST(p.language AS BLOB), CAST(p.kind AS BLOB) FROM articles a "
        "JOIN paragraphs p ON p.article_id = a.id ORDER BY a.id, p.idx")
    # Only the encoded form is kept of each article (a few bytes a paragraph), not its text.
    encoded = [(encode(_text(group[0][1]), [
        Paragraph(int(r[2]), _text(r[3]), _text(r[4]) or "und", _text(r[5]) or "body")
        for r in group]), rowid)
        for rowid, group in ((k, list(g)) for k, g in groupby(rows, key=lambda r: r[0]))]
    db.conn.executemany("UPDATE articles SET paragraphs = ? WHERE rowid = ?", encoded)
    db.execute("DROP TABLE paragraphs")
    # Whether the source dated the article (Article.dated): one stored readable first and
    # read back for its tagging (past tag_behind.HELD, or after a killed run) was tagged as
    # dated by its fetch, "on Monday" read as a date. Rows stored before are taken as dated.
    db.execute("ALTER TABLE articles ADD COLUMN dated INTEGER NOT NULL DEFAULT 1")


@migrations()
def m017_children_by_rowid(db: Database) -> None:
    # An article's facts, bullets and tags keyed by its rowid, not its id: the id is a hash,
    # so each new article's rows went into the middle of the (article_id, idx) index, and a
    # fetch's commits rewrote most of that index's pages into the WAL (a cold fetch of 20,000
    # wire items: 461,000 facts, their index 14 MB). Rowids grow as articles are stored, so
    # a new article's rows are appended. facts and key_facts are clustered on (article, idx)
    # (WITHOUT ROWID: no second B-tree); article_tags keeps its rowid, which orders an
    # article's tags as they were given. A rowid cannot be a foreign key: the trigger below
    # deletes the rows with their article, as ON DELETE CASCADE did. (story_keys has keyed
    # its rows by the article's rowid since m013; VACUUM keeps rowids.)
    db.execute(
        "CREATE TABLE facts_new (article INTEGER NOT NULL, idx INTEGER NOT NULL, "
        "kind TEXT NOT NULL, text TEXT NOT NULL, value, unit TEXT NOT NULL DEFAULT '', "
        'paragraph INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, '
        "link INTEGER, PRIMARY KEY (article, idx)) WITHOUT ROWID")
    db.execute(
        'INSERT OR IGNORE INTO facts_new SELECT a.rowid, f.idx, f.kind, f.text, f.value, '
        'f.unit, f.paragraph, f.start, f."end", f.link FROM facts f '
        "JOIN articles a ON a.id = f.article_id")
    db.execute(
        "CREATE TABLE key_facts_new (article INTEGER NOT NULL, idx INTEGER NOT NULL, "
        "text TEXT NOT NULL, paragraph INTEGER NOT NULL, PRIMARY KEY (article, idx)) "
        "WITHOUT ROWID")
    db.execute(
        "INSERT OR IGNORE INTO key_facts_new SELECT a.rowid, k.idx, k.text, k.paragraph "
        "FROM key_facts k JOIN articles a ON a.id = k.article_id")
    db.execute(
        "CREATE TABLE article_tags_new (article INTEGER NOT NULL, tag TEXT NOT NULL, "
        "PRIMARY KEY (article, tag))")
    db.execute(
        "INSERT OR IGNORE INTO article_tags_new (article, tag) SELECT a.rowid, t.tag "
        "FROM article_tags t JOIN articles a ON a.id = t.article_id ORDER BY t.rowid")
    for table in ("facts", "key_facts", "article_tags"):
        db.execute(f"DROP TABLE {table}")
        db.execute(f"ALTER TABLE {table}_new RENAME TO {table}")
    db.execute("CREATE INDEX facts_kind_value ON facts(kind, value)")
    db.execute("CREATE INDEX article_tags_tag ON article_tags(tag)")
    db.execute(
        "CREATE TRIGGER articles_children_ad AFTER DELETE ON articles BEGIN "
        "DELETE FROM facts WHERE article = old.rowid; "
        "DELETE FROM key_facts WHERE article = old.rowid; "
        "DELETE FROM article_tags WHERE article = old.rowid; END")


@migrations()
def m018_translation_retries(db: Database) -> None:
    # Articles a fetch meant to translate (`fetch --translate`, [translation] auto) and could
    # not: the engine was down, or refused one. The next such fetch tries them again with its
    # own; they were left untranslated for good before, and a cron user never knew.
    db.execute(
        "CREATE TABLE translation_retries (article_id TEXT NOT NULL REFERENCES articles(id) "
        "ON DELETE CASCADE, lang TEXT NOT NULL, tries INTEGER NOT NULL, reason TEXT NOT NULL, "
        "last_try TEXT, PRIMARY KEY (article_id, lang)) WITHOUT ROWID")


@migrations()
def m019_pruned_titles(db: Database) -> None:
    # A pruned article's title: its text under another URL is the same article only under the
    # same title (store._same_title). Rows pruned before keep none, and their text alone counts.
    db.execute("ALTER TABLE pruned_articles ADD COLUMN title TEXT")


def _text(value: bytes | None) -> str:
    return "" if value is None else value.decode("utf-8", errors="replace")
