"""The figure guard: is every figure and every named organisation or person of a written
bullet (or summary) in the original?

Figures are read by the numbers check's own reader (`read_figures`, each side in its own
language) and matched by value, so "12 tỷ USD" finds "$12bn" and "15 tỷ USD" does not.
A figure the check would only note (an article-like "one", "first") is no flag here either.
Names are the org and person facts of the written text; one counts as in the original when it
is one of the original's own names or appears in its text, compared without case and
diacritics ("Phạm Minh Chính" is "Pham Minh Chinh"): names are usually kept untranslated.
Everything is linear in the original's size: its figures and folded text are built once.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from briefing.facts import extract
from briefing.models import Article, WriterFlag
from briefing.numbers.figures import Figure, read_figures

# The numbers check's own matching and judging, so a writer's figure is held to the same rules
# as a translator's.
from briefing.translate.check import _article, _strong, _unmatched

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


def original(art: Article) -> Original:
    default = art.language or "en"
    figures = list(read_figures(art.title, default))
    for p in art.paragraphs:
        figures += read_figures(p.text, p.language or default)
    names = frozenset(fold(str(v)) for f in art.facts if f.kind in NAME_KINDS
                      for v in (f.text, f.value))
    text = fold("\n".join([art.title, *(p.text for p in art.paragraphs)]))
    return Original(tuple(figures), names, text)


def check(text: str, lang: str, orig: Original) -> tuple[WriterFlag, ...]:
    """Flags for the figures and names of `text` (written in `lang`) not in the original,
    in the order they appear, each once."""
    found: list[tuple[int, WriterFlag]] = []
    for f in _unmatched(read_figures(text, lang), orig.figures):
        if f.dim == "code" or _article(f) or not (f.digits or _strong(f)):
            continue
        found.append((f.start, WriterFlag("figure", text[f.start:f.end])))
    for fact in extract(text, paragraph=0, language=lang or "en"):
        if fact.kind in NAME_KINDS and not _known(fact.text, str(fact.value), orig):
            found.append((fact.start, WriterFlag("name", fact.text)))
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
