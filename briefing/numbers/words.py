"""Numbers written as words, and the words around numerals that name dates: English
("seven million", "twenty-five", "the ninth", "March", "Friday", "the final quarter") and
Vietnamese ("hai mươi lăm", "bảy triệu rưỡi", "thứ 6", "tháng Bảy", "quý 4"). The tables are in
gazetteer.py; the ambiguous words ("năm" is five or year, "ba" three or dad) are settled here.
"""

from __future__ import annotations

import re

from briefing import gazetteer as gz
from briefing.numbers import _alternation, romance
from briefing.numbers.units import NEXT_WORD, Figure, apply_scale, is_scale, tails

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



# Rough amounts: "several hundred", "hundreds of thousands", "millions", "a few thousand",
# "hàng triệu", "vài trăm", "trăm nghìn". They carry no exact figure, but a translator may
# render one as an exact number ("a hundred million" as "hàng trăm triệu"): they are read as a
# range, match any figure inside it, and are never flagged themselves.
_EN_SCALE = (r"(?:hundreds|thousands|millions|billions|trillions|dozens|tens"
             r"|hundred|thousand|million|billion|trillion)")
_APPROX = {
    "en": re.compile(
        rf"(?<![\w’'])(?i:(?:(?:several|a few|few|many)\s+{_EN_SCALE}"
        rf"|(?:hundreds|thousands|millions|billions|trillions|dozens|tens)(?=\s+of\b|[^\w’']|$))"
        rf"(?:\s+(?:of\s+)?{_EN_SCALE})*)(?![\w’'])"),
    "vi": re.compile(
        r"(?<![\w’'])(?i:(?:(?:hàng|hằng|vài|mấy|nhiều|dăm)\s+)?(?:trăm|nghìn|ngàn|triệu|tỷ|tỉ|chục)"
        r"(?:\s+(?:trăm|nghìn|ngàn|triệu|tỷ|tỉ))*)(?![\w’'])"),
}
_PLURAL_SCALES = {"hundreds": 100.0, "thousands": 1e3, "millions": 1e6, "billions": 1e9,
                  "trillions": 1e12, "dozens": 12.0, "tens": 10.0}
_FEW = frozenset({"several", "few", "a few", "vài", "mấy", "dăm"})


def _approximate(text: str, m: re.Match[str], lang: str) -> Figure | None:
    """A rough amount as a range [low, high): "several hundred" is 100 to 1,000, "millions"
    1e6 to 1e9, "hàng trăm triệu" 1e8 to 1e9."""
    words = m.group(0).lower().split()
    marker = words[0] if words[0] in ("several", "few", "many", "a", *_VI_MARKERS) else ""
    scales = [w for w in words if w in _PLURAL_SCALES or w in gz.SCALE_WORDS]
    if not scales or (lang == "vi" and not is_scale(text, m.end(), scales[-1])):
        return None
    low = 1.0
    for w in scales:
        low *= _PLURAL_SCALES.get(w) or gz.SCALE_WORDS[w]
    first = _PLURAL_SCALES.get(scales[0]) or gz.SCALE_WORDS[scales[0]]
    few = marker in _FEW or (marker == "a" and "few" in words)
    high = low * (10 if few or first < 1000 else 1000)
    return Figure(m.start(), m.end(), low, "approx", "", high, False)


_VI_MARKERS = ("hàng", "hằng", "vài", "mấy", "nhiều", "dăm")


_STARTS: dict[str, re.Pattern[str]] = {}


def starts(lang: str) -> re.Pattern[str]:
    """Where a figure may start: digits, and in English and Vietnamese the number words, month
    and weekday names, ordinals and "thứ N" / "tháng N"."""
    pattern = _STARTS.get(lang)
    if pattern is None:
        if lang == "en":
            table = [*gz.EN_NUMBER_WORDS, *gz.EN_ORDINALS, "hundred", "thousand", "million",
                     "billion", "trillion", "a", "an", "final", "decade", "year"]
            extra = rf"|(?<![\w’'])(?:{_alternation(_EN_MONTHS)}|{_WEEKDAY_EN.pattern})"
        elif lang == "vi":
            table = [*gz.VI_NUMBER_WORDS, "năm", "thứ", "tháng", "quý", "chủ nhật", "trăm",
                     "nghìn", "ngàn", "triệu", "tỷ", "tỉ", "chục", "gấp"]
            extra = ""
        elif lang in romance.ROMANCE:
            table = [*romance.start_words(lang), "mil"]
            extra = rf"|(?<![\w’'])(?:{romance.english_months()})"
        else:
            table, extra = [], ""
        # Catalan and Portuguese elide before a vowel ("d'octubre", "l'onze"): there an
        # apostrophe may come before a word.
        before = r"(?<!\w)" if lang in romance.ROMANCE else r"(?<![\w’'])"
        words = rf"|{before}(?i:{_alternation(table)})(?![\w’'])" if table else ""
        roman = r"|\b[IVX]{2,5}\b" if lang in ("en", "vi") else ""
        approx = rf"(?P<approx>{_APPROX[lang].pattern})|" if lang in _APPROX else ""
        pattern = re.compile(rf"{approx}\d+(?:[.,]\d+)*{words}{extra}{roman}")
        _STARTS[lang] = pattern
    return pattern


def word_figure(text: str, m: re.Match[str], lang: str) -> Figure | None:
    """The figure a word starts (`m` matched one of `starts(lang)`'s words), if any."""
    raw = m.group(0)
    low = raw.lower()
    if m.lastgroup == "approx":
        return _approximate(text, m, lang)
    if raw[0] in "IVX" and raw.isupper() and raw.isalpha():
        return _roman(text, m)
    if lang in romance.ROMANCE:
        return _romance_words(text, m, lang)
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
            return Figure(m.start(), m.end(), n, "ordinal", "", n, False, _fraction(text, m, n))
        if low in ("decade", "year"):
            return _en_one_period(text, m, low)
        fig = _en_words(text, m)
        if fig is not None and low == "half" and fig.number == 0.5 and not fig.dim:
            return fig._replace(alt=_half(text, m))
        return fig
    if low == "thứ":
        return _vi_ordinal(text, m)
    if low == "tháng":
        return _vi_month(text, m)
    if low == "quý":
        return _vi_quarter(text, m)
    if low == "chủ nhật":
        return Figure(m.start(), m.end(), 8.0, "weekday", "", 8.0, False)
    if low == "gấp":  # "gấp đôi" (double), "gấp 6 lần" (six times): the number after counts
        nxt = NEXT_WORD.match(text, m.end())
        if nxt and nxt.group("w").lower() == "đôi":
            return Figure(m.start(), nxt.end(), 2.0, "", "", 2.0, False)
        return None
    return _vi_words(text, m)


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
        nxt = NEXT_WORD.match(text, pos)
        if nxt and nxt.group("w").lower() in _EN_ONE_UNIT and not nxt.group("sep").strip():
            return tails(text, m.start(), pos, 1.0, "en", digits=False, scaled=False)
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
        nxt = NEXT_WORD.match(text, pos)
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
    number, pos, scaled = apply_scale(text, pos, number, glued_ok=False, lang="en")
    return tails(text, m.start(), pos, number, "en", digits=False,
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
    nxt = NEXT_WORD.match(text, m.end())
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
        return tails(text, m.start(), m.end(), 0.5, "vi", digits=False, scaled=False)
    number, pos = (5.0 if first == "năm" else gz.VI_NUMBER_WORDS[first]), m.end()
    total, last, scale_used = 0.0, "", 1.0
    while True:
        nxt = NEXT_WORD.match(text, pos)
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
                is_scale(text, nxt.end(), word):
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
    number, pos, scaled = apply_scale(text, pos, number, glued_ok=False, lang="vi", last=scale_used)
    return tails(text, m.start(), pos, number, "vi", digits=False,
                  scaled=scaled or last in ("scale", "trăm"))


_VI_APPROX_BEFORE = re.compile(r"(?i:\b(?:vài|mấy|dăm)\s+)$")
_WORD_BEFORE_SPACE = re.compile(r"(\w+)\s+$")


def _vi_ordinal(text: str, m: re.Match[str]) -> Figure | None:
    """"thứ 6" / "thứ Sáu": Friday, or the sixth; "thứ nhất": the first."""
    nxt = NEXT_WORD.match(text, m.end())
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
# "a fifth", "one tenth": a share, which a translator may give as a percentage ("20%").
_SHARE_BEFORE = re.compile(r"(?i:\b(?:a|one)\s+)$")
# "the first half", "second-half profits": of a year, "6 tháng đầu năm" in Vietnamese.
_HALF_OF_YEAR_BEFORE = re.compile(r"(?i:\b(?:first|second|1st|2nd)[\s-])$")
# "the past decade", "the year to June": one period, which Vietnamese counts ("10 năm qua",
# "12 tháng tính đến tháng 6").
_PERIOD_BEFORE = re.compile(r"(?i:\b(?:past|last|next|previous|coming|recent)\s+)$")
_YEAR_TO_AFTER = re.compile(r"\s+(?:to|ending|ended)\s+(?:the\s+end\s+of\s+)?[A-Z]")


def _fraction(text: str, m: re.Match[str], n: float) -> tuple[tuple[str, str, float], ...]:
    if 3 <= n <= 10 and _SHARE_BEFORE.search(text, max(0, m.start() - 6), m.start()):
        return (("%", "", 100.0 / n),)
    return ()


def _half(text: str, m: re.Match[str]) -> tuple[tuple[str, str, float], ...]:
    """"half" is also 50%, and after "first" or "second" six months."""
    if _HALF_OF_YEAR_BEFORE.search(text, max(0, m.start() - 7), m.start()):
        return ("%", "", 50.0), ("time", "month", 6 * gz.TIME_UNITS["month"])
    return (("%", "", 50.0),)


def _en_one_period(text: str, m: re.Match[str], word: str) -> Figure | None:
    if word == "decade":
        one = _PERIOD_BEFORE.search(text, max(0, m.start() - 10), m.start()) is not None
    else:
        one = text[max(0, m.start() - 4):m.start()].lower() == "the " and \
            _YEAR_TO_AFTER.match(text, m.end()) is not None
    if one:
        return Figure(m.start(), m.end(), 1.0, "time", word, gz.TIME_UNITS[word], False)
    return None


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


def _romance_words(text: str, m: re.Match[str], lang: str) -> Figure | None:
    """Spanish, Portuguese and Catalan words: months ("marzo", and English "March" an engine
    left as it was), ordinals ("cuarto trimestre" is the fourth quarter), number words ("siete
    millones", "treinta y cinco", "mil")."""
    raw, low = m.group(0), m.group(0).lower()
    month = romance.MONTHS[lang].get(low) or romance.EN_MONTHS.get(raw)
    if month is not None:
        return Figure(m.start(), m.end(), month, "month", "", month, False)
    ordinal = romance.ORDINALS[lang].get(low)
    if ordinal is not None:
        quarter = romance.QUARTER.match(text, m.end())
        if quarter and ordinal <= 4:
            return Figure(m.start(), quarter.end(), ordinal, "quarter", "", ordinal, False)
        if low not in romance.NUMBER_WORDS[lang]:
            return Figure(m.start(), m.end(), ordinal, "ordinal", "", ordinal, False)
    if low == "mil":
        number, pos, big = 1000.0, m.end(), True
    else:
        number, pos, big = romance.read_words(text, m.start(), raw, lang)
    number, pos, scaled = apply_scale(text, pos, number, glued_ok=False, lang=lang)
    fig = tails(text, m.start(), pos, number, lang, digits=False, scaled=scaled or big)
    if number == 1 and not scaled and not fig.dim:
        # "un", "una", "um" alone: the article far more often than the number, and a changed
        # figure nearby would claim it ("un 6,5 %" is "6.5%"). Before a unit it counts: "uma
        # década" is "a decade".
        return None
    return fig
