"""HTML to article text: trafilatura for whole pages, a cheap lxml walk for feed item HTML.

Whole pages go through trafilatura with `include_comments=False` (measured best on news pages:
readers' comments are not the article) in its precision mode, with the default mode as a safety
net for short results (see `_SHORT_WORDS`). When it finds nothing, a plain walk of the page's <p>
elements is tried before giving up, since some small sites have no structure trafilatura
recognises. Either way the paragraphs pass through `sanitize`, `normalize_paragraph` and the
boilerplate line rules, so what leaves this module is plain printable text.
"""

from __future__ import annotations

import html as html_lib
import logging
import re
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Any

import lxml.html
from lxml import etree

from briefing.clean.boilerplate import drop_headline, strip_paragraphs
from briefing.errors import BriefingError
from briefing.text import normalize_paragraph, one_line, sanitize, split_paragraphs

log = logging.getLogger(__name__)

# Elements whose text is never article text.
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "svg", "head")
# Elements that end a paragraph in feed HTML. <br> is a line break inside one paragraph, but
# two in a row (a common feed idiom) leave a blank line, which splits paragraphs.
_BLOCK_TAGS = frozenset(
    ("p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
     "blockquote", "pre", "table", "tr", "section", "article", "header", "footer", "figure",
     "figcaption", "aside", "hr", "address")
)
_WS = re.compile(r"\s+")


def _one_spaced(text: str) -> str:
    """`_WS.sub(" ", text)`: each run of whitespace one space. Printable ASCII has no
    whitespace but " ", so without a double space such text is already that (most is), and
    the substitution, a match for every space, is skipped."""
    if text.isascii() and text.isprintable() and "  " not in text:
        return text
    return _WS.sub(" ", text)
_PARA_BREAK = re.compile(r"\n[ \t]*\n")
# Something that starts a tag, comment or entity; "profit < 5%" is plain text.
_TAG = re.compile(r"<[A-Za-z!/?]|&(#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")
# Most feed items are nothing but <p>text</p>, which needs no parser: each text, its whitespace
# collapsed, is a paragraph, as the walk below would make it. Only text libxml2 takes as it is:
# no markup or entity, and none of the characters it refuses or replaces (lone surrogates,
# U+FFFE, U+FFFF; sanitize has removed the controls). Anything else, or anything big enough to
# meet libxml2's size limits, goes to lxml.
_BARE_PARAS = re.compile(r"[ \n]*(?:<p>[^<&\ud800-\udfff\ufffe\uffff]*</p>[ \n]*)+")
_BARE_TEXT = re.compile(r"<p>([^<]*)</p>")
_BARE_MAX = 100_000


class ExtractError(BriefingError):
    """A page that yields no article: too big, too slow, empty, or not HTML."""


@dataclass(frozen=True)
class Extracted:
    title: str
    author: str
    date: str | None
    site_name: str
    paragraphs: tuple[str, ...]


class _Timeout(BaseException):
    # A BaseException, so trafilatura's own `except Exception` fallbacks cannot swallow it.
    pass


@contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Raise ExtractError if the block runs longer than `seconds` of wall-clock time.

    SIGALRM can only be handled in the main thread, so in any other thread (or on a platform
    without setitimer) the limit is skipped: the pipeline runs extraction in worker processes,
    where each call is on its process's main thread.
    """
    in_main = threading.current_thread() is threading.main_thread()
    if seconds is None or seconds <= 0 or not in_main or not hasattr(signal, "setitimer"):
        yield
        return

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Timeout:
        raise ExtractError(f"extraction took longer than {seconds:g}s") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _clean(texts: list[str], titles: Sequence[str] = ()) -> tuple[str, ...]:
    """Sanitised, normalised, boilerplate-free paragraphs; a repeat of the headline near the top
    is dropped (trafilatura keeps the page's <h1> as the first line of its text)."""
    paragraphs = [normalize_paragraph(sanitize(t)) for t in texts]
    paragraphs = [p for p in paragraphs if p]
    return tuple(strip_paragraphs(drop_headline(paragraphs, titles)))


# Precision mode keeps fewer lines that are not the article (related lists, promos, other
# stories on table layouts): bag-of-words F1 0.961 -> 0.971 on 181 real news pages. Now and then
# it keeps too little (only a reprint notice, or the standfirst), so a result under this many
# words is checked against the default mode, and the longer one wins when it is at least twice
# as long. trafilatura's `deduplicate` stays off: its cache carries over from page to page.
_SHORT_WORDS = 100


def _bare_extraction(tree: Any, url: str | None, *, precision: bool, metadata: bool) -> Any:
    import trafilatura  # ~220 ms to import (justext, htmldate, courlan): only when needed
    from trafilatura.settings import set_date_params

    # The date from the page's markup (meta tags, <time>, the URL), not its prose: htmldate's
    # extensive search took "by December 2026" in an undated article for its date.
    return trafilatura.bare_extraction(
        tree, url=url, include_comments=False, with_metadata=metadata, favor_precision=precision,
        date_extraction_params=set_date_params(False))


def _page_titles(tree: Any) -> list[str]:
    """The page's own titles (<title>, og:title), which trafilatura's metadata may not have
    chosen: its title is often the <h1>, or "Headline | Site"."""
    # Searched anywhere: on malformed pages the parser leaves them in the body (~0.3 ms a page).
    found = tree.xpath("string(//title)"), tree.xpath(
        'string(//meta[@property="og:title" or @name="og:title"][1]/@content)')
    return [one_line(t) for t in found if t and t.strip()]


def _with_trafilatura(html: bytes | str, url: str | None) -> Extracted | None:
    from trafilatura.utils import load_html

    try:
        tree = load_html(html)  # parsed once: both modes copy it rather than parse it again
        if tree is None:
            return None
        doc = _bare_extraction(tree, url, precision=True, metadata=True)
        text = (doc.text or "") if doc is not None else ""
        if len(text.split()) < _SHORT_WORDS:
            fuller = _bare_extraction(tree, url, precision=False, metadata=doc is None)
            more = (fuller.text or "") if fuller is not None else ""
            if len(more.split()) >= 2 * len(text.split()) and more.strip():
                text, doc = more, doc if doc is not None else fuller
    except Exception as exc:
        # Malformed pages have tripped trafilatura with ValueError, TypeError, AttributeError
        # and RecursionError; any of them just means "try the plain walk". The timeout is a
        # BaseException and still gets through.
        log.debug("trafilatura failed on %s: %s", url, exc)
        return None
    if doc is None or not text.strip():
        return None
    title = one_line(doc.title or "")
    return Extracted(
        title=title,
        author=one_line(doc.author or ""),
        date=doc.date or None,
        site_name=one_line(doc.sitename or ""),
        paragraphs=_clean(text.split("\n"), [title, *_page_titles(tree)]),
    )


def _parse_page(html: bytes | str, parser: Any = None) -> Any:
    try:
        return lxml.html.document_fromstring(html, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractError(f"not an HTML page ({exc})") from None


def _with_lxml(html: bytes | str) -> Extracted | None:
    """The fallback: every <p> of the page outside scripts, headers, footers and navigation.
    Elements nested past libxml2's usual 256 levels (trafilatura's parse stops there, and
    drops what is deeper) are read up to its larger limit, 2,048; a page deeper still that
    leaves no text is said to be so, not "no article text found"."""
    # huge_tree lifts the depth limit to 2,048 and the size of one text node; the page's
    # size is capped before (fetch.max_bytes) and its extraction timed (extract_timeout).
    parser = lxml.html.HTMLParser(huge_tree=True)
    root = _parse_page(html, parser)
    for bad in root.xpath("//script|//style|//noscript|//nav|//footer|//header|//aside|//form"):
        bad.drop_tree()
    heading = root.xpath("string(//h1)") or root.xpath("string(//title)")
    title = one_line(heading)
    paragraphs = _clean([p.text_content() for p in root.iter("p")], [title])
    if not paragraphs:
        if any("depth" in e.message for e in parser.error_log):
            raise ExtractError("no article text found: the page nests its elements more than "
                               "2,048 deep, past what the HTML parser reads")
        return None
    return Extracted(title=title, author="", date=None, site_name="", paragraphs=paragraphs)


def _size(html: bytes | str) -> int:
    return len(html) if isinstance(html, bytes) else len(html.encode("utf-8", "replace"))


def extract_html(
    html: bytes | str,
    *,
    url: str | None = None,
    max_bytes: int = 5_000_000,
    timeout: float | None = None,
) -> Extracted:
    """The article in a whole HTML page, or ExtractError saying why there is none.

    `timeout` bounds the wall-clock time (main thread only; see `_time_limit`): trafilatura's
    cost grows with the size and nesting of the tree, and hostile pages can be built to be slow.
    """
    size = _size(html)
    if size > max_bytes:
        raise ExtractError(f"page is {size} bytes, over the {max_bytes}-byte cap")
    if not html.strip():
        raise ExtractError("page is empty")
    steps: tuple[Callable[[], Extracted | None], ...] = (
        lambda: _with_trafilatura(html, url),
        lambda: _with_lxml(html),
    )
    # Imported before the clock starts: the limit is for this page's extraction, and an
    # alarm landing inside the first page's ~220 ms of imports would abort an import half
    # done (a short limit on a busy machine did, now and then).
    import trafilatura.utils  # noqa: F401

    with _time_limit(timeout):
        for step in steps:
            found = step()
            if found is not None and found.paragraphs:
                return found
    raise ExtractError("no article text found in the page")


def _mark_blocks(root: Any) -> None:
    """Turn the tree's layout into newlines in its text: blank lines around blocks, one newline
    per <br>. Source whitespace (including newlines) is collapsed first; in HTML it is just a
    space."""
    for el in root.iter():
        if not isinstance(el.tag, str):  # comments and processing instructions
            continue
        if el.text:
            el.text = _one_spaced(el.text)
        tail = _one_spaced(el.tail) if el.tail else ""
        tag = el.tag.lower()
        if tag == "br":
            el.tail = "\n" + tail
        elif tag in _BLOCK_TAGS:
            el.text = "\n\n" + (el.text or "")
            el.tail = "\n\n" + tail
        else:
            el.tail = tail


def _bare_paragraphs(fragment: str) -> list[str] | None:
    """The paragraphs of a fragment made only of bare <p>text</p>, or None for other HTML."""
    if len(fragment) > _BARE_MAX or not _BARE_PARAS.fullmatch(fragment):
        return None
    texts = map(_one_spaced, _BARE_TEXT.findall(fragment))
    return [p for p in map(normalize_paragraph, texts) if p]


# A feed item's HTML is parsed as deep as a page's (see _with_lxml): at libxml2's usual 256
# levels an item nested deeper lost its text without a word, and the run said "ok".
_FRAGMENT_PARSER = lxml.html.HTMLParser(huge_tree=True)
_ANY_TAG = re.compile(r"<[^<>]*>?")
_DROPPED_BLOCK = re.compile(r"<(script|style|template|svg)\b", re.IGNORECASE)
_BLOCK_TAG = re.compile(r"</?(?:p|div|br|li|h[1-6]|blockquote|tr|section|article)\b",
                        re.IGNORECASE)


def _parsed_paragraphs(fragment: str) -> list[str]:
    root = lxml.html.fragment_fromstring(fragment, create_parent="div", parser=_FRAGMENT_PARSER)
    for bad in list(root.iter(*_DROP_TAGS)):
        bad.drop_tree()  # keeps the tail text, which belongs to the parent
    _mark_blocks(root)
    chunks = _PARA_BREAK.split(sanitize(root.text_content()))
    found = [p for p in map(normalize_paragraph, chunks) if p]
    return found or _stripped_paragraphs(fragment)


def _stripped_paragraphs(fragment: str) -> list[str]:
    """The text of HTML lxml could not build a tree of (nested past even 2,048 levels): its
    tags taken out, a block tag a paragraph break, what a script or style holds dropped."""
    kept = []
    pos = 0
    lowered = fragment.lower()  # "İ" lowers to two characters: found in `fragment` below
    for m in _DROPPED_BLOCK.finditer(fragment):
        if m.start() < pos:
            continue
        kept.append(fragment[pos:m.start()])
        end = lowered.find(f"</{m.group(1).lower()}", m.end()) if len(lowered) == len(
            fragment) else fragment.find(f"</{m.group(1)}", m.end())
        pos = len(fragment) if end < 0 else end
    kept.append(fragment[pos:])
    text = _BLOCK_TAG.sub(lambda m: "\n\n" + m.group(0), "".join(kept))
    text = html_lib.unescape(_ANY_TAG.sub("", text))
    return [p for p in map(normalize_paragraph, _PARA_BREAK.split(sanitize(text))) if p]


def html_to_paragraphs(fragment: str) -> list[str]:
    """Paragraphs of a feed item's summary or content HTML (or plain text). Never raises:
    garbage in gives [] out. Runs on every feed item, so lxml only, no trafilatura."""
    try:
        if not isinstance(fragment, str) or not fragment.strip():
            return []
        fragment = sanitize(fragment)  # lxml refuses NUL and other control characters
        if not _TAG.search(fragment):
            # Plain text: its newlines are the only layout there is, so keep them.
            return strip_paragraphs(split_paragraphs(html_lib.unescape(fragment)))
        paragraphs = _bare_paragraphs(fragment)
        if paragraphs is None:
            paragraphs = _parsed_paragraphs(fragment)
        return strip_paragraphs(paragraphs)
    except Exception:  # the contract: hostile feed HTML must never stop a fetch
        log.debug("feed item HTML could not be parsed", exc_info=True)
        return []
