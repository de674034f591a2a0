from __future__ import annotations

from pathlib import Path

import pytest

from briefing.clean.language import detect, detect_article, detect_paragraphs
from tests.conftest import seed

SEED_004 = "004_23fcfc9bf839688f.txt"


def _seed_004() -> tuple[list[str], list[str]]:
    """Vietnamese and English body paragraphs of seed 004, picked by shape, not by language:
    long lines (150+ characters) from the first half are the translation, from the second half the
    original. The English half starts at the repeated title, the first line with "$12bn"."""
    lines = seed(SEED_004).read_text(encoding="utf-8").splitlines()
    split = next(i for i, ln in enumerate(lines) if "$12bn" in ln)
    long_ones = [(i, ln) for i, ln in enumerate(lines) if len(ln) >= 150]
    vietnamese = [ln for i, ln in long_ones if i < split]
    english = [ln for i, ln in long_ones if i > split]
    return vietnamese, english


def test_seed_004_paragraphs() -> None:
    vietnamese, english = _seed_004()
    assert len(vietnamese) >= 10 and len(english) >= 10
    assert all(detect(p) == "vi" for p in vietnamese)
    assert all(detect(p) == "en" for p in english)


def test_seed_004_article_language_is_the_one_with_most_characters() -> None:
    vietnamese, english = _seed_004()
    langs, article = detect_paragraphs(english + vietnamese[:2])
    assert article == "en"
    assert langs == ["en"] * len(english) + ["vi", "vi"]
    langs, article = detect_paragraphs(vietnamese + english[:1])
    assert article == "vi"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("The port handled a record number of containers last year, officials said.", "en"),
        ("Le port a traité un nombre record de conteneurs l'an dernier, selon la mairie.", "fr"),
        ("Der Hafen hat im vergangenen Jahr eine Rekordzahl an Containern umgeschlagen.", "de"),
        ("Cảng đã xử lý số lượng container kỷ lục trong năm ngoái, theo các quan chức.", "vi"),
    ],
)
def test_detect_own_sentences(text: str, code: str) -> None:
    assert detect(text) == code


@pytest.mark.parametrize(
    "short", ["", "   ", "Nvidia H20", "Share post:", "12,500 / 3.4% / 2026-03-10", "$12bn", "🙂🙂"]
)
def test_short_or_numeric_strings_fall_back(short: str) -> None:
    assert detect(short) == ""
    assert detect(short, fallback="vi") == "vi"


def test_short_paragraphs_take_the_article_language() -> None:
    paragraphs = [
        "The ferry operator will buy twelve electric ships for $1.2bn, its chief executive said.",
        "Photo: Nordvik",
        "Delivery of the first ships is expected in the spring of 2028, according to the yard.",
    ]
    langs, article = detect_paragraphs(paragraphs)
    assert article == "en"
    assert langs == ["en", "en", "en"]


def test_nothing_to_judge_gives_the_fallback() -> None:
    assert detect_paragraphs([], fallback="fr") == ([], "fr")
    assert detect_paragraphs(["42", "---"], fallback="fr") == (["fr", "fr"], "fr")


def test_sample_bilingual_post() -> None:
    path = Path(__file__).resolve().parent.parent / "sample_feeds/articles/bilingual-post.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    bullets = [ln for ln in lines if ln.startswith("- ")]
    english_title = next(i for i, ln in enumerate(lines) if "$9.4bn" in ln)
    english = [ln for ln in lines[english_title:] if len(ln) >= 150]
    assert len(bullets) >= 5 and len(english) >= 5
    assert all(detect(b) == "vi" for b in bullets)
    assert all(detect(p) == "en" for p in english)


_ENGLISH = [
    "The harbour authority said on Monday that it would deepen the main channel over the next "
    "eight years, so that the largest container ships can call without waiting for the tide.",
    "Officials expect the work to bring several thousand jobs to the region and said that the "
    "first contracts for dredging and for the new quay walls would be signed before summer.",
    "Reporting by Oskar Lindqvist; editing by Maria Holm",
]
_VIETNAMESE = ("Cảng biển cho biết sẽ nạo vét luồng chính trong tám năm tới để các tàu container "
               "lớn nhất có thể cập cảng mà không phải chờ thủy triều lên.")
_GERMAN = ("Die Hafenbehörde erklärte am Montag, dass der Hauptkanal in den nächsten acht Jahren "
           "vertieft werden soll, damit die größten Containerschiffe jederzeit anlegen können.")


@pytest.mark.parametrize("paragraphs", [
    _ENGLISH,
    [*_ENGLISH[:2], _VIETNAMESE, _ENGLISH[2]],
    [_VIETNAMESE, _ENGLISH[0], _GERMAN, _ENGLISH[1]],
    [_ENGLISH[0], _VIETNAMESE],  # one plain paragraph only: judged as before
    ["Share post:", "12,000"],
])
def test_detect_article_agrees_with_judging_every_paragraph(paragraphs: list[str]) -> None:
    """The plain paragraphs judged as one sample, the others (and short lines) alone: the
    same labels as judging each paragraph, with fewer calls' worth of text."""
    assert detect_article(paragraphs, "en") == detect_paragraphs(paragraphs, "en")


def test_detect_article_still_finds_the_other_language_of_a_mixed_text() -> None:
    langs, article = detect_article([*_ENGLISH[:2], _VIETNAMESE, _GERMAN])
    assert (langs, article) == (["en", "en", "vi", "de"], "en")
