"""Local sources: files and folders a user points `briefing fetch` at. Each bad file fails on its
own with a reason naming it; good files beside it are stored; nothing crashes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from briefing.config import Settings
from briefing.models import FetchReport
from briefing.pipeline import run_fetch
from briefing.store import Store
from tests.feedgen import rss

ARTICLE = (
    "Harbour expansion approved\n\n"
    "The harbour authority in Port Meridian approved a $2.4bn expansion on Tuesday, adding 14 "
    "berths over three years.\n\n"
    "Officials said container traffic rose 18 per cent last year to 1.2mn boxes.\n"
)


def _fetch(db_file: Path, *sources: Path | str) -> tuple[FetchReport, Store]:
    store = Store(db_file)
    report = run_fetch(Settings(), store, [str(s) for s in sources], extract=False)
    assert report.sources_ok + len(report.failed) == report.sources_total
    for source, reason in report.failed:
        assert reason.strip() and "\n" not in reason, (source, reason)
    return report, store


def _article_sources(store: Store) -> set[str]:
    return {a.source for a in store.list_articles(limit=10_000)}


def test_empty_files(tmp_path: Path, db_file: Path) -> None:
    for name in ("empty.txt", "empty.xml", "empty.html", "blank.md"):
        (tmp_path / name).write_bytes(b"" if name != "blank.md" else b"  \n\n \t\n")
    good = tmp_path / "good.txt"
    good.write_text(ARTICLE)
    report, _ = _fetch(db_file, *(tmp_path / n for n in
                                      ("empty.txt", "empty.xml", "empty.html", "blank.md")), good)
    reasons = dict(report.failed)
    assert reasons[str(tmp_path / "empty.txt")] == "empty file"
    assert reasons[str(tmp_path / "blank.md")] == "empty file"
    assert reasons[str(tmp_path / "empty.xml")] == "empty document"
    assert reasons[str(tmp_path / "empty.html")] == "page is empty"
    assert report.added == 1 and report.sources_ok == 1


def test_binary_files(tmp_path: Path, db_file: Path) -> None:
    blob = bytes(range(256)) * 64
    for name in ("photo.txt", "photo.xml", "photo.html"):
        (tmp_path / name).write_bytes(blob)
    report, store = _fetch(db_file, *(tmp_path / n for n in ("photo.txt", "photo.xml",
                                                            "photo.html")))
    reasons = dict(report.failed)
    assert reasons[str(tmp_path / "photo.txt")] == "binary file, not a feed or an article"
    assert reasons[str(tmp_path / "photo.xml")] == "binary data, not a feed"
    assert str(tmp_path / "photo.html") in reasons
    assert store.count_articles() == 0


def test_file_over_the_size_cap(tmp_path: Path, db_file: Path) -> None:
    big = tmp_path / "big.xml"
    with big.open("wb") as fh:  # sparse: 50 MB on paper, no disk used
        fh.write(b"<rss>")
        fh.truncate(50_000_000)
    good = tmp_path / "good.xml"
    good.write_bytes(rss(2))
    report, _ = _fetch(db_file, big, good)
    assert dict(report.failed)[str(big)] == (
        "file is 50,000,000 bytes, over the 20,000,000-byte cap")
    assert report.added == 2


def test_invalid_utf8_text_article(tmp_path: Path, db_file: Path) -> None:
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Café prices rose 12% in São Paulo this year.\n".encode("latin-1"))
    report, store = _fetch(db_file, bad)
    assert dict(report.failed)[str(bad)] == "not valid UTF-8 text (byte 0xe9 at offset 3)"
    assert store.count_articles() == 0


def test_directory_is_walked_recursively(tmp_path: Path, db_file: Path) -> None:
    root = tmp_path / "news"
    (root / "world" / "asia").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "top.txt").write_text(ARTICLE)
    (root / "world" / "feed.xml").write_bytes(rss(2, prefix="world"))
    (root / "world" / "asia" / "deep.md").write_text(ARTICLE.replace("Port Meridian", "Da Nang"))
    (root / ".hidden" / "secret.txt").write_text(ARTICLE.replace("Port", "Hidden"))
    (root / "README.md").write_text("# notes, not news\n")
    (root / "image.png").write_bytes(b"\x89PNG\r\n")
    report, store = _fetch(db_file, root)
    assert report.failed == []
    assert report.sources_total == 3 and report.added == 4
    sources = _article_sources(store)
    assert str(root / "world" / "feed.xml") in sources
    assert str(root / "world" / "asia") in sources  # loose articles are filed under their folder
    assert not any(".hidden" in s for s in sources)


def test_malformed_opml(tmp_path: Path, db_file: Path) -> None:
    broken = tmp_path / "subs.opml"
    broken.write_text("<opml><body><outline text='a'")
    not_opml = tmp_path / "other.opml"
    not_opml.write_text("<?xml version='1.0'?><html><body/></html>")
    no_body = tmp_path / "nobody.opml"
    no_body.write_text("<opml version='2.0'><head/></opml>")
    report, _ = _fetch(db_file, broken, not_opml, no_body)
    reasons = dict(report.failed)
    assert reasons[str(broken)].startswith("malformed OPML:")
    assert reasons[str(not_opml)] == "not OPML (root element is <html>)"
    assert reasons[str(no_body)] == "OPML has no <body>"


def test_missing_path(tmp_path: Path, db_file: Path) -> None:
    missing = tmp_path / "nowhere" / "feed.xml"
    good = tmp_path / "good.txt"
    good.write_text(ARTICLE)
    report, _ = _fetch(db_file, missing, good)
    assert report.failed == [(str(missing), "no such file or directory")]
    assert report.added == 1


def test_unreadable_file(tmp_path: Path, db_file: Path) -> None:
    locked = tmp_path / "locked.txt"
    locked.write_text(ARTICLE)
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):  # root reads anything; nothing to test then
            return
        report, _ = _fetch(db_file, locked)
        assert dict(report.failed)[str(locked)].startswith("cannot read:")
    finally:
        locked.chmod(0o644)


def test_cli_on_a_directory_names_each_bad_file(tmp_path: Path, db_file: Path) -> None:
    root = tmp_path / "inbox"
    (root / "sub").mkdir(parents=True)
    (root / "good.txt").write_text(ARTICLE)
    (root / "sub" / "feed.xml").write_bytes(rss(2))
    bad = {
        root / "empty.txt": "empty file",
        root / "binary.txt": "binary file, not a feed or an article",
        root / "sub" / "latin1.md": "not valid UTF-8 text",
        root / "broken.opml": "malformed OPML",
        root / "junk.xml": "not",
    }
    (root / "empty.txt").write_bytes(b"")
    (root / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 300)
    (root / "sub" / "latin1.md").write_bytes("Résumé of 12% growth".encode("latin-1"))
    (root / "broken.opml").write_text("<opml><body><outline")
    (root / "junk.xml").write_text("this is not xml at all, just words")
    proc = subprocess.run(
        [sys.executable, "-m", "briefing", "--db", str(db_file), "fetch", str(root)],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == len(bad), proc.stderr
    for path, reason in bad.items():
        (line,) = [ln for ln in lines if ln.startswith(f"briefing: {path}: ")]
        assert reason in line, line
    assert "2/7 sources ok, 3 added" in proc.stdout


def test_a_post_whose_translation_was_edited_is_updated(tmp_path: Path, db_file: Path) -> None:
    """The post's English as it was, one Vietnamese figure changed: an update, and the
    numbers check flags it (it was "1 unchanged", the old translation kept)."""
    sample = Path(__file__).resolve().parents[1] / "sample_feeds" / "articles"
    post = tmp_path / "post.txt"
    text = (sample / "bilingual-post.txt").read_text(encoding="utf-8")
    post.write_text(text, encoding="utf-8")
    report, store = _fetch(db_file, post)
    assert report.added == 1
    (art,) = store.list_articles()
    edited = text.replace("230 tua-bin", "320 tua-bin")
    assert edited.count("320 tua-bin") >= 2  # a bullet and a paragraph
    post.write_text(edited, encoding="utf-8")
    report, store = _fetch(db_file, post)
    assert (report.added, report.updated, report.unchanged) == (0, 1, 0)
    saved = store.get_article(art.id)
    assert saved is not None
    (tr,) = saved.translations
    assert any("320 tua-bin" in b for b in tr.key_facts)
    changed = [p for p in tr.pairs if "320 tua-bin" in p.translation]
    assert changed and all(any("230" in f.text for f in p.flags) for p in changed)
    report, _ = _fetch(db_file, post)
    assert report.unchanged == 1  # and as it is now, unchanged


def test_an_edited_teaser_is_updated_when_pages_are_not_extracted(tmp_path: Path,
                                                                   db_file: Path) -> None:
    """Without extraction a short item is the article: "$40m" made "$90m" is an update."""
    feed = tmp_path / "feed.xml"

    def write(amount: str) -> None:
        feed.write_text(
            '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item>'
            "<title>Vexa buys plants</title><link>https://example.com/u2</link>"
            f"<guid>u2</guid><description>Vexa Corp paid {amount} for 12 plants in Oslo, "
            "the company said on Monday.</description></item></channel></rss>",
            encoding="utf-8")

    write("$40m")
    store = Store(db_file)
    assert run_fetch(Settings(), store, [str(feed)], extract=False).added == 1
    write("$90m")
    report = run_fetch(Settings(), store, [str(feed)], extract=False)
    assert (report.updated, report.unchanged) == (1, 0)
    (art,) = store.list_articles()
    full = store.get_article(art.id)
    assert full is not None and "$90m" in full.text


def test_a_post_s_bullets_and_summary_are_checked_against_its_original(
        tmp_path: Path, db_file: Path) -> None:
    """The lines a post publishes: a bullet's figure the original lacks, and the summary's,
    are flagged (they were never checked); the sample post's faithful ones are not."""
    sample = Path(__file__).resolve().parents[1] / "sample_feeds" / "articles"
    text = (sample / "bilingual-post.txt").read_text(encoding="utf-8")
    lines = text.split("\n")
    assert lines[0].startswith("- ") and "9,4 tỷ USD" in lines[0]
    pin = next(i for i, line in enumerate(lines) if line.startswith("📌"))
    assert "2,6 triệu hộ" in lines[pin]
    lines[0] = lines[0].replace("9,4 tỷ USD", "9,9 tỷ USD")
    lines[pin] = lines[pin].replace("2,6 triệu hộ", "6,2 triệu hộ")
    (tmp_path / "faithful.txt").write_text(text, encoding="utf-8")
    (tmp_path / "changed.txt").write_text("\n".join(lines).replace(
        "https://www.example.com/energy/", "https://www.example.com/energy/b/"), encoding="utf-8")
    report, store = _fetch(db_file, tmp_path / "faithful.txt", tmp_path / "changed.txt")
    assert report.added == 2
    by_url = {a.url: store.get_article(a.id) for a in store.list_articles()}
    for url, art in by_url.items():
        assert art is not None
        (tr,) = art.translations
        flags = [tr.bullet_flags(i) for i in range(len(tr.key_facts))]
        if "/energy/b/" in url:
            assert [f.text for f in flags[0]] == ["figure not in the original: 9,9 tỷ USD"]
            assert not any(flags[1:])
            assert [f.text for f in tr.summary_flags] == [
                "figure not in the original: 6,2 triệu"]
        else:
            assert not any(flags) and not tr.summary_flags


def test_a_one_line_text_file_is_an_article(tmp_path: Path, db_file: Path) -> None:
    """A pasted paragraph with no line break: its line is the title and the text (it failed
    with "no article text found"); a file of blank lines is still empty."""
    line = ("Vexa Corp paid $40m for 12 plants in Oslo, the company said on Monday, its "
            "largest purchase since 2019.")
    (tmp_path / "note.txt").write_text(line + "\n", encoding="utf-8")
    report, store = _fetch(db_file, tmp_path / "note.txt")
    assert report.added == 1, report.failed
    (art,) = store.list_articles()
    full = store.get_article(art.id)
    assert full is not None and [p.text for p in full.paragraphs] == [line]
    assert any(f.kind == "money" for f in full.facts)


def test_an_edited_local_file_updates_its_article(tmp_path: Path, db_file: Path) -> None:
    """A file fixed after it was fetched is one article, updated, its read and starred marks
    kept: its id came from its text, so each edit added another article, and the stale one
    disagreed with the new one as a story."""
    note = tmp_path / "harbour.txt"
    note.write_text(ARTICLE, encoding="utf-8")
    report, store = _fetch(db_file, note)
    assert report.added == 1
    (art,) = store.list_articles()
    store.set_read(art.id)
    store.set_starred(art.id)
    note.write_text(ARTICLE.replace("$2.4bn", "$2.6bn"), encoding="utf-8")
    report, store = _fetch(db_file, note)
    assert (report.added, report.updated, report.unchanged) == (0, 1, 0)
    (now,) = store.list_articles(limit=10)
    assert now.id == art.id and now.read and now.starred
    full = store.get_article(art.id)
    assert full is not None and "$2.6bn" in full.text and "$2.4bn" not in full.text
    assert [f.text for f in full.facts if f.kind == "money"] == ["$2.6bn"]
    report, _ = _fetch(db_file, note)
    assert (report.added, report.updated, report.unchanged) == (0, 0, 1)


def test_a_file_stored_under_a_text_made_id_keeps_it(tmp_path: Path, db_file: Path) -> None:
    """A database from before: the file's article has the id its text made. Fetched as it is,
    it is unchanged; edited, that article is updated (not a second one added)."""
    import sqlite3

    from briefing.text import content_hash
    from briefing.urls import article_id

    note = tmp_path / "harbour.txt"
    note.write_text(ARTICLE, encoding="utf-8")
    _, store = _fetch(db_file, note)
    (art,) = store.list_articles()
    store.close()
    full_text = "\n\n".join(p for p in ARTICLE.split("\n\n")[1:])
    old = article_id("content:" + content_hash(full_text.strip()))
    conn = sqlite3.connect(db_file)  # foreign keys off: the id is changed where it is used
    with conn:
        for table, column in (("articles", "id"), ("story_articles", "article_id"),
                              ("stories", "best_article")):
            conn.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", (old, art.id))
    conn.close()
    report, store = _fetch(db_file, note)
    assert (report.added, report.unchanged) == (0, 1)
    note.write_text(ARTICLE.replace("$2.4bn", "$2.6bn"), encoding="utf-8")
    report, store = _fetch(db_file, note)
    assert (report.added, report.updated) == (0, 1)
    assert [a.id for a in store.list_articles(limit=10)] == [old]


def test_an_edited_translation_beside_a_file_is_an_update(tmp_path: Path,
                                                         db_file: Path) -> None:
    """The article as it was, its .vi.txt translation fixed: an update with the new
    translation (it was "unchanged", the old translation kept)."""
    (tmp_path / "harbour.txt").write_text(ARTICLE, encoding="utf-8")
    side = tmp_path / "harbour.vi.txt"
    vi = ("Mở rộng cảng được phê duyệt\n\n"
          "Chính quyền cảng Port Meridian đã phê duyệt dự án mở rộng trị giá 4,2 tỷ USD vào "
          "thứ Ba, bổ sung 14 bến trong 3 năm.\n\n"
          "Các quan chức cho biết lượng container năm ngoái tăng 18% lên 1,2 triệu thùng.\n")
    side.write_text(vi, encoding="utf-8")
    report, store = _fetch(db_file, tmp_path)
    assert report.added == 1
    (art,) = store.list_articles()
    side.write_text(vi.replace("4,2 tỷ", "2,4 tỷ"), encoding="utf-8")
    report, store = _fetch(db_file, tmp_path)
    assert (report.added, report.updated, report.unchanged) == (0, 1, 0)
    full = store.get_article(art.id)
    assert full is not None
    (tr,) = full.translations
    assert any("2,4 tỷ USD" in p.translation for p in tr.pairs)
    assert not any(p.flags for p in tr.pairs), [p.flags for p in tr.pairs]
    report, _ = _fetch(db_file, tmp_path)
    assert report.unchanged == 1
    # Deleted, the translation goes with its file (it stayed, "1 updated").
    side.unlink()
    report, store = _fetch(db_file, tmp_path)
    assert (report.added, report.updated) == (0, 1)
    gone = store.get_article(art.id)
    assert gone is not None and gone.translations == ()
    assert not store.search("tỷ")


def test_a_translation_file_that_is_not_utf8_is_skipped_by_its_own_name(
        tmp_path: Path, db_file: Path, caplog: pytest.LogCaptureFixture) -> None:
    """It failed the article beside it, named as the article: "a.txt: not valid UTF-8"."""
    import logging

    (tmp_path / "harbour.txt").write_text(ARTICLE, encoding="utf-8")
    side = tmp_path / "harbour.vi.txt"
    side.write_bytes(b"Tieu de\n\nCaf\xe9 gi\xe1 2,4 t\xfd USD.\n")
    with caplog.at_level(logging.WARNING):
        report, store = _fetch(db_file, tmp_path)
    assert report.failed == [] and report.added == 1
    (art,) = store.list_articles()
    assert not art.has_translation
    assert [r.getMessage() for r in caplog.records if "translation" in r.getMessage()] == [
        f"{side}: translation not read: not valid UTF-8 text (byte 0xe9 at offset 12)"]


def test_stray_nuls_are_dropped_not_a_binary_file(tmp_path: Path, db_file: Path) -> None:
    """A NUL in a feed's first kilobyte refused the whole feed as "binary data"; in a text
    file, as "binary file". Stray ones are dropped; binary files are still refused."""
    import random

    from briefing.sources.feeds import looks_binary

    items = "".join(
        f"<item><title>Item {i}\x00 title</title><link>https://example.com/{i}</link>"
        f"<guid>g{i}</guid><description>Prices rose {i + 2}% in May in Paris\x00, the office "
        "said on Monday.</description></item>" for i in range(3))
    (tmp_path / "feed.xml").write_bytes(
        ('<?xml version="1.0"?>\x00<rss version="2.0"><channel><title>Wire</title>'
         f"{items}</channel></rss>").encode())
    (tmp_path / "note.txt").write_bytes(ARTICLE.replace("$2.4bn", "$2.4bn\x00").encode())
    report, store = _fetch(db_file, tmp_path / "feed.xml", tmp_path / "note.txt")
    assert report.failed == [] and report.added == 4
    for summary in store.list_articles():
        art = store.get_article(summary.id)
        assert art is not None and "\x00" not in art.title + art.text
        assert any(f.kind in ("percent", "money") for f in art.facts)
    rng = random.Random(3)
    noise = bytes(rng.randrange(256) for _ in range(4096))
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + noise
    for binary in (noise, png, b"\x00\x01\x02\xff" * 300, "Hello, world".encode("utf-16-le") * 40):
        assert looks_binary(binary), binary[:16]


def test_a_folder_is_looked_up_once_not_once_per_file(tmp_path: Path, db_file: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """What the store knows of a folder, and the folder's listing for translations beside its
    files, are read once a fetch: read for each file, a folder of 3,000 notes took 80 s of CPU
    to find them all unchanged (3,000 x 3,000 rows, and a glob of the folder per file)."""
    from briefing.sources import local

    folder = tmp_path / "notes"
    (folder / "inner").mkdir(parents=True)
    for i in range(30):
        where = folder / "inner" if i % 3 == 0 else folder
        (where / f"note{i}.txt").write_text(ARTICLE.replace("$2.4bn", f"${i + 2}.4bn"),
                                            encoding="utf-8")
    (folder / "note1.vi.txt").write_text("Mở rộng cảng\n\nGiá 3,4 tỷ USD.\n", encoding="utf-8")
    calls = {"known": 0, "listing": 0}
    known, listing = Store.known_hashes, local.sidecar_index

    def counted_known(self: Store, source: str) -> dict[str, str]:
        calls["known"] += 1
        return known(self, source)

    def counted_listing(folder: Path, stem: str | None = None) -> dict[str, list[str]]:
        calls["listing"] += 1
        return listing(folder, stem)

    monkeypatch.setattr(Store, "known_hashes", counted_known)
    monkeypatch.setattr(local, "sidecar_index", counted_listing)
    for added, unchanged in ((30, 0), (0, 30)):
        calls.update(known=0, listing=0)
        report, store = _fetch(db_file, folder)
        assert (report.added, report.unchanged, report.failed) == (added, unchanged, [])
        assert calls == {"known": 2, "listing": 2}  # two folders
    (art,) = [a for a in store.list_articles(limit=100) if a.has_translation]
    assert art.url.endswith("/notes/note1.txt")


def test_a_link_to_a_file_of_the_folder_is_that_file(tmp_path: Path, db_file: Path) -> None:
    """`0.txt -> a.txt` in one folder: the article was the link's (walked first), so with the
    link gone an edit of a.txt added a second article, the marks left on the first."""
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "0.txt").symlink_to("a.txt")
    # One worker: the files are read in the walk's order, the link first.
    from briefing.config import FetchSettings

    store = Store(db_file)
    report = run_fetch(Settings(fetch=FetchSettings(workers=1)), store, [str(folder)],
                       extract=False)
    assert (report.added, report.failed) == (1, [])
    (art,) = store.list_articles()
    assert art.url == (folder / "a.txt").as_uri()
    store.set_starred(art.id)
    (folder / "0.txt").unlink()
    (folder / "a.txt").write_text(ARTICLE.replace("$2.4bn", "$2.6bn"), encoding="utf-8")
    report, store = _fetch(db_file, folder)
    assert (report.added, report.updated) == (0, 1)
    (now,) = store.list_articles()
    assert now.id == art.id and now.starred


def test_an_edited_copy_s_old_disagreements_go(tmp_path: Path, db_file: Path) -> None:
    """Two files telling one story, one edited twice: each edit's disagreement was added
    beside the last ("$2.4bn ..., $2.6bn", "$2.4bn ..., $2.8bn"), only the newest true."""
    import sqlite3

    folder = tmp_path / "desk"
    folder.mkdir()
    (folder / "wire.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "copy.txt").write_text(ARTICLE.replace("$2.4bn", "$2.6bn"), encoding="utf-8")

    def flags() -> list[set[str]]:
        """Each flag's two statements, whichever copy it names first (the better source,
        which two files fetched at once do not settle)."""
        conn = sqlite3.connect(db_file)
        try:
            return [set(r[0].split(", ")) for r in conn.execute(
                "SELECT text FROM story_flags WHERE kind = 'disagreement'")]
        finally:
            conn.close()

    report, _ = _fetch(db_file, folder)
    assert report.added == 2
    assert flags() == [{"$2.4bn in wire.txt", "$2.6bn in copy.txt"}]
    (folder / "copy.txt").write_text(ARTICLE.replace("$2.4bn", "$2.8bn"), encoding="utf-8")
    report, _ = _fetch(db_file, folder)
    assert report.updated == 1
    assert flags() == [{"$2.4bn in wire.txt", "$2.8bn in copy.txt"}]
    (folder / "copy.txt").write_text(ARTICLE, encoding="utf-8")  # the copy agrees now
    report, _ = _fetch(db_file, folder)
    assert report.updated == 1
    assert flags() == []


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_a_utf16_feed_without_a_mark_keeps_its_letters(tmp_path: Path, db_file: Path,
                                                       codec: str) -> None:
    """Its NULs are half its characters: dropped as stray ones, "Giá cà phê tăng" became
    "Giá cà phê tng" (the reviewer's find)."""
    feed = ('<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel><title>Tin'
            "</title><item><title>Giá cà phê tăng 12%</title><link>https://example.com/1"
            "</link><guid>1</guid><description>Giá cà phê Việt Nam tăng 12% trong tháng Năm, "
            "Bộ Công Thương cho biết.</description></item></channel></rss>")
    (tmp_path / "tin.xml").write_bytes(feed.encode(codec))
    report, store = _fetch(db_file, tmp_path / "tin.xml")
    assert report.added == 1, report.failed
    (art,) = store.list_articles()
    full = store.get_article(art.id)
    assert full is not None and full.title == "Giá cà phê tăng 12%"
    assert "Bộ Công Thương" in full.text


def test_two_posts_of_one_page_keep_both_translations(tmp_path: Path, db_file: Path) -> None:
    """Posts in two languages for one link (vi.txt, fr.txt) are one article, and each save
    dropped the other's translation as "removed" ("2 updated" every run, one kept): only a
    file's own article (its file: URL) loses what its file no longer has."""
    from dataclasses import replace

    from briefing.models import Translation, TranslationPair

    (tmp_path / "harbour.txt").write_text(ARTICLE, encoding="utf-8")
    _, store = _fetch(db_file, tmp_path / "harbour.txt")
    (summary,) = store.list_articles()
    art = store.get_article(summary.id)
    assert art is not None

    def post(lang: str, line: str, n: int) -> Translation:
        return Translation(lang, "provided", "", (TranslationPair(0, art.paragraphs[0].text,
                                                                  line),))

    web = replace(art, url="https://example.com/harbour", translations=(post("vi", "Cảng", 1),))
    assert store.save_article(replace(web, content_hash="vi")) == "updated"
    assert store.save_article(replace(web, content_hash="fr",
                                      translations=(post("fr", "Port", 2),))) == "updated"
    saved = store.get_article(art.id)
    assert saved is not None and sorted(t.lang for t in saved.translations) == ["fr", "vi"]


def test_an_update_is_seen_among_the_last_runs(db_file: Path) -> None:
    """The reader's watch compares this between two looks: a run that updated articles and
    then one that did not, both between them, gave 0 and hid the update."""
    from briefing.models import FetchReport

    store = Store(db_file)
    assert store.last_update() == 0
    store.record_run(FetchReport(updated=2))
    first = store.last_update()
    assert first > 0
    store.record_run(FetchReport(added=1))
    assert store.last_update() == first
    store.record_run(FetchReport(updated=1))
    assert store.last_update() > first


def test_an_edit_drops_only_the_flags_with_copies_compared_again(db_file: Path) -> None:
    """A story's first FLAG_MEMBERS copies are compared with an edited one: its flags with a
    copy past those would not come back, so they stay."""
    from briefing.models import StoryFlag

    store = Store(db_file)

    def flag(a: str, b: str) -> StoryFlag:
        return StoryFlag("disagreement", f"{a} / {b}", {"a": {"article": a},
                                                       "b": {"article": b}})

    store.stories.add_flags("s1", [flag("edited", "near"), flag("far", "edited"),
                                   flag("near", "far"), flag("near", "edited")])
    store.stories.drop_flags_of("s1", "edited", ["near"])
    conn = store.conn
    left = sorted(r[0] for r in conn.execute("SELECT text FROM story_flags"))
    assert left == ["far / edited", "near / far"]
