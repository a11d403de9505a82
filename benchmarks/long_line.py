"""Character discovery and attribution on one huge paragraph: does any rule grow with the square of its length?

    python benchmarks/long_line.py [--mb 1.0] [--repeat 3]

Builds '"Well, Kate..." said James. "Very well," she replied. "Aye," said the sailor. ' repeated to about MB megabytes as a single
line (no paragraph breaks: the case a pasted or badly converted story produces), and the same text with a
blank line after every repetition as the baseline measured in the same run. Prints the median seconds of
find_characters and attribute for each, and their ratio. A ratio far above 1 means some rule rescans the
paragraph from its start for every tag or mention.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from narrator.attribution import attribute  # noqa: E402
from narrator.chapters import split_chapters  # noqa: E402
from narrator.characters import find_characters  # noqa: E402
from narrator.dialogue import split_dialogue  # noqa: E402
from narrator.reader import read_story  # noqa: E402

# A name tag, a pronoun tag of the other gender and an epithet tag: each has its own rule to exercise.
UNIT = '"Well, Kate..." said James. "Very well," she replied. "Aye," said the sailor. '


def _time(text: str, repeat: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "long.txt"
        path.write_text(text, encoding="utf-8")
        story = read_story(path)
        segments = [s for ch in split_chapters(story) for s in split_dialogue(story, ch)]
    found, attr = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        chars = find_characters(story, segments)
        t1 = time.perf_counter()
        attribute(segments, chars)
        t2 = time.perf_counter()
        found.append(t1 - t0)
        attr.append(t2 - t1)
    return statistics.median(found), statistics.median(attr)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=1.0)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    n = int(args.mb * 1_000_000) // len(UNIT)
    print(f"load: {os.getloadavg()[0]:.2f} (1 min)  text: {n * len(UNIT) / 1e6:.2f} MB, {n} repetitions")
    para = _time((UNIT.rstrip() + "\n\n") * n, args.repeat)
    line = _time(UNIT * n + "\n", args.repeat)
    print(f"{'':16s} {'find_characters':>16s} {'attribute':>10s}")
    print(f"{'paragraphs':16s} {para[0]:15.2f}s {para[1]:9.2f}s")
    print(f"{'one line':16s} {line[0]:15.2f}s {line[1]:9.2f}s")
    print(f"{'ratio line/para':16s} {line[0] / para[0]:15.2f}x {line[1] / para[1]:9.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
