"""Pronoun tags ("she said", "said he", "he had said") on the development novels: accuracy and why misses miss.

    python benchmarks/pronoun_errors.py [CORPUS] [--novels SLUG ...] [--list] [--show BUCKET] [-n 20]

Only the gold quotations of type "anaphoric" whose referring expression is a he/she tag count (the
descriptor tags, "said the old man", are left out). For each one it asks what a reader would have
followed, and how often each cue alone names the gold speaker over *all* pronoun-tag quotations:

  last_named   the last person of the tag's gender named in the narration before the quote
  subject      the nearest named sentence subject of that gender (this paragraph's lead-in, then
               up to three paragraphs back): the centre a pronoun subject continues
  turn         spoke two gold turns back and not the last one (A-B-A in a two-person exchange)
  addressed    addressed by the previous gold quotation (gold addressees)

Then every miss goes into the first bucket whose cue names the gold speaker, in the order above
(else "other", or "never_found"/"no_pron_tag" when we lack the character or did not read the tag), and
is flagged "protagonist" when our pick is the most mentioned character of that gender.

Each quotation is also put in a scene class, "same" or "mixed": "same" when another person of the
speaker's gender takes part in the scene (speaks or is addressed in a gold quotation within
_SCENE_QUOTES quotations and _SCENE_CHARS characters either side), so the pronoun alone cannot tell
them apart; "mixed" otherwise. Accuracy and misses are printed per class (`--scene same` keeps only
one class in the listings). `--list` and
`--show` print corpus text to the terminal: never copy that output into the repository.
"""

from __future__ import annotations

import json
import re
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

from narrator import speaker_features  # noqa: E402
from narrator.characters import find_characters  # noqa: E402
from narrator.dialogue import split_dialogue  # noqa: E402
from narrator.speech_tags import subjects_of  # noqa: E402

CUES = ("last_named", "subject", "turn", "addressed")
BUCKETS = ("never_found", "no_pron_tag", *CUES, "other")
# "he said", "said she", "he had said", "then she asked": the pronoun is the tag's subject.
_PRON_RX = re.compile(r"^(?:[a-z]+\s+)?(?:he|she)\b", re.IGNORECASE)
_SCENE_QUOTES = 6
_SCENE_CHARS = 3000


def _scene_class(k: int, gold: list[dict], ggender: dict[str, str]) -> str:
    """"same" when someone other than quotation k's speaker, of the speaker's gender, speaks or is addressed
    in the gold quotations around it (the scene); "mixed" otherwise."""
    q = gold[k]
    spk, g = q["speaker"], ggender.get(q["speaker"], "other")
    for o in gold[max(0, k - _SCENE_QUOTES): k + _SCENE_QUOTES + 1]:
        if abs(o["start"] - q["start"]) > _SCENE_CHARS:
            continue
        for p in (o["speaker"], *o.get("addressees", [])):
            if p != spk and ggender.get(p) == g:
                return "same"
    return "mixed"


def _last_named(i: int, quote_start: int, paras, res, gender: str) -> str | None:
    for j in range(i, max(-1, i - speaker_features.MENTION_REACH), -1):
        for pos, n in reversed(paras[j].mentions):
            if j == i and pos >= quote_start:
                continue
            if res.gender.get(n) == gender:
                return n
    return None


def _subject(i: int, paras, res, gender: str) -> str | None:
    para = paras[i]
    k = next(k for k, s in enumerate(para.segs) if s.kind == "dialogue")
    order = [n for s in para.segs[:k] if s.kind == "narration" for n, _, _ in subjects_of(s.text, res) if n][::-1]
    for j in range(i - 1, max(-1, i - 4), -1):
        order.extend([n for s in paras[j].segs if s.kind == "narration" for n, _, _ in subjects_of(s.text, res) if n][::-1])
    return next((n for n in order if res.gender.get(n) == gender), None)


def analyse(novel: Path, cue_hits: Counter, stats: Counter, rows: list, per_novel: dict) -> None:
    story, chapters = load(novel / "text.txt")
    segs = [s for ch in chapters for s in split_dialogue(story, ch)]
    chars = find_characters(story, segs)
    res, paras, quotes = decode_quotes(segs, chars)
    by_seg = {s.start: (p, who) for s, p, who in quotes}
    index = {id(p): k for k, p in enumerate(paras)}
    gold = [json.loads(x) for x in (novel / "quotes.jsonl").open(encoding="utf-8")]
    gchars = json.load((novel / "characters.json").open())
    galias = gold_aliases(gchars)
    ggender = gold_genders(gchars)
    mapping = gold_map(chars, gchars)
    top: dict[str, str] = {}
    for c in sorted(chars, key=lambda c: -c.mentions):
        top.setdefault(c.gender, c.name)
    dl = sorted(by_seg)
    nv = per_novel.setdefault(novel.name, Counter())
    prev: list[dict] = []
    for qk, q in enumerate(gold):
        rx = q["referring_expression"] or ""
        spk = q["speaker"]
        gg = ggender.get(spk, "other")
        if q["quote_type"] != "anaphoric" or not _PRON_RX.match(rx) or gg == "other":
            prev.append(q)
            continue
        scene = _scene_class(qk, gold, ggender)
        stats["n"] += 1
        nv["n"] += 1
        stats[scene + "_n"] += 1
        nv[scene + "_n"] += 1
        hit = quote_line(dl, by_seg, q)  # our line: where the quotation starts

        def is_gold(n: str | None, spk: str = spk) -> bool:
            return n is not None and (norm(n) in galias.get(spk, set()) or mapping.get(n) == spk)

        cues: dict[str, bool] = dict.fromkeys(CUES, False)
        if hit is not None:
            p, who, seg = hit
            i = index[id(p)]
            cues["last_named"] = is_gold(_last_named(i, seg.start, paras, res, gg))
            cues["subject"] = is_gold(_subject(i, paras, res, gg))
        cues["turn"] = len(prev) >= 2 and prev[-2]["speaker"] == spk and prev[-1]["speaker"] != spk
        cues["addressed"] = bool(prev) and spk in prev[-1].get("addressees", [])
        ok = hit is not None and is_gold(hit[1])
        for c, v in cues.items():
            if v:
                cue_hits[c] += 1
                cue_hits[c + ("_ok" if ok else "_miss")] += 1
        if ok:
            stats["ok"] += 1
            nv["ok"] += 1
            stats[scene + "_ok"] += 1
            nv[scene + "_ok"] += 1
            prev.append(q)
            continue
        ours = [o for o, g in mapping.items() if g == spk]
        if hit is None or not ours:
            bucket = "never_found"
        elif not hit[0].tags or hit[0].tags[0][0].kind != "pronoun":
            bucket = "no_pron_tag"
        else:
            bucket = next((c for c in CUES if cues[c]), "other")
        stats[bucket] += 1
        nv[bucket] += 1
        stats[scene + "_" + bucket] += 1
        who = hit[1] if hit is not None else None
        prot = who is not None and who == top.get(gg)
        cross = who is not None and res.gender.get(who) in ("male", "female") and res.gender.get(who) != gg
        if cross:
            stats["cross_gender"] += 1  # we gave a "he said" to a woman: the tag's pronoun was overruled
            stats["cross_gender_" + bucket] += 1
        if prot:
            stats["protagonist"] += 1
            if bucket in CUES:
                stats["protagonist_over_cue"] += 1
        if hit is not None:
            rows.append((bucket, novel.name, rx, who, spk, prot, cross, cues,
                         story.text[max(0, q["start"] - 600): q["end"] + 120], scene))
        prev.append(q)


def main() -> int:
    args, novels = miss_report_args(__doc__, "print the text around misses of this bucket", listing=True,
                                    extra=[("--scene", {"choices": ("same", "mixed"),
                                                        "help": "list and show only the misses of this scene class"})])
    cue_hits: Counter = Counter()
    stats: Counter = Counter()
    rows: list = []
    per_novel: dict[str, Counter] = defaultdict(Counter)
    for nv in novels:
        analyse(nv, cue_hits, stats, rows, per_novel)
    n = stats["n"]
    miss = n - stats["ok"]
    print(f"pronoun tags: {n} quotes, ok {stats['ok']} ({100 * stats['ok'] / max(n, 1):.1f}%), {miss} misses")
    for sc in ("same", "mixed"):
        sn, sok = stats[sc + "_n"], stats[sc + "_ok"]
        print(f"  {sc:5} scenes: {sn} quotes, ok {sok} ({100 * sok / max(sn, 1):.1f}%), {sn - sok} misses: "
              + ", ".join(f"{b} {stats[sc + '_' + b]}" for b in BUCKETS if stats[sc + "_" + b]))
    print("\ncue alone names the gold speaker (of all pronoun-tag quotes; split by our outcome):")
    for c in CUES:
        print(f"  {c:11} {100 * cue_hits[c] / max(n, 1):5.1f}%   ours ok {cue_hits[c + '_ok']:5}  ours wrong {cue_hits[c + '_miss']:5}")
    print("\nmisses by first cue that names the gold speaker:")
    for b in BUCKETS:
        print(f"  {b:12} {stats[b]:5}  {100 * stats[b] / max(miss, 1):5.1f}% of misses")
    print(f"  our pick is the gender's most mentioned character: {stats['protagonist']} "
          f"({stats['protagonist_over_cue']} of them over a cue that named the gold speaker)")
    print(f"  our pick has the other gender than the tag: {stats['cross_gender']} ("
          + ", ".join(f"{b} {stats['cross_gender_' + b]}" for b in BUCKETS if stats["cross_gender_" + b]) + ")")
    print(f"\n{'novel':34} {'n':>5} {'ok%':>5} {'same':>5} {'ok%':>5} " + " ".join(f"{b[:8]:>8}" for b in BUCKETS))
    for name, c in sorted(per_novel.items()):
        print(f"{name:34} {c['n']:5} {100 * c['ok'] / max(c['n'], 1):5.1f} {c['same_n']:5} "
              f"{100 * c['same_ok'] / max(c['same_n'], 1):5.1f} " + " ".join(f"{c[b]:8}" for b in BUCKETS))
    if args.scene:
        rows = [r for r in rows if r[9] == args.scene]
    if args.list:
        for bucket, name, rx, who, spk, prot, cross, cues, _, _sc in rows:
            print(f"{bucket:11} {name[:20]:20} rx={rx[:18]:18} ours={str(who)[:18]:18} gold={spk[:18]:18} "
                  f"{'P' if prot else ' '}{'G' if cross else ' '} {' '.join(c for c, v in cues.items() if v)}")
    if args.show:
        for _b, name, rx, who, spk, prot, _g, cues, ctx, _sc in [r for r in rows if r[0] == args.show][: args.n]:
            print_example(f"{name} rx={rx!r} ours={who!r} gold={spk!r} protagonist={prot} "
                          f"cues={[c for c, v in cues.items() if v]}", ctx)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
