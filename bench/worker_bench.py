"""Worker bench: the CPU a fetch's worker processes spend per item, stage by stage, and what
crosses the process boundary (issue 19), on the fetch bench's own feeds (bench/common.py).

    .venv/bin/python -m bench.worker_bench --feeds 60             # stages, ms/item, bytes/item
    .venv/bin/python -m bench.worker_bench --feeds 60 --style wire
    .venv/bin/python -m bench.worker_bench --feeds 60 --profile   # + cProfile of the stages

The stages are those of the default configuration (fetch.readable_first): a feed cleaned in a
worker (parse, paragraphs, languages) and its articles sent to the writer; the articles sent
back to a worker in batches, tagged (facts, bullets, summary, tags) and signed (story
signature), and the tagging sent to the writer, which then reads each signature's match form.
CPU time (time.process_time) with garbage collection off; on a shared machine prefer
instruction counts, which `--once` makes easy to take: the whole worker path run once with no
output, so two runs under cachegrind give instructions per item by difference:

    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \\
        .venv/bin/python -m bench.worker_bench --feeds 40 --once     # and --feeds 0

`--once STAGE` (clean, tag, sign) stops after that stage, the path warmed first on a few
feeds: the differences between stages at the same --feeds are each stage's instructions,
without the first-use costs (regex compilation, lazy imports).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pickle
import pstats
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from bench.common import feed_xml, reference_ms, table
from briefing import ingest
from briefing.models import Article
from briefing.tag_behind import BATCH

NOW = "2026-06-30T12:00:00+00:00"
BASE = "http://127.0.0.1:1"


def _job(body: bytes) -> ingest.Job:
    return ingest.Job(source=f"{BASE}/feed", kind="feed", body=body, url=f"{BASE}/feed",
                      now=NOW, options=ingest.Options(tag=False, extract=False))


def _dump(obj: Any) -> bytes:
    return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)


def _for_tagging(results: Sequence[ingest.Result]) -> list[list[Article]]:
    """The articles as tag_behind sends them: in batches, without the joined text."""
    arts = [ingest.evolve(a, text="", translations=()) for r in results for a in r.articles]
    return [arts[i:i + BATCH] for i in range(0, len(arts), BATCH)]


UPTO = ("none", "clean", "tag", "sign", "all")


def worker_path(bodies: Sequence[bytes], upto: str = "all") -> int:
    """Everything the workers and the boundary do for these feeds, once (or up to the stage
    `upto` of UPTO); the items made."""
    if upto == "none":
        return 0
    results = [pickle.loads(_dump(ingest.process(_job(b)))) for b in bodies]
    if upto in ("tag", "sign"):
        from briefing import tagger

        for batch in _for_tagging(results):
            for a in pickle.loads(_dump(batch)):
                an, sentences = tagger.analyse_with_sentences(
                    a.paragraphs, title=a.title, language=a.language,
                    published=a.published if a.dated else None, feed_tags=a.feed_tags)
                if upto == "sign":  # as ingest.tag_articles signs it
                    ingest._signature(ingest.evolve(
                        a, text="\n\n".join(p.text for p in a.paragraphs), facts=an.facts),
                        sentences)
    if upto != "all":
        return sum(len(r.articles) for r in results)
    for batch in _for_tagging(results):
        tagging = pickle.loads(_dump(ingest.tag_articles(pickle.loads(_dump(batch)))))
        for sent in tagging.signatures.values():
            _ = sent.match
    return sum(len(r.articles) for r in results)


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.process_time()
    out = fn()
    return out, time.process_time() - start


def stages(bodies: Sequence[bytes]) -> tuple[int, list[tuple[str, float, float]]]:
    """(items, [(stage, seconds, bytes)]) for one pass over the feeds."""
    rows: list[tuple[str, float, float]] = []
    results, s = _timed(lambda: [ingest.process(_job(b)) for b in bodies])
    rows.append(("worker: clean (parse, paragraphs, languages)", s, 0))
    sent, s = _timed(lambda: [_dump(r) for r in results])
    rows.append(("worker: pickle the readable articles", s, sum(map(len, sent))))
    _, s = _timed(lambda: [pickle.loads(p) for p in sent])
    rows.append(("main: unpickle them", s, 0))
    batches = _for_tagging(results)
    out, s = _timed(lambda: [_dump(b) for b in batches])
    rows.append(("main: pickle the batches to tag", s, sum(map(len, out))))
    _, s = _timed(lambda: [pickle.loads(p) for p in out])
    rows.append(("worker: unpickle them", s, 0))
    from briefing import tagger

    analyses, s = _timed(lambda: [[tagger.analyse_with_sentences(
        a.paragraphs, title=a.title, language=a.language, published=a.published,
        feed_tags=a.feed_tags) for a in b] for b in batches])
    rows.append(("worker: tag (facts, bullets, summary, tags)", s, 0))
    tagged = [(a, an) for b, ans in zip(batches, analyses, strict=True)
              for a, an in zip(b, ans, strict=True)]
    _, s = _timed(lambda: [ingest._signature(ingest.with_analysis(
        replace(a, text="\n\n".join(p.text for p in a.paragraphs)), an), sentences)
        for a, (an, sentences) in tagged])
    rows.append(("worker: story signature", s, 0))
    taggings, s = _timed(lambda: [ingest.tag_articles(b) for b in batches])
    rows.append(("worker: tag_articles (the two above, as run)", s, 0))
    back, s = _timed(lambda: [_dump(t) for t in taggings])
    rows.append(("worker: pickle the tagging", s, sum(map(len, back))))
    arrived, s = _timed(lambda: [pickle.loads(p) for p in back])
    rows.append(("main: unpickle it", s, 0))
    _, s = _timed(lambda: [sig.match for t in arrived for sig in t.signatures.values()])
    rows.append(("main: signatures' match forms", s, 0))
    return sum(len(r.articles) for r in results), rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=60, help="feeds of 20 items")
    parser.add_argument("--style", choices=("plain", "wire"), default="plain")
    parser.add_argument("--profile", action="store_true", help="cProfile the worker path")
    parser.add_argument("--once", nargs="?", const="", choices=("", *UPTO), default=None,
                        help="run the worker path once, silently (for instruction counts); "
                        "with a stage, warmed first and only up to that stage")
    args = parser.parse_args(argv)
    from briefing.clean import language

    language.detect("The language model is loaded before anything is measured here.")
    bodies = [feed_xml(f, 0, BASE, style=args.style) for f in range(args.feeds)]
    if args.once is not None:
        if args.once:
            worker_path(bodies[:3])
        worker_path(bodies, args.once or "all")
        return
    worker_path(bodies[:5])  # warm: first-use caches, lazy imports
    gc.disable()
    try:
        n, rows = stages(bodies)
    finally:
        gc.enable()
    print(f"{n} items ({args.feeds} feeds, style {args.style}); machine: reference loop "
          f"{reference_ms():.2f} ms (bench.common.reference_ms)")
    print(table(["stage", "ms/item", "bytes/item"],
                [[name, s * 1000 / n, b / n if b else ""] for name, s, b in rows]))
    if args.profile:
        prof = cProfile.Profile()
        prof.runcall(worker_path, bodies)
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(30)
        print(out.getvalue())


if __name__ == "__main__":
    main()
