"""Short fan-fiction scenes whose cast the story barely names: who a line cannot be, and the unknown voice.

Each fixture's .speakers file gives the speaker a careful reader hears. A speaker the story's discovered
cast does not hold (named once, or never) can at best be the unknown voice (None); a cast speaker must be
named. Known misses are listed by line, so a fix or a regression both show.
"""

from __future__ import annotations

from narrator.characters import find_characters
from narrator.models import Character

from .attribution_helpers import FIXTURES, lines_of, segments_of, speech


def _read(name: str) -> tuple[str, list[str | None]]:
    text = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")
    want = [None if ln == "(unknown)" else ln
            for ln in (FIXTURES / f"{name}.speakers").read_text(encoding="utf-8").splitlines()
            if ln and not ln.startswith("#")]
    return text, want


def _check(name: str, misses: tuple[int, ...] = (), cast: list[Character] | None = None) -> None:
    """Every line as the reader hears it (the unknown voice for someone outside the cast), but `misses`."""
    text, want = _read(name)
    story, segs = segments_of(text)
    chars = find_characters(story, segs) if cast is None else cast
    known = {c.name for c in chars}
    got = [s for _, s in speech(lines_of(text, chars))]
    assert len(got) == len(want), got
    best = [w if w in known else None for w in want]
    wrong = [i for i, (g, b) in enumerate(zip(got, best, strict=True)) if g != b]
    assert wrong == list(misses), list(zip(got, best, strict=True))


def test_she_said_with_no_woman_in_the_story_is_not_the_only_man():
    # "she asked" when the story names one man and no woman: the stranger off the cart, not Tom Hobb.
    _check("roadside")


def test_said_the_boy_is_not_the_named_mister():
    # Nobody calls a boy "Mr.": the boy on the step is someone unnamed, not the shopkeeper.
    _check("shopboy")


def test_a_bare_reply_to_the_only_known_speaker_is_someone_else():
    # Applejack and Pinkie Pie are named once each, as people ("Applejack was already there", "Pinkie Pie
    # sat"): in a scene this short that is enough to cast them. "said the pink pony" (a description tied
    # to nobody) answers Dash's "Pinks, ...", and "Aww." answers "Give that here.".
    # Known misses: "It ain't morning yet, sugarcube." answers "Morning, AJ!" (AJ is a nickname nothing
    # ties to Applejack) and "Give that here." after "The farmer sighed" (a description in an action beat).
    story, segs = segments_of(_read("kitchen")[0])
    assert {"Applejack", "Pinkie Pie", "Dash"} <= {c.name for c in find_characters(story, segs)}
    _check("kitchen", misses=(1, 4))


def test_a_first_person_narrator_is_never_he_and_does_not_answer_themselves():
    # "He shrugged." before a line is never the "I"; the untagged replies in between are Marcus's, who is
    # named once in the narration and called once ('"Marcus. Talk to me."'): cast in a short scene.
    story, segs = segments_of(_read("rooftop")[0])
    assert "Marcus" in {c.name for c in find_characters(story, segs)}
    _check("rooftop")


def test_a_line_that_calls_the_only_known_person_by_name_is_someone_elses():
    # "Um, Discord?" is never Discord's own, even when he is the only person the story's cast knows.
    # Fluttershy, named only as the subject of her actions, is in the cast since ff10; the last line, a reply
    # after a paragraph where she acts, still goes to her (turn-taking says Discord): a known miss.
    _check("teacups", misses=(3,))
