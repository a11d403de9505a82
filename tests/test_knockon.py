"""The knock-on measuring hooks of the decoder (benchmarks/knockon.py) and the beam-path training trace
(benchmarks/train_attribution.py --history beam), on our own small conversations."""

from __future__ import annotations

import sys
from pathlib import Path

from narrator import attribution as attr
from narrator import speaker_features

from .attribution_helpers import CAST, prepared, segments_of

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import train_attribution as ta

# Twilight and Spike named, then three untagged turns: a reader alternates them.
EXCHANGE = ('"Are you coming?" asked Twilight.\n\n"Yes," said Spike.\n\n"Now?"\n\n"Right now."\n\n'
            '"Good."')


def _speech(paras) -> list[int]:
    return [i for i, p in enumerate(paras) if p.quotes]


def _decode(text: str, **kw):
    res, paras = prepared(text, CAST)
    attr._decode(paras, res, speaker_features.load_weights(), {}, None, kw.pop("beam", attr._BEAM), kw.pop("oracle", None),
                 {}, **kw)
    return res, paras


def test_the_hooks_leave_the_decode_as_it_was():
    _, plain = _decode(EXCHANGE)
    scores: dict[int, float] = {}
    _, hooked = _decode(EXCHANGE, chain_scores=scores)
    assert [p.speaker for p in hooked] == [p.speaker for p in plain]
    assert [plain[i].speaker for i in _speech(plain)] == [
        "Twilight Sparkle", "Spike", "Twilight Sparkle", "Spike", "Twilight Sparkle"]
    # One conversation, one sequence score: a sum of log-probabilities, below zero (untagged turns are guesses).
    assert list(scores) == [plain[0].chain] and scores[plain[0].chain] < 0


def test_teacher_forced_picks_read_the_true_history_not_their_own_guesses():
    # Say "Now?" is truly Spike's (he goes on). The decoder's own pick there is still Twilight - the
    # truth is not handed to the line itself - but the next line's pick reads the true history
    # (Twilight, Spike, Spike): a reader hands "Right now." to Twilight, where the plain decode (which
    # reads its own "Twilight" for "Now?") alternates back to Spike.
    _, paras = prepared(EXCHANGE, CAST)
    now = _speech(paras)[2]
    truth = {paras[i].quotes[0].start: s for i, s in zip(_speech(paras), [
        "Twilight Sparkle", "Spike", "Spike", "Twilight Sparkle", "Spike"], strict=True)}
    picks: dict[int, str | None] = {}
    _, forced = _decode(EXCHANGE, beam=1, oracle=lambda q: truth.get(q.start), picks=picks)
    assert picks[now] == "Twilight Sparkle"
    assert picks[_speech(forced)[3]] == "Twilight Sparkle"
    # The history the later lines read is the truth, settled name tags included.
    assert [forced[i].speaker for i in _speech(forced)] == [truth[forced[i].quotes[0].start] for i in _speech(forced)]
    _, plain = _decode(EXCHANGE)
    assert plain[_speech(plain)[3]].speaker == "Spike"


def test_beam_trace_holds_the_scored_lines_with_the_decoders_own_discounted_history():
    _, segs = segments_of(EXCHANGE)
    trace = ta.beam_trace(segs, CAST, speaker_features.load_weights())
    # The two name-tagged lines are settled, not scored: the three untagged ones are.
    assert [q[0].text for q, _, _ in trace] == ['"Now?"', '"Right now."', '"Good."']
    _, cands, feats = trace[1]
    # "Right now." reads the decoder's own guess for "Now?" (Twilight): the repeat is hers, discounted
    # by how sure that guess was (a named turn would count in full).
    f = feats[cands.index("Twilight Sparkle")]
    assert 0.0 < f["repeat_bare"] < 1.0
    assert f["alternate"] == 0.0 and feats[cands.index("Spike")]["alternate"] > 0.0


def test_teacher_forced_picks_follow_the_decoders_own_sure_candidates():
    # "Mother, may I ...?" then an untagged answer: the decoder takes the one parent that fits being asked
    # (Mrs. Harrow), not the scorer's favourite; the knock-on pick for that line must be the same choice,
    # or knockon.py would charge the scorer with an error the decoder never makes.
    from .test_attribution_weak_books import FAMILY

    text = ('Nell came down to breakfast late. Mrs. Harrow was already at the table with the letters, and Tobias '
            'sat by the window with the newspaper.\n\n"There is one from your cousin," said Tobias.\n\n'
            'Nell took it and read it through twice.\n\n"Mother, may I go to the fair with Tobias on Saturday?"\n\n'
            '"You may, if you are home before dark."\n')
    res, paras = prepared(text, FAMILY)
    attr._decode(paras, res, speaker_features.load_weights(), {}, None, attr._BEAM, None, {})
    plain = [paras[i].speaker for i in _speech(paras)]
    assert plain == ["Tobias Fenn", "Nell Harrow", "Mrs. Harrow"]
    res, paras = prepared(text, FAMILY)
    truth = {paras[i].quotes[0].start: s for i, s in zip(_speech(paras), plain, strict=True)}
    picks: dict[int, str | None] = {}
    attr._decode(paras, res, speaker_features.load_weights(), {}, None, 1, lambda q: truth.get(q.start), {}, picks=picks)
    assert picks[_speech(paras)[2]] == "Mrs. Harrow"
