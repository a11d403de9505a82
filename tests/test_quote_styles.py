"""Quote-mark styles: the same invented story in curly, British single, curly single and guillemet marks is
split and attributed as it is in straight double marks."""

from __future__ import annotations

import pytest

from narrator.dialogue import plain_marks, split_paragraph
from narrator.models import Segment

from .attribution_helpers import lines_of, segments_of, speech

# A story written once with placeholders -- { } a quotation's marks, < > a quotation nested in one, ^ an
# apostrophe -- and rendered in each style. Hand-checked speakers below. Twenty-odd quotations, so the single
# styles are detected as the book's convention, as a real book's would be.
_STORY = """Ann Merrow came into the kitchen at five o^clock, shaking the rain from her coat.

{Where^s Tobias?} she asked.

{Out with the dogs,} said Wenna. {He said he^d be back before dark.}

{Before dark! He^s never back before dark.} Ann hung the coat by the stove. {Did he take ^em to the Joneses^ field again?}

{He did. And he told me, <Don^t wait supper for me.>}

Ann laughed. {That^s Tobias all over. Is there tea?}

{There^s always tea,} said Wenna.

{Er--thank you.} Ann sat down. {The river^s up by the mill.}

{Is it? Then the lads^ boat will be under water by morning.}

{Not if Tobias pulls it out.}

{He won^t,} said Wenna. {He never does what he^s asked.}

The door banged open and Tobias came in with both dogs at his heels.

{You^re late,} said Ann.

{I am not. It^s barely dark,} said Tobias, pulling off his boots. {The river^s rising.}

{So Wenna says. Did you see the boat?}

{I saw it. I left it.}

{Tobias!} said Wenna.

{What? It^ll float.}

{It^ll sink,} said Ann, {and you know it.}

Tobias grinned at her. {Then I^ll fetch it. After tea.}
"""

# The quotations' speakers, hand-checked, in reading order.
_SPEAKERS = [
    "Ann", "Wenna", "Wenna", "Ann", "Ann", "Wenna", "Ann", "Wenna", "Ann", "Ann", "Wenna", "Ann", "Wenna",
    "Wenna", "Ann", "Tobias", "Tobias", "Ann", "Tobias", "Wenna", "Tobias", "Ann", "Ann", "Tobias",
]

# style -> (quotation opens, closes, nested opens, nested closes, apostrophe)
_STYLES = {
    "straight double": ('"', '"', "'", "'", "'"),
    "curly double": ("\u201c", "\u201d", "\u2018", "\u2019", "\u2019"),
    "straight single": ("'", "'", '"', '"', "'"),
    "curly single": ("\u2018", "\u2019", "\u201c", "\u201d", "\u2019"),
    "guillemets": ("\u00ab", "\u00bb", "\u2039", "\u203a", "'"),
    "german guillemets": ("\u00bb", "\u00ab", "\u203a", "\u2039", "'"),
    "german low-high": ("\u201e", "\u201c", "\u201a", "\u2018", "'"),
}


def render(story: str, style: str) -> str:
    return story.translate(str.maketrans(dict(zip("{}<>^", _STYLES[style], strict=True))))


def shape(segs: list[Segment]) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.kind) for s in segs]


@pytest.mark.parametrize("style", [s for s in _STYLES if s != "straight double"])
def test_every_style_splits_like_straight_double_quotes(style: str) -> None:
    _, plain = segments_of(render(_STORY, "straight double"))
    _, styled = segments_of(render(_STORY, style))
    assert shape(styled) == shape(plain)


@pytest.mark.parametrize("style", list(_STYLES))
def test_every_style_gives_the_hand_checked_speakers(style: str) -> None:
    got = speech(lines_of(render(_STORY, style)))
    assert [who for _, who in got] == _SPEAKERS
    # The lines carry the story's own text, marks and all, not the straightened copy attribution read.
    assert got[0][0] == render("{Where^s Tobias?}", style)


def pieces(text: str, single: bool = False) -> list[tuple[str, str]]:
    return [(text[s:e], k) for s, e, k in split_paragraph(text, 0, len(text), single=single)]


def test_curly_single_closer_is_told_from_the_same_apostrophe() -> None:
    text = "\u2018They\u2019ll bring \u2019em to the Joneses\u2019 house at five o\u2019clock,\u2019 said Ann."
    assert pieces(text, single=True) == [(text[: text.index(" said")], "dialogue"), (" said Ann.", "narration")]


def test_single_capitalised_elision_opens_a_quotation_but_tis_does_not() -> None:
    assert pieces("'Er--no,' said Meg.", single=True)[0] == ("'Er--no,'", "dialogue")
    assert [k for _, k in pieces("'Tis late, thought Meg.", single=True)] == ["narration"]


def test_single_mark_alone_between_spaces_opens_and_closes() -> None:
    # A speech broken off before a tag, and a speech resumed after one with a space before its first word.
    got = pieces("'How I wish ' Meg began, ' that it were May.'", single=True)
    assert got == [("'How I wish '", "dialogue"), (" Meg began, ", "narration"), ("' that it were May.'", "dialogue")]


def test_single_mark_opening_a_paragraph_before_a_space_opens() -> None:
    assert pieces("' Why, that's rum,' said Tam.", single=True)[0] == ("' Why, that's rum,'", "dialogue")


@pytest.mark.parametrize(("text", "quote"), [
    ("\u00abBonjour,\u00bb dit-il.", "\u00abBonjour,\u00bb"),
    ("\u00ab Bonjour \u00bb, dit-il.", "\u00ab Bonjour \u00bb"),
    ("\u00bbHallo,\u00ab sagte er.", "\u00bbHallo,\u00ab"),
    ("\u201eHallo,\u201c sagte er.", "\u201eHallo,\u201c"),
])
def test_guillemets_and_low_high_marks_delimit_quotations(text: str, quote: str) -> None:
    assert pieces(text) == [(quote, "dialogue"), (text[len(quote):], "narration")]


def test_plain_marks_straightens_delimiters_nested_marks_and_apostrophes_only() -> None:
    text = render("{Don^t say <never>,} said Ann^s aunt.", "curly single")
    segs = [Segment(1, k, 1, 0, s, e, kind, text[s:e])  # type: ignore[arg-type]
            for k, (s, e, kind) in enumerate(split_paragraph(text, 0, len(text), single=True))]
    quote, tag = plain_marks(segs)
    assert quote.text == "\"Don't say 'never',\"" and tag.text == " said Ann's aunt."
    assert [(s.start, s.end, s.kind) for s in (quote, tag)] == [(s.start, s.end, s.kind) for s in segs]
    assert segs[0].text == text[: len(quote.text)]  # the story's own segments are left alone


def test_single_mark_before_comma_and_closer_ends_a_clipped_word() -> None:
    text = "'I'm goin',' said Tam."
    assert pieces(text, single=True) == [("'I'm goin','", "dialogue"), (" said Tam.", "narration")]


def test_single_words_the_book_writes_clipped_do_not_close() -> None:
    # "an'" is this book's spelling of "and" (three uses before a lower-case word), so "an' Miss" goes on.
    clipped = "Tam an' me, an' you, an' them went.\n\n"
    text = clipped + "'Ma an' Miss Lee came,' said Kit."
    start = len(clipped)
    got = [(text[s:e], k) for s, e, k in split_paragraph(text, start, len(text), single=True)]
    assert got == [("'Ma an' Miss Lee came,'", "dialogue"), (" said Kit.", "narration")]


def test_single_quoted_words_mid_sentence_close_before_a_lower_case_word() -> None:
    # Nothing else closes the quotation, so the mark before "on" was its end, not a plural possessive.
    text = "They took 'seconds' on the train and were home by nine."
    assert pieces(text, single=True) == [
        ("They took ", "narration"), ("'seconds'", "dialogue"), (" on the train and were home by nine.", "narration")]
    # ... while a plural possessive inside a quotation that does close later stays inside it.
    text = "'The dogs' bowls are empty,' said Kit."
    assert pieces(text, single=True)[0] == ("'The dogs' bowls are empty,'", "dialogue")


def test_a_short_story_in_single_marks_only_is_read_as_speech() -> None:
    # A one-scene story with six single-mark quotations and no double mark anywhere: far fewer openers than a
    # book's twenty, but nothing else could quote its speech. Found walking a fresh clone: every line was narration.
    text = ("Tam leaned on the gate. \u2018I\u2019m goin\u2019 down to the mill,\u2019 he said. \u2018Ye\u2019ll not stop me.\u2019\n\n"
            "\u2018Nobody\u2019s stoppin\u2019 ye,\u2019 said Meg. \u2018But the Joneses\u2019 dog is loose, an\u2019 it bites.\u2019\n\n"
            "Tam laughed. \u2018Then I\u2019ll take a stick.\u2019\n\n\u2018Take two,\u2019 Meg said.")
    assert [s for _, s in speech(lines_of(text))] == ["Tam", "Tam", "Meg", "Meg", "Tam", "Meg"]
    # One stray mark in a story without speech does not make it a single-quote story.
    assert speech(lines_of("The sign said \u2018closed\u2019 and Tam went home.")) == []
