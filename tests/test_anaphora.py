"""Pronoun and epithet tags ("he said", "said the lad"): the right person of the scene, not a new character."""

from __future__ import annotations

from narrator.characters import find_characters
from narrator.models import Character

from .attribution_helpers import lines_of, prepared, segments_of, speech


def test_anaphora_the_lad_is_whichever_young_man_the_scene_holds():
    # Two young men, each called "the lad" in his own scene: the words are a gendered pronoun, not
    # a third character who speaks both men's lines.
    scene_a = ('"Evening, Nell," said Tom Ashby at the gate.\n\n"Evening," said Nell Vesey.\n\n'
               'Tom Ashby leaned on the gate. He was tired.\n\n"The harvest is in," said the lad.\n\n')
    scene_b = ('"Good day, aunt," said Osric Penhale by the stove.\n\n"Sit down," said Aunt Wren.\n\n'
               'Osric Penhale sat down and stared at his cup.\n\n"It is too hot," cried the lad.\n\n')
    text = scene_a + scene_b + scene_a + scene_b
    story, segs = segments_of(text)
    names = {c.name.lower() for c in find_characters(story, segs)}
    assert "the lad" not in names
    got = [w for t, w in speech(lines_of(text)) if t.startswith(('"The harvest', '"It is too'))]
    assert got == ["Tom Ashby", "Osric Penhale", "Tom Ashby", "Osric Penhale"]


JAMES = Character("James Morley", ("James",), "male", 20)
KATE = Character("Kate Morley", ("Kate",), "female", 20)
ANNE = Character("Anne Price", ("Anne",), "female", 10)


def _lines(text: str, cast):
    return [ln for ln in lines_of(text, cast) if ln.segment.kind == "dialogue"]


def test_anaphora_she_in_a_paragraph_named_for_a_man_is_a_second_speaker():
    # The paragraph's tag names James, but "she replied" cannot be him: the woman he addresses answers.
    text = ('Anne had gone upstairs. The door closed behind her.\n\n'
            '"Well, Kate, how do you like my friend?" said James. "I like him very much," she replied, '
            '"he seems very agreeable."')
    lines = _lines(text, [JAMES, KATE, ANNE])
    assert [ln.speaker for ln in lines] == ["James Morley", "Kate Morley", "Kate Morley"]
    # Her lines rest on a pronoun, not on a name: they say so and are less sure than the named tag.
    assert lines[1].evidence == "anaphoric" and lines[1].confidence < lines[0].confidence


def test_anaphora_a_pronoun_of_the_named_speakers_gender_stays_with_him():
    text = '"Well, Kate, how do you like my friend?" said James. "I hope you do," he added.'
    assert [ln.speaker for ln in _lines(text, [JAMES, KATE, ANNE])] == ["James Morley", "James Morley"]


def test_anaphora_he_then_she_in_one_paragraph_are_two_speakers():
    text = ('James and Kate stood at the window.\n\n'
            '"It will rain," he said. "Then we stay in," she answered.')
    assert [ln.speaker for ln in _lines(text, [JAMES, KATE])] == ["James Morley", "Kate Morley"]


def test_anaphora_the_object_of_a_speech_verb_is_no_speaker():
    # "answered the door" and "repeated the question" name things; "said the ladies" names a group.
    text = ('Mrs. Hollis answered the door. "Who is it?" she asked.\n\n'
            'Mrs. Hollis answered the door again. "Not you," she said.\n\n'
            '"Again?" said the ladies.\n\n"Again," said the ladies.\n\n'
            'Tom Ashby repeated the question. "Where is he?" said Tom Ashby.\n\n'
            'Tom Ashby repeated the question. "Well?" said Tom Ashby.\n\n')
    story, segs = segments_of(text)
    forms = {f.lower() for c in find_characters(story, segs) for f in (c.name, *c.aliases)}
    assert not forms & {"the door", "the question", "the ladies"}


def test_anaphora_a_role_noun_gives_its_character_a_gender():
    # Nobody calls her "she" near her name, but a duchess and a landlord are a woman and a man.
    text = ('Tom Ashby bowed. "Welcome," said the duchess.\n\n"Thank you," said Tom Ashby.\n\n'
            '"More wine," said the duchess.\n\n"At once," cried the landlord.\n\n'
            '"And bread," said the landlord.\n\n') * 2
    story, segs = segments_of(text)
    gender = {c.name: c.gender for c in find_characters(story, segs)}
    assert gender.get("the duchess") == "female" and gender.get("the landlord") == "male"


# Centering: "she said" continues the most salient woman of the text just before it (a subject before an
# object, the nearest sentence before the most mentioned person of the book), and a pronoun subject
# carries the earlier one on. KATE is mentioned far more often than ANNE: a frequency prior would pick her.
KATE_OFTEN = Character("Kate Morley", ("Kate",), "female", 60)
TOM = Character("Tom Ashby", ("Tom",), "male", 10)


def _centre_of(text: str, cast, spoken: str) -> str | None:
    """The centre _centre finds for the pronoun tag of the paragraph whose speech starts with `spoken`."""
    from narrator import speaker_features

    res, paras = prepared(text, cast)
    i = next(k for k, p in enumerate(paras) if p.quotes and p.quotes[0].text.lstrip('"').startswith(spoken))
    ctx = speaker_features.paragraph_context(i, paras, res)
    return speaker_features._centre(ctx, res, lambda j: paras[j].named, ctx.tag_to | set(paras[i].vocatives))


def test_anaphora_she_continues_the_subject_not_the_object_of_the_sentence_before():
    text = ('Kate sat by the fire with her sewing.\n\nAnne came in from the garden and looked at Kate.\n\n'
            '"The roses are finished," she said.')
    assert _centre_of(text, [JAMES, KATE_OFTEN, ANNE], "The roses") == "Anne Price"
    assert [w for _, w in speech(lines_of(text, [JAMES, KATE_OFTEN, ANNE]))] == ["Anne Price"]


def test_anaphora_a_pronoun_subject_carries_the_centre_past_a_named_object():
    # "She looked at Kate": "she" is still Anne, so the "she said" after it is Anne's too.
    text = ('Kate sat by the fire with her sewing.\n\nAnne came in from the garden. She looked at Kate '
            'for a long while.\n\n"The roses are finished," she said.')
    assert _centre_of(text, [JAMES, KATE_OFTEN, ANNE], "The roses") == "Anne Price"
    assert [w for _, w in speech(lines_of(text, [JAMES, KATE_OFTEN, ANNE]))] == ["Anne Price"]


def test_anaphora_the_clause_after_a_semicolon_is_nearer_than_the_sentence_start():
    text = ('James and Kate sat by the fire.\n\nJames was half asleep; but Tom came in from the yard, shook '
            'the rain from his coat and looked at James.\n\n"The roads are under water," he said.')
    assert _centre_of(text, [JAMES, KATE_OFTEN, TOM], "The roads") == "Tom Ashby"
    assert [w for _, w in speech(lines_of(text, [JAMES, KATE_OFTEN, TOM]))][-1] == "Tom Ashby"


def test_anaphora_the_last_speaker_of_the_gender_is_the_centre_across_an_exchange():
    # Anne was named first, but since then Kate has spoken and the narration names no other woman.
    text = ('Anne had gone upstairs.\n\n"Is the coach late?" said Anne.\n\n"I cannot say," said Tom.\n\n'
            '"Is it late?" said Kate.\n\n"An hour late," said James.\n\nJames looked out of the window.\n\n'
            '"Then we shall miss the dance," she said.')
    assert _centre_of(text, [JAMES, KATE, ANNE, TOM], "Then we") == "Kate Morley"
    # Right after the turn it answers, with nothing between, turn-taking decides: no centre from that turn.
    text = '"Is the coach late?" said Kate.\n\n"An hour late," she answered.'
    assert _centre_of(text, [JAMES, KATE, ANNE], "An hour") is None


def test_anaphora_the_one_spoken_to_is_not_the_centre():
    # Anne heads the sentence, but the tag speaks to her, or the speech calls her by name: "she" is Kate.
    to = 'Anne and Kate sat by the fire.\n\n"Time for bed," she said to Anne.'
    called = 'Anne and Kate sat by the fire.\n\n"Time for bed, Anne," she said.'
    for text in (to, called):
        assert _centre_of(text, [JAMES, KATE, ANNE], "Time for bed") == "Kate Morley"
        assert [w for _, w in speech(lines_of(text, [JAMES, KATE, ANNE]))] == ["Kate Morley"]
