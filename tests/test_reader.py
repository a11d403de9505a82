"""read_story and split_chapters on the fan-fiction export formats of DESIGN.md."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from narrator.chapters import split_chapters
from narrator.errors import InputError
from narrator.models import Chapter, Story
from narrator.reader import read_story

from .conftest import SAMPLE


def _story(tmp_path: Path, text: str, name: str = "story.txt", encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def _read_aloud(story: Story, chapters: Sequence[Chapter]) -> str:
    """Every paragraph the build would read from these chapters (author's notes are not among them)."""
    return " ".join(story.text[p.start:p.end] for ch in chapters for p in ch.paragraphs)


def _first_chapter_read_aloud(tmp_path: Path, text: str) -> tuple[Chapter, str]:
    """The first chapter of this story text, and what the build would read aloud from it."""
    story = read_story(_story(tmp_path, text))
    first = split_chapters(story)[0]
    return first, _read_aloud(story, [first])


def _titles(path: Path, **kw) -> list[str]:
    return [c.title for c in split_chapters(read_story(path), **kw)]


BODY = 'Mara walked in.\n\n"Hello," she said.\n\n'


@pytest.mark.parametrize(
    ("heading", "title"),
    [
        ("Chapter 3", "Chapter 3"),
        ("Chapter 3: The Mill", "Chapter 3: The Mill"),
        ("CHAPTER III.", "Chapter III"),
        ("\t— Chapter Thirty-Five —\n\t--- Some Subtitle ---", "Chapter Thirty-Five: Some Subtitle"),
        ("Part 1. Some title", "Part 1: Some title"),
        ("# The Beginning", "The Beginning"),
        ("Prologue", "Prologue"),
        ("Epilogue: After", "Epilogue: After"),
        # Emphasis markers are not part of the title a player shows (the closing one was cut, the opening kept).
        ("Chapter 2: Into the *Dark*", "Chapter 2: Into the Dark"),
        ("Chapter 4: _The_ Mill", "Chapter 4: The Mill"),
    ],
)
def test_reader_heading_forms(tmp_path: Path, heading: str, title: str) -> None:
    path = _story(tmp_path, f"{heading}\n\n{BODY}Chapter 99\n\n{BODY}")
    titles = _titles(path)
    assert titles[0] == title
    assert titles[1] == "Chapter 99"


def test_reader_header_title_author_description(tmp_path: Path) -> None:
    text = "My Story - Some Author\n\n\tDescription\nA blurb about things.\n\nChapter 1\n\n" + BODY
    story = read_story(_story(tmp_path, text))
    assert (story.title, story.author, story.description) == ("My Story", "Some Author", "A blurb about things.")
    assert "blurb" not in " ".join(story.text[p.start : p.end] for c in split_chapters(story) for p in c.paragraphs)


def test_reader_no_headings_is_one_chapter_named_after_story(tmp_path: Path) -> None:
    path = _story(tmp_path, BODY * 3, name="the_quiet_road.txt")
    chapters = split_chapters(read_story(path))
    assert len(chapters) == 1 and chapters[0].title == "The quiet road"


def test_reader_author_notes_skipped_by_default_and_included_on_request(tmp_path: Path) -> None:
    text = ("Chapter 1\n\n\tAuthor's Notes:\nThanks for reading!\n\n* * *\n\n" + BODY +
            "\tAuthor's Notes:\nPlease review.\n\nChapter 2\n\n" + BODY)
    story = read_story(_story(tmp_path, text))
    plain = split_chapters(story)
    spoken = " ".join(story.text[p.start : p.end] for p in plain[0].paragraphs)
    assert "Thanks" not in spoken and "review" not in spoken and "Mara walked in." in spoken
    assert len(plain[0].notes) == 2
    with_notes = split_chapters(story, include_notes=True)
    note_text = " ".join(story.text[p.start : p.end] for s in with_notes[0].scenes if s.note for p in s.paragraphs)
    assert "Thanks for reading!" in note_text and "Please review." in note_text


def test_reader_both_paragraph_conventions(tmp_path: Path) -> None:
    per_line = "Chapter 1\n" + "\n".join(f"Paragraph {i} is a line of its own that runs on for a while, unwrapped and long enough." * 2
                                        for i in range(6)) + "\n"
    wrapped = "Chapter 1\n\n" + "\n\n".join(
        "This paragraph is hard-wrapped the way old e-texts are, at about\nseventy columns, so that one paragraph spans several short lines\nof text before a blank line ends it." for _ in range(4)) + "\n"
    assert len(split_chapters(read_story(_story(tmp_path, per_line, "a.txt")))[0].paragraphs) == 6
    assert len(split_chapters(read_story(_story(tmp_path, wrapped, "b.txt")))[0].paragraphs) == 4


_TALK = [  # one paragraph per line, no blank lines, nearly every line 45-90 characters long
    'Clover set the bird on the bench. "Hold still," she told it.',
    '"I am holding still," said the bird. "You are the one shaking."',
    '"Then we are both shaking," Clover said, and laughed at herself.',
    'The bird clicked its copper beak twice and looked at the door.',
    '"Someone is coming," it said. "Someone with heavy boots."',
    'Clover put down the pliers and wiped her hooves on her apron.',
    '"Hide," she said. "In the drawer with the springs. Quickly now."',
    'The bird hopped into the drawer without another word.',
]


def test_reader_one_paragraph_per_line_dialogue_is_not_taken_for_wrapped_prose(tmp_path: Path) -> None:
    # Short dialogue paragraphs one per line all fall in the 45-90 band of wrapped prose: the whole story was
    # read as one hard-wrapped paragraph, so a quote re-opened on the next line ("Done at last. / "Now fly.")
    # closed the one before it and the narrator read the speech. A wrapper fills each line to its column.
    import textwrap

    story = read_story(_story(tmp_path, "Chapter 1\n" + "\n".join(_TALK) + "\n", "talk.txt"))
    assert [story.text[p.start:p.end] for p in split_chapters(story)[0].paragraphs] == _TALK
    prose = " ".join(line.replace('"', "") for line in _TALK)  # the same words, hard-wrapped at 70 columns
    wrapped = "Chapter 1\n\n" + "\n\n".join(textwrap.fill(prose, 70) for _ in range(3)) + "\n"
    assert len(split_chapters(read_story(_story(tmp_path, wrapped, "wrapped.txt")))[0].paragraphs) == 3

def test_reader_scene_breaks(tmp_path: Path) -> None:
    text = "Chapter 1\n\n" + BODY + "* * *\n\n" + BODY + "~~~\n\n" + BODY + "\n\n\n\n" + BODY
    scenes = split_chapters(read_story(_story(tmp_path, text)))[0].scenes
    assert len(scenes) == 4


def test_reader_bom_crlf_and_offsets_into_decoded_text(tmp_path: Path) -> None:
    text = "Chapter 1\r\n\r\n\"Hi,\" said Mara.\r\n\r\nChapter 2\r\n\r\nShe left.\r\n"
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    story = read_story(path)
    assert story.text == text  # BOM gone, nothing else changed
    para = split_chapters(story)[0].paragraphs[0]
    assert story.text[para.start : para.end] == '"Hi," said Mara.'


def test_reader_cp1252_falls_back_with_warning(tmp_path: Path) -> None:
    path = _story(tmp_path, "Chapter 1\n\n“Café,” she said.\n", encoding="cp1252")
    with pytest.warns(UserWarning, match="Windows-1252"):
        story = read_story(path)
    assert "Café" in story.text


def test_reader_utf8_with_a_stray_windows_byte_keeps_its_curly_quotes(tmp_path: Path) -> None:
    # One cp1252 byte pasted into a UTF-8 story made the whole file Windows-1252: every curly quote became
    # "â€œ", so no line was dialogue and the narrator read the mojibake aloud.
    path = tmp_path / "stray.txt"
    path.write_bytes("Chapter 1\n\n“Hello,” said Ann.\n\n".encode() + "It cost 5 \x80.\n".encode("latin-1")
                     + "“It’s late,” said Ann.\n".encode())
    with pytest.warns(UserWarning, match=r"UTF-8 but for 1 byte \(the first on line 5\)"):
        story = read_story(path)
    assert "“Hello,” said Ann." in story.text and "“It’s late,”" in story.text and "5 €." in story.text
    assert "â€" not in story.text


def test_reader_utf16_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "u16.txt"
    path.write_bytes("Chapter 1\n\nHello there.\n".encode("utf-16"))
    assert "Hello there." in read_story(path).text


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "empty"), (b"   \n\n\t\n", "empty"), (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG image"),
     (bytes(range(256)) * 4, "not a text file")],
)
def test_reader_rejects_unreadable_files(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(InputError, match=message):
        read_story(path)


def test_reader_missing_path_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_story(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="is a folder"):
        read_story(tmp_path)


def test_reader_sample_story_structure() -> None:
    story = read_story(SAMPLE)
    chapters = split_chapters(story)
    assert story.title == "The Lamplighter's Apprentice" and story.author == "Wren Halloway"
    assert [c.title for c in chapters] == ["Chapter One: The Unlit Street", "Chapter 2: Ash and Oil"]
    assert len(chapters[0].scenes) == 2  # the * * * break
    assert len(chapters[0].notes) == 2   # the leading note (before the heading) and the closing one


@pytest.mark.parametrize("text", [
    # The chapter opens with a one-paragraph note and has a scene break later: the first scene is story.
    'Chapter 1\n\nA/N: Sorry for the wait!\n\nThe fire had burned low.\n\n"Are you cold?" Luna asked.\n\n'
    '* * *\n\n"No," said Harry.\n',
    # No headings (a one-shot): a line before the note made it a "closing" note that ran to the end.
    'The Fire - Q. Writer\n\nA/N: Sorry for the wait!\n\nThe fire had burned low.\n\n"Are you cold?" Luna asked.\n',
    # Single quotes (the UK style) are dialogue too; the note swallowed the first scene in such a story.
    "Chapter 1\n\nA/N: Sorry for the wait!\n\nThe fire had burned low.\n\n\u2018Are you cold?\u2019 Luna asked.\n\n"
    "* * *\n\n\u2018No,\u2019 said Harry.\n",
    "Chapter 1\n\nA/N: Sorry for the wait!\n\nThe fire had burned low.\n\n'Are you cold?' Luna asked.\n\n"
    "* * *\n\n'No,' said Harry.\n",
])
def test_reader_author_note_does_not_swallow_the_story_after_it(tmp_path: Path, text: str) -> None:
    story = read_story(_story(tmp_path, text))
    chapters = split_chapters(story)
    said = _read_aloud(story, chapters)
    assert "The fire had burned low." in said and "Are you cold?" in said
    assert "Sorry for the wait" not in said  # the note itself is still left out
    assert [story.text[n.start:n.end] for ch in chapters for n in ch.notes] == ["A/N: Sorry for the wait!"]


def test_reader_closing_note_without_dialogue_still_runs_to_the_chapter_end(tmp_path: Path) -> None:
    text = ('Chapter 1\n\n"Go," said Ann.\n\nShe went.\n\nA/N: Thanks for reading!\n\nReviews make my day.\n\n'
            'Next chapter on Friday.\n\nChapter 2\n\nIt rained.\n')
    _, said = _first_chapter_read_aloud(tmp_path, text)
    assert "She went." in said and "Reviews" not in said and "Friday" not in said


def test_reader_a_wrapped_line_starting_with_note_book_is_not_a_note(tmp_path: Path) -> None:
    # Hard-wrapped prose: "note-book." opens a line mid-sentence (it was a note, dropping the rest of the chapter).
    text = ("Chapter 1\n\nHe took out his pencil and his\nnote-book. He wondered whether it was like,\nand looked on.\n\n"
            '"Well?" said the man.\n\nChapter 2\n\nIt rained.\n')
    first, said = _first_chapter_read_aloud(tmp_path, text)
    assert "note-book. He wondered" in said and '"Well?"' in said and not first.notes


@pytest.mark.parametrize(("first", "title", "author"), [
    ("The Fire - Q. Writer", "The Fire", "Q. Writer"),
    ("Starlit Road by Nyx Quill", "Starlit Road", "Nyx Quill"),
    ("Starlit Road - nyx_quill42", "Starlit Road", "nyx_quill42"),  # a site handle: digits and underscores
    ("Dusk - Ursula le Guin", "Dusk", "Ursula le Guin"),
    ("The Salt Road - Émile Durand", "The Salt Road", "Émile Durand"),  # a capital of any script names a person
    ("Harbour by Łucja Nowak", "Harbour", "Łucja Nowak"),
    ("Тихая гавань - Анна", "Тихая гавань", "Анна"),
    ("The Salt Road - émile durand", None, None),     # lower case is still no name
    ("Bells - Tess Ter", "Bells", "Tess Ter"),         # "ter" is a particle only in lower case
    ("Dusk - Mary May", "Dusk", "Mary May"),           # a month is a name after a dash, not after "by"
    ("Encore - by quiet_static", "Encore", "quiet_static"),  # a dash and "by": the byline after the dash
    ("Encore — by Nyx Quill", "Encore", "Nyx Quill"),
    ("Home - by Christmas", None, None),               # still no name after "by"
    ("Encore - By Nyx Quill", "Encore", "Nyx Quill"),
    ("It rained - all night.", None, None),            # a sentence, not a header
    ("Rain - it fell and fell and fell", None, None),  # no author there
    # A reader hears these as the story's first words, not as a title and an author.
    ("Home by Christmas", None, None),                 # "by" a day or a season, not by a person
    ("Gone by Monday morning", None, None),
    ("Written by candlelight", None, None),            # a lower-case word after "by" is no name
    ("Starlit Road by nyxquill", None, None),
    ("Wait - no", None, None),
    ('"Run," she said - Mara', None, None),             # quotation marks: dialogue
    ("\u201cHome\u201d by Tom Reed", None, None),
])
def test_reader_one_shot_title_author_line(tmp_path: Path, first: str, title: str | None, author: str | None) -> None:
    # Without chapter headings the "Title - Author" line was read aloud and the book named after the file.
    story = read_story(_story(tmp_path, f"{first}\n\n" + BODY * 2, name="one_shot.txt"))
    said = _read_aloud(story, split_chapters(story))
    assert (story.title, story.author) == ((title, author) if title else ("One shot", None))
    assert (first in said) == (title is None)


@pytest.mark.parametrize(("first", "author", "heard"), [
    ("Written by Tom Reed", "Tom Reed", False),  # a byline names the author, not the book
    ("Written by candlelight", None, True),
])
def test_reader_one_shot_written_by_is_a_byline(tmp_path: Path, first: str, author: str | None, heard: bool) -> None:
    # "Written by X" became a book called "Written" by "X" (or by "candlelight").
    story = read_story(_story(tmp_path, f"{first}\n\n" + BODY * 2, name="one_shot.txt"))
    said = _read_aloud(story, split_chapters(story))
    assert (story.title, story.author) == ("One shot", author)
    assert (first in said) == heard


@pytest.mark.parametrize("before", ["She opened the envelope.\n\n", ""])
@pytest.mark.parametrize("note", ["Note: meet me at the mill.", "Notes - for the night watch"])
def test_reader_a_bare_note_silences_no_more_than_itself(tmp_path: Path, note: str, before: str) -> None:
    # The note a character finds is no author's note: inside a chapter it silenced the rest of the chapter, at its
    # start the whole first scene (no dialogue after it).
    text = (f"Chapter 1\n\n{before}{note}\n\nShe went to the mill at midnight.\n\n"
            "The wind howled all night long.\n\n* * *\n\nShe slept.\n\nChapter 2\n\nIt rained.\n")
    story = read_story(_story(tmp_path, text))
    said = _read_aloud(story, split_chapters(story))
    assert "She went to the mill at midnight." in said and "The wind howled all night long." in said


def test_reader_header_title_dash_by_author(tmp_path: Path) -> None:
    # "Encore - by quiet_static" above the first chapter heading made a book called "Encore - by quiet_static"
    # with no author: the album tag and the output folder carried the byline, and the artist tag was empty.
    story = read_story(_story(tmp_path, "Encore - by quiet_static\n\nA band story.\n\nChapter 1: Soundcheck\n\n"
                                        + BODY * 2))
    assert (story.title, story.author, story.description) == ("Encore", "quiet_static", "A band story.")


def test_reader_a_long_labelled_chapter_title_is_a_heading_not_the_blurb(tmp_path: Path) -> None:
    # A 110-character "Chapter 1: ..." line was no heading (the limit was 100): the header's blurb then ran to
    # "Chapter 2", so chapter 1's lines went into the MP3 comment and were never read aloud.
    title = "Chapter 1: In Which Our Heroes Find That the Bridge Was Never There and Then Walk Home Again to Sleep"
    assert len(title) > 100
    text = f'The Bridge - by Quill\n\n{title}\n\n"Hi," said Ann.\n\nChapter 2: Home\n\n"Bye," said Ann.\n'
    story = read_story(_story(tmp_path, text))
    chapters = split_chapters(story)
    assert [c.title for c in chapters] == [title, "Chapter 2: Home"]
    assert story.description is None and '"Hi," said Ann.' in _read_aloud(story, chapters)


def test_reader_a_table_of_contents_is_not_read_into_the_first_chapter_title(tmp_path: Path) -> None:
    # A contents list on top (each line a heading with nothing under it) joined the first chapter's heading:
    # "Chapter 1: Start, Chapter 2: Middle, Chapter 3: End, Chapter 1: Start" was read aloud and named its file.
    toc = "Chapter 1: Start\nChapter 2: Middle\nChapter 3: End\n\n"
    body = '"One," said Ann.\n\n'
    text = "The Toc - by Ink_Well\n\nContents\n\n" + toc + "".join(
        f"{line}\n\n{body}" for line in toc.split("\n") if line)
    story = read_story(_story(tmp_path, text))
    assert [c.title for c in split_chapters(story)] == ["Chapter 1: Start", "Chapter 2: Middle", "Chapter 3: End"]
    volume = "Chapter 1\n\nIt rained.\n\nVOLUME II\n\nCHAPTER I\n\nIt snowed.\n"  # an empty heading still joins the next
    assert [c.title for c in split_chapters(read_story(_story(tmp_path, volume, "v.txt")))] == [
        "Chapter 1", "Volume II, Chapter I"]


@pytest.mark.parametrize("label", ["Contents", "Table of Contents:", "CONTENTS"])
def test_reader_a_contents_label_is_not_the_books_description(tmp_path: Path, label: str) -> None:
    """walk10: 'Contents' above a list of the chapters became the book's description (the M4B's and every tag's)."""
    text = (f"The Long Road\n\n{label}\n\nChapter 1: Start\nChapter 2: Middle\n\nChapter 1: Start\n\n{BODY}"
            f"Chapter 2: Middle\n\n{BODY}")
    story = read_story(_story(tmp_path, text))
    assert (story.title, story.description) == ("The Long Road", None)
    text = f"The Long Road\n\n{label}\nA blurb about roads.\n\nChapter 1: Start\n\n{BODY}"
    assert read_story(_story(tmp_path, text)).description == "A blurb about roads."
