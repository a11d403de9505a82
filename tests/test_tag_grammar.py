"""Speech-tag grammar: the forms English uses to name a speaker next to the words (issue 3).

Every case puts the tagged line third in a three-person exchange, where turn-taking alone would hand
it to someone else: only reading the tag gets it right.
"""

from __future__ import annotations

import pytest

from narrator.models import Character

from .attribution_helpers import lines_of, speech, who

TOM = Character("Tom Hale", ("Tom",), "male", 20)
ANN = Character("Ann Grey", ("Ann",), "female", 20)
KIT = Character("Kit Moss", ("Kit",), "male", 20)
CAST = [TOM, ANN, KIT]
_LEAD = '"Where were you?" said Ann.\n\n"Out," said Kit.\n\n"And now?" said Ann.\n\n'


def _third(line: str) -> str | None:
    got = who(_LEAD + line, CAST)
    assert got[:3] == ["Ann Grey", "Kit Moss", "Ann Grey"]
    return got[3]


@pytest.mark.parametrize("line", [
    '"Home," burst from Tom.',
    '"Home," broke angrily from Tom.',
    '"Home," came from Tom.',
    '"Home," came the answer from Tom.',
])
def test_words_that_come_from_someone_are_theirs(line):
    assert _third(line) == "Tom Hale"


@pytest.mark.parametrize("line", ['"Home," was uttered by Tom.', '"Home," was said by Tom.'])
def test_the_agent_of_a_passive_speech_verb_speaks(line):
    assert _third(line) == "Tom Hale"


@pytest.mark.parametrize("line", [
    '"Home," cut in the clear voice of Tom.',
    '"Home," sounded the gentle accents of Tom.',
])
def test_a_voice_of_someone_after_the_verb_is_theirs(line):
    assert _third(line) == "Tom Hale"


def test_a_verb_the_narrator_corrects_is_still_the_tag():
    assert _third('"Home," muttered, or rather growled, Tom.') == "Tom Hale"


@pytest.mark.parametrize("line", ['"Home," was all Tom said.', '"Home," was all that Tom could say.'])
def test_all_someone_said(line):
    assert _third(line) == "Tom Hale"


@pytest.mark.parametrize("line", [
    '"Home," said Ann, turning from Tom.',
    '"Home," said Ann, and Tom was silent.',
    '"Home," was all Ann said to Tom.',
])
def test_a_name_after_from_or_to_in_someone_elses_tag_is_not_the_speaker(line):
    assert _third(line) == "Ann Grey"


def test_what_came_from_a_place_names_no_speaker():
    # "from the hall" is a place: the tag's own subject (a pronoun) decides, not the last name seen.
    assert _third('"Home," came a voice from the hall, and Tom looked up.') != "Tom Hale"


def test_a_name_with_lowercase_particles_is_the_subject_of_its_clause():
    # The lead-in after a semicolon: its subject is the speaker, particles and all.
    berg = Character("Mrs. van der Berg", (), "female", 10)
    text = ('"Where?" said Tom.\n\n"Out," said Ann, as if it did not matter; and Mrs. van der Berg murmured: '
            '"If only she had asked."')
    assert who(text, [TOM, ANN, berg]) == ["Tom Hale", "Ann Grey", "Mrs. van der Berg"]


@pytest.mark.parametrize("tag", ["broke in old Hobart", "said young Hobart", "Hobart said", "poor Hobart said"])
def test_a_name_met_once_in_a_tag_with_an_epithet_adjective_is_a_speaker(tag):
    # Character discovery counts the tag: a man named only there is still found and given his line.
    text = ('"Where were you?" said Ann Grey.\n\n"Out," said Kit Moss.\n\n"Where?" said Ann.\n\n'
            f'"Nowhere," {tag}.\n\nAnn looked at Kit.\n\n"I mean it," said Kit.\n\n"Hush," said Ann.')
    assert [s for _, s in speech(lines_of(text))][3] == "Hobart"


def test_a_lead_in_ending_on_a_name_and_any_verb_introduces_the_quote():
    text = ('"Where?" said Ann.\n\n"Down!" cried Kit, stepping back, since he was timid, and Tom howled, '
            '"Lie down!" and grabbed the rope.')
    assert who(text, CAST) == ["Ann Grey", "Kit Moss", "Tom Hale"]


def test_a_verb_that_does_not_end_the_lead_in_is_no_tag():
    # "howled so, that ..." runs on: the howl is not what introduces the words.
    text = ('"Where?" said Ann.\n\n"Out," said Kit.\n\nWhile Ann sang, Tom howled so loudly that Kit, '
            'who hated noise, frowned:\n\n"Sing on," said Ann.')
    assert who(text, CAST)[2] == "Ann Grey"
