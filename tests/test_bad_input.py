"""Bad input a user can hand the CLI, each answered with one line and its exit code.

Real subprocesses, so the exit code, the stderr line and the absence of a traceback are what a
shell or cron sees.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from tests.httpserver import Route, TestServer


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "briefing", *args], capture_output=True, text=True, timeout=120,
        env={**os.environ, **(env or {})},
    )


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


# -- databases ------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [["list"], ["fetch", "x.xml"], ["search", "x"]])
def test_a_foreign_database_exits_4_unchanged(tmp_path: Path, command: list[str]) -> None:
    other = tmp_path / "app" / "data.db"
    other.parent.mkdir()
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.commit()
    conn.close()
    before = _digest(other)
    proc = _run("--db", str(other), *command)
    assert proc.returncode == 4
    assert _one_error_line(proc) == (f"briefing: error: {other}: not a briefing database (it "
                                     "has tables invoices); refusing to change it")
    assert _digest(other) == before
    assert [p.name for p in other.parent.iterdir()] == ["data.db"]


def test_a_newer_database_exits_4_unchanged(tmp_path: Path) -> None:
    from briefing.store import Store
    from briefing.store.store import SCHEMA_VERSION

    db = tmp_path / "b.db"
    Store(db).close()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = _digest(db)
    for command in (["list"], ["feeds", "add", "https://example.org/feed"]):
        proc = _run("--db", str(db), *command)
        assert proc.returncode == 4
        assert _one_error_line(proc) == (
            f"briefing: error: {db}: made by a newer briefing (schema 99, this one knows "
            f"{SCHEMA_VERSION}); refusing to write to it")
    assert _digest(db) == before


# -- config ---------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [
    ["fetch", "x.xml"], ["list"], ["search", "chips"], ["show", "a1"], ["tag"], ["stories"],
    ["feeds", "list"], ["export-opml"], ["brief"], ["translate", "a1"],
])
@pytest.mark.parametrize(("text", "key"), [
    ("[fetch]\nworkers = -3\n", "fetch.workers must be at least 0"),
    ("[keys]\nstar = \"q\"\n", 'keys.star = "q": q is also the key of quit'),
])
def test_every_command_refuses_a_bad_config_alike(tmp_path: Path, command: list[str],
                                                  text: str, key: str) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(text)
    db = tmp_path / "b.db"
    proc = _run("--config", str(cfg), "--db", str(db), *command)
    assert proc.returncode == 3
    assert _one_error_line(proc).startswith(f"briefing: error: {cfg}: {key}")
    assert not db.exists()  # refused before the store was touched


def test_a_named_config_file_that_does_not_exist_exits_3(tmp_path: Path) -> None:
    missing = tmp_path / "typo.toml"
    for args, env in ((["--config", str(missing)], None),
                      ([], {"BRIEFING_CONFIG": str(missing)})):
        proc = _run(*args, "--db", str(tmp_path / "b.db"), "list", env=env)
        assert proc.returncode == 3
        assert _one_error_line(proc) == f"briefing: error: {missing}: no such config file"
    # The default location may be absent: that is the default config.
    assert _run("--db", str(tmp_path / "b.db"), "list").returncode == 0


# -- Retry-After ----------------------------------------------------------------------------

@pytest.mark.parametrize(("header", "expected"), [
    ("120", 120.0),
    pytest.param("9" * 40, 7 * 24 * 3600.0, id="40 nines"),
    pytest.param("9" * 5000, 7 * 24 * 3600.0, id="5000 nines"),
    ("0", 0.0),
    ("²", None),  # a digit to str.isdigit(), not to float()
    ("-5", None),
    ("1e40", None),
    ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # in the past: no wait
    ("Fri, 31 Dec 9999 23:59:59 GMT", 7 * 24 * 3600.0),
    ("Mon, 01 Jan 99999 00:00:00 GMT", None),
    ("soon", None),
    ("", None),
])
def test_retry_after_is_capped_and_never_raises(header: str, expected: float | None) -> None:
    from briefing.sources.http import parse_retry_after

    assert parse_retry_after(header, now=1_700_000_000.0) == expected


def test_a_huge_retry_after_is_one_line_and_a_week(server: TestServer, tmp_path: Path) -> None:
    from briefing.store import Store

    url = server.add("/busy.xml", Route(status=429, headers={"Retry-After": "9" * 40}))
    db = tmp_path / "b.db"
    proc = _run("--db", str(db), "fetch", url)
    assert proc.returncode == 1
    assert _one_error_line(proc) == (f"briefing: {url}: HTTP 429 Too Many Requests "
                                     "(retry after 604800 s)")
    with Store(db) as store:
        src = store.get_source(url)
    assert src is not None and src.retry_after is not None and src.last_fetched is not None
    waited = datetime.fromisoformat(src.retry_after) - datetime.fromisoformat(src.last_fetched)
    assert abs(waited.total_seconds() - 7 * 24 * 3600) < 120


# -- engine deadlines -----------------------------------------------------------------------

def test_translate_gives_up_on_a_dripping_engine_at_its_timeout(tmp_path: Path) -> None:
    from briefing.store import Store
    from tests.test_translate_engines import FakeLibreTranslate
    from tests.test_translate_service import make_article

    db = tmp_path / "b.db"
    with Store(db) as store:
        store.save_article(make_article("a1", ["Nvidia sold chips worth $12bn."]))
    engine = FakeLibreTranslate()
    engine.mode = "drip"  # a byte a second: over a minute for the whole reply
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[translation]\nengine = "libretranslate"\ntimeout = 2\n'
                   f'[translation.libretranslate]\nurl = "{engine.url}"\n')
    try:
        start = time.monotonic()
        proc = _run("--config", str(cfg), "--db", str(db), "translate", "a1")
        elapsed = time.monotonic() - start
    finally:
        engine.close()
    assert proc.returncode == 1
    assert _one_error_line(proc) == (f"briefing: a1: libretranslate at {engine.url}/translate: "
                                     "timed out after 2s")
    assert elapsed < 30  # start-up included; the drip alone takes 60 s or more


# -- suspect translations -------------------------------------------------------------------

def test_translating_again_replaces_a_translation_whose_figures_changed(tmp_path: Path) -> None:
    from briefing.store import Store
    from tests.test_translate_engines import FakeLibreTranslate
    from tests.test_translate_service import make_article

    db = tmp_path / "b.db"
    with Store(db) as store:
        store.save_article(make_article("a1", ["Nvidia sold chips worth $12bn."], title="Chips"))
    engine = FakeLibreTranslate()
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[translation]\nengine = "libretranslate"\n'
                   f'[translation.libretranslate]\nurl = "{engine.url}"\n')
    try:
        engine.mode = "figures"  # a bad first answer: $12bn -> $23bn
        first = _run("--config", str(cfg), "--db", str(db), "translate", "a1")
        engine.mode = "ok"
        second = _run("--config", str(cfg), "--db", str(db), "translate", "a1")
    finally:
        engine.close()
    assert (first.returncode, second.returncode) == (0, 0)
    assert first.stdout.strip() == "a1  vi  2 paragraphs  libretranslate  1 flagged"
    assert second.stdout.strip() == "a1  vi  2 paragraphs  libretranslate"
    with Store(db) as store:
        art = store.get_article("a1")
    assert art is not None and art.translations[0].pairs[1].translation.endswith("$12bn.")


# -- paths -----------------------------------------------------------------------------------

NO_USER = "~no-such-user-b7f3"


@pytest.mark.parametrize(("args", "code", "line"), [
    (["fetch", f"{NO_USER}/x.xml"], 1, f"briefing: {NO_USER}/x.xml: no user named "
                                       "'no-such-user-b7f3' on this machine"),
    (["feeds", "add", f"{NO_USER}/x.xml"], 2, None),
    (["list", "--source", f"{NO_USER}/x.xml"], 2, None),
])
def test_a_home_of_no_user_is_one_line(tmp_path: Path, args: list[str], code: int,
                                       line: str | None) -> None:
    # pathlib raises a RuntimeError for "~name" of an unknown user: it reached users as a
    # traceback, cron's fetch of a feed configured so and the TUI's `a` included.
    proc = _run("--db", str(tmp_path / "x.db"), *args)
    assert proc.returncode == code
    said = _one_error_line(proc)
    assert said == line if line else (
        said.startswith("briefing: ") and "no user named 'no-such-user-b7f3'" in said)


def test_a_database_in_the_home_of_no_user_is_one_line(tmp_path: Path) -> None:
    proc = _run("--db", f"{NO_USER}/x.db", "list")
    assert proc.returncode == 2
    assert "no user named 'no-such-user-b7f3' on this machine" in _one_error_line(proc)
    assert not (Path.cwd() / NO_USER).exists()


@pytest.mark.parametrize(("variable", "args"), [
    ("BRIEFING_CONFIG", ["list"]),
    ("BRIEFING_STATE", []),  # the reading room, which reads its state file as it starts
])
def test_a_settings_path_in_the_home_of_no_user_is_one_line(
        tmp_path: Path, variable: str, args: list[str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "briefing", "--db", str(tmp_path / "x.db"), *args],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
        env={**os.environ, variable: f"{NO_USER}/file.toml"})
    assert proc.returncode == 2
    assert _one_error_line(proc) == (f"briefing: error: {NO_USER}/file.toml: no user named "
                                     "'no-such-user-b7f3' on this machine")


# -- feeds that are not whole -----------------------------------------------------------------

def _rss(items: int) -> str:
    body = "".join(
        f"<item><title>Port story {i}</title><link>https://news.example/{i}</link>"
        f"<description>The harbour handled {i + 10} ships on day {i}.</description></item>"
        for i in range(items))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Port news</title>\n{body}\n</channel></rss>\n")


def test_a_feed_cut_short_keeps_its_items_and_says_so(tmp_path: Path) -> None:
    """A download or file cut off in the middle was read as a whole feed without a word:
    the items after the cut were lost silently."""
    text = _rss(3)
    cut = tmp_path / "cut.xml"
    cut.write_text(text[:text.index("Port story 2") + 5], encoding="utf-8")
    proc = _run("--db", str(tmp_path / "b.db"), "fetch", str(cut))
    assert proc.returncode == 0, proc.stderr
    assert "2 added" in proc.stdout
    line = _one_error_line(proc)
    assert line == (f"briefing: {cut}: the feed breaks off before its end (bad XML at line 2: "
                    "no element found): items after that may be missing")
    # A whole feed, or one whose last ">" alone is missing, is read without a word.
    whole = tmp_path / "whole.xml"
    whole.write_text(text.rstrip()[:-1], encoding="utf-8")
    proc = _run("--db", str(tmp_path / "c.db"), "fetch", str(whole))
    assert proc.returncode == 0 and "3 added" in proc.stdout and proc.stderr == ""


@pytest.mark.parametrize(("content", "reason"), [
    ("hello <rss><item>", "not a feed: bad XML at line 1: syntax error"),
    ('{"a": 1}\n', "not a feed: bad XML at line 1: not well-formed (invalid token)"),
    ("<rss><channel><x:y>1</x:y></channel></rss>", "not a feed: bad XML at line 1: unbound prefix"),
])
def test_a_broken_document_with_nothing_in_it_is_not_a_feed(
        tmp_path: Path, content: str, reason: str) -> None:
    """The lenient parser made an empty feed of it: "1/1 sources ok, 0 added", exit 0; a JSON
    file's reason was expat's own, naming "<unknown>:2:0"."""
    path = tmp_path / "page.xml"
    path.write_text(content, encoding="utf-8")
    proc = _run("--db", str(tmp_path / "b.db"), "fetch", str(path))
    assert proc.returncode == 1
    assert _one_error_line(proc) == f"briefing: {path}: {reason}"


@pytest.mark.parametrize(("url", "reason"), [
    ("http://", "no host in the URL"),
    ("https:///feed.xml", "no host in the URL"),
    ("http://[::1/feed", "not a valid URL (Invalid IPv6 URL)"),
    ("ftp://example.com/feed", "unsupported URL scheme: only http, https and local paths"),
])
def test_a_url_that_is_no_source_says_why(tmp_path: Path, url: str, reason: str) -> None:
    proc = _run("--db", str(tmp_path / "b.db"), "fetch", url)
    assert proc.returncode == 1
    assert _one_error_line(proc) == f"briefing: {url}: {reason}"


@pytest.mark.parametrize("link", ["http://[oops/x", "//[oops/x", "file://[x/a.html"])
def test_an_item_link_urllib_cannot_read_is_dropped_not_fatal(tmp_path: Path, link: str) -> None:
    """An unclosed IPv6 bracket in one item's link raised ValueError wherever its host was
    read: tagging failed for the feed's every item, and `stories` and `brief` ended in a
    traceback on every run after."""
    feed = tmp_path / "links.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Links</title>'
        "<link>http://[site/</link>"
        f"<item><title>Bad link</title><link>{link}</link><guid>b</guid>"
        "<description>Prices rose 5% in May in Paris, the statistics office said.</description>"
        "</item><item><title>Good link</title><link>https://news.example/good</link>"
        "<guid>g</guid><description>Oil fell 7% in June, traders in London said.</description>"
        "</item></channel></rss>", encoding="utf-8")
    db = str(tmp_path / "b.db")
    proc = _run("--db", db, "fetch", "--no-extract", str(feed))
    assert proc.returncode == 0, proc.stderr
    assert "2 added" in proc.stdout and proc.stderr == ""
    for command in (["stories", "--all"], ["brief"], ["list"], ["tag"]):
        proc = _run("--db", db, *command)
        assert proc.returncode == 0, (command, proc.stderr)
        assert "Traceback" not in proc.stderr
    listed = json.loads(_run("--db", db, "list", "--json").stdout)
    assert sorted(a["title"] for a in listed) == ["Bad link", "Good link"]
    assert all(a["key_facts"] for a in listed)  # both tagged
    bad = next(a for a in listed if a["title"] == "Bad link")
    assert "[" not in bad["url"]


def test_the_item_a_feed_breaks_off_in_is_left_to_the_next_fetch(tmp_path: Path) -> None:
    """A feed cut inside an item's CDATA text: no warning (expat says "unclosed CDATA
    section", which was not taken for a cut), exit 0, and that item stored with its title and
    no text at all. Now the cut is said, and the item it fell in waits for a whole feed."""
    text = _rss(3).replace("<description>", "<description><![CDATA[").replace(
        "</description>", "]]></description>")
    cut = tmp_path / "cut.xml"
    cut.write_text(text[:text.index("CDATA", text.index("Port story 2")) + 30],
                   encoding="utf-8")
    proc = _run("--db", str(tmp_path / "b.db"), "fetch", str(cut))
    assert proc.returncode == 0, proc.stderr
    assert "2 added" in proc.stdout
    assert _one_error_line(proc) == (
        f"briefing: {cut}: the feed breaks off before its end (bad XML at line 2: unclosed "
        "CDATA section): items after that may be missing")
    listed = _run("--db", str(tmp_path / "b.db"), "list").stdout
    assert "Port story 2" not in listed and "Port story 1" in listed
    whole = tmp_path / "whole.xml"
    whole.write_text(text, encoding="utf-8")
    proc = _run("--db", str(tmp_path / "b.db"), "fetch", str(whole))
    assert "1 added, 0 updated, 2 unchanged" in proc.stdout
