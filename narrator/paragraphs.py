"""paragraphs: the story's segments made into the paragraphs attribution decides, with what each one says.

prepare() groups the segments into paragraphs (Paragraph: the unit of speech) and reads, before any speaker
is chosen, what their text says: the mentions and vocatives (_scan_mentions), the speech tags and the
speaker a name tag gives (_find_tags), the conversations and turns (_chains), the epithets the narration
ties to one name (_stated_epithets) and each name-tagged speaker's words (_voices). narrator/attribution.py
decodes the speakers from these records; narrator/speaker_features.py reads them for the scorer.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from narrator.chat import chat_label
from narrator.dialogue import plain_marks
from narrator.kinship import VAGUE_PEOPLE, with_age, with_relation
from narrator.lexicon import ADDRESS_RE, address_gender, asks_name, both_tenses, name_answer
from narrator.models import Character, Segment
from narrator.resolver import CastIndex, form_key
from narrator.speech_tags import (
    CLAUSE_BREAK,
    SENTENCE_END,
    SpeechTag,
    ends_sentence,
    quote_closed,
    single_spaced,
    subjects_of,
    tag_after_quote,
    tag_before_quote,
)

if TYPE_CHECKING:
    from narrator.speaker_features import ParagraphContext

@dataclass
class Paragraph:
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
    # Names the narration says were not there ("There had been no Mr. Pell"), with their offsets (speaker_features._absent).
    denied: list[tuple[int, str]] = field(default_factory=list)
    tags: list[tuple[SpeechTag, int]] = field(default_factory=list)
    named: str | None = None  # the speaker a name tag gives, before any scoring
    cont: bool = False  # an open quote from the previous paragraph goes on here (same turn)
    chain: int = -1  # conversation number
    turn: int = 0  # turn number within the conversation
    context: ParagraphContext | None = None  # cached by speaker_features.paragraph_context()
    lead: str = ""  # a narration-only paragraph just before this one ("Emma continued:")
    epi_prev: int | None = None  # the last paragraph whose tag used the same unknown epithet ("said the old man")
    names_back: list[str] | None = None  # cached by speaker_features._names_back()
    asked: bool = False  # the speech just before asked its listener's name ("Who are you?")
    alt: str | None = None  # the scorer's next likeliest speaker (what `narrator script --doubtful` offers)


# A beat that brings in an unseen voice by a verb of coming, not of speaking: "came a voice", "rose a thin voice",
# "A voice rose from the water." ("A grave voice replied," is a speech tag the tag grammar reads; "came an angry
# voice--the Rabbit's--" says whose it is.)
_VOICE_BEAT = re.compile(r"(?:\b(?:came|rose|sounded|floated|drifted|rang)\s+(?:(?:up|out|back|down)\s+)?"
                         r"(?:a|an|another)\s+(?:[a-z\-]+\s+){0,2}voice\b"
                         r"|^\s*(?:A|An|Another)\s+(?:[a-z\-]+\s+){0,2}voice\s+(?:[a-z]+ly\s+)?"
                         r"(?:came|rose|sounded|floated|drifted|rang|broke)\b)"
                         r"(?![\s,\-\u2014]*(?:the\s+)?[A-Z][\w\-]*['\u2019]s\b)")
_VOICE_TAG = re.compile(r"^[\s,;:\-\u2014]*(?:a|an|another|the)\s+(?:[a-z\-]+\s+){0,2}voice\b", re.IGNORECASE)


def prepare(segments: Sequence[Segment], characters: Sequence[Character],
            voices: bool = True) -> tuple[CastIndex, list[Paragraph]]:
    """The resolver and the paragraphs with their mentions, tags and conversation chains: all that the
    decoder reads. One place, so the miss reports and tests that look inside see what attribution.run() decodes.
    `voices`: also each speaker's word profile (_voices; the idiolect features read 0 without it)."""
    res = CastIndex(characters)
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


_WORD = re.compile(r"[a-z]+(?:['\u2019][a-z]+)?")
_IDIOLECT_WORDS = 40  # words of a line read for its idiolect features
_IDIOLECT_PRIOR = 200.0  # words of the book's speech a voice's profile starts from (few tagged lines: the book's)


def _words(para: Paragraph) -> list[str]:
    """The first _IDIOLECT_WORDS words of a paragraph's speech, lower-cased."""
    return _WORD.findall(" ".join(q.text for q in para.quotes).lower())[:_IDIOLECT_WORDS]


def _voices(paras: list[Paragraph], res: CastIndex) -> None:
    """Each name-tagged speaker's words, as speaker_features._idiolect reads them: per word the voice said, the log of how much
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
            res.speech_words[para.quotes[0].start] = Counter(words)  # a line speaker_features._idiolect may score
    # The book's word probabilities, add-one smoothed (every word of a line is in the book: no unseen word).
    norm = book.total() + len(book) + 1
    res.voices = {n: ({w: math.log1p(c * norm / (_IDIOLECT_PRIOR * (book[w] + 1))) for w, c in v.items()},
                      math.log(_IDIOLECT_PRIOR / (v.total() + _IDIOLECT_PRIOR))) for n, v in voices.items()}


# "Vasel, the old locksmith," -- a name, then "the", up to three describing words and the noun, in commas.
_APPOSITION = r",\s+the\s+(?:[a-z\-]+\s+){0,3}?(?P<noun>%s)\s*,"


def _stated_epithets(segments: Sequence[Segment], res: CastIndex) -> frozenset[str]:
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


def _paragraphs(segments: Sequence[Segment]) -> list[Paragraph]:
    paras: list[Paragraph] = []
    key: tuple[int, int] | None = None
    for seg in segments:
        k = (seg.chapter, seg.paragraph)
        if k != key or seg.heading:
            paras.append(Paragraph([]))
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


def _tail_tag(para: Paragraph) -> bool:
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


def _chains(paras: list[Paragraph], res: CastIndex) -> None:
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


def _beat_between(para: Paragraph, res: CastIndex, prev: Paragraph | None = None) -> list[tuple[SpeechTag, int]]:
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


def _last_voice_gender(prev: Paragraph | None, res: CastIndex) -> str | None:
    """The sex of the last paragraph's speaker as its tag gives it ("said Mara", "she said"); None when unknown."""
    if prev is None or not prev.tags:
        return None
    tag = prev.tags[0][0]
    gender = res.gender.get(tag.name, "unknown") if tag.kind == "name" and tag.name else tag.gender
    return gender if gender in ("male", "female") else None


def _new_scene(between: list[Paragraph], res: CastIndex) -> bool:
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


def _in_tag(para: Paragraph, pos: int, starts: list[int]) -> bool:
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


def _scan_mentions(para: Paragraph, res: CastIndex) -> None:
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
                    if not _denied(seg.text, m.start()) and form_key(m.group(0)) not in res.shared:
                        para.mentions.append((seg.start + m.start(), res.epithets[form_key(m.group(0))]))
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
                    if not before.strip(_OPENERS) or not seg.text[m.end() + 1 :].strip(CLOSERS):
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
CLOSERS = " \n\"'\u201d\u2019!?.,;-"

# A parent called as such ("Oh, mother, do let me go!", "Papa, look!"): whoever speaks, it is not
# the parent. (Aunts and uncles were tried too: an aunt is as often a "Miss", and dev lost a line.)
_MOTHER_WORDS = frozenset(["mamma", "mama", "mother", "mum", "mummy"])
_FATHER_WORDS = frozenset(["papa", "father", "dad", "daddy"])

def _find_tags(para: Paragraph, res: CastIndex) -> list[tuple[SpeechTag, int]]:
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
