"""Gender for the characters the clustering left unknown, from what the story says around them.

The clustering gives each character the gender its titles, given names and the pronouns after its names
vote for. Some get no vote: a newcomer described before being named ("an old man ..." then '"You're late,"
Tobin said'), a speaker the others answer with "sir" or "ma'am". These passes read the story for such
evidence and settle only the characters still unknown. Kept apart from characters.py because they start
from the finished cast, not from name forms.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Sequence

from narrator.lexicon import ADDRESS_RE, SPEECH_VERBS, UPPER, address_gender, noun_gender
from narrator.mentions import mention_regex, name_lookup, paragraph_texts
from narrator.models import Character, Segment

# "an old man", "a tall, thin girl": the article and up to four lower-case words after it.
_INDEFINITE_NOUN = re.compile(r"\b[Aa]n?\s+(?P<words>[a-z\-]+(?:,?\s+[a-z\-]+){0,3})")


def gender_from_introduction(chars: list[Character], body: Sequence[Segment]) -> list[Character]:
    """A character of unknown gender takes the gender of the person just introduced before their name.

    "The door opened on an old man ... " then '"You\'re late," Tobin said.': a newcomer first described
    ("an old man", "a girl") and named in the next paragraph or two is that man or girl, even when the
    story never gives them a pronoun of their own. Only the nearest introduction counts, and only when no
    other character is named between it and the name.
    """
    unknown = {c.name for c in chars if c.gender == "unknown"}
    lookup = name_lookup(chars)
    pattern = mention_regex(lookup)
    if not unknown or pattern is None:
        return chars
    paras = paragraph_texts(body)
    found: dict[str, str] = {}
    seen: set[str] = set()
    for i, para in enumerate(paras):
        for m in pattern.finditer(para):
            name = lookup[" ".join(m.group(0).split())]
            if name in seen:
                continue
            seen.add(name)
            if name not in unknown:
                continue
            window = "\n".join(paras[max(0, i - 2) : i]) + "\n" + para[: m.start()]
            nouns = [(m2.end(), _introduced_gender(m2.group("words"))) for m2 in _INDEFINITE_NOUN.finditer(window)]
            nouns = [(end, g) for end, g in nouns if g != "unknown"]
            if nouns and not pattern.search(window, nouns[-1][0]):
                found[name] = nouns[-1][1]
    if not found:
        return chars
    return [Character(c.name, c.aliases, found[c.name], c.mentions) if c.name in found else c for c in chars]


# A speech tag whose subject is a name: "said Rarity", "Rarity said" (not "he told Rarity").
_SPEAKER_TAG = re.compile(rf"^\W*(?:(?:{'|'.join(sorted(SPEECH_VERBS))})\s+[{UPPER}]|[{UPPER}][\w' .-]*?\s(?:{'|'.join(sorted(SPEECH_VERBS))})\b)")


def gender_from_address(chars: list[Character], body: Sequence[Segment]) -> list[Character]:
    """A character of unknown gender takes the gender of the "sir" or "ma'am" that answers them.

    '"Good morning, Captain," said Rarity.' then '"Morning, ma'am. Papers?"': the untagged reply right after
    a paragraph whose narration names one character speaks to that character. Every such reply must agree.
    """
    unknown = {c.name for c in chars if c.gender == "unknown"}
    lookup = name_lookup(chars)
    pattern = mention_regex(lookup)
    if not unknown or pattern is None:
        return chars
    paras: list[tuple[list[str], list[str]]] = []  # (narration, speech) per paragraph
    last = None
    for seg in body:
        if (seg.chapter, seg.paragraph) != last:
            paras.append(([], []))
            last = (seg.chapter, seg.paragraph)
        paras[-1][seg.kind == "dialogue"].append(seg.text)
    votes: dict[str, set[str]] = defaultdict(set)
    for (narr, speech), (narr2, speech2) in itertools.pairwise(paras):
        if not speech or not speech2 or any(t.strip() for t in narr2):
            continue  # a speech with a narrated tag, answered by a bare speech
        named = {lookup[" ".join(m.group(0).split())] for t in narr for m in pattern.finditer(t)}
        if len(named) != 1 or not any(_SPEAKER_TAG.search(t) for t in narr):
            continue  # the one name must be the speaker's ("said Rarity"), not the one spoken to ("he told Rarity")
        # "Morning, ma'am.", "Yes, sir!", "Oh, mother, do": lexicon's words of address, which attribution reads too.
        said = [address_gender(m.group(1)) for m in ADDRESS_RE.finditer(speech2[0][:120])]
        if said:
            votes[next(iter(named))].update(said)
    found = {n: next(iter(g)) for n, g in votes.items() if n in unknown and len(g) == 1}
    if not found:
        return chars
    return [Character(c.name, c.aliases, found[c.name], c.mentions) if c.name in found else c for c in chars]  # type: ignore[arg-type]


def _introduced_gender(words: str) -> str:
    """The gender of the first gendered head noun in "old man with a lamp" ("unknown" if none)."""
    for word in re.findall(r"[a-z]+", words):
        gender = noun_gender(word)
        if gender != "unknown":
            return gender
    return "unknown"
