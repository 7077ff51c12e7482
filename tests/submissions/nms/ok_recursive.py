"""OK: recursive NMS: keep the best box, filter the rest by IoU, recurse on what is left.

expect: pass
"""
import torch


def box_iou(boxes1, boxes2):
    x1 = torch.maximum(boxes1[:, None, 0], boxes2[None, :, 0])
    y1 = torch.maximum(boxes1[:, None, 1], boxes2[None, :, 1])
    x2 = torch.minimum(boxes1[:, None, 2], boxes2[None, :, 2])
    y2 = torch.minimum(boxes1[:, None, 3], boxes2[None, :, 3])
    inter = (x2 - x1).clamp(min=0) * (y2 - y1).clamp(min=0)
    area1 = (boxes1[:, 2] - boxes1[:, 0]) * (boxes1[:, 3] - boxes1[:, 1])
    area2 = (boxes2[:, 2] - boxes2[:, 0]) * (boxes2[:, 3] - boxes2[:, 1])
    return inter / (area1[:, None] + area2[None, :] - inter)


def _greedy(boxes, order, iou_threshold):
    if order.numel() == 0:
        return order
    best, rest = order[:1], order[1:]
    if rest.numel():
        rest = rest[box_iou(boxes[best], boxes[rest])[0] <= iou_threshold]
    return torch.cat([best, _greedy(boxes, rest, iou_threshold)])


def nms(boxes, scores, iou_threshold):
    order = torch.sort(scores, descending=True).indices
    return _greedy(boxes, order, iou_threshold).to(torch.int64)
