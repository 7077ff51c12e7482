"""BUG: the one-hot target in float32 (.float()): float64 logits give a float64 loss, but computed with a
target rounded to float32 (eps / K = 0.02 is not exact).

expect: fail float64
"""
import torch


def soft_cross_entropy(logits, target):
    return -(target * torch.log_softmax(logits, dim=1)).sum(dim=1).mean()


def label_smoothing_loss(logits, y, eps):
    K = logits.shape[1]
    target = (1 - eps) * torch.nn.functional.one_hot(y, K).float() + eps / K
    return soft_cross_entropy(logits, target)
