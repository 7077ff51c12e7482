"""BUG (cheating): imports torchvision to call torchvision.ops.nms.

expect: fail imports
"""
import torch
import torchvision


def box_iou(boxes1, boxes2):
    return torchvision.ops.box_iou(boxes1, boxes2)


def nms(boxes, scores, iou_threshold):
    return torchvision.ops.nms(boxes, scores, iou_threshold)
