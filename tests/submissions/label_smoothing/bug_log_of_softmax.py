"""BUG: log(softmax(x)): the softmax subtracts the maximum, but a probability that underflows to 0 still
gives log 0 = -inf (and 0 * -inf = nan) for logits of +-1000.

expect: fail numerical stability
"""
import torch


def soft_cross_entropy(logits, target):
    probs = torch.softmax(logits, dim=1)
    return -(target * torch.log(probs)).sum(dim=1).mean()


def label_smoothing_loss(logits, y, eps):
    K = logits.shape[1]
    target = (1 - eps) * torch.nn.functional.one_hot(y, K).to(logits.dtype) + eps / K
    return soft_cross_entropy(logits, target)
