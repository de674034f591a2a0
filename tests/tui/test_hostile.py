"""Untrusted titles show literally and harmlessly: never markup, never escape sequences."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from pathlib import Path

from textual.widgets import OptionList

from briefing.config import Settings
from briefing.models import Fact, Paragraph
from briefing.store import Store
from briefing.tui.app import BriefingApp
from briefing.tui.screens.reader import ReaderScreen
from briefing.tui.widgets.article_list import ArticleList

from .conftest import NOW, open_settled, plain_article, screen_text, settle

HOSTILE = {
    "h-click": "[@click=app.quit] Breaking",
    "h-update": "[UPDATE] Markets",
    "h-osc": "\x1b]0;pwned\x07Quiet title",
    "h-bold": "[bold red]Not bold[/] really",
    # Invisible format characters (stored by an older version): none may take a column.
    "h-cf": "\u200f\u061cHidden\u2060 marks\ufeff\u00ad in\U000e0041\U000e007f title",
}


async def test_hostile_titles_show_literally(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    with Store(db) as store:
        for i, (art_id, title) in enumerate(HOSTILE.items()):
            base = plain_article(i)
            store.save_article(base.__class__(**{
                **base.__dict__, "id": art_id, "title": title, "url": f"https://h.example/{i}",
                "source_title": "[link=file:///etc]Src[/link]", "summary": "[b]sum[/b]",
                # Long enough for the reader to show the summary above the body.
                "paragraphs": tuple(Paragraph(k, f"Paragraph {k} of the piece.", "en")
                                    for k in range(5))}))
    app = BriefingApp(db, Settings(), now=NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "[@click=app.quit] Breaking" in text
        assert "[UPDATE] Markets" in text
        assert "[bold red]Not bold[/] really" in text
        assert "Quiet title" in text and "pwned" not in text
        assert "[link=file:///etc]Src[/link]" in text
        cells = [c.plain for row in app.screen.query_one(ArticleList).ordered_rows
                 for c in app.screen.query_one(ArticleList).get_row(row.key)]
        assert not any("\x1b" in c or "\x07" in c for c in cells)
        assert "Hidden marks in title" in text
        assert not any(unicodedata.category(ch) == "Cf" for c in cells for ch in c)
        # Clicking the quit-markup title must not quit: open it and read it.
        lst = app.screen.query_one(ArticleList)
        lst.move_cursor(row=lst.order.index("h-click"))
        await pilot.press("enter")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, ReaderScreen)
        await pilot.click("#reader-title", offset=(2, 0))
        await settle(pilot)
        assert app.is_running
        assert "[@click=app.quit] Breaking" in screen_text(app)
        assert "[b]sum[/b]" in screen_text(app)


async def test_a_long_title_leaves_the_source_line_in_view(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    base = plain_article(0)
    long_title = " ".join(["Harbour"] * 70)  # 500 characters: seven lines at 80 columns
    with Store(db) as store:
        store.save_article(base.__class__(**{**base.__dict__, "title": long_title,
                                             "source_title": "Bay Post Wire"}))
    app = BriefingApp(db, Settings(), now=NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert "Bay Post Wire" in screen_text(app)


async def test_o_on_a_link_urllib_cannot_read_says_so(db: Path) -> None:
    """A link stored before links were checked ("http://[oops/x") ended the reader with a
    traceback on `o`: urlsplit raised ValueError."""
    from .conftest import Notes

    with Store(db) as store:
        store.save_article(plain_article(900, title="Odd link"))
    notes = Notes()
    app = BriefingApp(db, Settings(), now=NOW)
    opened: list[str] = []
    app.opener = opened.append
    async with app.run_test(size=(120, 40), message_hook=notes) as pilot:
        await settle(pilot)
        for url in ("http://[oops/x", "file:///etc/passwd", "javascript:alert(1)"):
            app.open_link(url)
            await pilot.pause()
        app.open_link("https://news.example/ok")
        await pilot.pause()
    assert opened == ["https://news.example/ok"]
    assert sum(m.startswith("Not a web link: ") for m in notes.messages()) == 3


def test_a_stored_link_urllib_cannot_read_has_no_host() -> None:
    from briefing.publishers import feed_name, host_of, source_name

    art = plain_article(901)
    assert host_of("http://[oops/x") == ""
    assert source_name(replace(art, url="http://[oops/x")) == (art.source_title or art.source)
    assert source_name(replace(art, url="file://[x/notes.txt")) == "notes.txt"
    assert feed_name("file://[x/port news") == "port news"


async def test_a_huge_article_opens_with_a_bounded_layout(tmp_path: Path) -> None:
    """100,000 short paragraphs, then one of a megabyte with its figures as facts: the reader
    lays out what a person reads (READER_MAX_PARAGRAPHS, READER_MAX_PARAGRAPH_CHARS) and says
    what it left out; the facts pane lists FACTS_PER_KIND of a kind. It laid out every
    paragraph (35 s for these, again at every resize) and wrapped the long one in time that
    grew with its square."""
    from briefing.tui.screens.reader import FACTS_PER_KIND
    from briefing.tui.widgets.reader_body import (
        READER_MAX_PARAGRAPH_CHARS,
        READER_MAX_PARAGRAPHS,
        ReaderBody,
    )

    db = tmp_path / "x.db"
    pieces, facts, at = [], [], 0
    for i in range(25_000):  # ~1 MB, 2,000 distinct amounts as facts
        sentence = f"Revenue rose to ${i}bn, Acme said of its year. "
        if i < 2_000:
            start = at + sentence.index("$")
            facts.append(Fact("money", f"${i}bn", i * 1e9, "USD", 0, start,
                              start + len(f"${i}bn")))
        pieces.append(sentence)
        at += len(sentence)
    long_one = "".join(pieces).strip()
    many = [Paragraph(i, f"Line {i}.", "en") for i in range(1, 100_000)]
    big = replace(plain_article(0), id="big", title="Huge",
                  paragraphs=(Paragraph(0, long_one, "en"), *many),
                  text="\n\n".join([long_one, *(p.text for p in many)]), facts=tuple(facts))
    with Store(db) as store:
        store.save_article(big)
    app = BriefingApp(db, Settings(), now=NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = await open_settled(pilot, app, "big")
        body = screen.query_one(ReaderBody)
        text = body.text
        assert "more characters not shown" in text
        assert f"{100_000 - READER_MAX_PARAGRAPHS:,} more paragraphs" in text
        assert f"briefing show {big.id}" in text
        # Lines for what is shown: at most the capped text at a few words a line, not the
        # 100,000 rows and the megabyte.
        laid = READER_MAX_PARAGRAPHS * 2 + READER_MAX_PARAGRAPH_CHARS // 10
        assert len(body.text.splitlines()) < laid
        await pilot.resize_terminal(140, 40)
        await settle(pilot)
        assert "more paragraphs" in body.text
        pane = screen.query_one("#facts-panel", OptionList)
        last = str(pane.get_option_at_index(pane.option_count - 1).prompt)
        assert f"{2_000 - FACTS_PER_KIND:,} more" in last
        assert pane.option_count < FACTS_PER_KIND + 10
