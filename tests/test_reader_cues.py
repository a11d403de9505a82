"""attribute: cues a careful reader takes from the text around an untagged or pronoun-tagged line.

Hand-made fixtures only (no corpus text): a first-person narrator, Abel, with Dorn and Ruth.
"""

from __future__ import annotations

from narrator import attribution as attr
from narrator.models import Character

from .attribution_helpers import lines_of, scanned, who

# The narrator's gender is never stated in their own voice: "unknown", as find_characters leaves it.
CAST = [
    Character("Abel Crane", ("I",), "unknown", 30),
    Character("Ruth Penrose", ("Ruth", "Miss Penrose"), "female", 12),
    Character("Mr. Dorn", ("Dorn",), "male", 10),
]


def test_a_third_person_pronoun_tag_is_never_the_first_person_narrator():
    # The narrator spoke two turns back and is the subject of the narration just before the line, but
    # "she said" is someone else: a narrator tags their own words "I said".
    text = ('Dorn and I sat late over the fire that night. Miss Penrose had gone up an hour before.\n\n'
            '"Well?" said Dorn.\n\n"I cannot say," I answered.\n\n"You must," he said.\n\n'
            'I shrugged and looked into the fire. I had my doubts, and I kept them.\n\n'
            '"You will both forgive me," she said from the doorway.\n\n')
    assert who(text, CAST) == ["Mr. Dorn", "Abel Crane", "Mr. Dorn", "Ruth Penrose"]


def test_the_narrator_still_speaks_an_i_tagged_line():
    text = '"Well?" said Dorn.\n\n"I cannot say," I answered.\n\n'
    assert who(text, CAST) == ["Mr. Dorn", "Abel Crane"]


def _sure_vocatives(quote: str) -> set[str]:
    """The names a one-quote paragraph surely addresses (never its speaker's own name)."""
    return scanned(quote, CAST)[1].sure_vocatives


def test_a_line_addressing_someone_by_name_is_not_theirs_even_against_turn_taking():
    # Turn-taking alone gives the fifth line back to Ruth; calling her by name says it is not hers.
    text = ('"Are you coming?" asked Ruth.\n\n"Yes," said Dorn.\n\n"Now?"\n\n"Right now."\n\n'
            '"Then hurry, Ruth."\n\n')
    assert who(text, CAST) == ["Ruth Penrose", "Mr. Dorn", "Ruth Penrose", "Mr. Dorn", "Mr. Dorn"]


def test_a_name_in_speech_the_line_reports_may_be_the_speaker():
    # "'Ruth,' he says" quotes someone else talking to Ruth, who may be the one telling it.
    assert _sure_vocatives('"Then he comes in. \'Ruth,\' he says, \'fetch the lamp.\' So I did."') == set()
    assert _sure_vocatives('"Fetch the lamp, Ruth."') == {"Ruth Penrose"}


def test_a_name_beside_the_speakers_own_pronoun_is_no_listener():
    assert _sure_vocatives('"I, Ruth Penrose, swear it."') == set()
    assert _sure_vocatives('"Me, Ruth Penrose! Never."') == set()
    assert _sure_vocatives('"Tell me, Ruth, where were you?"') == {"Ruth Penrose"}


def _asked(quote: str) -> str | None:
    res, para = scanned(quote, CAST)
    return attr._asked_name(para, res)


def test_a_question_put_to_someone_by_name_is_answered_by_them():
    # Turn-taking alone hands the answer back to Dorn, who spoke two turns before; Ruth was asked.
    cast = [Character("Abel Crane", ("Abel",), "male", 30), *CAST[1:]]
    text = ('Abel, Ruth and Dorn sat at the long table.\n\n"The roads are bad," said Abel.\n\n'
            '"Worse than last year," said Dorn.\n\n"Do you mean to ride tomorrow, Ruth?"\n\n"Only if the rain stops."\n\n')
    got = [ln.speaker for ln in lines_of(text, cast) if ln.segment.kind == "dialogue"]
    assert got == ["Abel Crane", "Mr. Dorn", "Abel Crane", "Ruth Penrose"]


def test_only_a_question_that_sets_the_name_off_by_a_comma_asks_that_person():
    assert _asked('"How are you, Ruth?"') == "Ruth Penrose"
    assert _asked('"Ruth, will you come with us?"') == "Ruth Penrose"
    assert _asked('"Ruth? Is she coming too?"') is None  # an echo: asks about Ruth
    assert _asked('"Fetch the lamp, Ruth."') is None  # no question
    assert _asked('"Will you come, Ruth, or you, Dorn?"') is None  # two people asked
