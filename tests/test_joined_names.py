"""Names with small words inside, written with spaces: "Vasel of the Oru", "Star Swirl the Bearded". A careful
reader takes each for one person when the word after "the" is nothing the story uses on its own. Every
fixture is written for these tests."""

from __future__ import annotations

from collections import Counter

from narrator.characters import _joined_names, find_characters
from narrator.lexicon import LETTER_WORD_RE

from .attribution_helpers import lines_of, segments_of, speech


def _chars(text: str):
    story, segs = segments_of(text)
    return find_characters(story, segs)


def _holder(chars, form):
    return next((c for c in chars if form == c.name or form in c.aliases), None)


def _joints(text: str) -> list[str]:
    counts = Counter(LETTER_WORD_RE.findall(text))
    lower = Counter({w: n for w, n in counts.items() if w[0].islower()})
    cap = Counter({w: n for w, n in counts.items() if w[0].isupper()})
    return _joined_names(text, lower, cap)


# A woman called "Vasel of the Oru" every time, beside a man called Pell; the story is hard-wrapped once
# inside her name.
_VASEL = (
    "Vasel of the Oru walked to the mill with Pell. The wind was up.\n\n"
    '"The sails will turn today," said Vasel of the Oru.\n\n'
    '"They turned yesterday too," Pell said. He kicked a stone.\n\n'
    "Vasel of the\nOru laughed at him and went on ahead. She did not wait.\n\n"
    '"Come on, Pell," said Vasel of the Oru.\n\n'
    "Pell followed her up the hill. Vasel of the Oru waited at the top.\n\n"
    '"You are slow," said Vasel of the Oru. She smiled.\n\n'
)


def test_joined_names_of_the_name_is_one_person_not_a_role():
    chars = _chars(_VASEL)
    vasel = _holder(chars, "Vasel of the Oru")
    assert vasel is not None and vasel.name == "Vasel of the Oru" and vasel.gender == "female"
    assert vasel is not _holder(chars, "Pell")
    # "the Oru" is part of her name, not somebody of its own.
    assert not any("the Oru" in (c.name, *c.aliases) for c in chars)
    assert _holder(chars, "Oru") in (None, vasel)


def test_joined_names_tags_name_the_whole_person():
    said = [who for text, who in speech(lines_of(_VASEL)) if "sails" in text or "slow" in text or "Come on" in text]
    assert said == ["Vasel of the Oru"] * 3


def test_joined_names_first_word_alone_is_the_same_person():
    # Later the story shortens her name to "Vasel": the same woman, not a second character.
    text = _VASEL + ('"Wait," said Vasel. She sat on the wall.\n\n'
                     '"I am waiting," Pell said.\n\n'
                     "Vasel looked at the sails for a long time.\n\n"
                     '"They turn," said Vasel.\n\n')
    chars = _chars(text)
    vasel = _holder(chars, "Vasel of the Oru")
    assert vasel is not None and _holder(chars, "Vasel") is vasel
    said = [who for t, who in speech(lines_of(text)) if t.strip('"') in ("Wait,", "They turn,")]
    assert said == ["Vasel of the Oru"] * 2


def test_joined_names_epithet_after_the_keeps_a_two_word_name_whole():
    text = (
        "Star Swirl the Bearded sat by the fire with Nim.\n\n"
        '"The spell is old," said Star Swirl the Bearded. He stroked his beard.\n\n'
        '"How old?" Nim asked. She leaned closer.\n\n'
        "Star Swirl the Bearded did not answer at once. He poked the fire.\n\n"
        '"Older than the hills," said Star Swirl.\n\n'
        "Nim laughed, and Star Swirl smiled at her.\n\n"
    )
    chars = _chars(text)
    star = _holder(chars, "Star Swirl the Bearded")
    assert star is not None and star is _holder(chars, "Star Swirl") and star.gender == "male"
    assert not any("the Bearded" in (c.name, *c.aliases) for c in chars)


def test_joined_names_a_place_the_story_names_alone_is_no_part_of_a_name():
    # "the Abbey" stands on its own again and again: "Ann of the Abbey" is Ann, who lives there.
    text = ("Ann of the Abbey came to town. Ann of the Abbey was tired. The Abbey was far away.\n\n"
            "She thought of the Abbey. Nobody at the Abbey knew. The Abbey bell rang. Near the Abbey, rain.\n\n")
    assert _joints(text) == []


def test_joined_names_only_names_the_story_repeats_and_no_titles_or_sentence_openers():
    # Once is no name ("gave Ann the News"); "Then the Captain" opens a sentence on a role.
    text = ("She gave Ann the News at noon. Then the Captain came. Then the Captain went.\n\n"
            "Tobin of the Marsh rode in. Tobin of the Marsh rode out.\n\n")
    assert _joints(text) == ["Tobin of the Marsh"]


def test_joined_names_shared_first_word_is_nobody_alone():
    # Two men called "Alfred ..." : "Alfred" alone could be either, so neither takes it as his.
    text = ("Alfred the Bold met Alfred the Small at the gate. Alfred the Bold was taller.\n\n"
            '"Good day," said Alfred the Small. He bowed.\n\n'
            '"Good day to you," said Alfred the Bold. He did not bow.\n\n'
            "Alfred the Small frowned at him.\n\n")
    chars = _chars(text)
    bold, small = _holder(chars, "Alfred the Bold"), _holder(chars, "Alfred the Small")
    assert bold is not None and small is not None and bold is not small
    assert "Alfred" not in bold.aliases and "Alfred" not in small.aliases


def test_joined_names_the_last_word_used_once_for_her_people_still_joins():
    # "the Oru woman" uses the word on its own once, as her people's name, not as somebody speaking: the
    # name stays whole, and her tagged lines are hers.
    text = ("Vasel of the Oru sat with Pell and Marn by the fire. The night was cold.\n\n"
            '"The wood is wet," Vasel of the Oru said. She poked the fire.\n\n'
            '"Then dry it," Pell said. He yawned.\n\n'
            'Marn looked at them both. "I will fetch more," Marn said.\n\n'
            'Vasel of the Oru shook her head. "Stay. It is dark."\n\n'
            '"I am not afraid," said Marn.\n\n'
            "The Oru woman laughed.\n\n")
    said = dict(speech(lines_of(text)))
    assert said['"The wood is wet,"'] == said['"Stay. It is dark."'] == "Vasel of the Oru"


def test_joined_names_a_word_the_story_makes_a_speaker_of_its_own_is_no_part_of_a_name():
    # "said the Oru" and "the Oru nodded" again and again: the Oru is somebody, and Vasel is of them.
    # (Fewer uses alone than whole: how they are used decides.)
    text = ("Vasel of the Oru came to the gate. Vasel of the Oru knocked. Vasel of the Oru waited.\n\n"
            '"Who is there?" said the Oru. The Oru nodded at Vasel of the Oru.\n\n')
    assert _joints(text) == []


def test_joined_names_after_a_dash_is_still_the_whole_name():
    # Novels run sentences together with dashes: "--Vasel of the Oru" is her name as much as after a space.
    text = _VASEL + ('"Stop--" Pell began.--Vasel of the Oru did not stop. She ran on.\n\n'
                     '"Wait for me!--Vasel of the Oru!" he called.\n\n')
    chars = _chars(text)
    assert not any("the Oru" in (c.name, *c.aliases) or c.name == "Oru" for c in chars)
