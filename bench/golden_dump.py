"""Golden dump: what tagging and story grouping make of a fixed corpus, as deterministic JSON,
so a change meant to be faster only (issue 19) can be shown to change nothing else.

    .venv/bin/python -m bench.golden_dump --out /tmp/golden_before.json      # before a change
    .venv/bin/python -m bench.golden_dump --compare /tmp/golden_before.json  # after: diff, exit 1

The corpus: bench/common.py's wire-style feeds (more figures, copies across feeds, some
bilingual items) fetched through the real pipeline (worker processes, loopback HTTP), then a
churn round (one feed in ten with new items, the rest 304), then the project's sample_feeds
folder and, when present, ../shared/seeds (read at run time, never copied). Each article's
language, paragraph languages, tags, facts, key facts and summary are dumped, and the stories
as groups of article ids with their size, best article and flags. Story ids are left out: a
story is named after whichever member was assigned first, which the order sources finish in
decides; the groups themselves are what must not change.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import re
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import ROOT, FeedServer

SEEDS = ROOT.parent / "shared" / "seeds"
NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


def build(db: Path, feeds: int, seeds: Path | None, readable_first: bool | None = None) -> None:
    from briefing.config import Settings
    from briefing.pipeline import run_fetch
    from briefing.store import Store

    settings = Settings()
    if readable_first is not None:  # else as configured by default
        settings.fetch.readable_first = readable_first
    store = Store(db)
    try:
        with FeedServer(feeds, style="wire") as server:
            urls = server.urls()
            # Grouping depends on the order articles arrive in (a copy joins what is there),
            # and the order sources finish in is not fixed. The feeds that tell each story
            # first (every third: see wire_item_html) share no story, so they are fetched in
            # one run (worker processes, batched writes); each other feed then on its own.
            _check(run_fetch(settings, store, urls[::3], now=NOW), "cold, first of three")
            for i, url in enumerate(urls):
                if i % 3:
                    run_fetch(settings, store, [url], now=NOW)
            server.churn(10)
            for url in urls:
                run_fetch(settings, store, [url], now=NOW)
        # Local articles' ids come from their paths: read from one fixed place, so two
        # checkouts (before and after a change) give the same ids.
        # Two dumps at once (two checkouts compared side by side) share that place: a lock
        # keeps one from removing the copy the other is reading.
        fixed = Path(tempfile.gettempdir()) / "briefing-golden-corpus"
        with open(f"{fixed}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            shutil.rmtree(fixed, ignore_errors=True)
            shutil.copytree(ROOT / "sample_feeds", fixed / "sample_feeds")
            _check(run_fetch(settings, store, [str(fixed / "sample_feeds")], now=NOW,
                             extract=False), "sample_feeds")
            if seeds is not None:
                shutil.copytree(seeds, fixed / "seeds")
                _check(run_fetch(settings, store, [str(fixed / "seeds")], now=NOW,
                                 extract=False), "seeds")
            shutil.rmtree(fixed, ignore_errors=True)
    finally:
        store.close()


def _check(report: Any, what: str) -> None:
    print(f"{what}: added {report.added}, updated {report.updated}, unchanged "
          f"{report.unchanged}, 304 {report.not_modified}, failed {len(report.failed)}",
          file=sys.stderr)


def dump(db: Path) -> dict[str, Any]:
    from briefing.store import Store

    store = Store(db)
    try:
        articles = {}
        for aid in sorted(store.article_ids()):
            art = store.get_article(aid)
            assert art is not None
            articles[aid] = {
                # The server's port changes from run to run, and the checkout's path.
                "source": re.sub(r"^http://[^/]+", "http://server", art.source).replace(
                    str(ROOT), "ROOT"),
                "language": art.language,
                "paragraph_languages": [p.language for p in art.paragraphs],
                "tags": list(art.tags),
                "facts": [[f.kind, f.text, f.value, f.unit, f.paragraph, f.start, f.end, f.link]
                          for f in art.facts],
                "key_facts": [repr(k) for k in art.key_facts],
                "summary": art.summary, "content_hash": art.content_hash,
            }
        stories: list[dict[str, Any]] = []
        for s in store.stories.listing():
            stories.append({
                "members": sorted(m.article_id for m in s.members), "size": s.size,
                "best": s.best_article, "title": s.title,
                "flags": sorted([f.kind, f.text] for f in s.flags),
            })
        stories.sort(key=lambda s: s["members"])
        return {"articles": articles, "stories": stories}
    finally:
        store.close()


def compare(before: dict[str, Any], after: dict[str, Any], limit: int = 20) -> list[str]:
    """Differences, one line each (at most `limit` shown per part)."""
    out: list[str] = []
    a, b = before["articles"], after["articles"]
    for aid in sorted(set(a) | set(b)):
        if aid not in a or aid not in b:
            out.append(f"article {aid}: only {'after' if aid in b else 'before'}")
            continue
        for field in a[aid]:
            if a[aid][field] != b[aid].get(field):
                out.append(f"article {aid} {field}: {a[aid][field]!r} -> {b[aid].get(field)!r}")
    sa = {tuple(s["members"]): s for s in before["stories"]}
    sb = {tuple(s["members"]): s for s in after["stories"]}
    for members in sorted(set(sa) | set(sb)):
        if members not in sa or members not in sb:
            out.append(f"story {list(members)}: only {'after' if members in sb else 'before'}")
        elif sa[members] != sb[members]:
            out.append(f"story {list(members)}: {sa[members]!r} -> {sb[members]!r}")
    if len(out) > limit:
        out = [*out[:limit], f"... and {len(out) - limit} more"]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=60, help="wire-style feeds (x 20 items)")
    parser.add_argument("--out", type=Path, help="write the dump here")
    parser.add_argument("--compare", type=Path, help="dump again and diff against this file")
    parser.add_argument("--seeds", type=Path, default=SEEDS, help="seed folder (../shared/seeds)")
    parser.add_argument("--no-seeds", action="store_true", help="leave the seeds out")
    parser.add_argument("--readable-first", choices=("on", "off"),
                        help="fetch with [fetch] readable_first = true (tagging behind) or "
                             "false (tagging at once); default: as configured by default")
    args = parser.parse_args(argv)
    seeds = None if args.no_seeds or not args.seeds.is_dir() else args.seeds
    if seeds is None and not args.no_seeds:
        print(f"note: {args.seeds} not found; seeds left out", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="golden-") as tmp:
        db = Path(tmp) / "golden.db"
        build(db, args.feeds, seeds,
              None if args.readable_first is None else args.readable_first == "on")
        data = dump(db)
    print(f"{len(data['articles'])} articles, {len(data['stories'])} stories, "
          f"{sum(1 for s in data['stories'] if s['size'] > 1)} with copies", file=sys.stderr)
    if args.out:
        args.out.write_text(json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True))
    if args.compare:
        diff = compare(json.loads(args.compare.read_text()), data)
        print("\n".join(diff) if diff else "identical", file=sys.stderr)
        return 1 if diff else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
