"""Permutation-invariant training (PIT): a metric under the best speaker assignment.

For each mixture, the metric of every (target speaker, estimated speaker) pair fills a
``(speakers, speakers)`` matrix, and the best assignment is the permutation maximising (or
minimising) its mean. Up to 4 speakers every permutation is tried (at most 24); from 5 on a
batched Hungarian algorithm (Jonker–Volgenant potentials, e-maxx form) solves it in pure
torch with a fixed number of steps, so it traces under compile and vmap. TorchMetrics
calls SciPy's ``linear_sum_assignment`` on the host from 3 speakers on; the best value is
the same (ties aside, the permutation too).

The state is a float64 sum of the per-mixture best values and an int64 count, as
TorchMetrics' class keeps.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from metrix._core.args import check_choice, check_tensor
from metrix._core.checks import check_finite
from metrix._core.metric import Metric, factory
from metrix._core.state import state
from metrix._linear_assignment import linear_sum_assignment
from metrix.audio._inputs import F64, MeanScoreState, check_bool, mean_score_metric

__all__ = ["PITState", "best_permutation", "permutation_invariant_training", "pit_permutate"]

_EXHAUSTIVE_MAX = 4


@state
class PITState(MeanScoreState):
    """Sum of per-mixture best metric values and number of mixtures."""


def _permutations(n: int, device: torch.device) -> Tensor:
    return torch.tensor(list(itertools.permutations(range(n))), dtype=torch.int64, device=device)


def best_permutation(matrix: Tensor, eval_func: str = "max") -> tuple[Tensor, Tensor]:
    """Best mean value and permutation of each ``(B, target, preds)`` metric matrix.

    Returns:
        ``(best (B,), perm (B, speakers))`` with ``perm[b, t]`` the estimate assigned to target ``t``.
    """
    b, n = matrix.shape[:2]
    if n <= _EXHAUSTIVE_MAX:
        perms = _permutations(n, matrix.device)  # (P, n)
        values = matrix.gather(2, perms.T.unsqueeze(0).expand(b, n, perms.shape[0])).mean(dim=1)  # (B, P)
        best, index = values.max(dim=1) if eval_func == "max" else values.min(dim=1)
        return best, perms[index]
    cost = -matrix if eval_func == "max" else matrix
    perm = linear_sum_assignment(cost)
    return matrix.gather(2, perm.unsqueeze(2)).mean(dim=(1, 2)), perm


def _resolve(metric_func: Any) -> Callable[..., Tensor]:
    kernel = getattr(metric_func, "__metrix_audio_kernel__", None)
    if kernel is not None:
        return kernel
    if not callable(metric_func):
        raise TypeError(f"metric_func must be callable, got {type(metric_func).__name__}")
    return metric_func


@factory(higher_is_better=None)
def permutation_invariant_training(
    metric_func: Callable[..., Tensor],
    mode: str = "speaker-wise",
    eval_func: str = "max",
    *,
    validate_args: bool = True,
    **kwargs: Any,
) -> Metric:
    """Permutation-invariant training: ``metric_func`` under the best speaker permutation, averaged.

    Same arguments and values as ``torchmetrics.functional.audio.permutation_invariant_training``
    (the mean of its best metric, as ``torchmetrics.audio.PermutationInvariantTraining``).

    Args:
        metric_func: a function ``(preds, target, **kwargs) -> per-signal values`` (e.g. a
            TorchMetrics audio functional), or a metrix audio factory such as
            :func:`metrix.audio.scale_invariant_signal_distortion_ratio`, whose per-signal
            kernel is then used (batched over all speaker pairs at once).
        mode: ``"speaker-wise"`` (a pairwise matrix, then the best assignment) or
            ``"permutation-wise"`` (the metric of each permuted whole, exhaustively).
        eval_func: ``"max"`` if higher is better, ``"min"`` otherwise.
        validate_args: check that signals are finite (shapes are always checked).
        **kwargs: passed to ``metric_func`` (e.g. ``zero_mean=True``).

    Returns:
        A metric whose ``update(state, preds, target)`` takes ``(batch, speakers, ...)``
        tensors of one shape and whose value is the mean best metric (float64).

    Example:
        >>> import torch
        >>> from metrix.audio import permutation_invariant_training, scale_invariant_signal_distortion_ratio
        >>> g = torch.Generator().manual_seed(0)
        >>> target = torch.randn(3, 2, 100, generator=g)
        >>> preds = target.flip(1) + 0.1 * torch.randn(3, 2, 100, generator=g)  # speakers swapped
        >>> permutation_invariant_training(scale_invariant_signal_distortion_ratio)(preds, target)
        tensor(20.2742, dtype=torch.float64)

    Reference: Yu et al., "Permutation invariant training of deep models for speaker-independent
    multi-talker speech separation", ICASSP 2017.
    """
    func = _resolve(metric_func)
    batched = func is not metric_func
    mode = check_choice(mode, "mode", ("speaker-wise", "permutation-wise"))
    eval_func = check_choice(eval_func, "eval_func", ("max", "min"))
    validate_args = check_bool(validate_args, "validate_args")

    def scores(preds: Any, target: Any) -> Tensor:
        check_tensor(preds, "preds")
        check_tensor(target, "target")
        if target.dim() < 2:
            raise ValueError(f"preds and target must have shape (batch, speakers, ...), got {tuple(target.shape)}")
        if preds.shape[:2] != target.shape[:2]:
            raise ValueError(
                "preds and target must have the same batch and speaker dims, "
                f"got preds {tuple(preds.shape)} and target {tuple(target.shape)}"
            )
        check_finite(preds, "preds", enabled=validate_args)
        check_finite(target, "target", enabled=validate_args)
        b, n = target.shape[:2]
        if b == 0:
            return preds.new_zeros((0,), dtype=F64)
        if mode == "permutation-wise":
            perms = _permutations(n, preds.device)
            ppreds = preds.index_select(1, perms.reshape(-1)).reshape(b * perms.shape[0], *preds.shape[1:])
            ptarget = target.repeat_interleave(perms.shape[0], dim=0)
            values = func(ppreds, ptarget, **kwargs).reshape(b, perms.shape[0], -1).mean(-1)
            return values.max(dim=1).values if eval_func == "max" else values.min(dim=1).values
        if batched:
            # every (target t, estimate e) pair at once: (B, 1, E, ...) against (B, T, 1, ...)
            shape = (b, n, n, *target.shape[2:])
            matrix = func(preds.unsqueeze(1).expand(shape), target.unsqueeze(2).expand(shape), **kwargs)
        else:
            matrix = torch.stack(
                [torch.stack([func(preds[:, e], target[:, t], **kwargs) for e in range(n)], -1) for t in range(n)], 1
            )
        return best_permutation(matrix, eval_func)[0]

    name = "permutation_invariant_training"
    key = (name, metric_func, mode, eval_func, tuple(sorted(kwargs.items())), validate_args)
    return mean_score_metric(name, PITState, scores, key)


def pit_permutate(preds: Tensor, perm: Tensor) -> Tensor:
    """Reorder the speakers of ``preds (batch, speakers, ...)`` by ``perm (batch, speakers)``.

    A plain function with TorchMetrics' signature and values
    (``torchmetrics.functional.audio.pit_permutate``): nothing is accumulated, so it has no state.

    Args:
        preds: ``(batch, speakers, ...)`` estimates.
        perm: ``(batch, speakers)`` permutations, e.g. from :func:`best_permutation`.

    Returns:
        ``preds`` with ``out[b, s] = preds[b, perm[b, s]]``.

    Example:
        >>> import torch
        >>> from metrix.audio import pit_permutate
        >>> preds = torch.tensor([[[1.0], [2.0], [3.0]]])
        >>> pit_permutate(preds, torch.tensor([[2, 0, 1]])).flatten()
        tensor([3., 1., 2.])
    """
    check_tensor(preds, "preds")
    if not isinstance(perm, Tensor) or perm.shape != preds.shape[:2]:
        raise ValueError(
            f"perm must be a tensor of shape {tuple(preds.shape[:2])} (batch, speakers), got "
            f"{tuple(perm.shape) if isinstance(perm, Tensor) else type(perm).__name__}"
        )
    index = perm.reshape(*perm.shape, *([1] * (preds.dim() - 2))).expand(preds.shape)
    return preds.gather(1, index)


pit_permutate.__metrix_plain_function__ = True  # type: ignore[attr-defined]  # a marker attribute on a function object, which mypy does not let one declare
