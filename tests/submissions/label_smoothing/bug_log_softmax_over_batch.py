"""BUG: takes the log-softmax along dim 0, over the examples, instead of along the classes.

expect: fail soft targets; values
"""
import torch


def soft_cross_entropy(logits, target):
    return -(target * torch.log_softmax(logits, dim=0)).sum(dim=1).mean()


def label_smoothing_loss(logits, y, eps):
    K = logits.shape[1]
    target = (1 - eps) * torch.nn.functional.one_hot(y, K).to(logits.dtype) + eps / K
    return soft_cross_entropy(logits, target)
