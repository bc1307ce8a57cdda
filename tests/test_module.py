"""MetricModule: the stateful adapter (forward/update/compute/reset, buffers, state_dict)."""

from __future__ import annotations

import io

import pytest
import torch

import metrix
from metrix.aggregation import cat, mean, running_mean
from metrix.classification import binary_accuracy


def test_torchmetrics_walkthrough() -> None:
    # The public TorchMetrics walkthrough: 10 batches of 10 random binary labels.
    torch.manual_seed(123)
    forward_module = metrix.MetricModule(binary_accuracy())
    running_module = metrix.MetricModule(binary_accuracy())
    batch_values, running_values = [], []
    for _ in range(10):
        preds = torch.randint(0, 2, (10,))
        target = torch.randint(0, 2, (10,))
        batch_values.append(round(float(forward_module(preds, target)), 4))
        running_module.update(preds, target)
        running_values.append(round(float(running_module.compute()), 4))
    assert batch_values == [0.7, 0.7, 0.5, 0.6, 0.4, 0.4, 0.6, 0.6, 0.5, 0.6]
    assert running_values == [0.7, 0.7, 0.6333, 0.625, 0.58, 0.55, 0.5571, 0.5625, 0.5556, 0.56]
    assert float(forward_module.compute()) == pytest.approx(0.56)


def test_forward_equals_update_then_batch_value() -> None:
    m = metrix.MetricModule(mean())
    a = m(torch.tensor([1.0, 2.0, 3.0]))
    b = m(torch.tensor([10.0]))
    assert float(a) == 2.0 and float(b) == 10.0
    assert float(m.compute()) == pytest.approx(4.0)
    assert m.update_count == 2


@pytest.mark.parametrize("name", ["multiclass_accuracy", "multiclass_recall"])
@pytest.mark.parametrize("average", ["macro", "micro", "weighted", "none"])
@pytest.mark.parametrize("ignore_index", [None, 1])
def test_fused_forward_equals_update_compute_merge_bitwise(name: str, average: str, ignore_index: int | None) -> None:
    # the one-pass forward of the multiclass C x C state (with_fused_forward) against the generic path:
    # batch value = compute(update(init(), ...)), state = merge(state, batch), bit for bit
    from metrix import classification as mc
    from metrix._core.merge import merge

    g = torch.Generator().manual_seed(3)
    for c, shape in [(3, (32, 3)), (10, (7, 10, 4)), (64, (5, 64))]:
        metric = getattr(mc, name)(c, average=average, ignore_index=ignore_index)
        assert getattr(metric, "fused_forward", None) is not None
        module = metrix.MetricModule(metric)
        state = metric.init()
        for n in (shape[0], 1, 0):
            preds = torch.randn((n, *shape[1:]), generator=g)
            target = torch.randint(0, c, (n, *shape[2:]), generator=g)
            if ignore_index is not None and n:
                target.view(-1)[0] = ignore_index
            batch = metric.update(metric.init(), preds, target)
            expected = metric.compute(batch)
            state = merge(state, batch)
            value = module(preds, target)
            assert value.dtype == expected.dtype
            assert torch.equal(value.nan_to_num(-1.0), expected.nan_to_num(-1.0))
            assert torch.equal(module.state.confmat, state.confmat)
        assert module.update_count == 3
        assert torch.equal(module.compute().nan_to_num(-1.0), metric.compute(state).nan_to_num(-1.0))


def test_fused_forward_falls_back_to_the_generic_path() -> None:
    from metrix.classification import multiclass_accuracy

    module = metrix.MetricModule(multiclass_accuracy(3))
    preds, target = torch.eye(3)[[0, 1, 2, 2]], torch.tensor([0, 1, 2, 1])
    # weights, by keyword or by position, take the generic path
    weight = torch.tensor([1.0, 1.0, 1.0, 3.0])
    expected = multiclass_accuracy(3)(preds, target, sample_weight=weight)
    assert torch.equal(module(preds, target, sample_weight=weight), expected)
    assert torch.equal(module(preds, target, weight), expected)
    # bad input raises the error as update names it, and leaves the state as it was
    before = module.state.confmat.clone()
    message = r"^multiclass_accuracy.update: target must hold class labels in \[0, 3\), got 5"
    with pytest.raises(ValueError, match=message):
        module(preds, torch.tensor([0, 1, 2, 5]))
    with pytest.raises(TypeError, match="missing 1 required positional argument"):
        module(preds)
    assert torch.equal(module.state.confmat, before) and module.update_count == 2


def test_reset() -> None:
    m = metrix.MetricModule(mean())
    m.update(torch.tensor([5.0]))
    m.reset()
    m.update(torch.tensor([1.0]))
    assert float(m.compute()) == 1.0
    assert m.update_count == 1


def test_state_dict_round_trip_and_weights_only() -> None:
    m = metrix.MetricModule(metrix.collection({"avg": mean(), "all": cat()}), persistent=True)
    m.update(torch.tensor([0.25, 0.75, 1.5]))
    m.update(torch.tensor([0.5]))
    sd = m.state_dict()
    assert set(sd) == {"state.avg.total", "state.avg.weight", "state.all.values"}
    assert sd["state.all.values"].tolist() == [0.25, 0.75, 1.5, 0.5]
    buf = io.BytesIO()
    torch.save(sd, buf)
    buf.seek(0)
    restored = metrix.MetricModule(m.metric, persistent=True)
    restored.load_state_dict(torch.load(buf, weights_only=True))
    assert restored.compute().keys() == m.compute().keys()
    for k, v in m.compute().items():
        torch.testing.assert_close(restored.compute()[k], v)


def test_load_state_dict_reports_bad_keys() -> None:
    m = metrix.MetricModule(mean(), persistent=True)
    with pytest.raises(RuntimeError, match="Missing key"):
        m.load_state_dict({"state.total": torch.tensor(1.0, dtype=torch.float64)})
    with pytest.raises(RuntimeError, match="expected a tensor like"):
        m.load_state_dict({"state.total": torch.tensor([1.0]), "state.weight": torch.tensor(1.0, dtype=torch.float64)})
    with pytest.raises(RuntimeError, match="Unexpected key"):
        good = m.state_dict()
        m.load_state_dict({**good, "state.bogus": torch.tensor(0.0)})


def test_nested_in_a_model_state_dict() -> None:
    model = torch.nn.Module()
    model.linear = torch.nn.Linear(2, 2)
    model.acc = metrix.MetricModule(binary_accuracy(), persistent=True)
    model.acc.update(torch.tensor([1, 0]), torch.tensor([1, 1]))
    sd = model.state_dict()
    assert "acc.state.confmat" in sd
    fresh = torch.nn.Module()
    fresh.linear = torch.nn.Linear(2, 2)
    fresh.acc = metrix.MetricModule(binary_accuracy(), persistent=True)
    fresh.load_state_dict(sd)
    assert float(fresh.acc.compute()) == 0.5


def test_to_moves_state_but_keeps_precision() -> None:
    m = metrix.MetricModule(mean())
    m.update(torch.tensor([1.0, 2.0]))
    m.to(torch.device("meta")) if False else m.to("cpu")
    m.half()  # casting the module must not downcast float64 accumulators
    assert m.state.total.dtype == torch.float64
    assert m.device == torch.device("cpu")


def test_running_metric_in_forward() -> None:
    m = metrix.MetricModule(running_mean(window=2))
    values = [m(torch.tensor([v])) for v in (1.0, 3.0, 5.0)]
    assert [float(v) for v in values] == [1.0, 3.0, 5.0]
    assert float(m.compute()) == 4.0


def test_sync_unsync_guard_local_state() -> None:
    m = metrix.MetricModule(mean())
    m.update(torch.tensor([2.0]))
    m.sync()  # one process: the synced view equals the local one
    with pytest.raises(RuntimeError, match="unsync"):
        m.update(torch.tensor([1.0]))
    m.unsync()
    m.update(torch.tensor([4.0]))
    assert float(m.compute()) == 3.0
    with pytest.raises(RuntimeError, match="not synced"):
        m.unsync()


def test_failed_update_leaves_module_state() -> None:
    m = metrix.MetricModule(binary_accuracy())
    m.update(torch.tensor([1, 0]), torch.tensor([1, 1]))
    with pytest.raises(ValueError, match="target must hold only 0 and 1"):
        m.update(torch.tensor([1, 0]), torch.tensor([3, 1]))
    assert float(m.compute()) == 0.5
    assert m.update_count == 1


def test_bad_constructor_arguments() -> None:
    with pytest.raises(TypeError, match="metric must be a metrix.Metric, got"):
        metrix.MetricModule(lambda x: x)
    with pytest.raises(TypeError, match="sync_on_compute"):
        metrix.MetricModule(mean(), sync_on_compute="yes")


def test_repr() -> None:
    m = metrix.MetricModule(binary_accuracy())
    m.update(torch.tensor([1]), torch.tensor([1]))
    assert repr(m) == "MetricModule(binary_accuracy, updates=1, device=cpu, sync_on_compute=auto)"


def test_state_setter_checks_compatibility() -> None:
    m = metrix.MetricModule(mean())
    with pytest.raises(ValueError, match=r"holds a mean state \(MeanState\), got a BinaryStatScoresState"):
        m.state = binary_accuracy().init()
