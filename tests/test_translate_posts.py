"""From a feed to a post in the reader's language: an engine translation carries the original's
bullets and summary (issue 14, item 1), and `fetch --translate` makes finished posts in one run
(item 3). Real parts: SQLite files in tmp_path, the LibreTranslate-protocol server of
test_translate_engines on 127.0.0.1, feeds from tests/httpserver.py, and `briefing` as a
subprocess wherever an exit code or stderr is what is asserted.
"""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from briefing.config import Settings
from briefing.models import Article, KeyFact
from briefing.report import flag_json
from briefing.store import Store
from briefing.text import split_sentences
from briefing.translate import LibreTranslateEngine, check_pair, translate_article
from briefing.translate.service import cache_key, untranslated_ids
from tests.conftest import SEED_000, SEEDS
from tests.feedgen import rss
from tests.httpserver import TestServer
from tests.test_translate_engines import FakeLibreTranslate, closed_port_url, fake_translate
from tests.test_translate_service import make_article

NOW = "2025-01-21T10:00:00+00:00"

# Our own article in the shape of seed 000 (a scraped plain-text copy): title, an empty Date:
# line, a newsletter promo, body paragraphs full of figures, a caption, then site chrome.
ARTICLE = """\
Orbis Robotics plans to spend $12bn on warehouse robots in 2026

Date:


Unlock the Morning Ledger newsletter without cost

Orbis Robotics plans to spend more than $12bn on warehouse automation this year, betting on \
robots to cut delivery times while its rivals slow their spending.

The Rotterdam-based group has budgeted €4bn ($4.3bn) for robots built in Europe in 2026, \
according to two people familiar with the plans, which would double what it spent last year. \
It also plans to invest about $6.8bn in North America.

About 60 per cent of the orders would go to European suppliers, while the rest would be spent \
on machines from Japan, the people said.

The company had 170mn parcels delivered by robots last year, up 30 per cent on the year \
before, and it employs 230,000 people in 41 countries.

Robots at the Orbis depot near Rotterdam © Example Pictures

Analysts expect the market for warehouse robots to reach $31bn by 2030, from $11.6bn in 2025.

Share post:

LEAVE A REPLY

Please enter your comment!
"""


def _env(home: Path) -> dict[str, str]:
    # BRIEFING_CACHE stays: the session's unpacked language model (conftest), not 68 MB
    # written again into every home.
    env = {k: v for k, v in os.environ.items()
           if (k == "BRIEFING_CACHE" or not k.startswith("BRIEFING_"))
           and "proxy" not in k.lower()}
    for sub in ("config", "data", "cache", "state"):
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[f"XDG_{sub.upper()}_HOME"] = str(home / sub)
    env["NO_PROXY"] = "*"
    return env


class Briefing:
    """`briefing` as a user runs it: a subprocess with its own database and config file."""

    def __init__(self, tmp_path: Path, engine_url: str, *, extra: str = "") -> None:
        self.db = tmp_path / "briefing.db"
        self.config = tmp_path / "config.toml"
        self.env = _env(tmp_path / "home")
        self.write_config(engine_url, extra=extra)

    def write_config(self, engine_url: str, *, engine: str = "libretranslate",
                     extra: str = "") -> None:
        self.config.write_text(
            f'[translation]\ntarget = "vi"\nengine = "{engine}"\ntimeout = 60\n{extra}\n'
            f'[translation.libretranslate]\nurl = "{engine_url}"\n', encoding="utf-8")

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "briefing", "--db", str(self.db), "--config",
             str(self.config), *args],
            capture_output=True, text=True, timeout=300, env=self.env)

    def json(self, *args: str) -> Any:
        proc = self(*args)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)


@pytest.fixture
def libre() -> Iterator[FakeLibreTranslate]:
    server = FakeLibreTranslate()
    yield server
    server.close()


def _the_summary(original: str, lang: str = "en") -> str:
    """What the engine's summary must be: each sentence of the original's, translated."""
    return " ".join(fake_translate(original[s:e].strip())
                    for s, e in split_sentences(original, lang) if original[s:e].strip())


def _checked(text: str) -> list[dict[str, str]]:
    found = check_pair(text, fake_translate(text), source_lang="en", target_lang="vi")
    return [flag_json(f) for f in found.flags]


def _article_source(tmp_path: Path, which: str) -> Path:
    if which == "seed 000":
        seed = SEEDS / SEED_000
        if not seed.exists():
            pytest.skip(f"{seed} not found: the seeds live in ../shared, which a clone lacks")
        return seed
    path = tmp_path / "orbis.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


# -- item 1: bullets and summary follow the translation ---------------------------------------


@pytest.mark.parametrize("which", ["our article", "seed 000"])
def test_brief_in_the_translations_language_after_translate(
        tmp_path: Path, libre: FakeLibreTranslate, which: str) -> None:
    run = Briefing(tmp_path, libre.url)
    fetched = run("fetch", str(_article_source(tmp_path, which)), "--quiet")
    assert fetched.returncode == 0, fetched.stderr
    (listed,) = run.json("list", "--json")
    original = run.json("show", listed["id"], "--json")
    assert original["key_facts"] and original["summary"]

    done = run("translate", listed["id"])
    assert done.returncode == 0 and done.stderr == "", done.stderr
    proc = run("brief", "--lang", "vi", "--format", "json")
    assert proc.returncode == 0 and proc.stderr == ""
    (post,) = json.loads(proc.stdout)["stories"]
    assert post["basis"] == "translation" and post["lang"] == "vi" and post["note"] == ""
    assert [b["text"] for b in post["bullets"]] == [
        fake_translate(k["text"]) for k in original["key_facts"]]
    assert post["summary"]["text"] == _the_summary(original["summary"])
    # Each bullet carries the numbers check of its own sentence (our article: none; seed 000:
    # the fake engine leaves "December" in English, which Vietnamese does not read as a month).
    assert [b["flags"] for b in post["bullets"]] == [
        _checked(k["text"]) for k in original["key_facts"]]
    assert post["summary"]["flags"] == [
        f for s, e in split_sentences(original["summary"], "en")
        for f in _checked(original["summary"][s:e].strip())]
    if which == "our article":
        assert not any(b["flags"] for b in post["bullets"]) and not post["summary"]["flags"]
    # The other formats and the default (md) write nothing to stderr either.
    for fmt in ("md", "text"):
        proc = run("brief", "--lang", "vi", "--format", fmt)
        assert proc.returncode == 0 and proc.stderr == ""
        assert fake_translate(original["key_facts"][0]["text"]).split(" $")[0][:20] in \
            proc.stdout.replace("\\", "")


def test_bullets_and_summary_go_in_the_paragraphs_batches_and_cache(
        tmp_path: Path, libre: FakeLibreTranslate) -> None:
    paragraphs = ["Orbis will spend $12bn on robots.",
                  "The group has budgeted €4bn for Europe. It plans $6.8bn for America.",
                  "Analysts expect $31bn by 2030."]
    art = replace(make_article("a1", paragraphs, title="Orbis robots"),
                  key_facts=(KeyFact(paragraphs[0], 0),
                             KeyFact("It plans $6.8bn for America.", 1)),
                  summary="Orbis will spend $12bn on robots. Analysts expect $31bn by 2030.")
    with Store(tmp_path / "x.db") as store:
        store.save_article(art)
        engine = LibreTranslateEngine(libre.url, "", timeout=60)
        tr = translate_article(Settings(), store, "a1", target="vi", engine=engine, now=NOW)
        # One request: the title, the paragraphs, and only the sentences that are not
        # already one of them (a bullet or summary sentence that is a whole paragraph is the
        # same text, hence the same cache entry).
        assert libre.calls == 1
        assert libre.requests[0][2]["q"] == ["Orbis robots", *paragraphs,
                                             "It plans $6.8bn for America."]
        assert tr.key_facts == (fake_translate(paragraphs[0]),
                                fake_translate("It plans $6.8bn for America."))
        assert tr.summary == f"{fake_translate(paragraphs[0])} {fake_translate(paragraphs[2])}"
        stored = store.get_article("a1")
        assert stored is not None and stored.translations == (tr,)
        again = translate_article(Settings(), store, "a1", target="vi", engine=engine, now=NOW)
        assert again == tr and libre.calls == 1  # all from the cache


def test_translating_again_fills_an_old_translations_bullets_from_the_cache(
        tmp_path: Path, libre: FakeLibreTranslate) -> None:
    """A translation stored before bullets were translated (pairs only) is completed by
    `translate` again: `--untranslated` finds it, and only text never sent before is sent."""
    paragraphs = ["Orbis will spend $12bn on robots.", "It employs 230,000 people.",
                  "Sales rose 30 per cent to $11.6bn, the company said on Monday."]
    art = replace(make_article("a1", paragraphs, title="Orbis robots"),
                  key_facts=(KeyFact(paragraphs[0], 0), KeyFact("Sales rose 30 per cent", 2)),
                  summary=paragraphs[1])
    engine = LibreTranslateEngine(libre.url, "", timeout=60)
    with Store(tmp_path / "x.db") as store:
        store.save_article(art)
        full = translate_article(Settings(), store, "a1", target="vi", engine=engine, now=NOW)
        # What an older version stored: the pairs alone, and only the paragraphs cached.
        store.save_translation("a1", replace(full, key_facts=(), summary=""), now=NOW)
        key = cache_key("Sales rose 30 per cent", "en", "vi", "libretranslate", "")
        with store.write() as c:
            c.execute("DELETE FROM translation_cache WHERE key = ?", (key,))
        calls = libre.calls
        assert untranslated_ids(store, "vi") == ["a1"]
        tr = translate_article(Settings(), store, "a1", target="vi", engine=engine, now=NOW)
        assert libre.calls == calls + 1
        assert libre.requests[-1][2]["q"] == ["Sales rose 30 per cent"]
        assert tr == full and untranslated_ids(store, "vi") == []


def test_a_bullet_whose_figures_the_engine_changed_is_flagged_everywhere(
        tmp_path: Path, libre: FakeLibreTranslate) -> None:
    run = Briefing(tmp_path, libre.url)
    assert run("fetch", str(_article_source(tmp_path, "our article")), "--quiet").returncode == 0
    (listed,) = run.json("list", "--json")
    libre.mode = "figures"  # every digit one up: $12bn -> $23bn
    done = run("translate", listed["id"])
    assert done.returncode == 0, done.stderr
    shown = run.json("show", listed["id"], "--json")
    (tr,) = shown["translations"]
    assert len(tr["key_fact_flags"]) == len(tr["key_facts"]) == len(shown["key_facts"])
    assert all(flags for flags in tr["key_fact_flags"])
    assert any(f["text"] == "changed figure: $12bn → $23bn" for f in tr["key_fact_flags"][0])
    assert tr["summary_flags"]
    proc = run("brief", "--lang", "vi", "--format", "json")
    assert proc.returncode == 0 and proc.stderr == ""
    (post,) = json.loads(proc.stdout)["stories"]
    assert post["basis"] == "translation"
    assert [b["flags"] for b in post["bullets"]] == tr["key_fact_flags"]
    assert post["summary"]["flags"] == tr["summary_flags"]
    # A flagged reply is never cached: a faithful engine replaces it on the next run.
    libre.mode = "ok"
    assert run("translate", listed["id"]).returncode == 0
    (tr,) = run.json("show", listed["id"], "--json")["translations"]
    assert tr["summary_flags"] == [] and all(not f for f in tr["key_fact_flags"])


def test_an_engine_failing_on_a_bullet_names_it_and_saves_nothing(tmp_path: Path) -> None:
    class EmptyBullet(FakeLibreTranslate):
        def answer(self, path: str, payload: Any) -> tuple[int, bytes]:
            status, body = super().answer(path, payload)
            out = json.loads(body)["translatedText"]
            out = ["" if q == "It plans $6.8bn for America." else t
                   for q, t in zip(payload["q"], out, strict=True)]
            return status, json.dumps({"translatedText": out}).encode()

    server = EmptyBullet()
    try:
        art = replace(make_article("a1", ["Orbis will spend $12bn. It plans $6.8bn for America."]),
                      key_facts=(KeyFact("It plans $6.8bn for America.", 0),))
        with Store(tmp_path / "x.db") as store:
            store.save_article(art)
            engine = LibreTranslateEngine(server.url, "", timeout=60)
            with pytest.raises(Exception, match="empty translation for key fact 1"):
                translate_article(Settings(), store, "a1", target="vi", engine=engine, now=NOW)
            stored = store.get_article("a1")
            assert stored is not None and stored.translations == ()
    finally:
        server.close()


def test_an_article_without_bullets_or_summary_is_translated_as_before(
        tmp_path: Path, libre: FakeLibreTranslate) -> None:
    with Store(tmp_path / "x.db") as store:
        store.save_article(make_article("a1", ["No figures here at all."]))
        engine = LibreTranslateEngine(libre.url, "", timeout=60)
        tr = translate_article(Settings(), store, "a1", target="vi", engine=engine, now=NOW)
        assert tr.key_facts == () and tr.summary == "" and tr.summary_flags == ()
        assert untranslated_ids(store, "vi") == []


# -- item 3: one command from feed to post ----------------------------------------------------


def _feeds(server: TestServer, n: int, items: int = 2) -> list[str]:
    return [server.add(f"/feed{i}.xml", rss(items, prefix=f"f{i}")) for i in range(n)]


def _posts(run: Briefing) -> list[dict[str, Any]]:
    proc = run("brief", "--lang", "vi", "--format", "json")
    assert proc.returncode == 0 and proc.stderr == ""
    stories: list[dict[str, Any]] = json.loads(proc.stdout)["stories"]
    return stories


def test_fetch_translate_gives_finished_posts_silently(
        tmp_path: Path, libre: FakeLibreTranslate, server: TestServer) -> None:
    run = Briefing(tmp_path, libre.url)
    urls = _feeds(server, 2)
    proc = run("fetch", *urls, "--translate", "--quiet")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    posts = _posts(run)  # the feeds tell one story: one post, from its best copy
    assert posts and all(p["basis"] == "translation" and p["note"] == "" for p in posts)
    assert all(b["text"].startswith("VI: ") for p in posts for b in p["bullets"])
    assert all(p["summary"]["text"].startswith("VI: ") for p in posts)
    ids = [a["id"] for a in run.json("list", "--json")]
    assert len(ids) == 4
    for article_id in ids:
        shown = run.json("show", article_id, "--json")
        (tr,) = shown["translations"]
        assert tr["key_facts"] == [fake_translate(k["text"]) for k in shown["key_facts"]]
        assert tr["summary"] == _the_summary(shown["summary"])
    calls = libre.calls
    assert calls >= 1
    # Nothing new: nothing translated, no engine call; the report says 0 translated.
    proc = run("fetch", *urls, "--translate")
    assert proc.returncode == 0 and proc.stderr == ""
    assert proc.stdout.strip().endswith(", 0 translated")
    assert libre.calls == calls
    # The same articles translated again cost no engine call either.
    assert run("translate", *ids).returncode == 0 and libre.calls == calls


def _terminated_while_translating(run: Briefing, libre: FakeLibreTranslate,
                                  *args: str) -> tuple[int, str, str]:
    """`briefing ARGS` sent SIGTERM once it has asked the (stalled) engine: its exit code,
    stdout and stderr."""
    import signal

    libre.stop.clear()
    calls = libre.calls
    proc = subprocess.Popen(
        [sys.executable, "-m", "briefing", "--db", str(run.db), "--config", str(run.config),
         *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=run.env)
    try:
        deadline = time.monotonic() + 120
        while libre.calls == calls:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the run never asked the engine"
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=120)
    finally:
        libre.stop.set()
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return proc.returncode, out, err


def test_translations_stopped_by_sigterm_say_one_line(
        tmp_path: Path, libre: FakeLibreTranslate, server: TestServer) -> None:
    # Found: SIGTERM (cron's `timeout`) during the translation that follows the fetch killed
    # the run where it stood: no "terminated" line and no exit code of ours, while the same
    # signal during the fetch gave both. The engine here never answers, so the signal surely
    # comes while the run waits on it.
    run = Briefing(tmp_path, libre.url)
    libre.mode = "stall"
    urls = _feeds(server, 2)
    code, out, err = _terminated_while_translating(run, libre, "fetch", *urls, "--translate",
                                                   "--quiet")
    assert (code, out) == (143, ""), err
    (line,) = err.splitlines()
    assert line.startswith("briefing: terminated;")
    assert len(run.json("list", "--json")) == 4  # what the fetch stored stays
    # `briefing translate --untranslated`, as a cron line of its own, the same.
    code, out, err = _terminated_while_translating(run, libre, "translate", "--untranslated")
    assert code == 143, err
    (line,) = err.splitlines()
    assert line.startswith("briefing: terminated;")


def test_fetch_without_translate_leaves_translation_alone(
        tmp_path: Path, libre: FakeLibreTranslate, server: TestServer) -> None:
    run = Briefing(tmp_path, libre.url)
    proc = run("fetch", *_feeds(server, 1), "--quiet")
    assert (proc.returncode, proc.stderr) == (0, "")
    assert libre.calls == 0
    assert all(p["basis"] == "original" and p["note"] for p in _posts(run))


def test_config_auto_translates_every_fetch_and_no_translate_overrides_it(
        tmp_path: Path, libre: FakeLibreTranslate, server: TestServer) -> None:
    run = Briefing(tmp_path, libre.url, extra="auto = true")
    proc = run("fetch", *_feeds(server, 1), "--json")
    assert proc.returncode == 0 and proc.stderr == ""
    report = json.loads(proc.stdout)
    assert report["translated"] == 2 and report["not_translated"] == []
    assert all(p["basis"] == "translation" for p in _posts(run))
    calls = libre.calls
    server.add("/other.xml", rss(1, prefix="other"))
    proc = run("fetch", server.url("/other.xml"), "--no-translate", "--json")
    assert proc.returncode == 0 and "translated" not in json.loads(proc.stdout)
    assert libre.calls == calls


def test_auto_without_an_engine_is_a_config_error(tmp_path: Path, server: TestServer) -> None:
    run = Briefing(tmp_path, "http://127.0.0.1:9")
    run.write_config("http://127.0.0.1:9", engine="none", extra="auto = true")
    proc = run("fetch", *_feeds(server, 1))
    assert proc.returncode == 3
    assert proc.stderr.startswith("briefing: error: ") and "translation.auto" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_fetch_translate_without_an_engine_fails_before_fetching(
        tmp_path: Path, server: TestServer) -> None:
    run = Briefing(tmp_path, "http://127.0.0.1:9")
    run.write_config("http://127.0.0.1:9", engine="none")
    urls = _feeds(server, 1)
    proc = run("fetch", *urls, "--translate")
    assert proc.returncode == 3 and "no translation engine is configured" in proc.stderr
    assert len(proc.stderr.splitlines()) == 1 and server.hits == {}


def test_an_engine_failure_is_one_line_per_article_and_the_run_goes_on(
        tmp_path: Path, server: TestServer) -> None:
    class Refuses(FakeLibreTranslate):
        """Answers HTTP 500 for any batch holding the f1 feed's text."""

        def answer(self, path: str, payload: Any) -> tuple[int, bytes]:
            if any("harbour f1 " in q for q in payload["q"]):
                return 500, json.dumps({"error": "model overloaded"}).encode()
            return super().answer(path, payload)

    engine = Refuses()
    try:
        run = Briefing(tmp_path, engine.url)
        proc = run("fetch", *_feeds(server, 2), "--translate")
        assert proc.returncode == 1
        lines = proc.stderr.splitlines()
        assert len(lines) == 2, proc.stderr
        assert proc.stdout.strip().endswith("2 translated, 2 not translated")
        by_id = {a["id"]: a for a in run.json("list", "--json")}
        assert len(by_id) == 4  # every article stored, whatever the engine did
        failed = [a for a in by_id.values() if a["title"].startswith("f1 ")]
        for line, art in zip(sorted(lines), sorted(failed, key=lambda a: a["id"]), strict=True):
            assert line.startswith(f"briefing: {art['id']} (")
            assert "not translated" in line and "HTTP 500: model overloaded" in line
        for article_id in by_id:
            translations = run.json("show", article_id, "--json")["translations"]
            assert bool(translations) == (article_id not in {a["id"] for a in failed})
            assert all(t["key_facts"] for t in translations)
        assert _posts(run)  # brief still writes every story, silently
    finally:
        engine.close()


def test_an_unreachable_engine_skips_the_rest_at_once(
        tmp_path: Path, server: TestServer) -> None:
    run = Briefing(tmp_path, closed_port_url())
    proc = run("fetch", *_feeds(server, 2), "--translate", "--quiet")
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert len(lines) == 4 and all("not translated" in ln for ln in lines)
    assert sum("skipped:" in ln for ln in lines) == 3
    assert "Traceback" not in proc.stderr
    assert len(run.json("list", "--json")) == 4


def test_what_an_unreachable_engine_left_the_next_fetch_translates(
        tmp_path: Path, libre: FakeLibreTranslate, server: TestServer) -> None:
    # A cron line `fetch --quiet --translate` with the engine down for a run: those articles
    # were never translated by a later run, which found nothing new to translate.
    run = Briefing(tmp_path, closed_port_url())
    urls = _feeds(server, 2)
    proc = run("fetch", *urls, "--translate", "--quiet")
    assert proc.returncode == 1
    assert all(ln.endswith("; the next fetch tries again") for ln in proc.stderr.splitlines())
    run.write_config(libre.url)
    proc = run("fetch", *urls, "--translate")
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout.strip().endswith(", 4 translated")
    for article in run.json("list", "--json"):
        assert run.json("show", article["id"], "--json")["translations"]
    calls = libre.calls
    proc = run("fetch", *urls, "--translate")
    assert proc.stdout.strip().endswith(", 0 translated") and libre.calls == calls


def test_an_article_the_engine_keeps_refusing_is_tried_three_times(
        tmp_path: Path, server: TestServer) -> None:
    class Refuses(FakeLibreTranslate):
        refused = 0

        def answer(self, path: str, payload: Any) -> tuple[int, bytes]:
            if any("harbour f1 " in q for q in payload["q"]):
                self.refused += 1
                return 500, json.dumps({"error": "model overloaded"}).encode()
            return super().answer(path, payload)

    engine = Refuses()
    try:
        run = Briefing(tmp_path, engine.url)
        urls = _feeds(server, 2)
        said = []
        for _ in range(4):
            proc = run("fetch", *urls, "--translate")
            said.append(proc.stderr.splitlines())
        assert [len(lines) for lines in said] == [2, 2, 2, 0]
        assert all(ln.endswith("; the next fetch tries again") for ln in said[0] + said[1])
        assert all("refused 3 times: fetches stop trying; `briefing translate " in ln
                   for ln in said[2])
        refused = engine.refused
        assert run("fetch", *urls, "--translate").returncode == 0
        assert engine.refused == refused
    finally:
        engine.close()


def _run_on_a_tty(run: Briefing, *args: str, deadline: float = 300) -> tuple[int, str]:
    """Run briefing with stderr on a pseudo-terminal; returns (exit code, what it showed)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "briefing", "--db", str(run.db), "--config", str(run.config),
         *args], stdout=subprocess.DEVNULL, stderr=slave, env=run.env)
    os.close(slave)
    shown = b""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        ready, _, _ = select.select([master], [], [], 1.0)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        elif proc.poll() is not None:
            break
    os.close(master)
    return proc.wait(timeout=max(1.0, end - time.monotonic())), shown.decode("utf-8", "replace")


def test_a_terminal_sees_the_translation_progress(
        tmp_path: Path, libre: FakeLibreTranslate, server: TestServer) -> None:
    run = Briefing(tmp_path, libre.url)
    code, shown = _run_on_a_tty(run, "fetch", *_feeds(server, 1), "--translate")
    assert code == 0
    assert "[1/2] translating f0 0: harbour plan" in shown
    assert "[2/2] translating" in shown
    assert all(p["basis"] == "translation" for p in _posts(run))


def test_translate_only_new_articles_not_a_provided_translation(
        tmp_path: Path, libre: FakeLibreTranslate) -> None:
    """A bilingual post read back comes with its own translation: fetch --translate keeps it."""
    from tests.conftest import ROOT

    run = Briefing(tmp_path, libre.url)
    post = ROOT / "sample_feeds" / "articles" / "bilingual-post.txt"
    proc = run("fetch", str(post), "--translate")
    assert proc.returncode == 0 and proc.stderr == ""
    assert libre.calls == 0
    (listed,) = run.json("list", "--json")
    (tr,) = run.json("show", listed["id"], "--json")["translations"]
    assert tr["engine"] == "provided"


def test_the_article_model_round_trips_bullet_flags(tmp_path: Path) -> None:
    from briefing.models import FigureFlag, Translation, TranslationPair

    flag = FigureFlag("changed", "changed figure: $12bn → $15bn", "$12bn", "$15bn")
    tr = Translation("vi", "libretranslate", "", (TranslationPair(0, "a", "b"),),
                     ("một", "hai"), "tóm tắt", ((), (flag,)), (flag,))
    with Store(tmp_path / "x.db") as store:
        store.save_article(make_article("a1", ["a"]))
        store.save_translation("a1", tr, now=NOW)
        art: Article | None = store.get_article("a1")
        assert art is not None and art.translations == (tr,)


def test_every_client_shares_one_tls_context() -> None:
    """Each engine request makes a client; loading the CA bundle for each cost more than the
    loopback request itself (bench/translate_bench.py)."""
    import httpx

    from briefing.sources.addresses import parse_allow
    from briefing.sources.http import new_client, shared_ssl_context

    clients = [new_client(timeout=httpx.Timeout(5), limits=httpx.Limits(), allow=parse_allow([]))
               for _ in range(2)]
    pools = [c._transport._pool for c in clients]  # type: ignore[attr-defined]
    assert pools[0]._ssl_context is pools[1]._ssl_context is shared_ssl_context()


def test_a_schema_7_database_keeps_its_translations_and_gains_the_flag_columns(
        tmp_path: Path) -> None:
    """A user's database from before m008: its translations (pairs, and the bullets of a
    provided one) read back the same, with no flags, after the upgrade."""
    import sqlite3

    from briefing.models import Translation, TranslationPair

    path = tmp_path / "old.db"
    tr = Translation("vi", "provided", "", (TranslationPair(0, "a $12bn", "b 12 tỷ USD"),),
                     ("một 12 tỷ USD",), "tóm tắt")
    with Store(path) as store:
        store.save_article(make_article("a1", ["a $12bn"]))
        store.save_translation("a1", tr, now=NOW)
    conn = sqlite3.connect(path)
    conn.executescript(
        "ALTER TABLE translation_key_facts DROP COLUMN flags; "
        "ALTER TABLE translations DROP COLUMN summary_flags; "
        "DELETE FROM _sqlite_migrations WHERE name = 'm008_translation_bullet_flags'; "
        "PRAGMA user_version = 7;")
    conn.close()
    with Store(path) as store:
        art = store.get_article("a1")
        assert art is not None and art.translations == (tr,)
        assert art.translations[0].bullet_flags(0) == () and not tr.summary_flags


def test_english_sent_back_under_a_label_or_in_part_is_no_translation(
        tmp_path: Path, libre: FakeLibreTranslate) -> None:
    """Only a reply identical to the text sent was refused: "Bản dịch: " and the English
    text went out as the Vietnamese post (exit 0, no flag), and a reply that translated each
    paragraph's first sentence and left the rest in English was stored without a word. Now
    the first fails the article, naming the engine; the second is flagged, each sentence left
    in English named, and not cached (the next run asks again)."""
    run = Briefing(tmp_path, libre.url)
    path = tmp_path / "orbis.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    assert run("fetch", str(path), "--quiet").returncode == 0
    (listed,) = run.json("list", "--json")
    libre.mode = "prefix"
    done = run("translate", listed["id"])
    assert done.returncode != 0
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "libretranslate" in done.stderr and "untranslated" in done.stderr, done.stderr
    assert run.json("show", listed["id"], "--json")["translations"] == []
    libre.mode = "half"
    assert run("translate", listed["id"]).returncode == 0
    (tr,) = run.json("show", listed["id"], "--json")["translations"]
    flagged = [f["text"] for p in tr["pairs"] for f in p["flags"]
               if f["kind"] == "untranslated"]
    # The one paragraph of two sentences: its second came back in English.
    assert flagged == ["untranslated: It also plans to invest about $6.8bn in North America."]
    calls = libre.calls
    libre.mode = "ok"
    assert run("translate", listed["id"]).returncode == 0
    assert libre.calls > calls  # the flagged paragraphs were not cached
    (tr,) = run.json("show", listed["id"], "--json")["translations"]
    assert not [f for p in tr["pairs"] for f in p["flags"] if f["kind"] == "untranslated"]


def test_an_engine_that_echoes_the_original_translates_nothing(
        tmp_path: Path, libre: FakeLibreTranslate) -> None:
    """English sent back as "Vietnamese" is no translation: the article fails with one line
    naming the engine, nothing is stored or cached, and a working engine then translates it."""
    run = Briefing(tmp_path, libre.url)
    path = tmp_path / "orbis.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    assert run("fetch", str(path), "--quiet").returncode == 0
    (listed,) = run.json("list", "--json")
    libre.mode = "echo"
    done = run("translate", listed["id"])
    assert done.returncode != 0
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "libretranslate" in done.stderr and "untranslated" in done.stderr, done.stderr
    assert run.json("show", listed["id"], "--json")["translations"] == []
    libre.mode = "ok"
    assert run("translate", listed["id"]).returncode == 0
    (tr,) = run.json("show", listed["id"], "--json")["translations"]
    assert all(p["translation"].startswith("VI: ") for p in tr["pairs"])
