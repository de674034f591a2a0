"""The numbers check: a faithful translation has no flags; a dropped or changed figure has."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.translate.check import check_pair
from tests.conftest import seed

EN_TITLE = "TikTok owner ByteDance plans to spend $12bn on AI chips in 2025"


def _body(lines: list[str]) -> list[str]:
    """Body paragraphs: they end as sentences do. Titles, captions, bylines, photo credits
    and the "Recommended" box do not, and have no counterpart on the other side anyway."""
    return [ln for ln in lines if ln[-1] in ".”\"" and "©" not in ln]


def seed_pairs(path: Path) -> list[tuple[str, str]]:
    """(English, Vietnamese) body paragraphs of seed 004, paired by position. The file holds
    a Vietnamese summary, the Vietnamese article (after the `#FT` hashtag line), then the
    English original starting at its title line."""
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    en_start = lines.index(EN_TITLE)
    vi_start = max(i for i, ln in enumerate(lines[:en_start]) if ln.startswith("#")) + 1
    vi = _body(lines[vi_start:en_start])
    en = _body(lines[en_start:])
    assert len(vi) == len(en) > 20
    return list(zip(en, vi, strict=True))


def test_the_seed_translation_is_faithful() -> None:
    pairs = seed_pairs(seed("004_23fcfc9bf839688f.txt"))
    flagged = {en[:50]: check_pair(en, vi, source_lang="en", target_lang="vi")
               for en, vi in pairs}
    assert {k: v for k, v in flagged.items() if v} == {}


def test_the_seed_pairs_really_carry_figures() -> None:
    """Guard against a vacuous pass: dropping the figures from the seed translation flags."""
    pairs = seed_pairs(seed("004_23fcfc9bf839688f.txt"))
    en, vi = next(p for p in pairs if "230,000" in p[0])
    assert check_pair(en, vi.replace("230.000", "320.000"), source_lang="en",
                      target_lang="vi") == ("changed figure: 230,000 → 320.000",)
    en, vi = next(p for p in pairs if p[0].startswith("Tech companies around the world"))
    flags = check_pair(en, vi.replace(", dẫn đầu là Microsoft với 31 tỷ USD chi tiêu vốn", ""),
                       source_lang="en", target_lang="vi")
    assert flags == ("missing figure: $31bn",)


EN = "ByteDance plans to spend $12bn on AI chips in 2025, about 60 per cent in China."


@pytest.mark.parametrize(("vi", "flags"), [
    ("ByteDance dự định chi 12 tỷ USD cho chip AI vào năm 2025, khoảng 60% ở Trung Quốc.", ()),
    ("ByteDance dự định chi cho chip AI vào năm 2025, khoảng 60% ở Trung Quốc.",
     ("missing figure: $12bn",)),
    ("ByteDance dự định chi 21 tỷ USD cho chip AI vào năm 2025, khoảng 60% ở Trung Quốc.",
     ("changed figure: $12bn → 21 tỷ USD",)),
    ("ByteDance dự định chi 12 tỷ nhân dân tệ cho chip AI năm 2025, khoảng 60% ở Trung Quốc.",
     ("missing figure: $12bn", "added figure: 12 tỷ nhân dân tệ")),
    ("ByteDance dự định chi 12 tỷ USD cho chip AI vào năm 2026, khoảng 60% ở Trung Quốc.",
     ("changed figure: 2025 → năm 2026",)),
    ("ByteDance dự định chi 12 tỷ USD cho chip AI vào năm 2025, khoảng 16% ở Trung Quốc.",
     ("changed figure: 60 per cent → 16%",)),
])
def test_changed_or_dropped_figures_are_flagged(vi: str, flags: tuple[str, ...]) -> None:
    assert check_pair(EN, vi, source_lang="en", target_lang="vi") == flags


def test_number_formats_and_dates_of_each_language_match() -> None:
    en = ("In 2024 it ordered about 230,000 chips and budgeted Rmb40bn ($5.5bn); it had 71mn "
          "users as of December and will stay open for 75 days.")
    vi = ("Năm 2024 công ty đặt khoảng 230.000 chip và dành 40 tỷ nhân dân tệ (5,5 tỷ USD); "
          "có 71 triệu người dùng tính đến tháng 12 và sẽ mở cửa trong 75 ngày.")
    assert check_pair(en, vi, source_lang="en", target_lang="vi") == ()


def test_a_changed_count_is_flagged_with_both_forms() -> None:
    en = "In 2024, it ordered about 230,000 of Nvidia's chips."
    vi = "Năm 2024, công ty đã đặt hàng khoảng 320.000 chip Nvidia."
    assert check_pair(en, vi, source_lang="en", target_lang="vi") == (
        "changed figure: 230,000 → 320.000",)


@pytest.mark.parametrize(("en", "vi"), [
    ("Two people familiar with the plans said so.", "Theo 2 người nắm rõ kế hoạch."),
    ("The plan, according to 2 people.", "Kế hoạch, theo hai người."),
])
def test_small_numbers_in_words_match_digits(en: str, vi: str) -> None:
    assert check_pair(en, vi, source_lang="en", target_lang="vi") == ()


def test_rounding_tolerance_is_small() -> None:
    en = "The group will invest $6.8bn."
    assert check_pair(en, "Tập đoàn sẽ đầu tư 6,8 tỷ USD.", source_lang="en",
                      target_lang="vi") == ()
    assert check_pair(en, "Tập đoàn sẽ đầu tư 6,9 tỷ USD.", source_lang="en",
                      target_lang="vi") == ("changed figure: $6.8bn → 6,9 tỷ USD",)


def test_text_without_figures_has_no_flags() -> None:
    assert check_pair("ByteDance faces pressure.", "ByteDance chịu áp lực.",
                      source_lang="en", target_lang="vi") == ()
