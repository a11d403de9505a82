"""captions: WebVTT/SRT cues and a plain transcript from a chapter's timeline (one cue per spoken segment)."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from narrator.assemble import Timed

VTT_DIGEST_NOTE = "NOTE narrator digest "
_DECORATION = re.compile(r"(?:^|(?<=\s))[-—–~*=#_]+(?=\s|$)")


def speaker(t: Timed) -> str:
    """The name a caption shows for a clip's voice."""
    role = t.clip.cue.role
    return {"narrator": "Narrator", "unknown": "Unknown speaker"}.get(role, role)


def webvtt(timeline: Sequence[Timed], sample_rate: int, digest: str | None = None) -> str:
    """A WebVTT file: one cue per segment, the speaker as a voice span (<v Name>)."""
    out = ["WEBVTT", ""]
    if digest:
        out += [VTT_DIGEST_NOTE + digest, ""]
    for i, t in enumerate(timeline, 1):
        name = _escape(speaker(t)).replace(">", "")
        out += [str(i), f"{_clock(t.start / sample_rate, '.')} --> {_clock(t.end / sample_rate, '.')}",
                f"<v {name}>{_escape(_text(t))}", ""]
    return "\n".join(out)


def srt(timeline: Sequence[Timed], sample_rate: int) -> str:
    """A SubRip file: one cue per segment, prefixed with the speaker's name (SRT has no voice markup)."""
    out = []
    for i, t in enumerate(timeline, 1):
        out += [str(i), f"{_clock(t.start / sample_rate, ',')} --> {_clock(t.end / sample_rate, ',')}",
                f"{speaker(t)}: {_text(t)}", ""]
    return "\n".join(out)


def transcript(timeline: Sequence[Timed]) -> str:
    """The chapter's text as spoken: one paragraph per line, for the MP3's unsynchronised lyrics frame."""
    paragraphs: list[list[str]] = []
    last = None
    for t in timeline:
        seg = t.clip.cue.line.segment
        key = (seg.scene, seg.paragraph)
        if key != last:
            paragraphs.append([])
            last = key
        paragraphs[-1].append(_text(t))
    return "\n\n".join(" ".join(p) for p in paragraphs)


def vtt_digest(path: Path) -> str | None:
    """The build digest noted in a VTT file we wrote, or None."""
    try:
        with open(path, encoding="utf-8") as f:
            head = [next(f, "") for _ in range(4)]
    except OSError:
        return None
    for line in head:
        if line.startswith(VTT_DIGEST_NOTE):
            return line[len(VTT_DIGEST_NOTE):].strip()
    return None


def write_text(path: Path, text: str) -> None:
    """Write a text file atomically: a temporary name, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _text(t: Timed) -> str:
    cue = t.clip.cue
    if cue.shown is not None:
        return cue.shown  # the heading as the narrator announced it ("Chapter One. The Unlit Street.")
    seg = cue.line.segment
    text = seg.text
    if seg.heading:
        # "— Chapter One —\n--- The Unlit Street ---": the dashes are decoration, not words.
        text = _DECORATION.sub(" ", text)
    return " ".join(text.split())


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clock(seconds: float, sep: str) -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"
