"""An article's paragraphs as the articles table keeps them (m016): no second copy of the text.

An article's text is its paragraphs joined by blank lines (ingest.build_article), so the row
keeps only where each paragraph ends, with its language and kind: `[[length, language], ...]`
(`[length, language, kind]` for a kind other than "body"), JSON. The paragraphs table held the
text a second time (a tenth of the database) and cost a row and an index entry a paragraph.
An article whose text is not its paragraphs joined (made by hand, or by a caller with its own
idea of the text) keeps them whole instead: `{"full": [[index, text, language, kind], ...]}`.
"" is no paragraphs. A leaf module: no SQL runs here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from json.encoder import encode_basestring as _string  # a JSON string, non-ASCII kept

from briefing.models import Paragraph

SEPARATOR = "\n\n"
_DECODER = json.JSONDecoder()


def encode(text: str, paragraphs: Sequence[Paragraph]) -> str:
    """`paragraphs` of the article whose text is `text`, as the row keeps them."""
    if not paragraphs:
        return ""
    if SEPARATOR.join([p.text for p in paragraphs]) != text or any(
            p.index != i for i, p in enumerate(paragraphs)):
        return _full(paragraphs)
    # The JSON written by hand: json.dumps of the lists took twice as long, per article saved.
    return "[" + ",".join(
        f"[{len(p.text)},{_string(p.language)}]" if p.kind == "body" else
        f"[{len(p.text)},{_string(p.language)},{_string(p.kind)}]" for p in paragraphs) + "]"


def _full(paragraphs: Sequence[Paragraph]) -> str:
    return json.dumps({"full": [[p.index, p.text, p.language, p.kind] for p in paragraphs]},
                      ensure_ascii=False, separators=(",", ":"))


def decode(text: str, stored: str) -> tuple[Paragraph, ...]:
    """The paragraphs `encode` kept of the article whose text is `text`."""
    if not stored:
        return ()
    found = _DECODER.raw_decode(stored)[0]  # json.loads' checks cost twice the parsing here
    if isinstance(found, dict):
        return tuple(Paragraph(int(i), str(t), str(lang), str(kind))
                     for i, t, lang, kind in found.get("full", []))
    out: list[Paragraph] = []
    start = 0
    for i, item in enumerate(found):
        end = start + int(item[0])
        out.append(Paragraph(i, text[start:end], str(item[1]),
                             str(item[2]) if len(item) > 2 else "body"))
        start = end + len(SEPARATOR)
    return tuple(out)
