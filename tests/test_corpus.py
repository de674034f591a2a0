"""The feedparser robustness corpus (2,107 real-world edge-case feeds): every file ingests or
fails with one line naming it, and none crashes the run.

One run over the whole folder is shared by the module (about 5 s with tagging on two cores).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from briefing.config import Settings
from briefing.models import FetchReport
from briefing.pipeline import run_fetch
from briefing.store import Store
from tests.conftest import CORPUS

# The corpus' own notes, not feeds (the folder walk skips them too).
NOT_FEEDS = {"README.md", "LICENSE"}
NOW = "2026-06-01T08:00:00+00:00"

pytestmark = pytest.mark.slow  # every file of the corpus, twice


def _feed_files() -> list[Path]:
    # Resolved, as the pipeline names sources (../shared may be a symlink).
    return sorted(p.resolve() for p in CORPUS.rglob("*")
                  if p.is_file() and p.name not in NOT_FEEDS)


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory: pytest.TempPathFactory
               ) -> tuple[FetchReport, FetchReport, Store, int]:
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} not found: the corpus lives in ../shared, which a clone lacks")
    from datetime import datetime

    db = tmp_path_factory.mktemp("corpus") / "corpus.db"
    store = Store(db)
    now = datetime.fromisoformat(NOW)
    first = run_fetch(Settings(), store, [str(CORPUS)], now=now)
    stored = store.count_articles()
    second = run_fetch(Settings(), store, [str(CORPUS)], now=now)
    return first, second, store, stored


def test_every_file_is_a_source(corpus_run: tuple[FetchReport, FetchReport, Store, int]) -> None:
    first, _, _, _ = corpus_run
    files = _feed_files()
    assert len(files) == 2107
    assert first.sources_total == len(files)
    assert first.sources_ok + len(first.failed) == first.sources_total


def test_failures_are_one_clear_line_naming_the_file(
        corpus_run: tuple[FetchReport, FetchReport, Store, int]) -> None:
    first, _, _, _ = corpus_run
    names = {str(p) for p in _feed_files()}
    for source, reason in first.failed:
        assert source in names
        assert reason.strip() and "\n" not in reason and len(reason) <= 300, (source, reason)
    # Most of the corpus is valid feeds; a parser regression would show up as a flood here.
    assert len(first.failed) < 50, first.failed[:10]


# Regression: facts._guess_kind raised IndexError on whitespace-only context ("a, Hello
# World"), failing three corpus feeds whole with "list index out of range".
def test_no_failure_is_an_internal_error(
        corpus_run: tuple[FetchReport, FetchReport, Store, int]) -> None:
    first, _, _, _ = corpus_run
    internal = [(s, r) for s, r in first.failed
                if r in ("list index out of range", "IndexError", "KeyError", "TypeError")]
    assert internal == []


def test_fact_extraction_survives_a_name_after_a_comma() -> None:
    from briefing.facts import extract

    extract("a, Hello World here", paragraph=0, language="en")


def test_store_is_sound_and_second_run_adds_nothing(
        corpus_run: tuple[FetchReport, FetchReport, Store, int]) -> None:
    first, second, store, stored = corpus_run
    assert store.integrity_check() == "ok"
    assert first.added > 500 and stored == first.added
    assert (second.added, second.updated) == (0, 0)
    assert store.count_articles() == stored
    assert sorted(second.failed) == sorted(first.failed)
    orphans = store.conn.execute(
        "SELECT count(*) FROM articles WHERE text != '' AND paragraphs = ''").fetchone()[0]
    assert orphans == 0


def test_cli_over_the_corpus_exits_1_without_a_traceback(tmp_path: Path) -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} not found")
    proc = subprocess.run(
        [sys.executable, "-m", "briefing", "--db", str(tmp_path / "c.db"), "fetch", str(CORPUS),
         "--quiet"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines and all(ln.startswith(f"briefing: {CORPUS.resolve()}/") for ln in lines), lines[:5]
