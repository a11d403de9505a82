"""attribute: what a paragraph's action beat and the previous turn's words of address tell a reader."""

from __future__ import annotations

from narrator.models import Character
from narrator.paragraphs import _beat_between

from .attribution_helpers import lines_of, scanned, speech

MARA = Character("Mara", (), "female", 9)
TOBIN = Character("Tobin", (), "male", 8)


def test_attribution_a_beat_between_two_quotes_gives_its_pronoun_as_the_speaker():
    # Tobin goes on talking in a new paragraph: turn-taking alone hands it to Mara, but "He took her coat"
    # between the two quotes is what the speaker does while talking.
    text = ("Mara came in out of the rain and stood dripping by the door.\n\n"
            "\"You are late,\" said Tobin.\n\n"
            "\"Late, and wet through.\" He took her coat. \"Sit by the fire.\"")
    assert [s for _, s in speech(lines_of(text, [MARA, TOBIN]))] == ["Tobin", "Tobin", "Tobin"]


def test_attribution_only_a_beat_with_speech_on_both_sides_is_a_tag():
    res, para = scanned("\"Late, and wet through.\" She took his coat. \"Sit by the fire.\"", [MARA, TOBIN])
    ((tag, qi),) = _beat_between(para, res)
    assert (tag.kind, tag.gender, tag.where, qi) == ("pronoun", "female", "inside", 0)
    # After the last quote the sentence may be the listener's answer in a gesture: no tag.
    res, para = scanned("\"Late, and wet through.\" He took her coat.", [MARA, TOBIN])
    assert _beat_between(para, res) == []
    # A beat whose first sentence has no pronoun subject says nothing of the speaker's sex.
    res, para = scanned("\"Late.\" The rain went on. \"Sit by the fire.\"", [MARA, TOBIN])
    assert _beat_between(para, res) == []


BELL = Character("Mrs. Bell", ("Bell",), "female", 9)
KIT = Character("Kit", (), "female", 6)
DUNN = Character("Mr. Dunn", ("Dunn",), "male", 5)


def test_attribution_the_one_a_turn_calls_sir_answers_it():
    # Two women and a shopkeeper: "Please, sir" is said to the one man there, and the untagged reply is his.
    # Turn-taking between the aunt and the niece gave it to Kit.
    text = ("Mrs. Bell and Kit waited at the counter while Mr. Dunn weighed the flour.\n\n"
            "\"Two pounds of flour,\" said Mrs. Bell.\n\n"
            "\"Two pounds it is, ma'am.\"\n\n"
            "\"Kit, do you want anything?\"\n\n"
            "\"A stick of barley sugar.\"\n\n"
            "\"Please, sir, a stick of barley sugar for my niece.\"\n\n"
            "\"Barley sugar it is, ma'am.\"")
    got = speech(lines_of(text, [BELL, KIT, DUNN]))
    assert got[-1] == ("\"Barley sugar it is, ma'am.\"", "Mr. Dunn")

