"""briefing.markdown: escaped text renders as the same text in any CommonMark renderer, and
reads back exactly; links are http(s) only."""

from __future__ import annotations

import random
import string

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from briefing.markdown import autolink, escape, http_link, unescape

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
