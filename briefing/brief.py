"""The briefing: one post per story in the shape of seed 004, as Markdown, plain text or JSON.

    - key-fact bullet
    - ...
    📌 summary
    <link to the best source: http(s) only; none for a local file or any other scheme>
    #<source hashtag: letters and digits>
    [--full: the translation, title then paragraphs, one a line; then the original likewise]

`render_text` writes exactly that (the seed's shape). `render_markdown` writes the same parts as
CommonMark: the bullets as a list, then each other part a paragraph of its own, blank lines
between; feed text escaped so it renders as the same text whatever it holds (briefing.markdown).

Bullets and summary are in the reader's language when a translation into it has them (or a
copy was written in it); otherwise they are the original's, and the post says nothing about it
itself: `Post.note` says which language was used, for the JSON (and `brief --verbose`). A
translation's bullets carry the numbers check's flags. With the llm writer
on, bullets and summary it wrote in the language come first (basis "writer"), each with the
figure guard's flags: a "⚠ ... is not in the original" line under it, `flags` in the JSON.
The output depends only on the database (stable order, no clock), so a daily briefing can be
diffed and committed. A `--full` post (either format) read back by `briefing fetch` gives the
same article, pairs, bullets and summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from briefing import stories
from briefing.facts import extract
from briefing.markdown import autolink, escape, http_link
from briefing.models import (
    TITLE_PARAGRAPH,
    Article,
    FigureFlag,
    Translation,
    WriterFlag,
    WrittenDigest,
)
from briefing.report import flag_json, writer_flag_json
from briefing.store import Store
from briefing.text import one_line

__all__ = ["Post", "build", "post_json", "render_json", "render_markdown", "render_text"]


Flag = FigureFlag | WriterFlag


@dataclass(frozen=True)
class Post:
    story: stories.Story
    # What the post is made from: the story's best source, or the copy whose translation,
    # text or written digest the bullets are; the link, the hashtag and the original are its.
    article: Article
    lang: str  # the language of the bullets and summary
    requested: str
    basis: str  # translation | original | copy | writer: where the bullets and summary come from
    basis_article: str
    note: str  # "" when the post is in the requested language
    bullets: tuple[str, ...]
    summary: str
    hashtag: str
    translation: tuple[str, ...] = ()  # --full: title first
    translation_lang: str = ""
    original: tuple[str, ...] = ()  # --full: title first
    original_lang: str = ""
    # One tuple per bullet, and the summary's: the figure guard's (basis writer) or the
    # numbers check's (basis translation).
    bullet_flags: tuple[tuple[Flag, ...], ...] = ()
    summary_flags: tuple[Flag, ...] = ()

    @property
    def link(self) -> str:
        """The article's URL when it is http(s), else "" (a file's path stays private)."""
        return http_link(self.article.url)


def build(store: Store, story: stories.Story, lang: str, *, full: bool = False,
          writer: bool = False, strict: bool = False) -> Post | None:
    """The post for a story in `lang`, or None when its best article is gone. With `writer`
    (the llm writer is configured), bullets and summary a model wrote in `lang` come first;
    with `strict`, those the figure guard flagged are left out."""
    best = store.get_article(story.best_article)
    if best is None:
        return None
    # A post is one article's: its bullets and summary, link, hashtag, translation and
    # original all come from the article the words are taken from (the best source, or the
    # copy whose translation, text or written digest they are). A copy's Vietnamese bullets
    # beside the best source's link and English original once stated "1,2 tỷ USD" under an
    # article that says $1.5bn, and read back, its translation paired with the wrong text.
    written = _written(store, story, best, lang) if writer else None
    if written is not None:
        source, digest = written
        post = _written_post(story, source, digest, lang, strict)
    else:
        basis, source, bullets, summary, used = _choose(store, story, best, lang)
        note = "" if used == lang else _note(best, lang, used)
        checked = _translation(source, lang) if basis == "translation" else None
        post = Post(story, source, used, lang, basis, source.id, note, bullets, summary,
                    stories.hashtag(source, source.feed_tags),
                    bullet_flags=checked.key_fact_flags if checked is not None else (),
                    summary_flags=checked.summary_flags if checked is not None else ())
    if not full:
        return post
    translation, tr_lang = _translation_lines(source, post.basis, lang)
    return replace(post, translation=translation, translation_lang=tr_lang,
                   original=tuple(_original_lines(source, _translation(source, tr_lang))),
                   original_lang=source.language)


def _written(store: Store, story: stories.Story, best: Article, lang: str
             ) -> tuple[Article, WrittenDigest] | None:
    """The best source's digest written in `lang`, else another copy's."""
    from briefing.store import written_store

    found = written_store.get(store, best.id, lang)
    if found:
        return best, found[0]
    for m in story.members:
        if m.best:
            continue
        found = written_store.get(store, m.article_id, lang)
        other = store.get_article(m.article_id) if found else None
        if other is not None:
            return other, found[0]
    return None


def _written_post(story: stories.Story, source: Article, digest: WrittenDigest,
                  lang: str, strict: bool) -> Post:
    bullets = [b for b in digest.bullets if not (strict and b.flags)]
    keep_summary = not (strict and digest.summary_flags)
    return Post(story, source, lang, lang, "writer", source.id, "",
                tuple(b.text for b in bullets), digest.summary if keep_summary else "",
                stories.hashtag(source, source.feed_tags),
                bullet_flags=tuple(b.flags for b in bullets),
                summary_flags=digest.summary_flags if keep_summary else ())


def _flags_of(post: Post, i: int) -> tuple[Flag, ...]:
    return post.bullet_flags[i] if i < len(post.bullet_flags) else ()


def _translation(art: Article, lang: str) -> Translation | None:
    return next((t for t in art.translations if t.lang == lang), None) if lang else None


def _choose(store: Store, story: stories.Story, best: Article, lang: str
            ) -> tuple[str, Article, tuple[str, ...], str, str]:
    """(basis, article, bullets, summary, language): the best source's translation, the best
    source itself when written in `lang`, then another copy written in `lang` or translated
    into it with bullets, and last the best source's own bullets in its own language. Pairs of
    a translation are never cut into bullets."""
    tr = _translation(best, lang)
    if tr is not None and (tr.key_facts or tr.summary):
        return "translation", best, tuple(tr.key_facts), tr.summary, lang
    if best.language == lang:
        return "original", best, _own(best), best.summary, lang
    for m in story.members:
        if m.best:
            continue
        other = store.get_article(m.article_id)
        if other is None:
            continue
        if other.language == lang and (other.key_facts or other.summary):
            return "copy", other, _own(other), other.summary, lang
        tr = _translation(other, lang)
        if tr is not None and (tr.key_facts or tr.summary):
            return "translation", other, tuple(tr.key_facts), tr.summary, lang
    return "original", best, _own(best), best.summary, best.language


def _own(art: Article) -> tuple[str, ...]:
    return tuple(k.text for k in art.key_facts)


def _note(best: Article, lang: str, used: str) -> str:
    tr = _translation(best, lang)
    why = (f"its {lang} translation has no key facts or summary" if tr is not None
           else f"no {lang} translation")
    return f"written in {used or 'the original language'} (the original's): {why}"


def _translation_lines(source: Article, basis: str, lang: str) -> tuple[tuple[str, ...], str]:
    """The translation of `source` into `lang`, title first; none for a copy written in
    `lang` (basis "copy"), which is its own original."""
    tr = _translation(source, lang) if basis != "copy" and lang != source.language else None
    if tr is None:
        return (), ""
    lines = [p.translation for p in tr.pairs if p.paragraph == TITLE_PARAGRAPH]
    lines += [p.translation for p in tr.pairs if p.paragraph != TITLE_PARAGRAPH]
    return tuple(x for x in lines if x.strip()), tr.lang


def _original_lines(art: Article, tr: Translation | None) -> list[str]:
    """Title, then the paragraphs; with a translation, the lines cleaning dropped but the
    translation kept a pair for (captions, "Recommended") go back in their places, so the
    post read back aligns into the same pairs."""
    lines = [art.title]
    paragraphs = [p.text for p in art.paragraphs]
    if tr is None:
        return lines + paragraphs
    done = 0
    for pair in tr.pairs:
        if pair.paragraph is None:
            if pair.original.strip():
                lines.append(pair.original)
        elif pair.paragraph >= done:
            lines += paragraphs[done:pair.paragraph + 1]
            done = pair.paragraph + 1
    return lines + paragraphs[done:]


# -- rendering -------------------------------------------------------------------------------


def _line(text: str) -> str:
    return one_line(text, 100_000)


def _lines(texts: Sequence[str]) -> list[str]:
    return [x for x in (_line(t) for t in texts) if x]


def render_text(posts: Sequence[Post]) -> str:
    """Posts in seed 004's plain shape, one part a line; a blank line between posts."""
    out = []
    for post in posts:
        lines = []
        for i, bullet in enumerate(post.bullets):
            shown = [f"- {b}" for b in _lines([bullet])]
            lines += shown + [f"  ⚠ {_line(f.message)}" for f in _flags_of(post, i) if shown]
        lines += [f"📌 {s}" for s in _lines([post.summary])]
        lines += [f"⚠ {_line(f.message)}" for f in post.summary_flags if post.summary.strip()]
        lines += [post.link] if post.link else []
        lines.append(f"#{post.hashtag}")
        lines += _lines([*post.translation, *post.original])
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)


def render_markdown(posts: Sequence[Post]) -> str:
    """Posts as CommonMark: the bullets a list, every other part a paragraph (a line with no
    blank line before it would continue the last bullet). Feed text is escaped; the link is
    an autolink, http(s) only; the hashtag is letters and digits, which need no escaping."""
    out = []
    for post in posts:
        bullets = [_md_flagged(f"- {escape(b)}", _flags_of(post, i), "  ")
                   for i, bullet in enumerate(post.bullets) for b in _lines([bullet])]
        blocks = ["\n".join(bullets)] if bullets else []
        blocks += [_md_flagged(f"📌 {escape(s)}", post.summary_flags, "")
                   for s in _lines([post.summary])]
        blocks += [autolink(post.link)] if post.link else []
        blocks.append(f"#{post.hashtag}")
        blocks += [escape(x) for x in _lines([*post.translation, *post.original])]
        out.append("\n\n".join(blocks) + "\n")
    return "\n".join(out)


def _md_flagged(line: str, flags: Sequence[Flag], indent: str) -> str:
    """A bullet or summary with a marker line per flag: a hard line break (a backslash at the
    end of the line) keeps the marker inside the same list item or paragraph."""
    marks = [f"{indent}⚠ {escape(_line(f.message))}" for f in flags]
    return "\\\n".join([line, *marks])


def _facts(text: str, lang: str) -> list[dict[str, Any]]:
    return [{"kind": f.kind, "text": f.text, "value": f.value, "unit": f.unit}
            for f in extract(text, paragraph=0, language=lang or "en")]


def _part(lines: Sequence[str], lang: str) -> dict[str, Any] | None:
    if not lines:
        return None
    return {"lang": lang, "title": lines[0], "paragraphs": list(lines[1:])}


def post_json(post: Post) -> dict[str, Any]:
    out: dict[str, Any] = {
        "story": post.story.id, "title": post.story.title, "article": post.article.id,
        "url": post.link or None, "hashtag": post.hashtag, "lang": post.lang,
        "requested_lang": post.requested, "basis": post.basis,
        "basis_article": post.basis_article, "note": post.note,
        "bullets": [{"text": b, "facts": _facts(b, post.lang),
                     "flags": [_flag_json(f) for f in _flags_of(post, i)]}
                    for i, b in enumerate(post.bullets)],
        "summary": {"text": post.summary, "facts": _facts(post.summary, post.lang),
                    "flags": [_flag_json(f) for f in post.summary_flags]},
        "sources": [_public(s) for s in stories.story_dict(post.story)["sources"]],
        "flags": [stories.flag_json(f) for f in post.story.flags],
    }
    if post.translation or post.original:
        out["translation"] = _part(post.translation, post.translation_lang)
        out["original"] = _part(post.original, post.original_lang)
    return out


def _public(source: dict[str, Any]) -> dict[str, Any]:
    """A copy's entry as a post publishes it: its URL and source only when they are http(s)
    (a local copy's are paths on the user's disk), null otherwise; the keys stay."""
    return {**source, "url": http_link(source["url"]) or None,
            "source": http_link(source["source"]) or None}


def _flag_json(flag: Flag) -> dict[str, str]:
    return flag_json(flag) if isinstance(flag, FigureFlag) else writer_flag_json(flag)


def render_json(posts: Sequence[Post], lang: str) -> dict[str, Any]:
    return {"lang": lang, "stories": [post_json(p) for p in posts]}
