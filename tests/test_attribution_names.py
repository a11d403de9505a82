"""attribute and find_characters: who a name in a speech tag means (explicit tags, role names, common-noun names)."""

from __future__ import annotations

from narrator.models import Character

from .attribution_helpers import lines_of

MARA = Character("Mara", (), "female", 12)
SPIKE = Character("Spike", ("the dragon",), "male", 15)
FERRYMAN = Character("the ferryman", (), "male", 3)


def _dialogue(text: str, cast: list[Character] | None = None):
    return [ln for ln in lines_of(text, cast) if ln.segment.kind == "dialogue"]


def test_attribution_role_known_only_by_work_is_a_named_tag():
    # "the ferryman" is all the story calls him: the tag names him outright.
    text = ('Mara waited on the bank with Spike.\n\n"Is it far?" Mara asked.\n\n'
            '"Not far," said the ferryman.\n\n"Good," said Spike.\n')
    lines = _dialogue(text, [MARA, SPIKE, FERRYMAN])
    assert [(ln.speaker, ln.evidence) for ln in lines] == [
        ("Mara", "explicit"), ("the ferryman", "explicit"), ("Spike", "explicit")]


def test_attribution_epithet_of_a_named_character_stays_a_guess():
    # "the dragon" points at Spike but is not his name: it is weighed, not taken as a named tag.
    text = 'Mara waited on the bank with Spike.\n\n"Is it far?" Mara asked.\n\n"Not far," said the dragon.\n'
    lines = _dialogue(text, [MARA, SPIKE, FERRYMAN])
    assert lines[1].evidence == "anaphoric"
    assert lines[1].speaker == "Spike"
