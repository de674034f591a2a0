"""The figure guard: is every figure and every named organisation or person of a written
bullet (or summary) in the original?

Figures are read by the numbers check's own reader (`read_figures`, each side in its own
language) and matched by value, so "12 tỷ USD" finds "$12bn" and "15 tỷ USD" does not.
A figure the check would only note (an article-like "one", "first") is no flag here either.
Names are the org and person facts of the written text; one counts as in the original when it
is one of the original's own names or appears in its text, compared without case and
diacritics ("Phạm Minh Chính" is "Pham Minh Chinh"): names are usually kept untranslated.
The original is read up to `limit` characters (whole paragraphs; at least the tagger's
TAGGED_CHARS, and never less than the writer sent): a 15 MB text's figures would take a
minute to read, and the model never saw past its first `writer_max_chars`. Its figures and
folded text are built once, and the written texts' figures are matched in one pass.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from briefing.facts import extract
from briefing.models import Article, WriterFlag
from briefing.numbers.figures import Figure, read_figures
from briefing.tagger import TAGGED_CHARS

# The numbers check's own matching and judging, so a writer's figure is held to the same rules
# as a translator's.
from briefing.translate.check import is_strong, reads_as_article, unmatched

NAME_KINDS = frozenset({"org", "person"})


def fold(text: str) -> str:
    """Lower case, no diacritics, single spaces: "Đặng Văn Ơn" -> "dang van on"."""
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.casefold().replace("’", "'").split())


@dataclass(frozen=True)
class Original:
    figures: tuple[Figure, ...]
    names: frozenset[str]
    text: str  # folded: title and paragraphs


def original(art: Article, limit: int = TAGGED_CHARS) -> Original:
    """The original's figures, names and folded text, read up to max(limit, TAGGED_CHARS)
    characters of whole paragraphs."""
    limit = max(limit, TAGGED_CHARS)
    default = art.language or "en"
    figures = list(read_figures(art.title, default))
    texts = [art.title]
    used = len(art.title)
    for p in art.paragraphs:
        if used >= limit:
            break
        figures += read_figures(p.text, p.language or default)
        texts.append(p.text)
        used += len(p.text)
    names = frozenset(fold(str(v)) for f in art.facts if f.kind in NAME_KINDS
                      for v in (f.text, f.value))
    return Original(tuple(figures), names, fold("\n".join(texts)))


def check(text: str, lang: str, orig: Original) -> tuple[WriterFlag, ...]:
    """Flags for the figures and names of `text` (written in `lang`) not in the original,
    in the order they appear, each once."""
    return check_all([text], lang, orig)[0]


def check_all(texts: list[str], lang: str, orig: Original, *,
              names: bool = True) -> list[tuple[WriterFlag, ...]]:
    """`check` for several texts, the original's figures indexed once for all of them;
    `names=False` checks the figures only."""
    found: list[list[tuple[int, WriterFlag]]] = [[] for _ in texts]
    figures = [(i, f) for i, text in enumerate(texts) for f in read_figures(text, lang)]
    where = {id(f): i for i, f in figures}
    for f in unmatched([f for _, f in figures], orig.figures):
        if f.dim == "code" or reads_as_article(f) or not (f.digits or is_strong(f)):
            continue
        i = where[id(f)]
        found[i].append((f.start, WriterFlag("figure", texts[i][f.start:f.end])))
    for i, text in enumerate(texts if names else ()):
        for fact in extract(text, paragraph=0, language=lang or "en"):
            if fact.kind in NAME_KINDS and not _known(fact.text, str(fact.value), orig):
                found[i].append((fact.start, WriterFlag("name", fact.text)))
    return [_ordered(f) for f in found]


def _ordered(found: list[tuple[int, WriterFlag]]) -> tuple[WriterFlag, ...]:
    out: dict[WriterFlag, None] = {}
    for _, flag in sorted(found, key=lambda x: x[0]):
        out.setdefault(flag)
    return tuple(out)


def _known(name: str, canonical: str, orig: Original) -> bool:
    for candidate in {fold(name), fold(canonical)}:
        candidate = re.sub(r"'s$", "", candidate)
        if not candidate:
            continue
        if candidate in orig.names or re.search(
                rf"(?<!\w){re.escape(candidate)}(?!\w)", orig.text):
            return True
    return False
