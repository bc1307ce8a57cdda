"""``collection``: a dict of metrics is a metric, with shared states updated once."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import torch

from metrix._core.args import type_error, value_error
from metrix._core.metric import Metric, factory

__all__ = ["collection", "default_name"]

# Words whose TorchMetrics class spelling is not the capitalised word (BinaryAUROC, PearsonCorrCoef…).
_WORDS = {
    "auroc": "AUROC",
    "roc": "ROC",
    "eer": "EER",
    "logauc": "LogAUC",
    "corrcoef": "CorrCoef",
    "fbeta": "FBeta",
    "kl": "KL",
    "dcg": "DCG",
    "multiscale": "MultiScale",
    "bleu": "BLEU",
    "chrf": "CHRF",
    "squad": "SQuAD",
    "iou": "IoU",
    "rouge": "ROUGE",
}
# TorchMetrics names its aggregation classes MeanMetric, SumMetric…
_AGGREGATIONS = {"mean", "sum", "max", "min", "cat"}


def default_name(metric: Metric) -> str:
    """The name a metric gets in a collection built from a list: its TorchMetrics class name.

    ``multiclass_accuracy`` → ``"MulticlassAccuracy"``, ``binary_auroc`` → ``"BinaryAUROC"``,
    ``pearson_corrcoef`` → ``"PearsonCorrCoef"``, ``mean`` → ``"MeanMetric"``, as
    TorchMetrics' ``MetricCollection([...])`` keys its members by class name.

    Example:
        >>> from metrix.classification import binary_auroc
        >>> default_name(binary_auroc())
        'BinaryAUROC'
    """
    base = re.split(r"[^a-z0-9_]", metric.name, maxsplit=1)[0] or metric.name
    if base in _AGGREGATIONS:
        return base.capitalize() + "Metric"
    return "".join(_WORDS.get(w, w.capitalize()) for w in base.split("_") if w)


def check_named_metrics(
    where: str, arg: str, expected: str, noun: str, metrics: Any, prefix: Any, postfix: Any
) -> Mapping[str, Metric]:
    """Check a ``{name: Metric}`` argument and its ``prefix``/``postfix`` (``collection``, ``multitask``).

    ``metrics`` must be a non-empty mapping (``TypeError`` for another type, ``ValueError`` when
    empty) of non-empty string names to :class:`Metric`; ``prefix``/``postfix`` a str or None.
    Returns ``metrics``.
    """
    if not isinstance(metrics, Mapping):
        raise type_error(arg, f"a non-empty dict of {expected}", metrics)
    if not metrics:
        raise value_error(arg, f"a non-empty dict of {expected}", metrics)
    for name, m in metrics.items():
        if not isinstance(name, str) or not name:
            raise TypeError(f"{where}: {noun} names must be non-empty strings, got {name!r}")
        if not isinstance(m, Metric):
            raise TypeError(f"{where}: {arg}[{name!r}] must be a metrix.Metric, got {type(m).__name__}")
    check_affixes(where, prefix, postfix)
    return metrics


def check_affixes(where: str, prefix: Any, postfix: Any) -> None:
    """``TypeError`` unless the result-name ``prefix`` and ``postfix`` are each a str or None."""
    for option, v in (("prefix", prefix), ("postfix", postfix)):
        if v is not None and not isinstance(v, str):
            raise TypeError(f"{where}: {option} must be a str or None, got {type(v).__name__}")


@factory(higher_is_better=None)
def collection(
    metrics: Mapping[str, Metric] | Sequence[Metric], /, *, prefix: str | None = None, postfix: str | None = None
) -> Metric:
    """Combine named metrics into one metric whose ``compute`` returns a flat dict.

    Members built by the same state builder with the same configuration (equal
    ``Metric.key``) share one state, which is updated once per batch: accuracy,
    precision, recall, F1 and specificity of one task config cost one stat-scores
    update. Sharing is decided here, when the collection is built. Members that are
    collections themselves are flattened into the result with their own names.

    Args:
        metrics: name → metric (names must be non-empty strings), or a list or tuple of
            metrics, named as TorchMetrics names them: by class name
            (``[binary_accuracy(), binary_auroc()]`` → ``"BinaryAccuracy"``,
            ``"BinaryAUROC"``, ``[mean()]`` → ``"MeanMetric"``).
        prefix: prepended to every name in the result.
        postfix: appended to every name in the result.

    Returns:
        A :class:`Metric` whose state is a dict (one entry per distinct state) and whose
        ``update(state, *inputs)`` passes the same inputs to every member. An error
        raised by a member names it: ``collection member 'acc': ...``.

    Example:
        >>> import torch, metrix
        >>> from metrix.aggregation import mean, max as max_
        >>> c = metrix.collection({"avg": mean(), "peak": max_()}, prefix="loss/")
        >>> s = c.update(c.init(), torch.tensor([1.0, 5.0]))
        >>> {k: float(v) for k, v in c.compute(s).items()}
        {'loss/avg': 3.0, 'loss/peak': 5.0}
        >>> sorted(metrix.collection([mean(), max_()]).members)
        ['MaxMetric', 'MeanMetric']
    """
    if isinstance(metrics, (list, tuple)):
        metrics = _named(metrics)
    metrics = check_named_metrics(
        "collection", "metrics", "name -> Metric or a list of Metrics", "metric", metrics, prefix, postfix
    )
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
    # who to name when a shared state's update fails: every member that reads it
    readers = {slot: tuple(n for n, s in slot_of.items() if s == slot) for slot in owners}

    def init(*, device: Any = None) -> dict[str, Any]:
        return {slot: m.init(device=device) for slot, m in owner_items}

    def update(state: dict[str, Any], *inputs: Any, **kwargs: Any) -> dict[str, Any]:
        _check_entries(state, owners, "update")
        out: dict[str, Any] = {}
        slot = ""
        try:
            for slot, m in owner_items:
                out[slot] = m.update(state[slot], *inputs, **kwargs)
        except Exception as err:
            if not torch.compiler.is_compiling():  # dynamo cannot trace attribute writes on exceptions
                _name_member(err, readers[slot])
            raise
        return out

    def compute(state: dict[str, Any]) -> dict[str, Any]:
        _check_entries(state, owners, "compute")
        out: dict[str, Any] = {}
        name = ""
        try:
            for name, m in items:
                value = m.compute(state[slot_of[name]])
                _flatten(out, name, m, value)
        except Exception as err:
            if not torch.compiler.is_compiling():
                _name_member(err, (name,))
            raise
        return out

    def _flatten(out: dict[str, Any], name: str, m: Metric, value: Any) -> None:
        if m.members is not None:
            for k, v in value.items():
                out[f"{pre}{k}{post}"] = v
        else:
            out[f"{pre}{name}{post}"] = value

    return Metric(
        init,
        update,
        compute,
        name=f"collection({', '.join(metrics)})",
        state_type=dict,
        members=dict(metrics),
        batch_merge=all(m.batch_merge for m in metrics.values()),
    )


def _named(metrics: Sequence[Metric]) -> dict[str, Metric]:
    out: dict[str, Metric] = {}
    for i, m in enumerate(metrics):
        if not isinstance(m, Metric):
            raise TypeError(f"collection: metrics[{i}] must be a metrix.Metric, got {type(m).__name__}")
        name = default_name(m)
        if name in out:
            raise ValueError(
                f"collection: two metrics are both named {name!r} ({out[name].name} and {m.name}); "
                "pass a dict of name -> metric to name them yourself"
            )
        out[name] = m
    return out


def _check_entries(state: dict[str, Any], owners: dict[str, Metric], where: str) -> None:
    if set(state) != set(owners):
        raise ValueError(
            f"collection.{where}: state has entries {sorted(state)} but this collection expects {sorted(owners)}"
        )


def _name_member(err: BaseException, names: tuple[str, ...]) -> None:
    """Prefix an error with the collection member(s) it came from."""
    if len(err.args) != 1 or not isinstance(err.args[0], str):
        return
    who = f"member {names[0]!r}" if len(names) == 1 else f"members {', '.join(map(repr, names))} (one shared state)"
    try:
        err.args = (f"collection {who}: {err.args[0]}",)
        err.__metrix_member__ = True  # type: ignore[attr-defined]  # a marker on the exception object
    except (AttributeError, TypeError):
        return
