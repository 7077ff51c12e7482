"""BUG: log-sum-exp without subtracting the maximum: exp(1000) overflows to inf.

expect: fail numerical stability
"""
import torch


def soft_cross_entropy(logits, target):
    log_probs = logits - torch.log(torch.exp(logits).sum(dim=1, keepdim=True))
    return -(target * log_probs).sum(dim=1).mean()


def label_smoothing_loss(logits, y, eps):
    K = logits.shape[1]
    target = (1 - eps) * torch.nn.functional.one_hot(y, K).to(logits.dtype) + eps / K
    return soft_cross_entropy(logits, target)
