"""Writers of key-fact bullets and a 📌 summary in the reader's language.

`extractive` (the default) is the article's own sentences, picked by briefing.summarize when
it is stored: it needs nothing. `llm` asks the OpenAI-compatible server of
[translation.openai] to write them (briefing.writer.llm), then the figure guard
(briefing.writer.guard) flags every bullet with a figure or a name the original lacks. What it
writes is stored apart (written_digests), never over the article's own bullets or a
translation's; `briefing brief` prefers it when [briefing] writer = "llm".
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from briefing.errors import UsageError
from briefing.models import WrittenBullet, WrittenDigest
from briefing.writer import guard
from briefing.writer.llm import Draft, LLMWriter, WriterError

if TYPE_CHECKING:
    from briefing.config import Settings
    from briefing.models import Article
    from briefing.store import Store

__all__ = ["Draft", "LLMWriter", "WriterError", "digest", "make_writer", "write_article"]

NOT_LLM = ('the writer is "extractive" (the default), which writes nothing: set [briefing] '
           'writer = "llm" and the server in [translation.openai] (base_url, model) in the '
           "config file shown by `briefing locate`")


class ArticleMissing(UsageError, LookupError):
    """No stored article has the id asked for."""


def make_writer(settings: Settings) -> LLMWriter:
    """The llm writer on the [translation.openai] server; WriterError when the settings
    choose the extractive writer (which has nothing to write)."""
    if settings.briefing.writer != "llm":
        raise WriterError(NOT_LLM, fatal=True)
    oa = settings.translation.openai
    key = os.environ.get(oa.api_key_env) if oa.api_key_env else None
    return LLMWriter(oa.base_url, oa.model, key or None, settings.briefing.writer_timeout,
                     settings.briefing.writer_max_chars)


def digest(art: Article, draft: Draft, lang: str, *, engine: str, model: str,
           now: str | None = None, sent_chars: int = 0) -> WrittenDigest:
    """The draft with the figure guard's flags on each bullet and on the summary."""
    orig = guard.original(art, sent_chars)
    *flags, summary_flags = guard.check_all([*draft.bullets, draft.summary], lang, orig)
    bullets = tuple(WrittenBullet(b, f) for b, f in zip(draft.bullets, flags, strict=True))
    return WrittenDigest(art.id, lang, engine, model, bullets, draft.summary, summary_flags,
                         now)


def write_article(store: Store, writer: LLMWriter, article_id: str, lang: str, *,
                  now: str | None = None) -> WrittenDigest:
    """Write, check and store the article's bullets and summary in `lang` (replacing any
    written before). A failure stores nothing: ArticleMissing or WriterError."""
    from briefing.store import written_store

    art = store.get_article(article_id)
    if art is None:
        raise ArticleMissing(f"no article with id {article_id!r}")
    found = digest(art, writer.write(art, lang), lang, engine=writer.name, model=writer.model,
                   now=now, sent_chars=writer.max_chars)
    written_store.save(store, found)
    return found
