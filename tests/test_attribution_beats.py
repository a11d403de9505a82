"""attribute: what a paragraph's action beat and the previous turn's words of address tell a reader."""

from __future__ import annotations

from narrator.attribution import _beat_between
from narrator.models import Character

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
