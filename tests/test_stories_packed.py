"""Stored story signatures, version 3 (packed): what matching reads of a candidate comes from
the first part of the row without parsing its JSON, the whole signature still reads back as
it was, older rows still read, and the rows are no bigger than version 2's."""

from __future__ import annotations

import contextlib
import json
import zlib
from dataclasses import replace
from pathlib import Path

import pytest

from briefing import signatures, stories
from briefing.signatures import Match, Signature
from briefing.store import Store
from briefing.store.keys import PACKED, WIDE, decode_signature
from tests.conftest import ROOT
from tests.test_stories import COPY, _fetch, build


def _same_match(read: Match, made: Match) -> bool:
    return ((read.probes, read.values, read.names, read.minhash.tolist())
            == (made.probes, made.values, made.names, made.minhash.tolist()))


def _v2(sig: Signature) -> bytes:
    """What version 2 stored: the JSON text of `as_json`, deflated."""
    text = json.dumps(sig.as_json(), ensure_ascii=False, separators=(",", ":"))
    return zlib.compress(text.encode(), 6)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> list[Signature]:
    """Every signature of the sample feeds, one with repeated and round figures, and one of
    a text too short for a MinHash."""
    with Store(tmp_path_factory.mktemp("packed") / "s.db") as store:
        _fetch(store, ROOT / "sample_feeds")
        rows = store.stories.stored(store.article_ids())
    sigs = [Signature.from_json(r.signature) for r in rows.values()]
    sigs.append(stories.signature(build(
        "many", "https://one.example/m", "Many",
        ["Sales rose 12.5% to $4.2bn, and 12.5% again to $4.2bn; costs fell 50% to $1bn.",
         "It hired 3 people, then 4,350 more, and 4,350 again, over 2 years."])))
    sigs.append(stories.signature(build("short", "https://one.example/s", "Short",
                                        ["Sales rose 12.5% to $4.2bn."])))
    assert len(sigs) > 10 and not sigs[-1].minhash
    assert any(len(s.figs) > 3 for s in sigs)
    return sigs


def test_a_packed_signature_reads_back_whole_and_matches_as_the_one_made(
        sample: list[Signature]) -> None:
    for sig in sample:
        stored = sig.stored
        assert stored[:1] == PACKED
        assert decode_signature(stored) == json.loads(json.dumps(sig.as_json()))
        assert Signature.from_json(decode_signature(stored)) == sig
        assert _same_match(Match.from_stored(stored), sig.match)
        # The worker's compact form reads its match form the same way.
        assert _same_match(signatures.Compact(stored).match, sig.match)


def test_a_signature_with_more_than_255_figures_is_packed_wide(
        sample: list[Signature]) -> None:
    sig = max(sample, key=lambda s: len(s.figs))
    figs = tuple(replace(f, value=f.value * (1 + n / 10)) for n in range(30) for f in sig.figs)
    for f in figs:
        f.__dict__.pop("bucket", None)
        f.__dict__.pop("own_key", None)
    many = replace(sig, figs=figs)
    assert len(figs) > 255 and many.stored[:1] == WIDE
    assert Signature.from_json(decode_signature(many.stored)) == many
    assert _same_match(Match.from_stored(many.stored), many.match)


def test_a_candidate_read_back_scores_without_making_its_probes(
        sample: list[Signature]) -> None:
    """Scoring reads only the number of the other article's probes: a match form read from a
    packed row makes them only when asked for, and scores as the one made."""
    for mine in sample:
        for other in sample:
            read = Match.from_stored(other.stored)
            assert signatures.score(mine.match, read) == signatures.score(mine.match,
                                                                          other.match)
            assert "probes" not in read.__dict__ and read.count == len(other.match.probes)
    assert any(signatures.score(a.match, b.match) > 0 for a in sample for b in sample
               if a is not b)


def test_packed_signatures_are_no_bigger_than_version_2(sample: list[Signature]) -> None:
    assert sum(len(s.stored) for s in sample) <= sum(len(_v2(s)) for s in sample)


def test_older_rows_still_read_the_same(sample: list[Signature]) -> None:
    for sig in sample:
        v2 = _v2(sig)
        text = json.dumps(sig.as_json())
        v1 = json.dumps({"figs": [[f.kind, f.unit, f.value, f.text, f.weight, sorted(f.context)]
                                  for f in sig.figs],
                         "names": sorted(sig.names), "minhash": list(sig.minhash),
                         "name": sig.name})
        for old in (v2, text, v1):
            assert Signature.from_json(decode_signature(old)) == sig
            assert _same_match(Match.from_stored(old), sig.match)


def test_a_signature_that_cannot_be_packed_is_stored_as_version_2(
        sample: list[Signature]) -> None:
    sig = max(sample, key=lambda s: len(s.figs))
    odd = [replace(sig, figs=(replace(sig.figs[0], weight=0.3), *sig.figs[1:])),
           replace(sig, names=sig.names | {"nul\0name"})]
    for made in odd:
        assert made.stored[:1] != PACKED and made.stored == _v2(made)
        assert Signature.from_json(decode_signature(made.stored)) == made
        assert _same_match(Match.from_stored(made.stored), made.match)


def test_a_damaged_packed_row_is_a_value_error(sample: list[Signature]) -> None:
    """A damaged file: every truncation fails as ValueError (the match form reads only the
    first part: cut after it, it is the one stored), and every changed byte either fails so
    or reads as something; no other exception escapes."""
    sig = max(sample, key=lambda s: len(s.figs))
    stored = sig.stored
    for end in range(1, len(stored)):
        with pytest.raises(ValueError):
            decode_signature(stored[:end])
        with contextlib.suppress(ValueError):
            assert _same_match(Match.from_stored(stored[:end]), sig.match)
    for at in range(1, len(stored)):
        for flip in (0x01, 0x80, 0xFF):
            damaged = stored[:at] + bytes([stored[at] ^ flip]) + stored[at + 1:]
            for read in (decode_signature, Match.from_stored):
                with contextlib.suppress(ValueError):
                    read(damaged)


def test_a_copy_joins_a_candidate_read_back_from_its_packed_row(tmp_path: Path) -> None:
    """A new connection has no memo: the candidate's match form comes from its stored row."""
    first = build("a1", "https://one.example/a", "Plant", COPY)
    with Store(tmp_path / "s.db") as store:
        store.save_articles([first])
        stories.assign_articles(store, [first])
        (raw,) = store.conn.execute(
            "SELECT signature FROM story_articles WHERE article_id = 'a1'").fetchone()
        assert raw[:1] == PACKED
    with Store(tmp_path / "s.db") as store:
        copy = build("b1", "https://two.example/b", "Plant", COPY[::-1])
        store.save_articles([copy])
        stories.assign_articles(store, [copy])
        story = stories.story_of(store, "b1")
        assert story is not None and {m.article_id for m in story.members} == {"a1", "b1"}


def test_candidates_read_from_the_table_come_with_their_signatures(tmp_path: Path) -> None:
    """A candidate the connection has not met is read from the table once, with its stored
    signature: matching then reads that signature without another statement."""
    first = build("a1", "https://one.example/a", "Plant", COPY)
    with Store(tmp_path / "s.db") as store:
        store.save_articles([first])
        stories.assign_articles(store, [first])
    copy = build("b1", "https://two.example/b", "Plant", COPY[::-1])
    sig = stories.signature(copy)
    with Store(tmp_path / "s.db") as store:
        store.save_articles([copy])
        rowid = store.stories.rowids(["b1"])["b1"]
        found = store.stories.candidates(sig.lookup_keys, *stories._window(""), exclude=rowid,
                                         max_postings=100, limit=8)
        assert [aid for aid, _sid, _n, _band in found] == ["a1"]
        statements: list[str] = []
        store.conn.set_trace_callback(statements.append)
        held = store.stories.signatures(["a1"])
        store.conn.set_trace_callback(None)
        assert statements == [] and held == {"a1": stories.signature(first).stored}
        # Handed out once: asked again, it is read from the table.
        store.conn.set_trace_callback(statements.append)
        assert store.stories.signatures(["a1"]) == held
        store.conn.set_trace_callback(None)
        assert len(statements) == 1
