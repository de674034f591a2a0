"""Briefing posts: a translation and its original in one document (the shape of seed 004).

    - key-fact bullet (in the reader's language)
    - ...
    📌 summary
    https://link-to-the-original
    #Hashtag
    <translated title, standfirst, body: one paragraph per line>
    <original title, standfirst, body, in the same order>

The link may be missing (a post of a local file has none). The header is recognised by its
markers; the split between translation and original by language, line by line (the split
point that puts the most lines on the side of their language).

`briefing brief` writes the same parts as CommonMark too: a blank line between the parts, text
backslash-escaped, the link as `<https://...>`. A post with a blank line before or after its 📌
line is read as that form, its escapes undone; a post in the plain shape is read as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from briefing.markdown import unescape
from briefing.text import normalize_paragraph, sanitize

_BULLET = re.compile(r"^\s*[-•*]\s+(?P<text>\S.*)$")
_PIN = "📌"
_URL_LINE = re.compile(r"^\s*<?(?P<url>https?://\S+?)>?\s*$")
_HASHTAGS = re.compile(r"^\s*(#[\w.-]+\s*)+$")
HEADER_SCAN = 80  # lines: a post's header is at its top


@dataclass(frozen=True)
class Post:
    bullets: tuple[str, ...]
    summary: str
    url: str
    hashtags: tuple[str, ...]
    translation: tuple[str, ...]  # lines in the reader's language, title first
    original: tuple[str, ...]  # lines of the original, title first
    translation_lang: str
    original_lang: str


def _without_flags(lines: list[str]) -> list[str]:
    """The lines without the numbers check's "⚠ ..." lines that `brief` writes under a
    flagged bullet, summary or paragraph (and the Markdown hard break that leads to one):
    they are the post's annotations, not its text, so a flagged post reads back."""
    out: list[str] = []
    for line in lines:
        if line.lstrip().startswith(_FLAG):
            if out and out[-1].endswith("\\"):
                out[-1] = out[-1][:-1].rstrip()
            continue
        out.append(line)
    return out


_FLAG = "⚠ "


def is_post(text: str) -> bool:
    """True when `text` starts with bullets, a 📌 summary and a link."""
    lines = [ln for ln in _without_flags(text.splitlines()[:HEADER_SCAN]) if ln.strip()]
    for i, line in enumerate(lines):
        if line.lstrip().startswith(_PIN):
            has_bullets = i > 0 and all(_BULLET.match(x) for x in lines[:i])
            has_source = any(_URL_LINE.match(x) or _HASHTAGS.match(x) for x in lines[i + 1:i + 4])
            return has_bullets and has_source
    return False


def parse(text: str) -> Post:
    """Split a post into its parts. Call only when is_post(text)."""
    from briefing.clean.language import detect

    raw = [normalize_paragraph(ln) for ln in _without_flags(sanitize(text).splitlines())]
    text_of: Callable[[str], str] = unescape if _is_markdown(raw) else _as_written
    # The markers are matched on the lines as written: an escaped "\#tag" or "\- x" in the
    # text is text, not a hashtag or a bullet.
    lines = [ln for ln in raw if ln]
    bullets: list[str] = []
    i = 0
    while i < len(lines) and (m := _BULLET.match(lines[i])):
        bullets.append(text_of(m["text"].strip()))
        i += 1
    summary = text_of(lines[i].removeprefix(_PIN).strip()) if i < len(lines) else ""
    i += 1
    url = ""
    if i < len(lines) and (m := _URL_LINE.match(lines[i])):
        url = m["url"]
        i += 1
    hashtags: list[str] = []
    while i < len(lines) and _HASHTAGS.match(lines[i]):
        hashtags += [t.lstrip("#") for t in lines[i].split()]
        i += 1
    body = [text_of(ln) for ln in lines[i:]]
    reader_lang = detect(" ".join([*bullets, summary]), fallback="")
    langs = [detect(line, fallback="") for line in body]
    k = split_point(langs, reader_lang)
    if len(body) - k < 2:
        # An original is a title and at least one paragraph: one line "in another language"
        # at the end of a post in one language is a misread byline or credit, not an original.
        k = len(body)
    original = body[k:]
    original_lang = detect(" ".join(original), fallback="") if original else reader_lang
    return Post(tuple(bullets), summary, url, tuple(hashtags), tuple(body[:k]), tuple(original),
                reader_lang, original_lang)


def _as_written(line: str) -> str:
    return line


def _is_markdown(lines: Sequence[str]) -> bool:
    """True for the CommonMark form: its 📌 paragraph stands apart from the bullets and the
    link (the plain shape has no blank lines in its header)."""
    for i, line in enumerate(lines[:HEADER_SCAN]):
        if line.startswith(_PIN):
            return (i > 0 and not lines[i - 1]) or (i + 1 < len(lines) and not lines[i + 1])
    return False


def split_point(langs: Sequence[str], first_lang: str) -> int:
    """The index that best separates lines in `first_lang` from the lines after them.
    Lines with no detected language (credits, names) count for neither side."""
    before = 0
    after = sum(1 for lang in langs if lang and lang != first_lang)
    best, best_k = after, 0
    for k, lang in enumerate(langs, start=1):
        if lang == first_lang:
            before += 1
        elif lang:
            after -= 1
        if before + after > best:
            best, best_k = before + after, k
    return best_k
