"""The numbers check: does a translated paragraph keep every figure of its original?

Both sides go through `briefing.facts.extract` in their own language, so `$12bn` and
`12 tỷ USD`, `230,000` and `230.000`, `60 per cent` and `60%`, `December` and `tháng 12`
come out as the same normalised values. We compare money, percent, count, duration and date
facts as multisets; names are left alone (transliteration and word order make them noisy).

A flag is a short line for the reader: `missing figure: $12bn` when the original's figure has
no counterpart, `changed figure: 230,000 → 320.000` when a figure of the same kind took its
place, `added figure: 5%` when the translation has a figure the original lacks.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

from briefing.models import Fact

NUMERIC = ("money", "percent", "count", "duration")
CHECKED = (*NUMERIC, "date")
# Rounding a translator may do ("$5.46bn" → "5,5 tỷ USD" is not faithful, "$5.5bn" → "5,5 tỷ
# USD" is): half a percent is below any rounding a news figure survives.
REL_TOL = 0.005

_MONTHS = {
    **{m: i for i, m in enumerate(
        ("january", "february", "march", "april", "may", "june", "july", "august",
         "september", "october", "november", "december"), 1)},
    **{m[:3]: i for i, m in enumerate(
        ("january", "february", "march", "april", "may", "june", "july", "august",
         "september", "october", "november", "december"), 1)},
    "sept": 9,
}
_WEEKDAYS = {
    "monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6,
    "sunday": 7, "thứ hai": 1, "thứ ba": 2, "thứ tư": 3, "thứ năm": 4, "thứ sáu": 5,
    "thứ bảy": 6, "chủ nhật": 7, "thứ 2": 1, "thứ 3": 2, "thứ 4": 3, "thứ 5": 4, "thứ 6": 5,
    "thứ 7": 6,
}
# Relative dates the extractor leaves as text when it has no publication date to resolve them.
_RELATIVE = {
    "today": "d0", "hôm nay": "d0", "yesterday": "d-1", "hôm qua": "d-1", "tomorrow": "d1",
    "ngày mai": "d1", "this week": "w0", "tuần này": "w0", "last week": "w-1",
    "tuần trước": "w-1", "tuần qua": "w-1", "next week": "w1", "tuần tới": "w1",
    "tuần sau": "w1", "this month": "m0", "tháng này": "m0", "last month": "m-1",
    "tháng trước": "m-1", "tháng qua": "m-1", "next month": "m1", "tháng tới": "m1",
    "tháng sau": "m1", "this year": "y0", "năm nay": "y0", "last year": "y-1",
    "năm ngoái": "y-1", "năm trước": "y-1", "năm qua": "y-1", "next year": "y1",
    "năm tới": "y1", "năm sau": "y1",
}
_VI_MONTH = re.compile(r"^tháng\s+(\d{1,2})$")


def check_pair(original: str, translation: str, *, source_lang: str,
               target_lang: str) -> tuple[str, ...]:
    """Flags for figures of `original` that `translation` drops or changes (empty when all
    figures survive)."""
    from briefing.facts import extract

    orig = [f for f in extract(original, paragraph=0, language=source_lang)
            if f.kind in CHECKED]
    trans = [f for f in extract(translation, paragraph=0, language=target_lang)
             if f.kind in CHECKED]
    return compare(orig, trans, original=original, translation=translation)


def compare(orig: Sequence[Fact], trans: Sequence[Fact], *, original: str = "",
            translation: str = "") -> tuple[str, ...]:
    """Match facts one to one, strictest rule first, and describe what is left over."""
    # A small number one side spells out ("two people") may be a digit on the other ("2
    # người"), and extractors rightly refuse to read every bare small word as a count. Such a
    # leftover is not flagged when the other side's text has the same number in any form.
    left = [f for f in orig if not _small_number_in(f, translation)]
    right = [f for f in trans if not _small_number_in(f, original)]
    # 1. same kind, same value (money: same currency too).
    _match(left, right, lambda a, b: a.kind == b.kind and _same(a, b))
    # 2. a figure the two extractors typed differently ("3 quý" as a count on one side, a
    #    duration on the other) but with the same number is still the same figure.
    _match(left, right, lambda a, b: a.kind in NUMERIC and b.kind in NUMERIC
           and a.kind != "money" and b.kind != "money" and _close(a.value, b.value))
    # Dates we cannot normalise (odd phrasings) are not judged either way.
    left = [f for f in left if f.kind != "date" or _date_key(f) is not None]
    right = [f for f in right if f.kind != "date" or _date_key(f) is not None]
    flags: list[str] = []
    for a in left:
        b = next((b for b in right if _comparable(a, b)), None)
        if b is None:
            flags.append(f"missing figure: {a.text}")
        else:
            right.remove(b)
            flags.append(f"changed figure: {a.text} → {b.text}")
    flags.extend(f"added figure: {b.text}" for b in right)
    return tuple(flags)


_EN_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
             "fourteen fifteen sixteen seventeen eighteen nineteen twenty")
# Vietnamese "năm" is also "year" (năm 2025), so five is left out ("_").
_VI_WORDS = "không một hai ba bốn _ sáu bảy tám chín mười"
_WORDS = {
    **{w: i for i, w in enumerate(_EN_WORDS.split())},
    **{w: i for i, w in enumerate(_VI_WORDS.split()) if i and w != "_"},
    "hai mươi": 20,
}
_WORD_RE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _WORDS), key=len, reverse=True))
                      + r")\b", re.IGNORECASE)


def _small_number_in(f: Fact, other: str) -> bool:
    """Is the fact a small count or duration whose number `other` writes in some form?"""
    if f.kind not in ("count", "duration") or isinstance(f.value, str) or not other:
        return False
    value = float(f.value)
    if value != int(value) or not 0 < value <= 20:
        return False
    n = int(value)
    if re.search(rf"(?<![\d.,]){n}(?![\d]|[.,]\d)", other):
        return True
    return any(_WORDS[m.group(1).lower()] == n for m in _WORD_RE.finditer(other))


def _match(left: list[Fact], right: list[Fact], same: Callable[[Fact, Fact], bool]) -> None:
    for a in list(left):
        b = next((b for b in right if same(a, b)), None)
        if b is not None:
            left.remove(a)
            right.remove(b)


def _same(a: Fact, b: Fact) -> bool:
    if a.kind == "date":
        key = _date_key(a)
        return key is not None and key == _date_key(b)
    if a.kind == "money" and a.unit.upper() != b.unit.upper():
        return False
    if a.kind == "duration" and a.unit and b.unit and a.unit != b.unit:
        return False
    # counts: the unit is a noun in each language ("chips" / "chip"), so only the value counts.
    return _close(a.value, b.value)


def _comparable(a: Fact, b: Fact) -> bool:
    """Could `b` be `a` changed? Same kind, and for money the same currency."""
    if a.kind != b.kind:
        return False
    return a.kind != "money" or a.unit.upper() == b.unit.upper()


def _close(x: float | str, y: float | str) -> bool:
    if isinstance(x, str) or isinstance(y, str):
        return str(x) == str(y)
    return math.isclose(float(x), float(y), rel_tol=REL_TOL, abs_tol=1e-9)


def _date_key(f: Fact) -> str | None:
    """A language-free key for a date fact: "2024-12" stays, "December" and "tháng 12" become
    "month:12", "Sunday" and "Chủ nhật" become "weekday:7", "last year" and "năm ngoái" "y-1"."""
    value = str(f.value).strip()
    if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
        return value
    low = " ".join(value.lower().replace("/", " ").split())
    if low in _RELATIVE:
        return _RELATIVE[low]
    if low in _WEEKDAYS:
        return f"weekday:{_WEEKDAYS[low]}"
    if low in _MONTHS:
        return f"month:{_MONTHS[low]}"
    m = _VI_MONTH.match(low)
    if m and 1 <= int(m.group(1)) <= 12:
        return f"month:{int(m.group(1))}"
    return None
