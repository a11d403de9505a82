"""attribution: the scorer's features for a new voice joining an exchange, on invented conversations."""

from __future__ import annotations

from narrator import paragraphs, speaker_features
from narrator.models import Character

from .attribution_helpers import prepared, segments_of

CAST = [
    Character("Nell Harrow", ("Nell", "Miss Harrow"), "female", 20),
    Character("Mr. Quill", ("Quill",), "male", 12),
    Character("Tobias Fenn", ("Tobias", "Mr. Fenn"), "male", 10),
    Character("Mrs. Vane", (), "female", 8),
]
NELL, QUILL, TOBIAS, VANE = (c.name for c in CAST)


def _features(text: str, turns: list[str]) -> dict[str, dict[str, float]]:
    """The features of every candidate for the last speech paragraph of `text`, when the earlier speech
    paragraphs were spoken by `turns` (a true history, as in training)."""
    res, paras = prepared(text, CAST)
    speech = [i for i, p in enumerate(paras) if p.quotes]
    assert len(speech) == len(turns) + 1
    given = dict(zip(speech, turns, strict=False))
    weights = dict.fromkeys(speaker_features.FEATURES, 0.0)
    cands, _, feats = speaker_features.speaker_candidates(speech[-1], paras, speech[:-1], res, given.get, weights, True)
    return dict(zip(cands, feats, strict=True))


# Nell and Quill talk; Tobias is named in the narration of the exchange but has not spoken in it.
_ROOM = ('Nell sat by the fire with Mr. Quill, and Tobias leaned in the doorway.\n\n'
         '"The mill is shut," said Nell.\n\n"Since noon," said Quill.\n\n"Who shut it?"\n\n'
         '"The miller, I suppose."\n\n{last}')


def test_third_voice_someone_named_in_the_scene_who_has_not_spoken_has_entered():
    f = _features(_ROOM.format(last='"Nobody asked the miller."'), [NELL, QUILL, NELL, QUILL])
    assert f[TOBIAS]["entered"] == 1.0
    # The two who have spoken have not entered, whatever the narration says of them.
    assert f[NELL]["entered"] == 0.0 and f[QUILL]["entered"] == 0.0


def test_third_voice_the_one_person_besides_the_last_two_speakers_is_the_scene_other():
    f = _features(_ROOM.format(last='"Nobody asked the miller."'), [NELL, QUILL, NELL, QUILL])
    assert f[TOBIAS]["scene_other"] == 1.0
    assert f[NELL]["scene_other"] == 0.0
    # Two people besides the speakers: neither is "the one other".
    crowded = _ROOM.replace("and Tobias leaned", "and Tobias and Mrs. Vane leaned")
    f = _features(crowded.format(last='"Nobody asked the miller."'), [NELL, QUILL, NELL, QUILL])
    assert f[TOBIAS]["scene_other"] == 0.0 and f[VANE]["scene_other"] == 0.0
    assert f[TOBIAS]["entered"] == 1.0 and f[VANE]["entered"] == 1.0


def test_third_voice_someone_named_only_before_an_earlier_conversation_has_not_entered():
    # Tobias is named in the narration before a long break; the conversation after it does not name him.
    text = ('Tobias went out to the yard.\n\n"Cold," said Tobias.\n\n'
            + 'The afternoon wore on, and the light went grey over the fields and the river. ' * 8 + '\n\n'
            + 'Nell looked at Mr. Quill across the table.\n\n'
            '"The mill is shut," said Nell.\n\n"Since noon," said Quill.\n\n"Who shut it?"')
    f = _features(text, [TOBIAS, NELL, QUILL])
    assert f.get(TOBIAS, {}).get("entered", 0.0) == 0.0


def test_third_voice_naming_the_speaker_of_two_turns_back_marks_everyone_else():
    # Nell, Quill, and now a line that names Nell: not hers, and not Nell's turn-taking reply.
    f = _features(_ROOM.format(last='"You are wrong there, Nell."'), [NELL, QUILL, NELL, QUILL])
    assert f[TOBIAS]["voc_back"] == 1.0
    assert f[NELL]["voc_back"] == 0.0 and f[QUILL]["voc_back"] == 0.0
    # Naming the last speaker is the ordinary reply: no mark.
    f = _features(_ROOM.format(last='"You are wrong there, Quill."'), [NELL, QUILL, NELL, QUILL])
    assert f[TOBIAS]["voc_back"] == 0.0


def test_third_voice_features_copy_for_bare_speech_only():
    # The untagged line has nothing but speech: the bare copy carries the same value.
    f = _features(_ROOM.format(last='"You are wrong there, Nell."'), [NELL, QUILL, NELL, QUILL])
    assert f[TOBIAS]["voc_back_bare"] == f[TOBIAS]["voc_back"] == 1.0
    f = _features(_ROOM.format(last='"You are wrong there, Nell," he said.'), [NELL, QUILL, NELL, QUILL])
    assert f[TOBIAS]["voc_back"] == 1.0 and f[TOBIAS]["voc_back_bare"] == 0.0


def test_third_voice_one_called_by_name_in_the_last_turn_who_is_not_in_the_exchange():
    # Quill calls on Tobias, who has not spoken: the one called answers, against Nell's turn.
    f = _features(_ROOM.format(last='"I did."').replace('"The miller, I suppose."', '"Ask Tobias. Tobias, who shut it?"'),
                  [NELL, QUILL, NELL, QUILL])
    assert f[TOBIAS]["addressed_third"] == 1.0 and f[TOBIAS]["addressed"] == 1.0
    # Calling on the one whose turn it is anyway is plain turn-taking: no mark.
    f = _features(_ROOM.format(last='"I did."').replace('"The miller, I suppose."', '"Nell, who shut it?"'),
                  [NELL, QUILL, NELL, QUILL])
    assert f[NELL]["addressed_third"] == 0.0 and f[NELL]["addressed"] == 1.0


def test_third_voice_a_conversation_of_three_marks_its_earlier_speaker_and_its_alternation():
    three = ('Nell sat by the fire with Mr. Quill and Tobias.\n\n'
             '"The mill is shut," said Tobias.\n\n"Since noon," said Nell.\n\n"Who shut it?" said Quill.\n\n'
             '"The miller."\n\n"Nobody asked him."')
    f = _features(three, [TOBIAS, NELL, QUILL, NELL])
    assert f[TOBIAS]["returning"] == 1.0
    assert f[QUILL]["returning"] == 0.0 and f[NELL]["returning"] == 0.0  # the last two turns' speakers
    assert f[QUILL]["alternate_many"] == f[QUILL]["alternate"] == 1.0
    # Two speakers only: plain alternation, nobody returning.
    two = _ROOM.format(last='"Nobody asked the miller."')
    f = _features(two, [NELL, QUILL, NELL, QUILL])
    assert f[NELL]["alternate"] == 1.0 and f[NELL]["alternate_many"] == 0.0
    assert all(v.get("returning", 0.0) == 0.0 for v in f.values())


def test_third_voice_a_line_in_someones_own_words_scores_their_idiolect():
    # Tobias says "reckon" and "yonder" in his tagged lines; the untagged line in his words is likelier his.
    text = ('Nell sat by the fire with Mr. Quill and Tobias.\n\n'
            '"I reckon the mill yonder is shut," said Tobias.\n\n"Since noon, I believe," said Nell.\n\n'
            '"I believe you are right, as usual," said Quill.\n\n"I reckon the river yonder froze."\n\n'
            '"Reckon the miller went yonder, then."')
    f = _features(text, [TOBIAS, NELL, QUILL, TOBIAS])
    for other in (NELL, QUILL):
        assert f[TOBIAS]["idiolect"] > f[other]["idiolect"]
        assert f[TOBIAS]["idiolect_sum"] > f[other]["idiolect_sum"]
    # Someone with no tagged line has no profile: no evidence either way.
    res, _ = prepared(text, CAST)
    assert VANE not in res.voices and "Tobias Fenn" in res.voices


def test_third_voice_decoding_scores_the_features_only_when_weighted():
    # Decoding (no feature dicts) skips the third-voice features when the weights give them nothing; with a
    # weight they score exactly as the trace reads them.
    text = _ROOM.format(last='"Nobody asked the miller."')
    res, paras = prepared(text, CAST)
    speech = [i for i, p in enumerate(paras) if p.quotes]
    given = dict(zip(speech, [NELL, QUILL, NELL, QUILL], strict=False))
    weights = {**dict.fromkeys(speaker_features.FEATURES, 0.0), "entered": 1.5}
    cands, scores, _ = speaker_features.speaker_candidates(speech[-1], paras, speech[:-1], res, given.get, weights, False)
    assert dict(zip(cands, scores, strict=True))[TOBIAS] == 1.5
    assert dict(zip(cands, scores, strict=True))[NELL] == 0.0


def test_third_voice_word_profiles_are_built_only_when_asked():
    res, _ = prepared('"I reckon so," said Tobias.\n\n"Reckon what?"', CAST)
    assert TOBIAS in res.voices
    _, segs = segments_of('"I reckon so," said Tobias.\n\n"Reckon what?"')
    res, _ = paragraphs.prepare(segs, CAST, voices=False)
    assert res.voices == {}
