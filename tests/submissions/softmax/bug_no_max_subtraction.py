"""BUG: the naive softmax of D2L 4.4's first version, exp(X) / exp(X).sum(dim): no maximum is
subtracted, so exp(1000) overflows to inf and inf / inf is nan.

Right on ordinary inputs, wrong on the logits (1000, 0, -1000).
expect: fail numerical stability
"""
import torch


def softmax(X, dim=-1):
    X_exp = torch.exp(X)
    return X_exp / X_exp.sum(dim, keepdim=True)
