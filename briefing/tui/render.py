"""Feed text to Rich `Text`, always plain: nothing here is ever parsed as markup.

Every string from a feed, a page or an engine passes `sanitize`/`one_line` on its way in, so a
title like `[@click=app.quit]` or one carrying an OSC escape shows literally and harmlessly.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.console import (
    Console,
    ConsoleOptions,
    Group,
    OverflowMethod,
    RenderableType,
    RenderResult,
)
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from briefing.entities import NAME_KINDS, figure_label
from briefing.models import Article, ArticleSummary, Fact, WriterFlag, WrittenDigest
from briefing.text import one_line, sanitize

# One look per kind; distinct in colour *and* weight so they survive a monochrome terminal.
FACT_STYLES: dict[str, str] = {
    "money": "bold green",
    "percent": "bold cyan",
    "measure": "bold bright_red",
    "count": "bold yellow",
    "duration": "bold magenta",
    "date": "underline bright_blue",
    "org": "black on #d7af5f",
    "person": "black on #87afd7",
    "place": "black on #87d787",
}
FACT_LABELS: dict[str, str] = {
    "money": "Money", "percent": "Percent", "measure": "Measure",
    "count": "Count", "duration": "Duration",
    "date": "Date", "org": "Organisation", "person": "Person", "place": "Place",
}


class SplitLine:
    """`left` then `right` flush right, as a two-column grid would draw them: the sidebar's
    name and count, a fact and its paragraph. OptionList measures every option's height, and
    a rich Table per option made that most of the cost of opening an article (a fact pane of
    40 entries) or refreshing the sidebar's counts; this is a few Text operations.
    `wrap` lets `left` run over several lines with `right` on the first, else it is cut with
    an ellipsis."""

    def __init__(self, left: Text, right: Text, *, wrap: bool = False) -> None:
        self.left, self.right, self.wrap = left, right, wrap

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        gap = 1 if self.right.cell_len else 0
        return Measurement(self.right.cell_len + gap + 1,
                           self.left.cell_len + gap + self.right.cell_len)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        right = self.right
        gap = 1 if right.cell_len else 0
        room = max(1, width - right.cell_len - gap)
        if self.wrap and self.left.cell_len > room:
            lines = list(self.left.wrap(console, room, overflow="fold"))
        else:
            first = self.left.copy()
            first.truncate(room, overflow="ellipsis")
            lines = [first]
        for i, line in enumerate(lines):
            line.no_wrap, line.end = True, "\n"
            line.pad_right(room - line.cell_len)
            if i == 0 and gap:
                line.append(" ")
                line.append_text(right)
            yield line


def plain(value: object, *, style: str = "", limit: int = 500,
          overflow: OverflowMethod | None = None) -> Text:
    """One sanitised line as Text."""
    return Text(one_line(value, limit), style=style, overflow=overflow,
                no_wrap=overflow is not None)


def paragraph(value: object, *, style: str = "") -> Text:
    return Text(sanitize(value, keep_newlines=False), style=style)


def _spans(text: str, facts: Sequence[Fact], *, by_offset: bool) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, kind) spans. By offset when the stored offsets still point
    at the fact's text; otherwise (a translation) by finding the fact's literal text, which
    catches figures and names an engine carried over unchanged."""
    spans: list[tuple[int, int, str]] = []
    for f in facts:
        if by_offset and 0 <= f.start < f.end <= len(text) and (
                not f.text or text[f.start:f.end] == f.text):
            spans.append((f.start, f.end, f.kind))
        elif not by_offset and f.text:
            at = text.find(f.text)
            if at >= 0:
                spans.append((at, at + len(f.text), f.kind))
    spans.sort()
    out: list[tuple[int, int, str]] = []
    for s in spans:
        if not out or s[0] >= out[-1][1]:
            out.append(s)
    return out


def highlight(text: str, facts: Sequence[Fact], *, by_offset: bool = True) -> Text:
    """Paragraph text with its facts styled by kind. Offsets refer to the raw text, so the
    pieces are cut first and sanitised one by one (sanitising can shorten the text)."""
    out = Text()
    pos = 0
    for start, end, kind in _spans(text, facts, by_offset=by_offset):
        out.append(sanitize(text[pos:start], keep_newlines=False))
        out.append(sanitize(text[start:end], keep_newlines=False),
                   style=FACT_STYLES.get(kind, "bold"))
        pos = end
    out.append(sanitize(text[pos:], keep_newlines=False))
    return out


def short_date(iso: str | None, now: datetime) -> str:
    """`08:05` today, `27 Nov` this year, `2025-11` before, in the zone of `now`."""
    if not iso:
        return ""
    try:
        when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return one_line(iso, 10)
    if when.tzinfo is not None and now.tzinfo is not None:
        when = when.astimezone(now.tzinfo)
    if when.date() == now.date():
        return when.strftime("%H:%M")
    if when.year == now.year:
        return when.strftime("%d %b")
    return when.strftime("%Y-%m")


def state_mark(a: ArticleSummary) -> Text:
    out = Text()
    out.append("●" if not a.read else " ", style="bold cyan")
    out.append("★" if a.starred else " ", style="bold yellow")
    out.append("⇄" if a.has_translation else " ", style="magenta")
    return out


def source_name(a: ArticleSummary | Article) -> str:
    return one_line(a.source_title or a.source, 80)


def summary_block(article: Article | ArticleSummary,
                  key_facts: Sequence[str] = ()) -> RenderableType:
    """📌 summary and the key-fact bullets. The bullets are a grid, so a long one wraps under
    its own text rather than under the bullet (a hanging indent)."""
    parts: list[RenderableType] = []
    if article.summary:
        head = Text()
        head.append("📌 ", style="bold")
        head.append(sanitize(article.summary, keep_newlines=False))
        parts.append(head)
    if key_facts:
        grid = Table.grid()
        grid.add_column(width=4, no_wrap=True)
        grid.add_column(ratio=1)
        for bullet in key_facts:
            grid.add_row(Text("  • ", style="bold cyan"), Text(one_line(bullet, 400)))
        parts.append(grid)
    if not parts:
        return Text("No summary.", style="dim italic")
    return parts[0] if len(parts) == 1 else Group(*parts)


def _flag_lines(flags: Sequence[WriterFlag], indent: str) -> list[RenderableType]:
    out: list[RenderableType] = []
    for flag in flags:
        line = Text(f"{indent}⚠ ", style="bold yellow")
        line.append(one_line(flag.message, 300))
        out.append(line)
    return out


def written_block(d: WrittenDigest) -> RenderableType:
    """Bullets and summary the llm writer wrote, each flag of the figure guard under its
    bullet (or the summary) as a ⚠ line."""
    parts: list[RenderableType] = [plain(f"Written by {d.engine}/{d.model} ({d.lang})",
                                         style="dim italic", limit=200)]
    head = Text()
    head.append("📌 ", style="bold")
    head.append(sanitize(d.summary, keep_newlines=False))
    parts += [head, *_flag_lines(d.summary_flags, "   ")]
    grid = Table.grid()
    grid.add_column(width=4, no_wrap=True)
    grid.add_column(ratio=1)
    for b in d.bullets:
        cell: list[RenderableType] = [Text(one_line(b.text, 400)), *_flag_lines(b.flags, "")]
        grid.add_row(Text("  • ", style="bold cyan"), Group(*cell))
    parts.append(grid)
    return Group(*parts)


def distinct_facts(facts: Sequence[Fact], kind: str) -> list[tuple[str, int, int]]:
    """(label, mentions, first paragraph) for each distinct fact of `kind`: a name once
    whatever its spelling ("Trump", "Donald Trump"), a figure once per value and unit."""
    seen: dict[object, list] = {}
    for f in facts:
        if f.kind != kind:
            continue
        key = f.value if kind in NAME_KINDS else (f.value, f.unit)
        row = seen.get(key)
        if row is None:
            label = str(f.value) if kind in NAME_KINDS else figure_label(f)
            seen[key] = [label, 1, f.paragraph]
        else:
            row[1] += 1
    rows = [(str(label), int(n), int(p)) for label, n, p in seen.values()]
    if kind in NAME_KINDS:
        rows.sort(key=lambda r: -r[1])  # stable: most mentioned first, then first seen
    return rows


def fact_heading(kind: str) -> Text:
    return Text(FACT_LABELS.get(kind, one_line(kind, 20)), style="bold underline")


def fact_kinds(facts: Sequence[Fact]) -> list[str]:
    kinds = [k for k in FACT_STYLES if any(f.kind == k for f in facts)]
    return kinds + sorted({f.kind for f in facts} - set(kinds))


def fact_prompt(kind: str, label: str, mentions: int, paragraph: int) -> SplitLine:
    """One entry of the facts pane: an entity or figure once, in its kind's style, with its
    number of mentions, and the ¶ it first appears in at the right (the body's margin shows
    the same numbers)."""
    # A span, not the line's style: a name's background must end with the name.
    name = Text()
    name.append(one_line(label, 80), style=FACT_STYLES.get(kind, "bold"))
    if mentions > 1:
        name.append(f" ×{mentions}", style="dim")
    return SplitLine(name, Text(f"¶{paragraph + 1}", style="dim"), wrap=True)
