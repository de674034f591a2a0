"""A fetch while its workers start (issue 19 starts them only once a body needs parsing).
Stopped by Ctrl-C or SIGTERM to the real CLI, it ends with one line and its own exit code, no
traceback from any process, no process left behind, and a database the next run takes up.
When they cannot start at all, the run goes on in one thread and says so once."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import signal
import sqlite3
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from bench.common import descendants
from briefing import ingest
from briefing.config import Settings
from briefing.exit_codes import ExitCode
from briefing.models import FetchReport
from briefing.pipeline import _Runner, resolve
from briefing.store import Store
from tests.feedgen import BODY, rss
from tests.httpserver import Route, TestServer

N_FEEDS = 20  # above the pipeline's POOL_THRESHOLD: the run uses worker processes


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return ""


def _catches_sigint(pid: int) -> bool:
    """Whether `pid` has a handler for SIGINT: a Python process past its start-up (before
    that, SIGINT kills it without a word, which would hide what this file tests)."""
    try:
        for row in Path(f"/proc/{pid}/status").read_text().splitlines():
            if row.startswith("SigCgt:"):
                return bool(int(row.split()[1], 16) & (1 << (signal.SIGINT - 1)))
    except (OSError, ValueError):
        pass
    return False


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except (OSError, IndexError):
        return False


def _setup(server: TestServer, tmp_path: Path) -> tuple[list[str], dict[str, str]]:
    urls = [server.add(f"/feed{i}.xml", Route(rss(3, base=server.base, prefix=f"feed{i}",
                                                  body=BODY), etag=f'"e{i}"'))
            for i in range(N_FEEDS)]
    cfg = tmp_path / "config.toml"
    # Two workers whatever the machine's cores; timeouts generous for a loaded machine.
    cfg.write_text("[fetch]\nworkers = 2\nconnect_timeout = 60\nread_timeout = 60\n"
                   "total_timeout = 120\n")
    cmd = [sys.executable, "-m", "briefing", "--db", str(tmp_path / "b.db"), "--config",
           str(cfg), "fetch", *urls, "--no-extract"]
    env = {**os.environ, "BRIEFING_CACHE": str(tmp_path / "cache")}  # cold: a slow preload
    return cmd, env


def _validated_then_one_changed_late(server: TestServer, cmd: list[str],
                                     env: dict[str, str]) -> None:
    """A cron cycle: every feed validated by a first run, then one changed, answering late;
    the next run's workers start only when its body arrives."""
    first = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300,
                           check=False)
    assert first.returncode == 0, first.stderr
    server.routes["/feed7.xml"] = Route(rss(4, base=server.base, prefix="new", body=BODY),
                                        etag='"new"', delay=0.5)


def _stopped_as_workers_start(cmd: list[str], env: dict[str, str], how: str
                              ) -> tuple[int, str, set[int]]:
    """Runs `cmd` in a session of its own and, once the fork server is up (the workers are
    starting: it loads the parsers and the language model before forking any), stops it
    as a terminal's Ctrl-C does (SIGINT to the whole group) or as `kill` does (SIGTERM to
    the process). Its exit code, stderr, and every process seen under it."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    seen: set[int] = set()
    deadline = time.monotonic() + 120
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            found = descendants(proc.pid)
            seen.update(found)
            if any("forkserver" in _cmdline(p) and _catches_sigint(p) for p in found):
                if how == "ctrl-c":
                    os.killpg(proc.pid, signal.SIGINT)
                else:
                    proc.send_signal(signal.SIGTERM)
                break
            time.sleep(0.002)
        else:
            pytest.fail("the workers never started")
        while proc.poll() is None and time.monotonic() < deadline:
            seen.update(descendants(proc.pid))
            time.sleep(0.01)
        _, err = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, err, seen


def _gone(pids: set[int]) -> list[int]:
    """Those of `pids` still running once the helpers had time to see their parent gone."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.05)
    return [p for p in pids if _alive(p)]


@pytest.mark.slow
@pytest.mark.parametrize("how,code,line", [
    ("ctrl-c", ExitCode.INTERRUPTED, "briefing: interrupted; what was stored before it is kept"),
    ("sigterm", ExitCode.TERMINATED, "briefing: terminated; what was stored before it is kept"),
])
@pytest.mark.parametrize("late", [False, True], ids=["cold", "late-changed-feed"])
def test_a_fetch_stopped_while_its_workers_start(tmp_path: Path, how: str, code: ExitCode,
                                                 line: str, late: bool) -> None:
    server = TestServer()
    try:
        cmd, env = _setup(server, tmp_path)
        if late:
            _validated_then_one_changed_late(server, cmd, env)
        rc, err, seen = _stopped_as_workers_start(cmd, env, how)
        assert rc == code, err
        assert err.splitlines() == [line]  # no traceback, no warning, from any process
        assert seen and _gone(seen) == []
        db = sqlite3.connect(tmp_path / "b.db")
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        db.close()
        again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300,
                               check=False)
        assert again.returncode == 0, again.stderr
        assert again.stdout.startswith(f"{N_FEEDS}/{N_FEEDS} sources ok")
    finally:
        server.close()


def test_a_run_stopped_before_its_sources_start_leaves_no_coroutine_unawaited(
        server: TestServer, tmp_path: Path) -> None:
    # Ctrl-C as the run begins cancels each source's task before its first step: the
    # coroutine made for it was never awaited, and Python said so on the user's terminal
    # ("RuntimeWarning: coroutine '_Runner._source' was never awaited", and a tracemalloc hint).
    urls = [server.add(f"/feed{i}.xml", rss(1, base=server.base, prefix=f"feed{i}"))
            for i in range(3)]
    settings = Settings()
    store = Store(tmp_path / "b.db")
    try:
        planned, failed = resolve(urls, store, settings)
        report = FetchReport(sources_total=len(planned), failed=list(failed), started="now")
        runner = _Runner(settings, store, report, ingest.Options(), "now", None, ())

        async def stopped_at_once() -> None:
            run = asyncio.create_task(runner.run(planned))
            await asyncio.sleep(0)  # `run` makes the sources' tasks and waits on them
            assert runner.tasks and not any(t.done() for t in runner.tasks)
            run.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await run

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            asyncio.run(stopped_at_once())
            gc.collect()
        assert [str(w.message) for w in caught if w.category is RuntimeWarning] == []
        assert server.hits == {}
    finally:
        store.close()


FORKSERVER_DIES = """\
import os
with open("/proc/self/cmdline", "rb") as f:
    if b"multiprocessing.forkserver" in f.read():
        os._exit(1)
"""


@pytest.mark.slow
@pytest.mark.parametrize("late", [False, True], ids=["cold", "late-changed-feed"])
def test_workers_that_cannot_start_leave_the_run_to_one_thread(tmp_path: Path,
                                                               late: bool) -> None:
    # The fork server dies as it starts (as when the system kills it for memory), made so
    # by a sitecustomize that only it runs. Its socket's EOFError was no failure the pool's
    # start expected: the sources waiting for the workers failed ("internal error:
    # EOFError"), and the later ones ran in a thread without a word.
    server = TestServer()
    try:
        cmd, env = _setup(server, tmp_path)
        if late:
            _validated_then_one_changed_late(server, cmd, env)
        site = tmp_path / "site"
        site.mkdir()
        (site / "sitecustomize.py").write_text(FORKSERVER_DIES)
        env["PYTHONPATH"] = os.pathsep.join(
            [str(site), *filter(None, [os.environ.get("PYTHONPATH")])])
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300,
                              check=False)
        assert done.returncode == 0, done.stderr
        assert done.stderr.splitlines() == [
            "briefing: worker processes could not start (unexpected EOF); working in one "
            "thread"]
        assert done.stdout.startswith(f"{N_FEEDS}/{N_FEEDS} sources ok")
        assert ("4 added" if late else f"{3 * N_FEEDS} added") in done.stdout
    finally:
        server.close()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_during_the_fetchs_imports_waits_for_their_end(
        signum: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # A signal handler's exception raised inside an import broke the import instead of
    # stopping the run (a TypeError out of ssl, an exit by SIGINT after the line was
    # printed): the fetch's imports and the fork server's start hold Ctrl-C and SIGTERM
    # until they are done, and the run then stops as it would have.
    from briefing.cli import common

    monkeypatch.setattr(common, "_terminated", False)
    done = []
    with pytest.raises(KeyboardInterrupt), common.stop_on_sigterm(), common.stops_deferred():
        os.kill(os.getpid(), signum)
        time.sleep(0.01)  # the handler runs at the next bytecode: it must not raise
        done.append("imported")
    assert done == ["imported"]
    assert common._terminated is (signum == signal.SIGTERM)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back


def test_a_second_sigterm_while_the_run_stops_is_not_a_second_interrupt(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A supervisor that repeats its SIGTERM: the second one reached asyncio's Ctrl-C handler
    # again, whose second call raises inside the loop (its force-quit), and the stopping run
    # printed "Task exception was never retrieved" with tracebacks.
    from briefing.cli import common

    monkeypatch.setattr(common, "_terminated", False)
    calls = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: calls.append(signum))
    try:
        with common.stop_on_sigterm():
            for _ in range(2):
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(0.01)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert calls == [signal.SIGINT]
    assert common._terminated
