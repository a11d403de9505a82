"""attribute: the decoder's shortcuts give the scores the feature dicts (what training sees) give."""

from __future__ import annotations

import itertools
import random

from narrator import speaker_features
from narrator.models import Character

from .attribution_helpers import prepared

CAST = [
    Character("Nell Harrow", ("Nell", "Miss Harrow"), "female", 20),
    Character("Mr. Quill", ("Quill",), "male", 12),
    Character("Tobias Fenn", ("Tobias", "Mr. Fenn"), "male", 10),
]


def test_turn_sum_is_the_sum_of_the_features_with_their_copies():
    # _turn_sum adds the _bare / _notag copies' terms without making the copies; it must give the very
    # float the copied dict gives, in every combination (a feature with both copies, one, or none).
    rng = random.Random(7)
    weights = {k: rng.uniform(-3, 3) for k in speaker_features.FEATURES}
    names = ["prev1", "gap_prev1", "prev2", "participant", "far_only", "alternate", "two_party",
             "rel_kin", "same_epithet", "pron_match_first"]
    for n in range(len(names) + 1):
        for chosen in itertools.combinations(names, n):
            d = {k: rng.choice([1.0, 0.93, rng.random()]) for k in chosen}
            for bare, notag in itertools.product((False, True), repeat=2):
                copied = dict(d)
                speaker_features._add_copies(copied, bare, notag)
                expected = sum(weights[k] * v for k, v in copied.items())
                before = dict(d)
                assert speaker_features._turn_sum(d, bare, notag, weights) == expected, (chosen, bare, notag)
                assert d == before  # the candidate's own features are left as they were


def test_decoding_scores_are_the_training_scores():
    # The decoder scores without feature dicts; training (full=True) builds them. The same paragraph and
    # history must score the same either way, or the shipped weights would be fitted to other numbers.
    text = ('Nell was at the window when Mr. Quill came in from the yard.\n\n'
            '"The mill is shut," said Nell.\n\n"Since when?"\n\n"Since noon."\n\n"And Tobias?"\n\n"Gone home."')
    res, paras = prepared(text, CAST)
    speech = [i for i, p in enumerate(paras) if p.quotes]
    turns = {speech[0]: "Nell Harrow", speech[1]: "Mr. Quill", speech[2]: "Nell Harrow", speech[3]: "Mr. Quill"}
    rng = random.Random(3)
    weights = {k: rng.uniform(-2, 2) for k in speaker_features.FEATURES}
    for k in range(1, len(speech)):
        i, history = speech[k], speech[:k]
        decoded = speaker_features.speaker_candidates(i, paras, history, res, turns.get, weights, False, lambda j: 0.8)
        trained = speaker_features.speaker_candidates(i, paras, history, res, turns.get, weights, True, lambda j: 0.8)
        assert decoded[0] == trained[0] and decoded[1] == trained[1]
        # ... and each training score is its features' weighted sum.
        for score, feats in zip(trained[1], trained[2], strict=True):
            assert abs(score - sum(weights[f] * v for f, v in feats.items())) < 1e-9


_POOL_SCRIPT = """
import json, sys
from narrator import speaker_features
from narrator.models import Character
from tests.attribution_helpers import prepared
cast = [Character("Nell Harrow", ("Nell",), "female", 20), Character("Mr. Quill", ("Quill",), "male", 12),
        Character("Tobias Fenn", ("Tobias",), "male", 10), Character("Ada Penn", ("Ada",), "female", 9)]
text = ('Nell stood by the door.\\n\\n"Quill, Tobias, Ada, come in out of the rain," said Nell.\\n\\n'
        '"Must we?"\\n\\n"Ada, Tobias, Quill, you must."')
res, paras = prepared(text, cast)
speech = [i for i, p in enumerate(paras) if p.quotes]
w = {k: 0.0 for k in speaker_features.FEATURES}
pools = [speaker_features.speaker_candidates(i, paras, speech[:k], res, {speech[0]: "Nell Harrow"}.get, w, False, lambda j: 0.8)[0]
         for k, i in enumerate(speech) if k]
print(json.dumps(pools))
"""


def test_candidate_pool_order_does_not_follow_the_string_hash_seed():
    # The people a line addresses were kept in sets and spread into the pool, so the pool's order (and
    # how an exact tie breaks) changed with PYTHONHASHSEED from one run of the same book to the next.
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    outs = set()
    for seed in ("0", "1", "2", "3", "4", "5"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(root)}
        done = subprocess.run([sys.executable, "-c", _POOL_SCRIPT], env=env, cwd=root, capture_output=True,
                              text=True, check=True)
        outs.add(done.stdout)
    assert len(outs) == 1, outs
