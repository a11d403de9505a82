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

This module decodes: the beam over each conversation's speakers, the rules that pin a speaker the text
settles, confidence and evidence. What it decodes from is read elsewhere: the paragraphs, their mentions,
tags and conversations by `narrator/paragraphs.py`; which character a form of the text denotes by
`narrator/resolver.py`; what the words beside a quotation say (the speech-tag grammar) by
`narrator/speech_tags.py`; whom a relational or age-telling tag ("said her mother", "the old man") can name,
by `narrator/kinship.py`; the scorer's features, the paragraph context they read and the candidate pool, by
`narrator/speaker_features.py`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from narrator.kinship import title_fits
from narrator.lexicon import FEMALE_NOUNS, MALE_NOUNS, name_answer, self_introductions
from narrator.models import Character, Line, Segment
from narrator.paragraphs import CLOSERS, Paragraph, prepare
from narrator.resolver import CastIndex
from narrator.speaker_features import (
    MENTION_REACH,
    SPEAKER_REACH,
    load_weights,
    paragraph_context,
    speaker_candidates,
)
from narrator.speech_tags import CLAUSE_BREAK, single_spaced, subjects_of


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
    res, paras = prepare(segments, characters, trace is not None or any(weights.get(k) for k in _IDIOLECT_FEATURES))
    # prepare reads the quote marks straightened (plain_marks); the lines carry the story's own segments.
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


_IDIOLECT_FEATURES = ("idiolect", "idiolect_sum")


# Conversations are decoded jointly: a beam of speaker sequences, each scored by the sum of its
# lines' log-probabilities, so a clue late in an exchange can correct an early guess instead of
# every later turn inheriting it (turn-taking features read the hypothesis' own earlier turns).
_BEAM = 12
_BRANCH = 4


@dataclass
class _Hyp:
    score: float
    spk: dict[int, tuple]  # paragraph -> (speaker, confidence[, runner-up]) decided in this beam


def _decode(paras: list[Paragraph], res: CastIndex, weights: dict[str, float], speakers: dict[int, str],
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
                        and paras[i - 1].quotes[-1].text.rstrip(CLOSERS.replace("?", "")).endswith("?") else set())
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


def _anchor_cost(i: int, paras: list[Paragraph], history: list[int], spk, weights: dict[str, float]) -> float:
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


def _evidence(para: Paragraph, prev: Paragraph | None, speakers: dict[int, str]) -> None:
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


def _other_gender_quotes(i: int, paras: list[Paragraph], res: CastIndex, speakers: dict[int, str],
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
    # For each tag, the first later-tagged quote after its own: where its run of quotes ends. paragraphs._find_tags
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


def _of_gender(gender: str, i: int, paras: list[Paragraph], res: CastIndex, exclude: str | None) -> str | None:
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


def _fixed_speaker(i: int, paras: list[Paragraph], spk, hyp: _Hyp,
                   settled: tuple[str, float] | None) -> tuple[str | None, float] | None:
    """(speaker, confidence) when the paragraph's speaker needs no scoring under hypothesis `hyp`."""
    if paras[i].cont and i > 0 and spk(i - 1):
        # A speech left open at the end of the last paragraph goes on in this one.
        got = hyp.spk.get(i - 1)
        return got if got is not None else (paras[i - 1].speaker, paras[i - 1].confidence)
    return settled


def _settled_speaker(para: Paragraph, res: CastIndex) -> tuple[str, float] | None:
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


def _asks_after_voice(i: int, paras: list[Paragraph], res: CastIndex) -> bool:
    """Whether the line before paragraph `i` asks who the unseen voice is ("Who's there?") and the voice spoke
    in one of the three speeches before that question: the untagged answer is then the voice's own."""
    if res.voice is None or i == 0 or not paras[i - 1].quotes or paras[i - 1].named == res.voice:
        return False
    if not _WHO_THERE.search(paras[i - 1].quotes[-1].text):
        return False
    before = [p for p in paras[max(0, i - 8) : i - 1] if p.quotes][-3:]
    return any(p.named == res.voice for p in before)


def _voice_called(i: int, paras: list[Paragraph], res: CastIndex) -> tuple[str, float] | None:
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


def _kind_epithet(name: str, res: CastIndex) -> bool:
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


def _parent_called(name: str, called: set[str], res: CastIndex) -> bool:
    """Whether `name` may be the parent a speech calls "mother" or "father" (in `called`): of that sex, and
    going by a title that fits ("Mrs." or "Lady" for a mother, "Mr." or "Sir" for a father)."""
    return any(res.gender.get(name) == ("female" if rel == "mother" else "male") and title_fits(rel, name, res)
               for rel in called)


def _asked_name(para: Paragraph, res: CastIndex) -> str | None:
    """The one person a paragraph's closing question asks by name ("How are you, Jake?"), or None.

    The name must be set off by a comma ("Kit, shall we sit down?", "Does it suit you, Ann?"): a
    bare "Henry?" or "Ann! That's not your sister?" echoes a name someone said, and asks about them.
    """
    if not para.quotes or not para.sure_vocatives or res.name_re is None:
        return None
    text = para.quotes[-1].text.rstrip(CLOSERS.replace("?", "").replace("!", ""))
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


def _introduces_self(para: Paragraph, res: CastIndex) -> str | None:
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


def _actor(para: Paragraph, res: CastIndex) -> str | None:
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
