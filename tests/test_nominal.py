"""metrix.nominal beyond the catalogue: SciPy oracles, labels TorchMetrics cannot take, warnings, argument errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.stats
import torch
import torchmetrics.functional.nominal as tmn

import metrix
from metrix import nominal as mn
from metrix.nominal._chi_squared import chi_squared

G = torch.Generator().manual_seed(7)


def _pair(n: int = 400, k: int = 4) -> tuple[torch.Tensor, torch.Tensor]:
    preds = torch.randint(0, k, (n,), generator=G)
    target = torch.where(torch.rand(n, generator=G) < 0.5, preds, torch.randint(0, k, (n,), generator=G))
    return preds, target


def _table(preds: torch.Tensor, target: torch.Tensor, k: int) -> np.ndarray:
    table = np.zeros((k, k), dtype=np.int64)
    np.add.at(table, (target.numpy(), preds.numpy()), 1)
    return table


@pytest.mark.parametrize("k", [2, 3, 5])
def test_chi_squared_matches_scipy(k: int) -> None:
    preds, target = _pair(k=k)
    table = _table(preds, target, k)
    expected = scipy.stats.chi2_contingency(table, correction=False).statistic
    chi2, n, r, c = chi_squared(torch.from_numpy(table), False)
    assert float(chi2) == pytest.approx(expected, rel=1e-12)
    assert (int(n), int(r), int(c)) == (len(preds), k, k)


@pytest.mark.parametrize(
    ("name", "method"),
    [("cramers_v", "cramer"), ("tschuprows_t", "tschuprow"), ("pearsons_contingency_coefficient", "pearson")],
)
def test_association_matches_scipy(name: str, method: str) -> None:
    preds, target = _pair(k=4)
    expected = scipy.stats.contingency.association(_table(preds, target, 4), method=method)
    kwargs = {} if name == "pearsons_contingency_coefficient" else {"bias_correction": False}
    for num_classes in (None, 4, 6):
        got = getattr(mn, name)(num_classes, **kwargs)(preds, target)
        assert float(got) == pytest.approx(expected, rel=1e-12)


def test_theils_u_matches_scipy_entropies() -> None:
    preds, target = _pair(k=5)
    table = _table(preds, target, 5).astype(float)
    h_preds = scipy.stats.entropy(table.sum(0))
    h_conditional = sum(table[i].sum() / table.sum() * scipy.stats.entropy(table[i]) for i in range(5))
    expected = (h_preds - h_conditional) / h_preds
    assert float(mn.theils_u()(preds, target)) == pytest.approx(expected, rel=1e-12)
    assert float(mn.theils_u(num_classes=5)(preds, target)) == pytest.approx(expected, rel=1e-12)


def test_stored_labels_take_any_whole_numbers() -> None:
    # TorchMetrics' functional sizes its table by the number of distinct labels, so sparse
    # labels (here 10 and 30) break it; stored labels are renumbered and give its value
    # on the renumbered data
    preds, target = _pair(k=3)
    sparse_p, sparse_t = preds * 10 + 10, target * 10 - 30
    with pytest.raises(RuntimeError):
        tmn.cramers_v(sparse_p, sparse_t)
    expected = tmn.cramers_v(preds, target)
    assert float(mn.cramers_v()(sparse_p, sparse_t)) == pytest.approx(float(expected), rel=1e-5)


def test_fixed_and_stored_tables_agree_under_batching() -> None:
    preds, target = _pair(k=4)
    for factory in (mn.cramers_v, mn.tschuprows_t, mn.theils_u, mn.pearsons_contingency_coefficient):
        fixed, stored = factory(num_classes=4), factory()
        s_fixed, s_stored = fixed.init(), stored.init()
        for a in range(0, 400, 97):
            s_fixed = fixed.update(s_fixed, preds[a : a + 97], target[a : a + 97])
            s_stored = stored.update(s_stored, preds[a : a + 97], target[a : a + 97])
        assert float(fixed.compute(s_fixed)) == pytest.approx(float(stored.compute(s_stored)), rel=1e-12)


def test_fixed_state_is_a_table() -> None:
    m = mn.cramers_v(num_classes=4)
    preds, target = _pair(k=4)
    s = m.update(m.init(), preds, target)
    assert s.counts.shape == (4, 4) and s.counts.dtype == torch.int64
    assert torch.equal(s.counts, torch.from_numpy(_table(preds, target, 4)))


def test_bias_correction_failure_warns_and_gives_nan() -> None:
    # two samples, two categories: the corrected number of categories is 1
    preds, target = torch.tensor([0, 1]), torch.tensor([0, 1])
    with pytest.warns(metrix.MetrixWarning, match="cramers_v: unable to use bias correction"):
        value = mn.cramers_v()(preds, target)
    assert torch.isnan(value)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert torch.isnan(tmn.cramers_v(torch.tensor([0, 1, 2]), torch.tensor([0, 1, 2])))


def test_theils_u_constant_preds_is_zero() -> None:
    assert float(mn.theils_u()(torch.tensor([0, 0, 0]), torch.tensor([0, 1, 2]))) == 0.0


def test_fleiss_probs_with_more_categories_than_raters() -> None:
    # TorchMetrics sizes its one-hot by the raters (2 here) and fails on category 3;
    # counts built by hand give the same kappa
    ratings = torch.rand(30, 5, 2, generator=G)
    counts = torch.nn.functional.one_hot(ratings.argmax(1), 5).sum(1)
    expected = tmn.fleiss_kappa(counts)
    assert float(mn.fleiss_kappa("probs")(ratings)) == pytest.approx(float(expected), rel=1e-5)
    assert float(mn.fleiss_kappa("probs", num_categories=5)(ratings)) == pytest.approx(float(expected), rel=1e-5)


def test_rows_of_different_widths_do_not_merge_silently() -> None:
    m = mn.fleiss_kappa()
    a = m.update(m.init(), torch.ones(3, 3, dtype=torch.long))
    b = m.update(m.init(), torch.ones(3, 4, dtype=torch.long))
    with pytest.raises(ValueError, match="every update must have the same width"):
        m.update(a, torch.ones(2, 4, dtype=torch.long))
    with pytest.raises(ValueError, match="rows of widths 3 and 4"):
        m.compute(metrix.merge(a, b))


def test_matrix_diagonal_and_asymmetry() -> None:
    g = torch.Generator().manual_seed(3)
    data = torch.randint(0, 3, (200, 3), generator=g)
    data[:, 1] = data[:, 0] // 2  # column 1 is a function of column 0
    u = mn.theils_u_matrix(num_classes=3, num_variables=3)(data)
    assert torch.equal(u.diagonal(), torch.ones(3, dtype=torch.float64))
    assert float(u[1, 0]) == pytest.approx(1.0)  # column 0 determines column 1
    assert float(u[0, 1]) < 1.0
    torch.testing.assert_close(u, tmn.theils_u_matrix(data).to(torch.float64), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"num_classes": 0}, "num_classes must be an int >= 1 or None"),
        ({"nan_strategy": "mean"}, "nan_strategy must be one of"),
        ({"nan_replace_value": None}, "nan_replace_value must be an int or float"),
        ({"nan_replace_value": 0.5}, "whole number"),
    ],
)
def test_constructor_errors(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        mn.cramers_v(**kwargs)


def test_argument_of_a_wrong_type_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="bias_correction must be a bool"):
        mn.cramers_v(bias_correction="yes")


def test_fleiss_constructor_errors() -> None:
    with pytest.raises(ValueError, match="mode must be one of"):
        mn.fleiss_kappa("votes")
    with pytest.raises(ValueError, match="num_categories must be an int >= 1"):
        mn.fleiss_kappa(num_categories=0)
