"""run_fetch: the one core that `briefing fetch` (cron) and the TUI's `r` both call.

The event loop fetches; parsing, cleaning and tagging run in worker processes when there are
enough sources to pay for starting them, so fetching overlaps with CPU work on both cores. The
store is written from the event-loop thread only, a feed's articles, stories and validators
always in one transaction (several feeds share one when they finish together), each article
whole. With fetch.readable_first (the default) the articles are stored readable first, and
their tagging and stories follow in later transactions of the same run (tag_behind.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import gc
import logging
import threading
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from concurrent.futures import BrokenExecutor, Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from briefing import ingest
from briefing.config import Settings
from briefing.errors import UsageError
from briefing.locations import NOT_UTF8, expand_user, not_utf8, shown_name
from briefing.models import TAGGING_PENDING, Article, FeedEntry, FetchProgress, FetchReport, Source
from briefing.procpool import POOL_THRESHOLD, kill_workers, process_pool, worker_count
from briefing.sources import local
from briefing.sources.feeds import is_cut_short
from briefing.sources.http import Fetcher, FetchError
from briefing.store import Store, StoreError
from briefing.store.store import PENDING_PER_SOURCE, PENDING_TOTAL
from briefing.tag_behind import TagBehind
from briefing.text import one_line
from briefing.urls import article_id, is_http_url

log = logging.getLogger(__name__)


# The longest a transaction stays open waiting for more sources' writes (see _writer): what
# another process writing the same database (the TUI marking an article read) may wait.
COMMIT_SECONDS = 0.5
# The same once no source runs and only the tagging behind writes (readable_first's second
# phase): each commit writes out every page its transaction touched, and story keys and facts
# scatter over their whole indexes, so the pages a commit writes grow far slower than its
# articles. Measured on a cold fetch of 300 feeds: 264-282 MB written at 0.5 s, 159-170 MB at
# 2 s. Nothing
# waits on these commits but another process's write (the TUI's, from a thread), and facts
# then appear every two seconds instead of every half.
TAGGING_COMMIT_SECONDS = 2.0
# Tagging batches (tag_behind.BATCH articles each, 100) held back while sources run (see
# _writer) before they are written anyway: ~16 MB of results.
HELD_TAGGING = 40

# A feed bigger than this is parsed first, and its items go to the workers STREAM_ITEMS at a
# time, each slice written before the next is kept: a feed of 100,000 items as one result
# held every article at once (1.6 GB). Normal feeds (~100 KB) take one trip to a worker.
STREAM_BYTES = 2_000_000
STREAM_ITEMS = 500

ProgressCallback = Callable[[FetchProgress], None]
T = TypeVar("T")


class _OverBudget(Exception):
    """The source ran past fetch.source_seconds."""


class _Pages:
    """What is left of a feed's teaser pages for this run (fetch.pages_per_feed)."""

    def __init__(self, left: int) -> None:
        self.left = max(0, left)
        # 0 keeps every teaser as it is: no run fetches a page, so none is queued for one.
        self.queue = left > 0

    def take(self, n: int) -> int:
        taken = min(n, self.left)
        self.left -= taken
        return taken


@dataclass(frozen=True)
class Planned:
    """A source resolved to something fetchable: a URL or a local file of a known kind."""

    key: str
    kind: str  # remote | feed | html | text
    tags: tuple[str, ...] = ()
    title: str = ""
    sidecars: tuple[tuple[str, str], ...] = ()  # (language, path) of translation files
    # A remote source as stored when the run began: read once, not again before its request.
    stored: Source | None = field(default=None, compare=False)

    @property
    def validated(self) -> bool:
        """Stored with an ETag or Last-Modified: likely to answer 304 and need no worker."""
        return self.stored is not None and bool(self.stored.etag or self.stored.last_modified)


def resolve(args: Sequence[str], store: Store, settings: Settings
            ) -> tuple[list[Planned], list[tuple[str, str]]]:
    """Expand SOURCE arguments (or the configured feeds) into planned sources and failures."""
    failed: list[tuple[str, str]] = []
    planned: dict[str, Planned] = {}
    if not args:
        for src in store.list_sources():
            _add(planned, failed, src.url, src.tags, src.title, store, settings, set(),
                 known=src)
        configured = store.get_sources([f.url for f in settings.feeds if is_http_url(f.url)])
        for feed in settings.feeds:
            _add(planned, failed, feed.url, tuple(feed.tags), "", store, settings, set(),
                 known=configured.get(feed.url))
    stored = store.get_sources([a for a in args if is_http_url(a)])
    for arg in args:
        _add(planned, failed, arg, (), "", store, settings, set(), known=stored.get(arg))
    # Feeds before loose articles, so a page a feed links to is stored under the feed's item.
    order = {"remote": 0, "feed": 0, "html": 1, "text": 1}
    items = sorted(planned.values(), key=lambda p: order[p.kind])
    return items, failed


def _parse_warning(source: str, warning: str | None) -> None:
    """A feed's parse warning: a cut short feed's is the user's to know (items may be lost);
    feedparser's others come with feeds that read whole, for -vv."""
    if warning:
        (log.warning if is_cut_short(warning) else log.debug)("%s: %s", source, warning)


def _not_a_source(url: str) -> str:
    """Why a URL that is_http_url refused is no source."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # "http://[::1": an unclosed IPv6 bracket
        return f"not a valid URL ({one_line(str(exc), 100)})"
    if parts.scheme.lower() in ("http", "https"):
        return "no host in the URL"
    return "unsupported URL scheme: only http, https and local paths"


def _add(planned: dict[str, Planned], failed: list[tuple[str, str]], arg: str,
         tags: tuple[str, ...], title: str, store: Store, settings: Settings,
         seen: set[Path], *, known: Source | None) -> None:
    """`known`: the stored source of a URL `arg` (None: not stored), which the callers read
    for all their URLs at once (Store.get_sources)."""
    if is_http_url(arg):
        all_tags = tuple(dict.fromkeys((*tags, *(known.tags if known else ()))))
        planned.setdefault(arg, Planned(arg, "remote", all_tags, title, stored=known))
        return
    if "://" in arg:
        failed.append((arg, _not_a_source(arg)))
        return
    if not_utf8(arg):
        failed.append((shown_name(arg), NOT_UTF8))
        return
    try:
        path = expand_user(arg)
    except UsageError as exc:
        failed.append((arg, str(exc).removeprefix(f"{one_line(arg, 200)}: ")))
        return
    if not path.exists():
        failed.append((arg, "no such file or directory"))
        store.note_local_source(arg, "no such file or directory")  # a subscribed one says so
        return
    path = path.resolve()
    if path.is_dir():
        # Each file by its real path: a link to a file of the folder is that file, not an
        # article of its own that took the file's text (and its edits went to a second one).
        children = list(dict.fromkeys(c.resolve() for c in local.walk(path, failed)))
        for child in [c for c in children if not_utf8(str(c))]:
            failed.append((shown_name(str(child)), NOT_UTF8))
            children.remove(child)
        # There again: its error, and those of files deleted since, are not current.
        store.note_local_source(arg, None, present={str(c) for c in children})
        indexes: dict[Path, dict[str, list[str]]] = {}
        for child in children:
            index = indexes.get(child.parent)
            if index is None:
                index = indexes[child.parent] = local.sidecar_index(child.parent)
            _add_file(planned, failed, child, tags, title, store, settings, seen, index)
    else:
        _add_file(planned, failed, path, tags, title, store, settings, seen)


def _add_file(planned: dict[str, Planned], failed: list[tuple[str, str]], path: Path,
              tags: tuple[str, ...], title: str, store: Store, settings: Settings,
              seen: set[Path], sidecar_index: dict[str, list[str]] | None = None) -> None:
    try:
        head = local.read_bytes(path, 512, head=True)
    except local.LocalError as exc:  # a FIFO or device named directly: never opened to wait
        failed.append((str(path), str(exc)))
        return
    kind = local.classify(path, head)
    if kind in ("html", "text") and local.sidecar_of(path) is not None:
        return  # read with the article it translates
    if kind != "opml":
        sidecars = tuple((lang, str(p)) for lang, p in local.sidecars(path, sidecar_index)
                         ) if kind in ("html", "text") else ()
        planned.setdefault(str(path), Planned(str(path), kind, tags, title, sidecars))
        return
    if path in seen:
        failed.append((str(path), "OPML file lists itself (or loops); skipped"))
        return
    seen.add(path)
    # Imported here: its XML modules cost a cron run that reads no OPML file ~15 ms.
    from briefing.sources import opml

    try:
        feeds = opml.read_file(path, settings.fetch.max_bytes)
    except opml.OPMLError as exc:
        failed.append((str(path), str(exc).removeprefix(f"{path}: ")))
        return
    # Each entry's target, or why it is skipped, in the file's order (which the failures
    # are reported in); the stored sources of the URLs read in one statement first.
    entries: list[tuple[str, opml.OPMLFeed | None]] = []
    for feed in feeds:
        try:
            target = opml.entry_target(feed.url, path)
        except opml.OPMLError as exc:
            entries.append((str(exc), None))
            continue
        if not is_http_url(target) and Path(target).resolve() == path:
            entries.append(("OPML file lists itself; that entry skipped", None))
            continue
        entries.append((target, feed))
    stored = store.get_sources([t for t, feed in entries if feed and is_http_url(t)])
    for target, entry in entries:
        if entry is None:
            failed.append((str(path), target))
            continue
        _add(planned, failed, target, tuple(dict.fromkeys((*tags, *entry.tags))), entry.title,
             store, settings, seen, known=stored.get(target))


AfterStore = Callable[[Store, Sequence[Article], Mapping[str, Any]], None]


def group_stories(store: Store, articles: Sequence[Article],
                  signatures: Mapping[str, Any]) -> None:
    """Assign new and changed articles to stories, with the signatures the workers made."""
    # Imported here: story grouping brings numpy (~70 ms of imports), which a cron run with
    # nothing new (all 304) never needs.
    from briefing import stories

    stories.assign_articles(store, articles, signatures)


# What runs once a source's new or changed articles are saved, in the same transaction: each
# hook gets the store, those articles and the workers' signatures by article id.
AFTER_STORE: tuple[AfterStore, ...] = (group_stories,)


def run_fetch(settings: Settings, store: Store, sources: Sequence[str] | None = None, *,
              now: datetime | None = None, on_progress: ProgressCallback | None = None,
              extract: bool | None = None,
              after_store: Sequence[AfterStore] = AFTER_STORE) -> FetchReport:
    """Fetch, clean, tag and store every source; failures are collected, never raised."""
    now = now or datetime.now(UTC)
    stamp = now.isoformat(timespec="seconds")
    planned, failed = resolve(list(sources or ()), store, settings)
    report = FetchReport(sources_total=len(planned) + len(failed), failed=list(failed),
                         started=stamp)
    options = ingest.Options(
        teaser_chars=settings.fetch.teaser_chars,
        extract=settings.fetch.extract if extract is None else extract,
        extract_max_bytes=settings.fetch.extract_max_bytes,
        extract_timeout=settings.fetch.extract_timeout,
        tag=not settings.fetch.readable_first,
    )
    runner = _Runner(settings, store, report, options, stamp, on_progress, after_store)
    try:
        with _light_gc(), store.checkpoints_beside():
            asyncio.run(runner.run(planned))
    finally:
        store.stories.forget()  # the TUI keeps its Store open between fetches
        store.shrink_memory()
    report.finished = datetime.now(UTC).isoformat(timespec="seconds") if now is None else stamp
    keep = settings.store
    if keep.keep_days or keep.max_per_feed:  # retention, after every fetch (cron's and the TUI's)
        try:
            report.pruned = store.prune(keep_days=keep.keep_days,
                                        max_per_feed=keep.max_per_feed, now=now).articles
        except StoreError as exc:  # what was fetched is stored; the next run prunes
            report.failed.append(("retention", str(exc)))
    store.record_run(report)
    return report


# Garbage collection during a fetch: the writer thread makes and drops millions of small
# objects (worker results, rows), nearly none in cycles, and each full collection walked
# every object alive (gen2 ran 26 times at ~185 ms each in a cold fetch of 20,000 items:
# 6 s of a 48 s run). Frozen, what existed before the run (modules, the TUI's widgets) is
# never walked. Young collections found next to nothing either: at a first threshold of
# 50,000 a cold fetch of 20,000 wire items ran ~75 young and 11 middle collections on the
# main process (~1.5 s of its ~14 s of CPU), and with automatic collection off its whole
# run left 146 objects in cycles (4,500 failing sources: 39,000, ~1 MB). So a fetch runs
# with it off (a first threshold of 0), and what the run leaves alive is frozen as it ends:
# the first young collection after it walked every object the run had made (~0.5 s at the
# end of that fetch, for nothing). Thresholds come back when the run ends, and the frozen
# objects join the oldest generation, where a full collection may still reach them.
GC_THRESHOLD = (0, 20, 100)


# Fetches running at once in one process (a TUI's fetch thread still ending as the next one
# starts) share the setting: the first to start sets it, the last to end gives back the
# thresholds the first found, so that one ending early cannot leave collection off for good.
_gc_lock = threading.Lock()
_gc_runs = 0
_gc_before = gc.get_threshold()


@contextlib.contextmanager
def _light_gc() -> Iterator[None]:
    global _gc_runs, _gc_before
    with _gc_lock:
        if _gc_runs == 0:
            _gc_before = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(*GC_THRESHOLD)
        _gc_runs += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_runs -= 1
            if _gc_runs == 0:
                gc.freeze()
                gc.set_threshold(*_gc_before)
                gc.unfreeze()


def _executor(n_sources: int, settings: Settings) -> Executor:
    workers = worker_count(settings.fetch.workers)
    if n_sources < POOL_THRESHOLD or workers <= 1:
        return ThreadPoolExecutor(max_workers=1)
    first: BaseException | None = None
    for attempt in (1, 2):
        try:
            return process_pool(workers)
        except (BrokenExecutor, OSError, EOFError) as exc:
            # One worker killed as the pool started (the OOM killer picking the biggest
            # process, a stray kill) is tried once more: a run of hundreds of feeds in one
            # thread takes several times as long. No worker twice (no memory, no processes
            # left, the fork server dead: EOFError from its socket): the run goes on in a
            # thread, slower, rather than failing sources.
            # The first failure is said: the second is often its consequence (the dead
            # fork server's socket refusing the connection).
            first = first or exc
            if attempt == 2:
                log.warning("worker processes could not start (%s); working in one thread",
                            first)
    return ThreadPoolExecutor(max_workers=1)


class _Slot:
    """A source's place in its semaphore, given back once: after its write has run, or when
    the source ends, whichever comes first."""

    def __init__(self, semaphore: asyncio.Semaphore) -> None:
        self._semaphore: asyncio.Semaphore | None = semaphore

    def release(self) -> None:
        if self._semaphore is not None:
            self._semaphore.release()
            self._semaphore = None


# The slot of the source a task is running for: `_write` hands it to the writer with the write.
_slot: contextvars.ContextVar[_Slot | None] = contextvars.ContextVar("briefing_slot",
                                                                     default=None)
# When the source a task runs for must be done (loop time), per fetch.source_seconds.
_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("briefing_deadline",
                                                                         default=None)


@dataclass(frozen=True)
class _Folder:
    """What the store knows of a folder source's files (see _Runner._folders)."""

    known: dict[str, str]  # article id -> content hash
    ids: dict[str, str]  # file URI -> article id


class _Runner:
    def __init__(self, settings: Settings, store: Store, report: FetchReport,
                 options: ingest.Options, now: str, on_progress: ProgressCallback | None,
                 after_store: Sequence[AfterStore]) -> None:
        self.settings = settings
        self.store = store
        self.report = report
        self.options = options
        self.now = now
        self.on_progress = on_progress
        self.after_store = tuple(after_store)
        self.done = 0
        self.total = report.sources_total
        self._dropped: dict[str, int] = {}  # teaser pages dropped from the queue, by source
        # The sources with pages put off, read at the first `_pending`: most have none, and
        # asking the store for each of a run's 1,000 feeds cost ~25 ms of the writer's thread.
        # Pages another process puts off meanwhile (a TUI fetching beside cron) wait for the
        # next run, as the pages put off by this one do.
        self._put_off: set[str] | None = None
        # asyncio's locks, events and queues bind to the loop that first uses them (3.10+),
        # so they are made here, before asyncio.run starts the loop that runs `run`.
        self.fetcher = Fetcher(settings.fetch)  # its client is opened by `run`
        # Replaced by the pool `_start_pool` starts; a thread pool starts no thread until used.
        self.executor: Executor = ThreadPoolExecutor(max_workers=1)
        self._starting: asyncio.Task[None] | None = None
        self._n_sources = 0
        self.fatal: StoreError | None = None
        # What the store knows of a folder's files, read once a run: each file of a folder
        # is a job of its own, and reading the folder's every article for each one made a
        # fetch of 3,000 unchanged notes take 80 s of CPU (3,000 x 3,000 rows).
        self._folders: dict[str, _Folder] = {}
        self.tasks: list[asyncio.Task[None]] = []
        self._pages: ProcessPoolExecutor | None = None
        self._pages_lock = asyncio.Lock()
        self._renew_lock = asyncio.Lock()
        # Writes for the writer, in order: (write, its future, the source's slot, whether it
        # is the tagging behind's).
        self._queue: asyncio.Queue[
            tuple[Callable[[], Any], asyncio.Future[Any], _Slot | None, bool]] = asyncio.Queue()
        self._wake = asyncio.Event()  # a write queued or a source finished: see _writer
        self._busy = 0  # sources running, each of which may still queue a write
        self._workers = worker_count(settings.fetch.workers)
        self._remote_slots = asyncio.Semaphore(4 * max(1, settings.fetch.concurrency))
        self._local_slots = asyncio.Semaphore(2 * self._workers)
        self._alone = asyncio.Semaphore(self._workers)  # jobs run again after a pool broke
        self._jobs = 0  # CPU jobs running or waiting for a worker
        # The second phase with fetch.readable_first, and what a killed run left untagged.
        self.behind = self._tag_behind()

    async def run(self, planned: list[Planned]) -> None:
        for source, reason in self.report.failed:
            self._progress(source, reason)
        self._n_sources = len(planned)
        writer = asyncio.create_task(self._writer())
        self.behind.resume()
        # The workers (~1 s of CPU to start, ~350 MB) are started at once when some source
        # will surely need them; when every source is a feed that may answer 304 (a cron
        # cycle), only once the first body to parse arrives: a run where nothing changed
        # starts none.
        if self.behind.waiting or any(p.kind != "remote" or not p.validated for p in planned):
            self._start_pool()
        behind = asyncio.create_task(self.behind.run())
        try:
            async with self.fetcher:
                feeds = [p for p in planned if p.kind in ("remote", "feed")]
                loose = [p for p in planned if p.kind not in ("remote", "feed")]
                self.tasks = [asyncio.create_task(
                    self._guard(p.key, partial(self._source, p))) for p in feeds]
                await asyncio.gather(*self.tasks, return_exceptions=True)
                # Loose articles after every feed, so a page a local feed links to is stored
                # under the feed's item and the same page read again is "unchanged".
                self.tasks = [asyncio.create_task(
                    self._guard(p.key, partial(self._source, p)))
                    for p in loose if self.fatal is None]
                await asyncio.gather(*self.tasks, return_exceptions=True)
                self.behind.close()
                if self.fatal is None:
                    await behind
                self.report.failed += self.behind.failed
                self.fatal = self.fatal or self.behind.fatal
                if self.fatal is None:
                    await self._tag_left_by_another_run()
        finally:
            behind.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await behind
            writer.cancel()
            if self._starting is not None:  # a pool still starting is shut down once up
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    await asyncio.shield(self._starting)
            self.executor.shutdown(wait=True, cancel_futures=True)  # the last, if renewed
            if self._pages is not None:
                self._pages.shutdown(wait=True, cancel_futures=True)
        if self.fatal is not None:
            cause = self.fatal.__cause__ or self.fatal
            raise StoreError(f"{self.store.path}: cannot write to the database: {cause}"
                             ) from self.fatal

    def _tag_behind(self) -> TagBehind:
        """A tagging queue on this run's writer and workers."""
        return TagBehind(
            self.store, workers=self._workers, hooks=self.after_store, write=self._queue_tagging,
            cpu=lambda fn, arts: self._cpu(self._main_executor, fn, arts),
            busy=lambda: self._jobs)

    async def _tag_left_by_another_run(self) -> None:
        """Tag what another fetch stored after this one began and left untagged: a cron run
        started while the last one was still going, which cron's timeout then killed. This
        run's resume() had looked before those were stored, and they would have waited for a
        third run (500 of 10,000 did). Once, after this run's own tagging: what a run still
        going tags meanwhile is skipped at the write (TagBehind._save)."""
        again = self._tag_behind()
        again.resume()
        if not again.waiting:
            return
        self.behind = again  # the writer and the workers' wake-ups follow it
        self._start_pool()
        again.close()
        await again.run()
        self.report.failed += again.failed
        self.fatal = again.fatal

    async def _write(self, write: Callable[[], T]) -> T:
        """Run `write` in the next database transaction and wait for it to commit."""
        return await self._queue_write(write)

    def _queue_write(self, write: Callable[[], T], *, tagging: bool = False
                     ) -> asyncio.Future[T]:
        """Queue `write` for the writer now, behind every write queued before it; the future
        is answered once its transaction commits."""
        done: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((write, done, _slot.get(), tagging))
        self._wake.set()
        return done

    def _queue_tagging(self, write: Callable[[], T]) -> asyncio.Future[T]:
        """`_queue_write` for the tagging behind's writes (see _writer: they may wait)."""
        return self._queue_write(write, tagging=True)

    async def _writer(self) -> None:
        """The one writer. A transaction stays open while sources still running may add to
        it, up to COMMIT_SECONDS, and commits once every running source waits on it: a
        commit writes out every page the batch touched, and story keys scatter over the
        whole index, so a batch of 30 feeds costs little more to commit than one feed
        (measured when story keys were text: 20,000 articles' keys took 4.3 s to insert 80
        articles per commit, 2.6 s at 400). A source's slot is handed on as soon as its write
        has run, so the next sources fetch and parse while the batch fills.

        The tagging behind's writes (readable_first) touch the widest indexes: story keys,
        facts and tags, all keyed by hashes, so every commit that carries some rewrites
        nearly every page of them (a cron cycle of 2,000 items in 8 commits wrote 129 MB to
        the WAL, 46 MB of distinct pages). While sources run, they are held and written
        together once every TAGGING_COMMIT_SECONDS (or HELD_TAGGING batches), not in each
        half-second commit the sources make. Once no source runs, the tagging has the writer
        to itself: its batches, of up to 200 articles, then share a transaction while more of
        them are in the workers, up to TAGGING_COMMIT_SECONDS, instead of a commit each (a
        commit cost ~12 ms of CPU, ~0.25 ms an article, as one a batch). Every article is
        still whole: a failure rolls back the batch, and each waiting source hears why."""
        loop = asyncio.get_running_loop()
        Item = tuple[Callable[[], Any], asyncio.Future[Any], _Slot | None, bool]
        held: list[Item] = []
        flushed = loop.time()  # when held tagging was last written
        carried = False  # held tagging due, its writing begun in the last transaction

        def tagging_due() -> bool:
            return (carried or not self._busy or len(held) >= HELD_TAGGING
                    or loop.time() >= flushed + TAGGING_COMMIT_SECONDS)

        def take(take_tagging: bool) -> Item | None:
            """The next write to run now; tagging that must wait is moved to `held`."""
            while not self._queue.empty():
                item = self._queue.get_nowait()
                if item[3] and not take_tagging:
                    held.append(item)
                    continue
                return item
            return None

        while True:
            # Wait for a write to make, or for held tagging to be due.
            first: Item | None = None
            while True:
                take_tagging = tagging_due()
                if take_tagging and held:
                    break
                first = take(take_tagging)
                if first is not None:
                    break
                self._wake.clear()
                timeout = max(0.0, flushed + TAGGING_COMMIT_SECONDS - loop.time()) \
                    if held else None
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout)
            # Held tagging before any tagging still queued; `first` was queued after them, and
            # is either a source's write or tagging met with nothing held.
            pending: list[Item] = []
            if take_tagging:
                if not carried:
                    flushed = loop.time()
                pending, held, carried = held, [], False
            if first is not None:
                pending.insert(0, first)
            waiting: list[asyncio.Future[Any]] = []
            results: list[Any] = []
            try:
                with self.store.transaction():
                    deadline = loop.time() + (
                        COMMIT_SECONDS if self._busy else TAGGING_COMMIT_SECONDS)
                    sources = 0  # source writes in this transaction
                    while True:
                        # The sources' writes first, so their slots are handed on while
                        # held tagging is written; tagging keeps its order behind `pending`.
                        item = take(take_tagging)
                        if item is not None and item[3] and pending:
                            pending.append(item)
                            continue
                        if item is None and pending:
                            if self._busy and loop.time() >= deadline and pending[0][3]:
                                # The sources' articles commit on time; the rest of the
                                # held tagging goes on in the next transaction.
                                break
                            item = pending.pop(0)
                        if item is not None:
                            write, done, slot, tagging = item
                            waiting.append(done)
                            results.append(write())
                            sources += not tagging
                            if slot is not None:
                                slot.release()
                            if tagging:
                                # Held batches come dozens at once: between them the loop
                                # hands the workers their next jobs and reads the network.
                                await asyncio.sleep(0)
                            continue
                        remaining = deadline - loop.time()
                        # Tagging batches in the workers will write soon (see above).
                        behind = self._busy == 0 and self.behind.running > 0
                        if remaining <= 0 or (sources >= self._busy and not behind):
                            break
                        self._wake.clear()
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(self._wake.wait(), remaining)
            except Exception as exc:
                # Rolled back: the writes made and the one that failed hear why; when the
                # transaction could not even begin, the first write waiting for it does, so
                # a database that stays locked fails each write in turn, never none.
                if not waiting and pending:
                    waiting.append(pending.pop(0)[1])
                for done in waiting:
                    if not done.done():
                        done.set_exception(exc)
            else:
                for done, result in zip(waiting, results, strict=True):
                    if not done.done():
                        done.set_result(result)
            if pending:  # not run: the next transaction's, first
                held[:0] = pending
                carried = True

    async def _guard(self, key: str, work: Callable[[], Awaitable[None]]) -> None:
        """A database failure (disk full, I/O error) ends the whole run: no source can be
        stored, so the others are cancelled and the error reported once. Anything else that
        escapes one source (a worker process killed, a bug) fails that source alone.

        `work` is made here, not by the caller: a task cancelled before it starts (Ctrl-C
        as the run begins) never runs this, and a coroutine made for it was never awaited
        (a RuntimeWarning on the user's terminal)."""
        try:
            await work()
        except StoreError as exc:
            if self.fatal is None:
                self.fatal = exc
                for task in self.tasks:
                    task.cancel()
        except BrokenExecutor:
            self._fail(key, "a worker process died while processing this source")
        except _OverBudget:
            self._fail(key, f"took longer than source_seconds="
                            f"{self.settings.fetch.source_seconds:g}; skipped")
        except Exception as exc:
            log.debug("%s: unexpected failure", key, exc_info=True)
            self._fail(key, f"internal error: {type(exc).__name__}: {exc}")

    async def _page_executor(self) -> Executor:
        """Where fetched pages are extracted: always a process, since only a process's main
        thread can enforce extract_timeout (SIGALRM) on a page built to make trafilatura
        crawl. Started on the first teaser page, so runs without any pay nothing; started in
        a thread, once, however many pages arrive meanwhile."""
        executor = await self._main_executor()
        if isinstance(executor, ProcessPoolExecutor):
            return executor
        async with self._pages_lock:
            if self._pages is None:
                self._pages = await asyncio.get_running_loop().run_in_executor(
                    None, process_pool, 1)
        return self._pages

    async def _within(self, work: Awaitable[T]) -> T:
        """`work`, or _OverBudget once the source's time is up."""
        deadline = _deadline.get()
        if deadline is None:
            return await work
        limit = asyncio.timeout_at(deadline)
        try:
            async with limit:
                return await work
        except TimeoutError:
            if limit.expired():
                raise _OverBudget from None
            raise

    async def _cpu(self, executor_of: Callable[[], Awaitable[Executor]], fn: Callable[..., T],
                   *args: Any) -> T:
        """`_cpu_job`, counted: the tagging behind takes a worker only when one would idle."""
        self._jobs += 1
        try:
            return await self._cpu_job(executor_of, fn, *args)
        finally:
            self._jobs -= 1
            self.behind.poke()

    async def _cpu_job(self, executor_of: Callable[[], Awaitable[Executor]],
                       fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` in a worker. When a worker process dies (killed, out of memory), the
        pool breaks and every job in it fails, most of them blameless: the pool is replaced,
        and the job runs once more in a process of its own, where only its own death can stop
        it (and then its source fails alone)."""
        executor = await executor_of()
        try:
            return await self._run_in(executor, fn, *args)
        except BrokenExecutor:
            await self._renew(executor)
        async with self._alone:
            alone = await asyncio.get_running_loop().run_in_executor(None, process_pool, 1)
            try:
                return await self._run_in(alone, fn, *args)
            finally:
                alone.shutdown(wait=False, cancel_futures=True)

    async def _run_in(self, executor: Executor, fn: Callable[..., T], *args: Any) -> T:
        future = executor.submit(fn, *args)
        try:
            return await self._within(asyncio.wrap_future(future))
        except _OverBudget:
            if not future.done() and isinstance(executor, ProcessPoolExecutor):
                kill_workers(executor)
                await self._renew(executor)
            # A thread cannot be stopped: the job finishes in the background, and every
            # step of it is linear in the input or capped.
            raise

    async def _main_executor(self) -> Executor:
        if self._starting is None or not self._starting.done():
            # Shielded: a source cancelled while it waits must not cancel the start others
            # wait for too.
            await asyncio.shield(self._start_pool())
        return self.executor

    def _start_pool(self) -> asyncio.Task[None]:
        """The workers' start, begun once, in a task of its own (see _main_executor)."""
        if self._starting is None:
            self._starting = asyncio.create_task(self._new_pool())
        return self._starting

    async def _new_pool(self) -> None:
        # In a thread: a process pool's start blocks for seconds (see process_pool).
        self.executor = await asyncio.get_running_loop().run_in_executor(
            None, _executor, self._n_sources, self.settings)

    async def _renew(self, broken: Executor) -> None:
        """Replace a broken pool, once (several of its jobs report the same break; the lock
        makes the others find it replaced). The new pool starts in a thread, as the first."""
        async with self._renew_lock:
            if broken is not self.executor and broken is not self._pages:
                return
            # Killed, not left to the broken pool's manager thread, which only terminates
            # the workers it knows of: one it missed would keep the finished run from
            # exiting (see procpool.process_pool).
            if isinstance(broken, ProcessPoolExecutor):
                kill_workers(broken)
            if broken is self.executor:
                # As the first start: tried twice, then one thread, rather than every
                # source after the break failing.
                self.executor = await asyncio.get_running_loop().run_in_executor(
                    None, _executor, self._n_sources, self.settings)
            else:
                self._pages = None
        broken.shutdown(wait=False, cancel_futures=True)

    def _progress(self, source: str, outcome: str) -> None:
        dropped = self._dropped.pop(source, 0)
        if dropped:  # one line a source a run, however many writes its items took
            log.warning("%s: %s teaser pages will not get their full text: at most %s wait "
                        "per feed and %s in all, and the ones waiting longest were dropped "
                        "(their teasers stay)", one_line(source, 300), f"{dropped:,}",
                        f"{PENDING_PER_SOURCE:,}", f"{PENDING_TOTAL:,}")
        self.done += 1
        if self.on_progress is not None:
            self.on_progress(FetchProgress(self.done, self.total, source, outcome))

    def _fail(self, source: str, reason: str) -> None:
        self.report.failed.append((source, reason))
        self._progress(source, reason)

    async def _source(self, p: Planned) -> None:
        # Remote downloads are bounded by the Fetcher; the slots bound what waits to be
        # written, so when the writer is the slowest part, parsed feeds do not pile up in
        # memory. Local files: a few in flight at once keep every worker busy without holding
        # a whole folder's bytes in memory. A slot is given back once the source's write has
        # run (see _writer), or when the source ends.
        slots = self._remote_slots if p.kind == "remote" else self._local_slots
        await slots.acquire()
        slot = _Slot(slots)
        token = _slot.set(slot)
        seconds = self.settings.fetch.source_seconds
        # The budget starts once the source has its slot: waiting for one is not its fault.
        budget = _deadline.set(asyncio.get_running_loop().time() + seconds
                               if seconds > 0 else None)
        self._busy += 1
        try:
            await (self._remote(p) if p.kind == "remote" else self._local(p))
        finally:
            slot.release()
            _deadline.reset(budget)
            _slot.reset(token)
            self._busy -= 1
            self._wake.set()

    async def _local(self, p: Planned) -> None:
        path = Path(p.key)
        try:
            body = local.read_bytes(path, self.settings.fetch.max_bytes)
        except local.LocalError as exc:
            self._fail(p.key, str(exc))
            return
        job = ingest.Job(
            source=p.key if p.kind == "feed" else str(path.parent), kind=p.kind, body=body,
            url=path.as_uri(), now=self.now, local_root=str(path.parent),
            tags=p.tags, source_title=p.title or (path.parent.name if p.kind != "feed" else ""),
            options=self.options,
        )
        sidecars: list[tuple[str, bytes]] = []
        for lang, side in p.sidecars:
            try:
                data = local.read_bytes(Path(side), self.settings.fetch.max_bytes)
                # Checked here, where its name is known: in the worker a translation that is
                # not UTF-8 failed its article, named as the article's own bytes.
                local.decode_text(data)
            except local.LocalError as exc:
                log.warning("%s: translation not read: %s", side, exc)
                continue
            sidecars.append((lang, data))
        if p.kind == "feed":
            job = replace(job, known=self.store.known_hashes(job.source),
                          known_entries=self.store.known_entry_hashes(job.source))
        else:
            folder = self._folders.get(job.source)
            if folder is None:
                folder = self._folders[job.source] = _Folder(
                    self.store.known_hashes(job.source), self.store.local_article_ids(job.source))
            # Only this file's: a worker is sent what it may look up, not the folder's.
            aid = folder.ids.get(job.url)
            known = {k: folder.known[k] for k in (aid, ingest.path_id(job.url)) if k in
                     folder.known}
            job = replace(job, sidecars=tuple(sidecars), known=known,
                          local_ids={job.url: aid} if aid else {})
        await self._ingest(p.key, job, status=None, etag=None, last_modified=None,
                           kind="feed" if p.kind == "feed" else "file")

    async def _remote(self, p: Planned) -> None:
        src = p.stored if p.stored is not None else self.store.get_source(p.key)
        if src is not None and src.gone:
            self._fail(p.key, "the feed is gone (HTTP 410 earlier); remove it with `feeds remove`")
            return
        if src is not None and src.retry_after and src.retry_after > self.now:
            self._fail(p.key, f"server asked us to wait until {src.retry_after} (Retry-After)")
            return
        try:
            # Every remote source is one the user chose (named, subscribed, or listed in an
            # OPML file they passed), so its own host may be internal.
            resp = await self._within(self.fetcher.get(
                p.key, etag=src.etag if src else None,
                last_modified=src.last_modified if src else None, trusted=p.key))
        except FetchError as exc:
            await self._write(partial(
                self.store.record_source, p.key, kind="feed", status=exc.status, now=self.now,
                error=str(exc), gone=exc.gone, retry_after=self._retry_stamp(exc.retry_after)))
            self._fail(p.key, str(exc))
            return
        if resp.status == 304:
            # The feed has nothing new, but pages put off by earlier runs are fetched now.
            job = ingest.Job(source=p.key, kind="feed", body=b"", url=p.key, now=self.now,
                             tags=p.tags, source_title=p.title, options=self.options)
            later, done = await self._pending(job, _Pages(self.settings.fetch.pages_per_feed))
            outcomes = await self._write(partial(
                self._save, p.key, later, {}, later=(), done=done,
                record={"kind": "feed", "status": 304, "now": self.now}))
            self.report.updated += outcomes.count("updated")
            self.report.sources_ok += 1
            self.report.not_modified += 1
            self._progress(p.key, "not modified")
            return
        job = ingest.Job(
            source=p.key, kind="feed", body=resp.body, url=resp.url, now=self.now,
            headers=resp.headers, known=self.store.known_hashes(p.key), tags=p.tags,
            source_title=p.title, options=self.options,
            known_entries=self.store.known_entry_hashes(p.key),
        )
        await self._ingest(p.key, job, status=resp.status, etag=resp.etag,
                           last_modified=resp.last_modified, kind="feed")

    def _retry_stamp(self, seconds: float | None) -> str | None:
        if seconds is None:
            return None
        when = datetime.fromisoformat(self.now).timestamp() + seconds
        return datetime.fromtimestamp(when, UTC).isoformat(timespec="seconds")

    async def _ingest(self, key: str, job: ingest.Job, *, status: int | None, etag: str | None,
                      last_modified: str | None, kind: str) -> None:
        record = {"kind": kind, "status": status, "now": self.now, "etag": etag,
                  "last_modified": last_modified}
        if job.kind == "feed" and len(job.body) > STREAM_BYTES:
            await self._ingest_slices(key, job, record)
            return
        result = await self._cpu(self._main_executor, ingest.process, job)
        if result.error is not None:
            await self._failed(key, result.error, record)
            return
        pages = _Pages(self.settings.fetch.pages_per_feed)
        articles, later = await self._with_pages(job, result, pages)
        more, done = await self._pending(job, pages)
        # The feed's articles, their stories and its validators, in one transaction: a crash
        # before it commits leaves the old ETag, so the next run fetches again.
        outcomes = await self._write(partial(
            self._save, key, articles + more, result.signatures, later=later, done=done,
            record={**record, "title": result.title}))
        self._count(outcomes, result.unchanged)
        _parse_warning(key, result.warning)
        self._progress(key, "ok")

    async def _ingest_slices(self, key: str, job: ingest.Job, record: dict[str, Any]) -> None:
        """A big feed: parsed in a worker, then its items processed STREAM_ITEMS at a time,
        each slice written before the next is kept. The validators come with the last write,
        so a run cut short fetches the feed again (and finds the slices already stored)."""
        # In a process even when the other sources' work runs in a thread: parsing 100,000
        # items peaks at ~250 MB, which the process gives back when the run ends, and the
        # process holds the language model, not the CLI.
        split = await self._cpu(self._page_executor, ingest.split_feed, job, STREAM_ITEMS)
        if split.error is not None:
            await self._failed(key, split.error, record)
            return
        job = replace(job, body=b"", known={}, known_entries={})  # split_feed has used them
        pages = _Pages(self.settings.fetch.pages_per_feed)
        outcomes: list[str] = []
        slices = list(split.slices)
        split = replace(split, slices=())  # each slice is let go once sent (see _slice)
        next_result = self._slice(job, split.title, slices, 0) if slices else None
        for i in range(len(slices)):
            assert next_result is not None
            result = await next_result
            if i + 1 < len(slices):  # the next slice is processed while this one is written
                next_result = self._slice(job, split.title, slices, i + 1)
            if result.error is not None:
                await self._failed(key, result.error, record)
                return
            articles, later = await self._with_pages(job, result, pages)
            outcomes += await self._write(partial(
                self._save, key, articles, result.signatures, later=later, done=(),
                record=None))
        more, done = await self._pending(job, pages)
        outcomes += await self._write(partial(
            self._save, key, more, {}, later=(), done=done,
            record={**record, "title": split.title}))
        self._count(outcomes, split.unchanged)
        _parse_warning(key, split.warning)
        self._progress(key, "ok")

    def _slice(self, job: ingest.Job, title: str, slices: list[bytes],
               i: int) -> asyncio.Future[ingest.Result]:
        items, slices[i] = slices[i], b""
        return asyncio.ensure_future(
            self._cpu(self._page_executor, ingest.process_items, job, title, items))

    async def _failed(self, key: str, reason: str, record: dict[str, Any]) -> None:
        await self._write(partial(self.store.record_source, key, kind=record["kind"],
                                  status=record["status"], now=self.now, error=reason))
        self._fail(key, reason)

    def _count(self, outcomes: list[str], unchanged: int) -> None:
        self.report.added += outcomes.count("added")
        self.report.updated += outcomes.count("updated")
        self.report.unchanged += outcomes.count("unchanged") + unchanged
        self.report.sources_ok += 1

    def _save(self, key: str, articles: list[Article], signatures: dict[str, Any], *,
              later: Sequence[tuple[str, str]], done: Sequence[str],
              record: dict[str, Any] | None) -> list[str]:
        """One write of a source: articles and their stories, the pages put off and those
        done, and (with `record`) how the fetch went."""
        if articles:
            articles, signatures = self._own_copies(articles, signatures)
        outcomes = self.store.save_articles(articles, now=self.now) if articles else []
        changed = [a for a, o in zip(articles, outcomes, strict=True) if o != "unchanged"]
        readable = [a for a in changed if a.tagger_version == TAGGING_PENDING]
        if readable:  # tagged behind (fetch.readable_first): their stories come with it
            self.behind.add(readable)
            changed = [a for a in changed if a.tagger_version != TAGGING_PENDING]
        if changed:
            for hook in self.after_store:
                hook(self.store, changed, signatures)
        if later:
            if self._put_off is not None:  # kept true, though a source comes once a run
                self._put_off.add(key)
            dropped = self.store.add_pending_pages(key, later, now=self.now)
            if dropped:
                self._dropped[key] = self._dropped.get(key, 0) + dropped
        if done:
            self.store.drop_pending_pages(done)
        if record is not None:
            self.store.record_source(key, **record)
        return list(outcomes)

    def _own_copies(self, articles: list[Article], signatures: dict[str, Any]
                    ) -> tuple[list[Article], dict[str, Any]]:
        """Articles whose link another source's article already has, with other words: each
        an article of its own, known by its source and link. An article is known by its link,
        and the first source to bring a link kept it: a feed that named another site's page
        in an item of its own making kept that site's real article out ("unchanged"), and
        the made-up one went out under the site's name. Now both are stored and their story
        shows where they disagree. The same words under one link are one article, as before;
        so are a local file's (a folder and the file named alone are one source's file)."""
        taken = self.store.owned_elsewhere(
            [a for a in articles if a.url.startswith(("http://", "https://"))])
        if not taken:
            return articles, signatures
        moved = {a.id: article_id(f"{a.source}\n{a.id}") for a in articles if a.id in taken}
        return ([ingest.evolve(a, id=moved[a.id]) if a.id in moved else a for a in articles],
                {moved.get(k, k): v for k, v in signatures.items()})

    async def _with_pages(self, job: ingest.Job, result: ingest.Result, pages: _Pages
                          ) -> tuple[list[Article], list[tuple[str, str]]]:
        """The result's articles, with the full pages of up to `pages` of its teasers; the
        other teasers are stored as they are, and their pages put off to later runs."""
        articles = list(result.articles)
        now = pages.take(len(result.teasers))
        if now:
            articles += await self._within(asyncio.gather(
                *(self._teaser(job, t) for t in result.teasers[:now])))
        put_off = result.teasers[now:]
        articles += [t.fallback for t in put_off]
        if not pages.queue:
            return articles, []
        return articles, [(t.fallback.id, t.entry.link) for t in put_off]

    async def _pending(self, job: ingest.Job, pages: _Pages
                       ) -> tuple[list[Article], list[str]]:
        """Pages earlier runs put off, as many as `pages` has left: the articles rebuilt
        from them, and the ids of every page tried (a page that fails keeps its teaser, as on
        the first run)."""
        if not self.options.extract or job.local_root is not None or pages.left <= 0:
            return [], []
        if self._put_off is None:
            self._put_off = self.store.pending_sources()
        if job.source not in self._put_off:
            return [], []
        rows = self.store.pending_pages(job.source, pages.left)
        pages.take(len(rows))
        teasers = [ingest.Teaser(_entry(url), art) for art, (_aid, url) in zip(
            (self.store.get_article(aid) for aid, _url in rows), rows, strict=True)
            if art is not None and art.source == job.source]
        fetched = await self._within(asyncio.gather(*(self._teaser(job, t) for t in teasers)))
        full = [a for a, t in zip(fetched, teasers, strict=True) if a is not t.fallback]
        return full, [aid for aid, _url in rows]

    async def _teaser(self, job: ingest.Job, teaser: ingest.Teaser) -> Article:
        try:
            page = await self.fetcher.get(teaser.entry.link,
                                          max_bytes=self.options.extract_max_bytes,
                                          accept="text/html,application/xhtml+xml",
                                          trusted=job.source)  # the feed's own host only
        except FetchError as exc:
            log.info("%s: full text not fetched (%s); keeping the teaser", teaser.entry.link, exc)
            return teaser.fallback
        body = ingest.with_declared_unicode(page.body, page.headers.get("content-type", ""))
        full = await self._cpu(self._page_executor, ingest.page_article, job, teaser.fallback,
                               body)
        return full or teaser.fallback


def _entry(url: str) -> FeedEntry:
    return FeedEntry(link=url, guid=url, title="")


@dataclass
class TagReport:
    tagged: int = 0
    skipped: int = 0


def run_tag(store: Store, *, retag_all: bool = False, since: str | None = None,
            on_progress: Callable[[int, int], None] | None = None) -> TagReport:
    """Re-tag stored articles: those an older tagger made, or all of them with `retag_all`.
    Deterministic, so a second run finds nothing to do (or rewrites the same output)."""
    from briefing import tagger

    below = None if retag_all else tagger.TAGGER_VERSION
    ids = store.article_ids(since=since, below_tagger_version=below)
    report = TagReport()
    for n, aid in enumerate(ids, start=1):
        art = store.get_article(aid)
        if art is None:  # deleted meanwhile
            report.skipped += 1
            continue
        result = tagger.analyse(art.paragraphs, title=art.title, language=art.language,
                                published=art.published, feed_tags=art.feed_tags)
        store.save_analysis(aid, facts=result.facts, key_facts=result.key_facts,
                            summary=result.summary, tags=result.tags,
                            tagger_version=tagger.TAGGER_VERSION)
        report.tagged += 1
        if on_progress is not None:
            on_progress(n, len(ids))
    if report.tagged:
        from briefing import stories

        stories.sync(store)  # new facts can move an article to another story
        store.stories.forget()
    return report
