"""assemble: join a chapter's clips once, with pauses from structure and punctuation and every voice levelled."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from pydub import AudioSegment

from narrator.cache import ClipCache
from narrator.errors import NarratorError
from narrator.mastering import gated_loudness, k_weighted
from narrator.models import Clip

# Pauses in milliseconds, shortest to longest: a reader breathes longer at bigger breaks.
PACING = {
    "comma": 250,            # a clip ending in , ; : or a dash, inside a paragraph ("Wait," said Tobin)
    "sentence": 450,         # a clip ending a sentence, inside a paragraph
    "paragraph": 650,        # a new paragraph, same speaker
    "speaker_change": 800,   # a new paragraph, another speaker
    "scene": 1800,           # a scene break
    "after_heading": 2000,   # after the chapter heading is read: the chapter head
    "chapter_head": 750,     # room tone before the first word (ACX: 500-1000)
    "chapter_tail": 3000,    # room tone after the last word (ACX: 1000-5000)
}
TARGET_RMS_DB = -20.0    # auditions: a voice's speech level before any limiter
VOICE_LOUDNESS = -26.0   # LUFS each voice is levelled to before mastering: headroom for ~20 dB speech peaks
_CLAUSE_END = (",", ";", ":", "—", "–", "-")
_CLOSERS = "\"'”’)]» \t\n"


@dataclass(frozen=True)
class Timed:
    """Where a clip sits in the chapter audio."""

    clip: Clip
    start: int
    end: int
    """Sample offsets in the chapter audio."""


@dataclass(frozen=True)
class ChapterAudio:
    """A chapter's joined PCM, where each clip sits in it, and where each scene starts."""

    pcm: np.ndarray
    """int16 mono samples."""
    sample_rate: int
    timeline: tuple[Timed, ...]
    scene_starts: tuple[tuple[int, int], ...]
    """(scene number, start sample) for every scene, in order."""

    @property
    def seconds(self) -> float:
        return self.pcm.size / self.sample_rate

    @property
    def audio(self) -> AudioSegment:
        """The same audio as a pydub AudioSegment."""
        return AudioSegment(data=self.pcm.tobytes(), sample_width=2, frame_rate=self.sample_rate, channels=1)


def pause_between(a: Clip, b: Clip, pacing: dict[str, int]) -> int:
    """Milliseconds of silence between two consecutive clips: structure first, then how `a` ends."""
    sa, sb = a.cue.line.segment, b.cue.line.segment
    if sa.heading:
        return pacing["after_heading"]
    if sb.scene != sa.scene:
        return pacing["scene"]
    if sb.paragraph != sa.paragraph:
        return pacing["speaker_change"] if a.cue.role != b.cue.role else pacing["paragraph"]
    return pacing["comma"] if sa.text.rstrip(_CLOSERS).endswith(_CLAUSE_END) else pacing["sentence"]


def voice_gains(clips: Sequence[Clip], cache: ClipCache) -> dict[tuple[str, str], float]:
    """A linear gain per voice that brings its speech to the same K-weighted loudness (one gain per voice: no pumping)."""
    pcm: dict[tuple[str, str], list[np.ndarray]] = defaultdict(list)
    rates: dict[tuple[str, str], int] = {}
    seen: set[str] = set()
    for clip in clips:
        if clip.key in seen:
            continue
        seen.add(clip.key)
        entry = cache.get(clip.key)
        if entry is not None and entry.samples:
            voice = (clip.cue.voice.engine, clip.cue.voice.id)
            pcm[voice].append(np.frombuffer(entry.pcm, dtype=np.int16))
            rates[voice] = entry.sample_rate
    gains = {}
    for voice, parts in pcm.items():
        x = np.concatenate(parts).astype(np.float64) / 32768.0
        level = gated_loudness(k_weighted(x, rates[voice]), rates[voice])
        gains[voice] = 10 ** ((VOICE_LOUDNESS - level) / 20) if np.isfinite(level) else 1.0
    return gains


def assemble(clips: Sequence[Clip], cache: ClipCache, sample_rate: int, gains: dict[tuple[str, str], float],
             pacing: dict[str, int] | None = None) -> ChapterAudio:
    """The chapter as one PCM array: frames joined once (never `+` in a loop), with its timeline."""
    pacing = {**PACING, **(pacing or {})}
    parts: list[np.ndarray] = []
    timeline: list[Timed] = []
    scenes: list[tuple[int, int]] = []
    pos = 0

    def silence(ms: int) -> None:
        nonlocal pos
        n = sample_rate * ms // 1000
        parts.append(np.zeros(n, dtype=np.int16))
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
        x = _scaled(np.frombuffer(entry.pcm, dtype=np.int16), gains.get((clip.cue.voice.engine, clip.cue.voice.id), 1.0))
        scene = clip.cue.line.segment.scene
        if not scenes or scenes[-1][0] != scene:
            # The heading (scene 0) opens the first scene: a player's first marker starts at 0.
            scenes.append((scene, 0 if not scenes else pos))
        parts.append(x)
        timeline.append(Timed(clip, pos, pos + x.size))
        pos += x.size
        previous = clip
    silence(pacing["chapter_tail"])
    pcm = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)
    merged = [s for i, s in enumerate(scenes) if not (i == 0 and s[0] == 0 and len(scenes) > 1)]
    if merged and merged[0][1] != 0:
        merged[0] = (merged[0][0], 0)
    return ChapterAudio(pcm, sample_rate, tuple(timeline), tuple(merged))


def _scaled(x: np.ndarray, gain: float) -> np.ndarray:
    if abs(gain - 1.0) < 1e-3:
        return x
    return np.clip(x.astype(np.float32) * gain, -32768, 32767).astype(np.int16)
