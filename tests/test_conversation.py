"""attribute: conversation structure for untagged lines (vocatives, turn-taking), with hand-made fixtures."""

from __future__ import annotations

from narrator import attribution as attr
from narrator.models import Character

from .attribution_helpers import segments_of

CAST = [
    Character("Nell Harrow", ("Nell", "Miss Harrow"), "female", 20),
    Character("Mr. Quill", ("Quill",), "male", 12),
    Character("Tobias Fenn", ("Tobias", "Mr. Fenn"), "male", 10),
]


def _vocatives(quote: str) -> list[str]:
    """The vocatives attribution finds in a one-quote paragraph."""
    _, segs = segments_of(quote)
    res = attr._Resolver(CAST)
    (para,) = attr._paragraphs(segs)
    attr._scan_mentions(para, res)
    return para.vocatives


def test_conversation_name_before_an_aside_and_a_verb_is_the_subject_not_the_listener():
    # "Mr. Fenn, I suppose, keeps the mill": Mr. Fenn is talked about.
    assert _vocatives('"Mr. Fenn, I suppose, keeps the mill? He never reads."') == []
    assert _vocatives('"Quill, I dare say, will not come tonight."') == []


def test_conversation_name_before_an_aside_and_a_pronoun_is_still_addressed():
    assert _vocatives('"Nell, I think, you are wrong."') == ["Nell Harrow"]
    assert _vocatives('"Tobias, I know, come here at once."') == ["Tobias Fenn"]
    assert _vocatives('"Quill, come here."') == ["Mr. Quill"]
