"""Choose the attribution scorer's training recipe by novel-level cross-validation (development novels only).

    python benchmarks/scorer_cv.py [CORPUS] [--out DIR] [--recipes NAME ...] [--folds 0] [--candidates-only]

For each recipe (L2 strength, novel balancing, dropped features; see RECIPES) every development
novel is attributed end to end by weights fitted on the other novels (leave one novel out by
default) and scored with the shared scorer. The table gives the candidate-choice CV accuracy, the
end-to-end CV accuracy overall and per quote type, and how many novels went up / down against the
first recipe listed. The recipe with the best end-to-end CV acc_all is the one to train with:
train_attribution.py's defaults are set to it.
"""

from __future__ import annotations

import argparse
import bisect
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import train_attribution as ta

SALIENCE = ("salience", "salience_notag", "salience_bare")
# Book-level prominence: how often the book names a character, and "filled in from the book's main
# characters". Both describe the book, not the line, and a new book's cast is counted differently.
PROMINENCE = (*SALIENCE, "far_only", "far_only_notag")

RECIPES: dict[str, ta.Recipe] = {
    "shipped-recipe": ta.Recipe(l2=1e-3),
    "l2=1e-4": ta.Recipe(l2=1e-4),
    "l2=1e-2": ta.Recipe(l2=1e-2),
    "l2=3e-2": ta.Recipe(l2=3e-2),
    "l2=0.1": ta.Recipe(l2=0.1),
    "balanced": ta.Recipe(l2=1e-3, balance=True),
    "no-salience": ta.Recipe(l2=1e-3, drop=SALIENCE),
    "no-prominence": ta.Recipe(l2=1e-3, drop=PROMINENCE),
    "copies-x10": ta.Recipe(l2=1e-3, copy_l2=10.0),
    "copies-x0.1": ta.Recipe(l2=1e-3, copy_l2=0.1),
    "l2=3e-4": ta.Recipe(l2=3e-4),
    "l2=1e-5": ta.Recipe(l2=1e-5),
    "balanced-l2=1e-4": ta.Recipe(l2=1e-4, balance=True),
    # The groups the candidate-CV screen (--ablate shipped-recipe --folds 5) found harmful to keep.
    "drop-screen2": ta.Recipe(l2=1e-3, drop=("pron_match_first", "anc_back_odd", "anc_back_odd_notag",
                                             "anc_back_odd_bare")),
    "drop-screen7": ta.Recipe(l2=1e-3, drop=("pron_match_first", "anc_back_odd", "anc_back_odd_notag",
                                             "anc_back_odd_bare", "called", "next_named", "next_named_notag",
                                             "narrator_i", "beat_after", "beat_after_notag", "addr_prev_mismatch")),
    "history-both": ta.Recipe(l2=1e-3, history="both"),
    "both-l2=1e-4": ta.Recipe(l2=1e-4, history="both"),
    "both-balanced": ta.Recipe(l2=1e-3, balance=True, history="both"),
    "default": ta.DEFAULT,
}


def quote_hits(corpus: Path, pred: Path, names: list[str]) -> dict[tuple[str, str], bool]:
    """(novel, quote id) -> whether the prediction gives that quotation its gold speaker: the shared
    scorer's rule (the speaker holding most of the quotation's characters, half of it covered) per quote,
    so that two recipes can be compared quote by quote."""
    hits: dict[tuple[str, str], bool] = {}
    for name in names:
        forms = {c["name"]: {" ".join(a.lower().split()) for a in (c["name"], *c["aliases"])}
                 for c in json.loads((corpus / name / "characters.json").read_text(encoding="utf-8"))}
        segs = [r for r in map(json.loads, (pred / f"{name}.jsonl").open(encoding="utf-8")) if r["kind"] == "dialogue"]
        segs.sort(key=lambda r: r["start"])
        starts = [r["start"] for r in segs]
        for q in map(json.loads, (corpus / name / "quotes.jsonl").open(encoding="utf-8")):
            votes: dict[str | None, int] = {}
            length = covered = 0
            for ps, pe in q["parts"]:
                length += pe - ps
                for r in segs[max(0, bisect.bisect_left(starts, ps) - 1): bisect.bisect_left(starts, pe)]:
                    ov = min(r["end"], pe) - max(r["start"], ps)
                    if ov > 0:
                        covered += ov
                        who = " ".join(r["speaker"].lower().split()) if r["speaker"] else None
                        votes[who] = votes.get(who, 0) + ov
            best = max(votes, key=lambda k: votes[k]) if votes else None
            gold = forms.get(q["speaker"], {q["speaker"].lower()})
            hits[(name, q["id"])] = bool(length and covered >= length / 2 and best in gold)
    return hits


def paired(corpus: Path, a: Path, b: Path, names: list[str]) -> tuple[int, int]:
    """(quotes only A gets right, quotes only B gets right): a difference of d = b - a quotes is
    within chance when |d| < 2 sqrt(a + b) (a sign test on the quotes the two disagree on)."""
    ha, hb = quote_hits(corpus, a, names), quote_hits(corpus, b, names)
    return sum(ha[k] and not hb[k] for k in ha), sum(hb[k] and not ha[k] for k in ha)


def groups() -> dict[str, tuple[str, ...]]:
    """Each feature with its _notag / _bare copies: what leaving one cue out of the model means."""
    out: dict[str, list[str]] = {}
    for f in ta.speaker_features.FEATURES:
        base = f.removesuffix("_notag").removesuffix("_bare")
        out.setdefault(base if base in ta.speaker_features.FEATURES else f, []).append(f)
    return {k: tuple(v) for k, v in out.items()}


def ablate(blocks: dict[str, ta.Block], recipe: ta.Recipe, folds: int) -> None:
    """Candidate-choice CV with each feature group left out, against the recipe itself (a screen:
    the groups whose removal does not hurt are then measured end to end as recipes)."""
    (h0, n), _ = ta.cross_validate(Path(), blocks, recipe, folds, None)
    print(f"{recipe.label()}: candidate CV {100 * h0 / n:.2f} ({folds or len(blocks)} folds)")
    rows = []
    for name, feats in groups().items():
        r = ta.Recipe(recipe.l2, (*recipe.drop, *feats), recipe.balance, recipe.history, recipe.copy_l2)
        (h, _), _ = ta.cross_validate(Path(), blocks, r, folds, None)
        rows.append((h - h0, name, feats))
        print(f"  without {name:20} {h - h0:+5d} examples  ({' '.join(feats)})", flush=True)
    print("harmless or harmful to keep:", " ".join(name for d, name, _ in sorted(rows, reverse=True) if d >= 0))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="?", default=str(ta.ROOT.parent / "shared" / "corpus" / "pdnc"))
    ap.add_argument("--out", default=str(Path(tempfile.gettempdir()) / "narrator-scorer-cv"),
                    help="predictions and scores, one folder per recipe")
    ap.add_argument("--recipes", nargs="*", default=list(RECIPES), choices=list(RECIPES), metavar="NAME")
    ap.add_argument("--folds", type=int, default=0, help="novel-level folds (0: leave one novel out)")
    ap.add_argument("--candidates-only", action="store_true", help="skip the end-to-end decode (fast)")
    ap.add_argument("--ablate", metavar="NAME", choices=list(RECIPES),
                    help="instead: screen every feature group by candidate CV without it, on this recipe")
    args = ap.parse_args()
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        print(f"error: no corpus folder at {corpus}", file=sys.stderr)
        return 2
    novels = ta.development(corpus)
    blocks = {h: ta.training_blocks(novels, ta.speaker_features.load_weights(), h)
              for h in {RECIPES[n].history for n in [*args.recipes, args.ablate] if n}}
    if args.ablate:
        ablate(blocks[RECIPES[args.ablate].history], RECIPES[args.ablate], args.folds)
        return 0
    base: dict[str, float] | None = None
    base_dir = Path()
    print(f"{'recipe':16} {'cand CV':>8} {'acc_all':>8} {'expl':>6} {'anaph':>6} {'impl':>6}  novels up/down, quotes won/lost")
    for name in args.recipes:
        out = None if args.candidates_only else Path(args.out) / name
        (hit, n), s = ta.cross_validate(corpus, blocks[RECIPES[name].history], RECIPES[name], args.folds, out)
        row = f"{name:16} {100 * hit / n:8.2f}"
        if s is not None:
            (out / "scores.json").write_text(json.dumps(s))
            m = s["overall_micro"]
            by = m["by_type"]
            per = {k: v["accuracy_all"] for k, v in s["novels"].items()}
            row += (f" {100 * m['accuracy_all']:8.2f} {100 * by['explicit']['accuracy_all']:6.2f}"
                    f" {100 * by['anaphoric']['accuracy_all']:6.2f} {100 * by['implicit']['accuracy_all']:6.2f}")
            if base is None:
                base, base_dir = per, out
            else:
                up = sum(per[k] > base[k] + 1e-9 for k in per)
                down = sum(per[k] < base[k] - 1e-9 for k in per)
                lost, won = paired(corpus, base_dir, out, sorted(per))
                row += f"  {up}/{down}  quotes +{won} -{lost} (chance +-{2 * (won + lost) ** 0.5:.0f})"
        print(row, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
