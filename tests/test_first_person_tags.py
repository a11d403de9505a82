"""First-person speech tags the narrator's lines carry: before the speech, across a paragraph break."""

from __future__ import annotations

from .attribution_helpers import lines_of, speech

# An invented first-person scene: the narrator (called "Wren" by the others), her friend Orrin and a
# neighbour, Mrs. Pell.
_OPENING = ('Orrin Vale was waiting at the gate when I came up the hill.\n\n'
            '"You\'re late, Wren," said Orrin.\n\n"I know," I said.\n\n"Wren, come in," said Orrin.\n\n'
            '"Coming," said I.\n\n"Good, Wren," said Orrin.\n\n'
            'Mrs. Pell was in the kitchen. "Orrin, is that Wren?" Mrs. Pell asked.\n\n'
            '"It is," said Orrin.\n\n')


def test_first_person_tag_before_the_speech_in_a_paragraph_of_its_own():
    # The narrator's own lead-in ("and then I stepped in and said:") hands the next paragraph's words
    # to the narrator, as "Tam stepped in and said:" hands them to Tam.
    text = _OPENING + ('I hesitated in the doorway, and then I stepped in and said:\n\n'
                       '"Good evening, Mrs. Pell."\n\n"Good evening, dear," said Mrs. Pell.\n\n')
    got = dict(speech(lines_of(text)))
    assert got['"Good evening, Mrs. Pell."'] == got['"I know,"']
    assert got['"Good evening, Mrs. Pell."'] not in (None, got['"It is,"'], "Mrs. Pell")


def test_first_person_lead_in_with_someone_else_as_subject_is_theirs():
    # The other side: "Orrin looked at me and said:" is Orrin's lead-in, though the narrator ("me") is in it.
    text = _OPENING + ('Orrin looked at me and said:\n\n"Sit down."\n\n"Thank you," I said.\n\n')
    got = dict(speech(lines_of(text)))
    assert got['"Sit down."'] == got['"It is,"'] and got['"It is,"'] is not None  # Orrin's


def _last_two(extra: str) -> tuple[str | None, str | None]:
    """(speaker of the last line, speaker of the narrator's tagged '"I know," I said') after `extra`."""
    got = speech(lines_of(_OPENING + '"We should dance," said Mrs. Pell.\n\n' + extra))
    return got[-1][1], dict(got)['"I know,"']


def test_first_person_was_my_answer_is_the_narrators_tag():
    # "was his answer" names a man; "was my answer" names the narrator, as "said I" does.
    last, narrator = _last_two('"The floor is too small," was my answer.\n\n')
    assert narrator is not None and last == narrator


def test_first_person_me_beside_the_speech_is_not_the_speaker():
    # The other side: "Orrin grinned at me." makes the narrator the listener, not the speaker.
    last, narrator = _last_two('Orrin grinned at me. "The floor is too small."\n\n')
    assert last is not None and last != narrator
