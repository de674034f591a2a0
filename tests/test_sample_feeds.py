"""The offline demo: sample_feeds/ loads whole, twice, with teasers filled from local pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.config import Settings
from briefing.pipeline import run_fetch
from briefing.store import Store
from tests.conftest import ROOT

SAMPLES = ROOT / "sample_feeds"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = Store(tmp_path_factory.mktemp("demo") / "demo.db")
    report = run_fetch(Settings(), store, [str(SAMPLES)])
    assert report.failed == []
    assert report.added >= 15
    return store


def test_second_load_adds_nothing(demo: Store) -> None:
    again = run_fetch(Settings(), demo, [str(SAMPLES)])
    assert (again.added, again.updated, again.failed) == (0, 0, [])


def test_teasers_are_filled_from_their_local_pages_once(demo: Store) -> None:
    titles = [a.title for a in demo.list_articles(limit=100)]
    assert len(titles) == len(set(titles)), "a teaser page was stored twice"
    teasers = [a for a in demo.list_articles(limit=100) if a.source.endswith("tech.atom")]
    full = [demo.get_article(a.id) for a in teasers]
    assert all(a is not None and len(a.paragraphs) >= 3 for a in full)


def test_bilingual_post_and_hostile_title(demo: Store) -> None:
    translated = [a for a in demo.list_articles(limit=100) if a.has_translation]
    assert len(translated) == 1
    art = demo.get_article(translated[0].id)
    assert art is not None and art.translations[0].lang == "vi"
    assert any(a.title == "[UPDATE] Markets close higher" for a in demo.list_articles(limit=100))


def test_the_demo_has_a_story_told_twice_with_a_flag_beside_its_translation(demo: Store) -> None:
    """What `make run` shows at once: a story (S) with two sources, a disagreeing figure
    flagged, and one copy translated for the side-by-side view."""
    from briefing import stories

    stories.sync(demo)
    (story,) = stories.list_stories(demo, min_size=2)
    assert len({m.url.split("/")[2] for m in story.members}) == 2
    assert [f.text for f in story.flags] == ["$1.5bn in Mekong Energy Wire, $1.2bn in example.com"]
    copies = [demo.get_article(m.article_id) for m in story.members]
    (translated,) = [a for a in copies if a is not None and a.translations]
    tr = translated.translations[0]
    assert tr.lang == "vi" and len(tr.pairs) >= 8
    assert "9,4 tỷ USD" in " ".join(p.translation for p in tr.pairs)


def test_every_article_is_tagged(demo: Store) -> None:
    for summary in demo.list_articles(limit=100):
        art = demo.get_article(summary.id)
        assert art is not None and art.summary and art.facts, summary.title


def test_opml_lists_the_feeds() -> None:
    from briefing.sources import opml

    feeds = opml.read_file(SAMPLES / "feeds.opml", 1_000_000)
    assert {Path(f.url).name for f in feeds} == {"world.xml", "tech.atom", "markets.xml",
                                                 "energy.xml"}
