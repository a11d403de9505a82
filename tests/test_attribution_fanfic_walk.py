"""Three fan-fiction scenes written for a listener's walk through the formats (invented text, speakers
hand-checked before narrator ran): a crew in a squall (a captain called "Cap", a quartermaster known by his
job, an unseen voice from below, an unclosed quote, thoughts in asterisks), a first-person present-tense
bakery (a narrator named only by Mother's call-outs, "Mother" as a name, a rival known as "the baker") and a
pony festival (an epithet answered by name, a colon lead-in, a voice from the river, a filly never named).

Every line is checked; the ones narrator still gets wrong are listed by index, so a fix or a regression shows.
"""

from __future__ import annotations

import pytest

from narrator.characters import find_characters

from .attribution_helpers import FIXTURES, lines_of, segments_of, speech


def _misses(name: str) -> list[int]:
    text = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")
    want = [w for w in (FIXTURES / f"{name}.speakers").read_text(encoding="utf-8").splitlines()
            if w and not w.startswith("#")]
    story, segs = segments_of(text)
    chars = find_characters(story, segs)
    me = next((c.name for c in chars if "I" in c.aliases), None)
    got = [s for _, s in speech(lines_of(text, chars))]
    assert len(got) == len(want), got
    return [k for k, (g, w) in enumerate(zip(got, want, strict=True)) if g != (me if w == "I" else w)]


@pytest.mark.parametrize(("name", "misses"), [
    # Hob's reply to the question Tam runs to him with (turn-taking gives it to Tam); "Good lass," the
    # quartermaster grunted (the quartermaster is not tied to Hob: "the quartermaster, a grizzled old man
    # everyone called Hob" puts the name last); Pip, named only in Tam's reply, speaks as the unseen voice.
    ("squall", [1, 5, 7, 10]),
    # Fenwick is never a character of his own (one "Mr. Fenwick", one "Fenwick" acting): his lines are all
    # "the baker", one voice. Wren, Mother and every turn are right.
    ("bakery", [5, 6, 8, 11, 13, 15, 16]),
    # The filly is a noun of sex ("the filly nodded"), so no voice of her own: her line goes to Trixie.
    ("lantern", [8]),
])
def test_attribution_fanfic_walk_scenes(name: str, misses: list[int]):
    assert _misses(name) == misses
