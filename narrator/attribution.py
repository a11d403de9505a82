"""attribute: decide who speaks each dialogue segment, with evidence and confidence. PLACEHOLDER."""

from __future__ import annotations

from collections.abc import Sequence

from narrator.models import Character, Line, Segment


def attribute(segments: Sequence[Segment], characters: Sequence[Character]) -> list[Line]:
    """One Line per segment: narration goes to the narrator; dialogue to a character or unknown."""
    return [
        Line(s, None, "narration", 1.0) if s.kind == "narration" else Line(s, None, "unknown", 0.0)
        for s in segments
    ]
