"""Is attribution's confidence a hit rate? Bins the non-explicit dialogue lines of a prediction folder by
confidence and prints how many of each bin name the gold speaker (or one of its PDNC aliases).

    python benchmarks/attribution.py ../shared/corpus/pdnc --split dev --out /tmp/dev
    python benchmarks/calibration.py /tmp/dev [--corpus ../shared/corpus/pdnc]

A line is judged on the gold quotation part it overlaps (the first, by start); lines overlapping none are
skipped. Named-tag lines ("explicit", fixed at 0.97) are left out: the calibration is of the guesses.
"""

from __future__ import annotations

import argparse
import bisect
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from attribution import gold_aliases, norm  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("preds", help="a folder of <novel>.jsonl written by benchmarks/attribution.py --out")
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus" / "pdnc"))
    args = ap.parse_args()
    preds, corpus = Path(args.preds), Path(args.corpus)
    files = sorted(preds.glob("*.jsonl"))
    if not files or not corpus.is_dir():
        print(f"error: need prediction files in {preds} and the corpus at {corpus}.", file=sys.stderr)
        return 2
    lines, right = Counter(), Counter()
    for f in files:
        novel = corpus / f.stem
        aliases = gold_aliases(json.load((novel / "characters.json").open(encoding="utf-8")))
        parts = sorted((p[0], p[1], q["speaker"]) for x in (novel / "quotes.jsonl").open(encoding="utf-8")
                       for q in [json.loads(x)] for p in q["parts"])
        starts = [p[0] for p in parts]
        for row in f.open(encoding="utf-8"):
            seg = json.loads(row)
            if seg["kind"] != "dialogue" or seg["speaker"] is None or seg["evidence"] == "explicit":
                continue
            k = bisect.bisect_right(starts, seg["start"]) - 1
            hit = next((parts[j] for j in (k, k + 1)
                        if 0 <= j < len(parts) and parts[j][0] < seg["end"] and parts[j][1] > seg["start"]), None)
            if hit is None:
                continue
            b = min(int(seg["confidence"] * 10), 9)
            lines[b] += 1
            right[b] += norm(seg["speaker"]) in aliases.get(hit[2], set())
    for b in sorted(lines):
        print(f"confidence {b / 10:.1f}-{(b + 1) / 10:.1f}: {lines[b]:6d} lines, {100 * right[b] / lines[b]:5.1f} % right")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
