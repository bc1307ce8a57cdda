"""metrix.plot draws figures with no display (Agg backend) and imports matplotlib lazily."""

from __future__ import annotations

import subprocess
import sys

import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402

import metrix  # noqa: E402
from metrix.plot import plot_confusion_matrix, plot_history, plot_precision_recall, plot_roc  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _renders(fig, tmp_path) -> None:
    out = tmp_path / "fig.png"
    fig.savefig(out)
    assert out.stat().st_size > 1000


def test_import_metrix_does_not_import_matplotlib():
    code = "import sys, metrix; assert 'matplotlib' not in sys.modules; metrix.plot; print('ok')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


def test_lazy_attribute():
    assert metrix.plot.plot_roc is plot_roc
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        metrix.nope


def test_roc_one_and_many_curves(tmp_path):
    fpr, tpr = torch.tensor([0.0, 0.2, 1.0]), torch.tensor([0.0, 0.7, 1.0])
    fig, ax = plot_roc(fpr, tpr, auc=torch.tensor(0.75))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["auc=0.750"]
    _renders(fig, tmp_path)
    # per-class: a 2-d tensor (thresholds=...) or a list of ragged curves (thresholds=None)
    fig, ax = plot_roc(torch.stack([fpr, fpr]), torch.stack([tpr, tpr]), labels=["a", "b"], auc=[0.5, 0.6])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a (auc=0.500)", "b (auc=0.600)"]
    fig, ax = plot_roc([fpr, fpr[:2]], [tpr, tpr[:2]], chance=False)
    assert len(ax.get_lines()) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1"]


def test_draws_on_given_axes():
    fig, axes = plt.subplots(1, 2)
    f, ax = plot_roc([0.0, 1.0], [0.0, 1.0], ax=axes[1], title=None)
    assert f is fig and ax is axes[1] and ax.get_title() == ""


def test_curve_errors():
    with pytest.raises(ValueError, match="fpr has 2 curves but tpr has 1"):
        plot_roc(torch.zeros(2, 3), torch.zeros(3))
    with pytest.raises(ValueError, match="curve 0: fpr has 3 points but tpr has 2"):
        plot_roc(torch.zeros(3), torch.zeros(2))
    with pytest.raises(ValueError, match="labels has 1 entries but there are 2 curves"):
        plot_roc(torch.zeros(2, 3), torch.zeros(2, 3), labels=["x"])
    with pytest.raises(ValueError, match="1-d"):
        plot_roc(torch.zeros(2, 2, 2), torch.zeros(2, 2, 2))
    with pytest.raises(TypeError, match="fpr must be a tensor"):
        plot_roc(object(), [0.0])


def test_precision_recall(tmp_path):
    p, r = torch.tensor([0.5, 0.75, 1.0]), torch.tensor([1.0, 0.5, 0.0])
    fig, ax = plot_precision_recall(p, r, average_precision=0.8)
    (line,) = ax.get_lines()
    assert list(line.get_xdata()) == [1.0, 0.5, 0.0]  # recall on x
    assert ax.get_xlabel() == "Recall"
    _renders(fig, tmp_path)


def test_confusion_matrix_values_and_normalize(tmp_path):
    m = torch.tensor([[3, 1, 0], [0, 4, 0], [0, 0, 0]])
    fig, ax = plot_confusion_matrix(m, labels=["cat", "dog", "eel"])
    assert [t.get_text() for t in ax.texts][:3] == ["3", "1", "0"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog", "eel"]
    _renders(fig, tmp_path)
    _, ax = plot_confusion_matrix(m, normalize="pred")
    assert [t.get_text() for t in ax.texts][:3] == ["1", "0.2", "0"]  # an empty column shows 0
    _, ax = plot_confusion_matrix(m, normalize="all")
    assert ax.texts[0].get_text() == "0.38"
    _, ax = plot_confusion_matrix(torch.eye(30), annotate=None)
    assert not ax.texts  # too many classes to annotate by default


def test_confusion_matrix_errors():
    with pytest.raises(ValueError, match="normalize must be one of"):
        plot_confusion_matrix(torch.eye(2), normalize="rows")
    with pytest.raises(ValueError, match=r"square \(C, C\)"):
        plot_confusion_matrix(torch.zeros(3, 2, 2))
    with pytest.raises(ValueError, match="labels has 1 entries but the matrix has 2 classes"):
        plot_confusion_matrix(torch.eye(2), labels=["a"])


def test_history_forms(tmp_path):
    fig, ax = plot_history([0.1, torch.tensor(0.5), 0.7])
    assert ax.get_ylabel() == "value" and len(ax.get_lines()) == 1
    fig.canvas.draw()
    assert all(float(t.get_text().replace("−", "-")).is_integer() for t in ax.get_xticklabels() if t.get_text())
    _renders(fig, tmp_path)
    _, ax = plot_history({"acc": [0.1, 0.2], "f1": [0.3, 0.4]}, ylabel="score")
    assert [line.get_label() for line in ax.get_lines()] == ["acc", "f1"]
    _, ax = plot_history({10: {"acc": torch.tensor(0.5)}, 20: {"acc": 0.6}})
    assert list(ax.get_lines()[0].get_xdata()) == [10.0, 20.0] and ax.get_ylabel() == "acc"
    with pytest.raises(ValueError, match="must be a scalar"):
        plot_history([torch.zeros(3)])
