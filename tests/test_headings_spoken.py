"""Chapter headings as a listener hears and reads them: no decorations, the label and the title as two sentences."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrator.assemble import Timed
from narrator.captions import transcript, webvtt
from narrator.casting import Casting, cast
from narrator.chapters import split_chapters, spoken_title
from narrator.cli import app
from narrator.dialogue import split_dialogue
from narrator.models import Clip, Cue, Line, Story, Voice

from .conftest import SAMPLE


@pytest.mark.parametrize(("title", "said"), [
    ("Chapter One: The Unlit Street", "Chapter One. The Unlit Street."),
    ("Chapter 3", "Chapter 3."),
    ("Prologue", "Prologue."),
    ('Chapter 12: "Hello!"', 'Chapter 12. "Hello!"'),
    ("Chapter 4: Who Goes There?", "Chapter 4. Who Goes There?"),
    ("Part 2: The Road: Again", "Part 2. The Road. Again."),
    ("Volume I, Chapter I", "Volume I, Chapter I."),
    ("The Long Night...", "The Long Night..."),
])
def test_headings_spoken_title_is_sentences(title: str, said: str) -> None:
    assert spoken_title(title) == said


# The decorations fan-fiction exports put around headings (DESIGN.md, formats), each over a two-line story.
@pytest.mark.parametrize(("heading", "said"), [
    ("\t— Chapter One —\n\t--- The Unlit Street ---", "Chapter One. The Unlit Street."),
    ("~~~ Chapter 1 ~~~", "Chapter one."),
    ("*** Chapter 2: The Fall ***", "Chapter two. The Fall."),
    ("=== CHAPTER III. ===", "Chapter three."),
    ("CHAPTER IV. THE STORM", "Chapter four. The Storm."),
    ("**Chapter 5: Bold Moves**", "Chapter five. Bold Moves."),
    ("Chapter 6:", "Chapter six."),
    ("# Chapter 7", "Chapter seven."),
    ("Part 1. Some title", "Part one. Some title."),
])
def test_headings_are_spoken_without_decorations(heading: str, said: str) -> None:
    text = f"{heading}\n\nThe rain came down.\n\n\"Run,\" said Ann.\n"
    story = Story(title="Test", author=None, description=None, text=text)
    chapters = split_chapters(story)
    segs = [s for ch in chapters for s in split_dialogue(story, ch)]
    lines = [Line(s, None, "narration", 1.0) for s in segs if s.heading]
    casting = Casting(Voice("silent", "n"), Voice("silent", "u"), {})
    (cue,) = cast(lines, casting, chapters)
    assert cue.speech == said
    assert cue.shown == spoken_title(chapters[0].title)  # what captions and the transcript show


def test_headings_captions_show_the_title_not_the_decorated_line() -> None:
    text = "\t— Chapter One —\n\t--- The Unlit Street ---"
    from narrator.models import Segment

    seg = Segment(1, 0, 0, -1, 0, len(text), "narration", text, heading=True)
    cue = Cue(Line(seg, None, "narration", 1.0), Voice("silent", "n"), "Chapter One. The Unlit Street.",
              shown="Chapter One. The Unlit Street.")
    t = Timed(Clip(cue, "k", 10, 22050), 0, 10)
    assert transcript([t]) == "Chapter One. The Unlit Street."
    assert "<v Narrator>Chapter One. The Unlit Street.\n" in webvtt([t], 22050)


def test_headings_script_shows_the_heading_as_announced() -> None:
    out = CliRunner().invoke(app, ["script", str(SAMPLE)]).stdout
    first = out.splitlines()[0]
    assert first.split("(narrator)")[1].strip() == "Chapter One. The Unlit Street."
    jsonl = CliRunner().invoke(app, ["script", str(SAMPLE), "-f", "jsonl"]).stdout
    assert '"text": "— Chapter One —\\n\\t--- The Unlit Street ---"' in jsonl.splitlines()[0]  # spans stay the source's


def test_headings_a_decorated_epub_heading_gives_a_clean_title(tmp_path: Path) -> None:
    # An EPUB's own chapter headings (the reader's hints) carry the same decorations as a text export: the
    # title tags the MP3, names its file and marks the M4B chapter, so "~~~" and "***" must not reach them.
    from narrator.reader import read_story

    from ._epub import Page, write_epub

    pages = [Page("c1.xhtml", "One", '<h2>~~~ Chapter 1: The Gate ~~~</h2><p>The gate was shut.</p><p>"Who?" asked Ben.</p>'),
             Page("c2.xhtml", "Two", "<h2>*** CHAPTER II. THE YARD ***</h2><p>The yard was empty.</p>"),
             Page("c3.xhtml", "Three", "<h2>**The Well**</h2><p>The well was dry.</p>")]
    book = write_epub(tmp_path / "gate.epub", title="The Gate", pages=pages,
                      toc=[("c1.xhtml", "~~~ Chapter 1: The Gate ~~~"), ("c2.xhtml", "*** CHAPTER II. THE YARD ***"),
                           ("c3.xhtml", "**The Well**")])
    chapters = split_chapters(read_story(book))
    assert [c.title for c in chapters] == ["Chapter 1: The Gate", "Chapter II: The Yard", "The Well"]


def test_headings_a_title_that_asks_is_still_a_heading() -> None:
    # "Chapter 1: Who Goes There?" was no heading (a "?" ended it), so the reader took it for the story's title
    # and the chapter under it for the blurb: the first chapter was never read.
    text = ('Chapter 1: Who Goes There?\n\nThe rain came down.\n\n"Run," said Ann.\n\n'
            "Chapter 2: Home\n\nShe ran.\n")
    import tempfile

    from narrator.reader import read_story

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "asks.txt"
        path.write_text(text, encoding="utf-8")
        chapters = split_chapters(read_story(path))
    assert [c.title for c in chapters] == ["Chapter 1: Who Goes There?", "Chapter 2: Home"]
    # ... while a line that reads as a sentence stays one.
    story = Story(title="T", author=None, description=None, text="The rain came.\n\nPart 2 - or was it?\n\nIt was.\n")
    assert [c.title for c in split_chapters(story)] == ["T"]
