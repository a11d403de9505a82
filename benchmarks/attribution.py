"""Attribution benchmark: run narrator over a PDNC-style corpus, score it, print accuracy and speed.

    python benchmarks/attribution.py [CORPUS] [--novels SLUG ...] [--out DIR] [--split dev|test|all]
                                     [--no-name-gender]

Goes through the same stages as `narrator script --format jsonl`: read the text, split it into
chapters, split_dialogue, find_characters, attribute. Scoring uses ../shared/eval/score_attribution.py.
"""

from __future__ import annotations

import argparse
import bisect
import json
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from narrator import attribution as attr  # noqa: E402
from narrator import paragraphs, speaker_features  # noqa: E402
from narrator.attribution import attribute  # noqa: E402
from narrator.characters import find_characters  # noqa: E402
from narrator.dialogue import split_dialogue  # noqa: E402
from narrator.lexicon import ablate_name_gender  # noqa: E402
from narrator.models import Chapter, Scene, Segment, Span, Story  # noqa: E402

TEST_NOVELS = (
    "mansfield-park", "hard-times", "oliver-twist", "winnie-the-pooh",
    "where-angels-fear-to-tread", "a-passage-to-india",
)


def dev_novels(corpus: Path, only: list[str] | None = None) -> list[Path]:
    """The corpus's development novels (every annotated one but TEST_NOVELS), or those of them named in `only`.

    The miss reports take the corpus from their command line: a wrong folder, or a slug that is no development
    novel of it (a typo, a held-out novel), is one error line and exit 2.
    """
    if not corpus.is_dir():
        print(f"error: no corpus folder at {corpus}", file=sys.stderr)
        raise SystemExit(2)
    novels = sorted(p for p in corpus.iterdir() if (p / "quotes.jsonl").exists() and p.name not in TEST_NOVELS)
    unknown = sorted(set(only or ()) - {p.name for p in novels})
    if unknown:
        # (A report over no novel divided by zero; one over fewer than asked misled.)
        print(f"error: no development novel named {', '.join(unknown)} in {corpus}", file=sys.stderr)
        raise SystemExit(2)
    return [p for p in novels if p.name in only] if only else novels


def corpus_parser(doc: str | None) -> argparse.ArgumentParser:
    """The command line every development-novel report starts from: CORPUS (the shared copy by default) and
    --novels SLUG ...; each report adds its own options."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus" / "pdnc"))
    ap.add_argument("--novels", nargs="*")
    return ap


def miss_report_args(doc: str | None, show: str, listing: bool = False,
                     extra: list[tuple[str, dict]] = ()) -> tuple[argparse.Namespace, list[Path]]:
    """The command line the miss reports share (corpus, --novels, --show BUCKET, -n), plus a report's own
    `extra` options (flag, add_argument keywords), and the dev novels it names."""
    ap = corpus_parser(doc)
    if listing:
        ap.add_argument("--list", action="store_true", help="one row per miss")
    for flag, kw in extra:
        ap.add_argument(flag, **kw)
    ap.add_argument("--show", help=show)
    ap.add_argument("-n", type=int, default=15)
    args = ap.parse_args()
    return args, dev_novels(Path(args.corpus), args.novels)


def decode_quotes(segs, chars):
    """attribute() for the miss reports, keeping what it decided from: the resolver, the paragraphs (their
    mentions, tags and contexts) and, per quotation in text order, (segment, paragraph, speaker). One copy,
    so a change to the decoder's arguments cannot leave one report crashing."""
    res, paras = paragraphs.prepare(segs, chars)
    speakers: dict[int, str] = {}
    attr._decode(paras, res, speaker_features.load_weights(), speakers, None, attr._BEAM, None, {})
    quotes = [(s, p, speakers.get(s.index + s.chapter * 1_000_000, p.speaker)) for p in paras for s in p.quotes]
    return res, paras, sorted(quotes, key=lambda q: q[0].start)


def gold_genders(gchars: list[dict]) -> dict[str, str]:
    """Gold character -> "male", "female" or "other" (PDNC's M / F / anything else)."""
    return {c["name"]: {"M": "male", "F": "female"}.get(c["gender"], "other") for c in gchars}


def quote_line(starts: list[int], by_start: dict, q: dict):
    """(paragraph, speaker, segment) of our dialogue segment overlapping a gold quotation's first part, the
    part a tag belongs to (the scorer takes the speaker holding most of a multi-part quote, which can
    differ), or None. `starts` is sorted(by_start); by_start maps a segment's start to (paragraph, speaker)."""
    first_start, first_end = q["parts"][0]
    k = bisect.bisect_right(starts, first_start) - 1
    for s in starts[max(0, k - 1): k + 2]:
        p, who = by_start[s]
        seg = next(x for x in p.quotes if x.start == s)
        if seg.start < first_end and seg.end > first_start:
            return p, who, seg
    return None


def print_example(header: str, ctx: str) -> None:
    """One shown miss of a miss report: a rule, its one-line summary, the text around it."""
    print("\n" + "=" * 100)
    print(header)
    print(ctx)


def norm(s: str) -> str:
    """A name form as the gold data is compared: lower case, single spaces."""
    return re.sub(r"\s+", " ", s.strip().lower())


def gold_aliases(gchars: list[dict]) -> dict[str, set[str]]:
    """Gold character -> every form it goes by (name and aliases), normalised."""
    return {c["name"]: {norm(a) for a in [c["name"], *c["aliases"]]} for c in gchars}


def gold_map(chars, gchars: list[dict]) -> dict[str, str | None]:
    """Our character -> the gold character it stands for: a shared form, else a unique shared name word
    (None when neither picks out one). The error breakdowns all score against this one mapping."""
    galias = gold_aliases(gchars)
    out: dict[str, str | None] = {}
    for c in chars:
        forms = {norm(f) for f in (c.name, *c.aliases) if f != "I"}
        hit = [g for g, al in galias.items() if forms & al]
        if not hit:
            words = {w for f in forms for w in f.split() if w[:1].isalpha() and len(w) > 2 and not w.endswith(".")}
            hit = [g for g, al in galias.items() if words & {w for a in al for w in a.split()}]
        out[c.name] = hit[0] if len(hit) == 1 else None
    return out


def load(path: Path) -> tuple[Story, list[Chapter]]:
    """Story and chapters, through narrator's reader when it exists (a local fallback otherwise)."""
    try:
        from narrator.chapters import split_chapters  # type: ignore[attr-defined]
        from narrator.reader import read_story  # type: ignore[attr-defined]

        story = read_story(path)
        return story, list(split_chapters(story))
    except (ImportError, NotImplementedError):
        text = path.read_text(encoding="utf-8")
        story = Story(title=path.parent.name, author=None, description=None, text=text, path=path)
        paras = tuple(Span(m.start(), m.end()) for m in re.finditer(r"\S(?:.|\n(?![ \t\r]*\n))*", text))
        return story, [Chapter(1, story.title, None, (Scene(paras),))]


def run_novel(text_path: Path) -> tuple[list[dict[str, object]], float, int]:
    """Predicted segments (scorer format), seconds spent in attribution stages, word count."""
    story, chapters = load(text_path)
    t0 = time.perf_counter()
    segments: list[Segment] = []
    for ch in chapters:
        segments.extend(split_dialogue(story, ch))
    characters = find_characters(story, segments)
    lines = attribute(segments, characters)
    elapsed = time.perf_counter() - t0
    rows = [
        {"chapter": ln.segment.chapter, "start": ln.segment.start, "end": ln.segment.end,
         "kind": ln.segment.kind, "speaker": ln.speaker, "evidence": ln.evidence,
         "confidence": round(ln.confidence, 3), "text": ln.segment.text}
        for ln in lines
    ]
    return rows, elapsed, len(story.text.split())


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the per-novel table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus" / "pdnc"))
    ap.add_argument("--novels", nargs="*")
    ap.add_argument("--split", choices=["dev", "test", "all"], default="all")
    ap.add_argument("--out", default=str(ROOT / "output" / "attribution-bench"))
    ap.add_argument("--unit", choices=["quote", "part"], default="quote")
    ap.add_argument("--no-name-gender", action="store_true",
                    help="ablation: empty the given-name gender lists, so gender comes from the text alone")
    args = ap.parse_args(argv)
    if args.no_name_gender:
        ablate_name_gender()
    corpus = Path(args.corpus)
    slugs = sorted(p.name for p in corpus.iterdir() if (p / "text.txt").exists())
    if args.novels:
        slugs = [s for s in slugs if s in args.novels]
    elif args.split == "dev":
        slugs = [s for s in slugs if s not in TEST_NOVELS]
    elif args.split == "test":
        slugs = [s for s in slugs if s in TEST_NOVELS]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    timing: dict[str, tuple[float, int]] = {}
    for slug in slugs:
        rows, secs, words = run_novel(corpus / slug / "text.txt")
        timing[slug] = (secs, words)
        with open(out / f"{slug}.jsonl", "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r) + "\n")
    # The shared scorer sits beside the repository's checkout (../shared/eval) or beside the corpus's parent.
    candidates = [ROOT.parent / "shared" / "eval" / "score_attribution.py",
                  corpus.parent.parent / "eval" / "score_attribution.py"]
    scorer = next((c for c in candidates if c.exists()), None)
    if scorer is None:
        print(f"predictions written to {out}; no scorer found at {candidates[0]} or {candidates[1]}: "
              f"score them with score_attribution.py {corpus} {out}", file=sys.stderr)
        return 2
    res = subprocess.run(
        [sys.executable, str(scorer), str(corpus), str(out), "--missing", "skip", "--json", "--unit", args.unit,
         "--novels", *slugs],
        capture_output=True, text=True,
    )
    if res.returncode != 0:
        last = (res.stderr.strip().splitlines() or ["no message"])[-1]
        print(f"the scorer {scorer} failed on {out}: {last}", file=sys.stderr)
        return 2
    scores = json.loads(res.stdout)
    print_table(scores, timing)
    return 0


def print_table(scores: dict, timing: dict[str, tuple[float, int]]) -> None:
    """Per-novel accuracy, detection F1 and time, then the micro-averaged totals."""
    hdr = f"{'novel':34} {'acc_all':>7} {'expl':>6} {'anaph':>6} {'impl':>6} {'det_F1':>6} {'sec':>6} {'s/100kw':>7}"
    print(hdr)
    print("-" * len(hdr))
    for slug, s in sorted(scores["novels"].items()):
        secs, words = timing.get(slug, (0.0, 1))
        print(f"{slug:34} {_row(s)} {secs:6.2f} {secs / words * 1e5:7.2f}")
    total_secs = sum(t[0] for t in timing.values())
    total_words = sum(t[1] for t in timing.values())
    print("-" * len(hdr))
    print(f"{'micro':34} {_row(scores['overall_micro'])} {total_secs:6.2f} {total_secs / max(total_words, 1) * 1e5:7.2f}")


def _row(s: dict) -> str:
    def pct(v: object) -> str:
        return f"{100 * v:.1f}" if isinstance(v, (int, float)) else "-"

    by = s.get("by_type", {})
    types = " ".join(f"{pct(by.get(t, {}).get('accuracy_all')):>6}" for t in ("explicit", "anaphoric", "implicit"))
    return f"{pct(s.get('accuracy_all')):>7} {types} {pct(s.get('detection_f1')):>6}"


if __name__ == "__main__":
    raise SystemExit(main())
