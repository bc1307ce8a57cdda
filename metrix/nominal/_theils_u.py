"""Theil's U: the uncertainty coefficient ``U(X | Y) = (H(X) - H(X | Y)) / H(X)``.

``X`` is ``preds`` and ``Y`` is ``target``: the fraction of the entropy of ``preds``
that knowing ``target`` removes, in [0, 1]. Unlike the chi-squared coefficients it is
asymmetric. The state is the contingency table (see ``_contingency``); the entropies
ignore empty rows and columns (``0 log 0 = 0``).
"""

from __future__ import annotations

import torch
from torch import Tensor

from metrix._core.metric import Metric, factory
from metrix.nominal import _parameter_docs as parameter_docs
from metrix.nominal._chi_squared import nominal_metric

__all__ = ["theils_u", "theils_u_of"]

F64 = torch.float64


def theils_u_of(table: Tensor) -> Tensor:
    """Theil's U of the column variable given the row variable, for ``(..., R, C)`` tables (0 when H(X) = 0)."""
    t = table.to(F64)
    n = t.sum((-2, -1))[..., None, None]
    rows, cols = t.sum(-1, keepdim=True), t.sum(-2)
    joint = t / n
    seen = t > 0
    # H(X | Y) = sum p(x, y) log(p(y) / p(x, y)) over the cells seen
    conditional = torch.where(seen, joint * torch.log(torch.where(seen, rows / t, 1.0)), 0.0).sum((-2, -1))
    p_x = cols / n[..., 0]
    entropy = -torch.where(cols > 0, p_x * torch.log(torch.where(cols > 0, p_x, 1.0)), 0.0).sum(-1)
    return torch.where(entropy == 0, 0.0, (entropy - conditional) / entropy)


@factory(higher_is_better=True)
@parameter_docs.PAIR
def theils_u(
    num_classes: int | None = None,
    nan_strategy: str = "replace",
    nan_replace_value: float | None = 0.0,
    *,
    validate_args: bool = True,
) -> Metric:
    """Theil's U (uncertainty coefficient) of ``preds`` given ``target``, in [0, 1].

    ``U = (H(preds) - H(preds | target)) / H(preds)``, 0 when ``preds`` is constant.
    Same arguments and values as ``torchmetrics.functional.nominal.theils_u`` (and the
    ``TheilsU`` class with ``num_classes``), in float64.

    Example:
        >>> import torch
        >>> from metrix.nominal import theils_u
        >>> preds = torch.tensor([0, 0, 1, 1, 2, 2, 0, 1])
        >>> target = torch.tensor([0, 0, 1, 1, 2, 1, 0, 2])
        >>> theils_u()(preds, target)
        tensor(0.6193, dtype=torch.float64)
    """
    return nominal_metric("theils_u", theils_u_of, num_classes, nan_strategy, nan_replace_value, validate_args)
