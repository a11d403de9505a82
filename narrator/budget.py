"""A memory budget for chapter encodes: concurrent chapters only while their audio fits, so peak memory is bounded."""

from __future__ import annotations

import threading
from collections.abc import Iterator
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
