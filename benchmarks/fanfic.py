"""Blind fan-fiction attribution score: stories written without looking at narrator's output.

    python benchmarks/fanfic.py [NAME ...]        (default: the two blind sets below, each with its own total)

Each story in tests/fixtures/attribution/ has NAME.txt, NAME.speakers (the hand-checked speaker of every
quotation, in reading order, "I" for the first-person narrator) and NAME.quotes (the evidence type a reader
would give it -- explicit / anaphoric / implicit -- and the quotation's first words), and may have NAME.aliases
(every gold speaker with the other names the story gives them: "Miss Ashby = Cecily"; a cast that names the
person by any of them is right). Quotations are matched to narrator's dialogue segments by their first words, so
a quote our splitter misses or cuts differently counts as wrong instead of shifting every later line. Prints
accuracy per story and per evidence type, and every miss.

The first set (encore, starfall, ballast; 239 quotations) has been read by the team since, so it is no longer
strictly blind. The second (session 11: a children's animal story, an Edwardian drawing-room comedy, a Bengal
town with Bengali names and honorifics, a first-person present-tense AO3 chapter, a Victorian trial; 515
quotations) was keyed and committed before narrator first ran on it.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.attribution_helpers import FIXTURES, score_blind  # noqa: E402

STORIES = ("encore", "starfall", "ballast")
BLIND_2 = ("hedgerow", "ashby", "monsoon", "latenight", "assizes")
KINDS = ("explicit", "anaphoric", "implicit", "all")


def score_set(names: list[str] | tuple[str, ...], label: str) -> None:
    """Print every story of one set with its misses, then the set's total."""
    tot: dict[str, list[int]] = {}
    for name in names:
        res = score_blind(FIXTURES / name)
        per: dict[str, list[int]] = {}
        for row in res.rows:
            for key in (row.kind, "all"):
                for acc in (per, tot):
                    acc.setdefault(key, [0, 0])
                    acc[key][0] += row.right
                    acc[key][1] += 1
        cells = "  ".join(f"{k} {per[k][0]}/{per[k][1]}" for k in KINDS if k in per)
        print(f"{name:10s} {100 * per['all'][0] / per['all'][1]:5.1f}%  {cells}  unmatched {res.unmatched}"
              f"  extra segments {res.extra}  narrator={res.narrator}")
        for row in res.rows:
            if not row.right:
                print(f"    miss [{row.kind}] want {row.want!r} got {row.got!r}: {row.text[:60]!r}")
    cells = "  ".join(f"{k} {100 * tot[k][0] / tot[k][1]:.1f}% ({tot[k][0]}/{tot[k][1]})" for k in KINDS if k in tot)
    print(f"{label:10s} {cells}")


def main(argv: list[str]) -> int:
    if argv:
        score_set(argv, "total")
        return 0
    score_set(STORIES, "total")
    print()
    score_set(BLIND_2, "blind 2")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
