"""metrix.segmentation beyond the catalogue: every Dice configuration, batching, documented differences."""

from __future__ import annotations

import pytest
import torch
import torchmetrics.functional.segmentation as tms

from metrix import segmentation as ms
from tests.catalogue._case import assert_close, gen, quietly
from tests.catalogue.segmentation import C, index_maps, score_maps


@pytest.mark.parametrize("average", ["micro", "macro", "weighted", "none"])
@pytest.mark.parametrize("level", ["samplewise", "global"])
def test_dice_every_configuration_over_batches(average: str, level: str) -> None:
    preds, target = score_maps(gen(3), 40)
    m = ms.dice_score(num_classes=C, average=average, aggregation_level=level)
    s = m.init()
    for a, b in [(0, 7), (7, 7), (7, 30), (30, 40)]:
        s = m.update(s, preds[a:b], target[a:b])
    expected = quietly(tms.dice_score, preds, target, C, average=average, aggregation_level=level).double()
    assert_close(m.compute(s), expected.nanmean(0))


@pytest.mark.parametrize("kind", ["euclidean", "chessboard", "taxicab"])
@pytest.mark.parametrize("directed", [False, True])
def test_hausdorff_every_metric(kind: str, directed: bool) -> None:
    preds, target = index_maps(gen(4), 6, size=12)
    kw = {"num_classes": C, "input_format": "index", "distance_metric": kind, "directed": directed}
    got = ms.hausdorff_distance(**kw)(preds, target)
    assert_close(got, tms.hausdorff_distance(preds, target, **kw).double().mean(), atol=1e-5)


def test_generalized_dice_weights_absent_classes_per_sample() -> None:
    """TorchMetrics fills the weight of a class absent from a sample's target from the batch; metrix uses 0."""
    preds, target = score_maps(gen(5), 8)
    one_by_one = torch.stack(
        [tms.generalized_dice_score(preds[i : i + 1], target[i : i + 1], C).double()[0] for i in range(8)]
    ).mean()
    got = ms.generalized_dice_score(num_classes=C)(preds, target)
    assert_close(got, one_by_one)
    batched = tms.generalized_dice_score(preds, target, C).double().mean()
    assert not torch.isclose(got, batched), "the batch-dependent TorchMetrics value should differ on this data"


def test_hausdorff_skips_pairs_with_both_masks_empty_and_is_inf_for_one_empty() -> None:
    preds = torch.zeros(1, 6, 6, dtype=torch.long)
    target = torch.zeros(1, 6, 6, dtype=torch.long)
    preds[0, 1:3, 1:3] = 1
    m = ms.hausdorff_distance(num_classes=3, input_format="index")
    assert float(m(preds, target)) == float("inf")  # class 1 only in preds; class 2 absent from both: skipped
    target[0, 1:3, 1:3] = 1
    assert float(m(preds, target)) == 0.0


@pytest.mark.parametrize(
    ("factory", "kwargs", "match"),
    [
        (ms.mean_iou, {"input_format": "index"}, "num_classes"),
        (ms.mean_iou, {"per_class": True}, "num_classes"),
        (ms.dice_score, {"num_classes": 3, "average": "samples"}, "average"),
        (ms.generalized_dice_score, {"num_classes": 3, "weight_type": "cube"}, "weight_type"),
        (ms.hausdorff_distance, {"num_classes": 3, "distance_metric": "cosine"}, "distance_metric"),
        (ms.hausdorff_distance, {"num_classes": 3, "spacing": [1.0, -1.0]}, "spacing"),
        (ms.dice_score, {"num_classes": 0}, "num_classes"),
    ],
)
def test_bad_arguments(factory, kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        factory(**kwargs)
