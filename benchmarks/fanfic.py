"""Blind fan-fiction attribution score: stories written without looking at narrator's output.

    python benchmarks/fanfic.py [NAME ...]        (default: encore starfall ballast)

Each story in tests/fixtures/attribution/ has NAME.txt, NAME.speakers (the hand-checked speaker of every
quotation, in reading order, "I" for the first-person narrator) and NAME.quotes (the evidence type a reader
would give it -- explicit / anaphoric / implicit -- and the quotation's first words). Quotations are matched to
narrator's dialogue segments by their first words, so a quote our splitter misses or cuts differently counts as
wrong instead of shifting every later line. Prints accuracy per story and per evidence type, and every miss.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.attribution_helpers import FIXTURES, score_blind  # noqa: E402

STORIES = ("encore", "starfall", "ballast")


def main(argv: list[str]) -> int:
    names = argv or list(STORIES)
    tot: dict[str, list[int]] = {}
    for name in names:
        res = score_blind(FIXTURES / name)
        per: dict[str, list[int]] = {}
        for row in res.rows:
            for key in (row.kind, "all"):
                per.setdefault(key, [0, 0])
                per[key][0] += row.right
                per[key][1] += 1
                tot.setdefault(key, [0, 0])
                tot[key][0] += row.right
                tot[key][1] += 1
        cells = "  ".join(f"{k} {per[k][0]}/{per[k][1]}" for k in ("explicit", "anaphoric", "implicit", "all") if k in per)
        print(f"{name:10s} {100 * per['all'][0] / per['all'][1]:5.1f}%  {cells}  unmatched {res.unmatched}"
              f"  extra segments {res.extra}  narrator={res.narrator}")
        for row in res.rows:
            if not row.right:
                print(f"    miss [{row.kind}] want {row.want!r} got {row.got!r}: {row.text[:60]!r}")
    cells = "  ".join(f"{k} {100 * tot[k][0] / tot[k][1]:.1f}% ({tot[k][0]}/{tot[k][1]})"
                      for k in ("explicit", "anaphoric", "implicit", "all") if k in tot)
    print(f"{'total':10s} {cells}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
