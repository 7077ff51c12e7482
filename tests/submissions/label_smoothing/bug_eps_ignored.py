"""BUG: builds the one-hot target and never smooths it: the plain cross-entropy whatever eps is.

expect: fail values; eps / K on every class; eps = 0 and eps = 1
"""
import torch


def soft_cross_entropy(logits, target):
    return -(target * torch.log_softmax(logits, dim=1)).sum(dim=1).mean()


def label_smoothing_loss(logits, y, eps):
    target = torch.nn.functional.one_hot(y, logits.shape[1]).to(logits.dtype)
    return soft_cross_entropy(logits, target)
