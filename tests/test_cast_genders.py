"""Genders a reader gets without a "she said": possessives of the sentence's own subject, nouns of sex in
apposition, the possessive of a fronted participle clause. Each rule has a case where it must stay silent."""

from __future__ import annotations

from .test_characters import by_form, chars_of

# Scenes where nothing else tells the name's gender: no pronoun straight after it, no given-name list entry.
_FILLER = '"Well?" asked Quill.\n\n"Well what?" Quill said.\n\n'


def gender(text: str, name: str) -> str:
    c = by_form(chars_of(text), name)
    assert c is not None, name
    return c.gender


def test_possessive_after_a_preposition_goes_with_the_sentences_only_named_subject():
    text = ("Quill pulled the blanket up to her nose.\n\n" + _FILLER) * 2
    assert gender(text, "Quill") == "female"
    text = ("Quill came in with his satchel over one shoulder.\n\n" + _FILLER) * 2
    assert gender(text, "Quill") == "male"


def test_possessive_after_a_preposition_is_someone_named_earlier_in_the_sentence():
    # The "her" may be Vesna's: the sentence named her first, so it says nothing of Quill.
    text = ("Vesna stood by the fire, and Quill huddled under her cloak.\n\n" + _FILLER) * 2
    assert gender(text, "Quill") == "unknown"


def test_object_her_after_a_preposition_gives_no_gender():
    text = ("Quill sat beside her with a lantern.\n\n" + _FILLER) * 2
    assert gender(text, "Quill") == "unknown"


def test_noun_of_sex_in_apposition_before_or_after_the_name():
    assert gender(("Their father Quill keeps the mill.\n\n" + _FILLER) * 2, "Quill") == "male"
    assert gender(("Quill, the grey mare, trotted into the yard.\n\n" + _FILLER) * 2, "Quill") == "female"
    assert gender(("At the gate stood Quill, her younger sister.\n\n" + _FILLER) * 2, "Quill") == "female"


def test_rank_or_list_item_after_the_name_is_no_apposition():
    # A rank is held by either sex; a list of people names each one apart.
    assert gender(("Quill, the captain, checked the ropes.\n\n" + _FILLER) * 2, "Quill") == "unknown"
    assert gender(("Vesna brought Quill, the girl, and the dog.\n\n" + _FILLER) * 2, "Quill") == "unknown"


def test_fronted_participle_clause_lends_its_possessive_to_the_name():
    text = ("Returning to his basket, Quill sighed.\n\n" + _FILLER) * 2
    assert gender(text, "Quill") == "male"
    # "her" as an object ("handing her the basket") is somebody else.
    text = ("Handing her the basket, Quill sighed.\n\n" + _FILLER) * 2
    assert gender(text, "Quill") == "unknown"


def test_possessive_after_a_preposition_needs_the_name_as_subject_in_the_same_sentence():
    # Quill is no subject here: the "her" is the neighbour's, whoever she is.
    text = ("The sight of Quill would be too much for her neighbour.\n\n" + _FILLER) * 2
    assert gender(text, "Quill") == "unknown"
    # The "her" is in the next sentence, about someone else.
    text = ("Quill waited outside. With her hand on the latch, the woman turned.\n\n" + _FILLER) * 2
    assert gender(text, "Quill") == "unknown"
    # One looks at someone else; an adverb after "her" makes it an object.
    text = ("Quill looked at her hard.\n\n" + _FILLER) * 2
    assert gender(text, "Quill") == "unknown"
    text = ("Quill stood beside her helplessly.\n\n" + _FILLER) * 2
    assert gender(text, "Quill") == "unknown"


def test_a_second_clause_of_a_sentence_the_name_opened_keeps_the_subject():
    text = ("Quill closed the book, and Quill sighed at her notes.\n\n" + _FILLER) * 2
    assert gender(text, "Quill") == "female"
    text = ('"Go on," said Quill, with her chin up.\n\n' + _FILLER) * 2
    assert gender(text, "Quill") == "female"


def test_the_sir_or_maam_of_a_bare_reply_gives_the_tagged_speaker_a_gender():
    text = ('"Good evening," said Quill.\n\n"Evening, ma\'am. Your ticket?"\n\n"Here it is."\n\n' + _FILLER) * 2
    assert gender(text, "Quill") == "female"
    # Quill is spoken to, not speaking: the "sir" answers the other man.
    text = ('"Come here," the guard told Quill.\n\n"Yes, sir."\n\n' + _FILLER) * 2
    assert gender(text, "Quill") == "unknown"
    # A title before a name is no address.
    text = ('"Good evening," said Quill.\n\n"Miss Tansy is out."\n\n' + _FILLER) * 2
    assert gender(text, "Quill") == "unknown"
