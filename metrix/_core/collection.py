"""``collection``: a dict of metrics is a metric, with shared states updated once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from metrix._core.metric import Metric, factory

__all__ = ["collection"]


@factory(higher_is_better=None)
def collection(metrics: Mapping[str, Metric], /, *, prefix: str | None = None, postfix: str | None = None) -> Metric:
    """Combine named metrics into one metric whose ``compute`` returns a flat dict.

    Members built by the same state builder with the same configuration (equal
    ``Metric.key``) share one state, which is updated once per batch: accuracy,
    precision, recall, F1 and specificity of one task config cost one stat-scores
    update. Sharing is decided here, when the collection is built. Members that are
    collections themselves are flattened into the result with their own names.

    Args:
        metrics: name → metric; names must be non-empty strings.
        prefix: prepended to every name in the result.
        postfix: appended to every name in the result.

    Returns:
        A :class:`Metric` whose state is a dict (one entry per distinct state) and whose
        ``update(state, *inputs)`` passes the same inputs to every member.

    Example:
        >>> import torch, metrix
        >>> from metrix.aggregation import mean, max as max_
        >>> c = metrix.collection({"avg": mean(), "peak": max_()}, prefix="loss/")
        >>> s = c.update(c.init(), torch.tensor([1.0, 5.0]))
        >>> {k: float(v) for k, v in c.compute(s).items()}
        {'loss/avg': 3.0, 'loss/peak': 5.0}
    """
    if not isinstance(metrics, Mapping) or not metrics:
        raise TypeError(f"collection(metrics) expects a non-empty dict of name -> Metric, got {metrics!r}")
    for name, m in metrics.items():
        if not isinstance(name, str) or not name:
            raise TypeError(f"collection: metric names must be non-empty strings, got {name!r}")
        if not isinstance(m, Metric):
            raise TypeError(f"collection: metrics[{name!r}] must be a metrix.Metric, got {type(m).__name__}")
    for arg, v in (("prefix", prefix), ("postfix", postfix)):
        if v is not None and not isinstance(v, str):
            raise TypeError(f"collection: {arg} must be a str or None, got {type(v).__name__}")
    pre, post = prefix or "", postfix or ""

    # group members by state key: the first member with a key owns the slot
    slot_of: dict[str, str] = {}
    owners: dict[str, Metric] = {}
    by_key: dict[Any, str] = {}
    for name, m in metrics.items():
        if m.key is not None and m.key in by_key:
            slot_of[name] = by_key[m.key]
            continue
        slot_of[name] = name
        owners[name] = m
        if m.key is not None:
            by_key[m.key] = name
    items = tuple(metrics.items())
    owner_items = tuple(owners.items())

    def init(*, device: Any = None) -> dict[str, Any]:
        return {slot: m.init(device=device) for slot, m in owner_items}

    def update(state: dict[str, Any], *inputs: Any, **kwargs: Any) -> dict[str, Any]:
        if set(state) != set(owners):
            raise ValueError(
                f"collection.update: state has entries {sorted(state)} but this collection expects {sorted(owners)}"
            )
        return {slot: m.update(state[slot], *inputs, **kwargs) for slot, m in owner_items}

    def compute(state: dict[str, Any]) -> dict[str, Any]:
        if set(state) != set(owners):
            raise ValueError(
                f"collection.compute: state has entries {sorted(state)} but this collection expects {sorted(owners)}"
            )
        out: dict[str, Any] = {}
        for name, m in items:
            value = m.compute(state[slot_of[name]])
            if m.members is not None:
                for k, v in value.items():
                    out[f"{pre}{k}{post}"] = v
            else:
                out[f"{pre}{name}{post}"] = value
        return out

    return Metric(
        init,
        update,
        compute,
        name=f"collection({', '.join(metrics)})",
        state_type=dict,
        members=dict(metrics),
        batch_merge=all(m.batch_merge for m in metrics.values()),
    )
