"""export: master chapter audio, encode it with ffmpeg (MP3, M4B), tag it with mutagen, write captions beside it."""

from __future__ import annotations

import contextlib
import functools
import os
import queue
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

import numpy as np
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TCOM,
    TCON,
    TIT2,
    TPE1,
    TPE2,
    TRCK,
    TXXX,
    USLT,
    CTOCFlags,
    PictureType,
)
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4, MP4Cover, MP4FreeForm

from narrator import lame
from narrator.assemble import ChapterAudio
from narrator.captions import srt, transcript, webvtt, write_text
from narrator.errors import InputError, OutputError, ToolMissingError
from narrator.mastering import (
    ACX_RMS,
    DEFAULT_LOUDNESS,
    DEFAULT_TRUE_PEAK,
    LOUDNESS_TOLERANCE,
    ROOM_TONE_DB,
    WINDOW_S,
    Gains,
    LevelMeter,
    Mastering,
    master,
    measure,
    render,
    room_tone,
    solve,
)

DIGEST_TAG = "narrator digest"
# The check's 4x oversampling reads a true peak up to ~0.1 dB under ffmpeg's ebur128 (192 kHz): it asks that much more.
_TP_READS_LOW_DB = 0.1
_RINGING_DB = 0.5  # the 64 kbps encoder's overshoot of the PCM's true peak varies by this much between encodes
MP3_BITRATE = "64k"          # mono speech at 22.05 kHz: transparent enough, 29 MB an hour
ACX_BITRATE = "192k"         # ACX: CBR 192 kbps or more, at 44.1 kHz (22.05 kHz MP3 tops out at 160k)
ACX_RATE = 44100
M4B_BITRATE = "64k"
LIMITER = "numpy look-ahead true-peak limiter v3 (streamed, BS.1770-4 K-weighting, checked on the decoded MP3)"  # in the build digest: a new limiter re-encodes
FORMATS = ("mp3", "m4b")


@dataclass(frozen=True)
class Tags:
    title: str
    album: str
    author: str | None
    track: int
    total: int
    description: str | None = None
    cover: bytes | None = None
    cover_mime: str = "image/jpeg"
    narrator: str = "narrator (text to speech)"


@dataclass(frozen=True)
class Delivery:
    """What the listener gets: formats, loudness, captions, and whether the ACX preset applies."""

    formats: tuple[str, ...] = ("mp3",)
    mastering: Mastering = field(default_factory=Mastering)
    acx: bool = False
    srt: bool = False

    @property
    def mp3_bitrate(self) -> str:
        return ACX_BITRATE if self.acx else MP3_BITRATE

    @property
    def out_rate(self) -> int | None:
        """The encoded sample rate when it differs from the pipeline's (ACX: 44.1 kHz)."""
        return ACX_RATE if self.acx else None

    def fingerprint(self) -> list[object]:
        """Everything here that changes a chapter MP3's bytes (for the build digest)."""
        m = self.mastering
        return [LIMITER, self.mp3_bitrate, self.out_rate, m.loudness, m.true_peak, m.room_tone, m.rms]


def delivery(formats: str = "mp3", loudness: float | None = None, true_peak: float | None = None,
             acx: bool = False, srt: bool = False, room_tone: bool = True) -> Delivery:
    """Check and combine the delivery options (`--format mp3,m4b`, `--loudness`, ...)."""
    names = tuple(dict.fromkeys(f.strip().lower() for f in formats.split(",") if f.strip()))
    bad = [f for f in names if f not in FORMATS]
    if bad or not names:
        raise InputError(f"unknown format {', '.join(bad) or repr(formats)}: use --format mp3, m4b or mp3,m4b.")
    if "mp3" not in names and acx:
        raise InputError("--acx describes MP3 files: use it with --format mp3 (or mp3,m4b).")
    lufs = loudness if loudness is not None else DEFAULT_LOUDNESS
    rms = ACX_RMS if acx and loudness is None else None  # ACX judges RMS; an explicit --loudness wins
    peak = true_peak if true_peak is not None else DEFAULT_TRUE_PEAK
    if not -40.0 <= lufs <= -10.0:
        raise InputError(f"--loudness {lufs} is out of range: give a target from -40 to -10 LUFS (audiobooks: -18 to -20).")
    if not -12.0 <= peak <= 0.0:
        raise InputError(f"--true-peak {peak} is out of range: give a ceiling from -12 to 0 dBTP (default -3).")
    if acx and peak > -3.0:
        raise InputError(f"--acx needs peaks at or below -3 dB, but --true-peak is {peak}: drop --true-peak or lower it.")
    if lufs > peak:
        raise InputError(f"--loudness {lufs} LUFS is above the --true-peak ceiling {peak} dBTP: lower the loudness.")
    return Delivery(names, Mastering(lufs, peak, ROOM_TONE_DB if room_tone else None, rms), acx, srt)


def require_ffmpeg() -> str:
    """Path of ffmpeg, or a ToolMissingError that says how to install it."""
    path = shutil.which("ffmpeg")
    if path is None:
        raise ToolMissingError("ffmpeg is not installed: install it with `sudo apt-get install ffmpeg` (or run `make demo`).")
    return path


def file_digest(path: Path) -> str | None:
    """The build digest stored in a finished chapter file (MP3 or M4B), or None."""
    try:
        if path.suffix.lower() == ".m4b":
            values = MP4(path).tags.get(f"----:com.apple.iTunes:{DIGEST_TAG}")  # type: ignore[union-attr]
            return bytes(values[0]).decode() if values else None
        frames = ID3(path).getall(f"TXXX:{DIGEST_TAG}")
    except Exception:
        return None
    return str(frames[0].text[0]) if frames else None


def remove_old_chapters(folder: Path, keep: Iterable[Path]) -> list[str]:
    """Delete chapter files of this book that the story no longer has; return their names.

    A chapter renamed or dropped from the story left its old MP3 (and captions) beside the new ones, and
    audiobook apps, which list a folder's files, played "02 Chapter 2 - B" and "02 Chapter 2 - Bee" and the
    stale "03". Only MP3s narrator signed (its digest tag) are removed, with their same-named captions:
    a recording of the user's own in the folder has no such tag and stays.
    """
    wanted = {p.name for p in keep}
    removed = []
    for mp3 in sorted(folder.glob("[0-9]*.mp3")):
        if mp3.name in wanted or not mp3.name.split(" ", 1)[0].isdigit() or file_digest(mp3) is None:
            continue
        for sidecar in (mp3, mp3.with_suffix(".vtt"), mp3.with_suffix(".srt")):
            with contextlib.suppress(OSError):
                sidecar.unlink(missing_ok=True)
        removed.append(mp3.name)
    return removed


@dataclass(frozen=True)
class Missed:
    """A chapter MP3 that missed its loudness target or true-peak ceiling, as its decoded audio measured."""

    level: float
    """Integrated loudness in LUFS (dB RMS for an RMS target)."""
    true_peak: float
    """dBTP."""
    limited: bool
    """Whether the target lay past what the limiter can give under the ceiling (more gain is limited away)."""
    quiet: bool = False
    """Whether the level is outside the tolerance around the target."""
    over: bool = False
    """Whether the true peak is over the ceiling (or within the check's reading error of it)."""


def write_chapter(chapter: ChapterAudio, dest: Path, tags: Tags, digest: str, how: Delivery,
                  scene_title: Callable[[int], str] | None = None, master_to: Path | None = None,
                  captions: bool = True) -> Missed | None:
    """Master, encode and tag one chapter MP3 (scene CHAP frames, transcript), write its captions (unless not
    `captions`: a preview is one file).

    The mastered audio streams into ffmpeg a few seconds at a time; with `master_to` it is also written there
    as raw PCM (the M4B is made from those files). The encoded file is decoded and measured: the encoder lowers
    the level (LAME's quantiser rounds towards zero: -0.45 dB at 64 kbps) and its ringing lifts peaks over the
    ceiling the PCM was limited to, most where the limiter holds many peaks at it (loud targets). A chapter that
    misses is mastered and encoded once more with both misses taken off its aim; what still misses is returned.
    """
    sr = chapter.sample_rate
    scenes = chapter.scene_starts or ((1, 0),)
    ends = [s for _, s in scenes[1:]] + [chapter.samples]
    title = scene_title or (lambda n: f"Scene {n}")
    marks = [(tags.title if len(scenes) == 1 else title(n), start * 1000 // sr, end * 1000 // sr)
             for (n, start), end in zip(scenes, ends, strict=True)]

    missed: Missed | None = None

    def _encode(chapter: ChapterAudio, gains: Gains, aim: Mastering, tmp: Path) -> None:
        stream = render(chapter.chunks, chapter.samples, sr, gains, aim, tags.track)
        if master_to is None:
            _encode_mp3(stream, sr, tmp, how.mp3_bitrate, how.out_rate)
        else:
            _atomic(master_to, lambda raw: _encode_mp3(stream, sr, tmp, how.mp3_bitrate, how.out_rate, tee=raw))

    def make(tmp: Path) -> None:
        nonlocal missed
        want = how.mastering
        aim = replace(want, **_codec_allowance(want, how))
        local: tuple[tuple[int, int, float], ...] = ()
        for _ in range(2):  # the first try, and one more with its misses taken off the aim
            gains = replace(_solve(chapter, replace(how, mastering=aim)), local=local)
            if not np.isfinite(gains.loudness):  # silence (a stand-in engine, a chapter of pauses): nothing to aim
                _encode(chapter, gains, aim, tmp)
                break
            _encode(chapter, gains, aim, tmp)
            got = delivered_level(tmp, how.out_rate or sr, want)
            short = _target(want) - got.level
            limited = gains.loudness < _target(aim) - LOUDNESS_TOLERANCE
            if abs(short) <= LOUDNESS_TOLERANCE and got.true_peak <= want.true_peak - _TP_READS_LOW_DB:
                missed = None
                break
            missed = Missed(got.level, got.true_peak, limited, abs(short) > LOUDNESS_TOLERANCE,
                            got.true_peak > want.true_peak - _TP_READS_LOW_DB)
            if limited and got.true_peak <= want.true_peak - _TP_READS_LOW_DB:
                break  # a second pass would reach the same wall
            if not limited:
                aim = replace(aim, **{"rms" if want.rms is not None else "loudness": _target(aim) + short})
            # The encoder's ringing is spread thin but not where it was: the ceiling comes down by the overshoot
            # everywhere, and the windows that came near it come down further, to the allowance under it.
            aim = replace(aim, true_peak=aim.true_peak - max(got.true_peak - want.true_peak + _TP_READS_LOW_DB, 0.0))
            local = _lowered(got.windows, want.true_peak - _RINGING_DB, how.out_rate or sr, sr, gains.step)
        tag_mp3(tmp, tags, digest, marks, transcript(chapter.timeline))

    _atomic(dest, make)
    if captions:
        write_captions(chapter, dest, digest, how)
    return missed


def _target(m: Mastering) -> float:
    """The level a Mastering aims at, in its own unit: LUFS, or dB RMS for an RMS target."""
    return float(m.rms) if m.rms is not None else m.loudness


def _codec_allowance(want: Mastering, how: Delivery) -> dict[str, float]:
    """The first pass's aim: the target raised by the level the encoder takes off (see `codec_level_loss`)."""
    loss = codec_level_loss(22050, how.mp3_bitrate, how.out_rate)
    return {"rms": want.rms + loss} if want.rms is not None else {"loudness": want.loudness + loss}


@functools.cache
def codec_level_loss(sample_rate: int, bitrate: str, out_rate: int | None) -> float:
    """How many dB the MP3 encoder lowers the level, measured once per setting on 4 s of warm noise.

    LAME's quantiser rounds each coefficient towards zero, so every band comes out a little quieter (-0.45 dB at
    64 kbps, -0.26 at 192 kbps; the same for a sine, noise or speech). 0 where the probe cannot run.
    """
    pcm = np.round(room_tone(sample_rate * 4, -20.0, seed=7) * 32767).astype(np.int16)
    with tempfile.TemporaryDirectory(prefix="narrator-probe-") as tmp:
        path = Path(tmp) / "probe.mp3"
        try:
            _encode_mp3([pcm], sample_rate, path, bitrate, out_rate)
            out = np.frombuffer(_decoded_bytes(path), dtype=np.int16)
        except (OSError, OutputError):
            return 0.0
    edge = (out_rate or sample_rate) // 2  # the encoder's delay and the noise's start and end
    x, y = pcm[sample_rate // 2 : -sample_rate // 2].astype(np.float64), out[edge:-edge].astype(np.float64)
    if x.size == 0 or y.size == 0 or not np.any(y):
        return 0.0
    return float(10 * np.log10(np.mean(x * x) / np.mean(y * y)))


def _decode_command(path: Path) -> list[str]:
    """ffmpeg decoding an encoded file to mono 16-bit PCM on stdout, as a player hears it."""
    return [require_ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-i", str(path), "-f", "s16le",
            "-ac", "1", "-"]


def _decoded_bytes(path: Path) -> bytes:
    proc = subprocess.run(_decode_command(path), capture_output=True, check=False)
    _check(proc.returncode, proc.stderr, path)
    return proc.stdout


def _lowered(windows: dict[int, float], aim_db: float, out_rate: int, sample_rate: int,
             step: int) -> tuple[tuple[int, int, float], ...]:
    """Where to lower the limiter's ceiling on a second try: around each 50 ms window of the decoded MP3 whose true
    peak came within the ringing allowance of the ceiling, by what takes it to that allowance under the ceiling.
    The encoder's overs sit in a few such windows (7 of 3,036 in a 2.5-minute chapter at -14 LUFS), so
    lowering the whole chapter's ceiling would cost loudness everywhere for a handful of spots."""
    width = int(WINDOW_S * out_rate)
    out = []
    for w, peak in sorted(windows.items()):
        factor = 10 ** (aim_db / 20) / peak
        if factor < 1.0:
            # From decoded samples (the MP3 may be at 44.1 kHz) to PCM blocks, a window either side for the hold.
            first = max(0, (w - 1) * width) * sample_rate // out_rate
            end = (w + 2) * width * sample_rate // out_rate
            out.append((first // step, -(-end // step), factor))
    return tuple(out)


@dataclass(frozen=True)
class Delivered:
    """An encoded file's levels, as a player decodes it."""

    level: float
    """In the target's unit: LUFS, or dB RMS for an RMS target."""
    true_peak: float
    """dBTP."""
    windows: dict[int, float]
    """50 ms window number -> true peak (linear) of the windows within the ringing allowance of the ceiling."""


def delivered_level(path: Path, sample_rate: int, want: Mastering) -> Delivered:
    """The levels of an encoded file as a player decodes it (ffmpeg), read a few seconds at a time."""
    meter = LevelMeter(sample_rate, 10 ** (want.true_peak / 20), 10 ** ((want.true_peak - _RINGING_DB) / 20))
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(_decode_command(path), stdout=subprocess.PIPE, stderr=errors)
        assert proc.stdout is not None
        carry = b""
        while data := proc.stdout.read(1 << 18):
            data, carry = carry + data, b""
            if len(data) % 2:
                data, carry = data[:-1], data[-1:]
            meter.feed(np.frombuffer(data, dtype=np.int16))
        code = proc.wait()
        errors.seek(0)
        _check(code, errors.read(), path)
    lufs, peak, rms = meter.result()
    return Delivered(rms if want.rms is not None else lufs, peak, meter.loud_windows)


def master_stream(chapter: ChapterAudio, how: Delivery, seed: int) -> Iterator[np.ndarray]:
    """The chapter mastered as `how` asks, as int16 chunks: each voice levelled, each speaker held level with the
    others after limiting. The chapter is read twice (measure, then render); only block figures are kept between."""
    gains = _solve(chapter, how)
    return render(chapter.chunks, chapter.samples, chapter.sample_rate, gains, how.mastering, seed)


def _solve(chapter: ChapterAudio, how: Delivery) -> Gains:
    # A function of its own so the measured block figures are freed before rendering starts.
    stats = measure(chapter.chunks, chapter.samples, chapter.sample_rate)
    return solve(stats, how.mastering, chapter.spans("role"), chapter.spans("voice"))


def write_master(chapter: ChapterAudio, dest: Path, how: Delivery, seed: int) -> None:
    """The mastered chapter as raw int16 PCM at `dest` (for an M4B-only build), written atomically."""

    def make(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            for chunk in master_stream(chapter, how, seed):
                f.write(chunk.data)

    _atomic(dest, make)


def write_captions(chapter: ChapterAudio, dest: Path, digest: str, how: Delivery) -> None:
    """Captions beside a chapter file: NAME.vtt always, NAME.srt with --srt."""
    write_text(dest.with_suffix(".vtt"), webvtt(chapter.timeline, chapter.sample_rate, digest))
    if how.srt:
        write_text(dest.with_suffix(".srt"), srt(chapter.timeline, chapter.sample_rate))


def write_mp3(audio, dest: Path, tags: Tags, digest: str, bitrate: str = MP3_BITRATE,  # type: ignore[no-untyped-def]
              speakers: Sequence[tuple[int, int, int]] = (), voices: Sequence[tuple[int, int, int]] = ()) -> None:
    """Master and encode `audio` (a pydub AudioSegment) to a tagged MP3, atomically (voice auditions; a preview
    MP3 is written by write_chapter, measured after encoding like a chapter)."""
    pcm = np.frombuffer(audio.raw_data, dtype=np.int16)
    mastered = master(pcm, audio.frame_rate, Mastering(room_tone=None), speakers=speakers, voices=voices)
    _atomic(dest, lambda tmp: (_encode_mp3([mastered], audio.frame_rate, tmp, bitrate, None), tag_mp3(tmp, tags, digest)))


def write_m4b(chapters: Sequence[tuple[str, Callable[[], Iterable[np.ndarray]]]], sample_rate: int, dest: Path, tags: Tags,
              digest: str, how: Delivery) -> None:
    """One M4B for the book, encoded once from the mastered PCM, with a chapter marker per chapter (ffmpeg)."""
    ffmpeg = require_ffmpeg()

    def run(tmp: Path) -> None:
        with tempfile.TemporaryDirectory(prefix="narrator-m4b-") as work:
            meta = Path(work) / "chapters.txt"
            cover = Path(work) / ("cover.png" if tags.cover_mime.endswith("png") else "cover.jpg")
            pcm_path = Path(work) / "book.pcm"
            lines = [";FFMETADATA1", f"title={_ffesc(tags.album)}", f"album={_ffesc(tags.album)}",
                     f"artist={_ffesc(tags.author or '')}", f"album_artist={_ffesc(tags.author or '')}",
                     f"composer={_ffesc(tags.narrator)}", "genre=Audiobook"]
            if tags.description:
                lines.append(f"description={_ffesc(tags.description)}")
            start = 0
            # Chapters are streamed a few seconds at a time into a raw file: memory stays flat.
            with open(pcm_path, "wb") as raw:
                for title, get_pcm in chapters:
                    end = start
                    for chunk in get_pcm():
                        raw.write(np.ascontiguousarray(chunk, dtype=np.int16).data)
                        end += chunk.size
                    lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={start * 1000 // sample_rate}",
                              f"END={end * 1000 // sample_rate}", f"title={_ffesc(_chapter_mark(title))}"]
                    start = end
            meta.write_text("\n".join(lines) + "\n", encoding="utf-8")
            cmd = [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-f", "s16le", "-ar", str(sample_rate),
                   "-ac", "1", "-i", str(pcm_path), "-i", str(meta)]
            if tags.cover:
                cover.write_bytes(tags.cover)
                cmd += ["-i", str(cover), "-map", "0:a", "-map", "2:v", "-c:v", "copy", "-disposition:v", "attached_pic"]
            else:
                cmd += ["-map", "0:a"]
            # The native AAC encoder's default coder is ~5x slower than "fast" for no audible gain on speech.
            cmd += ["-map_metadata", "1", "-map_chapters", "1", "-c:a", "aac", "-aac_coder", "fast", "-b:a", M4B_BITRATE,
                    "-movflags", "+faststart", "-f", "ipod", str(tmp)]
            _run(cmd, dest)
        m4b = MP4(tmp)
        if m4b.tags is None:
            m4b.add_tags()
        assert m4b.tags is not None
        m4b.tags["stik"] = [2]  # iTunes media kind: audiobook
        m4b.tags[f"----:com.apple.iTunes:{DIGEST_TAG}"] = [MP4FreeForm(digest.encode())]
        if tags.cover:
            fmt = MP4Cover.FORMAT_PNG if tags.cover_mime.endswith("png") else MP4Cover.FORMAT_JPEG
            m4b.tags["covr"] = [MP4Cover(tags.cover, imageformat=fmt)]
        m4b.save()  # mutagen keeps the chapters ffmpeg wrote

    _atomic(dest, run)


def _chapter_mark(title: str) -> str:
    """A chapter title as the M4B's Nero chapter list can hold it: that list gives each title one byte of
    length, so ffmpeg cut a long CJK title mid-character and the file could not be read back."""
    return cut_utf8(title, 255)


def cut_utf8(text: str, limit: int) -> str:
    """At most `limit` bytes of UTF-8, cut between characters (a CJK character is three bytes)."""
    return text.encode()[:limit].decode(errors="ignore")


def write_playlist(path: Path, entries: Sequence[tuple[str, Path, float]]) -> None:
    """An extended M3U of the chapter files, in order, with relative paths."""
    lines = ["#EXTM3U"]
    for title, file, seconds in entries:
        lines += [f"#EXTINF:{round(seconds)},{title}", file.name]
    write_text(path, "\n".join(lines) + "\n")


def tag_mp3(path: Path, tags: Tags, digest: str, marks: Sequence[tuple[str, int, int]] = (),
            text: str | None = None) -> None:
    """Write ID3v2.4 tags: title, album, author, track n/N, genre, cover, digest, scene chapters, transcript."""
    mp3 = MP3(path)
    if mp3.tags is None:
        mp3.add_tags()
    t = mp3.tags
    assert t is not None
    t.delall("TSSE")
    t.add(TIT2(encoding=3, text=tags.title))
    t.add(TALB(encoding=3, text=tags.album))
    if tags.author:
        t.add(TPE1(encoding=3, text=tags.author))
        t.add(TPE2(encoding=3, text=tags.author))
    t.add(TCOM(encoding=3, text=tags.narrator))
    t.add(TRCK(encoding=3, text=f"{tags.track}/{tags.total}"))
    t.add(TCON(encoding=3, text="Audiobook"))
    if tags.description:
        t.add(COMM(encoding=3, lang="eng", desc="", text=tags.description))
    if tags.cover:
        t.add(APIC(encoding=3, mime=tags.cover_mime, type=PictureType.COVER_FRONT, desc="Cover", data=tags.cover))
    if text:
        t.add(USLT(encoding=3, lang="eng", desc="", text=text))
    if marks:
        _add_chapters(t, marks)
    t.add(TXXX(encoding=3, desc=DIGEST_TAG, text=digest))
    mp3.save(v2_version=4)


# The ID3v2 chapter addendum stores a CTOC's entry count in one byte: a table holds at most 255 entries.
_TOC_MAX = 255


def _add_chapters(t: ID3, marks: Sequence[tuple[str, int, int]]) -> None:
    # mutagen orders frames by their size when saving (quodlibet/mutagen#506), so CHAP frames whose
    # titles differ in length come out of order; padding element ids makes every CHAP the same size.
    sizes = [len(title.encode("utf-8")) for title, _, _ in marks]
    width = max(3, len(str(len(marks))))
    ids = [f"scene{i:0{width}d}" + "_" * (max(sizes) - n) for i, n in enumerate(sizes, 1)]
    for cid, (title, start, end) in zip(ids, marks, strict=True):
        t.add(CHAP(element_id=cid, start_time=int(start), end_time=int(end), sub_frames=[TIT2(encoding=3, text=title)]))
    # More scenes than one table holds (a chapter of 300 scene breaks failed its whole build): tables of up to
    # 255 scenes under the top one, as the addendum allows (a CTOC may list CTOCs), in reading order.
    level = 0
    while len(ids) > _TOC_MAX:
        level += 1
        groups = [ids[a : a + _TOC_MAX] for a in range(0, len(ids), _TOC_MAX)]
        ids = [f"toc{level}-{k:03d}" for k in range(1, len(groups) + 1)]
        for tid, group in zip(ids, groups, strict=True):
            t.add(CTOC(element_id=tid, flags=CTOCFlags.ORDERED, child_element_ids=group,
                       sub_frames=[TIT2(encoding=3, text="Scenes")]))
    t.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=ids,
               sub_frames=[TIT2(encoding=3, text="Scenes")]))


def _encode_mp3(chunks: Iterable[np.ndarray], sample_rate: int, dest: Path, bitrate: str, out_rate: int | None,
                tee: Path | None = None) -> None:
    """Encode int16 chunks to an MP3 as they come (the encoder runs while we master); `tee` gets a copy of the PCM.

    In our own process with LAME (see narrator/lame.py: no 51 MB ffmpeg per chapter); through ffmpeg where the
    library is missing or the rate changes (ACX's 44.1 kHz is resampled with ffmpeg's soxr resampler).
    """
    lib = lame.load()
    if lib is None or (out_rate and out_rate != sample_rate):
        _encode_mp3_ffmpeg(chunks, sample_rate, dest, bitrate, out_rate, tee)
        return
    with open(dest, "wb") as out, contextlib.ExitStack() as stack:
        chunks = stack.enter_context(contextlib.closing(_ahead(chunks)))
        if tee is not None:
            chunks = _copied(chunks, stack.enter_context(open(tee, "wb")))
        try:
            lame.encode(lib, chunks, sample_rate, int(bitrate.rstrip("k")), out)
        except lame.LameError as exc:
            raise OutputError(f"could not encode {dest.name}: {exc}.") from None


def _ahead(chunks: Iterable[np.ndarray], depth: int = 2) -> Iterator[np.ndarray]:
    """Yield `chunks`, made in a thread of their own up to `depth` ahead of the caller.

    When ffmpeg encoded in its own process, the next chunk was mastered while ffmpeg encoded this one. LAME runs
    in the caller's thread, so a producer thread keeps that overlap; both release the GIL for their heavy parts
    (numpy, and LAME's ctypes call). An error while mastering (including the build's stop) is raised here.
    """
    ready: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()
    end = object()

    def hand_over(item: object) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        source = iter(chunks)
        try:
            for chunk in source:
                if not hand_over(chunk):
                    return
            hand_over(end)
        except BaseException as exc:  # handed to the caller, who raises it
            hand_over(exc)
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    worker = threading.Thread(target=produce, name="master-ahead", daemon=True)
    worker.start()
    try:
        while (item := ready.get()) is not end:
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()


def _copied(chunks: Iterable[np.ndarray], copy: BinaryIO) -> Iterator[np.ndarray]:
    for chunk in chunks:
        pcm = np.ascontiguousarray(chunk, dtype=np.int16)
        copy.write(pcm.data)
        yield pcm


def _encode_mp3_ffmpeg(chunks: Iterable[np.ndarray], sample_rate: int, dest: Path, bitrate: str,
                       out_rate: int | None, tee: Path | None = None) -> None:
    """Encode int16 chunks to an MP3 with ffmpeg, feeding its stdin as they come."""
    cmd = [require_ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-f", "s16le", "-ar", str(sample_rate),
           "-ac", "1", "-i", "pipe:0"]
    if out_rate and out_rate != sample_rate:
        cmd += ["-af", f"aresample={out_rate}:resampler=soxr", "-ar", str(out_rate)]
    cmd += ["-c:a", "libmp3lame", "-b:a", bitrate, "-f", "mp3", str(dest)]
    with tempfile.TemporaryFile() as errors, contextlib.ExitStack() as stack:
        copy = stack.enter_context(open(tee, "wb")) if tee is not None else None
        # ffmpeg's messages go to a file, not a pipe: a pipe nobody reads could fill and stall it.
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors)
        assert proc.stdin is not None
        try:
            try:
                for chunk in chunks:
                    data = np.ascontiguousarray(chunk, dtype=np.int16).data
                    proc.stdin.write(data)
                    if copy is not None:
                        copy.write(data)
            except BrokenPipeError:
                pass  # ffmpeg stopped reading: its exit status and message say why
            finally:
                with contextlib.suppress(BrokenPipeError):
                    proc.stdin.close()
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        code = proc.wait()
        errors.seek(0)
        _check(code, errors.read(), dest)


def _check(code: int, stderr: bytes, dest: Path) -> None:
    if code != 0:
        msg = stderr.decode("utf-8", "replace").strip().splitlines()
        if any("No space left" in m for m in msg):
            raise OSError(28, "No space left on device")
        raise OutputError(f"ffmpeg could not write {dest.name}: {msg[-1] if msg else 'exit ' + str(code)}.")


def _run(cmd: list[str], dest: Path, data: bytes | None = None) -> None:
    proc = subprocess.run(cmd, input=data, capture_output=True, check=False)
    _check(proc.returncode, proc.stderr, dest)


def write_bytes_atomically(dest: Path, data: bytes) -> None:
    """Write `data` to dest by way of a temporary file, as every output file is: never a torn file under its name."""
    _atomic(dest, lambda tmp: tmp.write_bytes(data))


def _atomic(dest: Path, make: Callable[[Path], object]) -> None:
    """Run `make(tmp)` and rename tmp to dest; on any failure nothing is left at dest or tmp."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.stem}.{os.getpid()}.part{dest.suffix}")
    try:
        make(tmp)
        os.replace(tmp, dest)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.errno == 28:
            raise OutputError(f"the disk is full while writing {dest}; free some space and run the build again "
                              "(finished chapters are kept).") from None
        raise OutputError(f"cannot write {dest}: {exc.strerror or exc}. Check the output folder's permissions.") from None
    except OutputError as exc:
        tmp.unlink(missing_ok=True)
        # An encoder names the file it was given, our hidden temporary one: say the chapter's own name.
        raise OutputError(str(exc).replace(tmp.name, dest.name)) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _ffesc(text: str) -> str:
    for ch in ("\\", "=", ";", "#", "\n"):
        text = text.replace(ch, "\\" + ch)
    return text
