"""Loudness of a real build, as ffmpeg's ebur128 filter measures the delivered files (the README's Audio figures).

    PYTHONPATH=$PWD python benchmarks/loudness.py                       # the sample story, --format mp3,m4b
    PYTHONPATH=$PWD python benchmarks/loudness.py --ferryman            # and the second sample story
    PYTHONPATH=$PWD python benchmarks/loudness.py --speaker-gain-off    # also rebuilt without the speaker correction
    PYTHONPATH=$PWD python benchmarks/loudness.py --whisper             # also the test book's whisper narrator (ACX)
    PYTHONPATH=$PWD python benchmarks/loudness.py --ten-k --no-sample   # the throughput benchmark's 10k-word book

Each story is built once (one build at a time, `--jobs`, default 1) into a temporary folder with the real eSpeak
NG, in this process, so that two figures the build never writes down can be recorded on the way: the loudness
the solve predicts for each chapter, and the rendered PCM that goes to the encoder. Then, per chapter:

* the chapter MP3's integrated loudness and true peak (ffmpeg `ebur128=peak=true`) and its plain RMS (the
  whole file's, as ACX and `narrator check` count it);
* the rendered PCM's loudness two ways: narrator's streamed measure (K-weighting applied to each 100 ms hop's
  spectrum) and the time-domain K-weighting filter (scipy's sosfilt), and the solve's prediction (which is
  made before the room tone is mixed in);
* per speaker, the loudness of that speaker's lines: the decoded MP3 cut at the caption cues (the `.vtt`
  beside each chapter has one cue per spoken segment, the speaker in its `<v Name>` span), the cuts joined
  and measured by ebur128, per chapter and over the whole book;

and the M4B's loudness, true peak and RMS. `--speaker-gain-off` remasters the same clips (the cache is kept)
with the per-speaker correction after limiting turned off, and measures the speakers again: the spread the
correction removes.
"""

from __future__ import annotations

import argparse
import math
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SAMPLE = ROOT / "stories" / "the-lamplighters-apprentice.txt"
FERRYMAN = ROOT / "stories" / "the-ferrymans-ledger.txt"
MIN_SECONDS = 3.0  # a speaker with less audio than this in a chapter is listed but left out of the spread


# ------------------------------------------------------------------------------------------------- measures


def ebur128_samples(x: np.ndarray, rate: int) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of float samples, measured by ffmpeg's ebur128 filter."""
    proc = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", "-",
                           "-filter_complex", "ebur128=peak=true", "-f", "null", "-"],
                          input=x.astype("<f4").tobytes(), capture_output=True, check=True)
    return _summary(proc.stderr.decode("utf-8", "replace"))


def ebur128_file(path: Path) -> tuple[float, float]:
    proc = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-map", "0:a:0",
                           "-filter_complex", "ebur128=peak=true", "-f", "null", "-"],
                          capture_output=True, text=True, check=True)
    return _summary(proc.stderr)


def _summary(stderr: str) -> tuple[float, float]:
    # The filter logs a line per 100 ms and a summary at the end; only the summary is the integrated figure.
    summary = stderr[stderr.rindex("Summary:"):]
    i = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    tp = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    assert i and tp, summary
    return float(i.group(1)), float(tp.group(1))


def probe_rate(path: Path) -> int:
    proc = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries", "stream=sample_rate",
                           "-of", "csv=p=0", str(path)], capture_output=True, text=True, check=True)
    return int(proc.stdout.strip())


def decode(path: Path) -> tuple[np.ndarray, int]:
    """The file's first audio stream as mono float32 at its own rate (no resampling: cue times stay exact)."""
    rate = probe_rate(path)
    proc = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:a:0", "-ac", "1", "-f", "f32le", "-"],
                          capture_output=True, check=True)
    return np.frombuffer(proc.stdout, dtype="<f4"), rate


def rms_db(x: np.ndarray) -> float:
    """Plain RMS of the whole signal in dBFS (ACX's figure: no weighting, no gating)."""
    ms = float(np.mean(np.square(x, dtype=np.float64))) if x.size else 0.0
    return 10 * math.log10(ms) if ms > 0 else float("-inf")


def vtt_cues(path: Path) -> list[tuple[float, float, str]]:
    """(start s, end s, speaker) of every cue of a WebVTT file narrator wrote."""
    lines = path.read_text(encoding="utf-8").splitlines()
    clock = r"(\d+):(\d\d):(\d\d)\.(\d{3})"
    cues = []
    for i, line in enumerate(lines):
        m = re.fullmatch(rf"{clock} --> {clock}", line)
        if not m:
            continue
        g = [int(v) for v in m.groups()]
        start = g[0] * 3600 + g[1] * 60 + g[2] + g[3] / 1000
        end = g[4] * 3600 + g[5] * 60 + g[6] + g[7] / 1000
        v = re.match(r"<v ([^>]+)>", lines[i + 1]) if i + 1 < len(lines) else None
        if not v:
            raise SystemExit(f"{path}: cue at {line} has no <v speaker> span")
        name = v.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        cues.append((start, end, name))
    return cues


# ------------------------------------------------------------------------------------- the build, recorded


@dataclass
class Rendered:
    """What the build's mastering did for one chapter (keyed by its number, the render's seed)."""

    predicted: float = float("nan")
    """The solve's loudness for the chapter (Gains.loudness: before room tone)."""
    time_domain: float = float("nan")
    streamed: float = float("nan")


@dataclass
class Recorder:
    chapters: dict[int, Rendered] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @contextmanager
    def recording(self, speaker_gain: bool = True) -> Iterator[None]:
        """Patch narrator.export's solve and render to note the prediction and keep the rendered samples."""
        import narrator.export as export
        from narrator.mastering import array_source, loudness, measure, measured_loudness

        real_solve, real_render = export.solve, export.render

        def solve(stats, settings, speakers=(), voices=()):  # type: ignore[no-untyped-def]
            # Without speakers the solve makes no per-speaker correction (the "before" of the README figure).
            return real_solve(stats, settings, speakers if speaker_gain else (), voices)

        def render(source, samples, sample_rate, gains, settings, seed=0):  # type: ignore[no-untyped-def]
            parts: list[np.ndarray] = []
            for chunk in real_render(source, samples, sample_rate, gains, settings, seed):
                parts.append(chunk.copy())
                yield chunk
            pcm = np.concatenate(parts) if parts else np.zeros(0, np.int16)
            del parts
            rec = Rendered(predicted=float(gains.loudness),
                           time_domain=loudness(pcm.astype(np.float64) / 32768, sample_rate),
                           streamed=measured_loudness(measure(array_source(pcm), pcm.size, sample_rate)))
            with self.lock:
                # An M4B of chapters kept from an MP3 build remasters them: the first record stands.
                self.chapters.setdefault(seed, rec)

        with mock.patch.object(export, "solve", solve), mock.patch.object(export, "render", render):
            yield


def build(story: Path, out: Path, fmt: str, jobs: int, rec: Recorder, speaker_gain: bool = True,
          cast: Path | None = None):  # type: ignore[no-untyped-def]
    from narrator.export import delivery
    from narrator.pipeline import build as run

    with rec.recording(speaker_gain):
        return run(story, out, cast, "pyttsx3", jobs, None, False, None, delivery(fmt))


# -------------------------------------------------------------------------------------------------- report


@dataclass(frozen=True)
class ChapterFigures:
    number: int
    title: str
    seconds: float
    lufs: float
    peak: float
    rms: float
    speakers: dict[str, tuple[float, float]]
    """Speaker -> (seconds of lines, ebur128 LUFS of those lines joined)."""


def speaker_cuts(mp3: Path) -> tuple[np.ndarray, int, dict[str, list[np.ndarray]]]:
    x, rate = decode(mp3)
    cuts: dict[str, list[np.ndarray]] = {}
    for start, end, who in vtt_cues(mp3.with_suffix(".vtt")):
        cuts.setdefault(who, []).append(x[round(start * rate) : round(end * rate)])
    return x, rate, cuts


def measure_chapters(chapters) -> tuple[list[ChapterFigures], dict[str, tuple[float, float]]]:  # type: ignore[no-untyped-def]
    figures, book_cuts, rate = [], {}, 0
    for c in chapters:
        lufs, peak = ebur128_file(c.file)
        x, rate, cuts = speaker_cuts(c.file)
        per = {}
        for who, parts in cuts.items():
            joined = np.concatenate(parts)
            per[who] = (joined.size / rate, ebur128_samples(joined, rate)[0])
            book_cuts.setdefault(who, []).extend(parts)
        figures.append(ChapterFigures(c.number, c.title, x.size / rate, lufs, peak, rms_db(x), per))
    book = {}
    for who, parts in book_cuts.items():
        joined = np.concatenate(parts)
        book[who] = (joined.size / rate, ebur128_samples(joined, rate)[0])
    return figures, book


def spread(levels: Iterable[tuple[float, float]]) -> tuple[float, float]:
    kept = [lufs for seconds, lufs in levels if seconds >= MIN_SECONDS and math.isfinite(lufs)]
    return (min(kept), max(kept)) if kept else (float("nan"), float("nan"))


def report_speakers(title: str, figures: list[ChapterFigures], book: dict[str, tuple[float, float]]) -> None:
    print(f"\n{title}  (ebur128 LUFS of each speaker's lines cut at the VTT cues; () = under {MIN_SECONDS:.0f} s, "
          "left out of the range)")
    many = len(figures) > 6
    head = f"  {'speaker':<22} {'seconds':>8} {'book':>7}" + ("" if many else "".join(f" {'ch' + str(f.number):>7}" for f in figures))
    print(head)
    for who, (seconds, lufs) in sorted(book.items(), key=lambda kv: -kv[1][0]):
        row = f"  {who[:22]:<22} {seconds:8.1f} {_lu(lufs, seconds):>7}"
        if not many:
            row += "".join(f" {_lu(*reversed(f.speakers[who])) if who in f.speakers else '-':>7}" for f in figures)
        print(row)
    lo, hi = spread(book.values())
    print(f"  range over the book: {lo:.1f} to {hi:.1f} LUFS ({hi - lo:.1f} LU)")
    for f in figures:
        lo, hi = spread(f.speakers.values())
        print(f"  range in chapter {f.number}: {lo:.1f} to {hi:.1f} LUFS ({hi - lo:.1f} LU)")


def _lu(lufs: float, seconds: float) -> str:
    s = f"{lufs:.1f}"
    return s if seconds >= MIN_SECONDS else f"({s})"


def run_story(story: Path, root: Path, fmt: str, jobs: int, speaker_gain_off: bool, cast: Path | None = None) -> None:
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"\n=== {story.name}  (--format {fmt}; load: {load})")
    rec = Recorder()
    out = root / story.stem
    result = build(story, out, fmt, jobs, rec, cast=cast)
    figures, book = measure_chapters(result.chapters)
    print(f"  {'ch':>2} {'title':<36} {'min':>5} {'LUFS':>6} {'dBTP':>6} {'RMS dB':>7}   "
          f"{'render':>7} {'stream':>7} {'solve':>7}   (rendered PCM: time-domain, streamed, predicted)")
    for f in figures:
        r = rec.chapters.get(f.number, Rendered())
        print(f"  {f.number:>2} {f.title[:36]:<36} {f.seconds / 60:5.1f} {f.lufs:6.1f} {f.peak:6.1f} {f.rms:7.1f}   "
              f"{r.time_domain:7.3f} {r.streamed:7.3f} {r.predicted:7.3f}")
    if "m4b" in fmt:
        m4b = result.chapters[0].file.parent / f"{result.chapters[0].file.parent.name}.m4b"
        lufs, peak = ebur128_file(m4b)
        x, _ = decode(m4b)
        print(f"  M4B {m4b.name:<35} {'':5} {lufs:6.1f} {peak:6.1f} {rms_db(x):7.1f}")
    gaps = [(abs(r.streamed - r.time_domain), abs(r.predicted - r.time_domain)) for r in rec.chapters.values()]
    if gaps:
        print(f"  largest |streamed - time-domain| {max(g[0] for g in gaps):.4f} LU; "
              f"largest |solve - time-domain| {max(g[1] for g in gaps):.4f} LU (time-domain includes the room tone)")
    report_speakers("speakers, as built", figures, book)
    if speaker_gain_off:
        for c in result.chapters:  # keep the clip cache: only the mastering is redone
            c.file.unlink()
        for m4b in out.rglob("*.m4b"):
            m4b.unlink()
        result = build(story, out, fmt, jobs, Recorder(), speaker_gain=False, cast=cast)
        figures, book = measure_chapters(result.chapters)
        for f in figures:
            print(f"  without the speaker correction: chapter {f.number} {f.lufs:.1f} LUFS, {f.peak:.1f} dBTP")
        report_speakers("speakers, rebuilt WITHOUT the per-speaker correction after limiting", figures, book)


def run_whisper(root: Path, jobs: int) -> None:
    """The test book of tests/_book.py (narrator gmw/en-us+whisper) at the default -18 LUFS, and with --acx."""
    from narrator.export import delivery
    from narrator.pipeline import build as run
    from tests._book import write_story

    folder = root / "whisper"
    folder.mkdir()
    story, cast = write_story(folder)
    print("\n=== the test book of tests/_book.py (narrator gmw/en-us+whisper, other speaker gmw/en-gb-x-rp+f2)")
    for label, fmt_acx in (("default (-18 LUFS)", False), ("--acx (aims at -20.5 dB RMS)", True)):
        result = run(story, folder / ("acx" if fmt_acx else "out"), cast, "pyttsx3", jobs, None, False, None,
                     delivery("mp3", acx=fmt_acx))
        for c in result.chapters:
            lufs, peak = ebur128_file(c.file)
            x, _, cuts = speaker_cuts(c.file)
            narr = np.concatenate(cuts.get("Narrator", [np.zeros(0, np.float32)]))
            print(f"  {label:<30} ch{c.number}: {lufs:6.1f} LUFS {peak:6.1f} dBTP  RMS {rms_db(x):6.1f} dB"
                  f"  (narrator's lines alone: RMS {rms_db(narr):6.1f} dB)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("stories", nargs="*", type=Path, help=f"stories to build (default {SAMPLE.relative_to(ROOT)})")
    ap.add_argument("--format", default="mp3,m4b", help="build formats (default mp3,m4b)")
    ap.add_argument("--jobs", type=int, default=1, help="synthesis workers (default 1: the machine is shared)")
    ap.add_argument("--cast", type=Path, help="cast file for every story built (default: the story's own, if any)")
    ap.add_argument("--ferryman", action="store_true", help=f"also {FERRYMAN.relative_to(ROOT)}")
    ap.add_argument("--ten-k", action="store_true", help="also the ~10k-word book of benchmarks/throughput.py")
    ap.add_argument("--no-sample", action="store_true", help="leave out the default sample story")
    ap.add_argument("--speaker-gain-off", action="store_true",
                    help="rebuild each story without the per-speaker correction and measure the speakers again")
    ap.add_argument("--whisper", action="store_true", help="also the test book's whisper narrator: RMS at -18 LUFS")
    args = ap.parse_args()
    if args.cast is not None and not args.cast.is_file():
        raise SystemExit(f"no such cast file: {args.cast}")
    if "mp3" not in args.format.split(","):
        raise SystemExit("--format must include mp3: the speakers are cut from the chapter MP3s")
    stories = list(args.stories) or ([] if args.no_sample else [SAMPLE])
    if args.ferryman:
        stories.append(FERRYMAN)
    with tempfile.TemporaryDirectory(prefix="narrator-loudness-") as tmp:
        root = Path(tmp)
        if args.ten_k:
            sys.path.insert(0, str(ROOT / "benchmarks"))
            from throughput import make_10k

            stories.append(make_10k(root))
        for story in stories:
            if not story.is_file():
                raise SystemExit(f"no such story: {story}")
            run_story(story, root, args.format, args.jobs, args.speaker_gain_off, args.cast)
        if args.whisper:
            run_whisper(root, args.jobs)


if __name__ == "__main__":
    main()
