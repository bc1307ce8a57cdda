"""Edge cases of calibration error, hinge loss, label ranking and group fairness.

The catalogue (tests/catalogue/classification_extra.py) checks every law against
TorchMetrics; here: scikit-learn cross-checks, constructor errors, the probabilities
vs logits decision, ties, absent groups and shared state keys.
"""

from __future__ import annotations

import pytest
import sklearn.metrics as skm
import torch
import torchmetrics.functional.classification as tmf

import metrix
from metrix import classification as mc
from tests.catalogue._case import assert_close, gen

# ----------------------------------------------------------------------------- scikit-learn


def test_binary_hinge_matches_sklearn() -> None:
    g = gen(0)
    p, t = torch.rand(50, generator=g), torch.randint(0, 2, (50,), generator=g)
    assert_close(mc.binary_hinge_loss()(p, t), skm.hinge_loss(t.numpy(), p.numpy()))


def test_multiclass_hinge_matches_sklearn() -> None:
    g = gen(1)
    p, t = torch.rand(50, 4, generator=g), torch.randint(0, 4, (50,), generator=g)
    expected = skm.hinge_loss(t.numpy(), p.numpy(), labels=list(range(4)))
    assert_close(mc.multiclass_hinge_loss(num_classes=4)(p, t), expected)


@pytest.mark.parametrize("ties", [False, True], ids=["distinct", "ties"])
@pytest.mark.parametrize(
    ("factory", "reference"),
    [
        (mc.multilabel_ranking_average_precision, skm.label_ranking_average_precision_score),
        (mc.multilabel_ranking_loss, skm.label_ranking_loss),
        (mc.multilabel_coverage_error, skm.coverage_error),
    ],
    ids=["lrap", "ranking_loss", "coverage"],
)
def test_ranking_matches_sklearn(factory, reference, ties: bool) -> None:
    g = gen(2)
    p = torch.rand(60, 6, generator=g, dtype=torch.float64)
    if ties:
        p = (p * 4).round() / 4  # many tied scores per row
    t = torch.randint(0, 2, (60, 6), generator=g)
    t[0] = 0  # a row with no true label
    t[1] = 1  # a row with only true labels
    assert_close(factory(num_labels=6)(p, t), reference(t.numpy(), p.numpy()))


def test_ranking_loss_ties_count_as_errors() -> None:
    # one true and one false label with the same score: sklearn counts the pair as wrong
    p, t = torch.tensor([[0.5, 0.5]]), torch.tensor([[1, 0]])
    assert_close(mc.multilabel_ranking_loss(num_labels=2)(p, t), torch.tensor(1.0))


# ----------------------------------------------------------------------------- constructor arguments


@pytest.mark.parametrize(
    ("build", "error", "match"),
    [
        (lambda: mc.binary_calibration_error(n_bins=0), ValueError, "n_bins must be an int >= 1, got 0"),
        (lambda: mc.binary_calibration_error(n_bins=2.5), TypeError, "n_bins"),
        (lambda: mc.binary_calibration_error(norm="l3"), ValueError, "norm must be one of"),
        (lambda: mc.binary_calibration_error(ignore_index=1.5), TypeError, "ignore_index"),
        (lambda: mc.binary_calibration_error(validate_args="yes"), TypeError, "validate_args"),
        (lambda: mc.binary_calibration_error(input_format="labels"), ValueError, "input_format"),
        (lambda: mc.multiclass_calibration_error(num_classes=1), ValueError, "num_classes must be an int >= 2, got 1"),
        (lambda: mc.calibration_error("multilabel"), ValueError, r"task must be one of \('binary', 'multiclass'\)"),
        (lambda: mc.calibration_error("multiclass"), TypeError, "num_classes must be an int"),
        (lambda: mc.binary_hinge_loss(squared=1), TypeError, "squared must be a bool"),
        (lambda: mc.multiclass_hinge_loss(num_classes=3, multiclass_mode="ovr"), ValueError, "multiclass_mode"),
        (lambda: mc.multiclass_hinge_loss(num_classes=True), TypeError, "num_classes"),
        (lambda: mc.hinge_loss("multiclass"), TypeError, "num_classes must be an int"),
        (lambda: mc.hinge_loss("ranking"), ValueError, "task must be"),
        (lambda: mc.multilabel_ranking_loss(num_labels=1), ValueError, "num_labels must be an int >= 2"),
        (lambda: mc.multilabel_coverage_error(num_labels=3, input_format="probs"), ValueError, "input_format"),
        (lambda: mc.binary_groups_stat_rates(num_groups=0), ValueError, "num_groups must be an int >= 1"),
        (lambda: mc.binary_fairness(num_groups=2, task="parity"), ValueError, "task must be one of"),
        (lambda: mc.binary_fairness(num_groups=2, threshold=1.5), ValueError, "threshold"),
        (lambda: mc.demographic_parity(num_groups=2, ignore_index="x"), TypeError, "ignore_index"),
    ],
)
def test_bad_constructor_arguments(build, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        build()


# ----------------------------------------------------------------------------- probabilities vs logits


def test_auto_decision_skips_ignored_elements() -> None:
    # TorchMetrics drops ignored elements before deciding whether scores are logits
    p = torch.tensor([0.2, 0.7, 5.0, 0.9, 0.4])
    t = torch.tensor([0, 1, -1, 1, 0])
    for ours, theirs in [
        (mc.binary_calibration_error(n_bins=3, ignore_index=-1), tmf.binary_calibration_error(p, t, 3, "l1", -1)),
        (mc.binary_hinge_loss(ignore_index=-1), tmf.binary_hinge_loss(p, t, ignore_index=-1)),
    ]:
        assert_close(ours(p, t), theirs)
    assert_close(mc.binary_hinge_loss(ignore_index=-1)(p, t), mc.binary_hinge_loss()(p[t >= 0], t[t >= 0]))


def test_auto_decision_multilabel_counts_ignored_elements() -> None:
    # ...but for multilabel it normalizes before masking: one out-of-range ignored score
    # turns the whole batch into logits
    p = torch.tensor([[0.2, 0.7, 5.0], [0.9, 0.4, 0.1]])
    t = torch.tensor([[0, 1, -1], [1, 0, 0]])
    for name in ("multilabel_coverage_error", "multilabel_ranking_average_precision", "multilabel_ranking_loss"):
        ours = getattr(mc, name)(num_labels=3, ignore_index=-1)(p, t)
        assert_close(ours, getattr(tmf, name)(p, t, num_labels=3, ignore_index=-1), what=name)


@pytest.mark.parametrize(
    ("factory", "kwargs", "activation"),
    [
        (mc.binary_calibration_error, {}, torch.sigmoid),
        (mc.binary_hinge_loss, {"squared": True}, torch.sigmoid),
        (mc.multiclass_calibration_error, {"num_classes": 3}, lambda x: x.softmax(1)),
        (mc.multiclass_hinge_loss, {"num_classes": 3}, lambda x: x.softmax(1)),
    ],
)
def test_logits_format_equals_activated_probabilities(factory, kwargs, activation) -> None:
    g = gen(3)
    multiclass = "num_classes" in kwargs
    x = torch.randn(40, 3, generator=g) if multiclass else torch.randn(40, generator=g)
    t = torch.randint(0, 3 if multiclass else 2, (40,), generator=g)
    # small logits: some batches fall in [0, 1], where "auto" would take them as probabilities
    x = x.abs() * 0.1
    logits = factory(**kwargs, input_format="logits")(x, t)
    probs = factory(**kwargs, input_format="probabilities")(activation(x), t)
    assert_close(logits, probs)
    assert not torch.allclose(factory(**kwargs)(x, t), logits)


def test_float64_inputs() -> None:
    g = gen(4)
    p, t = torch.rand(30, 4, generator=g, dtype=torch.float64).softmax(1), torch.randint(0, 4, (30,), generator=g)
    assert_close(mc.multiclass_calibration_error(num_classes=4)(p, t), tmf.multiclass_calibration_error(p, t, 4))
    assert_close(mc.multiclass_hinge_loss(num_classes=4)(p, t), tmf.multiclass_hinge_loss(p, t, 4))


def test_calibration_confidence_of_one_has_its_own_bin() -> None:
    p, t = torch.tensor([1.0, 1.0, 0.95, 0.5]), torch.tensor([1, 0, 1, 1])
    for norm in ("l1", "l2", "max"):
        expected = tmf.binary_calibration_error(p, t, n_bins=10, norm=norm)
        assert_close(mc.binary_calibration_error(n_bins=10, norm=norm)(p, t), expected, what=norm)


# ----------------------------------------------------------------------------- empty states


def test_empty_state_values() -> None:
    assert torch.isnan(mc.binary_calibration_error().compute(mc.binary_calibration_error().init()))
    assert torch.isnan(mc.binary_hinge_loss().compute(mc.binary_hinge_loss().init()))
    m = mc.multilabel_ranking_loss(num_labels=3)
    assert m.compute(m.init()) == 0  # TorchMetrics returns 0 for no usable sample
    empty = (torch.zeros(0, 3), torch.zeros(0, 3, dtype=torch.long))
    assert_close(m(*empty), tmf.multilabel_ranking_loss(*empty, num_labels=3))


# ----------------------------------------------------------------------------- groups


def test_absent_group_is_left_out_of_fairness() -> None:
    # group 1 never occurs: its key stays (NaN rates) and it is not compared
    preds = torch.tensor([0.9, 0.8, 0.1, 0.9, 0.2, 0.1])
    target = torch.tensor([1, 1, 0, 1, 1, 0])
    groups = torch.tensor([0, 0, 0, 2, 2, 2])
    rates = mc.binary_groups_stat_rates(num_groups=3)(preds, target, groups)
    assert torch.isnan(rates["group_1"]).all()
    assert_close(rates["group_2"], torch.tensor([1 / 3, 0, 1 / 3, 1 / 3]))
    fair = mc.binary_fairness(num_groups=3)(preds, target, groups)
    assert_close(fair["DP"], torch.tensor(0.5))  # 1/3 positive in group 2, 2/3 in group 0
    assert (int(fair["DP_min_group"]), int(fair["DP_max_group"])) == (2, 0)
    assert_close(fair["EO"], torch.tensor(0.5))  # TPR 1/2 in group 2, 1 in group 0
    assert (int(fair["EO_min_group"]), int(fair["EO_max_group"])) == (2, 0)


def test_demographic_parity_needs_no_target() -> None:
    g = gen(5)
    p, groups = torch.rand(20, generator=g), torch.randperm(20, generator=g) % 2
    t = torch.randint(0, 2, (20,), generator=g)
    m = mc.binary_fairness(num_groups=2, task="demographic_parity")
    with pytest.warns(metrix.MetrixWarning, match="^binary_fairness: task='demographic_parity' does not use target"):
        assert_close(m(p, None, groups), m(p, t, groups))
    assert_close(m(p, None, groups), mc.demographic_parity(num_groups=2)(p, groups))


def test_elementwise_groups() -> None:
    g = gen(6)
    p, t = torch.rand(10, 3, generator=g), torch.randint(0, 2, (10, 3), generator=g)
    groups = torch.randint(0, 2, (10, 3), generator=g)
    got = mc.binary_groups_stat_rates(num_groups=2)(p, t, groups)
    expected = tmf.binary_groups_stat_rates(p.reshape(-1), t.reshape(-1), groups.reshape(-1), num_groups=2)
    assert_close(got, expected)


# ----------------------------------------------------------------------------- shared states


def test_shared_state_keys() -> None:
    norms = [mc.binary_calibration_error(norm=n) for n in ("l1", "l2", "max")]
    assert len({m.key for m in norms}) == 1
    group_stats = [
        mc.binary_groups_stat_rates(num_groups=3),
        mc.binary_fairness(num_groups=3),
        mc.binary_fairness(num_groups=3, task="equal_opportunity"),
        mc.equal_opportunity(num_groups=3),
    ]
    assert len({m.key for m in group_stats}) == 1
    assert mc.binary_fairness(num_groups=3, task="demographic_parity").key != group_stats[0].key
    ranking = [
        mc.multilabel_coverage_error(num_labels=3),
        mc.multilabel_ranking_average_precision(num_labels=3),
        mc.multilabel_ranking_loss(num_labels=3),
    ]
    assert len({m.key for m in ranking}) == 3


def test_failed_update_in_probabilities_mode_leaves_state() -> None:
    m = mc.multiclass_calibration_error(num_classes=3, input_format="probabilities")
    s = m.update(m.init(), torch.rand(4, 3).softmax(1), torch.tensor([0, 1, 2, 0]))
    before = [x.clone() for x in (s.count, s.correct, s.confidence)]
    with pytest.raises(ValueError, match="probabilities"):
        m.update(s, torch.full((4, 3), 2.0), torch.tensor([0, 1, 2, 0]))
    assert all(torch.equal(a, b) for a, b in zip(before, (s.count, s.correct, s.confidence)))
