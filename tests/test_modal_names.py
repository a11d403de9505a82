"""characters: a name that is also a modal verb ("Will") is a name where the text can only mean a person."""

from __future__ import annotations

from narrator.characters import find_characters

from .attribution_helpers import lines_of, segments_of, speech

# Hope and her brother Will: "Will" is also the modal of "Will you stay?" and "I will not", so counting capitals
# cannot tell; but a modal takes a bare verb, never a past tense: "Will said", "Will laughed" name a person.
FARM = """Hope Adair had lived at the farm all her life. Her brother Will had not; he came back from the city in spring.

"You look terrible," Hope said, when she met him at the gate.

"Thank you, Hope," Will said. "I missed you too."

They walked up to the house together. Will stopped at the door and looked back at the long field.

"It hasn't changed," he said.

"It has," said Hope. "You just can't see it yet."

In the morning Will was up before her. Hope found him in the kitchen, making tea badly.

"You'll burn it," she told him.

"I will not."

Will laughed. "Then show me, Hope."

"Will you stay?" she asked.

"For a while," Will said. "If you'll have me."
"""


def test_modal_names_will_said_is_a_person() -> None:
    story, segs = segments_of(FARM)
    names = {c.name for c in find_characters(story, segs)}
    assert "Will" in names and "Hope" in names


def test_modal_names_will_speaks_his_lines() -> None:
    got = dict(speech(lines_of(FARM)))
    assert got['"Thank you, Hope,"'] == "Will"
    assert got['"For a while,"'] == "Will"
    assert got['"Will you stay?"'] == "Hope"  # the modal at the head of a question is no mention of him


def test_modal_names_a_modal_before_a_bare_verb_is_no_name() -> None:
    text = ('"Will you come?" Ann asked.\n\n"Can I?" said Ben. "Will it rain?"\n\n'
            "Will it matter? Ann wondered. Can anyone say?\n\n\"Must we go?\" said Ann.\n")
    story, segs = segments_of(text)
    assert {c.name for c in find_characters(story, segs)} == {"Ann", "Ben"}
