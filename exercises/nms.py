"""Exercise nms (D2L 14.4): write intersection over union and greedy non-maximum suppression."""

import torch


def box_iou(boxes1: torch.Tensor, boxes2: torch.Tensor) -> torch.Tensor:
    """Return the (N, M) matrix of intersection over union of boxes1 (N, 4) and boxes2 (M, 4).

    D2L 14.4, anchor boxes: https://d2l.ai/chapter_computer-vision/anchor.html

    What to implement
        IoU[i, j] = intersection(boxes1[i], boxes2[j]) / union(boxes1[i], boxes2[j]).

    Conventions
        - Boxes are in corner form (x1, y1, x2, y2) with continuous coordinates:
          area = (x2 - x1) * (y2 - y1), with no "+1".
        - The intersection's upper-left corner is the max of the two upper-left corners and
          its lower-right corner the min of the two lower-right corners; clamp its width and
          height at 0, so disjoint boxes overlap 0.
        - union = area1 + area2 - intersection.
        - Broadcast to (N, M) rather than looping; keep the boxes' dtype and device.

    Forbidden
        everything in torchvision.ops and torch.ops.torchvision.
    """
    raise NotImplementedError("box_iou: fill in this function")


def nms(boxes: torch.Tensor, scores: torch.Tensor, iou_threshold: float) -> torch.Tensor:
    """Return the indices of the boxes that greedy non-maximum suppression keeps.

    D2L 14.4, anchor boxes: https://d2l.ai/chapter_computer-vision/anchor.html

    What to implement
        Sort the boxes by score, highest first. Repeat until none is left: keep the
        highest-scoring remaining box, then drop every remaining box whose IoU with it is
        *strictly greater* than iou_threshold (a box at exactly the threshold survives).
        Only kept boxes suppress others. Use your box_iou.

    Shapes
        boxes (N, 4) in corner form, scores (N,), iou_threshold a float.
        Returns the kept indices into the input as an int64 tensor, highest score first, on
        the boxes' device. No boxes in (N = 0): an empty int64 tensor out.

    Forbidden
        everything in torchvision.ops and torch.ops.torchvision.
    """
    raise NotImplementedError("nms: fill in this function")
