"""Reader cues for untagged lines: how often each names the gold speaker, against how often we do.

    python benchmarks/reader_cues.py [CORPUS] [--novels SLUG ...]

A careful reader infers an untagged line's speaker from cues in the text around it. Before turning
a cue into a rule, this measures it on the development novels (never the held-out six): over the
untagged, unnamed paragraphs where the cue names someone, how often that someone is the gold
speaker of the paragraph's first quotation ("cue right") and how often our decoded speaker is
("we right"), and per novel how many lines forcing the cue would win minus lose (first order: it
ignores what a changed line does to the turn-taking of the lines after it).

  actor_here   the last named subject of this paragraph's narration before the quote
  actor_prev   the last named subject of the narration-only paragraph right before
  beat         the subject of the narration right after the quote, in the same paragraph
  addressed    the one person the previous speech paragraph names as a vocative
  asked        the one person the adjacent previous paragraph's closing question asks by name,
               set off by a comma (attribution._asked_name): the rule the decoder applies
  voc_next     the one person the next turn surely addresses by name (the answer goes back to them)

Prints counts only, never corpus text.
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

from attribution import decode_quotes, gold_aliases, load, miss_report_args, norm  # noqa: E402

from narrator import attribution as attr  # noqa: E402
from narrator import speaker_features  # noqa: E402
from narrator.characters import find_characters  # noqa: E402
from narrator.dialogue import split_dialogue  # noqa: E402

CUES = ("actor_here", "actor_prev", "beat", "addressed", "asked", "voc_next")


def _cues(i: int, paras: list, res) -> dict[str, str | None]:
    para = paras[i]
    ctx = speaker_features.paragraph_context(i, paras, res)
    prev = paras[i - 1] if i > 0 and paras[i - 1].quotes and paras[i - 1].chain == para.chain else None
    nxt = (paras[i + 1] if i + 1 < len(paras) and paras[i + 1].quotes and paras[i + 1].chain == para.chain
           and not paras[i + 1].cont else None)
    return {
        "actor_here": ctx.actor_here,
        "actor_prev": ctx.actor_prev,
        "beat": ctx.beat[0] if ctx.beat else None,
        "addressed": next(iter(ctx.addressed)) if len(ctx.addressed) == 1 else None,
        "asked": attr._asked_name(prev, res) if prev is not None else None,
        "voc_next": next(iter(nxt.sure_vocatives)) if nxt is not None and len(nxt.sure_vocatives) == 1 else None,
    }


def analyse(novel: Path, stats: dict[str, Counter], net: dict[str, Counter]) -> None:
    story, chapters = load(novel / "text.txt")
    segs = [s for ch in chapters for s in split_dialogue(story, ch)]
    res, paras, _ = decode_quotes(segs, find_characters(story, segs))
    gold = [json.loads(x) for x in (novel / "quotes.jsonl").open(encoding="utf-8")]
    galias = gold_aliases(json.load((novel / "characters.json").open(encoding="utf-8")))
    starts = [q["start"] for q in gold]

    def gold_of(seg) -> str | None:
        k = bisect.bisect_right(starts, seg.start) - 1
        for q in gold[max(0, k - 1): k + 2]:
            if any(min(e, seg.end) - max(s, seg.start) > 0.5 * (seg.end - seg.start) for s, e in q["parts"]):
                return q["speaker"]
        return None

    def right(name: str | None, g: str) -> bool:
        return name is not None and norm(name) in galias.get(g, set())

    for i, para in enumerate(paras):
        if not para.quotes or para.named or para.cont or para.tags:
            continue
        g = gold_of(para.quotes[0])
        if g is None:
            continue
        we = right(para.speaker, g)
        for cue, who in _cues(i, paras, res).items():
            if who is None:
                continue
            hit = right(who, g)
            st = stats[cue]
            st["n"] += 1
            st["cue"] += hit
            st["we"] += we
            net[cue][novel.name] += int(hit and not we) - int(we and not hit)


def main() -> int:
    _, novels = miss_report_args(__doc__, "(unused)")
    stats: dict[str, Counter] = defaultdict(Counter)
    net: dict[str, Counter] = defaultdict(Counter)
    for nv in novels:
        analyse(nv, stats, net)
    print(f"{'cue':12} {'lines':>6} {'cue right':>10} {'we right':>9} {'forced net':>11} {'novels +/-':>11}")
    for cue in CUES:
        st = stats[cue]
        if not st["n"]:
            continue
        per = net[cue]
        up = sum(v > 0 for v in per.values())
        down = sum(v < 0 for v in per.values())
        print(f"{cue:12} {st['n']:6d} {100 * st['cue'] / st['n']:9.1f}% {100 * st['we'] / st['n']:8.1f}% "
              f"{sum(per.values()):+11d} {up:>5}/{down:<5}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
