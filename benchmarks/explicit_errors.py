"""Error analysis for explicit (named-tag) quotations: bucket every miss by its cause.

    python benchmarks/explicit_errors.py [CORPUS] [--split dev] [--novels SLUG ...]
                                         [--show BUCKET] [--limit N] [--type explicit|anaphoric|implicit]

Runs the same stages as benchmarks/attribution.py, then for each gold quotation of the chosen type
decides why it was missed:

  detection      the quotation was not found (less than half of it inside dialogue segments)
  no_speaker     found, but narrator left it unknown
  first_person   the gold tag is the first-person narrator's ("I said", "said I")
  not_found      name never discovered: no character of ours has any gold alias of the speaker and
                 none of ours is named in the tag
  split          the tag names the speaker, but that name is a character of ours apart from the one
                 holding the speaker's gold aliases ("May" beside "Miss Welland"), or the speaker's
                 aliases are spread over several of ours and the line went to the other half
  wrong_cluster  the tag's name sits in one of our characters that also holds another gold
                 character's alias (two people merged: `merged`), or the right character is found
                 under a canonical name the gold list does not hold (`name_form`: "Harvey")
  tag_parse      the right character exists, but the tag was missed (anaphoric/implicit guess) or
                 read as naming someone else (vocative, tag of the next line, wrong side ...)

The old, finer buckets are kept as `detail` (tag_missed / tag_wrong / vocative / name_form /
merged; a split is tag_name_apart or other_half) and printed with --show.

--show prints the tag (the gold referring expression), our speaker, the gold speaker, the detail
and the paragraph of each miss in a bucket (corpus text: read it, never commit it); --show all
prints every miss.
"""

from __future__ import annotations

import argparse
import bisect
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from attribution import dev_novels, load  # noqa: E402

from narrator.attribution import attribute  # noqa: E402
from narrator.characters import find_characters  # noqa: E402
from narrator.dialogue import split_dialogue  # noqa: E402


def norm(s: str) -> str:
    return " ".join(s.split()).casefold()


_FIRST_PERSON = re.compile(r"(?:^|\s)I(?:\s|$)|\b(?:said|asked|replied|cried) I\b")


def _bare(form: str) -> str:
    return form[4:] if form.startswith("the ") else form


def analyse(novel: Path, qtype: str) -> list[dict]:
    story, chapters = load(novel / "text.txt")
    segs = [s for ch in chapters for s in split_dialogue(story, ch)]
    chars = find_characters(story, segs)
    lines = attribute(segs, chars)
    dlg = [ln for ln in lines if ln.segment.kind == "dialogue"]
    starts = [ln.segment.start for ln in dlg]
    gold_chars = {c["name"]: {norm(a) for a in [c["name"], *(c.get("aliases") or [])]}
                  for c in json.loads((novel / "characters.json").read_text())}
    forms_of = {c.name: {norm(f) for f in (c.name, *c.aliases)} for c in chars}
    # Aliases without a leading article: gold lists "March Hare", we may say "the March Hare".
    gold_bare = {g: {_bare(a) for a in fs} for g, fs in gold_chars.items()}
    text = story.text
    out = []
    for raw in (novel / "quotes.jsonl").read_text().splitlines():
        q = json.loads(raw)
        if q.get("quote_type") != qtype:
            continue
        parts = q.get("parts") or [[q["start"], q["end"]]]
        length = sum(e - s for s, e in parts)
        votes: Counter = Counter()
        ev: Counter = Counter()
        cov = 0
        for ps, pe in parts:
            k = bisect.bisect_left(starts, pe) - 1
            while k >= 0 and dlg[k].segment.end > ps - 5000:
                seg = dlg[k].segment
                ov = min(seg.end, pe) - max(seg.start, ps)
                if ov > 0:
                    votes[dlg[k].speaker] += ov
                    ev[dlg[k].evidence] += ov
                    cov += ov
                k -= 1
        gold = gold_chars.get(q["speaker"], {norm(q["speaker"])})
        pred = max(votes, key=lambda x: votes[x]) if votes else None
        evidence = max(ev, key=lambda x: ev[x]) if ev else "none"
        ref = q.get("referring_expression") or ""
        holders = [c for c, fs in forms_of.items() if fs & gold or {_bare(f) for f in fs} & gold_bare.get(q["speaker"], set())]
        detail = ""
        quoted = " ".join(text[s:e] for s, e in parts)
        pred_forms = {f for f in forms_of.get(pred, set()) if f != "i"}
        # Our speaker is named in the tag itself: the tag was read, the name went astray.
        in_tag = any(re.search(r"(?<![a-z])" + re.escape(f) + r"(?![a-z])", ref.casefold()) for f in pred_forms)
        others = any(pred_forms & fs for g, fs in gold_chars.items() if g != q["speaker"])
        if cov < 0.5 * length:
            bucket = "detection"
        elif pred is not None and norm(pred) in gold:
            bucket = "correct"
        elif _FIRST_PERSON.search(ref):
            bucket = "first_person"
        elif pred is None:
            bucket = "no_speaker"
        elif in_tag and others:
            bucket, detail = "wrong_cluster", "merged"
        elif in_tag and holders and pred not in holders:
            bucket, detail = "split", "tag_name_apart"
        elif in_tag or pred in holders:
            # The right person under a name the gold list does not hold ("Harvey" for "Harvey Stone").
            bucket, detail = ("split", "other_half") if len(holders) >= 2 else ("wrong_cluster", "name_form")
        elif not holders:
            bucket = "not_found"
        elif evidence != "explicit":
            bucket, detail = "tag_parse", "tag_missed"
        elif any(re.search(r"(?<![A-Za-z])" + re.escape(f) + r"(?![A-Za-z])", quoted, re.I) for f in pred_forms):
            bucket, detail = "tag_parse", "vocative"
        else:
            bucket, detail = "tag_parse", "tag_wrong"
        # The paragraph holding the quotation, for --show.
        a = text.rfind("\n\n", 0, q["start"]) + 2
        b = text.find("\n\n", q["end"])
        out.append({"bucket": bucket, "detail": detail, "gold": q["speaker"], "pred": pred, "evidence": evidence,
                    "ref": q.get("referring_expression"), "para": text[a : b if b > 0 else None],
                    "right": holders, "novel": novel.name})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus" / "pdnc"))
    # Development novels only: the held-out six are for reporting, not for reading errors.
    ap.add_argument("--split", choices=["dev"], default="dev")
    ap.add_argument("--novels", nargs="*")
    ap.add_argument("--type", default="explicit", choices=["explicit", "anaphoric", "implicit"])
    ap.add_argument("--show", help="print the misses of this bucket")
    ap.add_argument("--limit", type=int, default=30)
    args = ap.parse_args(argv)
    rows = [r for nv in dev_novels(Path(args.corpus), args.novels) for r in analyse(nv, args.type)]
    total = Counter(r["bucket"] for r in rows)
    print(f"{args.type} quotations: {len(rows)}")
    for b, n in total.most_common():
        print(f"  {b:14} {n:6} {100 * n / max(len(rows), 1):5.1f}%")
    details = Counter(r["detail"] for r in rows if r["detail"])
    print("  detail:", ", ".join(f"{d}={n}" for d, n in details.most_common()))
    per = Counter((r["novel"], r["bucket"]) for r in rows if r["bucket"] != "correct")
    print("worst novel/bucket pairs:", ", ".join(f"{nv}:{b}={n}" for (nv, b), n in per.most_common(12)))
    if args.show:
        shown = [r for r in rows if r["bucket"] != "correct" and args.show in ("all", r["bucket"])]
        pairs = Counter((r["gold"], r["pred"]) for r in shown)
        print("gold -> pred:", ", ".join(f"{g}->{p} x{n}" for (g, p), n in pairs.most_common(20)))
        for r in shown[: args.limit]:
            print(f"\n[{r['novel']}] {r['bucket']}/{r['detail'] or '-'} tag={r['ref']!r} ours={r['pred']!r} "
                  f"gold={r['gold']!r} ev={r['evidence']} holders={r['right']}")
            print("   ", r["para"][:600].replace("\n", " "))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
