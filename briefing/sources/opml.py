"""OPML subscription lists in and out.

The standard-library parser is safe here: expat refuses external entities by default and, from
2.4.1 (bundled with Python 3.11), stops billion-laughs expansion.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

from briefing.errors import BriefingError
from briefing.sources import local
from briefing.sources.subscribe import SourceRejected, check_source
from briefing.text import one_line
from briefing.urls import is_http_url

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


class OPMLError(BriefingError):
    """An OPML file, or one of its entries, that cannot be used; the message says why."""


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
    return _walk(body)


# Folders deeper than this add no tag: nobody files a feed 16 folders down, and a stranger's
# 100,000 nested outlines would otherwise make a tag list as long for every feed inside.
MAX_FOLDER_TAGS = 16


def _walk(body: ET.Element) -> list[OPMLFeed]:
    """Depth first, in document order, with a stack of our own: Python's recursion limit
    stopped a walk of 1,000 nested outlines with a traceback."""
    out: list[OPMLFeed] = []
    stack: list[tuple[Iterator[ET.Element], tuple[str, ...]]] = [(iter(body.findall("outline")),
                                                                   ())]
    while stack:
        children, path = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            continue
        url = (child.get("xmlUrl") or child.get("xmlurl") or "").strip()
        title = one_line(child.get("title") or child.get("text") or "")
        if url:
            # A category is a tag, shown in lists and on the terminal: no control character
            # (a C1 CSI in one cleared the screen of `feeds list`).
            cats = tuple(t for t in (one_line(c).strip("/").strip()
                                     for c in (child.get("category") or "").split(",")) if t)
            out.append(OPMLFeed(url, title, tuple(dict.fromkeys(path + cats))))
        else:
            deeper = (*path, title) if title and len(path) < MAX_FOLDER_TAGS else path
            stack.append((iter(child.findall("outline")), deeper))
    return out


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
        data = local.read_bytes(path, max_bytes)
    except local.LocalError as exc:
        raise OPMLError(f"{path}: {exc}") from None
    return parse(data, origin=str(path))


def entry_target(entry: str, opml_file: Path) -> str:
    """What an OPML entry subscribes to: its http(s) URL, or the real path of a file inside
    the OPML file's own folder (so a folder of feeds with its OPML index works where it
    lies). An OPML file is a list from a stranger: an absolute path, a way out with `..` or a
    link, a `file:` URL or a newsboat `|command` is refused with an OPMLError naming the
    entry, since reading /etc/passwd or running a command is no subscription."""
    shown = repr(one_line(entry, 120))
    if is_http_url(entry):
        # The checks of `feeds add`: an address with a newline, a control character or a
        # port past 65535 was stored, and failed at every fetch instead.
        try:
            return check_source(entry)
        except SourceRejected as exc:
            return _refuse(shown, str(exc).removeprefix(f"{one_line(entry.strip(), 200)}: "))
    if entry.startswith("|") or entry.startswith("exec:"):
        return _refuse(shown, "a command (newsboat exec feed); commands are never run")
    if _SCHEME.match(entry):
        return _refuse(shown, "only http(s) URLs and files in the OPML file's folder")
    if entry.startswith("~"):
        return _refuse(shown, "a path in a home folder; only files in the OPML file's folder")
    if Path(entry).is_absolute():
        return _refuse(shown, "an absolute path; only files in the OPML file's folder")
    folder = opml_file.parent.resolve()
    target = (folder / entry).resolve()
    if not target.is_relative_to(folder):
        return _refuse(shown, "leads out of the OPML file's folder")
    return str(target)


def _refuse(shown: str, reason: str) -> str:
    raise OPMLError(f"entry {shown} skipped: {reason}")
