"""Translating stored articles: per-paragraph cache, batches, numbers check, one save.

Every paragraph's translation is cached under a hash of (text, source language, target
language, engine, model), so nothing is sent to an engine twice and a re-run costs no calls.
Each batch is cached as soon as it comes back: when an engine fails half way, what it already
translated stays in the cache and the next run only asks for the rest. A reply the numbers
check flags (a figure dropped or changed) is kept in the article's translation for the reader
to see, but never cached, and a flagged cache entry counts as a miss: translating again asks
the engine again and replaces it. The article's Translation row is saved only when every
paragraph has its translation, so a reader never sees a half-translated article.

The original's key-fact bullets and summary are sentences (or clauses) of its paragraphs, so
they are translated with the paragraphs, through the same engine, batches and cache: a bullet
that is a whole paragraph is the same text, hence the same cache entry and the pair's own
translation, at no extra call. Each bullet and summary sentence gets the numbers check too.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from briefing.clean import language
from briefing.errors import UsageError
from briefing.models import (
    TITLE_PARAGRAPH,
    Article,
    FigureFlag,
    Paragraph,
    Translation,
    TranslationPair,
)
from briefing.text import normalize_paragraph, one_line, sanitize, split_sentences
from briefing.translate.check import check_pair
from briefing.translate.engines import Engine, EngineError, batches, make_engine

if TYPE_CHECKING:
    from briefing.config import Settings
    from briefing.store import Store

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (paragraphs done, paragraphs in all)
ArticleDone = Callable[[str, "Translation | None", "str | None"], None]  # (id, result, error)


class ArticleNotFound(UsageError, LookupError):
    """No stored article has the id asked for."""


@dataclass
class _Item:
    """One text to translate: the title (paragraph TITLE_PARAGRAPH), a paragraph, or (with
    `what`) one of the original's bullets or a sentence of its summary."""

    paragraph: int | None
    text: str
    source: str
    what: str = ""  # "key fact N" or "the summary": not a pair
    key: str = ""
    translation: str | None = None
    flags: tuple[FigureFlag, ...] = ()
    notes: tuple[FigureFlag, ...] = ()
    copied: list[str] = field(default_factory=list)  # sentences the engine left untranslated


def cache_key(text: str, source: str, target: str, engine: str, model: str) -> str:
    data = json.dumps([text, source, target, engine, model], ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def translate_article(settings: Settings, store: Store, article_id: str, *,
                      target: str | None = None, engine: Engine | None = None,
                      now: str | None = None, on_progress: Progress | None = None
                      ) -> Translation:
    """Translate an article's title and paragraphs into `target` and save the Translation.

    The pairs are the title first (paragraph TITLE_PARAGRAPH, as it is not one of the
    article's paragraphs) and then one pair per paragraph, in order, with the numbers check's flags.
    Paragraphs already in the target language are kept as they are, without an engine call.
    Raises ArticleNotFound, or EngineError when the engine fails (the cache keeps what it
    translated before failing).
    """
    target = target or settings.translation.target
    engine = engine or make_engine(settings)
    art = store.get_article(article_id)
    if art is None:
        raise ArticleNotFound(f"no article with id {article_id!r}")
    items = _items(art, target)
    bullets, summary = _bullet_items(art), _summary_items(art)
    every = [*items, *bullets, *summary]
    for it in every:
        if it.source != target:
            it.key = cache_key(it.text, it.source, target, engine.name, engine.model)
    cached = store.cache_get(sorted({it.key for it in every if it.key}))
    for it in every:
        it.translation = it.text if not it.key else cached.get(it.key)
        if it.key and it.translation is not None and _check(it, art, target):
            it.translation = None  # cached before flagged replies were kept out: ask again
    _run_engine(store, engine, art, [it for it in every if it.translation is None], target,
                now=now, on_progress=on_progress, total=len(every))
    pairs = tuple(TranslationPair(it.paragraph, it.text, it.translation or "", it.flags,
                                  it.notes)
                  for it in items)
    bullet_flags = tuple(it.flags for it in bullets)
    tr = Translation(lang=target, engine=engine.name, model=engine.model, pairs=pairs,
                     key_facts=tuple(it.translation or "" for it in bullets),
                     summary=" ".join(it.translation or "" for it in summary),
                     key_fact_flags=bullet_flags if any(bullet_flags) else (),
                     summary_flags=tuple(f for it in summary for f in it.flags))
    store.save_translation(article_id, tr, now=now)
    return tr


def _items(art: Article, target: str) -> list[_Item]:
    default = art.language or "auto"
    items: list[_Item] = []
    title = art.title.strip()
    if title and not any(p.kind == "title" and p.text == title for p in art.paragraphs):
        items.append(_Item(TITLE_PARAGRAPH, title, default))
    items.extend(_Item(p.index, p.text, p.language or default)
                 for p in art.paragraphs if p.text.strip())
    return items


def _whole_paragraphs(art: Article) -> dict[str, Paragraph]:
    return {p.text.strip(): p for p in art.paragraphs if p.text.strip()}


def _bullet_items(art: Article) -> list[_Item]:
    """The original's bullets, each in its paragraph's language. A bullet that is its whole
    paragraph is given as that paragraph's exact text, so it shares the pair's cache entry."""
    default = art.language or "auto"
    whole = _whole_paragraphs(art)
    by_index = {p.index: p for p in art.paragraphs}
    out = []
    for i, fact in enumerate(art.key_facts, 1):
        text = fact.text.strip()
        if not text:
            continue
        para = whole.get(text) or by_index.get(fact.paragraph)
        source = (para.language if para is not None else "") or default
        out.append(_Item(None, whole[text].text if text in whole else text, source,
                         what=f"key fact {i}"))
    return out


def _summary_items(art: Article) -> list[_Item]:
    """The original's summary, sentence by sentence: the summariser wrote it from whole
    sentences of the paragraphs, and a sentence that is a whole paragraph reuses its pair."""
    summary = art.summary.strip()
    if not summary:
        return []
    default = art.language or "auto"
    whole = _whole_paragraphs(art)
    out = []
    for start, end in split_sentences(summary, art.language) or [(0, len(summary))]:
        text = summary[start:end].strip()
        if text:
            para = whole.get(text)
            out.append(_Item(None, para.text if para is not None else text,
                             (para.language if para is not None else "") or default,
                             what="the summary"))
    return out


def _run_engine(store: Store, engine: Engine, art: Article, todo: list[_Item], target: str, *,
                now: str | None, on_progress: Progress | None, total: int) -> None:
    """Send what the cache lacks, grouped by source language, one batch at a time, caching
    each batch's unflagged replies before asking for the next."""
    by_key: dict[str, list[_Item]] = {}
    for it in todo:
        by_key.setdefault(it.key, []).append(it)  # a repeated paragraph is sent once
    unique = [items[0] for items in by_key.values()]
    done = total - len(todo)
    for source in dict.fromkeys(it.source for it in unique):
        group = [it for it in unique if it.source == source]
        for idx in batches([it.text for it in group]):
            batch = [group[i] for i in idx]
            replies = engine.translate([it.text for it in batch], source, target)
            if len(replies) != len(batch):
                raise EngineError(f"{engine.name}: engine returned {len(replies)} paragraphs "
                                  f"for {len(batch)}")
            for it, reply in zip(batch, replies, strict=True):
                it.translation = _clean_reply(engine, reply, it)
            _refuse_untranslated(engine, batch, art, target)
            for it in batch:
                _check(it, art, target)
            store.cache_put({it.key: it.translation for it in batch
                             if it.translation is not None and not it.flags}, now=now)
            for it in batch:
                for same in by_key[it.key]:
                    same.translation, same.flags, same.notes = (it.translation, it.flags,
                                                                it.notes)
                    done += 1
            if on_progress is not None:
                on_progress(done, total)


def _clean_reply(engine: Engine, reply: object, item: _Item) -> str:
    """Engine replies are untrusted: sanitised, one paragraph, and never empty."""
    if not isinstance(reply, str):
        raise EngineError(f"{engine.name}: engine returned {type(reply).__name__}, not text")
    text = normalize_paragraph(sanitize(reply))
    if not text:
        raise EngineError(f"{engine.name}: engine returned an empty translation for "
                          f"{_where(item)}")
    return text


def _where(item: _Item) -> str:
    return item.what or ("the title" if item.paragraph == TITLE_PARAGRAPH
                         else f"paragraph {item.paragraph}")


def _refuse_untranslated(engine: Engine, batch: list[_Item], art: Article,
                         target: str) -> None:
    """A reply that is the very text sent is no translation: LibreTranslate and Argos answer
    so for a pair they lack, as does a misconfigured server. Stored, it would go out as the
    target language's post (English bullets in a Vietnamese briefing), and cached, every
    later run would reuse it; the article fails instead, naming the engine. A text too short
    to tell (a name, a figure) may well come back as it went."""
    want = target[:2].lower()
    for it in batch:
        source = (it.source if it.source != "auto" else art.language)[:2].lower()
        reply = it.translation or ""
        if source == want or not language.enough_letters(reply):
            continue
        copied = _copied_sentences(it.text, reply, source)
        if reply.casefold() == normalize_paragraph(it.text).casefold() or (
                sum(map(len, copied)) * 2 >= len(reply)):
            # The text sent, or mostly it ("Bản dịch: " and the English text).
            raise EngineError(f"{engine.name}: engine returned {_where(it)} untranslated "
                              f"(the {source or 'original'} text it was sent, not {want})")
        it.copied = copied


def _copied_sentences(original: str, reply: str, source: str) -> list[str]:
    """The original's sentences (of enough letters to be language) that the reply holds word
    for word: left untranslated by an engine that translated the rest around them."""
    folded = normalize_paragraph(reply).casefold()
    text = normalize_paragraph(original)
    out = []
    for start, end in split_sentences(text, source):
        sentence = text[start:end].strip()
        if language.enough_letters(sentence) and sentence.casefold() in folded:
            out.append(sentence)
    return out


def _check(it: _Item, art: Article, target: str) -> tuple[FigureFlag, ...]:
    """The numbers check's flags (and notes) for the item's translation, kept on the item,
    and a flag for each sentence the engine left in the original language (a flagged
    translation is not cached: the next run asks again)."""
    source = it.source if it.source != "auto" else (art.language or "en")
    found = check_pair(it.text, it.translation or "", source_lang=source, target_lang=target)
    untranslated = tuple(FigureFlag("untranslated", f"untranslated: {one_line(s, 80)}", s, s)
                         for s in it.copied)
    it.flags, it.notes = found.flags + untranslated, found.notes
    return it.flags


def needs_translation(art: Article, target: str) -> bool:
    """False when the article already has a `target` translation, or is all in `target`.
    An engine's translation made before bullets and summary were translated too still needs
    them (translating again fills them from the cache, asking only for what is new)."""
    tr = next((t for t in art.translations if t.lang == target), None)
    if tr is not None:
        return (tr.engine != "provided" and not (tr.key_facts or tr.summary)
                and bool(art.key_facts or art.summary.strip()))
    return any(it.source != target for it in _items(art, target))


def wants_engine_translation(art: Article, target: str) -> bool:
    """Should a fetch that translates new articles translate this (new or changed) one? Yes
    unless it is all in `target` or came with its own translation (a bilingual post), which an
    engine's must not replace. An earlier engine translation is made again: the text may have
    changed, and the cache makes the unchanged paragraphs free."""
    if any(tr.lang == target and tr.engine == "provided" for tr in art.translations):
        return False
    return any(it.source != target for it in _items(art, target))


def untranslated_ids(store: Store, target: str, *, since: str | None = None) -> list[str]:
    """Ids of stored articles (published since `since`) that still need a `target`
    translation. Uses only public Store methods; one get_article per candidate."""
    out = []
    for article_id in store.article_ids(since=since):
        art = store.get_article(article_id)
        if art is not None and needs_translation(art, target):
            out.append(article_id)
    return out


def translate_untranslated(settings: Settings, store: Store, *, since: str | None = None,
                           target: str | None = None, engine: Engine | None = None,
                           now: str | None = None, on_article: ArticleDone | None = None
                           ) -> tuple[int, list[tuple[str, str]]]:
    """Translate every article lacking a `target` translation; returns (translated count,
    [(article id, reason)] for failures). A failing article does not stop the run, except
    when the engine is unreachable or not configured: then the rest fail with that reason
    at once instead of each waiting out its own timeout."""
    target = target or settings.translation.target
    engine = engine or make_engine(settings)
    done = 0
    failed: list[tuple[str, str]] = []
    stop: str | None = None
    for article_id in untranslated_ids(store, target, since=since):
        if stop is not None:
            failed.append((article_id, stop))
            if on_article is not None:
                on_article(article_id, None, stop)
            continue
        try:
            tr = translate_article(settings, store, article_id, target=target, engine=engine,
                                   now=now)
        except (EngineError, ArticleNotFound) as exc:
            reason = str(exc)
            log.debug("translating %s failed: %s", article_id, reason)
            failed.append((article_id, reason))
            if isinstance(exc, EngineError) and exc.fatal:
                stop = f"skipped: {reason}"
            if on_article is not None:
                on_article(article_id, None, reason)
            continue
        done += 1
        if on_article is not None:
            on_article(article_id, tr, None)
    return done, failed


# A fetch tries again what earlier fetches could not translate, until the engine has
# refused an article this many times (an engine that could not be reached counts no try:
# a week's outage loses nothing).
RETRY_TRIES = 3


def translate_fetched(settings: Settings, store: Store, engine: Engine, ids: list[str], *,
                      now: str | None = None,
                      on_start: Callable[[int, int, str], None] | None = None,
                      on_failure: Callable[[str, str, str], None] | None = None
                      ) -> tuple[int, list[tuple[str, str]]]:
    """A fetch's translations (`fetch --translate`, `[translation] auto`, the TUI's fetch):
    translate the articles the run stored (`ids`, new or changed) that want one, with their
    bullets and summary, and those earlier fetches could not translate (RETRY_TRIES).
    Returns (translated, [(article, reason)]). A failure does not stop the rest, except an
    unreachable engine: then the rest fail at once with its reason, and wait for the next
    fetch. `on_start(i, n, title)` before each article; `on_failure(id, title, reason)`
    after each failure."""
    target = settings.translation.target
    retries = store.translation_retries(target, below=RETRY_TRIES)
    todo = []
    unwanted = []
    for article_id in dict.fromkeys([*retries, *ids]):
        art = store.get_article(article_id)
        if art is not None and wants_engine_translation(art, target):
            todo.append((article_id, art.title))
        else:
            unwanted.append(article_id)
    store.forget_translation_retries(target, [a for a in unwanted if a in set(retries)])
    done = 0
    failed: list[tuple[str, str, bool]] = []
    stop: str | None = None
    for i, (article_id, title) in enumerate(todo, 1):
        if on_start is not None:
            on_start(i, len(todo), title)
        reason = stop
        counted = False
        if reason is None:
            try:
                translate_article(settings, store, article_id, target=target, engine=engine,
                                  now=now)
                done += 1
                continue
            except (EngineError, ArticleNotFound) as exc:
                reason = str(exc)
                counted = not (isinstance(exc, EngineError) and exc.fatal)
                if not counted:
                    stop = f"skipped: {exc}"
        failed.append((article_id, reason, counted))
    tries = store.note_translation_failures(target, failed, now) if failed else {}
    out = []
    for article_id, reason, _ in failed:
        n = tries.get(article_id, 0)
        said = reason + (f" (refused {n} times: fetches stop trying; `briefing translate "
                         f"{article_id}` tries again)" if n >= RETRY_TRIES else
                         "; the next fetch tries again")
        out.append((article_id, said))
        if on_failure is not None:
            on_failure(article_id, dict(todo)[article_id], said)
    return done, out
