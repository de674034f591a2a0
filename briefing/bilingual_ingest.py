"""A briefing post (translation + original in one file) into one article with its translation.

The article is the original; the translation is stored as aligned pairs, with the post's own
bullets and 📌 summary as the translation's key facts and summary, and its hashtags as tags.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from briefing.align import align
from briefing.clean.bilingual import Post
from briefing.models import TITLE_PARAGRAPH as TITLE
from briefing.models import Article, FigureFlag, Translation, TranslationPair

# A line of the original with nothing beside it in the translation.
NOT_TRANSLATED = FigureFlag("missing", "not translated")


def kept_indexes(lines: Sequence[str]) -> list[int | None]:
    """For each line, its index among the lines that survive cleaning, or None if dropped."""
    from briefing.clean.boilerplate import strip_paragraphs

    kept = strip_paragraphs(list(lines))
    out: list[int | None] = []
    k = 0
    for line in lines:
        if k < len(kept) and kept[k] == line:
            out.append(k)
            k += 1
        else:
            out.append(None)
    return out


def build_pairs(original: Sequence[str], translation: Sequence[str], *, source_lang: str,
                target_lang: str, body_index: Sequence[int | None]
                ) -> tuple[TranslationPair, ...]:
    """Pairs in original order. `original[0]` is the title; `body_index[i]` is the article
    paragraph of original line i+1, or None when cleaning dropped that line."""
    from briefing.translate.check import check_pair

    src, tgt = list(original), list(translation)
    pairs: list[TranslationPair] = []
    for group in align(src, tgt, source_lang=source_lang, target_lang=target_lang):
        orig = " ".join(src[i] for i in group.source)
        trans = " ".join(tgt[j] for j in group.target)
        paragraph: int | None = None
        if group.source:
            first = group.source[0]
            paragraph = TITLE if first == 0 else body_index[first - 1]
        flags: tuple[FigureFlag, ...] = ()
        notes: tuple[FigureFlag, ...] = ()
        if orig and trans:
            found = check_pair(orig, trans, source_lang=source_lang, target_lang=target_lang)
            flags, notes = found.flags, found.notes
        elif orig and paragraph is not None:
            flags = (NOT_TRANSLATED,)
        pairs.append(TranslationPair(paragraph, orig, trans, flags, notes))
    return tuple(pairs)


def translation_of(post: Post, body_index: Sequence[int | None]) -> Translation:
    return Translation(
        lang=post.translation_lang, engine="provided", model="",
        pairs=build_pairs(post.original, post.translation, source_lang=post.original_lang,
                          target_lang=post.translation_lang, body_index=body_index),
        key_facts=post.bullets, summary=post.summary,
    )


def with_checked_post(tr: Translation, art: Article) -> Translation:
    """The post's own bullets and summary, the lines it publishes, checked as the figure
    guard checks a writer's: each figure must be one of the original's, by value ("4,2 tỷ
    USD" where the article says $2.4bn is flagged). Names are not checked: a post names a
    firm in its own language ("Thép Sông Hồng" for "Song Hong Steel")."""
    from briefing.writer import guard

    texts = [*tr.key_facts, tr.summary]
    found = guard.check_all(texts, tr.lang, guard.original(art), names=False)
    flags = [tuple(FigureFlag("added", f"figure not in the original: {f.text}", "", f.text)
                   for f in flagged) for flagged in found]
    return replace(tr, key_fact_flags=tuple(flags[:-1]), summary_flags=flags[-1])


def sidecar_translation(title: str, paragraphs: Sequence[str], source_lang: str, lang: str,
                        text: str) -> Translation:
    """A translation that came as its own file beside the article (`story.vi.md`)."""
    from briefing.text import split_paragraphs

    lines = [ln.lstrip("# ").strip() for ln in split_paragraphs(text)]
    body_index = list(range(len(paragraphs)))
    pairs = build_pairs([title, *paragraphs], [ln for ln in lines if ln], source_lang=source_lang,
                        target_lang=lang, body_index=body_index)
    return Translation(lang=lang, engine="provided", model="", pairs=pairs)
