"""Rules for typed facts: unit sentences written for these tests, then the two seed documents
(read from ../shared/seeds at run time; their text is never copied here)."""

from __future__ import annotations

import pickle
import re
from dataclasses import replace
from pathlib import Path

import pytest

from briefing.facts import FactRows, extract
from briefing.models import Fact
from briefing.numbers import parse_number
from tests.conftest import seed

PUBLISHED = "2025-01-22T09:00:00Z"  # a Wednesday


def facts(text: str, language: str = "en", published: str | None = PUBLISHED) -> list[Fact]:
    found = extract(text, paragraph=0, language=language, published=published)
    for fact in found:
        assert text[fact.start:fact.end] == fact.text, fact
    return found


def of_kind(text: str, kind: str, language: str = "en") -> list[tuple[str, float | str, str]]:
    return [(f.text, f.value, f.unit) for f in facts(text, language) if f.kind == kind]


# --- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "language", "value"), [
    ("230,000", "en", 230000.0), ("230.000", "vi", 230000.0), ("5,5", "vi", 5.5),
    ("5.5", "en", 5.5), ("1,234.5", "en", 1234.5), ("1.234,5", "vi", 1234.5), ("12", "en", 12.0),
    ("three", "en", 3.0),
])
def test_parse_number(raw: str, language: str, value: float) -> None:
    assert parse_number(raw, language) == value


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("Acme will spend $12bn on plants.", "en", [("$12bn", 12e9, "USD")]),
    ("It raised £3.2mn from backers.", "en", [("£3.2mn", 3.2e6, "GBP")]),
    ("A loan of US$1.5 billion was agreed.", "en", [("US$1.5 billion", 1.5e9, "USD")]),
    ("The fine was €900,000 in total.", "en", [("€900,000", 9e5, "EUR")]),
    ("Sales hit ¥40bn and HK$2m.", "en", [("¥40bn", 40e9, "JPY"), ("HK$2m", 2e6, "HKD")]),
    ("The state pledged 40 billion yuan to it.", "en", [("40 billion yuan", 40e9, "CNY")]),
    ("It spent more than $7bn last year.", "en", [("$7bn", 7e9, "USD")]),
    ("Hãng chi 12 tỷ USD cho nhà máy.", "vi", [("12 tỷ USD", 12e9, "USD")]),
    ("Dự án trị giá 2.000 tỷ đồng.", "vi", [("2.000 tỷ đồng", 2e12, "VND")]),
    ("Khoản vay 3,5 triệu euro.", "vi", [("3,5 triệu euro", 3.5e6, "EUR")]),
])
def test_money(text: str, language: str, expected: list[tuple[str, float, str]]) -> None:
    assert of_kind(text, "money", language) == expected


@pytest.mark.parametrize(("text", "language"), [
    ("Kestrel set aside Rmb20bn ($2.7bn) for chips.", "en"),
    ("Kestrel dành 20 tỷ nhân dân tệ (2,7 tỷ USD) cho chip.", "vi"),
])
def test_paired_amounts_are_linked(text: str, language: str) -> None:
    found = [f for f in facts(text, language) if f.kind == "money"]
    first, second = found
    assert (first.unit, second.unit) == ("CNY", "USD")
    assert first.value == 20e9 and second.value == 2.7e9
    all_facts = facts(text, language)
    assert all_facts[all_facts.index(first)].link == all_facts.index(second)
    assert all_facts[all_facts.index(second)].link == all_facts.index(first)


def test_unpaired_amounts_are_not_linked() -> None:
    assert all(f.link is None for f in facts("It spent $3bn in May 2024 and $4bn since."))


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("Prices rose 13% in March.", "en", [("13%", 13.0, "%")]),
    ("About 60 per cent went abroad.", "en", [("60 per cent", 60.0, "%")]),
    ("Nearly 50 percent agreed.", "en", [("50 percent", 50.0, "%")]),
    ("Rates rose 0.25 percentage points.", "en", [("0.25 percentage points", 0.25, "pp")]),
    ("Khoảng 60% đơn hàng, 30 phần trăm còn lại.", "vi",
     [("60%", 60.0, "%"), ("30 phần trăm", 30.0, "%")]),
    ("Lãi suất tăng 5,5%.", "vi", [("5,5%", 5.5, "%")]),
])
def test_percent(text: str, language: str, expected: list[tuple[str, float, str]]) -> None:
    assert of_kind(text, "percent", language) == expected


@pytest.mark.parametrize(("text", "language", "value", "unit"), [
    ("It shipped 230,000 chips.", "en", 230000.0, "chips"),
    ("The app has 170mn US users.", "en", 170e6, "US users"),
    ("It reported 71mn monthly active users.", "en", 71e6, "monthly active users"),
    ("Rivals claim 300mn weekly active users.", "en", 300e6, "weekly active users"),
    ("It bought 485,000 of the more advanced chips.", "en", 485000.0, "chips"),
    ("Orion bought 120,000 of Nordwind's servers.", "en", 120000.0, "servers"),
    ("The plant employs 40 engineers.", "en", 40.0, "engineers"),
    ("Nordwind sold 224,000 last year.", "en", 224000.0, ""),
    ("Hãng mua 230.000 chip mới.", "vi", 230000.0, "chip"),
    ("Ứng dụng có 170 triệu người dùng Mỹ.", "vi", 170e6, "người dùng"),
])
def test_count(text: str, language: str, value: float, unit: str) -> None:
    found = [(v, u) for _, v, u in of_kind(text, "count", language)]
    assert found == [(value, unit)]


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("The order keeps it open for 75 days.", "en", [("75 days", 75.0, "day")]),
    ("The loan runs three years.", "en", [("three years", 3.0, "year")]),
    ("Over the first three quarters of 2024 it grew.", "en",
     [("three quarters", 3.0, "quarter")]),
    ("A 12-month pilot and 48 hours of talks.", "en",
     [("12-month", 12.0, "month"), ("48 hours", 48.0, "hour")]),
    ("Lệnh giữ ứng dụng mở trong 75 ngày.", "vi", [("75 ngày", 75.0, "day")]),
    ("Dự án kéo dài 3 năm và 6 tháng.", "vi", [("3 năm", 3.0, "year"), ("6 tháng", 6.0, "month")]),
    ("Bổ sung 14 bến trong 3 năm tới.", "vi", [("3 năm", 3.0, "year")]),
])
def test_duration(text: str, language: str, expected: list[tuple[str, float, str]]) -> None:
    assert of_kind(text, "duration", language) == expected


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("Sales fell in 2024.", "en", [("2024", "2024")]),
    ("The chatbot launched in August 2023.", "en", [("August 2023", "2023-08")]),
    ("It had 5mn users as of December.", "en", [("December", "2024-12")]),
    ("It opens on 5 March 2025.", "en", [("5 March 2025", "2025-03-05")]),
    ("It opened on March 3rd, 2021.", "en", [("March 3rd, 2021", "2021-03-03")]),
    ("He signed the order on Monday.", "en", [("Monday", "2025-01-20")]),
    ("It doubled what it spent last year.", "en", [("last year", "2024")]),
    ("Rules changed last week.", "en", [("last week", "2025-01-15")]),
    ("Kế hoạch cho năm 2025.", "vi", [("năm 2025", "2025")]),
    ("Người dùng tính đến tháng 12.", "vi", [("tháng 12", "2024-12")]),
    ("Số liệu tháng 12/2024.", "vi", [("tháng 12/2024", "2024-12")]),
    ("Ra mắt vào tháng 8 năm 2023.", "vi", [("tháng 8 năm 2023", "2023-08")]),
    ("Hội nghị ngày 5/3/2025.", "vi", [("ngày 5/3/2025", "2025-03-05")]),
    ("Gấp đôi năm ngoái; ký vào thứ Hai.", "vi",
     [("năm ngoái", "2024"), ("thứ Hai", "2025-01-20")]),
])
def test_date(text: str, language: str, expected: list[tuple[str, str]]) -> None:
    assert [(t, v) for t, v, _ in of_kind(text, "date", language)] == expected


def test_date_without_publication_keeps_surface_text() -> None:
    found = facts("It doubled last year, on Monday, in December.", published=None)
    assert [f.value for f in found if f.kind == "date"] == ["last year", "Monday", "December"]


def test_may_the_verb_is_not_a_date() -> None:
    assert of_kind("Prices May rise; it May 2024 report.", "date") == [
        ("May 2024", "2024-05", "date")]


@pytest.mark.parametrize(("text", "language", "kind", "value"), [
    ("Orbis Holdings said profits rose.", "en", "org", "Orbis Holdings"),
    ("Shares in Nvidia and Huawei fell.", "en", "org", "Huawei"),
    ("Analysts at Kestrelworks Inc expect growth.", "en", "org", "Kestrelworks Inc"),
    ("The FT reported it first.", "en", "org", "Financial Times"),
    ("Data came from site Widgetly.com today.", "en", "org", "Widgetly.com"),
    ("It was built by QuantaSoft engineers.", "en", "org", "QuantaSoft"),
    ("President Donald Trump signed it.", "en", "person", "Donald Trump"),
    ("Later Trump said no.", "en", "person", "Donald Trump"),
    ("The group's founder Lena Marsh has left.", "en", "person", "Lena Marsh"),
    ("Reporting by Tom Okafor in Lagos.", "en", "person", "Tom Okafor"),
    ("Mr Pavel Durov declined to comment.", "en", "person", "Pavel Durov"),
    ("Capacity grew in Malaysia.", "en", "place", "Malaysia"),
    ("A factory in Yuxi makes them.", "en", "place", "Yuxi"),
    ("The Seoul-based firm grew.", "en", "place", "Seoul"),
    ("The Kaunas-based firm grew.", "en", "place", "Kaunas"),
    ("Exports to the US slowed.", "en", "place", "United States"),
    ("Công ty có trụ sở tại Bắc Kinh.", "vi", "place", "Beijing"),
    ("Xuất khẩu sang Mỹ giảm.", "vi", "place", "United States"),
    ("Nhà máy ở Đông Nam Á.", "vi", "place", "Southeast Asia"),
    ("Tổng thống Donald Trump đã ký.", "vi", "person", "Donald Trump"),
    ("Cổ phiếu Huawei tăng.", "vi", "org", "Huawei"),
])
def test_names(text: str, language: str, kind: str, value: str) -> None:
    assert value in [f.value for f in facts(text, language) if f.kind == kind]


@pytest.mark.parametrize(("text", "language"), [
    ("It can only buy the H20 and H20s, not GPT-4 class parts.", "en"),
    ("Zijing Wu in Hong Kong 10 hours ago", "en"),
    ("Zijing Wu tại Hồng Kông 10 giờ trước", "vi"),
    ("Số người dùng tính đến tháng 12.", "vi"),
    ("In 2024 it grew; in 1999 it did not.", "en"),
    ("The event is on the 3rd and 21st floors of Block 5G.", "en"),
    ("Chip H20 ra mắt năm 2024.", "vi"),
    ("Hai đồng nghiệp cùng 2 đồng nghiệp khác đến.", "vi"),
])
def test_traps_make_no_figures(text: str, language: str) -> None:
    figures = [f for f in facts(text, language) if f.kind in ("money", "percent", "count")]
    assert figures == []


@pytest.mark.parametrize("text", [
    "Output reached 10^9 tonnes, or 10^12 kg.",
    "It rose by 2.5×10^6 tonnes.",
    "The sample held 3×10⁹ cells.",
])
def test_a_power_of_ten_is_no_figure_of_its_parts(text: str) -> None:
    # "10^9 tonnes" was a measure of 9 t, and "10^9999 tonnes" one of 9,999 t.
    assert [f for f in facts(text) if f.kind in ("money", "percent", "count", "measure")] == []


def test_nan_is_no_name() -> None:
    # A camel-cased word is an org ("BlackRock"); "not a number" was one too.
    assert [f for f in facts("The model returned NaN for the index.") if f.kind == "org"] == []
    assert "BlackRock" in [f.value for f in facts("BlackRock returned NaN.") if f.kind == "org"]


def test_unknown_name_after_a_lone_comma_does_not_crash() -> None:
    # The words before "Hello World" are only a space once cut at the comma.
    assert [f.kind for f in facts("a, Hello World here")] == []


def test_first_three_quarters_is_not_money() -> None:
    found = facts("Revenue in the first three quarters of 2024 was flat.")
    assert {f.kind for f in found} <= {"duration", "date"}


# --- seeds -----------------------------------------------------------------------------------

# The 20 figures both seeds carry (listed in ../shared/seeds/README.md) as (kind, value, unit
# or the word the counted noun must contain).
SEED_FIGURES: list[tuple[str, float, str]] = [
    ("money", 12e9, "USD"), ("money", 40e9, "CNY"), ("money", 5.5e9, "USD"),
    ("money", 6.8e9, "USD"), ("percent", 60.0, "%"), ("percent", 30.0, "%"),
    ("count", 170e6, "user|customer|người dùng"), ("duration", 75.0, "day"),
    ("percent", 50.0, "%"), ("money", 300e9, "USD"), ("count", 71e6, "user|customer|người dùng"),
    ("count", 300e6, "user|customer|người dùng"), ("money", 11.6e9, "USD"),
    ("percent", 13.0, "%"), ("count", 230000.0, "chip"), ("count", 485000.0, "chip"),
    ("count", 224000.0, ""), ("money", 229e9, "USD"), ("money", 31e9, "USD"),
    ("money", 26e9, "USD"),
]
_VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)


def seed_parts() -> dict[str, tuple[str, list[str]]]:
    """The three copies of the story: spun English, the Vietnamese translation and the English
    original. Seed 004 is split after its last line with Vietnamese letters."""
    spun = seed("000_be20d156f46645ba.txt").read_text(encoding="utf-8").splitlines()
    post = seed("004_23fcfc9bf839688f.txt").read_text(encoding="utf-8").splitlines()
    last_vi = max(i for i, line in enumerate(post) if _VIETNAMESE.search(line))
    return {
        "spun-en": ("en", [x for x in spun if x.strip()]),
        "vi": ("vi", [x for x in post[: last_vi + 1] if _VIETNAMESE.search(x)]),
        "original-en": ("en", [x for x in post[last_vi + 1:] if x.strip()]),
    }


def seed_facts(part: str) -> list[Fact]:
    language, lines = seed_parts()[part]
    out: list[Fact] = []
    for i, line in enumerate(lines):
        base = len(out)  # links index the line's own list: re-base them, as the tagger does
        for f in extract(line, paragraph=i, language=language, published=PUBLISHED):
            out.append(f if f.link is None else replace(f, link=f.link + base))
    return out


PARTS = ["spun-en", "vi", "original-en"]


@pytest.mark.parametrize("part", PARTS)
def test_seed_offsets(part: str) -> None:
    language, lines = seed_parts()[part]
    for i, line in enumerate(lines):
        for fact in extract(line, paragraph=i, language=language, published=PUBLISHED):
            assert line[fact.start:fact.end] == fact.text


@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize(("kind", "value", "unit"), SEED_FIGURES)
def test_seed_figure_found(part: str, kind: str, value: float, unit: str) -> None:
    found = [f for f in seed_facts(part) if f.kind == kind and f.value == pytest.approx(value)]
    assert found, f"{kind} {value} missing from {part}"
    if kind == "count" and unit:
        assert any(re.search(unit, f.unit) for f in found), [f.unit for f in found]
    elif kind != "count":
        assert {f.unit for f in found} == {unit}


@pytest.mark.parametrize("part", PARTS)
def test_seed_rmb_amount_linked_to_dollars(part: str) -> None:
    found = seed_facts(part)
    rmb = next(f for f in found if f.unit == "CNY")
    assert rmb.link is not None
    partner = found[rmb.link]
    assert (partner.unit, partner.value, partner.link) == ("USD", 5.5e9, found.index(rmb))


@pytest.mark.parametrize("part", PARTS)
def test_seed_has_no_false_figures(part: str) -> None:
    expected = {(k, v) for k, v, _ in SEED_FIGURES}
    found = [f for f in seed_facts(part) if f.kind in ("money", "percent", "count")]
    extra = [f for f in found if (f.kind, f.value) not in expected]
    # The Vietnamese text writes "2 người" (two people) as a digit: a true count, allowed.
    assert all(f.kind == "count" and float(f.value) < 10 and f.unit for f in extra), extra
    for f in found:
        assert not re.search(r"H20|^(19|20)\d\d$", f.text), f


@pytest.mark.parametrize(("part", "trap"), [
    ("original-en", "10 hours ago"), ("vi", "10 giờ trước"), ("vi", "tháng 12"),
])
def test_seed_traps(part: str, trap: str) -> None:
    language, lines = seed_parts()[part]
    hits = [line for line in lines if trap in line]
    assert hits, f"{trap!r} no longer in the seed"
    for line in hits:
        start = line.index(trap)
        for f in extract(line, paragraph=0, language=language, published=PUBLISHED):
            if f.start < start + len(trap) and f.end > start:
                assert f.kind == "date", f


@pytest.mark.parametrize("part", PARTS)
def test_seed_names(part: str) -> None:
    found = {(f.kind, f.value) for f in seed_facts(part)}
    for name in ("ByteDance", "Nvidia", "Huawei", "TikTok", "Alibaba", "Tencent", "Baidu"):
        assert ("org", name) in found, name
    for name in ("Donald Trump", "Zhang Yiming"):
        assert ("person", name) in found, name
    for name in ("Malaysia", "Beijing", "China", "United States"):
        assert ("place", name) in found, name


def test_seed_files_are_not_copied_into_the_project() -> None:
    root = Path(__file__).resolve().parent.parent
    sample = seed("000_be20d156f46645ba.txt").read_text(encoding="utf-8").splitlines()[7][:60]
    for path in [*root.glob("briefing/*.py"), *root.glob("tests/test_*.py")]:
        assert sample not in path.read_text(encoding="utf-8"), path


def test_fact_rows_stand_for_their_facts() -> None:
    """FactRows (the facts a worker sends back) read as the tuple of Facts they stand for,
    cross the process boundary as rows, smaller, and come back equal."""
    facts = tuple(extract("Halvorsen Energy paid $3.5bn for 40% of Lindqvist Steel on "
                          "Monday, Rmb25bn ($3.5bn), cutting 1,200 jobs over 3 years.",
                          language="en", paragraph=2, published="2024-03-06"))
    assert len(facts) >= 5 and any(f.link is not None for f in facts)
    rows = FactRows.of(facts)
    assert len(rows) == len(facts) and rows.rows[0] == (
        facts[0].kind, facts[0].text, facts[0].value, facts[0].unit, facts[0].paragraph,
        facts[0].start, facts[0].end, facts[0].link)
    assert rows == facts and facts == rows and list(rows) == list(facts)
    assert rows[1] == facts[1] and rows[-1] == facts[-1] and rows[1:3] == facts[1:3]
    assert hash(rows) == hash(facts) and repr(rows) == f"FactRows({facts!r})"
    assert rows != facts[1:] and rows != FactRows(rows.rows[1:])
    assert rows != list(facts) and FactRows(()) != [] and FactRows(()) != ""  # as a tuple
    sent = pickle.dumps(rows, pickle.HIGHEST_PROTOCOL)
    assert len(sent) < len(pickle.dumps(facts, pickle.HIGHEST_PROTOCOL)) * 0.8
    back = pickle.loads(sent)
    assert isinstance(back, FactRows) and back == rows and back.facts() == facts
    assert FactRows(list(rows.rows)) == rows  # rows given as a list are kept as a tuple


@pytest.mark.parametrize(("text", "value"), [
    ("The meeting was on February 30, 2024.", "2024-02"),
    ("It closed on 31 April 2023.", "2023-04"),
    ("It opened on 29 February 2024.", "2024-02-29"),  # a leap year
    ("It opened on 29 February 2023.", "2023-02"),
])
def test_a_day_no_calendar_has_keeps_only_its_month(text: str, value: str) -> None:
    assert [f.value for f in facts(text) if f.kind == "date"] == [value]


@pytest.mark.parametrize(("text", "kind", "value", "shown"), [
    ("GDP growth was -7% in 2020.", "percent", -7.0, "-7%"),
    ("Exports changed by −7% last year.", "percent", -7.0, "−7%"),  # the true minus
    ("Margins hit –4% in the quarter.", "percent", -4.0, "–4%"),  # an en dash as minus
    ("Temperatures fell to -40°C overnight.", "measure", -40.0, "-40°C"),
    ("The fund returned -2.5% this year.", "percent", -2.5, "-2.5%"),
    ("The balance was -$3bn at the end.", "money", -3e9, "-$3bn"),
    ("Profit (-3%) fell.", "percent", -3.0, "-3%"),
])
def test_a_minus_sign_is_kept(text: str, kind: str, value: float, shown: str) -> None:
    # "-7%" was a fact of 7%, the sign dropped; "-40°C" and "-2.5%" were no facts at all.
    assert [(f.value, f.text) for f in facts(text) if f.kind == kind] == [(value, shown)]


@pytest.mark.parametrize("text", [
    "Sales rose 5-10% in 2020-21.", "COVID-19 hit 10 - 20 firms.", "It hit 10 – 20 firms.",
    "It fell 3% - a loss of $2bn.",
])
def test_a_dash_between_numbers_is_no_minus(text: str) -> None:
    assert [f for f in facts(text) if f.kind in ("percent", "money", "count")
            and isinstance(f.value, float) and f.value < 0] == []


@pytest.mark.parametrize(("text", "kind", "values"), [
    ("Temperatures range from -5 to 10 °C today.", "measure", [-5.0, 10.0]),
    ("Growth was -3 to 2% last year.", "percent", [-3.0, 2.0]),
    ("Temps of -5 to -10 °C are expected.", "measure", [-5.0, -10.0]),
    ("Margins were -10 to -20% in the quarter.", "percent", [-10.0, -20.0]),
    ("The swing was -$5-10bn in a year.", "money", [-5e9, 10e9]),
    ("Prices rose 5-10% in May.", "percent", [5.0, 10.0]),
])
def test_a_range_keeps_the_signs_of_its_ends(text: str, kind: str, values: list[float]) -> None:
    # The first end of a range lost its minus ("-5 to 10 °C" was a fact of 5 °C), and one
    # before a signed second end was no fact ("-5 to -10 °C" gave only -10 °C).
    assert [f.value for f in facts(text) if f.kind == kind] == values


@pytest.mark.parametrize(("text", "name", "kind"), [
    ("Lotus Freight, the Singapore-based shipping group, said it would invest.",
     "Lotus Freight", "org"),
    ("Highland Bean, the Hanoi-listed coffee chain, agreed to buy a roaster.",
     "Highland Bean", "org"),
    ("Kestrel Rail, a Lyon-based train maker, won the order.", "Kestrel Rail", "org"),
    # an appositive about a person, or a clause that starts with "the company"
    ("Jane Doe, the head of the bank, said rates would rise.", "Jane Doe", "person"),
    ("Mai Tran, the company's chief executive, said the plan held.", "Mai Tran", "person"),
    ("The plant will be built in Ostrava, the company said.", "Ostrava", "place"),
])
def test_an_appositive_that_names_a_business_makes_an_org(text: str, name: str,
                                                            kind: str) -> None:
    """", the Singapore-based shipping group" after an unknown name: a business, where the
    appositive cue read it as a person (", the ...")."""
    found = {f.text: f.kind for f in extract(text, paragraph=0, language="en")}
    assert found.get(name) == kind, found


@pytest.mark.parametrize(("text", "name", "kind"), [
    ("Battery recycler Tarnvik said on Monday it would open a plant.", "Tarnvik", "org"),
    ("Budget airline Skyra added six routes.", "Skyra", "org"),
    ("Carmaker Volvara said sales fell.", "Volvara", "org"),  # was a person named "Carmaker"
    ("Lender Zentra Bank cut rates.", "Zentra Bank", "org"),  # was "Lender Zentra Bank"
    ("Shares in drugmaker Pellion rose 4%.", "Pellion", "org"),
    ("Geothermal company Hekla Orka will spend more.", "Hekla Orka", "org"),
    ("Tarnvik, a battery recycler, opened a plant.", "Tarnvik", "org"),
    # people stay people: a title or a person's cue comes first
    ("The company's chief executive Anna Berg said the plan held.", "Anna Berg", "person"),
    ("Analyst Rui Costa said the recycler Tarnvik would grow.", "Rui Costa", "person"),
])
def test_a_business_named_by_what_it_is_is_an_org(text: str, name: str, kind: str) -> None:
    """A noun before an unknown name that says it is a business ("battery recycler", "budget
    airline", "Carmaker" opening a sentence): the name was missed, or read as a person."""
    found = {f.text: f.kind for f in extract(text, paragraph=0, language="en")}
    assert found.get(name) == kind, found
