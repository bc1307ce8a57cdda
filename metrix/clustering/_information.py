"""Information-theoretic kernels on a contingency table (rows: classes, columns: clusters).

Entropies and mutual information in nats, computed in float64 from int64 counts;
empty rows and columns contribute nothing (``0 log 0 = 0``), so a fixed table with
unused labels gives the same values as the table of the labels present.

The expected mutual information of two random labelings with the table's marginals
(the ``AMI`` correction, Vinh, Epps and Bailey 2010) is a sum over hypergeometric
probabilities. Terms whose probability is below ``exp(-800)`` are exactly 0 in float64
(the smallest positive double is about ``exp(-745)``), and Hoeffding's bound for the
hypergeometric tail, ``P(|X - E X| >= d) <= 2 exp(-2 d² / m)`` with ``m = min(a, b)``,
puts every such term outside ``E X ± 20 sqrt(m)``; so only that window is summed, which
is exact to rounding and keeps the sum O(k² sqrt(n)) rather than O(k² n).
"""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["entropy_of", "expected_mutual_info", "generalized_mean", "marginals", "mutual_info_of"]

F64 = torch.float64
AVERAGE_METHODS = ("min", "geometric", "arithmetic", "max")
_TERMS_PER_CHUNK = 1 << 22


def marginals(table: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """``(t, rows, cols, n)``: the table as float64, its row and column sums and its total."""
    t = table.to(F64)
    rows, cols = t.sum(-1), t.sum(-2)
    return t, rows, cols, rows.sum(-1)


def entropy_of(counts: Tensor, n: Tensor) -> Tensor:
    """Entropy (nats) of a vector of counts with total ``n``; empty entries are skipped."""
    seen = counts > 0
    safe = torch.where(seen, counts, 1.0)
    return -torch.where(seen, counts / n * (torch.log(safe) - torch.log(n)), 0.0).sum(-1)


def mutual_info_of(table: Tensor) -> Tensor:
    """Mutual information (nats) between the row and the column labels of a table."""
    t, rows, cols, n = marginals(table)
    seen = t > 0
    log_rows = torch.log(torch.where(rows > 0, rows, 1.0))
    log_cols = torch.log(torch.where(cols > 0, cols, 1.0))
    log_t = torch.log(torch.where(seen, t, 1.0))
    terms = t / n * (torch.log(n) + log_t - log_rows.unsqueeze(-1) - log_cols.unsqueeze(-2))
    return torch.where(seen, terms, 0.0).sum((-2, -1))


def generalized_mean(a: Tensor, b: Tensor, method: str) -> Tensor:
    """The ``"min"``, ``"geometric"``, ``"arithmetic"`` or ``"max"`` mean of two entropies."""
    if method == "min":
        return torch.minimum(a, b)
    if method == "max":
        return torch.maximum(a, b)
    if method == "geometric":
        return torch.exp((torch.log(a) + torch.log(b)) / 2)
    return (a + b) / 2


def expected_mutual_info(table: Tensor) -> Tensor:
    """Expected mutual information (nats) under the permutation model, given the table's marginals (eager)."""
    _, rows, cols, n = marginals(table)
    a = rows[rows > 0]
    b = cols[cols > 0]
    if a.numel() <= 1 or b.numel() <= 1:  # one label on a side: every term has log(1) = 0
        return torch.zeros((), dtype=F64, device=table.device)
    pa = a.unsqueeze(1).expand(-1, b.numel()).reshape(-1)
    pb = b.unsqueeze(0).expand(a.numel(), -1).reshape(-1)
    low = torch.clamp(pa + pb - n, min=1.0)
    high = torch.minimum(pa, pb)
    center = pa * pb / n
    reach = 20.0 * torch.sqrt(torch.minimum(pa, pb)) + 1.0
    low = torch.maximum(low, torch.floor(center - reach))
    high = torch.minimum(high, torch.ceil(center + reach))
    lengths = torch.clamp(high - low + 1, min=0).to(torch.int64)
    constant = torch.lgamma(pa + 1) + torch.lgamma(pb + 1) + torch.lgamma(n - pa + 1) + torch.lgamma(n - pb + 1)
    constant = constant - torch.lgamma(n + 1)
    log_ab = torch.log(pa) + torch.log(pb)
    total = torch.zeros((), dtype=F64, device=table.device)
    # chunks of whole pairs keep the temporaries bounded for large n
    ends = torch.cumsum(lengths, 0)
    start = 0
    count = lengths.numel()
    while start < count:
        base = int(ends[start - 1]) if start else 0
        stop = int(torch.searchsorted(ends, base + _TERMS_PER_CHUNK, right=True))
        stop = max(stop, start + 1)
        sizes = lengths[start:stop]
        pair = torch.repeat_interleave(torch.arange(start, stop, device=table.device), sizes)
        if pair.numel():
            first = torch.cumsum(sizes, 0) - sizes
            offset = torch.arange(pair.numel(), device=table.device) - torch.repeat_interleave(first, sizes)
            nij = low[pair] + offset.to(F64)
            ai, bj = pa[pair], pb[pair]
            log_p = (
                constant[pair]
                - torch.lgamma(nij + 1)
                - torch.lgamma(ai - nij + 1)
                - torch.lgamma(bj - nij + 1)
                - torch.lgamma(n - ai - bj + nij + 1)
            )
            total = total + (nij / n * (torch.log(n) + torch.log(nij) - log_ab[pair]) * torch.exp(log_p)).sum()
        start = stop
    return total
