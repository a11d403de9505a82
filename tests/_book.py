"""A small two-voice test book, built once per session with the real eSpeak NG and ffmpeg, and audio measures."""

from __future__ import annotations

import atexit
import functools
import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

STORY = """The Bell Test - Tess Ter

Chapter 1: Bells

The bell rang twice, and the mill went quiet.

"We can go," she said, "but not yet."

He waited by the door for a long time. Then he sat down on the cold step.

* * *

Morning came slowly over the hills. "Is it time?" he asked.

"It is time," she said.

Chapter 2: Oil

The lamps were lit one by one along the row, and the street remembered its name.

"Light the last one," she said. "Then we go home."
"""

# The two voices eSpeak makes furthest apart in loudness (tech brief section 4: -23.1 vs -18.7 LUFS raw).
CAST = """[narrator]
voice = "gmw/en-us+whisper"

[unknown]
voice = "gmw/en-gb-x-rp+f2"
"""

needs_tools = pytest.mark.skipif(not (shutil.which("ffmpeg") and shutil.which("espeak-ng")),
                                  reason="needs ffmpeg and espeak-ng")


@dataclass(frozen=True)
class Book:
    folder: Path
    story: Path
    cast: Path
    mp3s: tuple[Path, ...]


def write_story(root: Path) -> tuple[Path, Path]:
    story, cast = root / "bell-test.txt", root / "bell-test.toml"
    story.write_text(STORY, encoding="utf-8")
    cast.write_text(CAST, encoding="utf-8")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=red:s=64x64", "-frames:v", "1",
                    str(root / "cover.jpg")], check=True)
    return story, cast


@functools.cache
def built(acx: bool = False) -> Book:
    """The test book built with `--format mp3,m4b --srt` (or `--acx`); built once per session per preset."""
    from narrator.export import delivery
    from narrator.pipeline import build

    root = Path(tempfile.mkdtemp(prefix="narrator-audio-test-"))
    atexit.register(shutil.rmtree, root, True)  # the book outlives each test module, not the session
    story, cast = write_story(root)
    how = delivery("mp3", acx=True) if acx else delivery("mp3,m4b", srt=True)
    result = build(story, root / "out", cast, "pyttsx3", 2, None, False, None, how)
    return Book(result.chapters[0].file.parent, story, cast, tuple(c.file for c in result.chapters))


def ebur128(path: Path) -> tuple[float, float]:
    """(integrated loudness LUFS, true peak dBTP) as ffmpeg's ebur128 filter measures the file."""
    proc = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-filter_complex", "ebur128=peak=true",
                           "-f", "null", "-"], capture_output=True, text=True, check=True)
    summary = proc.stderr[proc.stderr.rindex("Summary:"):]
    i = float(re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary).group(1))  # type: ignore[union-attr]
    tp = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))  # type: ignore[union-attr]
    return i, tp


def decode(path: Path, rate: int = 22050) -> np.ndarray:
    """Decode with ffmpeg to mono float samples at `rate`."""
    proc = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:a:0", "-ac", "1", "-ar", str(rate),
                           "-f", "f32le", "-"], capture_output=True, check=True)
    return np.frombuffer(proc.stdout, dtype=np.float32).astype(np.float64)


def speechlike(seconds: float, seed: int = 1, rate: int = 22050) -> np.ndarray:
    """Bursts of harmonics with pauses and clicks: peaks far over the average (~15-20 dB over RMS), as in speech."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    x = sum(np.sin(2 * np.pi * f * t + rng.uniform(0, 6)) / k for k, f in enumerate((140, 280, 420, 1200, 2500), 1))
    gate = (np.sin(2 * np.pi * 0.7 * t) > -0.2).astype(float)
    clicks = (rng.random(t.size) > 0.999) * rng.uniform(-1, 1, t.size) * 4
    return (x * gate + clicks) * 0.05


def write_wav(x: np.ndarray, rate: int, path: Path) -> Path:
    import wave

    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.clip(np.round(x * 32767), -32768, 32767).astype(np.int16).tobytes())
    return path


def vtt_cues(path: Path) -> list[tuple[float, float, str, str]]:
    """(start s, end s, speaker, text) for every cue of a WebVTT file."""
    cues = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"(\d+):(\d+):(\d+)\.(\d+) --> (\d+):(\d+):(\d+)\.(\d+)$", line)
        if m:
            g = [int(v) for v in m.groups()]
            start = g[0] * 3600 + g[1] * 60 + g[2] + g[3] / 1000
            end = g[4] * 3600 + g[5] * 60 + g[6] + g[7] / 1000
            v = re.match(r"<v ([^>]+)>(.*)$", lines[i + 1])
            assert v, f"cue without a voice span: {lines[i + 1]!r}"
            cues.append((start, end, v.group(1), v.group(2)))
    return cues


def ffprobe_chapters(path: Path) -> list[tuple[float, float, str]]:
    proc = subprocess.run(["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(path)],
                          capture_output=True, text=True, check=True)
    return [(float(c["start_time"]), float(c["end_time"]), c.get("tags", {}).get("title", ""))
            for c in json.loads(proc.stdout)["chapters"]]


def window_db(x: np.ndarray, rate: int, a: float, b: float) -> float:
    """Loudest 10 ms RMS window between a and b seconds, in dBFS."""
    seg = x[max(0, int(a * rate)) : max(0, int(b * rate))]
    win = rate // 100
    n = seg.size // win
    if n == 0:
        return float("-inf")
    rms = np.sqrt(np.mean(seg[: n * win].reshape(n, win) ** 2, axis=1))
    return float(20 * np.log10(rms.max() + 1e-12))
