"""Local files: only what the user named is read from disk. OPML entries reach no further than
the OPML file's own folder, folder walks stay inside the folder, feed links never name local
files, and only regular files are opened (a FIFO would hang open() for ever).

The FIFO cases run briefing in a subprocess with a deadline, so a regression fails the test
instead of hanging the suite.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from briefing.config import Settings
from briefing.pipeline import run_fetch
from briefing.store import Store
from tests.feedgen import rss
from tests.httpserver import TestServer

ROOT = Path(__file__).resolve().parent.parent
SECRET = "Confidential payroll figures for the whole company"
ARTICLE = ("Harbour expansion approved\n\nThe harbour authority in Port Meridian approved a "
           "$2.4bn expansion on Tuesday, adding 14 berths over three years.\n")


def _cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    # 60 s is far beyond what these small runs need even on a loaded machine; a hang on a FIFO
    # would otherwise last for ever.
    return subprocess.run([sys.executable, "-m", "briefing", *args], capture_output=True,
                          text=True, timeout=60, cwd=cwd)


def _stored_text(store: Store) -> str:
    arts = [store.get_article(a.id) for a in store.list_articles(limit=10_000)]
    return "\n".join(f"{a.title}\n{a.text}" for a in arts if a is not None)


def _secret(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    secret = outside / "secret.txt"
    secret.write_text(f"Payroll\n\n{SECRET}.\n")
    return secret


def test_fifo_in_a_folder_is_skipped_without_hanging(tmp_path: Path, db_file: Path) -> None:
    root = tmp_path / "inbox"
    root.mkdir()
    (root / "good.txt").write_text(ARTICLE)
    os.mkfifo(root / "pipe.xml")
    os.mkfifo(root / "page.html")
    # A local feed whose teaser item links to a FIFO beside it.
    (root / "feed.rss").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Local</title><item>'
        "<title>Piped</title><link>page.html</link><description>Short.</description>"
        "</item></channel></rss>")
    proc = _cli("--db", str(db_file), "fetch", str(root))
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    for name in ("pipe.xml", "page.html"):
        assert f"briefing: {root / name}: not a regular file (a FIFO); skipped" in proc.stderr
    assert "2/4 sources ok, 2 added" in proc.stdout, proc.stdout


def test_fifo_named_directly_fails_without_hanging(tmp_path: Path, db_file: Path) -> None:
    fifo = tmp_path / "named"
    os.mkfifo(fifo)
    proc = _cli("--db", str(db_file), "fetch", str(fifo))
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.strip() == f"briefing: {fifo}: not a regular file (a FIFO)"
    opml_fifo = tmp_path / "list.opml"
    os.mkfifo(opml_fifo)
    proc = _cli("--db", str(db_file), "import-opml", str(opml_fifo))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip() == (
        f"briefing: error: {opml_fifo}: not a regular file (a FIFO)")
    proc = _cli("--db", str(db_file), "fetch", "/dev/zero")
    assert proc.returncode == 1 and "not a regular file (a device)" in proc.stderr


def test_symlink_out_of_a_folder_is_skipped(tmp_path: Path, db_file: Path) -> None:
    secret = _secret(tmp_path)
    root = tmp_path / "inbox"
    (root / "sub").mkdir(parents=True)
    (root / "good.txt").write_text(ARTICLE)
    (root / "leak.txt").symlink_to(secret)
    (root / "passwd.txt").symlink_to("/etc/passwd")
    (root / "sub" / "up.txt").symlink_to("../../outside/secret.txt")
    # Stays in the folder: still read, as the file it links to (one article, not two).
    (root / "inside.md").symlink_to(root / "good.txt")
    (root / "linked-dir").symlink_to(secret.parent)  # a linked folder is never entered
    store = Store(db_file)
    report = run_fetch(Settings(), store, [str(root)], extract=False)
    failed = dict(report.failed)
    for link in ("leak.txt", "passwd.txt", "sub/up.txt"):
        assert failed[str(root / link)] == (
            "a symbolic link to a file outside the folder; skipped")
    assert len(failed) == 3 and report.sources_ok == 1 and report.added == 1
    stored = _stored_text(store)
    assert SECRET not in stored and "root:" not in stored and "Port Meridian" in stored


OPML = """<?xml version="1.0"?>
<opml version="2.0"><body>
  <outline text="ok" xmlUrl="feeds/good.xml"/>
  <outline text="abs" xmlUrl="{secret}"/>
  <outline text="passwd" xmlUrl="/etc/passwd"/>
  <outline text="up" xmlUrl="../outside/secret.txt"/>
  <outline text="deep" xmlUrl="feeds/../../../../etc/hostname"/>
  <outline text="proc" xmlUrl="/proc/self/cmdline"/>
  <outline text="home" xmlUrl="~/notes.txt"/>
  <outline text="file" xmlUrl="file://{secret}"/>
  <outline text="exec" xmlUrl="|cat {secret}"/>
  <outline text="exec2" xmlUrl="exec:cat {secret}"/>
  <outline text="link" xmlUrl="leak.txt"/>
</body></opml>
"""

REFUSED = {
    "{secret}": "an absolute path; only files in the OPML file's folder",
    "/etc/passwd": "an absolute path; only files in the OPML file's folder",
    "../outside/secret.txt": "leads out of the OPML file's folder",
    "feeds/../../../../etc/hostname": "leads out of the OPML file's folder",
    "/proc/self/cmdline": "an absolute path; only files in the OPML file's folder",
    "~/notes.txt": "a path in a home folder; only files in the OPML file's folder",
    "file://{secret}": "only http(s) URLs and files in the OPML file's folder",
    "|cat {secret}": "a command (newsboat exec feed); commands are never run",
    "exec:cat {secret}": "a command (newsboat exec feed); commands are never run",
    "leak.txt": "leads out of the OPML file's folder",
}


def _opml_folder(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    secret = _secret(tmp_path)
    folder = tmp_path / "lists"
    (folder / "feeds").mkdir(parents=True)
    (folder / "feeds" / "good.xml").write_bytes(rss(2))
    (folder / "leak.txt").symlink_to(secret)
    opml_file = folder / "subs.opml"
    opml_file.write_text(OPML.format(secret=secret))
    lines = {f"entry {e.format(secret=secret)!r} skipped: {r}" for e, r in REFUSED.items()}
    return opml_file, {line: line for line in lines}


def test_opml_entries_name_only_files_in_their_own_folder(tmp_path: Path,
                                                          db_file: Path) -> None:
    opml_file, lines = _opml_folder(tmp_path)
    store = Store(db_file)
    report = run_fetch(Settings(), store, [str(opml_file)], extract=False)
    reasons = [reason for source, reason in report.failed if source == str(opml_file)]
    assert sorted(reasons) == sorted(lines)
    assert report.sources_ok == 1 and report.added == 2
    stored = _stored_text(store)
    assert SECRET not in stored and "root:" not in stored


def test_import_opml_subscribes_only_what_it_may(tmp_path: Path, db_file: Path) -> None:
    opml_file, lines = _opml_folder(tmp_path)
    proc = _cli("--db", str(db_file), "import-opml", str(opml_file))
    assert proc.returncode == 1, proc.stderr
    assert sorted(proc.stderr.strip().splitlines()) == sorted(
        f"briefing: {opml_file}: {line}" for line in lines)
    assert proc.stdout.strip() == f"imported 1 feeds from {opml_file} ({len(lines)} skipped)"
    store = Store(db_file)
    assert [s.url for s in store.list_sources()] == [
        str((opml_file.parent / "feeds" / "good.xml").resolve())]


def test_sample_feeds_opml_still_imports_and_fetches(tmp_path: Path, db_file: Path) -> None:
    sample = tmp_path / "sample_feeds"
    shutil.copytree(ROOT / "sample_feeds", sample)
    proc = _cli("--db", str(db_file), "import-opml", "sample_feeds/feeds.opml", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert proc.stdout.startswith("imported 4 feeds")
    proc = _cli("--db", str(db_file), "fetch", "--no-extract", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("4/4 sources ok")


def test_remote_feed_links_never_read_local_files(server: TestServer, tmp_path: Path,
                                                  db_file: Path) -> None:
    secret = _secret(tmp_path).with_suffix(".html")
    secret.write_text(f"<html><body><article><p>{SECRET}.</p>" * 20 + "</body></html>")
    feed = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Remote</title>'
            f"<item><title>A</title><link>file://{secret}</link><description>A.</description>"
            f"</item><item><title>B</title><link>{secret}</link><description>B.</description>"
            "</item></channel></rss>").encode()
    url = server.add("/feed.xml", feed)
    store = Store(db_file)
    report = run_fetch(Settings(), store, [url], extract=True)
    assert url not in dict(report.failed) and report.added == 2
    assert SECRET not in _stored_text(store)


def test_a_file_name_that_is_not_utf8_is_one_line_and_the_rest_is_read(tmp_path: Path) -> None:
    """A folder or file named in Latin-1 ("café" as the byte e9): fetching it ended in a
    traceback (the name reached the database as lone surrogates), inside a walked folder the
    file failed as an "internal error", and `feeds add` printed a traceback too. Now one line
    naming it with the odd byte shown, and the folder's other files are read."""
    odd = Path(os.fsdecode(bytes(tmp_path) + b"/caf\xe9"))
    odd.mkdir()
    (odd / "note.txt").write_text("Port news\n\nThe port handled 5 million tonnes.\n")
    (tmp_path / "good.txt").write_text("Good news\n\nThe port handled 6 million tonnes.\n")
    shown = f"{tmp_path}/caf\\xe9"
    with Store(tmp_path / "u.db") as store:
        direct = run_fetch(Settings(), store, [str(odd), str(odd / "note.txt")])
        assert direct.failed == [
            (shown, "its name is not UTF-8 (rename it to read it)"),
            (f"{shown}/note.txt", "its name is not UTF-8 (rename it to read it)")]
        walked = run_fetch(Settings(), store, [str(tmp_path)])
        assert walked.added == 1
        assert walked.failed == [(f"{shown}/note.txt",
                                  "its name is not UTF-8 (rename it to read it)")]
    env = {**os.environ, "BRIEFING_CONFIG": str(tmp_path / "none.toml")}
    (tmp_path / "none.toml").write_text("")
    proc = subprocess.run([sys.executable, "-m", "briefing", "--db", str(tmp_path / "u.db"),
                           "feeds", "add", os.fsencode(odd)], capture_output=True, timeout=120,
                          env=env)
    assert proc.returncode == 2
    assert proc.stderr.decode() == (f"briefing: error: {shown}: its name is not UTF-8 "
                                    "(rename it to read it)\n")
