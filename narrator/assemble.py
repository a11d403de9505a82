"""assemble: join a chapter's clips once, with pauses from the story's structure and voices levelled."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from pydub import AudioSegment

from narrator.cache import ClipCache
from narrator.errors import NarratorError
from narrator.models import Clip

# Pauses in milliseconds, shortest to longest: a reader breathes more at bigger structural breaks.
PACING = {
    "within_paragraph": 250,   # narration <-> quotation inside one paragraph
    "paragraph": 550,
    "speaker_change": 700,
    "scene": 1600,
    "after_heading": 1100,
    "chapter_head": 700,       # room tone before the first word
    "chapter_tail": 2000,      # and after the last
}
TARGET_RMS_DB = -20.0  # each voice's speech level before the chapter limiter


@dataclass(frozen=True)
class Timed:
    """Where a clip sits in the chapter audio."""

    clip: Clip
    start: int
    end: int
    """Sample offsets in the chapter audio."""


@dataclass(frozen=True)
class ChapterAudio:
    audio: AudioSegment
    timeline: tuple[Timed, ...]
    scene_starts: tuple[tuple[int, int], ...]
    """(scene number, start sample) for every scene, in order."""

    @property
    def seconds(self) -> float:
        return self.audio.frame_count() / self.audio.frame_rate


def pause_between(a: Clip, b: Clip, pacing: dict[str, int]) -> int:
    """Milliseconds of silence between two consecutive clips of a chapter."""
    sa, sb = a.cue.line.segment, b.cue.line.segment
    if sa.heading:
        return pacing["after_heading"]
    if sb.scene != sa.scene:
        return pacing["scene"]
    if sb.paragraph == sa.paragraph:
        return pacing["within_paragraph"]
    return pacing["speaker_change"] if a.cue.role != b.cue.role else pacing["paragraph"]


def voice_gains(clips: Sequence[Clip], cache: ClipCache) -> dict[tuple[str, str], float]:
    """A linear gain per voice so every voice speaks at the same level (one gain per voice: no pumping)."""
    energy: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for clip in clips:
        entry = cache.get(clip.key, verify=False)
        if entry is None:
            continue
        e = energy[(clip.cue.voice.engine, clip.cue.voice.id)]
        n = entry.samples
        e[0] += entry.mean_square * n
        e[1] += n
    target = 10 ** (TARGET_RMS_DB / 20)
    gains = {}
    for voice, (total, n) in energy.items():
        rms = math.sqrt(total / n) if n and total > 0 else 0.0
        gains[voice] = target / rms if rms > 0 else 1.0
    return gains


def assemble(clips: Sequence[Clip], cache: ClipCache, sample_rate: int, gains: dict[tuple[str, str], float],
             pacing: dict[str, int] | None = None) -> ChapterAudio:
    """The chapter as one AudioSegment: raw frames joined once (never `+` in a loop), with its timeline."""
    pacing = {**PACING, **(pacing or {})}
    frames: list[bytes] = []
    timeline: list[Timed] = []
    scenes: list[tuple[int, int]] = []
    pos = 0

    def silence(ms: int) -> None:
        nonlocal pos
        n = sample_rate * ms // 1000
        frames.append(b"\x00\x00" * n)
        pos += n

    silence(pacing["chapter_head"])
    previous: Clip | None = None
    for clip in clips:
        if previous is not None:
            silence(pause_between(previous, clip, pacing))
        entry = cache.get(clip.key)
        if entry is None:
            raise NarratorError(f"the audio for chapter {clip.cue.line.segment.chapter}, line {clip.cue.line.segment.id} "
                                "went missing from the cache during the build; run the build again.")
        gain = gains.get((clip.cue.voice.engine, clip.cue.voice.id), 1.0)
        pcm = _scaled(entry.pcm, gain)
        scene = clip.cue.line.segment.scene
        if not scenes or scenes[-1][0] != scene:
            scenes.append((scene, pos))
        frames.append(pcm)
        timeline.append(Timed(clip, pos, pos + len(pcm) // 2))
        pos += len(pcm) // 2
        previous = clip
    silence(pacing["chapter_tail"])
    audio = AudioSegment(data=b"".join(frames), sample_width=2, frame_rate=sample_rate, channels=1)
    return ChapterAudio(audio, tuple(timeline), tuple(scenes))


def _scaled(pcm: bytes, gain: float) -> bytes:
    if abs(gain - 1.0) < 1e-3:
        return pcm
    x = np.frombuffer(pcm, dtype=np.int16).astype(np.float32) * gain
    return np.clip(x, -32768, 32767).astype(np.int16).tobytes()
