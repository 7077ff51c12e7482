"""Grader for nms (D2L 14.4): box_iou values (overlap, identical, nested, disjoint, touching, empty
sets, float64) and greedy NMS (score order, strict threshold, only kept boxes suppress, int64 on the
boxes' device, empty input). NMS returns index lists, so its cases use a comparison of their own that
says which box should have been kept or dropped, and why."""

from __future__ import annotations

import torch

from d2lcoach.grading.case import Case
from d2lcoach.grading.compare import show
from d2lcoach.grading.engine import describe_call, show_inputs
from d2lcoach.sandbox.runtime.wire import SentTensor

IOU_NAMES = ("boxes1", "boxes2")
NMS_NAMES = ("boxes", "scores", "iou_threshold")
# Keep random NMS cases clear of ties: no pair's IoU lies this close to the threshold, so every
# correct way of computing IoU (any order of operations, float32 or float64) decides the same.
MARGIN = 1e-3

IOU_HINTS = {
    "IoU values": "intersection / union with corners (x1, y1, x2, y2): the intersection runs from the max of the "
                  "upper-left corners to the min of the lower-right ones; areas are (x2 - x1) * (y2 - y1) with no "
                  "+1, and union = area1 + area2 - intersection (D2L 14.4's box_iou)",
    "identical and nested boxes": "a box has IoU 1 with itself, and a box inside another has IoU "
                  "area(inner) / area(outer): union = area1 + area2 - intersection, not area1 + area2",
    "disjoint boxes": "clamp the intersection's width and height at 0 (.clamp(min=0)) before multiplying: two "
                  "negative sides multiply to a positive 'overlap', one negative side to a negative one",
    "empty box sets": "N or M may be 0: broadcast boxes1[:, None, :] against boxes2[None, :, :] and the "
                  "(0, M) or (N, 0) result comes out by itself",
    "float64": "keep the boxes' dtype: no .float() and no new tensors in float32",
}
NMS_HINTS = {
    "greedy suppression": "sort by score, descending; keep the best remaining box, drop every remaining box "
                  "whose IoU with it is > iou_threshold, and repeat with what is left (D2L 14.4's nms)",
    "highest score first": "visit the boxes in descending score order (scores.argsort(descending=True)), not in "
                  "input order, and return the kept indices in that order (do not sort them)",
    "strictly greater than the threshold": "suppress only when IoU > iou_threshold: a box whose IoU with a kept "
                  "box equals the threshold exactly is kept",
    "only kept boxes suppress": "a box that was itself suppressed suppresses nothing: compare each remaining box "
                  "only with the box kept in this round, then drop the suppressed ones before the next round",
    "no boxes": "with N = 0 return torch.empty(0, dtype=torch.int64, device=boxes.device) (and do not index "
                  "into an empty tensor first)",
    "float64": "the same greedy loop for float64 boxes; return int64 indices",
}


# --------------------------------------------------------------------------- box helpers

def _iou64(b1: torch.Tensor, b2: torch.Tensor) -> torch.Tensor:
    """The exact-as-possible IoU in float64, for the grader's own explanations and tie checks."""
    b1, b2 = b1.to(torch.float64), b2.to(torch.float64)
    a1 = (b1[:, 2] - b1[:, 0]) * (b1[:, 3] - b1[:, 1])
    a2 = (b2[:, 2] - b2[:, 0]) * (b2[:, 3] - b2[:, 1])
    lt = torch.max(b1[:, None, :2], b2[None, :, :2])
    rb = torch.min(b1[:, None, 2:], b2[None, :, 2:])
    wh = (rb - lt).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    return inter / (a1[:, None] + a2[None, :] - inter)


def _random_boxes(gen, n, *, spread=6.0, dtype=torch.float32, grid=None):
    """n boxes with positive sides; grid=k rounds the coordinates to multiples of 1/k."""
    xy = torch.rand(n, 2, generator=gen, dtype=torch.float64) * spread
    wh = 0.5 + torch.rand(n, 2, generator=gen, dtype=torch.float64) * 3.0
    boxes = torch.cat([xy, xy + wh], dim=1)
    if grid:
        boxes = (boxes * grid).round() / grid
    return boxes.to(dtype)


def _clustered_boxes(gen, n, *, clusters=3, dtype=torch.float32):
    """Boxes jittered around a few centres, so that many pairs overlap strongly."""
    centres = torch.rand(clusters, 2, generator=gen, dtype=torch.float64) * 8
    pick = torch.randint(0, clusters, (n,), generator=gen)
    xy = centres[pick] + torch.randn(n, 2, generator=gen, dtype=torch.float64) * 0.6
    wh = 1.5 + torch.rand(n, 2, generator=gen, dtype=torch.float64) * 1.5
    return torch.cat([xy, xy + wh], dim=1).to(dtype)


def _distinct_scores(gen, n, dtype=torch.float32):
    """n distinct scores in (0, 1) in a random order: a shuffled grid plus a little jitter."""
    ranks = torch.randperm(n, generator=gen).to(torch.float64)
    jitter = torch.rand(n, generator=gen, dtype=torch.float64) * 0.5
    return ((ranks + 0.25 + jitter) / (n + 1)).to(dtype)


def _clear_of_threshold(boxes, threshold) -> bool:
    if boxes.shape[0] < 2:
        return True
    iou = _iou64(boxes, boxes)
    off = ~torch.eye(boxes.shape[0], dtype=torch.bool)
    return bool(((iou - threshold).abs()[off] > MARGIN).all())


# --------------------------------------------------------------------------- nms comparison

def _fmt(x: float) -> str:
    return f"{x:.4g}"


def _explain(want: list[int], got: list[int], boxes: torch.Tensor, scores: torch.Tensor,
             threshold: float) -> str:
    """Why `got` differs from `want`: the first box that should have been dropped or kept, and why."""
    n = boxes.shape[0]
    outside = [j for j in got if not 0 <= j < n]
    if outside:
        return f"index {outside[0]} is not a box: there are {n} boxes (indices 0 to {n - 1})"
    if len(set(got)) != len(got):
        twice = next(j for j in got if got.count(j) > 1)
        return f"box {twice} appears more than once; each kept box is listed once"
    if sorted(got) == sorted(want):
        return ("the right boxes, in the wrong order: list them highest score first "
                f"(their scores: {', '.join(f'{j}: {_fmt(float(scores[j]))}' for j in want)})")
    iou = _iou64(boxes, boxes)
    s = [float(v) for v in scores.to(torch.float64)]
    wanted = set(want)
    for j in sorted(set(got) - wanted, key=lambda j: -s[j]):
        killer = next((i for i in want if s[i] > s[j] and float(iou[i, j]) > threshold), None)
        if killer is not None:
            return (f"box {j} should have been suppressed: its IoU with box {killer}, kept with a higher score "
                    f"({_fmt(s[killer])} > {_fmt(s[j])}), is {_fmt(float(iou[killer, j]))} > {threshold:g}")
    for j in sorted(wanted - set(got), key=lambda j: -s[j]):
        higher_kept = [i for i in want if s[i] > s[j]]
        best = max((float(iou[i, j]) for i in higher_kept), default=0.0)
        text = (f"box {j} (score {_fmt(s[j])}) should have been kept: no kept box with a higher score overlaps "
                f"it by more than {threshold:g}")
        if higher_kept:
            text += f" (its largest IoU with one is {_fmt(best)})"
        if any(float(iou[i, j]) == threshold for i in higher_kept):
            text += ("; an IoU exactly equal to the threshold does not suppress - only IoU strictly greater "
                     "than iou_threshold does")
        dropped = [i for i in range(n) if i not in wanted and s[i] > s[j] and float(iou[i, j]) > threshold]
        if dropped:
            i = dropped[0]
            text += (f". Box {i} overlaps it by {_fmt(float(iou[i, j]))}, but box {i} was itself suppressed, "
                     "and only kept boxes suppress others")
        return text
    return "the kept boxes differ from greedy NMS in descending score order"


def compare_nms(expected, actual, case: Case, device: str) -> list[tuple[str, str]]:
    """Judge nms's result: an int64 1-D tensor on the boxes' device holding exactly the kept indices."""
    call = describe_call(case)
    if isinstance(actual, dict) and "__subclass__" in actual:
        return [("result type", f"{call}: the result is a {actual['__subclass__']}, a subclass of torch.Tensor; "
                 "return a plain torch.Tensor")]
    if isinstance(actual, (list, tuple)):
        shown = actual if len(actual) <= 12 else f"{type(actual).__name__} of {len(actual)} items"
        return [("result type", f"{call}: the result is a Python {type(actual).__name__} ({shown}); return the "
                 "indices as an int64 tensor, e.g. torch.tensor(keep, dtype=torch.int64, device=boxes.device)")]
    if not isinstance(actual, SentTensor):
        kind = actual.get("__object__") if isinstance(actual, dict) else type(actual).__name__
        return [("result type", f"{call}: the result should be a tensor of indices, got {kind}")]
    problems = []
    if actual.device.split(":")[0] != device:
        problems.append(("device", f"{call}: the result is on {actual.device}, but the boxes were on {device}; "
                         "create the index tensor with device=boxes.device"))
    t = actual.tensor
    if t.dtype != torch.int64:
        problems.append(("dtype", f"{call}: the indices have dtype {str(t.dtype).replace('torch.', '')}, expected "
                         "int64 (torch.long), whatever the boxes' dtype"))
        return problems
    if t.dim() != 1:
        problems.append(("shape", f"{call}: the result has shape {tuple(t.shape)}; return a 1-D tensor of "
                         "kept indices, shape (K,)"))
        return problems
    if device == "meta" or problems:
        return problems
    want, got = [int(v) for v in expected.tolist()], [int(v) for v in t.tolist()]
    if want == got:
        return []
    boxes, scores, threshold = case.args
    lines = [f"{call}: the kept indices are wrong: expected {want}, got {got}. "
             + _explain(want, got, boxes, scores, float(threshold)) + "."]
    inputs = show_inputs(case)
    if inputs:
        lines.append("Input:\n" + inputs + f"\n  iou_threshold = {float(threshold):g}")
    n = boxes.shape[0]
    if 1 < n <= 8:
        lines.append("IoU between the boxes:\n" + show(_iou64(boxes, boxes)))
    if case.hint:
        lines.append("Hint: " + case.hint)
    return [(case.property, "\n".join(lines))]


# --------------------------------------------------------------------------- cases

def _iou_case(prop, boxes1, boxes2):
    return Case(property=prop, function="box_iou", args=(boxes1, boxes2), names=IOU_NAMES,
                label="box_iou(boxes1, boxes2)", hint=IOU_HINTS[prop])


def _nms_case(prop, boxes, scores, threshold):
    return Case(property=prop, function="nms", args=(boxes, scores, float(threshold)), names=NMS_NAMES,
                label=f"nms(boxes, scores, iou_threshold={float(threshold):g})", compare=compare_nms,
                hint=NMS_HINTS[prop])


def _t(rows, dtype=torch.float32):
    return torch.tensor(rows, dtype=dtype)


def _random_nms(gen, prop, n, dtype=torch.float32):
    """A clustered random scene whose every IoU stays clear of the threshold."""
    while True:
        threshold = float(torch.tensor([0.3, 0.4, 0.5, 0.6, 0.7])[torch.randint(0, 5, (), generator=gen)])
        boxes = _clustered_boxes(gen, n, clusters=max(1, n // 4), dtype=dtype)
        if _clear_of_threshold(boxes, threshold):
            return _nms_case(prop, boxes, _distinct_scores(gen, n, dtype), threshold)


def make_cases(gen: torch.Generator) -> list[Case]:
    cases = []
    # ---- box_iou
    # IoU values: one overlapping pair, then random sets with N != M (fractional coordinates).
    cases.append(_iou_case("IoU values", _t([[0.0, 0.0, 2.0, 2.0]]), _t([[1.0, 1.0, 3.0, 4.0]])))
    cases.append(_iou_case("IoU values", _t([[0.1, 0.08, 0.52, 0.92], [0.08, 0.2, 0.56, 0.95]]),
                           _t([[0.15, 0.3, 0.62, 0.91], [0.55, 0.2, 0.9, 0.88], [0.0, 0.1, 0.58, 0.52]])))
    cases.append(_iou_case("IoU values", _random_boxes(gen, 3, spread=3.0), _random_boxes(gen, 4, spread=3.0)))
    cases.append(_iou_case("IoU values", _random_boxes(gen, 5, spread=4.0), _random_boxes(gen, 2, spread=4.0)))
    # identical and nested boxes.
    cases.append(_iou_case("identical and nested boxes", _t([[1.0, 1.0, 3.0, 4.0]]), _t([[1.0, 1.0, 3.0, 4.0]])))
    cases.append(_iou_case("identical and nested boxes", _t([[0.0, 0.0, 4.0, 4.0], [0.5, 0.5, 1.5, 2.5]]),
                           _t([[1.0, 1.0, 2.0, 2.0], [0.0, 0.0, 4.0, 4.0], [0.5, 0.5, 1.5, 2.5]])))
    # disjoint boxes: apart in both axes, in one axis only, and touching edges or corners.
    cases.append(_iou_case("disjoint boxes", _t([[0.0, 0.0, 1.0, 1.0]]), _t([[2.0, 3.0, 4.0, 5.0]])))
    cases.append(_iou_case("disjoint boxes", _t([[0.0, 0.0, 1.0, 1.0], [0.0, 0.0, 2.0, 2.0]]),
                           _t([[2.0, 0.0, 3.0, 1.0], [3.0, 3.0, 4.0, 5.0], [1.0, 2.0, 2.0, 3.0],
                               [2.0, 2.0, 3.0, 3.0]])))
    far = _random_boxes(gen, 3, spread=2.0) + torch.tensor([10.0, 10.0, 10.0, 10.0])
    cases.append(_iou_case("disjoint boxes", _random_boxes(gen, 2, spread=2.0), far))
    # empty box sets: (0, M) and (N, 0).
    cases.append(_iou_case("empty box sets", torch.zeros(0, 4), _random_boxes(gen, 3)))
    cases.append(_iou_case("empty box sets", _random_boxes(gen, 2), torch.zeros(0, 4)))
    # float64.
    cases.append(_iou_case("float64", _random_boxes(gen, 3, spread=3.0, dtype=torch.float64),
                           _random_boxes(gen, 4, spread=3.0, dtype=torch.float64)))

    # ---- nms
    # greedy suppression: one box, the book's four anchors, then clustered random scenes.
    cases.append(_nms_case("greedy suppression", _t([[0.0, 0.0, 1.0, 1.0]]), _t([0.7]), 0.5))
    cases.append(_nms_case("greedy suppression",
                           _t([[0.1, 0.08, 0.52, 0.92], [0.08, 0.2, 0.56, 0.95], [0.15, 0.3, 0.62, 0.91],
                               [0.55, 0.2, 0.9, 0.88]]), _t([0.9, 0.8, 0.7, 0.85]), 0.5))
    cases.append(_random_nms(gen, "greedy suppression", 8))
    cases.append(_random_nms(gen, "greedy suppression", 12))
    cases.append(_random_nms(gen, "greedy suppression", 20))
    # highest score first: apart boxes in a scrambled score order, then an overlapping pair whose
    # later index has the higher score (input order would keep the wrong one).
    cases.append(_nms_case("highest score first", _t([[0.0, 0.0, 1.0, 1.0], [2.0, 0.0, 3.0, 1.0],
                                                      [4.0, 0.0, 5.0, 1.0], [6.0, 0.0, 7.0, 1.0]]),
                           _t([0.2, 0.9, 0.5, 0.7]), 0.5))
    cases.append(_nms_case("highest score first", _t([[0.0, 0.0, 2.0, 2.0], [0.2, 0.0, 2.2, 2.0],
                                                      [5.0, 5.0, 6.0, 6.0]]), _t([0.3, 0.8, 0.6]), 0.5))
    n = 6
    spaced = torch.arange(n, dtype=torch.float32)[:, None] * 3 + torch.tensor([0.0, 0.0, 2.0, 2.0])
    cases.append(_nms_case("highest score first", spaced, _distinct_scores(gen, n), 0.5))
    # strictly greater: pairs whose IoU is exactly the threshold (dyadic, exact in float32).
    # [0,0,3,1] and [1,0,4,1]: 2 / 4 = 0.5; [0,0,4,1] and [1,0,4,1]: 3 / 4 = 0.75;
    # [0,0,4,1] and [0,0,1,1]: 1 / 4 = 0.25.
    cases.append(_nms_case("strictly greater than the threshold", _t([[0.0, 0.0, 3.0, 1.0], [1.0, 0.0, 4.0, 1.0]]),
                           _t([0.9, 0.8]), 0.5))
    cases.append(_nms_case("strictly greater than the threshold",
                           _t([[0.0, 0.0, 4.0, 1.0], [1.0, 0.0, 4.0, 1.0], [0.0, 0.0, 1.0, 1.0],
                               [0.0, 0.0, 4.0, 1.05]]), _t([0.6, 0.9, 0.4, 0.3]), 0.75))
    cases.append(_nms_case("strictly greater than the threshold",
                           _t([[0.0, 0.0, 4.0, 1.0], [0.0, 0.0, 1.0, 1.0], [10.0, 0.0, 12.0, 2.0],
                               [10.0, 0.0, 12.0, 1.0]]), _t([0.5, 0.7, 0.9, 0.2]), 0.25))
    # iou_threshold=1.0: even identical boxes (IoU exactly 1) do not suppress each other.
    cases.append(_nms_case("strictly greater than the threshold",
                           _t([[0.0, 0.0, 2.0, 2.0], [0.0, 0.0, 2.0, 2.0], [1.0, 0.0, 3.0, 2.0]]),
                           _t([0.5, 0.9, 0.7]), 1.0))
    # only kept boxes suppress: a chain where A drops B, B would drop C, but C must stay.
    chain = torch.tensor([[float(i), 0.0, float(i) + 4.0, 1.0] for i in range(4)])   # neighbours: IoU 0.6
    cases.append(_nms_case("only kept boxes suppress", chain[:3], _t([0.9, 0.8, 0.7]), 0.5))
    cases.append(_nms_case("only kept boxes suppress", chain[[2, 0, 3, 1]], _t([0.6, 0.95, 0.1, 0.7]), 0.5))
    # no boxes.
    cases.append(_nms_case("no boxes", torch.zeros(0, 4), torch.zeros(0), 0.5))
    # float64.
    cases.append(_random_nms(gen, "float64", 10, dtype=torch.float64))
    return cases
