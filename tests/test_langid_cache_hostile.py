"""The language model's cache file (clean.langid_cache) when something else sits where it
should be: each run still labels as the wheel's model does, in bounded time, and writes
nothing outside the cache folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from briefing.clean.language import CACHE_FILE

TEXTS = ("The company said on Monday that profits rose by a third in the quarter, helped by "
         "strong demand.",
         "La société a annoncé lundi que ses bénéfices avaient augmenté d'un tiers au cours "
         "du trimestre.")
CODE = ("import sys; from briefing.clean import language; "
        "print(*(language.detect(t) for t in sys.argv[1:]))")


def _labels(cache: Path) -> subprocess.CompletedProcess[str]:
    """A fresh process's labels for TEXTS with `cache` as its cache folder. The deadline is
    far above the model's unpacking (about a second), for a loaded machine."""
    env = {**os.environ, "BRIEFING_CACHE": str(cache)}
    return subprocess.run([sys.executable, "-c", CODE, *TEXTS], env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def test_a_fifo_in_place_of_the_cache_file_is_passed_over(tmp_path: Path) -> None:
    # Opening a FIFO waits for a writer that never comes: the fork server's preload hung,
    # so no worker started and the run never ended.
    cache = tmp_path / "cache"
    cache.mkdir()
    os.mkfifo(cache / CACHE_FILE)
    done = _labels(cache)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["en", "fr"]
    assert (cache / CACHE_FILE).is_file()  # replaced by a sound cache for the next run
    assert _labels(cache).stdout.split() == ["en", "fr"]


def test_a_cache_file_linking_elsewhere_is_never_written_through(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    precious = tmp_path / "precious.txt"
    precious.write_text("not the cache's to change")
    (cache / CACHE_FILE).symlink_to(precious)
    done = _labels(cache)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["en", "fr"]
    assert precious.read_text() == "not the cache's to change"
    assert not (cache / CACHE_FILE).is_symlink()
    assert [p.name for p in cache.iterdir()] == [CACHE_FILE]


def test_two_runs_building_the_cache_at_once_both_label_and_leave_one_file(
        tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = {**os.environ, "BRIEFING_CACHE": str(cache)}
    procs = [subprocess.Popen([sys.executable, "-c", CODE, *TEXTS], env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert [out.split() for out, _ in outs] == [["en", "fr"], ["en", "fr"]]
    assert [p.name for p in cache.iterdir()] == [CACHE_FILE]  # no temporary file left
    assert _labels(cache).stdout.split() == ["en", "fr"]


def test_a_cache_folder_under_a_home_that_does_not_exist(tmp_path: Path) -> None:
    # BRIEFING_CACHE=~someone/cache, for a user this machine does not know: pathlib's
    # RuntimeError reached the fork server's preload (a traceback, every worker gone).
    done = _labels(Path("~no-such-user-briefing-test/cache"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["en", "fr"]
    assert done.stderr == ""
