"""One input must not take the machine down: a 15 MB article or item description is fetched
by a real `briefing fetch` under a 1 GiB address-space limit, in minutes at most (seconds on an
idle machine). Before the per-article steps were made linear or capped, a 5 MB file grew one
fetch to 24 GB. The pure helpers those caps rest on are checked against their plain forms."""

from __future__ import annotations

import hashlib
import random
import resource
import subprocess
import sys
import unicodedata
from itertools import pairwise
from pathlib import Path

import pytest

from bench import bigtext
from briefing import text as text_mod
from briefing.models import Fact
from briefing.store import Store
from briefing.summarize import facts_by_sentence

SIZE = 15_000_000
ADDRESS_SPACE = 1 << 30
DEADLINE = 240  # seconds: a loaded 2-core machine; ~15 s when idle


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def _fetch(db: Path, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "briefing", "--db", str(db), "fetch", str(path), "--no-extract"],
        capture_output=True, text=True, timeout=DEADLINE, preexec_fn=_limit)


@pytest.mark.slow
@pytest.mark.parametrize("shape", ["paragraphs", "one paragraph"])
def test_a_15_mb_article_is_stored_under_a_1_gib_limit(tmp_path: Path, shape: str) -> None:
    doc = bigtext.article_text(SIZE)
    if shape == "one paragraph":  # no blank line: one paragraph of 100,000 sentences
        title, body = doc.split("\n\n", 1)
        doc = title + "\n\n" + body.replace("\n\n", " ")
    path = tmp_path / "long.txt"
    path.write_text(doc, encoding="utf-8")
    db = tmp_path / "big.db"
    proc = _fetch(db, path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "1 added" in proc.stdout
    store = Store(db)
    (summary,) = store.list_articles()
    art = store.get_article(summary.id)
    assert art is not None and len(art.text) > SIZE * 0.95
    assert art.summary and art.facts and art.key_facts


@pytest.mark.slow
def test_a_15_mb_item_description_is_stored_under_a_1_gib_limit(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(bigtext.feed_with_description(SIZE))
    db = tmp_path / "big.db"
    proc = _fetch(db, path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    store = Store(db)
    (summary,) = store.list_articles()
    art = store.get_article(summary.id)
    assert art is not None and art.title == "A very long item"
    assert len(art.text) > SIZE * 0.9
    assert art.summary and art.facts


def test_facts_by_sentence_matches_the_plain_double_loop() -> None:
    rng = random.Random(7)
    for _ in range(200):
        cuts = sorted(rng.sample(range(1, 400), rng.randint(0, 12)))
        bounds = [0, *cuts, 400]
        # Sentences with gaps between them (the spaces a split leaves out).
        spans = [(a + rng.randint(0, 1), b) for a, b in pairwise(bounds)
                 if b - a > 1]
        facts = [Fact("count", "x", 1, "", 0, s, s + 1)
                 for s in sorted(rng.sample(range(0, 400), rng.randint(0, 40)))]
        expected = [[f for f in facts if s <= f.start < e] for s, e in spans]
        assert facts_by_sentence(spans, facts) == expected


def test_content_hash_in_pieces_is_the_hash_of_the_whole(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    def whole(text: str) -> str:
        folded = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
        return hashlib.sha256(folded.encode("utf-8")).hexdigest()

    monkeypatch.setattr(text_mod, "_HASH_CHUNK", 5)  # pieces cut all over the text
    rng = random.Random(11)
    alphabet = ["a", "B", " ", "\n", "\t", "\u00a0", "ß", "ﬁ", "\u3000", "  ", "\u2028", "é"]
    for _ in range(2000):
        sample = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 50)))
        assert text_mod.content_hash(sample) == whole(sample), repr(sample)


def test_a_long_translation_is_aligned_block_by_block() -> None:
    from briefing.align import BLOCK, MAX_CELLS, align

    paras = bigtext.paragraphs(200_000, seed=5)
    assert (len(paras) + 1) ** 2 > MAX_CELLS  # the blocked path, not the whole table
    groups = align(paras, paras, source_lang="en", target_lang="en")
    # Every paragraph once on each side, in order; a translation identical to its original
    # is matched one to one, across the block boundaries too.
    assert [i for g in groups for i in g.source] == list(range(len(paras)))
    assert [j for g in groups for j in g.target] == list(range(len(paras)))
    assert all(g.source == g.target and len(g.source) == 1 for g in groups)
    assert len(paras) > 2 * BLOCK
