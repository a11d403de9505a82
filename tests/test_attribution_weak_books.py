"""attribute: causes of error shared by the weakest development novels, with hand-made fixtures."""

from __future__ import annotations

from narrator import attribution as attr

from .attribution_helpers import segments_of
from .test_conversation import CAST


def _named_in_quote(quote: str) -> set[str]:
    """The characters attribution counts as named inside a one-quote paragraph's speech."""
    _, segs = segments_of(quote)
    res = attr._Resolver(CAST)
    (para,) = attr._paragraphs(segs)
    attr._scan_mentions(para, res)
    return para.in_quote


def test_a_name_in_someone_elses_reported_words_is_no_evidence_against_the_teller():
    # Tobias tells of a dealer who called him "Tobias": the name is the teller's own, in another's mouth.
    told = "\"At the fair a dealer caught my arm. 'Tobias,' said he, 'you want a horse.' I had no money.\""
    assert "Tobias Fenn" not in _named_in_quote(told)


def test_reported_words_whose_inner_marks_are_lost_still_report():
    # The same story where the inner quotation marks did not survive (a plain-text conversion).
    told = '"At the fair a dealer caught my arm. Tobias, said he, you want a horse. I had no money."'
    assert "Tobias Fenn" not in _named_in_quote(told)


def test_a_name_in_plain_speech_still_counts_as_named_in_the_quote():
    assert "Tobias Fenn" in _named_in_quote('"Tobias, you want a horse, and I have the very one."')
    # A reported line names someone who is not addressed: that mention still counts.
    assert "Mr. Quill" in _named_in_quote("\"'Bring Mr. Quill his hat,' said she, and went out.\"")
