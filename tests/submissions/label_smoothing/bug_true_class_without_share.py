"""BUG: eps / K on the other classes but only 1 - eps on the true one, so the target sums to 1 - eps / K.

expect: fail eps / K on every class; values
"""
import torch


def soft_cross_entropy(logits, target):
    return -(target * torch.log_softmax(logits, dim=1)).sum(dim=1).mean()


def label_smoothing_loss(logits, y, eps):
    K = logits.shape[1]
    target = torch.full_like(logits, eps / K)
    target[torch.arange(len(y)), y] = 1 - eps
    return soft_cross_entropy(logits, target)
