"""CommonMark for untrusted text: escaped so it stays text, and links to http(s) only.

A feed's title or paragraph may hold `<script>`, `<img onerror=...>`, `[x](javascript:...)`,
`![t](http://tracker/p.gif)`, `**bold**`, or start with `# ` or `- `: written into a post as it
is, a renderer would run, load or restructure it. `escape` backslash-escapes what CommonMark
(and GitHub's extensions) would read as syntax, so any renderer shows the characters literally;
`unescape` reverses it exactly, for reading a post back.
"""

from __future__ import annotations

import re

from briefing.urls import is_http_url

__all__ = ["autolink", "escape", "http_link", "unescape"]

# Anywhere in a line: the backslash itself, code spans, emphasis (and GFM strikethrough),
# links, images and reference definitions, raw HTML and autolinks, entity references. `!` and
# `(` need nothing once `[` is escaped; `>` opens a block quote only at a line's start.
_INLINE = re.compile(r"([\\`*_\[\]<&~])")
# At a line's start: ATX headings, block quotes, bullets, setext underlines, ordered lists
# ("2024. A year" would become a list starting at 2024). Indented code and hard breaks need
# leading or trailing spaces, which one-line text has none of.
_LINE_START = re.compile(r"^(?:([#>+=-])|(\d{1,9})([.)])(?=\s|$))")
# CommonMark: a backslash before any ASCII punctuation character is an escape.
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
# Characters an autolink cannot hold (CommonMark 6.5): spaces, controls, < and >.
_NOT_IN_AUTOLINK = re.compile(r"[\x00-\x20<>\x7f]")


def escape(text: str) -> str:
    """One line of plain text as CommonMark inline content that renders as the same text."""
    text = _INLINE.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", text, count=1)


def unescape(text: str) -> str:
    """What `escape` made, back to the text (and any CommonMark backslash escape undone)."""
    return _ESCAPED.sub(r"\1", text)


def http_link(url: str) -> str:
    """`url` when it is an http(s) URL a post may link to, with what an autolink cannot hold
    percent-encoded; "" for any other scheme (javascript:, data:, file:, a bare path)."""
    url = url.strip()
    if not is_http_url(url):
        return ""
    return _NOT_IN_AUTOLINK.sub(lambda m: f"%{ord(m[0]):02X}", url)


def autolink(url: str) -> str:
    """An http(s) URL from `http_link` as a CommonMark autolink."""
    return f"<{url}>"
