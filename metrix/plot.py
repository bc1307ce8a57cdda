"""Plots of metric values: ROC and precision-recall curves, confusion matrices, histories.

Every function takes what a metric's ``compute`` returns (tensors, or lists of them for
per-class curves), draws on a new figure or on the ``ax`` you pass, and returns
``(fig, ax)`` so you can restyle or save it. matplotlib is imported on first use only
(``import metrix`` never pulls it in); install it with ``pip install 'metrix[plot]'``.

Example:
    >>> import matplotlib
    >>> matplotlib.use("Agg")                     # no display needed
    >>> import torch
    >>> from metrix.plot import plot_confusion_matrix
    >>> fig, ax = plot_confusion_matrix(torch.tensor([[5, 1], [2, 7]]), labels=["cat", "dog"])
    >>> ax.get_xlabel()
    'Predicted'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch import Tensor

from metrix._core.docstrings import Glossary

__all__ = ["plot_confusion_matrix", "plot_history", "plot_precision_recall", "plot_roc", "plot_value"]

_NORMALIZE = (None, "true", "pred", "all")

# The parameters, the return value and the example opening that the four plot helpers share.
_AXES = Glossary(
    {
        "ax": "a matplotlib ``Axes`` to draw on; a new figure is made when ``None``.",
        "title": "the axes title (``None`` for none).",
    },
    returns="``(fig, ax)``.",
    example='>>> import matplotlib\n>>> matplotlib.use("Agg")\n>>> import torch\n>>> from metrix.plot import {name}',
)


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:  # pragma: no cover - exercised only without matplotlib
        raise ImportError(
            "metrix.plot needs matplotlib, which is not installed: pip install 'metrix[plot]' (or matplotlib>=3.8)"
        ) from err
    return plt


def _figure_and_axes(ax: Any, figsize: tuple[float, float]) -> tuple[Any, Any]:
    if ax is not None:
        return ax.figure, ax
    fig, ax = _pyplot().subplots(figsize=figsize, layout="constrained")
    return fig, ax


def _array(x: Any, name: str) -> Any:
    """A float64 numpy array from a tensor, a numpy array, a number or a list of numbers."""
    import numpy as np

    if isinstance(x, Tensor):
        return x.detach().to("cpu", torch.float64).numpy()
    try:
        return np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a tensor, an array or a list of numbers, got {type(x).__name__}") from err


def _curves(x: Any, name: str) -> list[Any]:
    """One 1-d array per curve: a 1-d input is one curve, a 2-d input or a list is one per row."""
    if isinstance(x, (list, tuple)) and x and not isinstance(x[0], (int, float)):
        arrays = [_array(c, f"{name}[{i}]") for i, c in enumerate(x)]
    else:
        a = _array(x, name)
        if a.ndim not in (1, 2):
            raise ValueError(f"{name} must be 1-d (one curve) or 2-d (one curve per row), got shape {a.shape}")
        arrays = [a] if a.ndim == 1 else list(a)
    for i, a in enumerate(arrays):
        if a.ndim != 1:
            raise ValueError(f"{name}[{i}] must be 1-d, got shape {a.shape}")
    return arrays


def _curve_labels(labels: Sequence[str] | None, n: int, default: str) -> list[str | None]:
    if labels is None:
        return [None] if n == 1 else [f"{default} {i}" for i in range(n)]
    labels = list(labels)
    if len(labels) != n:
        raise ValueError(f"labels has {len(labels)} entries but there are {n} curves")
    return [str(s) for s in labels]


def _with_score(label: str | None, scores: Any, i: int, what: str) -> str | None:
    if scores is None:
        return label
    s = _array(scores, what).reshape(-1)
    value = s[i] if s.size > 1 else s[0]
    return f"{label} ({what}={value:.3f})" if label else f"{what}={value:.3f}"


def _paired(xs: list[Any], ys: list[Any], xname: str, yname: str) -> None:
    if len(xs) != len(ys):
        raise ValueError(f"{xname} has {len(xs)} curves but {yname} has {len(ys)}")
    for i, (x, y) in enumerate(zip(xs, ys)):
        if x.shape != y.shape:
            raise ValueError(f"curve {i}: {xname} has {x.shape[0]} points but {yname} has {y.shape[0]}")


@_AXES
def plot_roc(
    fpr: Any,
    tpr: Any,
    thresholds: Any = None,
    *,
    labels: Sequence[str] | None = None,
    auc: Any = None,
    ax: Any = None,
    title: str | None = "ROC curve",
    chance: bool = True,
) -> tuple[Any, Any]:
    """Plot one or several ROC curves (true positive rate against false positive rate).

    Args:
        fpr: false positive rates: a 1-d tensor for one curve, a 2-d tensor (one row per
            class, as ``roc(thresholds=...)`` returns) or a list of 1-d tensors (as
            ``roc(thresholds=None)`` returns for several classes).
        tpr: true positive rates, shaped like ``fpr``.
        thresholds: accepted and unused, so that the output of a ROC metric unpacks
            straight in: ``plot_roc(*multiclass_roc(num_classes=3)(preds, target))``.
        labels: one legend entry per curve (default: ``class i`` when there are several).
        auc: optional area(s) under the curves, a scalar or one per curve, shown in the legend.
        chance: draw the diagonal of a random classifier.

    Example:
        >>> fig, ax = plot_roc(torch.tensor([0.0, 0.5, 1.0]), torch.tensor([0.0, 0.8, 1.0]), auc=0.65)
        >>> ax.get_legend().get_texts()[0].get_text()
        'auc=0.650'
        >>> from metrix.classification import multiclass_roc
        >>> preds, target = torch.rand(20, 3).softmax(-1), torch.arange(20) % 3
        >>> fig, ax = plot_roc(*multiclass_roc(num_classes=3)(preds, target))
        >>> len(ax.get_lines())                  # three classes and the chance diagonal
        4
    """
    xs, ys = _curves(fpr, "fpr"), _curves(tpr, "tpr")
    _paired(xs, ys, "fpr", "tpr")
    fig, ax = _figure_and_axes(ax, (5.0, 4.5))
    for i, (x, y, label) in enumerate(zip(xs, ys, _curve_labels(labels, len(xs), "class"))):
        ax.plot(x, y, drawstyle="default", label=_with_score(label, auc, i, "auc"))
    if chance:
        ax.plot([0, 1], [0, 1], linestyle="--", color="0.6", linewidth=1)
    ax.set(xlim=(-0.01, 1.01), ylim=(-0.01, 1.01), xlabel="False positive rate", ylabel="True positive rate")
    ax.set_aspect("equal")
    if title:
        ax.set_title(title)
    if any(line.get_label() and not line.get_label().startswith("_") for line in ax.get_lines()):
        ax.legend(loc="lower right", fontsize="small")
    return fig, ax


@_AXES
def plot_precision_recall(
    precision: Any,
    recall: Any,
    thresholds: Any = None,
    *,
    labels: Sequence[str] | None = None,
    average_precision: Any = None,
    ax: Any = None,
    title: str | None = "Precision-recall curve",
) -> tuple[Any, Any]:
    """Plot one or several precision-recall curves (precision against recall).

    Args:
        precision: precisions, in the shapes :func:`plot_roc` accepts (the first output of
            ``precision_recall_curve``).
        recall: recalls, shaped like ``precision``.
        thresholds: accepted and unused, so that the output of a precision-recall curve
            metric unpacks straight in: ``plot_precision_recall(*binary_precision_recall_curve()(p, t))``.
        labels: one legend entry per curve.
        average_precision: optional score(s), a scalar or one per curve, shown in the legend.

    Example:
        >>> p, r = torch.tensor([[0.5, 1.0, 1.0], [0.5, 0.5, 1.0]]), torch.tensor([[1.0, 0.5, 0.0], [1.0, 1.0, 0.0]])
        >>> fig, ax = plot_precision_recall(p, r, labels=["a", "b"])
        >>> len(ax.get_lines())
        2
        >>> from metrix.classification import binary_precision_recall_curve
        >>> curve = binary_precision_recall_curve()(torch.tensor([0.1, 0.8, 0.4]), torch.tensor([0, 1, 1]))
        >>> fig, ax = plot_precision_recall(*curve)
    """
    ps, rs = _curves(precision, "precision"), _curves(recall, "recall")
    _paired(ps, rs, "precision", "recall")
    fig, ax = _figure_and_axes(ax, (5.0, 4.5))
    for i, (p, r, label) in enumerate(zip(ps, rs, _curve_labels(labels, len(ps), "class"))):
        ax.plot(r, p, drawstyle="steps-post", label=_with_score(label, average_precision, i, "AP"))
    ax.set(xlim=(-0.01, 1.01), ylim=(-0.01, 1.01), xlabel="Recall", ylabel="Precision")
    if title:
        ax.set_title(title)
    if any(line.get_label() and not line.get_label().startswith("_") for line in ax.get_lines()):
        ax.legend(loc="lower left", fontsize="small")
    return fig, ax


@_AXES
def plot_confusion_matrix(
    matrix: Any,
    labels: Sequence[str] | None = None,
    normalize: str | None = None,
    *,
    ax: Any = None,
    cmap: str = "Blues",
    annotate: bool | None = None,
    title: str | None = "Confusion matrix",
) -> tuple[Any, Any]:
    """Draw a confusion matrix as a heat map, rows = true class, columns = predicted class.

    Args:
        matrix: a ``(C, C)`` tensor of counts (or of already normalised rates), as
            ``multiclass_confusion_matrix`` returns.
        labels: class names for both axes (default ``0 … C-1``).
        normalize: ``None`` (counts as given), ``"true"`` (each row sums to 1),
            ``"pred"`` (each column sums to 1) or ``"all"`` (the matrix sums to 1); rows or
            columns with no samples show 0.
        cmap: a matplotlib colormap name.
        annotate: write the value in every cell (default: when ``C <= 20``).

    Example:
        >>> fig, ax = plot_confusion_matrix(torch.tensor([[3, 1], [0, 4]]), normalize="true")
        >>> [t.get_text() for t in ax.texts]
        ['0.75', '0.25', '0', '1']
    """
    import numpy as np

    if normalize not in _NORMALIZE:
        raise ValueError(f"normalize must be one of {_NORMALIZE}, got {normalize!r}")
    m = _array(matrix, "matrix")
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise ValueError(
            f"matrix must be a square (C, C) confusion matrix, got shape {m.shape}; "
            "for multilabel (L, 2, 2) matrices plot each label's matrix on its own axes"
        )
    n = m.shape[0]
    if normalize is not None:
        den = {"true": m.sum(1, keepdims=True), "pred": m.sum(0, keepdims=True), "all": m.sum()}[normalize]
        with np.errstate(invalid="ignore", divide="ignore"):
            m = np.where(den != 0, m / np.where(den != 0, den, 1), 0.0)
    names = [str(i) for i in range(n)] if labels is None else [str(s) for s in labels]
    if len(names) != n:
        raise ValueError(f"labels has {len(names)} entries but the matrix has {n} classes")
    side = 1.0 + 0.5 * max(n, 7)
    fig, ax = _figure_and_axes(ax, (side + 1.0, side))
    image = ax.imshow(m, cmap=cmap, interpolation="nearest", vmin=0.0)
    fig.colorbar(image, ax=ax, shrink=0.8)
    ax.set(xticks=range(n), yticks=range(n), xlabel="Predicted", ylabel="True")
    rotate = max(len(s) for s in names) > 4
    ax.set_xticklabels(names, rotation=45 if rotate else 0, ha="right" if rotate else "center")
    ax.set_yticklabels(names)
    if annotate if annotate is not None else n <= 20:
        integral = normalize is None and bool(np.all(m == np.round(m)))
        high = m.max() if m.size else 0.0
        for i in range(n):
            for j in range(n):
                v = m[i, j]
                text = f"{int(v)}" if integral else f"{v:.2g}"
                color = "white" if high > 0 and v > 0.6 * high else "black"
                ax.text(j, i, text, ha="center", va="center", color=color, fontsize="small")
    if title:
        ax.set_title(title)
    return fig, ax


def _series(values_by_step: Any) -> dict[str, tuple[list[float], list[float]]]:
    """Normalise the accepted history forms to ``name -> (steps, values)``."""

    def scalar(v: Any, where: str) -> float:
        a = _array(v, where)
        if a.size != 1:
            raise ValueError(f"{where} must be a scalar, got shape {a.shape}")
        return float(a.reshape(()))

    out: dict[str, tuple[list[float], list[float]]] = {}

    def add(name: str, step: float, v: Any) -> None:
        steps, values = out.setdefault(name, ([], []))
        steps.append(step)
        values.append(scalar(v, f"value {name!r} at step {step:g}"))

    if isinstance(values_by_step, Mapping):
        keys = list(values_by_step)
        if keys and all(isinstance(k, str) for k in keys):  # name -> sequence of values
            for name, seq in values_by_step.items():
                for step, v in enumerate(seq):
                    add(name, step, v)
            return out
        items = list(values_by_step.items())  # step -> value or dict
    else:
        items = list(enumerate(values_by_step))
    for step, v in items:
        if isinstance(v, Mapping):
            for name, x in v.items():
                add(str(name), float(step), x)
        else:
            add("value", float(step), v)
    return out


@_AXES
def plot_history(
    values_by_step: Any,
    *,
    ax: Any = None,
    xlabel: str = "step",
    ylabel: str | None = None,
    title: str | None = None,
) -> tuple[Any, Any]:
    """Plot metric values over steps (epochs, evaluations, …), one line per metric.

    Args:
        values_by_step: the values, in any of these forms: a list of scalars (one per step);
            a list of dicts ``{name: scalar}`` (what a collection's ``compute`` returns, one
            per step); a dict ``{step: scalar or dict}``; or a dict ``{name: list of scalars}``.
            Scalars may be tensors, numpy values or floats.
        xlabel: label of the step axis.
        ylabel: label of the value axis (default: the metric's name when there is one).
        title: the axes title.

    Example:
        >>> history = [{"acc": torch.tensor(0.5), "f1": torch.tensor(0.4)},
        ...            {"acc": torch.tensor(0.7), "f1": torch.tensor(0.6)}]
        >>> fig, ax = plot_history(history)
        >>> [line.get_label() for line in ax.get_lines()]
        ['acc', 'f1']
    """
    series = _series(values_by_step)
    fig, ax = _figure_and_axes(ax, (6.0, 3.5))
    for name, (steps, values) in series.items():
        ax.plot(steps, values, marker="o" if len(steps) <= 30 else None, markersize=3, label=name)
    if all(float(x).is_integer() for steps, _ in series.values() for x in steps):
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if ylabel is None and len(series) == 1:
        ylabel = next(iter(series))
    ax.set(xlabel=xlabel, ylabel=ylabel or "value")
    if len(series) > 1:
        ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    if title:
        ax.set_title(title)
    return fig, ax


def _is_scalar(v: Any) -> bool:
    return isinstance(v, (int, float)) or (isinstance(v, Tensor) and v.numel() == 1)


def plot_value(metric: Any, value: Any, **kwargs: Any) -> tuple[Any, Any]:
    """Plot what ``metric`` computed with the helper that fits it (used by ``MetricModule.plot``).

    Args:
        metric: the `metrix.Metric` that produced ``value`` (its name picks the helper).
        value: ``compute``'s result, or a list of results (one per step) for scalar metrics.
        **kwargs: passed to the helper.

    Returns:
        ``(fig, ax)``.
    """
    name = getattr(metric, "name", "")
    if isinstance(value, tuple) and len(value) == 3 and name.endswith("_roc"):
        return plot_roc(*value, **kwargs)
    if isinstance(value, tuple) and len(value) == 3 and name.endswith("precision_recall_curve"):
        return plot_precision_recall(*value, **kwargs)
    if name.endswith("confusion_matrix") and isinstance(value, Tensor) and value.dim() == 2:
        return plot_confusion_matrix(value, **kwargs)
    steps = value if isinstance(value, list) else [value]
    if steps and all(
        _is_scalar(v) or (isinstance(v, Mapping) and v and all(_is_scalar(x) for x in v.values())) for v in steps
    ):
        return plot_history(steps, **kwargs)
    raise TypeError(
        f"no metrix.plot helper fits the value of {name or 'this metric'} "
        f"({type(value).__name__}); plot it with matplotlib directly"
    )
