"""Tagging behind the readable store: a fetch's second phase (fetch.readable_first).

With readable_first, a fetch stores each article as soon as it is cleaned: text, paragraphs,
title and the full-text index, so a reader can open and search it at once. Its facts,
bullets, summary and tags, and its story, follow in the same run: articles wait here in the
order they were stored, and go to the workers in batches whenever a worker would otherwise
idle (cleaning comes first: it is what makes articles readable). Each batch's tagging and
stories are written in one transaction, batches in the order they were stored, so stories
are grouped as when tagging came with storing.

An article waiting here is stored with tagger_version TAGGING_PENDING. A run killed before
its tagging is written leaves it so: the next fetch starts by queueing every such article
again (`resume`), and `briefing tag` re-tags it like any stale article.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from briefing import ingest
from briefing.models import TAGGING_PENDING, Article
from briefing.store import Store, StoreError

log = logging.getLogger(__name__)

T = TypeVar("T")

# Articles per trip to a worker while sources run. A trip costs the main process more than
# its articles' share of the work: its job and result pass through the pool's threads there,
# and the writer reads back, saves and groups each batch in steps of its own (a flush of the
# story rows, the story keys' postings looked up, the articles read back past HELD). A batch
# is ~0.6 ms of tagging an article, and a feed's cleaning may wait behind one: 100 (~60 ms)
# instead of 50 made a cron cycle of 2,000 new items 6% faster (8 alternating pairs, 2.60 ->
# 2.45 s) and a cold fetch of 20,000 2% (its articles readable 2% later).
BATCH = 100
# Once no source runs, nothing waits behind a batch: it takes the waiting articles' share of
# the workers' slots (IN_FLIGHT each), up to BATCH_MAX. At 200 instead of 50 a cold fetch of
# 20,000 items took 7% less time (4 alternating pairs, 15.75 -> 14.67 s), its main process
# 0.50 ms of CPU an item instead of 0.59. The share keeps the last batches small, so that no
# worker idles at the end while another tags a big one. The rows stored are the same at any
# size (tagsave_bench's digests, batches merged up to 400).
BATCH_MAX = 200
# Batches in the workers' hands at once, per worker: one tagged while the next ones wait.
# The writer that saves a finished batch runs on the event loop (~50 ms a batch, and a commit
# with a checkpoint ~100 ms), and a worker that finished meanwhile had nothing to do until
# the loop was free: with one batch each, workers idled 35-40% of a cold fetch's tagging;
# with two, the machine still idled a third of a core at each big commit. A batch of 50 was
# ~30 ms of tagging: four covered such a commit. With today's bigger batches two would seem
# enough, and were still 3% slower (a cold fetch, 4 alternating pairs: 14.98 against 14.47 s).
IN_FLIGHT = 4
# Articles kept in memory while they wait; past this only their ids are, and each is read
# back from the database when its turn comes (a cold fetch of 20,000 items would otherwise
# hold every article until the workers catch up).
HELD = 4_000

Hook = Callable[[Store, Sequence[Article], Any], None]
Cpu = Callable[[Callable[..., Any], Sequence[Article]], Awaitable[Any]]
# Queues a write behind those queued before it, when called; awaited, it answers once the
# write's transaction has committed.
Write = Callable[[Callable[[], Any]], Awaitable[Any]]


class TagBehind:
    """The queue of articles stored readable, and the task that tags them."""

    def __init__(self, store: Store, *, workers: int, cpu: Cpu, write: Write,
                 busy: Callable[[], int], hooks: Sequence[Hook]) -> None:
        self.store = store
        self.workers = max(1, workers)
        self._cpu = cpu  # runs a function in a worker
        self._write = write  # queues a function for the next transaction (see Write)
        self._busy = busy  # CPU jobs (tagging's too) running or waiting for a worker
        self.hooks = tuple(hooks)
        self._queue: deque[Article | str] = deque()
        self._held = 0
        self.running = 0
        # Batches whose task is made but has not yet asked for a worker: `busy` does not
        # count them yet.
        self._unstarted = 0
        self._closed = False
        self._wake = asyncio.Event()
        self._last_write: asyncio.Future[None] | None = None
        self.failed: list[tuple[str, str]] = []
        self.fatal: StoreError | None = None
        self.tagged = 0

    def resume(self) -> None:
        """Queue what an earlier run stored and did not tag (killed between its phases)."""
        ids = self.store.tagging_pending_ids()
        if ids:
            log.info("finishing the tagging of %d articles an earlier fetch stored", len(ids))
            self._queue.extend(ids)
            self._wake.set()

    @property
    def waiting(self) -> int:
        """Articles queued here and not yet sent to a worker."""
        return len(self._queue)

    def add(self, articles: Sequence[Article]) -> None:
        """Articles just stored readable (TAGGING_PENDING), to tag once a worker is free."""
        for art in articles:
            if self._held < HELD:
                self._queue.append(art)
                self._held += 1
            else:
                self._queue.append(art.id)
        self._wake.set()

    def poke(self) -> None:
        """A worker may have become free."""
        self._wake.set()

    def close(self) -> None:
        """No more articles will come: tag what is left with every worker, then end."""
        self._closed = True
        self._wake.set()

    async def run(self) -> None:
        """Tag what comes, until closed and everything is written."""
        jobs: set[asyncio.Task[None]] = set()
        try:
            while True:
                while self._queue and self._free():
                    batch = self._take()
                    if batch:
                        written = asyncio.get_running_loop().create_future()
                        self.running += 1  # now: the task starts after this loop
                        self._unstarted += 1
                        task = asyncio.create_task(self._one(batch, self._last_write, written))
                        self._last_write = written
                        jobs.add(task)
                        task.add_done_callback(self._done(jobs))
                if self._closed and not self._queue and not jobs:
                    return
                self._wake.clear()
                await self._wake.wait()
        finally:
            for task in jobs:
                task.cancel()
            with contextlib.suppress(BaseException):
                await asyncio.gather(*jobs, return_exceptions=True)

    def _done(self, jobs: set[asyncio.Task[None]]) -> Callable[[asyncio.Task[None]], None]:
        def done(task: asyncio.Task[None]) -> None:
            jobs.discard(task)
            self._wake.set()  # the last job's end may be what `run` waits for
        return done

    def _free(self) -> bool:
        """Whether a tagging job may start: a worker would idle otherwise, or the first
        phase is over."""
        if self.running >= self.workers * IN_FLIGHT:
            return False
        # The tasks made in this pass start only after it: without them counted, one pass
        # handed the workers workers * IN_FLIGHT batches ahead of the next feeds' cleaning
        # (readable 20% later in a cold fetch).
        return self._closed or self._busy() + self._unstarted < self.workers

    def _size(self) -> int:
        """Articles in the next batch (see BATCH_MAX)."""
        if not self._closed:
            return BATCH
        share = len(self._queue) // (self.workers * IN_FLIGHT)
        return max(BATCH, min(BATCH_MAX, share))

    def _take(self) -> list[Article]:
        taken: list[Article | str] = []
        size = self._size()
        while self._queue and len(taken) < size:
            taken.append(self._queue.popleft())
        ids = [t for t in taken if isinstance(t, str)]
        read = self.store.get_articles(ids) if ids else {}
        out: list[Article] = []
        for t in taken:
            if isinstance(t, str):
                if t in read and read[t].tagger_version == TAGGING_PENDING:
                    out.append(read[t])
            else:
                self._held -= 1
                out.append(t)
        return out

    async def _one(self, batch: list[Article], before: asyncio.Future[None] | None,
                   written: asyncio.Future[None]) -> None:
        started = False
        try:
            try:
                # The text is the paragraphs joined: no need to send it twice.
                arts = [ingest.evolve(a, text="", translations=()) for a in batch]
                # `busy` counts the job from here: `_cpu` counts it before its first await.
                self._unstarted -= 1
                started = True
                tagging = await self._cpu(ingest.tag_articles, arts)
            finally:
                if not started:
                    self._unstarted -= 1
                self.running -= 1
                self._wake.set()
            if before is not None:  # stories join in the order articles were stored
                await asyncio.shield(before)  # only ever given a result
            saved = self._write(lambda: self._save(batch, tagging))
            # Queued behind the batch before it: the next batch may queue now, and the
            # writer can put several batches in one transaction.
            written.set_result(None)
            await saved
            self.tagged += len(batch)
        except asyncio.CancelledError:
            raise
        except StoreError as exc:  # nothing more can be written: the run ends with it
            if self.fatal is None:
                self.fatal = exc
        except Exception as exc:
            # Left TAGGING_PENDING: the next fetch, or `briefing tag`, tags them.
            log.debug("tagging failed", exc_info=True)
            self.failed.append(("tagging", f"{len(batch)} articles stored without facts "
                                           f"({type(exc).__name__}: {exc}); the next fetch or "
                                           "`briefing tag` tags them"))
        finally:
            if not written.done():
                written.set_result(None)

    def _save(self, batch: list[Article], tagging: ingest.Tagging) -> None:
        """One batch's tagging and stories, in the writer's transaction. An article changed
        or deleted since it was stored (another process, a rolled-back batch) is left."""
        pending = self.store.tagging_pending([a.id for a in batch])
        done: list[Article] = []
        for art in batch:
            analysis = tagging.analyses.get(art.id)
            if analysis is None or pending.get(art.id) != art.content_hash:
                continue
            done.append(ingest.with_analysis(art, analysis))
        if done:
            self.store.save_analyses(done)
            for hook in self.hooks:
                hook(self.store, done, tagging.signatures)
