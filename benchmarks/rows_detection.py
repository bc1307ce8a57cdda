"""Benchmark rows for metrix.detection: COCO mAP against faster-coco-eval and pycocotools.

TorchMetrics' ``MeanAveragePrecision`` needs torchvision, and the registry's torchvision
(a CUDA build) does not load beside the CPU torch (``libtorch_cuda.so`` missing, import
fails with "operator torchvision::nms does not exist"), so the TorchMetrics column of
these rows holds the COCO packages TorchMetrics itself calls, used directly: the
per-image tensors become COCO annotation dicts (what TorchMetrics' compute builds), then
``COCO``/``loadRes``/``evaluate``/``accumulate``/``summarize``. metrix runs
``update`` per batch of 50 images and ``compute`` once.

Run as a script (``python benchmarks/rows_detection.py --mem <impl> <images>``) it is the
child process of the peak-memory row.
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from _harness import NA, Bench, Row, Timing, peak_rss, reset_peak_rss, run_child  # noqa: E402

BATCH = 50
CLASSES = 80
_DATA: dict[tuple, Any] = {}


def data(n: int, masks: bool = False) -> tuple[list, list]:
    """COCO-like images: up to 15 objects and up to ~100 detections each, 80 classes (cached)."""
    key = (n, masks)
    if key not in _DATA:
        from tests.catalogue._coco_data import coco_like

        g = torch.Generator().manual_seed(0)
        if masks:
            _DATA[key] = coco_like(g, n, classes=CLASSES, max_gt=8, max_extra=12, crowd=0.02, masks=True, canvas=128)
        else:
            _DATA[key] = coco_like(g, n, classes=CLASSES, max_gt=15, max_extra=60, crowd=0.02)
    return _DATA[key]


def _packages() -> dict[str, tuple[Any, Any, Any]]:
    out = {}
    try:
        from faster_coco_eval import COCO as FCOCO
        from faster_coco_eval import COCOeval_faster
        from faster_coco_eval.core import mask as fmask

        out["faster-coco-eval"] = (FCOCO, COCOeval_faster, fmask)
    except ImportError:  # pragma: no cover - the test extra installs it
        pass
    try:
        from pycocotools import mask as pmask
        from pycocotools.coco import COCO as PCOCO
        from pycocotools.cocoeval import COCOeval

        out["pycocotools"] = (PCOCO, COCOeval, pmask)
    except ImportError:  # pragma: no cover
        pass
    return out


def to_coco(preds: list, target: list, first_id: int, masks: Any = None) -> tuple[list, list, list]:
    """COCO ``images``, ground-truth ``annotations`` and detection results of a batch."""
    images, anns, dets = [], [], []
    for i, (p, t) in enumerate(zip(preds, target)):
        img = first_id + i
        images.append({"id": img, "height": 128, "width": 128})
        for side, out in ((t, anns), (p, dets)):
            n = len(side["labels"])
            labels = side["labels"].tolist()
            extra = side["scores"].tolist() if "scores" in side else side["iscrowd"].tolist()
            if masks is not None:
                rles = [masks.encode(np.asfortranarray(m)) for m in side["masks"].to(torch.uint8).numpy()]
                areas = [float(masks.area(r)) for r in rles]
                geo = [{"segmentation": r, "area": a} for r, a in zip(rles, areas)]
            else:
                b = side["boxes"]
                xywh = torch.cat([b[:, :2], b[:, 2:] - b[:, :2]], 1).tolist()
                geo = [{"bbox": x, "area": x[2] * x[3]} for x in xywh]
            for k in range(n):
                ann = {"image_id": img, "category_id": labels[k], **geo[k]}
                if "scores" in side:
                    ann["score"] = extra[k]
                else:
                    ann["iscrowd"] = extra[k]
                out.append(ann)
    return images, anns, dets


def coco_eval(pkg: tuple[Any, Any, Any], images: list, anns: list, dets: list, iou_type: str) -> float:
    coco_cls, eval_cls, _ = pkg
    with contextlib.redirect_stdout(io.StringIO()):
        gt = coco_cls()
        gt.dataset = {
            "images": images,
            "annotations": [{**a, "id": i + 1} for i, a in enumerate(anns)],
            "categories": [{"id": c} for c in range(CLASSES)],
        }
        gt.createIndex()
        dt = gt.loadRes(dets) if dets else coco_cls()
        ev = eval_cls(gt, dt, iou_type)
        ev.params.iouThrs = np.array(torch.linspace(0.5, 0.95, 10).tolist())
        ev.params.recThrs = np.array(torch.linspace(0.0, 1.0, 101).tolist())
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return float(ev.stats[0])


def run_metrix(preds: list, target: list, iou_type: str) -> Callable[[], float]:
    from metrix.detection import mean_average_precision

    m = mean_average_precision(iou_type=iou_type)

    def run() -> float:
        s = m.init()
        for a in range(0, len(preds), BATCH):
            s = m.update(s, preds[a : a + BATCH], target[a : a + BATCH])
        return float(m.compute(s)["map"])

    return run


def run_package(pkg: tuple, preds: list, target: list, iou_type: str) -> Callable[[], float]:
    masks = pkg[2] if iou_type == "segm" else None

    def run() -> float:
        images, anns, dets = [], [], []
        for a in range(0, len(preds), BATCH):  # what an update would collect
            i, g, d = to_coco(preds[a : a + BATCH], target[a : a + BATCH], a, masks)
            images += i
            anns += g
            dets += d
        return coco_eval(pkg, images, anns, dets, iou_type)

    return run


def _recording(run: Callable[[], float], values: dict, key: Any) -> Callable[[], None]:
    """``run`` timed by the harness, its last map value kept for the row's note (no extra run)."""

    def timed() -> None:
        values[key] = run()

    return timed


def _split_compute(b: Bench, impls: dict[str, Any], n: int, iou_type: str) -> dict[str, Timing]:
    """Compute only: metrix.compute on a filled state vs the package's COCO build + evaluation."""
    from metrix.detection import mean_average_precision

    preds, target = data(n, iou_type == "segm")
    m = mean_average_precision(iou_type=iou_type)
    state = m.init()
    for a in range(0, len(preds), BATCH):
        state = m.update(state, preds[a : a + BATCH], target[a : a + BATCH])
    timings = {"metrix": Timing()}
    collected = {}
    for name, pkg in impls.items():
        masks = pkg[2] if iou_type == "segm" else None
        collected[name] = to_coco(preds, target, 0, masks)
        timings[name] = Timing()
    for _ in range(b.reps if not b.quick else 2):
        t0 = b.clock()
        m.compute(state)
        timings["metrix"].samples.append(b.clock() - t0)
        for name, pkg in impls.items():
            t0 = b.clock()
            coco_eval(pkg, *collected[name], iou_type)
            timings[name].samples.append(b.clock() - t0)
    return timings


def row_total(b: Bench, n: int, pkg_name: str, reps: int) -> Row:
    row = Row(
        f"mean_average_precision bbox, {n:,} images (<=100 dets, 80 classes): update+compute vs {pkg_name}",
        ">= 5x vs the fastest package",
    )
    row.unit = "ms"
    pkgs = _packages()
    if pkg_name not in pkgs:
        row.note = f"{pkg_name} is not installed"
        return row
    preds, target = data(n)
    values: dict[str, float] = {}
    ours = _recording(run_metrix(preds, target, "bbox"), values, "metrix")
    theirs = _recording(run_package(pkgs[pkg_name], preds, target, "bbox"), values, pkg_name)
    t = b.interleaved({"metrix": lambda: ours, "pkg": lambda: theirs}, 1, reps=reps)
    row.metrix, row.tm = t["metrix"], t["pkg"]
    row.met = row.ratio_tm() >= 5.0
    row.note = (
        f"TorchMetrics column = {pkg_name} directly (TorchMetrics' MeanAveragePrecision needs torchvision, which does "
        f"not load beside the CPU torch); map {values['metrix']:.6f} vs {values[pkg_name]:.6f}"
    )
    return row


def row_compute(b: Bench, n: int) -> Row:
    row = Row(
        f"mean_average_precision bbox, {n:,} images: compute only vs faster-coco-eval evaluate",
        ">= 20x vs the fastest package",
    )
    row.unit = "ms"
    pkgs = {k: v for k, v in _packages().items() if k == "faster-coco-eval"}
    if not pkgs:
        row.note = NA
        return row
    t = _split_compute(b, pkgs, n, "bbox")
    row.metrix, row.tm = t["metrix"], t["faster-coco-eval"]
    row.met = row.ratio_tm() >= 20.0
    row.note = "TorchMetrics column = faster-coco-eval COCO()/loadRes/evaluate/accumulate/summarize on collected dicts"
    return row


def row_segm(b: Bench, n: int) -> Row:
    row = Row(
        f"mean_average_precision segm, {n} images of 128x128 masks (<=8 objects, ~25 dets): update+compute",
        "faster than faster-coco-eval",
    )
    row.unit = "ms"
    pkgs = _packages()
    if "faster-coco-eval" not in pkgs:
        row.note = NA
        return row
    preds, target = data(n, masks=True)
    values: dict[str, float] = {}
    ours = _recording(run_metrix(preds, target, "segm"), values, 0)
    theirs = _recording(run_package(pkgs["faster-coco-eval"], preds, target, "segm"), values, 1)
    t = b.interleaved({"metrix": lambda: ours, "pkg": lambda: theirs}, 1, reps=3 if b.quick else 5)
    row.metrix, row.tm = t["metrix"], t["pkg"]
    row.met = row.ratio_tm() >= 1.0
    row.note = (
        "TorchMetrics column = faster-coco-eval with RLE encoding (as TorchMetrics' update does); "
        f"map {values[0]:.6f} vs {values[1]:.6f}"
    )
    return row


def row_memory(b: Bench, n: int) -> Row:
    row = Row(f"peak memory, mean_average_precision bbox over {n:,} images", "<= the packages' peak")
    row.unit = "MiB"
    out = {}
    for impl in ("metrix", "faster-coco-eval", "pycocotools"):
        try:
            out[impl] = float(run_child([str(Path(__file__)), "--mem", impl, str(n)], timeout=900))
        except Exception as e:  # the row says why instead of inventing a number
            out[impl] = f"failed: {type(e).__name__}"
    numeric = {k: v for k, v in out.items() if isinstance(v, float)}
    row.note = "; ".join(f"{k} {v:.0f} MiB" if isinstance(v, float) else f"{k} {v}" for k, v in out.items())
    row.note += " (peak RSS over the data already in memory, one process each)"
    if "metrix" in numeric:
        row.metrix = Timing([numeric["metrix"]])
    others = [v for k, v in numeric.items() if k != "metrix"]
    if others:
        row.tm = Timing([min(others)])
        row.met = numeric.get("metrix", float("inf")) <= min(others)
    return row


def mem_child(impl: str, n: int) -> None:
    torch.set_num_threads(1)
    preds, target = data(n)
    if impl == "metrix":
        run = run_metrix(preds, target, "bbox")
    else:
        run = run_package(_packages()[impl], preds, target, "bbox")
    base = reset_peak_rss()
    run()
    print((peak_rss() - base) / 2**20)


def plan(b: Bench) -> list[tuple[str, Callable[[], Row]]]:
    q = b.quick
    n = 500 if q else 5000
    return [
        ("map-total-faster", lambda: row_total(b, n, "faster-coco-eval", 2 if q else 5)),
        ("map-total-pycocotools", lambda: row_total(b, n, "pycocotools", 1)),
        ("map-compute", lambda: row_compute(b, n)),
        ("map-segm", lambda: row_segm(b, 60 if q else 300)),
        ("map-memory", lambda: row_memory(b, n)),
    ]


DOC_NOTES = """
* **mean_average_precision**: TorchMetrics' `MeanAveragePrecision` needs torchvision, which does not
  load beside the CPU torch build here, so the TorchMetrics column holds the COCO packages it calls
  (faster-coco-eval, pycocotools) used directly on the same generated data (COCO dicts built per batch,
  then one evaluation). metrix: `update` per batch of 50 images, one `compute`. "compute only" times
  metrix's `compute` on a filled state against the package's COCO build + evaluate + accumulate +
  summarize on already collected dicts. Peak memory: each implementation in its own process.
"""


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--mem":
        mem_child(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit("usage: rows_detection.py --mem <metrix|faster-coco-eval|pycocotools> <images>")
