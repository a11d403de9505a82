"""Pet names that are not a prefix of the full name ("Bob" for Robert, "Harry" for Henry) join that
character, and only when the full name is one character's and nothing says they are two people."""

from __future__ import annotations

from narrator.lexicon import FEMALE_NAMES, HYPOCORISMS, MALE_NAMES

from .test_characters import by_form, chars_of

# Robert Tallis is told in the narration by his full name; his sister calls him "Bob".
_ROBERT = (
    "Robert Tallis came up the lane. Robert stopped at the gate and he looked at the house. "
    "Mary Tallis was waiting there, and she waved.\n\n"
    '"You are late, Bob," said Mary.\n\n'
    '"I know," said Bob.\n\n'
    "Robert laughed and he went in. Mary followed him.\n\n"
)


def test_pet_name_joins_the_one_full_name_it_stands_for():
    chars = chars_of(_ROBERT * 3)
    robert = by_form(chars, "Robert Tallis")
    assert robert is not None and robert is by_form(chars, "Bob") and robert is by_form(chars, "Robert")
    assert robert.name == "Robert Tallis"  # the pet name is an alias, never the name
    assert by_form(chars, "Mary") is not robert


def test_pet_name_left_alone_when_two_characters_share_the_full_name():
    other = ("Robert Quayle rode past. Robert Quayle nodded and he smiled at the gate. "
             "Robert Quayle was the doctor.\n\n" '"Morning," said Robert Quayle.\n\n')
    chars = chars_of((_ROBERT + other) * 3)
    bob = by_form(chars, "Bob")
    assert bob is not None
    assert bob is not by_form(chars, "Robert Tallis") and bob is not by_form(chars, "Robert Quayle")


def test_pet_name_named_beside_the_full_name_is_someone_else():
    # Father and son: "Bob and Robert" in one sentence, again and again, are two people.
    text = _ROBERT + ("Bob and Robert sat down. Robert spoke to Bob, and Bob answered Robert.\n\n"
                      '"Pass the bread," said Bob.\n\n')
    chars = chars_of(text * 3)
    assert by_form(chars, "Bob") is not None and by_form(chars, "Bob") is not by_form(chars, "Robert Tallis")


def test_pet_name_with_another_surname_is_someone_else():
    # "Bob Hale" the carter is a Bob of his own, not Robert Tallis.
    hale = ("Bob Hale walked on. Bob Hale whistled and he went home. Bob was a carter.\n\n"
            '"Evening," said Bob.\n\n')
    chars = chars_of((_ROBERT.replace("Bob", "Robbie") + hale) * 3)
    bob = by_form(chars, "Bob")
    assert bob is not None and bob is by_form(chars, "Bob Hale") and bob is not by_form(chars, "Robert Tallis")


_LORD = (
    "Lord Henry Wotton lit a cigarette. Henry smiled and he leaned back. Basil Hallward painted, "
    "and he did not look up.\n\n"
    '"You talk too much, Harry," said Basil.\n\n'
    '"Only to you, Basil," said Lord Henry.\n\n'
    '"Harry, be quiet," said Basil. "Harry, please."\n\n'
    '"Well," Harry said.\n\n'
)


def test_pet_name_heard_in_speech_joins_a_lord_of_that_name():
    chars = chars_of(_LORD * 3)
    lord = by_form(chars, "Lord Henry")
    assert lord is not None and lord is by_form(chars, "Harry")


def test_pet_name_the_narrator_uses_is_not_the_lady_of_that_name():
    # "Kitty" is the narrator's own name for a girl; "Lady Catherine" is a great lady, not her.
    text = ("Lady Catherine sat in state. Lady Catherine frowned and she rang the bell. Catherine was "
            "never contradicted.\n\n" '"Silence," said Lady Catherine.\n\n'
            "Kitty coughed. Kitty giggled and she looked away. Kitty was fifteen.\n\n" '"Sorry," said Kitty.\n\n')
    chars = chars_of(text * 3)
    kitty = by_form(chars, "Kitty")
    assert kitty is not None and kitty is not by_form(chars, "Lady Catherine")


def test_pet_name_table_is_well_formed():
    for pet, (sex, fulls) in HYPOCORISMS.items():
        assert sex in ("male", "female") and fulls and pet not in fulls, pet
        # A full name of the other gender in the list of settled names would be a typing slip.
        assert not fulls & (FEMALE_NAMES if sex == "male" else MALE_NAMES), pet
