"""Speech engines, registered by name. An engine is created once per worker process and reused."""

from __future__ import annotations

import importlib
from typing import Protocol

from narrator.errors import EngineError
from narrator.models import Audio, Gender, Voice, VoiceInfo

DEFAULT_ENGINE = "pyttsx3"

# name -> "module:Class"; imported only when asked for, so optional engines cost nothing until used.
ENGINES: dict[str, str] = {
    "pyttsx3": "narrator.engines.espeak:Pyttsx3Engine",
    "piper": "narrator.engines.piper:PiperEngine",
    "silent": "narrator.engines.silent:SilentEngine",
}


class Engine(Protocol):
    """What every engine provides."""

    name: str
    sample_rate: int

    def version(self) -> str:
        """Identifies the engine build; part of every cache key."""
        ...

    def voices(self) -> list[VoiceInfo]:
        """Every voice this engine can speak with."""
        ...

    def has_voice(self, voice_id: str) -> bool:
        """True when `voice_id` names a voice this engine can load."""
        ...

    def palette(self, gender: Gender) -> list[Voice]:
        """Voices for automatic casting, most distinct first (the narrator's voice excluded)."""
        ...

    def narrator_voice(self) -> Voice:
        """The default narrator voice."""
        ...

    def unknown_voice(self) -> Voice:
        """The voice for lines whose speaker is unknown: recognisably not the narrator."""
        ...

    def synthesize(self, text: str, voice: Voice) -> Audio:
        """Speak `text` in `voice`: mono 16-bit PCM at `sample_rate`."""
        ...


def engine_names() -> list[str]:
    """Names of every registered engine."""
    return sorted(ENGINES)


def get_engine(name: str) -> Engine:
    """A new engine instance by name; an unknown name lists the known ones."""
    target = ENGINES.get(name)
    if target is None:
        raise EngineError(f"unknown engine {name!r}: choose one of {', '.join(engine_names())}.")
    module_name, class_name = target.split(":")
    module = importlib.import_module(module_name)
    engine: Engine = getattr(module, class_name)()
    return engine
