"""``MetricModule``: the stateful ``nn.Module`` adapter over a pure :class:`Metric`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import torch
import torch.distributed as dist
from torch import Tensor, nn

from metrix._core.merge import check_compatible, merge_unchecked
from metrix._core.metric import Metric
from metrix._core.state import Buffer, stored_values
from metrix._core.sync import sync as _sync
from metrix._core.tree import Entry, flatten, map_entries

__all__ = ["MetricModule"]


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


def _replace_leaves(tree: Any, new: dict[str, Any]) -> Any:
    """The state ``tree`` with its leaves taken from ``new`` (keyed as :func:`_flat_leaves` names them)."""

    def pick(e: Entry) -> Any:
        if e.op == "buffer":
            return Buffer(new[f"{e.path}.data"], new[f"{e.path}.count"])
        return new[e.path]

    return map_entries(pick, tree)


def _map_state(fn: Any, tree: Any) -> Any:
    """Apply ``fn`` to every tensor of a state (every chunk of growing storage)."""

    def apply(e: Entry) -> Any:
        if e.op == "buffer":
            return Buffer(fn(e.value.data), fn(e.value.count))
        if e.op == "cat" and isinstance(e.value, tuple):
            return tuple(fn(c) for c in e.value)
        return fn(e.value)

    return map_entries(apply, tree)


class MetricModule(nn.Module):
    """A stateful ``nn.Module`` over a pure metric, for training and evaluation loops.

    ``update`` accumulates a batch, ``forward`` returns the metric on the batch *and*
    accumulates it (one update per call: the batch state is merged into the running
    state), ``compute`` returns the value over everything seen (synced over the process
    group when one is initialised), ``reset`` starts over. The state moves with
    ``.to()`` and is saved and restored by ``state_dict``/``load_state_dict`` (under
    the ``state.`` prefix); it is deliberately not a registered buffer, so DDP never
    broadcasts one rank's metric state over the others.

    Args:
        metric: a :class:`Metric` (or a :func:`metrix.collection`).
        sync_on_compute: combine the state over the process group in ``compute``.
            ``None`` (default) does so whenever a process group with more than one rank is
            initialised; ``False`` gives each rank its local value (rank-0-only evaluation).
        process_group: the group to sync over (default: the world).

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

    def __init__(self, metric: Metric, *, sync_on_compute: bool | None = None, process_group: Any = None) -> None:
        super().__init__()
        if not isinstance(metric, Metric):
            raise TypeError(f"MetricModule(metric) expects a metrix.Metric, got {type(metric).__name__}")
        if sync_on_compute not in (None, True, False):
            raise TypeError(f"sync_on_compute must be None, True or False, got {sync_on_compute!r}")
        self.metric = metric
        self.sync_on_compute = sync_on_compute
        self.process_group = process_group
        self._device = torch.device("cpu")
        self._empty = metric.init(device=self._device)
        self._state = self._empty
        self._stash: Any = None  # the local state while synced (see sync/unsync)
        self._update_count = 0

    # ---------------------------------------------------------------- the stateful API

    @property
    def state(self) -> Any:
        """The current (local, unless synced) state; a pure value, safe to keep."""
        return self._state

    @state.setter
    def state(self, value: Any) -> None:
        check_compatible(self._empty, value)
        self._state = value

    @property
    def update_count(self) -> int:
        """Number of ``update``/``forward`` calls since the last reset."""
        return self._update_count

    def _guard(self, what: str) -> None:
        if self._stash is not None:
            raise RuntimeError(
                f"MetricModule.{what}() while synced: call unsync() first, so the global state is "
                "never accumulated into the local one"
            )

    def update(self, *inputs: Any, **kwargs: Any) -> None:
        """Accumulate a batch into the state."""
        self._guard("update")
        # plain attributes, never parameters/buffers/submodules: write them straight into
        # __dict__ and skip nn.Module.__setattr__ (about 2 us each on a hot path)
        d = self.__dict__
        d["_state"] = self.metric.update(self._state, *inputs, **kwargs)
        d["_update_count"] += 1

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        """Return the metric on this batch and accumulate the batch into the state."""
        self._guard("forward")
        batch = self.metric.update(self._empty, *inputs, **kwargs)
        d = self.__dict__  # as in update: plain attributes, no nn.Module.__setattr__
        if self.metric.batch_merge:
            d["_state"] = merge_unchecked(self._state, batch)
        else:  # e.g. running windows: the batch state cannot be merged in, update again
            d["_state"] = self.metric.update(self._state, *inputs, **kwargs)
        d["_update_count"] += 1
        on_compute = getattr(self.metric, "on_compute", None)
        if on_compute is not None:  # minmax: the batch value is recorded too, as TorchMetrics' forward does
            d["_state"], batch = on_compute(d["_state"], batch)
        return self.metric.compute(batch)

    def _should_sync(self) -> bool:
        if self.sync_on_compute is False or self._stash is not None:
            return False
        return dist.is_available() and dist.is_initialized() and dist.get_world_size(self.process_group) > 1

    def compute(self) -> Any:
        """The metric over everything accumulated (over all ranks, when syncing)."""
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
        self._state = self._empty
        self._update_count = 0

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
        new: dict[str, Any] = {}
        for key, op, v in _flat_leaves(self._empty):
            full = f"{prefix}state.{key}"
            if full not in state_dict:
                missing_keys.append(full)
                continue
            ours.discard(full)
            t = state_dict[full]
            ref = v[0] if op == "cat" and isinstance(v, tuple) else v
            ok_shape = t.shape[1:] == ref.shape[1:] if op == "cat" else t.shape == ref.shape
            if not isinstance(t, Tensor) or t.dtype != ref.dtype or not ok_shape:
                error_msgs.append(
                    f"{full}: expected a tensor like {tuple(ref.shape)} {ref.dtype}, got "
                    f"{tuple(t.shape) if isinstance(t, Tensor) else type(t).__name__}"
                    f"{' ' + str(t.dtype) if isinstance(t, Tensor) else ''}"
                )
                continue
            t = t.to(ref.device)
            new[key] = (t,) if op == "cat" and isinstance(v, tuple) else t
        unexpected_keys.extend(sorted(ours))
        if len(new) == sum(1 for _ in _flat_leaves(self._empty)):
            self._state = _replace_leaves(self._empty, new)
            self._stash = None
        # leave the remaining keys (parameters/buffers of a subclass) to nn.Module
        rest = {k: v for k, v in state_dict.items() if not k.startswith(prefix + "state.")}
        super()._load_from_state_dict(rest, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)

    def extra_repr(self) -> str:
        sync = {None: "auto", True: "on", False: "off"}[self.sync_on_compute]
        return f"{self.metric.name}, updates={self._update_count}, device={self._device}, sync_on_compute={sync}"
