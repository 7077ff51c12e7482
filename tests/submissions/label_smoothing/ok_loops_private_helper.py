"""OK: Python loops over the examples and classes, a private helper for one row's log-softmax (the
maximum subtracted), and the losses accumulated one at a time.

expect: pass
"""
import torch


def _row_log_softmax(row):
    top = row.max()
    return row - top - torch.log(torch.exp(row - top).sum())


def soft_cross_entropy(logits, target):
    total = 0
    for i in range(logits.shape[0]):
        log_probs = _row_log_softmax(logits[i])
        for k in range(logits.shape[1]):
            total = total - target[i, k] * log_probs[k]
    return total / logits.shape[0]


def label_smoothing_loss(logits, y, eps):
    n, K = logits.shape
    total = 0
    for i in range(n):
        log_probs = _row_log_softmax(logits[i])
        total = total - (1 - eps) * log_probs[y[i]] - eps / K * log_probs.sum()
    return total / n
