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


def trie(words: Iterable[str]) -> str:
    """What `_alternation` matches, as a trie: a long flat alternation of literals tries every
    spelling at each position that starts one; a trie reads each character once. Where
    spellings nest ("Sept", "September"), the longer one is tried first, as in `_alternation`,
    so matches are the same."""
    root: dict[str, dict] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        branches = [re.escape(c) + emit(sub) for c, sub in sorted(node.items()) if c]
        if not branches:
            return ""
        if len(branches) == 1 and "" not in node:
            return branches[0]
        return "(?:" + "|".join(branches) + (")?" if "" in node else ")")

    return emit(root)


# A number as written: "230,000" / "230.000" (grouped thousands), "5.5" / "5,5", "12".
# Grouped thousands come first so "230.000" is never read as 230 then ".000".
_NUM = r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
# The same, led by a bare \d so the scan can skip ahead to digits quickly. Speed matters here:
# a pattern that opens with a lookbehind or a case-insensitive alternation is tried at every
# character (5-15 times slower), so boundaries are checked in code instead.
NUMBER = re.compile(r"\d(?:\d{0,2}(?:[.,]\d{3})+(?:[.,]\d+)?|\d*(?:[.,]\d+)?)")
# No digit glued to a letter or hyphen before it: "H20", "GPT-4", "COVID-19" are names; and a
# digit after a currency sign belongs to the money rule.
# Nor a power's exponent: the "9" of "10^9" or "10⁹" is no figure of its own.
_GLUED_BEFORE = frozenset(".,-/:$£€¥₹₩₫_^×")
# Nor a letter, slash or colon after it: "3rd", "5G", "12/2024" (a date), "10:30" (a time);
# nor a power or a product sign, which make it part of a larger number ("10^9", "2.5×10⁶").
_AFTER = r"(?![\w%/:^×]|[.,]\d)"
_WORDNUM = r"(?i:" + _alternation(gz.NUMBER_WORDS) + r")"
_LONG_MULT = _alternation(m for m in gz.MULTIPLIERS if m not in gz.GLUED_ONLY)
_GLUED_MULT = _alternation(gz.GLUED_ONLY)
# "bn"/"billion"/"tỷ" may follow a space; "m" and "k" only glued ("$5m"), as "5 m" is metres.
_MULT = rf"(?P<mult>\s?(?:{_LONG_MULT})|{_GLUED_MULT})(?!\w)"

MONEY_PREFIX = re.compile(
    rf"(?P<cur>{_alternation(gz.CURRENCY_PREFIX)})\s?(?P<num>{_NUM})(?:{_MULT})?{_AFTER}"
)
# Tails tried right after a number, in this order: "12 tỷ USD", "60 per cent", "170mn".
MONEY_TAIL = re.compile(rf"(?:{_MULT})?\s?(?P<cur>{_alternation(gz.CURRENCY_SUFFIX)})(?!\w)")
PERCENT_TAIL = re.compile(
    r"\s?(?P<pct>%|(?:percentage points?|per cent|percent|pc|điểm phần trăm|phần trăm)(?!\w))"
)
COUNT_TAIL = re.compile(rf"(?:{_MULT})?{_AFTER}")
# Units of measure a reader notes beside a figure ("3,500MW", "14.5 metres", "6.2mn barrels"):
# the numbers check's table less Vietnamese words that are more often something else ("cân"
# weighs or balances, "ký" signs, "phân" is a part, "thước" a ruler), plus barrels, which
# facts name and no translator converts. Glued letters ("50m", "5t") follow GLUED_UNITS.
_NOT_MEASURES = frozenset({"cân", "ký", "phân", "thước", "li", "ki-lô"})
FACT_MEASURES: dict[str, str] = {
    **{s: unit for s, (_dim, unit, _f) in gz.MEASURE_UNITS.items() if s not in _NOT_MEASURES},
    "barrels": "bbl", "barrel": "bbl", "bpd": "bbl/day", "barrels per day": "bbl/day",
    "barrels a day": "bbl/day", "cubic metres": "m3", "cubic meters": "m3", "m³": "m3",
    "TWh": "TWh", "terawatt hours": "TWh", "°": "°", "micrograms": "µg", "µg": "µg",
    "milligrams": "mg", "mg": "mg",
}
for _s, (_dim, _unit, _f) in gz.MEASURE_UNITS.items():
    if _dim == "temp" and _unit:
        FACT_MEASURES[_s] = "°" + _unit  # "30C" and "30°C" and "30 degrees Celsius" alike
FACT_MEASURES["degrees"] = FACT_MEASURES["độ"] = "°"
MEASURE_TAIL = re.compile(
    rf"(?:{_MULT})?(?P<sp>[\s-]?)(?P<mu>{_alternation(FACT_MEASURES)})(?![\w²³])")
# Sub-units of money: "8.5 US cents" is $0.085.
_CENTS = re.compile(r"(?:\s|-)(?P<cur>US cents|cents|cent|pence)(?!\w)")
_CENT_CURRENCY = {"US cents": "USD", "cents": "USD", "cent": "USD", "pence": "GBP"}
# "5-10%", "15 to 30 per cent", "từ 5 đến 10%": the first number takes the second's unit.
_RANGE_LINKS = ("-", "–", " -", " –", " to ", " and ", " đến ", " tới ")
_RANGE = re.compile(r"\s?(?:-|–|to|and|đến|tới)\s?(?=[-−–]?\d)")
# English number words that start a figure ("five per cent", "two people", "three million
# barrels"). Both first-letter cases spelt out: a literal alternation is scanned for fast.
_EN_WORD_VALUES = {w: v for w, v in gz.EN_NUMBER_WORDS.items()
                   if v >= 1 and v == int(v) and not w.endswith("ies")
                   and w not in ("both", "double", "twice", "triple", "dozen")}
_WORD_FORMS = [(form, v) for w, v in _EN_WORD_VALUES.items() for form in (w, w.capitalize())]
_ONES_AFTER = re.compile(
    "-(" + "|".join(w for w, v in _EN_WORD_VALUES.items() if 0 < v < 10) + r")(?![\w-])")
_SCALE_NAMES = ("hundred", "thousand", "million", "billion", "trillion")
_WORD_SET = frozenset({*_EN_WORD_VALUES, *_SCALE_NAMES})
_SCALE_HINT = re.compile("half|hundred|thousand|illion")
_WORD_SCALE = re.compile(r"\s(?P<mult>hundred|thousand|million|billion|trillion|dozen)(?!\w)")
# Durations are found from their unit word, then the number is read backwards: one scan
# finds both "75 days" and "three years" without trying number words at every character.
DURATION_UNIT = re.compile(rf"(?P<dur>{trie(gz.DURATION_UNITS)})(?P<plural>s)?(?!\w)")
# The same for ASCII text, where only the ASCII units can match: without the Vietnamese ones
# the trie no longer starts at every "t", "n", "g" and "p", a third less of this scan.
_DURATION_UNIT_ASCII = re.compile(
    rf"(?P<dur>{trie(u for u in gz.DURATION_UNITS if u.isascii())})(?P<plural>s)?(?!\w)")
_NUMBER_BEFORE = re.compile(rf"(?P<num>{_NUM}|{_WORDNUM})[\s-]$")
_LONGEST_NUMBER_WORD = max(map(len, gz.NUMBER_WORDS))
# "10 hours ago" / "10 giờ trước" is page furniture (when it was posted), not a duration;
# "40 years ago" is what the story says.
_AGO = re.compile(r"\s+(?:ago|trước)(?!\w)")
_FURNITURE_UNITS = frozenset({"second", "minute", "hour", "day", "week"})
_SCALED_BEFORE = re.compile(
    rf"(?<![\w-])(?P<num>{_NUM}|{_WORDNUM}|[Aa]n?|another)(?: and a half)?"
    r"(?P<scale>(?:\s(?:hundred|thousand|million|billion))+)?[\s-]$")
_RANGE_BEFORE = re.compile(rf"(?<![\w-])(?P<num>{_NUM}|{_WORDNUM})(?:\s?(?:or|to|-|–)\s?|,\s)$")
# A plain four-digit number in this range is a year, which makes it a date.
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


# Languages that write a decimal comma and group thousands with dots ("5,5", "230.000").
DECIMAL_COMMA = frozenset({"vi", "es", "pt", "ca"})


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
        # One comma: decimal in Vietnamese, Spanish, Portuguese and Catalan ("5,5"), otherwise
        # a stray grouping comma.
        comma_decimal = language[:2].lower() in DECIMAL_COMMA
        return float(raw.replace(",", ".")) if comma_decimal else float(raw.replace(",", ""))
    return float(raw)


def _multiplier(match: re.Match[str]) -> float:
    mult = match.group("mult")
    return gz.MULTIPLIERS[mult.strip()] if mult else 1.0


def _glued(text: str, start: int) -> bool:
    return start > 0 and (text[start - 1].isalnum() or text[start - 1] in _GLUED_BEFORE)


def scan(text: str, language: str) -> Iterator[Hit]:
    """Money, percentages, measures, durations, counts and years in one paragraph."""
    yield from _money_prefixed(text, language)
    yield from _durations(text, language)
    if language[:2] != "vi":
        yield from _word_numbers(text)
    for m in NUMBER.finditer(text):
        start = m.start()
        negative = start > 0 and text[start - 1] in _MINUS_SIGNS and _minus_at(text, start - 1)
        if negative or not _glued(text, start):
            hit = _after_number(text, m, language)
            if hit is not None:
                yield _negated(hit, start - 1) if negative else hit
            if (hit is None or hit.kind == "count") and text.startswith(_RANGE_LINKS, m.end()):
                yield from _range_start(text, m, language, start - 1 if negative else None)


# A minus sign: the hyphen-minus, the true minus (U+2212) and the en dash typesetters use
# for it ("–4%"). Dropped, "-7%" was a fact of 7%, and "-40°C" and "-2.5%" were no facts.
_MINUS_SIGNS = "-−–"
_SIGNED_KINDS = frozenset({"percent", "money", "measure", "count"})


def _minus_at(text: str, i: int) -> bool:
    """Is text[i] the sign of the number after it? It starts a word ("fell to -40°C",
    "(-3%)"), and, unless it is the true minus, does not join two numbers ("10 - 20", "10 –
    20": a range; "COVID-19", "2020-21": no space before, a name or a span)."""
    if i > 0 and text[i - 1] not in " \t\n([“\"'":
        return False
    if text[i] == "−":
        return True
    j = i - 1
    while j >= 0 and text[j] in " \t":
        j -= 1
    return j < 0 or not (text[j].isdigit() or text[j] in "%$€£¥")


def _negated(hit: Hit, sign: int) -> Hit:
    if hit.kind not in _SIGNED_KINDS or not isinstance(hit.value, float) or hit.start < sign:
        return hit
    return Hit(hit.rank, sign, hit.end, hit.kind, -hit.value, hit.unit)


def _range_start(text: str, m: re.Match[str], language: str,
                 sign: int | None = None) -> Iterator[Hit]:
    """The first number of a range ("5" in "5-10%") as what the second one is. `sign`: where
    the first number's minus sign is ("-5 to 10 °C"); the second may have one of its own
    ("-5 to -10 °C"), which the scan after would have read as a sign but for the range."""
    link = _RANGE.match(text, m.end())
    if link is None:
        return
    at = link.end()
    negative_upper = text.startswith(tuple(_MINUS_SIGNS), at) and _minus_at(text, at)
    second = NUMBER.match(text, at + 1 if negative_upper else at)
    hit = _after_number(text, second, language) if second else None
    if hit is None or hit.kind not in ("percent", "money", "measure"):
        return
    number = parse_number(m.group(0), language)
    upper = parse_number(second.group(0), language) if second else 0.0
    if hit.kind in ("money", "measure") and upper and isinstance(hit.value, float):
        number *= hit.value / upper  # the scale the second number was given ("$5-10bn")
    if sign is not None:
        yield Hit(hit.rank, sign, m.end(), hit.kind, -number, hit.unit)
    else:
        yield Hit(hit.rank, m.start(), m.end(), hit.kind, number, hit.unit)
    if not negative_upper:
        yield hit  # a signed second number is the scan's own, as the text goes on


# Words after a number word that make it no figure of its own ("one of them", "two and").
_NOT_AFTER_WORD = gz.STOPWORDS - {"per", "percent", "cent", "people", "more", "less"}


def _word_starts(text: str) -> list[tuple[int, int, float]]:
    """(start, end, value) of each number word, and of "a" before a scale word ("a million").
    str.find per word: a regex alternation of the words, tried at every letter, cost 6 times
    as much on news text (bench/tag_bench.py)."""
    out: list[tuple[int, int, float]] = []
    low = text.lower()
    if len(low) != len(text):  # a rare letter whose lower case is longer: keep the offsets
        low = text
    # Only the number words the text has are looked for: a split costs less than a find per
    # word, and most paragraphs have one or two such words, or none. A word with punctuation
    # glued after it ("two.") ends a clause, so it has no unit to read; "twenty-five" and
    # "(five" are looked at in their parts.
    tokens = low.split()
    present = set(_WORD_SET.intersection(tokens))
    if "-" in low or "(" in low:
        present.update(_WORD_SET.intersection(
            t.lstrip("(").split("-", 1)[0] for t in tokens if "-" in t or t[0] == "("))
    if not present:
        return out
    forms = [(w, v) for w, v in (_EN_WORD_VALUES.items() if low is not text else _WORD_FORMS)
             if w.lower() in present]
    for word, value in forms:
        at = low.find(word)
        while at != -1:
            end = at + len(word)
            if end == len(text) or not (text[end].isalnum() or text[end] in "-_"):
                out.append((at, end, value))
            elif text[end] == "-" and value >= 20:  # "twenty-five"
                ones = _ONES_AFTER.match(low, end)
                if ones:
                    out.append((at, ones.end(), value + _EN_WORD_VALUES[ones.group(1)]))
            at = low.find(word, end)
    for scale in present.intersection(_SCALE_NAMES):
        at = low.find(scale)
        while at != -1:
            if at >= 2 and text[at - 2] in "aA" and text[at - 1] == " " and (
                    at == 2 or not text[at - 3].isalnum()):
                out.append((at - 2, at - 1, 1.0))
            at = low.find(scale, at + len(scale))
    return out


def _word_numbers(text: str) -> Iterator[Hit]:
    """Figures led by a number word: "five per cent", "two people", "three million euros"."""
    for start, end, number in sorted(_word_starts(text)):
        if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "-'’"):
            continue
        big = False
        for scale in iter(lambda: _WORD_SCALE.match(text, end), None):  # noqa: B023
            number *= gz.SCALE_WORDS.get(scale.group("mult"), 12.0)  # or a dozen
            end, big = scale.end(), True
        nxt = _NEXT_WORD.match(text, end)
        word = nxt.group(1).lower() if nxt else ""
        if word in _NOT_AFTER_WORD or word.rstrip("s") in gz.DURATION_UNITS:
            continue  # "one of", "three years" (a duration, read by _durations)
        hit = _tail_hit(text, start, end, number, "en")
        if hit is not None:
            yield hit
            continue
        noun = _en_noun(text, end, big)
        if (noun is not None or big) and not _multiple(text, end, noun):
            yield Hit(4, start, end, "count", number, noun or "")

def _money_prefixed(text: str, language: str) -> Iterator[Hit]:
    for m in MONEY_PREFIX.finditer(text):
        if m.start() > 0 and text[m.start() - 1].isalnum():
            continue  # "HOURS 5" is not rupees
        value = parse_number(m.group("num"), language) * _multiplier(m)
        start = m.start()
        if start > 0 and text[start - 1] in _MINUS_SIGNS and _minus_at(text, start - 1):
            start, value = start - 1, -value  # "-$3bn", "−€5m", "-$5-10bn"
        unit = gz.CURRENCY_PREFIX[m.group("cur")]
        link = None if m.group("mult") else _RANGE.match(text, m.end())
        upper = NUMBER.match(text, link.end()) if link else None
        scale = COUNT_TAIL.match(text, upper.end()) if upper else None
        if upper and scale and scale.group("mult"):
            # "$5-10bn": the first amount is in billions too; the second is one of its own.
            yield Hit(0, start, m.end(), "money", value * _multiplier(scale), unit)
            yield Hit(0, upper.start(), scale.end(), "money",
                      parse_number(upper.group(0), language) * _multiplier(scale), unit)
            continue
        yield Hit(0, start, m.end(), "money", value, unit)


def _after_number(text: str, m: re.Match[str], language: str) -> Hit | None:
    raw, start, end = m.group(0), m.start(), m.end()
    hit = _tail_hit(text, start, end, raw, language)
    if hit is not None:
        return hit
    tail = COUNT_TAIL.match(text, end)
    if tail is None:
        if _YEAR.fullmatch(raw) and _DECADE.match(text, end):  # "the 1980s" is a date
            return Hit(2, start, end + 1, "date", raw, "date")
        return None
    if _YEAR.fullmatch(raw) and not tail.group("mult"):
        return Hit(2, start, end, "date", raw, "date")
    return _count(text, start, tail, raw, language)


def _tail_hit(text: str, start: int, end: int, raw: float | str, language: str) -> Hit | None:
    """Money, a percentage or a measure, from what follows a number ending at `end` (`raw`
    is parsed only when one follows: most numbers have none)."""
    tail = MONEY_TAIL.match(text, end)
    if tail:
        number = raw if isinstance(raw, float) else parse_number(raw, language)
        value = number * _multiplier(tail)
        unit = gz.CURRENCY_SUFFIX[tail.group("cur")]
        # "2 đồng nghiệp" is two colleagues: real amounts in dong are large or scaled.
        if unit != "VND" or value >= 100 or tail.group("mult"):
            return Hit(0, start, tail.end(), "money", value, unit)
    tail = PERCENT_TAIL.match(text, end)
    if tail:
        unit = "pp" if "point" in tail.group("pct") or "điểm" in tail.group("pct") else "%"
        number = raw if isinstance(raw, float) else parse_number(raw, language)
        return Hit(1, start, tail.end(), "percent", number, unit)
    token = _TOKEN.match(text, end)
    if token is None:
        return None
    head = token.group(1)
    if head in gz.MULTIPLIERS:  # "6.2mn barrels": the unit is the word after the scale
        token = _TOKEN.match(text, token.end())
        head = token.group(1) if token else ""
    if head not in _TAIL_HEADS:
        return None  # nothing a unit starts with: most numbers (a count, a year) stop here
    cents = _CENTS.match(text, end)
    if cents:
        number = raw if isinstance(raw, float) else parse_number(raw, language)
        return Hit(0, start, cents.end(), "money", number / 100,
                   _CENT_CURRENCY[cents.group("cur")])
    return _measure(text, start, end, raw, language)


def _measure(text: str, start: int, end: int, raw: float | str, language: str) -> Hit | None:
    tail = MEASURE_TAIL.match(text, end)
    if tail is None:
        return None
    number = raw if isinstance(raw, float) else parse_number(raw, language)
    unit = tail.group("mu")
    if tail.group("sp") and unit in gz.GLUED_UNITS:
        return None  # spaced, "5 m" or "3 t" are letters, not units
    if unit == "m" and not tail.group("mult") and language[:2] == "en":
        return None  # English "50m" is 50 million (a count), as money writes "$50m"
    scale = _NEXT_IS_SCALE.match(text, tail.end()) if unit in ("°", "độ", "degrees") else None
    if scale:  # "20 degrees C"
        return Hit(1, start, scale.end(), "measure", number, "°" + scale.group(0).strip())
    return Hit(1, start, tail.end(), "measure", number * _multiplier(tail), FACT_MEASURES[unit])


_NEXT_IS_SCALE = re.compile(r" [CF](?!\w)")
# The word after a number, for a quick look-up before the unit patterns are tried.
_TOKEN = re.compile(r"[\s-]?([^\s\d.,;:!?()\[\]\"“”'’-]+)")
_TAIL_HEADS = frozenset({
    *(u.split(" ")[0] for u in FACT_MEASURES), *(u.split(" ")[0] for u in _CENT_CURRENCY),
    *(u.split("-")[0] for u in FACT_MEASURES)})
_DECADE = re.compile(r"s(?!\w)")


def _count(text: str, start: int, tail: re.Match[str], raw: str, language: str) -> Hit | None:
    big = bool(tail.group("mult")) or _GROUPED.fullmatch(raw) is not None
    end = tail.end()
    noun = _vi_noun(text, end) if language == "vi" else _en_noun(text, end, big)
    if noun is None and not big:
        return None  # a bare small number ("the 2 sides", "No 1") is not a figure
    if _multiple(text, end, noun):
        return None
    value = parse_number(raw, language) * _multiplier(tail)
    return Hit(4, start, end, "count", value, noun or "")


# "11 times more likely", "three times out of 10": a ratio, not a count of anything.
_RATIO_AFTER = re.compile(r"\s+times\s+(?:more|less|higher|lower|larger|smaller|bigger|as|out|"
                          r"the|faster|greater|over)\b")


def _multiple(text: str, end: int, noun: str | None) -> bool:
    return noun == "times" and _RATIO_AFTER.match(text, end) is not None


def ends_with_number(text: str, pos: int) -> bool:
    """Whether a number and a space end just before `pos`: "3 năm tới" is "the next three
    years", a duration, not "next year"."""
    return _number_before(text, pos) is not None


def _number_before(text: str, pos: int) -> re.Match[str] | None:
    """`_NUMBER_BEFORE.search(text, max(0, pos - 24), pos)`, but the search starts where a
    match can: trying number words at all 24 places costs about 5 µs, and this runs for every
    unit word ("the year", "a decade")."""
    low = max(0, pos - 24)
    if pos < 2 or text[pos - 1] == "\n":  # `$` also matches before a final newline
        return _NUMBER_BEFORE.search(text, low, pos)
    if not (text[pos - 1].isspace() or text[pos - 1] == "-"):
        return None
    start = pos - 1
    if text[start - 1].isdecimal():
        # Digits: the number lies in the run of digits and separators before the space.
        while start > low and (text[start - 1].isdecimal() or text[start - 1] in ".,"):
            start -= 1
    else:
        start -= _LONGEST_NUMBER_WORD  # no digit: only a number word can end here
    return _NUMBER_BEFORE.search(text, max(low, start), pos)


def _durations(text: str, language: str) -> Iterator[Hit]:
    for m in (_DURATION_UNIT_ASCII if text.isascii() else DURATION_UNIT).finditer(text):
        if m.start() > 0 and text[m.start() - 1].isalnum():
            continue
        before = _number_before(text, m.start())
        scale = 1.0
        if before is None:
            # "two and a half billion years", "a million years": scale words before the unit.
            if _SCALE_HINT.search(text, max(0, m.start() - 40), m.start()) is None:
                continue  # most unit words ("the year") have no number at all
            before = _SCALED_BEFORE.search(text, max(0, m.start() - 40), m.start())
            if before is None or _rough(text, before.start()) or not (
                    before.group("scale") or " and a half" in before.group(0)):
                continue  # "a year" is no figure, nor "a few hundred million years"
            scale = 1.0
            for word in (before.group("scale") or "").split():
                scale *= gz.SCALE_WORDS[word]
        if _glued(text, before.start()):
            continue
        unit = gz.DURATION_UNITS[m.group("dur")]
        ago = _AGO.match(text, m.end())
        if ago and unit in _FURNITURE_UNITS:
            # Claim the span so no count is made of it either; facts.py drops it.
            yield Hit(3, before.start(), ago.end(), "skip", "", "")
            continue
        num = before.group("num")
        value = (1.0 if num.lower() in ("a", "an", "another") else
                 parse_number(num, language)) * scale
        if before.group(0).find(" and a half") > 0:
            value += 0.5 * scale
        yield Hit(3, before.start(), m.end(), "duration", value, unit)
        gap = text[max(0, before.start() - 5):before.start()]
        first = _RANGE_BEFORE.search(text, max(0, before.start() - 24), before.start()) if (
            " or " in gap or " to " in gap or "-" in gap or "–" in gap or ", " in gap) else None
        if first and not _glued(text, first.start()) and scale == 1.0:
            # "15 or 20 minutes", "eight or nine years": the first number is minutes too.
            yield Hit(3, first.start(), first.start() + len(first.group("num")), "duration",
                      parse_number(first.group("num"), language), unit)


def _rough(text: str, start: int) -> bool:
    before = text[max(0, start - 10):start].split()
    return bool(before) and before[-1].lower() in gz.APPROX_BEFORE


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
            and low not in _NOT_PLURAL and (low not in gz.STOPWORDS or low == "plans"))


def _en_noun(text: str, pos: int, big: bool) -> str | None:
    """The counted noun after a number: "170mn US users" -> "US users". Big numbers may reach
    over "of the ..." ("230,000 of Nvidia's chips"); small ones need the noun right there."""
    mods: list[str] = []
    for i, word in enumerate(_words_after(text, pos, 7)):
        low = word.lower()
        if big and (low in _DETERMINERS or word.endswith(("’s", "'s"))):
            mods = []
            continue
        if i == 0 and low in ("more", "other", "extra", "additional", "fewer"):
            continue  # "two more mistakes" counts mistakes
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
    if words[0] in gz.DURATION_UNITS or words[0] in gz.CURRENCY_SUFFIX:
        return None  # "10 giờ", "2 đồng nghiệp": a time or a word that only starts with a unit
    if len(words) == 2 and f"{words[0]} {words[1]}" in _VI_COMPOUNDS:
        return f"{words[0]} {words[1]}"
    return words[0]
