"""attribute: causes of error shared by the weakest development novels, with hand-made fixtures."""

from __future__ import annotations

from narrator import paragraphs, speech_tags
from narrator.models import Character
from narrator.resolver import CastIndex

from .attribution_helpers import lines_of, scanned, segments_of
from .test_conversation import CAST


def _named_in_quote(quote: str) -> set[str]:
    """The characters attribution counts as named inside a one-quote paragraph's speech."""
    return scanned(quote, CAST)[1].in_quote


def test_a_name_in_someone_elses_reported_words_is_no_evidence_against_the_teller():
    # Tobias tells of a dealer who called him "Tobias": the name is the teller's own, in another's mouth.
    told = "\"At the fair a dealer caught my arm. 'Tobias,' said he, 'you want a horse.' I had no money.\""
    assert "Tobias Fenn" not in _named_in_quote(told)


def test_reported_words_whose_inner_marks_are_lost_still_report():
    # The same story where the inner quotation marks did not survive (a plain-text conversion).
    told = '"At the fair a dealer caught my arm. Tobias, said he, you want a horse. I had no money."'
    assert "Tobias Fenn" not in _named_in_quote(told)


def test_a_name_in_plain_speech_still_counts_as_named_in_the_quote():
    assert "Tobias Fenn" in _named_in_quote('"Tobias, you want a horse, and I have the very one."')
    # A reported line names someone who is not addressed: that mention still counts.
    assert "Mr. Quill" in _named_in_quote("\"'Bring Mr. Quill his hat,' said she, and went out.\"")


# A family at breakfast: the parents are known by title, the daughter by her given name.
FAMILY = [
    Character("Nell Harrow", ("Nell", "Miss Harrow"), "female", 20),
    Character("Mrs. Harrow", (), "female", 12),
    Character("Mr. Harrow", (), "male", 8),
    Character("Tobias Fenn", ("Tobias", "Mr. Fenn"), "male", 10),
]

_BREAKFAST = """Nell came down to breakfast late. {parent} was already at the table with the letters.

"There is one from your cousin," said {parent}.

Nell took it and read it through twice.

{parent} set down {own} cup and watched her.

"{call}, may I go to the fair with Tobias on Saturday?"
"""


def _last_speaker(parent: str, own: str, call: str) -> str | None:
    text = _BREAKFAST.format(parent=parent, own=own, call=call)
    return [ln.speaker for ln in lines_of(text, FAMILY) if ln.segment.kind == "dialogue"][-1]


def test_the_one_called_mother_is_not_the_caller():
    # The mother acted just before the line, which alone would give it to her; "Mother, ..." is her daughter's.
    assert _last_speaker("Mrs. Harrow", "her", "Mother") == "Nell Harrow"


def test_the_one_called_papa_is_not_the_caller():
    assert _last_speaker("Mr. Harrow", "his", "Papa") == "Nell Harrow"


def _parents_called(quote: str) -> set[str]:
    _, segs = segments_of(quote)
    (para,) = paragraphs._paragraphs(segs)
    paragraphs._scan_mentions(para, CastIndex(FAMILY))
    return para.addr_parent


def test_only_a_parent_word_set_off_as_address_calls_a_parent():
    assert _parents_called('"Oh, mother, do let me go!"') == {"mother"}
    assert _parents_called('"Look at this, papa."') == {"father"}
    # Spoken of, not to: the mother may well be the one talking.
    assert _parents_called('"My mother kept every letter she was sent."') == set()


# The father goes by the bare surname too, so "Harrow" alone is him.
COUPLE = [
    Character("Mr. Harrow", ("Harrow",), "male", 20),
    Character("Mrs. Harrow", (), "female", 15),
    Character("Tobias Fenn", ("Tobias", "Mr. Fenn"), "male", 10),
]


def test_a_title_full_stop_ends_no_clause_when_subjects_are_read():
    res = CastIndex(COUPLE)
    subjects = speech_tags._find_subjects("Mrs. Harrow had taken her up sharply. Tobias said nothing.", res)
    assert [name for name, _, _ in subjects] == ["Mrs. Harrow", "Tobias Fenn"]



def test_the_parent_asked_answers():
    # Tobias spoke last and is in the room; "Mother, may I ...?" is answered by the mother.
    text = """Nell came down to breakfast late. Mrs. Harrow was already at the table with the letters, and Tobias sat by the window with the newspaper.

"There is one from your cousin," said Tobias.

Nell took it and read it through twice.

"Mother, may I go to the fair with Tobias on Saturday?"

"You may, if you are home before dark."
"""
    who = [ln.speaker for ln in lines_of(text, FAMILY) if ln.segment.kind == "dialogue"]
    assert who == ["Tobias Fenn", "Nell Harrow", "Mrs. Harrow"]
