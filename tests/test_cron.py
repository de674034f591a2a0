"""briefing as cron runs it: a bare environment (PATH=/usr/bin:/bin, no LANG, an odd TZ), no
terminal, and whatever reaches stdout or stderr mailed to the user. Real subprocesses of the
installed command, real databases, feeds on a loopback server."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from tests.feedgen import rss
from tests.httpserver import Route, TestServer, held_feed

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_POST = ROOT / "sample_feeds" / "articles" / "bilingual-post.txt"
DEADLINE = 300  # one run of a few feeds on a loaded machine, with room to spare


def _command() -> list[str]:
    # The installed script, as a crontab line names it; `-m` where there is none.
    script = Path(sys.executable).with_name("briefing")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "briefing"]


def _cron_env(home: Path, *, tz: str | None = None, lang: str = "") -> dict[str, str]:
    home.mkdir(parents=True, exist_ok=True)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "SHELL": "/bin/sh", "LOGNAME": "cron",
           "LANG": lang, "LC_ALL": lang,
           # the session's unpacked language model (conftest), not 68 MB more per test
           "BRIEFING_CACHE": os.environ["BRIEFING_CACHE"]}
    if tz is not None:
        env["TZ"] = tz
    return env


def _cron(env: dict[str, str], *args: str, stdout: int | None = subprocess.PIPE
          ) -> subprocess.Popen[bytes]:
    """Start one run as cron does: no terminal, a session of its own, stdin closed."""
    return subprocess.Popen([*_command(), *args], env=env, stdin=subprocess.DEVNULL,
                            stdout=stdout, stderr=subprocess.PIPE, start_new_session=True)


def _run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    proc = _cron(env, *args)
    out, err = proc.communicate(timeout=DEADLINE)
    return proc.returncode, out.decode(), err.decode()


def test_a_quiet_cron_run_prints_nothing_and_a_failed_source_one_line(
        server: TestServer, tmp_path: Path) -> None:
    env = _cron_env(tmp_path / "home")
    good = server.add("/good.xml", rss(3))
    bad = server.add("/gone.xml", Route(status=404))
    db = str(tmp_path / "cron.db")
    assert _run(env, "--db", db, "fetch", "--quiet", good) == (0, "", "")
    # A failure is one line on stderr and the exit code; the summary line that --quiet used
    # to print then went to stdout, which cron mails, beside the error log's line.
    assert _run(env, "--db", db, "fetch", "--quiet", good, bad) == (
        1, "", f"briefing: {bad}: HTTP 404 Not Found\n")
    code, out, _ = _run(env, "--db", db, "fetch", good, bad)
    assert code == 1 and out.startswith("1/2 sources ok")  # without --quiet: the summary


@pytest.mark.parametrize("lang", ["", "C", "POSIX"])
def test_vietnamese_text_survives_a_c_locale(tmp_path: Path, lang: str) -> None:
    words = [w for w in SAMPLE_POST.read_text(encoding="utf-8").split() if not w.isascii()]
    assert words, "the sample post has Vietnamese words"
    db = str(tmp_path / "vi.db")
    c_env = _cron_env(tmp_path / "home", lang=lang)
    assert _run(c_env, "--db", db, "fetch", "--quiet", str(SAMPLE_POST)) == (0, "", "")
    brief = tmp_path / "brief.md"
    with brief.open("wb") as sink:
        proc = _cron(c_env, "--db", db, "brief", "--full", stdout=sink.fileno())
        _, brief_err = proc.communicate(timeout=DEADLINE)
    assert (proc.returncode, brief_err) == (0, b"")
    text = brief.read_bytes().decode("utf-8")  # strict: no surrogate or `?` mangling
    assert all(w.strip(".,:;\"'()") in text for w in words[:40])
    # The same bytes as under a UTF-8 locale, and a search typed in Vietnamese still finds it.
    utf8 = _cron_env(tmp_path / "home", lang="C.UTF-8")
    assert _run(utf8, "--db", db, "brief", "--full")[1].encode() == brief.read_bytes()
    code, found, err = _run(c_env, "--db", db, "search", words[0].strip(".,:;\"'()"))
    assert code == 0 and err == "" and found.strip()


def _zone_or_skip(name: str) -> object:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:
        pytest.skip(f"no tz data for {name} on this machine")


def _feed(items: list[tuple[str, datetime]]) -> bytes:
    """One item per (word, time), each a story of its own (nothing in common to group)."""
    out = []
    for word, when in items:
        body = " ".join(f"{word}{k} {word}{k + 1} {word}{k + 2}." for k in range(60))
        out.append(f"<item><title>{word} report</title><link>https://{word}.example/a</link>"
                   f"<guid>{word}</guid><pubDate>{format_datetime(when)}</pubDate>"
                   f"<description>{escape(body)}</description></item>")
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
            "<link>https://t.example/</link><description>t</description>" + "".join(out)
            + "</channel></rss>").encode()


def _briefed(env: dict[str, str], db: str, since: str) -> set[str]:
    code, out, err = _run(env, "--db", db, "brief", "--since", since, "--format", "json")
    assert (code, err) == (0, ""), err
    return {s["title"].split()[0] for s in json.loads(out)["stories"]}


@pytest.mark.parametrize("zone", ["Asia/Ho_Chi_Minh", "Pacific/Kiritimati"])
def test_since_a_date_means_that_day_where_the_user_is(
        server: TestServer, tmp_path: Path, zone: str) -> None:
    tz = _zone_or_skip(zone)
    now = datetime.now(tz)  # type: ignore[arg-type]
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    # Just after and just before the local day began, and the day before that began.
    feed = server.add("/day.xml", _feed([
        ("today", midnight + timedelta(minutes=1)),
        ("lastnight", midnight - timedelta(minutes=1)),
        ("beforeyesterday", midnight - timedelta(days=1, minutes=1)),
    ]))
    env = _cron_env(tmp_path / "home", tz=zone)
    db = str(tmp_path / "tz.db")
    assert _run(env, "--db", db, "fetch", "--quiet", feed) == (0, "", "")
    # `date +%F` in the crontab gives the local day; read as UTC it began 7 or 14 hours late.
    assert _briefed(env, db, f"{now:%Y-%m-%d}") == {"today"}
    assert _briefed(env, db, "today") == {"today"}
    assert _briefed(env, db, "yesterday") == {"today", "lastnight"}
    # An offset written out is honoured, not dropped.
    offset = midnight.isoformat()
    assert _briefed(env, db, offset) == {"today"}
    # `list` and `show` date an article by the same local day, as the reader does.
    code, out, err = _run(env, "--db", db, "list")
    assert (code, err) == (0, "")
    days = {ln.split()[-3]: ln.split()[2] for ln in out.splitlines()}
    assert days["today"] == f"{now:%Y-%m-%d}"
    assert days["lastnight"] == f"{midnight - timedelta(minutes=1):%Y-%m-%d}"


@pytest.mark.parametrize("zone", ["XYZ+24", "garbage+99:99", "Invalid/Zone", ":/nonexistent"])
def test_a_tz_python_cannot_hold_is_read_as_utc(
        server: TestServer, tmp_path: Path, zone: str) -> None:
    now = datetime.now(UTC)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    feed = server.add("/day.xml", _feed([("today", midnight + timedelta(minutes=1)),
                                         ("earlier", midnight - timedelta(days=1, minutes=1))]))
    env = _cron_env(tmp_path / "home", tz=zone)
    db = str(tmp_path / "tz.db")
    assert _run(env, "--db", db, "fetch", "--quiet", feed) == (0, "", "")
    assert _briefed(env, db, "today") == {"today"}
    code, out, err = _run(env, "--db", db, "list")
    assert (code, err) == (0, "") and "today report" in out


def _pending(db: Path) -> tuple[int, int]:
    """(articles waiting for their tagging, articles), read as the reader would."""
    if not db.exists():
        return 0, 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
        try:
            row = conn.execute("SELECT coalesce(sum(tagger_version = -1), 0), count(*) "
                               "FROM articles").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return 0, 0  # the schema is not there yet
    return int(row[0]), int(row[1])


def _sound(db: Path) -> None:
    conn = sqlite3.connect(str(db), timeout=60)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == \
            conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        wrong = conn.execute("SELECT count(*) FROM articles a WHERE tagger_version != -1 AND "
                             "fact_count != (SELECT count(*) FROM facts f WHERE "
                             "f.article = a.rowid)").fetchone()[0]
        assert wrong == 0
    finally:
        conn.close()


@pytest.mark.slow
def test_a_second_cron_run_while_the_first_tags_and_a_timeout_kill(
        server: TestServer, tmp_path: Path) -> None:
    """Cron starts the next run while the last one is still tagging, and `timeout` (SIGTERM,
    then SIGKILL) stops the first: each says at most one line, nothing is lost or half
    written, and what the first left untagged is tagged by the second."""
    # 1,200 items: enough tagging behind the store for the 50 ms polls below to see it.
    urls = [server.add(f"/f{i}.xml", rss(60, prefix=f"f{i}")) for i in range(20)]
    cfg = tmp_path / "config.toml"
    cfg.write_text("[fetch]\nper_host = 8\nextract = false\n")
    db = tmp_path / "busy.db"
    env = _cron_env(tmp_path / "home")
    args = ("--db", str(db), "--config", str(cfg), "fetch", "--quiet", *urls)
    first = _cron(env, *args)
    deadline = time.monotonic() + DEADLINE
    while _pending(db)[0] == 0:
        assert first.poll() is None, "the first run ended before it was seen tagging"
        assert time.monotonic() < deadline, "no article stored and waiting for tagging"
        time.sleep(0.05)
    second = _cron(env, *args)
    first.send_signal(signal.SIGTERM)  # what `timeout` sends first
    try:
        out, err = first.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        first.kill()  # and then, as `timeout -k` does
        out, err = first.communicate()
    if first.returncode == -signal.SIGKILL:
        assert out == b""
    else:
        assert first.returncode in (0, 143), err
        lines = err.decode().splitlines()
        assert out == b"" and len(lines) <= 1, err
        assert all(ln.startswith("briefing: terminated;") for ln in lines)
    out, err = second.communicate(timeout=DEADLINE)
    assert (second.returncode, out, err) == (0, b"", b"")
    assert _pending(db) == (0, 20 * 60)
    _sound(db)


# A fetch that stops for good in its first tagging write, as a run does when cron's timeout
# kills it between its phases: every article stored readable, none tagged (test_readable_first).
_KILLED_RUN = """
import sys, threading
from pathlib import Path
from briefing.config import Settings
from briefing.pipeline import AFTER_STORE, run_fetch
from briefing.store import Store

db, marker, *urls = sys.argv[1:]

def stop(store, articles, signatures):
    Path(marker).write_text(str(len(articles)))
    threading.Event().wait()  # until killed

run_fetch(Settings(), Store(db), urls, after_store=(*AFTER_STORE, stop))
"""


def test_a_run_killed_while_the_next_one_runs_is_finished_by_that_one(
        server: TestServer, tmp_path: Path, kill_on_exit: list[subprocess.Popen[str]]) -> None:
    """The next cron run starts while the last is still storing; the last is then killed
    with articles stored and untagged, after the next run had looked for such articles. The
    next run tags them before it ends, instead of leaving them to a third."""
    asked, answer = threading.Event(), threading.Event()
    slow = server.add("/slow.xml", held_feed(rss(3, prefix="slow"), asked, answer, DEADLINE))
    wire = server.add("/wire.xml", rss(40, prefix="wire"))
    db = tmp_path / "cron.db"
    env = _cron_env(tmp_path / "home")
    nxt = _cron(env, "--db", str(db), "fetch", "--quiet", slow)
    try:
        assert asked.wait(DEADLINE), "the next run never asked for its feed"
        marker = tmp_path / "tagging"
        last = subprocess.Popen([sys.executable, "-c", _KILLED_RUN, str(db), str(marker), wire],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
        kill_on_exit.append(last)
        deadline = time.monotonic() + DEADLINE
        while not marker.exists():
            assert last.poll() is None, last.stderr.read() if last.stderr else ""
            assert time.monotonic() < deadline, "the last run never started tagging"
            time.sleep(0.05)
        os.killpg(last.pid, signal.SIGKILL)
        last.wait(timeout=DEADLINE)
        assert _pending(db) == (40, 40)
    finally:
        answer.set()
    out, err = nxt.communicate(timeout=DEADLINE)
    assert (nxt.returncode, out, err) == (0, b"", b"")
    assert _pending(db) == (0, 43)
    _sound(db)


def _read_only_folder(folder: Path) -> Path | None:
    """`folder` as a folder this process cannot write to: itself with its mode bits, or
    for root (whom they do not stop) a read-only bind mount of it; None when neither works."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return folder
    view = folder.with_name(folder.name + "-ro")
    view.mkdir()
    if shutil.which("mount") is None or subprocess.run(
            ["mount", "--bind", "-o", "ro", str(folder), str(view)],
            capture_output=True).returncode != 0:
        return None
    return view


def _release(folder: Path, view: Path) -> None:
    if view == folder:
        folder.chmod(0o755)
    else:
        subprocess.run(["umount", str(view)], check=True)


def test_a_database_folder_that_cannot_be_written_is_one_line_and_exit_4(
        server: TestServer, tmp_path: Path) -> None:
    env = _cron_env(tmp_path / "home")
    folder = tmp_path / "data"
    folder.mkdir()
    db = folder / "briefing.db"
    feed = server.add("/f.xml", rss(3))
    assert _run(env, "--db", str(db), "fetch", "--quiet", feed) == (0, "", "")
    before = db.read_bytes()
    view = _read_only_folder(folder)
    if view is None:
        pytest.skip("cannot make a read-only folder here (root, and no bind mount allowed)")
    try:
        for args in (("fetch", "--quiet", feed), ("brief",), ("list",)):
            code, out, err = _run(env, "--db", str(view / "briefing.db"), *args)
            assert (code, out) == (4, ""), err
            (line,) = err.splitlines()
            # SQLite says only "unable to open database file": the line says why.
            assert line.startswith("briefing: error: ") and "is not writable" in line, line
    finally:
        _release(folder, view)
    assert db.read_bytes() == before
    _sound(db)


def test_a_full_disk_is_one_line_exit_4_and_the_next_run_finishes(
        server: TestServer, tmp_path: Path) -> None:
    """A real full disk: a small tmpfs (root only; test_process_faults has the file-size
    limit version for everyone)."""
    env = _cron_env(tmp_path / "home")
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)],
            capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        db = disk / "briefing.db"
        urls = [server.add(f"/f{i}.xml", rss(100, prefix=f"f{i}")) for i in range(4)]
        assert _run(env, "--db", str(db), "fetch", "--quiet", urls[0]) == (0, "", "")
        stored = _pending(db)[1]
        code, out, err = _run(env, "--db", str(db), "fetch", "--quiet", *urls)
        assert (code, out) == (4, ""), err
        (line,) = err.splitlines()
        assert "database or disk is full" in line, line
        _sound(db)
        assert _pending(db)[1] >= stored
        subprocess.run(["mount", "-o", "remount,size=64m", str(disk)], check=True)
        assert _run(env, "--db", str(db), "fetch", "--quiet", *urls) == (0, "", "")
        assert _pending(db) == (0, 400)
        _sound(db)
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_help_has_what_a_crontab_line_needs(tmp_path: Path) -> None:
    env = _cron_env(tmp_path / "home")
    code, out, _ = _run(env, "--help")
    assert code == 0 and "briefing fetch --help" in out and "briefing locate" in out
    code, out, _ = _run(env, "fetch", "--help")
    assert code == 0 and "--quiet" in out and "briefing locate" in out and "Exit codes" in out
    code, out, _ = _run(env, "locate")
    command = next(ln.split(": ", 1)[1] for ln in out.splitlines() if ln.startswith("command: "))
    # What locate names runs from cron's bare PATH, from anywhere.
    check = subprocess.run(f"{command} --version", shell=True, env=env, cwd="/",
                           capture_output=True, text=True, timeout=DEADLINE)
    assert check.returncode == 0 and check.stdout.startswith("briefing"), check.stderr
