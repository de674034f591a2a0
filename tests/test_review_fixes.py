"""Defects found in review of the daily reader (issue 15), through the real CLI: an empty
search, one name per feed in `stories` and `brief`, and a folder source's last error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from briefing.exit_codes import ExitCode
from briefing.models import Article, Paragraph
from briefing.store import Store


def _cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "briefing", "--db", str(db), *args],
                          capture_output=True, text=True, timeout=120)


def _article(n: int, text: str) -> Article:
    return Article(id=f"a{n}", url=f"https://example.com/{n}", source="https://example.com/f",
                   title=f"Story {n}", text=text, paragraphs=(Paragraph(0, text, "en"),),
                   language="en", published=f"2025-01-0{n}T00:00:00+00:00",
                   content_hash=f"h{n}")


@pytest.mark.parametrize("query", ["", "   ", "-", "--", '""', "()", "…!?", "-  ,"])
def test_a_search_with_no_word_is_a_usage_error(tmp_path: Path, query: str) -> None:
    db = tmp_path / "s.db"
    with Store(db) as store:
        store.save_article(_article(1, "Gold rose."))
        store.save_article(_article(2, "Copper fell."))
    proc = _cli(db, "search", "--", query)  # -- : a query may start with -
    assert proc.returncode == ExitCode.USAGE, (proc.stdout, proc.stderr)
    assert proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert "no word to search for" in proc.stderr


def test_words_and_fact_filters_alone_still_search(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with Store(db) as store:
        store.save_article(_article(1, "Gold rose."))
        store.save_article(_article(2, "Copper fell."))
    found = _cli(db, "search", "gold")
    assert found.returncode == 0 and found.stdout.startswith("a1 ")
    rest = _cli(db, "search", "--", "-gold")  # exclusions alone list the others
    assert rest.returncode == 0 and rest.stdout.startswith("a2 ")
    facts = _cli(db, "search", "--fact", "money>1", "")  # no match, but a real search
    assert facts.returncode == 0 and facts.stdout == ""


@pytest.mark.parametrize("oldest_first", [False, True])
def test_next_unread_and_list_position_follow_either_order(tmp_path: Path,
                                                           oldest_first: bool) -> None:
    """What the reader's n uses past a list's loaded rows: the next unread one in the
    list's order (ties in time by id) and its row in that list."""
    from briefing.store import ArticleFilter

    with Store(tmp_path / "o.db") as store:
        for n in range(1, 10):
            art = _article(n, f"Item {n}.")
            store.save_article(Article(**{**art.__dict__,
                                          "published": f"2025-01-0{1 + n % 3}T00:00:00+00:00"}))
        for n in (2, 5, 6):
            store.set_read(f"a{n}")
        flt = ArticleFilter()
        listed = store.list_articles(flt, oldest_first=oldest_first)
        order = [a.id for a in listed]
        for i, a in enumerate(listed):
            later = [x.id for x in listed[i + 1:] if not x.read]
            assert store.next_unread(flt, a.published, a.id, oldest_first=oldest_first) == (
                later[0] if later else None)
            assert store.list_position(flt, a.id, oldest_first=oldest_first) == order.index(a.id)
        assert store.list_position(ArticleFilter(unread=True), "a2") is None
        assert store.list_position(flt, "no-such-id") is None


def _demo(tmp_path: Path) -> Path:
    from tests.conftest import ROOT

    db = tmp_path / "demo.db"
    proc = _cli(db, "fetch", str(ROOT / "sample_feeds"), "--quiet")
    assert proc.returncode == 0, proc.stderr
    return db


def _copy_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith(("  * ", "    ", "  ! "))]


def test_stories_and_brief_name_each_feed_one_way_and_follow_a_rename(tmp_path: Path) -> None:
    """The demo's story told twice: its feed copy is named by the feed's title in the list
    of copies, the flag and `brief --format json`; after a rename, by the rename in all."""
    import json

    db = _demo(tmp_path)
    with Store(db) as store:
        (feed,) = [s for s in store.list_sources(subscribed_only=False)
                   if s.url.endswith("energy.xml")]
        feed_title = feed.title
    assert feed_title == "Mekong Energy Wire"
    for name in (feed_title, "My energy desk"):
        out = _cli(db, "stories")
        assert out.returncode == 0, out.stderr
        lines = _copy_lines(out.stdout)
        copies = [ln for ln in lines if not ln.startswith("  ! ")]
        (flag,) = [ln for ln in lines if ln.startswith("  ! ")]
        assert any(f"  {name}  " in ln for ln in copies), out.stdout
        assert f" in {name}, " in flag, flag
        assert "energy.example.com" not in out.stdout  # the host is not a second name
        posts = json.loads(_cli(db, "brief", "--format", "json").stdout)["stories"]
        (post,) = [p for p in posts if len(p["sources"]) == 2]
        (flag_json,) = post["flags"]
        assert flag_json["a"]["source"] == name and f"in {name}," in flag_json["text"]
        assert "energy.example.com" not in json.dumps(post["flags"])
        shown = json.loads(_cli(db, "stories", "--json").stdout)
        names = {s["name"] for st in shown for s in st["sources"] if s["source"] == feed.url}
        assert names == {name}
        with Store(db) as store:
            assert store.rename_source(feed.url, "My energy desk")


def test_a_folder_sources_error_clears_when_it_fetches_fine_again(tmp_path: Path) -> None:
    """A bad file in a subscribed folder, then deleted; the folder moved away, then back:
    `feeds list` says what is true after each fetch, never an error from before."""
    db = tmp_path / "f.db"
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_text("Harbour crane\n\nThe harbour's new crane lifted its first "
                                  "box on Monday.\n", encoding="utf-8")
    (folder / "b.txt").write_bytes(b"\x00\x01\x02 not text")
    assert _cli(db, "feeds", "add", str(folder)).returncode == 0

    def status() -> str:
        proc = _cli(db, "feeds", "list")
        assert proc.returncode == 0, proc.stderr
        (line,) = [ln for ln in proc.stdout.splitlines() if ln.startswith(str(folder))]
        return line

    assert _cli(db, "fetch").returncode == ExitCode.PARTIAL
    assert "error: b.txt: binary file" in status()
    (folder / "b.txt").unlink()
    assert _cli(db, "fetch").returncode == ExitCode.OK
    assert "(error" not in status() and "(ok" in status()
    moved = folder.rename(tmp_path / "elsewhere")
    gone = _cli(db, "fetch")
    assert gone.returncode == ExitCode.PARTIAL and "no such file or directory" in gone.stderr
    assert "error: no such file or directory" in status()
    moved.rename(folder)
    assert _cli(db, "fetch").returncode == ExitCode.OK
    assert "(error" not in status() and "(ok" in status()


def test_an_unsubscribed_file_sources_error_is_not_shown(tmp_path: Path) -> None:
    db = tmp_path / "f.db"
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01 not text")
    assert _cli(db, "feeds", "add", str(bad)).returncode == 0
    assert _cli(db, "fetch").returncode == ExitCode.PARTIAL
    assert "binary file" in _cli(db, "feeds", "list").stdout
    bad.unlink()
    assert "no such file" in _cli(db, "fetch").stderr
    assert "error: no such file or directory" in _cli(db, "feeds", "list").stdout
    assert _cli(db, "feeds", "remove", str(bad)).returncode == 0
    listed = _cli(db, "feeds", "list")
    assert listed.returncode == 0 and str(bad) not in listed.stdout
