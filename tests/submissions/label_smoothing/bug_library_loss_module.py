"""BUG: the library's loss module, which has label smoothing built in.

expect: fail forbidden routine
"""
import torch
from torch import nn


def soft_cross_entropy(logits, target):
    return nn.CrossEntropyLoss()(logits, target)


def label_smoothing_loss(logits, y, eps):
    return nn.CrossEntropyLoss(label_smoothing=eps)(logits, y)
