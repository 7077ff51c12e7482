"""OK: the conversions as one matrix product each, and the assignment with masks: the greedy pass
fills discarded rows and columns with -inf through torch.where instead of writing -1 into them.

expect: pass
"""
import torch


def box_corner_to_center(boxes):
    M = torch.tensor([[0.5, 0.0, -1.0, 0.0], [0.0, 0.5, 0.0, -1.0], [0.5, 0.0, 1.0, 0.0], [0.0, 0.5, 0.0, 1.0]],
                     dtype=boxes.dtype, device=boxes.device)
    return boxes @ M


def box_center_to_corner(boxes):
    M = torch.tensor([[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 1.0], [-0.5, 0.0, 0.5, 0.0], [0.0, -0.5, 0.0, 0.5]],
                     dtype=boxes.dtype, device=boxes.device)
    return boxes @ M


def assign_anchor_to_bbox(ground_truth, anchors, device, iou_threshold=0.5):
    lt = torch.maximum(anchors[:, None, :2], ground_truth[None, :, :2])
    rb = torch.minimum(anchors[:, None, 2:], ground_truth[None, :, 2:])
    inter = (rb - lt).clamp(min=0).prod(dim=-1)
    area_a = (anchors[:, 2:] - anchors[:, :2]).prod(dim=-1)
    area_g = (ground_truth[:, 2:] - ground_truth[:, :2]).prod(dim=-1)
    X = inter / (area_a[:, None] + area_g[None, :] - inter)
    best, which = X.max(dim=1)
    result = torch.where(best >= iou_threshold, which, torch.full_like(which, -1))
    n_gt = ground_truth.shape[0]
    for _ in range(n_gt):
        flat = int(X.argmax())
        i, j = flat // n_gt, flat % n_gt
        result[i] = j
        rows = torch.arange(X.shape[0], device=X.device)[:, None] == i
        cols = torch.arange(n_gt, device=X.device)[None, :] == j
        X = torch.where(rows | cols, torch.full_like(X, float("-inf")), X)
    return result.to(device=device, dtype=torch.int64)


def offset_boxes(anchors, assigned_bb, eps=1e-6):
    a, b = box_corner_to_center(anchors), box_corner_to_center(assigned_bb)
    shift = 10 * (b[:, :2] - a[:, :2]) / a[:, 2:]
    scale = 5 * torch.log(eps + b[:, 2:] / a[:, 2:])
    return torch.cat([shift, scale], dim=1)


def offset_inverse(anchors, offset_preds):
    a = box_corner_to_center(anchors)
    pred = torch.cat([offset_preds[:, :2] * a[:, 2:] / 10 + a[:, :2], torch.exp(offset_preds[:, 2:] / 5) * a[:, 2:]], 1)
    return box_center_to_corner(pred)
