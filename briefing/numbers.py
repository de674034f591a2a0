"""Numbers in English and Vietnamese news: parsing "5,5" and "230.000", and finding money,
percentages, durations and counts as raw hits (kind, span, value, unit) for facts.py.

Every rule is a compiled regex built once from the tables in gazetteer.py; one `finditer` per
rule per paragraph keeps a 1,000-word article well under a millisecond per rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from briefing import gazetteer as gz


class Hit(NamedTuple):
    """A candidate fact before overlaps are settled; lower `rank` wins an overlap."""

    rank: int
    start: int
    end: int
    kind: str
    value: float | str
    unit: str


def _alternation(words: Iterable[str]) -> str:
    # Longest first, so "đô la Mỹ" beats "đô" and "US$" beats "$".
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# A number as written: "230,000" / "230.000" (grouped thousands), "5.5" / "5,5", "12".
# Grouped thousands come first so "230.000" is never read as 230 then ".000".
_NUM = r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
# No digit glued to a letter or hyphen before it: "H20", "GPT-4", "COVID-19" are names.
_BEFORE = r"(?<![\w.,\-/:$£€¥])"
# Nor a letter, slash or colon after it: "3rd", "5G", "12/2024" (a date), "10:30" (a time).
_AFTER = r"(?![\w%/:]|[.,]\d)"
_WORDNUM = r"(?i:" + _alternation(gz.NUMBER_WORDS) + r")"
_LONG_MULT = _alternation(m for m in gz.MULTIPLIERS if m not in gz.GLUED_ONLY)
_GLUED_MULT = _alternation(gz.GLUED_ONLY)
# "bn"/"billion"/"tỷ" may follow a space; "m" and "k" only glued ("$5m"), as "5 m" is metres.
_MULT = rf"(?P<mult>\s?(?:{_LONG_MULT})|{_GLUED_MULT})(?!\w)"

MONEY_PREFIX = re.compile(
    rf"(?<![\w$£€¥])(?P<cur>{_alternation(gz.CURRENCY_PREFIX)})\s?(?P<num>{_NUM})"
    rf"(?:{_MULT})?{_AFTER}"
)
MONEY_SUFFIX = re.compile(
    rf"{_BEFORE}(?P<num>{_NUM})(?:{_MULT})?\s?(?P<cur>{_alternation(gz.CURRENCY_SUFFIX)})(?!\w)"
)
PERCENT = re.compile(
    rf"{_BEFORE}(?P<num>{_NUM}|{_WORDNUM})\s?"
    r"(?P<pct>%|(?:percentage points?|per cent|percent|pc|điểm phần trăm|phần trăm)(?!\w))"
)
_DUR_WORDS = _alternation(gz.DURATION_UNITS)
DURATION = re.compile(
    rf"{_BEFORE}(?P<num>{_NUM}|{_WORDNUM})[\s-](?P<dur>(?i:{_DUR_WORDS}))(?P<plural>s)?(?!\w)"
    # "10 hours ago" / "10 giờ trước" is page furniture (when it was posted), not a duration.
    r"(?P<ago>\s+(?:ago|trước)(?!\w))?"
)
COUNT = re.compile(rf"{_BEFORE}(?P<num>{_NUM}|{_WORDNUM})(?:{_MULT})?{_AFTER}")
# A plain four-digit number in this range is a year: dates.py-style rules in facts.py own it.
_YEAR = re.compile(r"1[89]\d\d|20\d\d")
_GROUPED = re.compile(r"\d{1,3}(?:([.,])\d{3})+(?:([.,])\d+)?")
_NEXT_WORD = re.compile(r"\s+([“\"]?[^\W\d_][\w’'-]*[”\"]?)")

# Head nouns of counts that do not end in "s".
_IRREGULAR_PLURALS = frozenset({
    "people", "children", "staff", "men", "women", "personnel", "police", "cattle", "data",
})
# Modifiers kept in a count's unit: they change what is counted ("monthly active users").
_COUNT_MODIFIERS = frozenset({
    "monthly", "weekly", "daily", "active", "new", "paying", "registered", "unique",
    "full-time", "foreign", "domestic", "young", "older",
})
# Not plural nouns although they end in "s".
_NOT_PLURAL = frozenset({"was", "has", "this", "its", "his", "hers", "as", "us", "is", "plus",
                         "across", "less", "unless", "thus", "whereas", "series", "news"})
# "230,000 of Nvidia's chips": skip these to reach the counted noun.
_DETERMINERS = frozenset({"of", "the", "its", "their", "his", "her", "our", "more", "less",
                          "most", "extra"})
# Vietnamese words that end a count's noun phrase rather than start it.
_VI_STOP = frozenset({"mà", "và", "của", "cho", "ở", "tại", "trong", "với", "từ", "theo", "là",
                      "được", "đã", "sẽ", "có", "này", "đó", "so", "khi", "để", "nhưng", "hơn",
                      "trên", "dưới", "đến", "tới", "vào", "ra"})
# Two-syllable Vietnamese nouns kept whole ("người dùng" = users).
_VI_COMPOUNDS = frozenset({"người dùng", "khách hàng", "nhân viên", "công nhân", "lao động",
                           "sinh viên", "học sinh", "doanh nghiệp", "công ty", "người dân",
                           "thuê bao", "tài khoản", "ca nhiễm", "hành khách", "du khách"})


def parse_number(raw: str, language: str) -> float:
    """Parse a written number: "230,000" and Vietnamese "230.000" are 230000; "5.5" and
    Vietnamese "5,5" are 5.5. A word number ("three") comes from the table."""
    word = gz.NUMBER_WORDS.get(raw.lower())
    if word is not None:
        return float(word)
    grouped = _GROUPED.fullmatch(raw)
    if grouped and (grouped.group(2) is None or grouped.group(2) != grouped.group(1)):
        # Grouped thousands, with an optional decimal part in the other separator.
        thousands = grouped.group(1)
        decimal = "," if thousands == "." else "."
        return float(raw.replace(thousands, "").replace(decimal, "."))
    if "," in raw:
        # One comma: decimal in Vietnamese ("5,5"), otherwise a stray grouping comma.
        return float(raw.replace(",", ".")) if language == "vi" else float(raw.replace(",", ""))
    return float(raw)


def _multiplier(match: re.Match[str]) -> float:
    mult = match.group("mult")
    return gz.MULTIPLIERS[mult.strip()] if mult else 1.0


def money(text: str, language: str) -> Iterator[Hit]:
    for rule in (MONEY_PREFIX, MONEY_SUFFIX):
        for m in rule.finditer(text):
            value = parse_number(m.group("num"), language) * _multiplier(m)
            unit = (gz.CURRENCY_PREFIX if rule is MONEY_PREFIX else gz.CURRENCY_SUFFIX)[
                m.group("cur")
            ]
            if unit == "VND" and value < 100 and not m.group("mult"):
                continue  # "2 đồng nghiệp" is two colleagues; real VND amounts are large
            yield Hit(0, m.start(), m.end(), "money", value, unit)


def percents(text: str, language: str) -> Iterator[Hit]:
    for m in PERCENT.finditer(text):
        unit = "pp" if "point" in m.group("pct") or "điểm" in m.group("pct") else "%"
        yield Hit(1, m.start(), m.end(), "percent", parse_number(m.group("num"), language), unit)


def durations(text: str, language: str) -> Iterator[Hit]:
    for m in DURATION.finditer(text):
        if m.group("ago"):
            # Claim the span so no count is made of it either, then drop it in facts.py.
            yield Hit(3, m.start(), m.end(), "skip", "", "")
            continue
        unit = gz.DURATION_UNITS[m.group("dur").lower()]
        yield Hit(3, m.start(), m.end(), "duration", parse_number(m.group("num"), language), unit)


def counts(text: str, language: str) -> Iterator[Hit]:
    for m in COUNT.finditer(text):
        raw = m.group("num")
        if _YEAR.fullmatch(raw) and not m.group("mult"):
            continue
        big = bool(m.group("mult")) or _GROUPED.fullmatch(raw) is not None
        noun = _vi_noun(text, m.end()) if language == "vi" else _en_noun(text, m.end(), big)
        if noun is None and not big:
            continue  # a bare small number ("the 2 sides", "No 1") is not a figure
        value = parse_number(raw, language) * _multiplier(m)
        yield Hit(4, m.start(), m.end(), "count", value, noun or "")


def _words_after(text: str, pos: int, limit: int) -> list[str]:
    words: list[str] = []
    while len(words) < limit:
        m = _NEXT_WORD.match(text, pos)
        if not m:
            break
        words.append(m.group(1).strip("“”\""))
        pos = m.end()
    return words


def _is_plural(word: str) -> bool:
    low = word.lower()
    if low in _IRREGULAR_PLURALS:
        return True
    return (len(low) > 3 and low.endswith("s") and not low.endswith(("ss", "us", "is"))
            and low not in _NOT_PLURAL and low not in gz.STOPWORDS)


def _en_noun(text: str, pos: int, big: bool) -> str | None:
    """The counted noun after a number: "170mn US users" -> "US users". Big numbers may reach
    over "of the ..." ("230,000 of Nvidia's chips"); small ones need the noun right there."""
    mods: list[str] = []
    for i, word in enumerate(_words_after(text, pos, 7)):
        low = word.lower()
        if big and (low in _DETERMINERS or word.endswith(("’s", "'s"))):
            mods = []
            continue
        if _is_plural(word):
            return " ".join([*mods[-2:], word]) if mods else word
        if low in gz.STOPWORDS or low in gz.DURATION_UNITS or (not big and i >= 2):
            return None
        keep = low in _COUNT_MODIFIERS or (word.isupper() and 1 < len(word) < 5)
        mods = [*mods, word] if keep else []
    return None


def _vi_noun(text: str, pos: int) -> str | None:
    """The counted noun after a Vietnamese number: "230.000 chip" -> "chip",
    "170 triệu người dùng" -> "người dùng". Nouns follow the number in Vietnamese."""
    words = _words_after(text, pos, 2)
    if not words or not words[0][0].islower() or words[0] in _VI_STOP:
        return None
    if words[0] in gz.DURATION_UNITS:
        return None
    if len(words) == 2 and f"{words[0]} {words[1]}" in _VI_COMPOUNDS:
        return f"{words[0]} {words[1]}"
    return words[0]
