"""The catalogue entry type and helpers shared by the law tests."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import Tensor

import metrix


@dataclasses.dataclass(frozen=True)
class BadInput:
    """Inputs that must be rejected with ``error`` whose message matches ``match``."""

    make: Callable[[torch.Generator], tuple[Any, ...]]
    error: type[Exception]
    match: str
    # also rejected under compile and vmap (value checks raise ValueError there too)
    traced: bool = False


@dataclasses.dataclass(frozen=True)
class Case:
    """One metric configuration in the law suite.

    Attributes:
        id: unique, readable test id.
        factory: the metrix factory; ``factory(*args, **kwargs)`` builds the metric.
        kwargs: the configuration.
        args: positional arguments of the factory (``compose(fn, *metrics)``).
        inputs: ``inputs(gen, n)`` returns the update inputs, each with a leading sample
            dim of length ``n`` (so any split along dim 0 is a valid batching): tensors,
            or lists with one item per sample (strings, dicts of boxes). Other values
            (``None``, scalars, 0-d tensors) pass through every split unchanged.
        keywords: names of the trailing inputs that ``update`` takes by keyword
            (``("indexes",)``, ``("sample_weight",)``); the reference gets all inputs
            positionally.
        reference: ``reference(*inputs)`` on all the data, computed by the oracle
            (TorchMetrics functional, scikit-learn, SciPy, NumPy).
        fixed_state: the state has a fixed size, so compile and vmap laws apply.
        split_invariant: the value does not depend on the batching (False for running
            windows).
        bad_inputs: inputs that must be rejected.
        vmap: whether the vmap law applies (False only with a reason in ``note``).
        n: number of samples for the reference test.
        weighted: the metric takes ``sample_weight=`` (and these inputs do not pass it):
            ``tests/test_weights.py`` derives weighted variants of the Case and checks the
            weighted laws (all-ones weights equal none, weight 0 drops a sample, an
            integer weight repeats it; merge, split invariance, compile and vmap with
            weights). A metric that takes weights must set it (checked there).
        weight_repeats: with ``weighted``, an integer weight ``k`` gives the value of ``k``
            repeats of the sample. False only for fixed-length curves (``capacity=``), whose
            layout has one point per stored row: a repeated row takes ``k`` points (a tie
            group), a weighted one takes one, so the arrays differ by where the padding sits
            while the curves (deduplicated) are equal; the other weighted laws still run.
        rank_streams: the metric draws random numbers from streams keyed by the process
            rank (``bootstrap``): the gloo law compares ``sync`` with the merge of the
            states every rank builds, rebuilt locally with ``stream=rank``.
    """

    id: str
    factory: Callable[..., metrix.Metric]
    kwargs: dict[str, Any]
    inputs: Callable[[torch.Generator, int], tuple[Any, ...]]
    reference: Callable[..., Any]
    keywords: tuple[str, ...] = ()
    atol: float = 1e-6
    rtol: float = 1e-5
    fixed_state: bool = True
    split_invariant: bool = True
    vmap: bool = True
    compile: bool = True
    bad_inputs: Sequence[BadInput] = ()
    n: int = 64
    # compute returns samples in arrival order (cat): merge commutes only up to order
    ordered: bool = False
    note: str = ""
    weighted: bool = False
    weight_repeats: bool = True
    rank_streams: bool = False
    args: tuple[Any, ...] = ()

    def metric(self) -> metrix.Metric:
        """Build the metric: ``factory(*args, **kwargs)``."""
        return self.factory(*self.args, **self.kwargs)

    def call_args(self, inputs: Sequence[Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """Split inputs into ``update``'s positional and keyword arguments."""
        k = len(self.keywords)
        if not k:
            return tuple(inputs), {}
        return tuple(inputs[:-k]), dict(zip(self.keywords, inputs[-k:]))

    def update(self, m: metrix.Metric, state: Any, inputs: Sequence[Any]) -> Any:
        """``m.update(state, *inputs)`` with the keyword inputs passed by name."""
        args, kwargs = self.call_args(inputs)
        return m.update(state, *args, **kwargs)

    def positional_update(self, m: metrix.Metric) -> Callable[..., Any]:
        """``update(state, *inputs)`` with every input positional (vmap batches positional arguments only)."""

        def update(state: Any, *inputs: Any) -> Any:
            return self.update(m, state, inputs)

        return update

    def value(self, m: metrix.Metric, inputs: Sequence[Any]) -> Any:
        """One-shot value of ``m`` on ``inputs``."""
        args, kwargs = self.call_args(inputs)
        return m(*args, **kwargs)

    def __repr__(self) -> str:
        return f"Case({self.id})"


def tm_reference(fn: Callable[..., Any], *args: Any, quiet: bool = False, **kwargs: Any) -> Callable[..., Any]:
    """An oracle ``ref(*inputs) = fn(*inputs, *args, **kwargs)`` (e.g. a TorchMetrics functional).

    ``quiet=True`` silences the oracle's own warnings (TorchMetrics warns on degenerate data).
    """

    def ref(*inputs: Any) -> Any:
        if not quiet:
            return fn(*inputs, *args, **kwargs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*inputs, *args, **kwargs)

    return ref


def quietly(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` with warnings silenced (for oracles that warn on degenerate data)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def gen(seed: int) -> torch.Generator:
    """A seeded CPU generator."""
    return torch.Generator().manual_seed(seed)


def _per_sample(x: Any) -> bool:
    if isinstance(x, dict):  # a dict of per-sample inputs (multitask): sliced value by value
        return bool(x) and all(_per_sample(v) for v in x.values())
    return (isinstance(x, Tensor) and x.dim() > 0) or isinstance(x, list)


def _slice(x: Any, start: int, stop: int) -> Any:
    if isinstance(x, dict):
        return {k: _slice(v, start, stop) for k, v in x.items()}
    return x[start:stop]


def _length(x: Any) -> int:
    return _length(next(iter(x.values()))) if isinstance(x, dict) else len(x)


def slice_inputs(inputs: Sequence[Any], start: int, stop: int) -> tuple[Any, ...]:
    """Samples ``start:stop`` of every per-sample input (tensors, lists, dicts of them); others pass through."""
    return tuple(_slice(x, start, stop) if _per_sample(x) else x for x in inputs)


def _cat(xs: Sequence[Any]) -> Any:
    if isinstance(xs[0], dict):
        return {k: _cat([x[k] for x in xs]) for k in xs[0]}
    if isinstance(xs[0], Tensor) and xs[0].dim() > 0:
        return torch.cat(xs)
    if isinstance(xs[0], list):
        return [item for x in xs for item in x]
    return xs[0]


def cat_inputs(parts: Sequence[Sequence[Any]]) -> tuple[Any, ...]:
    """Concatenate the per-sample inputs of several slices (others pass through)."""
    return tuple(_cat(xs) for xs in zip(*parts))


def stack_inputs(members: Sequence[Sequence[Any]]) -> tuple[Any, ...]:
    """Stack the inputs of ensemble members along a new leading dim (tensors, dicts of tensors)."""

    def stack(xs: Sequence[Any]) -> Any:
        if isinstance(xs[0], dict):
            return {k: stack([x[k] for x in xs]) for k in xs[0]}
        return torch.stack(list(xs)) if isinstance(xs[0], Tensor) else xs[0]

    return tuple(stack(xs) for xs in zip(*members))


def inputs_len(inputs: Sequence[Any]) -> int:
    """Number of samples: the length of the first per-sample input."""
    return next(_length(x) for x in inputs if _per_sample(x))


def to_float(x: Any) -> Any:
    """Numbers, arrays and tensors as float64 tensors; containers recursively."""
    if isinstance(x, dict):
        return {k: to_float(v) for k, v in x.items()}
    if isinstance(x, (tuple, list)):
        return type(x)(to_float(v) for v in x)
    if isinstance(x, Tensor):
        return x.detach().to(torch.float64) if not x.is_complex() else x.detach()
    return torch.as_tensor(x, dtype=torch.float64)


def assert_close(got: Any, expected: Any, *, atol: float = 1e-6, rtol: float = 1e-5, what: str = "value") -> None:
    """Compare nested results (tensors, numbers, dicts, tuples), NaN equal to NaN."""
    if isinstance(expected, dict):
        assert isinstance(got, dict), f"{what}: expected a dict, got {type(got).__name__}"
        assert set(got) == set(expected), f"{what}: keys {sorted(got)} != {sorted(expected)}"
        for k in expected:
            assert_close(got[k], expected[k], atol=atol, rtol=rtol, what=f"{what}[{k!r}]")
        return
    if isinstance(expected, (tuple, list)):
        assert isinstance(got, (tuple, list)), f"{what}: expected a sequence, got {type(got).__name__}"
        assert len(got) == len(expected), f"{what}: length {len(got)} != {len(expected)}"
        for i, (g, e) in enumerate(zip(got, expected)):
            assert_close(g, e, atol=atol, rtol=rtol, what=f"{what}[{i}]")
        return
    g, e = to_float(got), to_float(expected)
    assert g.shape == e.shape, f"{what}: shape {tuple(g.shape)} != expected {tuple(e.shape)}"
    torch.testing.assert_close(g, e, atol=atol, rtol=rtol, equal_nan=True, msg=lambda m: f"{what}: {m}")


def leaves(tree: Any) -> list[Tensor]:
    """Every tensor in a state tree."""
    import torch.utils._pytree as pytree

    return [x for x in pytree.tree_leaves(tree) if isinstance(x, Tensor)]


def snapshot(tree: Any) -> list[Tensor]:
    """Copies of every tensor in a tree, to check later that nothing was mutated."""
    return [t.clone() for t in leaves(tree)]


def unchanged(tree: Any, snap: list[Tensor]) -> bool:
    """Whether a tree still equals its snapshot."""
    now = leaves(tree)
    return len(now) == len(snap) and all(
        a.shape == b.shape and a.dtype == b.dtype and torch.equal(a.nan_to_num(), b.nan_to_num())
        for a, b in zip(now, snap)
    )
