"""Fixtures for the edit-loop tests: a small story and a stand-in attribution with known answers.

Attribution is being rewritten elsewhere; these tests are about casting, caching and rebuilding,
so they attribute the fixture story with a rule whose answers are known: a quotation belongs to
the character named in the narration of the same paragraph.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from narrator.models import Character, Line, Segment, Story

STORY = Path(__file__).parent / "fixtures" / "editloop.txt"
PEOPLE = {"Mira": "female", "Tobin": "male", "Pip": "unknown"}


def find_characters(story: Story, segments: Sequence[Segment]) -> list[Character]:
    """Every name of PEOPLE the story mentions, with its mention count."""
    found = []
    for name, gender in PEOPLE.items():
        n = story.text.count(name)
        if n:
            found.append(Character(name, (), gender, n))  # type: ignore[arg-type]
    return sorted(found, key=lambda c: -c.mentions)


def attribute(segments: Sequence[Segment], characters: Sequence[Character]) -> list[Line]:
    """A quotation goes to the character named (by name or alias) in its paragraph's narration, else unknown."""
    names = [(name, c.name) for c in characters for name in (c.name, *c.aliases)]
    out = []
    for s in segments:
        if s.kind == "narration":
            out.append(Line(s, None, "narration", 1.0))
            continue
        around = " ".join(t.text for t in segments if t.chapter == s.chapter and t.paragraph == s.paragraph
                          and t.kind == "narration")
        who = next((canonical for name, canonical in names if name in around), None)
        out.append(Line(s, who, "explicit" if who else "unknown", 0.9 if who else 0.0))
    return out


def use_fixture_attribution(monkeypatch, people: dict[str, str] | None = None) -> None:  # type: ignore[no-untyped-def]
    """Route the pipeline through the stand-in attribution (optionally with another cast of PEOPLE)."""
    import narrator.pipeline as pipeline

    if people is not None:
        monkeypatch.setattr("tests.support_editloop.PEOPLE", people)
    monkeypatch.setattr(pipeline, "find_characters", find_characters)
    monkeypatch.setattr(pipeline, "attribute", attribute)
