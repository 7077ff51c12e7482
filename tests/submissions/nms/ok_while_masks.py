"""OK: a while loop over a tensor boolean mask of the remaining boxes (in input order), picking
the best remaining score with argmax each round.

expect: pass
"""
import torch


def box_iou(boxes1, boxes2):
    w = (torch.min(boxes1[:, None, 2], boxes2[None, :, 2]) - torch.max(boxes1[:, None, 0], boxes2[None, :, 0]))
    h = (torch.min(boxes1[:, None, 3], boxes2[None, :, 3]) - torch.max(boxes1[:, None, 1], boxes2[None, :, 1]))
    inter = torch.relu(w) * torch.relu(h)
    a1 = ((boxes1[:, 2] - boxes1[:, 0]) * (boxes1[:, 3] - boxes1[:, 1])).unsqueeze(1)
    a2 = ((boxes2[:, 2] - boxes2[:, 0]) * (boxes2[:, 3] - boxes2[:, 1])).unsqueeze(0)
    return inter / (a1 + a2 - inter)


def nms(boxes, scores, iou_threshold):
    remaining = torch.ones(boxes.shape[0], dtype=torch.bool, device=boxes.device)
    keep = torch.zeros(0, dtype=torch.long, device=boxes.device)
    neg_inf = torch.tensor(float("-inf"), dtype=scores.dtype, device=scores.device)
    while bool(remaining.any()):
        best = torch.argmax(torch.where(remaining, scores, neg_inf))
        keep = torch.cat([keep, best.reshape(1)])
        remaining[best] = False
        overlap = box_iou(boxes[best].reshape(1, 4), boxes)[0] > iou_threshold
        remaining = remaining & ~overlap
    return keep
