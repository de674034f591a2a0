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
from briefing.text import split_paragraphs

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


class Damaged(ValueError):
    """The stored paragraphs are not what `encode` writes (another program wrote the row)."""


def decode(text: str, stored: str) -> tuple[Paragraph, ...]:
    """The paragraphs `encode` kept of the article whose text is `text`; `Damaged` when the
    row holds something else: JSON that does not parse, other shapes, or lengths that do not
    add up to the text (which would cut it at the wrong places)."""
    if not stored:
        return ()
    try:
        return _decode(text, stored)
    except Damaged:
        raise
    except json.JSONDecodeError:
        raise Damaged("not valid JSON") from None
    except (ValueError, TypeError, LookupError, OverflowError):
        raise Damaged("not in the shape briefing writes") from None


def _decode(text: str, stored: str) -> tuple[Paragraph, ...]:
    found = _DECODER.raw_decode(stored)[0]  # json.loads' checks cost twice the parsing here
    if isinstance(found, dict):
        return tuple(Paragraph(int(i), str(t), str(lang), str(kind))
                     for i, t, lang, kind in found["full"])
    if not isinstance(found, list):
        raise TypeError(f"a JSON {type(found).__name__}, not a list")
    out: list[Paragraph] = []
    start = 0
    for i, item in enumerate(found):
        length = int(item[0])
        end = start + length
        # Each length must end where a separator (or the text) does: a length written for
        # another text would otherwise cut words and lose the tail silently.
        if length < 0 or end > len(text) or (
                i < len(found) - 1 and not text.startswith(SEPARATOR, end)):
            raise Damaged("lengths that do not fit the article's text")
        out.append(Paragraph(i, text[start:end], str(item[1]),
                             str(item[2]) if len(item) > 2 else "body"))
        start = end + len(SEPARATOR)
    if out and end != len(text):
        raise Damaged("lengths that do not fit the article's text")
    return tuple(out)


def split(text: str, language: str) -> tuple[Paragraph, ...]:
    """The paragraphs of `text` read afresh, at blank lines, each in `language`: for a row
    whose stored paragraphs are `Damaged`, so the article is still readable whole."""
    return tuple(Paragraph(i, t, language) for i, t in enumerate(split_paragraphs(text)))
