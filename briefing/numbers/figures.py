"""Every number in a paragraph, for the translation check (`read_figures`).

facts.py reads figures a reader would list (money, counts of things, durations); the
translation check needs more: every numeral and number word on either side must find its
counterpart on the other, so "seven million" must meet "7 triệu", "the ninth largest" "thứ
9", "150 feet" "50m" and "Friday" "thứ 6". Each figure comes with its unit, converted to the
unit's base, so the check can compare across conventions. The word and unit tables are in
gazetteer.py; units.py reads what follows a number, words.py numbers written as words, and
this module digits and names with digits in them ("AED4EU").
"""

from __future__ import annotations

import re
from math import isfinite

from briefing.numbers import _MINUS_SIGNS, _minus_at, parse_number, romance
from briefing.numbers.units import (
    CLOCK_H,
    CURRENCY_BEFORE,
    MEASURE_AFTER,
    MERIDIEM,
    Figure,
    apply_scale,
    scale_after,
    tails,
)
from briefing.numbers.words import starts, word_figure

__all__ = ["Figure", "read_figures"]

_ORDINAL_SUFFIX = re.compile(r"(?:st|nd|rd|th)(?!\w)")
_DECADE_SUFFIX = re.compile(r"['’]?s(?!\w)")
# "4º", "1ª", "1er", "2n", "3r", "4t", "5è": Spanish, Portuguese and Catalan ordinals.
_ROMANCE_ORDINAL = re.compile(r"(?:[ºª]|ers?|[rnt]|è|a|o)(?!\w)")


def read_figures(text: str, language: str) -> list[Figure]:
    """Every numeral and number word in `text`, left to right, with its unit."""
    lang = language[:2].lower()
    words = starts(lang)
    out: list[Figure] = []
    pos = 0
    for m in words.finditer(text):
        if m.start() < pos:
            continue
        fig = _digits_at(text, m, lang) if m.group(0)[0].isdigit() else \
            word_figure(text, m, lang)
        if fig is not None:
            pos = fig.end
            # A numeral past a double's range (~310 digits) reads as infinity: no figure
            # anyone can compare, and the numbers check failed on it (int(inf)).
            if isfinite(fig.number) and isfinite(fig.value) and all(
                    isfinite(v) for _, _, v in fig.alt):
                out.append(_signed(text, fig) if fig.digits else fig)
    return _ranges(text, out, lang) if len(out) > 1 else out


# Dimensions whose figures can be below zero as written: a changed sign is a changed figure
# ("-40°C" translated "40°C", "-0.5%" growth as "0,5%"). Not dates, clock times or codes,
# where a hyphen before digits joins ("COVID-19", "2020-21").
_SIGNED_DIMS = ("%", "pp", "temp", "")


def _signed(text: str, fig: Figure) -> Figure:
    """The figure with the minus sign written before it ("-40°C", "−$3bn", "–4%"), which
    was dropped, so a translation that lost it read the same as the original."""
    at = fig.start
    if not (fig.dim in _SIGNED_DIMS or fig.dim.startswith("money:")) or at == 0:
        return fig
    if text[at - 1] in _MINUS_SIGNS and _minus_at(text, at - 1):
        start = at - 1
    elif _NEGATIVE_WORD.search(text, max(0, at - 9), at):
        start = at  # "âm 40 độ C", "minus 40C": the word is the sign
    else:
        if fig.dim != "temp" and _LOSS_WORD.search(text, max(0, at - 40), at):
            # "a loss of $3bn" / "khoản lỗ 3 tỷ USD", "GDP shrank 0.5%" / "giảm 0,5%": the
            # words carry the sign that "-$3bn" and "-0.5%" write, so either may stand for
            # the other.
            return fig._replace(alt=(*fig.alt, (fig.dim, fig.unit, -fig.value)))
        return fig
    return Figure(start, fig.end, -fig.number, fig.dim, fig.unit, -fig.value, fig.digits,
                  tuple((d, u, -v) for d, u, v in fig.alt))


_NEGATIVE_WORD = re.compile(r"(?:^|\s)(?:âm|minus|negative)\s$", re.IGNORECASE)
_LOSS_WORD = re.compile(
    r"(?i:\b(?:loss|losses|lost|deficit|shortfall|fell|fall|falls|down|declined?|drop(?:ped)?|"
    r"shr[ao]nk|contract(?:ed|ion)|slump(?:ed)?)\b|lỗ|thâm hụt|giảm|sụt|suy giảm|mất)")


# What joins the two ends of a range: "1,8-2,1 tỷ USD", "từ 5 đến 7 tỷ USD", "from 2.1 to
# 2.4mn", "tăng từ 2,1 lên 2,4 triệu", "5 or 6 million". "and" ("và") only after "between"
# ("giữa"): "sold 5 and bought 7 million" is no range.
_RANGE_LINK = re.compile(r"\s?(?:[-–—~]|to|or|đến|tới|lên|xuống|hoặc)\s?|\s(?:and|và)\s")
_BETWEEN = re.compile(r"(?:between|giữa|từ|from)\s$", re.IGNORECASE)
# Ends whose unit the first end shares: money, percentages, measures and durations (not
# temperatures, which do not scale, nor dates and clock times); and a bare end's scale word
# ("từ 2,1 lên 2,4 triệu").
_RANGE_DIMS = frozenset({"%", "pp", "length", "area", "mass", "volume", "power", "energy",
                         "time"})


def _ranges(text: str, figures: list[Figure], lang: str) -> list[Figure]:
    """The first end of a range written with the unit or scale on the second end only
    ("1,8-2,1 tỷ USD", "từ 5 đến 7 tỷ USD", "$5-7bn") as what the second end is: read alone
    it was a bare 1.8 (or $5), and the check flagged "$1.8bn-$2.1bn" translated so as a
    changed figure. Ends written whole ("$1.8bn-$2.1bn") are left as they are."""
    out = list(figures)
    digits = starts(lang)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        money_a = a.dim.startswith("money:")
        if not (a.digits and b.digits and b.number and not a.alt and not b.alt):
            continue
        if not (a.dim == "" or (money_a and b.dim in ("", a.dim))):
            continue
        link = _RANGE_LINK.fullmatch(text, a.end, b.start)
        if link is None or (link.group(0).strip() in ("and", "và")
                            and not _BETWEEN.search(text, max(0, a.start - 9), a.start)):
            continue
        # Where the digits are: a figure may start at its currency sign ("$5").
        written_b = digits.search(text, b.start, b.end)
        written_a = digits.search(text, a.start, a.end)
        if written_b is None or written_a is None:
            continue
        try:
            scale_b = b.number / parse_number(written_b.group(0), lang)
            plain_a = parse_number(written_a.group(0), lang)
        except (ValueError, ZeroDivisionError):
            continue
        # The first end's own scale word, if it has one ("5 tỷ đến 7 tỷ USD"), else the
        # second's.
        number = a.number if a.number != plain_a else a.number * scale_b
        if money_a:  # "$5-7bn": the scale comes back, and the second end is money too
            if number == a.number:
                continue
            out[i] = a._replace(number=number, value=number)
            if not b.dim:
                out[i + 1] = b._replace(dim=a.dim, value=b.number)
        elif b.dim in _RANGE_DIMS or b.dim.startswith("money:") or (not b.dim and scale_b != 1):
            # Not two bare numbers ("2020-2021", "voted 5 to 4"): nothing to share there.
            out[i] = Figure(a.start, a.end, number, b.dim, b.unit,
                            b.value * number / b.number, True)
    return out


def _digits_at(text: str, m: re.Match[str], lang: str) -> Figure | None:
    start, end, raw = m.start(), m.end(), m.group(0)
    if _glued_name(text, start) and not CURRENCY_BEFORE.search(text, max(0, start - 6), start):
        return _code(text, start, end)
    try:
        number = parse_number(raw, lang)
    except ValueError:
        return None
    if end < len(text) and text[end].isalpha():
        suffix = _ORDINAL_SUFFIX.match(text, end)
        if lang in romance.ROMANCE:
            # English suffixes too: an engine may leave "4th" as it was.
            suffix = _ROMANCE_ORDINAL.match(text, end) or suffix
            quarter = suffix and romance.QUARTER.match(text, suffix.end())
            if suffix and quarter:  # "4º trimestre"
                return Figure(start, quarter.end(), number, "quarter", "", number, True)
        if suffix:
            return Figure(start, suffix.end(), number, "ordinal", "", number, True)
        decade = _DECADE_SUFFIX.match(text, end)
        if decade:  # "the 1980s", "the '70s"
            return Figure(start, decade.end(), number, "", "", number, True)
        glued = scale_after(lang).match(text, end) or MEASURE_AFTER.match(text, end)
        # "15h" in Vietnamese; "3pm", "10am" anywhere (engines keep the English form).
        clock = (CLOCK_H.match(text, end) if lang == "vi" else None) or (
            MERIDIEM.match(text, end) if number <= 12 else None)
        if glued is None and clock is None:
            return _code(text, start, end)  # "5G", "3D", "4K": names, not figures
    if lang == "en" and re.match(r"m(?![\w²])", text[end:end + 2]) and not \
            CURRENCY_BEFORE.search(text, max(0, start - 6), start):
        # English "50m" is usually 50 million, but it may be 50 metres.
        return Figure(start, end + 1, number * 1e6, "", "", number * 1e6, True,
                      (("length", "m", number),))
    written = number
    number, stop, scaled = apply_scale(text, end, number, glued_ok=True, lang=lang)
    if scaled and lang == "vi" and written:
        number, stop = _vi_compound(text, stop, number, number / written)
    return tails(text, start, stop, number, lang, digits=True, scaled=scaled)


# The next part of a Vietnamese compound amount: "4 tỷ 750 triệu" (4.75 billion), "2 triệu
# 500 nghìn"; each part below 1,000 of its scale word, which is smaller than the last one's.
_VI_NEXT_PART = re.compile(r"[ \t]+(\d{1,3})(?=\s)")


def _vi_compound(text: str, pos: int, number: float, scale: float) -> tuple[float, int]:
    """Vietnamese writes an amount in parts, each with its own scale word: "4 tỷ 750 triệu
    USD" is $4.75bn, not 4 billion and then $750mn."""
    while True:
        m = _VI_NEXT_PART.match(text, pos)
        if m is None:
            break
        part = float(m.group(1))
        scaled_part, stop, scaled = apply_scale(text, m.end(), part, glued_ok=False, lang="vi")
        if not scaled or not part or scaled_part / part >= scale:
            break
        number, pos, scale = number + scaled_part, stop, scaled_part / part
    return number, pos


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

