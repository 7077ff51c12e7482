"""BUG: the other convention: 1 - eps on the true class and eps / (K - 1) on each of the others.

expect: fail eps / K on every class; values
"""
import torch


def soft_cross_entropy(logits, target):
    return -(target * torch.log_softmax(logits, dim=1)).sum(dim=1).mean()


def label_smoothing_loss(logits, y, eps):
    K = logits.shape[1]
    target = torch.full_like(logits, eps / (K - 1))
    target[torch.arange(len(y)), y] = 1 - eps
    return soft_cross_entropy(logits, target)
