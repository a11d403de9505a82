"""Loudness and true peak of the sample story's chapter MP3s at each loudness target, as ffmpeg's ebur128 measures them.

    python benchmarks/loud_targets.py                      # this checkout, targets -23 -18 -16 -14 and -10 (0 dBTP)
    python benchmarks/loud_targets.py --code /path/to/old  # another checkout of narrator, for a before/after table

Each target is a fresh build (real eSpeak NG, real ffmpeg) in a temporary folder, run as `python -m narrator build`
with PYTHONPATH set to the checkout, from a folder outside it (so `-m narrator` cannot pick up this checkout
instead). Prints per target: each chapter's integrated loudness and true peak, and the warning lines the build said.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "stories" / "the-lamplighters-apprentice.txt"
TARGETS = ((-23.0, -3.0), (-18.0, -3.0), (-16.0, -3.0), (-14.0, -3.0), (-10.0, 0.0))


def ebur128(path: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of a file, from ebur128's summary."""
    proc = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128=peak=true",
                           "-f", "null", "-"], capture_output=True, text=True, check=True)
    summary = proc.stderr[proc.stderr.rindex("Summary:"):]
    lufs = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    assert lufs and peak, summary
    return float(lufs[1]), float(peak[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--code", type=Path, default=ROOT, help="the narrator checkout to run (default: this one)")
    parser.add_argument("--story", type=Path, default=SAMPLE)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(args.code.resolve())}
    print(f"code {args.code.resolve()}  story {args.story.name}  load {os.getloadavg()[0]:.1f}")
    for lufs, peak in TARGETS:
        with tempfile.TemporaryDirectory(prefix="narrator-loud-") as tmp:
            proc = subprocess.run([sys.executable, "-m", "narrator", "build", str(args.story.resolve()), "-o", tmp,
                                   "--loudness", str(lufs), "--true-peak", str(peak)],
                                  capture_output=True, text=True, cwd=tmp, env=env)
            if proc.returncode != 0:
                print(f"{lufs:g} LUFS / {peak:g} dBTP: build failed: {proc.stderr.strip()[-300:]}")
                continue
            got = [ebur128(mp3) for mp3 in sorted(Path(tmp).glob("*/*.mp3"))]
            cells = "  ".join(f"{i:.1f} LUFS {tp:+.1f} dBTP" for i, tp in got)
            said = [line for line in proc.stderr.splitlines() if line.startswith("warning:")]
            print(f"target {lufs:g} LUFS, ceiling {peak:g} dBTP: {cells}")
            for line in said:
                print(f"    {line}")
    print(f"load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
