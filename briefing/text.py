"""Sanitising untrusted text and splitting it into paragraphs and sentences.

Everything that came from a feed, a page, a file or a translation engine passes through
`sanitize()` before it is stored, so the terminal only ever sees plain printable text.
"""

from __future__ import annotations

import functools
import re
import unicodedata
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


def _class(ranges: tuple[tuple[int, int], ...]) -> str:
    """A regex character class's inside from inclusive code point ranges."""
    return "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)


def _outside(ranges: tuple[tuple[int, int], ...], top: int) -> tuple[tuple[int, int], ...]:
    """The code points up to `top` that are in none of `ranges` (sorted, disjoint, <= top)."""
    out, start = [], 0
    for a, b in ranges:
        if a > start:
            out.append((start, a - 1))
        start = b + 1
    return (*out, (start, top)) if start <= top else tuple(out)


# C0 and C1 controls except \t and \n; DEL too. \r becomes \n first (old Mac line ends).
_CONTROL_RANGES = ((0x00, 0x08), (0x0B, 0x1F), (0x7F, 0x9F))
_CONTROLS = re.compile(f"[{_class(_CONTROL_RANGES)}]")
# Format characters (Unicode category Cf): invisible, yet they reorder text (bidi overrides and
# marks: Trojan Source, U+200F, U+061C), hide text (the U+E0000 tag block), or take a column
# in some terminals and none in others (U+FEFF, U+2060, U+00AD), which misaligns the TUI's
# columns. Every Cf code point of Unicode 15.1 (tests check the running Python's unicodedata
# against this list: computing it at import would cost ~0.15 s). U+13439-1343F became Cf in
# Unicode 15; on an older Python they are unassigned, and removing them is harmless.
_FORMAT_RANGES = (
    (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD), (0x070F, 0x070F),
    (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E), (0x200B, 0x200B), (0x200C, 0x200D),
    (0x200E, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F), (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001), (0xE0020, 0xE007F),
)
# ZWNJ and ZWJ are the two format characters that change how a word looks: Persian and Indic
# words are spelt with them, and ZWJ glues emoji sequences (family, profession, skin tone).
# Between two letters, marks, digits or symbols (emoji, skin-tone modifiers) they stay;
# anywhere else they do nothing but hide. Every other format character goes.
_JOINER_RANGES = ((0x200C, 0x200D),)
_JOINER = re.compile(f"[{_class(_JOINER_RANGES)}]")
_FORMAT = re.compile(f"[{_class(tuple(r for r in _FORMAT_RANGES if r not in _JOINER_RANGES))}]")
# Every character the patterns above remove (each escape sequence starts with a control):
# text without any is left as it is, and most text has none, so one scan for them saves
# running the filter. Built from the same ranges, so the shortcut cannot drift from the filter.
# Written as "anything but the safe ranges": a class with code points past U+FFFF is tried
# range by range, and common letters then stop at the first few safe ranges instead of being
# compared with every unsafe one (5x faster on a 5 KB paragraph).
_UNSAFE_RANGES = tuple(sorted(_CONTROL_RANGES + _FORMAT_RANGES))
_UNSAFE = re.compile(f"[^{_class(_outside(_UNSAFE_RANGES, 0x10FFFF))}]")
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
    # ASCII text can hold controls only (every format character is past U+00AC), and their
    # class is one table lookup a character: 1.5-2.5x faster on English text (measured).
    # Printable text holds none of them (the check is a table lookup a character, in C).
    if not text.isprintable():
        if not text.isascii():
            text = line_breaks(text)
        if (_CONTROLS if text.isascii() else _UNSAFE).search(text):
            text = _strip_unsafe(text)
    text = text.replace("\t", " ")
    if not keep_newlines:
        text = text.replace("\n", " ")
    return text


def line_breaks(text: str) -> str:
    """The line and paragraph separators (U+2028, U+2029) as a newline and a blank line:
    terminals, splitlines() and JavaScript break lines at them, so a "one-line" row or a
    post's line came out split."""
    if "\u2028" in text or "\u2029" in text:
        return text.replace("\u2029", "\n\n").replace("\u2028", "\n")
    return text


def _strip_unsafe(text: str) -> str:
    """Escape sequences, controls and format characters out (the joiners kept in words).
    Each step only when its characters are there: the escape pattern alone costs as much as
    the scan that brought the text here."""
    if _CONTROLS.search(text):
        text = _CONTROLS.sub("", _ESC_SEQ.sub("", text))
    text = _FORMAT.sub("", text)
    if "\u200c" in text or "\u200d" in text:
        text = _JOINER.sub(_joiner, text)
    return text


def _joiner(m: re.Match[str]) -> str:
    text, i = m.string, m.start()
    keep = 0 < i < len(text) - 1 and _joinable(text[i - 1]) and _joinable(text[i + 1])
    return m.group() if keep else ""


def _joinable(char: str) -> bool:
    cat = unicodedata.category(char)
    return cat[0] in "LMN" or cat in ("So", "Sk")


def one_line(value: Any, limit: int = 500) -> str:
    """Sanitised single-line text with collapsed spaces, cut to `limit` characters."""
    text = sanitize(value, keep_newlines=False)
    # ASCII text without a tab or two spaces in a row has no run for _SPACES to collapse:
    # most titles and names, 8 an item (a match per space, each replaced by itself).
    if not text.isascii() or "  " in text or "\t" in text:
        text = _SPACES.sub(" ", text)
    text = text.strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def normalize_paragraph(text: str) -> str:
    """Collapse runs of spaces inside one paragraph and NFC-normalise it."""
    text = unicodedata.normalize("NFC", text)
    # In ASCII text only a tab or two spaces are odd spaces: two substring scans, not the
    # pattern's alternation tried at every character.
    if "\n" not in text and not (("\t" in text or "  " in text) if text.isascii()
                                 else _ODD_SPACES.search(text)):
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
    import hashlib  # here: only the pipeline hashes, and OpenSSL's import is ~2 ms of start-up

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


@functools.cache
def _boundary() -> re.Pattern[str]:
    """A sentence ends at . ! ? … (plus closing quotes) before a space and a capital, digit
    or opening quote. Abbreviations are checked in code, where a lookbehind cannot reach.
    Built at its first use, not at import: the reading room never splits sentences, and the
    class of every capital letter costs ~2 ms to build and compile."""
    upper = "".join(c for c in map(chr, range(0x1F00)) if c.isupper())
    # Only from the first stop of a run: tried from each of 100,000 dots in a row, the run
    # was scanned to its end every time (146 s for one 100 KB paragraph). A match found from
    # a later stop of a run is also found from its first, so the sentences are the same.
    return re.compile(rf"(?<![.!?…])[.!?…]+[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[{re.escape(upper)}0-9])")


# Words whose trailing period is not a sentence end ("Mr. Smith", "U.S. export").
_ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "inc", "corp", "ltd", "co", "vs", "etc", "e.g",
    "i.e", "u.s", "u.k", "no", "gen", "gov", "sen", "rep", "prof", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "tp", "ths", "ts", "pgs",
})
# A language's own, on top of those: titles and words that end in a period mid-sentence.
_ABBREVIATIONS_BY_LANGUAGE: dict[str, frozenset[str]] = {
    "es": frozenset({"sra", "srta", "dra", "ud", "uds", "pág", "núm", "aprox", "ee.uu"}),
    "pt": frozenset({"sra", "dra", "av", "pág", "núm", "aprox", "eua"}),
    "ca": frozenset({"sra", "dra", "pàg", "núm", "aprox"}),
    "fr": frozenset({"mme", "mlle", "env", "p"}),
    "de": frozenset({"bzw", "ca", "nr", "usw", "z.b", "d.h"}),
}
_LAST_WORD = re.compile(r"([\w.]+)$")

# Paragraphs up to this long are remembered with their sentences (the last SPLITS_KEPT of
# them): a worker splits each paragraph for its bullets and summary and again, moments later,
# for its story signature's figure contexts. The bound keeps a huge text from being held.
SPLIT_KEPT_CHARS = 10_000
SPLITS_KEPT = 512


def split_sentences(text: str, language: str = "") -> list[tuple[int, int]]:
    """Sentence spans (start, end) in one paragraph, by rule: the one splitter of the app
    (summaries, signatures, engines that translate sentence by sentence). pysbd was measured at
    about 1 ms a paragraph, which alone would break the budget of 1,000 items a second; these
    rules split English, Vietnamese and the engines' Romance languages alike, with each
    language's abbreviations."""
    if len(text) > SPLIT_KEPT_CHARS:
        return _split_sentences(text, language)
    return list(_kept_split(text, language))


@functools.lru_cache(maxsize=SPLITS_KEPT)
def _kept_split(text: str, language: str) -> tuple[tuple[int, int], ...]:
    return tuple(_split_sentences(text, language))


def _split_sentences(text: str, language: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _boundary().finditer(text):
        # The word before the stop has no space in it: searching from the last space finds the
        # same word, where a search from 0 scans the paragraph again at every boundary.
        word = _LAST_WORD.search(text, text.rfind(" ", 0, m.start()) + 1, m.start())
        token = word.group(1).lower() if word else ""
        if (token in _ABBREVIATIONS or token in _ABBREVIATIONS_BY_LANGUAGE.get(language, ())
                or (len(token) == 1 and token.isalpha())):
            continue
        spans.append((start, m.start() + len(m.group(0).rstrip())))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans
