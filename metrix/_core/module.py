"""``MetricModule``: the stateful ``nn.Module`` adapter over a pure :class:`Metric`."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import torch
import torch.distributed as dist
from torch import Tensor, nn

from metrix._core.checks import quietly, warn
from metrix._core.merge import check_compatible, merge_unchecked
from metrix._core.metric import Metric, check_metric, is_state_type
from metrix._core.state import Buffer, is_state, stored_values
from metrix._core.sync import sync as _sync
from metrix._core.tree import Entry, flatten, map_entries, unflatten

__all__ = ["MetricModule", "with_fused_forward"]

FusedForward = Callable[..., tuple[Any, Any]]  # (state, *inputs) -> (state, batch value)


class _FusedForwardMetric(Metric):
    """A :class:`Metric` that gives ``MetricModule.forward`` its result in one pass (:func:`with_fused_forward`)."""

    __slots__ = ("fused_forward",)

    fused_forward: FusedForward


def with_fused_forward(metric: Metric, fused_forward: FusedForward) -> Metric:
    """``metric``, with a one-pass ``forward`` for :class:`MetricModule`.

    ``MetricModule.forward`` builds a batch state from ``init()``, computes it and merges
    it into the running state: three guarded calls and the kernels of an update into a
    zero state. At batch 32 that glue is a quarter of a forward. A family whose batch
    state is a sum of exact counts can do all of it at once, e.g. add the batch's int64
    counts to the running state and compute the batch value straight from them.

    ``fused_forward(state, *inputs) -> (new_state, value)`` must equal, bitwise,
    ``(merge(state, batch), compute(batch))`` with ``batch = update(init(), *inputs)``,
    for positional inputs; it must not warn (the batch value never does), and its state
    must keep no autograd history. It runs in eager only, without keyword arguments; any
    error sends the call down the generic path, which raises the error as ``update``
    names it. Everything else (pickling as the factory call, ``key``) is ``metric``'s.
    """
    fused = _FusedForwardMetric(
        metric._init,
        metric._update,
        metric._compute,
        name=metric.name,
        key=metric.key,
        state_type=metric.state_type,
        batch_merge=metric.batch_merge,
        higher_is_better=metric.higher_is_better,
    )
    object.__setattr__(fused, "fused_forward", fused_forward)
    return fused


def _flat_leaves(tree: Any, prefix: str = "") -> Iterator[tuple[str, str, Any]]:
    """``(key, op, value)`` for every tensor of a state, with dotted keys for ``state_dict``.

    A buffer contributes two keys, ``<path>.data`` and ``<path>.count``.
    """
    for e in flatten(tree)[0]:
        key = f"{prefix}{e.path}"
        if e.op == "buffer":
            yield f"{key}.data", "buffer", e.value.data
            yield f"{key}.count", "buffer", e.value.count
        else:
            yield key, e.op, e.value


def _widened(saved: torch.dtype, expected: torch.dtype) -> bool:
    """An integer count saved before its leaf became float64 (loaded exactly below 2^53)."""
    return expected == torch.float64 and not saved.is_floating_point and not saved.is_complex and saved != torch.bool


def _absent_rule(tree: Any, path: str) -> tuple[str, float] | None:
    """The ``leaf(absent=...)`` rule of the field at dotted ``path`` of a state, if it declares one."""
    *parents, name = path.split(".")
    obj = tree
    try:
        for part in parents:
            if isinstance(obj, dict):
                obj = obj[part]
            elif isinstance(obj, (tuple, list)):
                obj = obj[int(part)]
            else:
                obj = getattr(obj, part)
    except (KeyError, IndexError, ValueError, AttributeError):
        return None
    if not is_state(obj) or isinstance(obj, Buffer):
        return None
    field = next((f for f in dataclasses.fields(obj) if f.name == name), None)
    return None if field is None else field.metadata.get("absent")


def _fill_absent(empty: Any, key: str, op: str, v: Any, loaded: dict[str, Any]) -> Any:
    """A ``cat`` leaf that a checkpoint lacks, rebuilt by its ``leaf(absent=(sibling, value))`` rule, else ``None``.

    The leaf was added after the checkpoint was saved: it holds ``value`` for each row the
    checkpoint's ``sibling`` field holds (a buffer: the sibling's count, ``value`` in every slot).
    """
    if op not in ("cat", "buffer"):
        return None
    path = key.rsplit(".", 1)[0] if op == "buffer" else key
    rule = _absent_rule(empty, path)
    if rule is None:
        return None
    sibling, value = rule
    where = path.rsplit(".", 1)[0] + "." + sibling if "." in path else sibling
    if op == "cat":
        rows = loaded.get(where)
        if rows is None:
            return None
        ref = v[0] if isinstance(v, tuple) else v
        return (torch.full((rows[0].shape[0],), value, dtype=ref.dtype, device=ref.device),)
    count = loaded.get(f"{where}.count")
    if count is None:
        return None
    if key.endswith(".count"):
        return count.clone()
    return torch.full_like(v, value)


def _replace_leaves(tree: Any, new: dict[str, Any]) -> Any:
    """The state ``tree`` with its leaves taken from ``new`` (keyed as :func:`_flat_leaves` names them)."""

    def pick(e: Entry) -> Any:
        if e.op == "buffer":
            return Buffer(new[f"{e.path}.data"], new[f"{e.path}.count"])
        return new[e.path]

    return map_entries(pick, tree)


def _map_entry(fn: Any, e: Entry) -> Any:
    """One state entry with ``fn`` applied to each of its tensors (see :func:`_entry_tensors`)."""
    if e.op == "buffer":
        return Buffer(fn(e.value.data), fn(e.value.count))
    if e.op == "cat" and isinstance(e.value, tuple):
        return tuple(fn(c) for c in e.value)
    return fn(e.value)


def _map_state(fn: Any, tree: Any) -> Any:
    """Apply ``fn`` to every tensor of a state (every chunk of growing storage)."""
    return map_entries(lambda e: _map_entry(fn, e), tree)


def _detach(t: Any) -> Any:
    return t.detach() if isinstance(t, Tensor) and t.requires_grad else t


def _may_carry_grad(inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """Whether an input requires grad (nested containers: assume they may; a walk decides later).

    About 0.2 us for two tensors: the common cases (eval loops, integer targets, detached
    predictions) then skip ``no_grad`` and the state walk altogether.
    """
    for x in (*inputs, *kwargs.values()) if kwargs else inputs:
        if isinstance(x, Tensor):
            if x.requires_grad:
                return True
        elif isinstance(x, (list, tuple, dict)):
            return True
    return False


def _entry_tensors(e: Entry) -> tuple[Any, ...]:
    """The tensors of one state entry (a buffer's data and count, every chunk of growing storage)."""
    if e.op == "buffer":
        return (e.value.data, e.value.count)
    if e.op == "cat" and isinstance(e.value, tuple):
        return e.value
    return (e.value,)


def _detached(state: Any) -> Any:
    """``state`` with no autograd history (leaves that require grad are detached).

    One walk of the state (:func:`metrix._core.tree.flatten`, which also traces under
    ``torch.compile``): reading the leaves is cheaper than rebuilding the state, and most
    batch states (counts) hold nothing that requires grad, so they are returned as they are.
    """
    entries, spec = flatten(state)
    if not any(t.requires_grad for e in entries for t in _entry_tensors(e)):
        return state
    return unflatten(spec, [_map_entry(_detach, e) for e in entries])


class MetricModule(nn.Module):
    """A stateful ``nn.Module`` over a pure metric, for training and evaluation loops.

    ``update`` accumulates a batch, ``forward`` returns the metric on the batch *and*
    accumulates it (one update per call: the batch state is merged into the running
    state), ``compute`` returns the value over everything seen (synced over the process
    group when one is initialised), ``reset`` starts over. The state moves with
    ``.to()``; it is deliberately not a registered buffer, so DDP never broadcasts one
    rank's metric state over the others.

    Gradients: the accumulated state never keeps autograd history (``update`` runs
    without recording it, and ``forward`` merges a detached copy of the batch state),
    so a training loop that feeds grad-carrying logits or losses does not grow memory.
    The batch value returned by ``forward`` is differentiable where the metric is (as in
    TorchMetrics); ``compute`` never is. For gradients through a metric use the pure
    API: ``metric(preds, target)`` or ``metric.compute(metric.update(state, ...))``.

    Checkpoints: as in TorchMetrics, the state is not saved in ``state_dict`` unless
    ``persistent=True``, so a checkpoint loads with ``strict=True`` into a model with
    or without metrics. A persistent module saves its state under ``state.<path>``; any
    module loads ``state.`` keys that a checkpoint holds and never reports them missing.
    Checkpoints saved before a state changed still load where the change says how: a ``cat``
    leaf declared with ``leaf(absent=(sibling, value))`` (a curve's per-sample weights) is
    rebuilt as ``value`` per row of ``sibling``, and an integer count saved for what is now a
    float64 sum leaf (binned curves) is read exactly.

    Copies: ``copy.deepcopy``, ``pickle``, ``torch.save(module)`` and process spawns
    work (a catalogue metric pickles as its factory call); a copy is independent.

    Under ``torch.compile(fullgraph=True)``, ``update``, ``forward`` and ``compute``
    trace without graph breaks and compile once for a fixed input shape.

    Args:
        metric: a :class:`Metric` (or a :func:`metrix.collection`).
        sync_on_compute: combine the state over the process group in ``compute``.
            ``None`` (default) does so whenever a process group with more than one rank is
            initialised; ``False`` gives each rank its local value (rank-0-only evaluation).
        process_group: the group to sync over (default: the world).
        persistent: save the accumulated state in ``state_dict`` (default ``False``, as
            TorchMetrics' states).

    Example:
        >>> import torch, metrix
        >>> from metrix.classification import binary_accuracy
        >>> acc = metrix.MetricModule(binary_accuracy())
        >>> acc(torch.tensor([1, 0, 1]), torch.tensor([1, 1, 1]))     # this batch
        tensor(0.6667)
        >>> acc(torch.tensor([1]), torch.tensor([1]))
        tensor(1.)
        >>> acc.compute()                                              # all batches
        tensor(0.7500)
    """

    def __init__(
        self,
        metric: Metric,
        *,
        sync_on_compute: bool | None = None,
        process_group: dist.ProcessGroup | None = None,
        persistent: bool = False,
    ) -> None:
        super().__init__()
        check_metric(metric, "MetricModule")
        if sync_on_compute not in (None, True, False):
            raise TypeError(f"sync_on_compute must be None, True or False, got {sync_on_compute!r}")
        if not isinstance(persistent, bool):
            raise TypeError(f"persistent must be True or False, got {persistent!r}")
        self.metric = metric
        self.sync_on_compute = sync_on_compute
        self.process_group = process_group
        self.persistent = persistent
        self._device = torch.device("cpu")
        self._empty = metric.init(device=self._device)
        # a state of its own, never the empty one: a compiled forward reads both, and dynamo
        # would guard on them aliasing (one more compile after the first step)
        self._state = metric.init(device=self._device)
        self._stash: Any = None  # the local state while synced (see sync/unsync)
        # Updates are counted in a Python int in eager and in a tensor inside torch.compile:
        # dynamo specialises on a module's int attributes, so bumping the int in a compiled
        # step would recompile at every call.
        self._update_count = 0
        self._traced_updates = torch.zeros((), dtype=torch.int64)
        self._empty_compute_warned = False

    # ---------------------------------------------------------------- the stateful API

    @property
    def state(self) -> Any:
        """The current (local, unless synced) state; a pure value, safe to keep."""
        return self._state

    @state.setter
    def state(self, value: Any) -> None:
        expected = self.metric.state_type
        if (is_state_type(expected) and type(value) is not expected) or not isinstance(value, expected):
            raise ValueError(
                f"MetricModule.state: this module holds a {self.metric.name} state ({expected.__name__}), "
                f"got a {type(value).__name__}; a module only accepts states built by its own metric's "
                "init()/update() (build a MetricModule of the other metric instead)"
            )
        try:
            check_compatible(self._empty, value)
        except ValueError as err:
            raise ValueError(
                f"MetricModule.state: the value is not a state of this module's metric {self.metric.name} "
                f"(built with another configuration?): {err}"
            ) from None
        self._state = _detached(value)
        self._empty_compute_warned = True  # a state was given: compute() before update() is intended

    @property
    def update_count(self) -> int:
        """Number of ``update``/``forward`` calls since the last reset (compiled calls included)."""
        return self._update_count + int(self._traced_updates)

    def _count_update(self) -> None:
        d = self.__dict__  # plain attributes: skip nn.Module.__setattr__ (about 2 us each)
        if torch.compiler.is_compiling():
            d["_traced_updates"] = d["_traced_updates"] + 1
        else:
            d["_update_count"] += 1

    def _guard(self, what: str) -> None:
        if self._stash is not None:
            raise RuntimeError(
                f"MetricModule.{what}() while synced: call unsync() first, so the global state is "
                "never accumulated into the local one"
            )

    def update(self, *inputs: Any, **kwargs: Any) -> None:
        """Accumulate a batch into the state (no autograd history is recorded)."""
        self._guard("update")
        if torch.is_grad_enabled() and _may_carry_grad(inputs, kwargs):
            with torch.no_grad():  # record no graph: the state must not keep the step's activations alive
                state = self.metric.update(self._state, *inputs, **kwargs)
            # no_grad does not detach what update stores as is (a sample chunk can be the input itself)
            state = _detached(state)
        else:
            state = self.metric.update(self._state, *inputs, **kwargs)
        # plain attributes, never parameters/buffers/submodules: write them straight into
        # __dict__ and skip nn.Module.__setattr__ (about 2 us each on a hot path)
        self.__dict__["_state"] = state
        self._count_update()

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        """Return the metric on this batch and accumulate the batch into the state.

        The batch value is differentiable where the metric is; the accumulated state
        keeps no autograd history.
        """
        self._guard("forward")
        metric = self.metric
        fused = getattr(metric, "fused_forward", None)
        if fused is not None and not kwargs and not torch.compiler.is_compiling():
            try:
                state, value = fused(self._state, *inputs)
            except Exception:  # the generic path below raises it, named as update names it
                pass
            else:
                self.__dict__["_state"] = state
                self._count_update()
                return value
        batch = metric.update(self._empty, *inputs, **kwargs)
        on_compute = getattr(metric, "on_compute", None)
        # the batch value does not warn about a degenerate batch (compute() of the epoch does)
        value = quietly(metric.compute, batch) if on_compute is None else None
        d = self.__dict__  # as in update: plain attributes, no nn.Module.__setattr__
        carry = torch.is_grad_enabled() and _may_carry_grad(inputs, kwargs)
        if metric.batch_merge:
            # a detached batch merged into a state without history records no graph
            d["_state"] = merge_unchecked(self._state, _detached(batch) if carry else batch)
        elif carry:  # e.g. running windows: the batch state cannot be merged in, update again
            with torch.no_grad():
                d["_state"] = _detached(metric.update(self._state, *inputs, **kwargs))
        else:
            d["_state"] = metric.update(self._state, *inputs, **kwargs)
        self._count_update()
        if on_compute is not None:  # minmax: the batch value is recorded too, as TorchMetrics' forward does
            d["_state"], view = on_compute(d["_state"], batch)
            value = quietly(metric.compute, view)
        return value

    def _should_sync(self) -> bool:
        if self.sync_on_compute is False or self._stash is not None:
            return False
        return dist.is_available() and dist.is_initialized() and dist.get_world_size(self.process_group) > 1

    def compute(self) -> Any:
        """The metric over everything accumulated (over all ranks, when syncing)."""
        if not torch.compiler.is_compiling() and not self._empty_compute_warned and self.update_count == 0:
            self._empty_compute_warned = True
            warn(
                self.metric.name,
                "MetricModule.compute() was called before any update(); the value is that of an empty state. "
                "Call update() (or forward) first, or reset() only after compute()",
            )
        state = _sync(self._state, self.process_group) if self._should_sync() else self._state
        on_compute = getattr(self.metric, "on_compute", None)
        if on_compute is not None:  # e.g. minmax records each computed value, as TorchMetrics' compute() does
            local, state = on_compute(self._state, state)
            self.__dict__["_state"] = local
        return self.metric.compute(state)

    def __getattr__(self, name: str) -> Any:
        # Methods of stateful wrappers (tracker.increment, compute_all, best_metric; minmax.track):
        # a "state" method replaces the state with its result, a "value" method reads the
        # (synced) state. See metrix.wrappers.StatefulMetric.
        try:
            return super().__getattr__(name)
        except AttributeError:
            metric = self.__dict__.get("metric")
            kind = (getattr(metric, "module_methods", None) or {}).get(name)
            if kind is None:
                raise
        fn = getattr(metric, name)

        def method(*args: Any, **kwargs: Any) -> Any:
            if kind == "state":
                self._guard(name)
                self.__dict__["_state"] = fn(self._state, *args, **kwargs)
                return None
            state = _sync(self._state, self.process_group) if self._should_sync() else self._state
            return fn(state, *args, **kwargs)

        method.__name__ = name
        return method

    def reset(self) -> None:
        """Forget everything accumulated (and leave a synced view)."""
        self._stash = None
        self._state = self.metric.init(device=self._device)
        self._update_count = 0
        self._traced_updates = torch.zeros((), dtype=torch.int64, device=self._device)

    def sync(self) -> None:
        """Replace the visible state by the global one until :meth:`unsync` (no-op on one process).

        The local state is kept aside, untouched; ``update``/``forward`` raise while
        synced. Prefer ``compute()``, which syncs a copy and never changes the module.
        """
        if self._stash is not None:
            raise RuntimeError("MetricModule.sync(): already synced; call unsync() first")
        synced = _sync(self._state, self.process_group)
        self._stash = self._state
        self._state = synced

    def unsync(self) -> None:
        """Restore the local state kept aside by :meth:`sync`."""
        if self._stash is None:
            raise RuntimeError("MetricModule.unsync(): not synced")
        self._state, self._stash = self._stash, None

    def clone(self, *, prefix: str | None = None, postfix: str | None = None) -> MetricModule:
        """An independent copy (state included), optionally with a collection's prefix/postfix replaced.

        As TorchMetrics' ``MetricCollection.clone``: ``prefix``/``postfix`` given here
        replace those of the wrapped :func:`metrix.collection`; ``None`` keeps them.

        Example:
            >>> import torch, metrix
            >>> from metrix.aggregation import mean
            >>> train = metrix.MetricModule(metrix.collection({"loss": mean()}, prefix="train/"))
            >>> val = train.clone(prefix="val/")
            >>> val.update(torch.tensor([0.5]))
            >>> sorted(val.compute())
            ['val/loss']
        """
        import copy

        twin = copy.deepcopy(self)
        if prefix is not None or postfix is not None:
            twin.metric = self.metric.clone(prefix=prefix, postfix=postfix)
        return twin

    def plot(self, value: Any = None, **kwargs: Any) -> tuple[Any, Any]:
        """Plot ``value`` (default: :meth:`compute`) with the :mod:`metrix.plot` helper that fits it.

        Curves (``(fpr, tpr, thresholds)`` of a ROC metric, ``(precision, recall,
        thresholds)`` of a precision-recall curve) go to ``plot_roc`` /
        ``plot_precision_recall``, confusion matrices to ``plot_confusion_matrix``, scalars
        and collections of scalars to ``plot_history`` (a list of values is one point per
        step). Keyword arguments go to the helper.

        Returns:
            ``(fig, ax)``.
        """
        from metrix.plot import plot_value

        return plot_value(self.metric, self.compute() if value is None else value, **kwargs)

    # ---------------------------------------------------------------- nn.Module plumbing

    def _apply(self, fn: Any, recurse: bool = True) -> MetricModule:
        super()._apply(fn, recurse)

        def move(t: Tensor) -> Tensor:
            out = fn(t)
            # Module.half()/float() etc. cast floating tensors; a metric's accumulators
            # keep their declared precision, so only device moves apply here.
            return out.to(dtype=t.dtype) if out.dtype != t.dtype else out

        self._state = _map_state(move, self._state)
        self._empty = _map_state(move, self._empty)
        if self._stash is not None:
            self._stash = _map_state(move, self._stash)
        self._traced_updates = move(self._traced_updates)
        leaf = next((v for _, _, v in _flat_leaves(self._empty)), None)
        if leaf is not None:
            self._device = (leaf[0] if isinstance(leaf, tuple) else leaf).device
        return self

    @property
    def device(self) -> torch.device:
        """Device the state lives on."""
        return self._device

    def _save_to_state_dict(self, destination: dict[str, Any], prefix: str, keep_vars: bool) -> None:
        super()._save_to_state_dict(destination, prefix, keep_vars)
        if not self.persistent:
            return
        local = self._stash if self._stash is not None else self._state
        for key, op, v in _flat_leaves(local):
            value = stored_values(v) if op == "cat" else v
            destination[f"{prefix}state.{key}"] = value if keep_vars else value.detach()

    def _load_from_state_dict(
        self,
        state_dict: dict[str, Any],
        prefix: str,
        local_metadata: Any,
        strict: bool,
        missing_keys: list[str],
        unexpected_keys: list[str],
        error_msgs: list[str],
    ) -> None:
        ours = {k for k in state_dict if k.startswith(prefix + "state.")}
        leaves = list(_flat_leaves(self._empty))
        # A checkpoint without this module's state (a non-persistent module saved it, or the
        # metric was added after it was taken) is not an error: the state starts empty, as
        # TorchMetrics' non-persistent states do. A checkpoint with part of it is.
        if not ours and not self.persistent:
            leaves = []
        new: dict[str, Any] = {}
        absent: list[tuple[str, str, Any]] = []
        for key, op, v in leaves:
            full = f"{prefix}state.{key}"
            if full not in state_dict:
                absent.append((key, op, v))
                continue
            ours.discard(full)
            t = state_dict[full]
            ref = v[0] if op == "cat" and isinstance(v, tuple) else v
            if op == "sum" and isinstance(t, Tensor) and _widened(t.dtype, ref.dtype):
                t = t.to(ref.dtype)  # a count leaf now float64 (e.g. binned curves): exact below 2^53
            ok_shape = isinstance(t, Tensor) and (t.shape[1:] == ref.shape[1:] if op == "cat" else t.shape == ref.shape)
            if not ok_shape or t.dtype != ref.dtype:
                error_msgs.append(
                    f"{full}: expected a tensor like {tuple(ref.shape)} {ref.dtype}, got "
                    f"{tuple(t.shape) if isinstance(t, Tensor) else type(t).__name__}"
                    f"{' ' + str(t.dtype) if isinstance(t, Tensor) else ''}"
                )
                continue
            t = t.detach().to(ref.device)
            new[key] = (t,) if op == "cat" and isinstance(v, tuple) else t
        for key, op, v in absent:
            filled = _fill_absent(self._empty, key, op, v, new)
            if filled is None:
                missing_keys.append(f"{prefix}state.{key}")
            else:
                new[key] = filled
        unexpected_keys.extend(sorted(ours))
        if leaves and new:
            # A leaf the checkpoint lacks (strict=False: one added to the state, or a member to the
            # collection, after the checkpoint was taken) keeps its empty value; it is reported
            # in missing_keys, so strict=True still fails, as nn.Module does for a missing parameter.
            self._state = _replace_leaves(self._empty, {key: new.get(key, v) for key, _, v in leaves})
            self._stash = None
            self._empty_compute_warned = True  # a restored state: compute() before update() is intended
        # leave the remaining keys (parameters/buffers of a subclass) to nn.Module
        rest = {k: v for k, v in state_dict.items() if not k.startswith(prefix + "state.")}
        super()._load_from_state_dict(rest, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)

    def extra_repr(self) -> str:
        sync = {None: "auto", True: "on", False: "off"}[self.sync_on_compute]
        persistent = ", persistent=True" if self.persistent else ""
        return (
            f"{self.metric.name}, updates={self.update_count}, device={self._device}, "
            f"sync_on_compute={sync}{persistent}"
        )
