"""OPML subscription lists in and out.

The standard-library parser is safe here: expat refuses external entities by default and, from
2.4.1 (bundled with Python 3.11), stops billion-laughs expansion.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

from briefing.text import one_line


class OPMLError(Exception):
    pass


@dataclass(frozen=True)
class OPMLFeed:
    url: str
    title: str
    tags: tuple[str, ...]


def parse(data: bytes, *, origin: str) -> list[OPMLFeed]:
    """Feeds listed in an OPML document. Categories (from nesting and the `category`
    attribute) become tags. `origin` names the document in error messages."""
    if not data.strip():
        raise OPMLError(f"{origin}: empty OPML file")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise OPMLError(f"{origin}: malformed OPML: {exc}") from None
    if root.tag.lower() != "opml":
        raise OPMLError(f"{origin}: not OPML (root element is <{root.tag[:40]}>)")
    body = root.find("body")
    if body is None:
        raise OPMLError(f"{origin}: OPML has no <body>")
    out: list[OPMLFeed] = []
    _walk(body, (), out)
    return out


def _walk(node: ET.Element, path: tuple[str, ...], out: list[OPMLFeed]) -> None:
    for child in node.findall("outline"):
        url = (child.get("xmlUrl") or child.get("xmlurl") or "").strip()
        title = one_line(child.get("title") or child.get("text") or "")
        if url:
            cats = tuple(
                c.strip().strip("/") for c in (child.get("category") or "").split(",")
                if c.strip().strip("/")
            )
            out.append(OPMLFeed(url, title, tuple(dict.fromkeys(path + cats))))
        else:
            _walk(child, path + ((title,) if title else ()), out)


def render(feeds: list[tuple[str, str, tuple[str, ...]]]) -> str:
    """An OPML 2.0 document for (url, title, tags) triples. `text` (required) and `title`
    are the feed's title; a feed never fetched has none yet, and then `text` alone shows its
    address (which `parse` callers can tell from a title, as it equals `xmlUrl`)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<opml version="2.0">',
             "  <head><title>briefing subscriptions</title></head>", "  <body>"]
    for url, title, tags in feeds:
        attrs = f'type="rss" text={quoteattr(title or url)}'
        if title:
            attrs += f" title={quoteattr(title)}"
        attrs += f" xmlUrl={quoteattr(url)}"
        if tags:
            attrs += f" category={quoteattr(','.join(tags))}"
        lines.append(f"    <outline {attrs}/>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def read_file(path: Path, max_bytes: int) -> list[OPMLFeed]:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise OPMLError(f"{path}: OPML file is {size:,} bytes, over the {max_bytes:,} cap")
        data = path.read_bytes()
    except OSError as exc:
        raise OPMLError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return parse(data, origin=str(path))
