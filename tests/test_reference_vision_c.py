"""Check the vision-c references (anchor_boxes, anchor_labels) against independent implementations: loops over the book's formulas, torchvision, and the values D2L prints."""

from __future__ import annotations

import itertools
import math

import pytest
import torch
import torchvision
from torchvision.models.detection import _utils as detection_utils

from tests.test_reference import DTYPES, SEEDS, assert_close, gen, randint, ref

# ----------------------------------------------------------------------------- anchor_boxes


def _anchors_by_loops(H, W, sizes, ratios):
    """The contract's formula, pixel by pixel and pair by pair, in float64 Python arithmetic."""
    pairs = [(s, ratios[0]) for s in sizes] + [(sizes[0], r) for r in ratios[1:]]
    rows = []
    for i, j in itertools.product(range(H), range(W)):
        x, y = (j + 0.5) / W, (i + 0.5) / H
        for s, r in pairs:
            w, h = s * math.sqrt(r) * H / W, s / math.sqrt(r)
            rows.append([x - w / 2, y - h / 2, x + w / 2, y + h / 2])
    return torch.tensor(rows, dtype=torch.float64).reshape(1, -1, 4)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_multibox_prior_matches_the_formula_by_loops(seed, dtype):
    g = gen(seed)
    H, W = randint(g, 1, 6), randint(g, 1, 6)
    sizes = [float(v) for v in torch.rand(randint(g, 1, 4), generator=g) * 0.8 + 0.1]
    ratios = [float(v) for v in torch.rand(randint(g, 1, 4), generator=g) * 2.5 + 0.3]
    data = torch.rand(2, 3, H, W, generator=g, dtype=dtype)
    Y = ref("anchor_boxes", "multibox_prior")(data, sizes, ratios)
    assert Y.shape == (1, H * W * (len(sizes) + len(ratios) - 1), 4) and Y.dtype == dtype
    assert_close(Y, _anchors_by_loops(H, W, sizes, ratios).to(dtype))


def test_multibox_prior_prints_the_books_values():
    """D2L 14.4: a 561 x 728 image, sizes [0.75, 0.5, 0.25], ratios [1, 2, 0.5]: (1, 2042040, 4), and the first
    anchor centred on pixel (250, 250) is [0.06, 0.07, 0.63, 0.82] (printed to two decimals)."""
    Y = ref("anchor_boxes", "multibox_prior")(torch.rand(1, 3, 561, 728), [0.75, 0.5, 0.25], [1, 2, 0.5])
    assert Y.shape == (1, 2042040, 4)
    torch.testing.assert_close(Y.reshape(561, 728, 5, 4)[250, 250, 0], torch.tensor([0.06, 0.07, 0.63, 0.82]),
                               rtol=0, atol=0.005)


def test_multibox_prior_runs_on_meta():
    Y = ref("anchor_boxes", "multibox_prior")(torch.empty(1, 3, 4, 5, device="meta"), [0.5, 0.2], [1.0, 2.0, 0.5])
    assert Y.device.type == "meta" and Y.shape == (1, 4 * 5 * 4, 4)


# ----------------------------------------------------------------------------- anchor_labels

BOOK_GT = torch.tensor([[0.1, 0.08, 0.52, 0.92], [0.55, 0.2, 0.9, 0.88]])
BOOK_ANCHORS = torch.tensor([[0.0, 0.1, 0.2, 0.3], [0.15, 0.2, 0.4, 0.4], [0.63, 0.05, 0.88, 0.98],
                             [0.66, 0.45, 0.8, 0.8], [0.57, 0.3, 0.92, 0.9]])


def _boxes(g, n, dtype):
    xy = torch.rand(n, 2, generator=g, dtype=torch.float64) * 0.7
    return torch.cat([xy, xy + 0.05 + torch.rand(n, 2, generator=g, dtype=torch.float64) * 0.45], 1).to(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_box_conversions_match_torchvision_box_convert(seed, dtype):
    boxes = _boxes(gen(seed), 7, dtype)
    centre = ref("anchor_labels", "box_corner_to_center")(boxes)
    assert_close(centre, torchvision.ops.box_convert(boxes, "xyxy", "cxcywh"))
    assert_close(ref("anchor_labels", "box_center_to_corner")(centre), boxes)


def _assign_by_loops(gt, anchors, threshold):
    """The book's two steps in plain Python over an IoU matrix from torchvision."""
    X = torchvision.ops.box_iou(anchors.double(), gt.double()).tolist()
    result = [max(range(len(gt)), key=row.__getitem__) if max(row) >= threshold else -1 for row in X]
    rows, cols = set(), set()
    for _ in range(len(gt)):
        i, j = max(((i, j) for i in range(len(anchors)) for j in range(len(gt)) if i not in rows and j not in cols),
                   key=lambda ij: X[ij[0]][ij[1]])
        result[i] = j
        rows.add(i)
        cols.add(j)
    return result


def test_assign_anchor_to_bbox_gives_the_books_labels():
    """D2L 14.4 prints the classes [0, 1, 2, 0, 2] (background 0, dog 1, cat 2) for its five anchors."""
    got = ref("anchor_labels", "assign_anchor_to_bbox")(BOOK_GT, BOOK_ANCHORS, torch.device("cpu"))
    assert got.dtype == torch.int64 and got.tolist() == [-1, 0, 1, -1, 1]


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.7])
@pytest.mark.parametrize("seed", SEEDS)
def test_assign_anchor_to_bbox_matches_the_two_steps_by_loops(seed, threshold):
    g = gen(seed)
    gt = _boxes(g, 3, torch.float64)
    anchors = torch.cat([gt[torch.randint(0, 3, (6,), generator=g)] + torch.rand(6, 4, generator=g,
                                                                                  dtype=torch.float64) * 0.04,
                         _boxes(g, 6, torch.float64)])
    got = ref("anchor_labels", "assign_anchor_to_bbox")(gt, anchors, "cpu", threshold)
    assert got.tolist() == _assign_by_loops(gt, anchors, threshold)


def test_offset_boxes_prints_the_books_values():
    """D2L 14.4's multibox_target labels anchors 1, 2 and 4 with the offsets it prints."""
    got = ref("anchor_labels", "offset_boxes")(BOOK_ANCHORS[[1, 2, 4]], BOOK_GT[[0, 1, 1]])
    want = torch.tensor([[1.40, 10.0, 2.59, 7.18], [-1.20, 0.269, 1.68, -1.57], [-0.571, -1.00, 4.17e-06, 0.626]])
    torch.testing.assert_close(got, want, rtol=5e-3, atol=1e-7)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_offsets_match_torchvision_box_coder(seed, dtype):
    """torchvision's BoxCoder with weights (10, 10, 5, 5) is the book's encoding without eps."""
    g = gen(seed)
    anchors, boxes = _boxes(g, 6, dtype), _boxes(g, 6, dtype)
    coder = detection_utils.BoxCoder(weights=(10.0, 10.0, 5.0, 5.0))
    assert_close(ref("anchor_labels", "offset_boxes")(anchors, boxes, eps=0.0), coder.encode_single(boxes, anchors))
    offsets = torch.randn(6, 4, generator=g, dtype=dtype)
    assert_close(ref("anchor_labels", "offset_inverse")(anchors, offsets), coder.decode_single(offsets, anchors))
