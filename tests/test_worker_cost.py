"""The worker's cheaper ways of doing per-item work give exactly what the plain ways give
(issue 19): story signatures (figure keys computed once, one sort per figure's context, the
MinHash without 64-bit division), sentences split once per paragraph, and the tagger's
shortcuts. Each test compares the fast path with the plain computation it replaces, on
articles from the benchmark's own generator (bench/common.py: text written for this project).
"""

from __future__ import annotations

import pickle
import zlib
from dataclasses import FrozenInstanceError

import numpy as np
import pytest

from bench.common import item_html, wire_item_html
from briefing import signatures as sig
from briefing import tagger
from briefing import text as text_mod
from briefing.clean import language
from briefing.clean.extract import html_to_paragraphs
from briefing.ingest import Job, build_article
from briefing.models import Article
from briefing.text import split_sentences


def _articles(n: int = 60, style: str = "wire") -> list[Article]:
    job = Job(source="http://127.0.0.1/feed.xml", kind="feed", body=b"", url="http://127.0.0.1/",
              now="2026-06-30T12:00:00+00:00")
    out = []
    make = wire_item_html if style == "wire" else item_html
    for i in range(n):
        title, html = make(i // 20, i % 20)
        out.append(build_article(job, aid=f"a{i}", url=f"https://example.com/{i}", title=title,
                                 paragraphs=html_to_paragraphs(html), published="2026-06-01",
                                 declared="en"))
    return out


def _plain_minhash(text: str) -> tuple[int, ...]:
    words = sig._WORD.findall(text.casefold())
    shingles = {f"{a} {b} {c}" for a, b, c in zip(words, words[1:], words[2:], strict=False)}
    if len(shingles) < 8:
        return ()
    x = np.array([zlib.crc32(s.encode()) for s in shingles], dtype=np.uint64)
    return tuple(((sig._A[:, None] * x[None, :] + sig._B[:, None]) % sig._PRIME)
                 .min(axis=1).tolist())


def test_min_hashes_where_a_value_folds_to_the_prime_or_above() -> None:
    # x with a * x + b a multiple of 2**31 - 1 for the first permutation: the folds leave
    # _PRIME (or a little more) where the remainder is 0, the case that takes _PRIME off.
    prime = int(sig._PRIME)
    a, b = int(sig._A[0]), int(sig._B[0])
    zero = (prime - b) * pow(a, -1, prime) % prime
    for near in (zero, zero + prime, (zero + 1) % prime, (zero + 2) % prime + prime):
        x = np.array([near, 12345, 2**32 - 1, 0, prime, prime - 1], dtype=np.uint64)
        plain = tuple(((sig._A[:, None] * x[None, :] + sig._B[:, None]) % sig._PRIME)
                      .min(axis=1).tolist())
        assert sig._min_hashes(x) == plain


def test_minhash_is_the_modulo_formula() -> None:
    texts = [a.text for a in _articles()] + [
        "Đà Nẵng sẽ đầu tư 12 tỷ USD, tạo thêm 4.000 việc làm mới trong ba năm tới, ông nói.",
        "one two three four five six seven eight nine ten eleven",
        "too short to hash",
        # Repeated shingles: few distinct ones in all, or only after the first 32.
        "up down up " * 40,
        "up down up " * 40 + "then one two three four five six seven eight nine ten",
        "up down " * 40 + "one two three four five six",
    ]
    for text in texts:
        assert sig._minhash(text) == _plain_minhash(text)
    assert sig._minhash("too short to hash") == ()


def test_minhash_reduction_holds_at_the_extremes() -> None:
    # Every permutation against the largest and smallest shingle hashes, and many between.
    x = np.concatenate([np.array([0, 1, 2**31 - 2, 2**31 - 1, 2**31, 2**32 - 1], np.uint64),
                        np.random.RandomState(7).randint(0, 2**32, 20_000, dtype=np.uint64)])
    want = (sig._A[:, None] * x[None, :] + sig._B[:, None]) % sig._PRIME
    hashed = np.multiply.outer(sig._A, x)
    hashed += sig._B[:, None]
    for _ in range(2):
        low = hashed & sig._PRIME
        hashed >>= sig._SHIFT
        hashed += low
    assert (np.minimum(hashed, hashed - sig._PRIME) == want).all()


def test_signature_figures_carry_their_own_keys() -> None:
    for art in _articles():
        for fig in sig.signature(art).figs:
            fresh = sig.Fig(fig.kind, fig.unit, fig.value, fig.text, fig.weight, fig.context)
            assert (fig.bucket, fig.own_key) == (fresh.bucket, fresh.own_key)
            assert fig.key(fig.bucket + 1) == fresh.key(fresh.bucket + 1)


def test_signature_contexts_as_built_figure_by_figure() -> None:
    """Each figure's context: its sentence's names and words, and the keys of the sentence's
    other figures (its own too when another figure shares it)."""
    checked = 0
    for art in _articles():
        s = sig.signature(art)
        for fig in s.figs:
            own = [t for t in fig.context if t.startswith("f:")]
            sentence = [g for g in s.figs if g.context - {t for t in g.context
                                                          if t.startswith("f:")}
                        == fig.context - set(own)]
            keys = [g.own_key for g in sentence]
            others = {k for k in keys if k != fig.own_key or keys.count(k) > 1}
            assert set(own) == others
            checked += 1
    assert checked > 500


def test_stored_form_splits_keys_from_words() -> None:
    for art in _articles():
        s = sig.signature(art)
        data = s.as_json()
        for f, (*_, words, keys) in zip(s.figs, data["figs"], strict=True):
            assert keys == sorted(t for t in f.context if t.startswith("f:"))
            assert data["words"][words] == sorted(t for t in f.context
                                                  if not t.startswith("f:"))
        assert sig.Signature.from_json(data).figs == s.figs


def test_stored_form_packed_from_sentence_contexts_is_the_one_from_as_json() -> None:
    """`Signature.stored` packs a signature made by `signature` from the sorted words and keys
    its figures carry; the same figures made without them pack through `as_json`."""
    checked = 0
    for art in _articles():
        s = sig.signature(art)
        plain = sig.Signature(tuple(sig.Fig(f.kind, f.unit, f.value, f.text, f.weight,
                                            f.context) for f in s.figs),
                              s.names, s.minhash, s.name)
        assert sig._sorted_contexts(plain.figs) is None
        assert sig._sorted_contexts(s.figs) is not None
        assert s.stored == plain.stored
        assert sig.Signature.from_json(sig.decode_signature(s.stored)) == s
        checked += len(s.figs)
    assert checked > 500


def _plain_band_keys(minhash: tuple[int, ...], bands: int, rows: int) -> list[str]:
    return [f"h:{b}:{zlib.crc32(repr(tuple(minhash[b::bands][:rows])).encode()):08x}"
            for b in range(bands)] if minhash else []


def test_band_keys_are_those_of_the_bands_repr() -> None:
    from briefing.store.keys import band_keys

    minhashes = [sig.signature(a).minhash for a in _articles(20)]
    minhashes += [(), (0, 2**31 - 2, 7), tuple(range(64)), (True, *range(63))]
    for m in minhashes:
        for bands, rows in ((10, 3), (16, 4), (4, 1), (40, 2)):
            assert band_keys(m, bands, rows) == _plain_band_keys(m, bands, rows)
            assert band_keys(list(m), bands, rows) == _plain_band_keys(m, bands, rows)


def test_the_minhash_bytes_are_the_values_as_numpy_packs_them() -> None:
    for art in _articles(20):
        s = sig.signature(art)
        assert s.minhash_bytes == np.asarray(s.minhash, dtype="<u4").tobytes()
        assert s.match.minhash.tolist() == list(s.minhash)


def test_split_sentences_kept_and_fresh() -> None:
    text = "Revenue rose 5% to $12bn. Mr. Smith said so. The deal closes in June."
    first = split_sentences(text, "en")
    first.append((0, 1))  # a caller's change to its list reaches no other caller
    again = split_sentences(text, "en")
    assert [text[s:e] for s, e in again] == [
        "Revenue rose 5% to $12bn.", "Mr. Smith said so.", "The deal closes in June."]
    assert split_sentences(text, "de") == again
    long = "A sentence here. " * (text_mod.SPLIT_KEPT_CHARS // 17 + 1)
    before = text_mod._kept_split.cache_info().currsize
    assert len(split_sentences(long)) == long.count(".")
    assert text_mod._kept_split.cache_info().currsize == before  # never kept


@pytest.mark.parametrize("language", ["en", "vi", "es"])
def test_split_sentences_same_with_and_without_keeping(language: str) -> None:
    for art in _articles(20):
        for p in art.paragraphs:
            assert split_sentences(p.text, language) == text_mod._split_sentences(
                p.text, language)


_ASCII_SAMPLES = [
    "it's the co-founder's 2nd plan_b: x2 rose 5.5% to $12bn -- 'quoted' words, a b c9 d-",
    "Revenue Rose 12% At Acme-Corp (NYSE: ACM); CEO O'Neil said __init__ won't 4ever",
    "".join(chr(c) for c in range(32, 127)),
]


@pytest.mark.parametrize("sample", _ASCII_SAMPLES)
def test_ascii_word_patterns_match_the_unicode_ones(sample: str) -> None:
    from briefing import summarize

    low = sample.lower()
    assert summarize._ascii_words(sample) == summarize._WORD.findall(low)
    assert sig._ascii_words(sample) == [
        w.encode() for w in sig._WORD.findall(sample.casefold())]
    assert sig._ascii_context_words(sample) == [
        w.casefold() for w in sig._CONTEXT_WORD.findall(sample)]
    assert tagger._title_words(sample) == tagger._TOPIC_WORD.findall(sample)
    assert language._LETTERS and sample.encode().translate(language._LETTERS).decode().split(
        ) == language._WORDS.findall(low)


def test_non_ascii_words_keep_the_unicode_patterns() -> None:
    # "İ" casefolds to "i" and a combining dot, which ends a word: no ASCII shortcut here.
    art = _articles(1)[0]
    text = "İstanbul Straße đầu tư 12 tỷ USD " + art.text
    assert sig._minhash(text) == _plain_minhash(text)


def test_short_summaries_keep_every_sentence_and_long_ones_are_ranked() -> None:
    from briefing.models import Paragraph
    from briefing.summarize import summary

    two = (Paragraph(0, "Acme Ports said on Monday it would spend $2bn on a new terminal. "
                        "The terminal opens in 2028 and adds 1,200 jobs, officials said"),)
    assert summary(two, [], "en", "Acme to spend $2bn") == two[0].text + "."
    long = " ".join(f"Sentence number {i} says something about the port expansion plan that "
                    f"goes on and on with detail after detail about cranes, berths and "
                    f"the {i} dredging contracts awarded." for i in range(3))
    three = (Paragraph(0, long),)
    picked = summary(three, [], "en", "Port expansion")
    assert len(long) > 450 and picked.count("Sentence number") == 2


def test_short_texts_are_labelled_as_the_batch_labels_them() -> None:
    from briefing.clean import language

    language._model()
    if language._batch is None:
        pytest.skip("the installed py3langid model is not the one the batch walk was proved for")
    texts = [
        "Ông Nguyễn Văn An cho biết doanh thu năm ngoái tăng mạnh nhờ xuất khẩu.",
        "Le port de Da Nang investira douze milliards de dollars dans un nouveau terminal.",
        "Die Reederei investiert zwölf Milliarden Dollar in ein neues Terminal im Hafen.",
        "Revenue rose 12.5% to $45bn in the year to March, the chief executive said.",
        "El puerto invertirá doce mil millones de dólares en una nueva terminal.",
    ]
    for text in texts:
        assert len(text) < language.BATCH_MIN_CHARS
        assert language._labels([text]) == [language._batch.classify([text])[0][0]]
    assert language._labels(texts) == [label for label, _ in language._batch.classify(texts)]


def _same_match(a: sig.Match, b: sig.Match) -> bool:
    return ((a.probes, a.values, a.names, a.minhash.tolist())
            == (b.probes, b.values, b.names, b.minhash.tolist()))


def test_a_worker_sends_the_match_form_the_writer_would_decode() -> None:
    """What a worker sends of a signature (ingest._signature, pickled as the process pool
    pickles it) arrives with its match form made: the one the writer decoded from the stored
    text before, keys interned as there, so the writer decodes nothing."""
    from sys import intern

    from briefing.ingest import _signature

    short = _articles(1)[0]
    short = Article(short.id, short.url, short.source, "Short", "Sales rose 12.5% to $4.2bn.",
                    (), facts=short.facts[:2])
    arts = [*_articles(), short]
    made = [pickle.loads(pickle.dumps(_signature(a), protocol=pickle.HIGHEST_PROTOCOL))
            for a in arts]
    assert not made[-1].match.minhash.size  # too short for a MinHash, as stored
    for sent in made:
        assert "match" in sent.__dict__ and "data" not in sent.__dict__
        decoded = sig.Match.from_data(sig.decode_signature(sent.stored))
        assert _same_match(sent.match, decoded)
        for probe in sent.match.probes:
            assert all(intern(k) is k for k in probe[:3])
        assert all(intern(k) is k for k in sent.match.values)
        # The form kept for later comparisons keeps it too.
        assert sent.lean().match is sent.match


def test_the_match_form_made_from_figures_is_the_decoded_one() -> None:
    for art in _articles():
        s = sig.signature(art)
        assert _same_match(sig.Match.of(s), sig.Match.from_data(s.as_json()))


def test_evolve_is_dataclasses_replace() -> None:
    """ingest.evolve (replace without __init__) makes what dataclasses.replace makes, leaves
    the original as it was, and refuses a field the class does not have."""
    from dataclasses import replace

    from briefing.ingest import evolve
    from briefing.models import FeedEntry

    art = _articles(1)[0]
    before = replace(art)
    for changes in ({"text": ""}, {"text": "", "translations": ()},
                    {"facts": art.facts[:3], "tags": ("x",), "tagger_version": 7}, {}):
        made = evolve(art, **changes)
        assert made == replace(art, **changes) and type(made) is Article
        assert made is not art
    assert art == before
    entry = FeedEntry("https://a.example/1", "g", "T", summary_html="<p>x</p>", tags=("a",))
    assert evolve(entry, summary_html="") == replace(entry, summary_html="")
    with pytest.raises(TypeError, match="no field 'txt'"):
        evolve(art, txt="")
    with pytest.raises(FrozenInstanceError):
        evolve(art, text="").text = "changed"  # type: ignore[misc]


def _gc_state() -> tuple[tuple[int, ...], int]:
    import gc

    return gc.get_threshold(), gc.get_freeze_count()


def test_workers_start_with_the_preloaded_objects_frozen_and_rare_collections() -> None:
    """A real worker of the fetch's pool: what the fork server loaded is frozen (never walked
    by a worker's collections) and young collections are rare."""
    from briefing.ingest import WORKER_GC_THRESHOLD
    from briefing.procpool import process_pool

    pool = process_pool(1)
    try:
        threshold, frozen = pool.submit(_gc_state).result(timeout=120)
    finally:
        pool.shutdown()
    assert threshold == WORKER_GC_THRESHOLD
    assert frozen > 10_000  # the modules, the parsers and the model's objects


# Every ASCII character alone and after a space or another character, and a few non-ASCII
# spaces and format characters: the shortcuts must agree with the patterns they skip.
_SHORT_SAMPLES = [a + b for a in [chr(c) for c in range(128)] + ["\u00a0", "\u2000", "\u200e"]
                  for b in ("", " ", "\t", "a", "\x7f", "\u3000")]


def test_whitespace_and_control_shortcuts_agree_with_their_patterns() -> None:
    from briefing.clean import extract

    for sample in _SHORT_SAMPLES:
        for text in (sample, f"word {sample} word", f"{sample}  {sample}"):
            assert extract._one_spaced(text) == extract._WS.sub(" ", text)
            if text.isprintable():
                assert not text_mod._UNSAFE.search(text) and not text_mod._CONTROLS.search(text)
            if text.isascii():
                odd = "\t" in text or "  " in text
                assert odd == bool(text_mod._ODD_SPACES.search(text))
                if not odd:
                    assert text_mod._SPACES.sub(" ", text) == text
            assert text_mod.one_line(text) == text_mod._SPACES.sub(
                " ", text_mod.sanitize(text, keep_newlines=False)).strip()[:500]


def test_make_fact_is_the_dataclass_made_without_init() -> None:
    from briefing.facts import make_fact
    from briefing.models import Fact

    for args in (("money", "$12bn", 12e9, "USD", 1, 10, 15),
                 ("org", "Acme", "Acme", "", 0, 0, 4, 3)):
        made, plain = make_fact(*args), Fact(*args)
        assert made == plain and hash(made) == hash(plain)
        assert pickle.dumps(made) == pickle.dumps(plain)
        with pytest.raises(FrozenInstanceError):
            made.text = "x"  # type: ignore[misc]


def test_date_needles_hold_for_every_ascii_word() -> None:
    from briefing import facts

    with pytest.raises(ValueError, match="holds none"):
        facts._needles(["today", "next week"], ("day",))
    # ASCII text without the needles: the patterns find nothing in it anyway.
    assert not facts._may_have("Revenue rose 5% to $12bn at the firm.", facts._WEEKDAY_NEEDLES)
    assert facts._may_have("thứ Hai", facts._WEEKDAY_NEEDLES)
    hits = facts.extract("It closed on Monday, up from last week and yesterday.", paragraph=0,
                         language="en", published="2026-06-30")
    assert [f.text for f in hits if f.kind == "date"] == ["Monday", "last week", "yesterday"]


def test_signature_figures_are_the_dataclass_made_without_init() -> None:
    art = _articles(1)[0]
    figs = sig.signature(art).figs
    assert figs
    for f in figs:
        plain = sig.Fig(f.kind, f.unit, f.value, f.text, f.weight, f.context)
        assert f == plain and list(f.__dict__)[:6] == list(plain.__dict__)
        assert (f.bucket, f.own_key) == (plain.bucket, plain.own_key)
        with pytest.raises(FrozenInstanceError):
            f.value = 1.0  # type: ignore[misc]


def test_signature_from_the_taggers_sentences_is_the_one_split_again() -> None:
    """The sentences the tagger split for the summary, handed to the signature with their
    facts (as ingest.tag_articles does), give the signature split afresh; a paragraph the
    summary does not read (a caption, another language) is split by the signature itself."""
    from briefing.models import Paragraph

    arts = _articles()
    caption = Paragraph(9, "Cranes at the port, where 1,200 jobs and $4.5bn are at stake. "
                           "Photo: Acme Ports", "en", kind="caption")
    arts.append(Article("c", "https://example.com/c", "s", "Acme Ports", "", (
        *arts[0].paragraphs, caption), language="en"))
    checked = 0
    for art in arts:
        an, sentences = tagger.analyse_with_sentences(
            art.paragraphs, title=art.title, language=art.language, published="2026-06-01")
        assert an == tagger.analyse(art.paragraphs, title=art.title, language=art.language,
                                    published="2026-06-01")
        full = Article(art.id, art.url, art.source, art.title,
                       "\n\n".join(p.text for p in art.paragraphs), art.paragraphs,
                       language=art.language, facts=an.facts)
        shared, fresh = sig.signature(full, sentences), sig.signature(full)
        assert shared == fresh and shared.stored == fresh.stored
        checked += len(shared.figs)
    assert 9 not in sentences and any(f.paragraph == 9 for f in an.facts)
    assert checked > 500


def _plain_textrank(texts: list[str], damping: float = 0.85, steps: int = 30) -> np.ndarray:
    """TextRank as summarize._textrank computed it before its shortcuts."""
    from briefing import gazetteer as gz
    from briefing import summarize

    vocab: dict[str, int] = {}
    rows = [[vocab.setdefault(w, len(vocab)) for w in summarize._WORD.findall(t.lower())
             if w not in gz.STOPWORDS] for t in texts]
    n, size = len(texts), len(vocab)
    if not vocab or n == 1:
        return np.ones(n)
    tf = np.zeros((n, size))
    for i, ids in enumerate(rows):
        for w in ids:
            tf[i, w] += 1.0
    idf = np.log((1.0 + n) / (1.0 + (tf > 0).sum(axis=0))) + 1.0
    vec = tf * idf
    vec /= np.maximum(np.linalg.norm(vec, axis=1, keepdims=True), 1e-9)
    sim = vec @ vec.T
    np.fill_diagonal(sim, 0.0)
    out = sim.sum(axis=1, keepdims=True)
    walk = np.divide(sim, out, out=np.full_like(sim, 1.0 / n), where=out > 0)
    rank = np.full(n, 1.0 / n)
    for _ in range(steps):
        rank = (1 - damping) / n + damping * (walk.T @ rank)
    return rank


@pytest.mark.parametrize("steps", [0, 1, 2, 7, 30, 64])
def test_textrank_by_squaring_takes_any_number_of_steps(steps: int) -> None:
    """The power taken by squaring is the step repeated `steps` times, for any count (bits
    set and not), on texts with words in common and a text sharing none."""
    from briefing import summarize

    texts = ["Revenue rose at the chip plant as demand for chips grew in Hanoi.",
             "The chip plant in Hanoi will employ workers from the region.",
             "Demand for memory chips grew across the region this year.",
             "Unrelated words entirely: weather, football, cooking.",
             "Chip plant in Hanoi"]
    got = summarize._textrank(texts, steps=steps)
    want = _plain_textrank(texts, steps=steps)
    assert np.allclose(got, want, rtol=1e-12, atol=0.0)
    assert got.argsort(kind="stable").tolist() == want.argsort(kind="stable").tolist()


@pytest.mark.parametrize("style", ["plain", "wire"])
def test_textrank_and_summary_boosts_as_computed_plainly(style: str) -> None:
    from briefing import summarize

    checked = 0
    for art in _articles(style=style):
        an = tagger.analyse(art.paragraphs, title=art.title, language=art.language,
                            published="2026-06-01")
        units = [u for u in summarize._units(art.paragraphs, an.facts, art.language)
                 if summarize._summary_worthy(u[0].text[u[1]:u[2]], art.title)]
        texts = [p.text[s:e].strip() for p, s, e, _ in units]
        if len(texts) < 3:
            continue
        scores = summarize._textrank([*texts, art.title])
        reference = _plain_textrank([*texts, art.title])
        # The steps are taken by squaring (summarize._textrank): the same ranks to within
        # rounding, and the summary below is the one the step-by-step ranks choose.
        assert np.allclose(scores, reference, rtol=1e-12, atol=0.0)
        plain = reference[:-1].copy()
        for i, (_, _, _, found) in enumerate(units):
            figures = sum(1 for f in found if f.kind in summarize.FIGURE_KINDS)
            plain[i] *= (1.0 + 0.25 * min(figures, 3)) * (1.0 + 1.0 / (1.0 + i))
        order = sorted(np.argsort(-plain, kind="stable")[:3].tolist())
        if sum(len(texts[i]) for i in order) > summarize._SUMMARY_CHARS:
            order = sorted(np.argsort(-plain, kind="stable")[:2].tolist())
        assert an.summary == " ".join(summarize._closed(texts[i]) for i in order)
        checked += 1
    assert checked > 40


@pytest.mark.parametrize("style", ["plain", "wire"])
def test_tag_articles_is_each_article_tagged_and_signed_alone(style: str) -> None:
    """tag_articles tags a batch whole before signing it: each article's analysis and
    signature are those of tagging it alone and signing it with sentences split afresh, also
    for an article sent without its text (as tag_behind sends them) and an id sent twice
    (the later one wins, as before)."""
    from briefing.ingest import evolve, tag_articles, with_analysis

    arts = _articles(40, style)
    arts[3] = evolve(arts[3], text="")
    arts.append(evolve(arts[7], title="Another title for the same id"))
    tagging = tag_articles(arts)
    assert list(tagging.analyses) == list(tagging.signatures) == list(dict.fromkeys(
        a.id for a in arts))
    for art in {a.id: a for a in arts}.values():
        alone = tagger.analyse(art.paragraphs, title=art.title, language=art.language,
                               published=art.published if art.dated else None,
                               feed_tags=art.feed_tags)
        assert tagging.analyses[art.id] == alone
        full = evolve(with_analysis(art, alone),
                      text="\n\n".join(p.text for p in art.paragraphs))
        fresh = sig.signature(full)
        assert tagging.signatures[art.id].stored == fresh.sent().stored
        assert _same_match(tagging.signatures[art.id].match, fresh.sent().match)


def _ascii_unit_samples() -> list[str]:
    """Every English duration unit, relative date word and weekday, alone, plural,
    capitalised, glued to letters on either side, after numbers and inside longer words."""
    from briefing import gazetteer as gz

    words = [w for w in (*gz.DURATION_UNITS, *gz.RELATIVE_DATES, *gz.WEEKDAYS) if w.isascii()]
    out = []
    for w in words:
        for form in (w, w + "s", w.capitalize(), w.upper(), "x" + w, w + "x", w + "s-long"):
            out += [form, f"3 {form}", f"over three {form} ago.", f"last {form}, this {form}",
                    f"the {form}'s end", f"({form})", f"{form}{form}"]
    return out


@pytest.mark.parametrize("style", ["plain", "wire"])
def test_ascii_duration_and_relative_date_shortcuts_match_the_full_patterns(style: str) -> None:
    """ASCII text is scanned for durations and weekdays by patterns of their ASCII words and
    for relative dates only when it holds a needle: each finds exactly what the full patterns
    find."""
    from briefing import facts
    from briefing import numbers as num

    texts = [p.text for a in _articles(60, style) for p in a.paragraphs] + _ascii_unit_samples()
    found = skipped = 0
    for text in texts:
        if not text.isascii():
            continue  # scanned by the full patterns (checked below)
        fast = [(m.span(), m.groupdict()) for m in num._DURATION_UNIT_ASCII.finditer(text)]
        assert fast == [(m.span(), m.groupdict()) for m in num.DURATION_UNIT.finditer(text)]
        found += len(fast)
        assert [m.span() for m in facts._WEEKDAY_ASCII.finditer(text)] == [
            m.span() for m in facts.WEEKDAY.finditer(text)]
        if not facts._may_have(text, facts._RELATIVE_NEEDLES):
            assert facts.RELATIVE.search(text) is None
            skipped += 1
    assert found > 200 and skipped > 100
    # Text past ASCII keeps the full patterns.
    hits = facts.extract("Doanh thu 3 năm tới tăng, tuần trước 5 ngày; hôm nay 2 hours.",
                         paragraph=0, language="vi", published="2026-06-30")
    assert {(f.kind, f.text) for f in hits} >= {("duration", "3 năm"), ("date", "tuần trước"),
                                                ("duration", "5 ngày"), ("date", "hôm nay")}


@pytest.mark.parametrize("style", ["plain", "wire"])
def test_stored_signatures_deflate_as_zlib_compress_would(style: str) -> None:
    """keys.deflate sizes deflate's tables to the input: the stored signature decodes to the
    same data, and its stream is no longer than zlib.compress(..., 6) makes it."""
    from briefing.store import keys

    checked = 0
    for art in _articles(200, style):
        s = sig.signature(art)
        stored = s.stored
        head = 1 + keys._FORMS[stored[:1]][0].size + 4 * len(s.minhash)
        raw = zlib.decompress(stored[head:])
        assert len(stored) - head <= len(zlib.compress(raw, 6))
        assert sig.Signature.from_json(keys.decode_signature(stored)) == s
        checked += 1
    assert checked == 200
    rng = np.random.RandomState(3)
    words = [f"w{i}".encode() for i in range(300)]
    for size in (0, 1, 1023, 1024, 1025, 2047, 2048, 4095, 8191, 8192, 16383, 16384, 100_000):
        data = b" ".join(words[i] for i in rng.randint(0, 300, size // 3 + 1))[:size]
        made = keys.deflate(data)
        assert zlib.decompress(made) == data
        if len(data) >= 8192:  # the tables of zlib.compress: the same stream
            assert made == zlib.compress(data, 6)
        else:
            assert len(made) <= len(zlib.compress(data, 6)) * 1.01 + 2


def _plain_names(text: str) -> list[object]:
    """facts._names without its shortcut for runs of one opener."""
    from briefing import facts

    out: list[object] = []
    for m in facts.NAME_RUN.finditer(text):
        if facts._starts_word(text, m.start()):
            run = m.group(0)
            tail = (facts._HYPHEN_TAIL.match(text, m.end())
                    if text[m.end():m.end() + 1] == "-" else None)
            if tail and run.rsplit(" ", 1)[-1] in facts._PREFIXES:
                run += tail.group(0)
            out.extend(facts._classify_run(text, m.start(), run))
    return out


def test_names_skip_lone_openers_as_classify_run_cuts_them() -> None:
    from briefing import facts

    assert len(facts._LONE_OPENERS) > 50
    contexts = ("{w}", "{w} said", "In London, {w} rose", "the {w}'s plan", "{w}-based",
                "Mr {w}", "said {w}, who", "{w} Inc", "{w}.com", "at {w} in Hanoi")
    for w in sorted(facts._OPENERS):
        for c in contexts:
            text = c.format(w=w)
            if w in facts._LONE_OPENERS:
                assert list(facts._classify_run(text, text.index(w), w)) == [], (w, text)
            assert list(facts._names(text)) == _plain_names(text), text
    checked = 0
    for style in ("plain", "wire"):
        for art in _articles(200, style):
            for p in art.paragraphs:
                assert list(facts._names(p.text)) == _plain_names(p.text)
                checked += 1
    assert checked > 1000


def test_minhash_hashes_gathered_as_unsigned_32_bit_values() -> None:
    """_minhash reads the shingles' crc32 values through a 32-bit array: values of 2**31 and
    above (half of them) must come out unsigned, as the list of ints gave them."""
    from array import array

    assert array(sig._UINT32).itemsize == 4
    texts = [a.text for a in _articles(40, "plain")] + [a.text for a in _articles(40, "wire")]
    high = 0
    for text in texts:
        hashes = [zlib.crc32(s) for s in sig._shingles(text)]
        high += sum(h >= 2**31 for h in hashes)
        assert sig._minhash(text) == _plain_minhash(text)
    assert high > 1000


def test_host_of_an_urls_origin_is_urlsplits_host() -> None:
    from briefing import publishers

    urls = [a.url for style in ("plain", "wire") for a in _articles(40, style)]
    urls += ["https://www.ft.com/content/x?y#z", "http://a.b.com:8080/x", "HTTP://A.com/x",
             "https://user:pw@Example.COM/", "http://[::1]:80/a", "https://exa\tmple.com/p",
             "https://x.com?q=/a", "https://x.com#f/a", "https://", "http:/x", "", " http://a.c",
             "ftp://x.com/a", "file:///tmp/x.md", "https://www.bbc.co.uk", "http://a.com:/",
             "https://a.com\n/b", "https://ĐÀ.vn/tin", "https://a.com /b", "https://a.com\\b/c"]
    for url in urls + urls:  # the second time from the cache
        assert publishers.host_of(url) == publishers._split_host(url), url
    for bad in ("http://[::1/x", "https://[a/b"):  # urlsplit raises: no host, never an error
        assert publishers.host_of(bad) == publishers._split_host(bad) == ""
