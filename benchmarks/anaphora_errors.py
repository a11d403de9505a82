"""Anaphoric misses on the development novels: every wrong "he said" with its tag, and why it went wrong.

    python benchmarks/anaphora_errors.py [CORPUS] [--novels SLUG ...] [--list] [--show BUCKET] [-n 20]

First it measures our gender accuracy per gold character, weighted by the character's quotations (a
wrong gender poisons every pronoun tag of that character). Then, for every gold quotation of type
"anaphoric" that we attribute to the wrong speaker, it sorts the miss into one bucket:

  never_found     the gold speaker is none of our characters (or the quote was not detected)
  gender          our gender for the gold speaker is wrong or unknown, so the tag's pronoun could not
                  point at them
  listener        the tag's gender is not the gold speaker's: we read the listener's pronoun ("she
                  said to him") or some other pronoun as the tag
  no_tag          we found no tag at all (the line was decided as implicit)
  named_tag       we read a name tag where the gold says the tag is a pronoun or epithet
  epithet         an epithet tag ("the old man") linked to the wrong person or to no one
  exchange        a pronoun of the right gender bound to another person of that gender, while the gold
                  speaker is a live party of the exchange (spoke one of the last two gold turns)
  other           none of these

`--list` prints one row per miss (novel, tag words, our speaker, gold speaker, bucket); `--show` prints
the text around the misses of one bucket. Both print corpus text to the terminal: never copy that
output into the repository.
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from attribution import (  # noqa: E402
    decode_quotes,
    gold_aliases,
    gold_genders,
    gold_map,
    load,
    miss_report_args,
    norm,
    print_example,
    quote_line,
)

from narrator.characters import find_characters  # noqa: E402
from narrator.dialogue import split_dialogue  # noqa: E402

BUCKETS = ("never_found", "gender", "listener", "no_tag", "named_tag", "epithet", "exchange", "other")


def _tag_text(para, seg_start: int) -> str:
    """The narration next to the quotation (the words a tag sits in), shortened."""
    segs = para.segs
    k = next(i for i, s in enumerate(segs) if s.start == seg_start)
    if k + 1 < len(segs) and segs[k + 1].kind == "narration":
        return "+" + norm(segs[k + 1].text)[:40]
    if k > 0 and segs[k - 1].kind == "narration":
        return "-" + norm(segs[k - 1].text)[-40:]
    return "(bare)"


def analyse(novel: Path, stats: Counter, genders: Counter, rows: list, per_novel: dict) -> None:
    story, chapters = load(novel / "text.txt")
    segs = [s for ch in chapters for s in split_dialogue(story, ch)]
    chars = find_characters(story, segs)
    res, _, quotes = decode_quotes(segs, chars)
    by_seg = {s.start: (p, who) for s, p, who in quotes}
    gold = [json.loads(x) for x in (novel / "quotes.jsonl").open(encoding="utf-8")]
    gchars = json.load((novel / "characters.json").open())
    galias = gold_aliases(gchars)
    ggender = gold_genders(gchars)
    mapping = gold_map(chars, gchars)
    ours_of = defaultdict(list)
    for o, g in mapping.items():
        if g:
            ours_of[g].append(o)
    # Gender accuracy, weighted by gold lines: every line of a character whose gender we got wrong
    # is a line whose pronoun tag we cannot bind.
    for q in gold:
        gg = ggender.get(q["speaker"], "other")
        if gg == "other":
            continue
        ours = ours_of.get(q["speaker"])
        if not ours:
            genders["not_found"] += 1
            continue
        g = res.gender.get(ours[0], "unknown")
        genders["right" if g == gg else "unknown" if g == "unknown" else "wrong"] += 1
    dl = sorted(by_seg)
    prev_gold: list[str] = []
    nv = per_novel.setdefault(novel.name, Counter())
    for q in gold:
        spk = q["speaker"]
        if q["quote_type"] != "anaphoric":
            prev_gold.append(spk)
            continue
        stats["anaphoric"] += 1
        nv["anaphoric"] += 1
        hit = quote_line(dl, by_seg, q)  # our line: where the quotation starts
        ok = hit is not None and hit[1] is not None and norm(hit[1]) in galias.get(spk, set())
        if not ok and hit is not None and hit[1] is not None and mapping.get(hit[1]) == spk:
            ok = True  # the scorer counts a naming difference as wrong; it is no pronoun problem
        if ok:
            stats["ok"] += 1
            nv["ok"] += 1
            prev_gold.append(spk)
            continue
        gg = ggender.get(spk, "other")
        ours = ours_of.get(spk, [])
        if hit is None or not ours:
            bucket = "never_found"
            tag = None
        else:
            p, who, seg = hit
            tag = p.tags[0][0] if p.tags else None
            if tag is None:
                bucket = "no_tag"
            elif tag.kind == "name":
                bucket = "named_tag"
            elif gg in ("male", "female") and tag.gender in ("male", "female") and tag.gender != gg:
                bucket = "listener"
            elif gg in ("male", "female") and res.gender.get(ours[0], "unknown") != gg and tag.gender != "unknown":
                bucket = "gender"
            elif tag.kind == "epithet":
                bucket = "epithet"
            elif ours[0] in prev_gold[-2:] or spk in prev_gold[-2:]:
                bucket = "exchange"
            else:
                bucket = "other"
        stats[bucket] += 1
        nv[bucket] += 1
        if hit is not None:
            p, who, seg = hit
            rows.append((bucket, novel.name, q["referring_expression"] or "",
                         f"{tag.kind}/{tag.gender}/{tag.where}" if tag else "-", _tag_text(p, seg.start),
                         who, spk, prev_gold[-2:], story.text[max(0, q["start"] - 500): q["end"] + 120]))
        else:
            rows.append((bucket, novel.name, q["referring_expression"] or "", "-", "", None, spk, prev_gold[-2:], ""))
        prev_gold.append(spk)


def main() -> int:
    args, novels = miss_report_args(__doc__, "print the text around misses of this bucket", listing=True)
    stats: Counter = Counter()
    genders: Counter = Counter()
    rows: list = []
    per_novel: dict[str, Counter] = {}
    for nv in novels:
        analyse(nv, stats, genders, rows, per_novel)
    gt = sum(genders.values())
    print(f"gender of gold speakers, weighted by lines ({gt} lines of M/F speakers): " + ", ".join(
        f"{k} {100 * v / max(gt, 1):.1f}%" for k, v in genders.most_common()))
    found = genders["right"] + genders["wrong"] + genders["unknown"]
    print(f"  of the speakers we found: right {100 * genders['right'] / max(found, 1):.1f}%, "
          f"wrong {100 * genders['wrong'] / max(found, 1):.1f}%, unknown {100 * genders['unknown'] / max(found, 1):.1f}%")
    n = stats["anaphoric"]
    miss = n - stats["ok"]
    print(f"\nanaphoric: {n} quotes, ok {stats['ok']} ({100 * stats['ok'] / max(n, 1):.1f}%), {miss} misses")
    for b in BUCKETS:
        print(f"  {b:12} {stats[b]:5}  {100 * stats[b] / max(miss, 1):5.1f}% of misses")
    print(f"\n{'novel':34} {'n':>5} {'ok%':>5} " + " ".join(f"{b[:8]:>8}" for b in BUCKETS))
    for name, c in sorted(per_novel.items()):
        print(f"{name:34} {c['anaphoric']:5} {100 * c['ok'] / max(c['anaphoric'], 1):5.1f} "
              + " ".join(f"{c[b]:8}" for b in BUCKETS))
    if args.list:
        for bucket, name, rx, tag, txt, who, spk, prev, _ in rows:
            print(f"{bucket:11} {name[:20]:20} rx={rx[:18]:18} {tag:22} ours={str(who)[:18]:18} "
                  f"gold={spk[:18]:18} prev={prev} {txt}")
    if args.show:
        for _bucket, name, rx, tag, _txt, who, spk, prev, ctx in [r for r in rows if r[0] == args.show][: args.n]:
            print_example(f"{name} rx={rx!r} tag={tag} ours={who!r} gold={spk!r} prev_gold={prev}", ctx)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
