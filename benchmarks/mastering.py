"""What mastering costs: build time with and without it on a ~10k-word story, cold cache, medians of alternating runs.

    PYTHONPATH=$PWD python benchmarks/mastering.py [--words 10000] [--repeats 3] [--jobs 2]

"Mastering" is every step this project adds on top of a plain encode: the measuring read of each chapter
(K-weighted loudness, true-peak envelope), the solve (per-voice levelling, chapter gain, limiter, speaker
balance) and the render (gains, limiter ramps, room tone). The run without it streams each chapter's
joined clips straight into the MP3 encoder, so synthesis, assembly, encoding, tagging and captions are the same in
both builds.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "stories" / "the-lamplighters-apprentice.txt"


def make_story(words: int, seed: int) -> str:
    """Chapters of the sample story's paragraphs, shuffled per chapter so the clip cache cannot dedupe them."""
    text = SAMPLE.read_text(encoding="utf-8")
    paragraphs = [p.strip() for p in text.split("\n\n") if len(p.split()) > 8 and "Notes" not in p and "http" not in p]
    rng = random.Random(seed)
    out, n, chapter = ["The Long Lamplight - Bench Writer", ""], 0, 0
    while n < words:
        chapter += 1
        out += [f"Chapter {chapter}", ""]
        body = rng.sample(paragraphs, k=min(len(paragraphs), 14))
        for i, p in enumerate(body):
            # A chapter-specific word per paragraph keeps every clip's text unique across chapters.
            p = re.sub(r"\.$", f", said the {rng.choice(['clock', 'crow', 'lamp', 'street', 'wind'])} {chapter}-{i}.", p)
            out += [p, ""]
            n += len(p.split())
            if i == 6:
                out += ["* * *", ""]
    return "\n".join(out)


@contextmanager
def mastering_off():
    from narrator.mastering import chunk_size

    def plain(chapter, how, seed):  # type: ignore[no-untyped-def]
        return iter(chapter.chunks(chunk_size(chapter.sample_rate)))

    with mock.patch("narrator.export.master_stream", plain):
        yield


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--words", type=int, default=10_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    from narrator.export import delivery
    from narrator.pipeline import build

    times: dict[str, list[float]] = {"with": [], "without": []}
    audio = 0.0
    with tempfile.TemporaryDirectory(prefix="narrator-bench-") as tmp:
        story = Path(tmp) / "long.txt"
        story.write_text(make_story(args.words, 1), encoding="utf-8")
        print(f"story: {len(story.read_text().split())} words")
        for r in range(args.repeats):
            order = ("with", "without") if r % 2 == 0 else ("without", "with")
            for mode in order:
                out = Path(tmp) / f"out-{mode}-{r}"  # a fresh folder: cold segment cache every time
                started = time.perf_counter()
                if mode == "with":
                    result = build(story, out, None, "pyttsx3", args.jobs, delivery=delivery("mp3"))
                else:
                    with mastering_off():
                        result = build(story, out, None, "pyttsx3", args.jobs, delivery=delivery("mp3"))
                times[mode].append(time.perf_counter() - started)
                audio = result.audio_seconds
                print(f"run {r + 1} {mode:>7} mastering: {times[mode][-1]:.1f} s")
        steps = time_steps(story, Path(tmp) / "out-with-0", args.repeats)
    w, wo = statistics.median(times["with"]), statistics.median(times["without"])
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.1f}")
    print(f"audio: {audio / 60:.1f} min; median build with mastering {w:.1f} s, without {wo:.1f} s")
    print(f"ratio with/without: {w / wo:.2f}; mastering share of the build: {(w - wo) / w:.0%}")
    total = sum(steps.values())
    print(f"the mastering steps alone, one thread, warm cache (median of {args.repeats}): measure "
          f"{steps['measure']:.2f} s + solve {steps['solve']:.2f} s + render {steps['render']:.2f} s = "
          f"{total / (audio / 3600):.1f} s per hour of audio")
    print("(the rest of the difference is LAME: mastered speech is louder, and louder audio takes longer to encode)")


def time_steps(story: Path, out: Path, repeats: int) -> dict[str, float]:
    """Seconds spent measuring, solving and rendering every chapter of a finished build, outside the build."""
    from narrator.assemble import PACING, assemble
    from narrator.cache import ClipCache
    from narrator.casting import Engines, assign_voices, cast
    from narrator.export import delivery
    from narrator.mastering import measure, render, solve
    from narrator.pipeline import make_script, slugify
    from narrator.synthesis import SAMPLE_RATE, plan

    script = make_script(story, None, find_cast=False)
    engines = Engines("pyttsx3")
    casting = assign_voices(script.characters, script.lines, engines, script.castfile)
    clips = plan(cast(script.lines, casting, script.chapters, {}), engines)
    cache = ClipCache(out / slugify(script.story.title) / ".cache")
    how = delivery("mp3")
    runs: dict[str, list[float]] = {"measure": [], "solve": [], "render": []}
    for _ in range(repeats):
        spent = dict.fromkeys(runs, 0.0)
        for ch in script.chapters:
            audio = assemble([c for c in clips if c.cue.line.segment.chapter == ch.number], cache, SAMPLE_RATE, PACING)
            t0 = time.perf_counter()
            stats = measure(audio.chunks, audio.samples, SAMPLE_RATE)
            t1 = time.perf_counter()
            gains = solve(stats, how.mastering, audio.spans("role"), audio.spans("voice"))
            t2 = time.perf_counter()
            for _chunk in render(audio.chunks, audio.samples, SAMPLE_RATE, gains, how.mastering, ch.number):
                pass
            t3 = time.perf_counter()
            for k, v in zip(runs, (t1 - t0, t2 - t1, t3 - t2), strict=True):
                spent[k] += v
        for k in runs:
            runs[k].append(spent[k])
    return {k: statistics.median(v) for k, v in runs.items()}


if __name__ == "__main__":
    main()
