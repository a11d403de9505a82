"""Engines that fail on purpose, for the fault tests: the trigger word in a line picks the fault."""

from __future__ import annotations

import os
import signal
import time

from narrator.engines.silent import SilentEngine
from narrator.errors import EngineError
from narrator.models import Audio, Voice

_seen: set[str] = set()


class FlakyEngine(SilentEngine):
    """The silent engine, except on lines holding a trigger word.

    BOOM raises, HANG sleeps (interruptible), WEDGE sleeps with the alarm blocked (like a hang inside C code),
    CRASH kills the process, MUTE returns no audio, ONCE fails only the first time a process sees the line.
    """

    name = "flaky"

    def version(self) -> str:
        return "flaky-1"

    def palette(self, gender):  # type: ignore[no-untyped-def]
        return [Voice("flaky", v.id) for v in super().palette(gender)]

    def narrator_voice(self) -> Voice:
        return Voice("flaky", "narrator")

    def unknown_voice(self) -> Voice:
        return Voice("flaky", "unknown")

    def synthesize(self, text: str, voice: Voice) -> Audio:
        # Normalisation may change the case of a shouted word, so triggers match in any case.
        said = text.upper()
        if "BOOM" in said:
            raise RuntimeError("synthetic engine fault")
        if "HANG" in said:
            time.sleep(3600)
        if "WEDGE" in said:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            time.sleep(3600)
        if "CRASH" in said:
            os._exit(70)
        if "MUTE" in said:
            return Audio(b"", self.sample_rate)
        if "ONCE" in said and text not in _seen:
            _seen.add(text)
            raise EngineError("transient failure")
        audio = super().synthesize(text, voice)
        return audio


CALLS: list[str] = []


class RecordingEngine(SilentEngine):
    """The silent engine, remembering the text of every call (for the engine-input-limit test)."""

    name = "recording"

    def synthesize(self, text: str, voice: Voice) -> Audio:
        CALLS.append(text)
        return super().synthesize(text, voice)
