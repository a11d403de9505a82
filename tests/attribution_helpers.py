"""Helpers for the attribution tests: build a story from text and run the three stages."""

from __future__ import annotations

from pathlib import Path

from narrator.attribution import attribute
from narrator.chapters import split_chapters
from narrator.characters import find_characters
from narrator.dialogue import split_dialogue
from narrator.models import Character, Line, Segment, Story

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "attribution"


def story_of(text: str) -> Story:
    """A Story over `text` with no header."""
    return Story(title="Test", author=None, description=None, text=text)


def segments_of(text: str) -> tuple[Story, list[Segment]]:
    """The story and its segments, through the real chapter splitter."""
    story = story_of(text)
    segs = [s for ch in split_chapters(story) for s in split_dialogue(story, ch)]
    return story, segs


def lines_of(text: str, characters: list[Character] | None = None) -> list[Line]:
    """Attributed lines of `text`, with discovered characters unless some are given."""
    story, segs = segments_of(text)
    chars = find_characters(story, segs) if characters is None else characters
    return attribute(segs, chars)


def speech(lines: list[Line]) -> list[tuple[str, str | None]]:
    """(text, speaker) of the dialogue lines."""
    return [(ln.segment.text, ln.speaker) for ln in lines if ln.segment.kind == "dialogue"]
