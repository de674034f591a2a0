"""SQL for written digests (migration m009): bullets and a summary a model wrote for an
article in one language, with the figure guard's flags. One row per (article, language),
replaced when the article is written again and deleted with the article."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from briefing.models import WriterFlag, WrittenBullet, WrittenDigest
from briefing.store.base import wraps_sqlite_errors

if TYPE_CHECKING:
    from briefing.store.store import Store

_COLUMNS = "article_id, lang, engine, model, bullets, summary, flags, created"


def _flags_json(flags: tuple[WriterFlag, ...]) -> list[dict[str, str]]:
    return [{"kind": f.kind, "text": f.text} for f in flags]


def _flags(items: Any) -> tuple[WriterFlag, ...]:
    if not isinstance(items, list):
        return ()
    return tuple(WriterFlag(str(i.get("kind", "")), str(i.get("text", "")))
                 for i in items if isinstance(i, dict))


@wraps_sqlite_errors
def save(store: Store, digest: WrittenDigest) -> None:
    flags = {"bullets": [_flags_json(b.flags) for b in digest.bullets],
             "summary": _flags_json(digest.summary_flags)}
    with store.write() as c:
        c.execute(
            f"INSERT OR REPLACE INTO written_digests ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",
            (digest.article_id, digest.lang, digest.engine, digest.model,
             json.dumps([b.text for b in digest.bullets], ensure_ascii=False), digest.summary,
             json.dumps(flags, ensure_ascii=False), digest.created))


@wraps_sqlite_errors
def get(store: Store, article_id: str, lang: str | None = None) -> list[WrittenDigest]:
    """The article's digests (in `lang` only, when given), by language."""
    sql = f"SELECT {_COLUMNS} FROM written_digests WHERE article_id = ?"
    params: list[Any] = [article_id]
    if lang is not None:
        sql += " AND lang = ?"
        params.append(lang)
    rows = store.conn.execute(sql + " ORDER BY lang", params).fetchall()
    return [_digest(r) for r in rows]


def _digest(row: tuple[Any, ...]) -> WrittenDigest:
    article_id, lang, engine, model, bullets, summary, flags, created = row
    texts = json.loads(bullets or "[]")
    found = json.loads(flags or "{}")
    per_bullet = found.get("bullets", []) if isinstance(found, dict) else []
    out = tuple(WrittenBullet(str(t), _flags(per_bullet[i] if i < len(per_bullet) else []))
                for i, t in enumerate(texts))
    summary_flags = _flags(found.get("summary", [])) if isinstance(found, dict) else ()
    return WrittenDigest(article_id, lang, engine, model, out, summary, summary_flags, created)
