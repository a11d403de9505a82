"""Pronoun tags read as a careful reader reads them: who "he" and "she" can and cannot be."""

from __future__ import annotations

from narrator.models import Character

from .attribution_helpers import who

# A first-person narrator ("I") with a name others call him by, another man and a woman.
HUGH = Character("Hugh Tennant", ("Hugh", "I"), "male", 40)
TOM = Character("Tom Ashby", ("Tom",), "male", 20)
KATE = Character("Kate Morley", ("Kate",), "female", 20)


def test_pronoun_he_is_never_the_first_person_narrator():
    # The narrator spoke last and is the only man the narration since names, but he calls himself "I":
    # "he said" is the other man of the scene.
    after_own_line = ('"Where were you?" Kate asked me.\n\n"At the mill," I said. I sat down by the fire and '
                      'warmed my hands; the wind rose outside.\n\n"The river is high tonight," he said.')
    assert who(after_own_line, [HUGH, TOM, KATE]) == ["Kate Morley", "Hugh Tennant", "Tom Ashby"]
    after_narration = ('Tom came in.\n\nI looked up from my book. "You are late," I said, and I put the book '
                       'down.\n\n"The river is high tonight," he said.')
    assert who(after_narration, [HUGH, TOM, KATE]) == ["Hugh Tennant", "Tom Ashby"]
    # The pronoun's centre walk passes Kate's sentence and reaches the narrator's own turn: a man, but "I",
    # so the walk goes on and does not bring him back as the one "he" continues.
    centre_walk = ('Tom sat by the fire.\n\n"Where were you?" Kate asked me.\n\n"At the mill," I said.\n\n'
                   'Kate looked out at the rain.\n\n"The river is high tonight," he said.')
    assert who(centre_walk, [HUGH, TOM, KATE]) == ["Kate Morley", "Hugh Tennant", "Tom Ashby"]


def test_pronoun_i_said_still_names_the_narrator():
    # The rule is about "he" and "she": the narrator's own tag still names him.
    text = '"Is it late?" Kate asked.\n\n"Past ten," I said.'
    assert who(text, [HUGH, TOM, KATE]) == ["Kate Morley", "Hugh Tennant"]


JAMES = Character("James Morley", ("James",), "male", 20)


def test_pronoun_a_new_sentence_with_the_other_pronoun_introduces_a_second_speaker():
    # The tag names Kate; the next sentence's "he" cannot be her, so the quote it introduces is James's.
    text = ('James and Kate walked on.\n\n"It is a fine evening," said Kate. After a long silence, during which '
            'he had watched her closely, he added, "You are tired."')
    assert who(text, [JAMES, KATE]) == ["Kate Morley", "James Morley"]


def test_pronoun_the_other_pronoun_in_an_aside_of_the_tag_is_no_new_speaker():
    # "as she laughed" is part of his tag: both quotes are his.
    text = ('James and Kate walked on.\n\n"You work too hard," he added, as she laughed, "and you know it."')
    assert who(text, [JAMES, KATE]) == ["James Morley", "James Morley"]


def test_pronoun_an_owner_named_in_the_possessive_is_not_the_one_the_pronoun_continues():
    # "Under James's gaze, he closed his book": James owns the gaze; "he" carries Tom on, and so does "he said".
    text = ('"Good evening," said Kate.\n\nTom had been reading by the fire. Under James\'s steady gaze, he '
            'closed his book at last.\n\n"It is late," he said.')
    assert who(text, [JAMES, TOM, KATE]) == ["Kate Morley", "Tom Ashby"]
    # Without the possessive James is the subject, and the one "he said" means.
    text = text.replace("Under James's steady gaze, he closed his book", "James closed his book")
    assert who(text, [JAMES, TOM, KATE]) == ["Kate Morley", "James Morley"]


def test_pronoun_the_clause_nearest_the_speech_names_the_speaker_of_an_action_beat():
    # "She knew some of the songs, and he picked one out": the speech follows his clause, not hers.
    text = ('Kate and James stood by the piano.\n\nShe knew some of the songs, and he picked one out. '
            '"Try this one."')
    assert who(text, [JAMES, KATE]) == ["James Morley"]
    text = 'Kate and James stood by the piano.\n\nHe knew some of the songs, and she picked one out. "Try this one."'
    assert who(text, [JAMES, KATE]) == ["Kate Morley"]


def test_pronoun_a_possessive_his_before_the_subject_does_not_carry_an_earlier_man_on():
    # "In his hurry, Tom knocked over the lamp": the "his" is Tom's, and Tom is whom "he said" continues.
    text = ('"Good evening," said Kate.\n\nJames had come in late. In his hurry, Tom knocked over the lamp.\n\n'
            '"Bother the thing," he said.')
    assert who(text, [JAMES, TOM, KATE]) == ["Kate Morley", "Tom Ashby"]
