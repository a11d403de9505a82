"""Odd story shapes through the whole build: does the reader, splitter or export choke on them?

    python benchmarks/story_shapes.py [--mb 1.0] [--chapters 300] [--repeat 3]

Writes synthetic stories (made up here, no corpus text) in pairs, each odd shape with a baseline of the same
words in an ordinary shape, and builds each pair interleaved, cold (a fresh output folder is a fresh cache),
with the silent engine so that synthesis costs next to nothing and the reader, splitter, casting and export
are what is timed:

  one line     MB of narration and dialogue on a single line   vs  the same sentences, four to a paragraph
  chapters     N short chapters                                 vs  the same text as one chapter with N-1
                                                                    scene breaks (N > 255 scene markers
                                                                    once failed the build: ID3 limit)

Prints the median wall time and the exit statuses of each, and the ratio
odd/baseline. Run it on a quiet machine and note `uptime`: only the ratios compare across runs.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMES = ["Mara", "Bram", "Tamsin", "Odile"]
DEEDS = ["walked to the mill", "looked at the river", "lit the lamp", "counted the coins", "closed the door"]


def _sentence(rng: random.Random) -> str:
    who = rng.choice(NAMES)
    if rng.random() < 0.3:
        return f'"I counted {rng.randint(2, 99)} lamps tonight," said {who}.'
    return f"{who} {rng.choice(DEEDS)} and waited for the night."


def write_stories(folder: Path, mb: float, chapters: int) -> list[tuple[str, Path, Path]]:
    rng = random.Random(7)
    sentences: list[str] = []
    size = 0
    while size < mb * 1_000_000:
        sentences.append(_sentence(rng))
        size += len(sentences[-1]) + 1
    one_line = folder / "one-line.txt"
    one_line.write_text(" ".join(sentences) + "\n", encoding="utf-8")
    paragraphs = folder / "paragraphs.txt"
    paragraphs.write_text("\n\n".join(" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4)) + "\n",
                          encoding="utf-8")
    head = ["Three Hundred Nights - Wren Halloway", ""]
    body = [[" ".join(_sentence(rng) for _ in range(3)) for _ in range(3)] for _ in range(chapters)]
    many = folder / "many-chapters.txt"
    many.write_text("\n".join(head + [line for n, paras in enumerate(body, 1)
                                      for line in (f"Chapter {n}", "", *(p + "\n" for p in paras))]),
                    encoding="utf-8")
    one = folder / "one-chapter.txt"
    one.write_text("\n".join(head + ["Chapter 1", ""] + [line for n, paras in enumerate(body)
                                                         for line in (([] if n == 0 else ["* * *", ""])
                                                                      + [p + "\n" for p in paras])]),
                   encoding="utf-8")
    return [("one line", one_line, paragraphs), (f"{chapters} chapters", many, one)]


def build(story: Path, out: Path) -> tuple[float, int]:
    """(seconds, exit status) of one cold build."""
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "narrator", "build", str(story), "-o", str(out), "--engine", "silent"],
                          env=env, capture_output=True, check=False)
    return time.perf_counter() - start, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=1.0)
    parser.add_argument("--chapters", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    with tempfile.TemporaryDirectory(prefix="narrator-shapes-") as tmp:
        folder = Path(tmp)
        for label, odd, base in write_stories(folder, args.mb, args.chapters):
            runs: dict[Path, list[tuple[float, int]]] = {odd: [], base: []}
            for _ in range(args.repeat):
                for story in (odd, base):  # interleaved, so a burst of load falls on both
                    runs[story].append(build(story, folder / "out"))
            med = {s: statistics.median(r[0] for r in rs) for s, rs in runs.items()}
            for story in (odd, base):
                codes = sorted({r[1] for r in runs[story]})
                print(f"{label:>14}  {story.name:<18} median {med[story]:7.2f} s  exit {codes}")
            print(f"{label:>14}  ratio odd/baseline {med[odd] / med[base]:.2f}")
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


if __name__ == "__main__":
    main()
