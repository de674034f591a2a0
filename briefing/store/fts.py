"""The search syntax: what a user types, as an FTS5 query the index can answer.

A leaf module (no SQL runs here), shared by the migration that builds the index (m011) and the
store that queries it, so that text is folded the same way on both sides.

What a user may write: words (each one is matched as written, stemmed for English: "turbine"
finds "turbines"), "exact phrases", prefix*, `OR`, `AND`, `NOT` and `-word`, (groups), and
`title:word` (or `text:`, `translation:`) for one column. Operators are upper case; `or` is a
word. FTS5 itself cannot start a query with NOT, so a NOT at the top level of a query without
OR becomes an exclusion the store applies beside the match: `percent>=5 NOT gold` and
`-gold` alone both work.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# FTS5's remove_diacritics folds letters that Unicode decomposes into a base and marks (ồ, ư,
# ơ, ă: all of Vietnamese's tones and vowel marks), but đ has no decomposition: it is a letter
# of its own. Vietnamese typed without marks writes it "d" ("dong" for "đồng"), so the index
# and every query fold it here. A one-for-one letter swap keeps token positions, so FTS5's
# snippet() over the unfolded text still marks the right words.
_FOLD = str.maketrans({"đ": "d", "Đ": "D"})
COLUMNS = ("title", "text", "translation")
OPERATORS = ("AND", "OR", "NOT")
SNIPPET_OPEN, SNIPPET_CLOSE = "\x02", "\x03"  # stored text never holds C0 controls (sanitize)


def fold(text: str) -> str:
    """`text` as the index holds it: đ/Đ as d/D (the tokenizer does the rest)."""
    return text.translate(_FOLD)


# FTS5's snippet() (and highlight()) look at every match of the query in a document, and their
# time grows with the square of that number: one article of one word 20,000 times took 1.5 s
# to snippet, 80,000 times 24 s, a 15 MB one minutes; a long text with few matches costs little
# (80,000 other words: 3 ms). A column longer than this is snippeted from a window of it this
# long, around the first place a query word appears (`snippet_window`): ~2,000 matches at
# most, ~15 ms. News articles are mostly shorter, and are snippeted whole.
SNIPPET_CHARS = 4_000


def query_words(match: str) -> list[str]:
    """The words of an FTS5 expression made by `compile_query` (its terms are quoted), as
    `snippet_window` looks for them."""
    return [w for phrase in re.findall(r'"([^"]*)"', match) for w in _plain(phrase).split()]


def snippet_window(text: str, words: Sequence[str]) -> str:
    """`text`, or when longer than SNIPPET_CHARS a window of it that long, cut at spaces and
    marked "…" where it was cut, starting a little before the first place one of `words`
    appears (its first three letters: the index stems English words, "flies" for "fly"), or at
    the start when none does. Linear in the text."""
    if len(text) <= SNIPPET_CHARS:
        return text
    hay = _plain(text)
    found = [at for at in (hay.find(w[:3]) for w in words if w) if at >= 0]
    start = max(0, min(found, default=0) - SNIPPET_CHARS // 4)
    if start:
        space = text.find(" ", start, start + 100)
        start = space + 1 if space >= 0 else start
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        space = text.rfind(" ", end - 100, end)
        end = space if space > start else end
    return ("… " if start else "") + text[start:end] + (" …" if end < len(text) else "")


_BASE: dict[int, str] | None = None  # a Latin letter with marks -> its letter (see _plain)


def _plain(text: str) -> str:
    """`text` folded as the index folds it (đ, then the marks remove_diacritics drops: ồ as
    o), lower case, letter for letter: an offset in it is one in `text`."""
    global _BASE
    if _BASE is None:
        import unicodedata

        _BASE = {}
        for code in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
            parts = unicodedata.normalize("NFD", chr(code))
            if len(parts) > 1 and parts[0].isascii() and parts[0].isalpha():
                _BASE[code] = parts[0]
    plain = fold(text).translate(_BASE)
    low = plain.lower()
    return low if len(low) == len(plain) else plain


def sql_fold(expr: str) -> str:
    """`fold` as SQL, for the triggers: plain replace(), so any SQLite client that edits
    articles (sqlite3, sqlite-utils, Datasette) keeps the index in step without our code."""
    return f"replace(replace({expr}, 'đ', 'd'), 'Đ', 'D')"


class SearchSyntaxError(ValueError):
    """A query that cannot be read; the message says what is wrong and how to write it."""


@dataclass(frozen=True)
class CompiledQuery:
    """`match`: the FTS5 expression articles must match (None: any article); `exclude`:
    one that they must not match (None: no exclusion)."""

    match: str | None
    exclude: str | None


def tokens(text: str) -> list[str]:
    """Split a query into "(", ")", quoted phrases (with a trailing * if any) and words. A
    word may carry a quoted part glued to it (`org:"Bank of America"`), so a fact filter
    with spaces in its value stays one token. An unclosed quote is an error."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            out.append(ch)
            i += 1
        else:
            start = i
            while i < n and not text[i].isspace() and text[i] not in "()":
                if text[i] == '"':
                    end = text.find('"', i + 1)
                    if end < 0:
                        raise SearchSyntaxError('a " is not closed: write "exact phrase"')
                    i = end
                i += 1
            out.append(text[start:i])
    return out


def _term(token: str) -> str:
    """One word or phrase as an FTS5 string: quoted, so punctuation ("covid-19", "AT&T")
    is never read as syntax."""
    column = ""
    head, sep, rest = token.partition(":")
    if sep and head.lower() in COLUMNS and rest:
        column, token = head.lower() + " : ", rest
    prefix = token.endswith("*") and len(token) > 1
    body = token[:-1] if prefix else token
    if body.startswith('"') and body.endswith('"') and len(body) >= 2:
        body = body[1:-1]
    words = body.replace('"', " ").strip()
    return column + '"' + words + '"' + ("*" if prefix else "")


# How long a search may be. FTS5's snippet() costs about (words in the query) x (words in
# the text) per row, and each OR'd word walks its own list of matches: 5,000 times `port OR`
# took 8.7 s on 19 articles (7 s of it snippets), and the TUI searches as you type. A search
# a person writes, or a pasted headline or sentence, holds far fewer words. Characters that
# make no word are cheap (40,000 of punctuation: 0.15 s), so that cap is only a backstop.
MAX_WORDS = 64
MAX_CHARS = 10_000
_WORD = re.compile(r"\w+")


def check_size(text: str) -> None:
    """Raise SearchSyntaxError when `text` is past MAX_CHARS or MAX_WORDS (operators not
    counted), saying how long it is."""
    if len(text) > MAX_CHARS:
        raise SearchSyntaxError(f"too long: {len(text):,} characters, a search holds at most "
                                f"{MAX_CHARS:,}")
    words = sum(1 for w in _WORD.finditer(text) if w[0] not in OPERATORS)
    if words > MAX_WORDS:
        raise SearchSyntaxError(f"too many words: {words:,}, a search holds at most "
                                f"{MAX_WORDS}")


def compile_query(text: str) -> CompiledQuery:
    """The user's search (fact filters already taken out) as FTS5 expressions; a query that
    cannot be read, or is past the size limits (check_size), raises SearchSyntaxError
    saying why."""
    check_size(text)
    items: list[tuple[str, str]] = []  # (operator before it, term or group) at the top level
    toks = tokens(text)
    i, op = 0, ""
    while i < len(toks):
        tok = toks[i]
        if tok in OPERATORS:
            if op == "AND" and tok == "NOT":
                op = "NOT"
            elif op:
                raise SearchSyntaxError(f"{op} {tok}: two operators in a row")
            elif not items:
                if tok != "NOT":
                    raise SearchSyntaxError(f"{tok} needs a word before it")
                op = tok
            else:
                op = tok
            i += 1
            continue
        if tok == ")":
            raise SearchSyntaxError("a ) has no ( before it")
        if tok == "(":
            group, i = _group(toks, i + 1, 1)
        else:
            group, i = _negated_word(tok), i + 1
        if group.startswith("-"):
            if op not in ("", "AND"):
                raise SearchSyntaxError(f"{op} -word: write {op} and the word without -")
            group, op = group[1:], "NOT"
        items.append((op, group))
        op = ""
    if op:
        raise SearchSyntaxError(f"{op} needs a word after it")
    return _combine(items)


# Deeper groups are no search a person types, and each level is a Python frame here and a
# parser level in FTS5 (which gives up near 300 with "parser stack overflow").
MAX_DEPTH = 20


def _negated_word(tok: str) -> str:
    # `-gold` excludes gold, as in most search boxes; a lone "-" or "-5" stays a word.
    if tok.startswith("-") and len(tok) > 1 and (tok[1].isalpha() or tok[1] == '"'):
        return "-" + _term(tok[1:])
    return _term(tok)


def _group(toks: list[str], i: int, depth: int) -> tuple[str, int]:
    """A parenthesised group from toks[i] (after its "(") to its ")", as FTS5 text; inside
    it, FTS5's own rules apply (NOT joins two parts there)."""
    if depth > MAX_DEPTH:
        raise SearchSyntaxError(f"( ) nested more than {MAX_DEPTH} deep")
    parts: list[str] = []
    while i < len(toks):
        tok = toks[i]
        if tok == ")":
            if not parts:
                raise SearchSyntaxError("() is empty")
            if parts[-1] in OPERATORS:
                raise SearchSyntaxError(f"{parts[-1]} needs a word after it")
            return "(" + " ".join(parts) + ")", i + 1
        if tok in OPERATORS:
            if not parts or parts[-1] in OPERATORS:
                raise SearchSyntaxError(
                    f"{tok} inside ( ) needs a word before it, like (gold NOT silver)")
            parts.append(tok)
            i += 1
        elif tok == "(":
            group, i = _group(toks, i + 1, depth + 1)
            parts.append(group)
        else:
            term = _negated_word(tok)
            if term.startswith("-"):
                if not parts or parts[-1] in OPERATORS:
                    raise SearchSyntaxError(
                        "-word inside ( ) needs a word before it, like (gold -silver)")
                parts += ["NOT", term[1:]]
            else:
                parts.append(term)
            i += 1
    raise SearchSyntaxError("a ( is not closed")


def _combine(items: list[tuple[str, str]]) -> CompiledQuery:
    if not items:
        return CompiledQuery(None, None)
    if any(op == "OR" for op, _ in items):
        # With OR at the top, FTS5's own reading applies; it cannot start with NOT.
        if items[0][0]:
            raise SearchSyntaxError("a search with OR cannot start with NOT: write "
                                    "(silver OR copper) NOT gold")
        return CompiledQuery(fold(" ".join(
            (f"{op} {term}" if op else term) for op, term in items)), None)
    keep = [term for op, term in items if op != "NOT"]
    drop = [term for op, term in items if op == "NOT"]
    return CompiledQuery(fold(" AND ".join(keep)) if keep else None,
                         fold(" OR ".join(drop)) if drop else None)


def snippet_parts(marked: str) -> tuple[tuple[str, bool], ...]:
    """FTS5 snippet() output (matches between SNIPPET_OPEN and SNIPPET_CLOSE) as
    (text, is_match) parts."""
    parts: list[tuple[str, bool]] = []
    for chunk in marked.split(SNIPPET_OPEN):
        hit, sep, rest = chunk.partition(SNIPPET_CLOSE)
        if sep:
            if hit:
                parts.append((hit, True))
            if rest:
                parts.append((rest, False))
        elif chunk:
            parts.append((chunk, False))
    return tuple(parts)
