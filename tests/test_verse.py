"""Verse: a quotation written over several lines (a song, a rhyme, a letter read aloud) is one quotation.

Every fixture here is invented for these tests; the speakers were checked by hand.
"""

from __future__ import annotations

from pathlib import Path

from narrator.chapters import split_chapters
from narrator.dialogue import split_dialogue, split_paragraph, verse_joins
from narrator.reader import read_story
from tests.attribution_helpers import lines_of, segments_of

from .conftest import needs_tools

# Paragraphs parted by blank lines, and a song's lines by single line breaks: four such lines made the chapter
# splitter read every line as a paragraph, and the song's second line went to the narrator.
BLANK_LINE_SONG = """Chapter 1

Hedgehog and Badger sat by the fire. Hedgehog was humming.

"Sing us something," said Badger.

She sang in her loud little voice:

"Over the ditch and under the gate,
Hurry, old Toad, for the hour is late!"

"Very good," said Badger. "Now another."

Hedgehog stood on the stool and recited:

"Mud on the meadow, rain on the hill,
Frogs in the rushes are never still,
Geese on the river and owls in the wood,
Supper is waiting and supper is good.

"That is the end," she added.

"Thank you," said Badger.
"""

# One paragraph a line, no blank lines (a fan-fiction site's download): a line that opens with a mark is a new
# paragraph, a quotation left open after a finished sentence is the running-speech convention or a typo.
LINE_A_PARAGRAPH = """Chapter 1
Pip and Wren walked down to the river in the rain.
"Sing the boat song," said Wren.
Pip cleared his throat and sang:
"Row, row, the river is wide,
Row to the willow on the other side!"
"Lovely," said Wren.
"I walked all the way to the mill this morning.
"Then I walked back again," said Pip.
"Where is the boat? asked Wren.
Pip pointed at the reeds.
"There," he said.
"""


def dialogue(text: str) -> list[str]:
    _story, segs = segments_of(text)
    return [" ".join(s.text.split()) for s in segs if s.kind == "dialogue"]


def no_lone_marks(text: str) -> None:
    _story, segs = segments_of(text)
    assert all(len(s.text.strip()) > 1 for s in segs), [s.text for s in segs if len(s.text.strip()) <= 1]


def test_verse_song_over_two_lines_is_one_quotation_in_a_blank_line_story():
    got = dialogue(BLANK_LINE_SONG)
    assert '"Over the ditch and under the gate, Hurry, old Toad, for the hour is late!"' in got
    no_lone_marks(BLANK_LINE_SONG)


def test_verse_stanza_left_open_before_the_next_mark_is_one_quotation():
    got = dialogue(BLANK_LINE_SONG)
    assert ('"Mud on the meadow, rain on the hill, Frogs in the rushes are never still, Geese on the river and '
            'owls in the wood, Supper is waiting and supper is good.') in got
    assert '"That is the end,"' in got


def test_verse_song_is_spoken_by_its_singer():
    lines = lines_of(BLANK_LINE_SONG)
    song = next(ln for ln in lines if ln.segment.text.startswith('"Over the ditch'))
    stanza = next(ln for ln in lines if ln.segment.text.startswith('"Mud on the meadow'))
    assert song.speaker == "Hedgehog" and stanza.speaker == "Hedgehog"
    assert all(ln.segment.kind == "dialogue" for ln in lines if "Hurry, old Toad" in ln.segment.text)


def test_verse_in_a_line_a_paragraph_story_and_what_is_not_verse():
    got = dialogue(LINE_A_PARAGRAPH)
    assert '"Row, row, the river is wide, Row to the willow on the other side!"' in got
    # The running-speech convention: the next line opens with a mark, so the first is a paragraph of its own.
    assert '"I walked all the way to the mill this morning.' in got
    assert '"Then I walked back again,"' in got
    # An unbalanced mark after a finished sentence: the narration after it stays narration.
    _story, segs = segments_of(LINE_A_PARAGRAPH)
    reeds = next(s for s in segs if "reeds" in s.text)
    assert reeds.kind == "narration" and reeds.text == "Pip pointed at the reeds."
    no_lone_marks(LINE_A_PARAGRAPH)


def test_verse_in_single_quotes():
    text = LINE_A_PARAGRAPH.replace('"', "'")
    got = dialogue(text)
    assert "'Row, row, the river is wide, Row to the willow on the other side!'" in got
    assert "'Lovely,'" in got


def test_verse_closing_mark_after_a_space_opens_a_new_quotation():
    # 'Ann said, "Hi."' on the next line: the first quotation was left unclosed, not closed there.
    text = 'Tom waved.\n"Hello, said Tom.\nAnn said, "Hi."\nThe rain went on.\n"Well," said Tom.\n'
    lines = [(0, 10), (11, 28), (29, 44), (45, 61), (62, 79)]
    assert [text[s:e] for s, e in lines][1] == '"Hello, said Tom.'
    assert verse_joins(text, lines, single=False) == set()


def test_verse_lines_past_a_blank_line_are_not_joined():
    text = '"One, two,\n\nbuckle my shoe."\n'
    assert verse_joins(text, [(0, 10), None, (12, 28)], single=False) == set()


def test_verse_sign_without_quotes_stays_narration():
    text = ("Chapter 1\n\nThe sign over the door read:\n\n    NO DOGS,\n    NO DRAGONS,\n    NO SINGING AFTER TEN,\n"
            "    NO EXCEPTIONS.\n\n\"Well, that is us out,\" said Wren.\n")
    _story, segs = segments_of(text)
    assert all(s.kind == "narration" for s in segs if "NO " in s.text)


def test_verse_a_lone_mark_is_never_a_segment():
    assert split_paragraph('Hurry, old Toad, for the hour is late!"', 0, 39) == [(0, 39, "narration")]
    text = 'The song ended there: "'
    assert split_paragraph(text, 0, len(text)) == [(0, len(text), "narration")]
    text = '"Stop!" "'
    assert split_paragraph(text, 0, len(text)) == [(0, len(text), "dialogue")]


def _script_dialogue(path: Path) -> list[str]:
    story = read_story(path)
    return [" ".join(s.text.split()) for ch in split_chapters(story) for s in split_dialogue(story, ch)
            if s.kind == "dialogue"]


def test_verse_html_line_breaks_inside_a_paragraph(tmp_path: Path):
    page = tmp_path / "song.html"
    page.write_text(
        "<html><body><h2>Chapter 1</h2><p>Hedgehog and Badger sat by the fire.</p>"
        "<p>\"Sing us something,\" said Badger.</p><p>She sang in her loud little voice:</p>"
        "<p>\"Over the ditch and under the gate,<br/>Hurry, old Toad, for the hour is late!\"</p>"
        "<p>\"Very good,\" said Badger.</p>"
        "<p>Line one of a poem,<br>line two of a poem.</p>"
        "<p>\"Away!<br><br>Then she ran,\" said Badger.</p></body></html>",
        encoding="utf-8",
    )
    got = _script_dialogue(page)
    assert '"Over the ditch and under the gate, Hurry, old Toad, for the hour is late!"' in got
    # <br><br> is a paragraph break: the quotation after it opened no song.
    assert '"Away!' in got


def test_verse_markdown_hard_line_breaks(tmp_path: Path):
    page = tmp_path / "song.md"
    page.write_text(
        "# Chapter 1\n\nShe sang in her loud little voice:\n\n"
        "\"Over the ditch and under the gate,  \nHurry, old Toad, for the hour is late,\\\n"
        "Over the hedge and into the hay,\\\nHome again, home again, end of the day!\"\n\n"
        "\"Very good,\" said Badger.\n",
        encoding="utf-8",
    )
    got = _script_dialogue(page)
    assert got[0] == ('"Over the ditch and under the gate, Hurry, old Toad, for the hour is late, Over the hedge '
                      'and into the hay, Home again, home again, end of the day!"')


@needs_tools
def test_verse_song_is_synthesised_whole_in_the_singers_voice(tmp_path: Path):
    """Real eSpeak: both lines of the song are one cue in Hedgehog's voice, not the narrator's, and the clip
    rendered for it is longer than its first line alone (the second line is in it)."""
    from narrator.casting import Engines, assign_voices, cast
    from narrator.pipeline import make_script
    from narrator.synthesis import SAMPLE_RATE, _Task, _Worker

    story = tmp_path / "song.txt"
    story.write_text(BLANK_LINE_SONG, encoding="utf-8")
    script = make_script(story, find_cast=False)
    casting = assign_voices(script.characters, script.lines, Engines("pyttsx3"), None)
    cues = cast(script.lines, casting, script.chapters)
    hurry = [c for c in cues if "Hurry" in c.speech]
    assert len(hurry) == 1 and "Over the ditch" in hurry[0].speech
    song = hurry[0]
    assert song.role == "Hedgehog" and song.voice == casting.characters["Hedgehog"]
    assert song.voice != casting.narrator
    worker = _Worker("pyttsx3", tmp_path / "cache")
    worker.render(_Task("s" * 64, song.speech, song.voice, "test"))
    worker.render(_Task("f" * 64, "Over the ditch and under the gate.", song.voice, "test"))
    whole, first = (len(worker.cache.get(k).pcm) / 2 / SAMPLE_RATE for k in ("s" * 64, "f" * 64))
    assert whole > 1.5 * first > 1.0


def test_verse_paragraph_that_closes_an_open_quotation_is_speech():
    # Each line its own paragraph (a page with a <p> a line): the last one has only the closing mark.
    text = ('Chapter 1\n\nAnn climbed onto the bench.\n\n"Over the ditch and under the gate,\n\n'
            'Hurry, old Toad, for the hour is late!"\n\n"Yes," said Tom.\n\n'
            'Tom opened the gate.\n\nFor the hour is late, he thought."\n\n"Come on," said Ann.\n')
    _story, segs = segments_of(text)
    hurry = next(s for s in segs if "Hurry" in s.text)
    assert hurry.kind == "dialogue" and hurry.text == 'Hurry, old Toad, for the hour is late!"'
    # A closing mark with no quotation open before it is a typo: the narration stays narration, mark and all.
    late = next(s for s in segs if "he thought" in s.text)
    assert late.kind == "narration" and late.text == 'For the hour is late, he thought."'


def test_verse_unmarked_stanza_inside_an_open_quotation_is_speech():
    # A recited poem without marks of its own between a speech left open and the paragraph that closes it.
    text = ('Chapter 1\n\nAnn stood up.\n\n"I will say it for you. It goes:\n\n'
            'Kitty, a fair but frozen maid,\n   Kindled a flame I yet deplore.\n\n'
            'And that is all I remember."\n\n"Lovely," said Tom.\n')
    _story, segs = segments_of(text)
    kinds = {s.text.split()[0]: s.kind for s in segs}
    assert kinds["Kitty,"] == "dialogue" and kinds["And"] == "dialogue" and kinds["Ann"] == "narration"
