"""What follows a number settles what it measures: scale words ("million", "tỷ", "rưỡi"),
a percent sign, a currency, a unit of measure or of time, a clock time. The `Figure` record
and these tails are shared by the digit and word readers of `briefing.numbers.figures`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from briefing import gazetteer as gz
from briefing.numbers import _alternation, romance


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
SCALE_AFTER = _phrases([*gz.SCALE_WORDS, "m", "k", "bln", "mln", "trn"], ci=False)
_SCALE_EXTRA = {"bln": 1e9, "mln": 1e6, "trn": 1e12, "m": 1e6, "k": 1e3}
_PERCENT_AFTER = re.compile(
    r"\s?(?P<u>%|(?i:percentage points?|per cent|percent|pc|điểm phần trăm|phần trăm))(?!\w)")
_CURRENCY_AFTER = _phrases(gz.CURRENCY_SUFFIX)
# Spanish, Portuguese and Catalan (numbers.romance): their own scale words on top of the
# shared ones (engines leave "bn" as it was), percent words, currency names and time units.
_ROMANCE_SCALES = {lang: {**gz.SCALE_WORDS, **_SCALE_EXTRA, **romance.SCALES[lang]}
                   for lang in romance.ROMANCE}
_ROMANCE_SCALE_AFTER = {lang: _phrases(t) for lang, t in _ROMANCE_SCALES.items()}
_ROMANCE_PERCENT = re.compile(
    rf"\s?(?P<u>%|(?i:{_alternation(romance.PERCENT)}))(?!\w)")
_ROMANCE_CURRENCY = {lang: romance.currencies(lang) for lang in romance.ROMANCE}
_ROMANCE_MEASURE = {**gz.MEASURE_UNITS,
                    **{w: gz.MEASURE_UNITS[en] for w, en in romance.MEASURES.items()}}
_ROMANCE_MEASURE_AFTER = _phrases(_ROMANCE_MEASURE)
_ROMANCE_CURRENCY_AFTER = {lang: _phrases(t) for lang, t in _ROMANCE_CURRENCY.items()}
CURRENCY_BEFORE = re.compile(rf"(?:{_alternation(gz.CURRENCY_PREFIX)})\s?$")
MEASURE_AFTER = _phrases(gz.MEASURE_UNITS)
_EN_TIME = {**{u: f for u, f in gz.TIME_UNITS.items() if u.isascii()},
            **{u + "s": f for u, f in gz.TIME_UNITS.items() if u.isascii()}}
_VI_TIME = {u: f for u, f in gz.TIME_UNITS.items() if not u.isascii() or u == "tiếng"}
_TIME_AFTER = {"en": _phrases(_EN_TIME, ci=True), "vi": _phrases(_VI_TIME, ci=True),
               **{lang: _phrases(t, ci=True) for lang, t in romance.TIME.items()}}
# "10 giờ 30" (half past ten), "10h30", "10:30", "3 p.m.", "7 o'clock".
_VI_CLOCK_MINUTES = re.compile(r"\s(?P<min>[0-5]?\d)(?:\s?phút)?(?!\w|[.,]\d)")
CLOCK_H = re.compile(r"h(?P<min>[0-5]\d)?(?!\w)")
_COLON_MINUTES = re.compile(r":(?P<min>[0-5]\d)(?![\d:])")
MERIDIEM = re.compile(r"\s?(?:(?i:[ap]\.m\.?|[ap]m)|o['’]clock)(?!\w)")
# One name per unit of time, so "3 năm" and "three years" are the same unit (compared
# strictly), while "two weeks" and "14 ngày" are a conversion.
_TIME_NAMES = {"giây": "second", "phút": "minute", "giờ": "hour", "tiếng": "hour", "ngày": "day",
               "tuần": "week", "tháng": "month", "năm": "year", "thập kỷ": "decade",
               "thập kỉ": "decade", "thập niên": "decade", "thế kỷ": "century",
               "thế kỉ": "century", "centurie": "century", "centuries": "century",
               "quý": "quarter"}
NEXT_WORD = re.compile(r"(?P<sep>\s+(?:and\s+)?|\s*-\s*)(?P<w>[^\W\d_]+)")


def tails(text: str, start: int, end: int, number: float, lang: str, *, digits: bool,
          scaled: bool) -> Figure:
    """What follows a number settles what it measures: scale words, then a percent sign, a
    currency, a unit of measure or of time, or a clock time."""
    before = CURRENCY_BEFORE.search(text, max(0, start - 6), start)
    if before:
        cur = gz.CURRENCY_PREFIX[before.group(0).strip()]
        return Figure(before.start(), end, number, f"money:{cur}", "", number, digits)
    in_romance = lang in romance.ROMANCE
    pct = (_ROMANCE_PERCENT if in_romance else _PERCENT_AFTER).match(text, end)
    if pct:
        word = pct.group("u").lower()
        pp = "point" in word or "điểm" in word or any(m in word for m in romance.PP_MARKS)
        return Figure(start, pct.end(), number, "pp" if pp else "%", "", number, digits)
    cur_m = (_ROMANCE_CURRENCY_AFTER[lang] if in_romance else _CURRENCY_AFTER).match(text, end)
    if cur_m and not (lang == "en" and cur_m.group("u") == "won"):
        cur = (_ROMANCE_CURRENCY[lang] if in_romance else gz.CURRENCY_SUFFIX)[cur_m.group("u")]
        if cur != "VND" or number >= 100 or scaled:  # "2 đồng nghiệp" is two colleagues
            alt = (("mass", "lb", number * 0.453592),) if cur_m.group("u") == "pounds" else ()
            return Figure(start, cur_m.end(), number, f"money:{cur}", "", number, digits, alt)
    unit = (_ROMANCE_MEASURE_AFTER if in_romance else MEASURE_AFTER).match(text, end)
    if unit and (unit.group("sp") == "" or unit.group("u") not in gz.GLUED_UNITS):
        dim, name, factor = (_ROMANCE_MEASURE if in_romance else gz.MEASURE_UNITS)[
            unit.group("u")]
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
    if unit and lang in romance.ROMANCE:
        name = romance.TIME[lang][unit.group("u").lower()]
        return Figure(start, unit.end(), number, "time", name, number * gz.TIME_UNITS[name],
                      digits)
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
    hm = _COLON_MINUTES.match(text, end) or CLOCK_H.match(text, end)
    minutes = int(hm.group("min") or 0) if hm else 0
    stop = hm.end() if hm else end
    mer = MERIDIEM.match(text, stop)
    if hm is None and mer is None:
        return None
    value = hours * 60 + minutes
    if mer and "p" in mer.group(0).lower() and hours < 12:
        # "3 p.m." is 15:00, though a translator may write "3 giờ chiều" (3 o'clock, afternoon).
        return (mer.end(), value + 720, (("clock", "", value),))
    return (mer.end() if mer else stop, value, ())


def _celsius(number: float, scale: str) -> float:
    return (number - 32) * 5 / 9 if scale == "F" else number


def apply_scale(text: str, pos: int, number: float, *, glued_ok: bool, lang: str,
                last: float = 1.0) -> tuple[float, int, bool]:
    """Apply scale words after a number: "2.3 million", "7 triệu", "2 nghìn tỷ", "hai triệu
    rưỡi" (2.5 million). `last` is the scale a word number already applied."""
    scaled = False
    table = _ROMANCE_SCALES.get(lang)
    while True:
        m = scale_after(lang).match(text, pos)
        if m is None:
            break
        word = m.group("u")
        if m.group("sp") == "-" or word == "mươi" or not is_scale(text, m.end(), word):
            break  # "325-million"; "mươi" only inside word numbers; "tỷ lệ" is a rate
        if word in ("m", "k") and (m.group("sp") or not glued_ok):
            break  # "5 m" is metres, "a m" nothing
        if word == "m" and lang != "en":
            break  # Vietnamese "50m" is 50 metres
        last = table[word] if table else gz.SCALE_WORDS.get(word) or _SCALE_EXTRA[word]
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


def scale_after(lang: str) -> re.Pattern[str]:
    """Scale words after a number in `lang` (`SCALE_AFTER` but for Spanish, Portuguese and
    Catalan, which add their own)."""
    return _ROMANCE_SCALE_AFTER.get(lang, SCALE_AFTER)


def is_scale(text: str, end: int, word: str) -> bool:
    """"tỷ" ends a scale word unless a word follows that makes it "rate" or "billionaire"."""
    if word not in ("tỷ", "tỉ"):
        return True
    nxt = NEXT_WORD.match(text, end)
    return nxt is None or nxt.group("w").lower() not in gz.VI_NOT_SCALE_AFTER

