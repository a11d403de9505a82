"""Synthesis throughput: real-time factor (wall seconds / audio seconds) and peak RSS per worker.

    python benchmarks/throughput.py --engine piper --words 10000

Builds a story of about --words words from the sample story, speaks every line in the engine's narrator
voice (so the figure is the engine's, not the casting's), and renders it into a fresh cache with
--jobs workers. The baseline, measured in the same run on the same text, is one process (in which
onnxruntime/eSpeak use their default threads); for --engine piper it is Piper alone instead: piper-tts's
own API in --jobs processes x 1 onnxruntime thread, speaking the same cue texts with no narrator code
around it, so ours / baseline is the cost of our pipeline. Reports medians over --repeat runs of wall
RTF and CPU seconds per audio second (all worker processes), and the ratios; the machine is shared, so
only the ratios and the medians mean much.
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
    """Samples VmHWM (peak RSS) and CPU time of every descendant process: forkserver workers are grandchildren."""

    def __init__(self) -> None:
        self.peaks: dict[int, int] = {}
        self.cpu: dict[int, float] = {}
        self._cpu_before: dict[int, float] | None = None  # the forkserver outlives a run: count only its new CPU
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def cpu_seconds(self) -> float:
        """CPU seconds (user + system) the descendants used while sampled (up to 0.25 s per worker unseen)."""
        before = self._cpu_before or {}
        return sum(max(0.0, t - before.get(pid, 0.0)) for pid, t in self.cpu.items())

    def _run(self) -> None:
        me = os.getpid()
        tick = os.sysconf("SC_CLK_TCK")
        first = True
        while first or not self._stop.wait(0.25):
            parents: dict[int, int] = {}
            cpu: dict[int, float] = {}
            for entry in os.listdir("/proc"):
                if entry.isdigit():
                    try:
                        stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                        parents[int(entry)] = int(stat[1])
                        cpu[int(entry)] = (int(stat[11]) + int(stat[12])) / tick  # utime + stime
                    except (OSError, IndexError, ValueError):
                        pass
            for pid in parents:
                p, hops = pid, 0
                while p in parents and p != me and hops < 4:
                    p, hops = parents[p], hops + 1
                if p == me and pid != me:
                    if first:
                        self._cpu_before = {**(self._cpu_before or {}), pid: cpu[pid]}
                    self.cpu[pid] = max(self.cpu.get(pid, 0.0), cpu[pid])
                    try:
                        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                            if line.startswith("VmHWM:"):
                                self.peaks[pid] = max(self.peaks.get(pid, 0), int(line.split()[1]) * 1024)
                    except OSError:
                        pass
            first = False


def run_once(story: Path, engine: str, jobs: int, alone: bool = False) -> tuple[float, float, int, float, float]:
    """(wall s, audio s, segments, peak RSS MB of the largest worker or this process, CPU s of all processes).

    With `alone`, the same cue texts are spoken by Piper alone (benchmarks/piper_alone.py) instead of by narrator."""
    import resource

    script = make_script(story, find_cast=False)
    engines = Engines(engine)
    voice = engines.get().narrator_voice()
    casting = Casting(voice, voice, {})
    cues = [replace(c, voice=voice) for c in cast(script.lines, casting, script.chapters)]
    clips = plan(cues, engines)
    unique = list({c.key: c for c in clips}.values())
    with tempfile.TemporaryDirectory() as tmp:
        cache = ClipCache(Path(tmp))
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with PeakRss() as rss:
            started, main_cpu = time.monotonic(), time.thread_time()  # this thread only: not the sampler's
            if alone:
                from piper_alone import speak_all

                model = engines.get().models()[voice.id]  # type: ignore[attr-defined]
                wall, seconds = speak_all([c.cue.speech for c in unique], model.onnx, model.config, jobs,
                                          model.sample_rate)
            else:
                synthesize(clips, cache, engines, jobs)
                wall = time.monotonic() - started
            main_cpu = time.thread_time() - main_cpu
        if not alone:
            seconds = sum(cache.get(c.key, verify=False).samples for c in unique) / SAMPLE_RATE
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        workers = list(rss.peaks.values())
        peak = max(workers) if jobs > 1 and workers else max(own, before * 1024)
    return wall, seconds, len(clips), peak / 1e6, rss.cpu_seconds() + main_cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--engine", default="pyttsx3")
    ap.add_argument("--words", type=int, default=10000)
    ap.add_argument("--jobs", type=int, default=default_jobs())
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-baseline", action="store_true", help="Skip the baseline.")
    args = ap.parse_args()
    alone = args.engine == "piper"
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        story = make_story(args.words, Path(tmp))
        base = ("piper-alone", args.jobs) if alone else ("baseline", 1)
        layouts = [("ours", args.jobs)] + ([] if args.no_baseline else [base])
        results: dict[str, list[tuple[float, float, int, float, float]]] = {name: [] for name, _ in layouts}
        for i in range(args.repeat):
            for name, jobs in layouts if i % 2 == 0 else layouts[::-1]:  # alternate order: load drifts
                r = run_once(story, args.engine, jobs, alone=name == "piper-alone")
                results[name].append(r)
                print(f"run {i + 1} {name:11} jobs={jobs}: {r[0]:.1f} s wall, {r[4]:.1f} CPU s for {r[1]:.0f} s audio "
                      f"({r[2]} segments), RTF {r[0] / r[1]:.3f}, CPU/audio {r[4] / r[1]:.3f}, "
                      f"peak RSS {r[3]:.0f} MB, load {os.getloadavg()[0]:.1f}", flush=True)
    print(f"\n{args.engine}, about {args.words} words, cores={default_jobs()}, "
          f"load average {load:.1f} at start, {os.getloadavg()[0]:.1f} at end")
    rtfs = {}
    for name, jobs in layouts:
        rows = results[name]
        rtfs[name] = statistics.median(r[0] / r[1] for r in rows)
        print(f"  {name:11} jobs={jobs}: median RTF {rtfs[name]:.3f} ({1 / rtfs[name]:.1f}x real time), "
              f"median CPU s per audio s {statistics.median(r[4] / r[1] for r in rows):.3f}, "
              f"median audio {statistics.median(r[1] for r in rows) / 60:.1f} min, "
              f"max peak RSS {max(r[3] for r in rows):.0f} MB per {'worker' if jobs > 1 else 'process'}")
    if "baseline" in rtfs:
        print(f"  speed-up over one process: {rtfs['baseline'] / rtfs['ours']:.2f}x")
    if "piper-alone" in rtfs:
        # Same text, so the ratio of seconds is the pipeline's cost (our trimming changes the audio length a little).
        pairs = list(zip(results["ours"], results["piper-alone"], strict=True))
        print(f"  ours / piper alone, same text: wall {statistics.median(o[0] / b[0] for o, b in pairs):.3f}, "
              f"CPU {statistics.median(o[4] / b[4] for o, b in pairs):.3f} (median of per-round ratios)")


if __name__ == "__main__":
    main()
