"""Every number in a paragraph, for the translation check (`read_figures`).

facts.py reads figures a reader would list (money, counts of things, durations); the
translation check needs more: every numeral and number word on either side must find its
counterpart on the other, so "seven million" must meet "7 triệu", "the ninth largest" "thứ
9", "150 feet" "50m" and "Friday" "thứ 6". Each figure comes with its unit, converted to the
unit's base, so the check can compare across conventions. The word and unit tables are in
gazetteer.py; this module holds the rules that read them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from briefing import gazetteer as gz
from briefing.numbers import _alternation, parse_number


class Figure(NamedTuple):
    """One number as written, with what it measures. `value` is in the dimension's base unit
    (metres, square metres, kilograms, litres, watts, seconds, °C, minutes after midnight),
    `number` as written with scale words applied ("2.3 million" is 2.3e6 in both)."""

    start: int
    end: int
    number: float
    dim: str  # "" (bare), "%", "pp", "money:USD", "length", "time", "month", "weekday", ...
    unit: str  # the unit within the dimension ("ft", "m", "hour"), "" when implied
    value: float
    digits: bool  # written with digits; a slip or a changed figure shows there
    # Other readings of the same words, (dim, unit, value): "thứ 6" is Friday or sixth,
    # "10 giờ" ten hours or ten o'clock, "pounds" money or weight, English "50m" 50 million
    # or 50 metres.
    alt: tuple[tuple[str, str, float], ...] = ()


def _phrases(table: Iterable[str], *, ci: bool = False) -> re.Pattern[str]:
    alternation = _alternation(table)
    return re.compile(rf"(?P<sp>[\s-]?)(?P<u>{'(?i:' + alternation + ')' if ci else alternation})"
                      r"(?![\w²])")


# Scale words after a number, possibly two ("nghìn tỷ" is 10^12); "m" and "k" only glued.
_SCALE_AFTER = _phrases([*gz.SCALE_WORDS, "m", "k", "bln", "mln", "trn"], ci=False)
_SCALE_EXTRA = {"bln": 1e9, "mln": 1e6, "trn": 1e12, "m": 1e6, "k": 1e3}
_PERCENT_AFTER = re.compile(
    r"\s?(?P<u>%|(?i:percentage points?|per cent|percent|pc|điểm phần trăm|phần trăm))(?!\w)")
_CURRENCY_AFTER = _phrases(gz.CURRENCY_SUFFIX)
_CURRENCY_BEFORE = re.compile(rf"(?:{_alternation(gz.CURRENCY_PREFIX)})\s?$")
_MEASURE_AFTER = _phrases(gz.MEASURE_UNITS)
_EN_TIME = {**{u: f for u, f in gz.TIME_UNITS.items() if u.isascii()},
            **{u + "s": f for u, f in gz.TIME_UNITS.items() if u.isascii()}}
_VI_TIME = {u: f for u, f in gz.TIME_UNITS.items() if not u.isascii() or u == "tiếng"}
_TIME_AFTER = {"en": _phrases(_EN_TIME, ci=True), "vi": _phrases(_VI_TIME, ci=True)}
# "10 giờ 30" (half past ten), "10h30", "10:30", "3 p.m.", "7 o'clock".
_VI_CLOCK_MINUTES = re.compile(r"\s(?P<min>[0-5]?\d)(?:\s?phút)?(?!\w|[.,]\d)")
_CLOCK_H = re.compile(r"h(?P<min>[0-5]\d)?(?!\w)")
_COLON_MINUTES = re.compile(r":(?P<min>[0-5]\d)(?![\d:])")
_MERIDIEM = re.compile(r"\s?(?:(?i:[ap]\.m\.?|[ap]m)|o['’]clock)(?!\w)")
# One name per unit of time, so "3 năm" and "three years" are the same unit (compared
# strictly), while "two weeks" and "14 ngày" are a conversion.
_TIME_NAMES = {"giây": "second", "phút": "minute", "giờ": "hour", "tiếng": "hour", "ngày": "day",
               "tuần": "week", "tháng": "month", "năm": "year", "thập kỷ": "decade",
               "thập kỉ": "decade", "thập niên": "decade", "thế kỷ": "century",
               "thế kỉ": "century", "centurie": "century", "centuries": "century",
               "quý": "quarter"}
_ORDINAL_SUFFIX = re.compile(r"(?:st|nd|rd|th)(?!\w)")
_DECADE_SUFFIX = re.compile(r"['’]?s(?!\w)")
_NEXT_WORD_FULL = re.compile(r"(?P<sep>\s+(?:and\s+)?|\s*-\s*)(?P<w>[^\W\d_]+)")
_EN_MONTHS = {m: float(n) for m, n in gz.MONTHS_EN.items() if len(m) > 3 or m == "May"}
_WEEKDAY_EN = re.compile(
    rf"(?:{_alternation(d.capitalize() for d in gz.WEEKDAY_NUMBERS if d.isascii())})s?(?!\w)")
# "một" is "one" and the article "a"; in these phrases it is neither a figure nor an article
# a translator would render as "1": "một số" (some), "một cách" (-ly), "một mình" (alone).
_VI_ONE_IDIOMS = frozenset({"số", "chút", "cách", "mình", "vài", "ít", "khi", "lúc", "loạt",
                            "hồi", "nào", "thời", "mực", "phen", "tí", "xíu"})
# "ba" is "three" and also "dad"; "chín" is "nine" and also "ripe".
_VI_NOT_NUMBER_AFTER = {"ba": frozenset({"mẹ", "má", "tôi", "em", "anh", "chị", "nó", "của",
                                         "ơi", "mình", "ấy"}),
                        "chín": frozenset({"chắn", "muồi", "mọng", "rục", "tới"})}
# "năm" is "five" only before what can be counted; otherwise it is "year" ("năm 2025", "năm
# nay", "cuối năm").
_VI_FIVE_BEFORE = frozenset({*gz.TIME_UNITS, *gz.SCALE_WORDS, "người", "lần", "loại", "cái",
                             "con", "chiếc", "bước", "điều", "câu", "nước", "quốc", "thành",
                             "đứa", "cuốn", "quyển", "phần", "ngôi", "tiếng", "đêm", "tầng",
                             "bài", "vị", "nhóm", "đội", "lớp", "cây", "km", "mét"})
_VI_NOT_FIVE_AFTER = frozenset({"bao", "hàng", "mỗi", "những", "các", "nhiều", "vài", "mấy",
                                "cả", "từng", "hằng", "của"})


def read_figures(text: str, language: str) -> list[Figure]:
    """Every numeral and number word in `text`, left to right, with its unit."""
    lang = language[:2].lower()
    words = _number_word_start(lang)
    out: list[Figure] = []
    pos = 0
    for m in words.finditer(text):
        if m.start() < pos:
            continue
        fig = _figure_at(text, m, lang)
        if fig is not None:
            out.append(fig)
            pos = fig.end
    return out


_STARTS: dict[str, re.Pattern[str]] = {}


def _number_word_start(lang: str) -> re.Pattern[str]:
    """Where a figure may start: digits, and in English and Vietnamese the number words, month
    and weekday names, ordinals and "thứ N" / "tháng N"."""
    pattern = _STARTS.get(lang)
    if pattern is None:
        if lang == "en":
            table = [*gz.EN_NUMBER_WORDS, *gz.EN_ORDINALS, "hundred", "thousand", "million",
                     "billion", "trillion", "a", "an", "final"]
            extra = rf"|(?<![\w’'])(?:{_alternation(_EN_MONTHS)}|{_WEEKDAY_EN.pattern})"
        elif lang == "vi":
            table = [*gz.VI_NUMBER_WORDS, "năm", "thứ", "tháng", "quý", "chủ nhật", "trăm",
                     "nghìn", "ngàn", "triệu", "tỷ", "tỉ", "chục", "gấp"]
            extra = ""
        else:
            table, extra = [], ""
        words = rf"|(?<![\w’'])(?i:{_alternation(table)})(?![\w’'])" if table else ""
        roman = r"|\b[IVX]{2,5}\b" if lang in ("en", "vi") else ""
        pattern = re.compile(rf"\d+(?:[.,]\d+)*{words}{extra}{roman}")
        _STARTS[lang] = pattern
    return pattern


def _figure_at(text: str, m: re.Match[str], lang: str) -> Figure | None:
    raw = m.group(0)
    if raw[0].isdigit():
        return _digits_at(text, m, lang)
    low = raw.lower()
    if raw[0] in "IVX" and raw.isupper() and raw.isalpha():
        return _roman(text, m)
    if lang == "en":
        if raw in _EN_MONTHS:
            return _en_month(text, m)
        if _WEEKDAY_EN.fullmatch(raw):
            n = gz.WEEKDAY_NUMBERS[raw.rstrip("s").lower()]
            return Figure(m.start(), m.end(), n, "weekday", "", n, False)
        if low in gz.EN_ORDINALS or low == "final":
            # "the fourth quarter", "the final quarter" are "quý 4".
            quarter = _EN_QUARTER.match(text, m.end())
            n = 4.0 if low == "final" else gz.EN_ORDINALS[low]
            if quarter and n <= 4:
                return Figure(m.start(), quarter.end(), n, "quarter", "", n, False)
            if low == "final":
                return None
            return Figure(m.start(), m.end(), n, "ordinal", "", n, False)
        return _en_words(text, m)
    if low == "thứ":
        return _vi_ordinal(text, m)
    if low == "tháng":
        return _vi_month(text, m)
    if low == "quý":
        return _vi_quarter(text, m)
    if low == "chủ nhật":
        return Figure(m.start(), m.end(), 8.0, "weekday", "", 8.0, False)
    if low == "gấp":  # "gấp đôi" (double), "gấp 6 lần" (six times): the number after counts
        nxt = _NEXT_WORD_FULL.match(text, m.end())
        if nxt and nxt.group("w").lower() == "đôi":
            return Figure(m.start(), nxt.end(), 2.0, "", "", 2.0, False)
        return None
    return _vi_words(text, m)


def _tails(text: str, start: int, end: int, number: float, lang: str, *, digits: bool,
           scaled: bool) -> Figure:
    """What follows a number settles what it measures: scale words, then a percent sign, a
    currency, a unit of measure or of time, or a clock time."""
    before = _CURRENCY_BEFORE.search(text, max(0, start - 6), start)
    if before:
        cur = gz.CURRENCY_PREFIX[before.group(0).strip()]
        return Figure(before.start(), end, number, f"money:{cur}", "", number, digits)
    pct = _PERCENT_AFTER.match(text, end)
    if pct:
        dim = "pp" if "point" in pct.group("u").lower() or "điểm" in pct.group("u") else "%"
        return Figure(start, pct.end(), number, dim, "", number, digits)
    cur_m = _CURRENCY_AFTER.match(text, end)
    if cur_m and not (lang == "en" and cur_m.group("u") == "won"):
        cur = gz.CURRENCY_SUFFIX[cur_m.group("u")]
        if cur != "VND" or number >= 100 or scaled:  # "2 đồng nghiệp" is two colleagues
            alt = (("mass", "lb", number * 0.453592),) if cur_m.group("u") == "pounds" else ()
            return Figure(start, cur_m.end(), number, f"money:{cur}", "", number, digits, alt)
    unit = _MEASURE_AFTER.match(text, end)
    if unit and (unit.group("sp") == "" or unit.group("u") not in gz.GLUED_UNITS):
        dim, name, factor = gz.MEASURE_UNITS[unit.group("u")]
        value = _celsius(number, name) if dim == "temp" else number * factor
        return Figure(start, unit.end(), number, dim, name, value, digits)
    return _time_tail(text, start, end, number, lang, digits)


def _time_tail(text: str, start: int, end: int, number: float, lang: str,
               digits: bool) -> Figure:
    pattern = _TIME_AFTER.get(lang)
    unit = pattern.match(text, end) if pattern else None
    if unit:
        word = unit.group("u").lower()
        if lang == "vi" and word in ("tháng", "năm") and re.match(r"\s+\d", text[unit.end():]):
            unit = None  # "5 tháng 3" is the fifth of March, not five months
    if unit:
        word = unit.group("u").lower()
        key = word if word in gz.TIME_UNITS else word[:-1]
        seconds = number * gz.TIME_UNITS.get(key, gz.TIME_UNITS.get(word, 1.0))
        name = _TIME_NAMES.get(key, key)
        if lang == "vi" and word == "giờ":
            minutes = _VI_CLOCK_MINUTES.match(text, unit.end())
            if minutes and number <= 24:
                clock = number * 60 + int(minutes.group("min"))
                return Figure(start, minutes.end(), number, "clock", "", clock, digits)
            return Figure(start, unit.end(), number, "time", name, seconds, digits,
                          (("clock", "", number * 60),))
        return Figure(start, unit.end(), number, "time", name, seconds, digits)
    if digits and number <= 24 and number == int(number):
        read = _clock(text, end, number)
        if read is not None:
            return Figure(start, read[0], number, "clock", "", read[1], digits, read[2])
    return Figure(start, end, number, "", "", number, digits)


def _clock(text: str, end: int, hours: float
           ) -> tuple[int, float, tuple[tuple[str, str, float], ...]] | None:
    hm = _COLON_MINUTES.match(text, end) or _CLOCK_H.match(text, end)
    minutes = int(hm.group("min") or 0) if hm else 0
    stop = hm.end() if hm else end
    mer = _MERIDIEM.match(text, stop)
    if hm is None and mer is None:
        return None
    value = hours * 60 + minutes
    if mer and "p" in mer.group(0).lower() and hours < 12:
        # "3 p.m." is 15:00, though a translator may write "3 giờ chiều" (3 o'clock, afternoon).
        return (mer.end(), value + 720, (("clock", "", value),))
    return (mer.end() if mer else stop, value, ())


def _celsius(number: float, scale: str) -> float:
    return (number - 32) * 5 / 9 if scale == "F" else number


def _digits_at(text: str, m: re.Match[str], lang: str) -> Figure | None:
    start, end, raw = m.start(), m.end(), m.group(0)
    if _glued_name(text, start) and not _CURRENCY_BEFORE.search(text, max(0, start - 6), start):
        return _code(text, start, end)
    try:
        number = parse_number(raw, lang)
    except ValueError:
        return None
    if end < len(text) and text[end].isalpha():
        suffix = _ORDINAL_SUFFIX.match(text, end)
        if suffix:
            return Figure(start, suffix.end(), number, "ordinal", "", number, True)
        decade = _DECADE_SUFFIX.match(text, end)
        if decade:  # "the 1980s", "the '70s"
            return Figure(start, decade.end(), number, "", "", number, True)
        glued = _SCALE_AFTER.match(text, end) or _MEASURE_AFTER.match(text, end)
        clock = _CLOCK_H.match(text, end) if lang == "vi" else None
        if glued is None and clock is None:
            return _code(text, start, end)  # "5G", "3D", "4K": names, not figures
    if lang == "en" and re.match(r"m(?![\w²])", text[end:end + 2]) and not \
            _CURRENCY_BEFORE.search(text, max(0, start - 6), start):
        # English "50m" is usually 50 million, but it may be 50 metres.
        return Figure(start, end + 1, number * 1e6, "", "", number * 1e6, True,
                      (("length", "m", number),))
    number, stop, scaled = _scale(text, end, number, glued_ok=True, lang=lang)
    return _tails(text, start, stop, number, lang, digits=True, scaled=scaled)


def _code(text: str, start: int, end: int) -> Figure | None:
    """Digits inside a name ("AED4EU", "COVID-19", "Tosh.0"): the name must come back with the
    same digits. `unit` is what leads to its first digits ("aed#"), so a changed digit pairs
    with its old self even where the translator spelt the rest otherwise ("AED4U")."""
    left = start
    while left > 0 and (text[left - 1].isalnum() or text[left - 1] in ".-_") and \
            (text[left - 1] not in ".-" or (left > 1 and text[left - 2].isalnum())):
        left -= 1
    right = end
    while right < len(text) and (text[right].isalnum() or text[right] == "_"):
        right += 1
    token = text[left:right]
    try:
        number = float(re.sub(r"[.,]", "", text[start:end]))
    except ValueError:
        return None
    lead = text[left:start].lower()
    shape = lead + "#" if lead else re.sub(r"\d+(?:[.,]\d+)*", "#", token.lower())
    return Figure(left, right, number, "code", shape, number, True)


def _glued_name(text: str, start: int) -> bool:
    """Digits that belong to a name: "H20", "Tosh.0", "COVID-19", "GPT-4" (but "15-30",
    "mid-70s" and "9/11" are numbers)."""
    if start == 0:
        return False
    before = text[start - 1]
    if before.isalpha() or before == "_":
        return True
    if before in ".-" and start > 1 and text[start - 2].isalpha():
        word = _WORD_BEFORE.search(text, max(0, start - 24), start - 1)
        return word is None or any(c.isupper() or c.isdigit() for c in word.group(0))
    return False


_WORD_BEFORE = re.compile(r"[\w.]+$")


def _scale(text: str, pos: int, number: float, *, glued_ok: bool, lang: str,
           last: float = 1.0) -> tuple[float, int, bool]:
    """Apply scale words after a number: "2.3 million", "7 triệu", "2 nghìn tỷ", "hai triệu
    rưỡi" (2.5 million). `last` is the scale a word number already applied."""
    scaled = False
    while True:
        m = _SCALE_AFTER.match(text, pos)
        if m is None:
            break
        word = m.group("u")
        if m.group("sp") == "-" or word == "mươi" or not _is_scale(text, m.end(), word):
            break  # "325-million"; "mươi" only inside word numbers; "tỷ lệ" is a rate
        if word in ("m", "k") and (m.group("sp") or not glued_ok):
            break  # "5 m" is metres, "a m" nothing
        if word == "m" and lang != "en":
            break  # Vietnamese "50m" is 50 metres
        last = gz.SCALE_WORDS.get(word) or _SCALE_EXTRA[word]
        number *= last
        pos, scaled = m.end(), True
    half = re.match(r"\s(?:rưỡi|and a half)(?!\w)", text[pos:pos + 12])
    halved = re.match(r"\snửa(?!\w)", text[pos:pos + 6])
    if half:
        number += 0.5 * last
        pos += half.end()
    elif halved and number == 1:
        number, pos = 0.5, pos + halved.end()  # "1 nửa" is a half
    return number, pos, scaled


def _is_scale(text: str, end: int, word: str) -> bool:
    """"tỷ" ends a scale word unless a word follows that makes it "rate" or "billionaire"."""
    if word not in ("tỷ", "tỉ"):
        return True
    nxt = _NEXT_WORD_FULL.match(text, end)
    return nxt is None or nxt.group("w").lower() not in gz.VI_NOT_SCALE_AFTER


_ROMAN = re.compile(r"(?:X{0,3})(?:IX|IV|V?I{0,3})")
_ROMAN_VALUE = {"I": 1, "V": 5, "X": 10}


def _roman(text: str, m: re.Match[str]) -> Figure | None:
    """"Avatar II", "World War II": a Roman numeral after a capitalised word."""
    raw = m.group(0)
    before = _WORD_BEFORE_SPACE.search(text, max(0, m.start() - 24), m.start())
    if not _ROMAN.fullmatch(raw) or before is None or not before.group(1)[0].isupper():
        return None
    values = [_ROMAN_VALUE[c] for c in raw]
    n = sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))
    return Figure(m.start(), m.end(), float(n), "", "", float(n), False)


# "a year" is "1 năm", "an hour" "một giờ": the article counts before a unit.
_EN_ONE_UNIT = frozenset({*(u for u in gz.TIME_UNITS if u.isascii()), "foot", "mile", "metre",
                          "meter", "kilometre", "kilometer", "kilogram", "ton", "tonne",
                          "gallon", "litre", "liter", "acre", "hectare", "square"})


def _en_words(text: str, m: re.Match[str]) -> Figure | None:
    """English number words: "seven", "twenty-five", "a hundred and fifty", "two and a half
    billion", "a dozen", "twice". "a" counts only before a scale word ("a million")."""
    first = m.group(0).lower()
    pos, total, current = m.end(), 0.0, 0.0
    state = ""
    if first in ("a", "an"):
        nxt = _NEXT_WORD_FULL.match(text, pos)
        if nxt and nxt.group("w").lower() in _EN_ONE_UNIT and not nxt.group("sep").strip():
            return _tails(text, m.start(), pos, 1.0, "en", digits=False, scaled=False)
        if not nxt or nxt.group("w").lower() not in ("hundred", "thousand", "million",
                                                      "billion", "trillion", "dozen", "half"):
            return None
        current, state = 1.0, "a"
    elif first in ("hundred", "thousand", "million", "billion", "trillion"):
        if _APPROX_BEFORE.search(text, max(0, m.start() - 12), m.start()):
            return None  # "several hundred", "a few million"
        if first == "hundred":
            current, state = 100.0, "hundred"
        else:  # "thousand-year-old"
            total, state = gz.SCALE_WORDS[first], "scale"
    else:
        current, state = gz.EN_NUMBER_WORDS[first], _en_state(first)
    while True:
        nxt = _NEXT_WORD_FULL.match(text, pos)
        if nxt is None:
            break
        word = nxt.group("w").lower()
        has_and = "and" in nxt.group("sep")
        if word in ("hundred", "thousand", "million", "billion", "trillion", "dozen") and \
                state in ("a", "unit", "tens", "hundred") and not has_and:
            scale = 12.0 if word == "dozen" else gz.SCALE_WORDS[word]
            if scale == 100:
                current, state = (current or 1) * 100, "hundred"
            else:
                total, current, state = total + (current or 1) * scale, 0.0, "scale"
            pos = nxt.end()
        elif word in gz.EN_NUMBER_WORDS and gz.EN_NUMBER_WORDS[word] < 10 and state == "tens" \
                and not has_and:
            current += gz.EN_NUMBER_WORDS[word]
            pos, state = nxt.end(), "unit"
        elif word in gz.EN_NUMBER_WORDS and 1 <= gz.EN_NUMBER_WORDS[word] < 100 and state in (
                "hundred", "scale") and (has_and or nxt.group("sep").strip() == ""):
            current += gz.EN_NUMBER_WORDS[word]
            pos, state = nxt.end(), _en_state(word)
        elif word == "a" and has_and and text[nxt.end():nxt.end() + 5] == " half":
            current += 0.5
            pos, state = nxt.end() + 5, "unit"
        else:
            break
    number = total + current
    if state == "a" and number == 1.0 and first in ("a", "an"):
        return None
    digits_scaled = state in ("scale", "hundred")
    number, pos, scaled = _scale(text, pos, number, glued_ok=False, lang="en")
    return _tails(text, m.start(), pos, number, "en", digits=False,
                  scaled=scaled or digits_scaled)


_APPROX_BEFORE = re.compile(rf"(?i:\b(?:{'|'.join(gz.APPROX_BEFORE)})\s+)$")


def _en_state(word: str) -> str:
    value = gz.EN_NUMBER_WORDS.get(word, 0.0)
    if word in ("half", "double", "twice", "triple", "dozen"):
        return "end"
    return "tens" if value >= 20 and value % 10 == 0 else "unit"


def _vi_words(text: str, m: re.Match[str]) -> Figure | None:
    """Vietnamese number words: "bảy", "hai mươi lăm" (25), "ba trăm linh năm" (305), "hai
    triệu rưỡi" (2.5 million), "một nửa" (a half)."""
    first = m.group(0).lower()
    if first in ("trăm", "nghìn", "ngàn", "triệu", "tỷ", "tỉ", "chục"):
        return None  # a scale word with no number before it: "trăm nghìn", "hàng triệu"
    if _VI_APPROX_BEFORE.search(text, max(0, m.start() - 6), m.start()):
        return None  # "vài ba", "mấy hai"
    nxt = _NEXT_WORD_FULL.match(text, m.end())
    after = nxt.group("w").lower() if nxt and nxt.group("sep").strip() in ("",) else ""
    if first == "năm":
        prev = _WORD_BEFORE_SPACE.search(text, max(0, m.start() - 12), m.start())
        if after not in _VI_FIVE_BEFORE or (prev and prev.group(1).lower() in _VI_NOT_FIVE_AFTER):
            return None
    if first == "một" and after in _VI_ONE_IDIOMS:
        return None
    if after in _VI_NOT_NUMBER_AFTER.get(first, ()):
        return None
    if first == "nửa":
        return _tails(text, m.start(), m.end(), 0.5, "vi", digits=False, scaled=False)
    number, pos = (5.0 if first == "năm" else gz.VI_NUMBER_WORDS[first]), m.end()
    total, last, scale_used = 0.0, "", 1.0
    while True:
        nxt = _NEXT_WORD_FULL.match(text, pos)
        if nxt is None or nxt.group("sep").strip():
            break
        word = nxt.group("w").lower()
        if word == "mươi" and number < 10 and last == "":
            number, last = number * 10, "mươi"
        elif (word in ("lăm", "mốt", "tư") and last in ("mươi",)) or (
                word in ("lăm", "một", "hai", "ba", "bốn", "sáu", "bảy", "tám", "chín")
                and first == "mười" and last == ""):
            number += gz.VI_COMPOUND_ONLY.get(word, gz.VI_NUMBER_WORDS.get(word, 0.0))
            last = "unit"
        elif word in ("một", "hai", "ba", "bốn", "sáu", "bảy", "tám", "chín") and last == "mươi":
            number += gz.VI_NUMBER_WORDS[word]
            last = "unit"
        elif word in ("trăm", "nghìn", "ngàn", "triệu", "tỷ", "tỉ", "chục", "tá") and \
                _is_scale(text, nxt.end(), word):
            scale = scale_used = gz.SCALE_WORDS[word]
            if scale < 1000:
                number, last = number * scale, "trăm"
            else:
                total, number, last = (total + number) * scale, 0.0, "scale"
        elif word in ("linh", "lẻ") and last == "trăm":
            last = "linh"
        elif word in gz.VI_NUMBER_WORDS and word != "nửa" and last in ("trăm", "linh", "scale"):
            number += gz.VI_NUMBER_WORDS[word]
            last = "unit"
        elif word == "nửa" and number == 1 and last == "":
            number, last = 0.5, "end"
        else:
            break
        pos = nxt.end()
    number += total
    number, pos, scaled = _scale(text, pos, number, glued_ok=False, lang="vi", last=scale_used)
    return _tails(text, m.start(), pos, number, "vi", digits=False,
                  scaled=scaled or last in ("scale", "trăm"))


_VI_APPROX_BEFORE = re.compile(r"(?i:\b(?:vài|mấy|dăm)\s+)$")
_WORD_BEFORE_SPACE = re.compile(r"(\w+)\s+$")


def _vi_ordinal(text: str, m: re.Match[str]) -> Figure | None:
    """"thứ 6" / "thứ Sáu": Friday, or the sixth; "thứ nhất": the first."""
    nxt = _NEXT_WORD_FULL.match(text, m.end())
    digits = re.match(r"\s(\d{1,3})(?!\d|[.,]\d)", text[m.end():m.end() + 5])
    if digits:
        n, end, is_digits = float(digits.group(1)), m.end() + digits.end(), True
    elif nxt and not nxt.group("sep").strip():
        word = nxt.group("w").lower()
        table = {**gz.VI_NUMBER_WORDS, "tư": 4.0, "năm": 5.0, "nhất": 1.0}
        if word not in table or word == "nửa":
            return None
        n, end, is_digits = table[word], nxt.end(), False
    else:
        return None
    alt = (("weekday", "", n),) if 2 <= n <= 7 else ()
    return Figure(m.start(), end, n, "ordinal", "", n, is_digits, alt)


def _vi_month(text: str, m: re.Match[str]) -> Figure | None:
    """"tháng 7", "Tháng Bảy", "tháng Giêng": a month. ("3 tháng" is a duration, read from the
    number before.)"""
    digits = re.match(r"\s(\d{1,2})(?!\d|[.,:]\d)", text[m.end():m.end() + 4])
    if digits and 1 <= int(digits.group(1)) <= 12:
        n = float(digits.group(1))
        return Figure(m.start(), m.end() + digits.end(), n, "month", "", n, True)
    two = re.match(r"\s([^\W\d_]+(?:\s[^\W\d_]+)?)", text[m.end():m.end() + 12])
    if two:
        for name in (two.group(1), two.group(1).split(" ")[0]):
            month = gz.VI_MONTH_WORDS.get(name.lower())
            # "tháng năm" is also "months and years": lower-case, only clear names count.
            if month is not None and (name[0].isupper()
                                      or name.lower() not in ("năm", "hai", "ba")):
                end = m.end() + 1 + len(name)
                return Figure(m.start(), end, month, "month", "", month, False)
    return None


_EN_QUARTER = re.compile(r"[\s-]quarter(?!\w)")
_VI_QUARTER = re.compile(r"\s(?:(?P<d>[1-4])|(?P<r>IV|I{1,3}))(?!\w|[.,]\d)")


def _vi_quarter(text: str, m: re.Match[str]) -> Figure | None:
    """"quý 4", "quý IV": the fourth quarter (while "3 quý" counts quarters)."""
    q = _VI_QUARTER.match(text, m.end())
    if q is None:
        return None
    n = float(q.group("d") or {"I": 1, "II": 2, "III": 3, "IV": 4}[q.group("r")])
    return Figure(m.start(), q.end(), n, "quarter", "", n, bool(q.group("d")))


def _en_month(text: str, m: re.Match[str]) -> Figure | None:
    name = m.group(0)
    if name == "May" and not re.match(r"\s\d", text[m.end():m.end() + 2]):
        return None  # "May" alone is nearly always the verb
    if m.end() < len(text) and text[m.end()].isalpha():
        return None
    n = _EN_MONTHS[name]
    return Figure(m.start(), m.end(), n, "month", "", n, False)
