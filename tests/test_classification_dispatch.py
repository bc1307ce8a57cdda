"""Every ``task=`` dispatcher forwards each of its arguments to the task factory by keyword.

For every dispatcher and task, each argument the task factory takes is set to a value
other than its default; the dispatcher's metric must then give bitwise the value of the
task factory called with those keywords. A dispatcher that forwarded by position (the
task factories do not all order ``thresholds`` and ``average`` alike) or dropped an
argument would differ here.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest
import torch

from metrix import classification as mc
from tests.catalogue._case import assert_close, gen

# candidate non-default values, tried in order until the task factory accepts one
CANDIDATES: dict[str, list[Any]] = {
    "threshold": [0.3],
    "average": ["weighted", "micro", "none"],
    "top_k": [2],
    "ignore_index": [0],
    "zero_division": [1],
    "beta": [2.0],
    "max_fpr": [0.5],
    "normalize": ["true"],
    "weights": ["linear"],
    "fpr_range": [(0.01, 0.5)],
    "n_bins": [5],
    "norm": ["l2"],
    "squared": [True],
    "multiclass_mode": ["one-vs-all"],
    "input_format": ["logits"],
    "validate_args": [False],
    "min_precision": [0.3],
    "min_recall": [0.3],
    "min_specificity": [0.3],
    "min_sensitivity": [0.3],
}
NUM = 3
# ignore_index=0 (a candidate above) leaves binary and multilabel columns without negatives:
# the metrics warn as TorchMetrics does; here only the values are compared
pytestmark = pytest.mark.filterwarnings("ignore::metrix.MetrixWarning")


def _dispatchers() -> list[tuple[str, Any]]:
    out = []
    for name, fn in sorted(vars(mc).items()):
        if inspect.isfunction(fn) and next(iter(inspect.signature(fn).parameters), None) == "task":
            out.append((name, fn))
    return out


def _inputs(task: str) -> tuple[torch.Tensor, torch.Tensor]:
    g = gen(7)
    if task == "binary":
        return torch.randn(40, generator=g), torch.randint(0, 2, (40,), generator=g)
    if task == "multiclass":
        return torch.randn(40, NUM, generator=g), torch.randint(0, NUM, (40,), generator=g)
    return torch.randn(40, NUM, generator=g), torch.randint(0, 2, (40, NUM), generator=g)


def _task_factory(name: str, task: str) -> Any:
    return getattr(mc, f"{task}_{name}", None)


def _arguments(dispatcher: Any, factory: Any, extra: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Dispatcher keywords (all of its arguments set) and the task factory's share of them."""
    theirs = inspect.signature(factory).parameters
    required = {k: NUM for k in ("num_classes", "num_labels") if k in theirs}
    chosen: dict[str, Any] = {**required, **extra}
    for name, param in theirs.items():
        if name in chosen or name not in CANDIDATES or name not in inspect.signature(dispatcher).parameters:
            continue
        for value in CANDIDATES[name]:
            if value == param.default:
                continue
            try:
                factory(**{**chosen, name: value})
            except (TypeError, ValueError):
                continue
            chosen[name] = value
            break
    ours = {k: v for k, v in chosen.items() if k in inspect.signature(dispatcher).parameters}
    # arguments of other tasks are set as well: the dispatcher must leave them out
    for k in ("num_classes", "num_labels", "threshold"):
        if k in inspect.signature(dispatcher).parameters and k not in ours:
            ours[k] = NUM if k != "threshold" else 0.7
    return ours, {k: v for k, v in chosen.items() if k in theirs}


CASES = [
    pytest.param(name, fn, task, extra, id=f"{name}-{task}{'-capacity' if extra else ''}")
    for name, fn in _dispatchers()
    for task in ("binary", "multiclass", "multilabel")
    if _task_factory(name, task) is not None
    for extra in ([{}, {"capacity": 64}] if "capacity" in inspect.signature(fn).parameters else [{}])
]


@pytest.mark.parametrize(("name", "dispatcher", "task", "extra"), CASES)
def test_dispatcher_forwards_every_argument_by_keyword(name: str, dispatcher: Any, task: str, extra: dict) -> None:
    factory = _task_factory(name, task)
    if "thresholds" in inspect.signature(factory).parameters and not extra:
        extra = {"thresholds": 5}
    ours, theirs = _arguments(dispatcher, factory, extra)
    preds, target = _inputs(task)
    expected = factory(**theirs)(preds, target)
    got = dispatcher(task, **ours)(preds, target)
    assert_close(got, expected, atol=0, rtol=0, what=f"{name}(task={task!r}, {ours})")
    # a value was forwarded for every argument the task factory takes beyond its defaults
    assert set(theirs) - {"num_classes", "num_labels"} <= set(ours)


def test_every_dispatcher_is_covered() -> None:
    # 14 stat-scores-like, calibration error, hinge loss, 4 curves and areas, 4 operating points, EER, LogAUC
    names = [name for name, _ in _dispatchers()]
    assert len(names) == 26, names
    covered = [p.values[0] for p in CASES]
    assert all(covered.count(name) >= 2 for name in names), "every dispatcher is checked on at least two tasks"


def test_keyword_forwarding_keeps_roc_and_auroc_argument_orders_apart() -> None:
    # multiclass_roc takes (num_classes, thresholds, average), multiclass_auroc (num_classes, average, thresholds)
    preds, target = _inputs("multiclass")
    roc = mc.roc("multiclass", thresholds=5, num_classes=NUM, average="micro")(preds, target)
    assert_close(roc, mc.multiclass_roc(NUM, thresholds=5, average="micro")(preds, target), atol=0, rtol=0)
    area = mc.auroc("multiclass", thresholds=5, num_classes=NUM, average="weighted")(preds, target)
    assert_close(area, mc.multiclass_auroc(NUM, average="weighted", thresholds=5)(preds, target), atol=0, rtol=0)
