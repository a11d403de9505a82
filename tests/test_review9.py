"""Review-9 findings: rules that read one tense only, a prefix read in a fixed slice, address words."""

from __future__ import annotations

import pytest

from narrator.models import Character

from .attribution_helpers import scanned

FIRST_PERSON_CAST = [
    Character("Wren", ("I",), "female", 30),
    Character("Oren Tull", ("Oren",), "male", 12),
]


@pytest.mark.parametrize("verb", ["nudged", "nudges", "warned", "warns", "reminded", "reminds", "told", "tells"])
def test_acting_on_me_addresses_the_narrator_in_either_tense(verb: str):
    # "Oren nudges me." beside a quote: he talks to the first-person narrator, as "Oren nudged me." does.
    _, para = scanned(f'Oren {verb} me. "Come on, then."', FIRST_PERSON_CAST)
    assert "Wren" in para.vocatives


def test_acting_on_someone_else_does_not_address_the_narrator():
    _, para = scanned('Oren nudges Kit. "Come on, then."', FIRST_PERSON_CAST)
    assert "Wren" not in para.vocatives


_ROLES = [Character("the Doctor", (), "female", 6), Character("the Captain", (), "male", 5)]


@pytest.mark.parametrize("gap", ["  ", "\n", "\n   ", " \n"])
def test_the_before_a_role_is_read_across_any_space(gap: str):
    # "the  Doctor" (a double space, a wrapped line) is one mention of the Doctor, as "the Doctor" is.
    _, para = scanned(f'Nell looked at the{gap}Doctor. "Well?"', _ROLES)
    assert [name for _, name in para.mentions] == ["the Doctor"]


def test_a_word_ending_in_the_before_a_role_is_no_article():
    # "lathe Doctor": the role word stands alone as a name there, so it is still a mention of her.
    _, para = scanned('Nell set down the lathe Doctor had lent her. "Well?"', _ROLES)
    assert [name for _, name in para.mentions] == ["the Doctor"]


@pytest.mark.parametrize(("text", "denied"), [
    ("There was no Nell at the door.", True),
    ("There was no  Nell at the door.", True),
    ("It was Juno Nell saw first.", False),
])
def test_no_before_a_name_is_read_as_a_word(text: str, denied: bool):
    from narrator.attribution import _denied

    assert _denied(text, text.index("Nell")) is denied


@pytest.mark.parametrize("tag", [", said I.", ", says I.", ", returned I.", ", answers I.", ", I said.", ", I add."])
def test_first_person_tag_in_either_order_and_tense(tag: str):
    from narrator.characters import _FIRST_PERSON_TAG

    assert _FIRST_PERSON_TAG.match(tag)


@pytest.mark.parametrize("text", [", said Ida.", ", Isaid.", " and I went home."])
def test_first_person_tag_needs_the_pronoun_and_a_speech_verb(text: str):
    from narrator.characters import _FIRST_PERSON_TAG

    assert not _FIRST_PERSON_TAG.match(text)


def test_a_storyteller_who_says_says_i_is_the_narrator_character():
    # A dialect teller tags their own lines "says I" and is otherwise hardly in the narration: two such tags make
    # a first-person narrator, as two "said I" do.
    from narrator.characters import find_characters

    from .attribution_helpers import segments_of

    story = ('The wagon came up the lane slow, with Jory Pike on the box and the mare half asleep in the traces.\n\n'
             '"You are late," says I.\n\n"The ford was up," said Jory Pike. "Mind the crates."\n\n'
             'Jory Pike climbed down and the mare shook her head at the flies that hung about the yard.\n\n'
             '"Then it is lucky the ford did not take you," says I.\n\n"Lucky for the crates," said Jory.\n\n')
    story_obj, segs = segments_of(story)
    chars = find_characters(story_obj, segs)
    assert any("I" in c.aliases for c in chars)
