"""The article body as rows: one row per original paragraph with its translation beside it.

Every view mode is the same widgets under a different CSS class on the container (posting's
habit): `-original`, `-side`, `-stacked`, `-translation`. Side by side puts the two cells of a
row next to each other, so one scroll moves both columns and pairs stay aligned; the two
summary blocks share a row the same way.

Rows that exist only because of the translation (the title's pair, lines with no counterpart
such as a dropped caption) carry `-tr-only`: the original view hides them, since its header
already shows the title and the original text has no such lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from rich.text import Text
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Static

from briefing.models import (
    TITLE_PARAGRAPH,
    Article,
    Fact,
    Translation,
    TranslationPair,
    WrittenDigest,
)
from briefing.tui import render

MODES = ("original", "side", "stacked", "translation")
MODE_NAMES = {"original": "original", "side": "side by side", "stacked": "stacked",
              "translation": "translation only"}


def pick_translation(article: Article, target: str) -> Translation | None:
    for tr in article.translations:
        if tr.lang == target:
            return tr
    return article.translations[0] if article.translations else None


# An article this short is read faster than its summary: the body alone says it once.
SHORT_ARTICLE_PARAGRAPHS = 3
LEDE_PARAGRAPHS = 3
# A bullet whose words are this much in the summary repeats it.
REPEAT_SHARE = 0.8
_WORDS = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _words(text: str) -> list[str]:
    return _WORDS.findall(text.lower())


def useful_summary(article: Article) -> tuple[str, list[str]]:
    """The 📌 summary and the bullets worth showing above the body: none for a short article,
    no summary that the opening paragraphs already say word for word, no bullet that repeats
    the summary or an opening paragraph (the summary is the first sentences, the bullets the
    sentences with figures, so a wire item would show the same sentences three times)."""
    keep_summary, kept = _worth_showing(article)
    return ((article.summary or "") if keep_summary else "",
            [article.key_facts[i].text for i in kept])


def useful_translation(article: Article, tr: Translation) -> tuple[str, list[str]]:
    """The translation's summary and bullets for the same choice as useful_summary, so the
    side-by-side columns stay in step. Its bullets are the original's, one for one; when the
    counts differ (a post read back, say) there is no telling which is which: all show."""
    keep_summary, kept = _worth_showing(article)
    bullets = list(tr.key_facts)
    if len(bullets) == len(article.key_facts):
        bullets = [bullets[i] for i in kept]
    elif not (keep_summary or kept):
        bullets = []
    return (tr.summary if keep_summary else ""), bullets


def _worth_showing(article: Article) -> tuple[bool, list[int]]:
    """Whether the summary shows, and which bullets (by index): see useful_summary. A
    translation's summary and bullets follow the same choice, so the columns stay in step."""
    if len(article.paragraphs) <= SHORT_ARTICLE_PARAGRAPHS:
        return False, []
    summary = article.summary or ""
    # The summary is often the lede (the standfirst and a first sentence): the body starts
    # with those very words, so it is shown there only.
    lede = " ".join(w for p in article.paragraphs[:LEDE_PARAGRAPHS] for w in _words(p.text))
    keep_summary = bool(summary) and not all(
        " ".join(_words(s)) in lede for s in _SENTENCE_END.split(summary))
    said = set(_words(summary))
    kept = []
    for i, k in enumerate(article.key_facts):
        words = _words(k.text)
        if not words or " ".join(words) in lede:
            continue  # the sentence is in the opening paragraphs, right under the bullets
        if sum(w in said for w in words) / len(words) < REPEAT_SHARE:
            kept.append(i)
    return keep_summary, kept


def is_junk(pair: TranslationPair) -> bool:
    """A line the original view does not show because cleaning dropped it ("© Example
    Pictures", a newsletter sign-up, "Recommended"), or a translated line that is such junk
    itself: the other views hide it too."""
    from briefing.clean.boilerplate import match_rule

    if pair.paragraph is None and pair.original.strip():
        return True  # its original line exists but is not a paragraph of the article
    return pair.paragraph is None and match_rule(pair.translation) is not None


def rows(article: Article, tr: Translation | None,
         written: WrittenDigest | None = None) -> Iterator[Widget]:
    """The summaries (and what the llm writer wrote, with the figure guard's flags), then a
    row per paragraph (and per unmatched translated pair)."""
    summary, bullets = useful_summary(article)
    summaries: list[Widget] = []
    if summary or bullets:
        summaries.append(Static(render.summary_block(replace(article, summary=summary), bullets),
                                classes="summary summary-orig"))
        tr_summary, tr_bullets = useful_translation(article, tr) if tr else ("", [])
        if tr is not None and (tr_summary or tr_bullets):
            summaries.append(Static(render.summary_block(replace(article, summary=tr_summary),
                                                         tr_bullets),
                                    classes="summary trans"))
        yield Horizontal(*summaries, classes="summaries")
        yield Static(Text("📌 summary folded (z)", style="dim"), classes="folded-note")
    if written is not None:
        yield Static(render.written_block(written), classes="summary written")
    if tr is None:
        yield Static(Text("No translation yet: press t to translate this article.",
                          style="italic"), id="no-translation")
    by_para: dict[int, list[TranslationPair]] = {}
    orphans: dict[int, list[TranslationPair]] = {}
    last = -1
    for pair in tr.pairs if tr else ():
        if pair.paragraph is None:
            if not is_junk(pair):
                orphans.setdefault(last, []).append(pair)  # near where it was in the text
        else:
            by_para.setdefault(pair.paragraph, []).append(pair)
            last = pair.paragraph
    facts_by_para: dict[int, list[Fact]] = {}
    for f in article.facts:
        facts_by_para.setdefault(f.paragraph, []).append(f)
    for pair in by_para.get(TITLE_PARAGRAPH, []):
        yield _row(render.paragraph(pair.original, style="bold"), [pair], [], tr_only=True)
    for pair in orphans.get(TITLE_PARAGRAPH, []):
        yield _row(render.paragraph(pair.original, style="dim italic"), [pair], [], tr_only=True)
    for p in article.paragraphs:
        facts = facts_by_para.get(p.index, [])
        original = render.highlight(p.text, facts)
        if p.kind in ("title", "standfirst"):
            original.stylize("bold")
        yield _row(original, by_para.get(p.index, []) if tr else None, facts, number=p.index)
        for pair in orphans.get(p.index, []):
            yield _row(render.paragraph(pair.original, style="dim italic"), [pair], [],
                       tr_only=True)


def _row(original: Text, pairs: list[TranslationPair] | None, facts: list[Fact], *,
         tr_only: bool = False, number: int | None = None) -> Widget:
    """A paragraph's row: its number in the margin (shown beside the facts pane, whose ¶
    marks it answers), then the pair of cells."""
    cells: list[Widget] = [Static(original, classes="cell orig")]
    classes = ["pair"]
    if pairs and any(p.flags for p in pairs):
        classes.append("-flagged")
    if pairs is not None:
        cells.append(_translation_cell(pairs, facts))
    margin = Static(Text(f"{number + 1}" if number is not None else "", style="dim"),
                    classes="pno")
    return Horizontal(margin, Horizontal(*cells, classes=" ".join(classes)),
                      classes="row -tr-only" if tr_only else "row",
                      id=None if number is None else f"p{number}")


def _translation_cell(pairs: list[TranslationPair], facts: list[Fact]) -> Widget:
    # One widget for the usual cell (one translated line, no flag, no note): every widget
    # mounted is styled and laid out, and a translated article's rows were half again as
    # many widgets as its original's.
    if len(pairs) == 1 and not pairs[0].flags and not pairs[0].notes:
        return Static(render.highlight(pairs[0].translation, facts, by_offset=False),
                      classes="cell trans")
    if not pairs:
        return Static(Text("(no translation for this paragraph)", style="dim italic"),
                      classes="cell trans")
    return Vertical(*_translation_cells(pairs, facts), classes="cell trans")


def _translation_cells(pairs: list[TranslationPair], facts: list[Fact]) -> Iterator[Widget]:
    if not pairs:
        yield Static(Text("(no translation for this paragraph)", style="dim italic"))
        return
    for pair in pairs:
        # Offsets are the original's; in the translation only literal matches are marked.
        yield Static(render.highlight(pair.translation, facts, by_offset=False))
        for flag in pair.flags:
            line = Text("⚠ ", style="bold yellow")
            line.append(render.plain(flag.text, limit=300))
            yield Static(line, classes="flag")
        for note in pair.notes:
            # A note is no warning (a "1" that reads as an article): dim, and no ⚠.
            yield Static(render.plain(f"· {note.text}", style="dim", limit=300),
                         classes="note")


class ReaderBody(Vertical):
    """Holds the rows; the screen sets the mode class."""

    # The rest of the reader's look is in app.tcss; these rules belong to the row kinds above.
    # The original summary is not `.orig`: app.tcss pads `.orig` cells for side by side, which
    # would take the space between the summary's border and its text.
    DEFAULT_CSS = """
    ReaderBody .summaries { height: auto; layout: vertical; }
    ReaderBody.-side .summaries { layout: horizontal; }
    ReaderBody.-side .summaries > .summary { width: 1fr; height: auto; }
    ReaderBody.-side .summaries > .summary-orig { margin-right: 2; }
    ReaderBody.-translation .summary-orig { display: none; }
    ReaderBody.-original .row.-tr-only { display: none; }
    ReaderBody.-folded .summaries { display: none; }
    ReaderBody .folded-note { display: none; margin: 1 0 0 0; }
    ReaderBody.-folded .folded-note { display: block; }
    ReaderBody .row { height: auto; margin-bottom: 1; }
    ReaderBody .row.-hit { background: $accent 25%; }
    ReaderBody .pno { width: 4; display: none; }
    ReaderBody.-numbered .pno { display: block; }
    ReaderBody .pair { width: 1fr; }
    """

    def set_mode(self, mode: str) -> None:
        for m in MODES:
            self.set_class(m == mode, f"-{m}")
