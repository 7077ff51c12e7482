"""Keeps an element with probability dropout instead of 1 - dropout.

expect: fail keep probability
"""

import torch


def dropout_layer(X, dropout):
    if dropout == 1:
        return torch.zeros_like(X)
    if dropout == 0:
        return X
    mask = (torch.rand(X.shape, device=X.device) < dropout).to(X.dtype)
    return mask * X / (1.0 - dropout)


def l2_penalty(w):
    return torch.sum(w.pow(2)) / 2
