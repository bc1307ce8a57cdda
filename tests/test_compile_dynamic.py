"""Dynamic batch sizes under ``torch.compile(fullgraph=True)`` for the fixed-state catalogue.

A loader's last, smaller batch must not fail or recompile without end: with
``dynamic=True`` (or ``mark_dynamic`` on the batch dim) batches of 16, 7, 1 and 0
samples cost three graphs (one for every size >= 2; dynamo specialises 1 and 0), and the
state equals eager mode's. Under ``dynamic=True`` the integers a factory closes over
(``num_classes``, ``ignore_index``, ``num_groups``…) are symbolic too, so an f-string
message built while tracing must format them through ``int()`` (dynamo formats only
constants): these tests catch any that does not.

Every such case costs about three seconds of tracing, so the suite runs one case per
kind of input handling (``REPRESENTATIVE``: every classification input path, and each
module outside classification whose checks format a closed-over number);
``METRIX_COMPILE_SWEEP=1`` runs every fixed-state case of the catalogue (412, several
minutes).
"""

from __future__ import annotations

import os

import pytest
import torch

from metrix._core.module import _entry_tensors
from metrix._core.tree import flatten
from tests.catalogue import CASES, Case
from tests.catalogue._case import assert_close, gen
from tests.test_laws import CountingBackend

REPRESENTATIVE = {
    "binary_accuracy-probs",
    "binary_accuracy-ignore",
    "mc_accuracy-macro-labels",
    "mc70_accuracy-macro",
    "mc_accuracy-ignore",
    "ml_accuracy-micro-thr",
    "binary_auroc-ignore-capacity",
    "multiclass_auroc-weighted-ignore-binned",
    "multilabel_ap-ignore-capacity",
    "multiclass_calibration_error-multidim-ignore-max",
    "multiclass_hinge_loss-multidim-ignore",
    "binary_groups_stat_rates-labels-ignore",
    "multilabel_coverage_error-ignore",
    # outside classification: one case per module whose messages name num_classes, ignore_index…
    "mutual_info-fixed",
    "calinski_harabasz-fixed",
    "cluster_accuracy",
    "cramers_v-fixed",
    "cramers_v_matrix-fixed",
    "theils_u-fixed-drop",
    "tweedie-p1",
    "retrieval_fall_out-dense",
    "retrieval_average_precision-capacity",
    "mean_iou-index-per_class-no_background",
    "text_perplexity-ignore",
    "by_group-mse",
    "bootstrap-mse-weighted",
}
# Metrics that vmap their base metric over a dim of the inputs (multioutput): PyTorch's vmap
# batching rules for scatter_add/index_add specialise the vmapped inputs' batch size inside
# torch.compile, so every batch size compiles its own graph with dynamic=True, and
# mark_dynamic (which forbids specialising) raises dynamo's ConstraintViolationError.
# docs/guide/compile.md says so; this set pins the behaviour, so a PyTorch that lifts the
# limit fails here and the docs get updated.
VMAP_SPECIALISES = {"multioutput-accuracy"}
# mark_dynamic keeps closed-over ints constant (only the batch dim is symbolic): a few cases suffice
MARKED = {"binary_accuracy-ignore", "mc_accuracy-ignore", "ml_accuracy-micro-thr", "binary_auroc-ignore-capacity"}
_SWEEP = os.environ.get("METRIX_COMPILE_SWEEP") == "1"
CASES_AND_MODES = [
    pytest.param(c, mode, id=f"{c.id}-{mode}")
    for c in CASES
    if c.fixed_state and c.compile
    for mode in ("dynamic=True", "mark_dynamic")
    if _SWEEP or c.id in (REPRESENTATIVE | VMAP_SPECIALISES if mode == "dynamic=True" else MARKED | VMAP_SPECIALISES)
]


def _state_dims(state: object) -> set[int]:
    return {d for e in flatten(state)[0] for t in _entry_tensors(e) for d in t.shape}


def _tensors(values: list) -> list[torch.Tensor]:
    out: list[torch.Tensor] = []
    for v in values:
        if isinstance(v, torch.Tensor):
            out.append(v)
        elif isinstance(v, dict):
            out += _tensors(list(v.values()))
        elif isinstance(v, (list, tuple)):
            out += _tensors(list(v))
    return out


def _input_dims(case: Case) -> set[int]:
    """The sizes of every input dim but the batch dim, for a batch of 16."""
    args, kwargs = case.call_args(case.inputs(gen(20), 16))
    return {d for x in _tensors([*args, *kwargs.values()]) for d in x.shape[1:]}


def test_the_representative_cases_exist() -> None:
    assert MARKED <= REPRESENTATIVE <= {c.id for c in CASES}
    assert VMAP_SPECIALISES <= {c.id for c in CASES}


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::metrix.MetrixWarning")
@pytest.mark.parametrize(("case", "mode"), CASES_AND_MODES)
def test_batches_16_7_1_0_compile_three_graphs(case: Case, mode: str) -> None:
    torch._dynamo.reset()
    m = case.metric()
    backend = CountingBackend()
    update = torch.compile(m.update, backend=backend, fullgraph=True, dynamic=mode == "dynamic=True")
    state_c = state_e = m.init()
    if case.id in VMAP_SPECIALISES and mode == "mark_dynamic":
        args, kwargs = case.call_args(case.inputs(gen(20), 16))
        for x in _tensors([*args, *kwargs.values()]):
            torch._dynamo.mark_dynamic(x, 0)
        with pytest.raises(Exception, match="Constraints violated"):
            update(state_c, *args, **kwargs)
        return
    for step, n in enumerate([16, 7, 1, 0]):
        args, kwargs = case.call_args(case.inputs(gen(20 + step), n))
        if mode == "mark_dynamic":  # every input's batch dim, sample_weight and dict values included
            for x in _tensors([*args, *kwargs.values()]):
                if x.dim():
                    torch._dynamo.mark_dynamic(x, 0)
        state_c = update(state_c, *args, **kwargs)
        state_e = m.update(state_e, *args, **kwargs)
    # one graph for every size >= 2; dynamo specialises sizes 1 and 0 (one graph each).
    # dynamic=True makes the state's dims symbolic too: a first batch of 16 samples beside a
    # state dim of 16 (a 4x4 confusion matrix, 16 bins) shares its symbol ("duck sizing"), and
    # the next size may cost one graph more (when a guard relates the two); so may an
    # input's other dim of 16 (16 x 16 images). mark_dynamic marks the batch dim only.
    # the bootstrap's Poisson generator holds module-level tensors of 16 entries: the same coincidence
    hidden = {16} if case.factory.__module__ == "metrix.wrappers._bootstrap" else set()
    duck = mode == "dynamic=True" and 16 in _state_dims(m.init()) | _input_dims(case) | hidden
    expected = {4} if case.id in VMAP_SPECIALISES else {3, 4} if duck else {3}
    assert backend.count in expected, f"{backend.count} compiles for batches of 16, 7, 1 and 0 samples"
    assert_close(m.compute(state_c), m.compute(state_e), atol=case.atol, rtol=case.rtol, what="compiled vs eager")
