"""A feed's declared language as a prior for language detection: believed for plain text that
reads as that language, never for text that does not."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from xml.sax.saxutils import escape

from briefing.clean import language
from briefing.pipeline import run_fetch
from briefing.sources.feeds import parse
from briefing.store import Store
from tests.conftest import quick_settings
from tests.httpserver import Route, TestServer

ENGLISH = [
    "The regional power company said on Monday that it would spend $1.8bn on a new grid link "
    "to the northern islands, the largest project in its history.",
    "Engineers expect the cable to carry enough electricity for about 400,000 homes once it "
    "is finished, and the work should start in the spring.",
    "The company declined to comment on the price.",
]
# Our own Vietnamese text, with its diacritics.
VIETNAMESE = [
    "Giá cà phê xuất khẩu của Việt Nam tăng mạnh trong tháng này nhờ nhu cầu từ châu Âu và sản "
    "lượng giảm ở Brazil, theo số liệu của hải quan.",
    "Các doanh nghiệp cho biết đơn hàng mới đã kín đến cuối năm, trong khi nông dân ở Tây "
    "Nguyên vẫn lo ngại về thời tiết khô hạn kéo dài.",
    "Ngân hàng nhà nước giữ nguyên lãi suất điều hành, và các nhà phân tích dự báo tín dụng sẽ "
    "tăng nhanh hơn vào quý cuối cùng.",
]


def _unaccented(text: str) -> str:
    """Vietnamese as some sites write it: in plain ASCII, without its diacritics."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text)
                   if unicodedata.category(c) != "Mn")


def _rss(declared: str, items: dict[str, list[str]]) -> bytes:
    entries = "".join(
        f"<item><title>{escape(name)}</title><link>https://news.example.com/{name}</link>"
        f"<guid>https://news.example.com/{name}</guid>"
        f"<pubDate>Mon, 01 Jun 2026 08:00:00 GMT</pubDate><description>"
        f"{escape(''.join(f'<p>{p}</p>' for p in paras))}</description></item>"
        for name, paras in items.items())
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            "<title>Declared</title><link>https://news.example.com/</link><description>d"
            f"</description><language>{declared}</language>{entries}</channel></rss>").encode()


def test_a_feed_declaring_english_that_carries_vietnamese_is_read_as_vietnamese(
        server: TestServer, db_file: Path) -> None:
    unaccented = [_unaccented(p) for p in VIETNAMESE]
    assert all(p.isascii() for p in unaccented)
    url = server.add("/en.xml", Route(_rss("en-us", {
        "vi": VIETNAMESE, "vi-plain": unaccented, "en": ENGLISH,
        "mixed": [*ENGLISH[:2], VIETNAMESE[0], ENGLISH[2]]})))
    store = Store(db_file)
    report = run_fetch(quick_settings(connect=5, read=5, total=30), store, [url])
    assert report.failed == [] and report.added == 4
    found = {a.url.rsplit("/", 1)[1]: store.get_article(a.id) for a in store.list_articles()}
    langs = {name: (art.language, [p.language for p in art.paragraphs])
             for name, art in found.items() if art is not None}
    assert langs == {
        "vi": ("vi", ["vi"] * 3),
        "vi-plain": ("vi", ["vi"] * 3),  # plain ASCII, but not English by its words
        "en": ("en", ["en"] * 3),
        "mixed": ("en", ["en", "en", "vi", "en"]),
    }


def test_the_prior_gives_what_the_model_gives_for_text_in_the_declared_language() -> None:
    for paragraphs in (ENGLISH, [*ENGLISH, VIETNAMESE[1]], VIETNAMESE,
                       [_unaccented(p) for p in VIETNAMESE]):
        assert (language.detect_article(paragraphs, prior="en")
                == language.detect_article(paragraphs)), paragraphs
    # German and Dutch written in plain ASCII share a few short words with English ("in",
    # "was", "is"), far from enough to pass for it.
    german = ["Die Stadtwerke wollen im kommenden Jahr mehr als zwei Milliarden Euro in neue "
              "Leitungen investieren, sagte der Vorstand am Montag in der Hauptstadt.",
              "Nach Angaben des Unternehmens sollen die Arbeiten im Fruehjahr beginnen und "
              "etwa drei Jahre dauern, wobei die Kosten noch steigen koennten."]
    dutch = ["Het havenbedrijf wil volgend jaar meer dan twee miljard euro investeren in nieuwe "
             "kades, zei de directeur maandag tijdens een bijeenkomst in de stad.",
             "Volgens het bedrijf beginnen de werkzaamheden in het voorjaar en duren ze "
             "ongeveer drie jaar, maar de kosten kunnen nog stijgen."]
    for paragraphs, code in ((german, "de"), (dutch, "nl")):
        assert all(p.isascii() for p in paragraphs)
        assert language.detect_article(paragraphs, prior="en") == ([code] * 2, code)
    # A declared language without function words to check it by is not believed: the model
    # decides, as without a prior.
    assert language.detect_article(ENGLISH, prior="vi") == (["en"] * 3, "en")


def test_declared_languages_are_read_from_rss_and_atom() -> None:
    assert [language.declared(v) for v in ("en-US", "EN_gb", "en", " fr ", "english", "", "e1")
            ] == ["en", "en", "en", "fr", "", "", ""]
    atom = ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
            'xml:lang="en-GB"><title>A</title><id>urn:a</id><updated>2026-06-01T08:00:00Z'
            '</updated><entry><title>One</title><id>urn:a:1</id><link href="https://a.example/1"'
            '/><updated>2026-06-01T08:00:00Z</updated><summary>Text</summary></entry></feed>')
    rss = _rss("vi", {"one": ["Text"]}).decode()
    for body in (atom, rss):
        assert language.declared(parse(body.encode(), {}, "https://a.example/feed").language) \
            in ("en", "vi")
        # The same through feedparser (the fast parser leaves documents with xml:base to it).
        slow = body.replace("<title>", '<title xml:base="https://a.example/">', 1)
        assert parse(slow.encode(), {}, "https://a.example/feed").language == parse(
            body.encode(), {}, "https://a.example/feed").language
    assert parse(atom.encode(), {}, "").language == "en-GB"
    assert parse(rss.encode(), {}, "").language == "vi"
