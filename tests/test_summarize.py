"""Sentence splitting, key-fact bullets and the extractive summary."""

from __future__ import annotations

import pytest

from briefing.facts import FIGURE_KINDS, extract
from briefing.models import Fact, KeyFact, Paragraph
from briefing.summarize import MAX_BULLETS, MAX_PIECE_CHARS, MIN_BULLETS, key_facts, summary
from briefing.text import split_sentences
from tests.test_facts import PUBLISHED, seed_parts

ARTICLE = [
    "Orbis Holdings plans to spend $4bn on new battery plants in 2026, the company said.",
    "The Oslo-based group will borrow Nkr10bn ($0.9bn) from banks. It expects the plants to "
    "employ 3,000 workers within three years.",
    "Demand for its cells rose 40 per cent last year, according to analysts at Kestrel Labs.",
    "Chief executive Ingrid Moe said the group would not sell its stake in the mine.",
    "Its order book held 120,000 units at the end of December, up from 80,000 a year earlier.",
    "Rivals have cut prices, and margins fell to 12% in the third quarter.",
    "Shares rose 4% on Monday. Orbis also confirmed the $4bn budget in a filing.",
    "The company did not comment on its plans for Asia.",
]
TITLE = "Orbis Holdings to spend $4bn on battery plants"


def paragraphs(texts: list[str], language: str = "en") -> list[Paragraph]:
    return [Paragraph(i, t, language) for i, t in enumerate(texts)]


def all_facts(paras: list[Paragraph]) -> list[Fact]:
    return [f for p in paras
            for f in extract(p.text, paragraph=p.index, language=p.language, published=PUBLISHED)]


@pytest.mark.parametrize(("text", "expected"), [
    ("One. Two here.", ["One.", "Two here."]),
    ("It cost $5.5bn. Mr. Lee agreed. Prices rose in the U.S. Then fell.",
     ["It cost $5.5bn.", "Mr. Lee agreed.", "Prices rose in the U.S. Then fell."]),
    ("He said: “It works.” She left!", ["He said: “It works.”", "She left!"]),
    ("Visit Aicorp.com for more. J. Smith wrote it.", ["Visit Aicorp.com for more.",
                                                     "J. Smith wrote it."]),
    ("Giá tăng 5,5%. Đây là mức cao nhất.", ["Giá tăng 5,5%.", "Đây là mức cao nhất."]),
    ("No full stop at the end", ["No full stop at the end"]),
    ("", []),
])
def test_sentences(text: str, expected: list[str]) -> None:
    assert [text[s:e] for s, e in split_sentences(text)] == expected


def check_bullets(bullets: list[KeyFact], paras: list[Paragraph], facts: list[Fact]) -> None:
    by_index = {p.index: p for p in paras}
    positions = []
    seen: set[tuple[str, object]] = set()
    for bullet in bullets:
        text = by_index[bullet.paragraph].text
        assert bullet.text[1:] in text  # the article's own words (first letter may be raised)
        positions.append((bullet.paragraph, text.index(bullet.text[1:])))
        start = text.index(bullet.text[1:]) - 1
        figures = {(f.kind, f.value) for f in facts if f.paragraph == bullet.paragraph
                   and start <= f.start < start + len(bullet.text) and f.kind in FIGURE_KINDS}
        assert figures - seen, f"bullet repeats known figures: {bullet.text}"
        seen |= figures
    assert positions == sorted(positions)


def test_key_facts_own_article() -> None:
    paras = paragraphs(ARTICLE)
    facts = all_facts(paras)
    bullets = key_facts(paras, facts, "en", TITLE)
    assert MIN_BULLETS <= len(bullets) <= MAX_BULLETS
    check_bullets(bullets, paras, facts)
    texts = " ".join(b.text for b in bullets)
    for figure in ("$4bn", "Nkr10bn", "40 per cent", "120,000", "12%"):
        assert figure in texts
    # The repeated "$4bn" in the filing sentence adds nothing, but "4%" is new.
    assert sum("$4bn" in b.text for b in bullets) == 1
    assert "Ingrid Moe said" not in texts  # no figure


def test_key_facts_caps_at_twelve() -> None:
    texts = [f"Unit {i} sold {1000 + i * 7:,} cars and grew {i + 1} per cent." for i in range(30)]
    paras = paragraphs(texts)
    bullets = key_facts(paras, all_facts(paras), "en")
    assert len(bullets) == MAX_BULLETS
    assert [b.paragraph for b in bullets] == sorted(b.paragraph for b in bullets)


def test_key_facts_few_figures_tops_up_with_dates() -> None:
    paras = paragraphs(["It grew 5% this year.", "It launched in August 2023.",
                        "Nobody knows why."])
    bullets = key_facts(paras, all_facts(paras), "en")
    assert [b.text for b in bullets] == ["It grew 5% this year.", "It launched in August 2023."]


def test_key_facts_skip_captions_and_other_languages() -> None:
    paras = [Paragraph(0, "Sales rose 20% in May 2024.", "en"),
             Paragraph(1, "Doanh số tăng 20% trong năm 2024.", "vi"),
             Paragraph(2, "A plant that cost $2bn © Photo agency", "en", kind="caption")]
    bullets = key_facts(paras, all_facts(paras), "vi")
    assert [b.paragraph for b in bullets] == [1]


def test_long_sentence_is_cut_to_the_clause_with_its_figure() -> None:
    text = ("Tidewater, which has long argued that regulators in several countries were slow "
            "to approve its plans, and which has spent years lobbying in the capital for "
            "changes to the rules, said on Tuesday that it would invest $2bn in a new port, "
            "while critics said the project would harm the coastline and the fishing towns "
            "nearby for decades.")
    paras = paragraphs([text])
    bullets = key_facts(paras, all_facts(paras), "en")
    assert len(bullets) == 1
    assert "$2bn" in bullets[0].text and len(bullets[0].text) < len(text)
    assert "critics" not in bullets[0].text


def test_a_paragraph_with_no_full_stop_is_not_one_huge_bullet() -> None:
    """A run the sentence splitter cannot cut (a flattened table, a script without ". ")
    is the whole paragraph: the bullet and the summary keep at most MAX_PIECE_CHARS of it,
    around the figure, cut at spaces."""
    filler = " ".join(["harbour works along the quay"] * 3_000)
    text = f"{filler} the council will spend $2bn on the new wall {filler}"
    paras = paragraphs([text])
    bullets = key_facts(paras, all_facts(paras), "en")
    assert len(bullets) == 1
    bullet = bullets[0].text
    assert "$2bn" in bullet
    assert len(bullet) <= MAX_PIECE_CHARS + 2  # and an ellipsis at each cut end
    assert bullet.startswith("…") and bullet.endswith("…")
    assert bullet.strip("…") in text  # cut at spaces: words whole
    lead = summary(paras, all_facts(paras), "en", "Port")
    assert 0 < len(lead) <= MAX_PIECE_CHARS + 3 and lead.strip("….") in text


def test_summary_is_two_or_three_article_sentences() -> None:
    paras = paragraphs(ARTICLE)
    facts = all_facts(paras)
    text = summary(paras, facts, "en", TITLE)
    picked = [text[s:e] for s, e in split_sentences(text)]
    assert 2 <= len(picked) <= 3
    body = " ".join(ARTICLE)
    assert all(s in body for s in picked)
    assert summary(paras, facts, "en", TITLE) == text  # deterministic
    assert "$4bn" in picked[0]  # the lead carries the story


def test_a_sentence_said_twice_is_summarised_and_bulleted_once() -> None:
    """A lede repeated lower down (a pull quote, a wire's recap): both copies ranked as high
    as each other and both came into the summary, and the copy's date topped up the bullets
    beside the first. Spacing aside, it is one claim."""
    lede = ("Kestrel Ports said on Monday it would spend $2.4bn on a terminal in Gdansk, "
            "adding 1,200 jobs by 2028.")
    texts = [lede,
             "The terminal will handle 900,000 containers a year, chief executive Rui Costa "
             "said, and revenue rose 12% to $800mn last year.",
             "  " + lede.replace(" ", "  ") + " ",
             "Analysts said the move reflected stronger demand across the region for "
             "shipping and storage.",
             "Construction starts in June 2026 and the first phase costs $300mn, officials "
             "said in a statement."]
    paras = paragraphs(texts)
    facts = all_facts(paras)
    lead = summary(paras, facts, "en", "Kestrel Ports to build terminal")
    assert " ".join(lead.split()).count("Kestrel Ports said on Monday") == 1
    assert "900,000 containers" in lead and "$300mn" in lead  # the freed place goes on
    bullets = key_facts(paras, facts, "en")
    said = [" ".join(b.text.split()).casefold() for b in bullets]
    assert len(said) == len(set(said)) == 3
    assert [b.paragraph for b in bullets] == [0, 1, 4]


def test_summary_of_nothing_is_empty() -> None:
    assert summary([], [], "en", "Title") == ""
    assert summary(paragraphs(["Short."]), [], "en", "Title") == ""


@pytest.mark.parametrize("part", ["spun-en", "vi", "original-en"])
def test_seed_bullets(part: str) -> None:
    language, lines = seed_parts()[part]
    paras = paragraphs(lines, language)
    facts = all_facts(paras)
    bullets = key_facts(paras, facts, language, lines[0])
    assert MIN_BULLETS <= len(bullets) <= MAX_BULLETS
    check_bullets(bullets, paras, facts)
    money = {f.value for f in facts if f.kind == "money" and any(
        b.paragraph == f.paragraph and f.text in b.text for b in bullets)}
    # The story's headline sums must be in the bullets, as in the seed's own bullet list.
    assert {12e9, 40e9, 6.8e9, 300e9, 11.6e9} <= money


@pytest.mark.parametrize("part", ["spun-en", "vi", "original-en"])
def test_seed_summary(part: str) -> None:
    language, lines = seed_parts()[part]
    paras = paragraphs(lines, language)
    text = summary(paras, all_facts(paras), language, lines[0])
    assert 100 < len(text) < 900
    assert "©" not in text


@pytest.mark.parametrize(("language", "text", "expected"), [
    ("es", "La Sra. López dijo que sí. Luego se fue.", ["La Sra. López dijo que sí.",
                                                         "Luego se fue."]),
    ("pt", "A Dra. Silva chegou. O voo atrasou.", ["A Dra. Silva chegou.", "O voo atrasou."]),
    ("en", "The Dra. Silva case. It closed.", ["The Dra.", "Silva case.", "It closed."]),
])
def test_sentences_know_each_languages_abbreviations(language: str, text: str,
                                                     expected: list[str]) -> None:
    assert [text[s:e] for s, e in split_sentences(text, language)] == expected
