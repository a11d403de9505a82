"""Where the cast already found is named in the story: one lookup and one pattern for every character's forms.

Epithet linking, the gender passes and the first-person narrator all read the text for the characters the
clustering made ("the last name before 'said the dragon'", "the one name in that paragraph's tag"). They share
these helpers from here, so none of them imports another or characters.py. So do name discovery and the cast
passes for where a name stands beside speech: an action beat leading into a quotation (leads_into_quote) and
its last sentence (in_last_sentence).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from narrator.models import Character, Segment


def name_lookup(chars: Sequence[Character]) -> dict[str, str]:
    """Every form of every character (aliases too, but not "I") -> that character's name."""
    lookup: dict[str, str] = {}
    for c in reversed(chars):  # salient characters win shared forms
        for form in (c.name, *c.aliases):
            if form and form != "I":
                lookup[form] = c.name
    return lookup


def mention_regex(lookup: dict[str, str]) -> re.Pattern[str] | None:
    """One pattern for a mention of any form in `lookup`, longest first (None for no forms)."""
    if not lookup:
        return None
    # Wrapped text breaks a name across lines: any whitespace may stand for a space.
    alts = sorted((r"\s+".join(re.escape(w) for w in k.split()) for k in lookup), key=len, reverse=True)
    # A look-ahead for the names' first letters changes no match and spares trying every name at every
    # other letter (an empty name, which would match anywhere, gets none).
    firsts = "(?=[" + "".join(sorted({re.escape(k.split()[0][0]) for k in lookup})) + "])" if all(
        k.split() for k in lookup) else ""
    return re.compile(r"(?<![^\W\d_])" + firsts + r"(?:" + "|".join(alts) + r")(?![^\W\d_])")


def paragraph_texts(body: Sequence[Segment], narration_only: bool = False) -> list[str]:
    """Each paragraph's segments joined with spaces (only its narration if asked), one string per paragraph."""
    paragraphs: list[list[str]] = []
    last = None
    for seg in body:
        if seg.paragraph != last:
            paragraphs.append([])
            last = seg.paragraph
        if not narration_only or seg.kind == "narration":
            paragraphs[-1].append(seg.text)
    return ["".join(" " + t for t in texts) for texts in paragraphs]


def leads_into_quote(body: Sequence[Segment], k: int) -> bool:
    """Whether segment k is an action beat: narration that leads straight into a quotation of its own paragraph
    ('Bob shrugged. "Not for me."')."""
    seg = body[k]
    nxt = body[k + 1] if k + 1 < len(body) else None
    return (seg.kind == "narration" and nxt is not None and nxt.kind == "dialogue"
            and nxt.paragraph == seg.paragraph and nxt.chapter == seg.chapter)


_LATER_SENTENCE = re.compile(r"[.!?;]\s+\S")


def in_last_sentence(rest: str) -> bool:
    """Whether `rest`, the text after a word, starts no new sentence: the word is in its text's last one."""
    return _LATER_SENTENCE.search(rest.rstrip()) is None
