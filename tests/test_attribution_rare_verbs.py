"""attribute: rarer verbs of speaking ("interposed", "queried") make a tag like "said" does.

The named tags already read any verb in -ed; these verbs matter where only the speech-verb list is
consulted: a relation or a pronoun as the tag's subject ("interposed her mother").
"""

from __future__ import annotations

import pytest

from .attribution_helpers import lines_of

# A daughter, her mother and a man talk; the last line's tag names the mother only by relation.
_TALK = ('Oda Pell came into the kitchen with her mother, Mrs. Pell. Bram Hale was at the stove.\n\n'
         '"We should leave at dawn," said Oda.\n\n"Not before the frost lifts," said Bram.\n\n'
         '"She always says that," said Mrs. Pell.\n\n"Will you come, Bram?" said Oda.\n\n"Perhaps," said Bram.\n\n')


@pytest.mark.parametrize("verb", ["interposed", "interjected", "queried", "wailed", "implored"])
def test_attribution_a_rare_speech_verb_makes_a_relation_tag(verb):
    lines = [ln for ln in lines_of(_TALK + f'"The road is clear by then," {verb} her mother.\n')
             if ln.segment.kind == "dialogue"]
    assert lines[-1].speaker == "Mrs. Pell"

