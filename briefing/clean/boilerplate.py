"""Removing site chrome and promos from article text, line by line.

Scraped copies of news articles (seed 000 is one) carry the site around the story: comment forms,
share widgets, "Popular" lists, newsletter promos, photo captions with agency credits. The rules
below are data: each names one kind of junk, says why it is junk, and matches a WHOLE line, so a
body paragraph that merely mentions a comment or a share price is never touched. Lines are
matched in a bare form (Markdown links, emphasis and heading marks removed) so "**LEAVE A REPLY**"
and "## Popular" are caught too.

Some rules work on more than one line, in code below the table:
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

from briefing.text import normalize_paragraph, sanitize


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    marker: bool = False  # chrome that starts the site's footer: cut it and what follows it
    block: bool = False  # heads a list of links: drop the short lines after it too
    tail: bool = False  # heads the closing boilerplate: near the end, cut it and all after it
    # Words one of which a matching line must contain (lower case). A pattern that has to scan
    # a whole line for a phrase costs ~15 us a line; this test skips it on most body lines.
    needs: tuple[str, ...] = ()


# What sites put after a heading or a link label: "Read more:", "You may also like...",
# "Related »", "More →". A heading rule tolerates any run of these at its end.
_TRAILING = r"\s*[:.…!»›>→|\-–—]*"


def _rule(name: str, regex: str, *, marker: bool = False, block: bool = False,
          heading: bool = False, tail: bool = False, needs: tuple[str, ...] = ()) -> Rule:
    if heading:
        regex = f"(?:{regex}){_TRAILING}"
    return Rule(name, re.compile(regex, re.IGNORECASE), marker=marker, block=block, tail=tail,
                needs=needs)


# Social networks named by follow-us and share lines.
_NETWORKS = (r"(twitter|x|facebook|instagram|linkedin|tiktok|youtube|threads|bluesky|mastodon"
             r"|telegram|whatsapp|snapchat|pinterest|reddit|google news|flipboard|apple news)")
_WEEKDAY = r"(mon|tues|wednes|thurs|fri|satur|sun)day"
# How a follow-us line starts; "like" and "find" only with "us" ("Like many on Facebook, ...").
_INVITE = r"(follow|connect with|(like|find|join) us)"


RULES: tuple[Rule, ...] = (
    # WordPress comment forms scrape as their field labels, one per line; seed 000 ends with
    # three of them. Whole-line matching keeps "readers can leave a comment until June".
    _rule(
        "comment-form",
        r"leave a (reply|comment)|post (a )?comment|comments?( \(\d+\))?|\d+ comments?"
        r"|please enter your (comment|name here|email address here)!?"
        r"|you have entered an incorrect email address!?"
        r"|save my name, email,? and website in this browser.*",
        marker=True,
    ),
    # Share widgets: a line made only of "Share"/"Share post:" or network names. Real prose
    # about shares ("Shares rose 4%") has more words and never matches the whole line.
    _rule(
        "share-widget",
        r"share( (this|post|article|story|on [a-z]+))?( (article|story))?:?"
        r"|((facebook|twitter|x|linkedin|whatsapp|telegram|email|print|pinterest|reddit"
        r"|copy link|tweet|pin it)[\s|·,/]*){1,8}",
        marker=True,
    ),
    # The rest of the tool bar around a story: print, e-mail, save, gift and listen buttons,
    # reprint links, "Click to share on X (Opens in new window)". Each is a whole line of a
    # few words; a sentence about printing or reprints is longer and does not match.
    _rule(
        "article-tools",
        r"(print|e-?mail|save|gift|bookmark|listen( to)?|share)( this)?"
        r"( (article|story|page|link|post))?( \(opens in new window\))?"
        r"|(click to )?(share|e-?mail|print) (on|via|to|this|with)( [\w.'’-]+){1,4}"
        r"( \(opens in new window\))?"
        r"|reprints?( (and|&) permissions| rights)?|(request|order) (a )?reprints?"
        r"|link copied( to clipboard)?!?|copy (the )?link|(text|font) size|save for later",
        heading=True,
    ),
    # Lists of other stories: these headings start the site's footer, and everything after them
    # is headlines of other articles.
    _rule(
        "more-stories",
        r"popular( (posts|now|stories|articles|today))?|most (read|popular|viewed)"
        r"|more like this|more (from|in) [\w &]{1,30}|you (may|might) (also )?like"
        r"|related( (posts|articles|stories|coverage))?:?|trending( now)?|latest (news|posts)"
        r"|read next|don'?t miss",
        marker=True,
        heading=True,
    ),
    # Headings of a related-links block or a promo, in the middle of the text as well as at
    # its end: "Read more:", "See also", "Also on Example News", "Popular on Example",
    # "Explore further" (each with or without trailing punctuation). The short link lines
    # after them go too. "Also on" and "Popular on" take a capitalised name of a few words and
    # no weekday, so "Also on Tuesday, the board..." and a subhead "Also on the agenda" stay.
    _rule(
        "related-heading",
        r"(read|see|watch|listen) (more|also|next)( (news|stories|articles|videos))?"
        r"|also (read|see|watch)|related( (articles?|stories|story|content|links|reading|news"
        r"|topics|videos?|coverage|posts))?|more (on|about) (this|these)( (story|stories|topics?))?"
        r"|(you )?(may|might) also (like|enjoy|be interested in)|explore further"
        r"|further reading|what to read next|keep reading|more stories|top stories"
        r"|editor'?s picks|(most|more) (shared|watched|commented)"
        rf"|also on (?!{_WEEKDAY}\b)(?-i:[A-Z])[\w&'’]*( [\w&'’.]+){{0,3}}"
        r"|popular (on|at|in|from) (?-i:[A-Z])[\w&'’]*( [\w&'’.]+){0,3}",
        marker=True,
        block=True,
        heading=True,
    ),
    # A link to another story behind such a label: "Read more: Council approves budget",
    # "RELATED: ...", "See also | ...". The label and its separator make it a link, whatever
    # the headline says. Without a separator ("Read more about how the plan works in our
    # guide.") or ending in a full stop ("See more: that was his answer."), it is prose.
    _rule(
        "related-link",
        r"((read|see|watch|listen) (more|also|next)|also (read|see|watch)|related( (articles?"
        r"|stories|story|content|coverage|video))?|explore further|must read|don'?t miss"
        r"|recommended|more( on this story)?|trending"
        # The same labels on Spanish, German, French and Italian sites.
        r"|le[ae] (también|más|además)|leer más|lesen sie (auch|mehr)|mehr zum thema"
        r"|auch interessant|(à )?lire aussi|voir aussi|leggi anche)"
        r"\s*[:|»›>→]\s*\S.{0,200}(?<![.;,])",
    ),
    # Follow-us lines: "Follow us on Instagram", "Follow Jane Roe on X @janeroe", "Like us on
    # Facebook", or the bare "Follow us:" above the icons. Past the invitation they must name a
    # network or a handle, so "Follow me, the guide said, ..." and "Like me, many residents..."
    # stay, and prose about followers ("Followers on TikTok doubled") never starts with one.
    _rule(
        "follow-us",
        rf"(follow|like|find|join|connect with) (us|me)( online| here)?{_TRAILING}"
        rf"|{_INVITE}\s.{{0,120}}\b{_NETWORKS}\b.{{0,100}}"
        rf"|{_INVITE}\s.{{0,120}}@\w{{2,30}}.{{0,100}}",
    ),
    # News agencies' credits: "(Reporting by Jane Roe; Editing by John Doe)" and "Jane Roe
    # contributed to this report." They name the staff, not the story. Only the bracketed form
    # and the "contributed" sentence: an unbracketed "Reporting by ..." closing line is kept,
    # as the sample articles do.
    _rule(
        "reporting-credit",
        r"\((additional )?(reporting|writing|editing|research|compiled|written|reported)"
        r"( and [a-z]+)? by [^()]{1,300}\)\.?",
    ),
    _rule(
        "contributed-credit",
        r"[^.!?]{1,200}\b(also )?contributed (reporting( to this (report|story|article))?"
        r"|to this (report|story|article))( from [^.!?]{1,60})?\.?",
        needs=("contributed",),
    ),
    # Reprint notices: "This article is republished from ... under a Creative Commons
    # license.", "Originally published on ...", "This interview has been edited for length".
    # They describe the page, not the story. "This report was published on Tuesday" (a report
    # the story is about) and "First published in 1865, the paper..." are prose and stay.
    _rule(
        "reprint-notice",
        r"this (article|story|piece|post) (was|is|has been|first) "
        r"(originally |first |also )?(re)?(published|printed|appeared|syndicated)\b.{0,300}"
        r"|originally (published|appeared) (on|in|at|by) [^,;]{1,150}"
        r"|(re)?(published|printed) with (the )?permission( of| from)? .{0,200}"
        r"|this (interview|conversation|transcript) (has been|was) (edited|condensed|lightly)"
        r".{0,150}",
    ),
    # Content farms append the link to the copied original; "Supply hyperlink" is "Source link"
    # after their synonym spinner went through it (seed 000).
    _rule("source-link", r"(source|supply) (link|hyperlink)", marker=True),
    # WordPress appends this to every feed item; it names the blog, not the story.
    _rule("feed-footer", r"the post .{1,300} appeared first on .{1,120}", marker=True),
    # Copyright footers ("© 2026 Example News Ltd. All rights reserved.").
    _rule(
        "copyright",
        r"(copyright\s*)?©\s*(19|20)\d\d\b.*|all rights reserved\.?"
        # Without "©": "Copyright 2026 Example Media. All rights reserved." (a line that
        # begins so is never prose), and the agencies' redistribution notice.
        r"|(copyright|\(c\))\s+(19|20)\d\d\b.{0,300}"
        r"|this material may not be (published|reproduced).{0,200}",
        marker=True,
    ),
    _rule("rights-reserved", r".{0,150}\ball rights reserved\b.{0,100}", marker=True,
          needs=("rights reserved",)),
    # Newsletter promos: the FT's "Unlock the Editor's Digest for free" (spun to "without cost"
    # in seed 000) and the generic sign-up lines.
    _rule(
        "newsletter",
        r"unlock the editor.s digest\b.*"
        r"|.{0,80}\bselects? (her|his|their) favourite stories in this weekly newsletter\.?"
        r"|(sign up|subscribe) (now |today )?(for|to) (our|the|my) .{0,60}newsletter.{0,60}"
        r"|get (our|the) .{0,40}newsletter.{0,40}"
        # The sign-up box's other lines: thanks, the confirmation, the small print.
        r"|thanks? (you )?for (signing up|subscribing|registering)\b.{0,150}"
        r"|(sign up|subscribe|register)( now| today| here| for free)?[.!]?"
        r"|by (signing up|subscribing|registering|clicking).{0,200}\b(privacy|terms)\b.{0,120}"
        r"|(enter )?(your )?e-?mail( address)?( here)?:?|invalid e-?mail( address)?\.?"
        # A sign-up line of any topic ("Sign up to get the best of the week, as picked by
        # the editors.", "Subscribe now to our print edition for the full story."), the box's
        # title ("Example Weekly Newsletter"), or a question ending in "Sign up here".
        r"|(sign up|subscribe)( now| today| here| free)? (to|for) [^\n]{1,200}"
        r"|([\w'’&.-]+ ){0,4}newsletters?[:.!]?"
        r"|[^\n]{1,150}[.?!] sign up( here| now| today)?[.!]?",
    ),
    # Paywall notices: "To view the full story, please subscribe", "Already a subscriber? Log
    # in". They talk about access to the story, not about its subject.
    _rule(
        "paywall",
        r".{0,150}\b(please subscribe|already (a )?subscriber|subscribe (now )?(to|for) (read|"
        r"continue|view|unlock|access|the full)|for the full (story|article)|to (read|view|"
        r"continue reading) the (full|rest of the|whole) (story|article)|subscribers? only)\b"
        r".{0,200}",
        needs=("subscri", "full story", "full article", "rest of the", "whole story"),
    ),
    # App promos: "For the latest news download the Example apps for iOS and Android",
    # "Get our app". A story about an app ("Users must download the tracker app to ...")
    # names no store or platform and says "the", not "our".
    _rule(
        "app-promo",
        r".{0,150}\b(download|install|get) our ([\w'’-]+ ){0,4}apps?\b.{0,150}"
        r"|.{0,150}\b(download|install|get) .{0,80}\bapps? (for|on|in) (the )?(ios|android"
        r"|iphone|app store|google play)\b.{0,100}",
        needs=("app",),
    ),
    # Calls for letters and disclosures about advertisers or affiliate links: about the
    # site, not the story.
    _rule(
        "site-notice",
        r".{0,150}\b(submit|send|write) (a|your) letter to the editor\b.{0,200}"
        r"|.{0,100}\bthis (post|article|page|story) (contains|includes|may contain) "
        r"(affiliate|references|links|sponsored)\b.{0,300}"
        r"|.{0,150}\b(we may (receive|earn) (a )?(compensation|commission)|advertisers do not "
        r"influence)\b.{0,300}",
        needs=("letter to the editor", "this post", "this article", "this page", "this story",
               "compensation", "commission", "advertisers"),
    ),
    # Any other short line about a newsletter or an inbox that speaks to the reader or asks
    # for a sign-up ("Get our best stories delivered to your inbox every week."). Prose about
    # a newsletter tells, with no "you", "our" or "sign up".
    _rule(
        "inbox-promo",
        r"(?=.{0,200}\b(newsletters?|inbox(es)?)\b)"
        r"(?=.{0,200}\b(you|your|our|sign(ing)?[ -]?up|subscrib(e|ing))\b).{1,200}",
        needs=("newsletter", "inbox"),
    ),
    # "About the author" and a press release's "About Example Corp": the author's biography
    # and the company's standard paragraph follow, which read like body text, so no line rule
    # could catch them. Only in the second half of the text (see `_TAIL_FROM`), where these
    # sections sit; a name needs its capitals, so a subhead "About the money" stays.
    _rule(
        "about-section",
        r"(about|über) (the|den|die) (authors?|writers?|autor(in|en)?)"
        r"|about (?-i:[A-Z])[\w&.'’-]*( (?-i:[A-Z&])[\w&.'’-]*){0,3}",
        heading=True,
        tail=True,
    ),
    # Reading-time lines: "5 min read", "Reading time: 4 minutes". The word "read" (or
    # "listen") is required: a bare "25 min." is a recipe's cooking time.
    _rule(
        "reading-time",
        r"(about |approx\.? |~)?\d{1,3}\s?(-\s?)?(min(ute)?s?\.?|m) (read|listen)"
        r"|(estimated )?(reading|read|listening) time:?\s*(about |approx\.? |~)?\d{1,3}.{0,20}",
    ),
    # A metadata label the scraper found no value for: "Date:" with nothing after it.
    _rule(
        "empty-label",
        r"(date|published|updated|posted( on)?|by|author|tags|category|release date"
        r"|last updated|filed under|topics|source|credit):?",
    ),
    # Photo credits: a line with "©" and no sentence end after it is a caption's credit
    # ("Cranes at dusk © Jane Roe/Example via Getty Images"), not prose, which ends in a stop.
    _rule("photo-credit", r"[^©]{0,300}©[^.!?]{1,120}"),
    # Credits without "©", by the agencies' own wording (and its spun form "by way of"). A line
    # ending in a full stop after the agency's name is a sentence about it, and stays.
    _rule(
        "photo-agency",
        r".{0,200}\b(via|by way of|photo:|photograph:|image:) "
        r"(getty (images|photos)|shutterstock|alamy|afp|reuters|ap)\b[^.!?]{0,40}"
        r"|(photo|image|picture|illustration)s?( credit)?: [^.!?]{1,80}"
        r"|\(?(photo |image )?credits?: [^.!?()]{1,80}\)?",
        needs=("via ", "by way of", "photo", "image", "picture", "illustration", "credit"),
    ),
    # Markdown images, linked or not: the picture itself never reaches a terminal.
    _rule("markdown-image", r"\[?!\[[^\]]*\]\([^)]*\)(\]\([^)]*\))?"),
    # Ad slots label themselves.
    _rule("advert", r"advertisement|sponsored( content)?|ad|story continues below( advert\w*)?"),
    # "Recommended" heads a few related-story links in the middle of FT pages (seed 004).
    _rule("recommended", r"recommended( (for you|reading|stories|articles))?:?", block=True),
)

# Markdown that hides a junk line from the table: link syntax, emphasis, heading and quote marks.
_MD_LINK = re.compile(r"(?<!!)\[([^\]]*)\]\([^)]*\)")
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


def match_rule(line: str) -> Rule | None:
    """The first rule whose pattern matches the whole of `line`, or None for a body line."""
    bare = _bare(line)
    low = bare.lower()
    for rule in RULES:
        if rule.needs and not any(word in low for word in rule.needs):
            continue
        # Markdown images are matched raw: the bare form strips the syntax that marks them.
        target = line.strip() if rule.name == "markdown-image" else bare
        if rule.pattern.fullmatch(target):
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
