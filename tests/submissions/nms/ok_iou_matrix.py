"""OK: one IoU matrix up front, an "alive" boolean mask, and a loop over the sorted order that
clears the overlaps of each box still alive when its turn comes.

expect: pass
"""
import torch


def box_iou(boxes1, boxes2):
    lt = torch.max(boxes1[:, None, :2], boxes2[:, :2])
    rb = torch.min(boxes1[:, None, 2:], boxes2[:, 2:])
    inter = (rb - lt).clamp(min=0).prod(dim=-1)
    area1 = (boxes1[:, 2:] - boxes1[:, :2]).prod(dim=-1)
    area2 = (boxes2[:, 2:] - boxes2[:, :2]).prod(dim=-1)
    union = area1[:, None] + area2 - inter
    return inter / union


def nms(boxes, scores, iou_threshold):
    order = scores.argsort(descending=True)
    iou = box_iou(boxes[order], boxes[order])
    n = order.shape[0]
    alive = torch.ones(n, dtype=torch.bool, device=boxes.device)
    upper = torch.ones(n, n, dtype=torch.bool, device=boxes.device).triu(diagonal=1)
    overlaps = (iou > iou_threshold) & upper
    for a in range(n):
        if alive[a]:
            alive = alive & ~overlaps[a]
    return order[alive]
