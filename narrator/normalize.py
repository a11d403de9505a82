"""Text for speech: what the engine is given, never what the story stores. PLACEHOLDER for wiring."""

from __future__ import annotations

import re
from collections.abc import Mapping

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def to_speech(text: str, lexicon: Mapping[str, str] | None = None) -> str:
    """The text as an engine should receive it (numbers, abbreviations, symbols spelled out)."""
    return " ".join(_CONTROL.sub(" ", text).split())


def split_for_engine(text: str, max_chars: int = 400) -> list[str]:
    """Cut text at sentence boundaries into pieces no longer than max_chars (every word kept)."""
    return [text] if text else []
