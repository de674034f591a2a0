"""Extraction: plain trafilatura against briefing's extract_html (trafilatura plus our cleaning
rules and an lxml fallback), on pages whose body we know.

Pages: the project's own sample pages (sample_feeds/pages/*.html, articles/rail-link.html;
the body is the <p> children of `.article-body`) and generated news pages built around the
benchmark's item text with the usual chrome: navigation, share bar, newsletter box, "most
read" list, comments, footer. For each page: the time to extract, the body paragraphs found
(recall) and the lines kept that are not body (junk).

    .venv/bin/python -m bench.extract_bench [--pages 200]
"""

from __future__ import annotations

import argparse
import html as htmllib
import time
from collections.abc import Callable

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


def plain_trafilatura(page: str) -> list[str]:
    import trafilatura

    text = trafilatura.extract(page, include_comments=False) or ""
    return [line for line in text.split("\n") if line.strip()]


def ours(page: str) -> list[str]:
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


def run(name: str, fn: Callable[[str], list[str]],
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=200, help="generated pages")
    args = ap.parse_args()
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
    print(write_json("extract_bench", results))


if __name__ == "__main__":
    main()
