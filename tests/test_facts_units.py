"""Issue 13, parts 2 and 3: figures keep their units (a `measure` kind), names are merged into
one entity each, and tags are worth clicking (no common words or fragments, one tag whatever its
case, a post's own hashtag kept). Real databases in tmp_path; the CLI as a subprocess where the
exit code matters."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from briefing.entities import entities
from briefing.exit_codes import ExitCode
from briefing.facts import extract, merge_aliases
from briefing.models import Fact, Paragraph
from briefing.query import parse_fact_filter
from briefing.store.store import ArticleFilter, QueryError, Store
from briefing.tagger import TAGGER_VERSION, analyse
from briefing.tui.render import FACT_LABELS, FACT_STYLES, distinct_facts


def _facts(text: str, language: str = "en") -> list[tuple[str, str, float | str, str]]:
    return [(f.kind, f.text, f.value, f.unit)
            for f in extract(text, paragraph=0, language=language)]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "briefing", *args], capture_output=True,
                          text=True, timeout=120, env=dict(os.environ))


# -- units on every figure -----------------------------------------------------------------


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("The 1,000MW farm is ready.", "en", ("measure", "1,000MW", 1000.0, "MW")),
    ("Capacity is 3,500 MW in all.", "en", ("measure", "3,500 MW", 3500.0, "MW")),
    ("Blades are 14.5 metres long.", "en", ("measure", "14.5 metres", 14.5, "m")),
    ("It pumps 6.2mn barrels of oil.", "en", ("measure", "6.2mn barrels", 6.2e6, "bbl")),
    ("They mined 2.5 tonnes of gold.", "en", ("measure", "2.5 tonnes", 2.5, "t")),
    ("It reached 30°C at noon.", "en", ("measure", "30°C", 30.0, "°C")),
    ("The line runs 12 km inland.", "en", ("measure", "12 km", 12.0, "km")),
    ("Công suất 3.500 MW.", "vi", ("measure", "3.500 MW", 3500.0, "MW")),
    ("Power costs 8.5 US cents a unit.", "en", ("money", "8.5 US cents", 0.085, "USD")),
    ("A ticket costs 900 € now.", "en", ("money", "900 €", 900.0, "EUR")),
    ("Prices rose five per cent.", "en", ("percent", "five per cent", 5.0, "%")),
    ("Only two people came.", "en", ("count", "two", 2.0, "people")),
    ("It holds three million barrels.", "en", ("measure", "three million barrels", 3e6, "bbl")),
])
def test_figures_keep_their_units(text: str, language: str,
                                  expected: tuple[str, str, float, str]) -> None:
    found = _facts(text, language)
    assert expected in found, found


@pytest.mark.parametrize(("text", "expected"), [
    ("It began 40 years ago.", [("duration", "40 years", 40.0, "year")]),
    ("Posted 3 hours ago.", []),  # page furniture, not what the story says
    ("After 15 or 20 minutes she left.", [("duration", "15", 15.0, "minute"),
                                          ("duration", "20 minutes", 20.0, "minute")]),
    ("Life began two and a half billion years ago.",
     [("duration", "two and a half billion years", 2.5e9, "year")]),
    ("It took two and a half months.", [("duration", "two and a half months", 2.5, "month")]),
    ("A year later and a few hundred million years on.", []),
    ("In the 1980s it changed.", [("date", "1980s", "1980", "date")]),
    ("We asked a million Americans.", [("count", "a million", 1e6, "Americans")]),
    ("They had two dozen kinds.", [("count", "two dozen", 24.0, "kinds")]),
    ("I made two more mistakes.", [("count", "two", 2.0, "mistakes")]),
    ("You are 11 times more likely to win.", []),
    ("It was viewed 23 million times.", [("count", "23 million", 23e6, "times")]),
    ("The account had 14.9 million U.S. dollars.",
     [("money", "14.9 million U.S. dollars", 14.9e6, "USD")]),
    ("We surveyed about 650 plans.", [("count", "650", 650.0, "plans")]),
    ("It weighs 100 micrograms.", [("measure", "100 micrograms", 100.0, "µg")]),
    ("It was 20 degrees C outside.", [("measure", "20 degrees C", 20.0, "°C")]),
])
def test_figures_a_reader_notes_in_talks(text: str,
                                         expected: list[tuple[str, str, float, str]]) -> None:
    found = [f for f in _facts(text) if f[0] not in ("org", "person", "place")]
    assert found == expected


def test_english_50m_is_still_fifty_million_and_spaced_letters_are_no_units() -> None:
    assert ("count", "50m", 50e6, "users") in _facts("It has 50m users.")
    assert not [f for f in _facts("Row 5 m and seat 3 t.") if f[0] == "measure"]


@pytest.mark.parametrize(("text", "first", "second"), [
    ("Costs rose 5-10% this year.", ("percent", "5", 5.0, "%"),
     ("percent", "10%", 10.0, "%")),
    ("Margins of 15 to 30 percent.", ("percent", "15", 15.0, "%"),
     ("percent", "30 percent", 30.0, "%")),
    ("A budget of $5-10bn.", ("money", "$5", 5e9, "USD"), ("money", "10bn", 10e9, "USD")),
    ("Routes of 5-7 km.", ("measure", "5", 5.0, "km"), ("measure", "7 km", 7.0, "km")),
])
def test_a_range_gives_both_ends_the_unit(text: str, first: tuple[str, str, float, str],
                                          second: tuple[str, str, float, str]) -> None:
    found = _facts(text)
    assert first in found and second in found, found


def test_measure_goes_through_filters_styles_and_signatures() -> None:
    from briefing.facts import FIGURE_KINDS
    from briefing.signatures import Fig

    assert "measure" in FIGURE_KINDS and "measure" in FACT_STYLES and "measure" in FACT_LABELS
    flt = parse_fact_filter("measure>=1e3")
    assert (flt.kind, flt.op, flt.value) == ("measure", ">=", 1000.0)
    with pytest.raises(QueryError):
        parse_fact_filter("measures>1")
    # A measure keeps its unit in the story key: 3,500 MW and 3,500 tonnes are not one figure.
    mw = Fig("measure", "MW", 3500.0, "3,500MW", 1.0, frozenset())
    tonnes = Fig("measure", "t", 3500.0, "3,500 tonnes", 1.0, frozenset())
    assert mw.key() != tonnes.key() and not mw.same_value(tonnes)


def test_signature_keys_measures_by_unit(tmp_path: Path) -> None:
    from briefing.signatures import signature

    folder = tmp_path / "wind"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "Wind farm plans\n\nThe farm will deliver 3,500MW from 2030, its owner said.\n",
        encoding="utf-8")
    db = tmp_path / "w.db"
    assert _run("--db", str(db), "fetch", str(folder), "--quiet").returncode == 0
    with Store(db) as store:
        (aid,) = store.article_ids()
        art = store.get_article(aid)
    assert art is not None
    assert [(f.kind, f.unit, f.value) for f in signature(art).figs] == [("measure", "MW", 3500)]


# -- names: one entity each --------------------------------------------------------------


def _fact(kind: str, value: str, paragraph: int = 0) -> Fact:
    return Fact(kind, value, value, "", paragraph, 0, len(value))


def test_aliases_merge_a_surname_and_a_legal_ending() -> None:
    facts = [_fact("person", "Maria Olsen"), _fact("org", "Nordwind Corp"),
             _fact("person", "Olsen", 1), _fact("org", "Nordwind", 2)]
    merged = merge_aliases(facts)
    assert [f.value for f in merged] == ["Maria Olsen", "Nordwind", "Maria Olsen", "Nordwind"]
    assert entities(merged) == [("Maria Olsen", "person", 2), ("Nordwind", "org", 2)]
    # Two people who share a surname: a surname alone could be either, so it stays.
    two = [_fact("person", "Maria Olsen"), _fact("person", "Erik Olsen"), _fact("person", "Olsen")]
    assert [f.value for f in merge_aliases(two)] == ["Maria Olsen", "Erik Olsen", "Olsen"]


def test_known_aliases_and_the_administration_of_a_person() -> None:
    found = _facts("Donald Trump spoke. Trump left. The Biden administration and the Fed agreed.")
    people = [v for k, _t, v, _u in found if k == "person"]
    assert people == ["Donald Trump", "Donald Trump"]
    assert ("org", "Biden administration", "Biden administration", "") in found
    assert ("org", "Fed", "Federal Reserve", "") in found


def test_analyse_merges_names_across_paragraphs() -> None:
    paras = [Paragraph(0, "Nordwind Corp will build a 1,000MW wind farm, said Maria Olsen."),
             Paragraph(1, "Analysts said Nordwind’s shares rose."),
             Paragraph(2, "Olsen's plan needs 2.5 tonnes of steel.")]
    result = analyse(paras, title="Nordwind plans wind farm", language="en", published=None)
    names = {(f.kind, str(f.value)) for f in result.facts if f.kind in ("org", "person")}
    assert ("org", "Nordwind") in names and ("org", "Nordwind Corp") not in names
    assert {("measure", "MW"), ("measure", "t")} <= {(f.kind, f.unit) for f in result.facts}


def test_facts_panel_lists_each_entity_and_figure_once_with_its_count() -> None:
    text = "Trump said 40,000 homes. Donald Trump said 40,000 homes again."
    facts = extract(text, paragraph=0, language="en")
    assert distinct_facts(facts, "person") == [("Donald Trump", 2, 0)]
    assert distinct_facts(facts, "count") == [("40,000 homes", 2, 0)]


# -- the CLI on real databases --------------------------------------------------------------


@pytest.fixture
def measured_db(tmp_path: Path) -> Path:
    folder = tmp_path / "energy"
    folder.mkdir()
    (folder / "wind.txt").write_text(
        "Coral Ridge Energy plans a wind farm\n\n"
        "Coral Ridge Energy will build a 1,000MW wind farm off the coast, chief executive "
        "Maria Olsen said on Monday.\n\n"
        "Maria Olsen said Coral Ridge Energy expects 14.5 metres waves at most.\n",
        encoding="utf-8")
    (folder / "rail.txt").write_text(
        "Rail line opens\n\nThe line runs 12 km and cost $400mn, Harbour Rail Corp said.\n",
        encoding="utf-8")
    db = tmp_path / "m.db"
    proc = _run("--db", str(db), "fetch", str(folder), "--quiet")
    assert proc.returncode == 0, proc.stderr
    return db


def test_list_and_search_filter_on_measures(measured_db: Path) -> None:
    proc = _run("--db", str(measured_db), "list", "--fact", "measure>=1000", "--json")
    assert proc.returncode == ExitCode.OK, proc.stderr
    assert [a["title"] for a in json.loads(proc.stdout)] == ["Coral Ridge Energy plans a wind farm"]
    proc = _run("--db", str(measured_db), "search", "line", "--fact", "measure<100", "--json")
    assert proc.returncode == ExitCode.OK, proc.stderr
    assert [a["title"] for a in json.loads(proc.stdout)] == ["Rail line opens"]
    bad = _run("--db", str(measured_db), "list", "--fact", "meter>5")
    assert bad.returncode == ExitCode.USAGE
    assert "measure" in bad.stderr and "Traceback" not in bad.stderr


def test_show_json_gives_each_entity_once_with_its_mentions(measured_db: Path) -> None:
    listed = json.loads(_run("--db", str(measured_db), "list", "--json").stdout)
    wind = next(a for a in listed if a["title"].startswith("Coral"))
    proc = _run("--db", str(measured_db), "show", wind["id"], "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    ents = {(e["name"], e["kind"]): e["mentions"] for e in data["entities"]}
    assert ents[("Maria Olsen", "person")] == 2
    assert len(ents) == len(data["entities"])  # each once
    names = [f for f in data["facts"] if f["kind"] in ("org", "person", "place")]
    assert sum(ents.values()) == len(names)
    measures = {(f["text"], f["unit"]) for f in data["facts"] if f["kind"] == "measure"}
    assert measures == {("1,000MW", "MW"), ("14.5 metres", "m")}


def test_an_older_taggers_articles_are_tagged_again(measured_db: Path) -> None:
    with sqlite3.connect(measured_db) as conn:  # as version 1 left them: no measure facts
        conn.execute("DELETE FROM facts WHERE kind = 'measure'")
        conn.execute("UPDATE articles SET tagger_version = 1")
    proc = _run("--db", str(measured_db), "tag")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "2 articles tagged"
    with sqlite3.connect(measured_db) as conn:
        kinds = {r[0] for r in conn.execute("SELECT kind FROM facts")}
        versions = {r[0] for r in conn.execute("SELECT tagger_version FROM articles")}
    assert "measure" in kinds and versions == {TAGGER_VERSION}
    assert _run("--db", str(measured_db), "tag").stdout.strip() == "0 articles tagged"


# -- tags ----------------------------------------------------------------------------------


def _tags(title: str, body: list[str], feed_tags: tuple[str, ...] = ()) -> tuple[str, ...]:
    paras = [Paragraph(i, t) for i, t in enumerate(body)]
    return analyse(paras, title=title, language="en", published=None,
                   feed_tags=feed_tags).tags


def test_no_tags_from_common_words_units_or_fragments() -> None:
    tags = _tags("Gold climbs to record as city plant opens homes near the close",
                 ["Gold rose to $3,240 an ounce, a record close. The city plant opens homes.",
                  "Co-founder Femke de Vries said the European Investment Bank will lend. "
                  "The city plant and the homes near it reopen at the close. An ounce of gold.",
                  "Gold gained again near the close; the city plant has homes."])
    low = {t.casefold() for t in tags}
    assert not low & {"city", "plant", "homes", "close", "ounce", "record", "co",
                      "investment bank"}, tags
    assert "European Investment Bank" in tags and "gold" in low


def test_a_name_the_rules_missed_is_no_lower_case_topic() -> None:
    tags = _tags("Satellite start-up Skylark raises funds",
                 ["Skylark builds satellite dishes.", "Skylark said each satellite is small.",
                  "Investors like Skylark and its satellite plans."])
    assert "skylark" not in tags and "satellite" in tags


def test_a_posts_own_hashtag_is_kept_as_it_is() -> None:
    body = ["Coral Ridge Energy, Maria Olsen, Vietnam, Hanoi and Singapore agreed on wind.",
            "Coral Ridge Energy said wind in Vietnam, Hanoi and Singapore is strong; wind."]
    tags = _tags("Coral Ridge Energy plans wind farm", body, ("EX", "finance", "Finance"))
    assert "EX" in tags and "Finance" not in tags and "finance" in tags


@pytest.mark.parametrize("seed_name", ["004_23fcfc9bf839688f.txt"])
def test_seed_post_read_back_keeps_its_hashtag(tmp_path: Path, seed_name: str) -> None:
    from tests.conftest import seed

    folder = tmp_path / "post"
    folder.mkdir()
    (folder / "post.txt").write_text(seed(seed_name).read_text(encoding="utf-8"),
                                     encoding="utf-8")
    db = tmp_path / "p.db"
    assert _run("--db", str(db), "fetch", str(folder), "--quiet").returncode == 0
    (art,) = json.loads(_run("--db", str(db), "list", "--json").stdout)
    assert "FT" in art["tags"]
    assert not {t.casefold() for t in art["tags"]} & {"co", "plant", "city", "close"}


def _opml(path: Path) -> Path:
    path.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>'
        '<outline text="Finance" title="Finance"><outline type="rss" text="Wire" '
        'xmlUrl="https://markets.example.com/feed.xml" category="/markets,/finance"/>'
        '</outline></body></opml>', encoding="utf-8")
    return path


def test_an_opml_folder_and_category_in_two_cases_make_one_tag(tmp_path: Path) -> None:
    db = tmp_path / "o.db"
    proc = _run("--db", str(db), "import-opml", str(_opml(tmp_path / "f.opml")))
    assert proc.returncode == 0, proc.stderr
    with Store(db) as store:
        (source,) = store.list_sources()
    assert sorted(source.tags, key=str.casefold) == ["Finance", "markets"]


def _tagged_db(tmp_path: Path) -> Path:
    folder = tmp_path / "items"
    folder.mkdir()
    for i in range(3):
        (folder / f"a{i}.txt").write_text(f"Item {i}\n\nA short item number {i} on rates.\n",
                                          encoding="utf-8")
    db = tmp_path / "t.db"
    assert _run("--db", str(db), "fetch", str(folder), "--quiet").returncode == 0
    return db


def test_tags_in_two_cases_are_one_tag_in_counts_and_filters(tmp_path: Path) -> None:
    db = _tagged_db(tmp_path)
    with sqlite3.connect(db) as conn:
        ids = [r[0] for r in conn.execute("SELECT rowid FROM articles ORDER BY id")]
        conn.executemany("INSERT INTO article_tags (article, tag) VALUES (?, ?)",
                         [(ids[0], "Finance"), (ids[1], "Finance"), (ids[2], "finance")])
    with Store(db) as store:
        counts = {t: n for t, n, _u in store.tag_counts()}
        found = store.list_articles(ArticleFilter(tag="FINANCE"))
    assert counts.get("Finance") == 3 and "finance" not in counts
    assert len(found) == 3


def test_migration_merges_tag_case_in_an_existing_database(tmp_path: Path) -> None:
    db = _tagged_db(tmp_path)
    with sqlite3.connect(db) as conn:  # a database from before m012, with case duplicates
        ids = [r[0] for r in conn.execute("SELECT rowid FROM articles ORDER BY id")]
        conn.executemany("INSERT INTO article_tags (article, tag) VALUES (?, ?)",
                         [(ids[0], "finance"), (ids[1], "finance"), (ids[2], "Finance"),
                          (ids[2], "finance")])
        conn.execute("INSERT INTO source_tags (source_url, tag) SELECT source_url, 'World' "
                     "FROM articles LIMIT 1")
        conn.execute("INSERT INTO source_tags (source_url, tag) SELECT source_url, 'world' "
                     "FROM articles LIMIT 1")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm012_merge_tag_case'")
        conn.execute("PRAGMA user_version = 7")
    with Store(db):
        pass  # opening migrates
    with sqlite3.connect(db) as conn:
        tags = sorted(r[0] for r in conn.execute(
            "SELECT tag FROM article_tags WHERE tag IN ('finance', 'Finance')"))
        source_tags = sorted(r[0] for r in conn.execute(
            "SELECT tag FROM source_tags WHERE tag IN ('world', 'World')"))
    assert tags == ["finance", "finance", "finance"]  # the spelling used most, once each
    assert source_tags == ["World"]  # a tie: the one sorting first
