"""split_dialogue: quotation spans, coverage of every paragraph, and the book's quote convention."""

from __future__ import annotations

import itertools
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from narrator.dialogue import split_dialogue, split_paragraph
from narrator.models import Chapter, Scene, Span, Story
from tests.attribution_helpers import segments_of


def pieces(text: str, single: bool = False) -> list[tuple[str, str]]:
    return [(text[s:e], k) for s, e, k in split_paragraph(text, 0, len(text), single=single)]


def test_dialogue_straight_quotes_and_tag_inside_split_quote():
    got = pieces('"We can go," she said, "now."')
    assert got == [('"We can go,"', "dialogue"), (" she said, ", "narration"), ('"now."', "dialogue")]


def test_dialogue_curly_quotes():
    got = pieces("\u201cHello,\u201d said Spike. \u201cBye.\u201d")
    assert [k for _, k in got] == ["dialogue", "narration", "dialogue"]
    assert got[0][0] == "\u201cHello,\u201d"


def test_dialogue_quote_left_open_runs_to_paragraph_end():
    got = pieces('Twilight said, "and I have not even started.')
    assert got == [("Twilight said, ", "narration"), ('"and I have not even started.', "dialogue")]


def test_dialogue_apostrophes_are_not_quotes_in_double_quote_books():
    got = pieces("The dogs' bowls rattled, 'tis true, and Spike's tail twitched.")
    assert got == [("The dogs' bowls rattled, 'tis true, and Spike's tail twitched.", "narration")]


def test_dialogue_single_quote_convention_keeps_apostrophes():
    got = pieces("'The dogs' bowls are empty, 'tis sad,' said Rarity. 'Don't look.'", single=True)
    assert [k for _, k in got] == ["dialogue", "narration", "dialogue"]
    assert got[0][0] == "'The dogs' bowls are empty, 'tis sad,'"


def test_dialogue_detects_single_quote_books():
    para = "'Is it you?' asked Spike. 'It is,' she said. 'Come in.'\n\n"
    _story, segs = segments_of(para * 12)
    kinds = [s.kind for s in segs]
    assert kinds[:5] == ["dialogue", "narration", "dialogue", "narration", "dialogue"]


def test_dialogue_multi_paragraph_speech_and_heading():
    text = 'Chapter 1\n\n"First part of the speech.\n\n"Second part," he said.\n'
    _story, segs = segments_of(text)
    assert segs[0].heading and segs[0].kind == "narration" and segs[0].paragraph == -1
    assert [s.kind for s in segs[1:]] == ["dialogue", "dialogue", "narration"]
    assert segs[1].text == '"First part of the speech.'


def test_dialogue_note_scenes_are_single_narration_segments():
    text = 'A/N: "thanks" to all.\n\nStory "here".'
    story = Story("t", None, None, text)
    ch = Chapter(1, "t", None, (Scene((Span(0, 21),), note=True), Scene((Span(23, len(text)),))))
    segs = split_dialogue(story, ch)
    assert segs[0].note and segs[0].kind == "narration" and segs[0].text == text[:21]
    assert [s.kind for s in segs[1:]] == ["narration", "dialogue", "narration"]
    assert [s.index for s in segs] == list(range(len(segs)))


_ALPHABET = 'ab "\u201c\u201d\',.\n'


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=_ALPHABET, min_size=1, max_size=30), min_size=1, max_size=6))
def test_dialogue_covers_every_paragraph_exactly(paras):
    paras = [p.replace("\n", " ").strip() or "x" for p in paras]
    text = "\n\n".join(paras)
    spans, pos = [], 0
    for p in paras:
        spans.append(Span(pos, pos + len(p)))
        pos += len(p) + 2
    story = Story("t", None, None, text)
    segs = split_dialogue(story, Chapter(1, "t", None, (Scene(tuple(spans)),)))
    for n, sp in enumerate(spans):
        mine = [s for s in segs if s.paragraph == n]
        assert "".join(s.text for s in mine) == text[sp.start : sp.end]
        assert all(a.end == b.start for a, b in itertools.pairwise(mine))
    assert all(s.text == text[s.start : s.end] for s in segs)
    assert [s.index for s in segs] == list(range(len(segs)))


def test_dialogue_random_mixed_paragraphs_are_covered():
    rng = random.Random(7)
    words = ['"Hi,"', "she", "said", '"go"', "'tis", "dogs'", "\u201cyes\u201d", "now."]
    text = "\n\n".join(" ".join(rng.choice(words) for _ in range(8)) for _ in range(30))
    _story, segs = segments_of(text)
    assert "".join(s.text for s in segs).replace("\n", "") == text.replace("\n", "")


def test_a_wall_of_narration_is_cut_at_sentence_ends_into_bounded_segments() -> None:
    """A 30,000-character paragraph would be rendered and held whole: it is cut after sentence ends, and the
    pieces still cover the paragraph exactly once, a quotation inside it left whole."""
    wall = " ".join(f"The lamp on post {i} was lit before the bell rang." for i in range(600))
    text = f'{wall} "Hold the ladder," said Tobin. {wall}\n'
    from narrator.dialogue import _cut_long_narration, split_paragraph

    pieces = [c for p in split_paragraph(text, 0, len(text) - 1) for c in _cut_long_narration(text, *p)]
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text) - 1
    assert all(a[1] == b[0] for a, b in itertools.pairwise(pieces))
    assert len(wall) > 30_000 and len(pieces) > 15
    assert all(e - s <= 4000 for s, e, k in pieces)  # about 3 minutes of speech at most
    assert [text[s:e] for s, e, k in pieces if k == "dialogue"] == ['"Hold the ladder,"']
    assert all(text[s:e].rstrip().endswith(".") for s, e, k in pieces[:-1] if k == "narration")
