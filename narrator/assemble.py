"""assemble: lay a chapter's clips out with pauses from structure and punctuation, and stream them joined."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
from pydub import AudioSegment

from narrator.cache import ClipCache
from narrator.errors import NarratorError
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
_CLAUSE_END = (",", ";", ":", "—", "–", "-")
_CLOSERS = "\"'”’)]» \t\n"


class Stopped(Exception):
    """A chapter's audio stopped being read because the build is ending (see ChapterAudio.stop)."""


@dataclass(frozen=True)
class Timed:
    """Where a clip sits in the chapter audio."""

    clip: Clip
    start: int
    end: int
    """Sample offsets in the chapter audio."""


@dataclass(frozen=True)
class ChapterAudio:
    """A chapter's layout: where each clip sits, where each scene starts, and a stream of its PCM.

    Nothing is decoded until the audio is read: `chunks` joins the clips from the cache a few seconds at a
    time, so mastering and encoding can read a chapter (twice) without ever holding all of it.
    """

    sample_rate: int
    timeline: tuple[Timed, ...]
    scene_starts: tuple[tuple[int, int], ...]
    """(scene number, start sample) for every scene, in order."""
    samples: int
    cache: ClipCache | None = None
    stop: threading.Event | None = field(default=None, compare=False, repr=False)
    """Set when the build is interrupted: reading stops at the next clip (the encoder runs in our process and
    would otherwise master and encode the whole chapter before Ctrl-C could end the build)."""

    @property
    def seconds(self) -> float:
        return self.samples / self.sample_rate

    def chunks(self, size: int) -> Iterator[np.ndarray]:
        """The chapter's int16 samples in order, `size` at a time (the last chunk may be shorter)."""
        out = np.zeros(size, dtype=np.int16)
        fill = 0  # samples of `out` already written; the rest of it is silence
        pos = 0   # chapter samples emitted before `out`
        for t in self.timeline:
            if self.stop is not None and self.stop.is_set():
                raise Stopped("the build was interrupted")
            if t.end <= t.start:
                continue
            # Pause before the clip: the zeros already in `out`, whole silent chunks while it is longer.
            while t.start - pos >= size:
                yield out
                out, fill, pos = np.zeros(size, dtype=np.int16), 0, pos + size
            fill = t.start - pos
            x = self._clip_pcm(t.clip)
            if x.size != t.end - t.start:
                raise NarratorError(f"the audio for chapter {t.clip.cue.line.segment.chapter}, line "
                                    f"{t.clip.cue.line.segment.id} changed in the cache during the build; run the build again.")
            while x.size:
                take = min(size - fill, x.size)
                out[fill : fill + take] = x[:take]
                x, fill = x[take:], fill + take
                if fill == size:
                    yield out
                    out, fill, pos = np.zeros(size, dtype=np.int16), 0, pos + size
            del x  # its (empty) view still holds the whole clip read from the cache: not while reading the next
        while pos < self.samples:
            n = min(size, self.samples - pos)
            yield out[:n]
            out, pos = np.zeros(size, dtype=np.int16), pos + n

    def _clip_pcm(self, clip: Clip) -> np.ndarray:
        entry = self.cache.get(clip.key) if self.cache is not None else None
        if entry is None:
            raise NarratorError(f"the audio for chapter {clip.cue.line.segment.chapter}, line {clip.cue.line.segment.id} "
                                "went missing from the cache during the build; run the build again.")
        return np.frombuffer(entry.pcm, dtype=np.int16)

    @property
    def pcm(self) -> np.ndarray:
        """All the samples joined (previews and tests; chapters are streamed)."""
        parts = list(self.chunks(1 << 16))  # each chunk is a fresh array
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)

    @property
    def audio(self) -> AudioSegment:
        """The same audio as a pydub AudioSegment."""
        return AudioSegment(data=self.pcm.tobytes(), sample_width=2, frame_rate=self.sample_rate, channels=1)

    def spans(self, by: str) -> list[tuple[int, int, int]]:
        """(start, end, number) of every clip, numbered by speaker (`by="role"`) or by voice (`by="voice"`)."""
        numbers: dict[object, int] = {}
        out = []
        for t in self.timeline:
            who = t.clip.cue.role if by == "role" else (t.clip.cue.voice.engine, t.clip.cue.voice.id)
            out.append((t.start, t.end, numbers.setdefault(who, len(numbers))))
        return out


def pause_between(a: Clip, b: Clip, pacing: dict[str, int]) -> int:
    """Milliseconds of silence between two consecutive clips: structure first, then how `a` ends."""
    return pacing[pause_kind(a, b)]


def pause_kind(a: Clip, b: Clip) -> str:
    """Which pause of the [pacing] table goes between two consecutive clips."""
    sa, sb = a.cue.line.segment, b.cue.line.segment
    if sa.heading:
        return "after_heading"
    if sb.scene != sa.scene:
        return "scene"
    if sb.paragraph != sa.paragraph:
        return "speaker_change" if a.cue.role != b.cue.role else "paragraph"
    return "comma" if sa.text.rstrip(_CLOSERS).endswith(_CLAUSE_END) else "sentence"


def pacing_used(clips: Sequence[Clip], pacing: dict[str, int]) -> dict[str, int]:
    """The pauses a chapter's audio is made with: a change to any other (a scene pause in a chapter without a
    scene break) leaves the chapter as it was, so it need not be encoded again."""
    full = {**PACING, **pacing}
    kinds = {"chapter_head", "chapter_tail"} | {pause_kind(a, b) for a, b in itertools.pairwise(clips)}
    return {k: full[k] for k in sorted(kinds)}


def assemble(clips: Sequence[Clip], cache: ClipCache, sample_rate: int, pacing: dict[str, int] | None = None) -> ChapterAudio:
    """The chapter's layout (pauses, timeline, scenes) from the cache entries' headers; no audio is read here."""
    pacing = {**PACING, **(pacing or {})}
    timeline: list[Timed] = []
    scenes: list[tuple[int, int]] = []
    pos = sample_rate * pacing["chapter_head"] // 1000
    previous: Clip | None = None
    for clip in clips:
        if previous is not None:
            pos += sample_rate * pause_between(previous, clip, pacing) // 1000
        entry = cache.get(clip.key, verify=False)  # the header: the length (the samples are checked when read)
        if entry is None:
            raise NarratorError(f"the audio for chapter {clip.cue.line.segment.chapter}, line {clip.cue.line.segment.id} "
                                "went missing from the cache during the build; run the build again.")
        scene = clip.cue.line.segment.scene
        if not scenes or scenes[-1][0] != scene:
            # The heading (scene 0) opens the first scene: a player's first marker starts at 0.
            scenes.append((scene, 0 if not scenes else pos))
        timeline.append(Timed(clip, pos, pos + entry.samples))
        pos += entry.samples
        previous = clip
    pos += sample_rate * pacing["chapter_tail"] // 1000
    merged = [s for i, s in enumerate(scenes) if not (i == 0 and s[0] == 0 and len(scenes) > 1)]
    if merged and merged[0][1] != 0:
        merged[0] = (merged[0][0], 0)
    return ChapterAudio(sample_rate, tuple(timeline), tuple(merged), pos, cache)

