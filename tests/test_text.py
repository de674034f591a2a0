"""text.sanitize: no format character (Unicode Cf) survives, except ZWJ/ZWNJ inside a word."""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import pytest
from rich.cells import cell_len

from briefing import text as t
from briefing.text import one_line, sanitize

ZWNJ, ZWJ = "\u200c", "\u200d"


def _format_chars() -> list[str]:
    """Every Cf code point the running Python knows, from its own unicodedata."""
    return [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"]


FORMAT_CHARS = _format_chars()


def test_the_generated_list_has_the_ones_the_issue_names() -> None:
    named = {"\u200f", "\u061c", ZWJ, "\ufeff", "\u2060", "\u00ad", "\U000e0001", "\U000e0041"}
    assert named <= set(FORMAT_CHARS) and len(FORMAT_CHARS) > 150


def test_every_format_character_is_removed() -> None:
    kept = []
    for c in FORMAT_CHARS:
        for dirty, clean in ((f"a {c} b", "a  b"), (f"{c}ab", "ab"), (f"ab{c}", "ab"),
                             (f"a.{c}b", "a.b"), (f"{c}", "")):
            if sanitize(dirty) != clean:
                kept.append((f"U+{ord(c):04X}", dirty))
    assert kept == []


def test_the_shortcut_stops_at_exactly_what_the_filter_removes() -> None:
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    stops = set(t._UNSAFE.findall(every))
    filtered = {*t._CONTROLS.findall(every), *t._FORMAT.findall(every),
                *t._JOINER.findall(every)}
    assert stops == filtered
    assert set(FORMAT_CHARS) <= filtered


def test_the_one_scan_shortcut_sees_every_format_character() -> None:
    """The shortcut skips the filter for text with none of its characters: each Cf one is
    among them, and text with none comes back as it went in."""
    missed = [f"U+{ord(c):04X}" for c in FORMAT_CHARS if not t._UNSAFE.search(c)]
    assert missed == []
    plain = "Ordinary words, Tiếng Việt, 中文, עברית, and an emoji 🙂"
    assert sanitize(plain) is plain


@pytest.mark.parametrize("word", [
    "\u0915\u094d\u200d\u0937",  # Devanagari: ka, virama, ZWJ, ssa (half form)
    "\u0d28\u0d4d\u200d\u0d31",  # Malayalam: na, virama, ZWJ (chillu form), rra
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian: mi-khaham, with ZWNJ
    "\U0001f469\u200d\U0001f4bb",  # woman technologist
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",  # family
    "\U0001f469\U0001f3fd\u200d\U0001f4bb",  # with a skin tone modifier before the ZWJ
    "\u2764\ufe0f\u200d\U0001f525",  # heart on fire: variation selector, ZWJ, emoji
])
def test_joiners_inside_a_word_or_emoji_sequence_stay(word: str) -> None:
    assert sanitize(f"x {word} y") == f"x {word} y"


@pytest.mark.parametrize("joiner", [ZWJ, ZWNJ])
def test_joiners_at_the_edges_of_a_word_go(joiner: str) -> None:
    assert sanitize(f"{joiner}word{joiner}") == "word"
    assert sanitize(f"one{joiner} two {joiner}three") == "one two three"
    assert sanitize(f"\U0001f469{joiner}") == "\U0001f469"
    assert sanitize(f"a{joiner}{joiner}b") == "ab"  # a run joins nothing
    assert sanitize(f"(x){joiner}.") == "(x)."


def test_a_title_takes_the_columns_its_visible_text_takes() -> None:
    """What the TUI measures (rich's cell widths) is what the reader sees."""
    dirty = ("\u200f\u061cMarkets\u2060 rally\ufeff as \u00adrates fall\U000e0001\U000e0041"
             "\U000e007f\u202e")
    clean = one_line(dirty)
    assert clean == "Markets rally as rates fall"
    assert cell_len(clean) == len("Markets rally as rates fall")


def test_line_and_paragraph_separators_are_line_breaks(tmp_path: Path) -> None:
    """U+2028 and U+2029 break lines in terminals, in splitlines() and in JavaScript: a feed's
    title, category or text (or an engine's reply) carrying them split a "one-line" row of
    `list` and a line of an exported post. They are a newline and a blank line; in one-line
    fields, spaces."""
    assert sanitize("a\u2028b\u2029c") == "a\nb\n\nc"
    assert one_line("Harbour\u2028news\u2029today") == "Harbour news today"
    from briefing.config import Settings
    from briefing.pipeline import run_fetch
    from briefing.store import Store

    feed = tmp_path / "ls.xml"
    feed.write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed\u2028X'
        "</title><link>http://example.com/</link><item><title>Harbour\u2028news\u2029today"
        "</title><link>http://example.com/a</link><category>Ports\u2029Cat</category>"
        "<description>The port handled 5 million tonnes.\u2028It rose 4% last year, officials "
        "said on Monday.</description></item></channel></rss>", encoding="utf-8")
    with Store(tmp_path / "ls.db") as store:
        assert run_fetch(Settings(), store, [str(feed)]).added == 1
        (row,) = store.list_articles()
        art = store.get_article(row.id)
        assert art is not None
        stored = " ".join([art.title, art.source_title, *art.tags, *art.feed_tags, art.text,
                           art.summary, *(b.text for b in art.key_facts)])
        assert "\u2028" not in stored and "\u2029" not in stored
        assert art.title == "Harbour news today"
