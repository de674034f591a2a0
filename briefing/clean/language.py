"""Language of a paragraph and of an article, with py3langid.

py3langid ships its model in the wheel, so this works offline. Unpacking it is the expensive
part: ~540 ms on this project's dev container (py3langid 0.4: the model is an xz-compressed
numpy file), so it is done once per install and the arrays kept in the user's cache, which
later runs map (~40 ms; see `langid_cache`). The model is loaded on first use, once per
process, never at import time. After that a paragraph costs ~0.1 ms (measured over seed 004's
230-character paragraphs), so tagging every paragraph of an article is cheap next to fetching it.
An article's paragraphs go to the model together (see `langid_batch`), which is what makes them
that cheap: one paragraph at a time, py3langid's byte-by-byte Python walk costs ~0.1 ms alone.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# Below about 20 letters the n-gram counts are too thin: "Nvidia H20" or "Share post:" gets a
# confident but random label. Such strings take the caller's fallback (usually the article's
# language) instead.
MIN_LETTERS = 20

_lock = threading.Lock()
_identifier: Any = None
_batch: Any = None  # a langid_batch.BatchClassifier, or None for a model it was not proved for


def _model() -> Any:
    """The py3langid identifier, loaded once; the lock keeps two threads from loading it twice."""
    global _identifier, _batch
    if _identifier is None:
        with _lock:
            if _identifier is None:
                from py3langid.langid import MODEL_DIR, MODEL_FILE

                from briefing.clean.langid_batch import BatchClassifier
                from briefing.clean.langid_cache import load_identifier

                identifier = load_identifier(_cache_file())
                _batch = BatchClassifier.for_model(identifier, MODEL_DIR / MODEL_FILE)
                _identifier = identifier
    return _identifier


CACHE_FILE = "langid-model.bin"  # in locations.cache_dir(); see clean.langid_cache


def _cache_file() -> Path | None:
    """Where the unpacked model is kept between runs, or None when no cache folder can be
    made (the model is then unpacked from the wheel every run, as before there was a cache)."""
    from briefing.errors import UsageError
    from briefing.locations import cache_dir

    try:
        return cache_dir() / CACHE_FILE
    except (OSError, UsageError):  # UsageError: a ~user in BRIEFING_CACHE with no home
        return None


def _labels(texts: Sequence[str]) -> list[str]:
    """py3langid's label for each text."""
    identifier = _model()
    if _batch is not None and sum(map(len, texts)) >= BATCH_MIN_CHARS:
        # In slices: the batch's arrays take tens of bytes per input byte, so a 15 MB text's
        # 30,000 paragraphs at once took hundreds of MB. A text's label does not depend on the
        # others in its batch.
        return [label for i in range(0, len(texts), BATCH_TEXTS)
                for label, _score in _batch.classify(texts[i:i + BATCH_TEXTS])]
    return [identifier.classify(t)[0] for t in texts]


JUDGED_PARAGRAPHS = 2_000  # long reads have a few hundred
# Below this much text in all, py3langid's own walk is the cheaper (one 170-character
# paragraph: 80 us against the batch's 130; the batch's arrays cost more to set up than the
# bytes cost to walk). Both give the same label (tests/test_clean_langid_batch.py).
BATCH_MIN_CHARS = 500
BATCH_TEXTS = 1_000  # texts of up to SAMPLE_CHARS per call to the batch classifier

# py3langid's cost grows with the text; a paragraph's first few hundred characters already
# carry enough n-grams to decide, and cron runs this on every paragraph of every item.
SAMPLE_CHARS = 400


def _enough_letters(text: str) -> bool:
    """At least MIN_LETTERS letters, stopping as soon as that many are seen."""
    seen = 0
    for ch in text:
        if ch.isalpha():
            seen += 1
            if seen >= MIN_LETTERS:
                return True
    return False


def _detect_all(texts: Sequence[str], fallback: str) -> list[str]:
    """`detect` of each text, with one call to the model for all of them."""
    judged = [i for i, text in enumerate(texts) if _enough_letters(text)]
    codes = [fallback] * len(texts)
    if not judged:
        return codes  # and the model stays unloaded
    for i, code in zip(judged, _labels([texts[i][:SAMPLE_CHARS] for i in judged]), strict=True):
        # The model also has a few three-letter labels and "und"; callers expect two letters.
        if isinstance(code, str) and len(code) == 2:
            codes[i] = code
    return codes


def enough_letters(text: str) -> bool:
    """Has `text` enough letters for its language to be told (MIN_LETTERS)?"""
    return _enough_letters(text)


def detect(text: str, fallback: str = "") -> str:
    """ISO 639-1 code of `text`, or `fallback` when it is too short or has no letters to judge."""
    return _detect_all([text], fallback)[0]


def detect_paragraphs(
    paragraphs: Sequence[str], fallback: str = ""
) -> tuple[list[str], str]:
    """Per-paragraph languages and the article's language.

    The article's language is the one with the most text, not the most paragraphs: a post
    with ten one-line Vietnamese bullets and five long English paragraphs is mostly English.
    Paragraphs too short to judge then take the article's language.
    """
    # Paragraphs past the first JUDGED_PARAGRAPHS are not judged and take the article's
    # language: a 15 MB text has 30,000 paragraphs, 8 s of the model, and no reader checks
    # the language of its last one.
    raw = _detect_all(paragraphs[:JUDGED_PARAGRAPHS], "")
    raw += [""] * (len(paragraphs) - len(raw))
    return _settle(paragraphs, raw, fallback)


# Of the article's plain (ASCII) paragraphs, this much goes to the model at once: what one
# paragraph alone was judged on. The model's cost grows with the text, not the calls.
PLAIN_SAMPLE = SAMPLE_CHARS
# Shorter paragraphs are still judged alone: on a line like "Reporting by Oskar Lindqvist;
# editing by Maria Holm" the model's label is a coin toss ("af"), and judging it with the
# rest would change stored results for no saving worth having (cost grows with length).
JOINT_MIN_CHARS = 120


# Function words of languages whose news is written in plain ASCII: a feed declaring one of
# them (RSS <language>, Atom xml:lang) is believed for its ASCII text when that text is full of
# them (see `_reads_as`). Other declared languages are not believed: the model decides.
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset({
        "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "for", "from", "had",
        "has", "have", "he", "her", "his", "in", "is", "it", "its", "not", "of", "on", "or",
        "said", "says", "she", "that", "the", "their", "they", "this", "to", "was", "were",
        "which", "who", "will", "with", "would"}),
}
# Share of a text's words that must be the declared language's function words. English news
# runs at 30-45% (the wire bench's figure-heavy sentences at ~35%); Dutch, German or Indonesian
# written in ASCII reach a few per cent, as does Vietnamese without its diacritics.
PRIOR_SHARE = 0.2
_WORDS = re.compile(r"[a-z]+")
# A-Z lower-cased, a-z kept, every other byte a space: split() then gives what the pattern
# [a-z]+ finds in the lower-cased text, at a third of its cost. For ASCII text only.
_LETTERS = bytes(c + 32 if 65 <= c <= 90 else c if 97 <= c <= 122 else 32 for c in range(256))


def declared(language: str) -> str:
    """A feed's declared language ("en-US", "EN_gb", "en") as a two-letter code, or "" for
    what is not one."""
    code = language.strip().lower().replace("_", "-").split("-")[0]
    return code if len(code) == 2 and code.isascii() and code.isalpha() else ""


def _reads_as(text: str, language: str) -> bool:
    """Whether an ASCII text is plainly in `language` by its function words: no model run."""
    words = FUNCTION_WORDS.get(language)
    if not words:
        return False
    # The runs of a-z of the lower-cased text, by a byte table (see _LETTERS) when it is ASCII.
    found = (text.encode("ascii").translate(_LETTERS).decode("ascii").split()
             if text.isascii() else _WORDS.findall(text.lower()))
    return len(found) >= MIN_WORDS and sum(w in words for w in found) >= PRIOR_SHARE * len(found)


MIN_WORDS = 20  # fewer words are too few to tell a language by its function words


def detect_article(paragraphs: Sequence[str], fallback: str = "", prior: str = ""
                   ) -> tuple[list[str], str]:
    """`detect_paragraphs` with the model run once per article for its plain-ASCII text, and per
    paragraph only where the text could be another language.

    A text mixes languages where it mixes scripts or diacritics: an English article with a
    Vietnamese (or French, German, Spanish) paragraph shows it in the letters. So the
    paragraphs written in ASCII alone (of JOINT_MIN_CHARS or more) are judged together, as
    one sample of PLAIN_SAMPLE characters, and every other paragraph on its own. Per
    paragraph, the model cost ~0.4 ms an item (every paragraph of every item, most of them
    in the article's one language).

    `prior` is the language the feed declares: when the plain text reads as that language by
    its function words (`_reads_as`), the model is not run on any plain paragraph; a
    paragraph in another script or with diacritics is still judged on its own, so a feed
    declaring "en" that carries Vietnamese gets Vietnamese paragraphs."""
    head = paragraphs[:JUDGED_PARAGRAPHS]
    plain = [i for i, p in enumerate(head)
             if len(p) >= JOINT_MIN_CHARS and p.isascii() and _enough_letters(p)]
    if len(plain) < 2:
        return detect_paragraphs(paragraphs, fallback)
    judged = set(plain)
    rest = [i for i in range(len(head)) if i not in judged]
    sample = "\n".join(head[i][:SAMPLE_CHARS] for i in plain)[:PLAIN_SAMPLE]
    believed = _reads_as(sample, prior)
    if believed:
        # The short plain lines too ("The company declined to comment."): alone, the model's
        # label for a line that short is a coin toss; with the feed and the article's text
        # both saying `prior`, the line is that language.
        short = [i for i in rest if head[i].isascii() and _enough_letters(head[i])]
        plain += short
        rest = [i for i in rest if i not in set(short)]
        codes = [prior, *_detect_all([head[i] for i in rest], "")]
    else:
        codes = _detect_all([sample, *(head[i] for i in rest)], "")
    raw = [""] * len(paragraphs)
    for i in plain:
        raw[i] = codes[0]
    for i, code in zip(rest, codes[1:], strict=True):
        raw[i] = code
    return _settle(paragraphs, raw, fallback)


def _settle(paragraphs: Sequence[str], raw: list[str], fallback: str) -> tuple[list[str], str]:
    """The article's language (the one most of its text is in, by characters) and each
    paragraph's, the article's standing in for a paragraph judged too short to tell."""
    weight: Counter[str] = Counter()
    for para, code in zip(paragraphs, raw, strict=True):
        if code:
            weight[code] += len(para)
    article = weight.most_common(1)[0][0] if weight else fallback
    return [code or article for code in raw], article
