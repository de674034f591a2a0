"""Folder bench: `briefing fetch DIR` over a folder of small notes, cold (every file new), warm
(every file unchanged) and after one file in a hundred was edited. A user's folder of saved
articles or drafts is read whole on every run, so its cost per file must not grow with the
folder (a run of 3,000 unchanged notes once took 88 s: what the store knew of the folder, and
the folder's listing, were read again for each file).

    .venv/bin/python -m bench.folder_bench --sizes 300 3000
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench.common import isolated_env, median, reference_ms, run_measured, table, write_json

_WORDS = ["harbour", "port", "expansion", "revenue", "shares", "rose", "fell", "analysts",
          "said", "officials", "company", "plan", "jobs", "growth", "market", "exports"]


def _note(rng: random.Random, i: int, edit: int = 0) -> str:
    paras = [" ".join(rng.choice(_WORDS) for _ in range(30)).capitalize()
             + f" It cost ${rng.randint(1, 900) + edit}mn in {2000 + i % 25}, up "
             f"{rng.randint(1, 90)}%." for _ in range(4)]
    return f"Note number {i}\n\n" + "\n\n".join(paras) + "\n"


def _write(folder: Path, n: int, edited: frozenset[int] = frozenset()) -> None:
    for i in range(n):
        rng = random.Random(i)
        (folder / f"note{i:05d}.txt").write_text(_note(rng, i, 1 if i in edited else 0),
                                                 encoding="utf-8")


def run(n: int, repeat: int) -> dict[str, float]:
    out: dict[str, list[float]] = {"cold": [], "warm": [], "1% edited": []}
    cpu: dict[str, list[float]] = {k: [] for k in out}
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            folder = root / "notes"
            folder.mkdir()
            _write(folder, n)
            env = isolated_env(root / "home")
            cmd = [sys.executable, "-m", "briefing", "--db", str(root / "b.db"), "fetch",
                   "--quiet", str(folder)]
            for phase in out:
                if phase == "1% edited":
                    _write(folder, n, frozenset(range(0, n, 100)))
                m = run_measured(cmd, env=env)
                if m.returncode != 0:
                    raise SystemExit(f"{phase}: exit {m.returncode}: {m.stderr[-500:]}")
                out[phase].append(m.wall)
                cpu[phase].append(m.cpu)
    return {**{f"{k} s": median(v) for k, v in out.items()},
            **{f"{k} cpu s": median(v) for k, v in cpu.items()}}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 3000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    before = reference_ms()
    results = {n: run(n, args.repeat) for n in args.sizes}
    after = reference_ms()
    keys = list(next(iter(results.values())))
    rows = [[n, *(results[n][k] for k in keys), results[n]["warm s"] / n * 1000]
            for n in args.sizes]
    print(table(["files", *keys, "warm ms/file"], rows))
    print(f"reference loop {before:.1f} ms before, {after:.1f} ms after (bench.common)")
    path = write_json("folder_bench.json", {"results": results, "reference_ms":
                                            [before, after], "repeat": args.repeat})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
