"""The speech-tag grammar: who the narration around a quotation says is speaking.

"said Emma", "Emma turned to him and said:", "cried the old man", "was Lucy's reply", "he heard Kit
say": the patterns a reader uses to find a speaker in the words beside a quotation, and the subjects of
narration clauses. Kept apart from attribution.py, which decides among candidates, because these rules
read one piece of narration at a time and know the cast only through the resolver they are given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from narrator.lexicon import (
    FIRST_PERSON_VERB_ALT,
    IRREGULAR_PRESENTS,
    SPEECH_VERBS,
    TAG_EPITHET_ALT,
    both_tenses,
)

if TYPE_CHECKING:
    from narrator.resolver import CastIndex

# Rarer verbs of speaking a reader takes for a tag in either order ("Ann interposed", "queried the clerk").
# Read by the tag patterns only: character discovery keeps its own list (a new tag verb there changes
# which capitalised words it pairs into names).
_RARE_VERBS = both_tenses(frozenset(
    ["interposed", "interjected", "ejaculated", "queried", "questioned", "hazarded", "confided", "implored", "entreated",
     "commanded", "asserted", "proclaimed", "complained", "wailed", "quavered", "thundered", "reassured", "acquiesced",
     "corroborated", "admonished", "subjoined", "opined", "chorused"]
))
# Every verb of speaking as one alternation, longest first: a regex takes the first alternative that fits.
TAG_VERB_ALT = "|".join(sorted(SPEECH_VERBS | _RARE_VERBS, key=lambda w: (-len(w), w)))
# What may stand between a quotation and the tag after it: space, a comma, a colon, a dash.
TAG_LEAD = r"^[\s,;:\-\u2014\u2013]*"
# An optional adverb or auxiliary before a tag's verb ("Emma then said", "she had asked").
TAG_ADVERB = r"(?:[a-z]+ly\s+|then\s+|at\s+last\s+|again\s+|now\s+|quickly\s+|had\s+|has\s+|was\s+|is\s+|would\s+|did\s+|does\s+|could\s+)?"


@dataclass
class SpeechTag:
    """A speech tag found beside a quotation: whom it names, by what kind of word, and where."""

    name: str | None
    kind: str  # name / pronoun / epithet / none
    gender: str
    where: str  # after / before / inside
    # "said her mother", "cried his wife", "said her companion": the speaker is someone related to
    # the one the possessive points at (its gender here), and is not that person.
    owner: str | None = None
    rel: str = ""  # the relation word ("mother")
    other: bool = False  # "said the other": not the one who spoke last
    phrase: str = ""  # an unknown epithet's words without the article ("old man")
    # "old" / "young" / "child" when the epithet tells the speaker's age ("the old man", "the girl", "the boy")
    age: str = ""


def single_spaced(s: str) -> str:
    """`s` with every run of whitespace (a line break in wrapped text) as one space."""
    return " ".join(s.split())


# Words that introduce speech in a lead-in ("..., saying:", "Emma continued:").
_ING = frozenset(
    ["saying", "adding", "asking", "replying", "answering", "exclaiming", "crying", "remarking", "whispering", "murmuring", "muttering", "continuing", "beginning", "observing", "calling", "shouting", "repeating", "inquiring", "enquiring", "declaring", "returning", "interrupting", "explaining", "protesting", "pleading", "begging", "sobbing", "gasping", "stammering"]
)
SPEECH_WORDS = frozenset(SPEECH_VERBS) | _RARE_VERBS | _ING | {"begun", "exclaim", "whisper", "remark", "cry", "observe", "inquire"}
_SEP = r"[\s,;:\-\u2014\u2013(]*"
# Particles of phrasal speech verbs: "put in", "broke in", "went on", "called out", "spoke up".
_PARTICLE = r"(?:\s+(?:in|out|up|on|back|again|forth|at\s+last|at\s+once|quickly|slowly|softly|gently|coldly))?"
# The phrasal verbs of speaking, in both tenses ("broke in" / "breaks in", "went on" / "goes on").
_PHRASAL = (r"(?:put|puts)\s+in|(?:broke|breaks)\s+in|(?:struck|strikes)\s+in|(?:cut|cuts)\s+in|(?:went|goes)\s+on|"
            r"(?:burst|bursts)\s+out|(?:spoke|speaks)\s+up|(?:rang|rings)\s+out")
_INVERTED_VERB = re.compile(
    _SEP + r"(?:(?:[a-z]+ly|then|now|again|at\s+last|at\s+once|presently|here|there)\s+)?"
    r"(?P<verb>(?:" + TAG_VERB_ALT + r")\b|[a-z]+ed\b|(?:" + _PHRASAL + r")\b|began\b|begins\b)" + _PARTICLE +
    # A verb the narrator corrects is still the tag: "ejaculated, or rather growled, Tom".
    r"(?:,?\s+or\s+(?:rather\s+)?(?:" + TAG_VERB_ALT + r"|[a-z]+ed)\b,?)?" + r"(?:\s+by)?\s+"
)
# Between a tag verb and the name: an article and up to two adjectives ("cried the kind-eyed
# Mrs. Tom Hale", "remarked skeptical Anne", "called the voice of old Mr. Finch").
_NAME_LEAD = re.compile(r"(?:(?:the|a|an|poor|little|old|young|dear|good)\s+)?(?:[a-z][a-z\-]*\s+){0,2}")
# The voice stands for its owner: "cut in the clear voice of Tom", "sounded the honeyed accents of Tom".
_VOICE_OF = re.compile(r"the\s+(?:[a-z\-]+\s+){0,2}?(?:voice|voices|accents|tones?)\s+of\s+")
_POSSESSIVE_NOUNS = (
    "remark|answer|reply|voice|comment|exclamation|words|response|question|cry|retort|rejoinder|injunction|"
    "amendment|greeting|advice|reproach|verdict|opinion|explanation|observation|request|whisper|laugh|"
    "protest|objection|conclusion|salutation|apology|farewell|contribution|reasoning|declaration|assurance|"
    "suggestion|proposal|entreaty|inquiry|enquiry|supplement|information|reflection|exclamations|accents|tones"
)
# "Emma's calm answer", "was Lucy's reply": a possessive naming a speech noun (the apostrophe optional
# after "was"; the caller requires it where a bare name would be ambiguous).
_POSSESSIVE = re.compile(r"['\u2019]?s?\s+(?:[a-z\-]+\s+){0,2}(?:" + _POSSESSIVE_NOUNS + r")\b")
PREPOSITIONS = frozenset(
    ["to", "at", "of", "with", "for", "towards", "toward", "from", "on", "upon", "by", "about", "behind", "beside", "before", "after", "into", "than", "like", "near", "past", "round", "around", "beyond", "over", "under", "between", "among", "against", "without", "within"]
)
_SUBORDINATE = re.compile(r"^(?:When|If|As|After|Before|While|Though|Although|Since|Until|Once|Seeing|Having|Hearing|"
                          r"Turning|Looking|Finding|Perceiving|Observing)\b[^,]*,\s*")


# Nouns of speaking that stand in for a speech verb in a lead-in ("Emma's remark was", "the voice
# of Tom was heard").
_SPOKEN_NOUNS = frozenset(_POSSESSIVE_NOUNS.split("|")) | {"tone", "reproach"}
_SPOKEN_NOUN = re.compile(r"['\u2019]s?\s+(?:[a-z\-]+\s+){0,2}(?:" + _POSSESSIVE_NOUNS + r")\b|\b(?:voice|accents|tones?)\s+of\b")
# A relative clause spoken by its antecedent: ", who said", ", who, rousing himself, started up and said".
_WHO_SAID = re.compile(r",\s*who\b[^.!?;\"\u201c]{0,120}?\b(?:" + "|".join(sorted(SPEECH_WORDS, key=len, reverse=True)) + r")\b")


# The optional abbreviated title before a name, as the tag and subject patterns read it ("Mr. ", "Dr. "):
# one spelling for all five. (DOT_TITLES, which also keeps "Mme." and "Rev." from ending a sentence, is longer.)
TITLE_ABBR = r"(?:(?:Mr|Mrs|Ms|Dr|St)\.\s+)?"
# Lower-case particles inside a name: "Mrs. van der Luyden murmured", "Monsieur de Griers said". The
# clause patterns below re-read a name from its first word, so they must step over these too.
_NAME_PARTICLES = r"(?:van|von|der|den|de|du|da|di|del|della|le|la|ten|ter)\b"
# A clause's subject as the tag patterns below read it: a title's abbreviation, a first word, up to three more
# capitalised words or particles ("Mrs. van der Luyden").
_CLAUSE_SUBJECT = TITLE_ABBR + r"[^\s,;:]+(?:\s+(?:[A-Z][\w'\-]*|" + _NAME_PARTICLES + r")){0,3}"


_PAREN_VERB = re.compile(
    _CLAUSE_SUBJECT + r"\s*,[^,;:]{1,60},\s*(?:[a-z]+ly\s+)?(?P<v>"
    + "|".join(sorted(SPEECH_WORDS, key=len, reverse=True)) + r")\b"
)
# Speech "verbs" that are gestures when a real speech verb follows in the same lead-in.
_GESTURES = both_tenses(frozenset(["laughed", "smiled", "nodded", "sighed", "grinned", "chuckled", "giggled", "sobbed", "groaned",
                       "moaned", "gasped", "thought", "wondered", "mused", "breathed", "purred"]))
_THINKING = both_tenses(frozenset(["thought", "wondered", "mused"]))
_ANNOUNCED = re.compile(
    r"\b(?:began|begun|begins|resumed|resumes)(?:\s+(?:again|thus|[a-z]+ly))?\s*[.]?$")
_AGENT = re.compile(r"\b[a-z]+ed\s+(?:[a-z]+\s+){0,3}?by\s+(?P<who>(?:the\s+)?[A-Z][^,:;]{0,40}?)\s*(?:with)?\s*[,:\u2014\-]*\s*$")


# Finite verbs that are not "-ed" pasts, in both tenses ("rose" / "rises", "cried" / "cries"); a present-tense
# story's regular verbs ("looks", "turns") are _PRESENT_S's, below, with its exceptions: an -s word after a
# name may be a noun or "perhaps".
_FINITE_IRREGULAR = "|".join(sorted(both_tenses(frozenset(
    ["rose", "came", "went", "took", "gave", "made", "began", "stood", "sat", "ran", "spoke", "said", "knew", "thought", "felt", "saw", "heard", "got", "put", "held", "drew", "broke", "kept", "left", "met", "bent", "threw", "shook", "laid", "led", "caught", "sprang", "struck", "found", "told", "cried", "replied"])), key=lambda w: (-len(w), w)))
# A present-tense verb in -s ("turns", "exclaims", "pauses"): the present's "-ed". Not an adverb, pronoun or
# auxiliary that happens to end in s ("always", "perhaps", "hers", "does"). (Words of three letters or fewer,
# "his", "was", and words in -ss or -us, "unless", "thus", never match the shape, so they need no exception.)
_PRESENT_S = (r"(?!(?:always|perhaps|towards|afterwards|sometimes|besides|this|hers|ours|yours|theirs|does)\b)"
              r"[a-z]{2,}[^\W\dsu]s")
_PRESENT_S_RE = re.compile(_PRESENT_S + r"$")
# A name or pronoun followed (after an optional parenthesis) by a finite verb: the subject of its clause.
_SUBJECT_VERB = re.compile(
    _CLAUSE_SUBJECT + r"(?:\s*,[^,;]{1,60},)?\s+(?:[a-z]+ly\s+)?"
    r"(?:had|has|was|were|is|are|does|could|would|did|should|might|must|will|can|[a-z]{2,}ed|" + _PRESENT_S + "|"
    + _FINITE_IRREGULAR + r")\b"
)


# A verb in -ed, with a particle ("howled", "snapped out").
_ED_VERB = r"[a-z]{3,}ed(?:\s+(?:out|in|up|back))?"
# A name and one verb in -ed closing a lead-in, with only a comma, colon or dash after it.
_FINAL_VERB = re.compile(
    _CLAUSE_SUBJECT + r"\s+(?:[a-z]+ly\s+)?" + _ED_VERB + r"\s*(?:,|:|--|\u2014)\s*$")
# The cheap test tag_before_quote gates _FINAL_VERB with: the lead-in ends on such a verb and a comma.
_ENDS_ON_ED_VERB = re.compile(r"\b" + _ED_VERB + r"\s*,\s*$")


# Titles whose full stop ends no sentence ("Mr. Knightley").
DOT_TITLES = ("Mr", "Mrs", "Ms", "Dr", "St", "Mme", "Rev")
# A sentence ends at . ! ? (and a closing quote or bracket), but not after a title's full stop. (The stop's
# look-behind first: the titles' are then read only where a stop is, not at every character.)
SENTENCE_END = re.compile(r"(?<=[.!?])" + "".join(rf"(?<!\b{t}\.)" for t in DOT_TITLES) +
                           r"[\"'\u201d\u2019)]*\s+")
# Where narration is cut into clauses to find their subjects: after . ! ? or ;, but not after a title's
# full stop. (A plain split made "Mrs. Harrow set down her cup." two pieces, "Mrs." and a clause whose
# subject was "Harrow" -- her husband, where the family's people go by one surname.)
CLAUSE_BREAK = re.compile(r"(?<=[.!?;])" + "".join(rf"(?<!\b{t}\.)" for t in DOT_TITLES) + r"\s+")


# A name or pronoun, adverbs or a short appositive, then a speech verb.
_ADJACENT_VERB = re.compile(
    _CLAUSE_SUBJECT + r"(?:,\s*(?:who|whose)\b[^,]{0,80},)?"
    r"(?:\s+(?:[a-z]+ly|then|thus|now|only|at\s+last|at\s+once|again|still|also|had|has|would|could|did))*\s+(?:"
    + "|".join(sorted(SPEECH_WORDS, key=len, reverse=True)) + r")\b"
)


def _known_at(text: str, pos: int, res: CastIndex, lead: bool = True) -> tuple[str, str, str, int] | None:
    """A known character named at `pos` (after an article and adjectives when `lead`): name, kind, gender, end."""
    candidates = [pos]
    if lead:
        vo = _VOICE_OF.match(text, pos)
        if vo:
            pos = vo.end()
            candidates = [pos]
        # Every part of _NAME_LEAD is optional, so it always matches. Try the longest lead first:
        # "the kind-eyed Mrs. Tom Hale".
        lead_end = _NAME_LEAD.match(text, pos).end()  # type: ignore[union-attr]
        ends = []
        for w in re.finditer(r"([a-z][a-z\-]*)\s+", text[pos:lead_end]):
            if w.group(1) in PREPOSITIONS:
                break  # "said the parlourmaid to Leonard": a name after a preposition is the listener
            ends.append(pos + w.end())
        candidates = sorted({pos, *ends}, reverse=True)
    for p in candidates:
        if res.name_re is not None:
            m = res.name_re.match(text, p)
            if m:
                name = res.forms[single_spaced(m.group(0))]
                return name, "name", res.gender.get(name, "unknown"), m.end()
    for p in sorted(set(candidates)):
        if res.epithet_re is not None:
            m = res.epithet_re.match(text, p)
            if m:
                name = res.holder(m.group(0))
                kind = res.epithet_kind(m.group(0), name)
                return name, kind, res.gender.get(name, "unknown"), m.end()
    return None


# "she heard Ralph say", "Archer heard Madame Olenska say": the one heard is the one speaking.
_HEARD = re.compile(r"\b(?:heard|hear|hears|overheard|overhear)\s+")
_HEARD_VERB = re.compile(r"\s+(?:(?:[a-z]+ly|then|suddenly|again)\s+)?(?:say|speak|exclaim|add|reply|answer|ask|cry|call|"
                         r"murmur|whisper|remark|observe|declare|mutter|begin|rejoin|repeat|protest|shout|tell)\b")


_HEARER = re.compile(_SEP + r"(?:(?:he|she|I|we|they|He|She)\s+|(?:(?:Mr|Mrs|Ms|Dr)\.\s+)?(?:[A-Z][\w'\-]*\s+){1,3}?)"
                     r"(?:(?:[a-z]+ly|then|now|suddenly|could|had)\s+)*(?=(?:heard|hear|hears|overheard)\b)")


# "he heard her say:", "she heard him murmur": a pronoun heard speaking is the speaker, not the one who hears.
_HEARD_PRONOUN = re.compile(r"\b(?:heard|hear|hears|overheard|overhear)\s+(?P<p>her|him)" + _HEARD_VERB.pattern)


def _heard_pronoun(text: str) -> tuple[None, str, str] | None:
    """The pronoun heard saying the words ("he heard her say"), as a pronoun tag of its sex, or None."""
    m = _HEARD_PRONOUN.search(text)
    if m is None:
        return None
    return None, "pronoun", "female" if m.group("p") == "her" else "male"


def _heard_say(text: str, res: CastIndex, start: int = 0) -> tuple[str, str, str, int] | None:
    """A known character heard saying the words ("he heard Katharine say"), or None."""
    for h in _HEARD.finditer(text, start):
        hit = _known_at(text, h.end(), res, lead=False)
        if hit is not None and _HEARD_VERB.match(text, hit[3]):
            return hit
    return None


# An epithet adjective before a name that starts the tag: '"No," poor Tom said', '"Yes," young Kit began'.
# The closed list character discovery counts tags with.
_EPITHET_ADJ = re.compile(r"(?:" + TAG_EPITHET_ALT + r")\s+")
_CAME_FROM = re.compile(r"(?:(?:was|were|is|are|came|comes|followed|follows|then\s+came|then\s+comes)\s+(?:the\s+)?|from\s+|"
                        r"according\s+to\s+)")
# Where the words come from is who speaks them: "burst from Tom", "broke angrily from Tom", "came the
# answer from Tom", "was uttered by Tom", "was all Tom said". Only verbs of issuing or of speaking
# lead in, so "said Ann, turning from Tom" (a speech verb with its own subject) never matches here.
_SOURCE_FROM = re.compile(
    r"(?:(?:then\s+)?(?:came|comes|burst|bursts|broke|breaks|issued|issues|escaped|escapes|fell|falls|sounded|sounds|rang|rings)"
    r"(?:\s+(?:forth|out|[a-z]+ly))?"
    r"(?:\s+(?:the|a|an|his|her)\s+(?:[a-z\-]+\s+){0,2}?[a-z]+)?\s+from"
    r"|(?:was|were|is|are)\s+(?:[a-z]+ly\s+)?(?:" + TAG_VERB_ALT + r"|spoken|uttered|given|offered|put)\s+by)\s+")
_ALL_SAID = re.compile(
    r"(?:was|were|is|are)\s+(?:all|what|everything|the\s+(?:only|last|first)\s+(?:thing|words?))\s+(?:that\s+)?")
_ALL_SAID_VERB = re.compile(r"\s+(?:(?:had|has|could|would|did|does|then)\s+)*(?:(?:[a-z]+ly)\s+)?(?:" + TAG_VERB_ALT + r")\b")


def _past_or_present(word: str) -> bool:
    """A regular finite verb of narration in either tense: "pondered" or "ponders" (after '"Why?" she ...'), but
    not an irregular one's present ("makes"), as "made" is no "-ed" past."""
    return word.endswith("ed") or (_PRESENT_S_RE.match(word) is not None and word not in IRREGULAR_PRESENTS)


def tag_after_quote(txt: str, quote: str, res: CastIndex) -> tuple[str | None, str, str, int] | None:
    """The speaker named by the narration right after a quotation (name, kind, gender, end of the tag)."""
    # "said Emma", "put in Lucy", "cried the kind-eyed Mrs. Tom Hale": any verb will do when a
    # known character follows it directly.
    m = _INVERTED_VERB.match(txt)
    if m:
        hit = _known_at(txt, m.end(), res)
        if hit is not None:
            return hit
    # '"Pears are better," he heard Kit say.': the subject only hears; the one heard speaks.
    hm = _HEARER.match(txt)
    if hm:
        hit = _heard_say(txt, res, hm.end())
        if hit is not None and _HEARD.match(txt, hm.end()):
            return hit
    sep = re.match(_SEP, txt)
    p = sep.end() if sep else 0
    m3 = _SOURCE_FROM.match(txt, p)
    if m3:
        hit = _known_at(txt, m3.end(), res, lead=False)
        if hit is not None:
            return hit
    m3 = _ALL_SAID.match(txt, p)
    if m3:
        hit = _known_at(txt, m3.end(), res, lead=False)
        if hit is not None and _ALL_SAID_VERB.match(txt, hit[3]):
            return hit
    # "was Emma's calm answer", "from Mr. Wilcox", "according to Mrs. Munt".
    m2 = _CAME_FROM.match(txt, p)
    if m2:
        hit = _known_at(txt, m2.end(), res, lead=False)
        if hit is not None and (not m2.group(0).startswith(("was", "were", "is", "are", "came", "comes", "followed", "follows", "then"))
                                or _POSSESSIVE.match(txt, hit[3])):
            return hit
    # "Emma said", "Mrs. Honeychurch exclaimed", "Harriet thus began again", "Mr. Beebe, who ..., said".
    hit = _known_at(txt, p, res, lead=False)
    if hit is None and (am := _EPITHET_ADJ.match(txt, p)):
        hit = _known_at(txt, am.end(), res, lead=False)  # '"No," poor Tom said'
    if hit is not None:
        rest = txt[hit[3]:]
        if re.match(r"['\u2019]", rest) and _POSSESSIVE.match(rest):
            return hit  # "Emma's remark was"
        if not re.match(r"['\u2019]", rest):
            rest = re.sub(r"^,\s*(?:who|whose|which|with|in|at|as)\b[^,\n]{0,90},", "", rest)
            w = re.match(r"\s+(?:(?:[a-z]+ly|then|thus|now|again|at\s+last|at\s+once|only|still|also)\s+)*(?P<w>[a-z]+)\b", rest)
            if w:
                q = quote.rstrip().rstrip("\"'\u201d\u2019").rstrip()
                # After a comma the next words are a tag whatever the verb; after a full stop only a
                # speech verb makes them one ("Emma sat down" may start a new action).
                if q.endswith((",", "-", "\u2014")) or w.group("w") in SPEECH_WORDS or (
                        q.endswith(("?", "!")) and _past_or_present(w.group("w"))):
                    return hit
    q = quote.rstrip().rstrip("\"'\u201d\u2019").rstrip()
    # "he quavered", "she broke out", "he went on": after a comma (or a dash) a pronoun and a verb are
    # the tag whatever the verb; after ? or ! an -ed verb is ("Why?" she pondered).
    pm = _PRON_VERB.match(txt)
    if pm and (q.endswith((",", "-", "\u2014")) or pm.group("w") in SPEECH_WORDS or (
            q.endswith(("?", "!")) and _past_or_present(pm.group("w")) and pm.group("w") not in _NOT_TAG_ED)):
        low = pm.group("p").lower()
        return None, "pronoun", "male" if low == "he" else "female", pm.end()
    # "was her answer", "was his next observation": a possessive speech noun names its owner.
    pn = _PRON_NOUN.match(txt)
    if pn and pn.group("p").lower() == "my":
        # "was my answer": the narrator's own words, as surely as "said I" (a story without one reads on).
        if res.narrator is not None:
            return res.narrator, "name", res.gender.get(res.narrator, "unknown"), pn.end()
        pn = None
    if pn:
        return None, "pronoun", "male" if pn.group("p").lower() == "his" else "female", pn.end()
    # A present-tense narrator's own tag, "I add" or "cry I": a bare verb no third person takes.
    if res.narrator is not None and (im := _I_TAG.match(txt)):
        return res.narrator, "name", "unknown", im.end()
    # Pronouns and unknown epithets: the old patterns.
    m = res.inverted.match(txt) or res.normal.match(txt)
    if m:
        name, kind, gender = res.lookup(m.group("subj"))
        if kind != "none":
            return name, kind, gender, m.end()
    return None


_I_TAG = re.compile(TAG_LEAD + r"(?:I[\s,]+" + TAG_ADVERB + r"(?:" + FIRST_PERSON_VERB_ALT + r")|" + TAG_ADVERB + r"(?:"
                    + FIRST_PERSON_VERB_ALT + r")\s+I)\b")
_PRON_VERB = re.compile(TAG_LEAD + r"(?P<p>he|she|He|She)\s+(?:(?:[a-z]+ly|then|thus|now|again|at\s+last|at\s+once|only|still|also)\s+)*(?P<w>[a-z]+)\b")
# -ed verbs after "?" or "!" that start a new action rather than tag the speech.
_NOT_TAG_ED = both_tenses(frozenset(["turned", "looked", "walked", "stopped", "stared", "glanced", "seemed", "appeared", "moved",
                         "started", "opened", "closed", "raised", "lifted", "passed", "entered", "returned", "reached",
                         "picked", "pulled", "pushed", "jumped", "jerked", "wanted", "needed", "tried", "watched", "waited"]))
_PRON_NOUN = re.compile(TAG_LEAD + r"(?:was|were|is|are|came|comes)\s+(?:then\s+|therefore\s+|now\s+|only\s+|all\s+)?"
                        r"(?P<p>his|her|my)\s+(?:[a-z\-]+\s+){0,2}?(?:" + _POSSESSIVE_NOUNS + r")\b")


def tag_before_quote(txt: str, res: CastIndex, lead: bool, strict: bool = False) -> tuple[str | None, str, str] | None:
    """The speaker named by the narration just before a quotation ("Emma turned and said:"), or None."""
    body = txt.rstrip()
    if not body:
        return None
    last = SENTENCE_END.split(body)[-1]
    ends = last.rstrip().rstrip("-\u2014 ")
    colon = ends.endswith(":") or last.rstrip().endswith(("--", "\u2014"))
    comma = ends.endswith(",")
    words = re.findall(r"[A-Za-z]+", last)
    speechy = [i for i, w in enumerate(words) if w.lower() in SPEECH_WORDS]
    open_end = not ends.endswith((".", "!", "?", ";"))
    closing = bool(words) and words[-1].lower() in SPEECH_WORDS and open_end
    # A paragraph that stops without punctuation after a speech verb runs on into the quote ("Tom
    # got up from the bench and said in a low, even tone"); so does a short "Poirot answered."
    unfinished = bool(speechy) and open_end and not colon and not comma
    denied = re.search(r"\b(?:said|says|answered|answers|replied|replies)\s+nothing\b|\bno\s+(?:answer|reply)\b|\bnot\s+(?:say|answer|reply)", last)
    brief = bool(speechy) and len(last) < 60 and not denied and not lead
    # "Marilla's only comment was,", "May's eager voice broke out:": a speech noun stands for the verb.
    spoken_noun = bool(_SPOKEN_NOUN.search(last))
    # A sentence that ends on its speech verb ("till Sir William thus began.", "and Mrs. Hurst began
    # again.") announces the speech that follows; "accosted her with," hands over to it.
    announced = bool(_ANNOUNCED.search(ends)) and not denied
    # "... when so accosted by Miss Grey,": the agent of a passive at the very end speaks.
    agent = _AGENT.search(last) if (comma or colon or open_end) else None
    gated = (colon or ((comma or open_end) and (speechy or spoken_noun)) or closing or unfinished or brief or announced
             or agent)
    # "..., and Tom howled," lets the lead-in through only for the rule below that reads it.
    final_only = not gated and bool(_ENDS_ON_ED_VERB.search(last))
    if not gated and not final_only:
        return None
    if agent is not None:
        hit = _known_at(last, agent.start("who"), res, lead=False)
        if hit is not None:
            return hit[0], hit[1], hit[2]
    clause = last
    m = _SUBORDINATE.match(clause)
    if m and any(w.lower() in SPEECH_WORDS for w in re.findall(r"[A-Za-z]+", clause[m.end():])):
        # "When Spike had gone, Rarity said," -- but not "After a moment he said quietly,", where
        # the comma closes the whole lead-in.
        clause = clause[m.end():]
    # "Kit was told to keep quiet; but Mr. Finch, rather stung, put down his pen, and
    # said:" -- the clause after the last semicolon holds the speech verb, and its subject speaks.
    semi = clause.rfind(";")
    if semi >= 0 and any(w.lower() in SPEECH_WORDS for w in re.findall(r"[A-Za-z]+", clause[semi:])):
        clause = clause[semi + 1:]
    # 'Tom heard Mrs. Hale say, in a whisper ...: "Wait--"': the one heard speaks.
    heard = _heard_say(clause, res)
    if heard is not None:
        return heard[:3]
    heard_pronoun = _heard_pronoun(clause)
    if heard_pronoun is not None:
        return heard_pronoun
    # Candidates: known names and he/she, in order, unless governed by a preposition or possessive.
    cands: list[tuple[int, tuple[str | None, str, str]]] = []
    pats = [r for r in (res.name_re, res.epithet_re) if r is not None]
    for pat in pats:
        for m in pat.finditer(clause):
            if pat is res.name_re:
                name = res.forms[single_spaced(m.group(0))]
                who = (name, "name", res.gender.get(name, "unknown"))
            else:
                name = res.holder(m.group(0))
                kind = res.epithet_kind(m.group(0), name)
                who = (name, kind, res.gender.get(name, "unknown"))
            rest = clause[m.end():]
            # "... broken by Willoughby, who said", "turned to the old Porter, who said under his
            # breath": a relative clause whose verb is a speech verb makes its antecedent the speaker,
            # whatever governs the name.
            if _WHO_SAID.match(rest):
                return who
            prev = re.findall(r"[A-Za-z']+", clause[: m.start()])[-2:]
            if prev and prev[-1].lower() in PREPOSITIONS and not (
                    prev[-1].lower() == "of" and len(prev) == 2 and prev[0].lower() in _SPOKEN_NOUNS):
                continue  # "to Emma", but not "the voice of Charles"
            if re.match(r"['\u2019]s?\b", rest):
                if _POSSESSIVE.match(rest):
                    return who  # "Emma's only reply was": the owner of the words speaks them
                continue  # "Emma's hand"
            cands.append((m.start(), who))
    for m in re.finditer(r"\b(?:he|she|He|She)\b", clause):
        prev = re.findall(r"[A-Za-z']+", clause[: m.start()])[-1:]
        if prev and prev[0].lower() in PREPOSITIONS:
            continue
        cands.append((m.start(), (None, "pronoun", "male" if m.group(0).lower() == "he" else "female")))
    if res.narrator is not None:
        # "and then I stepped in and said:": in a story told in the first person the "I" of the narration
        # is the narrator, a subject like any name ("me", the object, never is one).
        for m in re.finditer(r"(?<![\w'\u2019])I(?![\w'\u2019])", clause):
            cands.append((m.start(), (res.narrator, "name", res.gender.get(res.narrator, "unknown"))))
    if not cands and colon and lead and _FRAGMENT.fullmatch(last.strip()):
        # "Tobin watched the flames for a long while. Then, very quietly, to no one in particular:": a colon
        # after words with no subject and no verb goes on with the sentence before, whose subject speaks.
        before = SENTENCE_END.split(body)[:-1]
        subs = subjects_of(before[-1], res)[:1] if before else []
        if subs and subs[0][1] in ("name", "pronoun"):
            return subs[0]
    if not cands:
        if lead or final_only:
            return None
        # Unknown epithets and people the cast does not know: the old pattern.
        m = res.before.search(last)
        if m:
            name, kind, gender = res.lookup(m.group("subj"))
            if kind != "none":
                return name, kind, gender
        return None
    cands.sort(key=lambda c: c[0])
    # A lead-in that ends on a name and its verb, right before the quotation ("..., and Tom howled,"
    # "while Ann snapped:"): the verb, whatever it is, introduces these words, as it would after them.
    pos, who = cands[-1]
    if _FINAL_VERB.match(clause, pos) and who[1] != "pronoun":
        return who
    if final_only:
        return None
    # A candidate right before a speech verb ("and the Duchess said sharply", "while Helen said,") is
    # the speaker; otherwise the first one, the subject of the sentence ("Emma saw him frown and,
    # hoping to soothe him, said:").
    for pos, who in reversed(cands):
        m = _ADJACENT_VERB.match(clause, pos)
        if m and not (strict and m.group(0).split()[-1].lower() in _THINKING):
            if m.group(0).split()[-1].lower() in _GESTURES and any(
                    w.lower() in SPEECH_WORDS for w in re.findall(r"[A-Za-z]+", clause[m.end():])):
                continue  # "he chuckled so long that Emma had to ask,": the laugh is not the tag
            return who
    if strict:
        for pos, who in reversed(cands):
            m = _PAREN_VERB.match(clause, pos)
            if m and m.group("v").lower() not in _THINKING:
                return who  # "while Miss Bartlett, looking up, added:"
        # The rest of a tag that already named a speaker ('"Oh!" cried Ann, with a smile which Emma
        # found charming--') hands the next quote to someone else only with a speech verb of their own.
        return None
    # Otherwise the last one that is the subject of a clause before the final speech verb ("Ann
    # was too tired to argue, and the coach pulling in, Kit had barely time to wave
    # his hat and say,"), else the first: the subject of the sentence.
    verbs = [m.start() for m in re.finditer(r"[A-Za-z]+", clause) if m.group(0).lower() in SPEECH_WORDS]
    if verbs and len(cands) > 1:
        for pos, who in reversed(cands):
            if pos < verbs[-1] and _SUBJECT_VERB.match(clause, pos):
                return who
    return cands[0][1]


def ends_sentence(quote: str) -> bool:
    """True when a quotation ends with . ! or ? (inside its closing mark): what follows starts anew."""
    q = quote.rstrip().rstrip("\"'\u201d\u2019)").rstrip()
    return q.endswith((".", "!", "?"))


def quote_closed(quote: str) -> bool:
    """True when a quotation ends with a closing mark (not left open for the next paragraph)."""
    q = quote.rstrip()
    return len(q) > 1 and q[-1] in '"\u201d\'\u2019'


def subjects_of(text: str, res: CastIndex) -> list[tuple[str | None, str, str]]:
    """Sentence subjects in a narration piece (character names and pronouns at clause starts)."""
    known = res.subjects.get(text)
    if known is None:
        known = res.subjects[text] = _find_subjects(text, res)
    return known


_THE_EPITHET = re.compile(r"The\s+(?:[a-z\-]+\s+){0,2}?[a-z\-]+")
_NEXT_WORD = re.compile(r"\s+[a-z\-]+")


# A lead-in with no subject and no verb of its own, opening on an adverb of time or manner: "Then, very quietly,
# to no one in particular:", "And at last, softly:", "Slowly:". (Not "A little cry broke from her lips:", whose
# subject is the cry.) After the first word, lower-case words only, none a pronoun, a verb in "-ed" or a speech verb.
_FRAGMENT = re.compile(r"(?:Then|And|But|So|At|Finally|After|Later|Presently|Suddenly|Now|Again|Still|Very|[A-Z][a-z]+ly)"
                       r"(?:[\s,]+(?!(?:it|they|we|you|there|this|that|he|she|[a-z]+ed|" + TAG_VERB_ALT
                       + r")\b)[a-z]+)*[\s,]*:")


def _find_subjects(text: str, res: CastIndex) -> list[tuple[str | None, str, str]]:
    out: list[tuple[str | None, str, str]] = []
    for sent in CLAUSE_BREAK.split(text.strip()):
        m = re.match(r"[\s,\-\u2014\"]*(?:(?:And|But|Then|So|Now|Here|At last|Still|and|but|then|so|while|when)\s+,?\s*)?"
                      r"(" + TITLE_ABBR + r"[A-Z][\w'\-]*(?:\s+[A-Z][\w'\-]*){0,3}|he|she|He|She|"
                      r"(?:the|The)\s+(?:[a-z\-]+\s+){0,2}?[a-z\-]+)", sent)
        if m:
            name, kind, gender = res.lookup(m.group(1))
            if kind == "none" and m.group(1) == "The":
                # "The dragon slid down": the capitalised article is not a name; try the epithet.
                start = m.start(1)
                e = _THE_EPITHET.match(sent, start)
                if e:
                    name, kind, gender = res.lookup(e.group(0))
                    end = e.end()
                    while kind == "epithet" and name is None:
                        # "The old dragon": the shortest epithet that is no one's; try a longer one.
                        w = _NEXT_WORD.match(sent, end)
                        if w is None:
                            break
                        end = w.end()
                        longer = res.lookup(sent[start:end])
                        if longer[0] is not None:
                            name, kind, gender = longer
                            break
            if kind != "none":
                out.append((name, kind, gender))
    return out
