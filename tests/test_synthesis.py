"""synthesize: what reaches the engine for a long line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from narrator.engines import ENGINES
from narrator.models import Voice
from narrator.synthesis import _Task, _Worker

from . import fault_engines


def test_synthesis_long_line_every_word_in_exactly_one_engine_call(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(ENGINES, "recording", "tests.fault_engines:RecordingEngine")
    fault_engines.CALLS.clear()
    # A 60-sentence paragraph with numbered words, so a lost, doubled or reordered word shows.
    speech = " ".join(f"Word{k}a, word{k}b and word{k}c went {'far' if k % 3 else 'very far indeed'}." for k in range(60))
    worker = _Worker("recording", tmp_path / "cache")
    _key, _samples, failure = worker.render(_Task("k", speech, Voice("recording", "narrator"), "chapter 1, line 1"))
    assert failure is None  # (the silent engine's audio is all trimmed away: only the calls matter here)
    calls = fault_engines.CALLS
    assert len(calls) > 1 and all(len(c) <= 400 for c in calls)
    assert all(re.search(r"[.!?]$", c) for c in calls)  # cut at sentence ends
    assert [w for c in calls for w in c.split()] == speech.split()
