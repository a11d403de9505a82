"""The listener-ready deliverables around the chapter files: ACX pacing, masters for the M4B, captions, playlist."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from narrator.assemble import ChapterAudio, Timed, assemble
from narrator.cache import ClipCache
from narrator.captions import vtt_digest
from narrator.export import (
    M4B_BITRATE,
    Delivery,
    Missed,
    Tags,
    file_digest,
    master_stream,
    write_captions,
    write_chapter,
    write_m4b,
    write_master,
    write_playlist,
)
from narrator.mastering import chunk_size
from narrator.models import ChapterResult, Clip

__all__ = ["Delivery", "book_current", "book_digest", "book_made", "captions_stale", "chapter_seconds", "finish_book",
           "keep_chapter", "make_chapter", "needs_audio", "pacing_for", "up_to_date"]
ACX_HEAD_MS = (500, 1000)
ACX_TAIL_MS = (1000, 5000)


def pacing_for(pacing: dict[str, int], how: Delivery) -> dict[str, int]:
    """The pauses to use: with --acx the head and tail room tone are held inside ACX's windows."""
    if not how.acx:
        return pacing
    clamp = lambda v, lo_hi: min(max(v, lo_hi[0]), lo_hi[1])  # noqa: E731
    return {**pacing, "chapter_head": clamp(pacing["chapter_head"], ACX_HEAD_MS),
            "chapter_tail": clamp(pacing["chapter_tail"], ACX_TAIL_MS)}


def up_to_date(dest: Path, digest: str, how: Delivery, cache: ClipCache) -> bool:
    """Whether a chapter needs no new audio: its MP3 (or, for an M4B-only build, its master) matches the digest."""
    if "mp3" in how.formats:
        return dest.exists() and file_digest(dest) == digest
    return _master_path(cache, digest).exists()


def chapter_seconds(dest: Path, digest: str, how: Delivery, cache: ClipCache, sample_rate: int) -> float:
    """Length of an up-to-date chapter: its MP3's, or (M4B only) its master's."""
    if "mp3" in how.formats:
        from mutagen.mp3 import MP3

        try:
            return float(MP3(dest).info.length)
        except Exception:
            return 0.0
    path = _master_path(cache, digest)
    return path.stat().st_size / 2 / sample_rate if path.exists() else 0.0


def make_chapter(audio: ChapterAudio, dest: Path, tags: Tags, digest: str, how: Delivery,
                 cache: ClipCache) -> Missed | None:
    """Master one assembled chapter into what the build asked for: MP3 + captions, and/or a master for the M4B.
    Returns how the chapter MP3 missed its loudness target or true-peak ceiling, if it did."""
    master_to = _master_path(cache, digest) if "m4b" in how.formats else None
    if "mp3" in how.formats:
        return write_chapter(audio, dest, tags, digest, how, master_to=master_to)
    if master_to is not None:
        write_master(audio, master_to, how, tags.track)
    return None


def _captions_current(dest: Path, digest: str, how: Delivery) -> bool:
    return vtt_digest(dest.with_suffix(".vtt")) == digest and (not how.srt or dest.with_suffix(".srt").exists())


def book_digest(book: Tags, chapters: Sequence[tuple[str, str]]) -> str:
    """What the M4B is made of: its tags and every chapter's (title, digest)."""
    meta = [M4B_BITRATE, book.title, book.author, book.description, book.narrator,
            hashlib.sha256(book.cover or b"").hexdigest(), [list(c) for c in chapters]]
    return hashlib.sha256(json.dumps(meta).encode()).hexdigest()


def book_made(dest: Path, digest: str, how: Delivery) -> bool:
    """Whether the M4B is asked for and the one on disk is what this build would make (its captions aside)."""
    return "m4b" in how.formats and dest.exists() and file_digest(dest) == digest


def book_current(dest: Path, digest: str, how: Delivery, made: bool) -> bool:
    """Whether the M4B (when one is asked for) and its captions are already what this build would make;
    `made` is book_made's answer, which the build also hands to finish_book (one read of the M4B's tags)."""
    return "m4b" not in how.formats or (made and _captions_current(dest, digest, how))


def captions_stale(dest: Path, digest: str, how: Delivery) -> bool:
    """Whether an up-to-date chapter MP3's captions are missing or stale (e.g. --srt added later)."""
    return "mp3" in how.formats and not _captions_current(dest, digest, how)


def needs_audio(digest: str, cache: ClipCache, book_is_current: bool, stale: bool) -> bool:
    """Whether an up-to-date chapter's audio must still be assembled: for its captions (`stale`, as
    captions_stale says), or for an M4B to be made when the chapter has no master (after `narrator clean`)."""
    return stale or (not book_is_current and not _master_path(cache, digest).exists())


def keep_chapter(clips: Sequence[Clip], cache: ClipCache, dest: Path, digest: str, how: Delivery,
                 pacing: dict[str, int], sample_rate: int) -> None:
    """Write the captions of an up-to-date chapter whose captions are stale (see captions_stale)."""
    write_captions(assemble(clips, cache, sample_rate, pacing), dest, digest, how)


def finish_book(chapters: Sequence[ChapterResult], clips: Mapping[int, Sequence[Clip]], cache: ClipCache,
                folder: Path, book: Tags, digests: Mapping[int, str], pacing: dict[str, int], how: Delivery,
                digest: str, made: bool, sample_rate: int = 22050) -> Path | None:
    """After the chapters: the .m3u playlist (MP3) and the one-file M4B; returns the M4B's path when made.
    `digest` is book_digest's and `made` book_made's for this M4B, both found by the build before rendering."""
    if "mp3" in how.formats:
        write_playlist(folder / f"{folder.name}.m3u", [(c.title, c.file, c.seconds) for c in chapters])
    if "m4b" not in how.formats:
        return None
    dest = folder / f"{folder.name}.m4b"
    if made:
        if not _captions_current(dest, digest, how):
            _book_captions(chapters, clips, cache, dest, digest, pacing, how, sample_rate)
        return dest

    def source(c: ChapterResult):  # type: ignore[no-untyped-def]
        def load() -> Iterator[np.ndarray]:
            path = _master_path(cache, digests[c.number])
            if path.exists():
                yield from _read_pcm(path, chunk_size(sample_rate))
                return
            # A chapter kept from an MP3-only build has no master yet: assemble and master it again.
            audio = assemble(clips[c.number], cache, sample_rate, pacing)
            yield from master_stream(audio, how, c.number)

        return load

    write_m4b([(c.title, source(c)) for c in chapters], sample_rate, dest, book, digest, how)
    _book_captions(chapters, clips, cache, dest, digest, pacing, how, sample_rate)
    return dest


def _book_captions(chapters: Sequence[ChapterResult], clips: Mapping[int, Sequence[Clip]], cache: ClipCache,
                   dest: Path, digest: str, pacing: dict[str, int], how: Delivery, sample_rate: int) -> None:
    """Captions beside the M4B: every chapter's cues, shifted to where the chapter starts in the book."""
    timeline: list[Timed] = []
    offset = 0
    for c in chapters:
        audio = assemble(clips[c.number], cache, sample_rate, pacing)  # timing only: no levelling needed
        timeline += [replace(t, start=t.start + offset, end=t.end + offset) for t in audio.timeline]
        offset += audio.samples
    write_captions(ChapterAudio(sample_rate, tuple(timeline), (), offset), dest, digest, how)


def _read_pcm(path: Path, size: int) -> Iterator[np.ndarray]:
    with open(path, "rb") as f:
        while data := f.read(2 * size):
            yield np.frombuffer(data, dtype=np.int16)


def _master_path(cache: ClipCache, digest: str) -> Path:
    return cache.root / "masters" / f"{digest}.pcm"
