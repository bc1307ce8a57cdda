"""MetricModule in real training loops: autograd, copies, compile, checkpoints, warnings, errors.

Catalogue-wide where it is cheap (every Case through a module with grad-carrying inputs,
copies of every Case's module); the rest on a few representative metrics.
"""

from __future__ import annotations

import copy
import io
import pickle
import re
import warnings

import pytest
import torch
import torch.utils._pytree as pytree

import metrix
from metrix import classification as mc
from metrix import regression as mr
from metrix.aggregation import cat, mean
from tests._spawn_target import update_and_report
from tests.catalogue import CASES, Case
from tests.catalogue._case import assert_close, gen, leaves
from tests.test_laws import CountingBackend

ALL = [pytest.param(c, id=c.id) for c in CASES]


def _with_grad(inputs: tuple) -> tuple:
    """Floating tensors as leaves that require grad (what a training step hands to a metric)."""
    return tuple(
        x.detach().clone().requires_grad_(True) if isinstance(x, torch.Tensor) and x.is_floating_point() else x
        for x in inputs
    )


def _module(case: Case, **kwargs) -> metrix.MetricModule:
    return metrix.MetricModule(case.metric(), **kwargs)


# ------------------------------------------------------------------ 1. no autograd history in the state


# small random batches may be degenerate (a class never predicted under zero sample weights):
# the MetrixWarning that says so is tested in tests/test_warnings.py, not here
@pytest.mark.filterwarnings("ignore::metrix.MetrixWarning")
@pytest.mark.parametrize("case", ALL)
def test_module_in_a_training_loop(case: Case) -> None:
    """Every catalogue metric: no autograd history, independent copies, errors that name it."""
    _state_keeps_no_autograd_history(case)
    _module_copies_are_independent(case)
    _errors_name_the_metric_never_private_functions(case)


def _state_keeps_no_autograd_history(case: Case) -> None:
    inputs = _with_grad(case.inputs(gen(1), 24))
    if not any(isinstance(x, torch.Tensor) and x.requires_grad for x in inputs):
        return  # integer inputs only: nothing can carry a gradient
    args, kwargs = case.call_args(inputs)
    module = _module(case)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. "Converting a tensor with requires_grad=True to a scalar"
        module.update(*args, **kwargs)
        module(*args, **kwargs)
        value = module.compute()
        case.value(case.metric(), inputs)  # the pure API with grad-carrying inputs does not warn either
    grads = [t for t in leaves(module.state) if t.requires_grad or t.grad_fn is not None]
    assert not grads, f"{case.id}: state leaves with autograd history: {grads}"
    assert not any(t.requires_grad for t in pytree.tree_leaves(value) if isinstance(t, torch.Tensor))
    expected = case.metric()
    s = expected.init()
    plain = tuple(x.detach() if isinstance(x, torch.Tensor) else x for x in inputs)
    s = case.update(expected, case.update(expected, s, plain), plain)
    assert_close(value, expected.compute(s), atol=case.atol, rtol=case.rtol, what="module vs pure")


def test_gradients_flow_where_documented() -> None:
    preds = torch.tensor([0.5, 2.0, 3.0], requires_grad=True)
    target = torch.tensor([1.0, 2.0, 2.0])
    mse = mr.mean_squared_error()
    mse(preds, target).backward()  # the pure one-shot value is differentiable
    torch.testing.assert_close(preds.grad, 2 * (preds.detach() - target) / 3)

    module = metrix.MetricModule(mr.mean_squared_error())
    batch = module(preds, target)  # forward: the batch value is differentiable (as TorchMetrics')
    assert batch.requires_grad
    module.update(preds, target)
    assert not module.compute().requires_grad  # compute never is
    assert not any(t.requires_grad for t in leaves(module.state))


def test_exact_curve_state_keeps_no_logits_graph() -> None:
    logits = torch.randn(64, requires_grad=True)
    target = torch.randint(0, 2, (64,))
    module = metrix.MetricModule(mc.binary_auroc())
    for _ in range(3):
        module(torch.sigmoid(logits * 2), target)
        module.update(torch.sigmoid(logits * 2), target)
    assert all(t.grad_fn is None and not t.requires_grad for t in leaves(module.state))


def test_assigned_state_is_detached() -> None:
    m = mean()
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    module = metrix.MetricModule(m)
    module.state = m.update(m.init(), x * 3)
    assert not module.state.total.requires_grad


# ------------------------------------------------------------------ 2. copies


def _module_copies_are_independent(case: Case) -> None:
    module = _module(case)
    args, kwargs = case.call_args(case.inputs(gen(2), 16))
    module.update(*args, **kwargs)
    expected = module.compute()
    buf = io.BytesIO()
    torch.save(module, buf)
    buf.seek(0)
    copies = {
        "deepcopy": copy.deepcopy(module),
        "pickle": pickle.loads(pickle.dumps(module)),
        "torch.save": torch.load(buf, weights_only=False),
    }
    more_args, more_kwargs = case.call_args(case.inputs(gen(3), 8))
    for how, twin in copies.items():
        assert twin is not module and twin.metric.name == module.metric.name
        assert_close(twin.compute(), expected, atol=0, rtol=0, what=f"{how} copy")
        twin.update(*more_args, **more_kwargs)  # the copy moves on, the original does not
        assert twin.update_count == 2 and module.update_count == 1, how
        assert_close(module.compute(), expected, atol=0, rtol=0, what=f"original after updating its {how} copy")


class _Model(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = torch.nn.Linear(4, 3)
        self.train_metrics = metrix.MetricModule(
            metrix.collection({"acc": mc.multiclass_accuracy(num_classes=3), "auroc": mc.multiclass_auroc(3)})
        )
        self.loss = metrix.MetricModule(mean())


def test_model_holding_several_modules_copies() -> None:
    model = _Model()
    x, y = torch.randn(16, 4), torch.arange(16) % 3
    logits = model.net(x)
    model.train_metrics.update(logits, y)
    model.loss.update(torch.nn.functional.cross_entropy(logits, y))
    for twin in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        assert_close(twin.train_metrics.compute(), model.train_metrics.compute(), atol=0, rtol=0)
        twin.loss.reset()
        assert model.loss.update_count == 1


@pytest.mark.slow
def test_module_crosses_a_process_spawn() -> None:
    module = metrix.MetricModule(metrix.collection({"acc": mc.binary_accuracy(), "auroc": mc.binary_auroc()}))
    module.update(torch.tensor([0.2, 0.7]), torch.tensor([1, 1]))
    ctx = torch.multiprocessing.get_context("spawn")
    queue = ctx.SimpleQueue()
    torch.multiprocessing.start_processes(
        update_and_report, args=(pickle.dumps(module), queue), nprocs=1, start_method="spawn"
    )
    got = queue.get()
    module.update(torch.tensor([0.9, 0.1]), torch.tensor([1, 0]))
    assert got == {k: float(v) for k, v in module.compute().items()}


# ------------------------------------------------------------------ 3. compiles once


def _batches(sizes, classes=4, seed=0):
    g = gen(seed)
    return [(torch.randn(n, classes, generator=g), torch.randint(0, classes, (n,), generator=g)) for n in sizes]


@pytest.mark.parametrize("method", ["update", "forward"])
def test_compiles_once_over_many_steps(method: str) -> None:
    torch._dynamo.reset()
    metric = metrix.collection({"acc": mc.multiclass_accuracy(num_classes=4), "f1": mc.multiclass_f1_score(4)})

    def step(module, preds, target):
        return getattr(module, method)(preds, target) if method == "forward" else module.update(preds, target)

    compiled_module, eager = metrix.MetricModule(metric), metrix.MetricModule(metric)
    backend = CountingBackend()
    fn = torch.compile(getattr(compiled_module, method), backend=backend, fullgraph=True)
    for preds, target in _batches([16] * 8):
        got = fn(preds, target)
        want = step(eager, preds, target)
        if method == "forward":
            assert_close(got, want, what="compiled forward batch value")
    assert backend.count == 1, f"{method} compiled {backend.count} times over 8 same-shape steps"
    assert compiled_module.update_count == eager.update_count == 8
    compute_backend = CountingBackend()
    compute = torch.compile(compiled_module.compute, backend=compute_backend, fullgraph=True)
    for _ in range(3):
        assert_close(compute(), eager.compute(), what="compiled compute")
    assert compute_backend.count == 1


@pytest.mark.parametrize("mode", ["dynamic=True", "mark_dynamic"])
def test_last_smaller_batch_and_sizes_one_and_zero(mode: str) -> None:
    # A fixed shape compiles once; a loader's last, smaller batch is a new shape: with
    # dynamic=True (or mark_dynamic on the batch dim) one more graph serves every size.
    torch._dynamo.reset()
    metric = metrix.collection(
        {"acc": mc.binary_accuracy(), "f1": mc.binary_f1_score(), "auroc": mc.binary_auroc(thresholds=8)}
    )
    compiled_module, eager = metrix.MetricModule(metric), metrix.MetricModule(metric)
    backend = CountingBackend()
    fn = torch.compile(compiled_module.update, backend=backend, fullgraph=True, dynamic=mode == "dynamic=True")
    g = gen(3)
    for n in [16, 16, 16, 7, 1, 0, 16, 5, 300]:
        preds, target = torch.rand(n, generator=g), torch.randint(0, 2, (n,), generator=g)
        if mode == "mark_dynamic":
            torch._dynamo.mark_dynamic(preds, 0)
            torch._dynamo.mark_dynamic(target, 0)
        fn(preds, target)
        eager.update(preds, target)
    # one graph for every size >= 2; dynamo specialises sizes 0 and 1 (one graph each)
    assert backend.count == 3, f"{backend.count} compiles for 9 batches of 6 sizes"
    assert_close(compiled_module.compute(), eager.compute(), what="compiled vs eager over uneven batches")


def test_static_shapes_recompile_once_per_new_size() -> None:
    torch._dynamo.reset()
    module = metrix.MetricModule(mc.multiclass_accuracy(num_classes=4))
    backend = CountingBackend()
    fn = torch.compile(module.update, backend=backend, fullgraph=True, dynamic=False)
    for preds, target in _batches([16, 16, 7, 16, 7]):
        fn(preds, target)
    assert backend.count == 2


# ------------------------------------------------------------------ 4. growing cat storage refused in compile


@pytest.mark.parametrize(
    ("metric", "inputs", "fix"),
    [
        (mc.binary_auroc, (torch.rand(8), torch.randint(0, 2, (8,))), "thresholds="),
        (mr.spearman_corrcoef, (torch.rand(8), torch.rand(8)), "capacity="),
        (lambda: cat(nan_strategy="error"), (torch.rand(8),), "capacity="),
    ],
    ids=["binary_auroc", "spearman_corrcoef", "cat"],
)
def test_growing_storage_is_refused_at_trace_time(metric, inputs, fix: str) -> None:
    torch._dynamo.reset()
    m = metric()
    update = torch.compile(m.update, backend=CountingBackend(), fullgraph=True)
    with pytest.raises(Exception, match=re.escape(fix)) as info:
        update(m.init(), *inputs)
    assert "growing `cat` storage cannot be compiled" in str(info.value)
    module = metrix.MetricModule(m)
    with pytest.raises(Exception, match=re.escape(fix)):
        torch.compile(module.update, backend="eager", fullgraph=True)(*inputs)
    # eager and eager vmap keep working
    module.update(*inputs)
    stacked = pytree.tree_map(lambda *xs: torch.stack(xs), m.init(), m.init())
    torch.func.vmap(m.update)(stacked, *(torch.stack([x, x]) for x in inputs))


# ------------------------------------------------------------------ 5. checkpoints


def test_state_is_not_persistent_by_default() -> None:
    model = _Model()
    model.train_metrics.update(torch.randn(8, 3), torch.arange(8) % 3)
    sd = model.state_dict()
    assert set(sd) == {"net.weight", "net.bias"}
    bare = torch.nn.Module()
    bare.net = torch.nn.Linear(4, 3)
    bare.load_state_dict(sd, strict=True)  # an inference model without metrics loads it
    again = _Model()
    again.load_state_dict(sd, strict=True)  # and so does the same model, its metrics empty
    assert again.train_metrics.update_count == 0


def test_persistent_round_trip_and_strict_load_of_older_checkpoints() -> None:
    metric = metrix.collection({"acc": mc.binary_accuracy(), "auroc": mc.binary_auroc()})
    module = metrix.MetricModule(metric, persistent=True)
    module.update(torch.tensor([0.9, 0.2, 0.7]), torch.tensor([1, 0, 0]))
    sd = module.state_dict()
    assert {k for k in sd if k.startswith("state.")} == set(sd) and sd
    restored = metrix.MetricModule(metric, persistent=True)
    restored.load_state_dict(sd, strict=True)
    assert_close(restored.compute(), module.compute(), atol=0, rtol=0)
    # a non-persistent module still loads state a checkpoint holds (as TorchMetrics does)
    lenient = metrix.MetricModule(metric)
    lenient.load_state_dict(sd, strict=True)
    assert_close(lenient.compute(), module.compute(), atol=0, rtol=0)
    # a persistent module reports its state missing from a checkpoint without it
    with pytest.raises(RuntimeError, match="Missing key"):
        metrix.MetricModule(metric, persistent=True).load_state_dict({}, strict=True)
    # a checkpoint without some leaves (taken before a member or a leaf was added to the state):
    # strict=True names them; strict=False restores the rest and keeps their empty value
    older = {k: v for k, v in sd.items() if not k.startswith("state.acc.")}
    with pytest.raises(RuntimeError, match=r'Missing key\(s\) in state_dict: "state.acc.confmat"'):
        metrix.MetricModule(metric, persistent=True).load_state_dict(older, strict=True)
    partial = metrix.MetricModule(metric, persistent=True)
    assert partial.load_state_dict(older, strict=False).missing_keys == ["state.acc.confmat"]
    assert_close(partial.compute()["auroc"], module.compute()["auroc"], atol=0, rtol=0)
    assert not partial.state_dict()["state.acc.confmat"].any()  # the empty counts, not the checkpoint's


# ------------------------------------------------------------------ 6. compute before update


def test_compute_before_update_warns_once_naming_the_metric() -> None:
    module = metrix.MetricModule(mc.binary_accuracy())
    with pytest.warns(metrix.MetrixWarning, match=r"^binary_accuracy: MetricModule.compute\(\) was called before any"):
        module.compute()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        module.compute()  # once per module
        fresh = metrix.MetricModule(mc.binary_accuracy())
        fresh.update(torch.tensor([1]), torch.tensor([1]))
        fresh.compute()
        fresh.reset()
        restored = metrix.MetricModule(mc.binary_accuracy(), persistent=True)
        restored.load_state_dict(metrix.MetricModule(mc.binary_accuracy(), persistent=True).state_dict())
        restored.compute()  # a restored state is intended


# ------------------------------------------------------------------ 7. errors that lead to the fix


def _errors_name_the_metric_never_private_functions(case: Case) -> None:
    m = case.metric()
    args, kwargs = case.call_args(case.inputs(gen(5), 8))
    with pytest.raises(TypeError) as info:
        m.update(m.init(), *args, not_an_input=1, **kwargs)
    text = str(info.value)
    # a wrapper (running, …) names itself, then the wrapped metric that refused the keyword
    assert text.startswith(f"{m.name}.update"), text
    assert "got an unexpected keyword argument 'not_an_input'" in text and "<locals>" not in text, text
    if _declares_keywords(m):  # the inputs update accepts can be named only when its signature lists them
        assert "; it takes" in text, text
    if args:
        with pytest.raises(TypeError) as info:
            m.update(m.init())
        assert "<locals>" not in str(info.value) and m.name in str(info.value)
    for bad in case.bad_inputs:
        bargs, bkwargs = case.call_args(bad.make(gen(4)))
        with pytest.raises(bad.error) as info:
            m.update(m.init(), *bargs, **bkwargs)
        assert str(info.value).startswith(m.name), str(info.value)


def _declares_keywords(m: metrix.Metric) -> bool:
    """Whether ``m``'s update function lists its inputs rather than taking ``**kwargs``."""
    import inspect

    params = list(inspect.signature(m._update).parameters.values())
    return not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params)


def test_unknown_keyword_lists_the_inputs() -> None:
    m = mc.multiclass_accuracy(num_classes=3)
    with pytest.raises(
        TypeError, match=r"it takes multiclass_accuracy.update\(state, preds, target, sample_weight=None\)"
    ):
        metrix.MetricModule(m).update(torch.randn(4, 3), torch.tensor([0, 1, 2, 0]), weights=torch.ones(4))


@pytest.mark.parametrize(
    ("factory", "kwargs", "inputs"),
    [
        ("total_variation", {}, "img"),
        ("total_variation", {"reduction": "none"}, "img"),
        ("spectral_angle_mapper", {}, "preds, target"),
        ("error_relative_global_dimensionless_synthesis", {}, "preds, target"),
        ("spatial_correlation_coefficient", {}, "preds, target"),
        ("peak_signal_noise_ratio", {"data_range": 1.0, "dim": (1, 2, 3)}, "preds, target"),
        ("universal_image_quality_index", {}, "preds, target"),
        ("visual_information_fidelity", {}, "preds, target"),
    ],
)
def test_image_score_metrics_list_their_inputs(factory: str, kwargs: dict, inputs: str) -> None:
    # these updates forward their inputs to a per-image score function: they declare its inputs
    import metrix.image as mi

    m = getattr(mi, factory)(**kwargs)
    assert _declares_keywords(m)
    expected = rf"it takes {factory}.update\(state, {inputs}\) \(keywords accepted: {inputs}\)"
    with pytest.raises(TypeError, match=expected):
        m.update(m.init(), torch.rand(2, 3, 16, 16), not_an_input=1)


def test_collection_errors_name_the_member() -> None:
    c = metrix.collection({"acc": mc.multiclass_accuracy(num_classes=3), "loss": mean()})
    module = metrix.MetricModule(c)
    with pytest.raises(ValueError, match=r"^collection member 'acc': multiclass_accuracy.update: preds has 4 classes"):
        module.update(torch.randn(4, 4), torch.tensor([0, 1, 2, 0]))
    shared = metrix.collection({"acc": mc.binary_accuracy(), "f1": mc.binary_f1_score()})
    with pytest.raises(ValueError, match=r"^collection members 'acc', 'f1' \(one shared state\): binary_accuracy"):
        shared.update(shared.init(), torch.tensor([0.5]), torch.tensor([3]))


def test_assigning_another_metrics_state_says_so() -> None:
    module = metrix.MetricModule(mc.multiclass_accuracy(num_classes=3))
    with pytest.raises(ValueError, match=r"holds a multiclass_accuracy state .* got a MeanState"):
        module.state = mean().init()
    with pytest.raises(ValueError, match="not a state of this module's metric multiclass_accuracy"):
        module.state = mc.multiclass_accuracy(num_classes=5).init()


# ------------------------------------------------------------------ 9. migration conveniences


def _torchmetrics_classes() -> dict[str, tuple[str, type]]:
    """Lower-cased public TorchMetrics class name -> (the name as exported, the class)."""
    import importlib

    import torchmetrics

    found: dict[str, tuple[str, type]] = {}
    domains = ("classification", "regression", "aggregation", "retrieval", "clustering", "nominal", "shape", "image")
    domains += (
        "text",
        "audio",
        "detection",
        "segmentation",
        "",
    )  # the top level last: it re-exports deprecated aliases
    for domain in domains:
        try:
            mod = importlib.import_module(f"torchmetrics.{domain}" if domain else "torchmetrics")
        except Exception:  # a domain whose optional dependencies are missing
            continue
        for name in dir(mod):
            obj = getattr(mod, name)
            if not name.startswith("_") and isinstance(obj, type) and issubclass(obj, torchmetrics.Metric):
                found.setdefault(name.lower(), (name, obj))
    return found


# where TorchMetrics 1.9's class attribute is wrong, with the reason
HIGHER_IS_BETTER_DIFFERS = {
    # DaviesBouldinScore declares True; the index is an average similarity of each cluster to its
    # closest one, 0 at best: lower is better (Davies & Bouldin 1979; scikit-learn's documentation)
    "davies_bouldin_score": False,
    # SpectralDistortionIndex declares True; D_lambda is a distortion, 0 for none: lower is better
    # (Alparone et al. 2008, where QNR uses 1 - D_lambda)
    "spectral_distortion_index": False,
    # RetrievalPrecisionRecallCurve declares True; a curve has no order (TorchMetrics' own
    # classification curves declare None, as metrix does for every curve)
    "retrieval_precision_recall_curve": None,
}


def test_list_names_and_higher_is_better_match_torchmetrics() -> None:
    from metrix._core.collection import default_name

    classes = _torchmetrics_classes()
    checked_names = checked_hib = 0
    for case in CASES:
        m = case.metric()
        assert m.higher_is_better in (True, False, None), case.id
        name = default_name(m)
        if name.lower() not in classes:
            continue
        exported, cls = classes[name.lower()]
        assert name == exported, f"{case.id}: collection name {name!r}, TorchMetrics class {exported!r}"
        checked_names += 1
        if m.name in HIGHER_IS_BETTER_DIFFERS:
            assert m.higher_is_better is HIGHER_IS_BETTER_DIFFERS[m.name], case.id
        elif cls.higher_is_better is not None:
            assert m.higher_is_better is cls.higher_is_better, f"{case.id}: higher_is_better differs from {cls}"
            checked_hib += 1
    assert checked_names >= 90 and checked_hib >= 70, (checked_names, checked_hib)


def test_collection_from_a_list() -> None:
    c = metrix.collection([mc.binary_accuracy(), mc.binary_auroc(), mr.pearson_corrcoef(), mean()], prefix="val/")
    assert list(c.members) == ["BinaryAccuracy", "BinaryAUROC", "PearsonCorrCoef", "MeanMetric"]
    with pytest.raises(ValueError, match="both named 'BinaryAccuracy'"):
        metrix.collection([mc.binary_accuracy(), mc.binary_accuracy(threshold=0.3)])
    with pytest.raises(TypeError, match=r"metrics\[1\] must be a metrix.Metric"):
        metrix.collection((mc.binary_accuracy(), "auroc"))


def test_clone_with_prefix_and_postfix() -> None:
    train = metrix.MetricModule(metrix.collection({"acc": mc.binary_accuracy()}, prefix="train/"))
    train.update(torch.tensor([1, 0]), torch.tensor([1, 1]))
    val = train.clone(prefix="val/", postfix="_epoch")
    assert set(val.compute()) == {"val/acc_epoch"} and set(train.compute()) == {"train/acc"}
    val.reset()
    assert train.update_count == 1
    assert train.metric.clone() is train.metric
    assert pickle.loads(pickle.dumps(val.metric)).clone(postfix="_x").compute(val.metric.init()).keys() == {"val/acc_x"}
    with pytest.raises(TypeError, match="only a metrix.collection"):
        mc.binary_accuracy().clone(prefix="x")


def test_module_plot_picks_the_helper() -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from metrix.plot import plot_precision_recall, plot_roc

    preds, target = torch.rand(30, 3).softmax(-1), torch.arange(30) % 3
    for metric, lines in ((mc.multiclass_roc(num_classes=3), 4), (mc.multiclass_roc(3, thresholds=5), 4)):
        module = metrix.MetricModule(metric)
        module.update(preds, target)
        fig, ax = module.plot()
        assert len(ax.get_lines()) == lines
        fig2, ax2 = plot_roc(*metric(preds, target))
        assert len(ax2.get_lines()) == lines
        plt.close(fig)
        plt.close(fig2)
    fig, ax = plot_precision_recall(*mc.binary_precision_recall_curve()(preds[:, 0], target == 0))
    plt.close(fig)
    cm = metrix.MetricModule(mc.multiclass_confusion_matrix(num_classes=3))
    cm.update(preds, target)
    fig, ax = cm.plot()
    assert ax.get_xlabel() == "Predicted"
    plt.close(fig)
    acc = metrix.MetricModule(metrix.collection({"acc": mc.multiclass_accuracy(3), "f1": mc.multiclass_f1_score(3)}))
    history = []
    for _ in range(3):
        acc.update(preds, target)
        history.append(acc.compute())
    fig, ax = acc.plot(history)
    assert [line.get_label() for line in ax.get_lines()] == ["acc", "f1"]
    plt.close(fig)
    with pytest.raises(TypeError, match="no metrix.plot helper fits"):
        metrix.MetricModule(mc.multilabel_confusion_matrix(num_labels=2)).plot(torch.zeros(2, 2, 2))
