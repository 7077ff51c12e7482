"""Reference solution for the nms exercise (D2L 14.4): intersection over union and greedy non-maximum suppression."""

import torch


def box_iou(boxes1: torch.Tensor, boxes2: torch.Tensor) -> torch.Tensor:
    """Return the (N, M) IoU matrix of boxes1 (N, 4) and boxes2 (M, 4), corner form (x1, y1, x2, y2)."""
    def box_area(boxes):
        return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])

    areas1 = box_area(boxes1)                                            # (N,)
    areas2 = box_area(boxes2)                                            # (M,)
    inter_upperlefts = torch.max(boxes1[:, None, :2], boxes2[None, :, :2])    # (N, M, 2)
    inter_lowerrights = torch.min(boxes1[:, None, 2:], boxes2[None, :, 2:])   # (N, M, 2)
    inters = (inter_lowerrights - inter_upperlefts).clamp(min=0)        # disjoint boxes: 0
    inter_areas = inters[..., 0] * inters[..., 1]                        # (N, M)
    union_areas = areas1[:, None] + areas2[None, :] - inter_areas
    return inter_areas / union_areas


def nms(boxes: torch.Tensor, scores: torch.Tensor, iou_threshold: float) -> torch.Tensor:
    """Return the int64 indices of the boxes that greedy NMS keeps, highest score first.

    Repeatedly keep the highest-scoring remaining box and drop every remaining box whose
    IoU with it is strictly greater than iou_threshold (a box at exactly the threshold stays).
    """
    order = torch.argsort(scores, descending=True)   # remaining boxes, best first (scores are distinct)
    keep = []
    while order.numel() > 0:
        best = order[:1]
        keep.append(best)
        rest = order[1:]                          # may be empty: then so is iou, and the loop ends
        iou = box_iou(boxes[best], boxes[rest]).squeeze(0)
        order = rest[~(iou > iou_threshold)]     # strictly greater suppresses
    if not keep:
        return torch.empty(0, dtype=torch.int64, device=boxes.device)
    return torch.cat(keep)                        # argsort's int64 indices, on the boxes' device
