"""gender: what the story's words say of a character's sex, name form by name form and for the finished cast.

The clustering gives each character the gender its titles, given names and the pronouns after its names
vote for. The pronoun votes are counted here, per name form, while characters.py collects the forms
(count_pronouns: the first "he" or "she" after a name in the narration, a reflexive, a participle clause's
possessive; count_apposition: "Rarity, the young mare"). Some characters get no vote: a newcomer described
before being named ("an old man ..." then '"You're late," Tobin said'), a speaker the others answer with
"sir" or "ma'am". The passes over the finished cast (gender_from_introduction, gender_from_address) read the
story for such evidence and settle only the characters still unknown.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from narrator.lexicon import (
    ADDRESS_RE,
    FEMALE_PRONOUNS,
    LETTER_WORD_RE,
    LOOK_VERBS,
    MALE_PRONOUNS,
    SPEECH_VERBS,
    STOPWORDS,
    SUBJECT_LEAD,
    TITLES,
    UPPER,
    address_gender,
    noun_gender,
)
from narrator.mentions import mention_regex, name_lookup, paragraph_texts
from narrator.models import Character, Segment

if TYPE_CHECKING:
    from narrator.name_clusters import NameForm

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


# Per name form, while characters.py collects the forms: the votes the clustering counts.


def _possessive(ahead: str, found: list[re.Match[str]], j: int) -> bool:
    """Whether the "her" at found[j] is a possessive: a noun follows it ("her nose", not "her how")."""
    nxt = found[j + 1].group().lower() if j + 1 < len(found) else ""
    return (bool(nxt) and nxt not in _NOT_A_NOUN and not (nxt.endswith("ly") and nxt not in _LY_NOUNS)
            and ahead[found[j].end() : found[j + 1].start()].isspace())


# "-ly" words that are nouns; any other after "her" is an adverb ("looked at her helplessly": an object).
_LY_NOUNS = frozenset(["family", "belly", "lily", "folly", "jelly", "ally", "holly", "rally", "bully", "melancholy"])


def _named_subject(text: str, start: int, kept: list[str]) -> bool:
    """Whether the name at start is its sentence's subject with nobody named or described before it: it opens
    the sentence ("And Quill ..."), follows a speech verb ("said Quill, with her ..."), or opens a second clause
    of a sentence it also opened ("Twilight Sparkle closed the book, and Twilight Sparkle sighed at her
    notes"). Not "the sight of Matthew ... her", nor "Starlight stood there, and Spike huddled under her cloak"."""
    head = text[max(0, start - 200) : start]
    cut = max(head.rfind(c) for c in ".!?;:\"\u201c\u201d")
    words = LETTER_WORD_RE.findall(head[cut + 1 :])
    if all(w.lower() in SUBJECT_LEAD or w.lower() in SPEECH_VERBS for w in words):
        return True
    names = [w for w in words if w[0].isupper() and w not in STOPWORDS]
    return (len(words) > 2 and words[-1] in ("and", "but") and bool(names) and all(w in kept for w in names)
            and (words[0] in kept or words[0] in TITLES))


# Nouns that say a person's sex and nothing else (no rank or trade: "Sella, the captain" may be a woman).
_SEX_NOUNS = {w: "male" for w in ("man", "gentleman", "boy", "lad", "fellow", "youth", "father", "brother", "son", "uncle",
                                  "husband", "nephew", "grandfather", "grandson", "widower", "stallion", "colt")}


_SEX_NOUNS.update({w: "female" for w in ("woman", "lady", "girl", "lass", "mother", "sister", "daughter", "aunt", "wife",
                                         "niece", "grandmother", "granddaughter", "widow", "mare", "filly")})


_SEX_ALT = "|".join(sorted(_SEX_NOUNS))


# "their father Harl", "the mare Rarity": a sex noun right before the name, after a determiner.
_APPOSED_BEFORE = re.compile(rf"\b(?:[Tt]he|[Aa]n?|[Mm]y|[Hh]is|[Hh]er|[Tt]heir|[Oo]ur|[Yy]our)\s+(?:[a-z-]+\s+)?(?P<noun>{_SEX_ALT})\s+$")


# "Rarity, the young mare," / "Tobin, her brother.": the noun heads a phrase set off after the name (not
# an item of a list: "Rarity, the colt, and the filly"; nor "my lady" after a name, a form of address to
# someone else: "Rosings, my lady, I dare say").
_APPOSED_AFTER = re.compile(rf"\s*,\s*(?!my lady\b)(?:the|an?|my|his|her|their|our|your)\s+(?:[a-z-]+\s+){{0,3}}?(?P<noun>{_SEX_ALT})(?=\s*[,.;:!?]|\s+who\b)(?!\s*,\s*(?:and|or)\b)")


# "Returning to his basket, Rabbit sighed": a sentence opened by a participle clause with a possessive in it,
# closed by a comma right before the name. The clause's unstated subject is the name, so is the possessive's owner.
# Lower-case words only, so no one else is named in the clause, and no "that" or "what" opening a clause of its
# own ("Seeing that her thoughts were elsewhere, Cecil": her thoughts are someone else's).
_FRONTED_PARTICIPLE = re.compile(r"(?P<verb>[A-Z][a-z]+ing)(?:\s+(?!that\b|what\b|whether\b|if\b|how\b|as\b|when\b)[a-z]+)*?"
                                 r"\s+(?P<pron>his|her)\s+(?P<next>[a-z]+)(?:\s+[a-z]+)*\s*,\s*$")


# Capitalised -ing words that are no participle with the name as subject: prepositions ("During his stay,
# Emma ...": anyone's stay) and nouns.
_NOT_PARTICIPLES = frozenset(["During", "Notwithstanding", "Regarding", "Concerning", "Including", "Considering",
                              "Excepting", "Barring", "Pending", "Following", "According", "Touching", "Respecting",
                              "Morning", "Evening", "Nothing", "Something", "Anything", "Everything", "King", "Spring",
                              "Thing", "Wedding", "Darling", "Ring", "Sing", "Bring"])


def _count_fronted_participle(form: NameForm, text: str, start: int) -> None:
    head = text[max(0, start - 120) : start]
    cut = max(head.rfind(c) for c in ".!?;:\"\u201c\u201d")
    m = _FRONTED_PARTICIPLE.match(head[cut + 1 :].lstrip())
    if m is None or m.group("verb") in _NOT_PARTICIPLES or m.group("next") in _NOT_A_NOUN:
        return  # "Handing her the basket, Rabbit ...": an object "her" is somebody else
    if m.group("pron") == "his":
        form.he += 1
    else:
        form.she += 1


def count_apposition(form: NameForm, before: str, after: str) -> None:
    """A noun of sex in apposition to the name tells its gender as well as a pronoun does (counted as two)."""
    m = _APPOSED_BEFORE.search(before) or _APPOSED_AFTER.match(after)
    if m is None:
        return
    if _SEX_NOUNS[m.group("noun")] == "male":
        form.he += 2
    else:
        form.she += 2


_CLAUSE_END = re.compile(r"[.!?;:\u2014\"]|--")


def _count_reflexive(form: NameForm, ahead: str) -> None:
    """Count a reflexive pronoun in the clause after a name, before any other name or capitalised word."""
    clause = ahead[: m.start()] if (m := _CLAUSE_END.search(ahead)) else ahead
    for j, w in enumerate(LETTER_WORD_RE.findall(clause)):
        if j and w[0].isupper() and w not in STOPWORDS:
            return  # "Edna watched Robert help himself": the reflexive goes with the nearer name
        if w == "himself":
            form.he_self += 1
            return
        if w == "herself":
            form.she_self += 1
            return


# Words that cannot follow a possessive "her": after them "her" is an object ("showed her how").
_NOT_A_NOUN = frozenset(["the", "a", "an", "this", "that", "these", "those", "his", "her", "their", "my", "your", "our", "its",
                         "how", "what", "where", "when", "why", "who", "whether", "if", "to", "and", "but", "or", "so",
                         "up", "down", "out", "in", "off", "back", "away", "over", "on", "again", "too", "as", "with",
                         "for", "from", "into", "at", "by", "of", "something", "nothing", "everything", "it"])


_OBJECT_PREPS = frozenset(["under", "over", "with", "for", "to", "at", "by", "beside", "behind", "near", "from", "into", "onto", "upon", "on", "of", "about", "around"])


def count_pronouns(form: NameForm, seg_text: str, m: re.Match[str], kept: list[str]) -> None:
    """Count the pronouns that tell the sex of the name `m` found in narration (`kept`: its name words): the
    possessive of a participle clause that opens its sentence, a reflexive in its clause and the first
    personal pronoun after it."""
    _count_fronted_participle(form, seg_text, m.start())
    # Gender: the first personal pronoun after the name, before another name turns up.
    ahead = seg_text[m.end() : m.end() + 160]
    _count_reflexive(form, ahead)
    found = list(LETTER_WORD_RE.finditer(ahead))[:25]
    ws = [f.group() for f in found]
    alone: bool | None = None  # whether the name is its sentence's named subject (worked out once)
    for j, w in enumerate(ws):
        lw = w.lower()
        if j and w[0].isupper() and w not in STOPWORDS:
            return
        if lw in ("her", "him") and j and ws[j - 1].lower() in _OBJECT_PREPS:
            # "Spike huddled under her cloak": the "her" may be someone named before Spike. A
            # possessive ("up to her nose", "with her headset") goes with the sentence's named
            # subject when nobody else is named before it: "Priya comes in with her headset".
            if lw == "him" or not _possessive(ahead, found, j) or (
                    j > 1 and ws[j - 1].lower() == "at" and ws[j - 2].lower() in LOOK_VERBS):
                return  # "Berry looked at her hard": one looks at someone else
            if re.search(r"[.!?;]", ahead[: found[j].start()]):
                return  # only within the name's own sentence
            if alone is None:
                alone = _named_subject(seg_text, m.start(), kept)
            if not alone:
                return
        if lw == "him" or (lw == "her" and not _possessive(ahead, found, j)):
            # An object pronoun right after a name is somebody else: "Tobin showed her how",
            # "Pip corrected her.", "Sella handed him the can". "her" before a noun is possessive.
            return
        if lw in MALE_PRONOUNS:
            form.he += 1
            return
        if lw in FEMALE_PRONOUNS:
            form.she += 1
            return
