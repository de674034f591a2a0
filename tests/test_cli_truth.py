"""The command line says the truth on bad input (issue #16): exit codes and messages from real
subprocesses, over real SQLite files."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from briefing.models import Article, KeyFact, Paragraph
from briefing.store import Store
from tests.feedgen import rss

ZONED = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")


def _run(db: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "briefing", "--db", str(db), *args], capture_output=True,
        text=True, timeout=120, cwd=cwd, env={**os.environ},
    )


def _feed(tmp_path: Path, name: str, title: str, items: int = 2, prefix: str = "story") -> Path:
    path = tmp_path / name
    path.write_bytes(rss(items, title=title, prefix=prefix))
    return path


def _article(aid: str, n: int, *, published: str | None = "2026-06-01T09:00:00+00:00",
             source: str = "/feeds/bulk.xml", words: int = 12) -> Article:
    text = " ".join(f"Harbour item {n} word{w}." for w in range(words))
    return Article(id=aid, url=f"https://news.example.com/{aid}", source=source,
                   title=f"Harbour story number {n} with a title long enough to fill a line",
                   text=text, paragraphs=(Paragraph(0, text, "en"),), language="en",
                   published=published, source_title="Bulk Wire", tags=("Ports", "harbour"),
                   key_facts=(KeyFact(f"Harbour item {n} word0.", 0),),
                   summary=f"Harbour item {n}.")


def _seed(db: Path, articles: list[Article]) -> None:
    with Store(db) as store:
        store.save_articles(articles, now="2026-06-01T10:00:00+00:00")


# -- a closed stdout -------------------------------------------------------------------------


def test_list_into_head_exits_quietly(db_file: Path) -> None:
    # Far more than a pipe's 64 KiB buffer, so the writer is still writing when the
    # reader goes away, as with `briefing list | head -1`.
    _seed(db_file, [_article(f"{i:016x}", i) for i in range(1500)])
    proc = subprocess.Popen(
        [sys.executable, "-m", "briefing", "--db", str(db_file), "list", "--limit", "5000"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    code = proc.wait(timeout=120)
    err = proc.stderr.read()
    proc.stderr.close()
    assert first.startswith(f"{0:016x}  * 2026-06-01")  # same time: by id
    assert (code, err) == (0, "")


@pytest.fixture
def fetched(tmp_path: Path, db_file: Path) -> tuple[Path, str]:
    """A database with one local feed fetched into it, and the id of one of its articles."""
    feed = _feed(tmp_path, "harbour.xml", "Harbour Daily")
    proc = _run(db_file, "fetch", str(feed), "-q")
    assert proc.returncode == 0, proc.stderr
    with Store(db_file) as store:
        return feed, store.list_articles()[0].id


@pytest.mark.parametrize("args", [
    ("fetch", "{feed}", "--json"), ("show", "{id}"), ("show", "{id}", "--json"),
    ("brief", "{id}", "--lang", "en"), ("brief", "{id}", "--lang", "en", "--format", "json"),
    ("search", "harbour"),
    ("search", "harbour", "--json"), ("stories", "--all"), ("stories", "--all", "--json"),
    ("list", "--json"), ("export-opml",), ("feeds", "list"),
])
def test_every_command_into_a_closed_pipe_exits_quietly(fetched: tuple[Path, str],
                                                        db_file: Path,
                                                        args: tuple[str, ...]) -> None:
    feed, aid = fetched
    _run(db_file, "feeds", "add", str(feed))
    argv = [a.format(feed=feed, id=aid) for a in args]
    proc = subprocess.Popen([sys.executable, "-m", "briefing", "--db", str(db_file), *argv],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    # Closed before the child has even started: its first write meets no reader.
    proc.stdout.close()
    code = proc.wait(timeout=120)
    err = proc.stderr.read()
    proc.stderr.close()
    assert (code, err) == (0, "")


# -- list --source ---------------------------------------------------------------------------


def test_list_source_by_title_or_unique_part(tmp_path: Path, db_file: Path) -> None:
    daily = _feed(tmp_path, "daily.xml", "Harbour Daily", prefix="daily")
    extra = _feed(tmp_path, "extra.xml", "Harbour Daily Extra", prefix="extra")
    weekly = _feed(tmp_path, "weekly.xml", "Harbour Weekly", prefix="weekly")
    assert _run(db_file, "fetch", str(daily), str(extra), str(weekly), "-q").returncode == 0

    def sources_listed(*args: str, cwd: Path | None = None) -> set[str]:
        proc = _run(db_file, "list", "--json", *args, cwd=cwd)
        assert proc.returncode == 0, proc.stderr
        return {a["source"] for a in json.loads(proc.stdout)}

    assert sources_listed("--source", "WEEKLY") == {str(weekly)}
    assert sources_listed("--source", "extra.xml") == {str(extra)}
    # A whole title wins over the longer title that contains it.
    assert sources_listed("--source", "harbour daily") == {str(daily)}
    assert sources_listed("--source", str(daily)) == {str(daily)}
    assert sources_listed("--source", "daily.xml", cwd=tmp_path) == {str(daily)}

    several = _run(db_file, "list", "--source", "harbour")
    assert several.returncode == 2 and several.stdout == ""
    assert "matches 3 sources" in several.stderr
    for title in ("Harbour Daily", "Harbour Daily Extra", "Harbour Weekly"):
        assert f"{title} (" in several.stderr
    # A folder's files are sources too, named after the folder, but their articles are
    # stored under the folder: the one source with articles is the one meant.
    notes = tmp_path / "notes"
    notes.mkdir()
    for name in ("one", "two"):
        (notes / f"{name}.txt").write_text(f"Quay {name} reopens\n\n" + "The old quay reopened "
                                           f"on Monday for crews of boat {name}. " * 20)
    assert _run(db_file, "fetch", str(notes), "-q").returncode == 0
    assert sources_listed("--source", "notes") == {str(notes)}

    none = _run(db_file, "list", "--source", "Gazette")
    assert none.returncode == 2 and "no source matches 'Gazette'" in none.stderr
    empty = _run(db_file, "list", "--source", "")
    assert empty.returncode == 2 and "empty source" in empty.stderr
    assert "Traceback" not in several.stderr + none.stderr + empty.stderr


# -- article ids -----------------------------------------------------------------------------


def test_article_id_prefixes(db_file: Path) -> None:
    _seed(db_file, [_article("abcd000000000001", 1), _article("abcd000000000002", 2),
                    _article("f00d000000000003", 3)])
    shown = _run(db_file, "show", "f00d", "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["id"] == "f00d000000000003"
    assert _run(db_file, "show", "abcd000000000002").returncode == 0

    ambiguous = _run(db_file, "show", "abcd")
    assert ambiguous.returncode == 2
    assert ambiguous.stderr.strip() == ("briefing: error: article id 'abcd' is ambiguous: it "
                                        "may be abcd000000000001, abcd000000000002")
    short = _run(db_file, "show", "f0")
    assert short.returncode == 2 and "too short" in short.stderr
    for command in ("show", "translate"):
        missing = _run(db_file, command, "nosuchid")
        assert missing.returncode == 2, (command, missing.stderr)
        assert missing.stderr.strip() == "briefing: error: no article with id 'nosuchid'"
    # A good prefix gets past the ids to the next check: no engine configured (exit 3).
    assert _run(db_file, "translate", "f00d").returncode == 3
    assert _run(db_file, "translate", "abcd").returncode == 2

    post = _run(db_file, "brief", "f00d")
    assert post.returncode == 0, post.stderr
    assert "https://news.example.com/f00d000000000003" in post.stdout
    missing = _run(db_file, "brief", "nosuchid")
    assert missing.returncode == 2
    assert "no story or article with id 'nosuchid'" in missing.stderr


def test_store_matches_id_prefixes(db_file: Path) -> None:
    _seed(db_file, [_article("abcd000000000001", 1), _article("abcd000000000002", 2),
                    _article("abce000000000003", 3)])
    with Store(db_file) as store:
        assert store.match_article_ids("abcd") == ["abcd000000000001", "abcd000000000002"]
        assert store.match_article_ids("abc", limit=2) == ["abcd000000000001",
                                                          "abcd000000000002"]
        assert store.match_article_ids("abce") == ["abce000000000003"]
        assert store.match_article_ids("abcd000000000001") == ["abcd000000000001"]
        assert store.match_article_ids("abcf") == []
        assert store.match_article_ids("abc%") == []  # not a pattern


# -- feeds and OPML --------------------------------------------------------------------------


def test_export_opml_to_missing_folder_is_usage_error(tmp_path: Path, db_file: Path) -> None:
    target = tmp_path / "no" / "such" / "subs.opml"
    proc = _run(db_file, "export-opml", str(target))
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"briefing: error: {target}: cannot write: no such directory"
    assert not target.parent.exists()


def test_feeds_add_empty_and_twice(tmp_path: Path, db_file: Path) -> None:
    empty = _run(db_file, "feeds", "add", "", cwd=tmp_path)
    assert empty.returncode == 2 and "empty source" in empty.stderr
    assert _run(db_file, "feeds", "list").stdout == ""

    url = "https://news.example.com/feed"
    first = _run(db_file, "feeds", "add", url)
    assert (first.returncode, first.stdout) == (0, f"added {url}\n")
    again = _run(db_file, "feeds", "add", url)
    assert (again.returncode, again.stdout) == (0, f"already subscribed: {url}\n")
    tagged = _run(db_file, "feeds", "add", url, "--tag", "world", "--tag", "ports")
    assert tagged.stdout == f"already subscribed: {url} (tags added: world, ports)\n"
    same = _run(db_file, "feeds", "add", url, "--tag", "world")
    assert same.stdout == f"already subscribed: {url}\n"
    listed = json.loads(_run(db_file, "feeds", "list", "--json").stdout)
    assert [(s["url"], s["tags"]) for s in listed] == [(url, ["ports", "world"])]
    # Unsubscribed, then added again: a subscription once more.
    assert _run(db_file, "feeds", "remove", url).returncode == 0
    assert _run(db_file, "feeds", "add", url).stdout == f"added {url}\n"


def test_export_opml_writes_titles_not_paths(tmp_path: Path, db_file: Path) -> None:
    feed = _feed(tmp_path, "harbour.xml", "Harbour Daily")
    subs = tmp_path / "subs.opml"
    subs.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body>'
        '<outline type="rss" text="Harbour Daily" title="Harbour Daily" xmlUrl="harbour.xml"/>'
        '<outline type="rss" text="https://b.example/rss" xmlUrl="https://b.example/rss"/>'
        "</body></opml>")
    assert _run(db_file, "import-opml", str(subs)).returncode == 0
    assert _run(db_file, "feeds", "add", "https://c.example/rss").returncode == 0
    out = tmp_path / "out.opml"
    assert _run(db_file, "export-opml", str(out)).returncode == 0
    doc = out.read_text()
    assert (f'text="Harbour Daily" title="Harbour Daily" xmlUrl="{feed}"') in doc
    # Never fetched and named by nothing but its address: text shows it, no title claimed.
    assert '<outline type="rss" text="https://b.example/rss" xmlUrl="https://b.example/rss"/>' \
        in doc
    assert 'title="https://' not in doc


# -- JSON ------------------------------------------------------------------------------------


def test_list_json_has_tags_summary_key_facts(fetched: tuple[Path, str],
                                              db_file: Path) -> None:
    listed = json.loads(_run(db_file, "list", "--json").stdout)
    for item in listed:
        shown = json.loads(_run(db_file, "show", item["id"], "--json").stdout)
        for key in ("tags", "summary", "key_facts", "published"):
            assert item[key] == shown[key], key
        assert item["key_facts"] and item["tags"] and item["summary"]
        assert item["facts"] == len(shown["facts"]) > 0  # a count in a list
    searched = json.loads(_run(db_file, "search", "harbour", "--json").stdout)
    # A search result is a list item with the passage that matched.
    for a in searched:
        start, end = a.pop("snippet_matches")[0]
        assert a.pop("snippet")[start:end].lower() == "harbour"
    assert {a["id"]: a for a in searched} == {a["id"]: a for a in listed}


def test_json_times_have_one_zoned_form(tmp_path: Path, db_file: Path) -> None:
    feed = _feed(tmp_path, "harbour.xml", "Harbour Daily")
    fetch = _run(db_file, "fetch", str(feed), "--json")
    report = json.loads(fetch.stdout)
    times = [report["started"], report["finished"]]
    # A page that gave only its date, as trafilatura reports it.
    _seed(db_file, [_article("d0e5000000000001", 1, published="2026-03-08")])
    listed = json.loads(_run(db_file, "list", "--json").stdout)
    times += [a["published"] for a in listed]
    assert "2026-03-08T00:00:00+00:00" in times
    for a in listed:
        shown = json.loads(_run(db_file, "show", a["id"], "--json").stdout)
        times += [shown["published"], shown["fetched"]]
    for story in json.loads(_run(db_file, "stories", "--all", "--json").stdout):
        times += [story["first_published"], story["last_published"]]
        times += [m["published"] for m in story["sources"]]
    assert len(times) > 10
    assert [t for t in times if not ZONED.match(t)] == []


def test_iso_time() -> None:
    from briefing.report import iso_time

    assert iso_time("2026-06-01T09:00:00") == "2026-06-01T09:00:00+00:00"
    assert iso_time("2026-06-01T11:00:00+02:00") == "2026-06-01T09:00:00+00:00"
    assert iso_time("2026-06-01") == "2026-06-01T00:00:00+00:00"
    assert iso_time("2026-06-01T09:00:00.123456+00:00") == "2026-06-01T09:00:00+00:00"
    assert iso_time("") is None and iso_time(None) is None
    assert iso_time("last Tuesday") == "last Tuesday"
