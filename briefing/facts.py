"""Typed, normalised facts found by rules in one paragraph of English or Vietnamese news.

`extract()` returns money, percent, measure, count, duration, date, org, person and place facts with
character offsets into the paragraph (text[start:end] == fact.text). Numbers are parsed in
numbers.py; dates and names are found here. Rules are regexes over whole paragraphs, compiled
once; overlaps are settled by rank (money beats a count of the same digits, a date beats a
duration: "tháng 8 năm 2023" is August 2023, not "8 years").
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta
from math import isfinite
from operator import attrgetter
from typing import overload

from briefing import gazetteer as gz
from briefing import numbers
from briefing.entities import NAME_KINDS
from briefing.models import Fact, fact_row
from briefing.numbers import Hit

__all__ = ["FIGURE_KINDS", "FactRows", "extract", "make_fact", "merge_aliases"]

# Kinds that carry a measured quantity: the ones key-fact bullets are built around.
FIGURE_KINDS = frozenset({"money", "percent", "count", "duration", "measure"})


def _alt(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_trie = numbers.trie


def _cased(words: Iterable[str]) -> list[str]:
    # Literal spellings with both first-letter cases: a literal alternation is scanned for fast,
    # while (?i:...) or a lookbehind up front is tried at every character, 5-15 times slower.
    return [v for w in words for v in {w, w[:1].upper() + w[1:]}]


_YEAR = r"1[89]\d\d|20\d\d"
_ORD = r"(?:st|nd|rd|th)?"
# "January 5, 2025", "August 2023", "December": a month name is a date. A day written before
# it ("5 January") is read backwards by _DAY_BEFORE. Month names are capitalised by rule.
DATE_EN = re.compile(
    rf"(?P<mon>{_trie(gz.MONTHS_EN)})(?:\s(?P<d2>[0-3]?\d){_ORD}(?!\d))?"
    rf"(?:,?\s(?P<y>{_YEAR}))?(?!\w)"
)
_DAY_BEFORE = re.compile(rf"(?P<d1>[0-3]?\d){_ORD}\s$")
# Vietnamese: "tháng" BEFORE a number 1-12 names the month ("tháng 12" = December), while
# AFTER a number it counts months ("3 tháng"); likewise "năm 2025" is a year but "3 năm" is a
# duration. "ngày 5/3" and "ngày 5 tháng 3" are days. "/2024" or "năm 2024" gives the year.
DATE_VI_MONTH = re.compile(
    rf"(?P<lead>{_alt(_cased(['ngày', 'tháng']))})\s(?:(?P<d>[0-3]?\d)(?:/|\stháng\s))?"
    r"(?P<m>1[0-2]|0?[1-9])(?:(?:/|\snăm\s)(?P<y>\d{4}))?(?![\w/])"
)
DATE_VI_YEAR = re.compile(rf"(?:năm|Năm)\s(?P<y>{_YEAR})(?!\w)")
RELATIVE = re.compile(rf"(?:{_trie(_cased(gz.RELATIVE_DATES))})(?!\w)")
# Case-sensitive on purpose: "thứ hai" in lower case means "second", "thứ Hai" is Monday.
WEEKDAY = re.compile(rf"(?:{_trie(gz.WEEKDAYS)})(?!\w)")
# The English weekdays, which are all ASCII text can hold: without "thứ" the pattern starts
# at capitals only, not at every "t".
_WEEKDAY_ASCII = re.compile(rf"(?:{_trie(w for w in gz.WEEKDAYS if w.isascii())})(?!\w)")


def _needles(words: Iterable[str], needles: tuple[str, ...]) -> tuple[str, ...]:
    """`needles`, checked to be such that each ASCII word holds one: ASCII text without any
    of them has none of the words (the others have a letter past ASCII), so a pattern made of
    the words need not scan it. These patterns start with letters as common as "t" and "n",
    each a place the scan stops to try the words."""
    for word in words:
        if word.isascii() and not any(n in word for n in needles):
            raise ValueError(f"{word!r} holds none of {needles}")
    return needles


# The week, month and year words with the end of "last", "next" or "this" before them: news
# says "three years" and "the year to March" in most items, which alone let the pattern
# scan them, and its trie enters at every "t" and "n" (cachegrind: ~110K instructions of
# a bench item's 1.9M in facts, ~50K with these needles).
_RELATIVE_NEEDLES = _needles(_cased(gz.RELATIVE_DATES), (
    "oday", "omorrow", "esterday", "t week", "t month", "t year", "s week", "s month",
    "s year"))
_WEEKDAY_NEEDLES = _needles(gz.WEEKDAYS, ("day",))


def _may_have(text: str, needles: tuple[str, ...]) -> bool:
    return not text.isascii() or any(n in text for n in needles)

_UP = "".join(sorted({c for c in map(chr, range(0x250)) if c.isupper()}
                     | {c for c in map(chr, range(0x1E00, 0x1F00)) if c.isupper()}))
_CAP = rf"[{re.escape(_UP)}][\w&]*(?:-[{re.escape(_UP)}][\w&]*)*(?:\.(?:com|net|org|io|vn))?"
# Capitalised words joined by single spaces, "of" allowed inside ("Bank of America").
NAME_RUN = re.compile(rf"(?:U\.S\.|{_CAP})(?: (?:of )?(?:U\.S\.|{_CAP}))*")
_CAMEL = re.compile(r"[a-z][A-Z]")
# After an unknown two- or three-word name, these make it a person: bylines ("Zijing Wu in
# Hong Kong"), appositions ("Roula Khalaf, Editor of the FT") and quotes ("Jane Doe said").
_PERSON_AFTER = re.compile(
    rf" (?:in|tại|ở) [{re.escape(_UP)}]|, (?i:who|editor|founder|chief|head|the)\b| said\b"
)
_POSSESSIVE = ("’s", "'s")
# An appositive that says what a name is, when that is a business: ", the Hanoi-listed coffee
# chain", ", a Singapore-based shipping group". Its words hold no "of" ("Jane Doe, the head of
# the bank" is a person), and the noun ends it: "the bank's chief" is no bank, and in
# "Ostrava, the company said" the noun starts a clause.
_ORG_APPOSITIVE = re.compile(
    r", (?:the|a|an) (?:(?!of )[\w’'-]+ ){0,4}"
    r"(?:company|group|firm|chain|bank|lender|insurer|carrier|airline|\w*maker|manufacturer|"
    r"producer|operator|retailer|developer|conglomerate|miner|start-?up|exchange|fund|"
    r"regulator|broker|brokerage|supplier|provider|\w*builder|recycler|utility|consortium|"
    r"investor|shipper|refiner|distributor)"
    r"(?=[,.;:)]|$| (?:that|which|whose|with|in|based|listed|owned|backed)\b)")
# A business named by what it is, just before its name: "battery recycler Loopcell", "budget
# airline Skyra", "Carmaker Volvara said". Only nouns no person is called by ("investor",
# "developer" and "founder" precede people's names as often).
_ORG_NOUNS = frozenset({
    "company", "group", "firm", "chain", "bank", "lender", "insurer", "carrier", "airline",
    "manufacturer", "producer", "retailer", "conglomerate", "miner", "startup", "start-up",
    "regulator", "brokerage", "supplier", "recycler", "utility", "consortium", "shipper",
    "refiner", "distributor", "exchange", "giant", "subsidiary", "operator",
})
_ORG_NOUN_ENDINGS = ("maker", "builder")


def _org_noun(word: str) -> bool:
    low = word.lower()
    return low in _ORG_NOUNS or (low.endswith(_ORG_NOUN_ENDINGS) and len(low) > 7)


# First words of whatever _classify_run cuts off the front of a run; any other word ends the
# cutting at once, without building the two-word candidate.
_OPENERS = frozenset({t.split(" ")[0] for t in gz.PERSON_TITLES} | gz.NOT_NAMES
                     | set(gz.MONTHS_EN) | {w.capitalize() for w in _ORG_NOUNS}
                     | {"Carmaker", "Chipmaker", "Automaker", "Drugmaker", "Steelmaker",
                        "Shipbuilder", "Housebuilder", "Homebuilder", "Planemaker"}
                     | {w.capitalize() for w in gz.PERSON_CUES if " " not in w})


_new = object.__new__


def make_fact(kind: str, text: str, value: float | str, unit: str, paragraph: int, start: int,
              end: int, link: int | None = None) -> Fact:
    """`Fact(kind, text, ...)` without its __init__, which sets each of a frozen class's eight
    fields through object.__setattr__ (4 times this, for ~20 facts an item); the same object,
    its fields set in the same order (see ingest.evolve)."""
    made = _new(Fact)
    fields = made.__dict__
    fields["kind"] = kind
    fields["text"] = text
    fields["value"] = value
    fields["unit"] = unit
    fields["paragraph"] = paragraph
    fields["start"] = start
    fields["end"] = end
    fields["link"] = link
    return made


# One fact as a row: make_fact's arguments, in its order (the facts table's columns after the
# article and the index).
FactRow = tuple[str, str, "float | str", str, int, int, int, "int | None"]



class FactRows(Sequence[Fact]):
    """An article's facts as rows, the Fact objects made only if they are read. What a worker
    sends of its tagging (ingest.tag_articles): the writer only stores them (Store.save_analyses
    takes `rows` as they are), and unpickling ~24 frozen objects an article, then reading their
    fields back into rows, cost it ~0.025 ms an article, where rows cost ~0.004; the pickle is
    40% smaller. Read as a sequence it is the tuple of Facts it stands for."""

    __slots__ = ("_made", "rows")

    def __init__(self, rows: Sequence[FactRow]) -> None:
        self.rows = rows if isinstance(rows, tuple) else tuple(rows)
        self._made: tuple[Fact, ...] | None = None

    @classmethod
    def of(cls, facts: Iterable[Fact]) -> FactRows:
        return cls(tuple(map(fact_row, facts)))

    def facts(self) -> tuple[Fact, ...]:
        if self._made is None:
            self._made = tuple(make_fact(*row) for row in self.rows)
        return self._made

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, index: int) -> Fact: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Fact, ...]: ...

    def __getitem__(self, index: int | slice) -> Fact | tuple[Fact, ...]:
        return self.facts()[index]

    def __iter__(self) -> Iterator[Fact]:
        return iter(self.facts())

    def __eq__(self, other: object) -> bool:
        # Equal to what it stands for, a tuple of Facts, and to nothing a tuple is not.
        if isinstance(other, FactRows):
            return self.rows == other.rows
        if isinstance(other, tuple):
            return self.facts() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.facts())

    def __repr__(self) -> str:
        return f"FactRows({self.facts()!r})"

    def __reduce__(self) -> tuple[type[FactRows], tuple[tuple[FactRow, ...]]]:
        return (FactRows, (self.rows,))


def extract(text: str, *, paragraph: int, language: str,
            published: str | None = None) -> list[Fact]:
    """All facts in one paragraph, in text order; paired amounts ("Rmb40bn ($5.5bn)") are
    linked through Fact.link, an index into the returned list."""
    pub = _published(published)
    hits = [*numbers.scan(text, language), *_dates(text, pub, language), *_names(text)]
    kept = [_administration(text, h) if h.kind == "person" else h
            for h in _settle(hits, len(text))]
    # A number past a double's range (400 digits) parses as inf: no fact anyone can compare,
    # and log(inf) in the story signature failed every tagging of its article.
    facts = [make_fact(h.kind, text[h.start:h.end], h.value, h.unit, paragraph, h.start, h.end)
             for h in kept if h.kind != "skip"
             and (h.value.__class__ is not float or isfinite(h.value))]
    return _link_pairs(text, facts)


_START = attrgetter("start")


def _settle(hits: list[Hit], size: int) -> list[Hit]:
    """Keep the best hit where hits overlap: lowest rank, then longest, then first."""
    taken = bytearray(size + 1)
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.rank, h.start - h.end, h.start)):
        if taken.find(1, hit.start, hit.end) != -1:
            continue
        taken[hit.start:hit.end] = b"\x01" * (hit.end - hit.start)
        kept.append(hit)
    kept.sort(key=_START)
    return kept


# Between two amounts that state one sum in two currencies: "Rmb40bn ($5.5bn)".
_PAIR_GAP = re.compile(r"\s*\(\s*(?:about |around |khoảng |~)?")


def _link_pairs(text: str, facts: list[Fact]) -> list[Fact]:
    out = list(facts)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if (a.kind == b.kind == "money" and _PAIR_GAP.fullmatch(text, a.end, b.start)
                and text[b.end:b.end + 2].lstrip()[:1] == ")"):
            out[i] = _with_link(a, i + 1)
            out[i + 1] = _with_link(b, i)
    return out


def _with_link(fact: Fact, link: int) -> Fact:
    return make_fact(fact.kind, fact.text, fact.value, fact.unit, fact.paragraph, fact.start,
                     fact.end, link)


# --- dates -------------------------------------------------------------------------------


def _published(published: str | None) -> date | None:
    try:
        return date.fromisoformat(published[:10]) if published else None
    except ValueError:
        return None


def _starts_word(text: str, start: int) -> bool:
    return start == 0 or not (text[start - 1].isalnum() or text[start - 1] in "’'-_")


def _dates(text: str, pub: date | None, language: str) -> Iterator[Hit]:
    for m in DATE_EN.finditer(text):
        start = m.start()
        before = _DAY_BEFORE.search(text, max(0, start - 5), start)
        if before and _starts_word(text, before.start()):
            start = before.start()
        day, year = (before and before.group("d1")) or m.group("d2"), m.group("y")
        if _starts_word(text, m.start()) and (m.group("mon") != "May" or day or year):
            # "May" alone is nearly always the verb.
            yield _date_hit(start, m.end(), text, year, gz.MONTHS_EN[m.group("mon")], day, pub)
    if language != "en":  # Vietnamese date words never occur in English text
        yield from _dates_vi(text, pub)
    for m in RELATIVE.finditer(text) if _may_have(text, _RELATIVE_NEEDLES) else ():
        # Not after "hàng": "hàng tuần này" is "this weekly ...", a frequency, not a date.
        # After a number it is part of a duration: "3 năm tới" is the next three years.
        if (_starts_word(text, m.start()) and text[max(0, m.start() - 5):m.start()] != "hàng "
                and not numbers.ends_with_number(text, m.start())):
            unit, offset = gz.RELATIVE_DATES[m.group(0).lower()]
            value = _relative(unit, offset, pub) or m.group(0)
            yield Hit(2, m.start(), m.end(), "date", value, "date")
    weekday = _WEEKDAY_ASCII if text.isascii() else WEEKDAY
    for m in weekday.finditer(text) if _may_have(text, _WEEKDAY_NEEDLES) else ():
        if not _starts_word(text, m.start()):
            continue
        value = m.group(0)
        if pub is not None:  # news reports the past: the latest such weekday up to publication
            value = (pub - timedelta(days=(pub.weekday() - gz.WEEKDAYS[value]) % 7)).isoformat()
        yield Hit(2, m.start(), m.end(), "date", value, "date")


def _dates_vi(text: str, pub: date | None) -> Iterator[Hit]:
    for m in DATE_VI_MONTH.finditer(text):
        # "ngày" needs a day and a month after it; "tháng" takes the month alone.
        if _starts_word(text, m.start()) and (m.group("d") is None) == (m.group("lead")[0] in "Tt"):
            yield _date_hit(m.start(), m.end(), text, m.group("y"), int(m.group("m")),
                            m.group("d"), pub)
    for m in DATE_VI_YEAR.finditer(text):
        if _starts_word(text, m.start()):
            yield Hit(2, m.start(), m.end(), "date", m.group("y"), "date")


def _date_hit(start: int, end: int, text: str, year: str | None, month: int, day: str | None,
              pub: date | None) -> Hit:
    if year is None and pub is not None:
        # A month without a year is the latest such month, allowing a quarter ahead
        # ("as of December" in a January article is last December).
        year = str(pub.year - 1 if month - pub.month > 3 else pub.year)
    if year is None:
        value = text[start:end]
    elif day and 1 <= int(day) <= _days_in(int(year), month):
        value = f"{year}-{month:02d}-{int(day):02d}"
    else:
        value = f"{year}-{month:02d}"
    return Hit(2, start, end, "date", value, "date")


def _days_in(year: int, month: int) -> int:
    """The month's length: "February 30" and "31 April" are no days (a slip, or a hostile
    text), and were stored as dates no calendar has; the month alone is kept instead."""
    return calendar.monthrange(year, month)[1] if 1 <= year <= 9999 and 1 <= month <= 12 else 31


def _relative(unit: str, offset: int, pub: date | None) -> str | None:
    if pub is None:
        return None
    if unit == "year":
        return str(pub.year + offset)
    if unit == "month":
        months = pub.year * 12 + pub.month - 1 + offset
        return f"{months // 12}-{months % 12 + 1:02d}"
    step = 7 if unit == "week" else 1
    return (pub + timedelta(days=step * offset)).isoformat()


# --- names -------------------------------------------------------------------------------


# A capitalised prefix joined to a lower-case word is one word ("Co-founder", "Co-operative",
# "Ex-minister"), while "Seoul-based" is a name and an adjective.
_HYPHEN_TAIL = re.compile(r"(?:-[a-z]+)+")
_PREFIXES = frozenset({"Co", "Ex", "Anti", "Non", "Pre", "Post", "Re", "Multi", "Semi", "Sub",
                       "Self", "Vice", "Mid", "Pro", "Counter", "Inter"})
_DEMONYMS = frozenset({"Chinese", "American", "European", "Japanese", "British", "Vietnamese",
                       "English"})


def _names(text: str) -> Iterator[Hit]:
    for m in NAME_RUN.finditer(text):
        if _starts_word(text, m.start()):
            run = m.group(0)
            tail = _HYPHEN_TAIL.match(text, m.end()) if text[m.end():m.end() + 1] == "-" else None
            if tail and run.rsplit(" ", 1)[-1] in _PREFIXES:
                run += tail.group(0)
            if run in _LONE_OPENERS:
                continue  # cut to nothing by _classify_run: 6 in 10 runs of the bench's items
            yield from _classify_run(text, m.start(), run)


# A run of one word that _classify_run cuts off whole: a sentence's opener ("The", "About")
# or a month; not a demonym that is also an org suffix, which its loop keeps.
_LONE_OPENERS = frozenset(w for w in _OPENERS if (w in gz.NOT_NAMES or w in gz.MONTHS_EN)
                          and not (w in _DEMONYMS and w in gz.ORG_SUFFIXES))


def _classify_run(text: str, start: int, run: str) -> Iterator[Hit]:
    words = run.split(" ")
    first = start
    person_cue = org_cue = False
    # Leading openers and titles are not part of the name; a title makes the rest a person,
    # a business noun a business ("Carmaker Volvara said").
    while words and words[0] in _OPENERS:
        two = " ".join(words[:2])
        if two in gz.PERSON_TITLES and len(words) > 2:
            cut, person_cue = two, True
        elif words[0] in gz.PERSON_TITLES and len(words) > 1:
            cut, person_cue = words[0], True
        elif _org_noun(words[0]) and len(words) > 1 and not person_cue:
            cut, org_cue = words[0], True
        elif words[0].lower() in gz.PERSON_CUES and len(words) > 1 and not org_cue:
            cut, person_cue = words[0], True  # "Analyst Rui Costa", "Ông Nguyễn Văn An"
        elif words[0] in _DEMONYMS and words[-1] in gz.ORG_SUFFIXES:
            break  # "European Investment Bank" is a name, not the bank of someone European
        elif words[0] in gz.NOT_NAMES or words[0] in gz.MONTHS_EN:
            cut = words[0]
        else:
            break
        start += len(cut) + 1
        words = words[len(cut.split(" ")):]
    if not words:
        return
    # Most runs hold no known name's first word: then the gazetteer has nothing to say.
    known = [] if _NAME_HEADS.isdisjoint(words) else list(_known(words, start))
    if known:
        yield from known
        return
    # The words before matter only to an unknown name, and not once an opener was cut off.
    before = _prev_words(text, start) if start == first else ""
    kind = "org" if org_cue else _guess_kind(text, start, words, before, person_cue)
    if kind:
        name = " ".join(words)
        yield Hit(5, start, start + len(name), kind, name, "")


def _known(words: list[str], start: int) -> Iterator[Hit]:
    """Longest gazetteer names inside a run, left to right."""
    offsets = [start]
    for w in words:
        offsets.append(offsets[-1] + len(w) + 1)
    i = 0
    while i < len(words):
        # Most capitalised words start no known name: skip them without building any.
        if words[i] in _NAME_HEADS:
            for j in range(min(len(words), i + _NAME_WORDS), i, -1):
                name = " ".join(words[i:j])
                found = _KNOWN_NAMES.get(name)
                if found:
                    kind, canon = found
                    yield Hit(5, offsets[i], offsets[i] + len(name), kind, canon, "")
                    i = j
                    break
            else:
                i += 1
        else:
            i += 1


# The gazetteer's names in one table, a person before a place before an org as lookups always
# went; an empty canonical name never matched, so it is left out.
_KNOWN_NAMES: dict[str, tuple[str, str]] = {}
for _kind, _table in (("person", gz.PEOPLE), ("place", gz.PLACES), ("org", gz.ORGS)):
    for _name, _canon in _table.items():
        if _canon:
            _KNOWN_NAMES.setdefault(_name, (_kind, _canon))
_NAME_HEADS = frozenset(name.split(" ")[0] for name in _KNOWN_NAMES)
_NAME_WORDS = max(len(name.split(" ")) for name in _KNOWN_NAMES)


def _guess_kind(text: str, start: int, words: list[str], before: str,
                person_cue: bool) -> str | None:
    """Unknown names, from cues around them. Recall over precision: a wrong tag is cheap."""
    end = start + len(" ".join(words))
    after = text[end:end + 24]
    previous = before.split()  # may be empty: "a, Hello World" leaves only a space
    last_two = " ".join(previous[-2:])
    prev = previous[-1] if previous else ""
    if words[-1] in gz.ORG_SUFFIXES or words[-1].endswith((".com", ".net", ".org", ".vn")):
        return "org"
    if not person_cue and _ORG_APPOSITIVE.match(text, end):
        return "org"  # "Lotus Freight, the Singapore-based shipping group": not a person
    if len(words) in (2, 3) and (person_cue or prev.lower() in gz.PERSON_CUES
                                 or last_two in gz.PERSON_CUES
                                 or _PERSON_AFTER.match(after)):
        return "person"
    if person_cue:
        return "person"
    if (prev and _org_noun(prev) and not words[0].endswith(("ese", "ish"))
            and words[0].lower() not in gz.PERSON_CUES):
        return "org"  # "battery recycler Loopcell", "the airline Skyra"
    if after.startswith("-based") or (len(words) <= 2 and prev in gz.PLACE_CUES
                                      and not words[0].endswith(("ese", "ish"))):
        return "place"
    if len(words) == 1 and (_CAMEL.search(words[0]) or (after.startswith(_POSSESSIVE)
                                                        and before)):
        return "org"
    return None


def _prev_words(text: str, start: int) -> str:
    """Up to two words before `start` in the same clause, for cue lookup."""
    chunk = text[max(0, start - 30):start]
    if not chunk.strip() or chunk.rstrip()[-1:] in ".!?:;\"“”":
        return ""
    return chunk.rsplit(",", 1)[-1]


# "the Biden administration", "the Trump campaign": a government or a team, not the person.
_GROUP_AFTER = re.compile(r" (?:administration|government|campaign|cabinet|camp)(?!\w)")


def _administration(text: str, hit: Hit) -> Hit:
    if hit.kind != "person":
        return hit
    group = _GROUP_AFTER.match(text, hit.end)
    if group is None:
        return hit
    name = text[hit.start:group.end()]
    return Hit(hit.rank, hit.start, group.end(), "org", name, "")


# --- one entity per name --------------------------------------------------------------------

# Legal endings a second mention drops: "Microsoft Corp" then "Microsoft".
_LEGAL = frozenset({"Inc", "Inc.", "Corp", "Corp.", "Corporation", "Co", "Co.", "Ltd", "Ltd.",
                    "LLC", "plc", "Plc", "Group", "Holdings"})


def merge_aliases(facts: list[Fact]) -> list[Fact]:
    """One value per entity across an article: a surname alone is the person named in full
    elsewhere ("Olsen" after "Maria Olsen"), and an organisation with its legal ending is the
    same as without ("Microsoft Corp", "Microsoft"). Known aliases are settled by the
    gazetteer already ("Trump", "the Fed")."""
    names = {str(f.value) for f in facts if f.kind in NAME_KINDS}
    if len(names) < 2:
        return facts
    alias: dict[str, str] = {}
    surnames: dict[str, set[str]] = {}
    for f in facts:
        if f.kind == "person" and " " in str(f.value):
            surnames.setdefault(str(f.value).rsplit(" ", 1)[1], set()).add(str(f.value))
    for name in names:
        full = surnames.get(name)
        if full is not None and len(full) == 1:  # two people of one surname: leave it
            alias[name] = next(iter(full))
        head, _, last = name.rpartition(" ")
        if last in _LEGAL and head in names:
            alias[name] = head
    if not alias:
        return facts
    kinds = {str(f.value): f.kind for f in facts if f.kind in NAME_KINDS}
    out = []
    for f in facts:
        canon = alias.get(str(f.value)) if f.kind in NAME_KINDS else None
        if canon is not None:
            f = make_fact(kinds.get(canon, f.kind), f.text, canon, f.unit, f.paragraph, f.start,
                          f.end, f.link)
        out.append(f)
    return out
