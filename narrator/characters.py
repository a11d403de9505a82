"""find_characters: discover who is in the story (names, aliases, gender). PLACEHOLDER for wiring."""

from __future__ import annotations

from collections.abc import Sequence

from narrator.models import Character, Segment, Story


def find_characters(story: Story, segments: Sequence[Segment]) -> list[Character]:
    """Characters named in the story, most salient first."""
    return []
