"""Short stories whose people are named only by what they do, and speakers the cast does not hold.

Invented scenes (a user walk found each miss); every speaker is hand-checked.
"""

from __future__ import annotations

from narrator.characters import find_characters

from .attribution_helpers import lines_of, segments_of, speech


def _speakers(text: str) -> list[str | None]:
    return [s for _, s in speech(lines_of(text))]


def _cast(text: str) -> list[str]:
    story, segs = segments_of(text)
    return [c.name for c in find_characters(story, segs)]


def test_a_name_that_only_acts_in_a_beat_before_a_quote_is_its_speaker():
    # Bob is never tagged and never "was" anything: he shrugs, and speaks. Without the rule he is not in the
    # cast and his line goes to Ann.
    text = ('Ann set out the cups while the kettle boiled.\n\n"Tea?" Ann asked.\n\nBob shrugged. "Not for me."\n\n'
            '"Suit yourself," Ann said, and poured one cup.')
    assert "Bob" in _cast(text)
    assert _speakers(text) == ["Ann", "Bob", "Ann"]


def test_the_subject_of_a_beat_mid_sentence_is_a_person():
    # "by the time Cass woke." ends the beat before her line: the one who woke speaks, not Dorran.
    text = ('Dorran was supposed to keep the fire going, but it had burned down to ash by the time Cass woke. '
            '"You let it die," she said.\n\n"I was tired," said Dorran.')
    assert _speakers(text) == ["Cass", "Dorran"]


def test_a_name_that_opens_sentences_with_a_verb_again_and_again_is_a_person():
    text = ('The well was older than the village. Moss leaned over the rim and dropped a pebble into the dark.\n\n'
            '"Hello?" she called down.\n\nNothing answered but the splash. Moss waited a long time before she tried '
            'again.\n\n"Is anybody there?"')
    assert _speakers(text) == ["Moss", "Moss"]


def test_a_capitalised_word_acting_once_away_from_speech_is_not_a_person():
    # One sentence-start use, not before a quotation: a place or a thing as much as a person ("Thunder rolled").
    text = ('Thunder rolled over the hills.\n\n"We should go in," said Ann.\n\n"Not yet," said Bob.')
    assert "Thunder" not in _cast(text)
