from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefing.clean.boilerplate import CleanDoc, clean_text_document, strip_paragraphs
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
@pytest.mark.parametrize(
    "junk",
    [
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
    ],
)
def test_each_rule_drops_its_junk_mid_article(junk: str) -> None:
    doc = _doc(BODY, junk, BODY2)
    assert doc.paragraphs == (BODY, BODY2)
    assert doc.removed == (junk,)


@pytest.mark.parametrize(
    "prose",
    [
        "Readers can leave a comment on the proposal until 3 June, the council said.",
        "Shares in the operator rose 4 per cent after the announcement on Friday.",
        "The minister declined to comment on the share sale, which raised $300mn.",
        "Popular opposition to the runway has grown since 2024, a poll by Civica found.",
        "The photo agency Getty Images said it would appeal the ruling.",
        "The statement was distributed to shareholders via Reuters.",
    ],
)
def test_prose_mentioning_chrome_words_survives(prose: str) -> None:
    doc = _doc(BODY, prose, BODY2)
    assert doc.paragraphs == (BODY, prose, BODY2)
    assert doc.removed == ()


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
