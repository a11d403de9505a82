"""Synthesis throughput: real-time factor (wall seconds / audio seconds) and peak RSS per worker.

    python benchmarks/throughput.py --engine piper --words 10000

Builds a story of about --words words from the sample story, speaks every line in the engine's narrator
voice (so the figure is the engine's, not the casting's), and renders it into a fresh cache with
--jobs workers. The baseline, measured in the same run on the same text, is one process (in which
onnxruntime/eSpeak use their default threads). Reports medians over --repeat runs and the ratio
baseline / ours; the machine is shared, so only the ratio and the medians mean much.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from narrator.cache import ClipCache  # noqa: E402
from narrator.casting import Casting, Engines, cast  # noqa: E402
from narrator.pipeline import make_script  # noqa: E402
from narrator.synthesis import SAMPLE_RATE, default_jobs, plan, synthesize  # noqa: E402


def make_story(words: int, folder: Path) -> Path:
    """About `words` words of the sample story's sentences, shuffled into 4-sentence paragraphs.

    Shuffling (seeded) makes every paragraph new text, so the cache cannot reuse a repeated line."""
    text = (ROOT / "stories" / "the-lamplighters-apprentice.txt").read_text(encoding="utf-8")
    paragraphs = [p.strip() for p in text.split("\n") if len(p.split()) > 8 and "Chapter" not in p]
    sentences = [s for p in paragraphs for s in re.split(r"(?<=[.!?])\s+", p) if s and '"' not in s]
    rng = random.Random(1)
    chapters: list[str] = []
    n = 0
    while n < words:
        rng.shuffle(sentences)
        body = ["  ".join(sentences[i : i + 4]) for i in range(0, len(sentences) - 3, 4)]
        chapters.append(f"Chapter {len(chapters) + 1}\n\n" + "\n\n".join(body) + "\n")
        n += sum(len(b.split()) for b in body)
    path = folder / "bench-story.txt"
    path.write_text("Throughput Bench\n\n" + "\n".join(chapters), encoding="utf-8")
    return path


class PeakRss:
    """Samples VmHWM (peak RSS) of every descendant process: forkserver workers are grandchildren."""

    def __init__(self) -> None:
        self.peaks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.wait(0.25):
            parents: dict[int, int] = {}
            for entry in os.listdir("/proc"):
                if entry.isdigit():
                    try:
                        stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                        parents[int(entry)] = int(stat[1])
                    except (OSError, IndexError, ValueError):
                        pass
            for pid in parents:
                p, hops = pid, 0
                while p in parents and p != me and hops < 4:
                    p, hops = parents[p], hops + 1
                if p == me and pid != me:
                    try:
                        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                            if line.startswith("VmHWM:"):
                                self.peaks[pid] = max(self.peaks.get(pid, 0), int(line.split()[1]) * 1024)
                    except OSError:
                        pass


def run_once(story: Path, engine: str, jobs: int) -> tuple[float, float, int, float]:
    """(wall seconds, audio seconds, segments, peak RSS MB of the largest worker or this process)."""
    import resource

    script = make_script(story, find_cast=False)
    engines = Engines(engine)
    voice = engines.get().narrator_voice()
    casting = Casting(voice, voice, {})
    cues = [replace(c, voice=voice) for c in cast(script.lines, casting, script.chapters)]
    clips = plan(cues, engines)
    with tempfile.TemporaryDirectory() as tmp:
        cache = ClipCache(Path(tmp))
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with PeakRss() as rss:
            started = time.monotonic()
            synthesize(clips, cache, engines, jobs)
            wall = time.monotonic() - started
        seconds = sum(cache.get(c.key, verify=False).samples for c in {c.key: c for c in clips}.values()) / SAMPLE_RATE
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        workers = list(rss.peaks.values())
        peak = max(workers) if jobs > 1 and workers else max(own, before * 1024)
    return wall, seconds, len(clips), peak / 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--engine", default="pyttsx3")
    ap.add_argument("--words", type=int, default=10000)
    ap.add_argument("--jobs", type=int, default=default_jobs())
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-baseline", action="store_true", help="Skip the one-process baseline.")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        story = make_story(args.words, Path(tmp))
        layouts = [("ours", args.jobs)] + ([] if args.no_baseline else [("baseline", 1)])
        results: dict[str, list[tuple[float, float, int, float]]] = {name: [] for name, _ in layouts}
        for i in range(args.repeat):
            for name, jobs in layouts if i % 2 == 0 else layouts[::-1]:  # alternate order: load drifts
                r = run_once(story, args.engine, jobs)
                results[name].append(r)
                print(f"run {i + 1} {name:8} jobs={jobs}: {r[0]:.1f} s wall for {r[1]:.0f} s audio "
                      f"({r[2]} segments), RTF {r[0] / r[1]:.3f}, peak RSS {r[3]:.0f} MB", flush=True)
    print(f"\n{args.engine}, about {args.words} words, cores={default_jobs()}, load average {os.getloadavg()[0]:.1f}")
    rtfs = {}
    for name, jobs in layouts:
        rows = results[name]
        rtfs[name] = statistics.median(w / s for w, s, _, _ in rows)
        print(f"  {name:8} jobs={jobs}: median RTF {rtfs[name]:.3f} ({1 / rtfs[name]:.1f}x real time), "
              f"median audio {statistics.median(s for _, s, _, _ in rows) / 60:.1f} min, "
              f"max peak RSS {max(r for *_, r in rows):.0f} MB per {'worker' if jobs > 1 else 'process'}")
    if "baseline" in rtfs:
        print(f"  speed-up over one process: {rtfs['baseline'] / rtfs['ours']:.2f}x")


if __name__ == "__main__":
    main()
