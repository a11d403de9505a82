"""Markdown reader: headings, emphasis, scene breaks, front matter."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrator.errors import InputError
from narrator.formats import READERS, sniff
from narrator.formats.markdown import inline_runs, read_markdown
from narrator.reader import read_story

FIXTURES = Path(__file__).parent / "fixtures" / "formats"


def test_markdown_story_shape_and_metadata() -> None:
    path = FIXTURES / "story.md"
    data = path.read_bytes()
    assert sniff(data, path) == "markdown"
    story = READERS["markdown"](data, path)
    assert (story.title, story.author) == ("The Beekeeper's Winter", "Marlo Finch")
    assert story.description == "Hives, snow, and a stubborn neighbour."
    assert story.text == (
        "Chapter 1: Frost\n\n"
        "Author's Note: this began as a writing exercise.\n\n"
        "* * *\n\n"
        "Hazel wrapped the hives in three layers of sacking. Her neighbour watched, *unimpressed*.\n\n"
        "They'll never make it, she thought, not this year.\n\n"
        "Not this year.\n\n"
        "* * *\n\n"
        "Snow fell for a week. She checked the weather twice a day.\n\n"
        "Chapter 2: Thaw\n\n"
        "The first bee flew on a Tuesday."
    )
    spans = lambda ss: [story.text[s.start : s.end] for s in ss]  # noqa: E731
    assert [t for _, t in story.chapter_hints] == ["Chapter 1: Frost", "Chapter 2: Thaw"]
    assert spans([s for s, _ in story.chapter_hints]) == ["Chapter 1: Frost", "Chapter 2: Thaw"]
    assert spans(story.notes) == ["Author's Note: this began as a writing exercise."]
    assert spans(story.emphasis) == ["three", "They'll never make it,", "not this year."]
    assert spans(story.thoughts) == ["Not this year."]


def test_markdown_top_heading_is_the_title_when_chapters_are_level_two() -> None:
    story = read_markdown(b"# Moth Season\n\n## One\n\nWings.\n\n## Two\n\nLight.\n", None)
    assert story.title == "Moth Season"
    assert story.text == "One\n\nWings.\n\nTwo\n\nLight."


def test_markdown_without_headings_is_plain_paragraphs() -> None:
    story = read_markdown(b"First line\nsame paragraph.\n\nSecond.\n\n***\n\nThird.", Path("x.md"))
    assert story.title == "X"
    assert story.text == "First line same paragraph.\n\nSecond.\n\n* * *\n\nThird."
    assert story.chapter_hints == ()


@pytest.mark.parametrize(
    ("source", "runs"),
    [
        ("a *b* c", [("a ", False), ("b", True), (" c", False)]),
        ("a _b_ c", [("a ", False), ("b", True), (" c", False)]),
        ("snake_case_name", [("snake_case_name", False)]),
        ("2 * 3 * 4", [("2 * 3 * 4", False)]),
        ("**loud**", [("loud", False)]),
        ("![pic](x.png)ok", [("ok", False)]),
        ("`code`", [("code", False)]),
    ],
)
def test_markdown_inline_runs(source: str, runs: list[tuple[str, bool]]) -> None:
    assert inline_runs(source) == runs


def test_markdown_empty_raises_input_error() -> None:
    with pytest.raises(InputError, match="no story text"):
        read_markdown(b"---\ntitle: Nothing\n---\n\n   \n", Path("empty.md"))


def test_markdown_not_utf8_raises_input_error() -> None:
    with pytest.raises(InputError, match="UTF-8"):
        read_markdown(b"\xff\xfe\x00bad", Path("bad.md"))


def test_markdown_section_headings_inside_a_chapter_open_scenes() -> None:
    from narrator.chapters import split_chapters

    story = read_markdown(b"# Chapter 1\n\n## The Gate\n\nMara walked.\n\n## The Road\n\nThey left.\n\n"
                          b"# Chapter 2\n\nHome.\n", None)
    assert [t for _, t in story.chapter_hints] == ["Chapter 1", "Chapter 2"]
    chapters = split_chapters(story)
    first = [[story.text[p.start : p.end] for p in scene.paragraphs] for scene in chapters[0].scenes]
    assert first == [["The Gate", "Mara walked."], ["The Road", "They left."]]


@pytest.mark.parametrize(("heading", "title"), [("# The Lone Tower", "The Lone Tower"), ("# Chapter 1", "Lone")])
def test_formats_markdown_one_shot_heading_names_the_story(tmp_path: Path, heading: str, title: str) -> None:
    # A one-shot's only heading is its title (the book was named "Lone" after its file); "# Chapter 1" is not.
    path = tmp_path / "lone.md"
    path.write_text(f'{heading}\n\nThe tower stood alone.\n\n"Who is there?" called the keeper.\n')
    story = read_story(path)
    assert story.title == title
    assert "The tower stood alone." in story.text


@pytest.mark.parametrize(("first", "title", "author"), [
    ("Moths - Ada Finch", "Moths", "Ada Finch"),
    ("By Ada Finch", "Moths", "Ada Finch"),
    ("Home by Christmas", "Moths", None),  # story text: still read aloud
])
def test_markdown_title_author_line_before_the_first_heading(tmp_path: Path, first: str, title: str,
                                                             author: str | None) -> None:
    # The "Title - Author" line a plain-text story opens with was, in Markdown, a prologue chapter of its own,
    # read aloud and named after the file.
    from narrator.chapters import split_chapters

    path = tmp_path / "moths.md"
    path.write_text(f"{first}\n\n# Chapter 1\n\nThe moths came.\n\n# Chapter 2\n\nThey left.\n", encoding="utf-8")
    story = read_story(path)
    chapters = split_chapters(story)
    said = " ".join(story.text[p.start:p.end] for c in chapters for p in c.paragraphs)
    assert (story.title, story.author) == (title, author)
    assert (first in said) == (author is None)
    assert [c.title for c in chapters][-2:] == ["Chapter 1", "Chapter 2"]


_FRONT = "---\ntitle: Salt Lanterns\nauthor: Wren Quill\n"
_BODY = '# Chapter 1\n\n"Hi," said Ann.\n\n---\n\n"Bye," said Bo.\n'


@pytest.mark.parametrize(("source", "warned"), [
    (_FRONT + "---\n\n" + _BODY, False),
    ((_FRONT + "---\n\n" + _BODY).replace("\n", "\r\n"), False),  # Windows line ends: "---\r\n" is the fence too
    (_FRONT + "\n" + _BODY, True),  # the closing fence forgotten: the scene break's "---" closed it, eating chapter 1
])
def test_markdown_front_matter_never_swallows_the_story(source: str, warned: bool) -> None:
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        story = read_markdown(source.encode(), Path("salt.md"))
    assert (story.title, story.author) == ("Salt Lanterns", "Wren Quill")
    assert story.text == 'Chapter 1\n\n"Hi," said Ann.\n\n* * *\n\n"Bye," said Bo.'
    notes = [str(w.message) for w in caught if "front matter" in str(w.message)]
    assert notes == (["salt.md: the front matter on line 1 has no closing --- line; read its key: value lines up to "
                      "the first blank line as it. Add a --- line after them."] if warned else [])
