"""Weighted curves: what the catalogue Cases cannot say.

The storage of unweighted exact curves (one shared ``1.0``, no memory per sample), loading
checkpoints saved before curves kept weights, zero weights making no curve point,
per-class curves against scikit-learn's ``roc_curve``, and ``bootstrap`` of an exact curve.
The values of every curve metric with fractional weights are Cases of
``tests/catalogue/classification_weighted_curves.py``; the weighted laws run over every curve
Case in ``tests/test_weights.py``.
"""

from __future__ import annotations

import io
import pickle

import numpy as np
import pytest
import sklearn.metrics as skm
import torch

import metrix
from metrix import classification as mc
from metrix._core.state import is_constant
from metrix.wrappers import bootstrap
from metrix.wrappers._bootstrap_poisson import poisson_weights
from tests.catalogue._case import assert_close, gen

pytestmark = pytest.mark.filterwarnings("ignore::metrix.MetrixWarning")


def _binary(n: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    g = gen(seed)
    p = (torch.rand(n, generator=g) * 20).round() / 20
    t = torch.randint(0, 2, (n,), generator=g)
    w = torch.rand(n, generator=g) * 2
    return p, t, w


def _storage_bytes(chunks: tuple[torch.Tensor, ...]) -> int:
    return sum({c.untyped_storage().data_ptr(): c.untyped_storage().nbytes() for c in chunks}.values())


def test_unweighted_exact_storage_keeps_one_shared_weight() -> None:
    p, t, _ = _binary(300)
    m = mc.binary_auroc()
    state = m.init()
    shards = []
    for lo in range(0, 300, 32):
        state = m.update(state, p[lo : lo + 32], t[lo : lo + 32])
        shards.append(m.update(m.init(), p[lo : lo + 32], t[lo : lo + 32]))
    merged = metrix.merge(m.init(), *shards)
    for s in (state, merged):
        assert sum(c.shape[0] for c in s.weight) == 300
        assert is_constant(s.weight, 1.0)
        assert _storage_bytes(s.weight) <= 8, "unweighted weights must not cost memory per sample"
    module = metrix.MetricModule(m)
    for lo in range(0, 300, 32):
        module(p[lo : lo + 32], t[lo : lo + 32])
    assert is_constant(module._state.weight, 1.0)
    assert torch.equal(module.compute(), m(p, t))
    # a weighted batch materialises its own rows only; the value is the weighted one
    w = torch.ones(300, dtype=torch.float64)
    w[:5] = 2.0
    mixed = m.update(m.update(m.init(), p[:5], t[:5], sample_weight=w[:5]), p[5:], t[5:])
    assert not is_constant(mixed.weight, 1.0)
    assert_close(m.compute(mixed), m(p, t, sample_weight=w), what="mixed weighted and unweighted batches")


def test_stride0_weights_survive_pickle_save_and_state_dict() -> None:
    w = _binary(100)[2]
    m = mc.multiclass_auroc(num_classes=3)
    probs = torch.randn(100, 3, generator=gen(1)).softmax(-1)
    labels = torch.randint(0, 3, (100,), generator=gen(2))
    for weight in (None, w):
        head = {} if weight is None else {"sample_weight": weight[:40]}
        tail = {} if weight is None else {"sample_weight": weight[40:]}
        state = m.update(m.update(m.init(), probs[:40], labels[:40], **head), probs[40:], labels[40:], **tail)
        expected = m.compute(state)
        assert torch.equal(m.compute(pickle.loads(pickle.dumps(state))), expected)
        buf = io.BytesIO()
        torch.save(state, buf)
        buf.seek(0)
        assert torch.equal(m.compute(torch.load(buf, weights_only=True)), expected)
    module = metrix.MetricModule(m, persistent=True)
    module.update(probs, labels)
    twin = metrix.MetricModule(m, persistent=True)
    twin.load_state_dict(module.state_dict())
    assert torch.equal(twin.compute(), module.compute())


@pytest.mark.parametrize("kwargs", [{}, {"capacity": 256}], ids=["chunks", "capacity"])
def test_checkpoint_saved_before_curves_kept_weights_loads(kwargs) -> None:
    p, t, w = _binary(100)
    members = {"auroc": mc.binary_auroc(**kwargs), "acc": mc.binary_accuracy()}
    module = metrix.MetricModule(metrix.collection(members), persistent=True)
    module.update(p, t)
    old = {k: v for k, v in module.state_dict().items() if ".weight" not in k}
    assert len(old) < len(module.state_dict())
    restored = metrix.MetricModule(metrix.collection(members), persistent=True)
    restored.load_state_dict(old)  # strict: the absent weights are rebuilt (all 1), not missing
    assert_close(restored.compute(), module.compute(), what="restored")
    restored.update(p, t, sample_weight=w)
    module.update(p, t, sample_weight=w)
    assert_close(restored.compute(), module.compute(), what="restored, then updated with weights")


def test_checkpoint_of_an_int64_binned_histogram_loads() -> None:
    p, t, _ = _binary(100)
    module = metrix.MetricModule(mc.binary_average_precision(thresholds=11), persistent=True)
    module.update(p, t)
    old = {k: v.to(torch.int64) for k, v in module.state_dict().items()}  # the histogram before it was float64
    restored = metrix.MetricModule(mc.binary_average_precision(thresholds=11), persistent=True)
    restored.load_state_dict(old)
    assert restored._state.hist.dtype == torch.float64
    assert torch.equal(restored.compute(), module.compute())


def test_a_zero_weight_sample_makes_no_curve_point() -> None:
    p = torch.tensor([0.9, 0.8, 0.55, 0.3, 0.1])
    t = torch.tensor([1, 0, 1, 0, 1])
    w = torch.tensor([1.0, 0.5, 0.0, 2.0, 1.5])
    keep = w > 0
    for m in (mc.binary_roc(), mc.binary_precision_recall_curve()):
        got = m(p, t, sample_weight=w)
        dropped = m(p[keep], t[keep], sample_weight=w[keep])
        for a, b in zip(got, dropped):
            assert torch.equal(a, b)
        assert 0.55 not in got[2].tolist()


def test_per_class_curves_against_scikit_learn_roc_curve() -> None:
    """One-vs-rest curves of (N, C, 3) inputs with ignore_index: each element weighs its sample's weight."""
    g = gen(3)
    probs = torch.randn(40, 3, 3, generator=g).softmax(1)
    target = torch.randint(0, 3, (40, 3), generator=g)
    target[::5, 1] = -1
    w = torch.rand(40, generator=g) * 3
    fprs, tprs, thrs = mc.multiclass_roc(num_classes=3, ignore_index=-1)(probs, target, sample_weight=w)
    flat_t = target.reshape(-1)
    flat_p = probs.movedim(1, -1).reshape(-1, 3)
    flat_w = w.double().repeat_interleave(3)
    keep = flat_t != -1
    for c in range(3):
        fpr, tpr, thr = skm.roc_curve(
            (flat_t[keep] == c).numpy(),
            flat_p[keep, c].double().numpy(),
            sample_weight=flat_w[keep].numpy(),
            drop_intermediate=False,
        )
        assert_close(fprs[c], torch.as_tensor(fpr, dtype=torch.float32), what=f"fpr of class {c}")
        assert_close(tprs[c], torch.as_tensor(tpr, dtype=torch.float32), what=f"tpr of class {c}")
        assert_close(thrs[c][1:], torch.as_tensor(thr[1:], dtype=torch.float32), what=f"thresholds of class {c}")


def test_bootstrap_of_an_exact_curve_needs_capacity() -> None:
    with pytest.raises(ValueError, match="capacity="):
        bootstrap(mc.binary_auroc(), num_bootstraps=4)
    p, t, _ = _binary(120)
    b, seed = 6, 3
    boot = bootstrap(mc.binary_auroc(capacity=128), num_bootstraps=b, raw=True, seed=seed, stream=0)
    state = boot.update(boot.update(boot.init(), p[:50], t[:50]), p[50:], t[50:])
    raw = boot.compute(state)["raw"]
    # each replicate is the exact AUROC under that replicate's Poisson weights (drawn by row position)
    weights = poisson_weights(seed, 0, torch.tensor(0), 120, b)
    expected = torch.stack([mc.binary_auroc()(p, t, sample_weight=weights[r]) for r in range(b)])
    assert_close(raw, expected, what="bootstrap replicates of an exact curve")
    assert np.unique(raw.numpy()).size > 1
