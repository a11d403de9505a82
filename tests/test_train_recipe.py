"""The scorer's training recipe (benchmarks/train_attribution.py): synthetic candidate sets only."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import train_attribution as ta  # noqa: E402

FEATURES = ta.speaker_features.FEATURES
K = len(FEATURES)


def _novel(rng: np.random.Generator, true: dict[str, float], n: int, cands: int = 4) -> ta.Block:
    """n candidate sets whose gold choice is drawn from a conditional logit with weights `true`."""
    w = np.array([true.get(f, 0.0) for f in FEATURES])
    x = (rng.random((n, cands, K)) < 0.3).astype(float)
    gold = np.argmax(x @ w + rng.gumbel(size=(n, cands)), axis=1)  # a draw from the softmax (Gumbel-max)
    return ta.block(list(zip(x, gold.tolist(), strict=True)))


def _w(vec: np.ndarray, name: str) -> float:
    return float(vec[FEATURES.index(name)])


def test_fit_recovers_a_planted_preference_and_its_sign():
    rng = np.random.default_rng(1)
    w = ta.fit([_novel(rng, {"prev2": 2.0, "prev1": -1.5}, 800)], ta.Recipe(l2=1e-3))
    assert 1.4 < _w(w, "prev2") < 2.6
    assert -2.1 < _w(w, "prev1") < -0.9
    assert abs(_w(w, "addressed")) < 0.4


def test_a_dropped_feature_keeps_weight_zero_even_when_it_predicts():
    rng = np.random.default_rng(2)
    data = [_novel(rng, {"salience": 3.0, "prev2": 1.0}, 500)]
    kept = ta.fit(data, ta.Recipe(l2=1e-3))
    dropped = ta.fit(data, ta.Recipe(l2=1e-3, drop=("salience",)))
    assert _w(kept, "salience") > 1.5
    assert _w(dropped, "salience") == 0.0
    assert _w(dropped, "prev2") > 0.5


def test_stronger_l2_shrinks_the_weights():
    rng = np.random.default_rng(3)
    data = [_novel(rng, {"prev2": 2.0}, 600)]
    weak, strong = ta.fit(data, ta.Recipe(l2=1e-4)), ta.fit(data, ta.Recipe(l2=1.0))
    assert abs(_w(strong, "prev2")) < abs(_w(weak, "prev2")) - 0.5


def test_copy_penalty_pulls_only_the_copies_towards_zero():
    rng = np.random.default_rng(4)
    data = [_novel(rng, {"prev2": 1.0, "prev2_notag": 1.5}, 800)]
    plain = ta.fit(data, ta.Recipe(l2=3e-2))
    pulled = ta.fit(data, ta.Recipe(l2=3e-2, copy_l2=30.0))
    assert abs(_w(pulled, "prev2_notag")) < abs(_w(plain, "prev2_notag")) - 0.3
    assert _w(pulled, "prev2") > 0.5


def test_balancing_lets_a_short_novel_weigh_as_much_as_a_long_one():
    # A long novel where prev1 wins and a short one where it loses: by example count the long one sets
    # the weight; balanced, the two pull equally and the weight lands near zero.
    rng = np.random.default_rng(5)
    long_novel = _novel(rng, {"prev1": 2.0}, 1000)
    short_novel = _novel(rng, {"prev1": -2.0}, 100)
    counted = ta.fit([long_novel, short_novel], ta.Recipe(l2=1e-3))
    balanced = ta.fit([long_novel, short_novel], ta.Recipe(l2=1e-3, balance=True))
    assert _w(counted, "prev1") > 1.0
    assert abs(_w(balanced, "prev1")) < _w(counted, "prev1") - 0.8


def test_a_warm_start_reaches_the_same_optimum():
    rng = np.random.default_rng(6)
    data = [_novel(rng, {"prev2": 1.0, "addressed": -1.0}, 500)]
    cold = ta.fit(data, ta.Recipe(l2=1e-2))
    warm = ta.fit(data, ta.Recipe(l2=1e-2), start=np.full(K, 0.5))
    assert np.allclose(cold, warm, atol=1e-4)


@pytest.mark.parametrize(("k", "expected"), [(0, 5), (2, 2), (9, 5)])
def test_folds_cover_every_novel_once(k, expected):
    names = ["a", "b", "c", "d", "e"]
    folds = ta.folds_of(names, k)
    assert len(folds) == expected
    assert sorted(n for f in folds for n in f) == names


def test_candidate_accuracy_counts_the_gold_on_top():
    x = np.array([[1.0] + [0.0] * (K - 1), [0.0] * K])
    blocks = [ta.block([(x, 0), (x, 1)])]
    w = np.zeros(K)
    w[0] = 1.0
    assert ta.accuracy(w, blocks) == (1, 2)
