"""Feed bytes to entries. feedparser gets bytes and the response headers, never a URL or path:
given either, it would fetch or open it itself with no timeout and no size limit."""

from __future__ import annotations

import calendar
import hashlib
import html
import io
import re
import time
import xml.sax
from datetime import UTC, datetime
from typing import Any

from briefing.charsets import declared_wide_codec, marked_wide_codec
from briefing.errors import BriefingError
from briefing.models import FeedEntry, ParsedFeed
from briefing.text import one_line, sanitize
from briefing.urls import entry_link

_TAG = re.compile(r"<[^>]*>")
_DECLARED_ENCODING = re.compile(r"""\A(\s*<\?xml[^>]*?encoding\s*=\s*["'])[^"']*(["'])""")
_CHARSET_PARAM = re.compile(r"charset\s*=\s*[\"']?[\w-]+[\"']?", re.IGNORECASE)


class FeedError(BriefingError):
    """The bytes are not a feed; `str(err)` is the reason."""


def _wide_text(body: bytes, content_type: str) -> str | None:
    """The text of a UTF-16 or UTF-32 body, by its byte order mark first (a mark is the
    bytes' own word; a header is often a server's default), else by the header; None when
    neither reads as markup (a mark before UTF-8, a header that names the wrong width),
    which is then left to the parsers as before."""
    for found in (marked_wide_codec(body), declared_wide_codec(body, content_type)):
        if found is None:
            continue
        codec, start = found
        unit = 4 if "32" in codec else 2
        # A body cut short may end inside a character: its last bytes decoded as "\ufffd"
        # inside a tag made the cut read as "not well-formed", not as a cut.
        end = start + (len(body) - start) // unit * unit
        text = body[start:end].decode(codec, errors="replace")
        head = text.lstrip()[:64]
        if head.startswith("<") and "\x00" not in head and "\ufffd" not in head:
            return text
    return None


def looks_binary(body: bytes) -> bool:
    """Binary, by its first kilobyte: NULs in one byte of eight (UTF-16 or binary), or
    other control bytes in one of 32 (random bytes give one in ten), unless it is UTF-16/32,
    which feeds may be. A text with stray NULs (a generator's padding, a bad copy) is text:
    one NUL refused a whole feed of good items as binary. Callers drop them (`without_nuls`)."""
    head = body[:1024]
    if b"\x00" not in head or marked_wide_codec(head) is not None:
        return False
    # UTF-16 without a BOM still puts a NUL beside every ASCII letter: <\0r\0s\0s\0
    if head[:2] in (b"<\x00", b"\x00<"):
        return False
    nuls = head.count(b"\x00")
    others = len(head) - len(head.translate(None, _CONTROL_BYTES)) - nuls
    return nuls * 8 > len(head) or others * 32 > len(head)


# C0 controls other than tab, line feed, form feed, carriage return and escape.
_CONTROL_BYTES = bytes(c for c in range(32) if c not in (9, 10, 12, 13, 27))


def without_nuls(body: bytes) -> bytes:
    """A text's bytes without the stray NULs `looks_binary` lets through: XML and the text
    cleaners refuse them, and no reader wants one (a NUL is never part of a UTF-8 or a
    single-byte character; wide texts with a mark or a header are decoded before this)."""
    if b"\x00" not in body or body[:2] in (b"<\x00", b"\x00<"):
        return body  # UTF-16 without a mark, its NULs half its characters (looks_binary)
    return body.replace(b"\x00", b"")


# A character reference to no character: a surrogate half (&#xD800;) or past U+10FFFF. XML
# forbids both, so the fast parser gives way to feedparser, whose loose parser then failed the
# whole feed on it (a UnicodeEncodeError: "surrogates not allowed"), every item lost to one
# bad title. They are read as U+FFFD, the replacement character, as a decoder reads bytes that
# make no character.
_CHAR_REF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,16})|([0-9]{1,20}));")


def _safe_char_refs(body: bytes) -> bytes:
    if b"&#" not in body:
        return body

    def fix(m: re.Match[bytes]) -> bytes:
        code = int(m.group(1), 16) if m.group(1) else int(m.group(2))
        return b"&#xFFFD;" if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF else m.group(0)

    return _CHAR_REF.sub(fix, body)


def parse(body: bytes, headers: dict[str, str] | None = None, url: str = "") -> ParsedFeed:
    import feedparser  # deferred: ~60 ms of import that `briefing list` never needs

    if not body.strip():
        raise FeedError("empty document")
    content_type = next((v for k, v in (headers or {}).items() if k.lower() == "content-type"),
                        "")
    text = _wide_text(body, content_type)
    if text is not None:
        # UTF-16 or -32 by a byte order mark or the header. feedparser decoded it as the
        # header's bare "UTF-16" says, in this machine's byte order, mark or none
        # (big-endian, RFC 2781's default, was "not well-formed"), a mark under "text/xml"
        # as US-ASCII (RFC 3023's default), and UTF-32 was "binary data". Handed on as
        # UTF-8, declared so in the header and in the document.
        body = _DECLARED_ENCODING.sub(r"\1utf-8\2", text, count=1).encode("utf-8")
        headers = {**{k: v for k, v in (headers or {}).items() if k.lower() != "content-type"},
                   "content-type": _CHARSET_PARAM.sub("charset=utf-8", content_type)}
    if looks_binary(body):
        raise FeedError("binary data, not a feed")
    from briefing.sources import fastfeed

    body = _safe_char_refs(without_nuls(body))
    fast = fastfeed.parse(body, url)
    if fast is not None:
        return fast
    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    if url.startswith(("http://", "https://")) and "content-location" not in response_headers:
        # feedparser resolves relative links against this; we never let it fetch anything.
        # Not for file:// bases, which it mangles (file:///a/b -> file://a/b): _entry joins those.
        response_headers["content-location"] = url
    try:
        d = feedparser.parse(io.BytesIO(body), response_headers=response_headers)
    except Exception as exc:  # feedparser promises not to raise, but has on odd encodings
        raise FeedError(f"feed parser failed: {_first_line(exc)}") from exc
    error = d.get("bozo_exception") if d.get("bozo") else None
    warning = _reason(error, body) if error is not None else None
    if not d.get("version") and not d.entries:
        raise FeedError(f"not a feed: {warning}" if warning else "not a recognised feed format")
    feed = d.get("feed", {})
    raw_entries = d.entries
    cut = (isinstance(error, xml.sax.SAXParseException) and error.getMessage() in _ENDS_EARLY
           and not _closed(body))
    if cut and raw_entries and _last_item_open(body):
        # The item the cut fell in: its title whole and its text cut off, or none (an empty
        # article, then "1 updated" once the feed came whole). Left to the next fetch, which
        # reads it whole.
        raw_entries = raw_entries[:-1]
    entries = tuple(e for e in (_entry(raw, url) for raw in raw_entries) if e is not None)
    if isinstance(error, xml.sax.SAXParseException):
        kept_back = len(raw_entries) < len(d.entries) and _entry(d.entries[-1], url) is not None
        if not entries and not kept_back and not any(
                feed.get(k) for k in ("title", "link", "subtitle")):
            # "hello <rss><item>": the lenient parser makes an empty feed of it, which ran as
            # a source read with nothing new in it.
            raise FeedError(f"not a feed: {warning}")
        if cut:
            # A file or download cut short: the lenient parser kept what came before the
            # cut, and the items after it are lost without a word unless this is said.
            warning = f"{CUT_SHORT} ({warning}): items after that may be missing"
    return ParsedFeed(
        title=one_line(_plain(feed.get("title", ""))),
        site_url=entry_link(one_line(feed.get("link", "")), ""),
        entries=entries,
        warning=warning,
        language=one_line(str(feed.get("language", "") or ""), limit=40),
    )


def _entry(raw: Any, feed_url: str) -> FeedEntry | None:
    # feedparser leaves relative links as written when it has no base of its own
    link = entry_link(one_line(raw.get("link", ""), limit=2000), feed_url)
    title = one_line(_plain(raw.get("title", "")))
    summary = sanitize(raw.get("summary", "") or "")
    content = ""
    for part in raw.get("content", []) or []:
        value = sanitize(part.get("value", "") or "")
        if len(value) > len(content):
            content = value
    if not (link or title or summary or content):
        return None
    guid = one_line(raw.get("id", "") or link, limit=2000)
    if not guid:
        guid = "sha1:" + hashlib.sha1(f"{feed_url}\n{title}\n{summary}".encode()).hexdigest()
    tags = tuple(
        t for t in dict.fromkeys(one_line(tag.get("term") or tag.get("label") or "", 80)
                                 for tag in raw.get("tags", []) or []) if t
    )
    return FeedEntry(
        link=link, guid=guid, title=title, author=one_line(raw.get("author", "")),
        published=_iso(raw.get("published_parsed") or raw.get("updated_parsed")),
        summary_html=summary, content_html=content, tags=tags,
    )


def _plain(value: str) -> str:
    """Titles may carry markup (type="html"); keep the words only."""
    if "<" in value or "&" in value:
        return html.unescape(_TAG.sub("", value))
    return value


def _iso(parsed: time.struct_time | None) -> str | None:
    if not parsed:
        return None
    try:
        stamp = calendar.timegm(parsed)
        return datetime.fromtimestamp(stamp, UTC).isoformat(timespec="seconds")
    except (OverflowError, ValueError, OSError, TypeError):
        return None


# What expat says of a document that stops before its elements close.
_ENDS_EARLY = frozenset({"no element found", "unclosed token", "unclosed CDATA section"})
# How a warning about a cut-short feed begins: the one parse warning a user is told of
# (`is_cut_short`); feedparser's others (a wrong declared encoding, an undefined entity)
# come with feeds that read whole and are only logged for -vv.
CUT_SHORT = "the feed breaks off before its end"


# The document's own end: its root element's end tag ("</rss>", "</feed>", "</rdf:RDF>",
# "</atom:feed>"), maybe without its ">", then nothing but white space.
_ROOT_END = re.compile(rb"</(?:[\w.-]+:)?(?:rss|feed|rdf)\s*>?\s*\Z", re.IGNORECASE)


def _closed(body: bytes) -> bool:
    """Does the document end with its root element? Then no items were lost: a document that
    only lacks its last ">" ("</rss") is whole. An end tag elsewhere in its last lines says
    nothing ("</feedburner:origLink>" in an item; RSS 1.0 closes its channel before the
    items; "</channel>" in an item's CDATA)."""
    return _ROOT_END.search(body[-256:]) is not None


_ITEM_TAG = re.compile(rb"<(/?)(?:[\w.-]+:)?(?:item|entry)[\s>/]", re.IGNORECASE)


def _last_item_open(body: bytes) -> bool:
    """Does a cut-short document end inside an item (its last item or entry tag an opening
    one)? Only read for a document cut short, so the scan is rare."""
    closing = b""
    for m in _ITEM_TAG.finditer(body):
        closing = m.group(1)
    return closing == b"" and _ITEM_TAG.search(body) is not None


def is_cut_short(warning: str | None) -> bool:
    return warning is not None and warning.startswith(CUT_SHORT)


def _reason(exc: object, body: bytes) -> str:
    """feedparser's bozo exception as a reason: expat's "<unknown>:2:0: not well-formed
    (invalid token)" names a file that is not there, and counts the line of the XML
    declaration feedparser puts before a document that has none."""
    if isinstance(exc, xml.sax.SAXParseException):
        line = exc.getLineNumber() or 1
        if not body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<?xml"):
            line = max(1, line - 1)
        return f"bad XML at line {line}: {exc.getMessage()}"
    return _first_line(exc)


def _first_line(exc: object) -> str:
    text = one_line(str(exc) if exc is not None else "", limit=200)
    return text or type(exc).__name__
