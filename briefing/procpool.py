"""The worker processes a fetch parses and tags in: started safely from any front end.

Three things the standard library gets wrong for an app like this one, each fixed here once:

- Inside Textual, `sys.stderr` is a capture object whose `fileno()` is -1. The resource
  tracker hands `sys.stderr.fileno()` to its child, so starting it from the TUI failed with
  "bad value(s) in fds_to_keep" (every fetch of 12 or more feeds, and every teaser page).
- The fork server and the resource tracker are started as `python -c ...`, which puts the
  current directory first on the import path: a `numpy.py` or a `briefing/` folder where the
  user runs `briefing fetch .` would be imported into every worker. PYTHONSAFEPATH (3.11+)
  keeps it off, and workers inherit the setting.
- Killed with SIGKILL or SIGTERM, the main process leaves its workers waiting on a queue that
  nobody else writes: each worker watches its parent and exits with it, and the fork server
  and the resource tracker exit once the last worker has (they wait on pipes the workers hold).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import forkserver, resource_tracker

_start_lock = threading.Lock()

# Below this many sources a process pool costs more to start (~0.4 s of imports per worker)
# than it saves: the work runs in a thread.
POOL_THRESHOLD = 12
PRELOAD = ["briefing._preload"]


def worker_count(configured: int) -> int:
    """The workers a fetch uses: `[fetch] workers`, or 0 for one per CPU."""
    return configured or os.cpu_count() or 1


def prestart() -> None:
    """Start the fork server now, before the caller's imports and planning, when a run will
    probably parse (see cli's fetch): its preload (the parsers, the tagger, the language
    model: ~0.4 s of CPU) then runs on the other core meanwhile, and `process_pool` later
    forks its workers at once. A cron cycle of 2,000 new items among 900 304s took 7% less
    time. A start that fails is left to `process_pool`, which says why."""
    multiprocessing.get_context("forkserver").set_forkserver_preload(PRELOAD)
    with contextlib.suppress(Exception):
        _ensure_helpers()


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of `workers` processes forked from a fork server that preloads the parsers,
    with every worker started before it returns. Blocks for the fork server's start-up (its
    imports: about a second, many on a busy machine), so call it from a thread, never from
    the event loop: a pool starting on its first submit blocked the loop that long, and
    requests in flight ran out their total timeout."""
    # forkserver, not fork: the TUI calls this from a thread, and forking a threaded process
    # can deadlock the child on a lock some other thread held.
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    _ensure_helpers()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                               initializer=_worker_start)
    try:
        # Every worker forked before the pool's manager thread exists (the first submit starts
        # it). Started by the submits, one a submit, a worker killed the instant it appeared
        # had the manager thread close the pool's queues while the next submit was handing
        # their descriptors to the fork server: EBADF there, the fork server died with a
        # traceback on stderr, and the retry found it dying ("working in one thread"; 1 full
        # test run in 5). Now such a death is seen at the first submit, and the retry gets a
        # healthy fork server. Private, as `kill_workers` is: without it (another Python),
        # the submits start the workers, as before.
        launch = getattr(pool, "_launch_processes", None)
        if launch is not None:
            with pool._shutdown_lock:
                launch()
        for started in [pool.submit(_ready) for _ in range(workers)]:
            started.result()
    except BaseException:
        # A worker died as the pool started (the OOM killer, a kill): the pool is dropped and
        # its other workers are killed here. The pool cannot be trusted to end them: its
        # manager thread, seeing the death, terminates the workers it knows of while this
        # thread's next submit may still be starting one (CPython 3.11 takes no lock there);
        # that one got neither a SIGTERM nor a stop message, waited on its queue for ever, and
        # the manager thread's join of it kept a finished run from exiting (3 runs in 9 under
        # load; none in 40 since). Every submit has returned by now, so every worker is known.
        kill_workers(pool)
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    return pool


def kill_workers(pool: ProcessPoolExecutor) -> None:
    """End a pool's worker processes. A pool cannot stop one job, and a job past its budget
    keeps its worker busy: the pool breaks, and the jobs that were in it run again (see
    pipeline's `_Runner._cpu`)."""
    for proc in list((pool._processes or {}).values()):
        with contextlib.suppress(Exception):
            proc.kill()


def _ready() -> None:
    """A job that does nothing: its answer says a worker is up."""


def _ensure_helpers() -> None:
    """Start the resource tracker and the fork server now, under our conditions, instead of
    lazily on the first submit (whose caller cannot choose them)."""
    with _start_lock, _real_stderr(), _safe_path():
        resource_tracker.ensure_running()  # blocks and unblocks SIGINT itself
        with _ctrl_c_blocked():
            forkserver.ensure_running()


@contextlib.contextmanager
def _ctrl_c_blocked() -> Iterator[None]:
    """SIGINT blocked in this thread while the fork server is started: it keeps the mask for
    life and every worker it forks inherits it. A Ctrl-C reaches every process of the
    terminal's group, and the fork server, which ignores it only once its preload is done
    (imports and the language model: seconds on a cold cache), printed a KeyboardInterrupt
    traceback. The main process alone decides how a run stops (cli.common.Group)."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextlib.contextmanager
def _real_stderr() -> Iterator[None]:
    try:
        valid = sys.stderr is not None and sys.stderr.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        valid = False
    if valid:
        yield
        return
    saved = sys.stderr
    # Only the descriptor is handed on (kept open in the child); nothing is written to it.
    with open(os.devnull, "w") as devnull:
        sys.stderr = devnull
        try:
            yield
        finally:
            sys.stderr = saved


@contextlib.contextmanager
def _safe_path() -> Iterator[None]:
    saved = os.environ.get("PYTHONSAFEPATH")
    os.environ["PYTHONSAFEPATH"] = "1"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("PYTHONSAFEPATH", None)
        else:
            os.environ["PYTHONSAFEPATH"] = saved


# How much lower than the process that started them workers run (added to its niceness).
# That process writes the database and hands the workers their batches, on one thread: with
# it and two workers runnable on two cores, the scheduler gave it two thirds of a core, and
# the workers then waited for it (a cold fetch of 20,000 items: its loop thread waited 6.2 s
# for a CPU, 1.8 s with the workers niced). Niced, the workers take what it leaves, and the
# TUI, which is that process, stays responsive while a fetch tags. Five is enough for that
# (a weight of 335 against its 1,024) and, on a machine busy with other work, leaves the
# workers a third of an ordinary process's share, where ten left them a ninth.
WORKER_NICE = 5


def _worker_start() -> None:
    """Runs first in every worker: lower its priority (WORKER_NICE), then exit as soon as the
    process that started the pool is gone. The parent's sentinel is a pipe whose only writer
    lives in the parent, so it becomes readable exactly when the parent dies (however it
    died)."""
    with contextlib.suppress(OSError):  # a platform or sandbox without it: run as is
        os.nice(WORKER_NICE)
    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        return
    sentinel = parent.sentinel

    def watch() -> None:
        multiprocessing.connection.wait([sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="briefing-parent-watch", daemon=True).start()
