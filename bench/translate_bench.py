"""Translation benchmark: `briefing fetch --translate` against a loopback LibreTranslate-protocol
engine, and the engine calls when the same articles are translated again (must be 0).

    .venv/bin/python -m bench.translate_bench --feeds 100

Three databases, one feed server (bench/common.py, N feeds x 20 items) and one engine server,
each in its own process. Phases, each a `briefing` subprocess:
- cold: `fetch --translate` of every feed into a fresh database (all N x 20 items are new);
- new items: two databases fetched without translating, the feeds advanced (2 new items a
  feed), then one runs `fetch` and the other `fetch --translate`: the same new items, so the
  difference is what translating them costs a cron run;
- again: `translate ID...` of every article the cold phase stored: the engine calls it makes
  (0: the paragraphs, bullets and summaries all come from the cache).
The engine "translates" by prefixing `VI: ` and writing month and weekday names the Vietnamese
way ("March" -> "tháng 3"), the figures the numbers check reads in both languages: a faithful
translation as far as the check can tell, so nothing is flagged (a flagged reply is never cached
and would be asked for again). It counts requests and texts. Results: a table on stdout and
bench/results/translate_bench.json.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.common import (
    FeedServer,
    Measured,
    ServerProcess,
    isolated_env,
    run_measured,
    table,
    write_json,
)

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]
_DAYS = {"Monday": "thứ 2", "Tuesday": "thứ 3", "Wednesday": "thứ 4", "Thursday": "thứ 5",
         "Friday": "thứ 6", "Saturday": "thứ 7", "Sunday": "chủ nhật"}
_WORDS = {**{m: f"tháng {i}" for i, m in enumerate(_MONTHS, 1)}, **_DAYS}
_NAMED = re.compile(r"\b(" + "|".join(_WORDS) + r")\b")


def fake_vi(text: str) -> str:
    return "VI: " + _NAMED.sub(lambda m: _WORDS[m.group(1)], text)


class _Engine(ThreadingHTTPServer):
    daemon_threads = True
    calls = 0
    texts = 0
    chars = 0
    lock = threading.Lock()


def _engine_handler() -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server: _Engine

        def log_message(self, *args: object) -> None:
            pass

        def _send(self, body: bytes, status: int = 200) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            s = self.server
            with s.lock:
                stats = {"calls": s.calls, "texts": s.texts, "chars": s.chars}
            self._send(json.dumps(stats).encode())

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path != "/translate":
                self._send(b'{"error": "Not Found"}', 404)
                return
            q = json.loads(raw)["q"]
            texts = q if isinstance(q, list) else [q]
            with self.server.lock:
                self.server.calls += 1
                self.server.texts += len(texts)
                self.server.chars += sum(len(t) for t in texts)
            out = [fake_vi(t) for t in texts]
            self._send(json.dumps({"translatedText": out if isinstance(q, list) else out[0]},
                                  ensure_ascii=False).encode())

    return Handler


def serve_engine() -> None:
    """The engine process: prints its URL, serves until stdin closes."""
    httpd = _Engine(("127.0.0.1", 0), _engine_handler())
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    print(json.dumps({"url": f"http://127.0.0.1:{httpd.server_address[1]}"}), flush=True)
    sys.stdin.read()
    httpd.shutdown()


class EngineServer(ServerProcess):
    def __init__(self) -> None:
        super().__init__("bench.translate_bench", "serve-engine")
        self.url: str = self.hello["url"]

    def stats(self) -> dict[str, int]:
        data: dict[str, int] = json.loads(self.get(self.url + "/stats"))
        return data


def _briefing(work: Path, db: Path, *args: str, env: dict[str, str]) -> Measured:
    cmd = [sys.executable, "-m", "briefing", "--db", str(db), "--config",
           str(work / "config.toml"), *args]
    m = run_measured(cmd, env=env)
    if m.returncode != 0:
        raise SystemExit(f"{' '.join(args[:2])} failed ({m.returncode}): "
                         f"{m.stderr.strip()[-500:]}")
    return m


def _ids(work: Path, db: Path, env: dict[str, str]) -> list[str]:
    proc = subprocess.run([sys.executable, "-m", "briefing", "--db", str(db), "--config",
                           str(work / "config.toml"), "list", "--json", "--limit", "100000"],
                          capture_output=True, text=True, env=env, check=True)
    return [a["id"] for a in json.loads(proc.stdout)]


def bench(n: int) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    engine = EngineServer()
    try:
        with FeedServer(n) as feeds, tempfile.TemporaryDirectory(prefix="tr-bench-") as tmp:
            work = Path(tmp)
            env = isolated_env(work / "home")
            (work / "config.toml").write_text(
                '[translation]\ntarget = "vi"\nengine = "libretranslate"\n'
                f'[translation.libretranslate]\nurl = "{engine.url}"\n')
            urls = feeds.urls()

            def phase(name: str, db: Path, *args: str, articles: int = 0) -> None:
                before = engine.stats()
                m = _briefing(work, db, *args, env=env)
                after = engine.stats()
                translated = None
                if args[0] == "fetch":
                    report = json.loads(m.stdout)
                    articles = report["added"] + report["updated"]
                    translated = report.get("translated")
                rows.append({"phase": name, "command": " ".join(args[:1] + args[-1:]),
                             "articles": articles, "translated": translated,
                             "seconds": m.wall, "engine_calls": after["calls"] - before["calls"],
                             "engine_texts": after["texts"] - before["texts"],
                             "peak_rss_mb": m.peak_rss_mb})

            cold = work / "cold.db"
            phase("cold", cold, "fetch", *urls, "--json", "--translate")
            plain, translated = work / "plain.db", work / "translated.db"
            _briefing(work, plain, "fetch", *urls, "--quiet", env=env)
            shutil.copy(plain, translated)
            feeds.advance()
            phase("new items", plain, "fetch", *urls, "--json")
            phase("new items", translated, "fetch", *urls, "--json", "--translate")
            ids = _ids(work, cold, env)
            phase("again", cold, "translate", *ids, articles=len(ids))
    finally:
        engine.close()
    return {"feeds": n, "phases": rows}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd")
    sub.add_parser("serve-engine", help="run the engine server (used by the benchmark)")
    parser.add_argument("--feeds", type=int, default=100)
    args = parser.parse_args(argv)
    if args.cmd == "serve-engine":
        serve_engine()
        return
    print(f"benchmarking fetch --translate of {args.feeds} feeds ...", file=sys.stderr,
          flush=True)
    result = bench(args.feeds)
    with open("/proc/loadavg") as fh:
        result["loadavg"] = fh.read().split()[:3]
    print(table(["phase", "command", "articles", "translated", "s", "articles/s",
                 "engine calls", "texts sent", "rss MB"],
                [[r["phase"], r["command"], r["articles"],
                  "" if r["translated"] is None else r["translated"], r["seconds"],
                  r["articles"] / r["seconds"], r["engine_calls"], r["engine_texts"],
                  r["peak_rss_mb"]] for r in result["phases"]]))
    again = result["phases"][-1]
    print(f"\nengine calls when the same {again['articles']} articles are translated again: "
          f"{again['engine_calls']} ({'ok' if again['engine_calls'] == 0 else 'MISSED'}: "
          "must be 0)")
    print(f"load average: {' '.join(result['loadavg'])}")
    print(f"results: {write_json('translate_bench.json', result)}")


if __name__ == "__main__":
    main()
