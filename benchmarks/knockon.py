"""Knock-on diagnostic: how much of the attribution error comes from earlier wrong guesses.

    python benchmarks/knockon.py [CORPUS] [--novels SLUG ...] [--beam N]

The decoder reads its own earlier guesses (turn-taking, the pronoun centre walk, "the same
epithet"), so one wrong line can make the next ones wrong. For every development novel this decodes
twice: as narrator does (the beam), and teacher-forced: greedy, with every earlier paragraph given
its true speaker (where the gold speaker is one of our characters), each paragraph keeping the speaker
the decoder itself would choose there. Per gold quote type it prints

  decode    accuracy of the normal decode
  forced    accuracy with the true history
  knock-on  wrong in the decode, right with the true history: the error an earlier line caused
  rescued   right in the decode, wrong with the true history (the beam's look-ahead, or luck)

how the decode's errors cluster: the share of wrong quotes in runs of 1, 2, 3-5 and 6+
consecutive wrong quotes of one conversation; and whether a wrongly decoded conversation is the
search's fault or the scorer's. A third decode walks each conversation along its true speakers
(the training oracle, scored as the decoder scores: beam 1, confidence-weighted history); where that
reaches every paragraph's true speaker, its sequence score is compared with the beam's:

  search error  the true reading scores higher than the one the beam kept (a wider or
                better-kept beam would find it)
  model error   the beam's wrong reading scores at least as high (no search can fix it: the
                sequence score itself must change); its margin, in nats, says by how much,
                and a table says on which lines (kind x how the true speaker follows the
                last two turns) the true reading loses that score
 Accuracy here is per gold quotation on the segment its
first part falls in (the shared scorer weighs all parts), over every gold quotation (a missed one is
wrong in both runs), so its figures sit close to, not exactly on, benchmarks/attribution.py's.
Prints figures only, never corpus text.
"""

from __future__ import annotations

import bisect
import json
import math
import statistics
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from attribution import corpus_parser, dev_novels, gold_aliases, load, norm  # noqa: E402

from narrator import attribution as attr  # noqa: E402
from narrator import paragraphs, speaker_features  # noqa: E402
from narrator.characters import find_characters  # noqa: E402
from narrator.dialogue import split_dialogue  # noqa: E402

TYPES = ("explicit", "anaphoric", "implicit")
RUNS = ((1, 1), (2, 2), (3, 5), (6, 10**9))
LOSS: Counter = Counter()  # (line kind, true turn) -> summed log-prob of the true reading minus the beam's
LOSS_N: Counter = Counter()
MARGINS: list[float] = []  # per model error: how much higher the beam's wrong reading scores (nats)


def _truth_fn(gold: list[dict], gchars: list[dict], chars):
    """Our character that a quotation's gold speaker is (one sharing a name form, when only one does)."""
    aliases = gold_aliases(gchars)
    forms = {c.name: {norm(f) for f in (c.name, *c.aliases)} for c in chars}
    starts = sorted((p[0], p[1], q["speaker"]) for q in gold for p in q["parts"])
    keys = [s[0] for s in starts]

    def truth(q) -> str | None:
        k = bisect.bisect_right(keys, q.end) - 1
        if k < 0 or starts[k][1] <= q.start:
            return None
        al = aliases.get(starts[k][2], set())
        hits = [c for c, f in forms.items() if f & al]
        return hits[0] if len(hits) == 1 else None
    return truth


def _decode(segs, chars, beam: int, truth=None, scores: dict[int, float] | None = None,
            walk: bool = False) -> tuple[dict[int, tuple[str | None, int]], list]:
    """Segment start -> (speaker, conversation) for every quotation, and the paragraphs; teacher-forced
    when `truth` is given, or (`walk`) forced along the true speakers and scored as the decoder scores."""
    res, paras = paragraphs.prepare(segs, chars)
    speakers: dict[int, str] = {}
    picks: dict[int, str | None] | None = {} if truth is not None and not walk else None
    attr._decode(paras, res, speaker_features.load_weights(), speakers, None, 1 if truth else beam, truth, {}, picks, scores)
    out: dict[int, tuple[str | None, int]] = {}
    for i, p in enumerate(paras):
        own = picks.get(i, p.speaker) if picks is not None else p.speaker
        for s in p.quotes:
            key = s.index + s.chapter * 1_000_000
            out[s.start] = (speakers.get(key, own), p.chain)
    return out, paras


def _logp(conf: float) -> float:
    """A scored line's log-probability back from its calibrated confidence (0.1 + 0.8 p, three places)."""
    return math.log(max((conf - 0.1) / 0.8, 1e-4))


def _losses(paras, walked, chain: int) -> None:
    """Where the true reading of a model-error conversation loses to the beam's: per line kind and how the
    true speaker follows the two turns before (repeat / alternate / third), the summed log-probability
    difference over lines both readings scored (confidence below a settled line's)."""
    last = last2 = None
    for p, w in zip(paras, walked, strict=True):
        if not p.quotes or p.chain != chain:
            continue
        true = w.speaker
        tag = p.tags[0][0] if p.tags else None
        kind = ("named" if p.named else "continued" if p.cont else tag.kind if tag is not None
                else "bare" if all(s.kind == "dialogue" for s in p.segs) else "untagged")
        turn = "repeat" if true == last else "alternate" if true == last2 else "third"
        if not p.named and not p.cont and max(p.confidence, w.confidence) < 0.9 and min(p.confidence, w.confidence) > 0.1:
            LOSS[(kind, turn)] += _logp(w.confidence) - _logp(p.confidence)
            LOSS_N[(kind, turn)] += 1
        last2, last = last, true


def analyse(novel: Path, beam: int, acc: Counter, runs: Counter, per_novel: dict) -> None:
    story, chapters = load(novel / "text.txt")
    segs = [s for ch in chapters for s in split_dialogue(story, ch)]
    chars = find_characters(story, segs)
    gold = [json.loads(x) for x in (novel / "quotes.jsonl").open(encoding="utf-8")]
    gchars = json.load((novel / "characters.json").open())
    aliases = gold_aliases(gchars)
    truth = _truth_fn(gold, gchars, chars)
    beam_scores: dict[int, float] = {}
    walk_scores: dict[int, float] = {}
    normal, paras = _decode(segs, chars, beam, scores=beam_scores)
    forced, _ = _decode(segs, chars, beam, truth)
    _, walked = _decode(segs, chars, beam, truth, walk_scores, walk=True)
    convs: dict[int, list[tuple[str | None, str | None, str | None]]] = {}
    for p, w in zip(paras, walked, strict=True):
        if p.quotes:
            convs.setdefault(p.chain, []).append((truth(p.quotes[0]), p.speaker, w.speaker))
    for c, rows3 in convs.items():
        if c not in beam_scores or c not in walk_scores or not all(t is not None and w == t for t, _, w in rows3):
            continue
        wrong = sum(b != t for t, b, _ in rows3)
        if wrong:
            kind = "search" if walk_scores[c] > beam_scores[c] + 1e-9 else "model"
            runs[f"{kind}|conv"] += 1
            runs[f"{kind}|lines"] += wrong
            if kind == "model":
                MARGINS.append(beam_scores[c] - walk_scores[c])
                _losses(paras, walked, c)
    seg_ends = {s.start: s.end for s in segs if s.kind == "dialogue"}
    starts = sorted(seg_ends)
    rows = []  # (wrong in decode, conversation or None) per gold quote, in text order
    mine = Counter()
    for q in sorted(gold, key=lambda q: q["start"]):
        first, first_end = q["parts"][0]
        k = bisect.bisect_right(starts, first) - 1
        hit = next((s for s in starts[max(0, k - 1): k + 2] if s < first_end and seg_ends[s] > first), None)
        forms = aliases.get(q["speaker"], {norm(q["speaker"])})
        ok_n = hit is not None and normal[hit][0] is not None and norm(normal[hit][0]) in forms
        ok_f = hit is not None and forced[hit][0] is not None and norm(forced[hit][0]) in forms
        t = q["quote_type"]
        if t not in TYPES:
            continue  # a few gold quotations have no type: left out of every count, as of the type rows
        for key, v in ((f"{t}|n", 1), (f"{t}|decode", ok_n), (f"{t}|forced", ok_f),
                       (f"{t}|knock", ok_f and not ok_n), (f"{t}|rescued", ok_n and not ok_f)):
            acc[key] += v
            mine[key] += v
        rows.append((not ok_n, not ok_f, normal[hit][1] if hit is not None else None))
    per_novel[novel.name] = mine
    for col, label in ((0, "decode"), (1, "forced")):
        run, chain = 0, None
        for row in [*rows, (False, False, None)]:
            if row[col] and (run == 0 or row[2] == chain):
                run += 1
            else:
                if run:
                    lo = next(a for a, b in RUNS if a <= run <= b)
                    runs[f"{label}|{lo}"] += run
                run = 1 if row[col] else 0
            chain = row[2]


def main() -> int:
    ap = corpus_parser(__doc__)
    ap.add_argument("--beam", type=int, default=attr._BEAM)
    args = ap.parse_args()
    novels = dev_novels(Path(args.corpus), args.novels)
    acc: Counter = Counter()
    runs: Counter = Counter()
    per_novel: dict[str, Counter] = {}
    for novel in novels:
        analyse(novel, args.beam, acc, runs, per_novel)
    print(f"{'novel':34} {'n':>5} {'decode':>7} {'forced':>7} {'knock':>6} {'rescue':>6}")
    for slug, c in sorted(per_novel.items()):
        n = sum(c[f"{t}|n"] for t in TYPES)
        d, f = (sum(c[f"{t}|{k}"] for t in TYPES) for k in ("decode", "forced"))
        kn, rs = (sum(c[f"{t}|{k}"] for t in TYPES) for k in ("knock", "rescued"))
        print(f"{slug:34} {n:5} {100 * d / n:7.1f} {100 * f / n:7.1f} {kn:6} {rs:6}")
    print()
    print(f"{'type':12} {'n':>6} {'decode':>7} {'forced':>7} {'errors':>7} {'knock-on':>9} {'share':>6} {'rescued':>8}")
    for t in (*TYPES, "all"):
        ts = TYPES if t == "all" else (t,)
        n, d, f, kn, rs = (sum(acc[f"{x}|{k}"] for x in ts) for k in ("n", "decode", "forced", "knock", "rescued"))
        err = n - d
        print(f"{t:12} {n:6} {100 * d / n:7.1f} {100 * f / n:7.1f} {err:7} {kn:9} {100 * kn / max(err, 1):5.1f}% {rs:8}")
    print()
    for label in ("decode", "forced"):
        total = sum(runs[f"{label}|{a}"] for a, _ in RUNS)
        parts = "  ".join(f"{a if a == b else f'{a}+' if b > 99 else f'{a}-{b}'}: {100 * runs[f'{label}|{a}'] / max(total, 1):4.1f}%"
                          for a, b in RUNS)
        print(f"wrong quotes by run length ({label}, {total} wrong): {parts}")
    print(f"wrongly decoded conversations the true reading can walk: {runs['search|conv']} search errors "
          f"({runs['search|lines']} wrong paragraphs), {runs['model|conv']} model errors ({runs['model|lines']})")
    if MARGINS:
        print(f"model errors: the wrong reading scores higher by a median {statistics.median(MARGINS):.2f} nats "
              f"(quartiles {statistics.quantiles(MARGINS, n=4)[0]:.2f} / {statistics.quantiles(MARGINS, n=4)[2]:.2f})")
        print("where the true reading loses (model errors; log-probability from the calibrated confidences):")
        for key in sorted(LOSS, key=LOSS.__getitem__)[:8]:
            print(f"  {key[0]:10} true speaker {key[1]:9} {LOSS[key]:8.1f} nats over {LOSS_N[key]:5} lines")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
