"""Review-9 findings: rules that read one tense only, a prefix read in a fixed slice, address words."""

from __future__ import annotations

import pytest

from narrator.models import Character

from .attribution_helpers import scanned

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
