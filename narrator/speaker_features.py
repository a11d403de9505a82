"""speaker_features: what the scorer reads of a paragraph about each candidate speaker.

The features the attribution scorer weighs (FEATURES) and the weights it loads for them, the paragraph's
context (ParagraphContext: its tag, the people mentioned, the conversation's anchors and turns, the
centring walk a pronoun tag follows) and the candidate pool with each candidate's feature values
(speaker_candidates). They live apart from narrator/attribution.py, which decides speakers: the decoder,
the pinned-speaker rules, confidence and evidence. The training script (benchmarks/train_attribution.py)
fits the weights of the same FEATURES.

The dependency runs one way: attribution imports this module; this module names paragraphs' Paragraph and
resolver's CastIndex for annotations only (TYPE_CHECKING).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import json
import operator
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING

from narrator.kinship import (
    ELDER_FEMALE_RELATIONS,
    ELDER_MALE_RELATIONS,
    UNIQUE_RELATIONS,
    age_fits,
    possessive_owner,
    relational_kin,
    title_fits,
)
from narrator.lexicon import FEMALE_PRONOUNS, MALE_PRONOUNS
from narrator.models import Segment
from narrator.speech_tags import (
    CLAUSE_BREAK,
    DOT_TITLES,
    TAG_VERB_ALT,
    TITLE_ABBR,
    SpeechTag,
    single_spaced,
    subjects_of,
)

if TYPE_CHECKING:
    from narrator.paragraphs import Paragraph
    from narrator.resolver import CastIndex

FEATURES = (
    "bias_named_tag",     # the tag names this character (explicit)
    "pron_match",         # a pronoun/epithet tag whose gender matches the candidate
    "pron_mismatch",      # a pronoun/epithet tag whose gender contradicts the candidate
    "prev1",              # spoke the previous speech paragraph
    "prev2",              # spoke the speech paragraph before that (turn-taking)
    "prev3",
    "addressed",          # named as a vocative in the previous speech paragraph
    "named_in_quote",     # named inside this paragraph's own quotes (people rarely name themselves)
    "subject_here",       # the subject of narration in this paragraph (before/around the quote)
    "mention_here",       # mentioned in this paragraph's narration
    "mention_prev",       # mentioned in the previous paragraph's narration
    "recency",            # 1 / (1 + rank) of the candidate among recently mentioned characters
    "salience",           # log share of mentions in the book
    "participant",        # spoke in the last 12 paragraphs
    "gap_prev1",          # prev1 but separated by narration-only paragraphs
    "narrator_i",         # the candidate is the first-person narrator
    "beat_after",         # subject of the sentence right after the quote (an action beat)
    # Conversation chains: runs of speech paragraphs with little narration between them, where
    # speakers take turns. Explicitly tagged paragraphs anchor the chain on both sides.
    "anc_back_even",      # the nearest named speaker before, an even number of turns back (A-B-A)
    "anc_back_odd",       # ... an odd number of turns back (it was the other one's turn)
    "anc_back_other",     # the other party of the nearest named speaker before, odd turns back
    "anc_fwd_even",       # the nearest named speaker after, an even number of turns ahead
    "anc_fwd_odd",
    "anc_fwd_other",
    "chain_speaker",      # named as a speaker somewhere in this conversation
    "next_named",         # named as the speaker of the very next turn (people rarely speak twice)
    "tag_to",             # the narration of this paragraph speaks *to* this one ("she said to Edna")
    "alternate",          # spoke two turns ago and not last turn: A-B-A (this hypothesis' own turns)
    "repeat_bare",        # spoke the turn right before, with no narration between or in this paragraph
    "two_party",          # one of exactly two people who spoke the last four turns
    "ante_subj",          # the nearest earlier sentence subject of the tag pronoun's gender (its antecedent)
    "ante_subj_2",        # the second nearest one
    "actor_prev",         # the last named subject of the narration paragraph right before this one
    "actor_here",         # the last named subject of this paragraph's narration before the quote
    "chain_addressed",    # addressed by name (a vocative) in an earlier turn of this conversation
    "voc_next",           # addressed by name in the next turn: the answer goes back to this speaker
    "far_only",           # only in the pool because the scene named them long ago
    # Who is spoken to tells the listener's gender even without a name ("sir", "mamma", "Mr. Elton"):
    # the one addressed in the last turn is likely to answer; the next turn addresses this speaker.
    "addr_prev_match",    # the previous turn of the conversation addresses this candidate's gender
    "addr_prev_mismatch",
    "addr_next_match",    # the next turn addresses this candidate's gender
    "addr_next_mismatch",
    "addr_own_match",     # this paragraph's own speech addresses this candidate's gender
    "called",             # the previous turn opens or closes with this one's name ("Spike, get down here!")
    "tag_epithet",        # the tag's epithet ("said the painter") names this character
    # "said her mother": the one "her" points at is the listener, and the speaker is often of her family.
    "rel_owner_prev",     # spoke the previous turn and has the possessive's gender
    "rel_owner_recent",   # the most recently named person of the possessive's gender
    "rel_kin",            # shares a family name with those, or the relation is in the name ("Aunt Juley")
    "rel_kin_title",      # ... and its title fits the relation (a mother is "Mrs.", a daughter "Miss")
    "other_prev1",        # "said the other": spoke the previous turn
    "same_epithet",       # spoke the last line tagged with the same unknown epithet ("said the old man")
    # A new voice joins an exchange: turn-taking knows only the last two speakers, a reader also hears who
    # else is in the room and whom the line is said to. Set only for someone other than the last two speakers.
    "entered",            # named in the narration since the conversation began, and has not spoken in it
    "scene_other",        # the one person the conversation's narration names besides the last two speakers
    "voc_back",           # the line names the speaker of two turns back (so it is not theirs, nor likely the reply)
    "addressed_third",    # addressed by name in the previous speech paragraph: the one called on answers
    "returning",          # spoke earlier in a conversation of three or more speakers, not in the last two turns
    "alternate_many",     # alternate, in a conversation of three or more speakers (turn-taking is looser there)
    # A reader knows a voice by its words: how much likelier this line's words are in the candidate's name-tagged
    # speech than in the book's speech as a whole (a dialect, "my dear", "papa", a pet phrase).
    "idiolect",           # mean log-likelihood ratio per word
    "idiolect_sum",       # the same summed over the line's first _IDIOLECT_WORDS words (longer lines say more)
)

# Turn-taking and scene features mean different things when a pronoun tag is present, so each has
# a second copy that is only set for paragraphs without any tag.
_SPLIT = ("prev1", "prev2", "prev3", "addressed", "subject_here", "mention_here", "mention_prev", "recency",
          "beat_after", "gap_prev1", "participant", "salience", "anc_back_even", "anc_back_odd", "anc_back_other",
          "anc_fwd_even", "anc_fwd_odd", "anc_fwd_other", "chain_speaker", "next_named", "alternate", "repeat_bare",
          "two_party", "actor_prev", "actor_here", "chain_addressed", "voc_next", "far_only")
# pron_match_first: for a pronoun tag, its centre (_centre: the nearest person of its gender in the text
# before it, a pronoun carrying an earlier one on); for an epithet, the nearest one of its gender named.
FEATURES = FEATURES + tuple(f + "_notag" for f in _SPLIT) + ("pron_match_recency", "pron_match_first")
# Turn-taking is surer when the paragraph is nothing but speech: a third copy for those.
_BARE = ("prev1", "prev2", "prev3", "alternate", "two_party", "participant", "anc_back_even", "anc_back_odd",
         "anc_back_other", "anc_fwd_even", "anc_fwd_odd", "anc_fwd_other", "chain_speaker", "recency", "salience",
         "entered", "voc_back", "addressed_third")
FEATURES = FEATURES + tuple(f + "_bare" for f in _BARE)

_DEFAULT_WEIGHTS = {
    "bias_named_tag": 8.0, "pron_match": 3.0, "pron_mismatch": -4.0, "prev1": -2.0, "prev2": 2.0,
    "prev3": 0.3, "addressed": 1.5, "named_in_quote": -1.5, "subject_here": 2.5, "mention_here": 0.8,
    "mention_prev": 0.5, "recency": 1.5, "salience": 0.3, "participant": 1.0, "gap_prev1": 1.0,
    "narrator_i": 0.0, "beat_after": 1.5,
}


def load_weights() -> dict[str, float]:
    try:
        raw = resources.files("narrator").joinpath("data/attribution_weights.json").read_text(encoding="utf-8")
        data = json.loads(raw)
        return {k: float(data["weights"].get(k, 0.0)) for k in FEATURES}
    except (FileNotFoundError, KeyError, ValueError, OSError):
        return {k: _DEFAULT_WEIGHTS.get(k, 0.0) for k in FEATURES}


@dataclass
class ParagraphContext:
    """What a paragraph's narration says about its speaker; the same for every hypothesis."""

    tag: SpeechTag | None
    recent: list[str]
    here: set[str]
    prevm: set[str]
    subjects: list[str]
    beat: tuple[str | None, str, str] | None
    back: tuple[int, str, str | None] | None
    fwd: tuple[int, str, str | None] | None
    chain_named: list[str]
    next_named: str | None
    tag_to: set[str]
    said_to: set[str]  # ... by the speech verb itself ("said the maid to Twilight"): never the speaker
    bare: bool  # the paragraph is nothing but speech
    antecedents: list[str]  # named sentence subjects of the tag's gender, nearest first
    chain_voc: list[str]  # people addressed in earlier turns of the conversation, nearest first
    voc_next: tuple[str, ...]  # people addressed in the next turn, in the text's order
    far: list[str]  # people named in the narration further back, nearest first
    actor_prev: str | None
    actor_here: str | None
    addr_prev: str | None  # the one gender the previous turn of the conversation addresses
    addr_next: str | None  # ... the next turn
    addressed: tuple[str, ...]  # named as vocatives in the previous speech paragraph (if close), in order
    called: set[str]  # ... opening or closing its quotation, in the same conversation
    epithet: str | None  # the character an epithet tag names
    scene: frozenset[str]  # named in the conversation's narration so far (and the lead-in before it), but the "I"
    # For a pronoun tag: the text before it as centering units, nearest first: the people one narration
    # sentence refers to, in order ("=male"/"=female" for a pronoun), or a speech paragraph's index (its speaker).
    centre_units: list[tuple[str, ...] | int] = field(default_factory=list)
    # For a pronoun tag: the person its own paragraph's last sentence or two before the speech is about
    # (see _lead_centre), or None.
    lead_centre: str | None = None
    # People the narration last spoke of as not there ("There had been no Mr. Pell."): see _absent.
    absent: frozenset[str] = frozenset()
    # Per candidate: (text-decided features, their score), shared by every beam hypothesis.
    static: dict[str, tuple[dict[str, float], float]] = field(default_factory=dict)
    # The earlier paragraphs the turn-taking features read, and the pool's text-decided tail: the same for
    # every hypothesis (see _turn_slots), kept with the history they were read from.
    slots: tuple | None = None


def paragraph_context(i: int, paras: list[Paragraph], res: CastIndex) -> ParagraphContext:
    para = paras[i]
    if para.context is not None:
        return para.context
    # Mentions in narration of this and the previous few paragraphs, most recent first.
    quote_start = para.quotes[0].start
    recent: list[str] = []
    for _, name in reversed([m for m in para.mentions if m[0] < quote_start]):
        if name not in recent:
            recent.append(name)
    for j in range(i - 1, max(-1, i - MENTION_REACH), -1):
        for name in _names_back(paras[j]):
            if name not in recent:
                recent.append(name)
    subjects: list[str] = []
    for seg in para.segs:
        if seg.kind == "narration":
            subjects.extend(n for n, k, _ in subjects_of(seg.text, res) if n)
    beat = None
    for k, seg in enumerate(para.segs):
        if seg.kind == "dialogue" and k + 1 < len(para.segs) and para.segs[k + 1].kind == "narration":
            subs = subjects_of(para.segs[k + 1].text, res)
            if subs:
                beat = subs[0]
            break
    back, fwd, chain_named = _anchors(i, paras)
    chain_voc: list[str] = []
    # Ordered, not sets: both are spread into the candidate pool, whose order must not follow the
    # interpreter's string-hash seed (a tie would otherwise break differently from run to run).
    voc_next: tuple[str, ...] = ()
    seen = 0
    for j in range(i - 1, -1, -1):
        q = paras[j]
        if q.quotes:
            if q.chain != para.chain or seen >= _ANCHOR_REACH:
                break
            seen += 1
            chain_voc.extend(v for v in reversed(q.vocatives) if v not in chain_voc)
    addr_prev = addr_next = None
    for j in range(i + 1, min(len(paras), i + 3)):
        if paras[j].quotes:
            if paras[j].chain == para.chain and not paras[j].cont:
                voc_next = tuple(dict.fromkeys(paras[j].vocatives))
                addr_next = next(iter(paras[j].addr_gender)) if len(paras[j].addr_gender) == 1 else None
            break
    for j in range(i - 1, max(-1, i - 3), -1):
        if paras[j].quotes:
            if paras[j].chain == para.chain and not para.cont:
                addr_prev = next(iter(paras[j].addr_gender)) if len(paras[j].addr_gender) == 1 else None
            break
    # The previous speech paragraph, if at most one paragraph lies between: whom it named is listening.
    last = next((j for j in range(i - 1, -1, -1) if paras[j].quotes), None)
    addressed: tuple[str, ...] = ()
    called: set[str] = set()
    if last is not None and i - last <= 2:
        addressed = tuple(dict.fromkeys(paras[last].vocatives))
        called = paras[last].called if paras[last].chain == para.chain else set()
    far: list[str] = []
    listed = set(recent)  # far or recent already
    for j in range(i - MENTION_REACH, max(-1, i - _FAR_REACH), -1):
        if j >= 0:
            for name in _names_back(paras[j]):
                if name not in listed:
                    listed.add(name)
                    far.append(name)
    tag_to: set[str] = set()
    said_to: set[str] = set()
    for seg in para.segs:
        if seg.kind == "narration" and res.name_re is not None:
            for m in res.name_re.finditer(seg.text):
                if _TO_BEFORE.search(seg.text, max(0, m.start() - 30), m.start()):
                    tag_to.add(res.forms[single_spaced(m.group(0))])
                    if _SAID_TO.search(seg.text, max(0, m.start() - 50), m.start()):
                        said_to.add(res.forms[single_spaced(m.group(0))])
    # Sentence subjects before the speech, nearest first: this paragraph's lead-in, then up to three
    # paragraphs back (pronoun subjects carry the chain on, so only names are kept).
    quote_seg = next(k for k, seg in enumerate(para.segs) if seg.kind == "dialogue")
    here_subj = [n for seg in para.segs[:quote_seg] if seg.kind == "narration"
                 for n, _, _ in subjects_of(seg.text, res) if n]
    prev_subj = [n for seg in paras[i - 1].segs if seg.kind == "narration"
                 for n, _, _ in subjects_of(seg.text, res) if n] if i > 0 and not paras[i - 1].quotes else []
    tag = para.tags[0][0] if para.tags else None
    antecedents: list[str] = []
    if tag is not None and tag.kind == "pronoun" and tag.gender != "unknown":
        chain_subj = list(reversed(here_subj))
        for j in range(i - 1, max(-1, i - 4), -1):
            chain_subj.extend(reversed([n for seg in paras[j].segs if seg.kind == "narration"
                                        for n, _, _ in subjects_of(seg.text, res) if n]))
        for n in chain_subj:
            if res.gender.get(n) == tag.gender and n not in antecedents:
                antecedents.append(n)
    # Who is in the room: the names of the narration since the conversation's first turn, and of the narration
    # paragraph just before it (the scene's lead-in), up to _SCENE_PARAS paragraphs back.
    scene = {n for at, n in para.mentions if at < quote_start}
    for j in range(i - 1, max(-1, i - _SCENE_PARAS), -1):
        q = paras[j]
        if q.quotes and q.chain != para.chain:
            break
        scene.update(_names_back(q))
        if q.quotes and q.turn == 0:
            if j > 0 and not paras[j - 1].quotes:
                scene.update(_names_back(paras[j - 1]))
            break
    para.context = ParagraphContext(
        scene=frozenset(scene - {res.narrator}),
        chain_voc=chain_voc, voc_next=voc_next, far=far,
        tag=tag, recent=recent, here={n for _, n in para.mentions} - tag_to,  # the listener is not narration about them
        prevm={n for _, n in paras[i - 1].mentions} if i > 0 else set(), subjects=subjects, beat=beat,
        back=back, fwd=fwd, chain_named=chain_named, next_named=fwd[1] if fwd and fwd[0] == 1 else None,
        tag_to=tag_to, said_to=said_to, bare=all(seg.kind == "dialogue" for seg in para.segs), antecedents=antecedents,
        actor_prev=prev_subj[-1] if prev_subj else None, actor_here=here_subj[-1] if here_subj else None,
        addr_prev=addr_prev, addr_next=addr_next, addressed=addressed, called=called,
        # "said the old man" tied by the cast to George, the son: the age words outweigh the tie.
        epithet=tag.name if tag is not None and tag.kind == "epithet" and age_fits(tag.name, tag, res) else None,
        centre_units=_centre_units(i, paras, res, tag) if tag is not None and (tag.kind == "pronoun" or tag.owner)
        else [],
    )
    if tag is not None and tag.kind == "pronoun" and tag.gender != "unknown":
        para.context.lead_centre = _lead_centre(para, res, tag, para.context)
    para.context.absent = _absent(i, paras, quote_start)
    return para.context


def _absent(i: int, paras: list[Paragraph], quote_start: int) -> frozenset[str]:
    """The people the narration before paragraph i's speech last spoke of as not there.

    "He read it three times. There had been no Mr. Pell." and then '"Returning," he said aloud': a person
    the narration says never came is nobody in the room to speak, nor whom "he" goes on with, until the
    story names them again as there (a plain mention, or a line a tag gives them). Read back over
    MENTION_REACH paragraphs, the latest word on each name deciding.
    """
    lo = max(-1, i - MENTION_REACH)
    if not any(paras[j].denied for j in range(i, lo, -1)):
        return frozenset()
    last: dict[str, bool] = {}  # name -> the latest word on them is a denial
    for j in range(i, lo, -1):
        q = paras[j]
        refs = [(at, n, True) for at, n in q.denied] + [(at, n, False) for at, n in q.mentions]
        if j == i:
            refs = [r for r in refs if r[0] < quote_start]
        for _, n, denied in sorted(refs, reverse=True):
            last.setdefault(n, denied)
        if j != i and q.named:
            last.setdefault(q.named, False)
    return frozenset(n for n, denied in last.items() if denied)


_LEAD_UNITS = 2  # sentences of the paragraph's own lead-in, nearest first, that settle a pronoun tag


def _lead_centre(para: Paragraph, res: CastIndex, tag: SpeechTag, ctx: ParagraphContext) -> str | None:
    """Whom a pronoun tag means when its own paragraph says so just before the speech: "Tom turned to him.
    'Yes,' he said." is Tom's, whoever had the turns before, and "Aunt Wren set down the kettle. 'Sit,' said
    she" Aunt Wren's. The person of the tag's sex the last sentence
    (or the one before it, when the last names nobody of that sex or begins with that sex's pronoun) is about,
    as the centre walk reads it (_centre); None when the paragraph opens with the speech or names nobody of
    that sex there. On the development novels this sentence named the speaker of 27 same-sex disagreements
    with the scorer against 9 the scorer won; further back it was no better than the scorer (the last sentence
    of the narration paragraph before a speech that opens its own: 15 quotations won, 27 lost).

    A lead-in tag's own clause says so too when it opens on a name of the tag's sex: "James was busy with the
    harness, and did not look round as he answered:" is James's (_tag_sentence_subject). Development novels
    +7 quotations, -1 (renamed, common-word names and epithet corpora +6, -1 each).
    """
    first = next(k for k, s in enumerate(para.segs) if s.kind == "dialogue")
    g = tag.gender
    if tag.where == "before" and para.tags[0][1] == 0:
        lead_in = para.segs[first - 1].text if first > 0 else para.lead
        subject = _tag_sentence_subject(lead_in, res, g)
        if subject is not None and subject not in para.vocatives and subject != res.narrator:
            return subject
    own = _sentence_units(para.segs[:first], para, res)
    if tag.where in ("before", "beat") and own:
        own = own[:-1]
    listeners = ctx.tag_to | set(para.vocatives)
    for u in own[::-1][:_LEAD_UNITS]:
        for n in u:
            if n == "=" + g:
                break  # the pronoun carries the centre on, to the sentence before
            if res.gender.get(n) == g and n not in listeners and n != res.narrator:
                return n
    return None


def _tag_sentence_subject(lead_in: str, res: CastIndex, g: str) -> str | None:
    """The named subject of the clause that holds a lead-in pronoun tag, when it is of the tag's sex and opens
    the clause: "Mr. Knightley was hard at work upon his gaiters, ..., as he answered," is Mr. Knightley's (the
    main clause's subject is whom the later "he" of its own sentence goes on with). None when the clause opens
    on the pronoun ("She turned to Emma and said:"), names a possessive ("Anne's look made her pause, and she
    added,"), someone else of that sex ("Tom looked at Jim, and he said", "... at him, and he said") or a
    second subject ("Archer was alone, and the young man began:", "... that Emma's fear grew; and she said")."""
    if not lead_in or res.name_re is None:
        return None
    clause = CLAUSE_BREAK.split(lead_in.rstrip())[-1]
    first = _CLAUSE_OPENING.match(clause)
    m = res.name_re.match(clause, first.end()) if first else None
    if m is None or clause.startswith(("'s", "\u2019s"), m.end()):
        return None
    who = res.forms.get(single_spaced(m.group(0)))
    if who is None or res.gender.get(who) != g:
        return None
    rest = clause[m.end():]
    others = {res.forms.get(single_spaced(o.group(0))) for o in res.name_re.finditer(rest)}
    if (any(o != who and res.gender.get(o) == g for o in others) or _OBJECT_PRONOUN[g].search(rest)
            or len(_SUBJECT_PRONOUN[g].findall(rest)) != 1 or _NEW_SUBJECT.search(rest)):
        return None
    return who


# What may come before a clause's subject: spaces, a dash, "and", "but".
_CLAUSE_OPENING = re.compile(r"[\s\-\u2014]*(?:(?:and|but|then|so|And|But|Then|So)\s+)?")
# A subject pronoun of each sex: the tag's own, and no other, in the clause.
_SUBJECT_PRONOUN = {"male": re.compile(r"\b[Hh]e\b"), "female": re.compile(r"\b[Ss]he\b")}
# A clause of its own with a noun for subject: "and the young man", "and his father", "that Emma's uneasiness".
_NEW_SUBJECT = re.compile(r"\b(?:and|but|while|whilst|when|till|until|that|or)\s+(?:the|his|her|their|a|an|this|"
                          r"[A-Z][\w\-]*['\u2019]s)\s")


# A pronoun of each sex as an object ("at him", "told her,"): someone else of that sex is in the sentence.
_OBJECT_PRONOUN = {"male": re.compile(r"\bhim\b"),
                   "female": re.compile(r"\bher\b(?=\s*(?:[,;:!?\u2014-]|and\b|as\b|when\b|while\b|that\b|then\b))")}


def _names_back(para: Paragraph) -> list[str]:
    """The names a paragraph's narration mentions, the last first, each once: every later paragraph's
    context reads them (up to _FAR_REACH paragraphs on), where the mentions themselves repeat names."""
    if para.names_back is None:
        para.names_back = list(dict.fromkeys(name for _, name in reversed(para.mentions)))
    return para.names_back


_CENTRE_PARAS = 4  # paragraphs searched back for a pronoun's centre


def _centre_units(i: int, paras: list[Paragraph], res: CastIndex, tag: SpeechTag) -> list[tuple[str, ...] | int]:
    """The text before a pronoun tag as centering units, nearest first (see ParagraphContext.centre_units).

    The sentence holding a lead-in tag is left out ("She turned to Emma and said:" - Emma listens), and
    so is the narration after a speech paragraph's first quote up to its last (its tags name its speaker,
    who is the unit of that paragraph).
    """
    para = paras[i]
    first = next(k for k, s in enumerate(para.segs) if s.kind == "dialogue")
    own = _sentence_units(para.segs[:first], para, res)
    if tag.where in ("before", "beat") and own:
        own = own[:-1]
    units: list[tuple[str, ...] | int] = list(reversed(own))
    skip_last = tag.where == "before" and first == 0  # the tag is the last sentence of the paragraph before
    for j in range(i - 1, max(-1, i - 1 - _CENTRE_PARAS), -1):
        q = paras[j]
        if not q.quotes:
            sents = _sentence_units(q.segs, q, res)
            if skip_last and j == i - 1 and sents:
                sents = sents[:-1]
            units.extend(reversed(sents))
            continue
        ks = [k for k, s in enumerate(q.segs) if s.kind == "dialogue"]
        units.extend(reversed(_sentence_units(q.segs[ks[-1] + 1:], q, res)))
        units.append(j)
        units.extend(reversed(_sentence_units(q.segs[:ks[0]], q, res)))
    return units


# Where a sentence or a semicolon clause ends (one pass: SENTENCE_END's look-behinds at every
# position cost more than the rest of the centering); a title's full stop ends nothing.
_CLAUSE_CUT = re.compile(r"[.!?][\"'\u201d\u2019)]*\s+|;\s*")
_TITLE_DOT = re.compile(r"\b(?:" + "|".join(DOT_TITLES) + r")\.$")


def _sentence_units(segs: list[Segment], para: Paragraph, res: CastIndex) -> list[tuple[str, ...]]:
    """Per narration sentence, in text order: the people it refers to, in order ("=male" for he/him/his).

    A sentence whose first word for someone of a gender is a pronoun carries the earlier centre on
    ("She looked at Mary.", "No sooner did she see Elinor"): the pronoun is not handed to the name after it.
    """
    out: list[tuple[str, ...]] = []
    for seg in segs:
        if seg.kind != "narration":
            continue
        known = res.units.get(seg.start)
        if known is None:
            known = res.units[seg.start] = _units_of(seg, para)
        out.extend(known)
    return out


def _units_of(seg: Segment, para: Paragraph) -> list[tuple[str, ...]]:
    """_sentence_units of one narration segment (each segment is asked about from several paragraphs)."""
    text = seg.text
    # Sentences, and the clauses a semicolon parts ("Mr. Woodhouse was off; but Mr. Knightley sat down").
    cuts = [m.end() for m in _CLAUSE_CUT.finditer(text)
            if text[m.start()] != "." or not _TITLE_DOT.search(text, max(0, m.start() - 4), m.start() + 1)]
    refs = [(m.start(), "=male" if m.group(0).lower() in MALE_PRONOUNS else "=female") for m in _GENDER_PRONOUN.finditer(text)]
    lo = bisect.bisect_left(para.mentions, seg.start, key=lambda m: m[0])
    hi = bisect.bisect_left(para.mentions, seg.end, key=lambda m: m[0])
    refs.extend((pos - seg.start, n) for pos, n in para.mentions[lo:hi])
    refs.sort()
    units: dict[int, list[tuple[int, str]]] = {}
    for pos, n in refs:
        owner = _POSSESSIVE_NAME.match(text, pos) is not None if n[0] != "=" else text.startswith(("his ", "His "), pos)
        # A name opening a later clause ("He stood by the door, but James came over to him.") is
        # that clause's subject, and the clause nearest what follows has the last word: it comes first.
        rank = 1 if owner else -1 if n[0] != "=" and _CLAUSE_START.search(text, max(0, pos - 12), pos) else 0
        units.setdefault(bisect.bisect_right(cuts, pos), []).append((rank, n))
    # A possessive is no subject ("at Emma's slightly lifting her chin, she added"; "In his hurry, Tom knocked
    # the lamp over"): the people a sentence is about come before the ones it names as owners, "his"
    # included ("her" is left in place: it is as often the object); the order among each kind is the text's.
    return [tuple(n for _, n in sorted(units[k], key=lambda r: r[0])) for k in sorted(units)]


# Where a name starts a clause of its own after a comma: ", but Jones", ", and Mr. Knightley", ", Emma".
_CLAUSE_START = re.compile(r",\s+(?:(?:and|but|then|and\s+then|while|when|till|until|so|yet)\s+)?" + TITLE_ABBR + "$")


# A name in the possessive ("Emma's", "Mr. Knightley's").
_POSSESSIVE_NAME = re.compile(TITLE_ABBR + r"[A-Z][\w\-]*(?:\s+[A-Z][\w\-]*){0,2}['\u2019]s\b")


# The lexicon's gendered pronouns, lower case or capitalised at a sentence start ("He", "her").
_GENDER_PRONOUN = re.compile(r"\b(?:" + "|".join(f"[{w[0].upper()}{w[0]}]{w[1:]}" for w in sorted(MALE_PRONOUNS | FEMALE_PRONOUNS))
                             + r")\b")


# "said to Edna", "turning to him, asked of Robert", "looking at Mr. Darcy": the listener, not the speaker.
_TO_BEFORE = re.compile(r"\b(?:to|of|at|addressing|towards?)\s+" + TITLE_ABBR + "$")
# A speech verb said *to* someone ("said the maid to Twilight", "she whispered softly to Ann"): the tag itself
# names the listener, who is no more its speaker than a vocative's owner.
_SAID_TO = re.compile(r"\b(?:" + TAG_VERB_ALT + r")\b(?:\s+(?:[a-z]+ly|he|she|they|the\s+[a-z\-]+(?:\s+[a-z\-]+)?))?"
                      r"(?:\s+[a-z]+ly)?\s+to\s+" + TITLE_ABBR + "$")


# How much a turn-taking feature read from an earlier turn counts, by that turn's confidence: a named turn
# (0.97) fully, a guess less. The scorer learnt turn-taking from true speakers (teacher forcing), so at
# run time it trusts a guessed turn as if it were a name tag, and one wrong guess is carried, with full
# weight, through every later turn of an exchange (the "cascade" misses). The exponent keeps the discount
# gentle: a coin-flip guess (confidence 0.5) still counts 0.79. 0.35 was the best of 0.25-1.0 on the
# development novels; 1.0 (the confidence itself) was too strong.
_TRUST_EXP = 0.35


@functools.lru_cache(maxsize=1024)  # confidences are rounded to three places: few distinct values
def _trust(conf: float) -> float:
    """The weight of a turn-taking feature that reads an earlier turn of this confidence."""
    return min(1.0, conf / 0.97) ** _TRUST_EXP


def speaker_candidates(i: int, paras: list[Paragraph], history: list[int], res: CastIndex, spk, weights: dict[str, float],
                full: bool, conf=None) -> tuple[list[str], list[float], list[dict[str, float]]]:
    """The candidate pool of one hypothesis, each candidate's score and (when `full`) its features.

    `conf` gives the hypothesis' confidence in an earlier paragraph's speaker (None: every earlier
    speaker is certain, as in training on the true history).

    Features that depend only on the text are computed once per paragraph and candidate (every
    hypothesis of the beam shares them); only the turn-taking ones read the hypothesis' speakers.
    """
    para = paras[i]
    ctx = paragraph_context(i, paras, res)
    tag, recent = ctx.tag, ctx.recent
    prev_idx, window, turn_idx, gap, head, tail, in_chain = _turn_slots(i, paras, history, ctx)
    prev_spk = list(map(spk, prev_idx))
    window_spk = list(map(spk, window))
    recent_speakers = list(filter(None, window_spk))
    # dict.fromkeys: the first place of each name, in order (a list's `in` per name cost more).
    pool: list[str] = list(dict.fromkeys(
        filter(None, (ctx.epithet, *prev_spk, *head, *reversed(recent_speakers[-_POOL_SPEAKERS:]), *tail))))
    far_only: set[str] = set()
    for n in ctx.far:
        if len(pool) >= _POOL_MIN:
            break
        if n not in pool:
            # A conversation has at least two people: a long exchange may not have named the other
            # one for many paragraphs.
            pool.append(n)
            far_only.add(n)
    for c in res.chars:
        # Still fewer than two people to choose from: the book's main characters.
        if len(pool) >= _POOL_MIN:
            break
        if c.name not in pool and c.name != res.voice:
            pool.append(c.name)
            far_only.add(c.name)
    if res.narrator and res.narrator not in pool and (tag is None or tag.gender == "unknown"):
        pool.append(res.narrator)
    if _third_person_tag(tag) and res.narrator in pool and len(pool) > 1:
        pool.remove(res.narrator)
    if len(pool) == 1 and not para.cont and (
            (_third_person_tag(tag) and pool[0] == res.narrator)
            or (gap == 0 and prev_spk and prev_spk[0] == pool[0]
                and ((tag is None and ctx.bare) or (tag is not None and tag.kind == "epithet" and tag.name is None)))):
        # The story knows one person here (a short scene, where the others are named once or not at all):
        # "he shrugged" is never the "I" who tells it, and a bare reply straight after that one's line, or
        # one tagged "said the pink pony" (a description the story ties to nobody), is the other side of
        # the exchange. A reader hears someone else; the unknown voice, not the one known.
        return [], [], []
    if tag is not None and tag.gender != "unknown":
        matching = [n for n in pool if res.gender.get(n) == tag.gender]
        if not matching:
            # Widen the pool to salient characters of the right gender.
            pool.extend(c.name for c in res.chars[:15] if c.gender == tag.gender and c.name not in pool)
            if pool and all(res.gender.get(n) not in (tag.gender, "unknown", None) for n in pool):
                # "she asked" where the story knows no woman at all: a reader hears someone not yet named
                # (the stranger off the cart), never the one man in the scene. Left to the unknown voice.
                return [], [], []
    if tag is not None and tag.kind == "pronoun" and tag.gender != "unknown":
        # "she said" in the first scene is never a woman the story brings on only in a later one (though the
        # young woman pulled from the sea may give her name a few lines after she first speaks).
        here = (para.segs[0].chapter, para.segs[0].scene)
        met = [n for n in pool if (k := res.first_seen.get(n, i)) <= i
               or (paras[k].segs[0].chapter, paras[k].segs[0].scene) == here]
        if met and len(met) < len(pool):
            pool = met
    same_ep = spk(para.epi_prev) if para.epi_prev is not None and i - para.epi_prev <= _EPITHET_REACH else None
    if same_ep and same_ep not in pool:
        pool.append(same_ep)
    voice = res.stand_in_voice
    if voice in pool and voice not in prev_spk[:2] and (tag is None or tag.name != voice):
        # An unseen voice speaks where the text says "a voice", and goes on speaking only in a live exchange
        # (one of the last two speakers). Once others have taken over, a reader does not hand it the next
        # untagged line (the sample story's "said a voice from inside", then the old man who opened the door
        # and went on talking). A book that names its voice ("the Voice" of The Invisible Man) keeps it.
        pool.remove(voice)
    if tag is not None and tag.age:
        # "the old man" is not the one the book calls by his given name, "the girl" not a "Mrs.": when
        # someone of the tag's gender fits its age, the ones it contradicts are no candidates.
        fit = [n for n in pool if age_fits(n, tag, res, pool)]
        if any(res.gender.get(n) == tag.gender or tag.gender == "unknown" for n in fit) and len(fit) < len(pool):
            pool = fit
        elif tag.age == "child" and tag.kind == "epithet" and not fit:
            # "said the boy" when everyone in the scene is a "Mr." or a "Mrs.": the boy is someone the story
            # has not named, not the shopkeeper he talks to. A named child of the right sex elsewhere in the
            # story may be meant; failing that the line is left to the unknown voice.
            pool = [c.name for c in res.chars[:15] if c.gender == tag.gender and c.name not in (res.narrator, res.voice)
                    and age_fits(c.name, tag, res)]
            if not pool:
                return [], [], []
    owners: set[str] = set()
    if tag is not None and tag.owner is not None:
        about = _about(ctx, res, tag.owner, tag.rel)
        owner_prev, owner_recent, kin, fitting = relational_kin(tag, prev_spk[0] if prev_spk else None, recent, res,
                                                      para.vocatives, about, prev_spk[1:3])
        owners = {n for n in (owner_prev, owner_recent, *para.vocatives) if n and res.gender.get(n) == tag.owner}
        addressed_owner = next((n for n in para.vocatives if res.gender.get(n) == tag.owner), None)
        # The kin whose title suits the relation first: "his wife" is the one "Mrs." of his family, and
        # a large family (five daughters) must not crowd her out of the pool.
        pool.extend(n for n in [*fitting, *kin][:3] if n not in pool)
        if any(n in pool for n in fitting):
            # "said her mother" when the family has its "Mrs.": her sisters, of her name but not of the
            # title a mother goes by, are not the one meant.
            pool = [n for n in pool if n not in kin or n in fitting]
        # Whom "her" points at is sure enough when the line addresses her, the narration since the last turn
        # is about her, or she spoke the turn before: a woman named later in passing ("with a glance at
        # Nell") does not unsettle it. Only the last one named, against nobody else, is a guess.
        sure = bool(addressed_owner or about or owner_prev) or not owner_recent
        if tag.rel in UNIQUE_RELATIONS and len(fitting) == 1 and fitting[0] in pool and sure:
            # One has one mother, one father, one husband, one wife: the one of the family who bears the
            # title that relation goes by is the speaker, whoever had the last turns.
            pool = [fitting[0]]
        # "said her aunt" is not "her": the one the possessive points at (the one the line addresses,
        # else the last speaker of its gender) is the one person it cannot be.
        owner = possessive_owner(tag, prev_spk[0] if prev_spk else None, recent, res, para.vocatives, about, named=False)
        # A relation of no fixed sex ("her cousin") can be anyone else in the pool.
        if owner in pool and any(n != owner and (tag.gender == "unknown" or res.gender.get(n) in (tag.gender, "unknown"))
                                 for n in pool):
            pool.remove(owner)
    if ctx.said_to and any(n not in ctx.said_to for n in pool):
        pool = [n for n in pool if n not in ctx.said_to]
    if ctx.absent and any(n not in ctx.absent for n in pool):
        # The one the narration has just said was not there ("There had been no Mr. Pell") cannot speak.
        pool = [n for n in pool if n not in ctx.absent]
    # "she said to Twilight", "Time for bed, Twilight": whom the speech is for is not whom "she" means.
    centre = (_centre(ctx, res, spk, ctx.tag_to | set(para.vocatives) | ctx.absent)
              if ctx.centre_units and tag is not None and tag.kind == "pronoun" else None)
    if centre is not None and centre not in pool:
        pool.append(centre)
    turn_spk = list(map(spk, turn_idx))
    # How far each earlier turn can be trusted: prev_trust for prev_spk, turn_trust for turn_spk.
    prev_trust = list(map(_trust, map(conf, prev_idx))) if conf is not None else [1.0] * 3
    turn_trust = list(map(_trust, map(conf, turn_idx))) if conf is not None else [1.0] * 4
    notag = tag is None
    # What the loop below asks of every candidate, asked once.
    spoke_recently = set(recent_speakers)
    two_party = len(turn_spk) >= 3 and len(set(turn_spk)) == 2
    two_party_trust = min(turn_trust[:3]) if two_party else 0.0
    # A third voice: who of the room has not spoken in this conversation, and what the line says to the last two.
    # Not looked for when the weights give it nothing and no trace wants the features.
    third = bool(turn_spk) and (full or any(map(weights.__getitem__, _THIRD_FEATURES)))
    last_two = set(turn_spk[:2])
    third_trust = min(turn_trust[:2]) if third else 0.0
    chain_spoke = set(map(window_spk.__getitem__, in_chain)) if third else set()
    chain_spoke.discard(None)
    many = len(chain_spoke) >= 3
    scene = ctx.scene if third else frozenset()
    others = scene - last_two if scene else scene
    scene_other = next(iter(others)) if len(others) == 1 else None
    voc_back = (third and len(turn_spk) > 1 and turn_spk[1] is not None and turn_spk[1] != turn_spk[0]
                and turn_spk[1] in para.in_quote)
    scores: list[float] = []
    feats: list[dict[str, float]] = []
    for n in pool:
        static = ctx.static.get(n)
        if static is None:
            static = ctx.static[n] = _static_features(n, para, ctx, res, weights)
        d: dict[str, float] = {}
        if prev_spk and prev_spk[0] == n:
            d["prev1" if gap <= 1 else "gap_prev1"] = prev_trust[0]
        if len(prev_spk) > 1 and prev_spk[1] == n:
            d["prev2"] = prev_trust[1]
        if len(prev_spk) > 2 and prev_spk[2] == n:
            d["prev3"] = prev_trust[2]
        if n in spoke_recently:
            d["participant"] = 1.0
        if n in far_only:
            d["far_only"] = 1.0
        if len(turn_spk) > 1 and turn_spk[1] == n and turn_spk[0] != n:
            d["alternate"] = min(turn_trust[0], turn_trust[1])
            if many:
                d["alternate_many"] = d["alternate"]
        if turn_spk and turn_spk[0] == n and gap == 0 and ctx.bare:
            d["repeat_bare"] = turn_trust[0]
        if two_party and n in turn_spk:
            d["two_party"] = two_party_trust
        if owners:
            if n == owner_prev:
                d["rel_owner_prev"] = 1.0
            if n == owner_recent:
                d["rel_owner_recent"] = 1.0
            if n in kin:
                d["rel_kin"] = 1.0
                if n in fitting:
                    d["rel_kin_title"] = 1.0
        if same_ep == n:
            d["same_epithet"] = 1.0
        if third and n not in last_two:
            if n in scene and n not in chain_spoke:
                d["entered"] = third_trust
            if n == scene_other:
                d["scene_other"] = third_trust
            if voc_back:
                d["voc_back"] = third_trust
            if n in ctx.addressed:
                d["addressed_third"] = third_trust
            if many and n in chain_spoke:
                d["returning"] = third_trust
        if centre == n:
            d["pron_match_first"] = 1.0
        if tag is not None and tag.other and prev_spk and prev_spk[0] == n:
            d["other_prev1"] = 1.0
        if not full:
            scores.append(static[1] + _turn_sum(d, ctx.bare, notag, weights))
            continue
        _add_copies(d, ctx.bare, notag)
        scores.append(static[1] + sum(weights[k] * v for k, v in d.items()))
        f = dict.fromkeys(FEATURES, 0.0)
        f.update(static[0])
        f.update(d)
        feats.append(f)
    return pool, scores, feats


_THIRD_FEATURES = ("entered", "scene_other", "voc_back", "addressed_third", "returning", "alternate_many",
                   "entered_bare", "voc_back_bare", "addressed_third_bare")
_BARE_KEY = {k: k + "_bare" for k in _BARE}
_NOTAG_KEY = {k: k + "_notag" for k in _SPLIT}


def _add_copies(d: dict[str, float], bare: bool, notag: bool) -> None:
    """Add to a candidate's turn-taking features `d` their copies for a paragraph of bare speech and for
    one without a tag (in that order)."""
    if bare:
        for k, v in list(d.items()):
            if k in _BARE:
                d[_BARE_KEY[k]] = v
    if notag:
        for k, v in list(d.items()):
            if k in _SPLIT:
                d[_NOTAG_KEY[k]] = v


def _turn_sum(d: dict[str, float], bare: bool, notag: bool, weights: dict[str, float]) -> float:
    """The score of `d` with _add_copies' copies, without making them (decoding needs no feature dicts): the
    same terms in the same order, so the same sum to the last bit."""
    keys, at = _sum_plan(tuple(d), bare, notag)
    values = list(d.values())
    return sum(map(operator.mul, map(weights.__getitem__, keys), map(values.__getitem__, at)))


@functools.lru_cache(maxsize=4096)  # a book's candidates have a few hundred sets of turn-taking features
def _sum_plan(names: tuple[str, ...], bare: bool, notag: bool) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The features _add_copies would give a candidate with features `names`, in its order, and for each
    the place in `names` of the one whose value it takes."""
    keys, at = list(names), list(range(len(names)))
    if bare:
        for k, name in enumerate(names):
            if name in _BARE:
                keys.append(_BARE_KEY[name])
                at.append(k)
    if notag:
        for k, name in enumerate(names):
            if name in _SPLIT:
                keys.append(_NOTAG_KEY[name])
                at.append(k)
    return tuple(keys), tuple(at)


def _turn_slots(i: int, paras: list[Paragraph], history: list[int], ctx: ParagraphContext) -> tuple:
    """What speaker_candidates reads of the decoding history, which every hypothesis shares (only the speakers
    it gives those paragraphs differ): the last three speech paragraphs, nearest first; the ones within
    SPEAKER_REACH, in order; the last four turns of this conversation, nearest first; the paragraphs
    since the last speech; the pool's text-decided names before and after its recent speakers; and the
    places in the second list of this conversation's paragraphs.

    Kept in the paragraph's context with the history's length and last paragraph: decoding asks once
    per hypothesis, a test may ask with another history."""
    key = (len(history), history[-1] if history else None)
    if ctx.slots is not None and ctx.slots[0] == key:
        return ctx.slots[1]
    chain = paras[i].chain
    got = (
        list(reversed(history[-3:])),
        [j for j in history[-40:] if i - j <= SPEAKER_REACH],
        [j for j in reversed(history[-4:]) if paras[j].chain == chain],
        (i - history[-1] - 1) if history else 99,
        ctx.recent[:_POOL_MENTIONS],
        [*ctx.subjects, *ctx.addressed, *ctx.chain_named, *ctx.chain_voc[:3], *ctx.voc_next],
    )
    got = (*got, [k for k, j in enumerate(got[1]) if paras[j].chain == chain])
    ctx.slots = (key, got)
    return got


def _third_person_tag(tag: SpeechTag | None) -> bool:
    """Whether a tag speaks of its speaker in the third person ("she continued", "said the old man").

    A first-person narrator tags their own words "I said"; "he said" or "said the stranger" is never
    the narrator, whatever gender the story leaves them (Watson's is never stated in his own voice).
    """
    return tag is not None and tag.kind in ("pronoun", "epithet")


def _centre(ctx: ParagraphContext, res: CastIndex, spk, listeners: set[str]) -> str | None:
    """The person a pronoun tag continues: the first unit before it with someone of its gender (not a listener)."""
    g = ctx.tag.gender if ctx.tag is not None else "unknown"
    for k, u in enumerate(ctx.centre_units):
        if isinstance(u, int):
            if k == 0:
                continue  # the turn just before, with nothing between: turn-taking decides that one
            who = spk(u)
            # The narrator's turns are "I said": a "he" or "she" never goes on with them (_third_person_tag
            # keeps them out of the pool; neither may the centre bring them back).
            if who is not None and res.gender.get(who) == g and who not in listeners and who != res.narrator:
                return who
            continue
        for n in u:
            if n == "=" + g:
                break  # a pronoun subject of this gender: the centre lies further back
            if res.gender.get(n) == g and n not in listeners:
                return n
    return None


def _about(ctx: ParagraphContext, res: CastIndex, g: str, rel: str | None = None) -> str | None:
    """The one of sex `g` the narration since the last speech turn is about: the first sentence back that
    names someone of that sex ("Elizabeth was forced to go."). A pronoun of that sex first in a sentence
    carries the centre further back, as for a pronoun tag (_centre).

    The walk stops at the last speech turn: past it, turn-taking says more than narration does (walking on,
    or taking that turn's speaker for the owner, lost on dev: the turn before a "said her mother" is
    often the mother's own).
    """
    for u in ctx.centre_units:
        if isinstance(u, int):
            return None
        for n in u:
            if n == "=" + g:
                break
            # "Mrs. Miller's eyes turned to Daisy. '...,' said her mother": one who goes by the title of an
            # elder relation is that relative sooner than the one "her" points at.
            if res.gender.get(n) == g and not (rel in ELDER_FEMALE_RELATIONS | ELDER_MALE_RELATIONS and title_fits(rel, n, res)):
                return n
    return None


def _static_features(n: str, para: Paragraph, ctx: ParagraphContext, res: CastIndex,
                     weights: dict[str, float]) -> tuple[dict[str, float], float]:
    """The non-zero features of candidate `n` that the text alone decides, and their score."""
    tag, recent = ctx.tag, ctx.recent
    g = res.gender.get(n, "unknown")
    f: dict[str, float] = {}

    def put(name: str, value: float) -> None:
        if value:
            f[name] = value

    if tag is not None and tag.gender != "unknown" and g != "unknown":
        f["pron_match" if g == tag.gender else "pron_mismatch"] = 1.0
    put("addressed", float(n in ctx.addressed))
    put("called", float(n in ctx.called))
    put("tag_epithet", float(n == ctx.epithet))
    put("named_in_quote", float(n in para.in_quote))
    put("subject_here", float(n in ctx.subjects))
    put("mention_here", float(n in ctx.here))
    put("mention_prev", float(n in ctx.prevm))
    put("recency", 1.0 / (1 + recent.index(n)) if n in recent else 0.0)
    put("salience", res.salience.get(n, -10.0) / 10.0)
    put("narrator_i", float(n == res.narrator))
    put("beat_after", float(ctx.beat is not None and ctx.beat[0] == n))
    for side, anc in (("back", ctx.back), ("fwd", ctx.fwd)):
        if anc is None:
            continue
        d, who, other = anc
        if d % 2 == 0:
            put(f"anc_{side}_even", float(who == n) * 2.0 / d)
        else:
            put(f"anc_{side}_odd", float(who == n) * 2.0 / (d + 1))
            put(f"anc_{side}_other", float(other == n) * 2.0 / (d + 1))
    put("chain_speaker", float(n in ctx.chain_named))
    put("next_named", float(ctx.next_named == n))
    put("tag_to", float(n in ctx.tag_to))
    put("ante_subj", float(bool(ctx.antecedents) and ctx.antecedents[0] == n))
    put("ante_subj_2", float(len(ctx.antecedents) > 1 and ctx.antecedents[1] == n))
    put("actor_prev", float(ctx.actor_prev == n))
    put("actor_here", float(ctx.actor_here == n))
    put("chain_addressed", 1.0 / (1 + ctx.chain_voc.index(n)) if n in ctx.chain_voc else 0.0)
    put("voc_next", float(n in ctx.voc_next))
    mean, total = _idiolect(n, para, ctx, res)
    put("idiolect", mean)
    put("idiolect_sum", total)
    if g in ("male", "female"):
        if ctx.addr_prev is not None:
            f["addr_prev_match" if g == ctx.addr_prev else "addr_prev_mismatch"] = 1.0
        if ctx.addr_next is not None:
            f["addr_next_match" if g == ctx.addr_next else "addr_next_mismatch"] = 1.0
        put("addr_own_match", float(g in para.addr_gender))
    _add_copies(f, ctx.bare, tag is None)
    if tag is not None and f.get("pron_match") and tag.owner is None:
        # A relation ("her mother") is not a pronoun: the nearest woman is whom "her" points at.
        put("pron_match_recency", f.get("recency", 0.0))
        same = [m for m in recent if res.gender.get(m) == tag.gender]
        if tag.kind != "pronoun":
            # An epithet's first same-gender person by mention; a pronoun's is its centre (_centre).
            put("pron_match_first", float(bool(same) and same[0] == n))
    return f, sum(map(operator.mul, map(weights.__getitem__, f), f.values()))  # weights[k] * v, in order


def _idiolect(n: str, para: Paragraph, ctx: ParagraphContext, res: CastIndex) -> tuple[float, float]:
    """How much likelier the paragraph's speech words are in `n`'s name-tagged lines than in the book's
    speech: (mean, sum) of the per-word log-likelihood ratio. Each voice's word distribution is its counts
    smoothed towards the book's, so a voice with few tagged lines scores near 0 either way.

    With p_n(w) = (own(w) + prior * p(w)) / (own total + prior), log(p_n(w) / p(w)) is
    log(prior / (own total + prior)) for every word the voice never said, plus log(1 + own(w) / (prior * p(w)))
    for a word it did (_voices keeps those): only the words the line shares with the voice are looked at."""
    voice = res.voices.get(n)
    words = res.speech_words.get(para.quotes[0].start) if voice is not None and para.quotes else None
    if not words:
        return 0.0, 0.0
    logs, base = voice  # type: ignore[misc]
    size = words.total()
    llr = base * size + sum(map(operator.mul, words.values(), map(logs.get, words, itertools.repeat(0.0))))
    return llr / size, llr / 10.0


# How far back the candidate pool looks: a long two-person exchange can run for dozens of
# paragraphs after its speakers were last named.
SPEAKER_REACH = 30
MENTION_REACH = 10
_POOL_MENTIONS = 8
_POOL_SPEAKERS = 8
_POOL_MIN = 3  # fill a smaller pool from the narration of up to _FAR_REACH paragraphs back
_FAR_REACH = 60
_ANCHOR_REACH = 30  # speech paragraphs searched on each side for a named speaker
_SCENE_PARAS = 20  # paragraphs searched back for the people present in a conversation (ParagraphContext.scene)
_EPITHET_REACH = 400  # paragraphs: a book calls the same stranger "the old man" within a few chapters


def _anchors(i: int, paras: list[Paragraph]) -> tuple[tuple[int, str, str | None] | None, tuple[int, str, str | None] | None, list[str]]:
    """Nearest name-tagged turns before and after paragraph i in its conversation.

    Each anchor is (turns away, speaker, the other party: the nearest differently named speaker of
    the conversation); the list holds the conversation's named speakers, nearest first.
    """
    para = paras[i]
    named: list[tuple[int, str]] = []  # (signed turn distance, speaker)
    for step in (-1, 1):
        j, seen = i + step, 0
        while 0 <= j < len(paras) and seen < _ANCHOR_REACH:
            q = paras[j]
            if q.quotes:
                if q.chain != para.chain:
                    break
                seen += 1
                if q.named and not q.cont:
                    named.append((q.turn - para.turn, q.named))
            j += step
    named.sort(key=lambda x: (abs(x[0]), x[0]))
    order: list[str] = []
    for _, n in named:
        if n not in order:
            order.append(n)

    def anchor(side: int) -> tuple[int, str, str | None] | None:
        hit = next(((d, n) for d, n in named if d * side > 0), None)
        if hit is None:
            return None
        other = next((n for _, n in named if n != hit[1]), None)
        return abs(hit[0]), hit[1], other

    return anchor(-1), anchor(1), order

