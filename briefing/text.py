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
# Format characters (Unicode category Cf): invisible, yet they reorder text (bidi overrides and
# marks: Trojan Source, U+200F, U+061C), hide text (the U+E0000 tag block), or take a column
# in some terminals and none in others (U+FEFF, U+2060, U+00AD), which misaligns the TUI's
# columns. Every Cf code point of Unicode 15.1 (tests check the running Python's unicodedata
# against this list: computing it at import would cost ~0.15 s). U+13439-1343F became Cf in
# Unicode 15; on an older Python they are unassigned, and removing them is harmless.
_FORMAT_CHARS = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f"
)
_FORMAT = re.compile(f"[{_FORMAT_CHARS}]")
# ZWNJ and ZWJ are the two format characters that change how a word looks: Persian and Indic
# words are spelt with them, and ZWJ glues emoji sequences (family, profession, skin tone).
# Between two letters, marks, digits or symbols (emoji, skin-tone modifiers) they stay;
# anywhere else they do nothing but hide.
_JOINERS = "\u200c\u200d"
# Every character the patterns above remove (each escape sequence starts with a control):
# text without any is left as it is, and most text has none, so one scan for them saves running
# the three. Built from the same classes, so the shortcut cannot drift from the filter.
_UNSAFE = re.compile(f"[{_CONTROL_CHARS}{_FORMAT_CHARS}]")
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
        text = _strip_unsafe(text)
    text = text.replace("\t", " ")
    if not keep_newlines:
        text = text.replace("\n", " ")
    return text


def _strip_unsafe(text: str) -> str:
    """Escape sequences, controls and format characters out (the joiners kept in words)."""
    text = _CONTROLS.sub("", _ESC_SEQ.sub("", text))
    return _FORMAT.sub(_format_char, text)


def _format_char(m: re.Match[str]) -> str:
    char, text, i = m.group(), m.string, m.start()
    if char in _JOINERS and 0 < i < len(text) - 1 and _joinable(text[i - 1]) \
            and _joinable(text[i + 1]):
        return char
    return ""


def _joinable(char: str) -> bool:
    cat = unicodedata.category(char)
    return cat[0] in "LMN" or cat in ("So", "Sk")


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


def content_hash(text: str) -> str:
    """A stable hash of text, insensitive to whitespace and case, for dedup."""
    folded = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


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
