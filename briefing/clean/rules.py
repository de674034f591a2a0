"""The line rules of `boilerplate`, as data: each names one kind of junk, says why it is junk,
and matches a WHOLE line (in its bare form, Markdown removed), so a body paragraph that merely
mentions a comment, a newsletter or a share price is never touched. Look-alike lines that must
stay are in tests/test_clean_boilerplate.py (PROSE), beside an example of each rule (JUNK).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


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
        # Embedded media announce themselves the same way: "WATCH: The ferry's first trip".
        r"|watch|video|photos|gallery|listen|podcast"
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
        # A sign-up line of any topic ("Sign up to get our timetable updates every Monday.",
        # "Subscribe today to the print edition."), the box's title ("Example Weekly
        # Newsletter"), or a question ending in "Sign up here".
        r"|(sign up|subscribe)( now| today| here| free)? (to|for) [^\n]{1,200}"
        r"|([\w'’&.-]+ ){0,4}newsletters?[:.!]?"
        r"|[^\n]{1,150}[.?!] sign up( here| now| today)?[.!]?",
        needs=("digest", "newsletter", "thank", "sign up", "subscribe", "register", "privacy",
               "terms", "mail"),
    ),
    # Paywall notices: "Please subscribe to keep reading", "Already a subscriber? Sign
    # in". They talk about access to the story, not about its subject.
    _rule(
        "paywall",
        r".{0,150}\b(please subscribe|already (a )?subscriber|subscribe (now )?(to|for) (read|"
        r"continue|view|unlock|access|the full)|for the full (story|article)|to (read|view|"
        r"continue reading) the (full|rest of the|whole) (story|article)|subscribers? only)\b"
        r".{0,200}",
        needs=("subscri", "full story", "full article", "rest of the", "whole story"),
    ),
    # App promos: "Download the Example app for iPhone to get alerts",
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
    _rule("photo-credit", r"[^©]{0,300}©[^.!?]{1,120}", needs=("©",)),
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
    _rule(
        "advert",
        r"advertisement|sponsored( content)?|ad|story continues below( advert\w*)?"
        r"|advertisement\s*[-–—:|]\s*(scroll|story|article) (down )?(to )?continue[^.!?]{0,30}",
    ),
    # The site's own controls, scraped as text: account links, skip links, loading messages,
    # browser warnings.
    _rule(
        "site-controls",
        r"(sign|log) ?(in|out|on)( (or|/) (register|sign up|subscribe))?|register|my account"
        r"|create (a|an|your)( free)? account|skip (to|navigation)( (the )?(main )?content"
        r"| navigation)?|loading( comments)?|please enable javascript.{0,100}"
        r"|javascript is (disabled|required|not enabled).{0,100}"
        r"|your browser (is out of date|is not supported|does not support).{0,100}",
        heading=True,
    ),
    # Metadata lists: "Tags: ferries, shipping, Baltic", "Topics: ...", "Filed under: ...".
    # A list of labels, not a sentence: no full stop inside.
    _rule(
        "metadata-list",
        r"(tags|topics|keywords|categories|filed under|related topics|more about)\s*:"
        r"\s*[^.!?]{1,200}",
    ),
    # "Recommended" heads a few related-story links in the middle of FT pages (seed 004).
    _rule("recommended", r"recommended( (for you|reading|stories|articles))?:?", block=True),
)
