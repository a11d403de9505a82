"""Our cast's genders against the gold ones on the development novels: how many characters a "she said" can miss.

    python benchmarks/cast_genders.py [CORPUS] [--novels SLUG ...] [-n 30]

find_characters gives each character a gender from titles, given names and the pronouns after its name; a
wrong one sends every pronoun tag of that person astray. Each of our characters is mapped to the gold
character it stands for (benchmarks/attribution.py's gold_map) and its gender compared with the gold's
(characters.json: M / F; others are left out). Prints the counts, the same weighted by the gold
character's number of quotations (what a wrong gender can cost), and the n heaviest wrong or unknown ones.
A wrong gender on a small cluster the gold maps by a shared surname ("Bennet" beside "Mrs. Bennet") is a
mapping artefact as often as a real error: read the list before counting it. Prints names only, no text.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from attribution import gold_genders, gold_map, load, miss_report_args  # noqa: E402

from narrator.characters import find_characters  # noqa: E402
from narrator.dialogue import split_dialogue  # noqa: E402


def main() -> int:
    args, novels = miss_report_args(__doc__, "unused")
    chars_n: Counter = Counter()
    quotes_n: Counter = Counter()
    rows: list[tuple[int, str, str, str, str, str, int]] = []
    for novel in novels:
        story, chapters = load(novel / "text.txt")
        segs = [s for ch in chapters for s in split_dialogue(story, ch)]
        chars = find_characters(story, segs)
        gchars = json.load((novel / "characters.json").open(encoding="utf-8"))
        gg = gold_genders(gchars)
        nq = {c["name"]: c["n_quotes"] for c in gchars}
        mapping = gold_map(chars, gchars)
        for c in chars:
            g = mapping.get(c.name)
            if g is None or gg[g] == "other":
                continue
            verdict = "right" if c.gender == gg[g] else "unknown" if c.gender == "unknown" else "wrong"
            chars_n[verdict] += 1
            quotes_n[verdict] += nq[g]
            if verdict != "right":
                rows.append((nq[g], novel.name, c.name, c.gender, g, gg[g], c.mentions))
    total, qtotal = sum(chars_n.values()), sum(quotes_n.values())
    print(f"characters mapped to a gold M/F character: {total}")
    for v in ("right", "wrong", "unknown"):
        print(f"  {v:8} {chars_n[v]:5} ({100 * chars_n[v] / max(total, 1):5.1f}%)   weighted by gold quotes "
              f"{quotes_n[v]:6} ({100 * quotes_n[v] / max(qtotal, 1):5.1f}%)")
    print(f"\n{'gold quotes':>11}  {'novel':34} {'ours':24} {'our gender':10} {'gold':24} {'gold gender':11} mentions")
    for q, name, ours, og, gold, ggd, m in sorted(rows, reverse=True)[: args.n]:
        print(f"{q:11}  {name[:34]:34} {ours[:24]:24} {og:10} {gold[:24]:24} {ggd:11} {m}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
