"""The values that flow between pipeline stages: frozen, small, and traceable to the source text."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Gender = Literal["female", "male", "unknown"]
SegmentKind = Literal["narration", "dialogue"]
Evidence = Literal["narration", "explicit", "anaphoric", "implicit", "override", "unknown"]


@dataclass(frozen=True)
class Span:
    """A half-open character range [start, end) of `Story.text`."""

    start: int
    end: int


@dataclass(frozen=True)
class Story:
    """A decoded story: metadata plus the exact text every offset refers to."""

    title: str
    """Story title (from the header, the metadata, or the file name)."""
    author: str | None
    """Author, when the source names one."""
    description: str | None
    """The blurb or summary, when the source has one."""
    text: str
    """The decoded source text (BOM removed, nothing else changed); every offset points here."""
    path: Path | None = None
    """Where the story was read from (None for stdin)."""
    body_start: int = 0
    """Offset where the story proper begins (after the title/blurb header)."""
    chapter_hints: tuple[tuple[Span, str], ...] = ()
    """Chapter headings the reader already knows (EPUB/HTML structure): heading span and title."""
    notes: tuple[Span, ...] = ()
    """Author's-note blocks the reader already recognised (EPUB/HTML structure)."""
    thoughts: tuple[Span, ...] = ()
    """Paragraphs the source marks as inner speech (a stand-alone italic paragraph)."""
    emphasis: tuple[Span, ...] = ()
    """Emphasised runs inside paragraphs (italics, *stars*, _underscores_)."""
    cover: bytes | None = None
    """Cover image bytes from the package metadata (EPUB), for the audiobook's artwork."""
    cover_mime: str | None = None
    """Media type of `cover` ("image/jpeg", "image/png")."""


@dataclass(frozen=True)
class Scene:
    """A run of paragraphs between scene breaks."""

    paragraphs: tuple[Span, ...]
    """Paragraph spans, in reading order; blank lines and break markers are excluded."""
    note: bool = False
    """True when this block is an author's note (read by the narrator, only with --author-notes)."""


@dataclass(frozen=True)
class Chapter:
    """One chapter: its title, its heading span, its scenes and its author's notes."""

    number: int
    """1-based position in the book."""
    title: str
    """Clean title for tags and file names ("Chapter 3: The Mill")."""
    heading: Span | None
    """Where the heading stands in the source (None for a story without headings)."""
    scenes: tuple[Scene, ...]
    """The narratable body, split at scene breaks."""
    notes: tuple[Span, ...] = ()
    """Author's notes found in this chapter (skipped unless asked for)."""

    @property
    def paragraphs(self) -> tuple[Span, ...]:
        """Every narratable paragraph of the chapter, across scenes."""
        return tuple(p for scene in self.scenes for p in scene.paragraphs)


@dataclass(frozen=True)
class Segment:
    """A stretch of one paragraph read by one voice: narration or a quotation."""

    chapter: int
    """Chapter number (1-based)."""
    index: int
    """Position within the chapter (0-based); with `chapter` it is the line id."""
    scene: int
    """Scene number within the chapter (1-based; 0 for the chapter heading)."""
    paragraph: int
    """Paragraph number within the chapter (0-based; -1 for the heading)."""
    start: int
    """Offset of the first character in `Story.text`."""
    end: int
    """Offset after the last character."""
    kind: SegmentKind
    """Narration (the narrator reads it) or dialogue (a character speaks it)."""
    text: str
    """Exactly `Story.text[start:end]`."""
    heading: bool = False
    """True for the chapter heading, which the narrator announces."""
    note: bool = False
    """True for author's-note text (only present when notes are included)."""

    @property
    def id(self) -> str:
        """Stable line id used by `narrator script` and cast-file overrides ("3:41")."""
        return f"{self.chapter}:{self.index}"


@dataclass(frozen=True)
class Character:
    """A speaker discovered in the story."""

    name: str
    """Canonical name."""
    aliases: tuple[str, ...] = ()
    """Other names and epithets that refer to the same character."""
    gender: Gender = "unknown"
    """Best guess from pronouns and titles."""
    mentions: int = 0
    """How often the text names the character (a salience measure)."""


# Attribution's confidence reads as a hit rate (benchmarks/calibration.py on the development novels): lines
# scored 0.7-0.8 were right 74.6 % of the time, 0.5-0.6 60.2 %, 0.8-0.9 89.4 %. Below 0.8 a line is wrong at
# least one time in four, worth a listener's check, so `narrator script --doubtful` lists it (0.6 left out the
# 0.7s, and a wrong 0.71 line went unlisted). One value, used wherever "doubtful" is decided.
DOUBTFUL_BELOW = 0.8


@dataclass(frozen=True)
class Line:
    """A segment with who speaks it and why we think so."""

    segment: Segment
    speaker: str | None
    """Canonical character name; None for the narrator or an unknown speaker."""
    evidence: Evidence
    """How the speaker was decided."""
    confidence: float
    """0..1: how sure attribution is (calibrated as a hit rate); below DOUBTFUL_BELOW a listener should check it."""
    alternative: str | None = None
    """The next likeliest speaker when attribution weighed several (what `narrator script --doubtful` offers)."""

    @property
    def doubtful(self) -> bool:
        """A dialogue line whose speaker is uncertain enough to be worth a listener's check."""
        return self.segment.kind == "dialogue" and self.confidence < DOUBTFUL_BELOW



@dataclass(frozen=True)
class Voice:
    """Everything an engine needs to speak in one voice."""

    engine: str
    """Engine name as registered ("pyttsx3", "piper", "silent")."""
    id: str
    """Engine voice id ("gmw/en-us+f3", "en_US-joe-medium")."""
    rate: int = 170
    """Speaking rate in words per minute."""
    pitch: int = 50
    """Pitch, 0..100 (50 = the voice's normal pitch)."""
    volume: float = 1.0
    """Loudness multiplier before levelling (0..2)."""
    options: tuple[tuple[str, float | int | str], ...] = ()
    """Engine-specific settings as sorted (name, value) pairs (e.g. Piper's noise_scale)."""


@dataclass(frozen=True)
class VoiceInfo:
    """A voice an engine offers."""

    id: str
    name: str
    gender: Gender
    language: str
    engine: str


@dataclass(frozen=True)
class Cue:
    """One thing to say: a line, the voice that says it, and the exact text the engine gets."""

    line: Line
    voice: Voice
    speech: str
    """Text after normalisation for speech (never stored back into the story)."""
    role: str = "narrator"
    """Who is speaking in cast terms: "narrator", "unknown" or a character name."""
    shown: str | None = None
    """What captions and the transcript show when not the segment's own text (a heading as announced)."""


@dataclass(frozen=True)
class Audio:
    """Mono 16-bit PCM audio."""

    pcm: bytes
    sample_rate: int

    @property
    def seconds(self) -> float:
        return len(self.pcm) / 2 / self.sample_rate


@dataclass(frozen=True)
class Clip:
    """A cue rendered to audio (trimmed of engine silence), cached under `key`."""

    cue: Cue
    key: str
    """Content hash of everything that shapes the audio."""
    samples: int
    """Length in samples at `sample_rate`."""
    sample_rate: int


@dataclass(frozen=True)
class ChapterResult:
    """A finished chapter file."""

    number: int
    title: str
    file: Path
    seconds: float
    encoded: bool
    """False when the existing file was already up to date."""


@dataclass(frozen=True)
class BuildResult:
    """What `narrator build` did."""

    chapters: tuple[ChapterResult, ...]
    segments_rendered: int
    segments_reused: int
    """Segments taken from the cache instead of being rendered."""
    audio_seconds: float
    elapsed_seconds: float
    warnings: tuple[str, ...] = field(default=())
    segments_not_needed: int = 0
    """Segments not in the cache and not rendered, because every chapter they are in was already up to date."""
