"""The segment cache: rendered audio stored by a hash of everything that shapes it.

Each entry is a small header (magic, sample rate, sample count, CRC-32, mean square) followed by
raw 16-bit PCM. The CRC makes a truncated or corrupt entry look missing, so it is rendered again
instead of played; entries are written to a temporary name and renamed, so a kill never leaves a
half-written entry under a real key.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from narrator.models import Voice

_MAGIC = b"NRC1"
_HEADER = struct.Struct("<4sIIId")
# Bump when trimming or rendering changes in a way that changes cached audio.
RENDER_VERSION = "1"


@dataclass(frozen=True)
class Entry:
    pcm: bytes
    sample_rate: int
    mean_square: float
    """Mean square of the samples (0..1 scale), for levelling without decoding again."""
    samples: int


def cache_key(speech: str, voice: Voice, engine_version: str) -> str:
    """Content hash of the text, engine, engine version and every voice setting."""
    payload = json.dumps([RENDER_VERSION, speech, voice.engine, engine_version, voice.id, voice.rate, voice.pitch,
                          voice.volume, [list(o) for o in voice.options]], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class ClipCache:
    """A folder of rendered segments, keyed by cache_key."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.pcm"

    def has(self, key: str) -> bool:
        return self.get(key, verify=False) is not None

    def get(self, key: str, verify: bool = True) -> Entry | None:
        """The entry, or None when it is missing or damaged (a damaged one is removed)."""
        path = self.path(key)
        try:
            with open(path, "rb") as f:
                header = f.read(_HEADER.size)
                if not verify:
                    magic, rate, n, _crc, ms = _HEADER.unpack(header)
                    ok = magic == _MAGIC and path.stat().st_size == _HEADER.size + 2 * n
                    return Entry(b"", rate, ms, n) if ok else self._drop(path)
                pcm = f.read()
        except (OSError, struct.error):
            return None
        try:
            magic, rate, n, crc, ms = _HEADER.unpack(header)
        except struct.error:
            return self._drop(path)
        if magic != _MAGIC or len(pcm) != 2 * n or zlib.crc32(pcm) != crc:
            return self._drop(path)
        return Entry(pcm, rate, ms, n)

    def put(self, key: str, pcm: bytes, sample_rate: int, mean_square: float) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            f.write(_HEADER.pack(_MAGIC, sample_rate, len(pcm) // 2, zlib.crc32(pcm), mean_square))
            f.write(pcm)
        os.replace(tmp, path)

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.root.rglob("*.pcm")) if self.root.exists() else 0

    @staticmethod
    def _drop(path: Path) -> None:
        try:
            path.unlink()
        except OSError:
            pass
        return None
