"""Turning fetched bytes into whole articles: parse, clean, detect language, tag.

Pure CPU work with no network and no database, so the pipeline can run it in worker processes
(both cores busy while the event loop keeps fetching). Everything in and out pickles.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote, urlsplit

from briefing.charsets import declared_wide_codec
from briefing.models import TAGGING_PENDING, Article, FeedEntry, Paragraph, Translation
from briefing.sources.local import LocalError, read_bytes
from briefing.text import content_hash, one_line
from briefing.urls import article_id, canonical_url, is_http_url

if TYPE_CHECKING:
    from briefing.clean.bilingual import Post
    from briefing.tagger import Analysis


# The garbage collector's thresholds in worker processes (set by briefing._preload).
WORKER_GC_THRESHOLD = (50_000, 20, 100)


@dataclass(frozen=True)
class Options:
    teaser_chars: int = 600
    extract: bool = True
    extract_max_bytes: int = 5_000_000
    extract_timeout: float = 10.0
    # False: articles are built readable only (TAGGING_PENDING), and `tag_articles` tags them
    # later (fetch.readable_first).
    tag: bool = True


@dataclass(frozen=True)
class Job:
    """One source's bytes to turn into articles."""

    source: str  # the feed URL or the file's absolute path
    kind: str  # feed | html | text
    body: bytes
    url: str  # for resolving relative links: the final http URL or a file:// URI
    now: str
    headers: dict[str, str] = field(default_factory=dict)
    local_root: str | None = None  # local feeds may read teaser pages under this folder only
    known: dict[str, str] = field(default_factory=dict)  # stored article id -> content hash
    known_entries: dict[str, str] = field(default_factory=dict)  # article id -> entry_hash
    tags: tuple[str, ...] = ()
    source_title: str = ""
    options: Options = field(default_factory=Options)
    sidecars: tuple[tuple[str, bytes], ...] = ()  # (language, bytes) of translation files
    # The article stored for this local file, by its URI ({url: id}, from the folder's
    # Store.local_article_ids): an edited file keeps its article.
    local_ids: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Teaser:
    """A feed item with only a teaser, whose page the pipeline must fetch over HTTP."""

    entry: FeedEntry
    fallback: Article  # stored as it is if the page cannot be fetched or extracted


@dataclass(frozen=True)
class Result:
    source: str
    title: str = ""
    articles: tuple[Article, ...] = ()
    teasers: tuple[Teaser, ...] = ()
    unchanged: int = 0
    warning: str | None = None
    error: str | None = None
    # Story signatures of `articles`, computed here so the database thread need not.
    signatures: dict[str, Any] = field(default_factory=dict)


def process(job: Job) -> Result:
    """Articles from one source. Never raises for bad input: the reason lands in `error`."""
    try:
        if job.kind == "feed":
            result = _process_feed(job)
        elif job.kind == "html":
            result = _process_html(job)
        else:
            result = _process_text(job)
    except Exception as exc:  # one bad source must never end the run
        reason = one_line(str(exc), 300) or type(exc).__name__
        return Result(job.source, error=reason)
    return _signed(result)


def _signed(result: Result) -> Result:
    """The result with the signatures of its tagged articles (those not signed already)."""
    if result.articles and result.articles[0].tagger_version != TAGGING_PENDING:
        result = replace(result, signatures={
            a.id: result.signatures.get(a.id) or _signature(a) for a in result.articles})
    return result


def _signature(art: Article, sentences: Any = None) -> Any:
    """The story signature a worker sends of a tagged article. Made right after the article
    is tagged: the sentences of its paragraphs, split for its summary, are then still
    remembered (text.split_sentences) for its figures' contexts, or handed over with their
    facts (`sentences`, from tagger.analyse_with_sentences)."""
    from briefing.signatures import signature

    return signature(art, sentences).sent()


@dataclass(frozen=True)
class Item:
    """A feed entry not stored yet (or changed), with its paragraphs: what `process_items`
    turns into an article. The entry's HTML is dropped once read (see `split_feed`)."""

    entry: FeedEntry
    aid: str
    paragraphs: tuple[str, ...]
    short: bool
    language: str = ""  # the feed's declared language (see clean.language.declared), a prior
    entry_hash: str = ""


@dataclass(frozen=True)
class Split:
    """A feed parsed, with the items that need work in slices (see `split_feed`)."""

    source: str
    title: str = ""
    # Each slice pickled: the pipeline only passes them on to workers, and 100,000 items
    # as bytes are a quarter of their size as objects.
    slices: tuple[bytes, ...] = ()
    unchanged: int = 0
    warning: str | None = None
    error: str | None = None


def split_feed(job: Job, size: int) -> Split:
    """A feed's entries that need work, in slices of `size`, without doing it: the pipeline
    hands the slices to the workers one by one (`process_items`), so a feed of 100,000 items
    never has all of its articles in memory at once. Never raises for bad input."""
    from briefing.sources.feeds import FeedError

    try:
        title, items, unchanged, warning = _entries(job)
    except FeedError as exc:
        return Split(job.source, error=str(exc))
    except Exception as exc:  # one bad source must never end the run
        return Split(job.source, error=one_line(str(exc), 300) or type(exc).__name__)
    slices = tuple(pickle.dumps(items[i:i + size], protocol=pickle.HIGHEST_PROTOCOL)
                   for i in range(0, len(items), size))
    return Split(job.source, title, slices, unchanged, warning)


def _entries(job: Job) -> tuple[str, list[Item], int, str | None]:
    """The feed's title, the items that need work, how many need none, and the parser's
    warning. Raises FeedError for what is not a feed."""
    from briefing.clean.extract import html_to_paragraphs
    from briefing.clean.language import declared
    from briefing.sources.feeds import parse

    feed = parse(job.body, job.headers, job.url)
    language = declared(feed.language)
    items: list[Item] = []
    unchanged = 0
    seen: set[str] = set()
    for entry in feed.entries:
        html = entry.content_html or entry.summary_html
        aid = _entry_id(job.source, entry)
        if aid in seen:
            # A feed that gives every item one link (its home page) lists one article many
            # times: the first (the newest) is it, or each run stored every one in turn over
            # it and flagged its figures as changed.
            continue
        seen.add(aid)
        raw = entry_hash(html)
        if aid in job.known and job.known_entries.get(aid) == raw:
            unchanged += 1  # the same HTML as stored: not even cleaned again
            continue
        paragraphs = html_to_paragraphs(html) if html else []
        short = sum(len(p) for p in paragraphs) < job.options.teaser_chars
        # A short item stands for its page when pages are extracted: the stored text is the
        # page's, and a teaser edited is no reason to fetch the page again. Without extraction
        # the teaser is the article, and an edited one ("$40m" made "$90m") is an update.
        if aid in job.known and ((short and job.options.extract) or job.known[aid] == content_hash(
                "\n\n".join(paragraphs))):
            unchanged += 1  # no re-parse, no re-extraction, no re-tagging for what we have
            continue
        items.append(Item(evolve(entry, content_html="", summary_html=""), aid,
                          tuple(paragraphs), short, language, raw))
    return feed.title or job.source_title, items, unchanged, feed.warning


def entry_hash(html: str) -> str:
    """A feed entry's HTML as fetched, hashed: equal hashes, equal articles."""
    return hashlib.blake2b(html.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def process_items(job: Job, title: str, items: bytes) -> Result:
    """Articles (and teasers) of a slice of a feed's items (as `split_feed` pickled them),
    with their signatures."""
    try:
        # Our own worker pickled these moments ago: never bytes from a feed.
        result = _items(job, title, pickle.loads(items))
    except Exception as exc:  # one bad source must never end the run
        return Result(job.source, error=one_line(str(exc), 300) or type(exc).__name__)
    return _signed(result)


def _process_feed(job: Job) -> Result:
    from briefing.sources.feeds import FeedError

    try:
        title, items, unchanged, warning = _entries(job)
    except FeedError as exc:
        return Result(job.source, error=str(exc))
    result = _items(job, title, items)
    return replace(result, unchanged=unchanged, warning=warning)


def _items(job: Job, title: str, items: Sequence[Item]) -> Result:
    articles: list[Article] = []
    teasers: list[Teaser] = []
    signatures: dict[str, Any] = {}
    for item in items:
        entry = item.entry
        art = build_article(
            job, aid=item.aid, url=entry.link or job.url, title=entry.title,
            paragraphs=item.paragraphs, published=entry.published, author=entry.author,
            entry_tags=entry.tags, source_title=title, declared=item.language,
            entry_hash=item.entry_hash,
        )
        if item.short and job.options.extract and entry.link:
            local = _local_page(job, entry.link)
            if local is not None:
                art = _from_local_page(job, art, local) or art
            elif is_http_url(entry.link) and job.local_root is None:
                teasers.append(Teaser(entry, art))
                continue
        articles.append(art)
        if art.tagger_version != TAGGING_PENDING:
            signatures[art.id] = _signature(art)
    return Result(job.source, title, tuple(articles), tuple(teasers), signatures=signatures)


def _entry_id(source: str, entry: FeedEntry) -> str:
    if is_http_url(entry.link):
        return article_id(canonical_url(entry.link))
    return article_id(f"{source}\n{entry.guid or entry.link or entry.title}")


def _local_page(job: Job, link: str) -> Path | None:
    """A teaser link of a local feed that points at a file inside the feed's own folder."""
    if job.local_root is None or not link.startswith("file:"):
        return None
    path = Path(unquote(urlsplit(link).path)).resolve()  # feeds.parse kept only readable links
    root = Path(job.local_root).resolve()
    if root not in path.parents or not path.is_file():
        return None
    return path


def _from_local_page(job: Job, teaser: Article, path: Path) -> Article | None:
    try:
        body = read_bytes(path, job.options.extract_max_bytes)  # regular files only
    except LocalError:
        return None
    return page_article(job, teaser, body)


def with_declared_unicode(body: bytes, content_type: str) -> bytes | str:
    """`body` decoded when its Content-Type says UTF-16 or UTF-32: nothing in such a page can
    say so itself (its <meta> is in UTF-16 too), and without a byte order mark the
    extractors read it as a single-byte text (Russian became "@825B <8@"); with one, UTF-32
    still was. Other charsets are left to the page and the extractors, as before."""
    found = declared_wide_codec(body, content_type)
    if found is None:
        return body
    codec, bom = found
    return body[bom:].decode(codec, errors="replace")


def page_article(job: Job, teaser: Article, body: bytes) -> Article | None:
    """The teaser article rebuilt from its full page, or None when extraction finds nothing
    better than the teaser."""
    from briefing.clean.extract import ExtractError, extract_html

    try:
        page = extract_html(body, url=teaser.url, max_bytes=job.options.extract_max_bytes,
                            timeout=job.options.extract_timeout)
    except ExtractError:
        return None
    if sum(map(len, page.paragraphs)) <= len(teaser.text):
        return None
    return build_article(
        job, aid=teaser.id, url=teaser.url, title=teaser.title or page.title,
        paragraphs=page.paragraphs, published=teaser.published or page.date,
        author=teaser.author or page.author, entry_tags=teaser.feed_tags, site_name=page.site_name,
        source_title=teaser.source_title,
    )


def _process_html(job: Job) -> Result:
    from briefing.clean.extract import ExtractError, extract_html

    try:
        page = extract_html(with_declared_unicode(job.body, job.headers.get("content-type", "")),
                            url=job.url, max_bytes=job.options.extract_max_bytes,
                            timeout=job.options.extract_timeout)
    except ExtractError as exc:
        return Result(job.source, error=str(exc))
    return _single(job, page.title, list(page.paragraphs), published=page.date,
                   author=page.author, site_name=page.site_name)


def _process_text(job: Job) -> Result:
    from briefing.clean.boilerplate import clean_text_document
    from briefing.sources.feeds import looks_binary
    from briefing.sources.local import decode_text

    if not job.body.strip():
        return Result(job.source, error="empty file")
    if looks_binary(job.body):
        return Result(job.source, error="binary file, not a feed or an article")
    text = decode_text(job.body).replace("\x00", "")  # a stray one (see looks_binary)
    from briefing.clean import bilingual

    if bilingual.is_post(text):
        return _process_post(job, bilingual.parse(text))
    if urlsplit(job.url).path.lower().endswith((".md", ".markdown")):  # a local file's URI
        from briefing import markdown

        text = markdown.plain(text)
    doc = clean_text_document(text)
    # A file of one line (a pasted paragraph, a note) is its own title and its own text: it
    # was "no article text found".
    paragraphs = list(doc.paragraphs) or ([doc.title] if doc.title else [])
    return _single(job, doc.title, paragraphs)


def _process_post(job: Job, post: Post) -> Result:
    from briefing.bilingual_ingest import kept_indexes, translation_of, with_checked_post

    if not post.original:
        return _single(job, post.translation[0] if post.translation else "",
                       list(post.translation[1:]))
    title, body = post.original[0], list(post.original[1:])
    index = kept_indexes(body)
    paragraphs = [line for line, k in zip(body, index, strict=True) if k is not None]
    if not paragraphs:
        return Result(job.source, error="briefing post has no original text")
    url = post.url or job.url
    aid = article_id(canonical_url(url)) if is_http_url(url) else _local_id(job, url)
    art = build_article(job, aid=aid, url=url, title=title, paragraphs=paragraphs,
                        published=None, entry_tags=post.hashtags)
    # The post's own side counts as its content: an edited translation, bullet or summary is
    # an update (it was "unchanged" while the English stayed as it was).
    provided = "\n".join([*post.bullets, post.summary, *post.translation, *post.hashtags])
    art = replace(art, translations=(with_checked_post(translation_of(post, index), art),),
                  content_hash=content_hash(f"{art.text}\n\n\x1e{provided}"))
    if job.known.get(aid) == art.content_hash:
        return Result(job.source, unchanged=1)
    return Result(job.source, job.source_title, (art,))


def _single(job: Job, title: str, paragraphs: list[str], *, published: str | None = None,
            author: str = "", site_name: str = "") -> Result:
    if not paragraphs:
        return Result(job.source, error="no article text found")
    text_hash = content_hash("\n\n".join(paragraphs))
    if job.sidecars:  # an edited translation beside the file is an update too
        import hashlib

        text_hash = content_hash("\x1e".join([text_hash, *(
            f"{lang}\n{hashlib.sha256(body).hexdigest()}" for lang, body in job.sidecars)]))
    aid = _local_id(job, job.url)
    if job.known.get(aid) == text_hash:
        return Result(job.source, unchanged=1)
    art = build_article(job, aid=aid, url=job.url, title=title, paragraphs=paragraphs,
                        published=published, author=author, site_name=site_name)
    if job.sidecars:
        art = replace(art, translations=tuple(_sidecars(job, art)), content_hash=text_hash)
    return Result(job.source, job.source_title, (art,))


def _local_id(job: Job, url: str) -> str:
    """A local file's article id: the one stored for the file, else one made from its URI.
    So an edited file is an update of its article, as an edited feed item is (ids made
    from the text, as before, made each edit a second article)."""
    return job.local_ids.get(url) or path_id(url)


def path_id(url: str) -> str:
    """The article id a local file (its file: URI) gets when none is stored for it."""
    return article_id("file:" + url)


def _sidecars(job: Job, art: Article) -> list[Translation]:
    from briefing.bilingual_ingest import sidecar_translation
    from briefing.sources.local import decode_text

    out = []
    for lang, body in job.sidecars:
        text = decode_text(body)
        out.append(sidecar_translation(art.title, [p.text for p in art.paragraphs],
                                       art.language, lang, text))
    return out


def build_article(job: Job, *, aid: str, url: str, title: str, paragraphs: Sequence[str],
                  published: str | None, author: str = "", entry_tags: Sequence[str] = (),
                  site_name: str = "", source_title: str = "", declared: str = "",
                  entry_hash: str = "") -> Article:
    """Detect languages, tag facts, and assemble the article the store saves whole.
    `declared` is the language the feed declares: a prior for detection, never the answer;
    `entry_hash` the feed entry's (see `entry_hash`)."""
    from briefing import tagger
    from briefing.clean.language import detect_article

    title = one_line(title) or (paragraphs[0][:120] if paragraphs else url)
    published = _not_ahead(published, job.now)
    langs, language = detect_article(list(paragraphs), fallback="", prior=declared)
    paras = tuple(Paragraph(i, p, langs[i]) for i, p in enumerate(paragraphs))
    text = "\n\n".join(paragraphs)
    feed_tags = tuple(dict.fromkeys((*job.tags, *entry_tags)))
    if job.options.tag:
        analysis = tagger.analyse(paras, title=title, language=language, published=published,
                                  feed_tags=feed_tags)
        version = tagger.TAGGER_VERSION
    else:  # readable now, tagged by `tag_articles`; the feed's tags filter it meanwhile
        analysis, version = tagger.Analysis((), (), "", feed_tags), TAGGING_PENDING
    return Article(
        id=aid, url=url, source=job.source, title=title, text=text, paragraphs=paras,
        # The store would date an undated article by its fetch; do it here so the article
        # handed on (to story matching) is the one stored.
        language=language, author=one_line(author), published=published or job.now,
        fetched=job.now,
        site_name=one_line(site_name), content_hash=content_hash(text or f"{title}\n{url}"),
        tags=analysis.tags, facts=analysis.facts, key_facts=analysis.key_facts,
        summary=analysis.summary, tagger_version=version,
        source_title=source_title or job.source_title, feed_tags=feed_tags,
        dated=published is not None, entry_hash=entry_hash,
    )


# A date this far past the run (and the clock) is a feed's mistake or a trick, not news from
# the future: kept, an item dated 9999-12-31 headed every list and every daily `brief
# --since yesterday` for good. A day covers time zones and embargoed items.
_AHEAD = timedelta(days=1)


def _not_ahead(published: str | None, now: str) -> str | None:
    """`published`, or None (undated: dated by the fetch) when it is more than _AHEAD later
    than both the run's time and the clock (tests run at a fixed time in the past)."""
    if published is None:
        return None
    try:
        when = datetime.fromisoformat(published)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        horizon = max(datetime.fromisoformat(now), datetime.now(UTC)) + _AHEAD
    except (ValueError, TypeError):
        return published
    return None if when > horizon else published


@dataclass(frozen=True)
class Tagging:
    """What `tag_articles` made of articles stored readable: by article id."""

    analyses: dict[str, Analysis] = field(default_factory=dict)
    signatures: dict[str, Any] = field(default_factory=dict)


def tag_articles(articles: Sequence[Article]) -> Tagging:
    """Facts, bullets, summary and tags of articles stored readable (TAGGING_PENDING), with
    their story signatures: what `build_article` and `process` add when tagging at once. An
    article may come without its text, which is its paragraphs joined (see build_article)."""
    from briefing import tagger
    from briefing.facts import FactRows

    analyses: dict[str, Analysis] = {}
    made: list[tuple[Analysis, Any]] = []
    # Every article tagged, then every one signed: the same work as tagging and signing each
    # article in turn, 0.1-0.15 ms an item less CPU (bench/worker_bench.py: "tag" and "story
    # signature" apart against "as run"), the same instructions: a pass of one kind keeps its
    # code and tables in the CPU's caches, where alternating evicted them at every article.
    for art in articles:
        analysis, sentences = tagger.analyse_with_sentences(
            art.paragraphs, title=art.title, language=art.language,
            published=art.published if art.dated else None, feed_tags=art.feed_tags)
        analyses[art.id] = analysis
        made.append((analysis, sentences))
    signatures: dict[str, Any] = {}
    for art, (analysis, sentences) in zip(articles, made, strict=True):
        # The signature reads the article's text and facts, nothing else of its tagging.
        signatures[art.id] = _signature(evolve(
            art, text=art.text or "\n\n".join(p.text for p in art.paragraphs),
            facts=analysis.facts), sentences)
    # The facts go back as rows, which the writer stores as they are (see FactRows).
    return Tagging({aid: evolve(an, facts=FactRows.of(an.facts))
                    for aid, an in analyses.items()}, signatures)


def with_analysis(art: Article, analysis: Analysis) -> Article:
    """The article as `build_article` would have made it with tagging on."""
    from briefing.tagger import TAGGER_VERSION

    return evolve(art, tags=analysis.tags, facts=analysis.facts,
                  key_facts=analysis.key_facts, summary=analysis.summary,
                  tagger_version=TAGGER_VERSION)


D = TypeVar("D")


def evolve(obj: D, **changes: Any) -> D:
    """`dataclasses.replace` for the frozen dataclasses of briefing.models, without calling
    their __init__: ~1.3 us an Article instead of ~10 (a frozen class sets each of its 25
    fields through object.__setattr__), paid several times per item of a fetch. Those classes
    have no __post_init__ and no slots, so there is nothing else __init__ would do."""
    fields = obj.__dataclass_fields__  # type: ignore[attr-defined]
    unknown = [name for name in changes if name not in fields]
    if unknown:
        raise TypeError(f"{type(obj).__name__} has no field {unknown[0]!r}")
    made = object.__new__(type(obj))
    made.__dict__.update(obj.__dict__, **changes)
    return made
