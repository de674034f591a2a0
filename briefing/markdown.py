"""CommonMark for untrusted text: escaped so it stays text, and links to http(s) only; and a
Markdown article read back to the text its reader sees (`plain`).

A feed's title or paragraph may hold `<script>`, `<img onerror=...>`, `[x](javascript:...)`,
`![t](http://tracker/p.gif)`, `**bold**`, or start with `# ` or `- `: written into a post as it
is, a renderer would run, load or restructure it. `escape` backslash-escapes what CommonMark
(and GitHub's extensions) would read as syntax, so any renderer shows the characters literally;
`unescape` reverses it exactly, for reading a post back.
"""

from __future__ import annotations

import re

from briefing.urls import is_http_url

__all__ = ["autolink", "escape", "http_link", "plain", "unescape"]

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


# -- reading Markdown ------------------------------------------------------------------------

# Block markers at a line's start: up to three spaces, then an ATX heading, a block quote, a
# bullet or an ordered list item. The text after them is the line's text.
_BLOCK_MARK = re.compile(r"^ {0,3}(?:#{1,6}(?=\s|$)|(?:> ?)+|[-*+](?=\s)|\d{1,9}[.)](?=\s))\s*")
# Lines that are only markup: thematic breaks, setext underlines, code fences.
_MARKUP_LINE = re.compile(r"^ {0,3}(?:(?:[-*_] *){3,}|=+|-+|`{3,}.*|~{3,}.*)\s*$")
_CLOSING_HASHES = re.compile(r"\s+#+\s*$")
# A link's text and an image's alt text hold no brackets, so each `[` looks no further than
# the next one; an address stops at a space or a parenthesis: every look is bounded.
_TITLE = r'(?:\s+"[^"\n\[\]]{0,300}")?'
_IMAGE = re.compile(r"!\[([^\[\]\n]{0,300})\]\([^()\s]{0,2000}" + _TITLE + r"\)")
_LINK = re.compile(r"\[([^\[\]\n]{1,300})\]\((?:[^()\s]|\([^()\s]{0,200}\)){0,2000}"
                   + _TITLE + r"\)")
# Where escaped ASCII punctuation waits while marks are paired: U+E000 up, private use, in a
# text that has none of those characters itself (one that has is unescaped after pairing).
_HELD = 0xE000
_HELD_BACK = re.compile("[\uE021-\uE07E]")
# Emphasis and code marks, longest first; `_` never pairs inside a word ("Lotus_Freight_Co").
_MARKS = (("``", True), ("`", True), ("**", True), ("__", False), ("*", True), ("_", False))


def _unmark(line: str, mark: str, in_words: bool) -> str:
    """`line` without the pairs of `mark` that enclose text as CommonMark emphasis (or code)
    does: the opener followed, the closer preceded, by a non-space ("**Fed**", "*jumps*"; not
    "5 * 3 * 2"). One pass over the pieces between marks: linear in the line."""
    parts = line.split(mark)
    if len(parts) < 3:
        return line
    pieces = [parts[0]]
    k = 1
    while k < len(parts):
        inner = parts[k]
        if k + 1 < len(parts) and inner and not inner[0].isspace() and \
                not inner[-1].isspace() and (in_words or (
                    not parts[k - 1][-1:].isalnum() and not parts[k + 1][:1].isalnum())):
            pieces += [inner, parts[k + 1]]
            k += 2
        else:
            pieces += [mark, inner]
            k += 1
    return "".join(pieces)


def plain(text: str) -> str:
    """A Markdown article as the text its reader sees: headings, quotes and list markers off
    each line, emphasis and code marks off the words, a link its text, an image its alt text,
    rules and code fences gone, backslash escapes undone. Blank lines stay, so paragraphs do.
    Linear in the text: marks are paired by splitting the line at them, and a link's parts
    are bounded and hold no brackets."""
    out = []
    hold = _HELD_BACK.search(text) is None
    for line in text.split("\n"):
        if _MARKUP_LINE.match(line):
            out.append("")
            continue
        heading = line.lstrip(" ").startswith("#")
        line = _BLOCK_MARK.sub("", line, count=1)
        if heading:
            line = _CLOSING_HASHES.sub("", line)
        # An escaped mark ("\\*") is text: kept out of the pairing as a private-use
        # character, then given back as the character it escaped.
        if hold:
            line = _ESCAPED.sub(lambda m: chr(_HELD + ord(m[1])), line)
        line = _IMAGE.sub(lambda m: m[1], line)
        line = _LINK.sub(lambda m: m[1], line)
        for mark, in_words in _MARKS:
            if mark in line:
                line = _unmark(line, mark, in_words)
        out.append(line if hold else unescape(line))
    joined = "\n".join(out)
    return _HELD_BACK.sub(lambda m: chr(ord(m[0]) - _HELD), joined) if hold else joined
