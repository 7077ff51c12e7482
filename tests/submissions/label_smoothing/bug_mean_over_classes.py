"""BUG: .mean() over the whole (n, K) matrix of weighted log probabilities, which also divides by K.

expect: fail mean over the batch; values
"""
import torch


def soft_cross_entropy(logits, target):
    return -(target * torch.log_softmax(logits, dim=1)).mean()


def label_smoothing_loss(logits, y, eps):
    K = logits.shape[1]
    target = (1 - eps) * torch.nn.functional.one_hot(y, K).to(logits.dtype) + eps / K
    return soft_cross_entropy(logits, target)
