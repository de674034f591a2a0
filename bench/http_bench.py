"""The main process's CPU per request on the fetch path alone (`Fetcher.get`), without parsing,
tagging or the database: what each feed answering 304 (or 200) costs the event loop.

    .venv/bin/python -m bench.http_bench --feeds 300 --rounds 7
    .venv/bin/python -m bench.http_bench --feeds 300 --rounds 3 --profile 304
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \\
        .venv/bin/python -m bench.http_bench --feeds 100 --rounds R --once --only 304

The feed server is a process of its own (bench/common.py: 8 loopback hosts, Python's threading
server), so its CPU is not counted. Each round fetches every feed twice, as `briefing fetch`
does (the per-host and run-wide slots of [fetch] as configured): once without validators (200,
~25 KB each) and once with the ETag it got (304). The figure is the process's user + system
CPU over the requests of a phase, in microseconds per request; medians over the rounds after
a first one that warms the connections up. With `--once` nothing is printed but the phase
counts, for instruction counts under valgrind: the difference between two `--rounds` values
over the requests between them is the instructions per request, start-up cancelled out.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import resource
import statistics
import time

from bench.common import FeedServer
from briefing.config import FetchSettings
from briefing.sources.http import Fetcher, Response


def _cpu() -> float:
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


async def _phase(fetcher: Fetcher, urls: list[str], etags: dict[str, str | None],
                 prof: cProfile.Profile | None = None) -> tuple[float, list[Response]]:
    """CPU seconds to fetch every URL once (with its ETag when it has one)."""
    start = _cpu()
    if prof is not None:
        prof.enable()
    got = await asyncio.gather(*(fetcher.get(u, etag=etags.get(u), trusted=u) for u in urls))
    if prof is not None:
        prof.disable()
    return _cpu() - start, list(got)


async def run(feeds: int, rounds: int, profile: str | None, once: bool,
              phases: tuple[int, ...] = (200, 304)) -> str:
    out = io.StringIO()
    with FeedServer(feeds) as server:
        urls = server.urls()
        spent: dict[int, list[float]] = {200: [], 304: []}
        prof = cProfile.Profile(time.thread_time) if profile else None
        async with Fetcher(FetchSettings()) as fetcher:
            etags: dict[str, str | None] = {}
            for r in range(rounds + 1):
                for status in (200, 304) if r == 0 else phases:
                    sent = etags if status == 304 else {}
                    watched = prof if (profile == str(status) and r > 0) else None
                    cpu, got = await _phase(fetcher, urls, sent, watched)
                    statuses = {g.status for g in got}
                    assert statuses == {status}, f"expected {status}, got {statuses}"
                    if status == 200:
                        etags = {u: g.etag for u, g in zip(urls, got, strict=True)}
                    if r > 0:  # the first round opens the connections
                        spent[status].append(cpu)
    if once:
        return f"{rounds} rounds x {feeds} feeds x {phases}\n"
    load = f"{os.getloadavg()[0]:.2f}"
    for status in phases:
        per = [s * 1e6 / feeds for s in spent[status]]
        print(f"HTTP {status}: {statistics.median(per):.0f} us CPU per request (median of "
              f"{len(per)} rounds of {feeds}; min {min(per):.0f}, max {max(per):.0f}); "
              f"load {load}", file=out)
    if prof is not None:
        stats = pstats.Stats(prof, stream=out).strip_dirs()
        stats.sort_stats("tottime").print_stats(40)
        stats.sort_stats("cumulative").print_stats(40)
    return out.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=7, help="measured rounds (after one)")
    parser.add_argument("--profile", choices=("200", "304"),
                        help="cProfile (thread CPU) of that phase's measured rounds")
    parser.add_argument("--once", action="store_true",
                        help="print nothing measured (for instruction counts under valgrind)")
    parser.add_argument("--only", choices=("200", "304"),
                        help="measured rounds fetch only with (304) or without (200) "
                             "validators: for instruction counts of one kind")
    args = parser.parse_args(argv)
    phases = (int(args.only),) if args.only else (200, 304)
    print(asyncio.run(run(args.feeds, args.rounds, args.profile, args.once, phases)), end="")


if __name__ == "__main__":
    main()
