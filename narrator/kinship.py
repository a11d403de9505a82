"""Kinship and age in speech tags: "said her mother", "cried his wife", "said the old man".

A relational tag names the speaker only through someone else (whose mother?), and an age word rules
some of the cast out (the old man is nobody the book calls by a given name). These helpers read such a
tag's words and answer who it can and cannot be; attribution.py weighs their answers with the rest.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from narrator.lexicon import CIVIL_EQUIVALENTS, CONTRAST_WORDS, FEMALE_NOUNS, MALE_NOUNS
from narrator.speech_tags import PREPOSITIONS, SENTENCE_END, SPEECH_WORDS, TAG_LEAD, SpeechTag

if TYPE_CHECKING:
    from narrator.resolver import CastIndex

# People-nouns that fit anyone of a sex or age ("Kell, the old man, ..."): never a fixed name of one character.
VAGUE_PEOPLE = MALE_NOUNS | FEMALE_NOUNS | {"person", "stranger", "child", "youth", "other", "one", "voice", "people"}


# Relations a possessive tag can name ("said her mother"), with the speaker's gender when it tells.
_RELATIONS = {
    **dict.fromkeys(["mother", "mamma", "mama", "aunt", "wife", "sister", "daughter", "niece", "grandmother", "hostess", "mistress", "lady", "governess", "stepmother", "sister-in-law", "mother-in-law"], "female"),
    **dict.fromkeys(["father", "papa", "uncle", "husband", "brother", "son", "nephew", "grandfather", "host", "master", "stepfather", "brother-in-law", "father-in-law", "fatherinlaw"], "male"),
    **dict.fromkeys(["companion", "friend", "cousin", "visitor", "guest", "partner", "interlocutor", "neighbour", "neighbor", "parent", "child", "lover", "informant", "hearer", "listener", "questioner", "fellow-traveller"], "unknown"),
}
_REL_WORDS = "|".join(sorted(_RELATIONS, key=len, reverse=True))
# After the quote: '"...," said her mother' / '"...," her mother answered'.
_REL_AFTER = re.compile(TAG_LEAD + r"(?:[a-z]+\s+){0,2}?(?P<pos>his|her|their)\s+(?:[a-z\-]+\s+){0,2}?"
                        r"(?P<rel>" + _REL_WORDS + r")\b")
# Before the quote, in the lead-in's last clause: 'Her mother looked up and said:'.
_REL_BEFORE = re.compile(r"\b(?P<pos>[Hh]is|[Hh]er|[Tt]heir)\s+(?:[a-z\-]+\s+){0,2}?(?P<rel>" + _REL_WORDS + r")\b[^.!?;]*$")
_OTHER_TAG = re.compile(TAG_LEAD + r"(?:[a-z]+\s+){0,2}?the\s+other\b(?!\s+(?:one|two|ladies|men|girls|women|people))")


# Titles a relation's holder is called by: a mother or an aunt is "Mrs." or "Lady", a daughter or a
# sister "Miss" or her given name, a father "Mr." or "Sir".
ELDER_FEMALE_RELATIONS = frozenset(["mother", "mamma", "mama", "aunt", "wife", "grandmother", "stepmother", "mother-in-law", "hostess", "mistress", "lady"])
_YOUNGER_F = frozenset(["daughter", "sister", "niece", "sister-in-law"])
ELDER_MALE_RELATIONS = frozenset(["father", "papa", "uncle", "husband", "grandfather", "stepfather", "father-in-law", "fatherinlaw", "host", "master"])
# "Mrs." and "Mr." and their equivalents in other languages ("Signora", "Frau", "Senor") come from
# lexicon.CIVIL_EQUIVALENTS, so each is spelled once.
_CIVIL_FORMS = {t: e for k, e in CIVIL_EQUIVALENTS.items()
                for t in ((k.lower() + ".",) if len(k) == 1 else (k.lower(), k.lower() + "."))}
_ELDER_F_TITLES = frozenset(["lady", "aunt", "mother", "mamma"]) | frozenset(
    t for t, e in _CIVIL_FORMS.items() if e == "Mrs")
_MALE_ONLY_TITLES = frozenset(["sir", "uncle", "lord", "general", "colonel", "captain", "admiral", "dr.", "father"]) | \
    frozenset(t for t, e in _CIVIL_FORMS.items() if e == "Mr")


def title_fits(rel: str, name: str, res: CastIndex) -> bool:
    """True when the titles `name` goes by suit the relation `rel` (an elder kinswoman is "Mrs.")."""
    forms = [name, *next((c.aliases for c in res.chars if c.name == name), ())]
    titles = {f.split()[0].lower() for f in forms if len(f.split()) > 1}
    if rel in forms[0].lower().split():
        return True  # "Aunt Juley", "Uncle Arthur"
    if rel in ELDER_FEMALE_RELATIONS:
        return bool(titles & _ELDER_F_TITLES)
    if rel in _YOUNGER_F:
        return not titles & _ELDER_F_TITLES
    if rel in ELDER_MALE_RELATIONS:
        return bool(titles & _MALE_ONLY_TITLES)
    return True


# The words of an unknown epithet tag: '"...," said the old man' / 'The old man said:'.
_EPITHET_AFTER = re.compile(TAG_LEAD + r"(?:[a-z]+\s+){0,2}?(?:the|The)\s+(?P<ep>[a-z\-]+(?:\s+[a-z\-]+){0,2})")
_EPITHET_BEFORE = re.compile(r"\b(?:the|The)\s+(?P<ep>[a-z\-]+(?:\s+[a-z\-]+){0,2})\b[^.!?;]*$")


UNIQUE_RELATIONS = frozenset(["mother", "father", "mamma", "mama", "papa", "husband", "wife"])
_COLLATERAL = frozenset(["aunt", "uncle", "cousin", "niece", "nephew"])


def relational_kin(tag: SpeechTag, prev: str | None, recent: list[str], res: CastIndex, spoken_to: Sequence[str] = (),
         about: str | None = None, earlier: Sequence[str | None] = ()) -> tuple[str | None, str | None, list[str], list[str]]:
    """For a relational tag: the owner as last speaker, as last named, their kin, the kin whose title fits.

    "her" points at the one just spoken to (the last speaker) or the last woman named; the speaker
    is of her family: shares her family name, or bears the relation in his name ("Uncle Arthur").
    The speech itself may name the listener ('"Now, Mr. Vane," said his lady'): whom the line
    addresses is whom the possessive points at, so their family counts too.
    """
    owner_prev = prev if prev and res.gender.get(prev) == tag.owner else None
    owner_recent = next((n for n in recent if res.gender.get(n) == tag.owner), None)
    if about:
        # The narration since the last turn is about her: she is the one "her" points at, and the last
        # speaker, if someone else, is not ("'Lizzy, my dear.' / Elizabeth was forced to go. / '...,' said
        # her mother": the mother spoke last).
        owner_prev, owner_recent = (about if about == owner_prev else None), about
    owners = {n for n in (owner_prev, owner_recent) if n}
    addressed = [n for n in spoken_to if res.gender.get(n) == tag.owner]
    owners.update(addressed)
    fam = set().union(*(res.family.get(n, set()) for n in owners)) if owners else set()
    # "her" is one person: the one the line addresses, else the one who spoke last, else the last named.
    # Only that one is ruled out as the speaker: the last woman named may well be the mother herself
    # ('Mrs. Bennet ... began scolding ... "Lizzy?" "To-morrow." "Aye," cried her mother').
    owner = possessive_owner(tag, prev, recent, res, spoken_to, about, earlier=earlier)
    # An aunt, an uncle or a cousin is as often of another family name (a mother's brother, a married
    # aunt): the one of her own name and the right title is more likely her mother. Those relations are
    # read from the name ("Aunt Juley") only, and otherwise left to the scene. What this does: nobody is
    # fetched into the pool, or given the kin features, for sharing the owner's family name. It does not
    # rule the mother out: named in the scene, she is an ordinary candidate and may win on salience.
    # (Without it the aunt, when she is the last woman named, counts among the owners of "her" and so
    # gets the kin features herself; the rule shows only where someone else was named last.)
    fam = set() if tag.rel in _COLLATERAL else fam
    kin = [c.name for c in res.chars if c.name != owner and (
        (fam & res.family.get(c.name, set())) or tag.rel in c.name.lower().split())
        and (tag.gender == "unknown" or c.gender in (tag.gender, "unknown"))]
    return owner_prev, owner_recent, kin, [n for n in kin if title_fits(tag.rel, n, res)]


def possessive_owner(tag: SpeechTag, prev: str | None, recent: list[str], res: CastIndex, spoken_to: Sequence[str] = (),
           about: str | None = None, named: bool = True, earlier: Sequence[str | None] = ()) -> str | None:
    """Whom the "her" or "his" of a relational tag points at: the one the line addresses, else the one of
    that sex the narration since the last turn is about (`about`, see speaker_features._about), else the last
    speaker of that sex, else (when `named`) the last one of that sex named.

    The last one named is only a guess: good enough to keep her out of her own kin, too weak to take her
    out of the candidates (she may be the mother herself, named as she scolds).

    A careful reader takes "said her mother" after "Elizabeth was forced to go." as Elizabeth's mother even
    when the mother spoke the turn before: the possessive continues the narration's centre, as "she" does.
    """
    addressed = next((n for n in spoken_to if res.gender.get(n) == tag.owner), None)
    if addressed or about:
        return addressed or about
    if prev and res.gender.get(prev) == tag.owner:
        return prev
    # '"I cannot bear it," said Mrs. Bennet. / "Nor I," said he. / "...," cried his wife': the man of the
    # exchange, the turn before last, before any man merely named.
    turn = next((n for n in earlier if n and res.gender.get(n) == tag.owner), None)
    if turn:
        return turn
    return next((n for n in recent if res.gender.get(n) == tag.owner), None) if named else None


def with_relation(tag: SpeechTag, txt: str, res: CastIndex) -> SpeechTag:
    """`tag` with its owner set when its phrase is a relation of someone else ("said her mother")."""
    if tag.name is not None or tag.kind == "name":
        return tag
    if tag.where == "before":
        m = _REL_BEFORE.search(txt[-160:])
    else:
        m = _REL_AFTER.match(txt[:80])
        if m is None and _OTHER_TAG.match(txt[:60]):
            return SpeechTag(None, "epithet", "unknown", tag.where, other=True)
    if m is None:
        e = (_EPITHET_BEFORE.search(txt[-100:]) if tag.where == "before" else _EPITHET_AFTER.match(txt[:80]))
        if e is not None and tag.kind == "epithet":
            words: list[str] = []
            for w in e.group("ep").split():
                if w in PREPOSITIONS or w in SPEECH_WORDS or w in ("and", "who", "with", "as") or w.endswith("ed"):
                    break
                words.append(w)
            bare = "the " + words[-1] if len(words) > 1 else ""
            if bare in res.epithets and words[0] not in CONTRAST_WORDS and words[-1] not in VAGUE_PEOPLE:
                # "said the little dragon" when the story knows "the dragon": the describing words only
                # add to what the reader already knows of that one ("the other dragon" is somebody else).
                name = res.holder(bare)
                return SpeechTag(name, res.epithet_kind(bare, name), res.gender.get(name, "unknown"), tag.where)
            g = res.lookup("the " + " ".join(words))[2] if words else "none"
            # The tag patterns stop after one word ("said the old"): the whole phrase tells the gender.
            if g == tag.gender or (tag.gender == "unknown" and g != "none"):
                return SpeechTag(None, "epithet", g, tag.where, phrase=" ".join(words))
        return tag
    head = txt[-160:][: m.start("pos")] if tag.where == "before" else txt[: m.start("pos")]
    if tag.where == "before":
        head = SENTENCE_END.split(head)[-1]
    words = re.findall(r"[A-Za-z']+", head)
    # "said to her mother", "She turned to her mother and said:": the relation is the listener, and
    # a pronoun or name before it is the subject; a relation heads the clause only after a verb or
    # a conjunction.
    if (words and words[-1].lower() in PREPOSITIONS) or any(w.lower() in ("he", "she", "i", "they", "we") for w in words) or (
            res.name_re is not None and res.name_re.search(head)):
        return tag
    pos = m.group("pos").lower()
    owner = "male" if pos == "his" else "female" if pos == "her" else None
    if owner is None:
        return tag
    return SpeechTag(None, "epithet", _RELATIONS[m.group("rel")], tag.where, owner=owner, rel=m.group("rel"))


# Descriptions that tell a person's age: "the old man", "the elderly lady" against "the young man",
# "the girl", "the lad". (Only person-nouns: "the old dragon" is not read for a title-and-surname age.)
_OLD_WORDS = frozenset(["old", "elderly", "aged", "grey-haired", "gray-haired", "white-haired", "venerable"])
_YOUNG_WORDS = frozenset(["young", "youthful"])
_YOUNG_NOUNS = frozenset(["girl", "boy", "lad", "lass", "youth", "child", "maiden", "schoolgirl", "schoolboy", "damsel"])
# A child is nobody the book calls "Mr." or "Mrs.", whoever else is in the scene.
_CHILD_NOUNS = frozenset(["boy", "child", "schoolboy", "schoolgirl", "urchin", "infant", "baby"])
_AGED_NOUNS = frozenset(["man", "woman", "lady", "gentleman", "fellow", "person", "creature", "one"])
_ELDER_TITLES = frozenset(["lady", "sir", "lord", "dr.", "dr", "professor", "general", "colonel", "admiral", "major",
                           "captain", "judge", "rev.", "reverend"]) | frozenset(
    t for t, e in _CIVIL_FORMS.items() if e in ("Mr", "Mrs"))


def with_age(tag: SpeechTag, txt: str) -> SpeechTag:
    """`tag` with its age set when it is an epithet whose words tell how old the speaker is."""
    if tag.kind != "epithet" or tag.owner is not None or tag.other:
        return tag
    e = _EPITHET_BEFORE.search(txt[-100:]) if tag.where == "before" else _EPITHET_AFTER.match(txt[:80])
    if e is None:
        return tag
    words: list[str] = []
    for w in e.group("ep").lower().split():
        if w in PREPOSITIONS or w in SPEECH_WORDS or w in ("and", "who", "with", "as"):
            break
        words.append(w)
    if not words:
        return tag
    head = words[-1]
    if head in _CHILD_NOUNS:
        return replace(tag, age="child")
    if head in _YOUNG_NOUNS or (head in _AGED_NOUNS and _YOUNG_WORDS & set(words)):
        return replace(tag, age="young")
    if head in _AGED_NOUNS and _OLD_WORDS & set(words):
        return replace(tag, age="old")
    return tag


def _age_of(name: str, res: CastIndex) -> str:
    """"elder" / "young" / "" for a character, from the forms the book calls them by.

    English narration calls the head of a family by title and surname ("Mr. Emerson", "Mrs. Honeychurch")
    and its young people by their given names ("George Emerson", "Lucy"). ("Miss" tells nothing: a
    spinster aunt is "Miss Bartlett".)
    A character with both kinds of form ("Mr. Knightley", "George Knightley") tells nothing.
    """
    got = res.ages.get(name)
    if got is None:
        forms = [name, *next((c.aliases for c in res.chars if c.name == name), ())]
        if name[:1].islower() or name.lower().startswith(("the ", "a ")):
            # Known by a description ("the Grandmother"): the description, not the names, tells the age.
            res.ages[name] = ""
            return ""
        forms = [f for f in forms if f and f != "I" and f[:1].isupper()]
        # "Mr. Emerson" (title and surname) against "George", "George Emerson", "Mr. George Emerson".
        titled = [f for f in forms if len(f.split()) == 2 and f.split()[0].lower() in _ELDER_TITLES]
        surnames = {f.split()[-1] for f in forms if len(f.split()) > 1}
        given = [f for f in forms if f.split()[0].lower() not in ("miss", "master", "the")
                 and (f.split()[0].lower() not in _ELDER_TITLES or len(f.split()) > 2)
                 and not (len(f.split()) == 1 and f in surnames)]
        got = "elder" if titled and not given else "young" if given and not titled else ""
        res.ages[name] = got
    return got


def age_fits(name: str | None, tag: SpeechTag | None, res: CastIndex, pool: Sequence[str] = ()) -> bool:
    """False when the tag's age words contradict what the character's names say of their age.

    "The old man" is nobody the book calls by a given name, "the child" nobody it calls "Mr." or "Mrs.".
    "The young man" rules out a "Mr." only beside a younger man of his own family in `pool` (Mr. Wilcox
    and Charles Wilcox): a young hero may well be "Mr. Winterbourne" all through his book.
    """
    if not name or tag is None or not tag.age:
        return True
    age = _age_of(name, res)
    if tag.age == "old":
        return age != "young"
    if tag.age == "child" or age != "elder":
        return age != "elder"
    fam = res.family.get(name, set())
    return not any(n != name and res.gender.get(n) == res.gender.get(name) and _age_of(n, res) == "young"
                   and fam & res.family.get(n, set()) for n in pool)
