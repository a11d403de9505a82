"""The segment cache: rendered audio stored by a hash of everything that shapes it.

Each entry is a small header (magic, sample rate, sample count, CRC-32, mean square) followed by
raw 16-bit PCM. The CRC makes a truncated or corrupt entry look missing, so it is rendered again
instead of played; entries are written to a temporary name and renamed, so a kill never leaves a
half-written entry under a real key.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import struct
import time
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from narrator.errors import InputError
from narrator.models import Voice

_MAGIC = b"NRC1"
_HEADER = struct.Struct("<4sIIId")
# Bump when trimming or rendering changes in a way that changes cached audio.
RENDER_VERSION = "1"
# 22.05 kHz 16-bit mono is about 160 MB per hour of speech, so 4 GB holds some 25 hours.
DEFAULT_MAX_BYTES = 4_000_000_000
MAX_SIZE_ENV = "NARRATOR_CACHE_MAX"
_UNITS = {"": 1, "B": 1, "K": 10**3, "KB": 10**3, "M": 10**6, "MB": 10**6, "G": 10**9, "GB": 10**9,
          "T": 10**12, "TB": 10**12}


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
        _touch(path)
        return Entry(pcm, rate, ms, n)

    def put(self, key: str, pcm: bytes | memoryview, sample_rate: int, mean_square: float) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            with open(tmp, "wb") as f:
                f.write(_HEADER.pack(_MAGIC, sample_rate, len(pcm) // 2, zlib.crc32(pcm), mean_square))
                f.write(pcm)
            os.replace(tmp, path)
        except BaseException:
            # A full disk: the half-written entry would hold the very space the user is told to free (a build
            # stopped on a full disk left one per worker and in-flight line until the next build cleared them).
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            raise

    def size_bytes(self) -> int:
        """Bytes held by entries (temporary files included)."""
        return sum(size for _, size, _ in _entries([self.root]))

    def touch(self, keys: Iterable[str]) -> None:
        """Mark entries as just used, so pruning keeps them longest."""
        for key in keys:
            _touch(self.path(key))

    def prune(self, max_bytes: int, keep: Iterable[str] = ()) -> Pruned:
        """Remove least recently used entries until the cache fits in max_bytes; `keep` is never removed."""
        return prune([self.root], max_bytes, keep)


    @staticmethod
    def _drop(path: Path) -> None:
        with contextlib.suppress(OSError):
            path.unlink()
        return None


@dataclass(frozen=True)
class Pruned:
    """What a prune did."""

    removed: int
    freed_bytes: int
    kept_bytes: int


def prune(roots: Sequence[Path], max_bytes: int, keep: Iterable[str] = ()) -> Pruned:
    """Remove least recently used entries across cache folders until together they fit in max_bytes."""
    protected = {f"{k}.pcm" for k in keep}
    entries = _entries(roots)
    total = sum(size for _, size, _ in entries)
    removed = freed = 0
    stale = time.time() - 3600
    # Oldest use first; a temporary file left by a killed writer goes first once it is an hour old.
    for path, size, used in sorted(entries, key=lambda e: (not e[0].name.endswith(".tmp"), e[2])):
        is_tmp = path.name.endswith(".tmp")
        if (is_tmp and used < stale) or (not is_tmp and total > max_bytes and path.name not in protected):
            try:
                path.unlink()
            except OSError:
                continue
            total, freed, removed = total - size, freed + size, removed + 1
    for root in roots:
        for folder in root.glob("??") if root.is_dir() else ():
            with contextlib.suppress(OSError):
                folder.rmdir()  # only succeeds when empty
    return Pruned(removed, freed, total)


def max_cache_bytes(text: str | None = None) -> int:
    """The cache bound: `text` (e.g. "2G", "500MB"), else $NARRATOR_CACHE_MAX, else 4 GB."""
    source = text if text is not None else os.environ.get(MAX_SIZE_ENV)
    if source is None or not source.strip():
        return DEFAULT_MAX_BYTES
    return parse_size(source, "--max-size" if text is not None else MAX_SIZE_ENV)


def parse_size(text: str, what: str = "size") -> int:
    """Bytes from "4G", "500 MB", "1.5GB" or a plain number of bytes (decimal units)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    unit = m.group(2).upper() if m else ""
    if m is None or unit not in _UNITS:
        raise InputError(f"{what}: {text!r} is not a size; write it like 4G, 500MB or 1.5GB.")
    return int(float(m.group(1)) * _UNITS[unit])


# What narrator itself writes in a cache folder. `narrator clean -o DIR` looks in DIR/*/.cache: given the
# wrong DIR (a home folder), that can be some other program's cache, of which nothing may be touched.
_SHARD = re.compile(r"[0-9a-f]{2}|masters")  # masters/: a chapter's mastered PCM, kept for the M4B
_OWN_ENTRY = re.compile(r"\.?[\w-]+(?:\.pcm(?:\.\d+\.tmp)?|\.\d+\.part\.pcm)")
PREVIEW_FILE = "preview.wav"  # `narrator preview` without -o: throwaway audio, so it lives (and is cleaned) here
_OWN_ROOT_FILE = re.compile(r"failed\.txt|\.failed\.txt\.\d+\.tmp|\.rendering\.\d+|preview\.wav|\.preview\.\d+\.part\.wav")


def clear(root: Path) -> int:
    """Delete the segment audio narrator wrote under `root` and nothing else; returns the bytes freed."""
    freed = 0
    paths = [p for p in root.iterdir() if _OWN_ROOT_FILE.fullmatch(p.name)] if root.is_dir() else []
    paths += [p for p, _, _ in _entries([root])]
    for path in paths:
        with contextlib.suppress(OSError):
            size = path.stat().st_size
            path.unlink()
            freed += size
    # Only our own folders, and only when empty: another program's empty folder (or an empty .cache that
    # narrator never wrote in) is not ours to remove.
    shards = [f for f in root.iterdir() if _SHARD.fullmatch(f.name) and f.is_dir()] if root.is_dir() else []
    for folder in [*shards, *([root] if paths or shards else [])]:
        with contextlib.suppress(OSError):
            folder.rmdir()  # only succeeds when empty: anything else in it stays
    return freed


def _entries(roots: Sequence[Path]) -> list[tuple[Path, int, float]]:
    found = []
    for root in roots:
        if not root.is_dir():
            continue
        for folder in root.iterdir():
            if not folder.is_dir() or not _SHARD.fullmatch(folder.name):
                continue
            for path in folder.iterdir():
                if _OWN_ENTRY.fullmatch(path.name):
                    try:
                        st = path.stat()
                    except OSError:
                        continue
                    found.append((path, st.st_size, st.st_mtime))
    return found


def _touch(path: Path) -> None:
    # The modification time records the last use: access times are unreliable (noatime, relatime mounts).
    with contextlib.suppress(OSError):
        os.utime(path)
