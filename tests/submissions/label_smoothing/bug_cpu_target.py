"""BUG: builds the target with torch.zeros on the default device (the CPU) instead of logits' device.

expect: fail device
"""
import torch


def soft_cross_entropy(logits, target):
    return -(target * torch.log_softmax(logits, dim=1)).sum(dim=1).mean()


def label_smoothing_loss(logits, y, eps):
    n, K = logits.shape
    target = torch.zeros(n, K, dtype=logits.dtype) + eps / K
    target[torch.arange(n), y.cpu()] += 1 - eps
    return soft_cross_entropy(logits, target)
