"""attribute: decide who speaks each dialogue segment, with evidence and confidence.

A paragraph is the unit of speech: every quotation in one paragraph belongs to one speaker unless a
second tag names someone else. For each paragraph holding speech we look, in order of trust, for:

1. a speech tag naming a character on either side of a quote or inside a split quote
   ("said Emma", "Mr. Darcy replied", "cried the dragon") -> explicit;
2. a tag with a pronoun or an epithet ("she said", "the old man cried") -> anaphoric, resolved by a
   scorer over the characters in play (gender, recency, conversation turns);
3. nothing: the scorer picks from conversation structure (turn-taking, who was addressed, who acts
   in the paragraph's narration) -> implicit.

The scorer is a linear model over a handful of features per candidate; its weights ship in
`narrator/data/attribution_weights.json` (trained by `benchmarks/train_attribution.py`) and fall
back to hand-set values when the file is missing.

What the words beside a quotation say (the speech-tag grammar) is read by `narrator/speech_tags.py`;
whom a relational or age-telling tag ("said her mother", "the old man") can name, by `narrator/kinship.py`.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import json
import math
import operator
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources

from narrator.chat import chat_label
from narrator.dialogue import plain_marks
from narrator.kinship import (
    ELDER_FEMALE_RELATIONS,
    ELDER_MALE_RELATIONS,
    UNIQUE_RELATIONS,
    VAGUE_PEOPLE,
    age_fits,
    possessive_owner,
    relational_kin,
    title_fits,
    with_age,
    with_relation,
)
from narrator.lexicon import (
    ADDRESS_RE,
    CREATURES,
    FEMALE_NOUNS,
    FEMALE_PRONOUNS,
    MALE_NOUNS,
    MALE_PRONOUNS,
    OCCUPATIONS,
    address_gender,
    asks_name,
    both_tenses,
    name_answer,
    self_introductions,
)
from narrator.models import Character, Line, Segment
from narrator.speech_tags import (
    CLAUSE_BREAK,
    DOT_TITLES,
    SENTENCE_END,
    TAG_ADVERB,
    TAG_LEAD,
    TAG_VERB_ALT,
    TITLE_ABBR,
    SpeechTag,
    ends_sentence,
    quote_closed,
    single_spaced,
    subjects_of,
    tag_after_quote,
    tag_before_quote,
)

_PRON = r"he|she|I|they|we|He|She|They|We"
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


def _load_weights() -> dict[str, float]:
    try:
        raw = resources.files("narrator").joinpath("data/attribution_weights.json").read_text(encoding="utf-8")
        data = json.loads(raw)
        return {k: float(data["weights"].get(k, 0.0)) for k in FEATURES}
    except (FileNotFoundError, KeyError, ValueError, OSError):
        return {k: _DEFAULT_WEIGHTS.get(k, 0.0) for k in FEATURES}


@dataclass
class _Para:
    """One paragraph: its segments, the narration around its quotes and what we found in it."""

    segs: list[Segment]
    quotes: list[Segment] = field(default_factory=list)
    speaker: str | None = None
    evidence: str = "unknown"
    confidence: float = 0.0
    mentions: list[tuple[int, str]] = field(default_factory=list)  # narration mentions (offset, name)
    vocatives: list[str] = field(default_factory=list)
    addr_gender: set[str] = field(default_factory=set)  # genders addressed in the speech ("sir", "mamma")
    addr_parent: set[str] = field(default_factory=set)  # "mother" / "father" when the speech calls someone so
    called: set[str] = field(default_factory=set)  # vocatives opening or closing a quotation
    # Vocatives the paragraph's speaker surely says to someone else: not in speech the quote reports
    # ("'Dorcas,' she says"), not the speaker naming themselves ("I, Hercule Poirot, affirm").
    sure_vocatives: set[str] = field(default_factory=set)
    in_quote: set[str] = field(default_factory=set)
    # Names the narration says were not there ("There had been no Mr. Pell"), with their offsets (_absent).
    denied: list[tuple[int, str]] = field(default_factory=list)
    tags: list[tuple[SpeechTag, int]] = field(default_factory=list)
    named: str | None = None  # the speaker a name tag gives, before any scoring
    cont: bool = False  # an open quote from the previous paragraph goes on here (same turn)
    chain: int = -1  # conversation number
    turn: int = 0  # turn number within the conversation
    context: _Context | None = None  # cached by _context()
    lead: str = ""  # a narration-only paragraph just before this one ("Emma continued:")
    epi_prev: int | None = None  # the last paragraph whose tag used the same unknown epithet ("said the old man")
    names_back: list[str] | None = None  # cached by _names_back()
    asked: bool = False  # the speech just before asked its listener's name ("Who are you?")
    alt: str | None = None  # the scorer's next likeliest speaker (what `narrator script --doubtful` offers)


# Heads of a lower-case name that is all a character is called: their work or their kind.
_KNOWN_BY_KIND = OCCUPATIONS | CREATURES


class _Resolver:
    """Name, alias and epithet lookup for one cast of characters."""

    def __init__(self, characters: Sequence[Character]) -> None:
        self.chars = list(characters)
        self.gender = {c.name: c.gender for c in characters}
        total = sum(max(c.mentions, 1) for c in characters) or 1
        self.salience = {c.name: math.log(max(c.mentions, 1) / total) for c in characters}
        self.narrator: str | None = None
        # The unseen speaker of "a voice rang out" (find_characters gives it the alias "a voice").
        self.voice = next((c.name for c in characters if "a voice" in c.aliases), None)
        # ...when it is only that: a stand-in the story never names, not a character the book calls "the Voice".
        self.stand_in_voice = next((c.name for c in characters if "a voice" in c.aliases and c.mentions == 0), None)
        forms: dict[str, str] = {}
        epithets: dict[str, str] = {}
        holders: dict[str, list[str]] = {}
        for c in reversed(self.chars):  # earlier (more salient) characters win shared forms
            for form in (c.name, *c.aliases):
                if not form:
                    continue
                if form == "I":
                    self.narrator = c.name
                elif form[0].islower() or form.lower().startswith(("the ", "a ")):
                    epithets[_norm(form)] = c.name
                    holders.setdefault(_norm(form), []).append(c.name)
                else:
                    forms[single_spaced(form)] = c.name
        # An epithet the story gives several characters ("Rarity, the unicorn" and "Twilight, the unicorn"):
        # a tag using it means the one of them the story named last (`recent`, kept up by _chains as it
        # goes through the paragraphs), as a reader takes "the unicorn said" for the unicorn in the scene.
        self.shared = {e: tuple(dict.fromkeys(h)) for e, h in holders.items() if len(set(h)) > 1}
        self.recent: dict[str, tuple[int, int]] = {}
        # "the Captain", "the Doctor", "the Princess": a capitalised role is what the others call its holder
        # to their face ("Yes, Captain"), so the bare title is one of its forms, unless another character's
        # name uses the word ("Captain Wentworth") and it could be either.
        taken = {w for f in forms for w in f.split()}
        self.role_words: set[str] = set()
        for c in reversed(self.chars):
            for form in (c.name, *c.aliases):
                m = re.fullmatch(r"[Tt]he ([A-Z][a-z]+)", form or "")
                if m and m.group(1) not in taken:
                    forms[m.group(1)] = c.name
                    self.role_words.add(m.group(1))
        self.forms = forms
        self.epithets = epithets
        # Epithets the narration itself sets beside their holder's name ("Vasel, the locksmith, looked up"):
        # filled by _prepare (_stated_epithets), read by epithet_kind.
        self.stated: frozenset[str] = frozenset()
        # The paragraph each character is first named in, narration or speech (filled by _prepare).
        self.first_seen: dict[str, int] = {}
        # Per name-tagged speaker, how their words differ from the book's speech (_voices, _idiolect).
        self.voices: dict[str, tuple[dict[str, float], float]] = {}
        self.speech_words: dict[int, Counter[str]] = {}  # a speech paragraph's words, by its first quote's start
        # People the story knows only by their work ("the croupier", "the parlourmaid"): that is
        # their name, and "said the croupier" names the croupier as surely as "said Emma" names
        # Emma. So does a creature the story never names ("said the unicorn": find_characters only makes it
        # a character of its own when no name goes with it). A descriptive epithet ("the lad", "the
        # painter") may still be a named character seen from another side, and stays a guess the scorer
        # weighs (taking every lower-case character as a name cost dev 83.4 -> 83.0).
        self.role_only = {c.name for c in characters
                          if "I" not in c.aliases and "a voice" not in c.aliases
                          and all(f[:1].islower() and not any(w[:1].isupper() for w in f.split()[1:])
                                  and f.split()[-1] in _KNOWN_BY_KIND for f in (c.name, *c.aliases) if f)}
        # Family names: the last word of every name form of two words or more ("Mrs. Bennet").
        self.family: dict[str, set[str]] = {}
        for c in self.chars:
            self.family[c.name] = {f.split()[-1] for f in (c.name, *c.aliases)
                                   if f and len(f.split()) > 1 and f.split()[-1][:1].isupper()}
        # subjects_of's answers by text: the same narration is asked about from several paragraphs.
        self.subjects: dict[str, list[tuple[str | None, str, str]]] = {}
        # _sentence_units' answers by segment start, for the same reason.
        self.units: dict[int, list[tuple[str, ...]]] = {}
        # _age_of's answers: every age-tagged line asks about each candidate of its pool.
        self.ages: dict[str, str] = {}
        # Novels are hard-wrapped: "Mrs.\nHoneychurch" is the form "Mrs. Honeychurch".
        alts = sorted((_flex(f) for f in forms), key=len, reverse=True)
        # The look-ahead for the forms' first letters changes no match: at the many places where none of
        # them starts, the scan moves on without trying every form in turn (half the time on a novel).
        # (An empty form, which would match anywhere, gets none.)
        firsts = "(?=[" + "".join(sorted({re.escape(f[0]) for f in forms})) + "])" if all(forms) else ""
        self.name_re = re.compile(r"(?<![A-Za-z])" + firsts + r"(?:" + "|".join(alts) + r")(?![A-Za-z])") if alts else None
        ep_alts = sorted((_flex(e) for e in epithets), key=len, reverse=True)
        self.epithet_re = (
            re.compile(r"(?<![A-Za-z])(?:" + "|".join(ep_alts) + r")(?![A-Za-z])", re.IGNORECASE) if ep_alts else None
        )
        subj = r"(?P<subj>" + TITLE_ABBR + r"[A-Z][\w'\-]*(?:\s+[A-Z][\w'\-]*){0,3}|" + _PRON + \
            r"|(?:the|The)\s+[A-Z][\w'\-]*(?:\s+[A-Z][\w'\-]*){0,2}" + \
            r"|(?:the|his|her|their|my|our|a|an|another)\s+(?:[a-z\-]+\s+){0,2}?[a-z\-]+)"
        # "said Emma" / "said the old man" right after the quote.
        self.inverted = re.compile(TAG_LEAD + r"(?:" + TAG_ADVERB + r")(?P<verb>" + TAG_VERB_ALT + r")\s+" + TAG_ADVERB + subj + r"(?=[\s,.;:!?\-\u2014]|$)")
        # "Emma said" / "she replied" right after the quote.
        self.normal = re.compile(TAG_LEAD + subj + r"[\s,]+" + TAG_ADVERB + r"(?P<verb>" + TAG_VERB_ALT + r")\b")
        # "Emma said:" / "Emma turned to him and said," just before the quote.
        self.before = re.compile(subj + r"\b[^.!?\"]{0,80}?\b(?P<verb>" + TAG_VERB_ALT + r")\b[^.!?\"]{0,60}[,:\u2014\-]?\s*$")

    def holder(self, epithet: str) -> str:
        """The character a known epithet stands for; for one several share, the one named last."""
        n = _norm(epithet)
        if n in self.shared:
            return max(self.shared[n], key=lambda h: self.recent.get(h, (-1, -1)))
        return self.epithets[n]

    def epithet_kind(self, form: str, name: str) -> str:
        """"name" for a capitalised role ("the Mock Turtle") or a role that is all a character is
        called ("the croupier"); "epithet" for a descriptive phrase that only points at someone."""
        if any(w[:1].isupper() for w in form.split()[1:]) or name in self.role_only or _norm(form) in self.stated:
            return "name"
        return "epithet"

    def lookup(self, phrase: str) -> tuple[str | None, str, str]:
        """(character, kind, gender) for a tag subject: kind is name / pronoun / epithet / none."""
        p = single_spaced(phrase).rstrip("-")  # 'said the griffin--"you--"': the dash breaks off the tag
        if not p:
            return None, "none", "unknown"
        low = p.lower()
        if low in ("he", "she"):
            return None, "pronoun", "male" if low == "he" else "female"
        if p == "I":
            return self.narrator, "name" if self.narrator else "none", "unknown"
        if low in ("they", "we"):
            return None, "none", "unknown"
        if p in self.forms:
            return self.forms[p], "name", self.gender.get(self.forms[p], "unknown")
        if self.name_re is not None:
            m = self.name_re.search(p)
            if m and m.start() == 0:
                name = self.forms[single_spaced(m.group(0))]
                return name, "name", self.gender.get(name, "unknown")
        n = _norm(p)
        if n in self.epithets:
            name = self.holder(n)
            # A capitalised role ("the Mock Turtle") names its character as surely as a name does.
            kind = self.epithet_kind(p, name)
            return name, kind, self.gender.get(name, "unknown")
        if re.match(r"(?:a|an|another)\s+(?:[a-z]+\s+){0,2}voice$", n) and self.voice is not None:
            return self.voice, "name", "unknown"
        if p[0].isupper() and not low.startswith(("the ", "his ", "her ", "their ", "my ", "our ", "a ", "an ")):
            return None, "none", "unknown"  # a capitalised word we do not know (not a character)
        head = n.split()[-1] if n.split() else ""
        if head in MALE_NOUNS:
            return None, "epithet", "male"
        if head in FEMALE_NOUNS:
            return None, "epithet", "female"
        return None, "epithet", "unknown"


_VOICE_TAG = re.compile(r"^[\s,;:\-\u2014]*(?:a|an|another|the)\s+(?:[a-z\-]+\s+){0,2}voice\b", re.IGNORECASE)


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s.strip().lower())


def _flex(form: str) -> str:
    """A regex for `form` that lets a line break stand wherever the form has a space."""
    return r"\s+".join(re.escape(w) for w in form.split())


def attribute(segments: Sequence[Segment], characters: Sequence[Character]) -> list[Line]:
    """One Line per segment: narration goes to the narrator; dialogue to a character or unknown."""
    return run(segments, characters, _load_weights())


def run(segments: Sequence[Segment], characters: Sequence[Character], weights: dict[str, float],
        trace: list[tuple[list[Segment], list[str], list[dict[str, float]]]] | None = None,
        oracle=None) -> list[Line]:
    """attribute() with explicit weights; `trace` collects (quotes, candidates, features) for training.

    `oracle` (training only) maps a paragraph's first quotation to its true speaker, so that the
    turn-taking features of later lines are computed from the true history (teacher forcing).
    """
    # Weights that do not use the idiolect features need no word profiles.
    res, paras = _prepare(segments, characters, trace is not None or any(weights.get(k) for k in _IDIOLECT_FEATURES))
    # _prepare reads the quote marks straightened (plain_marks); the lines carry the story's own segments.
    own = {(s.chapter, s.index): s for s in segments}
    speakers: dict[int, str] = {}  # per-segment speaker when a paragraph holds two speakers
    evidence: dict[int, tuple[str, float]] = {}  # ... and that segment's own evidence, when not its paragraph's
    beam_width = 1 if trace is not None else _BEAM
    _decode(paras, res, weights, speakers, trace, beam_width, oracle, evidence)
    lines: list[Line] = []
    for para in paras:
        for seg in para.segs:
            if seg.kind == "narration":
                lines.append(Line(own[seg.chapter, seg.index], None, "narration", 1.0))
            else:
                key = seg.index + seg.chapter * 1_000_000
                who = speakers.get(key, para.speaker)
                ev, conf = evidence.get(key, (para.evidence, para.confidence))
                if who is None:
                    ev, conf = "unknown", 0.0
                alt = para.alt if who == para.speaker and para.alt != who else None
                lines.append(Line(own[seg.chapter, seg.index], who, ev, conf, alt))  # type: ignore[arg-type]
    return lines


def _prepare(segments: Sequence[Segment], characters: Sequence[Character],
             voices: bool = True) -> tuple[_Resolver, list[_Para]]:
    """The resolver and the paragraphs with their mentions, tags and conversation chains: all that the
    decoder reads. One place, so the miss reports and tests that look inside see what run() decodes.
    `voices`: also each speaker's word profile (_voices; the idiolect features read 0 without it)."""
    res = _Resolver(characters)
    # Single quotes, curly quotes and guillemets read as straight double marks, the spelling every cue
    # below is written for: who speaks does not depend on the book's typography.
    plain = plain_marks(segments)
    res.stated = _stated_epithets(plain, res)
    paras = _paragraphs(plain)
    for para in paras:
        _scan_mentions(para, res)
    _chains(paras, res)
    for k, para in enumerate(paras):
        for name in (*(n for _, n in para.mentions), *para.in_quote, *(t.name for t, _ in para.tags if t.name)):
            res.first_seen.setdefault(name, k)
    if voices:
        _voices(paras, res)
    return res, paras


_IDIOLECT_FEATURES = ("idiolect", "idiolect_sum")
_WORD = re.compile(r"[a-z]+(?:['\u2019][a-z]+)?")
_IDIOLECT_WORDS = 40  # words of a line read for its idiolect features
_IDIOLECT_PRIOR = 200.0  # words of the book's speech a voice's profile starts from (few tagged lines: the book's)


def _words(para: _Para) -> list[str]:
    """The first _IDIOLECT_WORDS words of a paragraph's speech, lower-cased."""
    return _WORD.findall(" ".join(q.text for q in para.quotes).lower())[:_IDIOLECT_WORDS]


def _voices(paras: list[_Para], res: _Resolver) -> None:
    """Each name-tagged speaker's words, as _idiolect reads them: per word the voice said, the log of how much
    likelier it makes the word than the book's speech does, and the log-ratio of every word it never said.

    Only name-tagged lines: what the text itself settles, the same in training and at run time."""
    book: Counter[str] = Counter()
    voices: dict[str, Counter[str]] = {}
    for para in paras:
        if not para.quotes:
            continue
        # Counted from the list, not from a Counter: Counter.update counts an iterable in C, a mapping in Python.
        words = _words(para)
        book.update(words)
        if para.named and not para.cont:
            voices.setdefault(para.named, Counter()).update(words)
        else:
            res.speech_words[para.quotes[0].start] = Counter(words)  # a line _idiolect may score
    # The book's word probabilities, add-one smoothed (every word of a line is in the book: no unseen word).
    norm = book.total() + len(book) + 1
    res.voices = {n: ({w: math.log1p(c * norm / (_IDIOLECT_PRIOR * (book[w] + 1))) for w, c in v.items()},
                      math.log(_IDIOLECT_PRIOR / (v.total() + _IDIOLECT_PRIOR))) for n, v in voices.items()}


# "Vasel, the old locksmith," -- a name, then "the", up to three describing words and the noun, in commas.
_APPOSITION = r",\s+the\s+(?:[a-z\-]+\s+){0,3}?(?P<noun>%s)\s*,"


def _stated_epithets(segments: Sequence[Segment], res: _Resolver) -> frozenset[str]:
    """The epithets ("the locksmith") the narration sets in apposition beside a name of the one character
    they are linked to, and beside no other name: "Vasel, the locksmith, looked up".

    The story has then said outright who the locksmith is, and "said the locksmith" names Vasel as surely as
    "said Vasel" does -- a reader does not weigh it as a guess among the people of the scene. An epithet
    merely seen near a name (linked by co-occurrence) stays a descriptive guess the scorer weighs, as does a
    vague people-noun ("the man", "the old lady": any man of the book)."""
    nouns = {e.split()[-1]: e for e in res.epithets
             if len(e.split()) == 2 and e.startswith("the ") and e.split()[-1] not in VAGUE_PEOPLE}
    if not nouns or res.name_re is None:
        return frozenset()
    rx = re.compile(_APPOSITION % "|".join(sorted(map(re.escape, nouns), key=len, reverse=True)))
    beside: dict[str, set[str]] = {}
    for seg in segments:
        if seg.kind != "narration" or "," not in seg.text:
            continue
        for m in rx.finditer(seg.text):
            before = seg.text[max(0, m.start() - 60):m.start()]
            who = next((n for n in res.name_re.finditer(before) if n.end() == len(before)), None)
            if who is not None:
                beside.setdefault(nouns[m.group("noun")], set()).add(res.forms[single_spaced(who.group(0))])
    return frozenset(e for e, names in beside.items() if names == {res.epithets[e]})


def _paragraphs(segments: Sequence[Segment]) -> list[_Para]:
    paras: list[_Para] = []
    key: tuple[int, int] | None = None
    for seg in segments:
        k = (seg.chapter, seg.paragraph)
        if k != key or seg.heading:
            paras.append(_Para([]))
            key = k
        paras[-1].segs.append(seg)
        if seg.kind == "dialogue" and not seg.heading and not seg.note:
            paras[-1].quotes.append(seg)
    for a, b in itertools.pairwise(paras):
        # A narration paragraph ending in a colon or a speech verb introduces the next one's speech.
        if (a.segs and a.segs[-1].kind == "narration" and not a.segs[-1].heading and b.segs[0].kind == "dialogue"
                and a.segs[-1].chapter == b.segs[0].chapter and not _tail_tag(a)):
            b.lead = a.segs[-1].text
    return paras


def _tail_tag(para: _Para) -> bool:
    """Whether the paragraph's closing narration is the tag of its own last quote, one sentence long.

    '"Your Highness--" the Doctor began.': the sentence runs on from the quote, so it says who spoke that
    quote; it does not announce the next paragraph's speech the way "Old Tam thus began." on its own does.
    """
    if len(para.segs) < 2 or para.segs[-2].kind != "dialogue" or ends_sentence(para.segs[-2].text):
        return False
    tail = para.segs[-1].text.strip()
    return tail[-1:] == "." and SENTENCE_END.search(tail.rstrip(".")) is None


# A conversation goes on across at most this many narration-only paragraphs holding at most this
# many characters in all; beyond that a new exchange starts and turn parity no longer holds.
_CHAIN_GAP_PARAS = 1
_CHAIN_GAP_CHARS = 400


def _chains(paras: list[_Para], res: _Resolver) -> None:
    """Speech tags, name-tag speakers, continuations and conversation turns for every paragraph."""
    chain, turn = -1, 0
    last: int | None = None
    epithet_seen: dict[str, int] = {}
    for i, para in enumerate(paras):
        if res.shared:
            # Who was named last, up to this paragraph's narration: what a shared epithet's tag means.
            res.recent.update({name: (i, at) for at, name in sorted(para.mentions)})
        if not para.quotes:
            continue
        para.tags = _find_tags(para, res) or _beat_between(para, res)
        named = [t.name for t, _ in para.tags if t.kind == "name" and t.name]
        para.named = named[0] if named else None
        if named:
            # "said Emma" is the tag, not narration about Emma: counting it as a mention would make
            # the last speaker look like the likeliest next one.
            starts = [s.start for s in para.segs]  # once per paragraph: a long one has thousands of mentions
            para.mentions = [m for m in para.mentions if m[1] not in named or not _in_tag(para, m[0], starts)]
        prev = paras[i - 1] if i > 0 else None
        para.asked = prev is not None and bool(prev.quotes) and asks_name(prev.quotes[-1].text)
        if para.asked and (m := name_answer(para.quotes[0].text)) is not None:
            # The name that answers "Who are you?" is the speaker's own, not someone called.
            own = res.forms.get(single_spaced(m.group("name")))
            para.vocatives = [v for v in para.vocatives if v != own]
            para.sure_vocatives.discard(own)  # type: ignore[arg-type]
            para.called.discard(own)  # type: ignore[arg-type]
        para.cont = bool(
            prev is not None and prev.quotes and para.segs[0].kind == "dialogue" and prev.segs[-1].kind == "dialogue"
            and not quote_closed(prev.segs[-1].text) and para.named is None
        )
        linked = False
        if last is not None and paras[last].segs[0].chapter == para.segs[0].chapter:
            between = paras[last + 1 : i]
            chars = sum(s.end - s.start for p in between for s in p.segs)
            linked = len(between) <= _CHAIN_GAP_PARAS and chars <= _CHAIN_GAP_CHARS
            if linked and between and _new_scene(between, res):
                linked = False
            # Narration after the last quote of the previous speech paragraph is as much a break as a
            # paragraph of its own: a long one ends the exchange ('"No," said Tobias.' and then half a
            # page of the walk home in the same paragraph).
            tail = 0
            for seg in reversed(paras[last].segs):
                if seg.kind != "narration":
                    break
                tail += seg.end - seg.start
            linked = linked and tail <= _CHAIN_GAP_CHARS
        if not linked:
            chain, turn = chain + 1, 0
        elif not para.cont:
            turn += 1
        para.chain, para.turn = chain, turn
        last = i
        phrase = para.tags[0][0].phrase if para.tags and not para.named else ""
        if phrase:
            para.epi_prev = epithet_seen.get(phrase)
            epithet_seen[phrase] = i


def _beat_between(para: _Para, res: _Resolver) -> list[tuple[SpeechTag, int]]:
    """A pronoun tag from an untagged paragraph's action beat between two of its quotes.

    '"Everyone breaks things." He handed her the can. "The question is whether..."': one paragraph is one
    speaker's turn, and the sentence parting its quotes is what that speaker does while talking, so its
    pronoun subject ("He") is the speaker as surely as "he said" would be. Only a beat with speech on both
    sides: after the last quote the sentence is as often the listener's answer in a gesture.
    """
    segs = para.segs
    for k in range(1, len(segs) - 1):
        if segs[k].kind == "narration" and segs[k - 1].kind == "dialogue" and segs[k + 1].kind == "dialogue":
            first = next((x for x in CLAUSE_BREAK.split(segs[k].text.strip()) if x), "")
            subs = subjects_of(first, res)[:1] if first else []
            if subs and subs[0][1] == "pronoun":
                qi = sum(1 for s in segs[:k] if s.kind == "dialogue") - 1
                return [(SpeechTag(None, "pronoun", subs[0][2], "inside"), qi)]
            return []
    return []


def _new_scene(between: list[_Para], res: _Resolver) -> bool:
    """True when the narration between two speeches brings people on: it names two or more characters.

    "Nell had not gone a hundred yards before Tobias caught her up." A reader takes the next lines as
    a new exchange between those two, not as more turns of the talk before; chaining across it let the
    earlier speakers' turn order (and their being named in that conversation) outvote the "she asked
    him" that follows, for the whole exchange. One name ("Nell paused.") keeps the exchange going.
    Sentence subjects count the first-person narrator ("I turned to Nell").
    """
    named = {m[1] for p in between for m in p.mentions}
    subjects = {n for p in between for s in p.segs if s.kind == "narration"
                for n, kind, _ in subjects_of(s.text, res) if n and kind == "name"}
    return len(named) >= 2 or len(subjects) >= 2


def _in_tag(para: _Para, pos: int, starts: list[int]) -> bool:
    """True when offset `pos` lies in narration within a few words of a quotation (a speech tag).

    `starts` is the segments' start offsets, in order: the one segment that can hold `pos` is found by
    bisection rather than by walking the paragraph for every mention.
    """
    k = bisect.bisect_right(starts, pos) - 1
    if k < 0:
        return False
    seg = para.segs[k]
    if seg.kind != "narration" or not seg.start <= pos < seg.end:
        return False
    after_quote = k > 0 and para.segs[k - 1].kind == "dialogue" and pos - seg.start < 40
    before_quote = k + 1 < len(para.segs) and para.segs[k + 1].kind == "dialogue" and seg.end - pos < 60
    return after_quote or before_quote


def _scan_mentions(para: _Para, res: _Resolver) -> None:
    if res.name_re is None and res.epithet_re is None:
        return
    for seg in para.segs:
        if seg.kind == "narration":
            # (A cast known only by epithets, "the dragon", has mentions too.)
            for m in res.name_re.finditer(seg.text) if res.name_re is not None else ():
                if m.group(0) in res.role_words and _word_before(_THE_BEFORE, seg.text, m.start()):
                    continue  # "the Doctor": the epithet scan below counts it
                if not _denied(seg.text, m.start()):
                    para.mentions.append((seg.start + m.start(), res.forms[single_spaced(m.group(0))]))
                else:
                    para.denied.append((seg.start + m.start(), res.forms[single_spaced(m.group(0))]))
            if res.epithet_re is not None:
                for m in res.epithet_re.finditer(seg.text):
                    # (An epithet several characters share names none of them in particular.)
                    if not _denied(seg.text, m.start()) and _norm(m.group(0)) not in res.shared:
                        para.mentions.append((seg.start + m.start(), res.epithets[_norm(m.group(0))]))
        elif res.name_re is not None:
            reported = _REPORTED_SPEECH.search(seg.text) is not None
            for m in res.name_re.finditer(seg.text):
                name = res.forms[single_spaced(m.group(0))]
                before = seg.text[: m.start()].rstrip()
                after = seg.text[m.end() : m.end() + 2]
                # A vocative is set off by punctuation: "Spike, wake up" / "Thank you, Emma."
                vocative = after[:1] in (",", "!", "?", ".", ";") and (
                    not before or before[-1] in ',"\u201c\'!?.\u2018-' or _endearment_before(before)) \
                    and not _SUBJECT_ASIDE.match(seg.text, m.end())
                if not (vocative and reported):
                    # People rarely name themselves; but in a story they tell, someone else's words may call
                    # them by name ("'Ah! Fenn,' said he, 'you want a horse.'"): that name is no evidence
                    # against the teller.
                    para.in_quote.add(name)
                if vocative:
                    para.vocatives.append(name)
                    if not reported and not _SELF_NAMED.search(before):
                        para.sure_vocatives.add(name)
                    if not before.strip(_OPENERS) or not seg.text[m.end() + 1 :].strip(_CLOSERS):
                        para.called.add(name)
    told = [s.text for s in para.segs if s.kind == "narration"] if res.narrator is not None else []
    if any(_AT_ME.search(t) for t in told) and not any(re.search(r"\bI\b", t) for t in told) \
            and res.narrator not in para.vocatives:
        # "Apple Bloom grinned at me. \"You're scared.\"": in a first-person story the one acting "at me" or
        # "to me" beside the speech is talking to the narrator, as surely as if the speech called "I" by name.
        # (Not when the narrator acts in the paragraph too: 'He looked at me. I shook my head. "No."')
        para.vocatives.append(res.narrator)  # type: ignore[arg-type]
    # Only role words: a named listener is the "addressed" feature already, and spreading its credit
    # to everyone of the same gender made a bystander the likeliest answer to "Spike, get down here!".
    for seg in para.quotes:
        for m in ADDRESS_RE.finditer(seg.text):  # "Yes, sir." / "Oh, mother, do": lexicon's words of address
            word = m.group(1).lower()
            para.addr_gender.add(address_gender(word))
            if word in _MOTHER_WORDS:
                para.addr_parent.add("mother")
            elif word in _FATHER_WORDS:
                para.addr_parent.add("father")
    para.mentions.sort()


# What the speaker does to the first-person narrator: "grinned at me", "turned to me", "told me", "nudged me"
# (and "nudges me" in a present-tense story: the verbs in both tenses, sorted so the pattern is the same every run).
_ACTS_ON_ME = both_tenses(frozenset(["told", "asked", "warned", "nudged", "poked", "elbowed", "reminded", "assured"]))
_AT_ME = re.compile(r"\b(?:(?:at|to|toward|towards)\s+me\b(?!\s+(?:that|as|like))|(?:"
                    + "|".join(sorted(_ACTS_ON_ME)) + r")\s+me\b)")


# "There had been no Mr. Pell", "no James to drive them": the narration says that person is absent, so the
# name is no mention of someone there (it was the nearest "he" for the ferryman talking to himself).
_DENIED = re.compile(r"\b[Nn]o\s+$")


def _denied(text: str, at: int) -> bool:
    """Whether the name at `at` follows a "no" ("no Mr. Pell"); only the few characters before it are read."""
    return _word_before(_DENIED, text, at)


# "the Doctor" before a capitalised role word: "the", however many spaces or line breaks part it from the role.
_THE_BEFORE = re.compile(r"\b[Tt]he\s+$")


def _word_before(pattern: re.Pattern[str], text: str, at: int) -> bool:
    """Whether `pattern` (a word and the space after it, anchored with $) ends just before offset `at`.

    Searched in place with pos/endpos rather than in a slice of the text: a slice's first character has
    nothing before it, so a word boundary matched inside a word there ("lathe Doctor" read as "the Doctor"),
    and a slice of four characters missed "the" before a double space, or a line break and an indent. (With
    pos, the boundary still sees the character before the window; sixteen characters leave room for any
    run of spaces a text has between two words.)"""
    return pattern.search(text, max(0, at - 16), at) is not None


# A quotation that reports someone else's words ("'Kit,' she says, 'the key is gone.'"): its names
# may address the speaker.
_REPORTED_SPEECH = re.compile(
    r"['\u2019\u201d]\s+(?:he|she|I|they|we|[A-Z][a-z]+)\s+(?:says|said|asks|asked|cries|cried|answers|answered|"
    r"replies|replied|goes|went\s+on)\b|['\u2019\u201d,!?],?\s+(?:says|said)\s+(?:he|she|I)\b")
# "I, Hercule Poirot, affirm", "_Me_, Hercule Poirot!": the name stands beside the speaker's own pronoun.
# ("Tell me, Jane" still addresses Jane: only a capital "Me" that opens the phrase names oneself.)
_SELF_NAMED = re.compile(r"(?<![A-Za-z])(?:I|Me|[Mm]yself)_?,$")
# "Mr. Finch, I gather, is not a man of letters": a name, a first-person aside, then a verb
# with no subject of its own - the name is the sentence's subject, talked about, not talked to.
# ("Emma, I think, you are wrong" and "Emma, I know, come here" still address Emma: a pronoun or an
# imperative follows the aside.)
_SUBJECT_ASIDE = re.compile(
    r",\s+(?:I|we)\s+(?:[a-z]+ly\s+)?(?:suppose|think|believe|dare\s+say|daresay|fancy|imagine|know|fear|hope|"
    r"understand|hear|find|see|presume|should\s+think|am\s+sure|am\s+afraid|must\s+say|trust|take\s+it),\s+"
    r"(?!(?:you|ye|thou|I|we|he|she|they|it|there|if|when|and|but|or|please|pray|do|don't|come|go|let|look|tell|"
    r"listen|wait|stop|take|give|be|never)\b)[a-z]")
# "My dear Mr. Bennet," / "Oh, dear Emma!": an endearment or an "oh" at the head of the speech
# leads into the name it addresses.
_ENDEARMENT = re.compile(r'(?:^|[,"\u201c\'!?.\u2018-])\s*(?:(?:oh|o|ah),?\s+)?(?:my\s+)?(?:dear|dearest|good|poor)$',
                         re.IGNORECASE)


def _endearment_before(before: str) -> bool:
    """True when the speech before a name ends in an endearment that opens it ("My dear" Mr. Bennet).

    Only the last few words are read (a long speech names many people); a cut-off start is no speech start.
    """
    tail = before[-40:] if len(before) <= 40 else "x" + before[-40:]
    return bool(_ENDEARMENT.search(tail))


_OPENERS = " \n\"'\u201c\u2018"
_CLOSERS = " \n\"'\u201d\u2019!?.,;-"

# A parent called as such ("Oh, mother, do let me go!", "Papa, look!"): whoever speaks, it is not
# the parent. (Aunts and uncles were tried too: an aunt is as often a "Miss", and dev lost a line.)
_MOTHER_WORDS = frozenset(["mamma", "mama", "mother", "mum", "mummy"])
_FATHER_WORDS = frozenset(["papa", "father", "dad", "daddy"])

def _find_tags(para: _Para, res: _Resolver) -> list[tuple[SpeechTag, int]]:
    """Speech tags in a paragraph, each with the position (quote index) it attaches to."""
    tags: list[tuple[SpeechTag, int]] = []
    segs = para.segs
    qpos = [i for i, s in enumerate(segs) if s.kind == "dialogue"]
    tagged_after: set[int] = set()
    for qi, si in enumerate(qpos):
        if qi == 0 and si == 1 and segs[0].kind == "narration" and (label := chat_label(segs[0].text, segs[1].text)):
            # "Rainbow: so??": a chat or script line names its writer as plainly as "said Rainbow".
            name, kind, gender = res.lookup(label)
            if name is not None and kind == "name":
                tags.append((SpeechTag(name, kind, gender, "before"), qi))
                continue
        # Narration right after this quote.
        if si + 1 < len(segs) and segs[si + 1].kind == "narration":
            txt = segs[si + 1].text
            where = "inside" if si + 2 < len(segs) else "after"
            found = tag_after_quote(txt, segs[si].text, res)
            if found is None and res.voice is not None and _VOICE_TAG.match(txt):
                # "a voice rang out": an unseen speaker of its own, whatever the verb.
                found = (res.voice, "name", "unknown", _VOICE_TAG.match(txt).end())
            if (found is not None and found[1] != "name" and si > 0 and segs[si - 1].kind == "narration"
                    and (si - 1) not in tagged_after and ends_sentence(segs[si].text) and txt.lstrip()[:1].isupper()):
                # '... and the Duchess said sharply "Who sent you?" She put it to the page': a new
                # sentence with a pronoun after the quote is narration; the lead-in names the speaker.
                before = tag_before_quote(segs[si - 1].text, res, lead=False)
                if before is not None and before[1] == "name":
                    tags.append((SpeechTag(before[0], before[1], before[2], "before"), qi))
                    continue
            if found is not None:
                tags.append((with_age(with_relation(SpeechTag(found[0], found[1], found[2], where), txt, res), txt), qi))
                tagged_after.add(si + 1)
                # '"A," said Cecil, while Miss Bartlett, ..., added: "B"': the narration also
                # introduces the next quote, for someone else.
                if where == "inside":
                    nxt = tag_before_quote(txt[found[3]:], res, lead=True, strict=True)
                    if nxt is not None and nxt[1] == "name" and nxt[0] != found[0]:
                        tags.append((SpeechTag(nxt[0], nxt[1], nxt[2], "before"), qi + 1))
                    elif (nxt is not None and nxt[1] == "pronoun" and found[2] in ("male", "female")
                          and nxt[2] != found[2] and SENTENCE_END.search(txt, found[3])):
                        # '"A," said Kate. After a pause, during which he watched her, he added: "B"': the
                        # "he" of a new sentence cannot be the woman the tag named; the next quote is his
                        # (but in '"A," he added, as she laughed, "B"' the "she" is an aside of his tag).
                        tags.append((SpeechTag(None, "pronoun", nxt[2], "before"), qi + 1))
                continue
        # Narration right before a quote that introduces it ("Emma turned to him and said:"),
        # or, for a paragraph that opens with speech, the narration paragraph before it.
        if si > 0 and segs[si - 1].kind == "narration" and (si - 1) not in tagged_after:
            found = tag_before_quote(segs[si - 1].text, res, lead=False)
        elif si == 0 and para.lead:
            found = tag_before_quote(para.lead, res, lead=True)
        else:
            found = None
        if found is not None:
            src = segs[si - 1].text if si > 0 and segs[si - 1].kind == "narration" else para.lead
            tags.append((with_age(with_relation(SpeechTag(found[0], found[1], found[2], "before"), src, res), src), qi))
    if not tags and qpos and qpos[0] > 0 and segs[qpos[0] - 1].kind == "narration":
        # An action beat before the speech ("She sighed. \"...\""): its pronoun subject is the speaker.
        lead = segs[qpos[0] - 1].text
        # "She held out the tray, and he took a cup.": the clause nearest the speech has the last word.
        last = list(_AND_PRONOUN.finditer(SENTENCE_END.split(lead.rstrip())[-1]))
        subs = subjects_of(lead, res)
        if last:
            tags.append((SpeechTag(None, "pronoun", "male" if last[-1].group(1) == "he" else "female", "beat"), 0))
        elif subs and subs[-1][1] == "pronoun":
            tags.append((SpeechTag(None, "pronoun", subs[-1][2], "beat"), 0))
    return tags


# A clause joined on with its own pronoun subject: ", and he selected one".
_AND_PRONOUN = re.compile(r",\s+(?:and|but|then|and\s+then)\s+(he|she)\s+[a-z]{2,}")


# Conversations are decoded jointly: a beam of speaker sequences, each scored by the sum of its
# lines' log-probabilities, so a clue late in an exchange can correct an early guess instead of
# every later turn inheriting it (turn-taking features read the hypothesis' own earlier turns).
_BEAM = 12
_BRANCH = 4


@dataclass
class _Hyp:
    score: float
    spk: dict[int, tuple]  # paragraph -> (speaker, confidence[, runner-up]) decided in this beam


def _decode(paras: list[_Para], res: _Resolver, weights: dict[str, float], speakers: dict[int, str],
            trace: list | None, beam_width: int, oracle, evidence: dict[int, tuple[str, float]],
            picks: dict[int, str | None] | None = None, chain_scores: dict[int, float] | None = None) -> None:
    """Decide the speaker of every speech paragraph (para.speaker, confidence, alt, evidence).

    `picks` (measuring only, with `oracle` and beam width 1) collects per paragraph the speaker the
    decoder itself would choose when every earlier paragraph has its true speaker: the history then
    holds the truth wherever the oracle knows it, settled lines included, so that what is left wrong
    is the scorer's own error and not a knock-on of an earlier wrong guess (benchmarks/knockon.py).
    `chain_scores` (measuring only) collects each conversation's sequence score, that of the hypothesis kept.
    """
    history: list[int] = []
    beam = [_Hyp(0.0, {})]
    chain = None

    def commit(hyp: _Hyp) -> None:
        if chain_scores is not None and chain is not None:
            chain_scores[chain] = hyp.score
        for j, got in hyp.spk.items():
            paras[j].speaker, paras[j].confidence = got[0], got[1]
            paras[j].alt = got[2] if len(got) > 2 else None

    for i, para in enumerate(paras):
        if not para.quotes:
            continue
        if para.chain != chain:
            commit(beam[0])
            beam, chain = [_Hyp(0.0, {})], para.chain
        _evidence(para, paras[i - 1] if i > 0 else None, speakers)
        if para.named:
            _other_gender_quotes(i, paras, res, speakers, evidence,
                                 para.named, res.gender.get(para.named, "unknown"))
        # The same for every hypothesis: a speaker the paragraph's own text settles (a name tag, a
        # self-introduction, "said a voice", an untagged paragraph's acting character).
        settled = _settled_speaker(para, res)
        if settled is not None and settled[0] == res.stand_in_voice:
            settled = _voice_called(i, paras, res) or settled
        # "the alicorn said" when the story has tied "the alicorn" to one named character: a reader hears
        # that character as surely as if the tag had named her. Only for a word that says what kind of
        # creature they are, not a person-noun ("the lady", "the old man" fit many people of a book).
        tag0 = para.tags[0][0] if para.tags and not para.named else None
        kind_tag = (tag0.name if tag0 is not None and tag0.kind == "epithet" and tag0.name is not None
                    and tag0.name not in para.vocatives and tag0.name != res.voice and _kind_epithet(tag0.name, res)
                    else None)
        # "Does the plan suit you, Ann?" and the untagged line right after it: the one asked answers.
        answer = (_asked_name(paras[i - 1], res) if i > 0 and not para.tags and not para.cont and paras[i - 1].quotes
                  and paras[i - 1].chain == para.chain else None)
        if answer in para.sure_vocatives:
            answer = None
        # "Tom turned to him. 'Yes,' he said.": the paragraph's own lead-in settles a pronoun tag.
        lead = (_context(i, paras, res).lead_centre if para.tags and para.tags[0][0].kind == "pronoun" and not para.named
                and not para.cont else None)
        if lead in para.sure_vocatives:
            lead = None
        # "Mother, may I go?" and the untagged line after it: the parent asked answers.
        asked_parent = (paras[i - 1].addr_parent if answer is None and i > 0 and not para.tags and not para.cont
                        and paras[i - 1].quotes and paras[i - 1].chain == para.chain and not para.addr_parent
                        and paras[i - 1].quotes[-1].text.rstrip(_CLOSERS.replace("?", "")).endswith("?") else set())
        # "Please, sir, my sister is only little." and the untagged reply after it: the previous turn called its
        # listener by a word of one sex ("sir", "ma'am", "miss"), and the one person of the pool of that sex (not
        # that turn's own speaker) answers, as the one asked by name does. The scorer's addr_prev_match only
        # weighs the sex, and alternation between two others of the other sex can outvote it.
        prev_q = paras[i - 1] if i > 0 and paras[i - 1].quotes else None
        called_sex = (next(iter(prev_q.addr_gender)) if answer is None and not asked_parent and prev_q is not None
                      and not para.tags and not para.cont and prev_q.chain == para.chain and len(prev_q.addr_gender) == 1
                      and not para.addr_gender & prev_q.addr_gender else None)
        # The true speaker, when training or measuring with an oracle (never in a normal run).
        truth = oracle(para.quotes[0]) if oracle is not None else None

        def no_speaker(hyp: _Hyp, i: int = i, truth: str | None = truth) -> tuple:
            """The extension that leaves the line unknown (nobody in the pool can say it); measuring
            with `picks`, the truth goes into the history instead."""
            if picks is not None:
                picks[i] = None
                if truth is not None:
                    return (hyp.score, hyp, None, (truth, 0.97), 0.0, None)
            return (hyp.score, hyp, None, (None, 0.0), 0.0, None)

        # (score, parent, speaker, its (speaker, confidence) or None, log-probability, runner-up) per
        # extension: only the beam_width best become hypotheses (a copy of the parent's speakers and a
        # calibrated confidence each), not every one of the up to _BEAM x _BRANCH extensions.
        grown: list[tuple[float, _Hyp, str | None, tuple[str | None, float] | None, float, str | None]] = []
        for hyp in beam:
            def spk(j: int, hyp: _Hyp = hyp) -> str | None:
                got = hyp.spk.get(j)
                return got[0] if got is not None else paras[j].speaker

            def conf(j: int, hyp: _Hyp = hyp) -> float:
                got = hyp.spk.get(j)
                return got[1] if got is not None else paras[j].confidence

            fixed = _fixed_speaker(i, paras, spk, hyp, settled)
            if fixed is not None and picks is not None:
                picks[i] = fixed[0]
                fixed = (truth, 0.97) if truth is not None else fixed
            if fixed is not None:
                grown.append((hyp.score + _anchor_cost(i, paras, history, spk, weights), hyp, None, fixed, 0.0, None))
                continue
            cands, scores, feats = _candidates(i, paras, history, res, spk, weights, trace is not None,
                                               None if trace is not None or picks is not None else conf)
            if trace is not None and cands:
                trace.append((para.quotes, cands, feats))
            if not cands:
                grown.append(no_speaker(hyp))
                continue
            mx = max(scores)
            z = sum(math.exp(x - mx) for x in scores)
            ranked = sorted(range(len(cands)), key=lambda k: -scores[k])
            if para.sure_vocatives and not any(t.kind == "name" for t, _ in para.tags):
                # "Come here, Nell." is never Nell's: one does not call oneself by name. The scorer's
                # named_in_quote only weighs against it, and strong turn-taking can outvote it. Nell stays
                # in the softmax: a hypothesis whose turns made her the likely speaker pays for that.
                kept = [k for k in ranked if cands[k] not in para.sure_vocatives]
                if not kept and not para.tags:
                    # Everyone in the pool is called by name here ("Um, Discord?" in a scene whose only known
                    # person is Discord): the caller is someone the story has not named.
                    grown.append(no_speaker(hyp))
                    continue
                ranked = kept or ranked
            if para.addr_parent and not any(t.kind == "name" for t, _ in para.tags):
                # "Do sit down, mother!" is the child's line: one whose sex and title fit the parent called (a "Mrs."
                # or "Lady" for "mother", a "Mr." or "Sir" for "papa") is the one called, not the caller, when
                # anyone else can be. The scorer's addr_own_match only knows the sex, and weighs a daughter
                # the same as her mother.
                kept = [k for k in ranked if not _parent_called(cands[k], para.addr_parent, res)]
                ranked = kept or ranked
            order = ranked[: (_BRANCH if beam_width > 1 else 1)]
            # A candidate the text makes sure of (only it goes on, with the scorer's own probability: how sure
            # the scorer is of the line still weighs the beam's choices for the lines before it): the one a
            # closing question asked by name, the person of the paragraph's own lead-in, the one parent that
            # fits being asked by what they are to the asker, or a kind-epithet's character.
            if answer is not None and answer in cands:
                sure = answer
            elif lead is not None and lead in cands:
                sure = lead
            elif asked_parent and len(fits := [c for c in cands if _parent_called(c, asked_parent, res)]) == 1:
                sure = fits[0]
            elif kind_tag is not None and kind_tag in cands:
                sure = kind_tag
            elif called_sex is not None and len(fits := [c for c in cands if c != spk(i - 1)
                                                         and res.gender.get(c, "unknown") in (called_sex, "unknown")]) == 1 \
                    and res.gender.get(fits[0]) == called_sex:
                # (Someone of unknown sex in the pool could be the one called: then no one is sure.)
                sure = fits[0]
            else:
                sure = None
            if picks is not None:
                picks[i] = sure if sure is not None else cands[ranked[0]]
                if truth is not None:
                    # The truth goes into the history even when the pool lacks it.
                    grown.append((hyp.score, hyp, None, (truth, 0.97), 0.0, None))
                    continue
            if truth is not None and truth in cands:
                order = [cands.index(truth)]
            elif sure is not None:
                order = [cands.index(sure)]
            log_z = math.log(z)
            for k in order:
                logp = scores[k] - mx - log_z
                # The runner-up rides along, so a doubtful line can say whom else it may be.
                alt = cands[ranked[0]] if k != ranked[0] else cands[ranked[1]] if len(ranked) > 1 else None
                grown.append((hyp.score + logp, hyp, cands[k], None, logp, alt))
        grown.sort(key=lambda g: -g[0])
        beam = [_Hyp(score, {**parent.spk, i: got if got is not None else (who, _calibrated(logp), alt)})
                for score, parent, who, got, logp, alt in grown[:beam_width]]
        history.append(i)
    commit(beam[0])
    for i, para in enumerate(paras):
        if para.quotes and para.speaker is None:
            para.evidence = "unknown"
        elif para.quotes and not para.named and not para.cont and para.tags and para.tags[0][0].kind == "pronoun":
            # '"A," he said. "B," she answered.': the same for a paragraph whose first tag is a pronoun.
            _other_gender_quotes(i, paras, res, speakers, evidence,
                                 para.speaker, para.tags[0][0].gender)


def _anchor_cost(i: int, paras: list[_Para], history: list[int], spk, weights: dict[str, float]) -> float:
    """What a hypothesis pays at a name-tagged turn for having given the untagged turn right before it
    to the same person.

    A named line is settled whatever the hypothesis says, so without this it costs nothing, and a
    hypothesis that ran an exchange out of phase puts its one break in turn-taking ("A, A") just before
    the name, where it is free, rather than where the exchange really broke. The named speaker pays
    what an untagged line pays for speaking twice in a row, so both places for the break cost the same
    and the evidence on the untagged lines decides.
    """
    para = paras[i]
    if (not para.named or para.cont or not history or history[-1] != i - 1
            or paras[i - 1].chain != para.chain or spk(i - 1) != para.named):
        return 0.0
    return weights.get("repeat_bare", 0.0) + weights.get("repeat_bare_notag", 0.0)


def _calibrated(logp: float) -> float:
    """The scorer's probability as a confidence a listener can read as a hit rate.

    The softmax is conditional on the earlier turns being right, so it is overconfident: on the
    development novels lines scored 0.9-1.0 were right 88% of the time, 0.5-0.6 51%, 0.3-0.4 41%.
    0.1 + 0.8 p follows that, and keeps every guess below a named tag's 0.97.
    """
    return round(0.1 + 0.8 * math.exp(logp), 3)


def _evidence(para: _Para, prev: _Para | None, speakers: dict[int, str]) -> None:
    """The kind of evidence a paragraph offers, before any speaker is chosen."""
    tags = para.tags
    if para.cont and prev is not None:
        para.evidence = prev.evidence
        return
    if para.named:
        para.evidence = "explicit"
        # A second named tag for a later quote in the same paragraph names a second speaker, for that
        # quote and the ones after it, until a later tag of the kind takes over. Walked backwards so
        # each quote is written once (a forward walk rewrote the whole rest of a huge paragraph per tag).
        low = len(para.quotes)
        for t, qi in reversed(tags):
            if t.kind == "name" and t.name and t.name != para.named and qi < low:
                for q in para.quotes[qi:low]:
                    speakers[q.index + q.chapter * 1_000_000] = t.name
                low = qi
        return
    para.evidence = "anaphoric" if tags else "implicit"


def _other_gender_quotes(i: int, paras: list[_Para], res: _Resolver, speakers: dict[int, str],
                         evidence: dict[int, tuple[str, float]], main: str | None, g_main: str) -> None:
    """Quotes whose own tag is a pronoun of the other gender than the paragraph's speaker: a second speaker.

    '"Well, Ann, what do you make of him?" Tom said. "I think him pleasant," she replied.' -- "she"
    cannot be Tom. Her words go to the woman the paragraph addresses by name, else the woman named
    last in the narration, else the nearest woman named as a speaker in this conversation.
    """
    para = paras[i]
    if g_main not in ("male", "female") or main is None:
        return
    if not any(t.kind == "pronoun" and t.gender in ("male", "female") and t.gender != g_main for t, _ in para.tags):
        return
    named_quotes = {q for t, q in para.tags if t.kind == "name"}  # once: a long paragraph has thousands of tags
    # For each tag, the first later-tagged quote after its own: where its run of quotes ends. _find_tags
    # gives the tags in quote order, so one backward walk finds it (the next greater quote index seen).
    ends = [len(para.quotes)] * len(para.tags)
    end, seen = len(para.quotes), None
    for k in range(len(para.tags) - 1, -1, -1):
        qi = para.tags[k][1]
        if seen is not None and qi < seen:
            end = seen
        ends[k], seen = end, qi
    for k, (tag, qi) in enumerate(para.tags):
        if tag.kind != "pronoun" or tag.gender not in ("male", "female") or tag.gender == g_main:
            continue
        if qi in named_quotes:
            continue  # a name tag for the same quote decides it
        who = _of_gender(tag.gender, i, paras, res, exclude=main)
        if who is None:
            continue
        # Its quote and those after it, up to the next quote with a tag of its own.
        end = ends[k]
        for q in para.quotes[qi:end]:
            speakers[q.index + q.chapter * 1_000_000] = who
            # A pronoun resolved from the text around it, not a name: as sure as an acting character.
            evidence[q.index + q.chapter * 1_000_000] = ("anaphoric", 0.7)


def _of_gender(gender: str, i: int, paras: list[_Para], res: _Resolver, exclude: str | None) -> str | None:
    """The person of `gender` a pronoun in paragraph i most likely means, from the text alone."""
    para = paras[i]

    def fits(n: str | None) -> bool:
        return bool(n) and n != exclude and res.gender.get(n) == gender

    for n in para.vocatives:
        if fits(n):
            return n
    for j in range(i, max(-1, i - _MENTION_REACH), -1):
        for _, n in reversed(paras[j].mentions):
            if fits(n):
                return n
    for j in range(i - 1, max(-1, i - _SPEAKER_REACH), -1):
        q = paras[j]
        if q.quotes and q.chain != para.chain:
            break
        if fits(q.named):
            return q.named
    return None


def _fixed_speaker(i: int, paras: list[_Para], spk, hyp: _Hyp,
                   settled: tuple[str, float] | None) -> tuple[str | None, float] | None:
    """(speaker, confidence) when the paragraph's speaker needs no scoring under hypothesis `hyp`."""
    if paras[i].cont and i > 0 and spk(i - 1):
        # A speech left open at the end of the last paragraph goes on in this one.
        got = hyp.spk.get(i - 1)
        return got if got is not None else (paras[i - 1].speaker, paras[i - 1].confidence)
    return settled


def _settled_speaker(para: _Para, res: _Resolver) -> tuple[str, float] | None:
    """(speaker, confidence) the paragraph's own text settles whatever was said before it, or None."""
    if para.named:
        return para.named, 0.97
    intro = _introduces_self(para, res)
    if intro is not None:
        return intro, 0.9
    tag = para.tags[0][0] if para.tags else None
    if tag is not None and tag.kind == "epithet" and tag.name is not None and tag.name == res.voice:
        # "said a voice from inside": the unseen speaker is a speaker of its own.
        return tag.name, 0.9
    if tag is None:
        actor = _actor(para, res)
        if actor is not None:
            return actor, 0.8
    return None


def _voice_called(i: int, paras: list[_Para], res: _Resolver) -> tuple[str, float] | None:
    """Whose the unseen voice of paragraph `i` is, when the talk around it calls them by name.

    '"Ann! Open the gate!" / "Coming," said a voice': the one called out to answers (a call: the name
    with "!" or "?"; "This way, Mrs. Honeychurch" only speaks to her). '"Sleep well, Mrs. Hale,"
    called a voice. / "And you, Miss Grey."': the reply names the one who called. Only one
    name called, and not one the voice's own line calls (that is whom the voice speaks to).
    """
    own = set(paras[i].vocatives)

    def near(step: int) -> str | None:
        for j in range(i + step, i + 3 * step, step):
            if not 0 <= j < len(paras):
                return None
            if paras[j].quotes:
                names = set(paras[j].vocatives) - own - {paras[j].named}
                if len(names) != 1 or paras[j].chain != paras[i].chain:
                    return None
                who = next(iter(names))
                if step < 0 and not any(
                        res.forms.get(single_spaced(m.group(0))) == who and q.text[m.end():m.end() + 1] in ("!", "?")
                        for q in paras[j].quotes for m in (res.name_re.finditer(q.text) if res.name_re else ())):
                    return None
                return who
        return None

    who = near(-1) or near(1)
    return (who, 0.8) if who is not None else None


def _kind_epithet(name: str, res: _Resolver) -> bool:
    """Whether every epithet tied to the named character `name` is a kind of creature, not a person-noun."""
    if name[:1].islower() or name.lower().startswith(("the ", "a ")):
        return False  # a character known only by a role ("the inspector") may be several people
    heads = [f.split()[-1] for f, n in res.epithets.items() if n == name]
    return bool(heads) and not any(h in MALE_NOUNS or h in FEMALE_NOUNS or h in _PERSON_HEADS
                                   or h.endswith(("man", "woman")) for h in heads)  # "the Frenchwoman"


# People-nouns and roles the gendered noun lists (MALE_NOUNS, FEMALE_NOUNS) leave out: an epithet ending
# in one of these or in those is no fixed name.
_PERSON_HEADS = frozenset(["person", "people", "stranger", "visitor", "guest", "other", "one", "voice", "child",
                           "doctor", "inspector", "detective", "officer", "major", "servant", "old", "young"])


def _parent_called(name: str, called: set[str], res: _Resolver) -> bool:
    """Whether `name` may be the parent a speech calls "mother" or "father" (in `called`): of that sex, and
    going by a title that fits ("Mrs." or "Lady" for a mother, "Mr." or "Sir" for a father)."""
    return any(res.gender.get(name) == ("female" if rel == "mother" else "male") and title_fits(rel, name, res)
               for rel in called)


def _asked_name(para: _Para, res: _Resolver) -> str | None:
    """The one person a paragraph's closing question asks by name ("How are you, Jake?"), or None.

    The name must be set off by a comma ("Kit, shall we sit down?", "Does it suit you, Ann?"): a
    bare "Henry?" or "Ann! That's not your sister?" echoes a name someone said, and asks about them.
    """
    if not para.quotes or not para.sure_vocatives or res.name_re is None:
        return None
    text = para.quotes[-1].text.rstrip(_CLOSERS.replace("?", "").replace("!", ""))
    if not text.endswith("?"):
        return None
    asked = set()
    for m in res.name_re.finditer(text):
        name = res.forms[single_spaced(m.group(0))]
        if name not in para.sure_vocatives:
            continue
        before, after = text[: m.start()].rstrip(), text[m.end():]
        # Set off by a comma on either side. (The text ends in "?", so a name with a comma after it always
        # has the question after it too: where in the quote it stands needs no test.)
        if before.endswith(",") or after.startswith(","):
            asked.add(name)
    return next(iter(asked)) if len(asked) == 1 else None


def _introduces_self(para: _Para, res: _Resolver) -> str | None:
    """The character who gives their own name in this paragraph's speech ("I am Nocturne", "Name's Gilda").

    Nobody but the bearer says "my name is X" (a quoted "I'm X's friend" is a possessive and does not count):
    the reader takes the name as the speaker even with a pronoun tag or none. A name the paragraph also
    addresses as a listener, or two different self-introductions, is left to the scorer.
    """
    got = set()
    for q in para.quotes:
        for m in self_introductions(q.text):
            name = res.forms.get(single_spaced(m.group("name")))
            if name is not None:
                got.add(name)
    if not got and para.asked and para.quotes and (m := name_answer(para.quotes[0].text)) is not None:
        # '"Who are you?" / "Ines Calder. I'm the new relief keeper."': an answer that opens with a name
        # gives the speaker's own (any other reply to that question names nobody first), though it is set
        # off like a vocative.
        name = res.forms.get(single_spaced(m.group("name")))
        if name is not None:
            return name
    if len(got) != 1:
        return None
    (name,) = got
    return None if name in para.vocatives else name


def _actor(para: _Para, res: _Resolver) -> str | None:
    """The one character whose action shares an untagged paragraph with its speech, if there is one.

    "\"Fine, fine.\" The dragon slid down the ladder." - a quotation in the same paragraph as a
    character's action is that character's, unless the speech addresses them by name.
    """
    names = set()
    for k, seg in enumerate(para.segs):
        if seg.kind != "narration":
            continue
        # Only the sentence touching a quotation counts: the one right before or right after it.
        sents = [x for x in CLAUSE_BREAK.split(seg.text.strip()) if x]
        if not sents:
            continue
        # The action must follow the quotation: in PDNC a character acting *before* an untagged
        # quotation is as often the listener (counting it cost 0.2 points on the development novels).
        near = [sents[0]] if k > 0 and para.segs[k - 1].kind == "dialogue" else []
        for sent in near:
            for name, kind, _ in subjects_of(sent, res)[:1]:
                if name is not None and kind in ("name", "epithet"):
                    names.add(name)
    if len(names) != 1:
        return None
    (name,) = names
    return None if name in para.vocatives else name


@dataclass
class _Context:
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


def _context(i: int, paras: list[_Para], res: _Resolver) -> _Context:
    para = paras[i]
    if para.context is not None:
        return para.context
    # Mentions in narration of this and the previous few paragraphs, most recent first.
    quote_start = para.quotes[0].start
    recent: list[str] = []
    for _, name in reversed([m for m in para.mentions if m[0] < quote_start]):
        if name not in recent:
            recent.append(name)
    for j in range(i - 1, max(-1, i - _MENTION_REACH), -1):
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
    for j in range(i - _MENTION_REACH, max(-1, i - _FAR_REACH), -1):
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
    para.context = _Context(
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


def _absent(i: int, paras: list[_Para], quote_start: int) -> frozenset[str]:
    """The people the narration before paragraph i's speech last spoke of as not there.

    "He read it three times. There had been no Mr. Pell." and then '"Returning," he said aloud': a person
    the narration says never came is nobody in the room to speak, nor whom "he" goes on with, until the
    story names them again as there (a plain mention, or a line a tag gives them). Read back over
    _MENTION_REACH paragraphs, the latest word on each name deciding.
    """
    lo = max(-1, i - _MENTION_REACH)
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


def _lead_centre(para: _Para, res: _Resolver, tag: SpeechTag, ctx: _Context) -> str | None:
    """Whom a pronoun tag means when its own paragraph says so just before the speech: "Tom turned to him.
    'Yes,' he said." is Tom's, whoever had the turns before, and "Aunt Wren set down the kettle. 'Sit,' said
    she" Aunt Wren's. The person of the tag's sex the last sentence
    (or the one before it, when the last names nobody of that sex or begins with that sex's pronoun) is about,
    as the centre walk reads it (_centre); None when the paragraph opens with the speech or names nobody of
    that sex there. On the development novels this sentence named the speaker of 27 same-sex disagreements
    with the scorer against 9 the scorer won; further back it was no better than the scorer.
    """
    first = next(k for k, s in enumerate(para.segs) if s.kind == "dialogue")
    own = _sentence_units(para.segs[:first], para, res)
    if tag.where in ("before", "beat") and own:
        own = own[:-1]
    listeners = ctx.tag_to | set(para.vocatives)
    g = tag.gender
    for u in own[::-1][:_LEAD_UNITS]:
        for n in u:
            if n == "=" + g:
                break  # the pronoun carries the centre on, to the sentence before
            if res.gender.get(n) == g and n not in listeners and n != res.narrator:
                return n
    return None


def _names_back(para: _Para) -> list[str]:
    """The names a paragraph's narration mentions, the last first, each once: every later paragraph's
    context reads them (up to _FAR_REACH paragraphs on), where the mentions themselves repeat names."""
    if para.names_back is None:
        para.names_back = list(dict.fromkeys(name for _, name in reversed(para.mentions)))
    return para.names_back


_CENTRE_PARAS = 4  # paragraphs searched back for a pronoun's centre


def _centre_units(i: int, paras: list[_Para], res: _Resolver, tag: SpeechTag) -> list[tuple[str, ...] | int]:
    """The text before a pronoun tag as centering units, nearest first (see _Context.centre_units).

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


def _sentence_units(segs: list[Segment], para: _Para, res: _Resolver) -> list[tuple[str, ...]]:
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


def _units_of(seg: Segment, para: _Para) -> list[tuple[str, ...]]:
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


def _candidates(i: int, paras: list[_Para], history: list[int], res: _Resolver, spk, weights: dict[str, float],
                full: bool, conf=None) -> tuple[list[str], list[float], list[dict[str, float]]]:
    """The candidate pool of one hypothesis, each candidate's score and (when `full`) its features.

    `conf` gives the hypothesis' confidence in an earlier paragraph's speaker (None: every earlier
    speaker is certain, as in training on the true history).

    Features that depend only on the text are computed once per paragraph and candidate (every
    hypothesis of the beam shares them); only the turn-taking ones read the hypothesis' speakers.
    """
    para = paras[i]
    ctx = _context(i, paras, res)
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


def _turn_slots(i: int, paras: list[_Para], history: list[int], ctx: _Context) -> tuple:
    """What _candidates reads of the decoding history, which every hypothesis shares (only the speakers
    it gives those paragraphs differ): the last three speech paragraphs, nearest first; the ones within
    _SPEAKER_REACH, in order; the last four turns of this conversation, nearest first; the paragraphs
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
        [j for j in history[-40:] if i - j <= _SPEAKER_REACH],
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


def _centre(ctx: _Context, res: _Resolver, spk, listeners: set[str]) -> str | None:
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


def _about(ctx: _Context, res: _Resolver, g: str, rel: str | None = None) -> str | None:
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


def _static_features(n: str, para: _Para, ctx: _Context, res: _Resolver,
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


def _idiolect(n: str, para: _Para, ctx: _Context, res: _Resolver) -> tuple[float, float]:
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
_SPEAKER_REACH = 30
_MENTION_REACH = 10
_POOL_MENTIONS = 8
_POOL_SPEAKERS = 8
_POOL_MIN = 3  # fill a smaller pool from the narration of up to _FAR_REACH paragraphs back
_FAR_REACH = 60
_ANCHOR_REACH = 30  # speech paragraphs searched on each side for a named speaker
_SCENE_PARAS = 20  # paragraphs searched back for the people present in a conversation (_Context.scene)
_EPITHET_REACH = 400  # paragraphs: a book calls the same stranger "the old man" within a few chapters


def _anchors(i: int, paras: list[_Para]) -> tuple[tuple[int, str, str | None] | None, tuple[int, str, str | None] | None, list[str]]:
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

