"""Theil's U: the uncertainty coefficient ``U(X | Y) = (H(X) - H(X | Y)) / H(X)``.

``X`` is ``preds`` and ``Y`` is ``target``: the fraction of the entropy of ``preds``
that knowing ``target`` removes, in [0, 1]. Unlike the chi-squared coefficients it is
asymmetric. The state is the contingency table (see ``_contingency``); the entropies
ignore empty rows and columns (``0 log 0 = 0``).
"""

from __future__ import annotations

import torch
from torch import Tensor

from metrix.nominal._chi_squared import PairAssociation

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


theils_u = PairAssociation(
    "theils_u",
    theils_u_of,
    __name__,
    """Theil's U (uncertainty coefficient) of ``preds`` given ``target``, in [0, 1].

    ``U = (H(preds) - H(preds | target)) / H(preds)``, 0 when ``preds`` is constant.
    Same arguments and values as ``torchmetrics.functional.nominal.theils_u`` (and the
    ``TheilsU`` class with ``num_classes``), in float64.

    Example:
        >>> theils_u()(preds, target)
        tensor(0.6193, dtype=torch.float64)
    """,
).factory
