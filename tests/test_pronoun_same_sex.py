"""Pronoun tags in a scene of one sex ("he said" between two men): what tells the men apart."""

from __future__ import annotations

from narrator.models import Character

from .attribution_helpers import lines_of, prepared, speech

TOM = Character("Tom Ashby", ("Tom",), "male", 30)
JAMES = Character("James Morley", ("James",), "male", 20)
KATE = Character("Kate Morley", ("Kate",), "female", 20)
CAST = [TOM, JAMES, KATE]


def _context_of(text: str, cast, spoken: str):
    """The resolver, paragraphs, index and context of the paragraph whose speech starts with `spoken`."""
    from narrator import speaker_features

    res, paras = prepared(text, cast)
    i = next(k for k, p in enumerate(paras) if p.quotes and p.quotes[0].text.lstrip('"').startswith(spoken))
    return res, paras, i, speaker_features.paragraph_context(i, paras, res)


def test_same_sex_the_paragraphs_own_lead_in_outweighs_turn_taking():
    # Tom asked, James answered; turn-taking would give the next line back to Tom, but the paragraph
    # itself says James is the one at the window: "he said" is his.
    text = ('Tom and James stood in the yard.\n\n"Is the coach late?" said Tom.\n\n"An hour late," said James.\n\n'
            'James looked out at the rain and frowned. "Then we shall have to wait," he said.')
    assert _context_of(text, CAST, "Then we")[3].lead_centre == "James Morley"
    assert [w for _, w in speech(lines_of(text, CAST))][-1] == "James Morley"


def test_same_sex_a_pronoun_first_lead_in_settles_nothing():
    # "He looked at James": the man named is the one looked at, not the one who speaks.
    text = ('Tom and James stood in the yard.\n\n"Is the coach late?" said Tom.\n\n"An hour late," said James.\n\n'
            'He looked at James and frowned. "Then we shall have to wait," he said.')
    assert _context_of(text, CAST, "Then we")[3].lead_centre is None


def test_same_sex_the_lead_in_does_not_name_the_one_spoken_to():
    text = ('Tom and James stood in the yard.\n\n"Is the coach late?" said Tom.\n\n"An hour late," said James.\n\n'
            'James looked out at the rain. "Then we shall wait, James," he said.')
    assert _context_of(text, CAST, "Then we")[3].lead_centre is None
    assert [w for _, w in speech(lines_of(text, CAST))][-1] == "Tom Ashby"


def test_same_sex_a_lead_in_of_the_other_sex_leaves_the_tag_to_the_turns():
    text = ('Tom and James stood in the yard.\n\n"Is the coach late?" said Tom.\n\n"An hour late," said James.\n\n'
            'Kate looked out at the rain. "Then we shall have to wait," he said.')
    assert _context_of(text, CAST, "Then we")[3].lead_centre is None


def test_same_sex_the_subject_of_a_later_clause_is_the_centre():
    # "He stood by the door, but James came over": the clause nearest the speech is James's.
    from narrator import speaker_features

    text = ('Tom was tired after the long walk.\n\nHe stood by the door, but James came over to him.\n\n'
            '"You look tired," he said.')
    res, paras, i, ctx = _context_of(text, CAST, "You look")
    assert speaker_features._centre(ctx, res, lambda j: paras[j].named, ctx.tag_to | set(paras[i].vocatives)) == "James Morley"


def test_same_sex_a_lead_in_tags_pronoun_goes_back_to_its_own_clauses_subject():
    # "James was busy with the harness, ..., as he answered:": the "he" of the tag is the clause's own subject,
    # though the sentence is the tag's and the turns would give the line back to Tom.
    text = ('Tom and James stood in the yard.\n\n"Is the coach late?" said Tom.\n\n"An hour late," said James.\n\n'
            '"Then we shall wait," said Tom.\n\n'
            'James was busy with the buckles of the old harness, and did not look round as he answered:\n\n'
            '"We shall wait a long while, then."')
    assert _context_of(text, CAST, "We shall")[3].lead_centre == "James Morley"
    assert [w for _, w in speech(lines_of(text, CAST))][-1] == "James Morley"
    # The same in the speech paragraph's own lead-in.
    text = ('Tom and James stood in the yard.\n\n"Is the coach late?" said Tom.\n\n"An hour late," said James.\n\n'
            '"Then we shall wait," said Tom.\n\n'
            'James was busy with the buckles, and did not look round as he answered: "We shall wait a long while."')
    assert _context_of(text, CAST, "We shall")[3].lead_centre == "James Morley"


def test_same_sex_a_lead_in_tag_clause_with_someone_else_in_it_settles_nothing():
    # Another man in the clause ("at him", "Tom's question", "and the carter"): the "he" may be either; the
    # turns decide, not the clause's subject.
    for lead_in in ("James looked at him for a while before he answered:",
                    "James was silent, and the carter shrugged as he answered:",
                    "James heard Tom's question, and he answered:"):
        text = ('Tom and James stood in the yard.\n\n"Is the coach late?" said Tom.\n\n"An hour late," said James.\n\n'
                '"Then we shall wait," said Tom.\n\n' + lead_in + '\n\n"We shall wait a long while, then."')
        assert _context_of(text, CAST, "We shall")[3].lead_centre is None, lead_in
