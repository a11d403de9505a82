"""attribute: cues a careful reader takes from the text around an untagged or pronoun-tagged line.

Hand-made fixtures only (no corpus text): a first-person narrator, Abel, with Dorn and Ruth.
"""

from __future__ import annotations

from narrator.models import Character

from .attribution_helpers import lines_of

# The narrator's gender is never stated in their own voice: "unknown", as find_characters leaves it.
CAST = [
    Character("Abel Crane", ("I",), "unknown", 30),
    Character("Ruth Penrose", ("Ruth", "Miss Penrose"), "female", 12),
    Character("Mr. Dorn", ("Dorn",), "male", 10),
]


def who_of(text: str) -> list[str | None]:
    return [ln.speaker for ln in lines_of(text, CAST) if ln.segment.kind == "dialogue"]


def test_a_third_person_pronoun_tag_is_never_the_first_person_narrator():
    # The narrator spoke two turns back and is the subject of the narration just before the line, but
    # "she said" is someone else: a narrator tags their own words "I said".
    text = ('Dorn and I sat late over the fire that night. Miss Penrose had gone up an hour before.\n\n'
            '"Well?" said Dorn.\n\n"I cannot say," I answered.\n\n"You must," he said.\n\n'
            'I shrugged and looked into the fire. I had my doubts, and I kept them.\n\n'
            '"You will both forgive me," she said from the doorway.\n\n')
    assert who_of(text) == ["Mr. Dorn", "Abel Crane", "Mr. Dorn", "Ruth Penrose"]


def test_the_narrator_still_speaks_an_i_tagged_line():
    text = '"Well?" said Dorn.\n\n"I cannot say," I answered.\n\n'
    assert who_of(text) == ["Mr. Dorn", "Abel Crane"]
