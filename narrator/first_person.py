"""The first-person narrator and the special voices a story needs beside its named people.

A narrator who says "I said" is a character of the story, named by what others call them ("Jake", "Mr.
Barnes") and found from the quotations around their own lines; a chat log's writers ("Rainbow: so??") and an
unseen speaker ("a voice rang out") need voices of their own too. find_characters (characters.py) calls
add_narrator_and_voices once the named cast is clustered; this module reads that cast and the text only, and
imports nothing from characters.py.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence

from narrator.chat import chat_label
from narrator.lexicon import (
    FIRST_PERSON_VERB_ALT,
    LETTER_WORD_RE,
    NOT_NAMES,
    SHORT_STORY,
    SPEECH_VERB_ALT,
    STOPWORDS,
    TITLES,
    VOCATIVE_RE,
    both_tenses,
    civil_title,
    gender_of_title,
    self_introductions,
)
from narrator.mentions import name_lookup
from narrator.models import Character, Segment, Story
from narrator.name_clusters import BARE_TITLES, CIVIL_TITLES

_VOICE_RE = re.compile(r"\b(?:[Aa]|[Aa]nother)\s+(?:[a-z]+\s+){0,2}voice\b")

# "I said", "said I", and a present-tense narrator's "I add", "cry I", "says I". The inverted order is the
# commonest four verbs in both tenses and their bare forms. (Every speech verb there, "whispered I", "observed I",
# as speech_tags' _I_TAG reads them, was tried: no speaker changed on dev, but in Northanger Abbey retold in the
# first person the six more tags swung the vote that names the narrator to James Morland, -177 quotes.)
_INVERTED_I_VERBS = "|".join(sorted(both_tenses(frozenset(["said", "asked", "replied", "cried"]))
                                    | {"say", "ask", "reply", "cry"}, key=lambda w: (-len(w), w)))
_FIRST_PERSON_TAG = re.compile(r"^\s*,?\s*(?:I\s+(?:\w+\s+)?(?:" + FIRST_PERSON_VERB_ALT + r")|(?:"
                               + _INVERTED_I_VERBS + r")\s+I)\b")


def add_narrator_and_voices(chars: list[Character], story: Story, body: Sequence[Segment], narration: str,
                            proper: frozenset[str] = frozenset()) -> list[Character]:
    """Add the first-person narrator (alias "I") and a stand-in for unseen voices when the text needs them."""
    words = LETTER_WORD_RE.findall(narration)
    first_person = sum(1 for w in words if w in ("I", "me", "my"))
    i_tags = 0
    for a, b in itertools.pairwise(body):
        if a.paragraph != b.paragraph or a.chapter != b.chapter:
            continue
        if (a.kind == "dialogue" and b.kind == "narration" and _FIRST_PERSON_TAG.match(b.text)) or (
                a.kind == "narration" and b.kind == "dialogue" and _FIRST_PERSON_LEAD.search(a.text)):
            i_tags += 1  # "I said" after the speech, or 'I turned to him and said, "..."' before it
    out = list(chars)
    if words and (i_tags >= 2 or first_person > 0.02 * len(words)) and i_tags >= 1:
        found = _narrator_name(chars, body, proper)
        name = found[0] if found else None
        # "Jake Barnes" (given name from friends, surname from strangers) is the known "Barnes". A title and a
        # surname ("Miss Morland") names no given name: the known Morland may be her brother.
        surname = name.split()[-1] if (name and len(name.split()) == 2 and name.split()[0].rstrip(".") not in BARE_TITLES
                                       and not any(c.name == name for c in out)) else None
        # ...but not a holder of the other sex: "Margaret Schlegel" (called "Miss Schlegel") is not her brother.
        holder = next((c for c in out if surname and any(f.split()[-1] == surname for f in (c.name, *c.aliases))
                       and civil_title(c.name.split()[0]) not in ("Mrs", "Miss", "Ms")
                       and not any(len(f.split()) == 2 and f.split()[1] == surname and f.split()[0] != name.split()[0]
                                   and f.split()[0].rstrip(".") not in BARE_TITLES for f in (c.name, *c.aliases))
                       and (found is None or "unknown" in (found[1], c.gender) or found[1] == c.gender)), None)
        # A known character called by the given name alone ("Margaret") is the narrator "Margaret Schlegel".
        given = next((c for c in out if name and len(name.split()) == 2 and name.split()[0].rstrip(".") not in BARE_TITLES
                      and c.name == name.split()[0]), None)
        if name is not None and any(c.name == name for c in out):
            out = [Character(c.name, (*c.aliases, "I"), c.gender, c.mentions) if c.name == name else c for c in out]
        elif holder is not None and found is not None:
            gender = found[1] if found[1] != "unknown" else holder.gender
            out = [Character(found[0], (c.name, *c.aliases, found[0].split()[0], "I"), gender, c.mentions + i_tags)  # type: ignore[arg-type]
                   if c is holder else c for c in out]
        elif given is not None:
            out = [Character(c.name, (*c.aliases, name, "I"), c.gender, c.mentions) if c is given else c for c in out]  # type: ignore[arg-type]
        elif found is not None:
            out.append(Character(found[0], ("I",), found[1], i_tags))  # type: ignore[arg-type]
        else:
            out.append(Character("Narrator", ("I",), "unknown", i_tags))
    out = _add_chat_writers(out, body)
    if sum(1 for _ in _VOICE_RE.finditer(narration)) >= 1:
        # A story that names its mysterious speaker "the Voice" already has the character.
        known = next((c for c in out if "the voice" in (c.name.lower(), *(a.lower() for a in c.aliases))), None)
        if known is not None:
            out = [Character(c.name, (*c.aliases, "a voice"), c.gender, c.mentions) if c is known else c for c in out]
        else:
            out.append(Character("Voice", ("a voice", "the voice"), "unknown", 0))
    return out


def _add_chat_writers(chars: list[Character], body: Sequence[Segment]) -> list[Character]:
    """Add the writers of a chat log ("Rainbow: so??") whom the narration never names as people.

    A chat label is a name the story itself sets before a line of speech: a listener needs a voice for it
    even when the narration calls its owner something else or nothing at all.
    """
    labels: Counter[str] = Counter()
    for a, b in itertools.pairwise(body):
        if a.kind == "narration" and b.kind == "dialogue" and a.paragraph == b.paragraph:
            label = chat_label(a.text, b.text)
            if label is not None:
                labels[label] += 1
    if not labels:
        return chars
    known = {f for c in chars for f in (c.name, *c.aliases, c.name.split()[0])}
    return chars + [Character(label, (), "unknown", n) for label, n in labels.most_common() if label not in known]


def _narrator_name(chars: Sequence[Character], body: Sequence[Segment],
                   proper: frozenset[str] = frozenset()) -> tuple[str, str] | None:
    """The name (and title gender) others use to address the first-person narrator, when the text makes it clear."""
    lookup = name_lookup(chars)
    # Vocatives in quotes right after one of the narrator's own lines ("I said").
    # An ordinary word is one the story writes in lower case as often as capitalised: a vocative
    # "Well," is not a name, but "Pip" is even if a "pip" turns up once (the same test as for names).
    words = Counter(w for s in body for w in LETTER_WORD_RE.findall(s.text))
    common = _CommonWords(words, proper)
    if not lookup:
        # Nobody is known by name (a short scene of "Mother" and "me"): only a call-out aimed at the narrator
        # can name them.
        return _called_to_me(body, common)
    # Paragraph numbers restart in every chapter, so a paragraph is (chapter, paragraph).
    votes: Counter[str] = Counter()
    narrator_paras: set[tuple[int, int]] = set()
    for k, (a, b) in enumerate(itertools.pairwise(body)):
        if a.kind == "dialogue" and b.kind == "narration" and a.paragraph == b.paragraph and _FIRST_PERSON_TAG.match(b.text):
            narrator_paras.add((a.chapter, a.paragraph))
        elif (a.kind == "narration" and b.kind == "dialogue" and a.paragraph == b.paragraph
              and (_FIRST_PERSON_LEAD.search(a.text) or (_FIRST_PERSON_ACT.match(a.text) and not any(
                  s.kind == "narration" for s in body[k + 2 : k + 5]
                  if s.chapter == b.chapter and s.paragraph == b.paragraph)))):
            # 'I turned to him and said: "..."', 'I shook my head. "No."': the narrator acts, then speaks.
            narrator_paras.add((b.chapter, b.paragraph))
    # Paragraphs whose tag speaks to the narrator ("he said to me", "she asked me").
    to_me: set[tuple[int, int]] = set()
    for seg in body:
        if seg.kind == "narration" and _TO_ME.search(seg.text):
            to_me.add((seg.chapter, seg.paragraph))
    for seg in body:
        if seg.kind != "dialogue":
            continue
        if (seg.chapter, seg.paragraph) in narrator_paras:
            # "My name is Ann," said I: nobody but the bearer gives a name that way, so it outweighs a
            # handful of call-outs. "I'm Ann" counts as one call-out: it may be a supposition ("if I'm
            # Mabel, I'll stay down here").
            for m in self_introductions(seg.text):
                intro = " ".join(m.group("name").split())
                if intro.split()[0] in NOT_NAMES or _common_vocative(intro, common):
                    continue
                named = re.search(r"[Nn]ame|[Cc]all", m.group(0)) is not None
                if named or not re.search(r"\b[Ii]f\s*$", seg.text[: m.start()]):
                    votes[lookup.get(intro, intro)] += _SELF_NAMED if named else 1
        if (seg.chapter, seg.paragraph - 1) in narrator_paras or (seg.chapter, seg.paragraph) in to_me:
            sign = 1  # the reply to the narrator addresses the narrator
        elif (seg.chapter, seg.paragraph) in narrator_paras:
            sign = -1  # whoever the narrator addresses is someone else
        else:
            continue
        # A narrator is seldom named in the narration, so vocatives count whether or not they are a
        # known character ("Jake", "Watson").
        for m in VOCATIVE_RE.finditer(seg.text):
            voc = " ".join(m.group("v").split())
            if voc.split()[-1] in STOPWORDS or voc.split()[0] in NOT_NAMES or _common_vocative(voc, common):
                continue
            votes[lookup.get(voc, voc)] += sign
    big = {c.name for c in chars if c.name.rstrip(".") not in TITLES}
    votes = Counter({k: v for k, v in votes.items() if k in big or k not in lookup.values()})
    # "Hastings" and "Mr. Hastings" are one vote: pool forms that share a surname.
    pooled: Counter[str] = Counter()
    for k, v in votes.items():
        pooled[k.split()[-1]] += v
    last, n = pooled.most_common(1)[0] if pooled else ("", 0)
    if n < 3:
        # Few tagged lines: the narrator is the name people call out to most that the narration
        # itself hardly uses (the narrator says "I", not their own name).
        fallback = _unnarrated_vocative(body, common, big)
        if fallback is not None and len(fallback[0].split()) == 2 and fallback[0].split()[0].rstrip(".") in CIVIL_TITLES:
            # Strangers call out "Mr. Archer" and the replies to the narrator's own lines say "Newland" (twice
            # at least, and no other character is called so): he is Newland Archer, as below.
            surname = fallback[0].split()[-1]
            given = [k for k, v in votes.items() if v >= 2 and len(k.split()) == 1 and k not in big and k != surname]
            if given:
                return max(given, key=lambda k: (votes[k], k)) + " " + surname, fallback[1]
        if fallback is None:
            # Fewer call-outs than that, as in a short scene: one that the text aims at the narrator names them.
            fallback = _called_to_me(body, common)
        return fallback
    # The form to use: a known character's, else the most frequent vocative form.
    forms = sorted((k for k in votes if k.split()[-1] == last), key=lambda k: (k not in big, -votes[k]))
    if forms[0] not in big and (len(forms[0].split()) == 1 or _given_only(forms[0], votes, big)):
        # Friends call the narrator "Jake" and strangers "Mr. Barnes": he is Jake Barnes.
        # (Not a known character's own name: "Miss Morstan" called in the narrator's scenes is Miss Morstan.)
        formal = [k for k, v in votes.items() if v >= 2 and len(k.split()) == 2 and k.split()[0].rstrip(".") in CIVIL_TITLES
                  and k.split()[-1] != last and k not in big]
        if formal:
            best = max(formal, key=lambda k: votes[k])
            return forms[0] + " " + best.split()[-1], gender_of_title(best.split()[0])
    return forms[0], next((gender_of_title(k.split()[0]) for k in forms if k.split()[0] in TITLES), "unknown")


# The weight of one self-introduction in the narrator's own line against one vocative (+1) in a reply.
_SELF_NAMED = 3


def _given_only(form: str, votes: Counter[str], big: set[str]) -> bool:
    """Whether a two-word vocative ("Mary Ann") is two given names rather than a given name and a surname:
    nobody calls the narrator by a title and its last word ("Miss Ann"), and no other character of the
    story ends on that word (a family name)."""
    words = form.split()
    if len(words) != 2 or words[0].rstrip(".") in TITLES:
        return False
    last = words[-1]
    return not any(k.split()[-1] == last and k.split()[0].rstrip(".") in BARE_TITLES for k in votes if k != form) \
        and not any(c != form and len(c.split()) >= 2 and c.split()[-1] == last for c in big)


def _common_vocative(voc: str, common: _CommonWords) -> bool:
    """A vocative made of ordinary words ("Well,", "Good gracious,"). One word that is a name in this
    story ("Affair Short," when "Affair" is written as a name elsewhere) or a title ("Mr. Floor,":
    nobody says "Mr. floor") makes it a name, however common the rest."""
    words = voc.split()
    if words[0].rstrip(".") == "Dr" or civil_title(words[0]):
        return False
    return all(w.lower() in common for w in words)


class _CommonWords:
    """`word in common`: the story writes `word` (lower-cased) in lower case at least half as often as
    capitalised, so a capitalised use of it is not evidence of a name."""

    def __init__(self, counts: Counter[str], proper: frozenset[str] = frozenset()) -> None:
        self.counts = counts
        # Words the story also writes as proper nouns mid-sentence ("asked Table"): names after all.
        self.proper = proper

    def __contains__(self, lower: object) -> bool:
        if not isinstance(lower, str):
            return False
        upper = lower[:1].upper() + lower[1:]
        if upper in self.proper:
            return False
        low = self.counts.get(lower, 0)
        return low > 0 and low * 2 >= self.counts.get(upper, 0)



def _unnarrated_vocative(body: Sequence[Segment], common: _CommonWords, big: set[str]) -> tuple[str, str] | None:
    voc: Counter[str] = Counter()
    for seg in body:
        if seg.kind == "dialogue":
            for m in VOCATIVE_RE.finditer(seg.text):
                v = " ".join(m.group("v").split())
                if v.split()[-1] not in STOPWORDS and v.split()[0] not in NOT_NAMES and not _common_vocative(v, common):
                    voc[v] += 1
    narration = " ".join(s.text for s in body if s.kind == "narration")
    # Four call-outs: a short story may tag only one of the narrator's lines, and be no longer than the
    # four times its people call her "Mae" (5 left tests/fixtures/attribution/encore.txt's narrator
    # "Narrator"; dev and fan-fiction figures are the same with 4 or 5). A short scene may call its narrator
    # twice in all ('"Faster, Wren," Mother says'): there two are enough, when no other name is called as often.
    short = sum(len(s.text) for s in body) < SHORT_STORY
    least = 2 if short else 4
    best: tuple[int, str] | None = None
    tied = False
    for v, n in voc.most_common(10):
        if n < least:
            break
        told = len(re.findall(r"(?<![^\W\d_])" + r"\s+".join(map(re.escape, v.split())) + r"(?![^\W\d_])", narration))
        if told <= 0.25 * n:
            tied = tied or (best is not None and n == best[0])
            if best is None or n > best[0]:
                best = (n, v)
    if best is None or (short and tied):
        return None  # (in a short scene, two names called as often: which is the narrator's is not clear)
    v = best[1]
    return v, gender_of_title(v.split()[0]) if v.split()[0] in TITLES else "unknown"


def _called_to_me(body: Sequence[Segment], common: _CommonWords) -> tuple[str, str] | None:
    """The name in a call-out whose own tag aims it at the narrator ('"Ann, wait!" Bram called after me.'),
    when that is the only name so called, the narrator never calls anyone by it, and the narration never uses
    it (a narrator says "I", not their own name)."""
    called: Counter[str] = Counter()
    mine: set[str] = set()  # names the narrator calls out in their own lines: someone else's
    for k, seg in enumerate(body):
        if seg.kind != "dialogue":
            continue
        before = body[k - 1] if k and body[k - 1].paragraph == seg.paragraph and body[k - 1].kind == "narration" else None
        after = body[k + 1] if k + 1 < len(body) and body[k + 1].paragraph == seg.paragraph and \
            body[k + 1].kind == "narration" else None
        to_me = (after is not None and _TAG_TO_ME.match(after.text)) or (before is not None and _LEAD_TO_ME.search(before.text))
        by_me = (after is not None and _FIRST_PERSON_TAG.match(after.text)) or (
            before is not None and _FIRST_PERSON_LEAD.search(before.text))
        if not (to_me or by_me):
            continue
        for m in VOCATIVE_RE.finditer(seg.text):
            v = " ".join(m.group("v").split())
            if v.split()[-1] in STOPWORDS or v.split()[0] in NOT_NAMES or _common_vocative(v, common):
                continue
            if to_me and not by_me:
                called[v] += 1
            elif by_me and not to_me:
                mine.add(v)
    if len(called) != 1:
        return None  # nobody, or several names: which one is the narrator's is not clear
    v = next(iter(called))
    narration = " ".join(s.text for s in body if s.kind == "narration")
    told = re.search(r"(?<![^\W\d_])" + r"\s+".join(map(re.escape, v.split())) + r"(?![^\W\d_])", narration)
    if v in mine or told is not None:
        return None
    return v, gender_of_title(v.split()[0]) if v.split()[0] in TITLES else "unknown"


# The narration after a quotation aims it at the narrator: '"Ann, wait!" Bram called after me.', '..., she said
# to me', 'he shouted at me'; and before one: 'Bram called after me: "Ann, wait!"'. The verb is a speech verb,
# its object "me" (through "to", "after", "at", "out to", ...).
_AT_ME = r"\b(?:" + SPEECH_VERB_ALT + r")\s+(?:(?:out|back|over|across|up|down)\s+)?(?:(?:to|after|at|towards?)\s+)?me\b"
_TAG_TO_ME = re.compile(r"[^.!?\"\u201c\u201d]{0,60}?" + _AT_ME)
_LEAD_TO_ME = re.compile(_AT_ME + r"[^.!?\"\u201c\u201d]{0,20}[,:\u2014-]?\s*$")
# The narration before a quotation ends on the narrator's own speech verb: "I said:", "I turned to him and
# replied," -- "I" the subject of the last sentence, the speech verb its verb or the one joined by "and".
_FIRST_PERSON_LEAD = re.compile(r"(?:^|[.!?;]\s+|,\s+|\band\s+)I\s+(?:[^.!?;\"]{0,60}?\band\s+)?(?:[a-z]+ly\s+|then\s+|again\s+)?(?:"
                                + FIRST_PERSON_VERB_ALT + r")\b[^.!?;\"]{0,40}[,:\u2014-]?\s*$")
# A paragraph that opens on the narrator's own action, no one else's: "I shook my head." / "I sighed,".
_FIRST_PERSON_ACT = re.compile(r"\s*I\s+(?:[a-z]+ly\s+)?[a-z]+\b(?![^\"]*\b(?:he|she|He|She|they|They)\b)")
_TO_ME = re.compile(r"\b(?:" + SPEECH_VERB_ALT + r")\s+(?:to\s+)?me\b|\bturning\s+to\s+me\b")
