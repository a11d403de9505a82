"""Memory: a budget for concurrent chapter encodes (peak memory bounded), and handing freed memory back."""

from __future__ import annotations

import ctypes
import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# Chapters are streamed; what an encode holds is mastering's block figures (mastering.memory_per_sample, ~0.3
# bytes per sample: ~11 MB for a 26-minute chapter at 22.05 kHz). 96 MB of them in flight bounds a book of very long chapters.
DEFAULT_BUDGET = 96 * 1024 * 1024


class Budget:
    """Admit work by size: waits while the admitted total would exceed the limit; a job bigger than it runs alone."""

    def __init__(self, limit: int = DEFAULT_BUDGET) -> None:
        self.limit = limit
        self.used = 0
        self._cond = threading.Condition()

    @contextmanager
    def hold(self, size: int) -> Iterator[None]:
        """Block until `size` bytes fit (or nothing else is running), then hold them until the block ends."""
        with self._cond:
            self._cond.wait_for(lambda: self.used == 0 or self.used + size <= self.limit)
            self.used += size
        try:
            yield
        finally:
            with self._cond:
                self.used -= size
                self._cond.notify_all()


def give_back() -> None:
    """Hand memory that was freed back to the system (glibc's malloc_trim); a no-op where there is none.

    numpy's large buffers (a long line in a worker, a chapter's block figures in the main process) are freed
    to malloc, which keeps the pages for reuse, in one arena per thread: without this a process's RSS stays at
    the high-water mark of its biggest line or chapter for the rest of the build, so it grows with book length.
    """
    trim = _libc("malloc_trim")
    if trim is not None:
        trim(0)


def map_large_buffers(threshold: int = 1 << 20) -> None:
    """Give every allocation of `threshold` bytes or more a mapping of its own, unmapped as soon as it is freed.

    glibc does that from 128 kB, but raises the threshold to the size of each such buffer freed, so after the
    first chapter or long line every chapter-sized array comes from the heap and stays there once freed
    (measured on the 10k-word book: main process peak 97 -> 82 MB). A fixed threshold also turns that
    adjustment off. 1 MB keeps the per-chunk buffers (< 1 MB, reused chunk after chunk) on the heap, where
    they cost no page faults. Fixing it also fixes the heap's trim threshold at its 128 kB default, so the heap
    would shrink and grow again on every chunk (measured: mastering a 26-minute chapter 1.1 -> 1.5 CPU s): up
    to 4 MB of free heap stays mapped instead, and give_back() returns it after each chapter.
    """
    mallopt = _libc("mallopt")
    if mallopt is not None:
        mallopt(_M_MMAP_THRESHOLD, threshold)
        mallopt(_M_TRIM_THRESHOLD, 4 << 20)


_M_TRIM_THRESHOLD = -1  # glibc's malloc.h
_M_MMAP_THRESHOLD = -3


@functools.cache
def _libc(name: str) -> Callable[[int], int] | Callable[[int, int], int] | None:
    try:
        return getattr(ctypes.CDLL(None), name)  # type: ignore[no-any-return]
    except (OSError, AttributeError, TypeError):  # not glibc (macOS, musl, Windows)
        return None
