"""One rule, one reading: verb lists that read both tenses, words checked at a real word boundary (not in a
fixed slice), one table of words of address for discovery and attribution, and a benchmark option refused
where it means nothing."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from narrator.characters import _collect, find_characters
from narrator.epithets import _vocatives
from narrator.first_person import _FIRST_PERSON_TAG
from narrator.gender import gender_from_address
from narrator.lexicon import FEMALE_ADDRESS, MALE_ADDRESS, address_gender
from narrator.mentions import mention_regex
from narrator.models import Character
from narrator.paragraphs import _denied

from .attribution_helpers import scanned, segments_of

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
    assert _denied(text, text.index("Nell")) is denied


@pytest.mark.parametrize("tag", [", said I.", ", says I.", ", asks I.", ", cries I.", ", replies I.", ", I said.", ", I add."])
def test_first_person_tag_in_either_order_and_tense(tag: str):
    assert _FIRST_PERSON_TAG.match(tag)


@pytest.mark.parametrize("text", [", said Ida.", ", Isaid.", " and I went home."])
def test_first_person_tag_needs_the_pronoun_and_a_speech_verb(text: str):
    assert not _FIRST_PERSON_TAG.match(text)


def test_a_storyteller_who_says_says_i_is_the_narrator_character():
    # A dialect teller tags their own lines "says I" and is otherwise hardly in the narration: two such tags make
    # a first-person narrator, as two "said I" do.
    story = ('The wagon came up the lane slow, with Jory Pike on the box and the mare half asleep in the traces.\n\n'
             '"You are late," says I.\n\n"The ford was up," said Jory Pike. "Mind the crates."\n\n'
             'Jory Pike climbed down and the mare shook her head at the flies that hung about the yard.\n\n'
             '"Then it is lucky the ford did not take you," says I.\n\n"Lucky for the crates," said Jory.\n\n')
    story_obj, segs = segments_of(story)
    chars = find_characters(story_obj, segs)
    assert any("I" in c.aliases for c in chars)


def _address_gender_of(text: str) -> str:
    """The gender character discovery gives "Quill" (unknown before) from the untagged reply that addresses him."""
    _, segs = segments_of(text)
    (quill,) = gender_from_address([Character("Quill", (), "unknown", 5)], segs)
    return quill.gender


@pytest.mark.parametrize(("reply", "gender"), [
    ('"Morning, ma\'am. The bread is in."', "female"),
    ('"Yes, sir!"', "male"),
    ('"Oh, mother, the bread is in."', "female"),
    ('"Not now, my boy."', "male"),
    ('"I told mother. The bread is in."', "unknown"),  # talked about, not to
    ('"I saw the old man."', "unknown"),
])
def test_the_reply_s_word_of_address_gives_the_tagged_speaker_a_gender(reply: str, gender: str):
    assert _address_gender_of(f'"Good morning," said Quill.\n\n{reply}\n\n') == gender


def test_a_present_tense_tag_counts_for_the_address_gender():
    # "Quill says" is a tag naming the speaker as "said Quill" is (SPEECH_VERBS holds both tenses).
    assert _address_gender_of('"Good morning," Quill says.\n\n"Morning, ma\'am."\n\n') == "female"
    assert _address_gender_of('"Good morning," says Quill.\n\n"Morning, sir."\n\n') == "male"


def test_attribution_and_discovery_read_one_table_of_address_words():
    assert not MALE_ADDRESS & FEMALE_ADDRESS
    assert {address_gender(w) for w in ("Sir", "MISTER", "papa")} == {"male"}
    assert {address_gender(w) for w in ("Ma'am", "miss", "Mother")} == {"female"}


def test_renamed_corpus_joint_outside_the_hyphen_style_is_one_error_line(tmp_path):
    # --joint only means something to --style hyphen: elsewhere it was dropped without a word.
    script = Path(__file__).resolve().parent.parent / "benchmarks" / "renamed_corpus.py"
    done = subprocess.run([sys.executable, str(script), str(tmp_path / "corpus"), "--out", str(tmp_path / "out"),
                           "--style", "common", "--joint", "hyphen"], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == ["error: --joint applies to --style hyphen only, not --style common"]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("speech", "called"), [
    ("Come here, my dear Basil.", {"Basil"}),
    ("Oh, DEAR Basil!", {"Basil"}),
    ("It will never endear Basil, not to them.", set()),  # a word ending in "dear" is no endearment
])
def test_discovery_reads_dear_before_a_name_as_a_word(speech: str, called: set[str]):
    lookup = {"Basil": "Basil"}
    assert _vocatives(speech, mention_regex(lookup), lookup) == called


@pytest.mark.parametrize("verb", ["frowned", "frowns", "grinned", "grins", "nodded", "nods", "looked", "looks"])
def test_her_after_looking_at_is_someone_else_in_either_tense(verb: str):
    # "Berry frowns at her brother": the "her" is whoever Berry looks at, no clue to Berry's own sex.
    forms: dict[str, object] = {}
    text = f"Berry {verb} at her brother and went out."
    _collect(text, True, forms, Counter(), Counter({"Berry": 1}))
    berry = next(f for f in forms.values() if f.words == ("Berry",))
    assert berry.she == 0
