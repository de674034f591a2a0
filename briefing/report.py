"""Rendering stored articles for people (text) and programs (JSON)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from briefing import clock
from briefing.entities import entities
from briefing.models import Article, FigureFlag, KeyFact, WriterFlag, WrittenDigest
from briefing.text import one_line, sanitize


def iso_time(value: str | None) -> str | None:
    """A stored time in the one form every JSON output uses: ISO 8601 in UTC with the zone
    written out (`2026-06-01T09:00:00+00:00`), so scripts parse one shape and text order is
    time order. Stored times without a zone are UTC (the app writes UTC), and a date alone
    is its midnight. Unknown ("" or None) is None; text that is not a time stays as it is,
    since changing it would lose what the source said."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return value
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="seconds")


def key_facts_json(key_facts: tuple[KeyFact, ...]) -> list[dict[str, Any]]:
    return [{"text": k.text, "paragraph": k.paragraph} for k in key_facts]


def article_json(art: Article) -> dict[str, Any]:
    return {
        "id": art.id, "title": art.title, "url": art.url, "source": art.source,
        "source_title": art.source_title, "language": art.language,
        "published": iso_time(art.published), "fetched": iso_time(art.fetched),
        "author": art.author, "site_name": art.site_name,
        "read": art.read, "starred": art.starred, "tags": list(art.tags),
        "summary": art.summary,
        "key_facts": key_facts_json(art.key_facts),
        "entities": [{"name": name, "kind": kind, "mentions": n}
                     for name, kind, n in entities(art.facts)],
        "facts": [
            {"kind": f.kind, "text": f.text, "value": f.value, "unit": f.unit,
             "paragraph": f.paragraph, "start": f.start, "end": f.end, "link": f.link}
            for f in art.facts
        ],
        "text": art.text,
        "paragraphs": [{"index": p.index, "text": p.text, "language": p.language,
                        "kind": p.kind} for p in art.paragraphs],
        "translations": [
            {"lang": t.lang, "engine": t.engine, "model": t.model, "summary": t.summary,
             "key_facts": list(t.key_facts),
             "key_fact_flags": [[flag_json(f) for f in t.bullet_flags(i)]
                                for i in range(len(t.key_facts))],
             "summary_flags": [flag_json(f) for f in t.summary_flags],
             "pairs": [{"paragraph": p.paragraph, "original": p.original,
                        "translation": p.translation, "flags": [flag_json(f) for f in p.flags],
                        "notes": [flag_json(f) for f in p.notes]} for p in t.pairs]}
            for t in art.translations
        ],
    }


def flag_json(flag: FigureFlag) -> dict[str, str]:
    """One finding of the numbers check: `flags` hold what shows ⚠, `notes` the rest."""
    return {"kind": flag.kind, "text": flag.text, "original": flag.original,
            "translation": flag.translation}


def writer_flag_json(flag: WriterFlag) -> dict[str, str]:
    """One finding of the figure guard: a figure or name the original lacks."""
    return {"kind": flag.kind, "text": flag.text, "message": flag.message}


def written_json(d: WrittenDigest) -> dict[str, Any]:
    return {"lang": d.lang, "engine": d.engine, "model": d.model, "created": iso_time(d.created),
            "bullets": [{"text": b.text, "flags": [writer_flag_json(f) for f in b.flags]}
                        for b in d.bullets],
            "summary": {"text": d.summary,
                        "flags": [writer_flag_json(f) for f in d.summary_flags]}}


def article_text(art: Article) -> str:
    """The article as a reader wants it in a terminal: title, facts, summary, then the text."""
    lines = [one_line(art.title, 300)]
    meta = " · ".join(x for x in (one_line(art.source_title or art.source, 80),
                                   clock.local_day(art.published), art.language, art.url) if x)
    lines.append(meta)
    if art.tags:
        lines.append("tags: " + ", ".join(one_line(t, 40) for t in art.tags))
    lines.append("")
    if art.key_facts:
        lines += [f"- {one_line(k.text, 400)}" for k in art.key_facts]
    if art.summary:
        lines.append(f"📌 {one_line(art.summary, 1000)}")
    if art.key_facts or art.summary:
        lines.append("")
    lines += [sanitize(p.text) + "\n" for p in art.paragraphs]
    return "\n".join(lines).rstrip() + "\n"
