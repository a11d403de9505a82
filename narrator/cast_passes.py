"""cast_passes: the corrections made to the finished cast, after name discovery and clustering.

find_characters (characters.py) builds the cast from name forms; these passes then read the story again for
what the name forms cannot tell: a speaker who gives their own name ("I am Nocturne") or the narration's
epithet for them (self_introduced), a capitalised thing that is no one ("the Atlas", drop_named_things), a
family or a set of sisters that is never one voice ("the Emersons", drop_family_plurals), and, in a short
story, the people it never names but shows speaking or at work ("said the bird", "The ferryman looked past
her", unnamed_speakers). Each takes the cast and returns it corrected; none imports characters.py.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from narrator.epithets import (
    A_NOUN_S,
    EPITHET_RE,
    EPITHET_RE_PRESENT,
    GENERIC_EPITHETS,
    NOT_SPEAKERS,
    norm_form,
    plural,
    told_in_present,
)
from narrator.lexicon import (
    ACT_ED,
    CONTRAST_WORDS,
    CREATURES,
    FEMALE_NOUNS,
    FEMALE_PRONOUNS,
    LOWER,
    MALE_NOUNS,
    MALE_PRONOUNS,
    NOT_NAMES,
    OCCUPATIONS,
    PERSON_ACTS,
    SPEECH_VERBS,
    STOPWORDS,
    TITLES,
    UPPER,
    asks_name,
    both_tenses,
    name_answer,
    noun_gender,
    self_introductions,
)
from narrator.mentions import in_last_sentence, leads_into_quote, mention_regex, name_lookup, paragraph_texts
from narrator.models import Character, Segment

_UP = f"[{UPPER}]"  # a capital, accented ones too (as characters.py's _UP)


# "The griffon folded her wings": a sentence whose subject is a lower-case epithet.
_SUBJECT_EPITHET = re.compile(r"(?:^|[.!?]\s+)[Tt]he\s+(?P<ep>(?:[a-z\-]+\s+){0,2}?[a-z\-]+)\s+[a-z]+(?:ed|s)\b")


_THE_NAME = re.compile(rf"the\s+({_UP}[{LOWER}]+)")
_AFTER_ARTICLE_OR_NAME = re.compile(rf"(?:\b[Tt]he|{_UP}[{LOWER}]+)\s+$")
_ROLE_OF = re.compile(rf",\s+(?:the\s+)?({_UP}[{LOWER}]+)\s+of\b")


def drop_family_plurals(chars: list[Character]) -> list[Character]:
    """Drop "the Emersons", "the Miss Steeles": a family or a set of sisters, never one voice.

    A form is a family plural when its last word is another character's surname (or name word) with an
    "s" added; a character all of whose forms are such plurals is the group, and a reader gives no line
    to a group by name. (A name that merely ends in "s" -- "Mr. Hastings" -- has no "Hasting" beside it.)
    """
    words = {w for c in chars for f in (c.name, *c.aliases) for w in f.split() if w[:1].isupper()}

    def plural(form: str) -> bool:
        ws = form.split()
        if not ws or not ws[-1].endswith("s") or len(ws[-1]) < 4:
            return False
        return ws[-1][:-1] in words or (ws[-1].endswith("es") and ws[-1][:-2] in words)

    out = []
    for c in chars:
        forms = [f for f in (c.name, *c.aliases) if f != "I"]
        own = {w for f in forms for w in f.split()}
        # The article or "Miss" says it is a group ("the Emersons", "Miss Thorpes"); a bare "Braddocks" or a
        # "Mrs. Braddocks" is a person whose name ends in "s".
        group = any(f.startswith(("the ", "Miss ")) for f in forms) and not any(
            f.split()[0] in TITLES and f.split()[0] != "Miss" for f in forms)
        if forms and group and all(plural(f) and f.split()[-1][:-1] not in own for f in forms):
            continue
        out.append(c)
    return out


def drop_named_things(chars: list[Character], body: Sequence[Segment]) -> list[Character]:
    """Drop "the Atlas", "the Marigold": a capitalised name that always takes the article and never speaks.

    A book or a ship gets "she" and a capital letter, so discovery takes it for a woman, and then her
    pronoun tags go to it. A person called "the Gardener" is in a speech tag at least once ("said the
    Gardener"); a thing never is, and no speech addresses it. Only names that take the article every time
    are looked at: "Marigold" alone would be a name.
    """
    out = []
    speech = whole = ""
    for c in chars:
        m = _THE_NAME.fullmatch(c.name)
        if m is None or c.mentions < 2 or m.group(1).lower() in OCCUPATIONS or noun_gender(m.group(1).lower()) != "unknown":
            # "the Rector", "the Duchess": a person's role, capitalised.
            out.append(c)
            continue
        if not whole:  # joined once, and only when a story has such a name at all
            speech = " ".join(s.text for s in body if s.kind == "dialogue")
            whole = " ".join(s.text for s in body if s.kind == "narration") + " " + speech
        keep = bool(re.search(rf"\b{re.escape(m.group(1))}\s*[,!?]", speech))  # addressed: "Atlas, stay!"
        for k in re.finditer(rf"\b{re.escape(m.group(1))}\b", whole):
            if keep:
                break
            before = whole[max(0, k.start() - 30):k.start()]
            after = re.match(r"\s+([a-z]+)", whole[k.end():k.end() + 20])
            verb = re.search(r"\b([a-z]+)\s+[Tt]he\s+$", before)
            # Used as a name (without the article, and not as the last word of a longer title such as
            # "The Moonwatch Atlas"), or in a speech tag ("said the Gardener", "the Gardener said").
            keep = (not _AFTER_ARTICLE_OR_NAME.search(before)
                    or (verb is not None and verb.group(1) in SPEECH_VERBS)
                    or (after is not None and after.group(1) in SPEECH_VERBS and re.search(r"\b[Tt]he\s+$", before) is not None))
        if keep:
            out.append(c)
    return out


def self_introduced(chars: list[Character], body: Sequence[Segment]) -> list[Character]:
    """A speaker who gives their own name is a character, and the epithet the narration uses for them is theirs.

    A careful reader knows that whoever says "I am Nocturne" is Nocturne, and that "the alicorn" who bowed
    her head just before is the same person. Only names the rest of the discovery missed are added, and only
    epithets no character holds yet are linked (one the story gives two owners is left alone).
    """
    known = {f for c in chars for f in (c.name, *c.aliases)}
    known_first = {f.split()[0] for f in known if f and f[0].isupper()}
    paras: list[list[Segment]] = []
    for seg in body:
        if paras and paras[-1][0].paragraph == seg.paragraph and paras[-1][0].chapter == seg.chapter:
            paras[-1].append(seg)
        else:
            paras.append([seg])
    found: dict[str, list[str]] = {}
    genders: dict[str, str] = {}
    asked = False  # the last speech before this paragraph asked its listener's name
    for k, para in enumerate(paras):
        quotes = [s for s in para if s.kind == "dialogue"]
        for seg in para:
            if seg.kind != "dialogue":
                continue
            hits = self_introductions(seg.text)
            if not hits and asked and seg is quotes[0] and (answer := name_answer(seg.text)) is not None:
                # '"Who are you?" / "Ines Calder. I'm the new relief keeper."': the answer gives the name.
                hits = [answer]
            if not hits:
                continue
            m = hits[0]
            name = " ".join(m.group("name").split())
            if name in NOT_NAMES or name.split()[0] in NOT_NAMES or name.split()[0] in TITLES:
                continue  # "I am Mrs. Weston" is matched as "Mrs": the title alone is nobody
            if " " not in name and re.search(r"(?:sh|ese|ch)$", name) and name not in known:
                continue  # "I'm English", "I'm Scotch": a nationality, not a name
            narr = " ".join(s.text for s in para if s.kind == "narration")
            eps = [e.group("ep") for e in _SUBJECT_EPITHET.finditer(narr.strip())]
            if not eps and k > 0 and all(s.kind == "narration" for s in paras[k - 1]):
                eps = [e.group("ep") for e in _SUBJECT_EPITHET.finditer(" ".join(s.text for s in paras[k - 1]).strip())]
            eps = [e for e in eps if e.split()[-1] not in GENERIC_EPITHETS and "the " + e not in known]
            found.setdefault(name, [])
            found[name].extend("the " + e for e in eps[:1])
            # "I am Nocturne, Keeper of the eastern sky": the title given with the name is how the
            # narration goes on calling her ("the Keeper lifted her head").
            role = _ROLE_OF.match(seg.text, m.end())
            if role and role.group(1) not in NOT_NAMES:
                found[name].append("the " + role.group(1))
            pron = re.match(r"^[\s,]*(?:he|she)\b", narr.strip().lower()) if narr else None
            if pron:
                genders.setdefault(name, "male" if pron.group(0).strip(" ,") == "he" else "female")
            elif eps:
                genders.setdefault(name, noun_gender(eps[0].split()[-1]))
        if quotes:
            asked = asks_name(quotes[-1].text)
    if not found:
        return chars
    owners = Counter(ep for eps in found.values() for ep in set(eps))
    out = list(chars)
    for name, eps in found.items():
        links = tuple(dict.fromkeys(ep for ep in eps if owners[ep] == 1))
        hit = next((c for c in out if name in (c.name, *c.aliases)), None)
        if hit is None and name.split()[0] in known_first:
            hit = next((c for c in out if any(f.split()[0] == name.split()[0] for f in (c.name, *c.aliases) if f)), None)
        if hit is not None:
            # "Ines" of the narration introduced herself in full: "Ines Calder" is hers too.
            full = (name,) if name not in (hit.name, *hit.aliases) else ()
            out = [Character(c.name, c.aliases + full + links, c.gender, c.mentions) if c is hit else c for c in out]
        else:
            # "Ines Calder" introduced in full is "Ines" in the narration after.
            given = (name.split()[0],) if " " in name and name.split()[0] not in known_first else ()
            out.append(Character(name, given + links, genders.get(name, "unknown"), 1))
    return out


# A sentence whose subject is a role ("The ferryman looked past her", "The guard had gone"): the article, at most
# one describing word, the role noun and its verb.
_ROLE_SUBJECT = re.compile(r"(?:^|(?<=[.!?\"\u201d])\s+|^\s+)The\s+(?:[a-z\-]+\s+)?(?P<noun>"
                           + "|".join(sorted(OCCUPATIONS, key=len, reverse=True))
                           + r")\s+(?:[a-z]+ly\s+|already\s+|then\s+)?(?P<verb>[a-z]+)\b")


# Looks and ages fan fiction calls its named characters by in turn ("the blonde said", "the older one").
_LOOKS = frozenset(["blonde", "blond", "redhead", "brunette", "teen", "teenager", "kid", "elder", "youngster",
                    "newcomer", "smaller", "taller", "older", "younger"])


# Nouns that say only a person's sex or age ("filly", "boy", "old woman"): a pronoun's worth, unless the narration
# brings that person on as somebody new, "A small filly trotted up" (a sentence that starts with "A" and the noun
# as its subject, and does not go on to name her).
_NEWCOMER_NOUNS = (MALE_NOUNS | FEMALE_NOUNS | frozenset(["child", "kid"])) - frozenset(["sir", "master", "mistress"])
_NEWCOMER_INTRO = re.compile(r"(?:^|(?<=[.!?\"\u201d])\s+|^\s+)An?\s+(?:[a-z\-]+\s+){0,2}?(?P<noun>"
                             + "|".join(sorted(_NEWCOMER_NOUNS, key=len, reverse=True))
                             + r")\s+(?:[a-z]+ly\s+)?(?P<verb>[a-z]+)\b(?![^.!?]*\b(?:named|called)\b)")
_ARRIVALS = both_tenses(frozenset(["ran", "came", "sat", "stood", "rode", "flew", "swam", "crept", "slid", "burst",
                                   "was", "had"]))
_NEWCOMER_SUBJECT = re.compile(r"(?:^|(?<=[.!?\"\u201d])\s+|^\s+)The\s+(?:[a-z\-]+\s+)?(?P<noun>"
                               + "|".join(sorted(_NEWCOMER_NOUNS, key=len, reverse=True))
                               + r")\s+(?:[a-z]+ly\s+|already\s+|then\s+)?(?P<verb>[a-z]+)\b")


def unnamed_speakers(chars: list[Character], body: Sequence[Segment]) -> list[Character]:
    """Add the people a short story never names but shows speaking or at work: a tag's noun that is nobody's
    ("said the bird", "the witch replied") and a role that acts in the narration ("The ferryman looked
    past her").

    A reader of a short scene hears the bird, the witch and the ferryman as voices of their own, as a stranger
    is "a voice": never the woman they answer, who is the only one the story names. Left out: people-nouns
    that fit anyone ("the man", "the girl": GENERIC_EPITHETS), plurals, and the kinds of creature fan fiction
    calls its named characters by ("the unicorn" is Rarity seen from another side; CREATURES keep their own
    rule in link_epithets). A novel names its people, so this is for short stories only.
    """
    known = {norm_form(f) for c in chars for f in (c.name, *c.aliases)}
    lookup = name_lookup(chars)
    pattern = mention_regex(lookup)
    paragraphs = paragraph_texts(body, narration_only=True)
    epithet_re = EPITHET_RE_PRESENT if told_in_present(paragraphs) else EPITHET_RE
    singular = {m.group(1) for para in paragraphs for m in A_NOUN_S.finditer(para)}

    def fits(ep: str) -> bool:
        head = ep.split()[-1]
        # (A noun that only says the sex, "the mare", "the stallion", or the looks, "the blonde", is a
        # pronoun's worth: "she said" of whoever fits in the scene, which the attribution resolves.)
        return (ep not in known and head not in GENERIC_EPITHETS and head not in NOT_SPEAKERS
                and head not in MALE_NOUNS and head not in FEMALE_NOUNS and head not in _LOOKS
                and head not in CONTRAST_WORDS
                and head not in CREATURES and head not in MALE_PRONOUNS and head not in FEMALE_PRONOUNS
                and head not in STOPWORDS and not plural(head, singular))

    tagged: Counter[str] = Counter()
    named_near: set[str] = set()
    for para in paragraphs:
        for m in epithet_re.finditer(para):
            ep = " ".join((m.group("a") or m.group("b")).lower().split()).rstrip("-")
            if len(ep.split()) != 2 or not fits(ep):
                continue  # a bare noun only: "the new detective" is somebody we know, newly described
            tagged[ep] += 1
            if pattern is not None and pattern.search(para, 0, m.start()):
                named_near.add(ep)  # "Twilight looked up. ... the scholar said": maybe Twilight's epithet
    # "A small filly trotted up": the newcomers the narration brings on by sex or age alone.
    newcomers = {m.group("noun") for para in paragraphs for m in _NEWCOMER_INTRO.finditer(para)
                 if ACT_ED.fullmatch(m.group("verb")) or m.group("verb") in PERSON_ACTS
                 or m.group("verb") in _ARRIVALS}
    acting: Counter[str] = Counter()
    for k, seg in enumerate(body):
        if seg.kind != "narration":
            continue
        beat = leads_into_quote(body, k)
        subjects = list(_ROLE_SUBJECT.finditer(seg.text))
        if newcomers:
            subjects += [m for m in _NEWCOMER_SUBJECT.finditer(seg.text) if m.group("noun") in newcomers
                         and "the " + m.group("noun") not in known and not plural(m.group("noun"), singular)]
        for m in subjects:
            noun, verb = m.group("noun"), m.group("verb")
            if noun not in newcomers and not fits("the " + noun):
                continue
            if not (ACT_ED.fullmatch(verb) or verb in PERSON_ACTS or verb in ("was", "had", "is", "has")):
                continue
            # Twice, or once in the beat that leads into a quotation.
            acting["the " + noun] += 2 if beat and in_last_sentence(seg.text[m.end():]) else 1
    new = [ep for ep in tagged if ep not in named_near]
    new += [ep for ep, n in acting.items() if n >= 2 and ep not in new]
    if not new:
        return chars
    # "Mira looked up from the library desk" ... "the librarian said": the one person the story puts at that
    # work is the one the role means, not a stranger.
    holders = {ep: who for ep in new if pattern is not None
               and (who := _work_holder(ep.split()[-1], paragraphs, pattern, lookup)) is not None}
    if holders:
        chars = [replace(c, aliases=(*c.aliases, *(ep for ep, who in holders.items() if who == c.name)))
                 if c.name in holders.values() else c for c in chars]
        new = [ep for ep in new if ep not in holders]
    return chars + [Character(ep, (), noun_gender(ep.split()[-1]), tagged[ep] + acting[ep]) for ep in new]  # type: ignore[arg-type]


# A role and the place of its work: "librarian" / "library", "baker" / "bakery", "brewer" / "brewery",
# "innkeeper" / "inn". (Not "gardener" / "garden", "boatman" / "boat", "headmaster" / "head": anyone walks in a
# garden or sits in a boat, so only the workplaces English forms with "-y", "-ery", "-ry", and an inn or a shop.)
_ROLE_ENDINGS = ("ian", "er", "ist")
_KEPT_PLACES = frozenset(["inn", "shop", "lighthouse", "tavern", "store"])
# Comings and goings: whoever walks into the library is a visitor there, not its librarian.
_ARRIVING = re.compile(r"\b(?:came|comes|come|walked|walks|ran|runs|went|goes|entered|enters|hurried|hurries|"
                       r"burst|bursts|stepped|steps|arrived|arrives|visited|visits|reached|reaches|left|leaves|"
                       r"into|towards?|past)\b")


def _works_at(role: str, word: str) -> bool:
    """Whether `word` is the place of `role`'s work ("library" for "librarian", "inn" for "innkeeper")."""
    if role.endswith("keeper"):
        return word == role[: -len("keeper")] and word in _KEPT_PLACES
    for end in _ROLE_ENDINGS:
        stem = role[: -len(end)]
        if role.endswith(end) and len(stem) >= 3 and word in (stem + "y", stem + "ery", stem + "ry"):
            return True
    return False


def _work_holder(role: str, paragraphs: Sequence[str], pattern: re.Pattern[str], lookup: dict[str, str]) -> str | None:
    """The one character the narration shows at the role's place of work ("Mira looked up from the library
    desk" for "the librarian"): named alone in every sentence that mentions the place without anyone coming
    or going. None when no sentence does, or two people share one ("Tom and Jess sat in the library")."""
    holder: set[str] = set()
    for para in paragraphs:
        for sentence in re.split(r"(?<=[.!?;])\s+", para):
            if not any(_works_at(role, w) for w in re.findall(r"[a-z]+", sentence)) or _ARRIVING.search(sentence):
                continue
            names = {lookup[" ".join(m.group(0).split())] for m in pattern.finditer(sentence)}
            if len(names) > 1:
                return None
            holder |= names  # ("The library was quiet." names nobody there)
    return next(iter(holder)) if len(holder) == 1 else None
