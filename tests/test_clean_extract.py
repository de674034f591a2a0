from __future__ import annotations

import io
import threading
import time
from pathlib import Path
from typing import Any

import feedparser
import pytest

from briefing.clean import extract
from briefing.clean.extract import Extracted, ExtractError, extract_html, html_to_paragraphs

BODY = [
    "Nordvik Shipping will spend $1.2bn on twelve battery-electric ferries, the company said on "
    "Tuesday, the largest single order in the history of the Baltic operator.",
    "Chief executive Ingrid Solberg said the vessels would cut the group's fuel bill by 40 per "
    "cent once all of them enter service in 2029, and that crews would be retrained in Gdansk.",
    "The order follows a 2025 agreement with the port of Tallinn to install 18 megawatts of "
    "shore charging, paid for in part by a €210mn grant from the European Union.",
    "Analysts at Kestrel Research said the deal should lift the yard's order book by a third, "
    "although financing costs remain high after two years of rising interest rates.",
]

NEWS_PAGE = f"""<!doctype html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Nordvik orders electric ferries | The Harbour Ledger</title>
<meta property="og:site_name" content="The Harbour Ledger">
<meta name="author" content="Maja Lind">
<meta property="article:published_time" content="2026-03-10T08:30:00Z">
<script>window.analytics = {{track: function() {{}}}};</script>
<style>body {{ font-family: serif; }}</style>
</head><body>
<div class="cookie-banner">We use cookies to improve your experience. Accept all cookies</div>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/business">Business</a></li></ul></nav>
<main><article>
<h1>Nordvik orders twelve electric ferries</h1>
<div class="byline">By Maja Lind</div>
<div class="share"><a href="#">Share</a> <a href="#">Twitter</a> <a href="#">Facebook</a></div>
{"".join(f"<p>{p}</p>" for p in BODY)}
</article>
<section id="comments"><h2>Comments</h2>
<div class="comment"><p>Reader42: This is a terrible idea and a waste of taxpayers money, I will
never travel on one of these boats again as long as I live.</p></div>
<form><label>Please enter your comment!</label><textarea></textarea></form>
</section>
<aside class="related"><h3>More like this</h3><ul>
<li><a href="/a">Port of Tallinn opens new terminal</a></li>
<li><a href="/b">Shipbuilders face steel shortage</a></li></ul></aside>
</main>
<footer><p>© 2026 The Harbour Ledger. All rights reserved.</p>
<a href="/privacy">Privacy</a></footer>
</body></html>"""


def test_news_page_keeps_body_and_drops_chrome() -> None:
    doc = extract_html(NEWS_PAGE, url="https://example.com/news/ferries")
    assert isinstance(doc, Extracted)
    assert doc.title == "Nordvik orders twelve electric ferries"
    assert doc.author == "Maja Lind"
    assert doc.site_name == "The Harbour Ledger"
    assert doc.date == "2026-03-10"
    assert list(doc.paragraphs) == BODY
    text = " ".join(doc.paragraphs)
    for junk in ("cookies", "Reader42", "Please enter", "More like this", "Tallinn opens",
                 "All rights reserved", "Twitter"):
        assert junk not in text


def _page(body: str, *, title: str = "Nordvik orders electric ferries | The Harbour Ledger",
          head: str = "") -> str:
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
            f"{head}</head><body><nav><a href='/'>Home</a> <a href='/business'>Business</a></nav>"
            f"<main><article>{body}</article></main></body></html>")


def test_a_paragraph_that_is_only_a_link_to_another_story_is_dropped() -> None:
    # trafilatura's default mode keeps it; precision mode drops link-only paragraphs. No line
    # rule could: it reads like a short paragraph.
    other = "Port of Tallinn opens a new terminal for cruise ships"
    body = "".join(f"<p>{p}</p>" for p in BODY[:2]) + f"<p><a href='/tallinn'>{other}</a></p>"
    doc = extract_html(_page(body + "".join(f"<p>{p}</p>" for p in BODY[2:])))
    assert list(doc.paragraphs) == BODY


def test_when_precision_mode_keeps_little_the_default_mode_is_used() -> None:
    # The visible page is a teaser; the article is in the page's JSON-LD, which trafilatura's
    # default mode falls back to and precision mode does not. 18 words against 116: the
    # default mode's text wins.
    import json

    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle",
                     "headline": "Nordvik orders twelve electric ferries",
                     "articleBody": " ".join(BODY)})
    body = f"<h1>Nordvik orders twelve electric ferries</h1><p>{BODY[0][:90]}.</p>"
    doc = extract_html(_page(body, head=f'<script type="application/ld+json">{ld}</script>'))
    assert " ".join(doc.paragraphs) == " ".join(BODY)


@pytest.mark.parametrize(
    ("title", "h1"),
    [
        ("Nordvik orders twelve electric ferries | The Harbour Ledger",
         "‘Nordvik Orders Twelve Electric Ferries’"),
        ("The Harbour Ledger - Nordvik orders twelve electric ferries",
         "NORDVIK ORDERS TWELVE ELECTRIC FERRIES"),
        ("Nordvik orders 12 electric ferries – The Harbour Ledger",
         "Nordvik orders twelve electric ferries"),
    ],
)
def test_headline_repeated_loosely_is_dropped(title: str, h1: str) -> None:
    # With og:title set, trafilatura's title is the site's "Headline | Site" and its text opens
    # with the <h1>: the two never matched exactly.
    body = f"<h1>{h1}</h1>" + "".join(f"<p>{p}</p>" for p in BODY)
    og_title = f'<meta property="og:title" content="{title}">'
    doc = extract_html(_page(body, title=title, head=og_title))
    assert doc.title == title
    assert list(doc.paragraphs) == BODY


def test_opening_paragraph_equal_to_the_meta_description_stays() -> None:
    head = (f'<meta name="description" content="{BODY[0]}">'
            f'<meta property="og:description" content="{BODY[0]}">')
    doc = extract_html(_page("".join(f"<p>{p}</p>" for p in BODY), head=head))
    assert list(doc.paragraphs) == BODY


def test_bytes_input_is_accepted() -> None:
    doc = extract_html(NEWS_PAGE.encode("utf-8"))
    assert list(doc.paragraphs) == BODY


def test_script_only_page_is_an_error() -> None:
    page = "<html><head><title>x</title></head><body><script>render()</script></body></html>"
    with pytest.raises(ExtractError, match="no article text"):
        extract_html(page)


@pytest.mark.parametrize("page", ["", "   \n", b"", b"\x00\x01\x02"])
def test_empty_or_garbage_is_an_error(page: str | bytes) -> None:
    with pytest.raises(ExtractError):
        extract_html(page)


def test_huge_page_is_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def parse(html: Any, url: Any) -> None:
        raise AssertionError("a page over the cap was parsed")

    monkeypatch.setattr(extract, "_with_trafilatura", parse)
    page = "<html><body>" + "<p>filler words here.</p>" * 300_000 + "</body></html>"
    with pytest.raises(ExtractError, match=r"page is \d+ bytes, over the 5000000-byte cap"):
        extract_html(page)


def test_lxml_fallback_when_trafilatura_finds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract, "_with_trafilatura", lambda html, url: None)
    doc = extract_html(NEWS_PAGE)
    assert doc.title == "Nordvik orders twelve electric ferries"
    assert doc.paragraphs[: len(BODY)] == tuple(BODY)
    assert not any("All rights reserved" in p for p in doc.paragraphs)


def _slow(html: Any, url: Any) -> None:
    time.sleep(30)


def test_timeout_in_main_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract, "_with_trafilatura", _slow)
    started = time.perf_counter()
    with pytest.raises(ExtractError, match=r"extraction took longer than 0.2s"):
        extract_html(NEWS_PAGE, timeout=0.2)
    assert time.perf_counter() - started < 15  # cut off, not waited out (30 s)


def test_timeout_is_skipped_outside_main_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract, "_with_trafilatura", lambda html, url: None)
    results: list[object] = []

    def run() -> None:
        try:
            results.append(extract_html(NEWS_PAGE, timeout=0.01))
        except Exception as exc:
            results.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    assert isinstance(results[0], Extracted)


# ---- feed item HTML ----


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("<p>One fine day.</p><p>Two <b>bold</b> words.</p>",
         ["One fine day.", "Two bold words."]),
        ("first line<br>same paragraph<br><br>second paragraph",
         ["first line same paragraph", "second paragraph"]),
        ("<ul><li>Oil at $81</li><li>Gold up 2%</li></ul>", ["Oil at $81", "Gold up 2%"]),
        ("Plain text, no tags.\n\nA second paragraph.",
         ["Plain text, no tags.", "A second paragraph."]),
        ("AT&amp;T paid &euro;5bn &mdash; a record", ["AT&T paid €5bn — a record"]),
        ("profit < 5% and loss > 3%", ["profit < 5% and loss > 3%"]),
        ("<p>unclosed <i>markup<p>next one", ["unclosed markup", "next one"]),
        ("<p>Kept.</p><script>alert(1)</script><style>p{}</style>", ["Kept."]),
        ("<p>red \x1b[31malert\x1b[0m text\x00</p>", ["red alert text"]),
        ("<div>outer<div>inner</div>tail</div>", ["outer", "inner", "tail"]),
    ],
)
def test_html_to_paragraphs(fragment: str, expected: list[str]) -> None:
    assert html_to_paragraphs(fragment) == expected


@pytest.mark.parametrize(
    "garbage", ["", "   ", "<<<>>>&&&", "<p></p>", "<script>x</script>", "\x00\x00", "</p></div>"]
)
def test_html_to_paragraphs_never_raises(garbage: str) -> None:
    result = html_to_paragraphs(garbage)
    assert isinstance(result, list)
    assert all(p.strip() for p in result)


def test_html_to_paragraphs_non_string_gives_empty() -> None:
    assert html_to_paragraphs(None) == []  # type: ignore[arg-type]


# ---- the project's own sample pages and feeds ----

SAMPLES = Path(__file__).resolve().parent.parent / "sample_feeds"
CHROME = ("cookie", "Share", "Most read", "Related stories", "More from", "Comments",
          "All rights reserved", "Subscribe", "Sign up", "volt_fan", "Advertisement")


@pytest.mark.parametrize(
    ("path", "title", "first_words", "count"),
    [
        ("pages/chip-plant.html", "Meridian Semiconductor picks Ostrava for €2.4bn chip plant",
         "Meridian Semiconductor will build", 7),
        ("pages/battery-recycling.html",
         "Battery recycler Loopcell opens plant that recovers 95% of lithium",
         "Dutch start-up Loopcell opened", 5),
        ("articles/rail-link.html", "Port-to-airport rail link opens six months early",
         "The 23km rail line", 6),
    ],
)
def test_sample_pages(path: str, title: str, first_words: str, count: int) -> None:
    doc = extract_html((SAMPLES / path).read_bytes())
    assert doc.title == title
    assert doc.date is not None and doc.date.startswith("2026-03-")
    assert doc.paragraphs[0].startswith(first_words)
    assert len(doc.paragraphs) == count
    for paragraph in doc.paragraphs:
        assert not any(word in paragraph for word in CHROME), paragraph


@pytest.mark.parametrize("name", ["world.xml", "tech.atom", "markets.xml"])
def test_sample_feed_items_give_paragraphs(name: str) -> None:
    feed = feedparser.parse(io.BytesIO((SAMPLES / name).read_bytes()))
    assert not feed.bozo
    for entry in feed.entries:
        html = entry["content"][0]["value"] if "content" in entry else entry["summary"]
        assert html_to_paragraphs(html), entry["title"]


def test_sample_markets_keeps_hostile_text_literal() -> None:
    feed = feedparser.parse(io.BytesIO((SAMPLES / "markets.xml").read_bytes()))
    first = feed.entries[0]
    assert first["title"] == "[UPDATE] Markets close higher"
    assert any("[bold]" in p for p in html_to_paragraphs(first["summary"]))


def _bare_fragments() -> list[str]:
    """Random runs of <p>text</p> built from the pieces most likely to part the two paths:
    every kind of whitespace, '>', combining marks (NFC), wide and bidi characters."""
    import random

    rng = random.Random(3)
    pieces = ["word", "Đà Nẵng", "e\u0301", " ", "  ", "\n", "\n\n", "\t", "\xa0", "\u2003",
              "\u3000", "\u200b", "\u2028", "\u2029", "\x85", "\x0c", "\ufeff", ">", "a > b",
              "🙂", "日本", "\u202e", "©", "Share", "Photo: Reuters", "\r\n", ".", "\ud83d"]
    fragments = []
    for _ in range(3000):
        paras = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
                 for _ in range(rng.randint(1, 5))]
        gaps = [rng.choice(["", " ", "\n", " \n "]) for _ in range(len(paras) + 1)]
        body = "".join(f"<p>{p}</p>{g}" for p, g in zip(paras, gaps[1:], strict=True))
        fragments.append(gaps[0] + body)
    return fragments


def test_bare_paragraphs_are_what_lxml_makes_of_them() -> None:
    """The shortcut for <p>-only items gives the parsed walk's paragraphs, or stands aside."""
    from briefing.text import sanitize

    taken = 0
    for raw in _bare_fragments():
        fragment = sanitize(raw)
        bare = extract._bare_paragraphs(fragment)
        if bare is None:
            continue
        taken += 1
        assert bare == extract._parsed_paragraphs(fragment), raw
    assert taken > 1000
    assert extract._bare_paragraphs(sanitize("<p>x</p><p>AT&amp;T</p>")) is None
    assert extract._bare_paragraphs(sanitize("<p>x</p>tail")) is None
    assert extract._bare_paragraphs(sanitize("<p>x<br>y</p>")) is None


@pytest.mark.parametrize(
    "text",
    ["plain words", " edge spaces ", "two  spaces", "tab\there", "nbsp\xa0here", "ideo\u3000sp",
     "zw\u200bsp", "lines\nand\n\nmore", "e\u0301 combining", "\u2028sep\u2029", "", "   "],
)
def test_text_shortcuts_change_nothing(text: str) -> None:
    """sanitize and normalize_paragraph skip their substitutions when these cannot apply."""
    import re
    import unicodedata

    from briefing import text as t

    spaces = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")
    nfc = unicodedata.normalize("NFC", text)
    lines = [spaces.sub(" ", line).strip() for line in nfc.split("\n")]
    assert t.normalize_paragraph(text) == " ".join(line for line in lines if line)
    for dirty in (text, text + "\x1b[31m", "\u202e" + text + "\x9b"):
        slow = t._strip_unsafe(t.line_breaks(dirty))
        assert t.sanitize(dirty) == slow.replace("\t", " ")


def test_deeply_nested_pages_are_read_or_said_to_be_too_deep() -> None:
    """libxml2 stops at 256 levels unless told otherwise, and what is deeper was dropped: a
    page whose article sat in 300 <div>s failed with "no article text found". Read now up to
    its larger limit; past that, the error says why."""
    body = "".join(f"<p>Paragraph {i}: Acme Corp said revenue rose {i}% to ${i}bn in the "
                   "quarter, its chief executive told reporters on Tuesday.</p>"
                   for i in range(10))

    def page(depth: int) -> str:
        return ("<html><head><title>Deep</title></head><body>" + "<div>" * depth
                + f"<article>{body}</article>" + "</div>" * depth + "</body></html>")

    found = extract_html(page(300), url="https://example.com/deep")
    assert len(found.paragraphs) == 10
    assert found.paragraphs[3].startswith("Paragraph 3: Acme Corp said revenue rose 3%")
    with pytest.raises(ExtractError, match="more than 2,048 deep"):
        extract_html(page(5000), url="https://example.com/deeper")


@pytest.mark.parametrize("depth", [255, 300, 2_100, 20_000])
def test_a_feed_item_nested_deep_keeps_its_text(depth: int) -> None:
    # Past libxml2's usual 256 levels the item's text was lost without a word, and the
    # fetch said "ok"; past the 2,048 of huge_tree its tags are taken out instead.
    fragment = ("<div>" * depth + "<p>Revenue rose 5% to $12bn at Acme Corp.</p>"
                "<script>var hidden = 1;</script><p>Second paragraph &amp; more.</p>"
                + "</div>" * depth)
    assert html_to_paragraphs(fragment) == ["Revenue rose 5% to $12bn at Acme Corp.",
                                            "Second paragraph & more."]


def test_a_date_in_the_prose_is_not_the_page_s_date() -> None:
    """An undated page that says "by December 2025" was dated 2025-01-01 (htmldate's
    extensive search of the text), so it fell out of `brief --since today`; a date in the
    markup is still read."""
    body = "".join(f"<p>{p}</p>" for p in BODY) + (
        "<p>The yard plans to deliver the last of the ferries by December 2025, "
        "weeks before the new emission rules apply.</p>")
    assert extract_html(_page(body)).date is None
    dated = _page(body, head='<meta property="article:published_time" '
                             'content="2024-03-05T08:00:00Z">')
    assert (extract_html(dated).date or "").startswith("2024-03-05")
