"""Golden dumps: what `show --json` says of every article of the sample feeds and the seeds.

A refactor must leave these identical; a change that means to alter what is stored or shown
(a new fact kind, a better cleaner, more sample feeds) updates them on purpose and the diff
is reviewed in the commit:

    BRIEFING_GOLDEN_UPDATE=1 .venv/bin/pytest tests/test_golden.py

The sample feeds are our own text, so their dump is kept whole (a diff reads as what
changed). The seeds are not ours to copy: their dump keeps a SHA-256 of each part instead,
which says *which* part changed; the seed test then shows it.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from briefing.config import Settings
from briefing.pipeline import run_fetch
from briefing.report import article_json
from briefing.store import Store
from briefing.stories import story_json
from tests.conftest import ROOT, seed_folder

GOLDEN = ROOT / "tests" / "golden"
UPDATE = os.environ.get("BRIEFING_GOLDEN_UPDATE") == "1"


def _dump(store: Store, folder: Path) -> dict[str, Any]:
    """Every article's `show --json`, keyed by URL relative to the folder fed in, with what
    depends on the clock or the checkout's place removed."""
    prefix = str(folder.resolve())
    out: dict[str, Any] = {}
    summaries = store.list_articles(limit=10_000)
    # A local file's article id hashes its path: each id is written as its URL instead, so the
    # dump is the same in any checkout.
    names = {a.id: "<id " + a.url.replace(prefix, "<root>") + ">" for a in summaries}
    for summary in summaries:
        art = store.get_article(summary.id)
        assert art is not None
        data = article_json(art)
        data["story"] = story_json(store, art.id)
        text = json.dumps(data, sort_keys=True, ensure_ascii=False).replace(prefix, "<root>")
        for art_id, name in names.items():
            text = text.replace(f'"{art_id}"', json.dumps(name, ensure_ascii=False))
        data = json.loads(text)
        # A local file's date is its mtime (the clone's), and `fetched` is the run's clock.
        for d in [data, *(data["story"] or {}).get("sources", [])]:
            for key in ("published", "fetched"):
                d.pop(key, None)
        if data["story"]:
            data["story"].pop("first_published", None)
            data["story"].pop("last_published", None)
        out[data["url"]] = data
    return dict(sorted(out.items()))


def _digests(dump: dict[str, Any]) -> dict[str, Any]:
    return {url: {k: hashlib.sha256(json.dumps(v, sort_keys=True, ensure_ascii=False)
                                    .encode()).hexdigest()[:16] for k, v in sorted(art.items())}
            for url, art in dump.items()}


def _compare(name: str, got: dict[str, Any]) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(got, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                        encoding="utf-8")
        return
    want = json.loads(path.read_text(encoding="utf-8"))
    assert sorted(got) == sorted(want), "the set of articles changed"
    changed = [f"{url}: {key}" for url in want for key in sorted(set(want[url]) | set(got[url]))
               if want[url].get(key) != got[url].get(key)]
    assert not changed, ("changed from the golden dump (BRIEFING_GOLDEN_UPDATE=1 to accept):\n"
                         + "\n".join(changed[:40]))


def test_sample_feeds_dump_is_unchanged(tmp_path: Path) -> None:
    folder = ROOT / "sample_feeds"
    store = Store(tmp_path / "golden.db")
    assert run_fetch(Settings(), store, [str(folder)]).failed == []
    _compare("sample_feeds.json", _dump(store, folder))


def test_seeds_dump_is_unchanged(tmp_path: Path) -> None:
    folder = seed_folder(tmp_path)  # skips, saying why, without ../shared
    store = Store(tmp_path / "golden.db")
    assert run_fetch(Settings(), store, [str(folder)]).failed == []
    _compare("seeds.json", _digests(_dump(store, folder)))


@pytest.mark.parametrize("name", ["sample_feeds.json", "seeds.json"])
def test_golden_files_exist(name: str) -> None:
    assert (GOLDEN / name).is_file(), f"tests/golden/{name} is missing: run with UPDATE=1"
