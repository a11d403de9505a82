"""What `narrator script --doubtful` gives a person fixing a cast, on the development novels: of the dialogue
lines attribution gets wrong, how many the list holds at a threshold, how long the list is, and how often its
"or X?" (the scorer's runner-up, Line.alternative) names the right speaker of a wrong line.

    python benchmarks/doubtful.py [CORPUS] [--novels SLUG ...] [--below 0.6 0.7 0.8 0.9]

Lines are judged as benchmarks/calibration.py judges them: against the gold quotation part a line overlaps
(the first, by start); lines overlapping none are left out. Named-tag lines count like any other.
"""

from __future__ import annotations

import argparse
import bisect
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from attribution import dev_novels, gold_aliases, load, norm  # noqa: E402

from narrator.attribution import attribute  # noqa: E402
from narrator.characters import find_characters  # noqa: E402
from narrator.dialogue import split_dialogue  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus" / "pdnc"))
    ap.add_argument("--novels", nargs="*")
    ap.add_argument("--below", nargs="*", type=float, default=[0.6, 0.7, 0.8, 0.9])
    args = ap.parse_args()
    novels = dev_novels(Path(args.corpus), args.novels)
    if not novels:
        print(f"error: none of the requested novels is a development novel of {args.corpus}", file=sys.stderr)
        return 2
    rows: list[tuple[float, bool, bool]] = []  # (confidence, right, runner-up right)
    for novel in novels:
        story, chapters = load(novel / "text.txt")
        segs = [s for ch in chapters for s in split_dialogue(story, ch)]
        lines = attribute(segs, find_characters(story, segs))
        aliases = gold_aliases(json.load((novel / "characters.json").open(encoding="utf-8")))
        parts = sorted((p[0], p[1], q["speaker"]) for x in (novel / "quotes.jsonl").open(encoding="utf-8")
                       for q in [json.loads(x)] for p in q["parts"])
        starts = [p[0] for p in parts]
        for ln in lines:
            seg = ln.segment
            if seg.kind != "dialogue":
                continue
            k = bisect.bisect_right(starts, seg.start) - 1
            hit = next((parts[j] for j in (k, k + 1)
                        if 0 <= j < len(parts) and parts[j][0] < seg.end and parts[j][1] > seg.start), None)
            if hit is None:
                continue
            forms = aliases.get(hit[2], set())
            rows.append((ln.confidence, ln.speaker is not None and norm(ln.speaker) in forms,
                         ln.alternative is not None and norm(ln.alternative) in forms))
    if not rows:
        print("no dialogue line of these novels overlaps a gold quotation", file=sys.stderr)
        return 1
    wrong = sum(not r for _, r, _ in rows)
    print(f"{len(rows)} dialogue lines, {wrong} wrong ({100 * wrong / len(rows):.1f} %)")
    for b in args.below:
        listed = [(r, a) for c, r, a in rows if c < b]
        caught = [a for r, a in listed if not r]
        print(f"below {b:.2f}: lists {len(listed):6d} lines ({100 * len(listed) / len(rows):4.1f} % of all), "
              f"{100 * len(caught) / max(1, len(listed)):4.1f} % of them wrong, holding {100 * len(caught) / max(1, wrong):4.1f} % "
              f"of the wrong lines; 'or X?' right on {100 * sum(caught) / max(1, len(caught)):4.1f} % of the wrong ones listed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
