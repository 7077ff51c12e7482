"""Grader for anchor_labels (D2L 14.3, 14.4): box conversions, the book's assign_anchor_to_bbox (threshold
first, then the greedy pass that gives every ground-truth box an anchor), offset_boxes and offset_inverse.

The assignment takes a torch.device, which cannot travel as plain data, so its cases run the steps driver,
which passes the run's own device; they skip the meta device (the assignment depends on values). Random
assignment scenes are drawn until no IoU lies within MARGIN of the threshold and every greedy step has a
clear largest IoU, so every correct way of computing IoU (float32 or float64, any order) assigns the same.
"""

from __future__ import annotations

import torch

from d2lcoach.grading import driven
from d2lcoach.grading.case import Case

MARGIN = 1e-3

CORNER = "corner to center"
CENTER = "center to corner"
GREEDY = "greedy assignment"
THRESHOLD = "threshold (>=)"
ORDER = "threshold before greedy"
OFFSETS = "offsets"
EPS = "eps inside the log"
INVERSE = "offset_inverse"
FLOAT64 = "float64"

HINTS = {
    CORNER: "(x1, y1, x2, y2) -> (cx, cy, w, h): cx = (x1 + x2) / 2, cy = (y1 + y2) / 2, w = x2 - x1, "
            "h = y2 - y1; torch.stack((cx, cy, w, h), dim=-1).",
    CENTER: "(cx, cy, w, h) -> (x1, y1, x2, y2): x1 = cx - 0.5 * w, y1 = cy - 0.5 * h, x2 = cx + 0.5 * w, "
            "y2 = cy + 0.5 * h: half the width on each side of the centre.",
    GREEDY: "D2L 14.4: once per ground-truth box, take the largest remaining IoU x_ij (torch.argmax over the whole "
            "matrix: anchor max_idx // num_gt_boxes, box max_idx % num_gt_boxes), assign box j to anchor i, then "
            "discard BOTH row i and column j (set them to -1), so no anchor and no box is picked twice.",
    THRESHOLD: "Before the greedy pass, every anchor whose largest IoU is >= iou_threshold gets that box (the "
               "book's code compares with >=); the others stay -1 unless the greedy pass picks them.",
    ORDER: "The threshold step comes FIRST and the greedy pass overrides it: an anchor that the greedy pass pairs "
           "with a box keeps that box, even where another box has a larger IoU with it.",
    OFFSETS: "Both boxes in centre form: (10 * (xb - xa) / wa, 10 * (yb - ya) / ha, 5 * log(eps + wb / wa), "
             "5 * log(eps + hb / ha)); divide by the ANCHOR's width and height.",
    EPS: "eps goes inside the log, added to the ratio: 5 * torch.log(eps + wb / wa), not 5 * torch.log(wb / wa) "
         "+ eps; eps defaults to 1e-6.",
    INVERSE: "offset_inverse undoes offset_boxes: x = ox * wa / 10 + xa, y = oy * ha / 10 + ya, w = exp(ow / 5) * wa, "
             "h = exp(oh / 5) * ha, in centre form, then box_center_to_corner: the result is in corner form.",
    FLOAT64: "Keep the boxes' dtype: no .float(), and no constants built as float32 tensors.",
}


# --------------------------------------------------------------------------- inputs

def _boxes(gen, n, dtype=torch.float32, spread=1.0):
    """n corner-form boxes with positive sides, inside about [0, spread]."""
    xy = torch.rand(n, 2, generator=gen, dtype=torch.float64) * 0.7 * spread
    wh = (0.05 + torch.rand(n, 2, generator=gen, dtype=torch.float64) * 0.45) * spread
    return torch.cat([xy, xy + wh], dim=1).to(dtype)


def _centred(gen, n, dtype=torch.float32):
    """n centre-form boxes with positive widths and heights."""
    c = torch.rand(n, 2, generator=gen, dtype=torch.float64)
    wh = 0.05 + torch.rand(n, 2, generator=gen, dtype=torch.float64) * 0.5
    return torch.cat([c, wh], dim=1).to(dtype)


def _near(gen, boxes, scale=0.1):
    """Boxes near `boxes` (their assigned ground truth), with positive sides."""
    shift = (torch.rand(boxes.shape, generator=gen, dtype=torch.float64) - 0.5) * scale
    moved = boxes.to(torch.float64) + shift
    lo, hi = torch.minimum(moved[:, :2], moved[:, 2:] - 0.02), moved[:, 2:]
    return torch.cat([lo, torch.maximum(hi, lo + 0.02)], dim=1).to(boxes.dtype)


def _iou64(b1, b2):
    b1, b2 = b1.to(torch.float64), b2.to(torch.float64)
    lt = torch.max(b1[:, None, :2], b2[None, :, :2])
    rb = torch.min(b1[:, None, 2:], b2[None, :, 2:])
    wh = (rb - lt).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    a1 = (b1[:, 2] - b1[:, 0]) * (b1[:, 3] - b1[:, 1])
    a2 = (b2[:, 2] - b2[:, 0]) * (b2[:, 3] - b2[:, 1])
    return inter / (a1[:, None] + a2[None, :] - inter)


def _clear(gt, anchors, threshold) -> bool:
    """No IoU within MARGIN of the threshold, and every greedy step's largest IoU clear of the next one."""
    jaccard = _iou64(anchors, gt)
    if bool(((jaccard - threshold).abs() < MARGIN).any()):
        return False
    for _ in range(gt.shape[0]):
        top = torch.topk(jaccard.reshape(-1), 2).values
        if float(top[0]) <= 0 or float(top[0] - top[1]) < MARGIN:
            return False
        i, j = divmod(int(torch.argmax(jaccard)), gt.shape[0])
        jaccard[i, :] = -1
        jaccard[:, j] = -1
    return True


def _scene(gen, n_gt, n_anchors, threshold, dtype=torch.float32):
    """A random scene: ground truth, anchors near some of them and elsewhere, clear of ties."""
    while True:
        gt = _boxes(gen, n_gt, dtype)
        near = _near(gen, gt[torch.randint(0, n_gt, (n_anchors // 2,), generator=gen)], 0.3)
        anchors = torch.cat([near, _boxes(gen, n_anchors - n_anchors // 2, dtype)])
        anchors = anchors[torch.randperm(n_anchors, generator=gen)]
        if _clear(gt, anchors, threshold):
            return gt, anchors


def _strip(xs):
    """Boxes of height 1 at x = [a, b]: their IoU is the intervals' (exact in float32 for these values)."""
    return torch.tensor([[a, 0.0, b, 1.0] for a, b in xs])


# --------------------------------------------------------------------------- cases

def _plain(prop, gen, function, args, label, names, kwargs=None):
    out_rows = args[0].shape[0]
    return Case(property=prop, function=function, args=tuple(args), kwargs=kwargs or {}, names=names, label=label,
                grad=tuple((i,) for i in range(len(args))),
                grad_outputs=[torch.randn(out_rows, 4, generator=gen, dtype=args[0].dtype)], hint=HINTS[prop])


def _convert(prop, gen, function, boxes):
    return _plain(prop, gen, function, [boxes], f"{function}(boxes)", ("boxes",))


def _offsets(prop, gen, anchors, assigned, eps=None):
    kwargs = {} if eps is None else {"eps": eps}
    label = "offset_boxes(anchors, assigned_bb" + ("" if eps is None else f", eps={eps}") + ")"
    return _plain(prop, gen, "offset_boxes", [anchors, assigned], label, ("anchors", "assigned_bb"), kwargs)


def _inverse(prop, gen, anchors, offsets):
    return _plain(prop, gen, "offset_inverse", [anchors, offsets], "offset_inverse(anchors, offset_preds)",
                  ("anchors", "offset_preds"))


def _assign(prop, gt, anchors, threshold=None):
    kwargs = {} if threshold is None else {"iou_threshold": threshold}
    label = ("assign_anchor_to_bbox(ground_truth, anchors, device"
             + ("" if threshold is None else f", iou_threshold={threshold}") + ")")
    spec = {"driver": "steps", "build": {"device": {"build": "device"}},
            "steps": [{"call": "assign_anchor_to_bbox", "args": [gt, anchors, {"ref": "device"}], "kwargs": kwargs,
                       "label": "the call"}]}
    if anchors.shape[0] <= 5:   # small enough to show the inputs in the call itself
        label = label.replace("(ground_truth, anchors", f"(ground_truth={_rows(gt)}, anchors={_rows(anchors)}")
    return Case(property=prop, function="assign_anchor_to_bbox", args=(), kind="driver", spec=spec,
                compare=driven.compare_steps, checks=("dtype", "device", "shape"), meta=False,
                label=label, hint=HINTS[prop])


def _rows(boxes):
    return str([[round(v, 3) for v in row] for row in boxes.tolist()])


def make_cases(gen: torch.Generator) -> list[Case]:
    f64 = torch.float64
    # The book's ground truth (dog, cat) and five anchors: assigned [-1, 0, 1, -1, 1].
    book_gt = torch.tensor([[0.1, 0.08, 0.52, 0.92], [0.55, 0.2, 0.9, 0.88]])
    book_anchors = torch.tensor([[0.0, 0.1, 0.2, 0.3], [0.15, 0.2, 0.4, 0.4], [0.63, 0.05, 0.88, 0.98],
                                 [0.66, 0.45, 0.8, 0.8], [0.57, 0.3, 0.92, 0.9]])
    cases = [
        # box conversions: one box, then several (the book's dog and cat boxes), then random ones.
        _convert(CORNER, gen, "box_corner_to_center", torch.tensor([[1.0, 2.0, 5.0, 4.0]])),
        _convert(CORNER, gen, "box_corner_to_center", book_gt),
        _convert(CORNER, gen, "box_corner_to_center", _boxes(gen, 5, spread=4.0)),
        _convert(CENTER, gen, "box_center_to_corner", torch.tensor([[3.0, 3.0, 4.0, 2.0]])),
        _convert(CENTER, gen, "box_center_to_corner", _centred(gen, 2)),
        _convert(CENTER, gen, "box_center_to_corner", _centred(gen, 6)),
        # greedy assignment: one box below the threshold still gets its best anchor; the book's example;
        # a row that must be discarded (anchor 0 is best for both boxes); a column that must be discarded
        # (box 0 is best for anchors 0 and 2); a random scene.
        _assign(GREEDY, _strip([(0.0, 4.0)]), _strip([(3.0, 7.0), (2.0, 6.0)])),
        _assign(GREEDY, book_gt, book_anchors),
        _assign(GREEDY, _strip([(0.0, 4.0), (1.0, 5.0)]), _strip([(0.0, 4.0), (4.0, 8.0)])),
        _assign(GREEDY, _strip([(0.0, 4.0), (1.0, 5.0)]), _strip([(0.0, 4.0), (4.0, 8.0), (0.4, 4.4)])),
        _assign(GREEDY, *_scene(gen, 3, 8, 0.5)),
        # threshold (>=): anchors left after the greedy pass with an IoU of exactly 0.5 (2 / 4) and just
        # below it; then thresholds other than the default, exactly met (1 / 4) and missed.
        _assign(THRESHOLD, _strip([(0.0, 3.0)]), _strip([(0.0, 3.0), (1.0, 4.0), (1.05, 4.0)])),
        _assign(THRESHOLD, _strip([(0.0, 4.0)]), _strip([(0.0, 4.0), (3.0, 4.0), (3.05, 4.0), (0.0, 2.0)]),
                threshold=0.25),
        _assign(THRESHOLD, *_scene(gen, 2, 10, 0.3), threshold=0.3),
        # threshold first, then greedy: anchor 1's best box is box 1 (IoU 0.78 >= 0.5), but the greedy pass
        # gives box 1 to anchor 0 (IoU 1) and then box 0 to anchor 1.
        _assign(ORDER, _strip([(2.0, 8.0), (0.0, 4.0)]), _strip([(0.0, 4.0), (0.5, 4.5)])),
        _assign(ORDER, _strip([(2.0, 8.0), (0.0, 4.0)]), _strip([(6.0, 9.0), (0.0, 4.0), (0.5, 4.5), (9.0, 9.5)])),
        # offsets: an anchor and its own box (zero shifts), the book's three labelled anchors, random pairs.
        _offsets(OFFSETS, gen, torch.tensor([[0.0, 0.0, 2.0, 1.0]]), torch.tensor([[1.0, 0.0, 5.0, 0.5]])),
        _offsets(OFFSETS, gen, book_anchors[[1, 2, 4]], book_gt[[0, 1, 1]]),
        _offsets(OFFSETS, gen, _boxes(gen, 6), _boxes(gen, 6)),
        # eps inside the log: a box as wide as its anchor (5 * log(1 + eps) = 5e-6) in float64, eps passed.
        _offsets(EPS, gen, torch.tensor([[0.0, 0.0, 2.0, 1.0]], dtype=f64), torch.tensor([[1.0, 0.0, 3.0, 3.0]],
                                                                                            dtype=f64)),
        _offsets(EPS, gen, _boxes(gen, 3), _boxes(gen, 3), eps=0.5),
        _offsets(EPS, gen, _boxes(gen, 4, f64), _boxes(gen, 4, f64), eps=1e-3),
        # offset_inverse: zero offsets give the anchors back; the book's anchors; random offsets.
        _inverse(INVERSE, gen, torch.tensor([[0.0, 0.0, 2.0, 1.0]]), torch.tensor([[1.0, -2.0, 0.5, 1.5]])),
        _inverse(INVERSE, gen, book_anchors, torch.zeros(5, 4)),
        _inverse(INVERSE, gen, _boxes(gen, 6), torch.randn(6, 4, generator=gen)),
        # float64 everywhere.
        _convert(FLOAT64, gen, "box_corner_to_center", _boxes(gen, 3, f64)),
        _convert(FLOAT64, gen, "box_center_to_corner", _centred(gen, 3, f64)),
        _assign(FLOAT64, *_scene(gen, 3, 9, 0.5, f64)),
        _offsets(FLOAT64, gen, _boxes(gen, 4, f64), _boxes(gen, 4, f64)),
        _inverse(FLOAT64, gen, _boxes(gen, 4, f64), torch.randn(4, 4, generator=gen, dtype=f64)),
    ]
    return cases
