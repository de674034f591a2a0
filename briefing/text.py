"""Sanitising untrusted text and splitting it into paragraphs and sentences.

Everything that came from a feed, a page, a file or a translation engine passes through
`sanitize()` before it is stored, so the terminal only ever sees plain printable text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from typing import Any

# ESC-introduced sequences. CSI (ESC [), OSC (ESC ]), DCS (ESC P), SOS (ESC X), PM (ESC ^) and
# APC (ESC _) may be unterminated in hostile input: an unterminated OSC swallows to the end of
# the string, which is what a terminal would do too, so nothing after it can reach the screen.
_ESC_SEQ = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]?                       # CSI ... final byte (may be missing)
  | \x1b[\]PX^_].*?(?:\x07|\x1b\\|\x9c|$)          # OSC/DCS/SOS/PM/APC ... BEL or ST or end
  | \x1b[ -/]*[0-~]?                               # two/three-byte escapes (ESC c, ESC ( B)
  | \x9b[0-?]*[ -/]*[@-~]?                         # 8-bit CSI
  | [\x90\x9d\x98\x9e\x9f].*?(?:\x07|\x9c|$)       # 8-bit DCS/OSC/SOS/PM/APC
    """,
    re.VERBOSE | re.DOTALL,
)
# C0 and C1 controls except \t and \n; DEL too. \r becomes \n first (old Mac line ends).
_CONTROL_CHARS = r"\x00-\x08\x0b-\x1f\x7f-\x9f"
_CONTROLS = re.compile(f"[{_CONTROL_CHARS}]")
# Bidi overrides can reorder what a user sees versus what is stored (Trojan Source).
_BIDI_CHARS = r"\u202a-\u202e\u2066-\u2069"
_BIDI = re.compile(f"[{_BIDI_CHARS}]")
# Every character the three patterns above remove (each escape sequence starts with a control):
# text without any is left as it is, and most text has none, so one scan for them saves running
# the three. Built from the same classes, so the shortcut cannot drift from the filter.
_UNSAFE = re.compile(f"[{_CONTROL_CHARS}{_BIDI_CHARS}]")
_SPACE_CHARS = r"\t\u00a0\u2000-\u200b\u3000"  # besides " " itself
_SPACES = re.compile(f"[ {_SPACE_CHARS}]+")
# What _SPACES would change: a run of two, or one space that is not " ".
_ODD_SPACES = re.compile(f"[{_SPACE_CHARS}]| [ {_SPACE_CHARS}]")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def sanitize(value: Any, *, keep_newlines: bool = True) -> str:
    """Return `value` as text safe to print: no escape sequences, no control characters.

    Tabs become spaces; newlines are kept unless `keep_newlines` is false, when they become
    spaces too (for titles and one-line fields).
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _UNSAFE.search(text):
        text = _ESC_SEQ.sub("", text)
        text = _CONTROLS.sub("", text)
        text = _BIDI.sub("", text)
    text = text.replace("\t", " ")
    if not keep_newlines:
        text = text.replace("\n", " ")
    return text


def one_line(value: Any, limit: int = 500) -> str:
    """Sanitised single-line text with collapsed spaces, cut to `limit` characters."""
    text = _SPACES.sub(" ", sanitize(value, keep_newlines=False)).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def normalize_paragraph(text: str) -> str:
    """Collapse runs of spaces inside one paragraph and NFC-normalise it."""
    text = unicodedata.normalize("NFC", text)
    if "\n" not in text and not _ODD_SPACES.search(text):
        return text.strip()
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return " ".join(line for line in lines if line)


def split_paragraphs(text: str) -> list[str]:
    """Split plain text into paragraphs at blank lines, or at single newlines when the text
    has no blank lines at all (many scraped files put one paragraph per line)."""
    text = sanitize(text)
    if _BLANK_LINES.search(text):
        chunks = _BLANK_LINES.split(text)
    else:
        chunks = text.split("\n")
    return [p for p in (normalize_paragraph(c) for c in chunks) if p]


_HASH_CHUNK = 1 << 20
_WHITESPACE = re.compile(r"\s")  # what str.split() splits at


def content_hash(text: str) -> str:
    """A stable hash of text, insensitive to whitespace and case, for dedup: the SHA-256 of
    its words, NFKC-normalised and casefolded, joined by single spaces."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    digest = hashlib.sha256()
    # A megabyte at a time, each piece cut at whitespace so no word is split: the words of a
    # 15 MB text as one list took 150 MB. The hash is that of " ".join(folded.split()).
    start, sep = 0, b""
    while start < len(folded):
        cut = _WHITESPACE.search(folded, start + _HASH_CHUNK) if (
            len(folded) - start > _HASH_CHUNK) else None
        end = cut.start() if cut else len(folded)
        words = " ".join(folded[start:end].split())
        if words:
            digest.update(sep + words.encode("utf-8"))
            sep = b" "
        start = end
    return digest.hexdigest()


@lru_cache(maxsize=4)
def _segmenter(language: str) -> Any:
    # pysbd loads its rule tables on construction (~20 ms); one per language is plenty.
    import pysbd

    try:
        return pysbd.Segmenter(language=language, clean=False, char_span=False)
    except ValueError:
        return pysbd.Segmenter(language="en", clean=False, char_span=False)


_SIMPLE_SENT = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+(?=[\"'“‘(]?[A-ZÀ-Ỹ0-9])")


def split_sentences(text: str, language: str = "en") -> list[tuple[int, int]]:
    """Sentence spans (start, end) in `text`. pysbd's English rules also split Vietnamese well;
    its spans are recovered by searching forward, since pysbd may trim whitespace."""
    if not text.strip():
        return []
    try:
        pieces = _segmenter("en" if language != "en" else language).segment(text)
    except Exception:  # pysbd has crashed on odd input before; fall back to a plain rule
        pieces = _SIMPLE_SENT.split(text)
    spans: list[tuple[int, int]] = []
    pos = 0
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        start = text.find(piece, pos)
        if start < 0:
            continue
        end = start + len(piece)
        spans.append((start, end))
        pos = end
    return spans or [(0, len(text.rstrip()))]
