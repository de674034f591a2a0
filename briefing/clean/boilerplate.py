"""Removing site chrome and promos from article text, line by line.

Scraped copies of news articles (seed 000 is one) carry the site around the story: comment forms,
share widgets, "Popular" lists, newsletter promos, photo captions with agency credits. The rules
(`briefing.clean.rules`) are data: each names one kind of junk, says why it is junk, and matches
a WHOLE line, so a body paragraph that merely mentions a comment or a share price is never
touched. Lines are matched in a bare form (Markdown links, emphasis and heading marks removed)
so "**LEAVE A REPLY**" and "## Popular" are caught too.

Some rules work on more than one line, in code below:
- a trailing block that starts with a chrome marker is cut whole (the site's footer: "Popular",
  then headlines of other stories, which no line rule could tell from a short paragraph);
- a "Recommended" or "Read more:" heading drops the short link lines that follow it, up to the
  next body paragraph;
- in the second half of the text, "About the author" or "About Example Corp" cuts what follows
  (a biography or a company's standard paragraph reads like body text);
- a run of paragraphs that repeats an earlier run (a second copy of the article) is dropped;
- `drop_headline` takes the headline off the top of an extracted text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from briefing.clean.rules import RULES, Rule
from briefing.text import normalize_paragraph, sanitize

__all__ = ["RULES", "CleanDoc", "Rule", "clean_text_document", "drop_headline", "match_rule",
           "strip_paragraphs"]

# Markdown that hides a junk line from the table: link syntax, emphasis, heading and quote marks.
# Neither part runs past the next bracket of its kind: each `[` (or `(`) scanned on to the end
# of a line made 50,000 brackets in a row cost 16 s (each start scanned the whole line).
_MD_LINK = re.compile(r"(?<!!)\[([^\[\]]*)\]\([^()]*\)")
_MD_MARKS = re.compile(r"^[#>\s]+|[*_`]+")
_MD_CHARS = "[#>*_`"  # a line with none of these is untouched by the two above, but for strip()
_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’)\]]*$")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class CleanDoc:
    title: str
    paragraphs: tuple[str, ...]
    removed: tuple[str, ...]


def _bare(line: str) -> str:
    """The line as a reader sees it: Markdown link text only, no emphasis or heading marks."""
    if not any(mark in line for mark in _MD_CHARS):
        return line.strip()  # what the two substitutions leave of a line without Markdown
    return _MD_MARKS.sub("", _MD_LINK.sub(r"\1", line)).strip()


# Each rule with what match_rule reads of it, read once: the loop below runs for every rule
# on every line of every article (attribute lookups were half of its cost).
_CHECKS = tuple((rule, rule.needs, rule.pattern.fullmatch, rule.name == "markdown-image")
                for rule in RULES)


def match_rule(line: str) -> Rule | None:
    """The first rule whose pattern matches the whole of `line`, or None for a body line."""
    bare = _bare(line)
    low = bare.lower()
    for rule, needs, fullmatch, raw in _CHECKS:
        if needs:
            # A plain loop: any() over a generator cost more than the lookups it makes.
            for word in needs:
                if word in low:
                    break
            else:
                continue
        # Markdown images are matched raw: the bare form strips the syntax that marks them.
        if fullmatch(line.strip() if raw else bare):
            return rule
    return None


def is_body(line: str) -> bool:
    """A line that reads as a paragraph of the story: a sentence of some length, or long.
    Headlines of other stories and captions have no full stop and are short."""
    words = len(line.split())
    return words >= 25 or (words >= 8 and bool(_SENTENCE_END.search(line.strip())))


def _caption_of_credit(credit: str, previous: str) -> bool:
    """True when `previous` is the caption that `credit` repeats before its "©" (as in
    seed 000: "The mayor at the opening, in May" then "The mayor © City Hall"). Sites often
    shorten the repeat, so three shared opening words will do for a line that is not prose."""
    head = _bare(credit).split("©", 1)[0].split()
    before = _bare(previous).split()
    if len(head) < 2:
        return False
    if before[: len(head)] == head:
        return True
    return len(head) >= 3 and before[:3] == head[:3] and not is_body(previous)


def _footer_start(lines: Sequence[str], rules: Sequence[Rule | None]) -> int:
    """Index of the chrome marker that starts the trailing footer, or len(lines) if none.
    The footer is what follows the last body line; it is cut once a marker starts it."""
    start = len(lines)
    for i in range(len(lines) - 1, -1, -1):
        rule = rules[i]
        if rule is None and is_body(lines[i]):
            break
        if rule is not None and rule.marker:
            start = i
    return start


# Where the closing boilerplate may start, as a share of the lines: "About ..." higher up is a
# subhead or the subject ("About Python" opening a page about Python).
_TAIL_FROM = 1 / 2

# A second copy of the article (a hidden print or mobile version that the extractor also took)
# repeats a run of lines in order. A single repeated paragraph is a pull quote or a refrain
# and stays; a run this long, of this many words, is a copy.
_REPEAT_LINES = 3
_REPEAT_WORDS = 40


def _repeated_run_lines(lines: Sequence[str]) -> list[int]:
    """Indexes of the lines that repeat, in order, a run of earlier lines long enough to be a
    copy of the text. Linear: a repeat is compared only with the first place its line was
    seen, and a run found is skipped whole."""
    first: dict[str, int] = {}
    found: list[int] = []
    i = 0
    while i < len(lines):
        j = first.setdefault(lines[i], i)
        k = 0
        while j + k < i and i + k < len(lines) and lines[j + k] == lines[i + k]:
            k += 1
        words = sum(len(line.split()) for line in lines[i : i + k]) if k >= _REPEAT_LINES else 0
        if words >= _REPEAT_WORDS:
            found.extend(range(i, i + k))
            i += k
        else:
            i += 1
    return found


def _keep_flags(lines: Sequence[str]) -> list[bool]:
    """For each line, whether it stays. The whole-line rules first, then the block rules."""
    rules = [match_rule(line) for line in lines]
    keep = [rule is None or rule.tail for rule in rules]  # a tail heading counts only late
    in_block = False
    for i, rule in enumerate(rules):
        if rule is not None:
            in_block = rule.block
            if rule.name == "photo-credit" and i and _caption_of_credit(lines[i], lines[i - 1]):
                keep[i - 1] = False
        elif in_block and not is_body(lines[i]):
            keep[i] = False
        else:
            in_block = False
    for i in range(_footer_start(lines, rules), len(lines)):
        keep[i] = False
    for i in range(int(len(lines) * _TAIL_FROM), len(lines)):
        rule = rules[i]
        if rule is not None and rule.tail:
            keep[i:] = [False] * (len(lines) - i)
            break
    for i in _repeated_run_lines(lines):
        keep[i] = False
    return keep


# The headline as trafilatura's text repeats it: the title with a " | Site" or " - Site" tail,
# other quotes, other case. These split a title into the parts that may be the headline.
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·»/]{1,2}\s+")
_WORD = re.compile(r"\w+")
_HEADLINE_LINES = 4  # the headline comes before the body: a kicker, byline or date at most
_HEADLINE_SHARE = 0.8  # of the longer word list's words, shared with the other


def _headline_forms(titles: Sequence[str]) -> list[list[str]]:
    """Each title's words, and those of the title with parts cut off at either end, at its
    separators: "Port expands | Example News" gives the whole, "port expands" and "example
    news" (some sites put their name first). Middle parts alone are sections ("News | World |
    Port expands | Example") and are left out."""
    forms: list[list[str]] = []
    for title in titles:
        parts = _TITLE_SEPARATORS.split(title)[:8]
        runs = [parts[:j] for j in range(1, len(parts) + 1)] + [parts[i:] for i in
                                                                range(1, len(parts))]
        for run in runs:
            words = _WORD.findall(" ".join(run).lower())
            if words and words not in forms:
                forms.append(words)
    return forms


def _shares_words(line: list[str], title: list[str]) -> bool:
    if not line or len(line) > 2 * len(title):
        return False
    common = sum(min(line.count(w), title.count(w)) for w in set(line))
    return common >= _HEADLINE_SHARE * max(len(line), len(title))


def drop_headline(paragraphs: Sequence[str], titles: Sequence[str]) -> list[str]:
    """The paragraphs without the headline repeated among the first few lines.

    trafilatura's text often opens with the page's <h1>, and its title (or the page's <title>)
    says the same with a site name on the end, other quotes or other capitals; an exact match
    missed most of them. A line whose words mostly are the title's is that headline. Only
    short lines near the top qualify, so an opening paragraph that starts like the headline,
    or later text that quotes it, stays."""
    forms = _headline_forms(titles)
    if not forms:
        return list(paragraphs)
    out = list(paragraphs[:_HEADLINE_LINES])
    out = [p for p in out if not any(_shares_words(_WORD.findall(p.lower()), f) for f in forms)]
    return out + list(paragraphs[_HEADLINE_LINES:])


def strip_paragraphs(paragraphs: Sequence[str]) -> list[str]:
    """Drop the junk paragraphs of an extracted article; body paragraphs keep their order."""
    return [p for p, kept in zip(paragraphs, _keep_flags(paragraphs), strict=True) if kept]


def _blocks(text: str) -> list[list[str]]:
    """Lines grouped into paragraphs: at blank lines when there are any (hard-wrapped text),
    else one paragraph a line (many scraped files), the same choice as `split_paragraphs`."""
    if _BLANK_LINE.search(text):
        chunks = _BLANK_LINE.split(text)
    else:
        chunks = text.split("\n")
    blocks = [[ln.strip() for ln in c.split("\n") if ln.strip()] for c in chunks]
    return [b for b in blocks if b]


def _split_title(blocks: list[list[str]]) -> str:
    """Take the first line off the first block as the title, without Markdown heading marks."""
    if not blocks:
        return ""
    title = blocks[0].pop(0)
    if not blocks[0]:
        blocks.pop(0)
    return normalize_paragraph(title.lstrip("#").strip())


def clean_text_document(text: str) -> CleanDoc:
    """Title, body paragraphs and removed lines of a plain-text or Markdown article.

    Rules apply per line, not per paragraph, so a block holding a caption and its credit, or
    two comment-form labels, loses exactly those lines.
    """
    blocks = _blocks(sanitize(text))
    title = _split_title(blocks)
    lines = [line for block in blocks for line in block]
    keep = iter(_keep_flags(lines))
    paragraphs: list[str] = []
    removed: list[str] = []
    for block in blocks:
        kept: list[str] = []
        for line in block:
            (kept if next(keep) else removed).append(line)
        if kept:
            paragraphs.append(normalize_paragraph("\n".join(kept)))
    return CleanDoc(title=title, paragraphs=tuple(p for p in paragraphs if p),
                    removed=tuple(removed))
