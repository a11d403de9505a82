"""Clustering diagnostic: where narrator's characters and the gold characters disagree, per novel.

    python benchmarks/cluster_diag.py [CORPUS] [--novels SLUG ...] [--preds DIR] [--top N]

For each development novel it runs find_characters and maps every one of our characters (name and
aliases) onto the gold characters whose alias list holds one of its forms. Then it lists

  SPLIT  a gold character whose aliases are spread over several of our characters (one person
         heard in two voices; every line decoded against the wrong half is lost), and
  MERGE  one of our characters whose forms are aliases of several gold characters (two people
         in one voice),

weighted by the gold character's quote count, heaviest first. With --preds (a folder written by
benchmarks/attribution.py --out) it also shows how the gold character's quotes were predicted.

Prints character names from the corpus to the terminal; never copy that output into the repository.
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


def _n(s: str) -> str:
    return " ".join(s.replace("Mr ", "Mr. ").replace("Mrs ", "Mrs. ").lower().split())


def analyse(novel: Path, preds: Path | None) -> list[tuple[int, str]]:
    """(weight, report line) for every split and merge in one novel."""
    gold = [c for c in json.loads((novel / "characters.json").read_text()) if not c.get("special")]
    story, chapters = load(novel / "text.txt")
    segs = [s for ch in chapters for s in split_dialogue(story, ch)]
    chars = find_characters(story, segs)
    alias_to_gold: dict[str, set[str]] = defaultdict(set)
    for g in gold:
        for a in (g["name"], *g["aliases"]):
            alias_to_gold[_n(a)].add(g["name"])
    # Our character -> {gold name: [our forms that are its aliases]}
    ours: dict[str, dict[str, list[str]]] = {}
    for c in chars:
        m: dict[str, list[str]] = defaultdict(list)
        for f in (c.name, *c.aliases):
            for g in alias_to_gold.get(_n(f), ()):
                m[g].append(f)
        ours[c.name] = m
    predicted: dict[str, Counter[str]] = defaultdict(Counter)
    if preds is not None and (preds / f"{novel.name}.jsonl").exists():
        rows = [json.loads(x) for x in (preds / f"{novel.name}.jsonl").open()]
        rows = [r for r in rows if r["kind"] == "dialogue"]
        starts = [r["start"] for r in rows]
        for line in (novel / "quotes.jsonl").open():
            q = json.loads(line)
            i = bisect.bisect_right(starts, q["parts"][0][0]) - 1
            if i >= 0 and rows[i]["end"] > q["parts"][0][0]:
                predicted[q["speaker"]][str(rows[i]["speaker"])] += 1
    out: list[tuple[int, str]] = []
    nq = {g["name"]: g["n_quotes"] for g in gold}
    for g in gold:
        holders = {c: forms[g["name"]] for c, forms in ours.items() if g["name"] in forms}
        if len(holders) > 1:
            desc = "; ".join(f"{c} via {fs}" for c, fs in holders.items())
            p = ", ".join(f"{k}:{v}" for k, v in predicted[g["name"]].most_common(5))
            out.append((g["n_quotes"], f"SPLIT {novel.name}: {g['name']} ({g['n_quotes']}q) -> {desc}  | pred {p}"))
    for c, m in ours.items():
        if len(m) > 1:
            w = sorted((nq[g] for g in m), reverse=True)[1]
            desc = "; ".join(f"{g}({nq[g]}q) via {fs}" for g, fs in m.items())
            out.append((w, f"MERGE {novel.name}: {c} -> {desc}"))
    return out


def main() -> int:
    ap = corpus_parser(__doc__)
    ap.add_argument("--preds")
    ap.add_argument("--top", type=int, default=40)
    args = ap.parse_args()
    found: list[tuple[int, str]] = []
    for novel in dev_novels(Path(args.corpus), args.novels):
        found.extend(analyse(novel, Path(args.preds) if args.preds else None))
    found.sort(key=lambda x: -x[0])
    for w, line in found[: args.top]:
        print(f"{w:5d} {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
