"""The lxml fast path must read plain RSS 2.0 and Atom exactly as feedparser does, and leave
everything unusual to feedparser."""

from __future__ import annotations

import pytest

from briefing.clean.extract import html_to_paragraphs
from briefing.models import FeedEntry, ParsedFeed
from briefing.sources import fastfeed, feeds
from tests.conftest import ROOT
from tests.feedgen import rss


def _slow(body: bytes, url: str, monkeypatch: pytest.MonkeyPatch) -> ParsedFeed:
    with monkeypatch.context() as m:
        m.setattr(fastfeed, "parse", lambda *_: None)
        return feeds.parse(body, {}, url)


def _effective(e: FeedEntry) -> tuple[object, ...]:
    """What ingest uses of an entry (feedparser fills a missing summary from the content and
    spells <br/> as <br />: neither changes the text we keep)."""
    return (e.link, e.guid, e.title, e.author, e.published, e.tags,
            html_to_paragraphs(e.content_html or e.summary_html))


@pytest.mark.parametrize("name", ["world.xml", "tech.atom", "markets.xml", "energy.xml"])
def test_sample_feeds_read_the_same_both_ways(name: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    path = (ROOT / "sample_feeds" / name).resolve()
    body = path.read_bytes()
    fast = fastfeed.parse(body, path.as_uri())
    slow = _slow(body, path.as_uri(), monkeypatch)
    assert fast is not None, "a plain feed should take the fast path"
    assert fast.title == slow.title
    assert [_effective(e) for e in fast.entries] == [_effective(e) for e in slow.entries]


def test_generated_rss_reads_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    body = rss(5)
    fast = fastfeed.parse(body, "https://news.example.com/feed")
    assert fast is not None
    slow = _slow(body, "https://news.example.com/feed", monkeypatch)
    assert [_effective(e) for e in fast.entries] == [_effective(e) for e in slow.entries]


@pytest.mark.parametrize("body", [
    b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x "y">]><rss version="2.0"><channel>'
    b"<item><title>&x;</title><link>https://a.example/1</link></item></channel></rss>",
    b'<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel><item><title>'
    b"caf\xe9</title><link>https://a.example/1</link></item></channel></rss>",
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    b'xmlns="http://purl.org/rss/1.0/"><item><title>t</title></item></rdf:RDF>',
    b'<rss version="2.0"><channel><item><title>broken</item></channel></rss>',
    b'<rss version="2.0"><channel><item><description>no link, no id</description></item>'
    b"</channel></rss>",
    b'<rss version="2.0"><channel><item><title>a <b>bold</b> title</title>'
    b"<link>https://a.example/1</link></item></channel></rss>",
])
def test_anything_unusual_goes_to_feedparser(body: bytes) -> None:
    assert fastfeed.parse(body, "https://a.example/feed") is None


@pytest.mark.parametrize("ref", [b"&#xD800;", b"&#xdfff;", b"&#55296;", b"&#x110000;",
                                 b"&#99999999999;"])
def test_a_reference_to_no_character_costs_one_character_not_the_feed(ref: bytes) -> None:
    """A surrogate half or a code point past U+10FFFF, written as a character reference in one
    item's title: feedparser's loose parser failed the whole feed on it ("surrogates not
    allowed"), every item lost. It reads as U+FFFD; the feed's other items, and its good
    references, are as written."""
    body = (b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T'
            b"</title><link>http://example.com/</link><description>d</description>"
            b"<item><title>First &#8217;item&#x2019;</title><link>http://example.com/1</link>"
            b"<guid>1</guid><description>One.</description></item>"
            b"<item><title>Bad " + ref + b" title</title><link>http://example.com/2</link>"
            b"<guid>2</guid><description>Two.</description></item></channel></rss>")
    parsed = feeds.parse(body, {}, "http://example.com/feed")
    assert [e.title for e in parsed.entries] == ["First \u2019item\u2019", "Bad \ufffd title"]
