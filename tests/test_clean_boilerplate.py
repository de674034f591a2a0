from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefing.clean.boilerplate import (
    CleanDoc,
    clean_text_document,
    drop_headline,
    strip_paragraphs,
)
from tests.conftest import seed

SEED_000 = "000_be20d156f46645ba.txt"

# The junk lines of seed 000, listed by how they start (written from reading the file, not from
# the rules): site chrome, promo, an empty label and the two captions with their credits.
SEED_000_JUNK = (
    "Date:",
    "Unlock the Editor",
    "A employee holding a semiconductor wafer",
    "ByteDance founder Zhang Yiming at a conference",
    "ByteDance founder Zhang Yiming ©",
    "Supply hyperlink",
    "LEAVE A REPLY",
    "Please enter your comment!",
    "Please enter your name here",
    "Share post:",
    "Popular",
    "More like this",
)


def _seed_lines() -> list[str]:
    return [ln.strip() for ln in seed(SEED_000).read_text(encoding="utf-8").splitlines()]


def test_seed_000_keeps_every_body_paragraph_in_order() -> None:
    lines = _seed_lines()
    title = lines[0]
    body = [ln for ln in lines[1:] if ln and not ln.startswith(SEED_000_JUNK)]
    doc = clean_text_document(seed(SEED_000).read_text(encoding="utf-8"))
    assert doc.title == title
    assert list(doc.paragraphs) == body
    assert len(doc.paragraphs) == 25


def test_seed_000_drops_every_junk_line() -> None:
    doc = clean_text_document(seed(SEED_000).read_text(encoding="utf-8"))
    text = "\n".join(doc.paragraphs)
    for junk in SEED_000_JUNK:
        assert junk not in text
    assert len(doc.removed) == len(SEED_000_JUNK)
    assert "Getty" not in text and "©" not in text


def test_seed_000_figures_survive() -> None:
    doc = clean_text_document(seed(SEED_000).read_text(encoding="utf-8"))
    text = " ".join(doc.paragraphs)
    for figure in ("$12bn", "Rmb40bn ($5.5bn)", "170mn", "230,000", "485,000", "$229bn"):
        assert figure in text


def _doc(*paragraphs: str) -> CleanDoc:
    return clean_text_document("Headline\n\n" + "\n\n".join(paragraphs))


BODY = "The council approved the €45mn budget on Monday after a long debate, officials said."
BODY2 = "Work on the second runway will start in May and should take about 30 months."


# One synthetic example per rule: each junk line between two body paragraphs must go.
JUNK = [
    "LEAVE A REPLY",
    "Leave a comment",
    "Please enter your comment!",
    "Please enter your name here",
    "You have entered an incorrect email address!",
    "Share post:",
    "Share this article",
    "Facebook Twitter WhatsApp Email",
    "Popular",
    "Most read",
    "More like this",
    "You may also like",
    "Related stories:",
    "Supply hyperlink",
    "Source link",
    "The post Runway plans approved appeared first on Airport Daily.",
    "© 2026 Example Media Ltd. All rights reserved.",
    "Unlock the Editor's Digest for free",
    "Sign up for our morning newsletter",
    "Date:",
    "Published:",
    "Harbour cranes at dusk © Jane Roe/Example via Getty Images",
    "The mayor at the opening © City Hall",
    "Workers on site. Photo: Reuters",
    "![a crane at the port](https://example.com/crane.jpg)",
    "[![logo](https://example.com/l.png)](https://example.com)",
    "Advertisement",
    "**LEAVE A REPLY**",
    "## Popular",
    "[Share on Twitter](https://twitter.com/share)",
    # Related-links headings and promos, with or without trailing punctuation.
    "Read more:",
    "READ MORE",
    "Related:",
    "Related »",
    "See more:",
    "See also",
    "Also on Harbour Ledger",
    "You may also like...",
    "Most read:",
    "Popular on Harbour Ledger",
    "Explore further",
    # A link to another story behind such a label.
    "Read more: Council delays vote on tram extension",
    "RELATED: Port strike enters its second week",
    "See also | Five charts on the housing market",
    "Lea también: Puerto de Kessel amplía su terminal",
    "Lesen Sie auch: Hafen Kessel baut neues Terminal",
    # Follow-us lines.
    "Follow us on Instagram",
    "Follow Maja Lind on X @majalind",
    "Like us on Facebook and follow us on Threads",
    "Follow @harbourledger for the latest news",
    # Agency credits.
    "(Reporting by Maja Lind in Gdansk; Editing by Tom Berg)",
    "(Additional reporting by Ana Costa)",
    "Maja Lind contributed to this report.",
    "Associated Press writer Tom Berg in Oslo contributed reporting.",
    # Newsletter and inbox promos.
    "Thanks for signing up!",
    "Get the week's best stories delivered to your inbox.",
    "Sign up",
    "By signing up, you agree to our Privacy Policy and Terms of Use.",
    "Enter your email address",
    "Our morning briefing newsletter: the news you need, every weekday at 7am.",
    # Tool bars, reprints and copyright.
    "Print",
    "Email this article",
    "Reprints & Permissions",
    "Click to share on LinkedIn (Opens in new window)",
    "Link copied!",
    "This article is republished from The Harbour Ledger under a Creative Commons license.",
    "Originally published on The Harbour Ledger",
    "This interview has been edited for length and clarity.",
    "Copyright 2026 The Harbour Ledger. All rights reserved.",
    "This material may not be published, broadcast, rewritten or redistributed.",
    # Sign-up, paywall, app and site notices.
    "Sign up to get our ferry timetable updates every Monday.",
    "Subscribe today to the Ledger's print edition to read the whole report.",
    "Harbour Ledger Weekly Newsletter",
    "Want to know when the ferries sail? Sign up here",
    "Please subscribe to keep reading the Harbour Ledger's reporting.",
    "Already a subscriber? Sign in here.",
    "Download the Harbour Ledger app for iPhone to get alerts on ferry delays.",
    "Get our app",
    "Have a view on the ferries? Send your letter to the editor by Friday.",
    "This post contains affiliate links; we may earn a commission if you buy.",
    "Release Date:",
    "(Credit: Maja Lind / Harbour Ledger)",
    # Embedded media, site controls, metadata lists.
    "WATCH: The ferry's first crossing to Gdansk",
    "Advertisement - Scroll to continue",
    "Sign in",
    "Log in / Register",
    "Skip to main content",
    "Loading...",
    "Please enable JavaScript to view the comments.",
    "Tags: ferries, shipping, Baltic, Gdansk",
    # Reading time.
    "5 min read",
    "Reading time: 4 minutes",
]


@pytest.mark.parametrize("junk", JUNK)
def test_each_rule_drops_its_junk_mid_article(junk: str) -> None:
    doc = _doc(BODY, junk, BODY2)
    assert doc.paragraphs == (BODY, BODY2)
    assert doc.removed == (junk,)


PROSE = [
    "Readers can leave a comment on the proposal until 3 June, the council said.",
    "Shares in the operator rose 4 per cent after the announcement on Friday.",
    "The minister declined to comment on the share sale, which raised $300mn.",
    "Popular opposition to the runway has grown since 2024, a poll by Civica found.",
    "The photo agency Getty Images said it would appeal the ruling.",
    "The statement was distributed to shareholders via Reuters.",
    # Look-alikes of the related-links, follow, credit, promo and tool-bar rules: sentences.
    "Read more about how the harbour fund works in the council's 40-page report.",
    "Also on Tuesday, the board approved a €12mn contract for cranes at the eastern quay.",
    "Also on the agenda",
    "Related costs rose 12 per cent to €4.1mn in the first quarter, the company said.",
    "See more: that was the mayor's answer to every question about the budget.",
    "Followers of the project on Instagram doubled to 40,000 after the launch.",
    "Follow-up inspections on the quay found no further cracks, the agency said.",
    "Several staff contributed to the report, which runs to 300 pages, the ministry said.",
    "Reporting by Oskar Lindqvist; editing by Maria Holm",
    "The newsletter, which has 40,000 subscribers, was sold to a rival in March.",
    "Thanks to the new cranes, the port handled 12 per cent more containers.",
    "Print runs fell 8 per cent last year as readers moved online, the publisher said.",
    "Copyright lawyers said the ruling, due in 2027, would affect thousands of artists.",
    "This article of the treaty was first published in 1998, the court noted.",
    "Five minutes later, the ferry left the harbour with 300 passengers on board.",
    "25 min.",  # a recipe's cooking time, not a reading time
    "Users must download the tracker app to get the discount, the ministry said.",
    "Watch the ferries arrive: the first crossing is on Friday at 6am.",
    "Registered voters in the harbour district backed the plan by 61 per cent.",
    "Loading the ferries will take two hours, the operator said.",
    "Topics: the minister listed three. The first was the budget.",
    "The App Store fee rose to 30 per cent in 2021, the regulator found.",
    "Subscribers to the scheme rose 12 per cent, to 40,000, the ministry said.",
    "Credit card spending rose 4 per cent in March, the central bank said.",
    "The newsletter's founder, Maja Lind, said she would step down in June.",
    "Like me, many residents fear the new cranes will block the view of the bay.",
    "Like many on Facebook, she shared photos of the flooded quay with her neighbours.",
    "Follow me, the harbour master said, and led us past the new cranes.",
    "First published in 1865, the Harbour Ledger is the oldest paper in the region.",
    "This report was published on Tuesday by the ministry and shows a 12 per cent rise.",
    "Thanks for joining us! To start, could you tell us how the port began?",
    # What real bodies keep: subheads in capitals, date lines, link lists.
    "THE NEW TERMINAL",
    "10 March 2026, 08:30 GMT",
    "Port of Kessel annual report 2025 (PDF)",
]


@pytest.mark.parametrize("prose", PROSE)
def test_prose_mentioning_chrome_words_survives(prose: str) -> None:
    doc = _doc(BODY, prose, BODY2)
    assert doc.paragraphs == (BODY, prose, BODY2)
    assert doc.removed == ()


def test_a_rules_needed_words_never_change_what_it_matches() -> None:
    """`needs` only skips patterns that cannot match: the same rule wins with or without it."""
    from briefing.clean.boilerplate import RULES, _bare, match_rule

    def without_needs(line: str) -> str | None:
        for rule in RULES:
            target = line.strip() if rule.name == "markdown-image" else _bare(line)
            if rule.pattern.fullmatch(target):
                return rule.name
        return None

    lines = [*JUNK, *PROSE, BODY, BODY2, "Getty Images via AFP", "NEWSLETTER: YOUR INBOX",
             "All Rights Reserved by Example", "JANE ROE CONTRIBUTED TO THIS REPORT"]
    for line in [*lines, *(ln.upper() for ln in lines), *(ln.lower() for ln in lines)]:
        found = match_rule(line)
        assert (found.name if found else None) == without_needs(line), line
    assert sum(rule.needs != () for rule in RULES) >= 4


def test_trailing_chrome_block_is_cut_whole() -> None:
    doc = _doc(BODY, BODY2, "Share post:", "Popular", "Airport reopens after storm",
               "Fuel prices fall for a third week", "More like this", "Runway vote delayed")
    assert doc.paragraphs == (BODY, BODY2)
    assert len(doc.removed) == 6


def test_short_credit_line_after_body_is_kept_when_no_marker_starts_the_footer() -> None:
    doc = _doc(BODY, BODY2, "Additional reporting by Ana Costa in Lisbon")
    assert doc.paragraphs[-1] == "Additional reporting by Ana Costa in Lisbon"


def test_body_after_chrome_means_it_was_not_a_footer() -> None:
    doc = _doc(BODY, "Share post:", BODY2)
    assert doc.paragraphs == (BODY, BODY2)


def test_caption_repeated_by_its_credit_goes_with_it() -> None:
    text = "Headline\n\n" + BODY + "\n\nThe new terminal at night, in March\n" \
        "The new terminal © Port Authority/Example\n\n" + BODY2
    doc = clean_text_document(text)
    assert doc.paragraphs == (BODY, BODY2)


def test_recommended_block_drops_link_lines_up_to_the_next_body_paragraph() -> None:
    paragraphs = [BODY, "Recommended", "Airports", "Airport operator takes lead in race for slots",
                  "Jane Roe, chief executive", BODY2]
    assert strip_paragraphs(paragraphs) == [BODY, BODY2]


def test_markdown_title_and_one_paragraph_per_line() -> None:
    doc = clean_text_document(f"# Runway approved\n{BODY}\n![map](map.png)\n{BODY2}\n")
    assert doc.title == "Runway approved"
    assert doc.paragraphs == (BODY, BODY2)


def test_hard_wrapped_paragraph_is_joined() -> None:
    doc = clean_text_document("Title\n\nA paragraph that was\nwrapped at forty columns.\n")
    assert doc.paragraphs == ("A paragraph that was wrapped at forty columns.",)


def test_control_characters_are_removed() -> None:
    doc = clean_text_document("Ti\x1b]0;pwned\x07tle\n\nBody \x1b[2Jtext here.")
    assert doc.title == "Title"
    assert doc.paragraphs == ("Body text here.",)
    assert not re.search(r"[\x00-\x1f]", "".join(doc.paragraphs))


@pytest.mark.parametrize("text", ["", "\n\n   \n"])
def test_empty_text(text: str) -> None:
    assert clean_text_document(text) == CleanDoc(title="", paragraphs=(), removed=())


def test_strip_paragraphs_keeps_order_and_body() -> None:
    paragraphs = [BODY, "Advertisement", BODY2, "LEAVE A REPLY", "Please enter your comment!"]
    assert strip_paragraphs(paragraphs) == [BODY, BODY2]
    assert strip_paragraphs([]) == []


# ---- the project's own sample article, shaped like seed 000 ----

SAMPLES = Path(__file__).resolve().parent.parent / "sample_feeds"


def test_sample_harbour_article_is_cleaned_like_seed_000() -> None:
    doc = clean_text_document((SAMPLES / "articles" / "harbour-expansion.txt").read_text("utf-8"))
    assert doc.title == "Port of Kessel to spend €2.1bn on deep-water harbour expansion"
    assert doc.paragraphs[0].startswith("The Port of Kessel will spend €2.1bn")
    assert doc.paragraphs[-1] == "Reporting by Oskar Lindqvist; editing by Maria Holm"
    assert len(doc.paragraphs) == 9
    text = "\n".join(doc.paragraphs)
    for junk in ("Date:", "newsletter", "©", "Cranes at", "LEAVE A REPLY", "Share post",
                 "Popular", "Tram extension", "More like this", "Source link"):
        assert junk not in text


# ---- the headline repeated at the top of the text ----

HEADLINE = "Nordvik orders twelve electric ferries"
LEDE = ("Nordvik orders twelve electric ferries, the company said on Tuesday, in a $1.2bn deal "
        "that makes it the largest buyer of battery ships in the Baltic.")


@pytest.mark.parametrize(
    ("line", "titles"),
    [
        (HEADLINE, [f"{HEADLINE} | The Harbour Ledger"]),
        (f"‘{HEADLINE}’", [f"{HEADLINE} - The Harbour Ledger"]),
        (HEADLINE.upper(), ["The Harbour Ledger: news", f"{HEADLINE} – The Harbour Ledger"]),
        ("Nordvik orders 12 electric ferries", ["", f"The Harbour Ledger | {HEADLINE}"]),
        ("Nordvik orders twelve new electric ferries", [HEADLINE]),
    ],
)
def test_headline_matched_loosely_is_dropped(line: str, titles: list[str]) -> None:
    assert drop_headline(["Business", line, BODY, BODY2], titles) == ["Business", BODY, BODY2]


@pytest.mark.parametrize(
    "paragraphs",
    [
        [LEDE, BODY],  # the opening paragraph starts like the headline: prose, kept
        ["Nordvik's ferries: what the order means for Gdansk", BODY],  # another line, shorter
        [BODY, BODY2, BODY, BODY2, HEADLINE],  # a repeat further down is not the headline
    ],
)
def test_lines_that_only_resemble_the_headline_stay(paragraphs: list[str]) -> None:
    assert drop_headline(paragraphs, [f"{HEADLINE} | The Harbour Ledger"]) == paragraphs


def test_no_title_drops_nothing() -> None:
    assert drop_headline([HEADLINE, BODY], ["", "   "]) == [HEADLINE, BODY]


# ---- a second copy of the text ----


def test_a_repeated_run_of_paragraphs_is_dropped_and_a_repeated_paragraph_kept() -> None:
    third = "Passengers will pay the same fares, the operator said, and the old ships go for scrap."
    quote = "“We will not wait for the money,” the mayor said."
    copy = [BODY, quote, BODY2, third]
    assert strip_paragraphs([*copy, quote, *copy]) == [*copy, quote]
    assert strip_paragraphs([BODY, quote, BODY2, quote, third]) == [BODY, quote, BODY2, quote,
                                                                  third]


# ---- closing sections: the author's biography, the company's standard paragraph ----

BIO = "Maja Lind is a senior reporter at The Harbour Ledger, where she covers shipping and energy."
COMPANY = ("Nordvik Shipping is a Baltic ferry operator with 40 vessels and 3,100 employees, "
           "listed in Oslo since 2004. For more information, visit its website.")
THIRD = "Passengers will pay the same fares, the operator said, and the old ships go for scrap."


@pytest.mark.parametrize("heading", ["About the author", "About the authors:", "ABOUT NORDVIK",
                                     "About Nordvik Shipping"])
def test_closing_section_near_the_end_is_cut_whole(heading: str) -> None:
    assert strip_paragraphs([BODY, BODY2, THIRD, heading, BIO, COMPANY]) == [BODY, BODY2, THIRD]


@pytest.mark.parametrize(
    "paragraphs",
    [
        ["About Nordvik Shipping", COMPANY, BODY, BODY2, THIRD, BIO],  # the page's subject
        [BODY, BODY2, THIRD, "About the money", BIO],  # a subhead in lower case
        [BODY, "About Nordvik Shipping", BODY2, THIRD, BIO, COMPANY],  # too high up
    ],
)
def test_about_lines_elsewhere_stay(paragraphs: list[str]) -> None:
    assert strip_paragraphs(paragraphs) == paragraphs
