"""BUG: clamps the probabilities before the log, so nothing is inf, but a log probability of -2000 becomes
log(1e-12) = -27.6: finite and wrong for logits of +-1000.

expect: fail numerical stability
"""
import torch


def soft_cross_entropy(logits, target):
    probs = torch.softmax(logits, dim=1).clamp(min=1e-12)
    return -(target * probs.log()).sum(dim=1).mean()


def label_smoothing_loss(logits, y, eps):
    K = logits.shape[1]
    target = (1 - eps) * torch.nn.functional.one_hot(y, K).to(logits.dtype) + eps / K
    return soft_cross_entropy(logits, target)
