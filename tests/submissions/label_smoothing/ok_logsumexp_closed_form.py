"""OK: no target matrix: since each target row sums to 1, the loss of example i is
logsumexp(x_i) - sum_k t_ik x_ik, and with smoothing logsumexp(x_i) - (1 - eps) x_i[y_i] - eps / K sum_k x_ik.

expect: pass
"""
import torch


def soft_cross_entropy(logits, target):
    return (torch.logsumexp(logits, dim=1) - (target * logits).sum(dim=1)).mean()


def label_smoothing_loss(logits, y, eps):
    K = logits.shape[1]
    picked = logits.gather(1, y.unsqueeze(1)).squeeze(1)
    per_example = torch.logsumexp(logits, dim=1) - (1 - eps) * picked - eps / K * logits.sum(dim=1)
    return per_example.mean()
