"""analyse(): facts of a whole article, bullets, summary and tags."""

from __future__ import annotations

import dataclasses

import pytest

from briefing.models import Paragraph
from briefing.tagger import MAX_TAGS, TAGGER_VERSION, Analysis, analyse
from tests.test_facts import PUBLISHED, seed_parts
from tests.test_summarize import ARTICLE, TITLE, paragraphs


def run(paras: list[Paragraph], title: str = TITLE, language: str = "en",
        feed_tags: tuple[str, ...] = ()) -> Analysis:
    return analyse(paras, title=title, language=language, published=PUBLISHED,
                   feed_tags=feed_tags)


def test_version_is_an_int() -> None:
    assert isinstance(TAGGER_VERSION, int) and TAGGER_VERSION >= 1


def test_analysis_is_frozen_and_deterministic() -> None:
    first = run(paragraphs(ARTICLE))
    assert run(paragraphs(ARTICLE)) == first
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.summary = "x"  # type: ignore[misc]


def test_facts_in_paragraph_order_with_offsets() -> None:
    paras = paragraphs(ARTICLE)
    result = run(paras)
    order = [(f.paragraph, f.start) for f in result.facts]
    assert order == sorted(order)
    for f in result.facts:
        assert paras[f.paragraph].text[f.start:f.end] == f.text


def test_links_are_rebased_into_the_combined_tuple() -> None:
    paras = paragraphs(["Sales rose 5% to $3bn in 2024.", *ARTICLE[:2],
                        "Kestrel paid Rmb7bn ($1bn) for it."])
    facts = run(paras).facts
    linked = [i for i, f in enumerate(facts) if f.link is not None]
    assert len(linked) == 2
    for i in linked:
        partner = facts[facts[i].link]  # type: ignore[index]
        assert partner.link == i and partner.paragraph == facts[i].paragraph
        assert partner.kind == "money"
    assert {facts[i].paragraph for i in linked} == {3}


def test_tags_names_topics_and_feed_tags() -> None:
    result = run(paragraphs(ARTICLE), feed_tags=("Energy", "orbis holdings"))
    assert len(result.tags) <= MAX_TAGS
    assert result.tags[0] == "Orbis Holdings"  # in the title and the body
    assert "Energy" in result.tags
    folded = [t.casefold() for t in result.tags]
    assert len(folded) == len(set(folded))  # the feed's duplicate of a name is dropped


def test_empty_article() -> None:
    result = run([])
    assert result == Analysis(facts=(), key_facts=(), summary="", tags=())


def test_tags_respect_the_feed_budget() -> None:
    result = run(paragraphs(ARTICLE), feed_tags=tuple(f"feed{i}" for i in range(6)))
    assert len(result.tags) == MAX_TAGS
    assert "Orbis Holdings" in result.tags


@pytest.mark.parametrize("part", ["spun-en", "vi", "original-en"])
def test_seed_analysis(part: str) -> None:
    language, lines = seed_parts()[part]
    paras = paragraphs(lines, language)
    result = run(paras, title=lines[0], language=language, feed_tags=("FT",))
    assert 5 <= len(result.key_facts) <= 12
    assert result.summary
    assert {"ByteDance", "Nvidia", "China"} <= set(result.tags)
    assert result.tags[-1] == "FT"
    assert "USD" not in result.tags


def test_bilingual_article_keeps_bullets_in_its_language() -> None:
    vi_lang, vi_lines = seed_parts()["vi"]
    _, en_lines = seed_parts()["original-en"]
    paras = [Paragraph(i, t, "vi") for i, t in enumerate(vi_lines)]
    paras += [Paragraph(len(paras) + i, t, "en") for i, t in enumerate(en_lines)]
    result = run(paras, title=vi_lines[0], language=vi_lang)
    vi_indexes = {p.index for p in paras if p.language == "vi"}
    assert all(k.paragraph in vi_indexes for k in result.key_facts)
    # Facts come from both halves, each read with its own number style.
    assert {f.value for f in result.facts if f.kind == "count"} >= {230000.0, 485000.0}
    assert len(result.facts) > 300
