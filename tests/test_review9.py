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
