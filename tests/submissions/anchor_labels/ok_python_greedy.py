"""OK: the conversions with unbind, and the assignment in plain Python over the IoU matrix as nested
lists: the threshold step with max over each row, then the greedy pass with sets of used rows and
columns. The result is built with torch.tensor at the end.

expect: pass
"""
import torch


def box_corner_to_center(boxes):
    x1, y1, x2, y2 = boxes.unbind(dim=1)
    return torch.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], dim=1)


def box_center_to_corner(boxes):
    cx, cy, w, h = boxes.unbind(dim=1)
    return torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], dim=1)


def iou(a, b):
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def assign_anchor_to_bbox(ground_truth, anchors, device, iou_threshold=0.5):
    gt, an = ground_truth.tolist(), anchors.tolist()
    X = [[iou(a, b) for b in gt] for a in an]
    result = []
    for row in X:
        best = max(range(len(gt)), key=lambda j: row[j])
        result.append(best if row[best] >= iou_threshold else -1)
    used_rows, used_cols = set(), set()
    for _ in range(len(gt)):
        i, j = max(((i, j) for i in range(len(an)) for j in range(len(gt))
                    if i not in used_rows and j not in used_cols), key=lambda ij: X[ij[0]][ij[1]])
        result[i] = j
        used_rows.add(i)
        used_cols.add(j)
    return torch.tensor(result, dtype=torch.int64, device=device)


def offset_boxes(anchors, assigned_bb, eps=1e-6):
    a, b = box_corner_to_center(anchors), box_corner_to_center(assigned_bb)
    return torch.cat([(b[:, :2] - a[:, :2]) / a[:, 2:] * 10, torch.log(b[:, 2:] / a[:, 2:] + eps) * 5], dim=1)


def offset_inverse(anchors, offset_preds):
    a = box_corner_to_center(anchors)
    centre = a[:, :2] + offset_preds[:, :2] / 10 * a[:, 2:]
    size = a[:, 2:] * (offset_preds[:, 2:] / 5).exp()
    return torch.cat([centre - size / 2, centre + size / 2], dim=1)
