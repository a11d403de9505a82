"""Epithet linking: who "the dragon", "the painter" or "the old man" of a speech tag is.

Stories call their people by what they are as often as by name ("said the locksmith", "the unicorn
declared"). For every epithet the tags use, this module decides whether it is a known character's -- the
narration sets it beside the name ("Spike, the baby dragon") or says it of one character ("Celestia was an
alicorn"), the people talking with it call it by one name, one name keeps standing just before it, a
newcomer brought on as "a crow" is named next -- or a speaker of its own ("the croupier"), or nobody in
particular ("the man"). Kept apart from characters.py, which finds names, because these rules start from
the tags' common nouns and the cast the clustering has already made.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from narrator.lexicon import (
    CONTRAST_WORDS,
    CREATURES,
    FEMALE_PRONOUNS,
    MALE_PRONOUNS,
    OCCUPATIONS,
    SPEECH_VERB_ALT,
    SPEECH_VERBS,
    STOPWORDS,
    TITLES,
    both_tenses,
    noun_gender,
    present_forms,
)
from narrator.mentions import mention_regex, name_lookup, paragraph_texts
from narrator.models import Character, Segment

# Verbs that may also be plain actions ("the children went", "the whole story began") do not make
# an epithet; only verbs of speaking do. (both_tenses adds the presents of the pasts: "smiles", "tells".)
_ACTION_VERBS = both_tenses(frozenset(
    ["went", "began", "returned", "put", "thought", "smiled", "nodded", "laughed", "sighed", "told", "grinned", "offered", "promised", "objected", "countered", "exploded", "pursued", "proceeded", "spoke", "stated", "called", "answers", "reply", "say", "says", "saying", "ask", "asks", "answer", "continues", "adds"]
))

# Sounds of a voice that fan fiction writes for "said" after an epithet ("the pegasus panted"): read only
# here, where they can make a lower-case epithet a speaker, never where names are paired.
_VOICE_VERBS = frozenset(["panted", "yelped", "squawked", "croaked", "rasped", "wheezed", "quipped", "chirped", "whined",
                          "spluttered", "sputtered"])


def _epithet_re(action_verbs: frozenset[str], voice_verbs: frozenset[str]) -> re.Pattern[str]:
    """The speech-tag epithet pattern ("said the dragon", "the dragon said") whose "the X VERB" half takes
    every speech verb but `action_verbs`, and `voice_verbs`."""
    tag_verbs = "|".join(sorted(SPEECH_VERBS - action_verbs, key=lambda w: (-len(w), w)))
    voices = "|".join(sorted(voice_verbs, key=lambda w: (-len(w), w)))
    return re.compile(
        # (The look-aheads change no match; they spare trying every verb at every word: the first letter
        # of a speech verb or "the", and for a verb, a lower-case word followed by "the" -- every verb is
        # one lower-case word.)
        "(?=[" + "".join(sorted({w[0] for w in SPEECH_VERBS} | {"T", "t"})) + "])(?:"
        # After the verb the phrase must end the tag ("said the dragon." / "said the old dragon, who"),
        # not run on into a longer noun phrase ("said the whole party").
        rf"\b(?=[a-z]+\s+the\s)(?:{SPEECH_VERB_ALT})\s+(?P<a>the\s+(?:[a-z\-]+\s+){{0,2}}?[a-z\-]+)"
        # ("said the locksmith a little sharply": "a little" is how, not who.)
        r"(?=\s*(?:[,.;:!?\u2014)]|--|$)|\s+(?:[a-z]+ly|in|with|as|at|to|and|who|from|again|then|a|an)\b)"
        rf"|\b(?P<b>[Tt]he\s+(?:[a-z]+\s+){{0,2}}?[a-z]+)\s+(?:(?:{tag_verbs}|{voices})\b|told\s+(?:him|her|them|me|us)\b))"
    )


EPITHET_RE = _epithet_re(_ACTION_VERBS, _VOICE_VERBS)
# Sounds a person also makes without speaking ("The pig grunted", "Mags snorted at that"): fan fiction's tag
# verbs only right after a line that ends on a comma ('"Then haul," the bosun grunted'), where the sentence
# is not finished without its tag.
_COMMA_TAG_VERBS = both_tenses(frozenset(["grunted", "huffed", "snorted", "hummed", "sniffed", "snickered",
                                          "groused", "deadpanned"]))
_COMMA_TAG_EPITHET = re.compile(r"(?P<a>(?!))?\s*(?P<b>[Tt]he\s+(?:[a-z]+\s+){0,2}?[a-z]+)\s+(?:"
                                + "|".join(sorted(_COMMA_TAG_VERBS, key=lambda w: (-len(w), w))) + r")\b")


def _after_comma_starts(body: Sequence[Segment]) -> list[list[int]]:
    """Per paragraph (as paragraph_texts(body, narration_only=True) joins it), where each narration segment
    starts that comes right after a quotation ending on a comma (or a dash): where a tag must be."""
    starts: list[list[int]] = []
    last = None
    length = 0
    prev: Segment | None = None
    for seg in body:
        if seg.paragraph != last:
            starts.append([])
            last, length, prev = seg.paragraph, 0, None
        if seg.kind == "narration":
            if prev is not None and prev.kind == "dialogue" and prev.text.rstrip().rstrip("\"'\u201d\u2019").rstrip().endswith(
                    (",", "-", "\u2014")):
                starts[-1].append(length + 1)
            length += 1 + len(seg.text)
        prev = seg
    return starts


# A story told in the present: "the butler says" is its tag as "the butler said" is a past-tense story's, so
# a present form is an action verb there only when its past is ("the letter says" in a past-tense novel is
# what a document says; "the butler continues" in a present-tense one is a tag).
_PRESENT_TAGS = frozenset(p for w in SPEECH_VERBS - _ACTION_VERBS for p in present_forms(w)) & _ACTION_VERBS
EPITHET_RE_PRESENT = _epithet_re(_ACTION_VERBS - _PRESENT_TAGS, both_tenses(_VOICE_VERBS))
_PAST_TAG = re.compile(r"\b(?:said|asked|replied|cried|answered)\b")
_PRESENT_TAG = re.compile(r"\b(?:says|asks|replies|cries|answers)\b")


def told_in_present(paragraphs: Sequence[str]) -> bool:
    """Whether the narration is in the present tense: more "says"/"asks"/"replies" than "said"/"asked"/"replied"."""
    present = sum(len(_PRESENT_TAG.findall(p)) for p in paragraphs)
    return present > 0 and present > sum(len(_PAST_TAG.findall(p)) for p in paragraphs)


_WITH_PHRASE = re.compile(r"\s+(with\s+(?:the|a|an)\s+(?:[a-z\-]+\s+){0,2}?[a-z\-]+)(?=\s*(?:[,.;:!?\u2014]|--))")
# "said the man with a smile" tells how he said it, not which man he is. (Not "eye": "the man with a
# glass eye" is which man he is.)
_MANNER_NOUNS = frozenset(
    ["smile", "grin", "laugh", "sigh", "shrug", "nod", "frown", "look", "glance", "voice", "tone", "air", "expression",
     "wink", "chuckle", "snort", "scowl", "sneer", "start", "effort", "gesture", "bow", "yawn", "shudder", "wave",
     "smirk", "groan", "gasp", "giggle", "cough", "growl", "snarl", "whisper", "shout", "cry", "flourish", "pause",
     "blush", "stammer", "hiss", "grimace", "twinkle", "huff", "sniff", "sob", "squeak"]
)
_SPOKEN_BY = re.compile(r"(?:" + "|".join(sorted(both_tenses(frozenset(
    ["said", "replied", "cried", "exclaimed", "whispered", "shouted", "muttered"])), key=lambda w: (-len(w), w))) + r")\s+the\s")
# Generic people-nouns: too vague to be a fixed epithet of one character. Any young man of the book
# is "the lad" or "the youth" in turn (The Picture of Dorian Gray calls two of its men "the lad"):
# such a tag is a gendered pronoun, resolved in its scene, not a character of its own.
GENERIC_EPITHETS = frozenset(
    ["man", "woman", "boy", "girl", "lady", "gentleman", "other", "others", "one", "voice", "child", "person", "stranger",
     "young", "old", "lad", "lass", "youth", "fellow"]
)
# What a speech verb takes as its object ("she answered the door", "he repeated the words"): not a speaker.
NOT_SPEAKERS = frozenset(["door", "question", "questions", "word", "words", "letter", "note", "bell", "telephone",
                           "phone", "call", "summons", "knock", "name", "story", "subject", "remark", "weather"])


# Nouns that end in -s and are one creature ("said the cyclops"), for stories that never write "a cyclops".
_SINGULAR_S = frozenset(["cyclops", "rhinoceros", "triceratops", "pegasus", "marquis", "species"])
# "a cyclops", "an albatross": an -s noun after the indefinite article is singular in this story (not
# "a ladies' maid", where the article belongs to the maid).
A_NOUN_S = re.compile(r"\b(?:[Aa]n?)\s+([a-z]+s)\b(?![\u2019'\-])")


def plural(head: str, singular: frozenset[str] | set[str] = frozenset()) -> bool:
    """True for a plural people-noun ("the ladies", "the children"): a group, not one speaker.

    An -s ending alone says plural; `singular` is the -s nouns the story itself uses with "a"/"an"
    ("a rhinoceros"), which with _SINGULAR_S are one speaker each.
    """
    if head in _SINGULAR_S or head in singular:
        return False
    return head in ("children", "men", "women", "people", "gentlemen", "folk", "folks") or (
        head.endswith("s") and not head.endswith(("ss", "us", "is")) and len(head) > 3)

def link_epithets(chars: list[Character], body: Sequence[Segment], short: bool = False) -> list[Character]:
    """Attach epithets used in speech tags ("the dragon said") to the name they co-occur with. `short`: a short
    story, whose epithet may be tagged once and called by its name once (_called_by_name)."""
    if not chars:
        return chars
    lookup = name_lookup(chars)
    pattern = mention_regex(lookup)
    paragraphs = paragraph_texts(body, narration_only=True)
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    uses: Counter[str] = Counter()
    first_use: dict[str, int] = {}  # paragraph index of an epithet's first tag
    spoken: set[str] = set()  # epithets that follow a plain verb of speaking ("said the dragon")
    singular = {m.group(1) for para in paragraphs for m in A_NOUN_S.finditer(para)}
    epithet_re = EPITHET_RE_PRESENT if told_in_present(paragraphs) else EPITHET_RE
    # Each paragraph's names (and where they end), found once: looking them up from the paragraph's
    # start for every epithet made one huge paragraph (a story pasted as a single line) cost its
    # length squared.
    para_names: list[tuple[list[re.Match[str]], list[int]]] = []
    for para in paragraphs:
        found = list(pattern.finditer(para)) if pattern else []
        para_names.append((found, [n.end() for n in found]))
    comma_starts = _after_comma_starts(body)
    for _i, para in enumerate(paragraphs):
        names, name_ends = para_names[_i]
        found = list(epithet_re.finditer(para))
        for at in comma_starts[_i]:
            cm = _COMMA_TAG_EPITHET.match(para, at)
            if cm and not any(m.start("b") == cm.start("b") for m in found if m.group("b")):
                found.append(cm)
        for m in found:
            ep = (m.group("a") or m.group("b")).lower()
            # 'said the griffin--"you--"': a dash that breaks off the tag is no part of the noun.
            ep = re.sub(r"\s+", " ", ep).rstrip("-")
            head = ep.split()[-1]
            if head in MALE_PRONOUNS or head in FEMALE_PRONOUNS or head in ("other", "others", "one", "same"):
                continue
            if head in NOT_SPEAKERS or plural(head, singular):
                continue  # "answered the door", "repeated the question", "said the ladies"
            if m.group("a") and head in GENERIC_EPITHETS:
                # "said the man with the red scarf": the phrase after a vague noun is what sets this
                # man apart from every other; with it he is somebody in particular.
                # "with the glass eye", "with the deep voice": the definite article points at something
                # the reader knows him by (identity); "with a smile" is how he said it (manner). A comma
                # before "with" ("said the man, with a deep voice") is manner and never matches here.
                w = _WITH_PHRASE.match(para, m.end("a"))
                if w and (w.group(1).split()[1] == "the" or w.group(1).split()[-1] not in _MANNER_NOUNS):
                    ep = ep + " " + " ".join(w.group(1).split())
                    head = ep.split()[-1]
            uses[ep] += 1
            first_use.setdefault(ep, _i)
            if m.group("a") and _SPOKEN_BY.match(m.group(0)):
                spoken.add(ep)
            elif m.group("b") and head in CREATURES and len(ep.split()) == 2 and re.search(
                    rf"\b[Aa]n?\s+(?:[a-z\-]+\s+){{0,2}}{re.escape(head)}\b", " ".join(paragraphs[max(0, _i - 3):_i + 1])):
                # "A grey pegasus hung outside the glass. ... \"Message!\" the pegasus panted.": a creature the
                # narration has just brought on as "a pegasus" speaks as surely as after "said the pegasus".
                spoken.add(ep)
            # Who the epithet most likely stands for: the last name before it in the same paragraph
            # (names in earlier paragraphs are as often the listener as the speaker).
            last = bisect.bisect_right(name_ends, m.start()) - 1
            if last >= 0:
                votes[ep][lookup[" ".join(names[last].group(0).split())]] += 1
    # Apposition names the epithet outright: "Spike, the little purple dragon, ..." links "the dragon"
    # (worth two co-occurrences) when the epithet is also used in a tag. The narration may also put the
    # description first: "The landlord, Mr. Finch, asked him".
    appositions: dict[str, set[str]] = defaultdict(set)  # epithet -> every name the narration sets it beside
    tagged = Counter(uses)  # the tags alone (the apposition below weighs in with two more)
    if pattern is not None and uses:
        appos = re.compile(r"(?P<name>" + pattern.pattern + r"),\s+(?P<art>the|a|an)\s+(?:[a-z\-]+\s+){0,3}?(?P<noun>[a-z]+),")
        appos_before = re.compile(r"\b(?P<art>[Tt]he|[Aa]n?)\s+(?:[a-z\-]+\s+){0,3}?(?P<noun>[a-z]+),\s+(?P<name>"
                                  + pattern.pattern + r"),")
        # "the quartermaster, a grizzled old man everyone called Hob", "the bosun, whom the crew called
        # Mags", "the smith, known as Brand": the name comes after the role, given by "named", "known as",
        # "by the name of", or "called" with someone doing the calling or after a noun ("a man called
        # Hob"). "The bosun, a wiry woman, called Mags over" is the bosun calling Mags: no comma may
        # stand between the role and the name it is given.
        appos_named = re.compile(
            r"\b(?P<art>[Tt]he)\s+(?:[a-z\-]+\s+){0,3}?(?P<noun>[a-z]+),\s+"
            r"(?:an?\s+(?:[a-z\-]+\s+){0,4}?[a-z]+\s+)?"
            r"(?:(?:(?:whom|that)\s+)?(?:everyone|everybody|people|they|folk|all|the\s+[a-z]+)\s+(?:called|named|knew\s+as)"
            r"|(?<=[a-z]\s)called|named|known\s+as|by\s+the\s+name\s+of)\s+(?P<name>" + pattern.pattern + r")\b")
        # Tags that describe the noun further ("said the little dragon", "the purple dragon called") use it
        # too: the apposition gives the bare noun its owner, and the tag reader drops the describing words.
        described = {ep.split()[-1] for ep in uses if len(ep.split()) > 2 and " with " not in ep
                     and ep.split()[1] not in CONTRAST_WORDS}
        for para in paragraphs:
            for m in (*appos.finditer(para), *appos_before.finditer(para), *appos_named.finditer(para)):
                noun = m.group("noun")
                if noun in GENERIC_EPITHETS or noun in MALE_PRONOUNS or noun in FEMALE_PRONOUNS:
                    continue
                ep = "the " + noun
                if ep not in uses and noun not in described:
                    continue
                name = lookup[" ".join(m.group("name").split())]
                votes[ep][name] += 2
                uses[ep] += 2
                if m.group("art").lower() == "the":
                    # "Mr. Jaffers, the village constable": the definite article picks out one person.
                    # ("Lucy, a mortal maid" only says what she is like.)
                    appositions[ep].add(name)
    if pattern is not None and uses:
        for ep, names in _said_to_be(body, pattern, lookup, uses).items():
            appositions[ep] |= names
    kinds = _kind_of(paragraphs, pattern, lookup, uses) if pattern is not None and uses else {}
    # "Spike, the baby dragon, yawned" and later '"Stop," the dragon said': the story named the dragon once,
    # in apposition, and the discovery missed a name used so seldom. The tag makes it a speaker by that name.
    unnamed = _unknown_appositions(paragraphs, {ep for ep in uses if ep not in appositions}, lookup)
    called = _called_by_name(body, pattern, lookup, uses, paragraphs, short) if pattern is not None else {}
    genders = {c.name: c.gender for c in chars}
    if pattern is not None:
        called.update(_the_old_one(uses, paragraphs, pattern, lookup, genders, called))
    extra: dict[str, list[str]] = defaultdict(list)
    known = {norm_form(f) for c in chars for f in (c.name, *c.aliases)}
    # "the captain" is the one character called Captain Something, when there is exactly one.
    titled: dict[str, set[str]] = defaultdict(set)
    for c in chars:
        for f in (c.name, *c.aliases):
            first = f.split()[0] if f.split() else ""
            if first in TITLES:
                titled["the " + first.rstrip(".").lower()].add(c.name)
    new: list[Character] = []
    introduced: _Intro | None = None
    for ep, n in uses.items():
        if ep in known:
            continue
        if len(titled.get(ep, ())) == 1:
            continue  # linked below
        if len(appositions.get(ep, ())) == 1:
            # "Mr. Wells, the lawyer, ...": the narration itself says who the lawyer is, and the tags that
            # call him "the lawyer" later mean him (unless it sets the word beside two different names).
            extra[next(iter(appositions[ep]))].append(ep)
            continue
        if len(appositions.get(ep, ())) > 1 and _head_noun(ep) in CREATURES:
            # "Rarity, the unicorn, ... Twilight, the unicorn": both are unicorns, kept apart; the epithet is
            # each one's, and a tag using it means the one the story named last (resolver's CastIndex).
            for holder in sorted(appositions[ep]):
                extra[holder].append(ep)
            continue
        if ep not in unnamed and len(ep.split()) > 2 and len(unnamed.get("the " + ep.split()[-1], ())) == 1:
            continue  # "the little dragon": the bare noun's owner is made below
        if ep not in appositions and len(kinds.get(ep, ())) == 1:
            # "Celestia was an alicorn" and nobody else is one: "the alicorn said" can only be Celestia.
            extra[next(iter(kinds[ep]))].append(ep)
            continue
        if ep not in appositions and len(kinds.get(ep, ())) > 1 and _head_noun(ep) in CREATURES:
            for holder in sorted(kinds[ep]):  # two unicorns: each one's, the tag means the one named last
                extra[holder].append(ep)
            continue
        if len(unnamed.get(ep, ())) == 1:
            name = next(iter(unnamed[ep]))
            new.append(Character(name, (ep,), noun_gender(_head_noun(ep)), n + 1))  # (+1: the apposition)
            continue
        head = ep.split()[-1]
        if ep in called and noun_gender(_head_noun(ep)) in ("unknown", genders.get(called[ep], "unknown")):
            # "'Basil, you are mad.' ... 'Not at all,' said the painter": the ones who talk to the
            # painter keep calling him Basil, so the painter is Basil.
            extra[called[ep]].append(ep)
            continue
        # "the man with the deep voice": the description makes him somebody in particular even when its
        # last word is one of the vague ones ("voice").
        particular = " with " in ep or head not in GENERIC_EPITHETS
        top_votes = votes[ep].most_common(1)[0][1] if votes[ep] else 0
        if n >= 2 and particular and (top_votes < 0.6 * n or head in OCCUPATIONS):
            # A character known only by a role ("the croupier", "the drummer"), used in two tags or
            # more and not tied to one name: a speaker of its own. (Once is too little: "the unicorn
            # declared" is as likely a known character seen from another side.)
            new.append(Character(ep, (), noun_gender(_head_noun(ep)), n))
            continue
        best, k = votes[ep].most_common(1)[0] if votes[ep] else ("", 0)
        if n >= 2 and k >= 2 and k >= 0.6 * n:
            extra[best].append(ep)
            continue
        if pattern is not None and introduced is None:
            introduced = _Intro(body, chars, pattern, lookup)
        intro = introduced.link(ep, first_use[ep]) if introduced is not None else None
        if intro is not None:
            extra[intro].append(ep)
        elif head in OCCUPATIONS and k < 2:
            # "said the stationmaster", "the butler continued": a person met once in the course of
            # their work is a speaker of their own, not one of the cast seen from another side.
            new.append(Character(ep, (), noun_gender(_head_noun(ep)), n))
        elif k == 0 and head not in GENERIC_EPITHETS and ep in spoken and len(ep.split()) == 2:
            # "said the dragon" with no name anywhere near any of its tags, and "the dragon" a figure
            # the narration keeps coming back to ("the dragon landed", "the dragon laughed"): a
            # creature the story never names is known by what it is ("the Mole", "the unicorn").
            # (Only after a plain verb of speaking -- "answered the door", "the telegram said" are no
            # one -- and only a bare noun: "the new detective" is somebody we know, newly described.)
            # The narration decides whether it is somebody's epithet: "Spike yawned ... the dragon"
            # paragraph after paragraph makes "the dragon" Spike; a name seldom before it leaves a
            # creature of its own.
            ep_re = re.compile(rf"\b{re.escape(ep)}\b", re.IGNORECASE)
            seen = [(i, e.start()) for i, p in enumerate(paragraphs) if (e := ep_re.search(p))]
            before: Counter[str] = Counter()
            for i, at in seen:
                names, name_ends = para_names[i]
                last = bisect.bisect_right(name_ends, at) - 1
                if last >= 0:
                    before[lookup[" ".join(names[last].group(0).split())]] += 1
            owner, times = before.most_common(1)[0] if before else ("", 0)
            if times >= 2 and times * 2 >= len(seen):
                extra[owner].append(ep)
            elif len(seen) >= 3:
                new.append(Character(ep, (), noun_gender(_head_noun(ep)), n))
    text = " ".join(paragraphs).lower()
    for ep, holders in titled.items():
        if len(holders) == 1 and ep not in known and re.search(rf"\b{re.escape(ep)}\b", text):
            extra[next(iter(holders))].append(ep)
    for bare, names in unnamed.items():
        if bare not in uses and len(names) == 1 and bare not in known:
            # Only described tags used it ("said the little dragon"): the owner still speaks by the bare noun.
            new.append(Character(next(iter(names)), (bare,), noun_gender(_head_noun(bare)),
                                 1 + sum(k for e, k in uses.items() if e.split()[-1] == bare.split()[-1])))
    # "said the locksmith" is Vasel on the page as much as "said Vasel": a character's tags by epithet count
    # among their mentions, or calling someone by what they are half the time would halve how prominent
    # they look. (An epithet several characters share counts for none of them.)
    owners = Counter(ep for eps in extra.values() for ep in set(eps))
    out = [Character(c.name, c.aliases + tuple(extra.get(c.name, ())), c.gender,
                     c.mentions + sum(tagged[ep] for ep in set(extra.get(c.name, ())) if owners[ep] == 1))
           for c in chars]
    out.extend(new)
    out.sort(key=lambda c: -c.mentions)
    return out


def _kind_of(paragraphs: Sequence[str], pattern: re.Pattern[str], lookup: dict[str, str],
             uses: Counter[str]) -> dict[str, set[str]]:
    """Tag epithets ("the alicorn") and every character the narration says is one: "Celestia was an alicorn",
    "Spike is a young dragon" -> {"the alicorn": {"Celestia"}}. ("Lucy, a mortal maid" in apposition only
    says what she is like, as link_epithets has it.)

    The indefinite article says what kind of being someone is; when the story says it of one character only,
    "the alicorn" in a tag is that character. The noun must end its phrase ("a dragon assistant" is an
    assistant), and vague people-nouns ("Tom was a man of his word") say nothing."""
    # (Not an occupation: "said the maid" is the maid of the house, whoever else the story calls a maid.)
    heads = {ep.split()[-1] for ep in uses if len(ep.split()) == 2 and ep.split()[-1].isalpha()
             and ep.split()[-1] not in GENERIC_EPITHETS and ep.split()[-1] not in MALE_PRONOUNS
             and ep.split()[-1] not in FEMALE_PRONOUNS and ep.split()[-1] not in OCCUPATIONS}
    if not heads:
        return {}
    noun = (r"(?:an?)\s+(?:[a-z\-]+\s+){0,2}?(?P<noun>" + "|".join(sorted(map(re.escape, heads), key=len, reverse=True))
            + r")(?=\s*[,.;:!?]|\s+(?:who|whose|which|that|with|and|but|of|from|in|on|at|by|for|to|as|like|too|named|called)\b)")
    # The verb and noun are looked for first and the name just before them (the name pattern is long: run over
    # a few characters, not over the book).
    rx = re.compile(r"\s+(?:was|is)\s+" + noun)
    found: dict[str, set[str]] = defaultdict(set)
    for para in paragraphs:
        for m in rx.finditer(para):
            before = para[max(0, m.start() - 60):m.start()]
            who = next((n for n in pattern.finditer(before) if n.end() == len(before)), None)
            if who is not None:
                found["the " + m.group("noun")].add(lookup[" ".join(who.group(0).split())])
    return found


def _unknown_appositions(paragraphs: Sequence[str], eps: set[str], lookup: dict[str, str]) -> dict[str, set[str]]:
    """Tag epithets ("the dragon") the narration sets in apposition beside a capitalised name that is no
    character yet: "Spike, the baby dragon, yawned" -> {"the dragon": {"Spike"}}.

    Only a word written with a capital wherever the story uses it (never "spike" in lower case), not a title or
    a function word ("Then, the dragon, ..." is no name)."""
    # (A described tag, "the little dragon", is the bare noun's: "Spike, the baby dragon" owns "the dragon".)
    heads = {ep.split()[-1]: "the " + ep.split()[-1] for ep in eps if ep.split()[-1].isalpha() and " with " not in ep
             and ep.split()[-1] not in GENERIC_EPITHETS and (len(ep.split()) == 2 or ep.split()[1] not in CONTRAST_WORDS)}
    if not heads:
        return {}
    rx = re.compile(r"\b(?P<name>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?),\s+the\s+(?:[a-z\-]+\s+){0,3}?(?P<noun>"
                    + "|".join(sorted(map(re.escape, heads), key=len, reverse=True)) + r"),")
    text = "\n".join(paragraphs)
    found: dict[str, set[str]] = defaultdict(set)
    for para in paragraphs:
        for m in rx.finditer(para):
            name = m.group("name")
            words = name.split()
            if name in lookup or any(w in STOPWORDS or w in TITLES or re.search(rf"\b{w.lower()}\b", text) for w in words):
                continue
            found[heads[m.group("noun")]].add(name)
    return found


def _said_to_be(body: Sequence[Segment], pattern: re.Pattern[str], lookup: dict[str, str],
                uses: Counter[str]) -> dict[str, set[str]]:
    """Epithets the story says outright belong to a name: epithet -> every name it is said of.

    The characters tell the reader too, not only the narration: "I wrote to Mr. Wells, the lawyer",
    "Eugenio's our courier", "Mr. Wells is the lawyer." The noun must end the phrase ("Tom was the
    principal speaker" is not "the principal"). A definite article or a possessive before the
    noun picks out one person ("Tom is a lawyer" only says what he does). Vague people-nouns ("Tom is
    the man for it") are left out.
    """
    noun = r"(?:[a-z\-]+\s+){0,2}?(?P<noun>[a-z]+)\b"
    # What follows the name; the name itself is then looked for just before (the name pattern is long:
    # run over a few characters, not over the book).
    appos = re.compile(r",\s+the\s+" + noun + r",")
    copula = re.compile(r"(?:['\u2019]s|\s+s|\s+is|\s+was)\s+(?:the|our|my|your|his|her|their)\s+" + noun
                        + r"(?=\s*[,.;:!?)\u2014]|\s*$)")
    out: dict[str, set[str]] = defaultdict(set)
    # Person-nouns only: the tag reader also collects "the and", "the was" from broken lines.
    nouns = {w for ep in uses if (w := ep.split()[-1]).isalpha() and not w.endswith("ly")
             and w.capitalize() not in STOPWORDS} - GENERIC_EPITHETS
    if not nouns:
        return out
    has_noun = re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, nouns))) + r")\b")
    for seg in body:
        if not has_noun.search(seg.text):
            continue
        rxs = (appos, copula) if seg.kind == "dialogue" else (copula,)
        for rx in rxs:
            for m in rx.finditer(seg.text):
                if m.group("noun") not in nouns or "the " + m.group("noun") not in uses:
                    continue
                before = seg.text[max(0, m.start() - 60):m.start()]
                who = next((n for n in pattern.finditer(before) if n.end() == len(before)), None)
                if who is not None:
                    out["the " + m.group("noun")].add(lookup[" ".join(who.group(0).split())])
    return out


# "the old man" and the person-nouns "old" goes with. ("the young man" is left alone: "young Mr. Emerson" is
# the son of the Mr. Emerson the name stands for.)
_OLD_EPITHET = re.compile(r"the old (?P<noun>man|gentleman|fellow|lady|woman)")
# How many times the narration must call one character "old Mr. Emerson" before "the old man" is him.
_AGED_NAME_MIN = 3


def _the_old_one(uses: Counter[str], narration: list[str], pattern: re.Pattern[str], lookup: dict[str, str],
                 genders: dict[str, str], taken: dict[str, str]) -> dict[str, str]:
    """"the old man" / "the old lady" -> the one man / woman the narration keeps calling "old X".

    A book that says "old Mr. Emerson" again and again has one old man in mind, and its "said the old
    man" means him. Taken only when one character of the noun's sex has at least three such mentions and
    twice as many as anyone else of that sex: "the old man" is otherwise anyone old in the scene.
    """
    wanted = {ep: noun_gender(m.group("noun")) for ep in uses
              if (m := _OLD_EPITHET.fullmatch(ep)) is not None and ep not in taken}
    if not wanted:
        return {}
    old_name = re.compile(rf"\b[Oo]ld\s+(?:{pattern.pattern})")
    aged: Counter[str] = Counter()
    for para in narration:
        for a in old_name.finditer(para):
            name = pattern.search(a.group(0), len("old"))
            if name is not None:
                aged[lookup[" ".join(name.group(0).split())]] += 1
    out: dict[str, str] = {}
    for ep, sex in wanted.items():
        ranked = [(n, k) for n, k in aged.most_common() if genders.get(n) == sex]
        if ranked and ranked[0][1] >= _AGED_NAME_MIN and (len(ranked) == 1 or ranked[0][1] >= 2 * ranked[1][1]):
            out[ep] = ranked[0][0]
    return out


# "my dear Basil": the endearment as a word ("endear Basil," is no address).
_DEAR_BEFORE = re.compile(r"(?<![A-Za-z])dear$", re.IGNORECASE)


def _vocatives(speech: str, pattern: re.Pattern[str], lookup: dict[str, str]) -> set[str]:
    """The characters a passage of speech calls by name: "Basil, sit down", "Come here, Basil!", "my dear Basil"."""
    out: set[str] = set()
    for m in pattern.finditer(speech):
        before = speech[max(0, m.start() - 12):m.start()].rstrip()
        after = speech[m.end():m.end() + 2].lstrip()
        if (not before or before[-1] in ",;:!?.\u2014-" or _DEAR_BEFORE.search(before)) and (
                not after or after[0] in ",;!?.\u2014-"):
            out.add(lookup[" ".join(m.group(0).split())])
    return out


# How many tag uses an epithet needs before the names it is called by may decide who it is.
_CALLED_MIN = 3


def _called_by_name(body: Sequence[Segment], pattern: re.Pattern[str], lookup: dict[str, str],
                    uses: Counter[str], narration: list[str], short: bool = False) -> dict[str, str]:
    """Epithets the people talking with them keep calling by one name: epithet -> that character.

    A reader learns who "the painter" is from the conversation: the line before his and the reply
    after it address him ("Basil, you are mad", "Sit down, Basil"). For every speech tag with the
    epithet, the names called in the speech of the paragraphs just before and after (less those the
    tagged line itself calls: that is who the epithet talks to) are a vote. One name taking at least
    two votes and twice as many as any other is the epithet's owner. Generic people-nouns ("the
    young man") are never linked: the story gives them to anyone.

    A short story may tag its epithet once ('"You are doing it wrong," said the juggler.') and answer it by name
    once ('"I am lighting a lantern, Cole."'): there one tag and one vote from the reply after it, with none for
    anyone else, are enough.
    """
    least_uses, least_votes = (1, 1) if short else (_CALLED_MIN, 2)
    speech: list[str] = []
    last = None
    for seg in body:
        if seg.paragraph != last:
            speech.append("")
            last = seg.paragraph
        if seg.kind == "dialogue":
            speech[-1] += " " + seg.text
    if len(speech) != len(narration):
        return {}
    wanted = {ep: re.compile(rf"\b{re.escape(ep)}\b", re.IGNORECASE) for ep, n in uses.items()
              if n >= least_uses and ep.split()[-1] not in GENERIC_EPITHETS and " with " not in ep}
    if not wanted:
        return {}
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for i, para in enumerate(narration):
        eps = [ep for ep, rx in wanted.items() if rx.search(para)]
        if not eps or not speech[i].strip():
            continue
        own = _vocatives(speech[i], pattern, lookup)
        near = set()
        # (A short story's one vote only from the reply after the line: the name the line before calls is its
        # own listener, who may not be the one speaking next -- "Thank you, Mr. Dale." / "Silence!" said the usher.)
        for j in (i + 1,) if short else (i - 1, i + 1):
            if 0 <= j < len(speech):
                near |= _vocatives(speech[j], pattern, lookup)
        for ep in eps:
            votes[ep].update(near - own)
    out: dict[str, str] = {}
    for ep, c in votes.items():
        ranked = c.most_common(2)
        if not ranked:
            continue
        best, k = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else 0
        if k >= least_votes and k >= 2 * second and (second == 0 or not short):
            out[ep] = best
    return out

def _head_noun(ep: str) -> str:
    """The noun an epithet is built on: "man" in "the man with the red scarf"."""
    return ep.split(" with ")[0].split()[-1]

# How far (in characters) after "a crow" a new name may turn up and still be that crow's name.
_INTRO_REACH = 600
_INTRO_BACK = 12  # paragraphs searched back from the tag for the introduction


class _Intro:
    """Epithets linked by introduction: "A crow dropped onto the ladder. ... 'Don't mind Pip'" -- the
    first new name after the indefinite "a crow" is the crow, whom a later "said the crow" names."""

    def __init__(self, body: Sequence[Segment], chars: Sequence[Character], pattern: re.Pattern[str],
                 lookup: dict[str, str]) -> None:
        # Whole paragraphs, speech included: a newcomer is often first named by someone else.
        self.paras = paragraph_texts(body)
        self.pattern, self.lookup = pattern, lookup
        self.genders = {c.name: c.gender for c in chars}
        self._first: dict[str, int] | None = None

    def first_seen(self) -> dict[str, int]:
        """Paragraph index of each character's first mention (computed once, on demand)."""
        if self._first is None:
            self._first = {}
            for i, p in enumerate(self.paras):
                for m in self.pattern.finditer(p):
                    self._first.setdefault(self.lookup[" ".join(m.group(0).split())], i)
        return self._first

    def link(self, ep: str, at: int) -> str | None:
        head = ep.split()[-1]
        intro_re = re.compile(rf"\b(?:[Aa]n?)\s+(?:[a-z\-]+\s+){{0,3}}?{re.escape(head)}\b")
        lo = max(0, at - _INTRO_BACK)
        window = "\n".join(self.paras[lo : at + 1])
        intros = list(intro_re.finditer(window))
        if not intros:
            return None
        start = intros[-1].end()
        first = self.first_seen()
        # Names seen before the introduction are people we know already, not the newcomer.
        seen = {n for n, i in first.items() if i < lo}
        seen |= {self.lookup[" ".join(m.group(0).split())] for m in self.pattern.finditer(window, 0, start)}
        gender = noun_gender(head)
        for m in self.pattern.finditer(window, start, start + _INTRO_REACH):
            name = self.lookup[" ".join(m.group(0).split())]
            if name in seen:
                continue
            if gender != "unknown" and self.genders.get(name, "unknown") not in ("unknown", gender):
                return None
            return name
        return None


def norm_form(form: str) -> str:
    return re.sub(r"\s+", " ", form.strip().lower())
