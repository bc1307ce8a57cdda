"""Perplexity: ``exp`` of the mean negative log-likelihood of the target tokens.

The state is a float64 sum of ``-log p(target)`` and an int64 count of scored tokens,
so it merges and syncs exactly, compiles once and vmaps: ``ignore_index`` is a mask (a
weight of 0), never boolean indexing, and the log-probabilities come from
``log_softmax`` (more accurate than TorchMetrics' ``log(softmax)``, equal to float
tolerance).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_bool, check_optional_int, check_tensor
from metrix._core.checks import check_finite, check_in_range
from metrix._core.metric import Metric, factory
from metrix._core.state import leaf, state

__all__ = ["PerplexityState", "perplexity"]


@state
class PerplexityState:
    """Sum of negative log-likelihoods and number of scored tokens."""

    total: Tensor = leaf("sum")  # float64 (): sum of -log p(target token)
    count: Tensor = leaf("sum")  # int64 (): tokens scored (ignore_index excluded)


@factory(higher_is_better=False)
def perplexity(ignore_index: int | None = None, *, validate_args: bool = True) -> Metric:
    """Perplexity of a language model's logits ``(N, T, V)`` on target tokens ``(N, T)``.

    Same arguments and values as ``torchmetrics.functional.text.perplexity``: the
    logits are normalised with a softmax over the last dimension.

    Args:
        ignore_index: a target value whose tokens are not scored (e.g. padding, -100).
        validate_args: check that logits are finite and targets lie in ``[0, V)`` (or
            equal ``ignore_index``); shapes and dtypes are always checked.

    Returns:
        A metric whose ``update(state, preds, target)`` takes float logits of shape
        ``(N, T, V)`` and int64 targets of shape ``(N, T)``; its value is a float32 scalar
        (computed in float64; NaN before any token).

    Example:
        >>> import torch
        >>> from metrix.text import perplexity
        >>> logits = torch.tensor([[[2.0, 0.0, 0.0], [0.0, 2.0, 0.0]]])
        >>> perplexity()(logits, torch.tensor([[0, 2]]))
        tensor(3.4540)
        >>> perplexity(ignore_index=-100)(logits, torch.tensor([[0, -100]]))
        tensor(1.2707)
    """
    ignore_index = check_optional_int(ignore_index, "ignore_index")
    validate_args = check_bool(validate_args, "validate_args")

    def init(*, device: Any = None) -> PerplexityState:
        return PerplexityState(
            torch.zeros((), dtype=torch.float64, device=device), torch.zeros((), dtype=torch.int64, device=device)
        )

    def update(s: PerplexityState, preds: Any, target: Any) -> PerplexityState:
        check_tensor(preds, "preds")
        check_tensor(target, "target")
        if preds.dim() != 3:
            raise ValueError(f"preds must have shape (batch, seq_len, vocab_size), got {tuple(preds.shape)}")
        if target.dim() != 2:
            raise ValueError(f"target must have shape (batch, seq_len), got {tuple(target.shape)}")
        if preds.shape[:2] != target.shape:
            raise ValueError(
                f"preds and target must agree on (batch, seq_len), got preds {tuple(preds.shape)} "
                f"and target {tuple(target.shape)}"
            )
        if not preds.is_floating_point():
            raise TypeError(f"preds must be floating point logits, got dtype {preds.dtype}")
        if target.dtype != torch.int64:
            raise TypeError(f"target must be int64 token ids, got dtype {target.dtype}")
        vocab = preds.shape[-1]
        check_finite(preds, "preds", enabled=validate_args)
        check_in_range(
            target,
            0,
            vocab,
            f"target must hold token ids in [0, {int(vocab)})"
            + (f" or ignore_index={int(ignore_index)}" if ignore_index is not None else ""),
            allowed=ignore_index,
            enabled=validate_args,
        )
        keep = torch.ones_like(target, dtype=torch.bool) if ignore_index is None else target != ignore_index
        tokens = torch.where(keep, target, 0).clamp(0, vocab - 1)  # out-of-range ids only with validate_args=False
        log_probs = torch.log_softmax(preds.to(torch.promote_types(preds.dtype, torch.float32)), dim=-1)
        picked = log_probs.gather(-1, tokens.unsqueeze(-1)).squeeze(-1).to(torch.float64)
        nll = -torch.where(keep, picked, 0.0).sum()
        return PerplexityState(s.total + nll, s.count + keep.sum())

    def compute(s: PerplexityState) -> Tensor:
        return torch.exp(s.total / s.count).to(torch.float32)

    return Metric(init, update, compute, name="perplexity", key=("perplexity", ignore_index, validate_args))
