from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefing.cli import cli
from tests.feedgen import rss
from tests.httpserver import Route, TestServer


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "briefing", *args], capture_output=True, text=True, timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_fetch_report_json_and_exit_codes(server: TestServer, db_file: Path) -> None:
    good = server.add("/good.xml", rss(2))
    bad = server.add("/bad.xml", Route(status=404))
    proc = _run("--db", str(db_file), "fetch", good, bad, "--json")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["sources_total"] == 2 and report["sources_ok"] == 1
    assert report["sources_failed"] == 1 and report["added"] == 2
    assert report["failed"] == [{"source": bad, "reason": "HTTP 404 Not Found"}]
    assert proc.stderr.strip() == f"briefing: {bad}: HTTP 404 Not Found"
    assert "Traceback" not in proc.stderr
    quiet = _run("--db", str(db_file), "fetch", good, "--quiet")
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")


def test_list_show_search_json(server: TestServer, db_file: Path) -> None:
    url = server.add("/f.xml", rss(2))
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", str(db_file), "fetch", url, "-q"]).exit_code == 0
    listed = json.loads(runner.invoke(cli, ["--db", str(db_file), "list", "--json"]).output)
    assert len(listed) == 2
    assert {"id", "title", "url", "source", "language", "published"} <= set(listed[0])
    assert "text" not in listed[0]
    shown = json.loads(runner.invoke(cli, ["--db", str(db_file), "show", listed[0]["id"],
                                           "--json"]).output)
    assert shown["text"] and shown["paragraphs"][0]["index"] == 0
    assert {"index", "text", "language"} <= set(shown["paragraphs"][0])
    assert {"facts", "key_facts", "summary", "tags"} <= set(shown)
    found = runner.invoke(cli, ["--db", str(db_file), "search", "harbour", "--json"])
    assert len(json.loads(found.output)) == 2


def test_malformed_search_is_usage_error(db_file: Path) -> None:
    proc = _run("--db", str(db_file), "search", '"unbalanced')
    assert proc.returncode == 2
    assert proc.stderr.startswith("briefing: error: malformed search query")
    assert "Traceback" not in proc.stderr
    bad_fact = _run("--db", str(db_file), "list", "--fact", "money>>lots")
    assert bad_fact.returncode == 2 and "bad fact filter" in bad_fact.stderr


def test_bad_config_and_bad_store_exit_codes(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("[fetch\n")
    proc = _run("--config", str(cfg), "--db", str(tmp_path / "x.db"), "fetch", "x")
    assert proc.returncode == 3 and "invalid TOML" in proc.stderr
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not sqlite at all" * 200)
    proc = _run("--db", str(junk), "list")
    assert proc.returncode == 4 and "junk.db" in proc.stderr and "Traceback" not in proc.stderr


def test_feeds_remove_takes_the_path_feeds_add_took(tmp_path: Path, db_file: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """`feeds add ./x.xml` stores the absolute path; `feeds remove ./x.xml` (or another
    relative spelling, or the file gone since) finds it, where only the absolute path did."""
    folder = tmp_path / "feeds"
    folder.mkdir()
    (folder / "world.xml").write_bytes(rss(1))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    base = ["--db", str(db_file)]
    added = runner.invoke(cli, [*base, "feeds", "add", "./feeds/world.xml", "--tag", "news"])
    assert added.exit_code == 0 and str(folder / "world.xml") in added.output
    gone = runner.invoke(cli, [*base, "feeds", "remove", "feeds/world.xml"])
    assert gone.exit_code == 0 and f"removed {folder / 'world.xml'}" in gone.output
    again = runner.invoke(cli, [*base, "feeds", "remove", "./feeds/world.xml"])
    assert again.exit_code == 2 and "not subscribed" in again.output
    assert runner.invoke(cli, [*base, "feeds", "add", "feeds/world.xml"]).exit_code == 0
    assert str(folder / "world.xml") in runner.invoke(cli, [*base, "feeds", "list"]).output
    (folder / "world.xml").unlink()
    assert runner.invoke(cli, [*base, "feeds", "remove", "./feeds/world.xml"]).exit_code == 0


def test_feeds_and_opml_roundtrip(tmp_path: Path, db_file: Path) -> None:
    runner = CliRunner()
    base = ["--db", str(db_file)]
    assert runner.invoke(cli, [*base, "feeds", "add", "https://a.example/feed",
                               "--tag", "world"]).exit_code == 0
    out = runner.invoke(cli, [*base, "export-opml"]).output
    assert 'xmlUrl="https://a.example/feed"' in out and 'category="world"' in out
    opml_file = tmp_path / "subs.opml"
    opml_file.write_text(out.replace("https://a.example/feed", "https://b.example/rss"))
    assert runner.invoke(cli, [*base, "import-opml", str(opml_file)]).exit_code == 0
    listed = runner.invoke(cli, [*base, "feeds", "list"]).output
    assert "https://a.example/feed" in listed and "https://b.example/rss" in listed
    assert runner.invoke(cli, [*base, "feeds", "remove", "https://a.example/feed"]).exit_code == 0
    assert "a.example" not in runner.invoke(cli, [*base, "feeds", "list"]).output
    broken = tmp_path / "broken.opml"
    broken.write_text("<opml><body><outline")
    res = runner.invoke(cli, [*base, "import-opml", str(broken)])
    assert res.exit_code == 2 and "malformed OPML" in res.output


def test_an_opml_list_gets_the_checks_feeds_add_makes(tmp_path: Path, db_file: Path) -> None:
    # Addresses with a newline, a C1 control or a port past 65535 were stored (and failed at
    # every fetch), and a category's CSI (U+009B) reached the terminal through `feeds list`.
    opml_file = tmp_path / "c.opml"
    opml_file.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body>'
        '<outline text="c1" xmlUrl="https://a.example/ok?x=&#x9b;2J"/>'
        '<outline text="nl" xmlUrl="https://a.example/ok?a=1&#10;b"/>'
        '<outline text="port" xmlUrl="https://a.example:99999/ok"/>'
        '<outline text="fine" category="a&#x9b;2J,world" xmlUrl="https://a.example/fine"/>'
        "</body></opml>", encoding="utf-8")
    runner = CliRunner()
    base = ["--db", str(db_file)]
    res = runner.invoke(cli, [*base, "import-opml", str(opml_file)])
    assert res.exit_code == 1
    assert "imported 1 feeds" in res.output and "(3 skipped)" in res.output
    assert res.output.count("the address contains control characters") == 2
    assert "'https://a.example:99999/ok' skipped: not a valid URL (port out of range" in res.output
    listed = runner.invoke(cli, [*base, "feeds", "list"]).output
    assert listed.startswith("https://a.example/fine [a, world]")
    assert not any(0x80 <= ord(c) < 0xA0 or (ord(c) < 0x20 and c != "\n") for c in listed)


def test_locate_honours_env(tmp_path: Path) -> None:
    proc = _run("locate", env={"BRIEFING_DB": str(tmp_path / "env.db"),
                               "BRIEFING_CONFIG": str(tmp_path / "c.toml")})
    assert proc.returncode == 0
    assert f"database: {tmp_path / 'env.db'}" in proc.stdout
    assert f"config: {tmp_path / 'c.toml'}" in proc.stdout


def test_core_imports_without_textual() -> None:
    code = ("import sys, briefing.cli, briefing.pipeline, briefing.store; "
            "print('textual' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.stdout.strip() == "False", proc.stderr


def test_tag_retags_stale_articles_once(server: TestServer, db_file: Path) -> None:
    import sqlite3

    url = server.add("/t.xml", rss(2))
    runner = CliRunner()
    base = ["--db", str(db_file)]
    assert runner.invoke(cli, [*base, "fetch", url, "-q"]).exit_code == 0
    conn = sqlite3.connect(db_file)
    before = conn.execute("SELECT count(*) FROM facts").fetchone()[0]
    assert before > 0
    # Pretend an older tagger made these: the facts vanish and the version drops.
    conn.execute("DELETE FROM facts")
    conn.execute("UPDATE articles SET tagger_version = 0")
    conn.commit()
    first = runner.invoke(cli, [*base, "tag"])
    assert first.output.strip() == "2 articles tagged"
    assert conn.execute("SELECT count(*) FROM facts").fetchone()[0] == before
    assert runner.invoke(cli, [*base, "tag"]).output.strip() == "0 articles tagged"
    tags = conn.execute("SELECT tag FROM article_tags").fetchall()
    assert ("Ports",) in tags  # the feed's category survives a re-tag
    assert runner.invoke(cli, [*base, "tag", "--since", "June"]).exit_code == 2


def test_feeds_list_says_how_a_folders_files_went(tmp_path: Path, db_file: Path) -> None:
    # The fetch records each file of a subscribed folder as a source of its own: the folder's
    # status is theirs (as the TUI's feeds screen shows it), not "new" for ever.
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.xml").write_bytes(rss(2))
    (folder / "b.xml").write_bytes(b"\x00\xff" * 500)
    runner = CliRunner()
    base = ["--db", str(db_file)]
    assert runner.invoke(cli, [*base, "feeds", "add", str(folder)]).exit_code == 0
    assert "(new)" in runner.invoke(cli, [*base, "feeds", "list"]).output
    runner.invoke(cli, [*base, "fetch"])
    listed = runner.invoke(cli, [*base, "feeds", "list"]).output
    assert f"{folder}  " in listed and "(error: b.xml: " in listed, listed
    (folder / "b.xml").write_bytes(rss(1, prefix="mended"))
    runner.invoke(cli, [*base, "fetch"])
    assert "(ok, " in runner.invoke(cli, [*base, "feeds", "list"]).output


def test_list_source_names_one_local_file(tmp_path: Path, db_file: Path) -> None:
    """Two articles fetched from files of one folder: `--source` with a file's name or its
    path lists that file's article (it listed nothing, exit 0), the folder's name both."""
    folder = tmp_path / "desk"
    folder.mkdir()
    (folder / "harbour.md").write_text(
        "# Harbour plan\n\nThe port of Hai Linh will spend $1.2bn on a new terminal, its board "
        "said on Monday, adding 14 berths by 2029.\n", encoding="utf-8")
    (folder / "coffee.txt").write_text(
        "Roaster bought\n\nA coffee chain agreed to buy a roaster for $85mn, lifting its "
        "capacity by 40,000 tonnes, its chief financial officer said.\n", encoding="utf-8")
    runner = CliRunner()
    base = ["--db", str(db_file)]
    fetched = runner.invoke(cli, [*base, "fetch", str(folder / "harbour.md"),
                                  str(folder / "coffee.txt"), "--quiet"])
    assert fetched.exit_code == 0, fetched.output

    def titles(source: str) -> list[str]:
        res = runner.invoke(cli, [*base, "list", "--json", "--source", source])
        assert res.exit_code == 0, res.output
        return sorted(a["title"] for a in json.loads(res.output))

    assert titles("harbour") == titles(str(folder / "harbour.md")) == ["Harbour plan"]
    assert titles("coffee.txt") == ["Roaster bought"]
    assert titles("desk") == ["Harbour plan", "Roaster bought"]
    missing = runner.invoke(cli, [*base, "list", "--source", "no-such-desk"])
    assert missing.exit_code == 2 and "no source matches 'no-such-desk'" in missing.output


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_output_to_a_full_disk_is_one_line_and_exit_2(db_file: Path, tmp_path: Path) -> None:
    """`brief > file` on a full disk, the README's cron line: a traceback and exit 1 (some
    sources failed) for brief, stories and locate; exit 4 (the database) for list. Now one
    line saying the output could not be written, and 2, a file that cannot be written."""
    from tests.conftest import ROOT

    env = {"BRIEFING_CONFIG": str(tmp_path / "none.toml")}
    (tmp_path / "none.toml").write_text("")
    assert _run("--db", str(db_file), "fetch", str(ROOT / "sample_feeds"), "--quiet",
                env=env).returncode == 0
    for args in (["brief", "--since", "2000-01-01"], ["brief", "--since", "2000-01-01",
                 "--format", "json"], ["stories"], ["list"], ["locate"], ["export-opml"]):
        with open("/dev/full", "w") as full:
            proc = subprocess.run([sys.executable, "-m", "briefing", "--db", str(db_file), *args],
                                  stdout=full, stderr=subprocess.PIPE, text=True, timeout=120,
                                  env={**os.environ, **env})
        assert proc.returncode == 2, (args, proc.stderr)
        assert proc.stderr == ("briefing: error: cannot write the output: No space left on "
                               "device\n"), args


def test_a_page_the_extractor_cannot_read_is_one_line(tmp_path: Path) -> None:
    """trafilatura logs its own errors ("lxml parsing failed: Document is empty", "parsed
    tree length: 0, wrong data type or not valid HTML"): they came out beside the source's
    failure line, three lines for one file in a cron mail."""
    env = {"BRIEFING_CONFIG": str(tmp_path / "none.toml")}
    (tmp_path / "none.toml").write_text("")
    (tmp_path / "b.html").write_text("<!-- only comment -->")
    (tmp_path / "e.html").write_text('<?xml version="1.0"?><x/>')
    for name in ("b.html", "e.html"):
        proc = _run("--db", str(tmp_path / "t.db"), "fetch", "--quiet", str(tmp_path / name),
                    env=env)
        assert proc.returncode == 1
        lines = proc.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"briefing: {tmp_path / name}: "), lines
