"""Implicit-quote diagnostic: every untagged line we get wrong on the development novels, bucketed.

    python benchmarks/implicit_errors.py [CORPUS] [--novels SLUG ...] [--show BUCKET|all] [-n 20]

An implicit quote has no speech tag: a reader infers its speaker from the conversation. For every
gold implicit quote that we attribute wrongly this sorts the miss into the first bucket that fits:

  not_found     quote detection missed it
  unknown       we left it unknown
  no_character  the gold speaker is none of our characters
  continues     the previous paragraph's speech was left open (no closing mark) and the gold speaker
                goes on: we did not carry the speaker over
  cascade       the previous quote of the same conversation is wrong too (turn-taking inherited it)
  partner       the previous quote is right but we alternate with a wrong partner: the quote two back
                is wrong and we repeat its speaker (A-X-A-X for A-B-A-B)
  vocative      we gave the line to someone it addresses by name ("No, Jane." is not Jane's)
  reply         the previous quote addressed the gold speaker by name (often a question): the answer
                is theirs
  action_beat   the gold speaker is the named subject of narration in the same paragraph
                ("Jane looked up. 'No.'")
  third_speaker the gold speaker is not among the gold speakers of the last three quotes: someone joins
  other         none of the above

Each miss is counted once (first bucket) and also under every bucket that fits ("tags"). With --show
it prints the quote, its neighbours' speakers (gold and ours) and the paragraph around it: corpus
text on the terminal only, never copy it into the repository.
"""

from __future__ import annotations

import bisect
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from attribution import gold_aliases, gold_map, load, miss_report_args, norm, print_example  # noqa: E402

from narrator import attribution as attr  # noqa: E402
from narrator import paragraphs  # noqa: E402
from narrator.characters import find_characters  # noqa: E402
from narrator.dialogue import split_dialogue  # noqa: E402
from narrator.resolver import CastIndex  # noqa: E402
from narrator.speech_tags import subjects_of  # noqa: E402

BUCKETS = ("not_found", "unknown", "no_character", "continues", "cascade", "partner", "vocative", "reply", "action_beat",
           "third_speaker", "other")
_CLOSE = '"\u201d\'\u2019'


def analyse(novel: Path, counts: Counter, tags: Counter, per_novel: Counter, show: str | None, limit: int,
            shown: list) -> None:
    story, chapters = load(novel / "text.txt")
    segs = [s for ch in chapters for s in split_dialogue(story, ch)]
    chars = find_characters(story, segs)
    lines = attr.attribute(segs, chars)
    res = CastIndex(chars)
    gold = [json.loads(x) for x in (novel / "quotes.jsonl").open(encoding="utf-8")]
    gchars = json.load((novel / "characters.json").open())
    galias = gold_aliases(gchars)
    mapping = gold_map(chars, gchars)
    dl = [ln for ln in lines if ln.segment.kind == "dialogue"]
    starts = [ln.segment.start for ln in dl]
    para_segs: dict[tuple[int, int], list] = {}
    for s in segs:
        para_segs.setdefault((s.chapter, s.paragraph), []).append(s)

    # Our speaker and first line per gold quote, the way the scorer reads it (most characters).
    info = []
    for q in gold:
        cover: Counter = Counter()
        covered, first = 0, None
        for s, e in q["parts"]:
            k = max(0, bisect.bisect_right(starts, s) - 1)
            while k < len(dl) and dl[k].segment.start < e:
                ov = min(e, dl[k].segment.end) - max(s, dl[k].segment.start)
                if ov > 0:
                    cover[dl[k].speaker] += ov
                    covered += ov
                    first = first or dl[k]
                k += 1
        qlen = sum(e - s for s, e in q["parts"])
        found = first is not None and covered >= 0.5 * qlen
        pred = cover.most_common(1)[0][0] if found else None
        ok = found and pred is not None and norm(pred) in galias.get(q["speaker"], set())
        info.append((found, pred, ok, first))

    for k, q in enumerate(gold):
        if q["quote_type"] != "implicit":
            continue
        per_novel["n"] += 1
        found, pred, ok, first = info[k]
        if ok:
            per_novel["ok"] += 1
            continue
        spk = q["speaker"]
        fit: list[str] = []
        if not found:
            fit.append("not_found")
        elif pred is None:
            fit.append("unknown")
        elif spk not in mapping.values():
            fit.append("no_character")
        else:
            seg = first.segment
            para = para_segs.get((seg.chapter, seg.paragraph), [])
            prev = gold[k - 1] if k > 0 else None
            # The same conversation: at most a short stretch of text between the two quotes.
            near = prev is not None and q["start"] - prev["end"] < 600
            prev_seg = info[k - 1][3].segment if near and info[k - 1][3] is not None else None
            if (prev_seg is not None and prev_seg.paragraph != seg.paragraph and prev["speaker"] == spk
                    and not prev_seg.text.rstrip().endswith(tuple(_CLOSE)) and seg is para[0]):
                fit.append("continues")
            if near and not info[k - 1][2]:
                fit.append("cascade")
            two = gold[k - 2] if k > 1 else None
            if (near and info[k - 1][2] and two is not None and prev["start"] - two["end"] < 600
                    and not info[k - 2][2] and info[k - 2][1] == pred):
                fit.append("partner")
            voc = _vocatives(seg, res)
            if pred in voc:
                fit.append("vocative")
            if prev_seg is not None and any(mapping.get(v) == spk for v in _vocatives(prev_seg, res)):
                fit.append("reply")
            subj = [n for s in para if s.kind == "narration" for n, kind, _ in subjects_of(s.text, res)
                    if n and kind in ("name", "epithet")]
            if any(mapping.get(n) == spk for n in subj):
                fit.append("action_beat")
            back = [g["speaker"] for g in gold[max(0, k - 3):k] if q["start"] - g["end"] < 3000]
            if spk not in back:
                fit.append("third_speaker")
        if not fit:
            fit.append("other")
            # What the turn order says about the rest: who spoke before, in gold and in ours.
            g1 = gold[k - 1]["speaker"] if k > 0 else None
            g2 = gold[k - 2]["speaker"] if k > 1 else None
            tags["other:gold=prev1"] += g1 == spk
            tags["other:gold=prev2"] += g2 == spk and g1 != spk
            tags["other:ours=prev1gold"] += bool(pred) and mapping.get(pred) == g1
            tags["other:ours=prev2gold"] += bool(pred) and mapping.get(pred) == g2 and g2 != g1
        counts[fit[0]] += 1
        for b in fit:
            tags[b] += 1
        if show and (show == "all" or show in fit) and len(shown) < limit:
            nb = []
            for j in (k - 2, k - 1, k + 1):
                if 0 <= j < len(gold):
                    nb.append(f"{j - k:+d}: gold={gold[j]['speaker']!r} ours={info[j][1]!r}{'' if info[j][2] else ' X'}")
            ctx = story.text[max(0, q["start"] - 500): q["end"] + 200]
            shown.append((novel.name, spk, pred, fit, nb, ctx))


def _vocatives(seg, res) -> set[str]:
    """Characters a quotation addresses by name, found the way the attribution stage finds them."""
    para = paragraphs.Paragraph([seg], [seg])
    paragraphs._scan_mentions(para, res)
    return set(para.vocatives)


def main() -> int:
    args, novels = miss_report_args(__doc__, "print misses carrying this bucket ('all': every miss, with -n large enough)")
    counts: Counter = Counter()
    tags: Counter = Counter()
    shown: list = []
    print(f"{'novel':34} {'impl':>5} {'acc':>6} " + " ".join(f"{b[:8]:>8}" for b in BUCKETS))
    for nv in novels:
        c: Counter = Counter()
        t: Counter = Counter()
        pn: Counter = Counter()
        analyse(nv, c, t, pn, args.show, args.n, shown)
        counts.update(c)
        tags.update(t)
        counts["n"] += pn["n"]
        counts["ok"] += pn["ok"]
        print(f"{nv.name:34} {pn['n']:5} {100 * pn['ok'] / max(pn['n'], 1):6.1f} " + " ".join(f"{c[b]:8}" for b in BUCKETS))
    n = counts["n"]
    miss = n - counts["ok"]
    print(f"\nimplicit quotes {n}, right {counts['ok']} ({100 * counts['ok'] / max(n, 1):.1f}%), misses {miss}")
    print(f"{'bucket':16} {'first':>6} {'%miss':>6} {'any':>6}")
    for b in BUCKETS:
        print(f"{b:16} {counts[b]:6} {100 * counts[b] / max(miss, 1):6.1f} {tags[b]:6}")
    for b in sorted(t for t in tags if t.startswith("other:")):
        print(f"  {b:24} {tags[b]:6}")
    for name, spk, pred, fit, nb, ctx in shown:
        print_example(f"{name} gold={spk!r} ours={pred!r} buckets={fit}\n   " + " | ".join(nb), ctx)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
