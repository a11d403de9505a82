"""attribute: conversation structure for untagged lines (vocatives, turn-taking), with hand-made fixtures."""

from __future__ import annotations

from narrator import attribution as attr
from narrator.models import Character

from .attribution_helpers import lines_of, segments_of

CAST = [
    Character("Nell Harrow", ("Nell", "Miss Harrow"), "female", 20),
    Character("Mr. Quill", ("Quill",), "male", 12),
    Character("Tobias Fenn", ("Tobias", "Mr. Fenn"), "male", 10),
    Character("Mrs. Vane", (), "female", 8),
]


def who_of(text: str) -> list[str | None]:
    """The speaker of every dialogue line of `text`, with the test cast."""
    return [ln.speaker for ln in lines_of(text, CAST) if ln.segment.kind == "dialogue"]


def _vocatives(quote: str) -> list[str]:
    """The vocatives attribution finds in a one-quote paragraph."""
    _, segs = segments_of(quote)
    res = attr._Resolver(CAST)
    (para,) = attr._paragraphs(segs)
    attr._scan_mentions(para, res)
    return para.vocatives


def test_conversation_name_before_an_aside_and_a_verb_is_the_subject_not_the_listener():
    # "Mr. Fenn, I suppose, keeps the mill": Mr. Fenn is talked about.
    assert _vocatives('"Mr. Fenn, I suppose, keeps the mill? He never reads."') == []
    assert _vocatives('"Quill, I dare say, will not come tonight."') == []


def test_conversation_name_before_an_aside_and_a_pronoun_is_still_addressed():
    assert _vocatives('"Nell, I think, you are wrong."') == ["Nell Harrow"]
    assert _vocatives('"Tobias, I know, come here at once."') == ["Tobias Fenn"]
    assert _vocatives('"Quill, come here."') == ["Mr. Quill"]


def _chains(text: str) -> list[int]:
    """The conversation number of every speech paragraph of `text`."""
    _, segs = segments_of(text)
    res = attr._Resolver(CAST)
    paras = attr._paragraphs(segs)
    for p in paras:
        attr._scan_mentions(p, res)
    attr._chains(paras, res)
    return [p.chain for p in paras if p.quotes]


def test_conversation_narration_naming_two_people_starts_a_new_exchange():
    text = ('"Is the mill shut?" asked Mr. Quill.\n\n"Since noon," said Tobias.\n\n'
            'Nell had not gone a hundred yards before Tobias caught her up.\n\n'
            '"Did you think I was lost?" she asked him.\n\n"No."')
    chains = _chains(text)
    assert chains[0] == chains[1]
    assert chains[2] == chains[3] != chains[1]


def test_conversation_narration_naming_one_person_keeps_the_exchange():
    text = ('"Is the mill shut?" asked Mr. Quill.\n\n"Since noon," said Tobias.\n\n'
            'Mr. Quill frowned at the window.\n\n"Then we walk."\n\n"We walk."')
    assert len(set(_chains(text))) == 1


def test_conversation_new_exchange_follows_the_pronoun_not_the_old_turn_order():
    # Mrs. Vane and Tobias talk; then Nell is overtaken by Tobias and asks him something. The lines
    # after it are Nell's and Tobias's: Mrs. Vane's turns belong to the talk before.
    text = ('"Is the mill shut?" asked Mrs. Vane.\n\n"Since noon," said Tobias.\n\n'
            '"And the barges?" asked Mrs. Vane.\n\n"Gone down river," said Tobias.\n\n'
            'Nell had not gone a hundred yards before Tobias caught her up.\n\n'
            '"Did you think I was lost?" she asked him.\n\n"No; I knew you were not."\n\n'
            '"Then why did you come after me?"\n\n"I never thought of it."\n\n"Thought of what?"')
    assert who_of(text)[-5:] == ["Nell Harrow", "Tobias Fenn", "Nell Harrow", "Tobias Fenn", "Nell Harrow"]


def test_conversation_long_narration_after_a_speech_in_its_paragraph_ends_the_exchange():
    walk = "They walked on past the mill and the weir and the long row of cottages. " * 7
    text = f'"Is the mill shut?" asked Mr. Quill.\n\n"Since noon," said Tobias. {walk}\n\n"Then we walk."'
    short = '"Is the mill shut?" asked Mr. Quill.\n\n"Since noon," said Tobias, turning.\n\n"Then we walk."'
    assert len(walk) > attr._CHAIN_GAP_CHARS
    chains, kept = _chains(text), _chains(short)
    assert chains[1] != chains[2]
    assert kept[1] == kept[2]
