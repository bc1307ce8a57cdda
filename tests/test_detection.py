"""metrix.detection beyond the catalogue: COCO parity in float64, ties, shards, compile, edge cases."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

import metrix
from metrix import detection as md
from metrix.detection import _mean_ap
from tests.catalogue._case import assert_close, gen
from tests.catalogue._coco_data import coco_like
from tests.catalogue._coco_reference import coco_eval64, coco_reference
from tests.test_laws import CountingBackend

STATS = [
    "map",
    "map_50",
    "map_75",
    "map_small",
    "map_medium",
    "map_large",
    "mar_1",
    "mar_10",
    "mar_100",
    "mar_small",
    "mar_medium",
    "mar_large",
]

# (generator options, metric options): crowd, empty images and images without ground truth or
# detections occur in every dataset; these add many classes, ties, > maxDets, given areas, masks
DATASETS = {
    "default": ({}, {}),
    "many-classes": ({"classes": 25, "max_gt": 10}, {"class_metrics": True}),
    "ties": ({"ties": True}, {}),
    "more-than-maxdets": ({"many": 40}, {"max_detection_thresholds": [1, 10, 100]}),
    "given-area": ({"with_area": True}, {}),
    "micro": ({}, {"average": "micro"}),
    "segm": ({"masks": True, "boxes": False, "canvas": 40}, {"iou_type": "segm", "class_metrics": True}),
}
WORST: dict[str, float] = {}


def _stats(out: dict, prefix: str = "") -> np.ndarray:
    return np.array([float(out[prefix + k]) for k in STATS])


def _per_class(precision: np.ndarray, recall: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    maps, mars = [], []
    for k in range(precision.shape[2]):
        p, r = precision[:, :, k, 0, -1], recall[:, k, 0, -1]
        maps.append(p[p > -1].mean() if (p > -1).any() else -1.0)
        mars.append(r[r > -1].mean() if (r > -1).any() else -1.0)
    return np.array(maps), np.array(mars)


@pytest.mark.parametrize("backend", ["pycocotools", "faster_coco_eval"])
@pytest.mark.parametrize("name", list(DATASETS))
def test_parity_float64_all_stats_and_classes(name: str, backend: str) -> None:
    gen_kw, kw = DATASETS[name]
    preds, target = coco_like(gen(hash(name) % 1000), 60, **gen_kw)
    # uneven batches
    m = md.mean_average_precision(**kw, extended_summary=True)
    state = m.init()
    for a, b in itertools.pairwise([0, 1, 1, 17, 40, 60]):
        state = m.update(state, preds[a:b], target[a:b])
    ours = m.compute(state)
    ref = coco_eval64(
        preds,
        target,
        backend=backend,
        iou_type=kw.get("iou_type", "bbox"),
        average=kw.get("average", "macro"),
        max_detection_thresholds=kw.get("max_detection_thresholds"),
    )
    worst = float(np.abs(_stats(ours) - ref["stats"]).max())
    np.testing.assert_allclose(ours["precision"].numpy(), ref["precision"], atol=1e-12, rtol=0)
    np.testing.assert_allclose(ours["recall"].numpy(), ref["recall"], atol=1e-12, rtol=0)
    if kw.get("class_metrics"):
        maps, mars = _per_class(ref["precision"], ref["recall"])
        worst = max(worst, float(np.abs(ours["map_per_class"].numpy() - maps).max()))
        worst = max(worst, float(np.abs(ours["mar_100_per_class"].numpy() - mars).max()))
        assert ours["classes"].tolist() == ref["cat_ids"].tolist()
    WORST[f"{name}/{backend}"] = worst
    assert worst <= 1e-6, f"{name} on {backend}: largest difference {worst:.3g}"


def test_parity_merged_shards_and_torchmetrics_keys() -> None:
    preds, target = coco_like(gen(5), 50, classes=6)
    m = md.mean_average_precision(class_metrics=True, iou_type="bbox")
    shards = [m.update(m.init(), preds[a:b], target[a:b]) for a, b in [(0, 9), (9, 9), (9, 31), (31, 50)]]
    merged = metrix.merge(*shards)
    ref = coco_reference(preds, target, class_metrics=True)
    assert_close(m.compute(merged), ref, atol=1e-6)


@pytest.mark.parametrize("kw", [{"class_metrics": True}, {"average": "micro"}])
def test_both_iou_types_prefix_keys(kw: dict) -> None:
    # (not micro with class_metrics: there TorchMetrics evaluates segm on the per-class datasets it
    # rebuilt for bbox, so its segm_* values are macro averages)
    preds, target = coco_like(gen(6), 30, masks=True, canvas=40)
    kw = {"iou_type": ("bbox", "segm"), **kw}
    ours = md.mean_average_precision(**kw)(preds, target)
    ref = coco_reference(preds, target, **kw)
    assert set(ours) == set(ref) and "bbox_map" in ours and "segm_mar_100_per_class" in ours
    assert_close(ours, ref, atol=1e-6)


def test_pycocotools_map_needs_100_detections_faster_coco_eval_does_not() -> None:
    """pycocotools' summarize reads ``map`` at maxDets=100 whatever the thresholds; metrix follows faster-coco-eval."""
    preds, target = coco_like(gen(7), 30)
    kw = {"max_detection_thresholds": [1, 5, 20]}
    ours = md.mean_average_precision(**kw)(preds, target)
    fast = coco_reference(preds, target, backend="faster_coco_eval", **kw)
    slow = coco_reference(preds, target, backend="pycocotools", **kw)
    assert_close(ours, fast, atol=1e-6)
    assert float(slow["map"]) == -1.0 and float(ours["map"]) > 0


def _force_traced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_mean_ap, "is_tracing", lambda *a: True)


@pytest.mark.parametrize(
    ("gen_kw", "kw"),
    [
        ({"ties": True, "many": 6}, {"num_classes": 4, "max_detection_thresholds": [1, 2, 5]}),
        ({"classes": 3}, {"num_classes": 3, "average": "micro", "class_metrics": True}),
        ({"masks": True, "boxes": False, "canvas": 40}, {"num_classes": 4, "iou_type": "segm"}),
    ],
)
def test_static_shape_matching_equals_grouped_matching(monkeypatch, gen_kw, kw) -> None:
    """The traced matcher (one padded group per image) and the eager one (packed (image, class) groups) agree."""
    preds, target = coco_like(gen(8), 40, **gen_kw)
    m = md.mean_average_precision(**kw, extended_summary=True)
    eager = m.compute(m.update(m.init(), preds, target))
    _force_traced(monkeypatch)
    traced = m.compute(m.update(m.init(), preds, target))
    eager.pop("ious"), traced.pop("ious")  # IoU blocks come from the grouped matcher only (no capacity= with them)
    assert_close(traced, eager, atol=1e-12)


def test_capacity_update_compiles_once_and_equals_eager() -> None:
    from tests.catalogue.detection import fixed_shape_data

    torch._dynamo.reset()
    m = md.mean_average_precision(num_classes=3, capacity=64)
    backend = CountingBackend()
    update = torch.compile(m.update, backend=backend, fullgraph=True)
    s_c = s_e = m.init()
    for step in range(3):
        preds, target = fixed_shape_data(gen(20 + step), 2)
        s_c = update(s_c, preds, target)
        s_e = m.update(s_e, preds, target)
    assert backend.count == 1, f"update compiled {backend.count} times"
    assert_close(m.compute(s_c), m.compute(s_e), atol=1e-12)
    with pytest.raises(ValueError, match="capacity=64"):
        for step in range(4):
            s_e = m.update(s_e, *fixed_shape_data(gen(30 + step), 6))


def test_empty_and_degenerate_states() -> None:
    m = md.mean_average_precision(class_metrics=True)
    out = m.compute(m.init())
    assert all(float(out[k]) == -1 for k in STATS)
    assert out["classes"].shape == (0,) and out["classes"].dtype == torch.int32
    # detections but no ground truth: every value -1, the detected class listed
    p = [{"boxes": torch.tensor([[0.0, 0, 10, 10]]), "scores": torch.tensor([0.3]), "labels": torch.tensor([4])}]
    t = [{"boxes": torch.zeros(0, 4), "labels": torch.zeros(0, dtype=torch.long)}]
    out = m(p, t)
    assert all(float(out[k]) == -1 for k in STATS) and out["classes"].tolist() == 4
    # ground truth but no detections: zeros
    out = m(
        t and [{"boxes": torch.zeros(0, 4), "scores": torch.zeros(0), "labels": torch.zeros(0, dtype=torch.long)}],
        [{"boxes": torch.tensor([[0.0, 0, 10, 10]]), "labels": torch.tensor([1])}],
    )
    assert float(out["map"]) == 0 and float(out["mar_100"]) == 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"box_format": "xyxz"}, "box_format"),
        ({"iou_type": "keypoints"}, "iou_type"),
        ({"iou_thresholds": [0.5, 1.5]}, "iou_thresholds"),
        ({"max_detection_thresholds": [1, 10]}, "max_detection_thresholds"),
        ({"average": "weighted"}, "average"),
        ({"capacity": 10}, "num_classes"),
        ({"capacity": 10, "num_classes": 3, "extended_summary": True}, "extended_summary"),
        ({"num_classes": 0}, "num_classes"),
        ({"backend": "detectron"}, "backend"),
    ],
)
def test_bad_arguments(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        md.mean_average_precision(**kwargs)


def test_argument_of_a_wrong_type_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="class_metrics must be a bool, got 1"):
        md.mean_average_precision(class_metrics=1)
    with pytest.raises(TypeError, match="rec_thresholds"):
        md.mean_average_precision(rec_thresholds=0.5)


@pytest.mark.parametrize("kind", ["iou", "giou", "diou", "ciou"])
def test_box_iou_matrix_matches_formulas_across_batches(kind: str) -> None:
    from tests.catalogue.detection import IOU_FACTORIES, box_pairs, np_pairwise

    preds, target = box_pairs(gen(40), 30)
    extra = box_pairs(gen(41), 7)[1]
    m = IOU_FACTORIES[kind](aggregate=False, iou_threshold=0.2, replacement_val=-3.0)
    s = m.update(m.update(m.init(), preds[:11], target), preds[11:], extra)
    expected = np_pairwise(kind, preds.numpy(), torch.cat([target, extra]).numpy())
    expected = np.where(expected < 0.2, -3.0, expected)
    np.testing.assert_allclose(m.compute(s).numpy(), expected, atol=1e-5)
    # TorchMetrics' conventions when one side is empty: a (k, k) zero matrix; aggregated: 0
    assert m(torch.zeros(0, 4), target[:3]).shape == (3, 3)
    assert float(IOU_FACTORIES[kind]()(torch.zeros(0, 4), torch.zeros(0, 4))) == 0.0


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["pycocotools", "faster_coco_eval"])
def test_parity_sweep_large(backend: str) -> None:
    """A bigger sweep: 600 images, 40 classes, crowd, ties, > maxDets, batches of 37, 3 merged shards."""
    preds, target = coco_like(gen(99), 600, classes=40, max_gt=12, max_extra=30, ties=True, many=80, crowd=0.05)
    m = md.mean_average_precision(class_metrics=True, extended_summary=True)
    shards = []
    for lo, hi in [(0, 150), (150, 420), (420, 600)]:
        s = m.init()
        for a in range(lo, hi, 37):
            s = m.update(s, preds[a : min(a + 37, hi)], target[a : min(a + 37, hi)])
        shards.append(s)
    ours = m.compute(metrix.merge(*shards))
    ref = coco_eval64(preds, target, backend=backend)
    np.testing.assert_allclose(_stats(ours), ref["stats"], atol=1e-12, rtol=0)
    np.testing.assert_allclose(ours["precision"].numpy(), ref["precision"], atol=1e-12, rtol=0)
    maps, mars = _per_class(ref["precision"], ref["recall"])
    np.testing.assert_allclose(ours["map_per_class"].numpy(), maps, atol=1e-12, rtol=0)
    np.testing.assert_allclose(ours["mar_100_per_class"].numpy(), mars, atol=1e-12, rtol=0)


def test_empty_float_tensors_mean_no_objects_as_in_torchmetrics() -> None:
    p = [{"boxes": torch.tensor([]), "scores": torch.tensor([]), "labels": torch.tensor([])}]
    t = [{"boxes": torch.tensor([[0.0, 0, 10, 10]]), "labels": torch.tensor([3])}]
    out = md.mean_average_precision()(p, t)
    ref = coco_reference(p, t)
    assert_close(out, ref)


def test_panoptic_quality_default_against_torchmetrics() -> None:
    import torchmetrics.functional.detection as tmd

    from tests.catalogue.detection import STUFFS, THINGS, panoptic_maps

    preds, target = panoptic_maps(gen(12), 16)
    m = md.panoptic_quality(THINGS, STUFFS, return_sq_and_rq=True)
    s = m.update(m.update(m.init(), preds[:5], target[:5]), preds[5:], target[5:])
    assert_close(m.compute(s), tmd.panoptic_quality(preds, target, THINGS, STUFFS, return_sq_and_rq=True))


@pytest.mark.parametrize("average", ["macro", "micro"])
@pytest.mark.parametrize("iou_type", ["bbox", "segm"])
def test_extended_summary_ious_equal_cocoeval(average: str, iou_type: str) -> None:
    gen_kw = {"masks": True, "boxes": False, "canvas": 32} if iou_type == "segm" else {"many": 20}
    preds, target = coco_like(gen(13), 24, **gen_kw)
    m = md.mean_average_precision(iou_type=iou_type, average=average, extended_summary=True)
    s = m.update(m.update(m.init(), preds[:9], target[:9]), preds[9:], target[9:])
    ours = m.compute(s)["ious"]
    ref = coco_eval64(preds, target, iou_type=iou_type, average=average)["ious"]
    assert set(ours) == set(ref)
    for key, value in ref.items():
        if isinstance(value, list):
            assert isinstance(ours[key], list) and not ours[key], key
        else:
            np.testing.assert_allclose(ours[key].numpy().reshape(value.shape), value.astype(np.float32), atol=1e-7)


def test_collection_shares_the_matching_state_only_between_equal_configurations() -> None:
    preds, target = coco_like(gen(14), 12)
    members = {
        "a": md.mean_average_precision(),
        "b": md.mean_average_precision(extended_summary=True),
        "c": md.mean_average_precision(rec_thresholds=[0.0, 0.5, 1.0]),
    }
    c = metrix.collection(members)
    assert len(c.init()) == 2  # "a" and "c" keep the same records; "b" also keeps IoU blocks
    out = c(preds, target)
    for name, metric in members.items():
        assert_close(out[name], metric(preds, target), what=name)
