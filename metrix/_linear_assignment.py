"""A pure-torch solver for the linear assignment problem, shared by clustering and audio.

The Hungarian algorithm in its shortest-augmenting-path form (Jonker–Volgenant
potentials, O(n³) per matrix, e-maxx layout): rows are added one at a time, and each
addition grows a tree of tight edges from the new row until it reaches a free column,
updating the dual potentials ``u`` (rows) and ``v`` (columns) so that every reduced cost
stays >= 0. The result is an optimal assignment, exactly (integer costs stay integers in
float64).

Adding row ``i`` needs at most ``i`` tree steps and its augmenting path is at most ``i``
long. It runs over a batch of matrices at once. Eager code stops each loop as soon as
every member is done; traced code (``torch.compile``, ``vmap``) runs exactly those static
bounds with finished steps masked to no-ops, so the same kernel compiles with static
shapes and vmaps. ``cluster_accuracy`` and permutation-invariant training use it where
TorchMetrics calls SciPy or a compiled extension on the host.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from metrix._core.checks import is_tracing

__all__ = ["linear_sum_assignment"]


def _gather1(x: Tensor, idx: Tensor) -> Tensor:
    return x.gather(1, idx.unsqueeze(1)).squeeze(1)


def linear_sum_assignment(cost: Tensor, *, maximize: bool = False) -> Tensor:
    """The column assigned to each row in an optimal assignment of square cost matrices.

    Args:
        cost: a finite ``(n, n)`` matrix, or a batch ``(B, n, n)`` of them.
        maximize: maximise the total instead of minimising it.

    Returns:
        An int64 tensor ``col`` of shape ``(n,)`` (or ``(B, n)``) such that
        ``cost[..., arange(n), col].sum(-1)`` is optimal.

    Example:
        >>> import torch
        >>> from metrix._linear_assignment import linear_sum_assignment
        >>> linear_sum_assignment(torch.tensor([[4.0, 1, 3], [2, 0, 5], [3, 2, 2]]))
        tensor([1, 0, 2])
    """
    if cost.dim() not in (2, 3) or cost.shape[-1] != cost.shape[-2]:
        raise ValueError(f"cost must be a square (n, n) matrix or a batch (B, n, n), got shape {tuple(cost.shape)}")
    if cost.dim() == 2:
        return linear_sum_assignment(cost.unsqueeze(0), maximize=maximize).squeeze(0)
    b, n = cost.shape[:2]
    device = cost.device
    if n == 0:
        return torch.zeros(b, 0, dtype=torch.int64, device=device)
    traced = is_tracing(cost)
    c = cost.to(torch.float64)
    a = F.pad(-c if maximize else c, (1, 0, 1, 0))  # 1-based: row/column 0 are the algorithm's sentinels
    inf = torch.tensor(float("inf"), dtype=torch.float64, device=device)
    u = torch.zeros(b, n + 1, dtype=torch.float64, device=device)
    v = torch.zeros(b, n + 1, dtype=torch.float64, device=device)
    p = torch.zeros(b, n + 1, dtype=torch.int64, device=device)  # p[j]: row matched to column j (0: free)
    way = torch.zeros(b, n + 1, dtype=torch.int64, device=device)
    column0 = F.one_hot(torch.zeros(b, dtype=torch.int64, device=device), n + 1).bool()
    for i in range(1, n + 1):
        p = torch.where(column0, torch.full_like(p, i), p)
        j0 = torch.zeros(b, dtype=torch.int64, device=device)
        minv = torch.full((b, n + 1), float("inf"), dtype=torch.float64, device=device)
        used = torch.zeros(b, n + 1, dtype=torch.bool, device=device)
        active = torch.ones(b, dtype=torch.bool, device=device)
        for _ in range(i):  # the tree visits at most i columns before a free one
            on = active.unsqueeze(1)
            used = used | (F.one_hot(j0, n + 1).bool() & on)
            i0 = _gather1(p, j0)
            row = a.gather(1, i0.reshape(b, 1, 1).expand(b, 1, n + 1)).squeeze(1)
            cur = row - _gather1(u, i0).unsqueeze(1) - v
            free = ~used & ~column0
            better = free & (cur < minv) & on
            minv = torch.where(better, cur, minv)
            way = torch.where(better, j0.unsqueeze(1), way)
            delta, j1 = torch.where(free, minv, inf).min(dim=1)
            delta = torch.where(active, delta, torch.zeros_like(delta))
            step = torch.where(used, delta.unsqueeze(1), torch.zeros_like(minv))
            # u[p[j]] += delta for every tree column j (their rows are distinct)
            u = u + torch.zeros_like(u).scatter_add(1, p, step)
            v = v - step
            minv = torch.where(~used & on, minv - delta.unsqueeze(1), minv)
            j0 = torch.where(active, j1, j0)
            active = active & (_gather1(p, j0) != 0)
            if not traced and not bool(active.any()):
                break
        for _ in range(i):  # augment along the path back to the sentinel column
            going = j0 != 0
            j1 = _gather1(way, j0)
            hit = F.one_hot(j0, n + 1).bool() & going.unsqueeze(1)
            p = torch.where(hit, _gather1(p, j1).unsqueeze(1), p)
            j0 = torch.where(going, j1, j0)
            if not traced and not bool((j0 != 0).any()):
                break
    cols = torch.arange(n + 1, device=device).expand(b, n + 1)
    perm = torch.zeros(b, n + 1, dtype=torch.int64, device=device).scatter(1, p, cols)
    return perm[:, 1:] - 1
