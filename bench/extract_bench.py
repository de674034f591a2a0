"""Extraction: plain trafilatura against briefing's extract_html (trafilatura plus our cleaning
rules and an lxml fallback), on pages whose body we know.

Pages: the project's own sample pages (sample_feeds/pages/*.html, articles/rail-link.html;
the body is the <p> children of `.article-body`) and generated news pages built around the
benchmark's item text with the usual chrome: navigation, share bar, newsletter box, "most
read" list, comments, footer. For each page: the time to extract, the body paragraphs found
(recall) and the lines kept that are not body (junk).

A development set of real pages, when present: trafilatura's own evaluation pages and their
hand-written snippets (`tests/eval`, `tests/cache` and `tests/evaldata.json` of
github.com/adbar/trafilatura, ~990 pages in many languages). It is kept OUTSIDE the project
(its pages are other people's) and found through $BRIEFING_EXTRACT_DEVSET, else
../devdata/trafilatura-eval beside the checkout; absent, that part is skipped with a note.
Each page names a few snippets that must be in the text ("with") and a few that must not
("without"); the score is trafilatura's own: a "with" snippet found is a true positive, a
"without" snippet found a false positive, by whitespace-normalised substring. There is no
full reference text, so this is snippet precision and recall, not a bag-of-words F1. The
acceptance set (real news pages with full gold text) is deliberately not used here.

    .venv/bin/python -m bench.extract_bench [--pages 200] [--dev-limit N] [--dev-only]
"""

from __future__ import annotations

import argparse
import html as htmllib
import json
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

from bench.common import ROOT, item_html, median, table, write_json

CHROME_TOP = """<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/markets">
Markets</a> <a href="/tech">Tech</a></nav><div class="cookie">We use cookies to improve your
experience. <button>Accept all</button></div></header>"""
CHROME_IN = """<div class="share">Share <a>Facebook</a> <a>X</a> <a>LinkedIn</a> <a>Email</a>
</div>"""
CHROME_BOTTOM = """<aside class="newsletter"><p>Sign up for the Morning Brief newsletter, sent
every weekday.</p></aside><section class="most-read"><h2>Most read</h2><ol><li><a>Port strike
enters second week</a></li><li><a>Five charts on the housing market</a></li></ol></section>
<section class="comments"><h2>Comments (2)</h2><div class="comment"><p>reader_42: Great news for
the region, about time.</p></div><div class="comment"><p>old_hand: I will believe it when I see
it.</p></div></section><footer><p>© 2026 Example News Ltd. All rights reserved.</p></footer>"""


def generated(n: int) -> tuple[str, list[str]]:
    title, body = item_html(n, n % 20)
    from lxml import html as lh

    paras = [p.text_content() for p in lh.fromstring(f"<div>{body}</div>").findall("p")]
    page = (f"<!doctype html><html><head><title>{htmllib.escape(title)}</title></head><body>"
            f"{CHROME_TOP}<main><article><h1>{htmllib.escape(title)}</h1>{CHROME_IN}"
            f'<div class="article-body">{body}</div></article></main>{CHROME_BOTTOM}'
            "</body></html>")
    return page, paras


def own_pages() -> list[tuple[str, str, list[str]]]:
    from lxml import html as lh

    out = []
    for path in [*sorted((ROOT / "sample_feeds" / "pages").glob("*.html")),
                 ROOT / "sample_feeds" / "articles" / "rail-link.html"]:
        page = path.read_text(encoding="utf-8")
        doc = lh.fromstring(page)
        truth = [" ".join(p.text_content().split()) for p in doc.xpath(
            "//*[contains(concat(' ', normalize-space(@class), ' '), ' article-body ')]/p")]
        out.append((path.name, page, truth))
    return out


def plain_trafilatura(page: str | bytes) -> list[str]:
    import trafilatura

    try:
        text = trafilatura.extract(page, include_comments=False) or ""
    except Exception:  # a crash is a page with no text, as trafilatura's own evaluation counts it
        text = ""
    return [line for line in text.split("\n") if line.strip()]


def ours(page: str | bytes) -> list[str]:
    from briefing.clean.extract import ExtractError, extract_html

    try:
        return list(extract_html(page).paragraphs)
    except ExtractError:
        return []


def score(found: list[str], truth: list[str]) -> tuple[float, int]:
    norm = [" ".join(f.split()) for f in found]
    recall = sum(1 for t in truth if any(t in f or f == t for f in norm)) / (len(truth) or 1)
    junk = sum(1 for f in norm if not any(f in t or t in f for t in truth))
    return recall, junk


def run(name: str, fn: Callable[[str | bytes], list[str]],
        pages: list[tuple[str, str, list[str]]]) -> dict[str, float]:
    times, recalls, junk = [], [], 0
    for _label, page, truth in pages:
        t0 = time.perf_counter()
        found = fn(page)
        times.append(time.perf_counter() - t0)
        r, j = score(found, truth)
        recalls.append(r)
        junk += j
    return {"ms_per_page_median": median(times) * 1e3, "ms_per_page_mean": sum(times) / len(times)
            * 1e3, "recall": sum(recalls) / len(recalls), "junk_lines": junk, "pages": len(pages)}


DEVSET_ENV = "BRIEFING_EXTRACT_DEVSET"
_DEVSET_DEFAULTS = ("devdata/trafilatura-eval", "../devdata/trafilatura-eval")
_WS = re.compile(r"\s+")


def devset_dir() -> Path | None:
    """The folder holding tests/evaldata.json, or None when the dev set is absent."""
    named = os.environ.get(DEVSET_ENV)
    candidates = [Path(named)] if named else [(ROOT.parent / d).resolve() for d in _DEVSET_DEFAULTS]
    for base in candidates:
        for folder in (base, base / "tests"):
            if (folder / "evaldata.json").is_file():
                return folder
    return None


DevPage = tuple[str, bytes, list[str], list[str]]  # name, page, "with", "without"


def devset_pages(folder: Path, limit: int | None) -> list[DevPage]:
    data = json.loads((folder / "evaldata.json").read_text(encoding="utf-8"))
    pages: list[DevPage] = []
    for url in sorted(data)[:limit]:
        item = data[url]
        for sub in ("eval", "cache"):
            path = folder / sub / item["file"]
            if path.is_file():
                pages.append((item["file"], path.read_bytes(), item["with"], item["without"]))
                break
    return pages


def _norm(text: str) -> str:
    return _WS.sub(" ", text).strip()


def snippet_counts(text: str, with_: list[str], without: list[str]) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives) of one page's snippets."""
    found = _norm(text)
    tp = sum(1 for w in with_ if _norm(w) in found)
    fp = sum(1 for w in without if _norm(w) in found)
    return tp, fp, len(with_) - tp


def run_devset(fn: Callable[[str | bytes], list[str]], pages: list[DevPage],
               misses: list[str] | None = None) -> dict[str, float]:
    times: list[float] = []
    tp = fp = fn_ = 0
    for name, page, with_, without in pages:
        t0 = time.perf_counter()
        lines = fn(page)
        times.append(time.perf_counter() - t0)
        a, b, c = snippet_counts("\n".join(lines), with_, without)
        tp, fp, fn_ = tp + a, fp + b, fn_ + c
        if misses is not None and (b or c):
            misses.append(f"{name}: {c} 'with' missed, {b} 'without' kept")
    precision, recall = tp / ((tp + fp) or 1), tp / ((tp + fn_) or 1)
    return {"ms_per_page_median": median(times) * 1e3,
            "ms_per_page_mean": sum(times) / len(times) * 1e3,
            "snippet_precision": precision, "snippet_recall": recall,
            "snippet_f1": 2 * precision * recall / ((precision + recall) or 1),
            "pages": len(pages)}


def _devset(limit: int | None, show: bool) -> dict[str, dict[str, float]] | None:
    folder = devset_dir()
    if folder is None:
        print(f"dev set skipped: no evaldata.json (set {DEVSET_ENV} to trafilatura's tests/)")
        return None
    pages = devset_pages(folder, limit)
    results = {}
    for label, fn in (("trafilatura", plain_trafilatura), ("briefing", ours)):
        misses: list[str] | None = [] if show else None
        results[label] = run_devset(fn, pages, misses)
        for line in misses or ():
            print(f"  {label} {line}")
    rows = [[label, f"{r['ms_per_page_median']:.1f}", f"{r['ms_per_page_mean']:.1f}",
             f"{r['snippet_precision']:.3f}", f"{r['snippet_recall']:.3f}",
             f"{r['snippet_f1']:.3f}", r["pages"]] for label, r in results.items()]
    print(f"dev set: {folder}")
    print(table(["extractor", "ms/page (median)", "ms/page (mean)", "snippet P", "snippet R",
                 "snippet F1", "n"], rows))
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=200, help="generated pages")
    ap.add_argument("--dev-limit", type=int, default=None, help="first N dev-set pages only")
    ap.add_argument("--dev-only", action="store_true", help="skip the generated pages")
    ap.add_argument("--show-misses", action="store_true", help="list dev pages with misses")
    args = ap.parse_args()
    if args.dev_only:
        plain_trafilatura("<html><body><p>warm up</p></body></html>")
        ours("<html><body><p>warm up the imports and the model.</p></body></html>")
        print(write_json("extract_bench_dev", {"devset": _devset(args.dev_limit,
                                                                 args.show_misses)}))
        return
    pages = [(f"gen{i}", *generated(i)) for i in range(args.pages)]
    own = [p for p in own_pages() if p[2]]
    for fn in (plain_trafilatura, ours):  # warm both up: imports and the language model
        fn(pages[0][1])
    results = {}
    for label, fn in (("trafilatura", plain_trafilatura), ("briefing", ours)):
        results[label] = {"generated": run(label, fn, pages), "sample_pages": run(label, fn, own)}
    rows = [[label, which, f"{r['ms_per_page_median']:.2f}", f"{r['recall']:.3f}",
             r["junk_lines"], r["pages"]]
            for label, by in results.items() for which, r in by.items()]
    print(table(["extractor", "pages", "ms/page (median)", "body recall", "junk lines", "n"],
                rows))
    dev = _devset(args.dev_limit, args.show_misses)
    print(write_json("extract_bench", {**results, "devset": dev}))


if __name__ == "__main__":
    main()
