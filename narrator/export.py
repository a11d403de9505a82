"""export: encode chapter audio to MP3 (ffmpeg through pydub) and tag it (mutagen, ID3v2.4)."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from mutagen.id3 import APIC, COMM, ID3, TALB, TCOM, TCON, TIT2, TPE1, TPE2, TRCK, TXXX, PictureType
from mutagen.mp3 import MP3

from narrator.errors import OutputError, ToolMissingError

DIGEST_TAG = "narrator digest"
MP3_BITRATE = "64k"
# -3 dBFS sample-peak ceiling after levelling; attack/release short enough for speech transients.
LIMITER = "alimiter=limit=0.708:attack=5:release=50:level=disabled"


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


def require_ffmpeg() -> str:
    """Path of ffmpeg, or a ToolMissingError that says how to install it."""
    path = shutil.which("ffmpeg")
    if path is None:
        raise ToolMissingError("ffmpeg is not installed: install it with `sudo apt-get install ffmpeg` (or run `make demo`).")
    return path


def file_digest(path: Path) -> str | None:
    """The build digest stored in a finished chapter file, or None."""
    try:
        tags = ID3(path)
    except Exception:
        return None
    frames = tags.getall(f"TXXX:{DIGEST_TAG}")
    return str(frames[0].text[0]) if frames else None


def write_mp3(audio, dest: Path, tags: Tags, digest: str, bitrate: str = MP3_BITRATE) -> None:  # type: ignore[no-untyped-def]
    """Encode `audio` (a pydub AudioSegment) to `dest` atomically: a temporary name, tagged, then renamed."""
    require_ffmpeg()
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.stem}.{os.getpid()}.part.mp3")
    try:
        handle = audio.export(str(tmp), format="mp3", bitrate=bitrate, parameters=["-af", LIMITER])
        handle.close()
        tag_mp3(tmp, tags, digest)
        os.replace(tmp, dest)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.errno == 28:
            raise OutputError(f"the disk is full while writing {dest}; free some space and run the build again "
                              "(finished chapters are kept).") from None
        raise OutputError(f"cannot write {dest}: {exc.strerror or exc}. Check the output folder's permissions.") from None
    except Exception:
        tmp.unlink(missing_ok=True)
        raise


def tag_mp3(path: Path, tags: Tags, digest: str) -> None:
    """Write ID3v2.4 tags: title, album, author, track n/N, genre, description, cover, build digest."""
    mp3 = MP3(path)
    if mp3.tags is None:
        mp3.add_tags()
    t = mp3.tags
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
    t.add(TXXX(encoding=3, desc=DIGEST_TAG, text=digest))
    mp3.save(v2_version=4)
