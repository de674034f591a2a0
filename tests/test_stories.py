"""Stories: copies of one story across sources and languages, grouped by what survives
rewriting (figures, names, time), with disagreements and changed figures flagged."""

from __future__ import annotations

import json
import pickle
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from briefing import ingest, signatures, stories
from briefing.clean import bilingual
from briefing.cli import cli
from briefing.cli.stories import brief_command, stories_command
from briefing.config import Settings
from briefing.models import Article, Stored
from briefing.pipeline import run_fetch
from briefing.store import Store
from briefing.store.keys import OPEN_END, UNKNOWN_TIME, epoch, key_id
from tests.conftest import ROOT, SEED_000, SEED_004, seed, seed_folder

cli.add_command(stories_command)
cli.add_command(brief_command)

NOW = "2026-11-27T09:00:00+00:00"
OPEN = (UNKNOWN_TIME, OPEN_END)  # a window of all times


def _fetch(store: Store, *paths: Path | str) -> None:
    report = run_fetch(Settings(), store, [str(p) for p in paths])
    assert report.failed == []
    stories.sync(store)


def _id(store: Store, needle: str) -> str:
    (match,) = [a.id for a in store.list_articles(limit=1000) if needle in a.url]
    return match


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    return seed_folder(tmp_path)


def build(aid: str, url: str, title: str, paragraphs: list[str], *, published: str | None = NOW,
          source: str = "test") -> Article:
    job = ingest.Job(source=source, kind="text", body=b"", url=url, now=NOW)
    return ingest.build_article(job, aid=aid, url=url, title=title, paragraphs=paragraphs,
                                published=published)


def vietnamese_only() -> Article:
    """The seed story as a separately published Vietnamese article: the translation's lines
    from seed 004, with no English anywhere."""
    post = bilingual.parse(seed(SEED_004).read_text(encoding="utf-8"))
    assert post.translation_lang == "vi"
    return build("vi-only", "https://vnexpress.net/bytedance-chip-ai", post.translation[0],
                 list(post.translation[1:]))


def test_three_tellings_of_the_seed_story_are_one_story(tmp_path: Path, seeds: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        _fetch(store, seeds)
        vi = vietnamese_only()
        assert vi.language == "vi"
        store.save_article(vi)
        stories.assign(store, [vi.id])
        found = stories.list_stories(store)
        assert len(found) == 1
        (story,) = found
        original = _id(store, "ft.com")
        assert story.size == 3 and story.best_article == original
        assert {m.article_id for m in story.members} == {
            original, _id(store, SEED_000), "vi-only"}
        assert story.members[0].best and story.members[0].url.startswith("https://www.ft.com/")
        assert story.flags == ()  # same figures everywhere: nothing to flag


def test_sample_feeds_stay_apart_and_off_the_seed_story(tmp_path: Path, seeds: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        _fetch(store, ROOT / "sample_feeds", seeds)
        found = stories.list_stories(store)
        assert store.count_articles() == 21
        multi = sorted((s for s in found if s.size > 1), key=lambda s: s.title)
        assert len(found) == 19 and len(multi) == 2
        seed_ids = {_id(store, "ft.com"), _id(store, SEED_000)}
        # The samples' one story on purpose: the wind farm told by a wire and by the
        # translated post, which disagree on the equity raised.
        wind_ids = {_id(store, "energy.example.com/2026/03/04"), _id(store, "coral-bay-offshore")}
        assert [{m.article_id for m in s.members} for s in multi] == [wind_ids, seed_ids]
        # Independent of publication time (the samples are dated March 2026): no other sample
        # article's figures and names would join the seed story or another sample.
        sigs = {aid: stories.signature(art) for aid in store.article_ids()
                if (art := store.get_article(aid)) is not None}
        for a in sigs:
            for b in sigs:
                if a < b and not ({a, b} <= seed_ids or {a, b} <= wind_ids):
                    assert signatures._joins(sigs[a], sigs[b]) == 0, (a, b)


def test_years_and_one_round_number_do_not_join(tmp_path: Path) -> None:
    one = build("one", "https://a.example/1", "Acme results",
                ["Acme Corp said in 2025 it would invest $1bn and hire 2,000 people in Ohio.",
                 "Acme Corp chief executive Jane Doe said 2024 had been hard."])
    two = build("two", "https://b.example/2", "Acme plant",
                ["Acme Corp will build a plant in 2025 for $1bn, the governor said.",
                 "Acme Corp also said 2024 sales fell 11.6% to $48.3bn."])
    with Store(tmp_path / "s.db") as store:
        store.save_articles([one, two])
        stories.assign(store, ["one", "two"])
        assert store.stories.story_id_of("one") != store.stories.story_id_of("two")


def test_specific_figures_with_a_shared_name_join(tmp_path: Path) -> None:
    a = build("a", "https://a.example/1", "Skylark raises money",
              ["Skylark Ltd raised $140mn from investors, valuing it at $1.35bn.",
               "Skylark Ltd has 48,500 customers in 12 countries."])
    b = build("b", "https://b.example/2", "Satellite start-up funded",
              ["Investors put $140mn into satellite firm Skylark Ltd, which is now worth $1.35bn "
               "and serves 48,500 customers."], published="2026-11-29T10:00:00+00:00")
    far = replace(b, id="far", url="https://c.example/3", content_hash="far",
                  published="2026-12-30T10:00:00+00:00")
    with Store(tmp_path / "s.db") as store:
        store.save_articles([a, b, far])
        stories.assign(store, ["a", "b", "far"])
        assert store.stories.story_id_of("b") == store.stories.story_id_of("a")
        assert store.stories.story_id_of("far") == "far"  # a month later: another story


def test_copies_joining_in_one_batch_make_the_stories_one_at_a_time_makes(
        tmp_path: Path) -> None:
    # Within a batch the story rows wait to be written together (StoryStore.flush); a copy
    # joining a story reads its members and recomputes its row from the table and the rows
    # waiting (a flush at each join wrote them a few at a time). The same stories, members,
    # bests and flags either way.
    first = ["Skylark Ltd raised $140mn from investors, valuing it at $1.35bn.",
             "Skylark Ltd has 48,500 customers in 12 countries."]
    arts = [build("a", "https://a.example/1", "Skylark raises money", first),
            build("b", "https://b.example/2", "Satellite start-up funded",
                  ["Investors put $140mn into satellite firm Skylark Ltd, which is now worth "
                   "$1.35bn and serves 48,500 customers."],
                  published="2026-11-27T10:00:00+00:00"),
            build("c", "https://c.example/3", "Skylark valued at $1.35bn",
                  ["Skylark Ltd raised $140mn at a $1.35bn valuation; it has 52,000 customers "
                   "in 12 countries."], published="2026-11-27T08:00:00+00:00"),
            build("d", "https://d.example/4", "Acme results",
                  ["Acme Corp said sales rose 11.6% to $48.3bn in the year to March."])]
    ids = [a.id for a in arts]

    def made(path: Path, batches: list[list[str]]) -> list[list[tuple[Any, ...]]]:
        with Store(path) as store:
            store.save_articles(arts)
            for batch in batches:
                stories.assign(store, batch)
            c = store.conn
            return [c.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
                    for table in ("stories", "story_articles", "story_flags")]

    together = made(tmp_path / "together.db", [ids])
    assert together == made(tmp_path / "apart.db", [[aid] for aid in ids])
    rows, members, flags = together
    assert [(r[0], r[3]) for r in rows] == [("a", 3), ("d", 1)]  # id, size
    assert {m[0]: m[1] for m in members} == {"a": "a", "b": "a", "c": "a", "d": "d"}
    assert flags  # 48,500 against 52,000 customers


def test_disagreement_is_flagged_with_both_values_and_sources(tmp_path: Path,
                                                              seeds: Path) -> None:
    copy = tmp_path / "copy" / "copy.txt"
    copy.parent.mkdir()
    copy.write_text(seed(SEED_000).read_text(encoding="utf-8").replace("$12bn", "$15bn"),
                    encoding="utf-8")
    with Store(tmp_path / "s.db") as store:
        _fetch(store, seeds / SEED_004, copy)
        (story,) = stories.list_stories(store)
        assert story.size == 2
        (flag,) = story.flags
        assert flag.kind == "disagreement"
        assert flag.text == "$12bn in ft.com, $15bn in copy.txt"
        assert flag.detail["a"]["value"] == 12e9 and flag.detail["b"]["value"] == 15e9
        # A Vietnamese copy disagrees with the changed English one in the same way.
        vi = vietnamese_only()
        store.save_article(vi)
        stories.assign(store, [vi.id])
        texts = {f.text for f in stories.get_story(store, story.id).flags}  # type: ignore[union-attr]
        assert "12 tỷ USD in vnexpress.net, $15bn in copy.txt" in texts


def _counted(context: signatures.Contexts, side: str,
             asked: list[tuple[str, int]]) -> signatures.Contexts:
    def made(i: int) -> frozenset[str]:
        asked.append((side, i))
        return context(i)
    return made


def test_conflicts_of_lean_signatures_make_only_the_contexts_they_compare() -> None:
    # Copies compared as stored (the members of a story): the figures' contexts are made only
    # for figures neither copy states, and the pairs found are those of the whole signatures.
    lines = ["Coral Bay Energy plans to spend $9.4bn on a 3,500 MW wind farm near Port Ellis.",
             "Chief executive Maria Lopez said the 230 turbines would power 2.6mn homes.",
             "Revenue rose 12.5% to $4.1bn last year, and the group employs 48,500 people."]
    a = build("a", "https://one.example/a", "Coral Bay", lines)
    b = build("b", "https://two.example/b", "Coral Bay", [
        lines[0].replace("$9.4bn", "$10.2bn"), lines[1], lines[2].replace("48,500", "52,000")])
    whole = [signatures.signature(art) for art in (a, b)]
    expected = [(f.text, g.text) for f, g in signatures.conflicts(whole[0], whole[1])]
    assert expected == [("$9.4bn", "$10.2bn"), ("48,500", "52,000")]
    for data in ([signatures.decode_signature(s.stored) for s in whole],
                 [{"figs": [[f.kind, f.unit, f.value, f.text, f.weight, sorted(f.context)]
                            for f in s.figs], "names": sorted(s.names),
                   "minhash": list(s.minhash), "name": s.name} for s in whole]):  # version 1
        asked: list[tuple[str, int]] = []
        lean = []
        for side, d in zip("ab", data, strict=True):
            sig, context = signatures.lean_signature(d)
            assert all(not f.context for f in sig.figs)
            lean.append((sig, _counted(context, side, asked)))
        found = signatures.conflicts(lean[0][0], lean[1][0], lean[0][1], lean[1][1])
        assert [(f.text, g.text) for f, g in found] == expected
        assert sorted(asked) == sorted(set(asked))  # each context made once
        texts = {side: [f.text for f in s.figs] for side, s in zip("ab", whole, strict=True)}
        assert {texts[side][i] for side, i in asked} <= {"$9.4bn", "$10.2bn", "48,500",
                                                         "52,000"}


def test_a_figure_is_stated_by_the_other_copy_as_same_value_says() -> None:
    # What `conflicts` passes over: a figure the other copy states (Fig.same_value), looked up
    # by kind, unit and neighbouring buckets: money within 1% also across a bucket's edge,
    # other figures exactly, and never under another kind or unit.
    def fig(kind: str, unit: str, value: float) -> signatures.Fig:
        return signatures.Fig(kind, unit, value, str(value), 1.0, frozenset())

    other = signatures.Signature((fig("money", "USD", 12.0e9), fig("count", "", 48_500.0),
                                  fig("percent", "%", 12.5)), frozenset(), (), "")
    index = signatures._index(other)
    for mine in [fig("money", "USD", 12.1e9), fig("money", "USD", 11.9e9),
                 fig("money", "USD", 12.0e9), fig("count", "", 48_500.0),
                 fig("percent", "%", 12.5), fig("money", "USD", 12.2e9),
                 fig("money", "EUR", 12.0e9), fig("count", "", 48_501.0),
                 fig("percent", "pp", 12.5), fig("measure", "%", 12.5)]:
        assert signatures._present(mine, index) == any(
            mine.same_value(g) for g in other.figs), mine
    assert signatures._present(fig("money", "USD", 12.1e9), index)
    assert not signatures._present(fig("count", "", 48_501.0), index)


def test_changed_figure_on_refetch_is_flagged(tmp_path: Path) -> None:
    text = ["Coral Bay Energy plans to spend $9.4bn on a 3,500 MW wind farm, its largest.",
            "Coral Bay Energy said the 230 turbines would power 2.6mn homes from 2029."]
    first = build("cb", "https://news.example/cb", "Coral Bay wind farm", text)
    later = build("cb", "https://news.example/cb", "Coral Bay wind farm",
                  [text[0].replace("$9.4bn", "$10.2bn"), text[1]])
    with Store(tmp_path / "s.db") as store:
        assert store.save_articles([first]) == ["added"]
        stories.assign(store, ["cb"])
        assert store.save_articles([later], now=NOW) == ["updated"]
        stories.assign(store, ["cb"])
        stories.assign(store, ["cb"])  # nothing new: no second flag
        (flag,) = stories.get_story(store, "cb").flags  # type: ignore[union-attr]
        assert flag.kind == "changed"
        assert flag.text == "news.example: $9.4bn changed to $10.2bn since the first fetch"
        stories.rebuild(store)  # history survives a rebuild
        assert len(stories.get_story(store, "cb").flags) == 1  # type: ignore[union-attr]


def test_rebuild_and_repeated_assign_give_the_same_stories(tmp_path: Path, seeds: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        _fetch(store, ROOT / "sample_feeds", seeds)
        # Story ids come from the article that started the story, so a rebuild (which
        # takes articles in another order than the fetch did) may renumber; the groups and
        # their best sources must not change.
        before = [(s.best_article, sorted(m.article_id for m in s.members))
                  for s in stories.list_stories(store)]
        stories.assign(store, store.article_ids())
        stories.rebuild(store)
        after = [(s.best_article, sorted(m.article_id for m in s.members))
                 for s in stories.list_stories(store)]
        assert sorted(map(str, before)) == sorted(map(str, after))
    with Store(tmp_path / "s.db") as store:  # migrations applied again: a no-op
        assert len(stories.list_stories(store)) == len(before)


def test_common_keys_are_not_looked_up(tmp_path: Path) -> None:
    """A figure every article carries (a boilerplate 57.3%) stops being a lookup key once
    more than MAX_POSTINGS articles hold it inside the window, so lookups stay bounded."""
    arts = [build(f"n{i}", f"https://x.example/{i}", f"Item {i}",
                  [f"Firm{i} Ltd said 57.3% of its {1003 + 97 * i:,} staff work remotely."])
            for i in range(stories.MAX_POSTINGS + 5)]
    with Store(tmp_path / "s.db") as store:
        store.save_articles(arts)
        stories.assign(store, [a.id for a in arts])
        assert len(stories.list_stories(store)) == len(arts)
    # A fresh connection: nothing remembered, postings read from the file.
    with Store(tmp_path / "s.db") as store:
        pct, staff = (f.key() for f in stories.signature(arts[0]).figs)
        assert pct.startswith("f:percent:%:") and staff.startswith("f:count:")
        # Both keys counted: the first article shares two, the others one each.
        found = store.stories.candidates([pct, staff], *OPEN, exclude=-1,
                                      max_postings=10_000, limit=8)
        assert [row[0] for row in found] == [arts[0].id]
        # The percent is too common: only one key is left, and one key joins nothing.
        assert store.stories.candidates([pct, staff], *OPEN, exclude=-1,
                                     max_postings=stories.MAX_POSTINGS, limit=8) == []
        assert pct in store.stories.hot_keys
        assert staff not in store.stories.hot_keys


def test_a_key_held_by_many_is_counted_not_loaded(tmp_path: Path) -> None:
    """A key more than KeyIndex.LOAD_CAP articles hold in the range loaded is not read into
    memory (a cron run's first batch once read 140,000 such postings only to drop them);
    each article reads its window's postings of it from the table, so it still joins, and
    is still found too common to look up, exactly as before."""
    from briefing.store.story_store import KeyIndex

    n = KeyIndex.LOAD_CAP + 5
    arts = [build(f"n{i}", f"https://x.example/{i}", f"Item {i}",
                  [f"Firm{i} Ltd said 57.3% of its {1003 + 97 * i:,} staff work remotely."])
            for i in range(n)]
    with Store(tmp_path / "s.db") as store:
        store.save_articles(arts)
        stories.assign(store, [a.id for a in arts])
    pct, staff = (f.key() for f in stories.signature(arts[0]).figs)
    with Store(tmp_path / "s.db") as store:  # a fresh connection: postings from the file
        with store.write():
            index = store.stories.preload([pct, staff], *OPEN)
        assert pct in index.big and pct not in index.stamps
        assert index.size == 1  # the staff count's one posting; none of the percent's
        found = store.stories.candidates([pct, staff], *OPEN, exclude=-1,
                                         max_postings=10_000, limit=8)
        assert [row[0] for row in found] == [arts[0].id]
        assert store.stories.candidates([pct, staff], *OPEN, exclude=-1,
                                        max_postings=stories.MAX_POSTINGS, limit=8) == []
        assert pct in store.stories.hot_keys and pct not in index.big


def _remote_staff(i: int, published: str) -> Article:
    return build(f"n{i}", f"https://x.example/{i}", f"Item {i}",
                 [f"Firm{i} Ltd said 57.3% of its {1003 + 97 * i:,} staff work remotely."],
                 published=published)


def test_a_key_too_common_in_every_window_is_known_hot_without_reading_it(
        tmp_path: Path) -> None:
    """A batch's preload counts each key inside the range every article's window covers
    (`hot`): one held by more than MAX_POSTINGS there would be found too common by every
    lookup, so it is remembered as such at once and its postings never read (a cron cycle of
    2,000 wire items read 88,000 postings only to drop them). Held by more in the wider range
    but not inside that one, a key is read as before."""
    n = stories.MAX_POSTINGS + 1  # one more than a lookup allows
    near = [_remote_staff(i, "2026-11-20T09:00:00+00:00") for i in range(n)]
    # The same figure in articles three weeks earlier: in the range loaded (SLACK) and
    # outside every window; with them the key is still one to load (KeyIndex.LOAD_CAP).
    from briefing.store.story_store import KeyIndex

    far = [_remote_staff(n + i, "2026-10-30T09:00:00+00:00")
           for i in range(KeyIndex.LOAD_CAP - n)]
    assert far
    with Store(tmp_path / "s.db") as store:
        store.save_articles(near + far)
        stories.assign(store, [a.id for a in near + far])
    pct, _staff = (f.key() for f in stories.signature(near[0]).figs)
    reads: list[str] = []

    def trace(sql: str) -> None:
        if sql.startswith("SELECT key, published, article FROM story_keys"):
            reads.append(sql)

    late = epoch("2026-11-20T09:00:00+00:00")
    lo, hi = late - stories.WINDOW, late + stories.WINDOW
    with Store(tmp_path / "s.db") as store:
        with store.write():
            store.conn.set_trace_callback(trace)
            index = store.stories.preload([pct], lo, hi, hot=(lo, hi, stories.MAX_POSTINGS))
            store.conn.set_trace_callback(None)
        assert pct in store.stories.hot_keys and pct not in index.stamps and reads == []
        assert index.size == 0
    with Store(tmp_path / "s.db") as store:  # exactly MAX_POSTINGS inside: still read
        with store.write():
            index = store.stories.preload([pct], lo, hi,
                                          hot=(lo, hi, stories.MAX_POSTINGS + 1))
        assert pct not in store.stories.hot_keys and len(index.stamps[pct]) == n + len(far)
    early = epoch("2026-10-30T09:00:00+00:00")
    with Store(tmp_path / "s.db") as store:  # windows between the two groups: neither counts
        mid = (early + late) // 2
        with store.write():
            index = store.stories.preload([pct], mid - 3600, mid + 3600,
                                          hot=(mid - 3600, mid + 3600, 1))
        assert pct not in store.stories.hot_keys and len(index.stamps[pct]) == n + len(far)


def test_knowing_hot_keys_at_preload_groups_stories_as_finding_them_at_lookup(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same new batch assigned on two copies of a database, with the keys too common
    known at the batch's preload and found at each lookup (the preload told nothing of
    them): the same stories, members and flags."""
    import shutil

    from briefing.store.story_store import StoryStore

    base = [_remote_staff(i, "2026-11-20T09:00:00+00:00")
            for i in range(stories.MAX_POSTINGS + 3)]
    copies = [build(f"c{i}", f"https://copy{i}.example/a", "Plant", COPY,
                    published=f"2026-11-2{i % 3}T10:00:00+00:00") for i in range(6)]
    with Store(tmp_path / "a.db") as store:
        store.save_articles(base + copies[:2])
        stories.assign(store, [a.id for a in base + copies[:2]])
    shutil.copy(tmp_path / "a.db", tmp_path / "b.db")
    later = [_remote_staff(500 + i, "2026-11-21T09:00:00+00:00") for i in range(4)]
    new = later + copies[2:]

    def grouped(path: Path) -> list[Any]:
        with Store(path) as store:
            store.save_articles(new)
            stories.assign_articles(store, new)
            rows = store.conn.execute(
                "SELECT article_id, story_id FROM story_articles ORDER BY article_id").fetchall()
            flags = store.conn.execute(
                "SELECT * FROM story_flags ORDER BY 1, 2, 3").fetchall()
            hot = set(store.stories.hot_keys)
        return [rows, flags, hot]

    with_hot = grouped(tmp_path / "a.db")
    real = StoryStore.preload

    def without_hot(self: StoryStore, keys: Any, lo: int, hi: int, *, check: bool = True,
                    hot: Any = None) -> Any:
        return real(self, keys, lo, hi, check=check)

    monkeypatch.setattr(StoryStore, "preload", without_hot)
    assert grouped(tmp_path / "b.db") == with_hot
    assert with_hot[2]  # the shared percent was too common in both


def test_a_key_nobody_holds_is_counted_not_read_and_found_once_written(
        tmp_path: Path) -> None:
    """Keys no article holds yet (most MinHash bands of a cron run's new articles) cost one
    count and no read of postings; an article this connection then writes under them is
    found by the next lookup, as one read from the table would be."""
    first = build("a1", "https://one.example/a", "Plant", COPY)
    keys = ["f:nobody:1", "f:nobody:2", "h:0:nobody"]
    reads: list[str] = []

    def trace(sql: str) -> None:
        if sql.startswith("SELECT key, published, article FROM story_keys"):
            reads.append(sql)

    with Store(tmp_path / "s.db") as store:
        store.save_articles([first, build("b1", "https://two.example/b", "Other", ["Text."])])
        stories.assign_articles(store, [first])
    with Store(tmp_path / "s.db") as store:  # story_keys not empty: keys are looked up
        store.conn.set_trace_callback(trace)
        rows = store.stories.rowids(["b1"])
        with store.transaction():
            index = store.stories.preload(keys, *OPEN)
            assert reads == [] and index.covers("f:nobody:1", *OPEN)
            assert "f:nobody:1" not in index.stamps and index.size == 0
            store.stories.put(Stored("b1", "b1", "2026-11-27T09:00:00", 1.0, "", 1), b"",
                              keys, rows["b1"], new=True)
            found = store.stories.candidates(keys, *OPEN, exclude=-1, max_postings=100,
                                             limit=8)
        assert reads == []
    assert found == [("b1", "b1", 3, True)]


def test_story_json_and_cli(tmp_path: Path, seeds: Path) -> None:
    db = tmp_path / "s.db"
    with Store(db) as store:
        _fetch(store, seeds)
        original = _id(store, "ft.com")
        data = stories.story_json(store, original)
        assert stories.story_json(store, "nope") is None
    assert data is not None and data["best"] == original and data["size"] == 2
    assert [s["best"] for s in data["sources"]] == [True, False]
    assert data["sources"][0]["name"] == "ft.com" and data["flags"] == []
    runner = CliRunner()
    res = runner.invoke(cli, ["--db", str(db), "stories", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)[0]["id"] == data["id"]
    res = runner.invoke(cli, ["--db", str(db), "stories"])
    assert res.exit_code == 0 and "2 copies" in res.output and f"* {original}" in res.output
    res = runner.invoke(cli, ["--db", str(db), "stories", "--since", "2999-01-01"])
    assert res.exit_code == 0 and res.output == ""
    res = runner.invoke(cli, ["--db", str(db), "stories", "--since", "soon"])
    assert res.exit_code == 2


COPY = ["Halvorsen Energy will spend $11.6bn on a plant in Da Nang, adding 4,350 jobs.",
        "Chief executive Erik Halvorsen said revenue rose 17.3 per cent to $2.37bn."]


def test_a_copy_stored_by_another_connection_is_found(tmp_path: Path) -> None:
    """The writer keeps story keys in memory; a copy that another process (a second cron
    run, say) commits meanwhile must still be found: PRAGMA data_version drops the memo."""
    # Three weeks older: outside the new articles' window, but its lookup loads the same
    # figure keys for a range that covers them.
    old = build("a1", "https://one.example/a", "Plant", COPY, published="2026-11-06T09:00:00")
    copy = build("b1", "https://two.example/b", "Plant", COPY[::-1])
    reworded = build("c1", "https://three.example/c", "Plant", [
        "Erik Halvorsen, chief executive, reported sales up 17.3 per cent at $2.37bn.",
        "Halvorsen Energy plans to invest $11.6bn in Da Nang and create 4,350 jobs."])
    with Store(tmp_path / "s.db") as writer, Store(tmp_path / "s.db") as other:
        writer.save_articles([old])
        stories.assign_articles(writer, [old])
        assert writer.stories.index is not None
        other.save_articles([copy])
        stories.assign_articles(other, [copy])
        writer.save_articles([reworded])
        stories.assign_articles(writer, [reworded])
        story = stories.story_of(writer, "c1")
        assert story is not None
        assert {m.article_id for m in story.members} == {"b1", "c1"}


def test_a_rolled_back_batch_leaves_nothing_remembered(tmp_path: Path) -> None:
    first = build("a1", "https://one.example/a", "Plant", COPY)
    copy = build("b1", "https://two.example/b", "Plant", COPY[::-1])
    with Store(tmp_path / "s.db") as store:
        with pytest.raises(RuntimeError), store.transaction():
            store.save_articles([first])
            stories.assign_articles(store, [first])
            assert store.stories.holds_memos
            raise RuntimeError("the batch fails after its stories were assigned")
        assert not store.stories.holds_memos
        store.save_articles([copy])
        stories.assign_articles(store, [copy])  # must not join the rolled-back article
        story = stories.story_of(store, "b1")
        assert story is not None and [m.article_id for m in story.members] == ["b1"]


def test_signatures_round_trip_and_old_rows_still_read(tmp_path: Path) -> None:
    art = build("a1", "https://one.example/a", "Plant", COPY)
    sig = stories.signature(art)
    stored = json.loads(json.dumps(sig.as_json()))
    assert stored["v"] == 2 and stories.Signature.from_json(stored) == sig
    # A version 1 row (each figure's context whole, the MinHash as a list of ints).
    v1 = {"figs": [[f.kind, f.unit, f.value, f.text, f.weight, sorted(f.context)]
                   for f in sig.figs],
          "names": sorted(sig.names), "minhash": list(sig.minhash), "name": sig.name}
    assert stories.Signature.from_json(v1) == sig
    assert len(json.dumps(stored)) < 0.75 * len(json.dumps(v1))


def test_match_forms_kept_are_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A big fetch must not keep a match form for every article of its run."""
    monkeypatch.setattr(stories, "MATCH_CACHE", 3)
    arts = [build(f"a{i}", f"https://x.example/{i}", f"Item {i}",
                  [f"Firm{i} Ltd will spend ${11 + i}.{i + 1}bn, adding {4301 + 97 * i:,} jobs."])
            for i in range(6)]
    with Store(tmp_path / "s.db") as store:
        store.save_articles(arts)
        stories.assign_articles(store, arts)
        assert list(store.stories.matches) == ["a3", "a4", "a5"]
        # One dropped is read back from the file when it comes up again, the same as made.
        read = stories._matches(store, ["a0"])["a0"]
        made = stories.signature(arts[0]).match
        assert (read.probes, read.values, read.names) == (made.probes, made.values, made.names)
        assert read.minhash.tolist() == made.minhash.tolist()
        assert list(store.stories.matches) == ["a4", "a5", "a0"]


def test_a_fetch_leaves_no_story_memos_behind(tmp_path: Path, seeds: Path) -> None:
    """The TUI keeps one Store open for days: what a fetch memoised for assigning stories
    goes when the fetch ends."""
    with Store(tmp_path / "s.db") as store:
        report = run_fetch(Settings(), store, [str(seeds)])
        assert report.added >= 2 and report.failed == []
        assert stories.story_of(store, _id(store, "ft.com")) is not None
        assert not store.stories.holds_memos


def test_a_database_with_text_story_keys_is_converted_and_still_joins(tmp_path: Path) -> None:
    """Schema 4 kept story keys as text; opening such a file converts them (m005), and a copy
    fetched afterwards finds the story through the converted rows."""
    first = build("a1", "https://one.example/a", "Plant", COPY)
    path = tmp_path / "s.db"
    with Store(path) as store:
        store.save_articles([first])
        stories.assign_articles(store, [first])
        rowid = store.stories.rowids(["a1"])["a1"]
    keys = stories.signature(first).index_keys
    published = stories._stamp(first.published)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(
        "DROP TABLE story_keys; CREATE TABLE story_keys (key TEXT NOT NULL, published TEXT NOT "
        "NULL, article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE, PRIMARY KEY "
        "(key, published, article_id)) WITHOUT ROWID; CREATE INDEX story_keys_article ON "
        "story_keys(article_id); DELETE FROM _sqlite_migrations WHERE name = "
        "'m005_story_keys_as_integers'; PRAGMA user_version = 4;")
    conn.executemany("INSERT INTO story_keys VALUES (?,?,?)", [(k, published, "a1") for k in keys])
    conn.close()
    copy = build("b1", "https://two.example/b", "Plant", COPY[::-1])
    with Store(path) as store:
        rows = set(store.conn.execute("SELECT key, published, article FROM story_keys"))
        assert rows == {(key_id(k), epoch(published), rowid)
                        for k in keys}
        store.save_articles([copy])
        stories.assign_articles(store, [copy])
        story = stories.story_of(store, "b1")
        assert story is not None and {m.article_id for m in story.members} == {"a1", "b1"}


def test_signatures_are_stored_deflated_and_text_rows_still_read(tmp_path: Path) -> None:
    """story_articles keeps a signature deflated (half its JSON text); rows an older version
    wrote as JSON text still decode, and a copy still joins them."""
    first = build("a1", "https://one.example/a", "Plant", COPY)
    sig = stories.signature(first)
    text = json.dumps(sig.as_json(), ensure_ascii=False, separators=(",", ":"))
    with Store(tmp_path / "s.db") as store:
        store.save_articles([first])
        stories.assign_articles(store, [first])
        (raw,) = store.conn.execute(
            "SELECT signature FROM story_articles WHERE article_id = 'a1'").fetchone()
        assert isinstance(raw, bytes) and len(raw) < 0.75 * len(text.encode())
        assert stories.Signature.from_json(store.stories.stored(["a1"])["a1"].signature) == sig
        with store.write() as c:  # as an older version wrote it
            c.execute("UPDATE story_articles SET signature = ? WHERE article_id = 'a1'", (text,))
    with Store(tmp_path / "s.db") as store:  # a new connection: no memo of a1
        copy = build("b1", "https://two.example/b", "Plant", COPY[::-1])
        store.save_articles([copy])
        stories.assign_articles(store, [copy])
        story = stories.story_of(store, "b1")
        assert story is not None and {m.article_id for m in story.members} == {"a1", "b1"}


def test_workers_send_a_compact_signature_that_matches_as_the_whole_one() -> None:
    """What crosses the process boundary is the stored form, the keys and the match form
    (made in the worker, so the writer decodes nothing); that match form is the one the
    whole signature makes."""
    art = build("a1", "https://one.example/a", "Plant", COPY)
    result = ingest._signed(ingest.Result("test", articles=(art,)))
    sent = result.signatures["a1"]
    whole = stories.signature(art)
    assert isinstance(sent, signatures.Compact)
    sent = pickle.loads(pickle.dumps(sent))
    assert "match" in sent.__dict__ and "data" not in sent.__dict__
    # Less than the whole signature with its derived forms, which crossed it before: no
    # sentence contexts, no Fig objects.
    assert len(pickle.dumps(sent)) < 0.7 * len(pickle.dumps(stories.signature(art).prepared()))
    assert (sent.index_keys, sent.lookup_keys) == (whole.index_keys, whole.lookup_keys)
    assert sent.full() == whole
    made, read = whole.match, sent.match
    assert (read.probes, read.values, read.names) == (made.probes, made.values, made.names)
    kept = sent.lean()  # what is remembered: no keys, the match form once made
    assert (kept.index_keys, kept.__dict__["match"]) == ((), read)
    # The keys' ids as story_keys holds them, made in the worker too.
    assert sent.key_ids == tuple(key_id(k) for k in whole.index_keys)


def test_key_ids_a_worker_made_are_the_ones_the_writer_uses(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        store.stories.know_key_ids(["f:money:USD:1", "h:0:00000001"], [11, 12])
        store.stories.know_key_ids(["h:1:00000002"], [])  # not a pair each: left alone
        assert store.stories.key_id("h:0:00000001") == 12
        assert store.stories.key_id("h:1:00000002") == key_id("h:1:00000002")
        # Assigned with a sent signature, an article's keys are stored under its ids, not
        # hashed again (ids made up here, to tell them apart).
        art = build("a1", "https://one.example/a", "Plant", COPY)
        store.save_articles([art])
        sent = ingest._signed(ingest.Result("test", articles=(art,))).signatures["a1"]
        given = tuple(range(1000, 1000 + len(sent.index_keys)))
        stories.assign_articles(store, [art], {"a1": replace(sent, key_ids=given)})
        stored = {k for (k,) in store.conn.execute("SELECT key FROM story_keys")}
        assert stored == set(given)


def test_a_first_fetch_never_looks_keys_up_in_the_table(tmp_path: Path) -> None:
    """On an empty story_keys table every posting is one this connection writes: keys are
    found in memory (copies still join), and no key costs a query. A later connection, with
    postings it did not write, reads them from the table."""
    first = build("a1", "https://one.example/a", "Plant", COPY)
    copy = build("b1", "https://two.example/b", "Plant", COPY[::-1])
    lookups: list[str] = []

    def trace(sql: str) -> None:
        if "FROM story_keys WHERE key IN" in sql:
            lookups.append(sql)

    with Store(tmp_path / "s.db") as store:
        store.conn.set_trace_callback(trace)
        for art in (first, copy):
            store.save_articles([art])
            stories.assign_articles(store, [art])
        story = stories.story_of(store, "b1")
        assert story is not None and {m.article_id for m in story.members} == {"a1", "b1"}
        assert lookups == []
    third = build("c1", "https://three.example/c", "Plant", [
        COPY[0], "Erik Halvorsen, the chief executive, said revenue rose 17.3% to $2.37bn."])
    with Store(tmp_path / "s.db") as store:
        store.conn.set_trace_callback(trace)
        store.save_articles([third])
        stories.assign_articles(store, [third])
        story = stories.story_of(store, "c1")
        assert story is not None and {m.article_id for m in story.members} == {"a1", "b1", "c1"}
        assert lookups != []


# No figures: a copy can be found through its MinHash bands only.
WORDS = ["The harbour board met again on a grey morning to weigh the ferry timetable, the "
         "dredging of the north channel and the complaints of fishermen about the new quay.",
         "Members heard that the old pontoon will close for repairs before the summer season, "
         "and that a temporary landing will be built beside the lifeboat station for visitors.",
         "Residents asked why the parking fees near the market had gone up without notice, and "
         "the board promised a public meeting on the matter later in the spring."]


def test_a_database_with_sixteen_bands_is_rekeyed_and_a_text_copy_still_joins(
        tmp_path: Path) -> None:
    """Schema 12 indexed 16 MinHash bands of 4 values; opening such a file replaces them with
    the 10 bands of 3 that lookups now use (m013), so a copy fetched afterwards that shares
    only its text still finds the story."""
    from briefing.store.keys import band_keys

    first = build("t1", "https://one.example/t", "Harbour board", WORDS)
    sig = stories.signature(first)
    assert not sig.figs and len(sig.minhash) == 64
    path = tmp_path / "s.db"
    with Store(path) as store:
        store.save_articles([first])
        stories.assign_articles(store, [first])
        rowid = store.stories.rowids(["t1"])["t1"]
    when = epoch(stories._stamp(first.published))
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DELETE FROM story_keys")
    conn.executemany("INSERT INTO story_keys VALUES (?,?,?)",
                     [(key_id(k), when, rowid) for k in band_keys(sig.minhash, 16, 4)])
    conn.executescript("ALTER TABLE articles DROP COLUMN entry_hash; DELETE FROM "
                       "_sqlite_migrations WHERE name = 'm013_lean_fetch'; "
                       "PRAGMA user_version = 12;")
    conn.close()
    copy = build("t2", "https://two.example/t", "Harbour board", [*WORDS, "More soon."])
    with Store(path) as store:
        rows = set(store.conn.execute("SELECT key, published, article FROM story_keys"))
        assert rows == {(key_id(k), when, rowid) for k in sig.index_keys}
        assert len(sig.index_keys) == 10
        store.save_articles([copy])
        stories.assign_articles(store, [copy])
        story = stories.story_of(store, "t2")
        assert story is not None and {m.article_id for m in story.members} == {"t1", "t2"}


def _same_match(read: signatures.Match, made: signatures.Match) -> bool:
    return ((read.probes, read.values, read.names, read.minhash.tolist())
            == (made.probes, made.values, made.names, made.minhash.tolist()))


def test_the_match_form_read_from_a_stored_row_is_the_one_the_signature_makes(
        tmp_path: Path) -> None:
    """The writer reads match forms straight from stored rows (version 2, and version 1 as
    older databases hold them), without making Fig objects: the same probes, values, names
    and MinHash as the whole signature's, for every article of the sample feeds and for a
    text too short for a MinHash."""
    with Store(tmp_path / "s.db") as store:
        _fetch(store, ROOT / "sample_feeds")
        rows = store.stories.stored(store.article_ids())
    sigs = [stories.Signature.from_json(r.signature) for r in rows.values()]
    sigs.append(stories.signature(build("short", "https://one.example/s", "Short",
                                        ["Sales rose 12.5% to $4.2bn."])))
    assert len(sigs) > 10 and not sigs[-1].minhash
    assert any(len(s.figs) > 3 for s in sigs)
    for sig in sigs:
        v2 = json.loads(json.dumps(sig.as_json()))
        v1 = {"figs": [[f.kind, f.unit, f.value, f.text, f.weight, sorted(f.context)]
                       for f in sig.figs],
              "names": sorted(sig.names), "minhash": list(sig.minhash), "name": sig.name}
        assert _same_match(signatures.Match.from_data(v2), sig.match)
        assert _same_match(signatures.Match.from_data(v1), sig.match)


def test_one_template_with_other_figures_is_two_stories_and_with_the_same_one() -> None:
    """Scoring: a wire's daily template with other figures scores 0 however alike the words
    (the MinHash is not even needed), the same text with the same figures joins, and a figure
    only within 1% counts half of one stated exactly."""
    text = ("Gold rose {pct} to ${price} an ounce on Tuesday as the dollar weakened and "
            "traders added to bets on lower interest rates, dealers in the city said, while "
            "silver and platinum moved little in thin trading before the holiday.")

    def match(aid: str, pct: str, price: str) -> signatures.Match:
        art = build(aid, f"https://x.example/{aid}", "Gold", [text.format(pct=pct, price=price)])
        return stories.signature(art).match

    day1, again, day2 = match("a", "1.8%", "2,345"), match("b", "1.8%", "2,345"), match(
        "c", "2.4%", "2,410")
    assert len(day1.probes) == 2 and day1.minhash.size
    assert signatures.score(day1, day2) == 0.0
    assert signatures.score(day1, again) == pytest.approx(2.5 + 4.0)  # weights 1 + 1.5, sim 1
    near = match("d", "1.8%", "2,346")  # $2,346 within 1% of $2,345: half its weight
    sim = float((day1.minhash == near.minhash).mean())
    assert sim >= 0.8  # a near-identical text: it joins by its words
    assert signatures.score(day1, near) == pytest.approx(1.0 + 0.75 + 4 * sim)


def test_candidates_share_two_figures_or_two_bands_not_one_of_each(tmp_path: Path) -> None:
    """The candidate rule as the set operations count it: two figure keys, or two MinHash
    bands, in common; one of each is what unrelated items share. Most shared first, then by
    id, with whether a band is among them."""
    held = {"a1": ["f:a", "f:b"], "a2": ["f:a", "h:1"], "a3": ["h:1", "h:2"], "a4": ["f:b"],
            "a5": ["f:a", "f:b", "h:1", "f:c"]}
    arts = [build(aid, f"https://x.example/{aid}", aid, [f"Text of {aid} here."])
            for aid in held]
    with Store(tmp_path / "s.db") as store:
        store.save_articles(arts)
        rows = store.stories.rowids(list(held))
        for aid, keys in held.items():
            store.stories.put(Stored(aid, aid, "2026-11-27T09:00:00", 1.0, "", 1), b"",
                              keys, rows[aid], new=True)
        found = store.stories.candidates(["f:a", "f:b", "h:1", "h:2"], *OPEN,
                                         exclude=rows["a5"], max_postings=100, limit=8)
    assert found == [("a1", "a1", 2, False), ("a3", "a3", 2, True)]


def test_a_candidates_signature_is_read_whether_its_row_is_held_or_written(
        tmp_path: Path) -> None:
    """Matching reads a candidate's stored signature without writing the batch's held rows
    first, unless the candidate is one of them: both read back as the signature stored."""
    first = build("a1", "https://one.example/a", "Plant", COPY)
    other = build("c1", "https://three.example/c", "Other", ["Nothing in common here at all."])
    with Store(tmp_path / "s.db") as store:
        store.save_articles([first, other])
        rows = store.stories.rowids(["a1", "c1"])
        sig = stories.signature(first)
        with store.transaction():
            store.stories.put(Stored("c1", "c1", "2026-11-27T09:00:00", 1.0, "", 1),
                              stories.signature(other).stored, ["f:x"], rows["c1"], new=True)
        with store.transaction():
            store.stories.put(Stored("a1", "a1", "2026-11-27T09:00:00", 1.0, "", 1),
                              sig.stored, sig.index_keys, rows["a1"], new=True)
            written = store.stories.signatures(["c1", "gone"])
            assert written == {"c1": stories.signature(other).stored}
            held = store.stories.signatures(["a1"])
            assert held == {"a1": sig.stored}
        assert store.stories.signatures(["a1"]) == held


def test_a_row_put_twice_under_one_key_is_a_candidate_counted_twice(tmp_path: Path) -> None:
    """An article put twice in one batch holds a key twice: it is found (two postings), and
    counted as the per-posting count had it."""
    arts = [build(aid, f"https://x.example/{aid}", aid, [f"Text of {aid} here."])
            for aid in ("a1", "a2")]
    with Store(tmp_path / "s.db") as store:
        store.save_articles(arts)
        rows = store.stories.rowids(["a1", "a2"])
        with store.transaction():
            for _ in range(2):
                store.stories.put(Stored("a1", "a1", "2026-11-27T09:00:00", 1.0, "", 1), b"",
                                  ["f:a", "h:1"], rows["a1"], new=True)
            found = store.stories.candidates(["f:a", "h:1"], *OPEN, exclude=rows["a2"],
                                             max_postings=100, limit=8)
    assert found == [("a1", "a1", 4, True)]


def test_story_rows_held_for_one_statement_are_read_back_and_dropped_on_rollback(
        tmp_path: Path) -> None:
    """New members, their keys and stories of one are written a batch at a time: whatever
    reads the story tables in the same transaction sees them, the commit writes them, and a
    rollback drops them so that no later transaction writes them."""
    first = build("a1", "https://one.example/a", "Plant", COPY)
    copy = build("b1", "https://two.example/b", "Plant", COPY[::-1])
    other = build("c1", "https://three.example/c", "Other", ["Nothing in common here at all."])
    with Store(tmp_path / "s.db") as store:
        with pytest.raises(RuntimeError), store.transaction():
            store.save_articles([other])
            stories.assign_articles(store, [other])
            assert stories.story_of(store, "c1") is not None  # read back before the commit
            raise RuntimeError("the batch fails")
        with store.transaction():
            store.save_articles([first, copy])
            stories.assign_articles(store, [first, copy])
            joined = stories.story_of(store, "b1")
            assert joined is not None and joined.size == 2
    with Store(tmp_path / "s.db") as store:
        counts = [store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("stories", "story_articles", "articles")]
        assert counts == [1, 2, 2]
        assert store.conn.execute("SELECT count(DISTINCT article) FROM story_keys").fetchone()[
            0] == 2
        assert stories.story_of(store, "c1") is None


@pytest.mark.parametrize("url", [
    "https://www.reuters.com/world/a", "https://REUTERS.com/x?y=1", "http://user:pw@bbc.co.uk:8080/",
    "https://example.org", "https://example.org?q=/a/b", "https://example.org#frag/x",
    "http://[::1]:8000/a", "http://sub.nytimes.com/2025/01/a", "ftp://reuters.com/a",
    "file:///tmp/a.html", "/tmp/a.html", "", "reuters.com/a", "https:/\t/reuters.com/a",
    " https://reuters.com/a", "https://reuters.com\t/a", "mailto:a@reuters.com",
    "https://reuters.com.evil.example/a"])
def test_quality_remembered_by_url_start_is_what_the_url_gives(url: str) -> None:
    # The host's part of quality is remembered by the URL's text up to its third "/": every
    # URL must score as computing it afresh does, however its host is written.
    def fresh(art: Article) -> float:
        host = stories.host_of(art.url)
        score = (1.0 + (3.0 if stories.publisher(host) else 0.0)) if host else 0.0
        return score + (0.5 if art.author else 0.0) + (0.25 if art.translations else 0.0)

    stories._HOST_SCORES.clear()
    art = Article(id="a", url=url, source="s", title="t", text="", paragraphs=(), author="me")
    other = replace(art, url=url + "more/path", author="")
    for a in (art, other, art, other):  # each met twice: the second from the memo
        assert stories.quality(a) == fresh(a)


def test_a_copy_joining_a_big_story_is_checked_against_its_earliest_members_only(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Each join compared the new copy with every member, decoding each one's signature: a
    # story syndicated hundreds of times (or a feed whose items all state the same figures)
    # made every join cost as much as the story's size, and a fetch of 2,600 such items 39.5 s.
    monkeypatch.setattr(stories, "FLAG_MEMBERS", 2)
    copies = [build(f"c{i}", f"https://news{i}.example/cb", "Coral Bay wind farm", [
        "Coral Bay Energy plans to spend $9.4bn on a 3,500 MW wind farm, its largest.",
        f"Coral Bay Energy said the {230 + i} turbines would power 2.6mn homes from 2029."],
        published=f"2026-11-27T0{i}:00:00+00:00") for i in range(5)]
    with Store(tmp_path / "s.db") as store:
        for art in copies:
            store.save_article(art)
            stories.assign(store, [art.id])
        (story,) = stories.list_stories(store)
        assert story.size == 5
        flags = stories.get_story(store, story.id).flags  # type: ignore[union-attr]
        last = {f.detail["a"]["article"] for f in flags if f.detail["b"]["article"] == "c4"} | {
            f.detail["b"]["article"] for f in flags if f.detail["a"]["article"] == "c4"}
        assert last == {"c0", "c1"}  # the two earliest, not all four before it
