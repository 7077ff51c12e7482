"""OK: box_iou with explicit Python loops over the pairs (slow but right, empty sets included),
and an NMS that keeps Python ints and converts once at the end.

expect: pass
"""
import torch


def box_iou(boxes1, boxes2):
    rows = []
    for i in range(boxes1.shape[0]):
        row = []
        for j in range(boxes2.shape[0]):
            a, b = boxes1[i], boxes2[j]
            w = torch.clamp(torch.min(a[2], b[2]) - torch.max(a[0], b[0]), min=0)
            h = torch.clamp(torch.min(a[3], b[3]) - torch.max(a[1], b[1]), min=0)
            inter = w * h
            union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
            row.append(inter / union)
        rows.append(torch.stack(row) if row else boxes1.new_zeros(0))
    if not rows:
        return boxes1.new_zeros((0, boxes2.shape[0]))
    return torch.stack(rows)


def nms(boxes, scores, iou_threshold):
    order = sorted(range(boxes.shape[0]), key=lambda i: -float(scores[i]))
    keep = []
    for i in order:
        if all(float(box_iou(boxes[k:k + 1], boxes[i:i + 1])[0, 0]) <= iou_threshold for k in keep):
            keep.append(i)
    return torch.tensor(keep, dtype=torch.int64, device=boxes.device)
