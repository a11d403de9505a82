"""Pronoun and epithet tags ("he said", "said the lad"): the right person of the scene, not a new character."""

from __future__ import annotations

from narrator.characters import find_characters

from .attribution_helpers import lines_of, segments_of, speech


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
