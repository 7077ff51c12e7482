"""BUG (cheating): reaches torch.ops.torchvision through getattr with a built-up name, which no
name check can see. The code policy refuses getattr and torch.ops (and torchvision is never
loaded in the sandbox, so the operator would not exist there anyway).

expect: fail code rules
"""
import torch

def box_iou(boxes1, boxes2):
    area1 = (boxes1[:, 2] - boxes1[:, 0]) * (boxes1[:, 3] - boxes1[:, 1])
    area2 = (boxes2[:, 2] - boxes2[:, 0]) * (boxes2[:, 3] - boxes2[:, 1])
    lt = torch.max(boxes1[:, None, :2], boxes2[None, :, :2])
    rb = torch.min(boxes1[:, None, 2:], boxes2[None, :, 2:])
    wh = (rb - lt).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    return inter / (area1[:, None] + area2[None, :] - inter)

def nms(boxes, scores, iou_threshold):
    ns = getattr(torch.ops, "torch" + "vision")
    return ns.nms(boxes, scores, iou_threshold)
