"""A pure-torch solver for the linear assignment problem (square cost matrices).

The Hungarian algorithm in its shortest-augmenting-path form (Jonker–Volgenant style
potentials, O(n³)): rows are added one at a time, and each addition grows a tree of
tight edges from the new row until it reaches a free column, updating the dual
potentials ``u`` (rows) and ``v`` (columns) so that every reduced cost stays >= 0. The
result is an optimal assignment, exactly (integer costs stay integers in float64).

Adding row ``i`` needs at most ``i`` tree steps (the tree visits each of the ``i - 1``
matched columns at most once before a free one) and its augmenting path is at most
``i`` long. Eager code stops each loop as soon as it is done; traced code
(``torch.compile``, ``vmap``) runs exactly those static bounds with the finished steps
masked to no-ops, so the same kernel compiles with static shapes and vmaps over a batch
of cost matrices. The eager path agrees with ``scipy.optimize.linear_sum_assignment``
on the optimal total (and on the assignment when the optimum is unique).
"""

from __future__ import annotations

import torch
from torch import Tensor

from metrix._core.checks import is_tracing

__all__ = ["linear_sum_assignment"]

F64 = torch.float64


def _at(x: Tensor, index: Tensor) -> Tensor:
    """``x[index]`` for a 0-d index tensor, in a form vmap batches."""
    return x.index_select(0, index.reshape(1)).reshape(x.shape[1:])


def linear_sum_assignment(cost: Tensor, *, maximize: bool = False) -> Tensor:
    """The column assigned to each row in an optimal assignment of a square ``(n, n)`` cost matrix.

    Args:
        cost: a finite ``(n, n)`` matrix.
        maximize: maximise the total instead of minimising it.

    Returns:
        An int64 ``(n,)`` tensor ``col`` such that ``cost[arange(n), col].sum()`` is optimal.

    Example:
        >>> import torch
        >>> from metrix.clustering._linear_assignment import linear_sum_assignment
        >>> linear_sum_assignment(torch.tensor([[4.0, 1, 3], [2, 0, 5], [3, 2, 2]]))
        tensor([1, 0, 2])
    """
    n = cost.shape[-1]
    if cost.dim() != 2 or cost.shape[0] != n:
        raise ValueError(f"cost must be a square (n, n) matrix, got shape {tuple(cost.shape)}")
    device = cost.device
    if n == 0:
        return torch.zeros(0, dtype=torch.int64, device=device)
    traced = is_tracing(cost)
    c = cost.to(F64)
    if maximize:
        c = -c
    # 1-based: row 0 and column 0 are the algorithm's sentinels
    a = torch.nn.functional.pad(c, (1, 0, 1, 0))
    columns = torch.arange(n + 1, device=device)
    inf = torch.tensor(torch.inf, dtype=F64, device=device)
    u = torch.zeros(n + 1, dtype=F64, device=device)
    v = torch.zeros(n + 1, dtype=F64, device=device)
    match = torch.zeros(n + 1, dtype=torch.int64, device=device)  # match[j]: row of column j (0: free)
    way = torch.zeros(n + 1, dtype=torch.int64, device=device)
    for i in range(1, n + 1):
        match = torch.where(columns == 0, i, match)
        j0 = torch.zeros((), dtype=torch.int64, device=device)
        slack = inf.expand(n + 1).clone()
        used = torch.zeros(n + 1, dtype=torch.bool, device=device)
        active = torch.ones((), dtype=torch.bool, device=device)
        for _ in range(i):
            used_now = used | (columns == j0)
            row = _at(match, j0)
            reduced = _at(a, row) - _at(u, row) - v
            better = ~used_now & (reduced < slack)
            slack_now = torch.where(better, reduced, slack)
            way_now = torch.where(better, j0, way)
            delta, j1 = torch.where(used_now, inf, slack_now).min(0)
            delta = torch.where(active, delta, 0.0)
            # u[match[j]] += delta for every tree column j (their rows are distinct)
            u = u.scatter_add(0, match, torch.where(used_now, delta, 0.0))
            v = torch.where(used_now, v - delta, v)
            slack = torch.where(active, torch.where(used_now, slack_now, slack_now - delta), slack)
            way = torch.where(active, way_now, way)
            used = torch.where(active, used_now, used)
            j0 = torch.where(active, j1, j0)
            active = active & (_at(match, j0) != 0)
            if not traced and not bool(active):
                break
        # augment along the path back to column 0
        for _ in range(i):
            go = j0 != 0
            j1 = _at(way, j0)
            match = torch.where(go & (columns == j0), _at(match, j1), match)
            j0 = torch.where(go, j1, j0)
            if not traced and not bool(j0 != 0):
                break
    rows = match[1:] - 1
    return torch.zeros(n, dtype=torch.int64, device=device).scatter(0, rows, torch.arange(n, device=device))
