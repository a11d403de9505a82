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



def test_attribution_a_beat_that_reacts_to_the_line_is_the_listener_not_the_speaker():
    # "She flinched" between "Go home." and "Now." is Mara taking the order she has just been given: she
    # spoke the turn before (named), so this turn is Tobin's. "He looked at her" is the speaker's own beat.
    text = ("Mara stood in the doorway. Tobin had not moved from the fire.\n\n"
            "\"You came.\" He looked at her. \"I didn't think you would.\"\n\n"
            "\"I said I would,\" Mara said.\n\n"
            "\"Go home.\" She flinched. \"Now.\"\n\n"
            "\"You don't mean that.\"")
    assert [s for _, s in speech(lines_of(text, [MARA, TOBIN]))] == ["Tobin", "Tobin", "Mara", "Tobin", "Tobin",
                                                                      "Mara"]


def test_attribution_a_speaker_may_wince_at_their_own_words():
    # The one who winces is not the one who spoke last (Mara): it is Tobin's turn, and his wince.
    text = ("Mara and Tobin sat at the kitchen table.\n\n\"Sign it,\" said Mara.\n\n"
            "\"I won't.\" He winced. \"You can't make me.\"")
    assert [s for _, s in speech(lines_of(text, [MARA, TOBIN]))] == ["Mara", "Tobin", "Tobin"]


def test_attribution_a_lead_in_fragment_ending_in_a_colon_goes_on_with_the_sentence_before():
    # "Then, very quietly, to no one in particular:" has no subject of its own: it is Tobin's sentence going
    # on, and the next paragraph's line is his. Turn-taking gave it to Ivo, who spoke the turn before.
    ivo = Character("Ivo", (), "male", 8)
    text = ("Mara, Ivo and Tobin sat by the fire.\n\n\"It's late,\" said Mara.\n\n\"Not yet,\" said Ivo.\n\n"
            "Tobin watched the flames for a long while. Then, very quietly, to no one in particular:\n\n"
            "\"I used to have a house like that, Mara.\"\n\n\"What happened to it?\" Mara asked.")
    assert [s for _, s in speech(lines_of(text, [MARA, TOBIN, ivo]))] == ["Mara", "Ivo", "Tobin", "Mara"]


def test_attribution_a_voice_that_comes_in_a_beat_speaks_the_line_after_it():
    # "came a voice" / "A voice rose" just before the quotation: the unseen voice speaks it, and answers the
    # "Who's there?" after it. Turn-taking gave both to Mara.
    for beat in ("From the dark water below came a voice, low and amused.", "A voice rose from the dark water."):
        text = ("Mara and Tobin stood on the bridge.\n\n\"It burned,\" said Mara. \"Lanterns do.\"\n\n"
                f"{beat} \"Not all of them.\"\n\n\"Who's there?\" Tobin called.\n\n\"Only the river.\"")
        voice = Character("Voice", ("a voice", "the voice"), "unknown", 0)
        got = [s for _, s in speech(lines_of(text, [MARA, TOBIN, voice]))]
        assert got == ["Mara", "Mara", "Voice", "Tobin", "Voice"], (beat, got)


def test_attribution_the_voice_answers_who_is_there():
    # "Who's there?" asks after the unseen voice that has just spoken: its answer is the voice's, though Mara
    # and Tobin are both named in the narration between.
    text = ("Mara and Tobin stood on the bridge.\n\n\"It burned,\" said Mara. \"Lanterns do.\"\n\n"
            "From the dark water below came a voice, low and amused. \"Not all of them.\"\n\n"
            "Mara froze. Tobin grabbed her arm and pulled her back from the rail.\n\n"
            "\"Who's there?\" Tobin called.\n\n\"Only the river, little ones. Only the river.\"")
    voice = Character("Voice", ("a voice", "the voice"), "unknown", 0)
    got = [s for _, s in speech(lines_of(text, [MARA, TOBIN, voice]))]
    assert got == ["Mara", "Mara", "Voice", "Tobin", "Voice"], got
