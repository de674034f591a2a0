"""briefing.markdown: escaped text renders as the same text in any CommonMark renderer, and
reads back exactly; links are http(s) only."""

from __future__ import annotations

import random
import string
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from briefing.config import Settings
from briefing.markdown import autolink, escape, http_link, plain, unescape
from briefing.pipeline import run_fetch
from briefing.store import Store

# Only text may come out of escaped text: no HTML, images, links, emphasis, code, headings,
# quotes, other lists or breaks.
TEXT_TOKENS = {"text", "text_special"}

NASTY = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))",
    "![t](http://tracker/p.gif)", "# heading", "## two", "- item", "+ item", "* item",
    "**bold**", "__bold__", "*em* and _em_", "`code`", "``", "~~strike~~", "~~~", "```",
    "> quote", "1. first", "2024) year", "123456789. many", "=== under", "---", "***", "___",
    "- - -", "<https://example.com>", "<!-- comment -->", "<div>block</div>",
    "&amp; &#65; &copy;", "[ref]: https://example.com", "[ref]", "a\\", "\\*", "\\\\",
    "trailing backslash \\", "| a | b |", "a <b> c", "x_y_z", "#tag", "1.5 per cent",
    "📌 not a pin", "\\# escaped already", "1234567890. ten digits", "2024.",
]


def _rng_lines(n: int) -> list[str]:
    rng = random.Random(16)
    alphabet = string.punctuation * 3 + string.ascii_letters + string.digits + " ·é中"
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))).strip() or "x"
            for _ in range(n)]


def _parse(md: str) -> tuple[list[str], list[Token]]:
    """(the top-level blocks, the inline tokens) of a CommonMark document."""
    tokens = MarkdownIt("commonmark").parse(md)
    blocks = [t.type for t in tokens if t.level == 0 and t.nesting >= 0]
    return blocks, [t for t in tokens if t.type == "inline"]


def _rendered(md: str, block: str) -> str | None:
    """The text `md` renders to, when it is one `block` holding text alone; else None."""
    blocks, inline = _parse(md)
    if blocks != [block] or len(inline) != 1:
        return None
    children = inline[0].children or []
    if any(c.type not in TEXT_TOKENS for c in children):
        return None
    return "".join(c.content for c in children)


def test_the_nasty_lines_are_syntax_unescaped() -> None:
    """The cases have teeth: written as they are, most would not render as themselves."""
    as_is = [t for t in NASTY if _rendered(t, "paragraph_open") != t]
    assert len(as_is) > len(NASTY) * 2 // 3


def test_escaped_text_renders_as_itself_alone_or_as_a_bullet() -> None:
    wrong = []
    for text in NASTY + _rng_lines(1000):
        if _rendered(escape(text), "paragraph_open") != text:
            wrong.append(("paragraph", text, escape(text)))
        if _rendered(f"- {escape(text)}", "bullet_list_open") != text:
            wrong.append(("bullet", text, escape(text)))
    assert wrong == []


def test_unescape_undoes_escape() -> None:
    assert [t for t in NASTY + _rng_lines(1000) if unescape(escape(t)) != t] == []


def test_plain_words_stay_readable() -> None:
    line = "The port will spend $2.4bn, up 18 per cent (officials said)."
    assert escape(line) == line


@pytest.mark.parametrize(("url", "link"), [
    ("https://www.ft.com/content/0815", "https://www.ft.com/content/0815"),
    ("http://example.com/a b<c>", "http://example.com/a%20b%3Cc%3E"),
    ("javascript:alert(1)", ""), ("JavaScript:alert(1)", ""), ("data:text/html,<b>", ""),
    ("file:///home/me/notes.txt", ""), ("/home/me/notes.txt", ""), ("vbscript:x", ""),
    ("https:no-host", ""), ("", ""),
])
def test_only_http_links_are_kept(url: str, link: str) -> None:
    assert http_link(url) == link
    if link:
        (inline,) = _parse(autolink(link))[1]
        opens = [c for c in inline.children or [] if c.type == "link_open"]
        assert [c.attrs["href"] for c in opens] == [link]


# -- reading Markdown articles ----------------------------------------------------------------

ARTICLES = [
    "# Harbour *expands*\n\nThe **port authority** approved a $2.4bn plan on `Tuesday`.",
    "Title\n=====\n\n> Analysts expect two cuts by December.\n\n+ Small caps added 3.4%.",
    "1. The index gained 2.1 per cent.\n2) Volume was 5.2bn shares.\n\n---\n\nMore __text__.",
    "A [linked report](https://example.com/r_(1) \"title\") and ![a chart](c.png) here.",
    "Shares in Lotus_Freight_Co rose; 5 * 3 * 2 is 30; an \\*escaped\\* star and _em_.",
    "```\ncode block\n```\n\n## Closing hashes ##\n\n* * *\n\n- item with ***both***",
]


def _rendered_words(md: str) -> list[str]:
    """The words a CommonMark renderer shows for `md`: its text and code tokens."""
    words: list[str] = []

    def walk(tokens: list[Token]) -> None:
        for tok in tokens:
            if tok.type in ("text", "code_inline", "code_block", "fence", "text_special"):
                words.extend(tok.content.split())
            elif tok.type == "image":
                words.extend(tok.content.split())  # the alt text
                continue
            if tok.children:
                walk(tok.children)

    walk(MarkdownIt("commonmark").parse(md))
    return words


@pytest.mark.parametrize("md", ARTICLES)
def test_a_markdown_article_reads_as_the_text_a_renderer_shows(md: str) -> None:
    # Compared without spaces: the renderer splits "Tuesday." into the tokens of its marks.
    assert "".join(plain(md).split()) == "".join(_rendered_words(md))


def test_a_markdown_file_is_stored_without_its_markup(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text("# S&P 500 *jumps* 2.1%\n\nShares rose 12% after the **Federal Reserve** "
                    "held rates at 4.25%, traders said.\n\n> Analysts expect two cuts of 25 "
                    "basis points by December.\n\n+ Small caps added 3.4% on the day.\n",
                    encoding="utf-8")
    store = Store(tmp_path / "b.db")
    report = run_fetch(Settings(), store, [str(path)], extract=False)
    assert report.added == 1, report.failed
    (art,) = [store.get_article(a.id) for a in store.list_articles()]
    assert art is not None and art.title == "S&P 500 jumps 2.1%"
    texts = [p.text for p in art.paragraphs] + [k.text for k in art.key_facts] + [art.summary]
    assert "Federal Reserve held" in texts[0]
    for text in texts:
        assert not any(mark in text for mark in ("**", "> ", "+ ", "# ")), text
    # A .txt file is plain text: its characters are the article's.
    plain_file = tmp_path / "note.txt"
    plain_file.write_text("Stars\n\nThe rating went from * to **** in a year, critics said "
                          "of the restaurant.\n", encoding="utf-8")
    run_fetch(Settings(), store, [str(plain_file)], extract=False)
    assert any("* to ****" in p.text for a in store.list_articles()
               for p in (store.get_article(a.id) or art).paragraphs)
