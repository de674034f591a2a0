"""Score the fact rules against a hand-labelled gold set of figures on real text.

The gold set (bench/data/facts_gold.tsv) names lines of the IWSLT15 en-vi dev set's English
side (TED talks translated by people) by number only; the text is read from
../shared/corpora/iwslt15-envi-dev at run time and never copied here. Each line is run through
facts.extract as a paragraph of its own. A found fact matches a gold figure of the same kind on
the same line whose value is within 1% (a date: the same year or month); each gold figure
matches once. Prints precision and recall per kind, and how often a matched figure's unit is
the labelled one, and writes JSON to bench/results/facts_bench.json.

    .venv/bin/python -m bench.facts_bench [--corpus DIR] [--show-misses]
"""

from __future__ import annotations

import argparse
import html
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefing.facts import extract  # noqa: E402
from briefing.models import Fact  # noqa: E402

GOLD = ROOT / "bench" / "data" / "facts_gold.tsv"
CORPUS = ROOT.parent / "shared" / "corpora" / "iwslt15-envi-dev"
OUT = ROOT / "bench" / "results" / "facts_bench.json"
KINDS = ("money", "percent", "measure", "count", "duration", "date")
# "today", "this year", weekdays: dates in news (against the day it was published), but not a
# figure a reader of a talk would note; they are left out of the date scores.
RELATIVE = ("today", "yesterday", "tomorrow", "this ", "last ", "next ", "monday", "tuesday",
            "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Gold:
    file: str
    line: int
    kind: str
    value: str
    unit: str


def load_gold(path: Path = GOLD) -> list[Gold]:
    rows = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw or raw.startswith("#") or raw.startswith("file\t"):
            continue
        file, line, kind, value, unit = raw.split("\t")
        rows.append(Gold(file, int(line), kind, value, unit))
    return rows


def _same_value(fact: Fact, gold: Gold) -> bool:
    if gold.kind == "date":
        return str(fact.value).startswith(gold.value)
    try:
        want = float(gold.value)
        got = float(fact.value)
    except (TypeError, ValueError):
        return False
    return abs(got - want) <= 0.01 * max(abs(want), 1e-9)


def _same_unit(fact: Fact, gold: Gold) -> bool:
    if gold.unit == "-":
        return True
    if gold.kind == "count":  # the head noun: "different kinds" counts "kinds"
        return fact.unit.split(" ")[-1:] == [gold.unit]
    return fact.unit == gold.unit


def _scored(fact: Fact) -> bool:
    relative = fact.kind == "date" and fact.text.lower().startswith(RELATIVE)
    return fact.kind in KINDS and not relative


def score(gold: list[Gold], lines: dict[tuple[str, int], str], *,
          show_misses: bool = False) -> dict[str, dict[str, float]]:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    unit_ok: Counter[str] = Counter()
    by_line: dict[tuple[str, int], list[Gold]] = {}
    for g in gold:
        by_line.setdefault((g.file, g.line), []).append(g)
    for key, wanted in sorted(by_line.items()):
        text = lines[key]
        found = [f for f in extract(text, paragraph=0, language="en") if _scored(f)]
        open_gold = [g for g in wanted if g.kind != "none"]
        for fact in found:
            match = next((g for g in open_gold if g.kind == fact.kind and _same_value(fact, g)),
                         None)
            if match is None:
                fp[fact.kind] += 1
                if show_misses:
                    print(f"  extra  {key[1]:>5} {fact.kind:<8} {fact.text!r} {fact.unit}")
                continue
            open_gold.remove(match)
            tp[fact.kind] += 1
            unit_ok[fact.kind] += _same_unit(fact, match)
        for g in open_gold:
            fn[g.kind] += 1
            if show_misses:
                print(f"  missed {key[1]:>5} {g.kind:<8} {g.value} {g.unit}")
    table: dict[str, dict[str, float]] = {}
    for kind in (*KINDS, "all"):
        t = sum(tp.values()) if kind == "all" else tp[kind]
        p = sum(fp.values()) if kind == "all" else fp[kind]
        n = sum(fn.values()) if kind == "all" else fn[kind]
        u = sum(unit_ok.values()) if kind == "all" else unit_ok[kind]
        table[kind] = {"gold": t + n, "found": t + p, "matched": t,
                       "precision": round(t / (t + p), 3) if t + p else 0.0,
                       "recall": round(t / (t + n), 3) if t + n else 0.0,
                       "unit_ok": round(u / t, 3) if t else 0.0}
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    gold = load_gold()
    lines: dict[tuple[str, int], str] = {}
    for file in sorted({g.file for g in gold}):
        path = args.corpus / file
        if not path.is_file():
            sys.exit(f"facts_bench: {path} not found: the corpus lives in ../shared "
                     "(pass --corpus DIR)")
        text = path.read_text(encoding="utf-8").splitlines()
        # The corpus is Moses-tokenised with HTML entities ("&apos;"): unescaped, as a page is.
        lines.update({(file, g.line): html.unescape(text[g.line - 1]) for g in gold
                      if g.file == file})
    table = score(gold, lines, show_misses=args.show_misses)
    print(f"{'kind':<9}{'gold':>6}{'found':>7}{'match':>7}{'prec':>7}{'recall':>8}{'unit ok':>9}")
    for kind, row in table.items():
        print(f"{kind:<9}{row['gold']:>6.0f}{row['found']:>7.0f}{row['matched']:>7.0f}"
              f"{row['precision']:>7.3f}{row['recall']:>8.3f}{row['unit_ok']:>9.3f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"gold": str(GOLD.relative_to(ROOT)), "lines": len(lines),
                                    "kinds": table}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
