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
whom a relational or age-telling tag ("said her mother", "the old man") can name, by `narrator/kinship.py`;
the scorer's features, the paragraph context they read and the candidate pool, by `narrator/speaker_features.py`.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from narrator.chat import chat_label
from narrator.dialogue import plain_marks
from narrator.kinship import (
    VAGUE_PEOPLE,
    title_fits,
    with_age,
    with_relation,
)
from narrator.lexicon import (
    ADDRESS_RE,
    CREATURES,
    FEMALE_NOUNS,
    MALE_NOUNS,
    OCCUPATIONS,
    address_gender,
    asks_name,
    both_tenses,
    name_answer,
    self_introductions,
)
from narrator.models import Character, Line, Segment
from narrator.speaker_features import (
    MENTION_REACH,
    SPEAKER_REACH,
    ParagraphContext,
    load_weights,
    paragraph_context,
    speaker_candidates,
)
from narrator.speech_tags import (
    CLAUSE_BREAK,
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
    context: ParagraphContext | None = None  # cached by paragraph_context()
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


# A beat that brings in an unseen voice by a verb of coming, not of speaking: "came a voice", "rose a thin voice",
# "A voice rose from the water." ("A grave voice replied," is a speech tag the tag grammar reads; "came an angry
# voice--the Rabbit's--" says whose it is.)
_VOICE_BEAT = re.compile(r"(?:\b(?:came|rose|sounded|floated|drifted|rang)\s+(?:(?:up|out|back|down)\s+)?"
                         r"(?:a|an|another)\s+(?:[a-z\-]+\s+){0,2}voice\b"
                         r"|^\s*(?:A|An|Another)\s+(?:[a-z\-]+\s+){0,2}voice\s+(?:[a-z]+ly\s+)?"
                         r"(?:came|rose|sounded|floated|drifted|rang|broke)\b)"
                         r"(?![\s,\-\u2014]*(?:the\s+)?[A-Z][\w\-]*['\u2019]s\b)")
_VOICE_TAG = re.compile(r"^[\s,;:\-\u2014]*(?:a|an|another|the)\s+(?:[a-z\-]+\s+){0,2}voice\b", re.IGNORECASE)


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s.strip().lower())


def _flex(form: str) -> str:
    """A regex for `form` that lets a line break stand wherever the form has a space."""
    return r"\s+".join(re.escape(w) for w in form.split())


def attribute(segments: Sequence[Segment], characters: Sequence[Character]) -> list[Line]:
    """One Line per segment: narration goes to the narrator; dialogue to a character or unknown."""
    return run(segments, characters, load_weights())


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
        para.tags = _find_tags(para, res) or _beat_between(para, res, paras[last] if last is not None else None)
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


def _beat_between(para: _Para, res: _Resolver, prev: _Para | None = None) -> list[tuple[SpeechTag, int]]:
    """A pronoun tag from an untagged paragraph's action beat between two of its quotes.

    '"Everyone breaks things." He handed her the can. "The question is whether..."': one paragraph is one
    speaker's turn, and the sentence parting its quotes is what that speaker does while talking, so its
    pronoun subject ("He") is the speaker as surely as "he said" would be. Only a beat with speech on both
    sides: after the last quote the sentence is as often the listener's answer in a gesture.

    A beat that only takes the words in ('"Go home." She flinched. "Now."') is the listener's, when its
    pronoun fits the one who spoke the turn before (`prev`, the last paragraph with speech) and so is the one
    this turn answers: no tag then, and turn-taking decides. A speaker may still wince at their own words
    ('"Sign it," said Mara. / "I won't." He winced.': he is not the one who spoke last).
    """
    segs = para.segs
    for k in range(1, len(segs) - 1):
        if segs[k].kind == "narration" and segs[k - 1].kind == "dialogue" and segs[k + 1].kind == "dialogue":
            first = next((x for x in CLAUSE_BREAK.split(segs[k].text.strip()) if x), "")
            subs = subjects_of(first, res)[:1] if first else []
            if subs and subs[0][1] == "pronoun":
                if _REACTION_BEAT.match(first) and _last_voice_gender(prev, res) in (subs[0][2], None):
                    return []
                qi = sum(1 for s in segs[:k] if s.kind == "dialogue") - 1
                return [(SpeechTag(None, "pronoun", subs[0][2], "inside"), qi)]
            return []
    return []


# Beats that take in what was just said rather than go on saying it: flinching, wincing, falling silent.
# ("She started." is a start, "She started for the door" a step: only the one standing alone, or "at" something.)
_REACTION_VERBS = both_tenses(frozenset(
    ["flinched", "winced", "recoiled", "cringed", "stiffened", "froze", "blanched", "paled", "blinked", "obeyed",
     "shrank", "quailed", "gaped", "reddened", "flushed"]))
_REACTION_BEAT = re.compile(
    r"\s*(?:He|She|he|she)\s+(?:[a-z]+ly\s+)?(?:(?:" + "|".join(sorted(_REACTION_VERBS, key=len, reverse=True))
    + r")\b|(?:started|starts)(?:\s+[a-z]+ly)?(?=\s*[.,;!\u2014]|\s+at\b)|(?:was|is)\s+silent\b"
    r"|(?:said|says)\s+nothing\b|(?:made|makes)\s+no\s+(?:answer|reply)\b|(?:did|does)\s+not\s+(?:answer|reply)\b)")


def _last_voice_gender(prev: _Para | None, res: _Resolver) -> str | None:
    """The sex of the last paragraph's speaker as its tag gives it ("said Mara", "she said"); None when unknown."""
    if prev is None or not prev.tags:
        return None
    tag = prev.tags[0][0]
    gender = res.gender.get(tag.name, "unknown") if tag.kind == "name" and tag.name else tag.gender
    return gender if gender in ("male", "female") else None


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
        if res.voice is not None and _VOICE_BEAT.search(SENTENCE_END.split(lead.rstrip())[-1]):
            # "From the dark water came a voice, low and amused.": the unseen voice speaks what follows.
            return [(SpeechTag(res.voice, "name", "unknown", "before"), 0)]
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
        if settled is None and not para.tags and not para.cont and _asks_after_voice(i, paras, res):
            settled = (res.voice, 0.8)  # type: ignore[assignment]
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
        lead = (paragraph_context(i, paras, res).lead_centre if para.tags and para.tags[0][0].kind == "pronoun" and not para.named
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
            cands, scores, feats = speaker_candidates(i, paras, history, res, spk, weights, trace is not None,
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
    for j in range(i, max(-1, i - MENTION_REACH), -1):
        for _, n in reversed(paras[j].mentions):
            if fits(n):
                return n
    for j in range(i - 1, max(-1, i - SPEAKER_REACH), -1):
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


# "Who's there?", "Who is it?", "Who said that?", "Who are you?": asking after an unseen speaker.
_WHO_THERE = re.compile(r"\b[Ww]ho(?:'s|\u2019s|\s+is|\s+goes|\s+was|\s+said|\s+are\s+you)\b[^?]{0,20}\?")


def _asks_after_voice(i: int, paras: list[_Para], res: _Resolver) -> bool:
    """Whether the line before paragraph `i` asks who the unseen voice is ("Who's there?") and the voice spoke
    in one of the three speeches before that question: the untagged answer is then the voice's own."""
    if res.voice is None or i == 0 or not paras[i - 1].quotes or paras[i - 1].named == res.voice:
        return False
    if not _WHO_THERE.search(paras[i - 1].quotes[-1].text):
        return False
    before = [p for p in paras[max(0, i - 8) : i - 1] if p.quotes][-3:]
    return any(p.named == res.voice for p in before)


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
