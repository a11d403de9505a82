"""CPU seconds per stage of `narrator script` on the development novels: this checkout against another.

    python benchmarks/stage_speed.py BASELINE [CORPUS] [--pairs 3] [--novels SLUG ...]

BASELINE is another checkout of narrator (say a `git worktree add --detach /tmp/base main`). Each run is a
child process that imports one checkout's narrator and times, per novel, reading the text (read_story and
split_chapters), quote detection (split_dialogue), character discovery (find_characters) and attribution
(attribute); benchmarks/attribution.py's time column is the last three together. The two checkouts run
alternately, baseline first, for --pairs pairs; printed are each run, the medians and the ratio
this / baseline, with the load average before each run.

Why CPU time: on a shared machine wall time measures the other users as much as the code (a run at load 9 on
2 cores takes four times as long as at load 1), while the process's own CPU time moves far less with load.
Ratios from alternating runs are the figure to quote; absolute seconds depend on the machine.
Standard library only; the corpus is read, never copied.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("read", "quotes", "characters", "attribution")


def child(tree: Path, corpus: Path, novels: list[str]) -> dict[str, float]:
    """Run the stages on `novels` with `tree`'s narrator; CPU seconds per stage and the word count."""
    sys.path.insert(0, str(tree))
    from benchmarks.attribution import load  # here: the checkout is chosen at run time
    from narrator.attribution import attribute
    from narrator.characters import find_characters
    from narrator.dialogue import split_dialogue

    spent = dict.fromkeys(STAGES, 0.0)
    words = 0
    for slug in novels:
        t0 = time.process_time()
        story, chapters = load(corpus / slug / "text.txt")
        t1 = time.process_time()
        segments = [s for ch in chapters for s in split_dialogue(story, ch)]
        t2 = time.process_time()
        characters = find_characters(story, segments)
        t3 = time.process_time()
        attribute(segments, characters)
        t4 = time.process_time()
        for stage, secs in zip(STAGES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            spent[stage] += secs
        words += len(story.text.split())
    return {**spent, "words": words}


def run_child(tree: Path, corpus: Path, novels: list[str]) -> dict[str, float]:
    """One timed run in a fresh interpreter (nothing cached from the other checkout's run)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), str(tree), str(corpus), "--child", "--novels", *novels]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"error: the run with {tree} failed: {last}", file=sys.stderr)
        raise SystemExit(1)
    return json.loads(out.stdout)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("baseline", help="another checkout of narrator (a folder holding narrator/)")
    ap.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus" / "pdnc"))
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--novels", nargs="*", help="these slugs only (default: every development novel)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    tree, corpus = Path(args.baseline).resolve(), Path(args.corpus)
    if args.child:
        print(json.dumps(child(tree, corpus, args.novels or [])))
        return 0
    if not (tree / "narrator" / "attribution.py").is_file():
        print(f"error: no narrator checkout at {tree} (expected {tree / 'narrator'})", file=sys.stderr)
        return 2
    if args.pairs < 1:
        print("error: --pairs must be at least 1", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    from benchmarks.attribution import dev_novels  # reports a missing corpus in one line

    novels = [p.name for p in dev_novels(corpus, args.novels)]
    if not novels:
        print(f"error: none of the requested novels is a development novel of {corpus}", file=sys.stderr)
        return 2
    runs: dict[str, list[dict[str, float]]] = {"baseline": [], "this": []}
    for k in range(args.pairs):
        for name, where in (("baseline", tree), ("this", ROOT)):
            load = os.getloadavg()[0]
            got = run_child(where, corpus, novels)
            runs[name].append(got)
            cells = "  ".join(f"{s} {got[s]:6.2f}" for s in STAGES)
            print(f"pair {k + 1} {name:8}  load {load:4.1f}  {cells}", flush=True)
    words = runs["this"][0]["words"]
    print(f"\nmedian CPU seconds over {args.pairs} pair(s), {len(novels)} novels, {words:,.0f} words")
    print(f"{'stage':12} {'baseline':>9} {'this':>9} {'ratio':>7} {'this s/100kw':>13}")
    for stage in (*STAGES, "benchmark"):
        def med(name: str, stage: str = stage) -> float:
            part = STAGES[1:] if stage == "benchmark" else (stage,)
            return statistics.median(sum(r[s] for s in part) for r in runs[name])

        base, this = med("baseline"), med("this")
        print(f"{stage:12} {base:9.2f} {this:9.2f} {this / base if base else float('nan'):7.3f} "
              f"{this / words * 1e5:13.3f}")
    print("(benchmark = quotes + characters + attribution: the stages benchmarks/attribution.py times)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
