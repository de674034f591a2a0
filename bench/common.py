"""Shared benchmark helpers: a loopback feed server in its own process, and process timing.

The server runs in a separate process (`python -m bench.common serve ...`) so it never competes
with the client for the GIL. It serves N feeds x 20 items spread over 8 loopback addresses
(127.0.0.1 .. 127.0.0.8), so feeds sit on several hosts as they do in real life and the client's
per-host limit is exercised, not hit. Every item has a realistic title and link and a ~150-word
body with money, percentages, counts, dates and names. ETags are per feed and generation: a
matching If-None-Match gets a 304. GET /control/advance moves every feed on by `new` items (the
memory benchmark's "new items each cycle"); GET /control/stats returns request counts as JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
HOSTS = 8
ITEMS = 20

_COMPANIES = ["Meridian Ports", "Halvorsen Energy", "Cobalt Ridge Mining", "Tan Phat Textiles",
              "Northwind Logistics", "Aurora Semiconductors", "Blue Delta Foods", "Kestrel Air",
              "Saigon Harbour Group", "Lindqvist Steel", "Orchid Pharma", "Pacific Rail"]
_PLACES = ["Port Meridian", "Da Nang", "Rotterdam", "Singapore", "Hamburg", "Osaka", "Lagos",
           "Valparaiso", "Gdansk", "Mombasa", "Haiphong", "Santos"]
_PEOPLE = ["Maria Lopez", "Nguyen Van An", "Erik Halvorsen", "Aisha Bello", "Kenji Sato",
           "Sofia Rossi", "Tran Thi Mai", "James Okafor", "Ingrid Berg", "Rahul Mehta"]
_TOPICS = ["expansion", "quarterly results", "wage deal", "new factory", "bond sale",
           "export surge", "rail link", "merger talks", "price cut", "chip order"]
_FILLER = ("Analysts said the move reflected stronger demand across the region, while unions "
           "and local officials asked for more detail on timing, hiring and the effect on "
           "smaller suppliers. The company declined to comment on further plans, but people "
           "familiar with the matter said a formal announcement could follow within weeks.")


def item_html(feed: int, k: int) -> tuple[str, str]:
    """(title, body HTML) of item k of a feed: deterministic, ~150 words, full of figures."""
    rng = random.Random(feed * 1_000_003 + k)
    co, place, person = rng.choice(_COMPANIES), rng.choice(_PLACES), rng.choice(_PEOPLE)
    topic = rng.choice(_TOPICS)
    bn = rng.randint(12, 980) / 10
    pct = rng.randint(5, 450) / 10
    jobs = rng.randint(120, 9_000)
    title = f"{co} unveils ${bn:g}bn {topic} in {place} (#{feed}-{k})"
    paras = [
        f"{co} said on Tuesday it would spend ${bn:g}bn on a {topic} in {place}, its largest "
        f"investment in a decade, adding {jobs:,} jobs over three years.",
        f"Revenue rose {pct:g} per cent to ${rng.randint(2, 90)}bn in the year to March, "
        f"chief executive {person} told reporters, and margins widened by "
        f"{rng.randint(1, 9)} percentage points as shipping costs eased.",
        f"About {rng.randint(2, 60)},{rng.randint(100, 999)} households in {place} will "
        f"benefit, officials said, and construction starts on {rng.randint(1, 28)} "
        f"{rng.choice(['June', 'July', 'September', 'October'])} {2026 + rng.randint(0, 1)}.",
        _FILLER,
    ]
    return title, "".join(f"<p>{escape(p)}</p>" for p in paras)


# Wire style: what news wires look like next to one another. More figures per item, sentences
# drawn from a larger pool (a feed's items do not all end on the same paragraph), one item in
# four retelling another feed's story (same figures and names, other words and order: the
# copies story grouping must find), and one in ten with a Vietnamese paragraph (a bilingual
# post, so language detection has a mixed text to judge). All text is written for this file.
_WIRE_LEADS = [
    "{co} said on {day} it would spend ${bn:g}bn on a {topic} in {place}, adding {jobs:,} jobs.",
    "{co} plans a ${bn:g}bn {topic} in {place} that will create {jobs:,} jobs, it said on {day}.",
    "A ${bn:g}bn {topic} by {co} in {place} is set to bring {jobs:,} jobs, the company said.",
]
_WIRE_MORE = [
    "Revenue rose {pct:g}% to ${rev}bn in the year to March, chief executive {person} said.",
    "{person}, the chief executive, said sales grew {pct:g} per cent to ${rev}bn last year.",
    "Operating profit climbed {pct2:g}% to ${prof}mn, beating the ${est}mn analysts expected.",
    "The group employs {staff:,} people across {sites} sites and ships to {markets} markets.",
    "Shares rose {pct3:g}% in {place2} trading, valuing {co} at ${cap}bn.",
    "About {homes:,} households in {place} will benefit, officials said.",
    "Construction starts in {month} and the first phase costs ${phase}mn.",
    "{rival} said last month it would invest ${rbn:g}bn in a rival plant near {place2}.",
    "Freight volumes through {place} rose {pct4:g}% to {teu:,} containers in the quarter.",
    "The deal follows a ${loan}mn loan from a group of {banks} banks, {person} said.",
]
_WIRE_CLOSE = [
    "Analysts said the plan reflected stronger demand across the region.",
    "Unions asked for more detail on hiring and the effect on smaller suppliers.",
    "The company declined to comment on further plans.",
    "People familiar with the matter said a formal announcement could follow within weeks.",
    "Local officials welcomed the investment but warned about pressure on housing.",
    "Rating agencies said the spending would not change the group's credit outlook.",
]
_WIRE_VI = [
    "{co} cho biết sẽ đầu tư {bn:g} tỷ USD vào {place}, tạo thêm {jobs:,} việc làm mới.",
    "Theo ông {person}, doanh thu năm ngoái tăng {pct:g}% nhờ xuất khẩu tăng mạnh.",
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
_MONTHS = ["June", "July", "September", "October"]


def _wire_facts(feed: int, k: int) -> dict[str, object]:
    rng = random.Random(feed * 7_000_003 + k * 13 + 1)
    return {
        "co": rng.choice(_COMPANIES), "rival": rng.choice(_COMPANIES),
        "place": rng.choice(_PLACES), "place2": rng.choice(_PLACES),
        "person": rng.choice(_PEOPLE), "topic": rng.choice(_TOPICS),
        "day": rng.choice(_DAYS), "month": rng.choice(_MONTHS),
        "bn": rng.randint(12, 980) / 10, "rbn": rng.randint(12, 980) / 10,
        "pct": rng.randint(5, 450) / 10, "pct2": rng.randint(5, 450) / 10,
        "pct3": rng.randint(5, 150) / 10, "pct4": rng.randint(5, 250) / 10,
        "jobs": rng.randint(120, 9_000), "rev": rng.randint(2, 90),
        "prof": rng.randint(110, 990), "est": rng.randint(110, 990),
        "staff": rng.randint(1_200, 90_000), "sites": rng.randint(11, 95),
        "markets": rng.randint(12, 80), "cap": rng.randint(11, 400),
        "homes": rng.randint(2_000, 60_000), "phase": rng.randint(110, 990),
        "teu": rng.randint(10_000, 900_000), "loan": rng.randint(110, 990),
        "banks": rng.randint(3, 12),
    }


def wire_item_html(feed: int, k: int) -> tuple[str, str]:
    """(title, body HTML) of item k of a feed in wire style (see _WIRE_LEADS)."""
    rng = random.Random(feed * 1_000_003 + k)
    # Feeds come in threes; a copy retells the first one's item k in its own words.
    story = feed - feed % 3 if k % 4 == 0 else feed
    facts = _wire_facts(story, k)
    if story != feed and feed % 3 == 2:  # one copy in two has a job count of its own
        facts["jobs"] = int(str(facts["jobs"])) + 10
    more = rng.sample(_WIRE_MORE, 6)
    sentences = [rng.choice(_WIRE_LEADS), *more, *rng.sample(_WIRE_CLOSE, 2)]
    paras = [" ".join(s.format(**facts) for s in sentences[i:i + 2])
             for i in range(0, len(sentences), 2)]
    if k % 10 == 3:
        paras.insert(2, " ".join(s.format(**facts) for s in _WIRE_VI))
    title = (f"{facts['co']} to spend ${facts['bn']:g}bn on {facts['topic']} in "
             f"{facts['place']} (#{feed}-{k})")
    return title, "".join(f"<p>{escape(p)}</p>" for p in paras)


STYLES = {"plain": item_html, "wire": wire_item_html}


def feed_xml(feed: int, first: int, base: str, items: int = ITEMS,
             style: str = "plain") -> bytes:
    make = STYLES[style]
    entries = []
    for k in range(first + items - 1, first - 1, -1):
        title, body = make(feed, k)
        day = 1 + k % 28
        entries.append(
            f"<item><title>{escape(title)}</title>"
            f"<link>https://news{feed % 50}.example.com/{feed}/story-{k}.html</link>"
            f"<guid isPermaLink=\"false\">feed{feed}-item{k}</guid>"
            f"<pubDate>Mon, {day:02d} Jun 2026 08:{k % 60:02d}:00 GMT</pubDate>"
            f"<category>Business</category><description>{escape(body)}</description></item>")
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Bench feed {feed}</title><link>{base}/</link><description>bench"
            # Declared as most news feeds do: briefing takes it as a prior, newsboat ignores it.
            "</description><language>en</language>" + "".join(entries)
            + "</channel></rss>").encode()


class _State:
    def __init__(self, feeds: int, new: int, style: str = "plain") -> None:
        self.feeds = feeds
        self.new = new
        self.style = style
        self.generation = 0
        self.extra: dict[int, int] = {}  # feed -> generations it is ahead (a churn advance)
        self.cache: dict[tuple[int, int], bytes] = {}
        self.stats = {"requests": 0, "ok": 0, "not_modified": 0}
        self.lock = threading.Lock()
        self.bases: list[str] = []

    def gen(self, feed: int) -> int:
        return self.generation + self.extra.get(feed, 0)

    def body(self, feed: int, base: str) -> bytes:
        key = (feed, self.gen(feed))
        body = self.cache.get(key)
        if body is None:
            body = self.cache[key] = feed_xml(feed, key[1] * self.new, base, style=self.style)
        return body

    def prepare(self) -> None:
        """Every feed's body made now, before a timed run asks for it: made on demand, the
        first tool of a phase paid for them (this process shares the machine's cores)."""
        for feed in range(self.feeds):
            self.body(feed, self.bases[feed % len(self.bases)])


def _handler(state: _State) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _reply(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path
            if path == "/control/advance":
                with state.lock:
                    state.generation += 1
                    state.cache.clear()
                    state.prepare()
                self._reply(200, str(state.generation).encode(), {})
                return
            if path.startswith("/control/churn/"):  # one feed in N moves on, the rest stay
                every = max(1, int(path.rsplit("/", 1)[1]))
                with state.lock:
                    for f in range(0, state.feeds, every):
                        state.extra[f] = state.extra.get(f, 0) + 1
                    state.cache.clear()
                    state.prepare()
                self._reply(200, str(len(range(0, state.feeds, every))).encode(), {})
                return
            if path == "/control/stats":
                self._reply(200, json.dumps(state.stats).encode(),
                            {"Content-Type": "application/json"})
                return
            if not (path.startswith("/feed/") and path.endswith(".xml")):
                self._reply(404, b"not found", {})
                return
            try:
                feed = int(path[6:-4])
            except ValueError:
                feed = -1
            if not 0 <= feed < state.feeds:
                self._reply(404, b"not found", {})
                return
            gen = state.gen(feed)
            etag = f'"{feed}-{gen}"'
            # newsboat revalidates with If-Modified-Since only, briefing sends both: each
            # generation has its own Last-Modified so either gets its 304.
            modified = f"Mon, 01 Jun 2026 {gen % 24:02d}:{gen // 24 % 60:02d}:00 GMT"
            with state.lock:
                state.stats["requests"] += 1
            if (self.headers.get("If-None-Match") == etag
                    or self.headers.get("If-Modified-Since") == modified):
                with state.lock:
                    state.stats["not_modified"] += 1
                self._reply(304, b"", {"ETag": etag, "Last-Modified": modified})
                return
            body = state.body(feed, f"http://{self.headers.get('Host', '127.0.0.1')}")
            with state.lock:
                state.stats["ok"] += 1
            self._reply(200, body, {"Content-Type": "application/rss+xml; charset=utf-8",
                                    "ETag": etag, "Last-Modified": modified})

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog of 5 drops connections when a client opens 16 at once on a busy
    # machine (seen as "could not connect within 10 s").
    request_queue_size = 256

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hangs up early (newsboat at exit) is not news


def serve(feeds: int, new: int, style: str = "plain") -> None:
    """Run the server until stdin closes; print one JSON line of base URLs first."""
    state = _State(feeds, new, style)
    handler = _handler(state)
    servers = []
    for h in range(HOSTS):
        httpd = _Server((f"127.0.0.{h + 1}", 0), handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
    bases = [f"http://127.0.0.{h + 1}:{s.server_address[1]}" for h, s in enumerate(servers)]
    state.bases = bases
    state.prepare()
    print(json.dumps({"bases": bases}), flush=True)
    sys.stdin.read()  # the parent closes our stdin (or dies) to stop us


class ServerProcess:
    """A loopback server in a process of its own (`python -m MODULE ARGS...`): it prints one
    JSON line with its addresses, then serves until its stdin closes."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", *args], cwd=ROOT, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.hello: dict[str, Any] = json.loads(self.proc.stdout.readline())

    @staticmethod
    def get(url: str) -> bytes:
        import urllib.request

        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(url, timeout=30) as resp:
            return bytes(resp.read())

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class FeedServer(ServerProcess):
    """The feed server process. Use as a context manager."""

    def __init__(self, feeds: int, new: int = 2, style: str = "plain") -> None:
        super().__init__("bench.common", "serve", "--feeds", str(feeds), "--new", str(new),
                         "--style", style)
        self.feeds = feeds
        self.bases: list[str] = self.hello["bases"]

    def urls(self) -> list[str]:
        return [f"{self.bases[i % HOSTS]}/feed/{i}.xml" for i in range(self.feeds)]

    def _get(self, path: str) -> bytes:
        return self.get(self.bases[0] + path)

    def advance(self) -> int:
        return int(self._get("/control/advance"))

    def churn(self, every: int = 10) -> int:
        """Move one feed in `every` on by a generation (`new` items); the others keep
        answering 304. Returns how many feeds moved."""
        return int(self._get(f"/control/churn/{every}"))

    def stats(self) -> dict[str, int]:
        data: dict[str, int] = json.loads(self._get("/control/stats"))
        return data

    def __enter__(self) -> FeedServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class Measured:
    wall: float
    returncode: int
    peak_rss_mb: float  # largest single process (ru_maxrss of the child and its descendants)
    peak_tree_mb: float  # largest sum of RSS over the process tree, sampled every 20 ms
    stdout: str
    stderr: str
    # User + system seconds of the whole tree: the child's rusage, or the sum over every
    # process seen in the tree (sampled every 20 ms) when that is more.
    cpu: float = 0.0
    # With `watch`: (seconds since the start, value) each time the watched value changed.
    changes: list[tuple[float, object]] = field(default_factory=list)
    # User + system seconds of the child alone (its last 20 ms sample): the process that
    # writes the database, without its workers.
    main_cpu: float = 0.0
    # The machine's idle CPUs over the run, on average (idle and I/O-wait time over the wall
    # time, from /proc/stat): near 0 on a run that keeps every core busy.
    idle_cores: float = float("nan")
    # Seconds the child's threads were ready to run but waited for a CPU (schedstat, its
    # last 20 ms sample): a process starved by its own workers or by other work.
    main_waited: float = float("nan")
    # The watched value once the run had ended (set by the caller that watched).
    readable_mark: object = None


def children(pid: int) -> list[int]:
    """Process ids of `pid`'s children, from /proc (empty once it is gone)."""
    out: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out.extend(int(c) for c in fh.read().split())
    except (OSError, ValueError):
        pass
    return out


def descendants(pid: int) -> list[int]:
    """Process ids of every process under `pid` (children, theirs, and so on)."""
    found, todo = [], [pid]
    while todo:
        for c in children(todo.pop()):
            found.append(c)
            todo.append(c)
    return found


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_s(pid: int) -> float:
    """User + system seconds a process has used so far (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICK
    except (OSError, ValueError, IndexError):
        return 0.0


def tree_rss_kb(pid: int, cpu: dict[int, float] | None = None) -> int:
    """RSS summed over `pid` and its descendants; with `cpu`, each one's CPU seconds so far
    is recorded there too (worker processes of a fork server are not the child's children
    to wait for, so its rusage misses them)."""
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        total += _rss_kb(p)
        if cpu is not None:
            cpu[p] = max(cpu.get(p, 0.0), _cpu_s(p))
        todo.extend(children(p))
    return total


def _idle_s() -> float:
    """Seconds all the machine's CPUs have spent idle or waiting on I/O since boot."""
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()
        return (int(fields[4]) + int(fields[5])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def _waited_s(pid: int) -> float:
    """Seconds the threads of `pid` have waited on a run queue (schedstat's second field)."""
    total = 0.0
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError, IndexError, ValueError), \
                    open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[1]) / 1e9
    except OSError:
        return float("nan")
    return total


def run_measured(cmd: Sequence[str], env: dict[str, str] | None = None,
                 cwd: Path | None = None, watch: Callable[[], object] | None = None,
                 watch_every: float = 0.1) -> Measured:
    """Run `cmd` to completion: wall time, peak RSS of one process, peak RSS of the tree;
    with `watch`, its value every `watch_every` seconds (kept when it changes)."""
    changes: list[tuple[float, object]] = []
    next_watch = 0.0
    out_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-{os.getpid()}-{time.time_ns()}"
    with open(f"{out_path}.out", "w+") as out, open(f"{out_path}.err", "w+") as err:
        started = time.perf_counter()
        idle_before = _idle_s()
        proc = subprocess.Popen(list(cmd), stdout=out, stderr=err, env=env, cwd=cwd)
        peak_tree = 0
        cpu: dict[int, float] = {}
        waited = float("nan")
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak_tree = max(peak_tree, tree_rss_kb(proc.pid, cpu))
            # Threads that have ended take their share with them: the largest sum seen.
            now_waited = _waited_s(proc.pid)
            if not math.isnan(now_waited):
                waited = now_waited if math.isnan(waited) else max(waited, now_waited)
            if watch is not None and time.perf_counter() >= next_watch:
                value = watch()
                if not changes or changes[-1][1] != value:
                    changes.append((time.perf_counter() - started, value))
                next_watch = time.perf_counter() + watch_every
            time.sleep(0.02)
        wall = time.perf_counter() - started
        idle = (_idle_s() - idle_before) / wall if wall > 0 else float("nan")
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        result = Measured(wall, proc.returncode, usage.ru_maxrss / 1024,
                          max(peak_tree, usage.ru_maxrss) / 1024, out.read(), err.read(),
                          max(usage.ru_utime + usage.ru_stime, sum(cpu.values())), changes,
                          cpu.get(proc.pid, 0.0), idle, waited)
    for suffix in (".out", ".err"):
        Path(f"{out_path}{suffix}").unlink(missing_ok=True)
    return result


def isolated_env(home: Path) -> dict[str, str]:
    """Environment with HOME and XDG folders under `home`, and no proxies."""
    env = {k: v for k, v in os.environ.items()
           if not k.lower().endswith("_proxy") and not k.startswith("BRIEFING_")}
    for sub in ("config", "data", "cache", "state"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"),
               XDG_DATA_HOME=str(home / "data"), XDG_CACHE_HOME=str(home / "cache"),
               XDG_STATE_HOME=str(home / "state"), NO_PROXY="*")
    return env


def reference_ms(runs: int = 5) -> float:
    """The machine's speed for this kind of work, now: the best of `runs` timings of a fixed
    piece of pure Python (a regex over text, dicts, json, sorting), in ms. On a shared host the
    same code's CPU time changed by 2.7x between two days (another tenant's load on the caches,
    not on our cores), which a load average does not show; this does, so figures from
    different days can be compared. Compare it only between runs on the same Python."""
    import re

    text = " ".join(f"Firm{i % 97} rose {i % 13}.{i % 7}% to ${i % 50}bn in 202{i % 6}"
                    for i in range(2_000))
    word = re.compile(r"[A-Za-z]+\d*|\$?\d+(?:\.\d+)?%?")
    best = math.inf
    for _ in range(runs):
        start = time.perf_counter()
        counts: dict[str, int] = {}
        for w in word.findall(text):
            counts[w] = counts.get(w, 0) + 1
        json.loads(json.dumps(sorted(counts.items())))
        best = min(best, time.perf_counter() - start)
    return best * 1000


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def write_json(name: str, data: object) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(h) for h in headers]] + [[_fmt(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve", help="run the feed server (used by the benchmarks)")
    s.add_argument("--feeds", type=int, default=100)
    s.add_argument("--new", type=int, default=2, help="new items per feed per advance")
    s.add_argument("--style", choices=sorted(STYLES), default="plain",
                   help="item text: plain (one template) or wire (see wire_item_html)")
    args = parser.parse_args(argv)
    if args.cmd == "serve":
        serve(args.feeds, args.new, args.style)


if __name__ == "__main__":
    main()
