"""Reference solution for the anchor_labels exercise (D2L 14.4): box conversions, the book's anchor assignment and offsets."""

import torch


def box_corner_to_center(boxes: torch.Tensor) -> torch.Tensor:
    """(x1, y1, x2, y2) rows to (cx, cy, w, h) rows."""
    x1, y1, x2, y2 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    cx = (x1 + x2) / 2
    cy = (y1 + y2) / 2
    w = x2 - x1
    h = y2 - y1
    return torch.stack((cx, cy, w, h), dim=-1)


def box_center_to_corner(boxes: torch.Tensor) -> torch.Tensor:
    """(cx, cy, w, h) rows to (x1, y1, x2, y2) rows."""
    cx, cy, w, h = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    x1 = cx - 0.5 * w
    y1 = cy - 0.5 * h
    x2 = cx + 0.5 * w
    y2 = cy + 0.5 * h
    return torch.stack((x1, y1, x2, y2), dim=-1)


def _box_iou(boxes1, boxes2):
    """The (N, M) IoU matrix of two sets of corner-form boxes (D2L 14.4's box_iou)."""
    def box_area(boxes):
        return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])

    inter_upperlefts = torch.max(boxes1[:, None, :2], boxes2[:, :2])
    inter_lowerrights = torch.min(boxes1[:, None, 2:], boxes2[:, 2:])
    inters = (inter_lowerrights - inter_upperlefts).clamp(min=0)
    inter_areas = inters[:, :, 0] * inters[:, :, 1]
    return inter_areas / (box_area(boxes1)[:, None] + box_area(boxes2) - inter_areas)


def assign_anchor_to_bbox(ground_truth: torch.Tensor, anchors: torch.Tensor, device, iou_threshold=0.5) -> torch.Tensor:
    """For each anchor, the index of its ground-truth box, or -1: the book's greedy assignment.

    First every anchor whose largest IoU reaches iou_threshold (>=) gets that box; then, once per
    ground-truth box, the largest remaining IoU pairs its anchor and box, and that row and column
    are discarded. Returns int64 (num_anchors,) on `device`.
    """
    num_anchors, num_gt_boxes = anchors.shape[0], ground_truth.shape[0]
    jaccard = _box_iou(anchors, ground_truth)
    anchors_bbox_map = torch.full((num_anchors,), -1, dtype=torch.long, device=device)
    max_ious, indices = torch.max(jaccard, dim=1)
    anc_i = torch.nonzero(max_ious >= iou_threshold).reshape(-1)
    box_j = indices[max_ious >= iou_threshold]
    anchors_bbox_map[anc_i] = box_j
    for _ in range(num_gt_boxes):
        max_idx = torch.argmax(jaccard)
        box_idx = max_idx % num_gt_boxes
        anc_idx = max_idx // num_gt_boxes
        anchors_bbox_map[anc_idx] = box_idx
        jaccard[:, box_idx] = -1
        jaccard[anc_idx, :] = -1
    return anchors_bbox_map


def offset_boxes(anchors: torch.Tensor, assigned_bb: torch.Tensor, eps=1e-6) -> torch.Tensor:
    """The book's offsets of assigned_bb from anchors: 10 * (centre shift) / anchor size, 5 * log(eps + size ratio)."""
    c_anc = box_corner_to_center(anchors)
    c_assigned_bb = box_corner_to_center(assigned_bb)
    offset_xy = 10 * (c_assigned_bb[:, :2] - c_anc[:, :2]) / c_anc[:, 2:]
    offset_wh = 5 * torch.log(eps + c_assigned_bb[:, 2:] / c_anc[:, 2:])
    return torch.cat([offset_xy, offset_wh], dim=1)


def offset_inverse(anchors: torch.Tensor, offset_preds: torch.Tensor) -> torch.Tensor:
    """The boxes that offset_preds (as offset_boxes writes them, eps aside) predict from anchors, corner form."""
    anc = box_corner_to_center(anchors)
    pred_bbox_xy = (offset_preds[:, :2] * anc[:, 2:] / 10) + anc[:, :2]
    pred_bbox_wh = torch.exp(offset_preds[:, 2:] / 5) * anc[:, 2:]
    return box_center_to_corner(torch.cat((pred_bbox_xy, pred_bbox_wh), dim=1))
