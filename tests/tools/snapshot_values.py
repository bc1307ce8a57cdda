"""Record every metric value the catalogue can produce, and compare two recordings bitwise.

A refactoring that must not change behaviour is checked by recording before and after:

    python -m tests.tools.snapshot_values save /tmp/before.pt
    ... change the code ...
    python -m tests.tools.snapshot_values save /tmp/after.pt
    python -m tests.tools.snapshot_values compare /tmp/before.pt /tmp/after.pt

What is recorded, on fixed seeds:

* every catalogue ``Case``: its one-shot value, and the value of a state built from three
  uneven batches across two shards that are merged (update, accumulation and merge);
* a grid of extra configurations (``--family classification`` by default): for every
  public factory, the keyword options it takes (``average``, ``top_k``, ``ignore_index``,
  ``multidim_average``, ``input_format``, ``threshold``, ``zero_division``,
  ``thresholds``, ``capacity``, ``normalize``, ``weights``, …) crossed with each other
  over the input generators of that factory's catalogue cases;
* the stat-scores families at 70 and 300 classes, above the 64 where the multiclass state
  turns from the C×C matrix into per-class counts (``large:`` entries);
* the bad inputs of every case.

A configuration or input that raises is recorded as its error type and message: the
comparison reports value changes (which must not happen), error-type changes and
message changes separately, so that a deliberate rewording is visible but told apart.
"""

from __future__ import annotations

import argparse
import inspect
import itertools
import math
import sys
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import torch
from torch import Tensor

import metrix
from tests.catalogue import CASES, Case
from tests.catalogue._case import gen, inputs_len, slice_inputs

# Option values crossed for every factory that takes the option (besides the value its
# catalogue case already uses). Each tuple lists the values tried.
GRID: dict[str, tuple[Any, ...]] = {
    "average": ("micro", "macro", "weighted", "none", None),
    "top_k": (1, 2),
    "ignore_index": (None, -1, 0),
    "multidim_average": ("global", "samplewise"),
    "input_format": ("auto", "probabilities", "logits", "labels"),
    "threshold": (0.5, 0.3),
    "zero_division": (0, 1),
    "thresholds": (None, 5, (0.1, 0.4, 0.7)),
    "capacity": (None, 256),
    "normalize": (None, "true", "pred", "all"),
    "weights": (None, "linear", "quadratic"),
    "beta": (0.5, 2.0),
    "max_fpr": (None, 0.5),
    "n_bins": (5, 15),
    "norm": ("l1", "l2", "max"),
    "squared": (False, True),
    "multiclass_mode": ("crammer-singer", "one-vs-all"),
    "fpr_range": ((0.001, 0.1), (0.01, 0.5)),
    "min_precision": (0.3, 0.8),
    "min_recall": (0.3, 0.8),
    "min_specificity": (0.3, 0.8),
    "min_sensitivity": (0.3, 0.8),
}
N = 96  # samples per generated input set
CUTS = (20, 55)  # batches [0, 20) and [20, 55) | [55, 96): two shards, merged


def _freeze(x: Any) -> Any:
    """Detached CPU copies of every tensor in a nested result; other leaves as they are."""
    if isinstance(x, Tensor):
        return x.detach().cpu().clone()
    if isinstance(x, dict):
        return {k: _freeze(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(_freeze(v) for v in x)
    return x


def _error(e: BaseException) -> tuple[str, str, str]:
    return ("error", type(e).__name__, str(e))


def _values(case_update: Callable[..., Any], metric: metrix.Metric, inputs: tuple[Any, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    try:
        out["one_shot"] = _freeze(metric.compute(case_update(metric, metric.init(), inputs)))
    except Exception as e:  # recorded: the behaviour under test includes the errors
        out["one_shot"] = _error(e)
        return out
    n = inputs_len(inputs)
    a, b = (min(c, n) for c in CUTS)
    try:
        left = case_update(metric, metric.init(), slice_inputs(inputs, 0, a))
        left = case_update(metric, left, slice_inputs(inputs, a, b))
        right = case_update(metric, metric.init(), slice_inputs(inputs, b, n))
        out["merged"] = _freeze(metric.compute(metrix.merge(left, right)))
    except Exception as e:
        out["merged"] = _error(e)
    return out


def _catalogue(cases: list[Case]) -> Iterator[tuple[str, Any]]:
    for case in cases:
        try:
            metric = case.metric()
        except Exception as e:
            yield f"case:{case.id}", _error(e)
            continue
        yield f"case:{case.id}", _values(case.update, metric, case.inputs(gen(0), case.n))
        for i, bad in enumerate(case.bad_inputs):
            try:
                args, kwargs = case.call_args(bad.make(gen(1)))
                metric.update(metric.init(), *args, **kwargs)
                yield f"bad:{case.id}:{i}", ("accepted",)
            except Exception as e:
                yield f"bad:{case.id}:{i}", _error(e)


def _task_inputs(fn: Callable[..., Any], base: dict[str, Any]) -> list[Callable[[torch.Generator, int], Any]]:
    """Generic ``(preds, target)`` generators for the task of ``fn(**base)``, beyond the catalogue's.

    Scores, logits, labels, extra dims and ``-1`` targets (for ``ignore_index=-1``), with a
    few exact ties, so that every option meets inputs it applies to.
    """
    task = base.get("task") or fn.__name__.split("_")[0]
    c = base.get("num_classes") or base.get("num_labels") or 1
    if task not in ("binary", "multiclass", "multilabel"):
        return []

    def ignore(t: Tensor, g: torch.Generator) -> Tensor:
        return torch.where(torch.rand(t.shape, generator=g) < 0.15, -1, t)

    if task == "multiclass":
        generators = [
            lambda g, n: (torch.randn(n, c, generator=g), torch.randint(0, c, (n,), generator=g)),
            lambda g, n: (torch.randn(n, c, generator=g).softmax(1), torch.randint(0, c, (n,), generator=g)),
            lambda g, n: (torch.randint(0, c, (n,), generator=g), torch.randint(0, c, (n,), generator=g)),
            lambda g, n: (torch.randn(n, c, 3, generator=g), torch.randint(0, c, (n, 3), generator=g)),
            lambda g, n: (
                torch.randint(0, 4, (n, c), generator=g) / 4.0,
                ignore(torch.randint(0, c, (n,), generator=g), g),
            ),
        ]
    else:
        shape = (c,) if task == "multilabel" else ()
        generators = [
            lambda g, n: (torch.rand(n, *shape, generator=g), torch.randint(0, 2, (n, *shape), generator=g)),
            lambda g, n: (torch.randn(n, *shape, generator=g) * 3, torch.randint(0, 2, (n, *shape), generator=g)),
            lambda g, n: (torch.randint(0, 2, (n, *shape), generator=g), torch.randint(0, 2, (n, *shape), generator=g)),
            lambda g, n: (torch.rand(n, *shape, 3, generator=g), torch.randint(0, 2, (n, *shape, 3), generator=g)),
            lambda g, n: (
                torch.randint(0, 5, (n, *shape), generator=g) / 4.0,
                ignore(torch.randint(0, 2, (n, *shape), generator=g), g),
            ),
        ]
    return generators


def _options(fn: Callable[..., Any], base: dict[str, Any]) -> list[dict[str, Any]]:
    params = inspect.signature(fn).parameters
    axes = [(name, GRID[name]) for name in params if name in GRID]
    combos = []
    for values in itertools.product(*(v for _, v in axes)):
        kw = dict(base)
        for (name, _), v in zip(axes, values):
            kw[name] = list(v) if name == "thresholds" and isinstance(v, tuple) else v
        combos.append(kw)
    return combos


def _key(kwargs: dict[str, Any]) -> str:
    return ",".join(f"{k}={kwargs[k]!r}" for k in sorted(kwargs))


def _grid(cases: list[Case], family: str) -> Iterator[tuple[str, Any]]:
    by_factory: dict[Any, list[Case]] = {}
    for case in cases:
        # Cases passing sample_weight= are recorded as cases; the grid crosses options over the
        # unweighted generators only (so adding weighted Cases leaves the grid's entries as they were)
        if case.factory.__module__.startswith(f"metrix.{family}") and "sample_weight" not in case.keywords:
            by_factory.setdefault(case.factory, []).append(case)
    for fn, fcases in sorted(by_factory.items(), key=lambda kv: kv[0].__qualname__):
        # the structural arguments (task, num_classes, …) of each case; options vary on top,
        # over the input generators of the cases with those arguments
        bases: dict[str, dict[Any, Case]] = {}
        for c in fcases:
            bases.setdefault(_key({k: v for k, v in c.kwargs.items() if k not in GRID}), {})[c.inputs] = c
        for _, generators in sorted(bases.items()):
            base = {k: v for k, v in next(iter(generators.values())).kwargs.items() if k not in GRID}
            for kwargs in _options(fn, base):
                try:
                    metric = fn(**kwargs)
                except Exception as e:
                    yield f"grid:{fn.__qualname__}({_key(kwargs)})", _error(e)
                    continue
                some_case = next(iter(generators.values()))
                sources = [(f, c.id, c.update) for f, c in generators.items()]
                if len(some_case.inputs(gen(0), 2)) == 2 and not some_case.keywords:
                    sources += [(f, f"task{i}", some_case.update) for i, f in enumerate(_task_inputs(fn, base))]
                for gi, (inputs_fn, source, update) in enumerate(sources):
                    inputs = inputs_fn(gen(2 + gi), N)
                    yield f"grid:{fn.__qualname__}({_key(kwargs)})@{source}", _values(update, metric, inputs)


# Stat-scores families checked at more classes than the catalogue uses (the C×C and the
# O(C) states of the multiclass family switch at 64 classes).
STAT_MODULES = (
    "_accuracy",
    "_cohen_kappa",
    "_confusion_matrix",
    "_exact_match",
    "_f_beta",
    "_hamming",
    "_jaccard",
    "_matthews_corrcoef",
    "_negative_predictive_value",
    "_precision_recall",
    "_specificity",
    "_stat_scores",
)
LARGE_C = (70, 300)
LARGE_GRID: dict[str, tuple[Any, ...]] = {
    "average": ("micro", "macro", "weighted", None),
    "top_k": (1, 3),
    "ignore_index": (None, -1, 5),
    "multidim_average": ("global", "samplewise"),
    "input_format": ("auto", "labels"),
    "zero_division": (0, 1),
    "normalize": (None, "true"),
    "weights": (None, "quadratic"),
    "beta": (2.0,),
}


def _large_inputs(c: int) -> list[tuple[str, Callable[[torch.Generator, int], Any]]]:
    def ignore(t: Tensor, g: torch.Generator) -> Tensor:
        return torch.where(torch.rand(t.shape, generator=g) < 0.15, -1, t)

    # half the labels fall in the first quarter of the classes, so that per-class sums are not all tiny
    def skewed(g: torch.Generator, shape: tuple[int, ...]) -> Tensor:
        few, any_class = torch.randint(0, c // 4, shape, generator=g), torch.randint(0, c, shape, generator=g)
        return torch.where(torch.rand(shape, generator=g) < 0.5, few, any_class)

    return [
        ("logits", lambda g, n: (torch.randn(n, c, generator=g), skewed(g, (n,)))),
        ("labels", lambda g, n: (skewed(g, (n,)), skewed(g, (n,)))),
        ("multidim", lambda g, n: (torch.randn(n, c, 3, generator=g), skewed(g, (n, 3)))),
        ("ignore", lambda g, n: (torch.randn(n, c, generator=g), ignore(skewed(g, (n,)), g))),
    ]


def _plain_update(metric: metrix.Metric, state: Any, inputs: tuple[Any, ...]) -> Any:
    return metric.update(state, *inputs)


def _large_c_grid() -> Iterator[tuple[str, Any]]:
    import metrix.classification as mc

    fns = sorted(
        (name, fn)
        for name, fn in vars(mc).items()
        if inspect.isfunction(fn)
        and fn.__module__.rsplit(".", 1)[-1] in STAT_MODULES
        and "num_classes" in inspect.signature(fn).parameters
        and not name.startswith(("binary_", "multilabel_"))
    )
    for c in LARGE_C:
        inputs = [(label, make(gen(11 + i), 200)) for i, (label, make) in enumerate(_large_inputs(c))]
        for name, fn in fns:
            params = inspect.signature(fn).parameters
            base = {"num_classes": c, **({"task": "multiclass"} if "task" in params else {})}
            axes = [(k, v) for k, v in LARGE_GRID.items() if k in params]
            for values in itertools.product(*(v for _, v in axes)):
                kwargs = {**base, **dict(zip((k for k, _ in axes), values))}
                try:
                    metric = fn(**kwargs)
                except Exception as e:
                    yield f"large:{name}({_key(kwargs)})", _error(e)
                    continue
                for label, x in inputs:
                    yield f"large:{name}({_key(kwargs)})@{label}", _values(_plain_update, metric, x)


def record(family: str) -> dict[str, Any]:
    """Every recorded value, by a readable key."""
    torch.manual_seed(0)
    out: dict[str, Any] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k, v in itertools.chain(_catalogue(CASES), _grid(CASES, family), _large_c_grid()):
            out[k] = v
    return out


def _same(a: Any, b: Any) -> tuple[bool, float]:
    """Bitwise equality (NaN equal to NaN, dtypes and shapes included) and the largest difference."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        if not (isinstance(a, Tensor) and isinstance(b, Tensor)):
            return False, math.inf
        if a.dtype != b.dtype or a.shape != b.shape:
            return False, math.inf
        if a.is_floating_point():
            equal = bool(((a == b) | (a.isnan() & b.isnan())).all())
            both = ~(a.isnan() | b.isnan())
            diff = float((a[both].double() - b[both].double()).abs().max()) if bool(both.any()) else 0.0
            if bool((a.isnan() != b.isnan()).any()):
                diff = math.inf
            return equal, diff
        equal = torch.equal(a, b)
        return equal, 0.0 if equal else float((a.double() - b.double()).abs().max())
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return False, math.inf
        results = [_same(a[k], b[k]) for k in a]
    elif isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        if type(a) is not type(b) or len(a) != len(b):
            return False, math.inf
        results = [_same(x, y) for x, y in zip(a, b)]
    else:
        return a == b, 0.0 if a == b else math.inf
    return all(r[0] for r in results), max((r[1] for r in results), default=0.0)


def _is_error(x: Any) -> bool:
    return isinstance(x, tuple) and len(x) == 3 and x[0] == "error"


def compare(before: dict[str, Any], after: dict[str, Any], show: int = 20) -> int:
    """Print the differences; returns the number of value changes (0 means bitwise equal)."""
    values, types, messages, rounding = [], [], [], []
    missing = sorted(set(before) - set(after))
    added = sorted(set(after) - set(before))
    for key in sorted(set(before) & set(after)):
        a, b = before[key], after[key]
        if isinstance(a, dict) and isinstance(b, dict):
            pairs = [(f"{key}[{k}]", a.get(k), b.get(k)) for k in sorted(set(a) | set(b))]
        else:
            pairs = [(key, a, b)]
        for name, x, y in pairs:
            if _is_error(x) or _is_error(y):
                if not (_is_error(x) and _is_error(y)):
                    values.append((name, x if _is_error(x) else "value", y if _is_error(y) else "value"))
                elif x[1] != y[1]:
                    types.append((name, x[1:], y[1:]))
                elif x[2] != y[2]:
                    messages.append((name, x[2], y[2]))
                continue
            equal, diff = _same(x, y)
            if not equal:
                (rounding if diff < 1e-5 else values).append((name, diff))
    total = len(before)
    print(f"recorded entries: before {total}, after {len(after)}; missing {len(missing)}, added {len(added)}")
    print(f"value changes: {len(values)}; within 1e-5 (float rounding): {len(rounding)}")
    print(f"error-type changes: {len(types)}; message changes: {len(messages)}")
    for title, rows in (
        ("value changes", values),
        ("rounding-level changes", rounding),
        ("error-type changes", types),
        ("message changes", messages),
        ("missing", [(m,) for m in missing]),
        ("added", [(m,) for m in added]),
    ):
        if rows:
            print(f"-- {title} (first {show}):")
            for row in rows[:show]:
                print("  ", *row)
    return len(values) + len(missing)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``save PATH`` or ``compare BEFORE AFTER``."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("save", help="record every value into PATH")
    s.add_argument("path")
    s.add_argument("--family", default="classification", help="metrix.<family> factories get the option grid")
    c = sub.add_parser("compare", help="compare two recordings")
    c.add_argument("before")
    c.add_argument("after")
    c.add_argument("--show", type=int, default=20)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    if args.cmd == "save":
        values = record(args.family)
        torch.save(values, args.path)
        grid = sum(1 for k in values if k.startswith("grid:"))
        print(f"saved {len(values)} entries ({grid} grid configurations x inputs) to {args.path}")
        return 0
    before = torch.load(args.before, weights_only=False)
    after = torch.load(args.after, weights_only=False)
    return 1 if compare(before, after, args.show) else 0


if __name__ == "__main__":
    sys.exit(main())
