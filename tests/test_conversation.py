"""attribute: conversation structure for untagged lines (vocatives, turn-taking), with hand-made fixtures."""

from __future__ import annotations

from narrator import attribution as attr
from narrator import paragraphs, speaker_features
from narrator.models import Character

from .attribution_helpers import lines_of, prepared, scanned, segments_of

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
    return scanned(quote, CAST)[1].vocatives


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
    _, paras = prepared(text, CAST)
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
    assert len(walk) > paragraphs._CHAIN_GAP_CHARS
    chains, kept = _chains(text), _chains(short)
    assert chains[1] != chains[2]
    assert kept[1] == kept[2]


# Hand-set weights for the decoder tests below: speaking twice in a row costs 3, naming yourself
# inside your own speech costs 2, taking turns earns 1.5; every other feature is switched off.
_TURN_WEIGHTS = {**dict.fromkeys(speaker_features.FEATURES, 0.0), "repeat_bare": -1.5, "repeat_bare_notag": -1.5,
                 "alternate": 1.5, "named_in_quote": -2.0}
_EXCHANGE = ('Nell was at the window when Mr. Quill came in from the yard.\n\n'
             '"The mill is shut," said Nell.\n\n"Since when?"\n\n"Since noon."\n\n'
             '"And the cart of Mr. Quill has gone too."\n\n"Gone where?"\n\n"To town," said Nell.')


def _decoded(text: str, weights: dict[str, float]) -> list[str | None]:
    _, segs = segments_of(text)
    return [ln.speaker for ln in attr.run(segs, CAST[:2], weights) if ln.segment.kind == "dialogue"]


def test_conversation_an_exchange_breaks_where_its_text_says_not_at_the_next_name_tag():
    # Nell speaks twice running ("And the cart of Mr. Quill...": Quill would not name himself). Keeping
    # strict turns instead would hand "Gone where?" to Nell right before "said Nell": that second break
    # in turn-taking must cost as much at the name tag as anywhere else.
    nell, quill = "Nell Harrow", "Mr. Quill"
    assert _decoded(_EXCHANGE, _TURN_WEIGHTS) == [nell, quill, nell, nell, quill, nell]


def _anchor_costs(text: str, turns: list[str | None]) -> list[float]:
    """_anchor_cost at every speech paragraph of `text`, when its earlier untagged paragraphs are `turns`."""
    _, paras = prepared(text, CAST)
    speech = [i for i, p in enumerate(paras) if p.quotes]
    given = dict(zip(speech, turns, strict=True))
    return [attr._anchor_cost(i, paras, speech[: speech.index(i)], given.get, _TURN_WEIGHTS) for i in speech]


def test_conversation_name_tag_costs_a_repeat_only_right_after_its_own_speaker():
    text = '"The mill is shut."\n\n"Since noon," said Nell.'
    assert _anchor_costs(text, ["Nell Harrow", "Nell Harrow"]) == [0.0, -3.0]
    assert _anchor_costs(text, ["Mr. Quill", "Nell Harrow"]) == [0.0, 0.0]
    # Narration between the two speeches: no adjacent turn to repeat.
    apart = '"The mill is shut."\n\nThe wind rose.\n\n"Since noon," said Nell.'
    assert _anchor_costs(apart, ["Nell Harrow", "Nell Harrow"]) == [0.0, 0.0]
    # A pronoun tag is scored by the model itself, not settled: no anchor cost.
    assert _anchor_costs('"The mill is shut."\n\n"Since noon," she said.', ["Nell Harrow", "Nell Harrow"]) == [0.0, 0.0]


def test_conversation_turn_taking_read_from_a_doubtful_guess_counts_less():
    # "Since when?" and "Since noon." were guessed; how sure the guesses were decides how much "it is
    # Quill's turn again" weighs for the last line. A wrong guess must not steer every later turn with
    # the full weight the scorer learnt from true speakers.
    text = ('Nell was at the window when Mr. Quill came in from the yard.\n\n'
            '"The mill is shut."\n\n"Since when?"\n\n"Since noon."')
    res, paras = prepared(text, CAST[:2])
    speech = [i for i, p in enumerate(paras) if p.quotes]
    turns = {speech[0]: "Nell Harrow", speech[1]: "Mr. Quill"}
    weights = {**dict.fromkeys(speaker_features.FEATURES, 0.0), "alternate": 2.0}

    def alternate_score(sure: float) -> float:
        cands, scores, _ = speaker_features.speaker_candidates(speech[2], paras, speech[:2], res, turns.get, weights, False,
                                            lambda j: sure)
        return dict(zip(cands, scores, strict=True))["Nell Harrow"]

    assert alternate_score(0.97) == 2.0  # a named turn counts in full
    assert 1.0 < alternate_score(0.5) < alternate_score(0.8) < 2.0
    # Training reads the true speakers: certain, in full.
    cands, scores, _ = speaker_features.speaker_candidates(speech[2], paras, speech[:2], res, turns.get, weights, False)
    assert dict(zip(cands, scores, strict=True))["Nell Harrow"] == 2.0
