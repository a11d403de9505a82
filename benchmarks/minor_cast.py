"""Minor characters: how many of the gold speakers our character list misses, merges or splits, by how much they say.

    python benchmarks/minor_cast.py [CORPUS] [--novels SLUG ...] [--preds DIR] [--show missing|merged|split|misnamed]

For every development novel it runs find_characters and matches each gold speaker (characters.json,
aliases included) against our characters by their forms. Each gold speaker that says at least one line
gets one status:

  ok        one of our characters holds its aliases, holds no other gold speaker's, and its canonical
            name is one of the gold aliases (what the scorer needs)
  misnamed  as ok, but the canonical name we print is not a gold alias ("Mr. Arobin" for Alcee Arobin)
  missing   no character of ours holds any of its aliases
  merged    the character holding its aliases also holds another gold speaker's
  split     its aliases are spread over two or more of our characters

and is counted in a band by the number of lines it speaks (1-3, 4-10, 11-30, 31+). "tagged" says how
many speakers of a band are named in an explicit speech tag of the gold (their referring expression
holds one of their capitalised aliases): those a careful reader cannot miss; "spoken" is how many lines
the band's speakers say in all. With --preds (a folder written by benchmarks/attribution.py --out) the
lines of each band we got right are added.

Prints character names from the corpus with --show; never copy that output into the repository.
"""

from __future__ import annotations

import bisect
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from attribution import corpus_parser, dev_novels, load  # noqa: E402

from narrator.characters import find_characters  # noqa: E402
from narrator.dialogue import split_dialogue  # noqa: E402

BANDS = ((1, 3), (4, 10), (11, 30), (31, 10**9))


def _n(s: str) -> str:
    s = " ".join(s.replace("Mr ", "Mr. ").replace("Mrs ", "Mrs. ").replace("Dr ", "Dr. ").split()).casefold()
    return s[4:] if s.startswith("the ") else s


def analyse(novel: Path, preds: Path | None) -> list[dict]:
    gold = [c for c in json.loads((novel / "characters.json").read_text()) if not c.get("special")]
    quotes = [json.loads(x) for x in (novel / "quotes.jsonl").read_text().splitlines() if x.strip()]
    lines = Counter(q["speaker"] for q in quotes)
    story, chapters = load(novel / "text.txt")
    segs = [s for ch in chapters for s in split_dialogue(story, ch)]
    chars = find_characters(story, segs)
    alias_to_gold: dict[str, set[str]] = defaultdict(set)
    forms_of = {g["name"]: {_n(a) for a in (g["name"], *g["aliases"])} for g in gold}
    for g, fs in forms_of.items():
        for a in fs:
            alias_to_gold[a].add(g)
    holds: dict[str, set[str]] = {}  # our character -> gold speakers whose aliases it holds
    for c in chars:
        holds[c.name] = {g for f in (c.name, *c.aliases) for g in alias_to_gold.get(_n(f), ())}
    tagged = set()
    for q in quotes:
        if q.get("quote_type") == "explicit" and q["speaker"] in forms_of:
            ref = _n(q.get("referring_expression") or "")
            if any(a and a[0].isalpha() and f" {a} " in f" {ref} " for a in forms_of[q["speaker"]]
                   if a not in ("i", "he", "she")):
                tagged.add(q["speaker"])
    right: Counter[str] = Counter()
    if preds is not None and (preds / f"{novel.name}.jsonl").exists():
        rows = [json.loads(x) for x in (preds / f"{novel.name}.jsonl").open()]
        rows = [r for r in rows if r["kind"] == "dialogue"]
        starts = [r["start"] for r in rows]
        for q in quotes:
            i = bisect.bisect_right(starts, q["parts"][0][0]) - 1
            if i >= 0 and rows[i]["end"] > q["parts"][0][0] and rows[i]["speaker"] is not None \
                    and _n(str(rows[i]["speaker"])) in forms_of.get(q["speaker"], ()):
                right[q["speaker"]] += 1
    out = []
    for g in gold:
        n = lines.get(g["name"], 0)
        if not n:
            continue
        holders = [c for c, gs in holds.items() if g["name"] in gs]
        if not holders:
            status, via = "missing", ""
        elif len(holders) > 1:
            status, via = "split", " | ".join(holders)
        elif len(holds[holders[0]]) > 1:
            status, via = "merged", f"{holders[0]} <- {sorted(holds[holders[0]] - {g['name']})}"
        elif _n(holders[0]) not in forms_of[g["name"]]:
            status, via = "misnamed", holders[0]
        else:
            status, via = "ok", holders[0]
        out.append({"novel": novel.name, "gold": g["name"], "lines": n, "status": status, "via": via,
                    "tagged": g["name"] in tagged, "right": right[g["name"]]})
    return out


def main() -> int:
    ap = corpus_parser(__doc__)
    ap.add_argument("--preds")
    ap.add_argument("--show", choices=["missing", "merged", "split", "misnamed", "ok"])
    args = ap.parse_args()
    rows = [r for nv in dev_novels(Path(args.corpus), args.novels)
            for r in analyse(nv, Path(args.preds) if args.preds else None)]
    statuses = ("ok", "misnamed", "missing", "merged", "split")
    print(f"{'lines':>8} {'speakers':>8} " + " ".join(f"{s:>9}" for s in statuses) + f" {'tagged':>7} {'spoken':>6}"
          + (f" {'right':>6}" if args.preds else ""))
    for lo, hi in BANDS:
        band = [r for r in rows if lo <= r["lines"] <= hi]
        c = Counter(r["status"] for r in band)
        label = f"{lo}-{hi}" if hi < 10**9 else f"{lo}+"
        tot = sum(r["lines"] for r in band)
        print(f"{label:>8} {len(band):>8} " + " ".join(f"{c[s]:>9}" for s in statuses)
              + f" {sum(r['tagged'] for r in band):>7} {tot:>6}"
              + (f" {sum(r['right'] for r in band):>6}" if args.preds else ""))
    lost = Counter()
    for r in rows:
        lost[r["status"]] += r["lines"]
    print("lines spoken by speakers of each status:", ", ".join(f"{s}={lost[s]}" for s in statuses))
    if args.show:
        for r in sorted((r for r in rows if r["status"] == args.show), key=lambda r: -r["lines"]):
            print(f"{r['lines']:5d} {'T' if r['tagged'] else ' '} {r['novel']}: {r['gold']} -> {r['via']}"
                  + (f"  (right {r['right']})" if args.preds else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
