"""The article body as rows: one row per original paragraph with its translation beside it.

Every view mode is the same rows drawn another way (`-original`, `-side`, `-stacked`,
`-translation`, the classes on the body say which). Side by side puts the two cells of a
row next to each other, so one scroll moves both columns and pairs stay aligned; the two
summary blocks share a row the same way.

Rows that exist only because of the translation (the title's pair, lines with no counterpart
such as a dropped caption) are `tr_only`: the original view hides them, since its header
already shows the title and the original text has no such lines.

The body is one widget that draws its lines itself (ReaderBody): a row is not widgets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import ClassVar

from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip

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


def translated_title(tr: Translation) -> str:
    """The translation's title, or "" when it has none."""
    return next((p.translation for p in tr.pairs
                 if p.paragraph == TITLE_PARAGRAPH and p.translation.strip()), "")


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
    counts differ there is no telling which is which: all show. A post read back
    (`provided`) wrote its own summary and bullets, the very lines its reader is after: all
    of them show, whatever the original's generated ones repeat."""
    if tr.engine == "provided":
        return tr.summary, list(tr.key_facts)
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
        if not _repeats(words, said):
            kept.append(i)
    return keep_summary, kept


def _repeats(words: list[str], said: set[str]) -> bool:
    return sum(w in said for w in words) / len(words) >= REPEAT_SHARE


def bullets_beside(summary: str, bullets: list[str]) -> list[str]:
    """The bullets that do not say the summary again (the preview, which shows no body: a
    wire item's first bullet is its summary's sentence, shown twice, one under the other)."""
    said = set(_words(summary))
    return [b for b in bullets if (words := _words(b)) and not _repeats(words, said)]


def load_junk_rules() -> None:
    """Import what is_junk needs ahead (BriefingApp.warm_reader, while the list is idle): the
    cleaning rules compile their patterns on import, 25-40 ms that the first translated
    article opened paid inside its open."""
    import briefing.clean.boilerplate  # noqa: F401


def is_junk(pair: TranslationPair) -> bool:
    """A line the original view does not show because cleaning dropped it ("© Example
    Pictures", a newsletter sign-up, "Recommended"), or a translated line that is such junk
    itself: the other views hide it too."""
    from briefing.clean.boilerplate import match_rule

    if pair.paragraph is None and pair.original.strip():
        return True  # its original line exists but is not a paragraph of the article
    return pair.paragraph is None and match_rule(pair.translation) is not None


@dataclass
class Row:
    """A paragraph (its number in `number`) or a translated line with no paragraph
    (`tr_only`: the title's pair, a dropped caption), with its translated lines: `pairs` is
    None when the article has no translation at all."""

    original: Text
    pairs: list[TranslationPair] | None
    facts: list[Fact]
    number: int | None = None
    tr_only: bool = False
    title: bool = False  # the title's pair: the translation-only view's header shows it

    @property
    def flagged(self) -> bool:
        return bool(self.pairs) and any(p.flags for p in self.pairs or ())


@dataclass
class Block:
    """What is not a paragraph: `summaries` (the original's and the translation's, side by
    side in that view), `folded` (the note that stands for them when z folded them),
    `written` (the llm writer's bullets) and `no-translation`."""

    kind: str
    original: RenderableType | None = None
    translation: RenderableType | None = None


Item = Row | Block


def rows(article: Article, tr: Translation | None,
         written: WrittenDigest | None = None) -> list[Item]:
    """The summaries (and what the llm writer wrote, with the figure guard's flags), then a
    row per paragraph (and per unmatched translated pair)."""
    items: list[Item] = []
    summary, bullets = useful_summary(article)
    tr_summary, tr_bullets = useful_translation(article, tr) if tr else ("", [])
    if tr is not None and tr.engine == "provided" and (tr_summary or tr_bullets):
        # A post's own summary and bullets all show; the original's beside them in the same
        # shape, 📌 first: its summary left out, its first bullet sat beside the post's 📌.
        summary, bullets = article.summary or "", [k.text for k in article.key_facts]
    if summary or bullets or tr_summary or tr_bullets:
        items.append(Block(
            "summaries", render.summary_block(replace(article, summary=summary), bullets)
            if summary or bullets else None,
            render.summary_block(replace(article, summary=tr_summary), tr_bullets)
            if tr is not None and (tr_summary or tr_bullets) else None))
        items.append(Block("folded", Text("📌 summary folded (z)", style="dim")))
    if written is not None:
        items.append(Block("written", render.written_block(written)))
    if tr is None:
        items.append(Block("no-translation", Text(
            "No translation yet: press t to translate this article.", style="italic")))
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
        items.append(Row(render.paragraph(pair.original, style="bold"), [pair], [], tr_only=True,
                         title=bool(pair.translation.strip())))
    for pair in orphans.get(TITLE_PARAGRAPH, []):
        items.append(Row(render.paragraph(pair.original, style="dim italic"), [pair], [],
                         tr_only=True))
    laid = 0  # characters of the rows so far, originals and translations
    for n, p in enumerate(article.paragraphs):
        cell = by_para.get(p.index, [])
        laid += min(len(p.text), READER_MAX_PARAGRAPH_CHARS) + sum(
            min(len(pair.translation), READER_MAX_PARAGRAPH_CHARS) for pair in cell)
        if n >= READER_MAX_PARAGRAPHS or (n and laid > READER_MAX_CHARS):
            items.append(_cut(article, n))
            break
        facts = facts_by_para.get(p.index, [])
        original = _cut_paragraph(p.text, facts)
        if p.kind in ("title", "standfirst"):
            original.stylize("bold")
        items.append(Row(original, by_para.get(p.index, []) if tr else None, facts,
                         number=p.index))
        for pair in orphans.get(p.index, []):
            items.append(Row(render.paragraph(pair.original, style="dim italic"), [pair], [],
                             tr_only=True))
    return items


# What the reader lays out of one article: a real one is a few dozen paragraphs and some
# thousands of characters; a feed item of 100,000 one-line paragraphs took 35 s to open (and
# again at every resize), a 5 MB one 3.5 minutes and 1.6 GB. The rest is said, not shown:
# `briefing show` prints it all.
READER_MAX_PARAGRAPHS = 2_000
READER_MAX_CHARS = 400_000
READER_MAX_PARAGRAPH_CHARS = 50_000
# Facts looked for by their text in a cut translation (it has no offsets of its own): each is
# a search of the text, and a pasted table's thousands of figures made that a product.
CUT_TRANSLATION_FACTS = 100


def _cut_paragraph(text: str, facts: list[Fact], *, by_offset: bool = True) -> Text:
    """A paragraph highlighted, its first READER_MAX_PARAGRAPH_CHARS characters at most."""
    if len(text) <= READER_MAX_PARAGRAPH_CHARS:
        return render.highlight(text, facts, by_offset=by_offset)
    shown = text[:READER_MAX_PARAGRAPH_CHARS]
    out = render.highlight(shown, [f for f in facts if f.end <= len(shown)] if by_offset
                           else facts[:CUT_TRANSLATION_FACTS], by_offset=by_offset)
    out.append(f" … {len(text) - len(shown):,} more characters not shown", style="italic")
    return out


def _cut(article: Article, shown: int) -> Block:
    rest = article.paragraphs[shown:]
    chars = sum(len(p.text) for p in rest)
    return Block("cut", Text(
        f"… {len(rest):,} more paragraphs ({chars:,} characters) are not shown: the article is "
        f"too long for the reader. `briefing show {article.id}` prints all of it.",
        style="italic"))


def translated_lines(pairs: list[TranslationPair], facts: list[Fact],
                     warning: Style) -> list[Text]:
    """A row's translation: each translated line, its ⚠ flags and its notes."""
    if not pairs:
        return [Text("(no translation for this paragraph)", style="dim italic")]
    out: list[Text] = []
    for pair in pairs:
        # Offsets are the original's; in the translation only literal matches are marked.
        out.append(_cut_paragraph(pair.translation, facts, by_offset=False))
        for flag in pair.flags:
            line = Text("⚠ ", style="bold yellow")
            line.append(render.plain(flag.text, limit=300))
            line.stylize(warning)
            out.append(line)
        for note in pair.notes:
            # A note is no warning (a "1" that reads as an article): dim, and no ⚠.
            out.append(render.plain(f"· {note.text}", style="dim", limit=300))
    return out


class ReaderBody(ScrollView, can_focus=True):
    """The whole body as one widget that draws only the lines on screen (Textual's line
    API): every row is wrapped into lines once per layout (an article, a width, a view),
    and scrolling shows a slice of them. A body of widgets, 3-6 per paragraph, spent most of
    an article's opening on styling, arranging and compositing them.

    The view is `set_view(mode, folded=, numbered=)`; the classes of the same names stay set
    for the stylesheet and for anyone who asks which view is shown."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "reader-body--accent", "reader-body--warning", "reader-body--muted", "reader-body--hit",
    }
    DEFAULT_CSS = """
    ReaderBody { overflow-x: hidden; overflow-y: auto; scrollbar-gutter: stable; }
    ReaderBody > .reader-body--accent { color: $accent; }
    ReaderBody > .reader-body--warning { color: $warning; }
    ReaderBody > .reader-body--muted { color: $text-muted; }
    ReaderBody > .reader-body--hit { background: $accent 25%; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.items: list[Item] = []
        self.mode = "original"
        self.folded = False
        self.numbered = False
        self.hit: int | None = None  # the paragraph a chosen fact leads to
        self._drawn: list[Strip] = []
        self._gutter = 4  # the paragraph numbers' column, when shown
        self._shown: dict[int, Strip] = {}  # lines as drawn: with offsets for the mouse
        self._texts: str | None = None  # every line's text, for a selection (made when asked)
        self._starts: dict[int, int] = {}  # paragraph -> its first line
        self._width = -1  # the width the lines were made for; -1: make them again
        self._restyled = True  # whether the colours may have changed since the lines were made
        self._drawn_with: tuple[Style, ...] = ()  # the colours they were made with

    # -- what is shown -------------------------------------------------------------------

    def set_content(self, items: list[Item]) -> None:
        self.items, self.hit = items, None
        # "12  " for most articles; past 99 paragraphs the numbers' column widens for all.
        last = max((i.number for i in items if isinstance(i, Row) and i.number is not None),
                   default=0)
        self._gutter = max(4, len(str(last + 1)) + 2)
        self._invalidate()

    def clear(self) -> None:
        self.set_content([])

    def set_mode(self, mode: str) -> None:
        self.set_view(mode, folded=self.folded, numbered=self.numbered)

    def set_view(self, mode: str, *, folded: bool, numbered: bool) -> None:
        if (mode, folded, numbered) == (self.mode, self.folded, self.numbered):
            return
        self.mode, self.folded, self.numbered = mode, folded, numbered
        for m in MODES:
            self.set_class(m == mode, f"-{m}")
        self.set_class(folded, "-folded")
        self.set_class(numbered, "-numbered")
        self._invalidate()

    def mark(self, paragraph: int | None) -> None:
        """Highlight a paragraph's row (a fact chosen in the facts pane)."""
        if paragraph != self.hit:
            self.hit = paragraph
            self._invalidate()

    def line_of(self, paragraph: int) -> int | None:
        """The first line of a paragraph's row, or None when it is not shown."""
        self._ensure_lines()
        return self._starts.get(paragraph)

    def scroll_to_paragraph(self, paragraph: int) -> bool:
        y = self.line_of(paragraph)
        if y is None:
            return False
        self.scroll_to(y=y, animate=False, immediate=True)
        return True

    @property
    def text(self) -> str:
        """Every line of the body as shown at the present width."""
        self._ensure_lines()
        if self._texts is None:
            self._texts = "\n".join(strip.text for strip in self._drawn)
        return self._texts

    # -- drawing -------------------------------------------------------------------------

    def _invalidate(self) -> None:
        self._width = -1
        if self.is_mounted:
            self._ensure_lines()
            self.refresh()

    def notify_style_update(self) -> None:
        # Called on every restyle (a class set, the screen shown again): the lines are made
        # again only when the colours in them have changed (a theme), see _ensure_lines.
        super().notify_style_update()
        self._restyled = True

    def _palette(self) -> tuple[Style, ...]:
        return (self.rich_style, *(self._style(name) for name in ("accent", "warning", "muted",
                                                                   "hit")))

    def on_resize(self) -> None:
        self._ensure_lines()

    def _ensure_lines(self) -> None:
        if self._restyled:
            self._restyled = False
            palette = self._palette()
            if palette != self._drawn_with:
                self._width, self._drawn_with = -1, palette
        width = self.scrollable_content_region.width
        if width == self._width or width <= 0:
            return
        self._width = width
        # Lines are lists of segments exactly `width` cells long until here: a Strip is
        # made once per line (each one sets up seven caches, and a strip per join, pad and
        # crop made that most of the layout's cost).
        base = self.rich_style
        lines: list[Strip] = []
        starts: dict[int, int] = {}
        blank = Strip([Segment(" " * width, base)], width)
        for item in self.items:
            made = self._item_lines(item, width)
            if not made:
                continue
            if lines or isinstance(item, Block):
                lines.append(blank)  # the space above each block
            if isinstance(item, Row) and item.number is not None:
                starts[item.number] = len(lines)
            lines.extend(Strip(Segment.apply_style(line, base), width) for line in made)
        self._drawn, self._starts, self._texts = lines, starts, None
        self._shown.clear()
        self.virtual_size = Size(width, len(lines))

    def _lines_of(self, renderable: RenderableType, width: int,
                  style: Style | None = None) -> list[Line]:
        """`renderable` wrapped to `width`, each line padded to it."""
        console = self.app.console
        width = max(1, width)
        options = console.options.update(width=width, highlight=False)
        if isinstance(renderable, Text) and len(renderable) > WRAP_CHUNK:
            # Rich's wrapping of one text costs its length times its lines (each line is
            # split off the rest): a 5 MB paragraph took 37 s. Wrapped in pieces, ending at a
            # space, it costs its length.
            return [line for piece in renderable.divide(_piece_ends(renderable.plain))
                    for line in console.render_lines(piece, options, style=style, pad=True)]
        return console.render_lines(renderable, options, style=style, pad=True)

    def _style(self, name: str) -> Style:
        """A colour of the theme: the highlight's background (blended with the body's, as the
        stylesheet's `$accent 25%` says), else a text colour over whatever background."""
        full = self.get_component_rich_style(f"reader-body--{name}")
        return Style(bgcolor=full.bgcolor) if name == "hit" else Style(color=full.color)

    def _item_lines(self, item: Item, width: int) -> list[Line]:
        if isinstance(item, Row):
            return self._row_lines(item, width)
        if item.kind == "folded":
            return self._lines_of(item.original or "", width) if self.folded else []
        if item.kind == "cut":
            return _indent(self._lines_of(item.original or "", width - 2, self._style("warning")),
                           1, 1)
        if item.kind == "no-translation":
            if self.mode == "original":
                return []
            return _indent(self._lines_of(item.original or "", width - 2, self._style("warning")),
                           1, 1)
        if item.kind == "written":
            return self._boxed(item.original, width, 1, None)
        if self.folded:
            return []
        orig, trans = item.original, item.translation
        if self.mode == "original" or (trans is None and self.mode != "translation"):
            return self._boxed(orig, width, 1, None)
        if self.mode == "translation":
            return self._boxed(trans, width, 1, None) if trans is not None else []
        if self.mode == "stacked":
            return [*self._boxed(orig, width, 1, None), [Segment(" " * width)],
                    *self._boxed(trans, width, 2, self._style("muted"))]
        left = (width - 2) // 2  # 1fr each, two columns apart
        return _beside(_indent(self._boxed(orig, left, 1, None), 0, 2),
                       self._boxed(trans, width - 2 - left, 1, None), left + 2, width)

    def _boxed(self, renderable: RenderableType | None, width: int, pad: int,
               style: Style | None) -> list[Line]:
        """A summary's box: a bar in the accent colour, `pad` columns, the text, a column."""
        if renderable is None:
            return []
        bar = [Segment("█", self._style("accent")), Segment(" " * pad)]
        return [[*bar, *line, Segment(" ")]
                for line in self._lines_of(renderable, width - pad - 2, style)]

    def _row_lines(self, row: Row, width: int) -> list[Line]:
        number = self._gutter if self.numbered else 0
        room = width - number
        mode = self.mode
        if mode == "original" and row.tr_only:
            return []
        # The header shows the translated title in this view; a flagged one stays, for its ⚠.
        if mode == "translation" and row.title and not row.flagged:
            return []
        body: list[Line]
        if row.pairs is None:  # no translation: the original whatever the view
            body = [] if mode == "translation" else self._lines_of(row.original, room)
        elif mode == "original":
            body = self._lines_of(row.original, room)
        elif mode == "translation":
            body = self._translation(row, room, stacked=False)
        elif mode == "stacked":
            body = [*self._lines_of(row.original, room),
                    *self._translation(row, room, stacked=True)]
        else:
            left = room // 2
            body = _beside(_indent(self._lines_of(row.original, left - 2), 0, 2),
                           self._translation(row, room - left, stacked=False), left, room)
        if not body:
            return []
        if number:
            label = self._lines_of(Text(f"{row.number + 1}" if row.number is not None else "",
                                        style="dim", no_wrap=True), number)[0]
            gap = Segment(" " * number)
            body = [[*(label if i == 0 else [gap]), *line] for i, line in enumerate(body)]
        if row.number is not None and row.number == self.hit:
            hit = self._style("hit")
            body = [list(Segment.apply_style(line, hit)) for line in body]
        return body

    def _translation(self, row: Row, width: int, *, stacked: bool) -> list[Line]:
        """The translation cell: a bar in the warning colour when the numbers check flagged a
        line, indented and muted under the original when stacked."""
        if row.flagged:
            prefix = [Segment("█", self._style("warning")), Segment(" ")]
        else:
            prefix = [Segment("  ")] if stacked else []
        style = self._style("muted") if stacked else None
        inner = width - sum(len(seg.text) for seg in prefix)
        out: list[Line] = []
        for text in translated_lines(row.pairs or [], row.facts, self._style("warning")):
            out += [[*prefix, *line] for line in self._lines_of(text, inner, style)]
        return out

    def render_line(self, y: int) -> Strip:
        self._ensure_lines()
        index = round(self.scroll_offset.y) + y
        shown = self._shown.get(index)
        if shown is not None:
            return shown
        if index >= len(self._drawn):
            return Strip.blank(self.scrollable_content_region.width, self.rich_style)
        strip = self._drawn[index]
        selection = self.text_selection
        if selection is not None and (span := selection.get_span(index)) is not None:
            start, end = span
            end = strip.cell_length if end == -1 else end
            over = self.screen.get_component_rich_style("screen--selection")
            # Over the line's own styles (its background included), not under them.
            chosen = Strip(Segment.apply_style(strip.crop(start, end), post_style=over),
                           end - start)
            strip = Strip.join([strip.crop(0, start), chosen, strip.crop(end)])
        self._shown[index] = strip = strip.apply_offsets(0, index)
        return strip

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        return selection.extract(self.text), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self._shown.clear()
        self.refresh()


Line = list[Segment]

WRAP_CHUNK = 4_000


def _piece_ends(text: str) -> list[int]:
    """Offsets that cut `text` into pieces of about WRAP_CHUNK characters, each just after a
    space where there is one in the piece's last quarter."""
    ends, start = [], 0
    while len(text) - start > WRAP_CHUNK:
        end = start + WRAP_CHUNK
        space = text.rfind(" ", end - WRAP_CHUNK // 4, end)
        end = space + 1 if space > start else end
        ends.append(end)
        start = end
    return ends


def _indent(lines: list[Line], left: int, right: int) -> list[Line]:
    """`left` blank columns before each line, `right` after."""
    before, after = [Segment(" " * left)] if left else [], [Segment(" " * right)] if right else []
    return [[*before, *line, *after] for line in lines]


def _beside(left: list[Line], right: list[Line], left_width: int, width: int) -> list[Line]:
    """Two columns side by side (`left` is `left_width` wide), the shorter one padded with
    blank lines."""
    blank_left = [Segment(" " * left_width)]
    blank_right = [Segment(" " * (width - left_width))]
    return [[*(left[i] if i < len(left) else blank_left),
             *(right[i] if i < len(right) else blank_right)]
            for i in range(max(len(left), len(right)))]
