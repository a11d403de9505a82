"""Error analysis for speaker attribution: bucket wrong lines by cause on the development novels.

    python benchmarks/attribution_errors.py [CORPUS] [--novels SLUG ...] [--show BUCKET] [-n 20]

For every gold quotation we take narrator's prediction the way the shared scorer does (the speaker
holding most of the quotation's characters), then sort each miss into one bucket:

  not_found        quote detection missed it
  name_form        our character is the gold character (a form of ours is one of its aliases, or
                   it maps onto it uniquely by a shared name word) but the name we print is not a
                   PDNC alias - a naming problem, not a resolution problem
  no_character     the gold speaker is none of our characters
  unknown          we left the line unknown
  <ev>:<cause>     ev = our evidence (explicit / anaphoric / implicit / continued); cause is
                   not_in_pool, gender (pronoun tag whose gender excludes the gold speaker),
                   prev1/prev2 (the gold speaker spoke the previous / the one before), cascade
                   (the previous line was wrong too), other

It also prints "oracle" figures: how often the gold speaker is in the candidate pool and how often
the gold speaker is the gold speaker of two lines back (perfect turn-taking).

Prints corpus text to the terminal with --show; never copy that output into the repository.
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

from attribution import gold_aliases, gold_map, load, miss_report_args, norm, print_example  # noqa: E402

from narrator import attribution as attr  # noqa: E402
from narrator import speaker_features  # noqa: E402
from narrator.characters import find_characters  # noqa: E402
from narrator.dialogue import split_dialogue  # noqa: E402


def analyse(novel: Path, show: str | None, limit: int, counts: Counter, examples: list) -> None:
    story, chapters = load(novel / "text.txt")
    segs = [s for ch in chapters for s in split_dialogue(story, ch)]
    chars = find_characters(story, segs)
    trace: list = []
    lines = attr.run(segs, chars, speaker_features.load_weights(), trace)
    pools = {}
    for quotes, cands, _ in trace:
        for q in quotes:
            pools[q.start] = cands
    gold = [json.loads(x) for x in (novel / "quotes.jsonl").open(encoding="utf-8")]
    gchars = json.load((novel / "characters.json").open())
    galias = gold_aliases(gchars)
    ggender = {c["name"]: c["gender"] for c in gchars}
    ours = {c.name: c for c in chars}
    mapping = gold_map(chars, gchars)
    dl = [ln for ln in lines if ln.segment.kind == "dialogue"]
    starts = [ln.segment.start for ln in dl]
    prev_gold: list[str] = []
    prev_ok: list[bool] = []
    for q in gold:
        counts["total"] += 1
        qt = q["quote_type"] or "none"
        # Speaker with most overlapping characters.
        cover: Counter = Counter()
        covered = 0
        qlen = sum(e - s for s, e in q["parts"])
        first = None
        for s, e in q["parts"]:
            k = max(0, bisect.bisect_right(starts, s) - 1)
            while k < len(dl) and dl[k].segment.start < e:
                ln = dl[k]
                ov = min(e, ln.segment.end) - max(s, ln.segment.start)
                if ov > 0:
                    cover[ln.speaker] += ov
                    covered += ov
                    first = first or ln
                k += 1
        spk = q["speaker"]
        if covered < 0.5 * qlen or first is None:
            bucket = "not_found"
            ok = False
        else:
            pred = cover.most_common(1)[0][0]
            ok = pred is not None and norm(pred) in galias.get(spk, set())
            if ok:
                bucket = "ok"
            elif pred is None:
                bucket = "unknown"
            elif mapping.get(pred) == spk:
                bucket = "name_form"
            elif spk not in mapping.values():
                bucket = "no_character"
            else:
                ev = first.evidence
                if ev == "explicit":
                    bucket = "explicit:wrong"
                else:
                    pool = pools.get(first.segment.start)
                    gold_ours = [n for n, g in mapping.items() if g == spk]
                    if pool is None:
                        cause = "continued"
                    elif not set(gold_ours) & set(pool):
                        cause = "not_in_pool"
                    elif ev == "anaphoric" and ggender.get(spk) in "MF" and ours[gold_ours[0]].gender == "unknown":
                        cause = "gold_gender_unknown"
                    elif ev == "anaphoric" and ggender.get(spk) in "MF" and ours[gold_ours[0]].gender[0].upper() != ggender[spk]:
                        cause = "gold_gender_wrong"
                    elif prev_ok and not prev_ok[-1]:
                        cause = "cascade"
                    elif prev_gold and prev_gold[-1] == spk:
                        cause = "prev1"
                    elif len(prev_gold) > 1 and prev_gold[-2] == spk:
                        cause = "prev2"
                    else:
                        cause = "other"
                    bucket = f"{ev}:{cause}"
        counts[f"{qt}|{bucket}"] += 1
        if qt == "anaphoric":
            rx = (q.get("referring_expression") or "").lower().split()
            form = "pronoun" if set(rx) & {"he", "she", "i"} else "descriptor"
            counts[f"anaphoric-{form}|{'ok' if ok else 'wrong'}"] += 1
        if len(prev_gold) > 1:
            counts[f"{qt}|oracle_prev2"] += int(prev_gold[-2] == spk)
            counts[f"{qt}|oracle_prev1"] += int(prev_gold[-1] == spk)
            counts[f"{qt}|oracle_n"] += 1
        if show and bucket == show and len(examples) < limit:
            ctx = story.text[max(0, q["start"] - 400) : q["end"] + 150]
            examples.append((novel.name, qt, spk, cover.most_common(1)[0][0] if cover else None,
                             first.evidence if first else None, pools.get(first.segment.start) if first else None, ctx))
        prev_gold.append(spk)
        prev_ok.append(ok)


def main() -> int:
    args, novels = miss_report_args(__doc__, "print examples of this bucket (e.g. implicit:other)")
    counts: Counter = Counter()
    examples: list = []
    for nv in novels:
        analyse(nv, args.show, args.n, counts, examples)
    total = counts["total"]
    by_type: dict[str, Counter] = defaultdict(Counter)
    for k, v in counts.items():
        if "|" in k:
            t, b = k.split("|", 1)
            by_type[t][b] = v
    for t in ("explicit", "anaphoric", "implicit", "anaphoric-pronoun", "anaphoric-descriptor"):
        c = by_type[t]
        n = sum(v for b, v in c.items() if not b.startswith("oracle"))
        print(f"\n== {t}: {n} quotes, ok {c['ok']} ({100 * c['ok'] / max(n, 1):.1f}%) "
              f"[gold==prev1 {100 * c['oracle_prev1'] / max(c['oracle_n'], 1):.1f}%, "
              f"gold==prev2 {100 * c['oracle_prev2'] / max(c['oracle_n'], 1):.1f}%]")
        for b, v in sorted(c.items(), key=lambda kv: -kv[1]):
            if b != "ok" and not b.startswith("oracle"):
                print(f"   {b:32} {v:5}  {100 * v / total:5.2f}% of all")
    for nv, qt, spk, pred, ev, pool, ctx in examples:
        print_example(f"{nv} [{qt}] gold={spk!r} pred={pred!r} ev={ev} pool={pool}", ctx)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
