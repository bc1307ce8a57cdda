"""A whole eval step (model forward + a metric collection) compiles as one graph, once."""

from __future__ import annotations

import pytest
import torch

import metrix
from metrix import classification as mc
from tests.catalogue._case import assert_close


class CountingBackend:
    def __init__(self, inner: str = "eager") -> None:
        self.count = 0
        self.inner = inner

    def __call__(self, gm: torch.fx.GraphModule, example_inputs: list) -> object:
        self.count += 1
        if self.inner == "eager":
            return gm.forward
        from torch._dynamo.backends.registry import lookup_backend

        return lookup_backend(self.inner)(gm, example_inputs)


def _collection() -> metrix.Metric:
    members = {
        "acc": mc.multiclass_accuracy(num_classes=5),
        "f1": mc.multiclass_f1_score(num_classes=5),
        "confmat": mc.multiclass_confusion_matrix(num_classes=5),
    }
    if hasattr(mc, "multiclass_auroc"):
        members["auroc"] = mc.multiclass_auroc(num_classes=5, thresholds=20)
    return metrix.collection(members)


@pytest.mark.parametrize("backend", ["eager", "aot_eager"])
def test_eval_step_compiles_once_as_one_graph(backend: str) -> None:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 5)).eval()
    metric = _collection()

    def eval_step(state, x, y):
        with torch.no_grad():
            logits = model(x)
        return metric.update(state, logits.softmax(-1), y)

    torch._dynamo.reset()
    counter = CountingBackend(backend)
    step = torch.compile(eval_step, backend=counter, fullgraph=True)
    state_c = state_e = metric.init()
    for i in range(4):
        g = torch.Generator().manual_seed(i)
        x, y = torch.randn(32, 8, generator=g), torch.randint(0, 5, (32,), generator=g)
        state_c = step(state_c, x, y)
        state_e = eval_step(state_e, x, y)
    assert counter.count == 1, f"eval step compiled {counter.count} times"
    got, expected = metric.compute(state_c), metric.compute(state_e)
    assert_close(got, expected, atol=1e-6, rtol=1e-5)
    # and a bad label still raises inside the compiled step
    with pytest.raises(ValueError, match="target"):
        step(state_c, torch.randn(32, 8), torch.full((32,), 7))
